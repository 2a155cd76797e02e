// Reframe placement: a rectangle for the source over a preview of the new canvas.
// Writes x/y/w/h (fractions of the canvas) into the four number inputs, which also
// work on their own without JavaScript. All four empty means "centred fit".

const PAD = 0.18; // room around the canvas, so a source pushed past its edge stays visible
const HANDLE = 12;
const NARROWEST = 120; // px: the canvas on the smallest screen

export class Reframe {
  constructor(root, { inputs, canvasAspect, sourceAspect, poster, onChange }) {
    this.root = root;
    this.canvas = root.querySelector("canvas");
    this.ctx = this.canvas.getContext("2d");
    this.inputs = inputs; // {x, y, w, h}
    this.canvasAspect = canvasAspect;
    this.sourceAspect = sourceAspect;
    this.poster = poster;
    this.onChange = onChange;
    this.image = null;
    this.canvas.tabIndex = 0;
    root.querySelector("[data-reframe-reset]").addEventListener("click", () => this.reset());
    for (const input of Object.values(inputs)) input.addEventListener("input", () => this.draw());
    this.canvas.addEventListener("pointerdown", (e) => this.grab(e));
    this.canvas.addEventListener("keydown", (e) => this.key(e));
    this.canvas.addEventListener("pointermove", (e) => this.hover(e));
    this.draw();
  }

  value() {
    const v = Object.fromEntries(Object.entries(this.inputs).map(([k, el]) => [k, el.value === "" ? null : Number(el.value)]));
    return Object.values(v).every((n) => n !== null && Number.isFinite(n)) ? v : null;
  }
  fit() {
    // Centred fit of the source's aspect inside the canvas's, as fractions of the canvas.
    const ratio = this.sourceAspect() / this.canvasAspect();
    const w = ratio >= 1 ? 1 : ratio;
    const h = ratio >= 1 ? 1 / ratio : 1;
    return { x: (1 - w) / 2, y: (1 - h) / 2, w, h };
  }
  rect() {
    return this.value() || this.fit();
  }
  write(r) {
    const round = (n) => String(Math.round(n * 1000) / 1000);
    const clamp = (n, lo, hi) => Math.max(lo, Math.min(hi, n));
    this.inputs.x.value = round(clamp(r.x, -2, 2));
    this.inputs.y.value = round(clamp(r.y, -2, 2));
    this.inputs.w.value = round(clamp(r.w, 0.01, 2));
    this.inputs.h.value = round(clamp(r.h, 0.01, 2));
    this.draw();
    this.onChange?.();
  }
  reset() {
    for (const input of Object.values(this.inputs)) input.value = "";
    this.draw();
    this.onChange?.();
  }
  setPoster(url) {
    this.image = null;
    if (!url) return this.draw();
    const img = new Image();
    img.onload = () => {
      this.image = img;
      this.draw();
    };
    img.src = url;
  }

  // Canvas pixels of the output frame inside the drawing.
  frame() {
    const aspect = this.canvasAspect();
    // As wide as the stage allows, but never taller than most of the window: a 9:16
    // canvas at full column width would push everything else off screen.
    const stage = this.canvas.parentElement.clientWidth || 640;
    const tallest = Math.max(260, Math.min(620, Math.round(window.innerHeight * 0.62)));
    const width = Math.max(NARROWEST, Math.min(stage, Math.round(tallest * aspect)));
    this.canvas.style.width = `${width}px`;
    // Padding is proportional on both axes, so the drawing keeps the canvas's aspect.
    const height = Math.round(width / aspect);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const fw = width / (1 + 2 * PAD);
    const fh = height / (1 + 2 * PAD);
    return { x: fw * PAD, y: fh * PAD, w: fw, h: fh };
  }
  toPixels(r, f) {
    return { x: f.x + r.x * f.w, y: f.y + r.y * f.h, w: r.w * f.w, h: r.h * f.h };
  }
  draw() {
    const f = this.frame();
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.fillStyle = "#0b0d10";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.fillStyle = "#1d2129";
    ctx.fillRect(f.x, f.y, f.w, f.h);
    const p = this.toPixels(this.rect(), f);
    if (this.image) ctx.drawImage(this.image, p.x, p.y, p.w, p.h);
    else {
      const g = ctx.createLinearGradient(p.x, p.y, p.x + p.w, p.y + p.h);
      g.addColorStop(0, "#2b5fa8");
      g.addColorStop(1, "#6a3d9a");
      ctx.fillStyle = g;
      ctx.fillRect(p.x, p.y, p.w, p.h);
    }
    // The part outside the new canvas is cropped: dim it.
    ctx.fillStyle = "rgba(11,13,16,0.72)";
    ctx.fillRect(0, 0, this.canvas.width, f.y);
    ctx.fillRect(0, f.y + f.h, this.canvas.width, this.canvas.height - f.y - f.h);
    ctx.fillRect(0, f.y, f.x, f.h);
    ctx.fillRect(f.x + f.w, f.y, this.canvas.width - f.x - f.w, f.h);
    ctx.strokeStyle = "#e8eaee";
    ctx.lineWidth = 1;
    ctx.setLineDash([6, 4]);
    ctx.strokeRect(f.x + 0.5, f.y + 0.5, f.w - 1, f.h - 1);
    ctx.setLineDash([]);
    ctx.strokeStyle = "#6aa8ff";
    ctx.lineWidth = 2;
    ctx.strokeRect(p.x, p.y, p.w, p.h);
    ctx.fillStyle = "#6aa8ff";
    ctx.fillRect(p.x + p.w - HANDLE / 2, p.y + p.h - HANDLE / 2, HANDLE, HANDLE);
    ctx.fillStyle = "#e8eaee";
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText(this.value() ? "custom placement" : "centred fit", f.x + 6, f.y + 16);
    this.canvas.setAttribute("aria-label", `New canvas; the source sits at x ${this.rect().x.toFixed(3)}, y ${this.rect().y.toFixed(3)}, width ${this.rect().w.toFixed(3)}, height ${this.rect().h.toFixed(3)}`);
  }
  hover(e) {
    // The cursor tells what a press would do: resize on the handle, move inside, nothing outside.
    if (e.buttons) return;
    const f = this.frame();
    const bounds = this.canvas.getBoundingClientRect();
    const sx = this.canvas.width / bounds.width;
    const x = (e.clientX - bounds.left) * sx;
    const y = (e.clientY - bounds.top) * sx;
    const p = this.toPixels(this.rect(), f);
    const onHandle = Math.abs(x - (p.x + p.w)) <= HANDLE && Math.abs(y - (p.y + p.h)) <= HANDLE;
    const inside = x >= p.x && x <= p.x + p.w && y >= p.y && y <= p.y + p.h;
    this.canvas.style.cursor = onHandle ? "nwse-resize" : inside ? "move" : "default";
  }
  grab(e) {
    const f = this.frame();
    const bounds = this.canvas.getBoundingClientRect();
    const sx = this.canvas.width / bounds.width;
    const at = (ev) => ({ x: (ev.clientX - bounds.left) * sx, y: (ev.clientY - bounds.top) * sx });
    const start = at(e);
    const r0 = this.rect();
    const p = this.toPixels(r0, f);
    // A fingertip covers more than the drawn handle: reach 22 CSS px around it on touch.
    const reach = e.pointerType === "touch" ? Math.max(HANDLE, 22 * sx) : HANDLE;
    const onHandle = Math.abs(start.x - (p.x + p.w)) <= reach && Math.abs(start.y - (p.y + p.h)) <= reach;
    const inside = start.x >= p.x && start.x <= p.x + p.w && start.y >= p.y && start.y <= p.y + p.h;
    if (!onHandle && !inside) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    const move = (ev) => {
      const now = at(ev);
      const dx = (now.x - start.x) / f.w;
      const dy = (now.y - start.y) / f.h;
      if (onHandle) {
        // Resize from the corner, keeping the source's own proportions.
        const w = Math.max(0.05, r0.w + dx);
        this.write({ x: r0.x, y: r0.y, w, h: (w * r0.h) / r0.w });
      } else {
        this.write({ x: r0.x + dx, y: r0.y + dy, w: r0.w, h: r0.h });
      }
    };
    const up = () => {
      this.canvas.removeEventListener("pointermove", move);
      this.canvas.removeEventListener("pointerup", up);
      this.canvas.removeEventListener("pointercancel", up);
    };
    this.canvas.addEventListener("pointermove", move);
    this.canvas.addEventListener("pointerup", up);
    this.canvas.addEventListener("pointercancel", up);
  }
  key(e) {
    const step = e.shiftKey ? 0.1 : 0.01;
    const r = { ...this.rect() };
    if (e.key === "ArrowLeft") r.x -= step;
    else if (e.key === "ArrowRight") r.x += step;
    else if (e.key === "ArrowUp") r.y -= step;
    else if (e.key === "ArrowDown") r.y += step;
    else if (e.key === "+" || e.key === "=") { r.h *= 1 + step; r.w *= 1 + step; }
    else if (e.key === "-") { r.h /= 1 + step; r.w /= 1 + step; }
    else return;
    e.preventDefault();
    this.write(r);
  }
}
