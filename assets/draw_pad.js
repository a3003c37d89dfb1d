// The drawing pad of "Your own digit": draw with a mouse, a finger or a pen on a 280x280 canvas; when a stroke
// ends, the whole canvas goes to Python as a PNG data address (the event "drawing"), where it is checked, kept,
// and read exactly as an uploaded file is. "Clear" wipes the canvas and sends null. An event, not a state:
// Python keeps only what it checked, so no value the server cannot read stays behind for later runs.
//
// Streamlit calls this function again each time Python sends new data (the words after a language switch),
// with the same canvas: the listeners are set up once per canvas, and only the words and the latest sender
// are updated on later calls.
const PEN_WIDTH = 22;
const PAPER = "#ffffff";
const INK = "#000000";

function wipe(canvas) {
  const pen = canvas.getContext("2d");
  pen.fillStyle = PAPER;
  pen.fillRect(0, 0, canvas.width, canvas.height);
  canvas.dataset.drawn = "false";
}

function point(canvas, event) {
  const frame = canvas.getBoundingClientRect();
  return [(event.clientX - frame.left) * (canvas.width / frame.width),
          (event.clientY - frame.top) * (canvas.height / frame.height)];
}

// A drawing Python kept (a PNG data address of this same pad), painted on a fresh canvas.
function restore(canvas, kept) {
  if (typeof kept !== "string" || !kept.startsWith("data:image/png;base64,")) {
    return;
  }
  const picture = new Image();
  picture.onload = () => {
    if (canvas.dataset.drawn !== "true") {
      canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
      canvas.dataset.drawn = "true";
    }
  };
  picture.src = kept;
}

function setUp(canvas, clear) {
  const pen = canvas.getContext("2d");
  wipe(canvas);
  let last = null;
  const send = (value) => canvas.latentWallSend && canvas.latentWallSend("drawing", value);
  const dot = (from, to) => {
    pen.strokeStyle = INK;
    pen.lineWidth = PEN_WIDTH;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.beginPath();
    pen.moveTo(from[0], from[1]);
    pen.lineTo(to[0], to[1]);
    pen.stroke();
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 && event.pointerType === "mouse") {
      return;
    }
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = point(canvas, event);
    dot(last, last);
    canvas.dataset.drawn = "true";
  });
  canvas.addEventListener("pointermove", (event) => {
    if (last === null) {
      return;
    }
    event.preventDefault();
    const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const move of moves.length ? moves : [event]) {
      const next = point(canvas, move);
      dot(last, next);
      last = next;
    }
  });
  const end = (event) => {
    if (last === null) {
      return;
    }
    last = null;
    if (canvas.hasPointerCapture(event.pointerId)) {
      canvas.releasePointerCapture(event.pointerId);
    }
    send(canvas.toDataURL("image/png"));
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  clear.addEventListener("click", () => {
    wipe(canvas);
    send(null);
  });
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const canvas = parentElement.querySelector("canvas");
  const clear = parentElement.querySelector("button");
  const words = (data && data.words) || {};
  canvas.latentWallSend = setTriggerValue;
  canvas.setAttribute("aria-label", words.pad || "");
  canvas.title = words.pad || "";
  clear.textContent = words.clear || "";
  if (canvas.dataset.ready !== "true") {
    canvas.dataset.ready = "true";
    setUp(canvas, clear);
    restore(canvas, data && data.drawing);
  }
}
