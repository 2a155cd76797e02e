// Compare: one transport drives every take (play, pause, seek and frame steps together).

const root = document.querySelector("[data-compare]");
if (root) {
  const fps = parseFloat(root.dataset.fps) || 24;
  const videos = [...root.querySelectorAll("video[data-role=take]")];
  const seek = root.querySelector("[data-role=seek]");
  const timecode = root.querySelector("[data-role=timecode]");
  const play = root.querySelector("[data-role=play]");
  let frame = 0;

  const lastFrame = () => Math.max(0, ...videos.map((v) => {
    const frames = parseInt(v.dataset.frames, 10) || Math.round((v.duration || 0) * fps);
    return frames - 1;
  }));
  const show = () => {
    seek.max = String(lastFrame());
    seek.value = String(frame);
    timecode.textContent = `Frame ${frame} · ${(frame / fps).toFixed(3)} s`;
    root.dataset.frame = String(frame);
  };
  const goTo = (n) => {
    frame = Math.min(lastFrame(), Math.max(0, n));
    for (const v of videos) {
      v.pause();
      const own = (parseInt(v.dataset.frames, 10) || Math.round((v.duration || 0) * fps)) - 1;
      v.currentTime = (Math.min(frame, Math.max(0, own)) + 0.5) / fps;
    }
    show();
  };
  const leader = videos[0];
  play.addEventListener("click", async () => {
    if (leader && !leader.paused) {
      videos.forEach((v) => v.pause());
      play.textContent = "▶";
      return;
    }
    const start = (frame + 0.5) / fps;
    videos.forEach((v) => { v.currentTime = Math.min(start, v.duration || start); });
    await Promise.allSettled(videos.map((v) => v.play()));
    play.textContent = "❚❚";
  });
  leader?.addEventListener("timeupdate", () => {
    if (leader.paused) return;
    frame = Math.min(lastFrame(), Math.floor(leader.currentTime * fps));
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
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input:not([type=range]), textarea, select")) return;
    if (event.key === ",") { goTo(frame - 1); event.preventDefault(); }
    if (event.key === ".") { goTo(frame + 1); event.preventDefault(); }
  });
  videos.forEach((v) => v.addEventListener("loadedmetadata", show));
  show();
}
