// "Copy link to this view": the browser's own address always carries the view (the page, the model, the
// clicked spot, the interpolation, the language), because the app writes them into its query string.
// Where the clipboard cannot be used (a plain-http classroom server), the link is shown selected instead.
export default function (component) {
  const { data, parentElement } = component;
  const words = data.words || {};
  const button = parentElement.querySelector("button");
  const field = parentElement.querySelector("input");
  button.textContent = words.copy || "";
  Object.assign(field.style, { width: "100%", marginTop: "4px" });
  button.onclick = async () => {
    const link = window.location.href;
    try {
      await navigator.clipboard.writeText(link);
      button.textContent = words.copied || "";
      setTimeout(() => { button.textContent = words.copy || ""; }, 2000);
    } catch (error) {
      field.hidden = false;
      field.value = link;
      field.setAttribute("aria-label", words.select || "");
      field.select();
    }
  };
}
