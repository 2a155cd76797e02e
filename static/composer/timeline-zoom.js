// Zoom and scroll for the timeline, with a mini-map of the whole grid.
// The inner strip is drawn in percentages of its own width; zooming widens it inside the
// scrolling track, from "the whole grid fits" down to a card's width per frame.
import { el } from "../studio/frames.js";

export class Zoom {
  // `frameWidth`: pixels a frame needs at the closest zoom (a card beside its neighbour).
  constructor(timeline, { frameWidth }) {
    this.t = timeline;
    this.frameWidth = frameWidth;
    this.level = 1;
    this.touches = new Map();
    this.build();
  }

  build() {
    const t = this.t;
    const id = t.input.id;
    const button = (text, label, keys) => el("button", { type: "button", class: "small tl-zoom-btn", text, "aria-label": label, "aria-keyshortcuts": keys, title: `${label} (${keys})` });
    this.outBtn = button("−", "Zoom out", "-");
    this.inBtn = button("+", "Zoom in", "+");
    this.fitBtn = button("Fit", "Show the whole grid", "0");
    this.label = el("span", { class: "tl-zoom-level hint mono", "aria-live": "polite", id: `${id}-zoom` });
    this.controls = el("div", { class: "tl-zoom", role: "group", "aria-label": "Zoom" });
    this.controls.append(this.outBtn, this.inBtn, this.fitBtn, this.label);
    this.outBtn.addEventListener("click", () => this.zoomBy(1 / 2));
    this.inBtn.addEventListener("click", () => this.zoomBy(2));
    this.fitBtn.addEventListener("click", () => this.set(1));

    // The mini-map: every keyframe on the whole grid, and the window the track shows.
    this.mapKeys = el("div", { class: "tl-map-keys" });
    this.window = el("div", { class: "tl-map-window" });
    this.map = el("div", {
      class: "tl-map",
      role: "scrollbar",
      tabindex: "0",
      "aria-controls": `${id}-track`,
      "aria-orientation": "horizontal",
      "aria-label": "Mini-map of the whole grid: the frames shown",
    });
    this.map.append(this.mapKeys, this.window);
    this.map.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      const go = (ev) => this.centreOn(this.mapFrame(ev.clientX));
      go(e);
      try {
        this.map.setPointerCapture(e.pointerId);
      } catch {
        // A synthetic pointer: moves still arrive on the map itself.
      }
      const up = () => {
        this.map.removeEventListener("pointermove", go);
        this.map.removeEventListener("pointerup", up);
      };
      this.map.addEventListener("pointermove", go);
      this.map.addEventListener("pointerup", up);
    });
    this.map.addEventListener("keydown", (e) => {
      const [first, last] = this.visible();
      const page = Math.max(1, last - first);
      const moves = { ArrowLeft: -1, ArrowRight: 1, PageUp: -page, PageDown: page };
      if (e.key in moves) this.scrollToFrame(first + moves[e.key] * (e.key.startsWith("Arrow") && e.shiftKey ? t.fps : 1));
      else if (e.key === "Home") this.scrollToFrame(0);
      else if (e.key === "End") this.scrollToFrame(t.max);
      else return;
      e.preventDefault();
    });

    t.track.addEventListener("scroll", () => this.drawWindow());
    // Ctrl/Cmd + wheel zooms around the pointer (a trackpad pinch arrives the same way).
    t.track.addEventListener(
      "wheel",
      (e) => {
        if (!(e.ctrlKey || e.metaKey)) return;
        e.preventDefault();
        this.zoomBy(Math.exp(-e.deltaY / 300), e.clientX);
      },
      { passive: false },
    );
    // Two fingers on a touch screen: pinch.
    t.track.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "touch") this.touches.set(e.pointerId, e.clientX);
    });
    t.track.addEventListener("pointermove", (e) => {
      if (!this.touches.has(e.pointerId) || this.touches.size !== 2) return;
      const [a, b] = [...this.touches.values()];
      const before = Math.abs(a - b);
      this.touches.set(e.pointerId, e.clientX);
      const [c, d] = [...this.touches.values()];
      const after = Math.abs(c - d);
      if (before > 0 && after > 0) this.zoomBy(after / before, (c + d) / 2);
    });
    const lift = (e) => this.touches.delete(e.pointerId);
    t.track.addEventListener("pointerup", lift);
    t.track.addEventListener("pointercancel", lift);
    new ResizeObserver(() => this.apply()).observe(t.track);
  }

  get pinching() {
    return this.touches.size > 1;
  }
  viewWidth() {
    const style = getComputedStyle(this.t.track);
    return Math.max(1, this.t.track.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
  }
  // The deepest zoom: a card's width per frame, so neighbouring frames show side by side.
  maxLevel() {
    return Math.max(1, (this.t.max * this.frameWidth) / this.viewWidth());
  }
  pxPerFrame() {
    return (this.viewWidth() * this.level) / this.t.max;
  }
  set(level, clientX = null) {
    const t = this.t;
    const anchorX = clientX ?? t.track.getBoundingClientRect().left + t.track.clientWidth / 2;
    const anchorFrame = t.frameAt(anchorX, false);
    this.level = Math.max(1, Math.min(this.maxLevel(), level));
    this.apply();
    // Keep the frame under the pointer (or the centre) where it was.
    const r = t.track.getBoundingClientRect();
    const pad = parseFloat(getComputedStyle(t.track).paddingLeft);
    t.track.scrollLeft = anchorFrame * this.pxPerFrame() + pad - (anchorX - r.left);
    this.drawWindow();
  }
  zoomBy(factor, clientX = null) {
    this.set(this.level * factor, clientX);
  }
  apply() {
    const t = this.t;
    this.level = Math.max(1, Math.min(this.maxLevel(), this.level));
    t.inner.style.width = `${this.viewWidth() * this.level}px`;
    this.outBtn.disabled = this.level <= 1;
    this.fitBtn.disabled = this.level <= 1;
    this.inBtn.disabled = this.level >= this.maxLevel() - 1e-6;
    const frames = Math.round(t.max / this.level);
    this.label.textContent = this.level <= 1 ? "whole grid" : `${frames} frames shown`;
    t.root.dataset.zoom = this.level >= this.maxLevel() - 1e-6 ? "frames" : this.level > 1 ? "in" : "fit";
    t.layout();
    this.drawWindow();
  }
  visible() {
    const t = this.t;
    const ppf = this.pxPerFrame();
    const first = Math.max(0, Math.round(t.track.scrollLeft / ppf));
    const last = Math.min(t.max, Math.round((t.track.scrollLeft + this.viewWidth()) / ppf));
    return [first, last];
  }
  scrollToFrame(frame) {
    this.t.track.scrollLeft = Math.max(0, frame) * this.pxPerFrame();
    this.drawWindow();
  }
  centreOn(frame) {
    const half = this.viewWidth() / 2;
    this.t.track.scrollLeft = frame * this.pxPerFrame() - half;
    this.drawWindow();
  }
  // Scrolls as little as needed to bring `frame` into view.
  reveal(frame) {
    const [first, last] = this.visible();
    if (frame < first || frame > last) this.centreOn(frame);
  }
  mapFrame(clientX) {
    const r = this.map.getBoundingClientRect();
    return Math.max(0, Math.min(this.t.max, Math.round(((clientX - r.left) / r.width) * this.t.max)));
  }
  drawWindow() {
    const t = this.t;
    const [first, last] = this.visible();
    this.window.style.left = `${(first / t.max) * 100}%`;
    this.window.style.width = `${((last - first) / t.max) * 100}%`;
    this.map.setAttribute("aria-valuemin", "0");
    this.map.setAttribute("aria-valuemax", String(t.max));
    this.map.setAttribute("aria-valuenow", String(first));
    this.map.setAttribute("aria-valuetext", `frames ${first} to ${last} of ${t.max}`);
  }
  drawKeys() {
    const t = this.t;
    this.mapKeys.replaceChildren(
      ...t.items.map((item) => {
        const tick = el("span", { class: `tl-map-key${t.selection.has(item) ? " selected" : ""}` });
        tick.style.left = `${(Math.min(item.frame, t.max) / t.max) * 100}%`;
        return tick;
      }),
    );
  }
}
