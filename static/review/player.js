// Frame-accurate player: `,` and `.` step one frame (1/fps s), marks on the timeline seek,
// ranges on it play from their first to their last frame, `i`/`o` set the comment form's
// range, and the current frame feeds the comment form and the "use this frame" links.

import "../studio/actions.js";
import { setupDrawing } from "./draw.js";
import { frameAt as frameOnGrid, framesIn, gridOf, middleOf, secondsAt } from "../studio/frames.js";

function formatTime(seconds) {
  return `${seconds.toFixed(3)} s`;
}

export function setupPlayer(root) {
  const video = root.querySelector("[data-role=video]");
  // frames stays 0 until the video's own length is known, where the page did not say.
  let { fps, frames } = gridOf(root);
  const timeline = root.querySelector("[data-role=timeline]");
  const scrub = root.querySelector("[data-role=scrub]");
  const played = root.querySelector("[data-role=played]");
  const head = root.querySelector("[data-role=head]");
  const timecode = root.querySelector("[data-role=timecode]");
  const playButton = root.querySelector("[data-role=play]");
  const loop = root.querySelector("[data-role=loop]");
  const marksData = root.querySelector("#player-marks");
  const marks = marksData ? JSON.parse(marksData.textContent) : [];
  // Seeking to the middle of a frame shows that frame whatever the decoder's rounding.
  let frame = 0;
  // While a range plays: the frame it stops at.
  let stopAt = null;
  const frameListeners = [];
  const form = document.querySelector("[data-role=comment-form]");
  const inInput = form?.querySelector("[data-role=comment-frame]");
  const outInput = form?.querySelector("[data-role=comment-end-frame]");

  const lastFrame = () => Math.max(0, (frames || framesIn(video.duration, fps)) - 1);
  const frameAt = (t) => frameOnGrid(t, fps, lastFrame());

  const render = () => {
    const last = lastFrame();
    const fraction = last ? frame / last : 0;
    played.style.width = `${fraction * 100}%`;
    head.style.left = `${fraction * 100}%`;
    scrub.setAttribute("aria-valuenow", String(frame));
    scrub.setAttribute("aria-valuemax", String(last));
    scrub.setAttribute("aria-valuetext", `Frame ${frame} of ${last}`);
    timecode.textContent = `Frame ${frame} / ${last} · ${formatTime(secondsAt(frame, fps))}`;
    root.dataset.frame = String(frame);
    frameListeners.forEach((listener) => listener(frame));
    document.querySelectorAll("[data-role=comment-frame]").forEach((input) => {
      if (!input.dataset.touched) input.value = String(frame);
    });
    document.querySelectorAll("a[data-frame-link]").forEach((link) => {
      const url = new URL(link.href);
      url.searchParams.set("frame", String(frame));
      link.href = url.toString();
    });
  };

  const seekFrame = (n) => {
    stopAt = null;
    video.pause();
    frame = Math.min(lastFrame(), Math.max(0, n));
    video.currentTime = middleOf(frame, fps);
    render();
  };

  const place = (n) => {
    const last = lastFrame();
    return last ? (Math.min(n, last) / last) * 100 : 0;
  };

  // Play first..end and stop on end (checked on every frame the video presents).
  const playRange = (first, end) => {
    seekFrame(first);
    stopAt = end;
    video.play();
  };
  const checkStop = (mediaTime) => {
    if (stopAt === null || video.paused) return;
    const shown = frameAt(mediaTime);
    if (shown >= stopAt) seekFrame(stopAt);
  };
  const watchFrames = () => {
    if (!video.requestVideoFrameCallback) return;
    video.requestVideoFrameCallback((_now, meta) => {
      checkStop(meta.mediaTime);
      watchFrames();
    });
  };
  watchFrames();

  // The range being written in the comment form, shown on the timeline.
  const drawPending = () => {
    timeline.querySelector(".range.pending")?.remove();
    const first = parseInt(inInput?.value, 10);
    const end = parseInt(outInput?.value, 10);
    if (!(end > first)) return;
    const span = document.createElement("span");
    span.className = "range pending";
    span.style.left = `${place(first)}%`;
    span.style.width = `${place(end) - place(first)}%`;
    span.dataset.frame = String(first);
    span.dataset.end = String(end);
    timeline.append(span);
  };
  const setIn = () => {
    if (!inInput) return;
    inInput.value = String(frame);
    inInput.dataset.touched = "1";
    if (outInput && parseInt(outInput.value, 10) <= frame) outInput.value = "";
    drawPending();
  };
  const setOut = () => {
    if (!inInput || !outInput) return;
    const first = parseInt(inInput.value, 10) || 0;
    inInput.dataset.touched = "1";
    if (frame > first) outInput.value = String(frame);
    else if (frame < first) { outInput.value = String(first); inInput.value = String(frame); }
    else outInput.value = "";
    drawPending();
  };

  const drawMarks = () => {
    timeline.querySelectorAll(".mark, .range:not(.pending)").forEach((m) => m.remove());
    const last = lastFrame();
    for (const mark of marks) {
      if (mark.end_frame != null) {
        const range = document.createElement("button");
        range.type = "button";
        range.className = `range${mark.resolved ? " resolved" : ""}`;
        range.style.left = `${place(mark.frame)}%`;
        range.style.width = `${place(mark.end_frame) - place(mark.frame)}%`;
        range.title = `Frames ${mark.frame}–${mark.end_frame}: ${mark.text}`;
        range.setAttribute("aria-label", `Play the range of frames ${mark.frame} to ${mark.end_frame}`);
        range.dataset.frame = String(mark.frame);
        range.dataset.end = String(mark.end_frame);
        range.addEventListener("click", (event) => {
          event.stopPropagation();
          playRange(mark.frame, mark.end_frame);
          document.getElementById(`comment-${mark.id}`)?.scrollIntoView({ block: "nearest" });
        });
        timeline.append(range);
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = `mark${mark.resolved ? " resolved" : ""}`;
      button.style.left = `${last ? (Math.min(mark.frame, last) / last) * 100 : 0}%`;
      button.title = `Frame ${mark.frame}: ${mark.text}`;
      button.setAttribute("aria-label", `Comment at frame ${mark.frame}`);
      button.dataset.frame = String(mark.frame);
      button.addEventListener("click", (event) => {
        event.stopPropagation();
        seekFrame(mark.frame);
        document.getElementById(`comment-${mark.id}`)?.scrollIntoView({ block: "nearest" });
      });
      timeline.append(button);
    }
  };

  video.addEventListener("loadedmetadata", () => {
    root.querySelector("[data-role=waiting]")?.remove();
    if (!frames && video.duration) frames = framesIn(video.duration, fps);
    drawMarks();
    render();
  });
  video.addEventListener("timeupdate", () => {
    if (!video.paused) {
      frame = frameAt(video.currentTime);
      render();
      checkStop(video.currentTime);
    }
  });
  video.addEventListener("play", () => { playButton.textContent = "❚❚"; playButton.setAttribute("aria-label", "Pause"); });
  video.addEventListener("pause", () => { playButton.textContent = "▶"; playButton.setAttribute("aria-label", "Play"); });
  video.addEventListener("ended", () => {
    if (loop?.checked) { video.currentTime = 0; video.play(); }
  });
  playButton.addEventListener("click", () => (video.paused ? video.play() : video.pause()));
  root.querySelector("[data-role=prev]").addEventListener("click", () => seekFrame(frame - 1));
  root.querySelector("[data-role=next]").addEventListener("click", () => seekFrame(frame + 1));
  const seekTo = (event) => {
    const box = timeline.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    seekFrame(Math.round(fraction * lastFrame()));
  };
  // Scrubbing by drag, with a mouse or a finger: the marks keep their own clicks.
  timeline.addEventListener("pointerdown", (event) => {
    if (event.target.closest(".mark, .range")) return;
    timeline.setPointerCapture(event.pointerId);
    seekTo(event);
  });
  timeline.addEventListener("pointermove", (event) => {
    if (timeline.hasPointerCapture(event.pointerId)) seekTo(event);
  });
  scrub.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") { seekFrame(frame - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { seekFrame(frame + 1); event.preventDefault(); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === ",") { seekFrame(frame - 1); event.preventDefault(); }
    else if (event.key === ".") { seekFrame(frame + 1); event.preventDefault(); }
    else if (event.key === "i" && inInput) { setIn(); event.preventDefault(); }
    else if (event.key === "o" && outInput) { setOut(); event.preventDefault(); }
    else if (event.key === " " && !event.target.closest("button, a")) {
      video.paused ? video.play() : video.pause();
      event.preventDefault();
    }
  });
  document.querySelectorAll("[data-seek]").forEach((button) => {
    button.addEventListener("click", () => {
      const first = parseInt(button.dataset.seek, 10);
      if (button.dataset.seekEnd) playRange(first, parseInt(button.dataset.seekEnd, 10));
      else seekFrame(first);
      root.scrollIntoView({ block: "nearest" });
    });
  });
  root.querySelector("[data-role=range-in]")?.addEventListener("click", setIn);
  root.querySelector("[data-role=range-out]")?.addEventListener("click", setOut);
  document.querySelectorAll("[data-role=comment-frame]").forEach((input) => {
    input.addEventListener("input", () => { input.dataset.touched = "1"; drawPending(); });
  });
  outInput?.addEventListener("input", drawPending);
  document.querySelectorAll("[data-role=comment-form] textarea").forEach((area) => {
    // Starting to write pins the comment to the frame on screen now.
    area.addEventListener("focus", () => {
      if (!video.paused) video.pause();
    });
  });
  if (video.readyState >= 1) {
    if (!frames && video.duration) frames = framesIn(video.duration, fps);
    drawMarks();
  }
  render();
  return {
    seekFrame,
    playRange,
    marks,
    onFrame: (listener) => frameListeners.push(listener),
    get frame() { return frame; },
  };
}

document.querySelectorAll("[data-player]").forEach((root) => {
  root.studioPlayer = setupPlayer(root);
  root.studioDrawing = setupDrawing(root, root.studioPlayer);
});
