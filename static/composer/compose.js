// The composer, live: the contract's rule table (serialised into the page) disables
// what would be refused and says why; the price follows every change. The parts live
// beside it: form.js (the form as the contract's facts), rules.js, price.js, takes.js,
// uploads.js; the grid's numbers come from the contract (static/studio/frames.js).
import { CONTRACT, readJson } from "../studio/frames.js";
import { $, $$, DEFAULTS, LONG, SHORT, checked, facts as factsOf, form, lastIndex, mode, radios, sourceInfo, sourceFrames } from "./form.js";
import { showPrice } from "./price.js";
import { Reframe } from "./reframe.js";
import { broken, messages } from "./rules.js";
import { promptLines, showTakes, takesOf, vary } from "./takes.js";
import { Timeline } from "./timeline.js";
import { setupSlots, setupSourceUpload, upload } from "./uploads.js";

const ASSETS = readJson("known-assets");
const facts = () => factsOf(timelines);
const toast = document.getElementById("toast");
const TOAST_MS = 6_000; // how long a note about an automatic change stays

function say(text) {
  toast.textContent = text;
  toast.hidden = !text;
  clearTimeout(say.timer);
  if (text) say.timer = setTimeout(() => (toast.hidden = true), TOAST_MS);
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
  const problems = messages(f);
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
  showPrice(form, batch.takes || [], sourceInfo()?.seconds ?? null);
  reframe?.draw();
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

setupSlots(ASSETS, () => refresh());
setupSourceUpload(() => sourceChanged());

// -- Timelines -----------------------------------------------------------------------------
const timelines = {};
for (const host of $$("[data-timeline]")) {
  const name = host.dataset.timeline;
  timelines[name] = new Timeline(host, {
    max: name === "keyframes" ? lastIndex(checked("duration") || DEFAULTS.duration) : Math.max(1, sourceFrames() ?? SHORT.max_index),
    fps: CONTRACT.fps,
    maxKeyframes: CONTRACT.keyframes_max,
    // Copying an earlier generation's timing makes sense on the output grid only.
    timings: name === "keyframes" ? readJson("timing-sources") : [],
    upload,
    assets: ASSETS,
    onChange: () => refresh(),
    label: name === "keyframes" ? "Keyframes on the output" : "Edit keyframes on the source's frames",
  });
}

// The long duration → the short one with keyframes past the end: the person decides, nothing is dropped silently.
const dialog = document.getElementById("shorten-dialog");
let durationBefore = checked("duration");
for (const input of radios("duration")) {
  input.addEventListener("change", () => {
    const kf = timelines.keyframes;
    if (input.value === SHORT.value && durationBefore === LONG.value && kf.lastFrame() > SHORT.max_index) {
      radios("duration").find((r) => r.value === LONG.value).checked = true;
      const past = kf.items.filter((k) => k.frame > SHORT.max_index).length;
      document.getElementById("shorten-text").textContent =
        `${past} keyframe${past === 1 ? " lies" : "s lie"} past frame ${SHORT.max_index}, the end of a ${SHORT.seconds} s video. ` +
        `Rescale every position to fit ${SHORT.seconds} s, or remove those past the end?`;
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
  if (choice === "rescale") kf.rescale(SHORT.max_index);
  else kf.removeAfter(SHORT.max_index);
  radios("duration").find((r) => r.value === SHORT.value).checked = true;
  durationBefore = SHORT.value;
  refresh();
});

// -- Reframe ---------------------------------------------------------------------------------
const ratio = (value) => {
  const [w, h] = (value || DEFAULTS.aspect_ratio).split(":").map(Number);
  return w / h;
};
const reframeRoot = $("[data-reframe]");
const reframe = reframeRoot
  ? new Reframe(reframeRoot, {
      inputs: { x: form.elements.pos_x, y: form.elements.pos_y, w: form.elements.pos_w, h: form.elements.pos_h },
      canvasAspect: () => ratio(form.elements.aspect_ratio.value),
      sourceAspect: () => {
        const s = sourceInfo();
        return s && s.width && s.height ? s.width / s.height : ratio(DEFAULTS.aspect_ratio);
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
const PROMPT_MAX = CONTRACT.prompt_max.toLocaleString("en");
prompt.addEventListener("input", () => {
  counter.textContent = `${prompt.value.length.toLocaleString("en")} / ${PROMPT_MAX}`;
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
