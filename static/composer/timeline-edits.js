// The timeline's edits as plain functions of keyframe lists, and its undo history.
// A keyframe is {asset, frame}; the grid is frames 0..max. None of these touch the page.

export const clash = (frame) => `Frame ${frame} already holds a keyframe: two keyframes can't share a frame.`;

// Undo and redo: snapshots of the committed list, one per edit.
export class History {
  constructor(limit = 200) {
    this.limit = limit;
    this.undoStack = [];
    this.redoStack = [];
  }
  push(snapshot) {
    this.undoStack.push(snapshot);
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack = [];
  }
  undo(current) {
    const previous = this.undoStack.pop();
    if (previous === undefined) return null;
    this.redoStack.push(current);
    return previous;
  }
  redo(current) {
    const next = this.redoStack.pop();
    if (next === undefined) return null;
    this.undoStack.push(current);
    return next;
  }
  get canUndo() {
    return this.undoStack.length > 0;
  }
  get canRedo() {
    return this.redoStack.length > 0;
  }
}

// Moving a group by `delta` frames: clamped at both ends of the grid so the group keeps its
// shape, refused (with the reason) when a selected key would land on an unselected one.
export function moveGroup(items, selected, delta, max) {
  const frames = selected.map((k) => k.frame);
  const low = Math.min(...frames);
  const high = Math.max(...frames);
  delta = Math.max(-low, Math.min(max - high, delta));
  const others = new Set(items.filter((k) => !selected.includes(k)).map((k) => k.frame));
  for (const f of frames) {
    if (others.has(f + delta)) return { delta, error: clash(f + delta) };
  }
  return { delta, error: null };
}

// Evenly between the selection's first and last frame (both stay where they are).
export function distribute(items, selected, max) {
  if (selected.length < 3) return { error: "Select at least three keyframes to distribute them." };
  const ordered = [...selected].sort((a, b) => a.frame - b.frame);
  const first = ordered[0].frame;
  const last = ordered[ordered.length - 1].frame;
  const span = last - first;
  const targets = ordered.map((_, i) => Math.min(max, Math.round(first + (i * span) / (ordered.length - 1))));
  const others = new Set(items.filter((k) => !selected.includes(k)).map((k) => k.frame));
  const blocked = targets.find((f) => others.has(f));
  if (blocked !== undefined) return { error: clash(blocked) };
  return { moves: ordered.map((item, i) => [item, targets[i]]) };
}

// The frame a drag lands on: the nearest snap target within `reach` frames, else `frame`.
// Another keyframe's frame can't be shared, so snapping to a keyframe lands right beside
// it, on the side the drag comes from.
export function snapFrame(frame, { reach, max, fps, seconds, keyframes, playhead, others, from }) {
  const targets = [];
  if (seconds) {
    const s = Math.round(frame / fps) * fps;
    if (s <= max) targets.push(s);
  }
  if (playhead !== null && playhead !== undefined) targets.push(playhead);
  if (keyframes) {
    for (const f of others) {
      const beside = from <= f ? f - 1 : f + 1;
      if (beside >= 0 && beside <= max) targets.push(beside);
    }
  }
  let best = frame;
  let bestDistance = reach + 1;
  for (const t of targets) {
    const d = Math.abs(t - frame);
    if (d <= reach && d < bestDistance && !others.includes(t)) {
      best = t;
      bestDistance = d;
    }
  }
  return best;
}

// An earlier generation's positions onto the current images, in their order. Extra
// positions are left out; extra images keep their place when it is free.
export function copyTiming(items, frames, max) {
  const ordered = [...items].sort((a, b) => a.frame - b.frame);
  const positions = [...frames].sort((a, b) => a - b);
  const past = positions.slice(0, ordered.length).find((f) => f > max);
  if (past !== undefined) {
    return { error: `Its keyframe at frame ${past} lies past the end of this ${max}-frame grid: choose the longer duration first.` };
  }
  const moves = ordered.slice(0, positions.length).map((item, i) => [item, positions[i]]);
  const placed = new Set(moves.map(([, f]) => f));
  for (const item of ordered.slice(positions.length)) {
    if (placed.has(item.frame)) return { error: clash(item.frame) };
    placed.add(item.frame);
  }
  return { moves, leftOver: Math.max(0, ordered.length - positions.length), unused: Math.max(0, positions.length - ordered.length) };
}

// Where each keyframe is drawn. `xs` are the keys' centres in pixels, in frame order. A key
// gets a card in the first lane with room for it; when every card lane is full there, it
// becomes a narrow marker (in the first marker lane with room), which expands on hover and
// focus. Nothing drawn overlaps unless even the marker lanes run out.
export function layout(xs, { card, marker, gap, cardLanes, markerLanes }) {
  const cardEnds = Array(cardLanes).fill(-Infinity);
  const markerEnds = Array(markerLanes).fill(-Infinity);
  return xs.map((x) => {
    for (let lane = 0; lane < cardLanes; lane++) {
      if (x - card / 2 >= cardEnds[lane] + gap) {
        cardEnds[lane] = x + card / 2;
        return { kind: "card", lane };
      }
    }
    let lane = markerEnds.findIndex((end) => x - marker / 2 >= end + gap);
    if (lane === -1) lane = markerEnds.indexOf(Math.min(...markerEnds));
    markerEnds[lane] = x + marker / 2;
    return { kind: "marker", lane };
  });
}
