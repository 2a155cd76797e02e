// Frame-accurate player: `,` and `.` step one frame (1/fps s), marks on the timeline seek,
// and the current frame feeds the comment form and the "use this frame" links.

import "../studio/actions.js";

function formatTime(seconds) {
  return `${seconds.toFixed(3)} s`;
}

export function setupPlayer(root) {
  const video = root.querySelector("[data-role=video]");
  const fps = parseFloat(root.dataset.fps) || 24;
  let frames = parseInt(root.dataset.frames, 10) || 0;
  const timeline = root.querySelector("[data-role=timeline]");
  const played = root.querySelector("[data-role=played]");
  const head = root.querySelector("[data-role=head]");
  const timecode = root.querySelector("[data-role=timecode]");
  const playButton = root.querySelector("[data-role=play]");
  const loop = root.querySelector("[data-role=loop]");
  const marksData = root.querySelector("#player-marks");
  const marks = marksData ? JSON.parse(marksData.textContent) : [];
  // Seeking to the middle of a frame shows that frame whatever the decoder's rounding.
  let frame = 0;

  const lastFrame = () => Math.max(0, (frames || Math.round((video.duration || 0) * fps)) - 1);
  const frameAt = (t) => Math.min(lastFrame(), Math.max(0, Math.floor(t * fps + 1e-6)));

  const render = () => {
    const last = lastFrame();
    const fraction = last ? frame / last : 0;
    played.style.width = `${fraction * 100}%`;
    head.style.left = `${fraction * 100}%`;
    timeline.setAttribute("aria-valuenow", String(frame));
    timeline.setAttribute("aria-valuemax", String(last));
    timecode.textContent = `Frame ${frame} / ${last} · ${formatTime(frame / fps)}`;
    root.dataset.frame = String(frame);
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
    video.pause();
    frame = Math.min(lastFrame(), Math.max(0, n));
    video.currentTime = (frame + 0.5) / fps;
    render();
  };

  const drawMarks = () => {
    timeline.querySelectorAll(".mark").forEach((m) => m.remove());
    const last = lastFrame();
    for (const mark of marks) {
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
    if (!frames && video.duration) frames = Math.round(video.duration * fps);
    drawMarks();
    render();
  });
  video.addEventListener("timeupdate", () => {
    if (!video.paused) {
      frame = frameAt(video.currentTime);
      render();
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
  timeline.addEventListener("click", (event) => {
    const box = timeline.getBoundingClientRect();
    seekFrame(Math.round(((event.clientX - box.left) / box.width) * lastFrame()));
  });
  timeline.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") { seekFrame(frame - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { seekFrame(frame + 1); event.preventDefault(); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === ",") { seekFrame(frame - 1); event.preventDefault(); }
    else if (event.key === ".") { seekFrame(frame + 1); event.preventDefault(); }
    else if (event.key === " " && !event.target.closest("button, a")) {
      video.paused ? video.play() : video.pause();
      event.preventDefault();
    }
  });
  document.querySelectorAll("[data-seek]").forEach((button) => {
    button.addEventListener("click", () => {
      seekFrame(parseInt(button.dataset.seek, 10));
      root.scrollIntoView({ block: "nearest" });
    });
  });
  document.querySelectorAll("[data-role=comment-frame]").forEach((input) => {
    input.addEventListener("input", () => { input.dataset.touched = "1"; });
  });
  document.querySelectorAll("[data-role=comment-form] textarea").forEach((area) => {
    // Starting to write pins the comment to the frame on screen now.
    area.addEventListener("focus", () => {
      if (!video.paused) video.pause();
    });
  });
  if (video.readyState >= 1) {
    if (!frames && video.duration) frames = Math.round(video.duration * fps);
    drawMarks();
  }
  render();
  return { seekFrame, get frame() { return frame; } };
}

document.querySelectorAll("[data-player]").forEach((root) => {
  root.studioPlayer = setupPlayer(root);
});
