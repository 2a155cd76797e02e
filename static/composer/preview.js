// The composer's Preview button: posts the current form to the local engine's preview,
// follows its state and plays the draft MP4 beside the timeline. Free, never sent to the
// generation API; a new preview replaces the one still waiting.

const panel = document.getElementById("preview-panel");
const button = document.getElementById("preview-button");
const statusLine = document.getElementById("preview-status");
const figure = document.getElementById("preview-figure");
const player = document.getElementById("preview-player");

const WORDS = {
  queued: "Waiting for the local engine…",
  rendering: "Rendering the preview…",
  ready: "Local preview ready.",
};
let current = null; // the id being followed; a newer preview stops the older poll
let timer = null;

function say(text) {
  if (statusLine) statusLine.textContent = text;
}

function formData(form) {
  const data = new FormData(form);
  // Pictures already went up through the timeline's uploads: their ids are in the form.
  for (const [name, value] of [...data.entries()]) {
    if (value instanceof File) data.delete(name);
  }
  return data;
}

async function start() {
  const form = panel.closest("form");
  if (!form) return;
  clearTimeout(timer);
  current = null;
  say("Starting the preview…");
  button.disabled = true;
  try {
    const response = await fetch(panel.dataset.startUrl, {
      method: "POST",
      body: formData(form),
      credentials: "same-origin",
    });
    const record = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(record.detail || `The preview could not start (HTTP ${response.status}).`);
      return;
    }
    current = record.id;
    show(record);
  } catch {
    say("The preview could not start: the studio did not answer.");
  } finally {
    button.disabled = false;
  }
}

function show(record) {
  if (record.id !== current) return;
  if (record.state === "ready") {
    say(WORDS.ready);
    figure.hidden = false;
    player.src = record.url;
    player.play().catch(() => {});
    return;
  }
  if (record.state === "failed") {
    say(record.failure_reason || "The preview could not be rendered.");
    return;
  }
  say(WORDS[record.state] || record.state);
  // Slower while the tab is hidden: nobody is watching.
  timer = setTimeout(() => poll(record.status_url, record.id), document.hidden ? 4000 : 700);
}

async function poll(url, id) {
  if (id !== current) return;
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.status === 404) {
      say("This preview was replaced or has expired.");
      return;
    }
    if (!response.ok) throw new Error(String(response.status));
    show(await response.json());
  } catch {
    timer = setTimeout(() => poll(url, id), 3000);
  }
}

if (panel && button && !button.disabled) {
  button.addEventListener("click", start);
}
