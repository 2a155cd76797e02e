// The keyframe timeline: a ruler of the output frame grid with keyframes on it.
// State lives in a hidden input as JSON [{asset, frame}], so the form posts it as is.

const FPS = 24;
export const MAX_KEYFRAMES = 64;

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
};

export const seconds = (frame) => (frame / FPS).toFixed(2);

export class Timeline {
  constructor(host, { max, upload, assets, onChange, label }) {
    this.host = host;
    this.input = host.querySelector('input[type="hidden"]');
    this.max = max;
    this.upload = upload;
    this.assets = assets;
    this.onChange = onChange;
    this.label = label;
    this.items = [];
    this.selected = null;
    this.playhead = 0;
    this.enabled = true;
    try {
      this.items = JSON.parse(this.input.value || "[]");
    } catch {
      this.items = [];
    }
    this.build();
    this.render();
    this.showFrame(0);
  }

  build() {
    const id = this.input.id;
    this.picker = el("input", { type: "file", multiple: "", accept: "image/png,image/jpeg,image/webp", class: "visually-hidden", id: `${id}-pick` });
    this.addLabel = el("label", { class: "button small", for: `${id}-pick` }, "Add images…");
    this.frameInput = el("input", { type: "number", min: "0", step: "1", id: `${id}-frame`, class: "tl-frame-input" });
    this.time = el("span", { class: "tl-time mono", "aria-live": "polite" });
    this.del = el("button", { type: "button", class: "small danger", text: "Delete" });
    this.count = el("span", { class: "tl-count hint" });
    this.reason = el("span", { class: "reason", id: `${id}-reason`, hidden: "" });
    const toolbar = el(
      "div", { class: "tl-toolbar" },
      this.addLabel, this.picker,
      el("label", { for: `${id}-frame`, class: "tl-frame-label", text: "Frame" }), this.frameInput, this.time,
      this.del, this.count, this.reason,
    );
    this.ruler = el("div", { class: "tl-ruler", "aria-hidden": "true" });
    this.lane = el("div", { class: "tl-lane" });
    this.head = el("div", { class: "tl-playhead", "aria-hidden": "true" });
    this.tip = el("div", { class: "tl-tip", hidden: "" });
    this.inner = el("div", { class: "tl-inner" }, this.ruler, this.lane, this.head, this.tip);
    this.track = el("div", { class: "tl-track", role: "group", "aria-label": this.label }, this.inner,
      el("div", { class: "tl-drop-hint", text: "Drop images on the ruler" }));
    this.msg = el("p", { class: "tl-msg", "aria-live": "polite" });
    this.root = el("div", { class: "tl" }, toolbar, this.track, this.msg);
    this.host.prepend(this.root);

    this.picker.addEventListener("change", () => {
      const files = [...this.picker.files];
      this.picker.value = "";
      this.addFiles(files, null);
    });
    this.track.addEventListener("dragover", (e) => {
      if (!this.enabled) return;
      e.preventDefault();
      this.track.classList.add("dragging-over");
      this.setPlayhead(this.frameAt(e.clientX));
    });
    this.track.addEventListener("dragleave", () => this.track.classList.remove("dragging-over"));
    this.track.addEventListener("drop", (e) => {
      e.preventDefault();
      this.track.classList.remove("dragging-over");
      if (!this.enabled) return;
      const files = [...(e.dataTransfer?.files || [])].filter((f) => f.type.startsWith("image/") || !f.type);
      this.addFiles(files, this.frameAt(e.clientX));
    });
    this.inner.addEventListener("pointerdown", (e) => {
      if (e.target.closest(".tl-key")) return;
      this.select(null);
      this.setPlayhead(this.frameAt(e.clientX));
    });
    this.frameInput.addEventListener("change", () => this.typed());
    this.frameInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.typed();
      }
    });
    this.del.addEventListener("click", () => this.selected && this.remove(this.selected));
  }

  // -- geometry ---------------------------------------------------------------------
  frameAt(clientX) {
    const r = this.inner.getBoundingClientRect();
    const f = Math.round(((clientX - r.left) / r.width) * this.max);
    return Math.max(0, Math.min(this.max, f));
  }
  pct(frame) {
    return `${(frame / this.max) * 100}%`;
  }
  taken(frame, except = null) {
    return this.items.some((k) => k !== except && k.frame === frame);
  }
  nearestFree(frame) {
    for (let d = 0; d <= this.max; d++) {
      if (frame + d <= this.max && !this.taken(frame + d)) return frame + d;
      if (frame - d >= 0 && !this.taken(frame - d)) return frame - d;
    }
    return null;
  }
  lastFrame() {
    return this.items.reduce((m, k) => Math.max(m, k.frame), -1);
  }
  get size() {
    return this.items.length;
  }

  // -- changes ----------------------------------------------------------------------
  say(text, tone = "warn") {
    this.msg.textContent = text;
    this.msg.classList.toggle("warn", Boolean(text) && tone === "warn");
    this.msg.classList.toggle("ok", Boolean(text) && tone === "ok");
  }
  commit() {
    this.items.sort((a, b) => a.frame - b.frame);
    this.input.value = JSON.stringify(this.items.map(({ asset, frame }) => ({ asset, frame })));
    this.render();
    // The frame field follows the selected keyframe wherever a change moved it.
    if (this.selected) this.showFrame(this.selected.frame);
    this.onChange?.();
  }
  setMax(max) {
    if (max === this.max) return;
    this.max = max;
    this.render();
  }
  setPlayhead(frame) {
    this.playhead = frame;
    this.head.style.left = this.pct(frame);
    if (!this.selected) this.showFrame(frame);
  }
  showFrame(frame) {
    this.frameInput.value = String(frame);
    this.time.textContent = `${seconds(frame)} s`;
  }
  select(item, focus = false) {
    this.selected = item;
    this.render();
    if (item) {
      this.showFrame(item.frame);
      if (focus) this.lane.querySelector(`[data-frame="${item.frame}"]`)?.focus();
    } else {
      this.showFrame(this.playhead);
    }
  }
  moveTo(item, frame, { quiet = false } = {}) {
    frame = Math.max(0, Math.min(this.max, frame));
    if (frame === item.frame) return true;
    if (this.taken(frame, item)) {
      if (!quiet) this.say(`Frame ${frame} already holds a keyframe: two keyframes can't share a frame.`);
      return false;
    }
    item.frame = frame;
    this.say("");
    return true;
  }
  remove(item) {
    this.items = this.items.filter((k) => k !== item);
    this.selected = null;
    this.say(`Keyframe removed. ${this.items.length} left.`, "ok");
    this.commit();
    this.showFrame(this.playhead);
  }
  typed() {
    const value = Number(this.frameInput.value);
    if (!Number.isInteger(value) || value < 0 || value > this.max) {
      this.say(`Type a whole frame number from 0 to ${this.max}.`);
      this.showFrame(this.selected ? this.selected.frame : this.playhead);
      return;
    }
    if (!this.selected) {
      this.setPlayhead(value);
      return;
    }
    if (this.moveTo(this.selected, value)) this.commit();
    this.showFrame(this.selected.frame);
  }
  rescale(newMax) {
    const old = this.max;
    const ordered = [...this.items].sort((a, b) => a.frame - b.frame);
    this.max = newMax;
    const placed = [];
    for (const item of ordered) {
      let f = Math.round((item.frame * newMax) / old);
      // Nudge forward past collisions, backwards when the end is reached.
      while (placed.includes(f) && f < newMax) f++;
      while (placed.includes(f)) f--;
      item.frame = f;
      placed.push(f);
    }
    this.say(`Positions rescaled to fit frames 0–${newMax}.`, "ok");
    this.commit();
  }
  removeAfter(max) {
    const gone = this.items.filter((k) => k.frame > max).length;
    this.items = this.items.filter((k) => k.frame <= max);
    this.max = max;
    this.selected = null;
    this.say(`${gone} keyframe${gone === 1 ? "" : "s"} past frame ${max} removed.`, "ok");
    this.commit();
  }
  async addFiles(files, at) {
    if (!files.length) return;
    const room = MAX_KEYFRAMES - this.items.length;
    const refused = Math.max(0, files.length - room);
    files = files.slice(0, Math.max(0, room));
    const spread = at === null && this.items.length === 0 && files.length > 1;
    const start = at ?? this.playhead;
    const step = files.length > 1 ? Math.max(1, Math.min(FPS, Math.floor((this.max - start) / (files.length - 1)) || 1)) : 0;
    const problems = [];
    let added = 0;
    for (const [i, file] of files.entries()) {
      const result = await this.upload(file, "image");
      if (result.error) {
        problems.push(result.error);
        continue;
      }
      this.assets[result.id] = result;
      const wanted = spread ? Math.round((i * this.max) / (files.length - 1)) : start + i * step;
      const frame = this.nearestFree(Math.min(this.max, wanted));
      if (frame === null) {
        problems.push("No free frame is left on the timeline.");
        break;
      }
      const item = { asset: result.id, frame };
      this.items.push(item);
      this.selected = item;
      added++;
      this.commit();
    }
    if (refused) problems.push(`At most ${MAX_KEYFRAMES} keyframes: ${refused} image${refused === 1 ? " was" : "s were"} not added.`);
    if (problems.length) this.say(problems.join(" "));
    else this.say(`${added} keyframe${added === 1 ? "" : "s"} added.`, "ok");
    if (this.selected) this.showFrame(this.selected.frame);
  }
  setEnabled(enabled, reason) {
    this.enabled = enabled;
    this.root.classList.toggle("disabled", !enabled);
    this.picker.disabled = !enabled;
    this.addLabel.setAttribute("aria-disabled", String(!enabled));
    this.addLabel.title = enabled ? "" : reason;
    this.reason.hidden = enabled;
    this.reason.textContent = enabled ? "" : reason;
    if (enabled) this.picker.removeAttribute("aria-describedby");
    else this.picker.setAttribute("aria-describedby", this.reason.id);
  }

  // -- drawing ------------------------------------------------------------------------
  render() {
    const max = this.max;
    if (this.ruler.dataset.max !== String(max)) {
      this.ruler.dataset.max = String(max);
      this.ruler.replaceChildren();
      const every = max > 300 ? 2 : 1;
      for (let f = 0; f <= max; f += every) {
        const cls = f % FPS === 0 ? "major" : f % (FPS / 2) === 0 ? "mid" : "minor";
        const tick = el("span", { class: `tl-tick ${cls}` });
        tick.style.left = this.pct(f);
        this.ruler.append(tick);
        if (cls === "major") {
          const lbl = el("span", { class: "tl-sec", text: `${f / FPS}s` });
          lbl.style.left = this.pct(f);
          this.ruler.append(lbl);
        }
      }
      this.frameInput.max = String(max);
      this.track.setAttribute("aria-label", `${this.label}: frames 0 to ${max}`);
    }
    this.head.style.left = this.pct(Math.min(this.playhead, max));
    this.lane.replaceChildren(...this.items.map((item) => this.marker(item)));
    this.count.textContent = `${this.items.length} / ${MAX_KEYFRAMES}`;
    this.del.disabled = !this.selected;
    this.root.classList.toggle("empty", this.items.length === 0);
  }
  marker(item) {
    const asset = this.assets[item.asset] || {};
    const key = el("button", {
      type: "button",
      class: `tl-key${item === this.selected ? " selected" : ""}${item.frame > this.max ? " outside" : ""}`,
      role: "slider",
      "aria-valuemin": "0",
      "aria-valuemax": String(this.max),
      "aria-valuenow": String(item.frame),
      "aria-valuetext": `frame ${item.frame}, ${seconds(item.frame)} seconds`,
      "aria-label": `Keyframe ${asset.name || ""}`.trim(),
      "data-frame": String(item.frame),
    });
    key.style.left = this.pct(Math.min(item.frame, this.max));
    if (asset.thumb_url) key.append(el("img", { src: asset.thumb_url, alt: "", draggable: "false" }));
    key.append(el("span", { class: "tl-key-frame", text: String(item.frame) }));
    key.addEventListener("pointerdown", (e) => this.drag(e, item, key));
    key.addEventListener("focus", () => {
      if (this.selected !== item) {
        this.selected = item;
        this.showFrame(item.frame);
        this.lane.querySelectorAll(".tl-key").forEach((k) => k.classList.toggle("selected", k === key));
        this.del.disabled = false;
      }
    });
    key.addEventListener("keydown", (e) => this.key(e, item));
    return key;
  }
  drag(e, item, key) {
    e.preventDefault();
    this.selected = item;
    key.focus();
    try {
      key.setPointerCapture(e.pointerId);
    } catch {
      // A synthetic or already-ended pointer: moves still arrive on the key itself.
    }
    this.lane.querySelectorAll(".tl-key").forEach((k) => k.classList.toggle("selected", k === key));
    this.del.disabled = false;
    key.classList.add("dragging", "selected");
    const tip = this.tip;
    const show = () => {
      tip.hidden = false;
      tip.style.left = this.pct(item.frame);
      tip.textContent = `frame ${item.frame} · ${seconds(item.frame)} s`;
      key.style.left = this.pct(item.frame);
      key.querySelector(".tl-key-frame").textContent = String(item.frame);
      this.showFrame(item.frame);
    };
    show();
    const move = (ev) => {
      const f = this.frameAt(ev.clientX);
      if (f !== item.frame && !this.moveTo(item, f, { quiet: true })) {
        this.say(`Frame ${f} already holds a keyframe: two keyframes can't share a frame.`);
      } else if (f === item.frame) {
        this.say("");
      }
      show();
    };
    const up = () => {
      key.removeEventListener("pointermove", move);
      key.removeEventListener("pointerup", up);
      key.removeEventListener("pointercancel", up);
      tip.hidden = true;
      this.commit();
      this.lane.querySelector(`[data-frame="${item.frame}"]`)?.focus();
    };
    key.addEventListener("pointermove", move);
    key.addEventListener("pointerup", up);
    key.addEventListener("pointercancel", up);
  }
  key(e, item) {
    const step = e.shiftKey ? FPS : 1;
    let target = null;
    if (e.key === "ArrowLeft" || e.key === "ArrowDown") target = item.frame - step;
    else if (e.key === "ArrowRight" || e.key === "ArrowUp") target = item.frame + step;
    else if (e.key === "Home") target = 0;
    else if (e.key === "End") target = this.max;
    else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      this.remove(item);
      return;
    } else return;
    e.preventDefault();
    if (this.moveTo(item, target)) {
      this.selected = item;
      this.commit();
      this.select(item, true);
    }
  }
}
