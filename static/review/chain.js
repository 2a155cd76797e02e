// Plays the clips of an extend chain one after another.
const root = document.querySelector("[data-playlist]");
if (root) {
  const video = root.querySelector("video");
  const items = [...document.querySelectorAll("li[data-src]")];
  let index = 0;
  const load = (i, autoplay) => {
    index = i;
    items.forEach((li, n) => li.toggleAttribute("aria-current", n === i));
    video.src = items[i].dataset.src;
    if (autoplay) video.play();
  };
  video.addEventListener("ended", () => { if (index + 1 < items.length) load(index + 1, true); });
  items.forEach((li, i) => li.addEventListener("dblclick", () => load(i, true)));
  load(0, false);
}
