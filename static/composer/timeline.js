// The keyframe timeline: a ruler of the output frame grid with keyframes on it.
// State lives in a hidden input as JSON [{asset, frame}], so the form posts it as is.
// The grid's numbers (frames per second, how many keyframes) come from the page.
import { el, secondsAt } from "../studio/frames.js";
import { CARD, GAP, drawSelection, drawTools, layoutKeys, render } from "./timeline-draw.js";
import { History, clash, copyTiming, distribute, moveGroup } from "./timeline-edits.js";
import { grab, keydown, shortcut, sweep } from "./timeline-input.js";
import { Zoom } from "./timeline-zoom.js";

export class Timeline {
  constructor(host, { max, fps, maxKeyframes, upload, assets, onChange, label, timings = [] }) {
    this.host = host;
    this.input = host.querySelector('input[type="hidden"]');
    this.max = max;
    this.fps = fps;
    this.maxKeyframes = maxKeyframes;
    this.upload = upload;
    this.assets = assets;
    this.onChange = onChange;
    this.label = label;
    this.timings = timings;
    this.items = [];
    this.selection = new Set();
    this.primary = null; // the keyframe the frame field shows, and keys act from
    this.anchor = null; // where a shift-click range starts
    this.playhead = 0;
    this.enabled = true;
    this.snap = { seconds: false, keyframes: false, playhead: false };
    this.history = new History();
    this.buttons = new WeakMap();
    try {
      this.items = JSON.parse(this.input.value || "[]");
    } catch {
      this.items = [];
    }
    this.items.sort((a, b) => a.frame - b.frame);
    this.saved = this.serialise();
    this.build();
    this.zoom = new Zoom(this, { frameWidth: CARD + GAP });
    this.tools.append(this.zoom.controls);
    this.root.insertBefore(this.zoom.map, this.msg);
    this.render();
    this.showFrame(0);
  }

  seconds(frame) {
    return secondsAt(frame, this.fps).toFixed(2);
  }
  get selected() {
    return this.primary;
  }
  get size() {
    return this.items.length;
  }
  serialise() {
    return JSON.stringify(this.items.map(({ asset, frame }) => ({ asset, frame })));
  }

  build() {
    const id = this.input.id;
    const button = (text, attrs = {}) => el("button", { type: "button", class: "small", text, ...attrs });
    this.picker = el("input", { type: "file", multiple: "", accept: "image/png,image/jpeg,image/webp", class: "visually-hidden", id: `${id}-pick` });
    this.addLabel = el("label", { class: "button small", for: `${id}-pick` }, "Add images…");
    this.frameInput = el("input", { type: "number", min: "0", step: "1", id: `${id}-frame`, class: "tl-frame-input" });
    this.time = el("span", { class: "tl-time mono", "aria-live": "polite" });
    this.del = button("Delete", { class: "small danger", "aria-keyshortcuts": "Delete" });
    this.count = el("span", { class: "tl-count hint" });
    this.reason = el("span", { class: "reason", id: `${id}-reason`, hidden: "" });
    const toolbar = el(
      "div", { class: "tl-toolbar" },
      this.addLabel, this.picker,
      el("label", { for: `${id}-frame`, class: "tl-frame-label", text: "Frame" }), this.frameInput, this.time,
      this.del, this.count, this.reason,
    );
    this.undoBtn = button("Undo", { "aria-keyshortcuts": "Control+Z Meta+Z" });
    this.redoBtn = button("Redo", { "aria-keyshortcuts": "Control+Shift+Z Meta+Shift+Z Control+Y" });
    this.distBtn = button("Distribute", { title: "Space the selected keyframes evenly between the first and the last" });
    this.swapBtn = button("Swap images", { title: "Swap the images of the two selected keyframes" });
    this.selInfo = el("span", { class: "tl-selection hint", "aria-live": "polite" });
    this.snapBtns = {};
    const snapGroup = el("div", { class: "tl-snap", role: "group", "aria-label": "Snap when dragging" }, el("span", { class: "hint", text: "Snap:" }));
    for (const [name, text] of [["seconds", "seconds"], ["keyframes", "keyframes"], ["playhead", "playhead"]]) {
      const b = button(text, { class: "small chip-toggle", "aria-pressed": "false", title: `Snap to ${text === "seconds" ? "whole seconds" : `the ${text}`} when dragging` });
      b.addEventListener("click", () => {
        this.snap[name] = !this.snap[name];
        b.setAttribute("aria-pressed", String(this.snap[name]));
      });
      this.snapBtns[name] = b;
      snapGroup.append(b);
    }
    this.timingSelect = el("select", { id: `${id}-timing`, class: "tl-timing-select" });
    this.timingSelect.append(new Option("an earlier generation…", ""));
    for (const t of this.timings) this.timingSelect.append(new Option(t.label, t.id));
    this.timingBtn = button("Copy timing", { title: "Put the chosen generation's keyframe positions onto these images, in order" });
    const timing = el(
      "div", { class: "tl-timing" },
      el("label", { for: `${id}-timing`, text: "Timing from" }), this.timingSelect, this.timingBtn,
    );
    timing.hidden = this.timings.length === 0;
    this.tools = el("div", { class: "tl-tools" }, this.undoBtn, this.redoBtn, this.distBtn, this.swapBtn, this.selInfo, snapGroup, timing);

    this.ruler = el("div", { class: "tl-ruler", "aria-hidden": "true" });
    this.frames = el("div", { class: "tl-frames", "aria-hidden": "true" });
    this.lane = el("div", { class: "tl-lane" });
    this.head = el("div", { class: "tl-playhead", "aria-hidden": "true" });
    this.tip = el("div", { class: "tl-tip", hidden: "" });
    this.box = el("div", { class: "tl-box", hidden: "" });
    this.help = el("p", {
      class: "visually-hidden",
      id: `${id}-help`,
      text: "Arrow keys move the selected keyframes one frame, with Shift one second. Control with arrows goes to the previous or next keyframe, with Shift added to the selection. Space adds or removes a keyframe from the selection, Control A selects all, Escape clears. Plus and minus zoom, zero fits the whole grid. Control Z undoes, Control Shift Z redoes.",
    });
    this.inner = el("div", { class: "tl-inner" }, this.ruler, this.frames, this.lane, this.head, this.tip, this.box);
    this.track = el("div", { class: "tl-track", role: "group", id: `${id}-track`, tabindex: "0", "aria-label": this.label, "aria-describedby": this.help.id }, this.inner,
      el("div", { class: "tl-drop-hint" }, el("span", { class: "desk-only", text: "Drop images on the ruler" }), el("span", { class: "touch-only", text: "Pick images to add keyframes" })));
    this.msg = el("p", { class: "tl-msg", "aria-live": "polite" });
    this.root = el("div", { class: "tl" }, toolbar, this.tools, this.track, this.help, this.msg);
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
      const key = e.target.closest(".tl-key");
      if (key) grab(this, e, this.itemOf(key), key);
      else sweep(this, e);
    });
    this.lane.addEventListener("keydown", (e) => {
      const key = e.target.closest(".tl-key");
      if (key) keydown(this, e, this.itemOf(key));
    });
    this.lane.addEventListener("focusin", (e) => {
      const item = this.itemOf(e.target.closest(".tl-key"));
      if (!item || item === this.primary) return;
      if (!this.selection.has(item)) this.selection = new Set([item]);
      this.primary = item;
      this.anchor = item;
      this.showFrame(item.frame);
      this.zoom?.reveal(item.frame);
      this.drawSelection();
    });
    this.root.addEventListener("keydown", (e) => shortcut(this, e));
    this.frameInput.addEventListener("change", () => this.typed());
    this.frameInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.typed();
      }
    });
    this.del.addEventListener("click", () => this.removeSelected());
    this.undoBtn.addEventListener("click", () => this.undo());
    this.redoBtn.addEventListener("click", () => this.redo());
    this.distBtn.addEventListener("click", () => this.distributeSelected());
    this.swapBtn.addEventListener("click", () => this.swapSelected());
    this.timingBtn.addEventListener("click", () => this.copyTimingFrom(this.timingSelect.value));
  }

  // -- geometry ---------------------------------------------------------------------
  frameAt(clientX, clamp = true) {
    const r = this.inner.getBoundingClientRect();
    const f = Math.round(((clientX - r.left) / r.width) * this.max);
    return clamp ? Math.max(0, Math.min(this.max, f)) : f;
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
  itemOf(key) {
    return key ? this.items[Number(key.dataset.index)] ?? null : null;
  }
  chosen() {
    return this.items.filter((k) => this.selection.has(k));
  }

  // -- changes ----------------------------------------------------------------------
  say(text, tone = "warn") {
    this.msg.textContent = text;
    this.msg.classList.toggle("warn", Boolean(text) && tone === "warn");
    this.msg.classList.toggle("ok", Boolean(text) && tone === "ok");
  }
  // Every edit ends here: it becomes one step of undo unless `record` is false (the steps of
  // one larger edit, recorded together by `checkpoint`).
  commit({ record = true } = {}) {
    this.items.sort((a, b) => a.frame - b.frame);
    this.input.value = this.serialise();
    if (record) this.checkpoint();
    this.render();
    // The frame field follows the selected keyframe wherever a change moved it.
    if (this.primary) this.showFrame(this.primary.frame);
    this.onChange?.();
  }
  checkpoint() {
    if (this.input.value === this.saved) return;
    this.history.push(this.saved);
    this.saved = this.input.value;
    this.drawTools();
  }
  restore(state, word) {
    this.items = JSON.parse(state);
    this.saved = state;
    this.selection = new Set();
    this.primary = null;
    this.commit({ record: false });
    this.showFrame(this.playhead);
    const past = this.items.filter((k) => k.frame > this.max).length;
    // An undone rescale brings back frames past a grid shortened since: say what to do.
    if (past) this.say(`${word}: ${past} keyframe${past === 1 ? " lies" : "s lie"} past frame ${this.max}; choose the longer duration again, or move ${past === 1 ? "it" : "them"}.`);
    else this.say(`${word}: ${this.items.length} keyframe${this.items.length === 1 ? "" : "s"}.`, "ok");
    this.track.focus({ preventScroll: true });
  }
  undo() {
    const state = this.history.undo(this.saved);
    if (state === null) return this.say("Nothing to undo.", "ok");
    this.restore(state, "Undone");
  }
  redo() {
    const state = this.history.redo(this.saved);
    if (state === null) return this.say("Nothing to redo.", "ok");
    this.restore(state, "Redone");
  }
  setMax(max) {
    if (max === this.max) return;
    this.max = max;
    this.render();
    this.zoom.apply();
  }
  setPlayhead(frame) {
    this.playhead = frame;
    this.head.style.left = this.pct(frame);
    if (!this.primary) this.showFrame(frame);
  }
  showFrame(frame) {
    this.frameInput.value = String(frame);
    this.time.textContent = `${this.seconds(frame)} s`;
  }
  select(items, primary = items[items.length - 1] ?? null, focus = false) {
    this.selection = new Set(items);
    this.primary = primary;
    if (primary) {
      this.anchor = primary;
      this.showFrame(primary.frame);
      this.zoom.reveal(primary.frame);
      if (focus) this.focusKey(primary);
    } else {
      this.showFrame(this.playhead);
    }
    this.drawSelection();
  }
  focusKey(item) {
    this.buttons.get(item)?.focus({ preventScroll: true });
  }
  moveTo(item, frame, { quiet = false } = {}) {
    frame = Math.max(0, Math.min(this.max, frame));
    if (frame === item.frame) return true;
    if (this.taken(frame, item)) {
      if (!quiet) this.say(clash(frame));
      return false;
    }
    item.frame = frame;
    this.say("");
    return true;
  }
  // The selection moves as one: refused as a whole when any of it would land on another key.
  moveSelection(delta) {
    const chosen = this.chosen();
    if (!chosen.length) return false;
    const { delta: d, error } = moveGroup(this.items, chosen, delta, this.max);
    if (error) {
      this.say(error);
      return false;
    }
    for (const k of chosen) k.frame += d;
    this.say("");
    return d !== 0;
  }
  removeSelected() {
    const gone = this.chosen();
    if (!gone.length) return;
    this.items = this.items.filter((k) => !this.selection.has(k));
    this.selection = new Set();
    this.primary = null;
    this.say(`${gone.length === 1 ? "Keyframe" : `${gone.length} keyframes`} removed. ${this.items.length} left.`, "ok");
    this.commit();
    this.showFrame(this.playhead);
    this.track.focus({ preventScroll: true });
  }
  remove(item) {
    this.selection = new Set([item]);
    this.removeSelected();
  }
  distributeSelected() {
    const result = distribute(this.items, this.chosen(), this.max);
    if (result.error) return this.say(result.error);
    for (const [item, frame] of result.moves) item.frame = frame;
    this.say(`${result.moves.length} keyframes spaced evenly.`, "ok");
    this.commit();
  }
  swapSelected() {
    const pair = this.chosen();
    if (pair.length !== 2) return this.say("Select exactly two keyframes to swap their images.");
    [pair[0].asset, pair[1].asset] = [pair[1].asset, pair[0].asset];
    this.say(`Images of frames ${pair[0].frame} and ${pair[1].frame} swapped.`, "ok");
    this.commit();
  }
  copyTimingFrom(id) {
    const source = this.timings.find((t) => t.id === id);
    if (!source) return this.say("Choose an earlier generation to copy its timing from.");
    if (!this.items.length) return this.say("Add images first: the timing goes onto them, in order.");
    const result = copyTiming(this.items, source.frames, this.max);
    if (result.error) return this.say(result.error);
    for (const [item, frame] of result.moves) item.frame = frame;
    const notes = [`Timing copied onto ${result.moves.length} keyframe${result.moves.length === 1 ? "" : "s"}.`];
    if (result.leftOver) notes.push(`${result.leftOver} more kept their frames.`);
    if (result.unused) notes.push(`${result.unused} of its positions had no image.`);
    this.say(notes.join(" "), "ok");
    this.commit();
  }
  typed() {
    const value = Number(this.frameInput.value);
    if (!Number.isInteger(value) || value < 0 || value > this.max) {
      this.say(`Type a whole frame number from 0 to ${this.max}.`);
      this.showFrame(this.primary ? this.primary.frame : this.playhead);
      return;
    }
    if (!this.primary) {
      this.setPlayhead(value);
      return;
    }
    if (this.selection.size > 1) {
      if (this.moveSelection(value - this.primary.frame)) this.commit();
    } else if (this.moveTo(this.primary, value)) this.commit();
    this.showFrame(this.primary.frame);
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
    this.zoom.apply();
  }
  removeAfter(max) {
    const gone = this.items.filter((k) => k.frame > max).length;
    this.items = this.items.filter((k) => k.frame <= max);
    this.max = max;
    this.selection = new Set();
    this.primary = null;
    this.say(`${gone} keyframe${gone === 1 ? "" : "s"} past frame ${max} removed.`, "ok");
    this.commit();
    this.zoom.apply();
  }
  async addFiles(files, at) {
    if (!files.length) return;
    const room = this.maxKeyframes - this.items.length;
    const refused = Math.max(0, files.length - room);
    files = files.slice(0, Math.max(0, room));
    const spread = at === null && this.items.length === 0 && files.length > 1;
    const start = at ?? this.playhead;
    const step = files.length > 1 ? Math.max(1, Math.min(this.fps, Math.floor((this.max - start) / (files.length - 1)) || 1)) : 0;
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
      this.selection = new Set([item]);
      this.primary = item;
      added++;
      this.commit({ record: false });
    }
    // One drop is one step of undo, however many images it brought.
    this.checkpoint();
    if (refused) problems.push(`At most ${this.maxKeyframes} keyframes: ${refused} image${refused === 1 ? " was" : "s were"} not added.`);
    if (problems.length) this.say(problems.join(" "));
    else this.say(`${added} keyframe${added === 1 ? "" : "s"} added.`, "ok");
    if (this.primary) this.showFrame(this.primary.frame);
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

  // -- drawing (timeline-draw.js) ---------------------------------------------------
  render() {
    render(this);
  }
  layout() {
    layoutKeys(this);
  }
  drawSelection() {
    drawSelection(this);
  }
  drawTools() {
    drawTools(this);
  }
}
