"""Plotly figures of the wall. Each builder returns a new go.Figure; the pages only show them.

The wall's layout is chosen for clicking and exploring: box zoom by dragging, wheel zoom and a reset button
(the page's click listener reads the chart's live axes, so clicks decode the right spot at any zoom), the
legend outside the plot area, and a fixed `uirevision` so a redrawn figure keeps the student's zoom.
"""

from __future__ import annotations

import weakref

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

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


# Each base figure copied so far, as the plain dict its copies are built from, kept while the figure lives: the
# walls are built once per process and copied on every run that marks them, and base.to_dict() would encode
# their 10,000 points again each time. A copy never changes the dict it was built from.
_SPECS: dict[int, tuple[weakref.ref, dict]] = {}


def _spec_of(base: go.Figure) -> dict:
    found = _SPECS.get(id(base))
    if found is not None and found[0]() is base:
        return found[1]
    spec = base.to_dict()
    default = pio.templates[pio.templates.default].to_plotly_json() if pio.templates.default else None
    if default is not None and spec["layout"].get("template") == default:
        # A new layout dict: a shared figure's to_dict() (see shared) hands out its one dict, never to be changed.
        spec = {**spec, "layout": {name: value for name, value in spec["layout"].items() if name != "template"}}
    _SPECS[id(base)] = (weakref.ref(base), spec)
    weakref.finalize(base, _SPECS.pop, id(base), None)
    return spec


def shared(figure: go.Figure) -> go.Figure:
    """Mark a figure that is built once per process and never changed again (a wall every session shows): its
    dict is made now, once, and to_dict() hands out that same dict from then on.

    Streamlit asks for figure.to_dict() on every run that shows a chart, and for a wall that encodes its 10,000
    points again (about a quarter of opening the AE vs VAE page). Nothing may change the dict it returns.
    """
    spec = figure.to_dict()
    figure.to_dict = lambda: spec
    return figure


def copy_of(base: go.Figure) -> go.Figure:
    """A copy of base, built without checking again what Plotly checked when base was built.

    go.Figure(base) rebuilds and re-checks the whole theme template, which is most of its cost (for a wall, ~15
    of ~20 ms, on every run of the interpolation page). A base that carries the default template is copied
    without it and takes the default again, as it did when it was built; the copy's JSON is the same.
    """
    return go.Figure(_spec_of(base), _validate=False)


def with_marks(base: go.Figure, *, painted: np.ndarray | None = None,
               path: tuple[np.ndarray, np.ndarray] | None = None, words: dict[str, str] | None = None) -> go.Figure:
    """A copy of base with what this session added: painted random codes, or a straight path between two codes.

    base is shared between sessions and is never changed here. (The marker of a click is drawn by the
    browser over the chart, so that a click does not change the figure.)
    """
    words = words or {}
    figure = copy_of(base)
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


# The compression lesson: JPEG in greys; the dense sweep, PCA and the wall's pair in colours of their own; how
# a code is stored by marker shape.
JPEG_COLOURS = {"with_tables": "#333333", "without_tables": "#9a9a9a"}
FAMILY_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
STORAGE_SYMBOLS = {"float32": "circle", "float16": "square", "uint8": "diamond"}


def code_size_figure(families: list[tuple[str, list[int], list[float], list[float]]], originals_accuracy: float,
                     words: dict[str, str]) -> go.Figure:
    """Test MSE (left) and the reader's accuracy on the reconstructions (right) against code size, log x.

    families: (name, code sizes, MSEs, accuracies) per family; originals_accuracy: the reader on the test digits
    themselves, drawn as a dotted line. words: "size", "mse", "accuracy", "mse_title", "accuracy_title",
    "originals".
    """
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=(words["mse_title"], words["accuracy_title"]),
                           horizontal_spacing=0.1)
    for number, (name, sizes, mses, accuracies) in enumerate(families):
        colour = FAMILY_COLOURS[number % len(FAMILY_COLOURS)]
        for column, values, template in ((1, mses, "%{y:.4f}"), (2, accuracies, "%{y:.1%}")):
            figure.add_trace(go.Scatter(
                x=sizes, y=values, mode="lines+markers", name=name, legendgroup=name, showlegend=column == 1,
                meta=f"size-{column}-{number}", line={"color": colour}, marker={"size": 8},
                hovertemplate=f"{name}<br>{words['size']} %{{x}}<br>{template}<extra></extra>"), row=1, col=column)
    sizes = sorted({size for _, family_sizes, _, _ in families for size in family_sizes}) or [1]
    figure.add_trace(go.Scatter(x=[sizes[0], sizes[-1]], y=[originals_accuracy] * 2, mode="lines",
                                name=words["originals"], line={"color": "#777777", "dash": "dot"},
                                hovertemplate=f"{words['originals']}: %{{y:.1%}}<extra></extra>"), row=1, col=2)
    for column in (1, 2):
        figure.update_xaxes(type="log", tickvals=sizes, title_text=words["size"], row=1, col=column)
    figure.update_yaxes(title_text=words["mse"], rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title_text=words["accuracy"], tickformat=".0%", range=[0, 1.02], row=1, col=2)
    figure.update_layout(height=380, margin={"l": 60, "r": 20, "t": 40, "b": 50}, plot_bgcolor="#ffffff",
                         legend={"orientation": "h", "y": -0.25})
    return figure


def bytes_figure(jpeg_curve: list[dict], codes: list[tuple[str, str, str, list[float], list[float], list[str]]],
                 words: dict[str, str]) -> go.Figure:
    """Bytes per image (log x) against MSE per pixel (log y): JPEG at every quality with and without its tables,
    and each family's codes in each storage.

    jpeg_curve: the report's points (quality, bytes_with_tables, bytes_without_tables, mse); codes: (family name,
    storage (a key of STORAGE_SYMBOLS), its label, bytes, MSEs, hover labels) per series, in family order.
    words: "bytes", "mse", "jpeg_with_tables", "jpeg_without_tables", "quality".
    """
    figure = go.Figure()
    qualities = [point["quality"] for point in jpeg_curve]
    mses = [point["mse"] for point in jpeg_curve]
    for way in ("with_tables", "without_tables"):
        name = words[f"jpeg_{way}"]
        figure.add_trace(go.Scatter(
            x=[point[f"bytes_{way}"] for point in jpeg_curve], y=mses, customdata=qualities, mode="lines+markers",
            name=name, meta=f"jpeg-{way}", line={"color": JPEG_COLOURS[way]}, marker={"size": 4},
            hovertemplate=(f"{name}<br>{words['quality']} %{{customdata}}<br>"
                           "%{x:.0f} B, MSE %{y:.4f}<extra></extra>")))
    families = list(dict.fromkeys(name for name, *_ in codes))
    for name, storage, storage_label, sizes, errors, labels in codes:
        colour = FAMILY_COLOURS[families.index(name) % len(FAMILY_COLOURS)]
        figure.add_trace(go.Scatter(
            x=sizes, y=errors, text=labels, mode="markers+lines", name=f"{name}, {storage_label}",
            meta=f"codes-{families.index(name)}-{storage}", legendgroup=name,
            line={"color": colour, "width": 1, "dash": "dot"},
            marker={"size": 10, "color": colour, "symbol": STORAGE_SYMBOLS[storage]},
            hovertemplate="%{text}<br>%{x:.0f} B, MSE %{y:.4f}<extra></extra>"))
    figure.update_layout(
        height=520, margin={"l": 60, "r": 20, "t": 20, "b": 50}, plot_bgcolor="#ffffff",
        xaxis={"type": "log", "title": {"text": words["bytes"]}, "gridcolor": "#eeeeee"},
        yaxis={"type": "log", "title": {"text": words["mse"]}, "gridcolor": "#eeeeee"},
        legend={"x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"})
    return figure


def with_path_through(base: go.Figure, points: np.ndarray, *, words: dict[str, str],
                      axis_titles: tuple[str, str] | None = None) -> go.Figure:
    """A copy of base with a path through points (n, 2), in order, each point marked and the ends labelled.

    For a code wider than 2-D the points are the interpolation's frames projected on the picture's axes, so
    the line shows where the path runs, not only where it starts and ends. axis_titles renames the axes
    (the principal components of a projection).
    """
    points = np.asarray(points, "float32").reshape(-1, 2)
    labels = [""] * len(points)
    if len(points):
        labels[0], labels[-1] = words.get("start", "A"), words.get("end", "B")
    figure = copy_of(base)
    figure.add_trace(go.Scattergl(
        x=points[:, 0], y=points[:, 1], mode="lines+markers+text", name=words.get("path", "path"), text=labels,
        textposition="top center", line={"color": PATH_COLOUR, "width": 3},
        marker={"size": 9, "color": PATH_COLOUR, "line": {"width": 1, "color": "#ffffff"}}, hoverinfo="skip"))
    if axis_titles is not None:
        figure.update_layout(xaxis={"title": {"text": axis_titles[0]}}, yaxis={"title": {"text": axis_titles[1]}})
    return figure


# The training curves: the loss solid, its value on held-out digits dashed; the KL term in a second colour.
CURVE_STYLES = {"loss": ("#0072B2", "solid"), "val_loss": ("#0072B2", "dash"),
                "kl_loss": ("#D55E00", "solid"), "val_kl_loss": ("#D55E00", "dash")}


def training_curves(curves: dict[str, list[float]], *, words: dict[str, str], height: int = 380) -> go.Figure:
    """Per-epoch curves, one trace each (curves: key -> values, keys of CURVE_STYLES); the KL term, when
    given, gets its own panel below, since its scale is not the loss's.

    words names each trace by its key, and the axes ("epoch", "axis_loss", "axis_kl").
    """
    from plotly.subplots import make_subplots

    with_kl = any(key.startswith(("kl", "val_kl")) for key in curves)
    figure = make_subplots(rows=2 if with_kl else 1, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           row_heights=[0.62, 0.38] if with_kl else None)
    for key, values in curves.items():
        colour, dash = CURVE_STYLES[key]
        figure.add_trace(go.Scatter(
            x=np.arange(1, len(values) + 1), y=values, mode="lines+markers", name=words.get(key, key),
            line={"color": colour, "dash": dash, "width": 2}, marker={"size": 5},
            hovertemplate="%{x}: %{y:.4g}<extra>" + words.get(key, key) + "</extra>"),
            row=2 if with_kl and key.startswith(("kl", "val_kl")) else 1, col=1)
    figure.update_layout(height=height + (160 if with_kl else 0), margin={"l": 60, "r": 20, "t": 30, "b": 40},
                         plot_bgcolor="#ffffff", hovermode="x unified",
                         legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"})
    figure.update_xaxes(title_text=words.get("epoch", "epoch"), row=2 if with_kl else 1, col=1, dtick=1
                        if max((len(values) for values in curves.values()), default=0) <= 20 else None,
                        showgrid=True, gridcolor="#eeeeee")
    figure.update_yaxes(title_text=words.get("axis_loss", "loss"), row=1, col=1, showgrid=True, gridcolor="#eeeeee")
    if with_kl:
        figure.update_yaxes(title_text=words.get("axis_kl", "KL"), row=2, col=1, showgrid=True, gridcolor="#eeeeee")
    return figure


# The denoising chart: the noisy input in grey, the denoising AE and the plain AE in two of the digit colours.
PSNR_COLOURS = {"input": "#999999", "denoising": "#0072B2", "plain": "#D55E00"}


def psnr_figure(report: dict, words: dict[str, str], height: int = 380) -> go.Figure:
    """Mean PSNR against noise level from the denoising report: Gaussian strength on the left, salt-and-pepper
    amount on the right, each with the noisy input, the denoising AE and the plain AE; the lesson's own noise
    (mean 0.5, std 0.5) as a separate mark on the left.

    words: 'gaussian', 'salt_and_pepper' (panel titles), 'input', 'denoising', 'plain' (series), 'lesson' (the
    lesson's mark), 'psnr' (the y axis). An input identical to the digit (level 0) has no finite PSNR: its point
    is left out, not drawn at the cap.
    """
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=(words["gaussian"], words["salt_and_pepper"]),
                           shared_yaxes=True, horizontal_spacing=0.06)
    series = {"input": "input", "denoising": report["denoising"], "plain": report["plain"]}
    cap = report["psnr_cap_db"]
    for column, kind in ((1, "gaussian"), (2, "salt_and_pepper")):
        points = report["curves"][kind]
        for role, name in series.items():
            values = [point["psnr"][name] for point in points]
            figure.add_trace(go.Scatter(
                x=[point["level"] for point in points], y=[None if value >= cap else value for value in values],
                mode="lines+markers", name=words[role], legendgroup=role, showlegend=column == 1,
                line={"color": PSNR_COLOURS[role], "dash": "dot" if role == "input" else "solid"},
                hovertemplate=f"{words[role]}: %{{y:.1f}} dB<extra></extra>"), row=1, col=column)
    lesson = report["lesson"]
    figure.add_trace(go.Scatter(
        x=[lesson["std"]] * len(series), y=[lesson["psnr"][name] for name in series.values()], mode="markers",
        name=words["lesson"], marker={"symbol": "star", "size": 13, "color": list(PSNR_COLOURS.values()),
                                      "line": {"color": "#111111", "width": 1}},
        hovertemplate=f"{words['lesson']}: %{{y:.1f}} dB<extra></extra>"), row=1, col=1)
    figure.update_yaxes(title_text=words["psnr"], row=1, col=1)
    figure.update_layout(height=height, margin={"l": 50, "r": 10, "t": 40, "b": 40}, hovermode="x",
                         legend={"orientation": "h", "y": -0.18}, template="plotly_white")
    return figure


# The anomaly lesson's two sides: normal digits in blue, anomalies in vermilion (Okabe and Ito).
NORMAL_COLOUR, ANOMALY_COLOUR, THRESHOLD_COLOUR = "#0072B2", "#D55E00", "#111111"


def score_histogram(edges, sides: dict[str, list[int]], thresholds: list[tuple[float, str, str]], *,
                    x_title: str, y_title: str, height: int = 360) -> go.Figure:
    """Score histograms overlaid on a log axis, each side as its share of its own images per bin (so a small
    side is not drowned by a large one), with vertical threshold lines. sides maps a legend name to counts,
    normal first; thresholds are (score, legend name, dash style).

    Written as plain dicts and built without validation, as error_histogram is: it is drawn again on every step
    of the threshold slider, and validating its traces cost more than the rest of the step.
    """
    edges = np.asarray(edges, "float64")
    traces, top = [], 0.0
    for (name, counts), colour in zip(sides.items(), (NORMAL_COLOUR, ANOMALY_COLOUR), strict=False):
        shares = np.asarray(counts, "float64") / max(sum(counts), 1)
        top = max(top, float(shares.max()))
        traces.append({"type": "scatter", "x": edges, "y": np.r_[shares, shares[-1]], "name": name, "mode": "lines",
                       "line": {"shape": "hv", "color": colour, "width": 1.5}, "fill": "tozeroy", "opacity": 0.5})
    for value, name, dash in thresholds:
        traces.append({"type": "scatter", "x": [float(value)] * 2, "y": [0.0, top * 1.05], "name": name,
                       "mode": "lines", "line": {"color": THRESHOLD_COLOUR, "dash": dash, "width": 2}})
    layout = {"height": height, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
              "legend": {"orientation": "h", "y": -0.25}, "xaxis": {"type": "log", "title": {"text": x_title}},
              "yaxis": {"title": {"text": y_title}, "tickformat": ".0%"}, "uirevision": "scores"}
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def roc_figure(fpr, tpr, points: list[tuple[float, float, str, str]], *, curve_name: str, chance_name: str,
               x_title: str, y_title: str, height: int = 360) -> go.Figure:
    """A ROC curve over the chance diagonal, with marked operating points (false positive rate, recall, legend
    name, marker symbol). Plain dicts, built without validation, like score_histogram."""
    traces = [{"type": "scatter", "x": [0, 1], "y": [0, 1], "name": chance_name, "mode": "lines",
               "line": {"color": "#999999", "dash": "dot"}},
              {"type": "scatter", "x": list(fpr), "y": list(tpr), "name": curve_name, "mode": "lines",
               "line": {"color": ANOMALY_COLOUR}}]
    traces += [{"type": "scatter", "x": [float(x)], "y": [float(y)], "name": name, "mode": "markers",
                "marker": {"color": THRESHOLD_COLOUR, "size": 11, "symbol": symbol}} for x, y, name, symbol in points]
    layout = {"height": height, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
              "legend": {"orientation": "h", "y": -0.25},
              "xaxis": {"title": {"text": x_title}, "range": [0, 1], "tickformat": ".0%"},
              "yaxis": {"title": {"text": y_title}, "range": [0, 1.02], "tickformat": ".0%"}, "uirevision": "roc"}
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


# A student's own digit: its star and rings on the walls (drawn by the walls' listener) and its line on the histogram.
LANDING_COLOUR = "#E0001B"


def error_histogram(edges: np.ndarray, counts: np.ndarray, score: float, *, words: dict[str, str],
                    height: int = 260) -> go.Figure:
    """The test digits' reconstruction errors as bars, and a line at the student's own digit's error.

    words: "x_title", "y_title", "yours" (the line's label).
    """
    edges, counts = np.asarray(edges, "float64"), np.asarray(counts)
    centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    score, top = float(score), max(float(edges[-1]), float(score) * 1.08)
    # Written as plain dicts and built without validation: it is drawn again on every stroke a student draws,
    # and Plotly's add_vline and update_layout cost more than the rest of the figure.
    bars = {"type": "bar", "x": centres, "y": counts, "width": widths, "marker": {"color": "#9aa5b1"},
            "hoverinfo": "skip", "showlegend": False}
    line = {"type": "line", "xref": "x", "x0": score, "x1": score, "yref": "y domain", "y0": 0, "y1": 1,
            "line": {"color": LANDING_COLOUR, "width": 3}}
    label = {"xref": "x", "x": score, "yref": "y domain", "y": 1, "text": words["yours"], "showarrow": False,
             "xanchor": "left", "yanchor": "bottom", "font": {"color": LANDING_COLOUR}}
    layout = {"height": height, "margin": {"l": 50, "r": 20, "t": 30, "b": 45}, "bargap": 0,
              "plot_bgcolor": "#ffffff", "xaxis": {"title": {"text": words["x_title"]}, "range": [0.0, top]},
              "yaxis": {"title": {"text": words["y_title"]}}, "shapes": [line], "annotations": [label]}
    return go.Figure({"data": [bars], "layout": layout}, _validate=False)
