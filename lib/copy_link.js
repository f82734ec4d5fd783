// A read-only link with a Copy button: the clipboard when the page may use it (https or
// localhost), otherwise the link is selected for Ctrl+C.

export default function ({ data, parentElement }) {
  let box = parentElement.querySelector(":scope > .aigrid-link");
  if (!box) {
    box = document.createElement("div");
    box.className = "aigrid-link";
    box.innerHTML = '<input type="text" readonly spellcheck="false">'
      + '<button type="button">Copy link</button><span role="status"></span>';
    parentElement.appendChild(box);
    const [input, button, status] = box.children;
    input.addEventListener("focus", () => input.select());
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        status.textContent = "Copied";
      } catch {
        input.focus();
        input.select();
        status.textContent = "Selected: press Ctrl+C (⌘C) to copy";
      }
    });
  }
  const [input, , status] = box.children;
  input.setAttribute("aria-label", data.label);
  if (input.value !== data.url) status.textContent = "";
  input.value = data.url;
}
