// Hands clicks on a wall chart back to Python as {x, y, index}, and marks the last click on the chart.
//
// Streamlit forwards Plotly selections only, which never fire on empty space. The wall's layout sets
// `clickanywhere`, so Plotly's own `plotly_click` event fires everywhere in the plot area with the
// cursor's data coordinates (xvals, yvals). This module finds the chart inside the keyed container named
// by `data.scope` and listens for that event. Streamlit replaces the chart's element when the figure
// changes, so the listener is attached again whenever a new chart appears.
//
// The marker is a small element laid over the chart at `data.marker` (the click as Python validated it),
// so a click never changes the figure and the 10,000-point chart is not drawn again.
export default function (component) {
  const { data, setTriggerValue } = component;
  // What the handlers need lives on the chart element, so handlers attached by an earlier call see the
  // latest values after Python sends new data.
  const state = { send: setTriggerValue, marker: Array.isArray(data.marker) ? data.marker : null,
                  showMarker: data.marker !== undefined };

  const liveGraph = () => {
    const area = document.querySelector(`.${data.scope}`);
    if (!area) {
      return null;
    }
    const graphs = [...area.querySelectorAll(".js-plotly-plot")];
    return graphs.reverse().find((graph) => !graph.closest("[data-stale='true']")) || null;
  };

  const drawMarker = (graph) => {
    const layout = graph._fullLayout;
    const marker = graph.latentWall.marker;
    let dot = graph.querySelector(":scope > .latent-wall-marker");
    if (!marker || !layout || !layout.xaxis || !layout.yaxis) {
      if (dot) {
        dot.remove();
      }
      return;
    }
    if (!dot) {
      dot = document.createElement("div");
      dot.className = "latent-wall-marker";
      Object.assign(dot.style, {
        position: "absolute", width: "16px", height: "16px", marginLeft: "-11px", marginTop: "-11px",
        border: "3px solid #E0001B", borderRadius: "50%", boxShadow: "0 0 0 2px #ffffff",
        pointerEvents: "none", zIndex: "10",
      });
      if (getComputedStyle(graph).position === "static") {
        graph.style.position = "relative";
      }
      graph.appendChild(dot);
    }
    dot.style.left = `${layout.xaxis._offset + layout.xaxis.d2p(marker[0])}px`;
    dot.style.top = `${layout.yaxis._offset + layout.yaxis.d2p(marker[1])}px`;
  };

  const attach = () => {
    const graph = liveGraph();
    if (!graph || typeof graph.on !== "function") {
      return;
    }
    const listening = Boolean(graph.latentWall);
    graph.latentWall = state;
    drawMarker(graph);
    if (listening) {
      return;
    }
    graph.on("plotly_afterplot", () => drawMarker(graph));
    graph.on("plotly_click", (event) => {
      const digit = (event.points || []).find((point) => typeof point.customdata === "number");
      const x = Array.isArray(event.xvals) ? event.xvals[0] : digit && digit.x;
      const y = Array.isArray(event.yvals) ? event.yvals[0] : digit && digit.y;
      if (typeof x !== "number" || typeof y !== "number") {
        return;
      }
      if (graph.latentWall.showMarker) {
        graph.latentWall.marker = [x, y];
        drawMarker(graph);
      }
      graph.latentWall.send("click", { x, y, index: digit ? digit.customdata : null, at: Date.now() });
    });
  };

  attach();
  const observer = new MutationObserver(attach);
  observer.observe(document.querySelector(`.${data.scope}`) || document.body, { childList: true, subtree: true });
  return () => observer.disconnect();
}
