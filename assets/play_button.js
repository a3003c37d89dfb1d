// "Play": walks the weight from the start digit to the end along every wall path linked to data.link. The
// walls' listeners (click_wall.js) decode each frame in the page, so playing costs the server nothing.
export default function (component) {
  const { data, parentElement } = component;
  const button = parentElement.querySelector("button");
  button.textContent = (data.words && data.words.play) || "▶";
  button.title = (data.words && data.words.play_help) || "";
  button.onclick = () => window.dispatchEvent(new CustomEvent("latent-wall-play", {
    detail: { link: data.link, duration: typeof data.duration === "number" ? data.duration : 3000 },
  }));
}
