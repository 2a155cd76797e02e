// Small page actions any page may use, installed once per page (an ES module runs once):
// - button[data-copy]: copy its value to the clipboard (or select the text to copy by hand);
// - form[data-confirm]: ask before submitting (deleting a comment, revoking a token);
// - select[data-submit-on-change]: submit its form on a change (the team switch).
// The base template loads it on every page; the Content Security Policy allows no inline
// handlers, so behaviour like this lives here.

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

document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-submit-on-change")) {
    select.form?.requestSubmit();
  }
});
