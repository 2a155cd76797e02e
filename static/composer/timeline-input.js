// The timeline's pointer and keyboard: what a press, a drag or a key does to it.
import { moveGroup, snapFrame } from "./timeline-edits.js";

const SNAP_REACH_PX = 12;
const typing = (target) => target.matches?.("input, select, textarea");

// -- pointer ------------------------------------------------------------------------
// A key under the pointer: Ctrl/Cmd toggles it in the selection, Shift selects the range
// from the last one chosen; otherwise the selection (or this key alone) is dragged.
export function grab(t, e, item, key) {
  if (e.button !== 0 || (e.pointerType === "touch" && t.zoom.pinching)) return;
  e.preventDefault();
  if (e.ctrlKey || e.metaKey) {
    const next = new Set(t.selection);
    if (next.has(item)) next.delete(item);
    else next.add(item);
    t.selection = next;
    t.primary = next.has(item) ? item : (t.chosen()[0] ?? null);
    t.anchor = item;
    if (t.primary) t.showFrame(t.primary.frame);
    t.drawSelection();
    if (t.primary) t.focusKey(t.primary);
    else t.track.focus({ preventScroll: true });
    return;
  }
  if (e.shiftKey && t.anchor && t.items.includes(t.anchor)) {
    const [a, b] = [t.anchor.frame, item.frame].sort((x, y) => x - y);
    t.selection = new Set(t.items.filter((k) => k.frame >= a && k.frame <= b));
    t.primary = item;
    t.showFrame(item.frame);
    t.drawSelection();
    key.focus({ preventScroll: true });
    return;
  }
  const wasChosen = t.selection.has(item);
  if (!wasChosen) t.selection = new Set([item]);
  t.primary = item;
  t.anchor = item;
  key.focus({ preventScroll: true });
  t.drawSelection();
  try {
    key.setPointerCapture(e.pointerId);
  } catch {
    // A synthetic or already-ended pointer: moves still arrive on the key itself.
  }
  const chosen = t.chosen();
  const origin = new Map(chosen.map((k) => [k, k.frame]));
  const start = item.frame;
  const others = t.items.filter((k) => !t.selection.has(k)).map((k) => k.frame);
  let moved = false;
  t.root.classList.add("dragging");
  const tip = t.tip;
  const show = () => {
    tip.hidden = false;
    tip.style.left = t.pct(item.frame);
    tip.textContent = `frame ${item.frame} · ${t.seconds(item.frame)} s`;
    t.showFrame(item.frame);
    t.layout();
  };
  show();
  const move = (ev) => {
    let f = t.frameAt(ev.clientX);
    if (f !== start) moved = true;
    const reach = Math.floor(SNAP_REACH_PX / t.zoom.pxPerFrame());
    f = snapFrame(f, { reach, max: t.max, fps: t.fps, ...t.snap, playhead: t.snap.playhead ? t.playhead : null, others, from: start });
    for (const [k, frame] of origin) k.frame = frame;
    const { delta, error } = moveGroup(t.items, chosen, f - start, t.max);
    if (error) {
      // Stay where the last allowed position was, and say why.
      t.say(error);
      for (const [k, frame] of origin) k.frame = frame + (t.lastDelta ?? 0);
    } else {
      t.lastDelta = delta;
      for (const [k, frame] of origin) k.frame = frame + delta;
      t.say("");
    }
    show();
  };
  t.lastDelta = 0;
  const up = () => {
    key.removeEventListener("pointermove", move);
    key.removeEventListener("pointerup", up);
    key.removeEventListener("pointercancel", up);
    tip.hidden = true;
    t.root.classList.remove("dragging");
    // A click (no drag) on a key of a larger selection chooses that key alone.
    if (!moved && wasChosen && t.selection.size > 1) t.selection = new Set([item]);
    t.commit();
    t.focusKey(item);
  };
  key.addEventListener("pointermove", move);
  key.addEventListener("pointerup", up);
  key.addEventListener("pointercancel", up);
}
// Empty space: a click moves the playhead; a drag draws a box that selects what it
// touches (Shift or Ctrl/Cmd adds to the selection); on touch, one finger scrolls.
export function sweep(t, e) {
  if (e.button !== 0) return;
  const x0 = e.clientX;
  const y0 = e.clientY;
  const scroll0 = t.track.scrollLeft;
  const adding = e.shiftKey || e.ctrlKey || e.metaKey;
  const before = adding ? new Set(t.selection) : new Set();
  let boxing = false;
  const target = t.inner;
  try {
    target.setPointerCapture(e.pointerId);
  } catch {
    // A synthetic pointer: moves still arrive on the strip itself.
  }
  const move = (ev) => {
    if (e.pointerType === "touch") {
      if (!t.zoom.pinching) t.track.scrollLeft = scroll0 - (ev.clientX - x0);
      return;
    }
    if (!boxing && Math.hypot(ev.clientX - x0, ev.clientY - y0) < 5) return;
    boxing = true;
    const r = t.inner.getBoundingClientRect();
    const [left, right] = [Math.min(x0, ev.clientX), Math.max(x0, ev.clientX)];
    const [top, bottom] = [Math.min(y0, ev.clientY), Math.max(y0, ev.clientY)];
    Object.assign(t.box.style, { left: `${left - r.left}px`, width: `${right - left}px`, top: `${top - r.top}px`, height: `${bottom - top}px` });
    t.box.hidden = false;
    const hit = new Set(before);
    for (const item of t.items) {
      const b = t.buttons.get(item)?.getBoundingClientRect();
      if (b && b.right >= left && b.left <= right && b.bottom >= top && b.top <= bottom) hit.add(item);
    }
    t.selection = hit;
    const chosen = t.chosen();
    t.primary = chosen[chosen.length - 1] ?? null;
    t.drawSelection();
  };
  const up = (ev) => {
    target.removeEventListener("pointermove", move);
    target.removeEventListener("pointerup", up);
    target.removeEventListener("pointercancel", up);
    t.box.hidden = true;
    if (boxing) {
      if (t.primary) {
        t.anchor = t.primary;
        t.showFrame(t.primary.frame);
        t.focusKey(t.primary);
      }
      t.say(`${t.selection.size} keyframe${t.selection.size === 1 ? "" : "s"} selected.`, "ok");
    } else if (e.pointerType !== "touch" || Math.abs(ev.clientX - x0) < 5) {
      if (!adding) t.select([]);
      t.setPlayhead(t.frameAt(ev.clientX));
    }
  };
  target.addEventListener("pointermove", move);
  target.addEventListener("pointerup", up);
  target.addEventListener("pointercancel", up);
}

// -- keyboard -----------------------------------------------------------------------
export function keydown(t, e, item) {
  const mod = e.ctrlKey || e.metaKey;
  const ordered = t.items;
  const at = ordered.indexOf(item);
  if (mod && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
    // Walk from keyframe to keyframe; with Shift, the walk adds to the selection.
    const next = ordered[at + (e.key === "ArrowLeft" ? -1 : 1)];
    e.preventDefault();
    if (!next) return;
    if (e.shiftKey) t.select([...t.chosen(), next], next, true);
    else t.select([next], next, true);
    return;
  }
  if (mod) return;
  if (e.key === " ") {
    e.preventDefault();
    const next = new Set(t.selection);
    if (next.has(item) && next.size > 1) next.delete(item);
    else next.add(item);
    t.selection = next;
    t.drawSelection();
    t.say(`${next.size} keyframe${next.size === 1 ? "" : "s"} selected.`, "ok");
    return;
  }
  if (e.key === "Escape") {
    e.preventDefault();
    t.select([item], item);
    return;
  }
  if (!t.selection.has(item)) t.selection = new Set([item]);
  const chosen = t.chosen();
  const low = chosen[0].frame;
  const high = chosen[chosen.length - 1].frame;
  const step = e.shiftKey ? t.fps : 1;
  let delta = null;
  if (e.key === "ArrowLeft" || e.key === "ArrowDown") delta = -step;
  else if (e.key === "ArrowRight" || e.key === "ArrowUp") delta = step;
  else if (e.key === "Home") delta = -low;
  else if (e.key === "End") delta = t.max - high;
  else if (e.key === "Delete" || e.key === "Backspace") {
    e.preventDefault();
    t.removeSelected();
    return;
  } else return;
  e.preventDefault();
  t.primary = item;
  if (t.moveSelection(delta)) {
    t.commit();
    t.zoom.reveal(item.frame);
    t.focusKey(item);
  }
}
// Shortcuts anywhere in the timeline except while typing in one of its fields.
export function shortcut(t, e) {
  if (typing(e.target)) return;
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  if (mod && k === "z") t[e.shiftKey ? "redo" : "undo"]();
  else if (mod && k === "y") t.redo();
  else if (mod && k === "a") t.select(t.items, t.primary ?? t.items[0], Boolean(t.items.length));
  else if (mod) return;
  else if (e.key === "+" || e.key === "=") t.zoom.zoomBy(2, t.primary ? centreX(t, t.primary) : null);
  else if (e.key === "-") t.zoom.zoomBy(1 / 2, t.primary ? centreX(t, t.primary) : null);
  else if (e.key === "0") t.zoom.set(1);
  else return;
  e.preventDefault();
}
function centreX(t, item) {
  const r = t.inner.getBoundingClientRect();
  return r.left + (item.frame / t.max) * r.width;
}
