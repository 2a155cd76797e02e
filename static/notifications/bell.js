// The header bell: keeps its unread count (and its accessible name) current while a page
// stays open, asking the server every half minute and not at all while the tab is hidden.

const bell = document.querySelector("a[data-bell]");
const EVERY_MS = 30000;

function show(unread) {
  bell.querySelector("[data-bell-count]").textContent = String(unread);
  bell.setAttribute("aria-label", `Notifications, ${unread} unread`);
  bell.classList.toggle("has-unread", unread > 0);
}

async function refresh() {
  if (document.hidden) return;
  try {
    const response = await fetch(bell.dataset.countUrl, { headers: { Accept: "application/json" } });
    if (response.ok) show((await response.json()).unread);
  } catch {
    // Offline for a moment: the next tick tries again.
  }
}

if (bell) {
  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", refresh);
}
