// Small page actions any page may use, installed once per page (an ES module runs once):
// - button[data-copy]: copy its value to the clipboard (or select the text to copy by hand);
// - form[data-confirm]: ask before submitting (deleting a comment, revoking a token).

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
