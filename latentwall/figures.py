"""Plotly figures of the wall. Each builder returns a new go.Figure; the pages only show them.

The wall's layout is chosen for clicking and exploring: box zoom by dragging, wheel zoom and a reset button
(the page's click listener reads the chart's live axes, so clicks decode the right spot at any zoom), the
legend outside the plot area, and a fixed `uirevision` so a redrawn figure keeps the student's zoom.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# Okabe and Ito's colour-blind-safe palette, extended by a grey and a wine red to reach ten digits.
DIGIT_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                 "#D55E00", "#CC79A7", "#000000", "#999999", "#882255")
# The seed's "red dots": random codes painted on the wall.
PAINT_COLOUR = "#E0001B"
PATH_COLOUR = "#111111"
# Darker where the reader is unsure of the decoded image: the gaps show up as shade.
CONFIDENCE_SCALE = [[0.0, "#6b6b6b"], [0.5, "#c8c8c8"], [1.0, "#ffffff"]]
# A click within this many pixels of a digit counts as a click on that digit.
HOVER_DISTANCE = 6


def wall_figure(codes: np.ndarray, labels: np.ndarray, box: tuple[float, float, float, float], *,
                words: dict[str, str], height: int = 560, confidence: np.ndarray | None = None,
                marker_size: int = 4, view: tuple[float, float, float, float] | None = None) -> go.Figure:
    """Every test code as a dot coloured by digit, one trace per digit, over an optional confidence map.

    words gives the legend title and the two view buttons' labels ("reset_view", "show_all"); confidence
    is a (side, side) grid over box, row 0 at the bottom, drawn as a grey shade behind the dots. The chart
    opens on view (default: box); "show everything" shows box. Plotly's own hover is off: the page's
    listener names the digit under the pointer in its preview, with the same hit test a click uses.
    """
    codes, labels = np.asarray(codes, "float32"), np.asarray(labels)
    figure = go.Figure()
    if confidence is not None:
        figure.add_trace(confidence_map(confidence, box))
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        figure.add_trace(go.Scattergl(
            x=codes[members, 0], y=codes[members, 1], customdata=members, mode="markers", name=str(digit),
            marker={"size": marker_size, "color": DIGIT_COLOURS[digit], "opacity": 0.75}, hoverinfo="none",
        ))
    x_min, x_max, y_min, y_max = view or box
    figure.update_layout(
        height=height, margin={"l": 50, "r": 40, "t": 34, "b": 40}, clickanywhere=True, hovermode=False,
        dragmode="zoom", plot_bgcolor="#ffffff", uirevision="wall", modebar={"orientation": "v"},
        legend={"title": {"text": f"{words['legend']}<br><sub>{words['legend_hint']}</sub>"}, "x": 1.02,
                "xanchor": "left", "y": 0.9, "yanchor": "top", "itemsizing": "constant"},
        xaxis={"range": [x_min, x_max], "showgrid": False, "zeroline": False,
               "title": {"text": "z₁"}},
        yaxis={"range": [y_min, y_max], "showgrid": False, "zeroline": False,
               "title": {"text": "z₂"}},
        updatemenus=[view_buttons((x_min, x_max, y_min, y_max), box, words)],
    )
    return figure


def view_buttons(view: tuple[float, float, float, float], box: tuple[float, float, float, float],
                 words: dict[str, str]) -> dict:
    """Two labelled buttons over the chart: back to the opening view, and the whole wall."""
    def relayout(ranges):
        return {"xaxis.range": list(ranges[:2]), "yaxis.range": list(ranges[2:])}

    return {"type": "buttons", "direction": "right", "showactive": False, "x": 0.0, "xanchor": "left",
            "y": 1.0, "yanchor": "bottom", "pad": {"b": 4}, "font": {"size": 12},
            "buttons": [{"label": words["reset_view"], "method": "relayout", "args": [relayout(view)]},
                        {"label": words["show_all"], "method": "relayout", "args": [relayout(box)]}]}


def confidence_map(confidence: np.ndarray, box: tuple[float, float, float, float]) -> go.Heatmap:
    """A (side, side) grid of reader confidences over box as a heatmap that hover passes through."""
    side = confidence.shape[0]
    x_min, x_max, y_min, y_max = box
    xs = x_min + (np.arange(side) + 0.5) * (x_max - x_min) / side
    ys = y_min + (np.arange(side) + 0.5) * (y_max - y_min) / side
    return go.Heatmap(x=xs, y=ys, z=np.asarray(confidence, "float32"), zmin=0.0, zmax=1.0,
                      colorscale=CONFIDENCE_SCALE, showscale=False, hoverinfo="skip", showlegend=False)


def with_marks(base: go.Figure, *, painted: np.ndarray | None = None,
               path: tuple[np.ndarray, np.ndarray] | None = None, words: dict[str, str] | None = None) -> go.Figure:
    """A copy of base with what this session added: painted random codes, or a straight path between two codes.

    base is shared between sessions and is never changed here. (The marker of a click is drawn by the
    browser over the chart, so that a click does not change the figure.)
    """
    words = words or {}
    figure = go.Figure(base)
    if painted is not None and len(painted):
        painted = np.asarray(painted, "float32")
        figure.add_trace(go.Scattergl(
            x=painted[:, 0], y=painted[:, 1], mode="markers", name=words.get("painted", "random"),
            marker={"size": 9, "color": PAINT_COLOUR, "line": {"width": 1, "color": "#ffffff"}}, hoverinfo="skip"))
    if path is not None:
        start, end = (np.asarray(point, "float32").reshape(2) for point in path)
        figure.add_trace(go.Scattergl(
            x=[start[0], end[0]], y=[start[1], end[1]], mode="lines+markers+text", name=words.get("path", "path"),
            text=[words.get("start", "A"), words.get("end", "B")], textposition="top center",
            line={"color": PATH_COLOUR, "width": 3}, marker={"size": 12, "color": PATH_COLOUR}, hoverinfo="skip"))
    return figure
