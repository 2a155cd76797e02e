// Compare: one transport drives every take (play, pause, seek and frame steps together).
// Besides side by side, three modes draw takes A and B into one letterboxed frame on a
// canvas: wipe (a split line, dragged or moved with the arrow keys), overlay (B over A at
// an opacity) and difference (|A − B| per pixel). Keys 1–4 switch modes.

import { frameAt, framesIn, gridOf, middleOf, secondsAt } from "../studio/frames.js";

const MODES = ["side", "wipe", "overlay", "difference"];

const root = document.querySelector("[data-compare]");
if (root) {
  const { fps } = gridOf(root);
  const videos = [...root.querySelectorAll("video[data-role=take]")];
  const seek = root.querySelector("[data-role=seek]");
  const timecode = root.querySelector("[data-role=timecode]");
  const play = root.querySelector("[data-role=play]");
  const stage = root.querySelector("[data-role=stage]");
  const canvas = root.querySelector("[data-role=canvas]");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const wipe = root.querySelector("[data-role=wipe]");
  const opacity = root.querySelector("[data-role=opacity]");
  const opacityValue = root.querySelector("[data-role=opacity-value]");
  const overlayControl = root.querySelector("[data-role=overlay-control]");
  const pickA = root.querySelector("[data-role=pick-a]");
  const pickB = root.querySelector("[data-role=pick-b]");
  const labelA = root.querySelector("[data-role=label-a]");
  const labelB = root.querySelector("[data-role=label-b]");
  const modeButtons = [...root.querySelectorAll("[data-mode-button]")];
  let frame = 0;
  let mode = "side";
  let split = 0.5; // the wipe line, as a share of the frame's width
  let a = videos[0];
  let b = videos[1];

  const framesOf = (v) => gridOf(v).frames || framesIn(v.duration, fps);
  const lastFrame = () => Math.max(0, ...videos.map((v) => framesOf(v) - 1));
  const show = () => {
    seek.max = String(lastFrame());
    seek.value = String(frame);
    timecode.textContent = `Frame ${frame} · ${secondsAt(frame, fps).toFixed(3)} s`;
    root.dataset.frame = String(frame);
  };

  // --- The one frame both takes are letterboxed into --------------------------------
  const sizeStage = () => {
    if (!a || !b) return;
    // Large enough for both at their own size: each is fitted inside, centred.
    const width = Math.max(a.videoWidth, b.videoWidth) || 320;
    const height = Math.max(a.videoHeight, b.videoHeight) || 180;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
      stage.style.maxWidth = `calc(75vh * ${width / height})`;
    }
  };
  const fit = (v) => {
    const { width, height } = canvas;
    const scale = Math.min(width / v.videoWidth, height / v.videoHeight);
    const w = v.videoWidth * scale;
    const h = v.videoHeight * scale;
    return [(width - w) / 2, (height - h) / 2, w, h];
  };
  const ready = (v) => v && v.readyState >= 2 && v.videoWidth > 0;
  const draw = () => {
    if (mode === "side" || !ready(a) || !ready(b)) return;
    sizeStage();
    const { width, height } = canvas;
    ctx.globalCompositeOperation = "source-over";
    ctx.globalAlpha = 1;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, width, height);
    if (mode === "wipe") {
      // B everywhere, then A on the left of the line.
      ctx.drawImage(b, ...fit(b));
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, 0, width * split, height);
      ctx.clip();
      ctx.fillRect(0, 0, width, height);
      ctx.drawImage(a, ...fit(a));
      ctx.restore();
    } else if (mode === "overlay") {
      ctx.drawImage(a, ...fit(a));
      ctx.globalAlpha = opacity.valueAsNumber / 100;
      ctx.drawImage(b, ...fit(b));
      ctx.globalAlpha = 1;
    } else {
      ctx.drawImage(a, ...fit(a));
      ctx.globalCompositeOperation = "difference";
      ctx.drawImage(b, ...fit(b));
      ctx.globalCompositeOperation = "source-over";
    }
    // Which frame the canvas shows once both takes have settled on it.
    if (!a.seeking && !b.seeking) root.dataset.drawnFrame = String(frame);
  };
  let looping = false;
  const loop = () => {
    draw();
    if (videos.some((v) => !v.paused && !v.ended)) requestAnimationFrame(loop);
    else looping = false;
  };
  const redraw = () => {
    delete root.dataset.drawnFrame;
    if (!looping) {
      looping = true;
      requestAnimationFrame(loop);
    }
  };

  // --- Transport ---------------------------------------------------------------------
  const goTo = (n) => {
    frame = Math.min(lastFrame(), Math.max(0, n));
    for (const v of videos) {
      v.pause();
      v.currentTime = middleOf(Math.min(frame, Math.max(0, framesOf(v) - 1)), fps);
    }
    show();
    redraw();
  };
  const leader = videos[0];
  play.addEventListener("click", async () => {
    if (leader && !leader.paused) {
      videos.forEach((v) => v.pause());
      play.textContent = "▶";
      return;
    }
    const start = middleOf(frame, fps);
    videos.forEach((v) => { v.currentTime = Math.min(start, v.duration || start); });
    await Promise.allSettled(videos.map((v) => v.play()));
    play.textContent = "❚❚";
    redraw();
  });
  leader?.addEventListener("timeupdate", () => {
    if (leader.paused) return;
    frame = frameAt(leader.currentTime, fps, lastFrame());
    // Keep the others within a frame of the leader.
    for (const v of videos.slice(1)) {
      if (!v.ended && Math.abs(v.currentTime - leader.currentTime) > 1 / fps) v.currentTime = leader.currentTime;
    }
    show();
  });
  leader?.addEventListener("pause", () => { play.textContent = "▶"; });
  seek.addEventListener("input", () => goTo(parseInt(seek.value, 10)));
  root.querySelector("[data-role=prev]").addEventListener("click", () => goTo(frame - 1));
  root.querySelector("[data-role=next]").addEventListener("click", () => goTo(frame + 1));
  for (const v of videos) {
    v.addEventListener("loadedmetadata", show);
    v.addEventListener("loadeddata", redraw);
    v.addEventListener("seeked", redraw);
  }

  // --- Modes ---------------------------------------------------------------------------
  const canBlend = videos.length >= 2;
  const setMode = (next) => {
    if (!MODES.includes(next) || (next !== "side" && !canBlend)) return;
    mode = next;
    root.dataset.mode = mode;
    for (const button of modeButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.modeButton === mode));
    }
    stage.hidden = mode === "side";
    wipe.hidden = mode !== "wipe";
    overlayControl.hidden = mode !== "overlay";
    redraw();
  };
  for (const button of modeButtons) {
    button.disabled = button.dataset.modeButton !== "side" && !canBlend;
    button.addEventListener("click", () => setMode(button.dataset.modeButton));
  }
  const setPair = () => {
    if (pickA && pickB) {
      a = videos[parseInt(pickA.value, 10)] || videos[0];
      b = videos[parseInt(pickB.value, 10)] || videos[1];
    }
    if (labelA && a) labelA.textContent = `A · ${a.dataset.label}`;
    if (labelB && b) labelB.textContent = `B · ${b.dataset.label}`;
    redraw();
  };
  pickA?.addEventListener("change", setPair);
  pickB?.addEventListener("change", setPair);
  setPair();

  // The wipe line: dragged (mouse, pen or touch: pointer events), or moved with the keys.
  const setSplit = (value) => {
    split = Math.min(1, Math.max(0, value));
    const percent = Math.round(split * 1000) / 10;
    wipe.style.left = `${percent}%`;
    wipe.setAttribute("aria-valuenow", String(percent));
    wipe.setAttribute("aria-valuetext", `${percent}% A`);
    root.dataset.split = String(percent);
    redraw();
  };
  const splitAt = (event) => {
    const box = canvas.getBoundingClientRect();
    setSplit((event.clientX - box.left) / box.width);
  };
  let dragging = null;
  stage.addEventListener("pointerdown", (event) => {
    if (mode !== "wipe") return;
    dragging = event.pointerId;
    try {
      stage.setPointerCapture(event.pointerId);
    } catch {
      // A pointer that is already gone: the drag still follows its moves over the stage.
    }
    splitAt(event);
    wipe.focus({ preventScroll: true });
    event.preventDefault();
  });
  stage.addEventListener("pointermove", (event) => {
    if (dragging === event.pointerId) splitAt(event);
  });
  const stopDrag = (event) => {
    if (dragging !== event.pointerId) return;
    dragging = null;
    if (stage.hasPointerCapture(event.pointerId)) stage.releasePointerCapture(event.pointerId);
  };
  stage.addEventListener("pointerup", stopDrag);
  stage.addEventListener("pointercancel", stopDrag);
  wipe.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? 0.1 : 0.01;
    const moves = {
      ArrowLeft: split - step,
      ArrowDown: split - step,
      ArrowRight: split + step,
      ArrowUp: split + step,
      Home: 0,
      End: 1,
    };
    if (event.key in moves) {
      setSplit(moves[event.key]);
      event.preventDefault();
      event.stopPropagation();
    }
  });
  opacity.addEventListener("input", () => {
    opacityValue.textContent = `${opacity.value}%`;
    redraw();
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest("input:not([type=range]), textarea, select")) return;
    if (event.key === ",") { goTo(frame - 1); event.preventDefault(); }
    if (event.key === ".") { goTo(frame + 1); event.preventDefault(); }
    const index = "1234".indexOf(event.key);
    if (event.key.length === 1 && index >= 0) { setMode(MODES[index]); event.preventDefault(); }
  });
  setSplit(split);
  show();
}
