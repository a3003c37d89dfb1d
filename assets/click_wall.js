// Hands clicks on a wall chart back to Python as {x, y, index}, and marks the last click on the chart.
//
// Streamlit forwards Plotly selections only, which never fire on empty space. This module finds the chart
// inside the keyed container named by `data.scope`, reads each click (or tap) from the pointer itself, and
// turns it into data coordinates through the chart's current axes; a click within `data.hit_pixels` of a
// drawn test digit also names that digit.
//
// Streamlit calls this function again each time Python sends new data, and calls the returned cleanup only
// when the component is removed. So each wall gets exactly one "mount" (one observer, one set of chart
// listeners), kept in a registry on the window and updated in place by later calls.
//
// Moving the pointer over the plot shows, in a preview laid over the chart's corner, what the decoder paints
// at that exact coordinate: the page runs the decoder itself (wall_decoder.js, loaded before this file), so
// no message goes to the server. The preview also names the test digit under the pointer, found by the
// same hit test a click uses, so what it says and what the click's panel says always agree.
//
// The marker is a small element laid over the chart at the click, moved (never re-created) when Python's
// validated click arrives, so a click never changes the figure and the 10,000-point chart is not redrawn.
//
// Python echoes the stamp of the click each run answers (`data.answered`). If a click goes unanswered for
// STALE_AFTER_MS (the server restarted, or lost this session), a notice over the wall says to reload, with
// a button that does it: never a page that silently ignores clicks.
const MARKER_CLASS = "latent-wall-marker";
const NOTICE_CLASS = "latent-wall-stale";
// Walls that share `data.link` are twins: pointing at a test digit on one rings the same digit on each.
const LINKED_CLASS = "latent-wall-linked";
const LINK_EVENT = "latent-wall-link";
const PREVIEW_CLASS = "latent-wall-preview";
// The current weight's point on an interpolation path, and the event the play button sends.
const WEIGHT_CLASS = "latent-wall-weight";
// The path itself, drawn over the plot area: picking new digits then sends new ends, never the wall again.
const PATH_CLASS = "latent-wall-path";
// A student's own digit (its code as a star, a VAE's 1- and 2-sigma rings), drawn over the plot area too: a
// new drawing sends a few numbers, never the wall again.
const LANDING_CLASS = "latent-wall-landing";
const RING_COUNT = 2;
const MIN_NAMED_RING_PIXELS = 30;
const SVG_NS = "http://www.w3.org/2000/svg";
const PLAY_EVENT = "latent-wall-play";
const PREVIEW_PIXELS = 112;
const IMAGE_SIDE = 28;
// The last pointer-to-preview times in milliseconds, for the benchmark (training/benchmark_preview.py): from
// the pointer event's time stamp, and from our handler's start (the browser holds a move until its frame).
const previewTimes = (window.latentWallPreviewTimes = window.latentWallPreviewTimes || []);
const previewWork = (window.latentWallPreviewWork = window.latentWallPreviewWork || []);
const STALE_AFTER_MS = 5000;
// A press that moves farther than this before release is a drag (a zoom or a pan), not a click.
const CLICK_SLOP_PIXELS = 5;
const registry = (window.latentWallMounts = window.latentWallMounts || new Map());

function isOwnMarker(node) {
  return node.nodeType === 1 && [MARKER_CLASS, NOTICE_CLASS, LINKED_CLASS, PREVIEW_CLASS, WEIGHT_CLASS, PATH_CLASS, LANDING_CLASS].some((name) => node.classList.contains(name));
}

// A change inside the path's or the landing's layer (their labels' text) is our own drawing, not the chart
// being redrawn.
function insideOwnLayer(node) {
  return node.nodeType === 1 && typeof node.closest === "function"
    && node.closest(`.${PATH_CLASS}, .${LANDING_CLASS}`) !== null;
}

// A ring laid over the chart (pointer events pass through it), made once per chart and class and then
// only moved: the click marker, and the ring that shows a twin wall's digit.
function overlayRing(graph, className, size, colour, layer) {
  let ring = graph.querySelector(`:scope > .${className}`);
  if (!ring) {
    ring = document.createElement("div");
    ring.className = className;
    Object.assign(ring.style, {
      position: "absolute", width: `${size}px`, height: `${size}px`, marginLeft: `${-(size / 2 + 3)}px`,
      marginTop: `${-(size / 2 + 3)}px`, border: `3px solid ${colour}`, borderRadius: "50%",
      boxShadow: "0 0 0 2px #ffffff", pointerEvents: "none", zIndex: String(layer), display: "none",
    });
    if (getComputedStyle(graph).position === "static") {
      graph.style.position = "relative";
    }
    graph.appendChild(ring);
  }
  return ring;
}

// An SVG layer over the plot area with the given children, made once per chart and class.
function svgOverlay(graph, className, children) {
  let overlay = graph.querySelector(`:scope > .${className}`);
  if (!overlay) {
    overlay = document.createElementNS(SVG_NS, "svg");
    overlay.setAttribute("class", className);
    Object.assign(overlay.style, { position: "absolute", pointerEvents: "none", zIndex: "10", overflow: "hidden" });
    for (const name of children) {
      overlay.appendChild(document.createElementNS(SVG_NS, name));
    }
    if (getComputedStyle(graph).position === "static") {
      graph.style.position = "relative";
    }
    graph.appendChild(overlay);
  }
  return overlay;
}

// The path's layer: a line, a dot at each end and the ends' labels.
function pathOverlay(graph) {
  return svgOverlay(graph, PATH_CLASS, ["line", "circle", "circle", "text", "text"]);
}

// The landing's layer: the rings, the star, the rings' labels and the star's.
function landingOverlay(graph) {
  return svgOverlay(graph, LANDING_CLASS, [...Array(RING_COUNT).fill("polyline"), "path",
                                           ...Array(RING_COUNT + 1).fill("text")]);
}

function setAttributes(node, values) {
  Object.entries(values).forEach(([name, value]) => node.setAttribute(name, String(value)));
}

// A five-pointed star's outline around (x, y), `radius` pixels to its tips.
function starOutline(x, y, radius) {
  const corners = [];
  for (let i = 0; i < 10; i += 1) {
    const reach = i % 2 === 0 ? radius : radius * 0.45;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    corners.push(`${(x + reach * Math.cos(angle)).toFixed(1)},${(y + reach * Math.sin(angle)).toFixed(1)}`);
  }
  return `M${corners.join("L")}Z`;
}

function createMount(scope) {
  const mount = { scope, model: null, marker: null, showMarker: false, send: null, observer: null, target: null,
                  alive: true, active: true, words: {}, pending: null, timer: null, down: null,
                  hitPixels: 6, box: null, addresses: null, decoder: null, image: null, pathStyle: {},
                  landing: null };

  const area = () => document.querySelector(`.${scope}`);

  const liveGraph = () => {
    const found = area();
    if (!found) {
      return null;
    }
    const graphs = [...found.querySelectorAll(".js-plotly-plot")];
    return graphs.reverse().find((graph) => !graph.closest("[data-stale='true']")) || null;
  };

  const drawMarker = (graph) => {
    const layout = graph._fullLayout;
    const dot = overlayRing(graph, MARKER_CLASS, 16, "#E0001B", 10);
    const placed = mount.showMarker && Array.isArray(mount.marker) && layout && layout.xaxis && layout.yaxis;
    const px = placed ? layout.xaxis.d2p(mount.marker[0]) : NaN;
    const py = placed ? layout.yaxis.d2p(mount.marker[1]) : NaN;
    // After a zoom the marked spot may lie outside the plot area: then it is not drawn over the axes.
    const visible = placed && px >= 0 && py >= 0 && px <= layout.xaxis._length && py <= layout.yaxis._length;
    dot.style.display = visible ? "block" : "none";
    if (placed) {
      dot.style.left = `${layout.xaxis._offset + px}px`;
      dot.style.top = `${layout.yaxis._offset + py}px`;
      dot.dataset.lwX = String(mount.marker[0]);
      dot.dataset.lwY = String(mount.marker[1]);
    }
  };

  const showNotice = (visible) => {
    const graph = liveGraph();
    if (!graph) {
      return;
    }
    let notice = graph.querySelector(`:scope > .${NOTICE_CLASS}`);
    if (!visible) {
      if (notice) {
        notice.style.display = "none";
      }
      return;
    }
    if (!notice) {
      notice = document.createElement("div");
      notice.className = NOTICE_CLASS;
      notice.setAttribute("role", "alert");
      notice.dataset.lw = "stale";
      Object.assign(notice.style, {
        position: "absolute", left: "50%", top: "40%", transform: "translate(-50%, -50%)", zIndex: "20",
        background: "#fff8e1", border: "2px solid #b26a00", borderRadius: "8px", padding: "12px 16px",
        maxWidth: "80%", textAlign: "center", font: "16px sans-serif", color: "#222",
      });
      const words = document.createElement("p");
      words.style.margin = "0 0 8px 0";
      const button = document.createElement("button");
      button.type = "button";
      button.style.font = "inherit";
      button.addEventListener("click", () => window.location.reload());
      notice.append(words, button);
      graph.appendChild(notice);
    }
    notice.querySelector("p").textContent = mount.words.stale || "";
    notice.querySelector("button").textContent = mount.words.reload || "↻";
    notice.style.display = "block";
  };

  mount.answered = (stamp) => {
    if (mount.pending !== null && typeof stamp === "number" && stamp >= mount.pending) {
      mount.pending = null;
      clearTimeout(mount.timer);
      showNotice(false);
    }
  };

  // Where a pointer event falls in data coordinates, read from the chart's current axes; null outside the
  // plot area. Plotly's own plotly_click reports the last *hover* position, which lags a quick click or a
  // tap (no hover at all on a phone), so clicks are read from the pointer itself.
  const plotPoint = (graph, event) => {
    const layout = graph._fullLayout;
    if (!layout || !layout.xaxis || !layout.yaxis) {
      return null;
    }
    const box = graph.getBoundingClientRect();
    const px = event.clientX - box.left - layout.xaxis._offset;
    const py = event.clientY - box.top - layout.yaxis._offset;
    if (px < 0 || py < 0 || px > layout.xaxis._length || py > layout.yaxis._length) {
      return null;
    }
    return { px, py, x: layout.xaxis.p2d(px), y: layout.yaxis.p2d(py) };
  };

  // The test digit drawn nearest the pointer, if one lies within hitPixels: visible digit traces only.
  // Returns its index, and (when asked) {index, digit}.
  const digitUnder = (graph, point, withDigit = false) => {
    const layout = graph._fullLayout;
    let best = null;
    let bestDigit = null;
    let bestDistance = mount.hitPixels;
    for (const trace of graph._fullData || []) {
      if (trace.visible !== true || !trace.customdata || !trace.x || !trace.y) {
        continue;
      }
      for (let i = 0; i < trace.x.length; i += 1) {
        const distance = Math.hypot(layout.xaxis.d2p(trace.x[i]) - point.px, layout.yaxis.d2p(trace.y[i]) - point.py);
        if (distance <= bestDistance && typeof trace.customdata[i] === "number") {
          best = trace.customdata[i];
          bestDigit = trace.name;
          bestDistance = distance;
        }
      }
    }
    return withDigit ? { index: best, digit: bestDigit } : best;
  };

  // The preview box over the chart: a 28x28 canvas shown large, and a line naming the spot.
  const previewBox = (graph) => {
    let box = graph.querySelector(`:scope > .${PREVIEW_CLASS}`);
    if (!box) {
      box = document.createElement("div");
      box.className = PREVIEW_CLASS;
      box.dataset.lw = "preview";
      box.setAttribute("aria-live", "off");
      Object.assign(box.style, {
        position: "absolute", zIndex: "12", pointerEvents: "none", background: "rgba(255,255,255,0.92)",
        border: "1px solid #888", borderRadius: "6px", padding: "4px", font: "12px sans-serif", color: "#222",
        width: `${PREVIEW_PIXELS}px`, display: "none",
      });
      const canvas = document.createElement("canvas");
      canvas.width = IMAGE_SIDE;
      canvas.height = IMAGE_SIDE;
      Object.assign(canvas.style, { width: `${PREVIEW_PIXELS}px`, height: `${PREVIEW_PIXELS}px`,
                                    imageRendering: "pixelated", display: "block", background: "#000" });
      const caption = document.createElement("div");
      caption.style.marginTop = "2px";
      caption.style.lineHeight = "1.25";
      box.append(canvas, caption);
      if (getComputedStyle(graph).position === "static") {
        graph.style.position = "relative";
      }
      graph.appendChild(box);
    }
    return box;
  };

  const fill = (template, values) => String(template || "").replace(/\{(\w+)\}/g, (match, name) =>
    (name in values ? String(values[name]) : match));

  // Decode (x, y), clamped into the wall's box, into the preview; the box moves to the other corner when
  // the pointer is over it. startedAt (an event's time stamp) records how long the whole step took.
  const paintPreview = (graph, x, y, under, pointer, startedAt, note, handled) => {
    const layout = graph._fullLayout;
    if (!layout || !layout.xaxis || !Number.isFinite(x) || !Number.isFinite(y)) {
      return;
    }
    const [xMin, xMax, yMin, yMax] = mount.box || [-Infinity, Infinity, -Infinity, Infinity];
    const codeX = Math.min(Math.max(x, xMin), xMax);
    const codeY = Math.min(Math.max(y, yMin), yMax);
    const box = previewBox(graph);
    const canvas = box.querySelector("canvas");
    if (mount.decoder) {
      const pixels = mount.decoder.decode([codeX, codeY]);
      const context = canvas.getContext("2d");
      mount.image = mount.image || context.createImageData(IMAGE_SIDE, IMAGE_SIDE);
      const data = mount.image.data;
      for (let i = 0; i < IMAGE_SIDE * IMAGE_SIDE; i += 1) {
        const grey = Math.round(255 * Math.min(Math.max(pixels[i], 0), 1));
        data[4 * i] = grey;
        data[4 * i + 1] = grey;
        data[4 * i + 2] = grey;
        data[4 * i + 3] = 255;
      }
      context.putImageData(mount.image, 0, 0);
    }
    canvas.style.display = mount.decoder ? "block" : "none";
    const lines = [fill(mount.words.preview, { x: codeX.toFixed(3), y: codeY.toFixed(3) })];
    if (under && under.index !== null) {
      lines.push(fill(mount.words.preview_digit, { index: under.index, digit: under.digit }));
    }
    if (note) {
      lines.unshift(note);
    }
    if (!mount.decoder) {
      lines.push(mount.words.preview_loading || "");
    }
    box.querySelector("div").textContent = lines.join(" · ");
    const left = layout.xaxis._offset + 6;
    const right = layout.xaxis._offset + layout.xaxis._length - PREVIEW_PIXELS - 14;
    const covered = pointer && pointer.px < PREVIEW_PIXELS + 20 && pointer.py < PREVIEW_PIXELS + 50;
    box.style.left = `${covered ? right : left}px`;
    box.style.top = `${layout.yaxis._offset + 6}px`;
    box.style.display = "block";
    Object.assign(box.dataset, { lwModel: mount.model || "", lwX: String(codeX), lwY: String(codeY),
                                 lwIndex: under && under.index !== null ? String(under.index) : "",
                                 lwDecoded: mount.decoder ? "true" : "false" });
    if (startedAt !== undefined && mount.decoder) {
      const now = performance.now();
      box.dataset.lwMs = (now - startedAt).toFixed(2);
      for (const [times, since] of [[previewTimes, startedAt], [previewWork, handled ?? startedAt]]) {
        times.push(now - since);
        if (times.length > 2000) {
          times.splice(0, times.length - 2000);
        }
      }
    }
  };

  // Show the pinned spot (the last click), or hide the preview when nothing is pinned.
  const previewPinned = (graph) => {
    if (Array.isArray(mount.marker)) {
      paintPreview(graph, mount.marker[0], mount.marker[1], mount.pinned || null, null);
    } else {
      const box = graph.querySelector(`:scope > .${PREVIEW_CLASS}`);
      if (box) {
        box.style.display = "none";
      }
    }
  };

  const onPointerMove = (event) => {
    const handled = performance.now();
    if (!mount.alive || event.buttons !== 0) {
      return;  // A press in progress is a zoom box or a pan: no preview while it moves.
    }
    const graph = liveGraph();
    const point = graph && plotPoint(graph, event);
    if (!point) {
      if (graph) {
        previewPinned(graph);
      }
      announce(null);
      return;
    }
    const under = digitUnder(graph, point, true);
    announce(under.index);
    paintPreview(graph, point.x, point.y, under, point, event.timeStamp, null, handled);
  };

  const onPointerLeave = () => {
    const graph = liveGraph();
    if (graph) {
      previewPinned(graph);
    }
    announce(null);
  };

  // Plotly covers the page with a drag layer once a press starts, so the release is caught on the window.
  const onPointerDown = (event) => {
    if (!mount.active) {
      return;
    }
    mount.down = { id: event.pointerId, x: event.clientX, y: event.clientY };
    window.addEventListener("pointerup", onPointerUp, { capture: true, once: true });
  };

  const onPointerUp = (event) => {
    const down = mount.down;
    mount.down = null;
    const moved = down ? Math.hypot(event.clientX - down.x, event.clientY - down.y) : Infinity;
    if (!mount.alive || !down || down.id !== event.pointerId || moved > CLICK_SLOP_PIXELS) {
      return;  // A drag, not a click.
    }
    const graph = liveGraph();
    const point = graph && plotPoint(graph, event);
    if (!point || !Number.isFinite(point.x) || !Number.isFinite(point.y)) {
      return;
    }
    const under = digitUnder(graph, point, true);
    const index = under.index;
    mount.marker = [point.x, point.y];
    mount.pinned = under;
    drawMarker(graph);
    paintPreview(graph, point.x, point.y, under, point, event.timeStamp);
    if (mount.send) {
      const at = Date.now();
      mount.pending = at;
      clearTimeout(mount.timer);
      mount.timer = setTimeout(() => showNotice(mount.pending === at), STALE_AFTER_MS);
      mount.send("click", { x: point.x, y: point.y, index, at });
    }
  };

  // Ring the test digit `index` on this wall (or clear the ring for null), in this wall's own units.
  mount.ring = (index) => {
    const graph = liveGraph();
    if (!graph || !graph._fullLayout || !graph._fullLayout.xaxis) {
      return;
    }
    const layout = graph._fullLayout;
    const ring = overlayRing(graph, LINKED_CLASS, 20, "#111111", 11);
    let found = null;
    for (const trace of graph._fullData || []) {
      const position = trace.customdata ? Array.prototype.indexOf.call(trace.customdata, index) : -1;
      if (index !== null && position >= 0) {
        found = [trace.x[position], trace.y[position], trace.name];
        break;
      }
    }
    ring.style.display = found ? "block" : "none";
    ring.dataset.lwIndex = found ? String(index) : "";
    if (found) {
      ring.style.left = `${layout.xaxis._offset + layout.xaxis.d2p(found[0])}px`;
      ring.style.top = `${layout.yaxis._offset + layout.yaxis.d2p(found[1])}px`;
      // This model's own decode of the same test digit, beside the twin's preview.
      paintPreview(graph, found[0], found[1], { index, digit: found[2] }, null);
    } else {
      previewPinned(graph);
    }
  };

  // The point at weight w on this wall's path (the interpolation page), ringed in the path's colour.
  mount.drawWeight = (graph, weight) => {
    const layout = graph._fullLayout;
    const ring = overlayRing(graph, WEIGHT_CLASS, 14, "#111111", 11);
    const path = mount.path;
    if (!path || !layout || !layout.xaxis || !Number.isFinite(weight)) {
      ring.style.display = "none";
      return null;
    }
    const code = [path[0][0] + weight * (path[1][0] - path[0][0]), path[0][1] + weight * (path[1][1] - path[0][1])];
    ring.style.left = `${layout.xaxis._offset + layout.xaxis.d2p(code[0])}px`;
    ring.style.top = `${layout.yaxis._offset + layout.yaxis.d2p(code[1])}px`;
    ring.style.background = "#ffffff";
    ring.style.display = "block";
    ring.dataset.lwWeight = weight.toFixed(2);
    return code;
  };

  // The straight path between the two chosen codes, its ends labelled, in this wall's own units.
  mount.drawPath = (graph) => {
    const layout = graph._fullLayout;
    const overlay = pathOverlay(graph);
    const path = mount.path;
    if (!path || !layout || !layout.xaxis || !layout.yaxis) {
      overlay.style.display = "none";
      return;
    }
    const { xaxis, yaxis } = layout;
    Object.assign(overlay.style, { left: `${xaxis._offset}px`, top: `${yaxis._offset}px`, width: `${xaxis._length}px`,
                                   height: `${yaxis._length}px`, display: "block" });
    const ends = path.map((code) => [xaxis.d2p(code[0]), yaxis.d2p(code[1])]);
    const [line, startDot, endDot, startLabel, endLabel] = overlay.children;
    const colour = mount.pathStyle.colour || "#111111";
    setAttributes(line, { x1: ends[0][0], y1: ends[0][1], x2: ends[1][0], y2: ends[1][1], stroke: colour,
                          "stroke-width": 3 });
    [[startDot, ends[0]], [endDot, ends[1]]].forEach(([dot, [x, y]]) => {
      setAttributes(dot, { cx: x, cy: y, r: 6, fill: colour, stroke: "#ffffff", "stroke-width": 1.5 });
    });
    [[startLabel, ends[0], mount.pathStyle.start], [endLabel, ends[1], mount.pathStyle.end]].forEach(([label, [x, y], word]) => {
      setAttributes(label, { x, y: y - 11, "text-anchor": "middle", fill: colour, stroke: "#ffffff", "stroke-width": 3,
                             "paint-order": "stroke", "font-size": 13, "font-family": "sans-serif" });
      if (label.textContent !== (word || "")) {
        label.textContent = word || "";
      }
    });
    overlay.dataset.lwPath = JSON.stringify(path);
  };

  // The student's digit: a star at its code and, for a VAE, the rings at 1 and 2 sigma, each labelled, in this
  // wall's own units. A star beyond the current view is drawn hollow at the view's edge, its label saying so.
  mount.drawLanding = (graph) => {
    const layout = graph._fullLayout;
    const landing = mount.landing;
    const existing = graph.querySelector(`:scope > .${LANDING_CLASS}`);
    if (!landing || !layout || !layout.xaxis || !layout.yaxis) {
      if (existing) {
        existing.style.display = "none";
        existing.dataset.lwLanding = "";
      }
      return;
    }
    const overlay = existing || landingOverlay(graph);
    const { xaxis, yaxis } = layout;
    Object.assign(overlay.style, { left: `${xaxis._offset}px`, top: `${yaxis._offset}px`, width: `${xaxis._length}px`,
                                   height: `${yaxis._length}px`, display: "block" });
    const pixel = (code) => [xaxis.d2p(code[0]), yaxis.d2p(code[1])];
    const children = overlay.children;
    const colour = landing.colour || "#E0001B";
    const label = (node, x, y, word, anchor) => {
      setAttributes(node, { x: x.toFixed(1), y: y.toFixed(1), "text-anchor": anchor, fill: colour, stroke: "#ffffff",
                            "stroke-width": 3, "paint-order": "stroke", "font-size": 13, "font-family": "sans-serif",
                            display: word ? "inline" : "none" });
      if (node.textContent !== (word || "")) {
        node.textContent = word || "";
      }
    };
    for (let i = 0; i < RING_COUNT; i += 1) {
      const ring = landing.rings[i];
      const line = children[i];
      const word = children[RING_COUNT + 1 + i];
      if (!ring) {
        setAttributes(line, { display: "none" });
        label(word, 0, 0, "", "middle");
        continue;
      }
      const points = ring.points.map(pixel);
      setAttributes(line, { points: points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "), fill: "none",
                            stroke: colour, "stroke-width": 2, "stroke-dasharray": i === 0 ? "none" : "6 4",
                            display: "inline" });
      // Each ring's name at its top, where it is clear of the star; a ring smaller than the star goes unnamed.
      const top = points.reduce((best, point) => (point[1] < best[1] ? point : best), points[0]);
      const bottom = points.reduce((best, point) => Math.max(best, point[1]), -Infinity);
      label(word, top[0], top[1] - 4, bottom - top[1] > MIN_NAMED_RING_PIXELS ? ring.name : "", "middle");
    }
    const [x, y] = pixel(landing.code);
    const inside = x >= 0 && y >= 0 && x <= xaxis._length && y <= yaxis._length;
    const shownX = Math.min(Math.max(x, 8), xaxis._length - 8);
    const shownY = Math.min(Math.max(y, 8), yaxis._length - 8);
    setAttributes(children[RING_COUNT], { d: starOutline(shownX, shownY, 11), fill: inside ? colour : "#ffffff",
                                          stroke: inside ? "#ffffff" : colour, "stroke-width": 1.5 });
    const rightHalf = shownX > xaxis._length / 2;
    label(children[2 * RING_COUNT + 1], shownX + (rightHalf ? -14 : 14), shownY + 4,
          inside ? landing.name : landing.outside, rightHalf ? "end" : "start");
    overlay.dataset.lwLanding = JSON.stringify(landing.code);
    overlay.dataset.lwInside = String(inside);
    overlay.dataset.lwRings = String(landing.rings.length);
  };

  // Walk the weight from 0 to 1 along the path, decoding each frame in the page; then back to the slider's.
  mount.play = (duration) => {
    const graph = liveGraph();
    if (!graph || !mount.path || !mount.decoder) {
      return;
    }
    const started = performance.now();
    mount.playing = started;
    const frame = (now) => {
      if (mount.playing !== started || !mount.alive) {
        return;
      }
      const weight = Math.min((now - started) / duration, 1);
      const code = mount.drawWeight(graph, weight);
      if (code) {
        paintPreview(graph, code[0], code[1], null, null, undefined, fill(mount.words.weight, { weight: weight.toFixed(2) }));
      }
      if (weight < 1) {
        requestAnimationFrame(frame);
      } else {
        setTimeout(() => {  // The end stays on screen a moment, then the slider's weight comes back.
          if (mount.playing === started) {
            mount.playing = null;
            mount.drawWeight(graph, mount.weight);
            previewPinned(graph);
          }
        }, 1200);
      }
    };
    requestAnimationFrame(frame);
  };

  mount.onPlay = (event) => {
    if (mount.link && event.detail.link === mount.link) {
      mount.play(event.detail.duration);
    }
  };

  mount.onLink = (event) => {
    if (mount.link && event.detail.link === mount.link) {
      mount.ring(event.detail.index);
    }
  };

  const announce = (index) => {
    if (mount.link) {
      window.dispatchEvent(new CustomEvent(LINK_EVENT, { detail: { link: mount.link, index } }));
    }
  };

  // Fetch this wall's decoder once; the preview shows the pinned spot as soon as it is ready.
  mount.loadDecoder = (addresses) => {
    const wanted = addresses && typeof addresses.weights === "string" && typeof addresses.spec === "string"
      ? addresses : null;
    if ((wanted && wanted.weights) === (mount.addresses && mount.addresses.weights)) {
      return;
    }
    mount.addresses = wanted;
    mount.decoder = null;
    if (!wanted) {
      return;
    }
    loadDecoder(wanted).then((decoder) => {
      if (mount.addresses === wanted) {
        mount.decoder = decoder;
        const graph = liveGraph();
        if (graph && Array.isArray(mount.marker)) {
          previewPinned(graph);
        }
      }
    }, () => {});  // Without its decoder the wall still answers clicks through the server.
  };

  mount.refresh = () => {
    const found = area();
    if (found && mount.model) {
      found.setAttribute("data-lw-wall", mount.model);
    }
    const graph = liveGraph();
    if (!graph || typeof graph.on !== "function") {
      return;
    }
    if (graph.latentWallMount !== mount) {
      graph.latentWallMount = mount;
      graph.on("plotly_afterplot", () => {
        drawMarker(graph);
        mount.drawPath(graph);
        mount.drawLanding(graph);
      });
      graph.on("plotly_relayout", () => {  // A zoom or a pan moves the marked spots.
        drawMarker(graph);
        mount.drawPath(graph);
        mount.drawLanding(graph);
        if (mount.path) {
          mount.drawWeight(graph, mount.weight);
        }
      });
      graph.addEventListener("pointerdown", onPointerDown, true);
      graph.addEventListener("pointermove", onPointerMove, true);
      graph.addEventListener("pointerleave", onPointerLeave);
    }
    drawMarker(graph);
    mount.drawPath(graph);
    mount.drawLanding(graph);
    if (mount.path && mount.playing == null) {
      mount.drawWeight(graph, mount.weight);
    }
  };

  // Watch for the chart being drawn or replaced. Only the container's own subtree is watched once it
  // exists, and changes to our marker are ignored, so drawing the marker never wakes the observer.
  mount.watch = () => {
    const target = area() || document.body;
    if (mount.target === target) {
      return;
    }
    if (mount.observer) {
      mount.observer.disconnect();
    }
    mount.target = target;
    mount.observer = new MutationObserver((records) => {
      const relevant = records.some((record) => !insideOwnLayer(record.target)
        && ![...record.addedNodes, ...record.removedNodes].every(isOwnMarker));
      if (relevant) {
        mount.watch();
        mount.refresh();
      }
    });
    mount.observer.observe(target, { childList: true, subtree: true });
  };

  window.addEventListener(LINK_EVENT, mount.onLink);
  window.addEventListener(PLAY_EVENT, mount.onPlay);
  mount.cleanup = () => {
    window.removeEventListener(LINK_EVENT, mount.onLink);
    window.removeEventListener(PLAY_EVENT, mount.onPlay);
    mount.alive = false;
    clearTimeout(mount.timer);
    if (mount.observer) {
      mount.observer.disconnect();
    }
    registry.delete(scope);
  };
  return mount;
}

// The landing as Python sends it ({code, rings: [{name, points}], colour, name, outside}), or null.
function readLanding(raw) {
  const pair = (value) => Array.isArray(value) && value.length === 2 && value.every(Number.isFinite);
  if (!raw || !pair(raw.code)) {
    return null;
  }
  const rings = (Array.isArray(raw.rings) ? raw.rings : []).slice(0, RING_COUNT)
    .filter((ring) => ring && Array.isArray(ring.points) && ring.points.length > 1 && ring.points.every(pair));
  return { code: raw.code, rings, colour: raw.colour, name: raw.name || "", outside: raw.outside || raw.name || "" };
}

export default function (component) {
  const { data, setTriggerValue } = component;
  let mount = registry.get(data.scope);
  if (!mount) {
    mount = createMount(data.scope);
    registry.set(data.scope, mount);
  }
  mount.send = setTriggerValue;
  mount.model = typeof data.model === "string" ? data.model : null;
  mount.active = data.active !== false;
  mount.link = typeof data.link === "string" ? data.link : null;
  mount.showMarker = data.marker !== undefined;
  mount.marker = Array.isArray(data.marker) ? data.marker : null;
  mount.words = data.words || {};
  mount.hitPixels = typeof data.hit_pixels === "number" ? data.hit_pixels : mount.hitPixels;
  mount.box = Array.isArray(data.box) && data.box.length === 4 ? data.box : null;
  mount.path = Array.isArray(data.path) && data.path.length === 2 ? data.path : null;
  mount.pathStyle = data.path_style || {};
  mount.landing = readLanding(data.landing);
  mount.weight = typeof data.weight === "number" ? data.weight : NaN;
  mount.loadDecoder(data.decoder);
  mount.answered(data.answered);
  mount.watch();
  mount.refresh();
  return mount.cleanup;
}
