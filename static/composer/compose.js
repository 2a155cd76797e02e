// The composer, live: the contract's rule table (serialised into the page) disables
// what would be refused and says why; the price follows every change.
import { Timeline } from "./timeline.js";
import { Reframe } from "./reframe.js";

const form = document.getElementById("composer");
const read = (id) => JSON.parse(document.getElementById(id).textContent);
const RULES = read("contract-rules");
const PRICES = read("price-table");
const ASSETS = read("known-assets");
const SOURCES = read("known-sources");
const SWEEPS = read("sweeps");
const TYPE = { video: "video", extend: "video", edit: "video_edit", reframe: "video_reframe" };
// The output grid, from the contract: frames per second, keyframes at most, last frame per duration.
const GRID = read("frame-grid");
const FPS = GRID.fps;
const lastIndex = (duration) => GRID.max_index[duration];
const SHORT = lastIndex("5s");
const csrf = document.body.dataset.csrf;

const $ = (sel, root = form) => root.querySelector(sel);
const $$ = (sel, root = form) => [...root.querySelectorAll(sel)];
const radios = (name) => $$(`input[type="radio"][name="${name}"]`);
const checked = (name) => radios(name).find((r) => r.checked)?.value ?? null;
const box = (name) => Boolean(form.elements[name]?.checked);
const mode = () => checked("mode") || "video";
const toast = document.getElementById("toast");

function say(text) {
  toast.textContent = text;
  toast.hidden = !text;
  clearTimeout(say.timer);
  if (text) say.timer = setTimeout(() => (toast.hidden = true), 6000);
}

// Uploads go a few at a time: dropping 64 images must not open 64 connections at once
// (a server's accept queue overflows and the rest are refused).
const UPLOADS_AT_ONCE = 4;
let uploadsRunning = 0;
const uploadQueue = [];

function uploadSlot() {
  if (uploadsRunning < UPLOADS_AT_ONCE) {
    uploadsRunning += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => uploadQueue.push(resolve));
}

function releaseUploadSlot() {
  const next = uploadQueue.shift();
  if (next) next();
  else uploadsRunning -= 1;
}

async function upload(file, purpose) {
  await uploadSlot();
  try {
    return await sendUpload(file, purpose);
  } finally {
    releaseUploadSlot();
  }
}

async function sendUpload(file, purpose, attempt = 0) {
  const body = new FormData();
  body.append("file", file);
  body.append("purpose", purpose);
  // Stored by content hash, so sending the same file again cannot make a second copy.
  const again = async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return sendUpload(file, purpose, 1);
  };
  try {
    const response = await fetch(form.dataset.uploadUrl, { method: "POST", body, headers: { "X-CSRFToken": csrf } });
    if (response.status >= 500 && attempt === 0) return again();
    const data = await response.json();
    return response.ok ? data : { error: data.error || `Upload failed (HTTP ${response.status}).` };
  } catch {
    if (attempt === 0) return again();
    return { error: `${file.name}: the upload did not reach the studio.` };
  }
}

// -- Facts: the same flat dict as studio.contract.facts_of, read from the page ---------
function sourceInfo() {
  return SOURCES[form.elements.source.value] || null;
}
function sourceFrames() {
  const s = sourceInfo();
  return s && s.seconds != null ? Math.max(0, Math.round(s.seconds * FPS)) : null;
}
function position() {
  return ["pos_x", "pos_y", "pos_w", "pos_h"].every((n) => form.elements[n].value !== "");
}
function facts() {
  const m = mode();
  const f = {
    type: TYPE[m],
    resolution: checked("resolution") || "720p",
    duration: m === "video" || m === "extend" ? checked("duration") || "5s" : "5s",
    aspect_ratio: m === "edit" ? null : form.elements.aspect_ratio.value || null,
    loop: box("loop"),
    hdr: box("hdr"),
    exr_export: box("exr_export"),
    start_frame: "none",
    end_frame: "none",
    keyframes: false,
    edit: false,
    edit_keyframes: false,
    auto_controls: false,
    strength_or_controls: false,
    source: false,
    source_position: false,
  };
  const src = Boolean(form.elements.source.value);
  if (m === "video") {
    if (form.elements.start_frame.value) f.start_frame = "image";
    if (form.elements.end_frame.value) f.end_frame = "image";
    f.keyframes = timelines.keyframes.size > 0;
  } else if (m === "extend") {
    if (src) f[checked("direction") === "backward" ? "end_frame" : "start_frame"] = "generation";
  } else if (m === "edit") {
    if (form.elements.guide_frame.value) f.start_frame = "image";
    f.source = src;
    f.edit = true;
    f.edit_keyframes = timelines.edit_keyframes.size > 0;
    const cm = checked("controls_mode");
    f.auto_controls = cm === "auto";
    f.strength_or_controls = cm === "manual" || (cm === "preset" && Boolean(form.elements.strength.value));
  } else {
    f.source = src;
    f.source_position = position();
  }
  return f;
}
function fires(rule, f) {
  if (!rule.types.includes(f.type)) return false;
  return Object.entries(rule.when).every(([k, want]) => (Array.isArray(want) ? want : [want]).some((a) => a === f[k]));
}
function broken(f, keys = null) {
  return RULES.filter((r) => fires(r, f) && (!keys || keys.some((k) => k in r.when)));
}

// -- Controls the rules can disable: each with the facts it would set -------------------
function options() {
  const list = [];
  for (const name of ["resolution", "duration"]) {
    for (const input of radios(name)) list.push({ input, over: { [name]: input.value }, on: () => input.checked });
  }
  for (const name of ["loop", "hdr", "exr_export"]) {
    const input = form.elements[name];
    list.push({ input, over: { [name]: true }, on: () => input.checked });
  }
  for (const opt of form.elements.aspect_ratio.options) {
    list.push({ input: opt, over: { aspect_ratio: opt.value || null }, on: () => opt.selected, option: true });
  }
  const src = () => Boolean(form.elements.source.value);
  for (const input of radios("direction")) {
    const back = input.value === "backward";
    list.push({
      input,
      over: () => ({ start_frame: !back && src() ? "generation" : "none", end_frame: back && src() ? "generation" : "none" }),
      on: () => input.checked,
    });
  }
  for (const input of radios("controls_mode")) {
    list.push({ input, over: { auto_controls: input.value === "auto", strength_or_controls: input.value !== "auto" }, on: () => input.checked });
  }
  for (const slot of $$("[data-slot]")) {
    const hidden = $(`input[type="hidden"]`, slot);
    list.push({ slot, input: $(`input[type="file"]`, slot), over: { [slot.dataset.fact]: "image" }, on: () => Boolean(hidden.value) });
  }
  for (const [name, t] of Object.entries(timelines)) {
    list.push({ timeline: t, over: { [name]: true }, on: () => t.size > 0 });
  }
  return list;
}

function reasonFor(input) {
  const id = `reason-${input.id || input.name}`;
  let span = document.getElementById(id);
  if (!span) {
    span = Object.assign(document.createElement("span"), { id, className: "reason visually-hidden" });
    (input.closest("label") || input).after(span);
  }
  return span;
}

// -- Mode panels: hidden sections neither show nor submit -------------------------------
function applyMode() {
  const m = mode();
  const cm = checked("controls_mode") || "auto";
  for (const el of $$("[data-modes]")) el.hidden = !el.dataset.modes.split(" ").includes(m);
  for (const el of $$("[data-controls]")) el.hidden = el.dataset.controls !== cm;
  for (const input of $$("input, select, textarea")) {
    if (input.type === "hidden" && !input.closest("[data-modes]")) continue;
    input.disabled = Boolean(input.closest("[hidden]"));
  }
  form.elements.aspect_ratio.closest(".field").hidden = m === "edit";
}

// -- Takes: how many, or what varies from one take to the next ---------------------------
// Hidden parts are disabled by applyMode, so only what the chosen way of varying needs is
// sent; without JavaScript every field shows and the server sorts it out.
const takesSection = document.getElementById("takes-section");
const MAX_TAKES = parseInt(takesSection.dataset.maxTakes, 10);
const vary = () => checked("vary") || "";
function showTakes() {
  const v = vary();
  for (const el of $$("[data-vary]", takesSection)) el.hidden = el.dataset.vary !== v;
  const values = SWEEPS[form.elements.sweep_param.value]?.values || [];
  for (const label of $$("[data-sweep-value]", takesSection)) label.hidden = !values.includes(label.dataset.sweepValue);
}
function promptLines() {
  return form.elements.prompt_list.value.split("\n").map((line) => line.trim()).filter(Boolean);
}
// The facts of each take, or a problem that stops the batch before any take is priced.
function takesOf(f) {
  const v = vary();
  if (v === "prompts") {
    const n = promptLines().length;
    if (!n) return { problem: "Write one prompt per line in the list." };
    if (n > MAX_TAKES) return { problem: `${n} prompts: at most ${MAX_TAKES}.` };
    return { takes: Array.from({ length: n }, () => f) };
  }
  if (v === "sweep") {
    const param = form.elements.sweep_param.value;
    const values = $$("[data-sweep-value] input:checked", takesSection).filter((i) => !i.disabled).map((i) => i.value);
    if (!values.length) return { problem: "Tick the values to sweep over." };
    // A parameter the price and the rules look at (resolution, duration, aspect ratio)
    // changes the take's facts; the edit strength is in neither.
    return { takes: values.map((value) => (param in f ? { ...f, [param]: value } : f)), values };
  }
  const raw = form.elements.takes.value.trim();
  const n = raw === "" ? 1 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TAKES) return { problem: `Takes: a whole number from 1 to ${MAX_TAKES}.` };
  return { takes: Array.from({ length: n }, () => f) };
}

let lastFacts = null;
function refresh() {
  showTakes();
  applyMode();
  const f = facts();
  const list = options();
  const describe = new Map();
  const why = new Map(); // group element -> Map(reason -> [option names])
  const note = (group, name, text) => {
    if (!group) return;
    if (!why.has(group)) why.set(group, new Map());
    const byReason = why.get(group);
    byReason.set(text, [...(byReason.get(text) || []), name]);
  };
  for (const opt of list) {
    const over = typeof opt.over === "function" ? opt.over() : opt.over;
    const hyp = { ...f, ...over };
    const reasons = broken(hyp, Object.keys(over));
    const text = [...new Set(reasons.map((r) => r.message))].join(" ");
    const isOn = opt.on();
    if (opt.timeline) {
      opt.timeline.setEnabled(isOn || !text, text);
      continue;
    }
    const input = opt.input;
    if (input.closest("[hidden]")) continue;
    const blocked = Boolean(text) && !isOn;
    if (opt.option) {
      input.disabled = blocked;
      input.title = blocked ? text : "";
      if (blocked) {
        describe.set(input.value || "choose", `${input.textContent}: ${text}`);
        note(input.closest(".field"), input.textContent.trim(), text);
      }
      continue;
    }
    input.disabled = blocked || input.disabled;
    const holder = opt.slot || input.closest("label") || input;
    if (blocked && !opt.slot) note(input.closest("fieldset"), holder.textContent.trim(), text);
    holder.title = text;
    holder.classList.toggle("is-disabled", blocked);
    holder.classList.toggle("is-invalid", Boolean(text) && isOn);
    const span = opt.slot ? $(".reason", opt.slot) : reasonFor(input);
    span.textContent = text;
    if (opt.slot) span.hidden = !text;
    if (text) input.setAttribute("aria-describedby", span.id);
    else input.removeAttribute("aria-describedby");
    if (input.type === "checkbox") input.setAttribute("aria-invalid", String(Boolean(text) && isOn));
  }
  showWhy(why);
  const aspect = form.elements.aspect_ratio;
  const aspectReason = document.getElementById("reason-aspect_ratio");
  aspectReason.textContent = [...describe.values()].join(" ");
  aspectReason.hidden = true;
  if (describe.size) aspect.setAttribute("aria-describedby", aspectReason.id);
  else aspect.removeAttribute("aria-describedby");

  // Live problems beside the submit button: the same rows the server would refuse.
  const problems = [...new Set(broken(f).map((r) => r.message))];
  // A prompt list gives every take its own prompt: the prompt field may then stay empty.
  const listed = vary() === "prompts" && promptLines().length > 0;
  if (!form.elements.prompt.value.trim() && !listed) problems.unshift("Write a prompt.");
  const batch = takesOf(f);
  if (batch.problem) problems.push(batch.problem);
  // A sweep's takes each meet the rules on their own: name the take the contract would refuse.
  (batch.values || []).forEach((value, i) => {
    for (const rule of broken(batch.takes[i])) {
      if (!problems.includes(rule.message)) problems.push(`Take ${i + 1} (${value}): ${rule.message}`);
    }
  });
  const ul = document.getElementById("problems");
  ul.replaceChildren(...problems.map((p) => Object.assign(document.createElement("li"), { textContent: p })));
  document.getElementById("submit").disabled = problems.length > 0;

  // Timelines follow the grid: the output's for keyframes, the source's for edits.
  timelines.keyframes.setMax(lastIndex(f.duration));
  const frames = sourceFrames();
  if (frames !== null) timelines.edit_keyframes.setMax(Math.max(1, frames));
  updatePrice(batch.takes || []);
  reframe?.draw();
  lastFacts = f;
}

// A disabled option says why on hover and to screen readers; a short line under its group
// says it to everyone else, since a disabled control can't be hovered by keyboard or touch.
function showWhy(why) {
  for (const p of $$(".why")) p.replaceChildren();
  for (const [group, byReason] of why) {
    let p = [...group.children].find((c) => c.classList.contains("why"));
    if (!p) {
      p = Object.assign(document.createElement("p"), { className: "why" });
      p.setAttribute("aria-hidden", "true"); // each option already carries its reason
      group.append(p);
    }
    const lines = [...byReason].map(([text, names]) => {
      const line = document.createElement("span");
      line.append(Object.assign(document.createElement("b"), { textContent: `${names.join(", ")}: ` }), text, " ");
      return line;
    });
    p.replaceChildren(...lines);
  }
}

function priceCell(f) {
  const res = f.resolution;
  const flags = `${+f.hdr}|${+(f.hdr && f.exr_export)}`;
  const s = sourceInfo()?.seconds ?? null;
  let key;
  if (f.type === "video_edit") key = `edit|${res}|${flags}|${s == null ? "none" : s <= 5 ? "5" : s <= 10 ? "10" : "long"}`;
  else if (f.type === "video_reframe") key = `reframe|${res}|${s == null ? "none" : Math.max(1, Math.ceil(s - 1e-9))}`;
  else if (f.start_frame === "generation" || f.end_frame === "generation") key = `extend|${res}`;
  else key = `video|${res}|${f.duration}|${flags}`;
  return PRICES[key] || null;
}

const dollars = (cents) => `$${(cents / 100).toFixed(2)}`;

// The batch total: each take priced with the same table, so a sweep over resolution or
// duration adds up what each of its takes costs.
function updatePrice(takes) {
  const cells = takes.map(priceCell);
  const known = cells.length > 0 && cells.every(Boolean);
  const cents = known ? cells.map((c) => Math.round(parseFloat(c[0]) * 100)) : [];
  const total = cents.reduce((a, b) => a + b, 0);
  const estimated = known && cells.some((c) => c[1]);
  const shown = known ? `${estimated ? "≈ " : ""}${dollars(total)}` : "—";
  document.getElementById("price").textContent = shown;
  document.getElementById("price-estimate").hidden = !estimated;
  const each = document.getElementById("price-each");
  const n = takes.length;
  if (known && n > 1) {
    const low = Math.min(...cents);
    const high = Math.max(...cents);
    each.textContent = low === high ? `${n} takes × ${dollars(low)}` : `${n} takes, ${dollars(low)} to ${dollars(high)} each`;
  }
  each.hidden = !(known && n > 1);
  const button = document.getElementById("submit");
  if (!form.dataset.sending) button.textContent = n > 1 ? `Generate ${n} takes${known ? ` · ${shown}` : ""}` : "Generate";
}

// -- Image slots (start, end, guide frame) ------------------------------------------------
function showSlot(slot) {
  const hidden = $(`input[type="hidden"]`, slot);
  const preview = $(".slot-preview", slot);
  const asset = ASSETS[hidden.value];
  preview.replaceChildren();
  if (asset) {
    preview.append(Object.assign(document.createElement("img"), { src: asset.thumb_url, alt: "" }));
    slot.classList.add("filled");
  } else {
    preview.append(Object.assign(document.createElement("span"), { className: "slot-empty", textContent: "Drop an image" }));
    slot.classList.remove("filled");
  }
  $("[data-slot-clear]", slot).hidden = !asset;
}
async function fillSlot(slot, file) {
  const result = await upload(file, "image");
  const errors = $$(".field-error", slot);
  if (result.error) {
    errors[0].replaceChildren(Object.assign(document.createElement("p"), { textContent: result.error }));
    errors[0].hidden = false;
    return;
  }
  for (const e of errors) e.hidden = true;
  ASSETS[result.id] = result;
  $(`input[type="hidden"]`, slot).value = result.id;
  showSlot(slot);
  refresh();
}
for (const slot of $$("[data-slot]")) {
  const file = $(`input[type="file"]`, slot);
  file.classList.add("visually-hidden");
  file.addEventListener("change", () => {
    const chosen = file.files[0];
    file.value = ""; // sent once, by the upload endpoint, not again with the form
    if (chosen) fillSlot(slot, chosen);
  });
  slot.addEventListener("dragover", (e) => {
    if (!file.disabled) e.preventDefault();
  });
  slot.addEventListener("drop", (e) => {
    e.preventDefault();
    if (!file.disabled && e.dataTransfer.files[0]) fillSlot(slot, e.dataTransfer.files[0]);
  });
  $("[data-slot-clear]", slot).addEventListener("click", () => {
    $(`input[type="hidden"]`, slot).value = "";
    // A refused file's message belongs to the attempt, not to the emptied slot.
    for (const e of $$(".field-error", slot)) e.hidden = true;
    showSlot(slot);
    refresh();
  });
  showSlot(slot);
}

// -- Source clip upload --------------------------------------------------------------------
const sourceFile = form.elements.source_file;
sourceFile.addEventListener("change", async () => {
  const chosen = sourceFile.files[0];
  sourceFile.value = "";
  if (!chosen) return;
  const result = await upload(chosen, mode() === "reframe" ? "reframe" : "edit");
  const err = document.getElementById("err-source_file");
  if (result.error) {
    err.replaceChildren(Object.assign(document.createElement("p"), { textContent: result.error }));
    err.hidden = false;
    return;
  }
  err.hidden = true;
  const key = `a:${result.id}`;
  SOURCES[key] = { seconds: result.duration_s, width: result.width, height: result.height, poster: "" };
  const select = form.elements.source;
  if (![...select.options].some((o) => o.value === key)) select.add(new Option(`Upload: ${result.name}`, key));
  select.value = key;
  sourceChanged();
});

// -- Timelines -----------------------------------------------------------------------------
const timelines = {};
for (const host of $$("[data-timeline]")) {
  const name = host.dataset.timeline;
  timelines[name] = new Timeline(host, {
    max: name === "keyframes" ? lastIndex(checked("duration") || "5s") : Math.max(1, sourceFrames() ?? SHORT),
    fps: FPS,
    maxKeyframes: GRID.keyframes_max,
    // Copying an earlier generation's timing makes sense on the output grid only.
    timings: name === "keyframes" ? read("timing-sources") : [],
    upload,
    assets: ASSETS,
    onChange: () => refresh(),
    label: name === "keyframes" ? "Keyframes on the output" : "Edit keyframes on the source's frames",
  });
}

// 10 s → 5 s with keyframes past the end: the person decides, nothing is dropped silently.
const dialog = document.getElementById("shorten-dialog");
let durationBefore = checked("duration");
for (const input of radios("duration")) {
  input.addEventListener("change", () => {
    const kf = timelines.keyframes;
    if (input.value === "5s" && durationBefore === "10s" && kf.lastFrame() > SHORT) {
      radios("duration").find((r) => r.value === "10s").checked = true;
      const past = kf.items.filter((k) => k.frame > SHORT).length;
      document.getElementById("shorten-text").textContent =
        `${past} keyframe${past === 1 ? " lies" : "s lie"} past frame ${SHORT}, the end of a 5 s video. ` +
        "Rescale every position to fit 5 s, or remove those past the end?";
      dialog.showModal();
      return;
    }
    durationBefore = input.value;
  });
}
dialog.addEventListener("click", (e) => {
  const choice = e.target.closest("[data-shorten]")?.dataset.shorten;
  if (!choice) return;
  dialog.close();
  if (choice === "cancel") return;
  const kf = timelines.keyframes;
  if (choice === "rescale") kf.rescale(SHORT);
  else kf.removeAfter(SHORT);
  radios("duration").find((r) => r.value === "5s").checked = true;
  durationBefore = "5s";
  refresh();
});

// -- Reframe ---------------------------------------------------------------------------------
const ratio = (value) => {
  const [w, h] = (value || "16:9").split(":").map(Number);
  return w / h;
};
const reframeRoot = $("[data-reframe]");
const reframe = reframeRoot
  ? new Reframe(reframeRoot, {
      inputs: { x: form.elements.pos_x, y: form.elements.pos_y, w: form.elements.pos_w, h: form.elements.pos_h },
      canvasAspect: () => ratio(form.elements.aspect_ratio.value),
      sourceAspect: () => {
        const s = sourceInfo();
        return s && s.width && s.height ? s.width / s.height : 16 / 9;
      },
      onChange: () => refresh(),
    })
  : null;

// -- Wiring ----------------------------------------------------------------------------------
function autocorrect() {
  // After a mode or source change, a selection the new context forbids moves to the
  // first allowed one, and says so.
  const f = facts();
  for (const name of ["resolution", "duration"]) {
    const current = radios(name).find((r) => r.checked);
    if (!current || current.closest("[hidden]")) continue;
    if (broken({ ...f, [name]: current.value }, [name]).length) {
      const next = radios(name).find((r) => !broken({ ...f, [name]: r.value }, [name]).length);
      if (next) {
        next.checked = true;
        say(`${name === "duration" ? "Duration" : "Resolution"} changed to ${next.value}: ${broken({ ...f, [name]: current.value }, [name])[0].message}`);
      }
    }
  }
  for (const name of ["loop", "hdr", "exr_export"]) {
    const input = form.elements[name];
    if (input.checked && !input.closest("[hidden]") && broken(facts(), [name]).length) input.checked = false;
  }
}
const sourcePreview = document.getElementById("source-preview");
function sourceChanged() {
  const s = sourceInfo();
  reframe?.setPoster(s?.poster || "");
  if (sourcePreview) {
    sourcePreview.hidden = !s?.poster;
    if (s?.poster) sourcePreview.querySelector("img").src = s.poster;
  }
  const frames = sourceFrames();
  if (frames !== null) timelines.edit_keyframes.setMax(Math.max(1, frames));
  autocorrect();
  refresh();
}
for (const input of radios("mode")) input.addEventListener("change", () => { applyMode(); autocorrect(); refresh(); });
form.elements.source.addEventListener("change", sourceChanged);
form.addEventListener("change", (e) => {
  if (e.target.name !== "source" && e.target.name !== "mode") refresh();
});
const prompt = form.elements.prompt;
const counter = document.getElementById("prompt-counter");
prompt.addEventListener("input", () => {
  counter.textContent = `${prompt.value.length.toLocaleString("en")} / 6,000`;
  refresh();
});
// The count and the list change the price as they are typed, not only on leaving them.
form.elements.takes.addEventListener("input", refresh);
form.elements.prompt_list.addEventListener("input", refresh);
// One click, one generation: the button stays disabled once the form is on its way.
form.addEventListener("submit", (e) => {
  if (form.dataset.sending) {
    e.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  const button = document.getElementById("submit");
  setTimeout(() => (button.disabled = true), 0);
  button.textContent = "Sending…";
});
document.documentElement.classList.add("js");
sourceChanged();
// A refused form comes back at the top of the page: start at the list of what to fix.
document.getElementById("error-summary")?.focus();
