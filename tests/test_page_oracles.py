"""Page oracles: what a page shows, checked against an independent computation for the same input (the named
model's own decode, the report's own figure), so a page wired to the wrong model, a swapped column or a control
that no longer changes what it names turns a test red."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest

from latentwall import datasets, i18n, inference, latent, measures, registry, reports, store
from tests.helpers import MNIST_FILE, assert_clean

STRINGS = i18n.load_strings("en")
KINDS = registry.WALL_KINDS


def values(array) -> np.ndarray:
    """A Plotly figure's array as sent to the browser: a plain list, or typed bytes in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype="float64")


def verdict_captions(model, reader, codes: np.ndarray) -> list[str]:
    """What the wall page must write under each painted code: the named model's decode, read by the reader."""
    digits, confidences = reader.read(model.decoder.decode(codes))
    return [STRINGS("wall.verdict_yes" if measures.verdict_is_readable(confidence) else "wall.verdict_no",
                    digit=int(digit), confidence=float(confidence)) for digit, confidence in zip(digits, confidences,
                                                                                                strict=True)]


@pytest.mark.parametrize("kind", KINDS)
def test_painted_codes_are_the_chosen_models_decodes_at_the_marked_spots(app, smoke_models, kind, media):
    models = inference.load_models(smoke_models)
    test = app("lessons/wall/page.py", model=kind)
    test.slider(key="paint-count").set_value(12).run()
    test.button(key="paint-button").click().run()
    assert_clean(test)
    painting = test.session_state[f"painted-{kind}"]
    codes = latent.random_codes(kind, models[kind].wall.codes, painting["count"], painting["seed"])
    assert len(codes) == 12, "the slider's count is what is painted"
    (image,) = test.get("image")
    assert list(image.captions) == verdict_captions(models[kind], models.reader, codes)
    decoded = models[kind].decoder.decode(codes)
    for shown, expected in zip(image.proto.imgs, decoded, strict=True):
        np.testing.assert_allclose(grey(media[shown.url.rsplit("/", 1)[1].split(".")[0]]), as_shown(expected[None], 3),
                                   atol=1.5 / 255)
    chart = json.loads(test.get("plotly_chart")[0].proto.spec)
    (marked,) = [trace for trace in chart["data"] if trace.get("name") == "random"]
    np.testing.assert_allclose(np.column_stack([values(marked["x"]), values(marked["y"])]), codes, atol=1e-5)


@pytest.fixture
def media(monkeypatch) -> dict[str, bytes]:
    """Every media file the app stores during the test, by its file id (the name in its /media/ address)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stored: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = keep(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, bytes):
            stored[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return stored


def grey(data: bytes) -> np.ndarray:
    """A PNG's pixels in [0, 1]."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype="float64") / 255.0


def pictures_by_caption(test, media: dict[str, bytes]) -> dict[str, np.ndarray]:
    """Each st.image picture the page shows, by its caption, as pixels in [0, 1]."""
    shown = {}
    for element in test.get("image"):
        for image in element.proto.imgs:
            shown[image.caption] = grey(media[image.url.rsplit("/", 1)[1].split(".")[0]])
    return shown


def as_shown(images: np.ndarray, scale: int) -> np.ndarray:
    """Decoded (n, h, w) images side by side, as the page draws them: grey levels, each pixel scale times."""
    row = np.concatenate(list(np.clip(images, 0.0, 1.0)), axis=1)
    return np.kron(np.round(row * 255) / 255, np.ones((scale, scale)))


def straight_path(start: np.ndarray, end: np.ndarray, positions) -> np.ndarray:
    """Codes at w along the line from start (w = 0) to end (w = 1): (1 - w) * start + w * end."""
    positions = np.asarray(positions, dtype="float64")[:, None]
    return (1.0 - positions) * start[None, :] + positions * end[None, :]


def test_interpolation_shows_each_models_decodes_along_the_path_from_start_to_end(app, smoke_models, media):
    start, end, weight = 5, 9, 0.2
    models = inference.load_models(smoke_models)
    test = app("lessons/interpolation/page.py", query={"a": str(start), "b": str(end), "w": f"{weight}"})
    assert_clean(test)
    shown = pictures_by_caption(test, media)
    for kind in KINDS:
        model = models[kind]
        codes = model.wall.codes[[start, end]].astype("float64")
        at_weight = model.decoder.decode(straight_path(codes[0], codes[1], [weight]).astype("float32"))
        (caption,) = [caption for caption in shown if caption.startswith(f"{STRINGS(f'models.{kind}_short')}, w =")]
        digits, confidences = models.reader.read(at_weight)
        assert caption.startswith(STRINGS("interpolation.decoded_caption", model=STRINGS(f"models.{kind}_short"),
                                          weight=weight, digit=int(digits[0]), confidence=float(confidences[0]),
                                          start=start, end=end))
        np.testing.assert_allclose(shown[caption], as_shown(at_weight, 4), atol=1.5 / 255)
        strip = model.decoder.decode(straight_path(codes[0], codes[1], np.linspace(0, 1, 10)).astype("float32"))
        film = STRINGS("interpolation.filmstrip_caption", model=STRINGS(f"models.{kind}"))
        np.testing.assert_allclose(shown[film], as_shown(strip, 2), atol=1.5 / 255)


def test_interpolation_of_any_recipe_decodes_its_own_codes_of_the_two_digits(app, smoke_models, media):
    from latentwall import registry

    start, end, weight = 5, 9, 0.2
    recipe = min((item for item in registry.interpolable() if item.latent_dim > 2), key=lambda item: item.latent_dim)
    model = inference.load_recipe(recipe.name, smoke_models)
    pixels = datasets.as_images(datasets.load(registry.MNIST, MNIST_FILE, download=False).x_test[[start, end]])[..., 0]
    ends = model.encode(pixels).astype("float64")
    test = app("lessons/interpolation/page.py",
               query={"recipe": recipe.name, "a": str(start), "b": str(end), "w": f"{weight}"})
    assert_clean(test)
    shown = pictures_by_caption(test, media)
    (caption,) = [caption for caption in shown if caption.startswith(f"{recipe.name}, w = {weight:.2f}")]
    at_weight = model.decode(straight_path(ends[0], ends[1], [weight]).astype("float32"))
    np.testing.assert_allclose(shown[caption], as_shown(at_weight, 4), atol=1.5 / 255)
    (film,) = [caption for caption in shown if caption.startswith(f"{recipe.name}: 10 frames")]
    strip = model.decode(straight_path(ends[0], ends[1], np.linspace(0, 1, 10)).astype("float32"))
    np.testing.assert_allclose(shown[film], as_shown(strip, 2), atol=1.5 / 255)


VERDICT = re.compile(r'data-lw="verdict" data-lw-model="(\w+)" data-lw-x="([^"]+)" data-lw-y="([^"]+)" '
                     r'data-lw-digit="(\d)" data-lw-confidence="([^"]+)"')


def test_compare_shows_each_models_manifold_verdicts_and_defects_in_its_own_column(app, evaluated_models,
                                                                                   use_models, media):
    from latentwall import config

    use_models(evaluated_models)
    models = inference.load_models(evaluated_models)
    spot = {"ae": (1.0, -2.0), "vae": (0.5, 0.25)}
    test = app("lessons/compare/page.py", **{f"compare-pick-{kind}": {"x": x, "y": y, "index": None, "at": None}
                                             for kind, (x, y) in spot.items()})
    assert_clean(test)
    shown = pictures_by_caption(test, media)
    html = "\n".join(str(element.proto.body) for element in test.get("html"))
    verdicts = {found[1]: found for found in VERDICT.finditer(html)}
    report = reports.load_evaluation(config.dataset_dir(evaluated_models))
    table = test.table[-1].value
    rows = reports.defect_rows(report)
    for number, kind in enumerate(KINDS):
        model = models[kind]
        manifold = latent.manifold(model.decoder, latent.wall_box(model.wall))
        picture = shown[STRINGS("compare.manifold_caption", model=STRINGS(f"models.{kind}"))]
        np.testing.assert_allclose(picture[::2, ::2], np.round(np.clip(manifold, 0, 1) * 255) / 255, atol=1.5 / 255)
        x, y = spot[kind]
        box = latent.wall_box(model.wall)
        clamped = np.array([[min(max(x, box[0]), box[1]), min(max(y, box[2]), box[3])]], dtype="float32")
        digits, confidences = models.reader.read(model.decoder.decode(clamped))
        found = verdicts[kind]
        assert (float(found[2]), float(found[3])) == pytest.approx(tuple(clamped[0]), abs=1e-4)
        assert int(found[4]) == int(digits[0])
        assert float(found[5]) == pytest.approx(float(confidences[0]), abs=1e-4)
        assert list(table[STRINGS(f"models.{kind}")]) == [row[1 + number] for row in rows]


def first_inline_picture(html: str, hook: str) -> np.ndarray:
    """The first picture inside the element marked data-lw=<hook> (the page sends it inline, as PNG data)."""
    block = html[html.index(f'data-lw="{hook}"'):]
    return grey(base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', block)[1]))


def sheet(images: np.ndarray, columns: int, scale: int) -> np.ndarray:
    """Decoded images tiled row by row, columns wide, as shown: grey levels, each pixel scale times."""
    rows = [np.concatenate(list(images[start:start + columns]), axis=1) for start in range(0, len(images), columns)]
    return np.kron(np.round(np.clip(np.concatenate(rows, axis=0), 0, 1) * 255) / 255, np.ones((scale, scale)))


def test_the_20d_page_decodes_each_draws_prior_codes_with_the_model_it_names(app, smoke_models):
    from latentwall import registry

    vae_recipe, plain_recipe = registry.vae_20()
    vae, plain = (inference.load_recipe(recipe.name, smoke_models) for recipe in (vae_recipe, plain_recipe))
    test = app("lessons/vae20/page.py")
    for press in range(2):
        assert_clean(test)
        html = "\n".join(str(element.proto.body) for element in test.get("html"))
        codes = np.random.default_rng(2024 + press).standard_normal((48, vae_recipe.latent_dim)).astype("float32")
        vae_sheet = first_inline_picture(html, "vae20-samples")
        np.testing.assert_allclose(vae_sheet, sheet(vae.decode(codes), 8, 2), atol=1.5 / 255)
        plain_sheet = first_inline_picture(html, "vae20-plain")
        np.testing.assert_allclose(plain_sheet, sheet(plain.decode(codes), 8, 2), atol=1.5 / 255)
        test.button(key="vae20-draw").click().run()


def row_pictures(html: str, role: str) -> list[np.ndarray]:
    """The pictures of the denoising examples' row of that role."""
    block = html[html.index(f'data-lw="row" data-lw-role="{role}"'):]
    block = block[:block.index('data-lw="row"', 1)] if 'data-lw="row"' in block[1:] else block
    return [grey(base64.b64decode(data)) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', block)]


def test_denoising_rows_are_the_set_noise_and_each_named_models_repair_of_it(app, smoke_models):
    from latentwall import registry
    from lessons.denoising import logic as denoising

    level = 0.6
    denoiser, plain = registry.denoising_pair()
    models = {recipe.name: inference.load_recipe(recipe.name, smoke_models) for recipe in (denoiser, plain)}
    shown_digits = [0, 1, 2, 3, 4, 7]
    clean = datasets.as_images(datasets.load(registry.MNIST, MNIST_FILE, download=False).x_test[shown_digits])[..., 0]
    test = app("lessons/denoising/page.py")
    test.slider(key="denoise-level").set_value(level).run()
    assert_clean(test)
    html = "\n".join(str(element.proto.body) for element in test.get("html"))
    assert f'data-lw-level="{level:.2f}"' in html
    found = denoising.examples(models, clean, denoising.LESSON, level, 7)
    expected = {"input": found.noisy, "denoising": found.outputs[denoiser.name], "plain": found.outputs[plain.name],
                "clean": clean}
    for role, images in expected.items():
        pictures = row_pictures(html, role)
        assert len(pictures) == len(shown_digits), role
        for picture, image in zip(pictures, images, strict=True):
            np.testing.assert_allclose(picture, sheet(image[None], 1, 3), atol=1.5 / 255, err_msg=role)


@pytest.mark.parametrize("kind", KINDS)
def test_the_models_page_draws_the_chosen_models_own_loss_curves(app, smoke_models, kind):
    from latentwall import config

    history = json.loads((config.dataset_dir(smoke_models) / kind / "history.json").read_text(encoding="utf-8"))
    test = app("lessons/models/page.py")
    test.selectbox(key="models-choice-en").set_value(kind).run()
    assert_clean(test)
    (chart,) = [json.loads(element.proto.spec) for element in test.get("plotly_chart")]
    traces = {trace["name"]: values(trace["y"]) for trace in chart["data"]}
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(traces[STRINGS(f"models_page.curve_{key}")], history[key], rtol=1e-6)


def test_anomaly_metrics_are_the_reports_figures_each_under_its_own_name(app, anomaly_models, use_models, tmp_path):
    """On a report whose figures all differ (tiny models can flag everything, making precision and recall equal)."""
    import shutil

    from latentwall import config, registry
    from lessons.anomaly import logic as anomaly

    root = tmp_path / "models"
    shutil.copytree(anomaly_models, root)
    folder = config.dataset_dir(root)
    report = anomaly.load_report(folder)
    case = report["cases"][anomaly.case_id(anomaly.FASHION, registry.anomaly_scorer().name)]
    case["auc"], case["at_threshold"] = 0.8125, {**case["at_threshold"], "precision": 0.625, "recall": 0.375,
                                                "false_positive_rate": 0.0625}
    store.write_json(folder / anomaly.REPORT_FILE, report)
    store.write_manifest(folder)
    use_models(root)
    test = app("lessons/anomaly/page.py")
    assert_clean(test)
    shown = {metric.label: metric.value for metric in test.metric}

    def share(value) -> str:
        return "–" if value is None else f"{value:.1%}"

    at = case["at_threshold"]
    assert shown[STRINGS("anomaly.auc")] == f"{case['auc']:.3f}"
    assert shown[STRINGS("anomaly.precision")] == share(at["precision"])
    assert shown[STRINGS("anomaly.recall")] == share(at["recall"])
    assert shown[STRINGS("anomaly.false_alarms")] == share(at["false_positive_rate"])
    # The slider opens on its step nearest the fixed threshold: the live figures are that step's, each by its name.
    live = anomaly.live_figures(case, anomaly.nearest_option(anomaly.threshold_options(case), case["threshold"]))
    assert shown[STRINGS("anomaly.live_precision")] == share(live["precision"])
    assert shown[STRINGS("anomaly.live_recall")] == share(live["recall"])
    assert shown[STRINGS("anomaly.live_false_alarms")] == share(live["false_positive_rate"])


@pytest.mark.parametrize(("forged", "shown"), [(float("nan"), "0.50"), ("heavy", "0.50"), (None, "0.50"),
                                               ([0.5], "0.50"), (float("inf"), "1.00"), (-7, "0.00")])
def test_a_forged_weight_is_cleaned_before_the_slider_reads_it(app, forged, shown):
    """Garbage falls back to the middle of the path; a number beyond an end is held at that end."""
    test = app("lessons/interpolation/page.py", **{"interp-weight": forged})
    assert_clean(test)
    captions = [image.caption for element in test.get("image") for image in element.proto.imgs]
    assert sum(f", w = {shown}:" in caption for caption in captions) == len(KINDS), captions
