// The API tokens page: copy a new token with one click; ask before revoking one.

document.querySelectorAll("button[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      button.dataset.copied = "1";
      button.title = "Copied";
    } catch {
      // No clipboard (an insecure origin, a refusal): select the text to copy by hand.
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
