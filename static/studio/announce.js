// One polite live region per page (#announcer in the base template) through which
// scripts say what changed without moving focus: a generation's new state, a comment
// added, a submit refused. Text that is on the page when it loads (the messages after a
// redirect, a refusal rendered by the server) is said once the region is listening:
// screen readers skip a region whose text was there before they looked.

const SETTLE_MS = 400;

export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region || !text) return;
  // Emptied first, so the same words twice are heard twice.
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}

export function announceOnLoad() {
  const said = [
    ...document.querySelectorAll(".messages .message, [role=alert]:not([hidden])"),
  ].map((el) => el.textContent.replace(/\s+/g, " ").trim()).filter(Boolean);
  if (said.length) window.setTimeout(() => announce(said.join(" ")), SETTLE_MS);
}
