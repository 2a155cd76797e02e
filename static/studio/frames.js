// Shared by the composer's timeline, the player and compare: small DOM helpers and the
// frame arithmetic of the output grid. The grid's numbers are the contract's, serialised
// once into every page (the "contract-facts" block in base.html), never written out here.

export const readJson = (id) => JSON.parse(document.getElementById(id).textContent);

export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
};

// The contract: fps, keyframes at most, last frame per duration, defaults, price buckets.
export const CONTRACT = readJson("contract-facts");
export const FPS = CONTRACT.fps;

// A video element's or a player's grid: its own data-fps and data-frames where the page
// knows them, the contract's fps otherwise (frames 0 = not known yet).
export function gridOf(node) {
  return {
    fps: parseFloat(node.dataset.fps) || FPS,
    frames: parseInt(node.dataset.frames, 10) || 0,
  };
}

// Frames in a clip this many seconds long, and the last keyframe index on a source that
// long (studio.contract.source_max_index).
export const framesIn = (seconds, fps = FPS) => Math.round((seconds || 0) * fps);
export const sourceMaxIndex = (seconds, fps = FPS) => Math.max(0, framesIn(seconds, fps));

// The frame on screen at a time, kept within 0..last; the float slack keeps a time
// computed from a frame on that frame.
export const frameAt = (time, fps, last) => Math.min(last, Math.max(0, Math.floor(time * fps + 1e-6)));

// Seeking to the middle of a frame shows that frame whatever the decoder's rounding.
export const middleOf = (frame, fps) => (frame + 0.5) / fps;

export const secondsAt = (frame, fps = FPS) => frame / fps;
