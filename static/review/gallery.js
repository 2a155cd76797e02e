// Gallery: scrub a clip's thumbnail strip under the pointer; compare/share the ticked takes.

function setupScrub(media) {
  const url = media.dataset.thumbs;
  const tiles = Math.max(1, parseInt(media.dataset.tiles || "10", 10));
  const columns = Math.max(1, parseInt(media.dataset.columns || String(tiles), 10));
  const rows = Math.ceil(tiles / columns);
  const scrub = media.querySelector(".scrub");
  let loaded = false;
  const show = (event) => {
    if (!loaded) {
      scrub.style.backgroundImage = `url("${url}")`;
      scrub.style.backgroundSize = `${columns * 100}% ${rows * 100}%`;
      loaded = true;
    }
    const box = media.getBoundingClientRect();
    const fraction = Math.min(0.9999, Math.max(0, (event.clientX - box.left) / box.width));
    const index = Math.floor(fraction * tiles);
    const col = index % columns;
    const row = Math.floor(index / columns);
    const x = columns > 1 ? (col / (columns - 1)) * 100 : 0;
    const y = rows > 1 ? (row / (rows - 1)) * 100 : 0;
    scrub.style.backgroundPosition = `${x}% ${y}%`;
    scrub.style.setProperty("--scrub", `${fraction * 100}%`);
    media.classList.add("scrubbing");
  };
  media.addEventListener("pointermove", show);
  media.addEventListener("pointerleave", () => media.classList.remove("scrubbing"));
}

document.querySelectorAll(".clip-media[data-thumbs]").forEach(setupScrub);

const selection = document.getElementById("selection");
if (selection) {
  const compare = selection.querySelector("[data-role=compare]");
  const share = selection.querySelector("[data-role=share]");
  const trash = selection.querySelector("[data-role=trash]");
  const exports = selection.querySelectorAll("[data-role=export]");
  const count = selection.querySelector("[data-role=selected-count]");
  const ticked = () => [...document.querySelectorAll('input[name=g][form=selection]:checked')];
  const update = () => {
    const n = ticked().length;
    compare.disabled = n < 2 || n > 4;
    if (share) share.disabled = n < 1;
    if (trash) trash.disabled = n < 1;
    // The ticked takes, in page order, as one timeline or one animatic.
    for (const button of exports) button.disabled = n < 1;
    count.textContent = n ? `${n} selected` + (n > 4 ? " (compare takes up to 4)" : "") : "Tick 2–4 takes to compare";
  };
  document.addEventListener("change", (event) => {
    if (event.target.matches('input[name=g][form=selection]')) update();
  });
  // Post the ticked takes through one of the page's hidden forms.
  const postTicked = (form, ask) => {
    form.querySelectorAll("input[name=g]").forEach((el) => el.remove());
    for (const box of ticked()) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "g";
      input.value = box.value;
      form.append(input);
    }
    // requestSubmit (unlike submit) fires the submit event: actions.js asks data-confirm.
    if (ask) form.requestSubmit();
    else form.submit();
  };
  if (share) {
    share.addEventListener("click", () => postTicked(document.getElementById("share-form"), false));
  }
  if (trash) {
    trash.addEventListener("click", () => postTicked(document.getElementById("trash-form"), true));
  }
  update();
}
