// Drawing the timeline: the ruler, the keyframes in their lanes, the selection, the tools.
import { el, secondsAt } from "../studio/frames.js";
import { layout } from "./timeline-edits.js";

export const CARD = 64; // px: a keyframe's card (see .tl-key in compose.css)
const MARKER = 10; // px: a collapsed keyframe
export const GAP = 4;
const CARD_LANES = 2;
const MARKER_LANES = 3;
const RULER = 30;
const CARD_LANE_HEIGHT = 92;
const MARKER_LANE_HEIGHT = 18;
const LABEL_ROOM = 24; // px: the least room between a frame number and a second's label

export function render(t) {
  const max = t.max;
  if (t.ruler.dataset.max !== String(max)) {
    t.ruler.dataset.max = String(max);
    t.ruler.replaceChildren();
    const every = max > 300 ? 2 : 1;
    for (let f = 0; f <= max; f += every) {
      const cls = f % t.fps === 0 ? "major" : f % (t.fps / 2) === 0 ? "mid" : "minor";
      const tick = el("span", { class: `tl-tick ${cls}` });
      tick.style.left = t.pct(f);
      t.ruler.append(tick);
      if (cls === "major") {
        const lbl = el("span", { class: "tl-sec", text: `${secondsAt(f, t.fps)}s` });
        lbl.style.left = t.pct(f);
        t.ruler.append(lbl);
      }
    }
    t.frameInput.max = String(max);
    t.track.setAttribute("aria-label", `${t.label}: frames 0 to ${max}`);
    t.frames.dataset.step = "";
  }
  t.head.style.left = t.pct(Math.min(t.playhead, max));
  const hadFocus = t.lane.contains(document.activeElement);
  const focused = hadFocus ? t.itemOf(document.activeElement) : null;
  t.lane.replaceChildren(...t.items.map((item, i) => marker(t, item, i)));
  if (focused && t.items.includes(focused)) t.focusKey(focused);
  t.count.textContent = `${t.items.length} / ${t.maxKeyframes}`;
  t.root.classList.toggle("empty", t.items.length === 0);
  layoutKeys(t);
  drawSelection(t);
}
function marker(t, item, index) {
  let key = t.buttons.get(item);
  if (!key) {
    key = el("button", { type: "button", class: "tl-key", role: "slider", "aria-valuemin": "0", "aria-describedby": t.help.id });
    const asset = t.assets[item.asset] || {};
    key.append(el("img", { alt: "", draggable: "false" }), el("span", { class: "tl-key-frame" }), el("span", { class: "tl-key-tip", "aria-hidden": "true" }));
    key.setAttribute("aria-label", `Keyframe ${asset.name || ""}`.trim());
    t.buttons.set(item, key);
  }
  const asset = t.assets[item.asset] || {};
  const img = key.querySelector("img");
  if (asset.thumb_url && img.getAttribute("src") !== asset.thumb_url) img.src = asset.thumb_url;
  key.setAttribute("aria-label", `Keyframe ${asset.name || ""}`.trim());
  key.dataset.index = String(index);
  key.dataset.frame = String(item.frame);
  key.classList.toggle("outside", item.frame > t.max);
  key.setAttribute("aria-valuemax", String(t.max));
  key.setAttribute("aria-valuenow", String(item.frame));
  return key;
}
// Cards into lanes, markers when they crowd (see `layout` in timeline-edits.js).
export function layoutKeys(t) {
  const ppf = t.zoom ? t.zoom.pxPerFrame() : 1;
  // In frame order: during a drag the list is not sorted yet, and a group may jump others.
  const order = t.items.map((_, i) => i).sort((a, b) => t.items[a].frame - t.items[b].frame);
  const sorted = layout(order.map((i) => Math.min(t.items[i].frame, t.max) * ppf), { card: CARD, marker: MARKER, gap: GAP, cardLanes: CARD_LANES, markerLanes: MARKER_LANES });
  const spots = [];
  order.forEach((i, n) => (spots[i] = sorted[n]));
  let cardLanes = 0;
  let markerLanes = 0;
  spots.forEach((spot) => {
    if (spot.kind === "card") cardLanes = Math.max(cardLanes, spot.lane + 1);
    else markerLanes = Math.max(markerLanes, spot.lane + 1);
  });
  cardLanes = Math.max(1, cardLanes);
  t.items.forEach((item, i) => {
    const key = t.buttons.get(item);
    if (!key) return; // not drawn yet: the first render lays it out
    const spot = spots[i];
    key.classList.toggle("marker", spot.kind === "marker");
    key.dataset.lane = String(spot.lane);
    key.style.left = t.pct(Math.min(item.frame, t.max));
    key.style.top = `${spot.kind === "card" ? spot.lane * CARD_LANE_HEIGHT + 14 : cardLanes * CARD_LANE_HEIGHT + spot.lane * MARKER_LANE_HEIGHT + 6}px`;
    key.dataset.frame = String(item.frame);
    key.querySelector(".tl-key-frame").textContent = String(item.frame);
    key.querySelector(".tl-key-tip").textContent = `frame ${item.frame} · ${t.seconds(item.frame)} s`;
  });
  t.inner.style.height = `${RULER + cardLanes * CARD_LANE_HEIGHT + markerLanes * MARKER_LANE_HEIGHT + 8}px`;
  drawFrameNumbers(t, ppf);
  t.zoom?.drawKeys();
}
// Frame numbers on the ruler once the zoom leaves room for them.
function drawFrameNumbers(t, ppf) {
  const step = [1, 2, 5, 10].find((s) => s * ppf >= 34) ?? 0;
  const wanted = step && step < t.fps ? `${step}:${t.max}:${Math.round(ppf)}` : "";
  if (t.frames.dataset.step === wanted) return;
  t.frames.dataset.step = wanted;
  const labels = [];
  if (wanted) {
    for (let f = 0; f <= t.max; f += step) {
      // A second's own label stands there already, or close enough to collide.
      const off = f % t.fps;
      if (Math.min(off, t.fps - off) * ppf < LABEL_ROOM) continue;
      const lbl = el("span", { class: "tl-fno", text: String(f) });
      lbl.style.left = t.pct(f);
      labels.push(lbl);
    }
  }
  t.frames.replaceChildren(...labels);
}
export function drawSelection(t) {
  for (const item of t.items) {
    const key = t.buttons.get(item);
    const on = t.selection.has(item);
    key.classList.toggle("selected", on);
    key.classList.toggle("primary", item === t.primary);
    key.setAttribute("aria-valuetext", `frame ${item.frame}, ${t.seconds(item.frame)} seconds${on ? ", selected" : ""}`);
  }
  t.zoom?.drawKeys();
  drawTools(t);
}
export function drawTools(t) {
  const n = t.selection.size;
  t.del.disabled = n === 0;
  t.distBtn.disabled = n < 3;
  t.swapBtn.disabled = n !== 2;
  t.undoBtn.disabled = !t.history.canUndo;
  t.redoBtn.disabled = !t.history.canRedo;
  t.selInfo.textContent = n > 1 ? `${n} selected` : "";
}
