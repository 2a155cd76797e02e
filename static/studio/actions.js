// Small page actions any page may use, installed once per page (an ES module runs once):
// - button[data-copy]: copy its value to the clipboard (or select the text to copy by hand);
// - form[data-confirm]: ask before submitting (deleting a comment, revoking a token);
// - select[data-submit-on-change]: submit its form on a change (the team switch);
// - button[data-fold]: open and close a panel folded on a narrow screen (Escape closes it);
// - table.data: focusable while it scrolls sideways in its own box.
// - dialog (modal): Tab and Shift+Tab go round its own controls while it is open.
// The base template loads it on every page; the Content Security Policy allows no inline
// handlers, so behaviour like this lives here.

import { announceOnLoad } from "./announce.js";

announceOnLoad();

document.querySelectorAll("button[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      button.dataset.copied = "1";
      button.title = "Copied";
    } catch {
      // No clipboard (an insecure origin, a refusal): select the text instead.
      const range = document.createRange();
      range.selectNodeContents(button);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A modal dialog keeps the keyboard inside it: Tab from its last control goes back to its
// first, Shift+Tab from its first to its last (the browser would leave the page instead).
// The browser itself moves focus in on opening, closes it on Escape and gives focus back
// to the control that opened it.
const FOCUSABLE =
  "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
document.addEventListener("keydown", (event) => {
  if (event.key !== "Tab") return;
  const dialog = document.querySelector("dialog:modal");
  if (!dialog) return;
  const stops = [...dialog.querySelectorAll(FOCUSABLE)].filter((node) => node.checkVisibility());
  if (!stops.length) return;
  const [first, last] = [stops[0], stops[stops.length - 1]];
  const inside = dialog.contains(document.activeElement);
  if (event.shiftKey && (!inside || document.activeElement === first)) {
    last.focus();
    event.preventDefault();
  } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
    first.focus();
    event.preventDefault();
  }
});

document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-submit-on-change")) {
    select.form?.requestSubmit();
  }
});

// A panel that folds away on a narrow screen (the header's menu, the gallery's filters):
// the stylesheet hides a `.foldable` panel that is not `.open` below its breakpoint. The
// panel folds only once its button works: without scripts it stays in view.
document.querySelectorAll("button[data-fold]").forEach((button) => {
  const panel = document.getElementById(button.getAttribute("aria-controls"));
  if (!panel) return;
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("open", open);
  };
  button.hidden = false;
  panel.classList.add("foldable");
  // A panel with something to fix in it (a refused filter) starts open.
  if (button.hasAttribute("data-fold-open")) setOpen(true);
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && panel.classList.contains("open")) {
      setOpen(false);
      button.focus();
    }
  });
});

// A wide table scrolls inside its own box on a phone; a box that scrolls must be reachable
// from the keyboard (its arrow keys scroll it), so it joins the tab order while it scrolls.
const scrollableTables = () => {
  document.querySelectorAll("table.data").forEach((table) => {
    if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
    else table.removeAttribute("tabindex");
  });
};
scrollableTables();
window.addEventListener("resize", scrollableTables);
