// Uploads: images into the start, end and guide slots and the timelines, videos as the
// source clip. Each file goes to the upload endpoint once, a few at a time.
import { $, $$, SOURCES, form, mode } from "./form.js";

const csrf = document.body.dataset.csrf;

// Dropping a timeline's worth of images must not open that many connections at once
// (a server's accept queue overflows and the rest are refused).
const UPLOADS_AT_ONCE = 4;
let uploadsRunning = 0;
const uploadQueue = [];

function uploadSlot() {
  if (uploadsRunning < UPLOADS_AT_ONCE) {
    uploadsRunning += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => uploadQueue.push(resolve));
}

function releaseUploadSlot() {
  const next = uploadQueue.shift();
  if (next) next();
  else uploadsRunning -= 1;
}

export async function upload(file, purpose) {
  await uploadSlot();
  try {
    return await sendUpload(file, purpose);
  } finally {
    releaseUploadSlot();
  }
}

async function sendUpload(file, purpose, attempt = 0) {
  const body = new FormData();
  body.append("file", file);
  body.append("purpose", purpose);
  // Stored by content hash, so sending the same file again cannot make a second copy.
  const again = async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return sendUpload(file, purpose, 1);
  };
  try {
    const response = await fetch(form.dataset.uploadUrl, { method: "POST", body, headers: { "X-CSRFToken": csrf } });
    if (response.status >= 500 && attempt === 0) return again();
    const data = await response.json();
    return response.ok ? data : { error: data.error || `Upload failed (HTTP ${response.status}).` };
  } catch {
    if (attempt === 0) return again();
    return { error: `${file.name}: the upload did not reach the studio.` };
  }
}

// -- Image slots (start, end, guide frame) ------------------------------------------------
function showSlot(slot, assets) {
  const hidden = $(`input[type="hidden"]`, slot);
  const preview = $(".slot-preview", slot);
  const asset = assets[hidden.value];
  preview.replaceChildren();
  if (asset) {
    preview.append(Object.assign(document.createElement("img"), { src: asset.thumb_url, alt: "" }));
    slot.classList.add("filled");
  } else {
    preview.append(Object.assign(document.createElement("span"), { className: "slot-empty", textContent: "Drop an image" }));
    slot.classList.remove("filled");
  }
  $("[data-slot-clear]", slot).hidden = !asset;
}

async function fillSlot(slot, file, assets, onChange) {
  const result = await upload(file, "image");
  const errors = $$(".field-error", slot);
  if (result.error) {
    errors[0].replaceChildren(Object.assign(document.createElement("p"), { textContent: result.error }));
    errors[0].hidden = false;
    return;
  }
  for (const e of errors) e.hidden = true;
  assets[result.id] = result;
  $(`input[type="hidden"]`, slot).value = result.id;
  showSlot(slot, assets);
  onChange();
}

export function setupSlots(assets, onChange) {
  for (const slot of $$("[data-slot]")) {
    const file = $(`input[type="file"]`, slot);
    file.classList.add("visually-hidden");
    file.addEventListener("change", () => {
      const chosen = file.files[0];
      file.value = ""; // sent once, by the upload endpoint, not again with the form
      if (chosen) fillSlot(slot, chosen, assets, onChange);
    });
    slot.addEventListener("dragover", (e) => {
      if (!file.disabled) e.preventDefault();
    });
    slot.addEventListener("drop", (e) => {
      e.preventDefault();
      if (!file.disabled && e.dataTransfer.files[0]) fillSlot(slot, e.dataTransfer.files[0], assets, onChange);
    });
    $("[data-slot-clear]", slot).addEventListener("click", () => {
      $(`input[type="hidden"]`, slot).value = "";
      // A refused file's message belongs to the attempt, not to the emptied slot.
      for (const e of $$(".field-error", slot)) e.hidden = true;
      showSlot(slot, assets);
      onChange();
    });
    showSlot(slot, assets);
  }
}

// -- Source clip upload --------------------------------------------------------------------
export function setupSourceUpload(onSource) {
  const sourceFile = form.elements.source_file;
  sourceFile.addEventListener("change", async () => {
    const chosen = sourceFile.files[0];
    sourceFile.value = "";
    if (!chosen) return;
    const result = await upload(chosen, mode() === "reframe" ? "reframe" : "edit");
    const err = document.getElementById("err-source_file");
    if (result.error) {
      err.replaceChildren(Object.assign(document.createElement("p"), { textContent: result.error }));
      err.hidden = false;
      return;
    }
    err.hidden = true;
    const key = `a:${result.id}`;
    SOURCES[key] = { seconds: result.duration_s, width: result.width, height: result.height, poster: "" };
    const select = form.elements.source;
    if (![...select.options].some((o) => o.value === key)) select.add(new Option(`Upload: ${result.name}`, key));
    select.value = key;
    onSource();
  });
}
