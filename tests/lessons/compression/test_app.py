"""The compression page under AppTest, and its pure parts: which digits, the triptych's markup, the series the
charts draw."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from latentwall import config, figures, measures, registry, store
from lessons.compression import logic as compression
from tests.helpers import MNIST_FILE, assert_clean

PAGE = "lessons/compression/page.py"
SIZES = [recipe.latent_dim for recipe in registry.sweep("dense-ae")]


def triptychs(test) -> dict[str, str]:
    """The page's triptychs by recipe: {recipe name: markup}."""
    found = {}
    for element in test.get("html"):
        body = element.proto.body
        match = re.search(r'data-lw="triptych" data-lw-recipe="([^"]+)"', body)
        if match:
            found[match.group(1)] = body
    return found


def rows_of(body: str) -> list[tuple[int, float]]:
    return [(int(index), float(mse)) for index, mse in
            re.findall(r'data-lw="row" data-lw-index="(\d+)" data-lw-mse="([0-9.e-]+)"', body)]


def charts(test) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in test.get("plotly_chart")]


def markdown(test) -> str:
    return "\n".join(element.value for element in test.markdown)


@pytest.fixture
def page_with_report(app, evaluated_models, use_models):
    def start(**state):
        use_models(evaluated_models)
        test = app(**state)
        test.switch_page(PAGE).run()
        return test

    return start


def test_the_page_shows_both_families_at_one_size_with_ten_digits_each(page_with_report, evaluated_models):
    test = page_with_report()
    assert not test.exception
    shown = triptychs(test)
    size = test.select_slider(key="comp-size").value
    assert set(shown) == {registry.sweep("dense-ae")[SIZES.index(size)].name,
                          registry.sweep("pca")[SIZES.index(size)].name}
    for body in shown.values():
        rows = rows_of(body)
        assert len(rows) == 10
        assert len({index for index, _ in rows}) == 10
        assert body.count("<img") == 30  # Original, copy and error for each.


def test_the_rows_mse_is_the_recipes_own(page_with_report, evaluated_models):
    from latentwall import inference

    test = page_with_report()
    size = test.select_slider(key="comp-size").value
    recipe = next(item for item in registry.sweep("pca") if item.latent_dim == size)
    rows = rows_of(triptychs(test)[recipe.name])
    with np.load(MNIST_FILE, allow_pickle=False) as stored:
        images = stored["x_test"][[index for index, _ in rows]].astype("float32") / 255.0
    model = inference.load_recipe(recipe.name, evaluated_models)
    expected = measures.reconstruction_errors(images, model.reconstruct(images))
    assert [mse for _, mse in rows] == pytest.approx(expected.tolist(), abs=1e-6)


def test_moving_the_size_changes_the_models_and_the_pictures(page_with_report):
    test = page_with_report()
    before = triptychs(test)
    size = test.select_slider(key="comp-size").value
    other = SIZES[-1] if size != SIZES[-1] else SIZES[0]
    test.select_slider(key="comp-size").set_value(other).run()
    after = triptychs(test)
    assert not set(before) & set(after)
    assert all(registry.recipe(name).latent_dim == other for name in after)
    # The same ten digits, painted by other models: other pictures, other errors.
    assert [index for index, _ in rows_of(next(iter(before.values())))] == \
           [index for index, _ in rows_of(next(iter(after.values())))]
    assert [mse for _, mse in rows_of(next(iter(before.values())))] != \
           [mse for _, mse in rows_of(next(iter(after.values())))]


def test_ten_from_an_index_and_drawing_others(page_with_report):
    test = page_with_report()
    first = [index for index, _ in rows_of(next(iter(triptychs(test).values())))]
    test.button(key="comp-draw").click().run()
    drawn = [index for index, _ in rows_of(next(iter(triptychs(test).values())))]
    assert drawn != first
    test.radio(key="comp-way-en").set_value("index").run()
    test.number_input(key="comp-first").set_value(9995.0).run()
    assert [index for index, _ in rows_of(next(iter(triptychs(test).values())))] == [
        9995, 9996, 9997, 9998, 9999, 0, 1, 2, 3, 4]


def test_forged_values_fall_back(page_with_report):
    test = page_with_report(**{"comp-seed": "junk", "comp-way": "index", "comp-first": float("nan")})
    assert_clean(test)
    assert [index for index, _ in rows_of(next(iter(triptychs(test).values())))] == list(range(10))


def test_the_charts_and_words_come_from_the_report(page_with_report, evaluated_models):
    folder = config.dataset_dir(evaluated_models)
    report = compression.load_report(folder)
    test = page_with_report()
    drawn = charts(test)
    assert len(drawn) == 2
    size_chart, bytes_chart = drawn
    assert size_chart["layout"]["xaxis"]["type"] == "log"
    traces = {trace.get("meta"): trace for trace in bytes_chart["data"]}
    assert traces["jpeg-with_tables"]["x"] == [point["bytes_with_tables"] for point in report["jpeg"]["curve"]]
    assert len(traces["jpeg-without_tables"]["x"]) == 95
    assert bytes_chart["layout"]["xaxis"]["type"] == "log"
    floor = compression.jpeg_floor(report)
    words = markdown(test)
    assert f"**{floor['without_tables']:.0f} bytes**" in words
    assert f"**{floor['with_tables']:.0f} bytes**" in words
    decoder = max(compression.decoder_bytes(folder, recipe) for recipe in registry.WALL_PAIR)
    assert f"**{decoder / 1e6:.1f} MB**" in words
    # The lessons' note: each dense lesson recipe's test MSE from evaluation.json, and the raw-pixel loss.
    measured = json.loads((folder / store.EVALUATION_FILE).read_text())["recipes"]
    table = test.table[0].value
    for recipe in registry.dense_lessons():
        assert f"{measured[recipe.name]['test_mse']:.4f}" in table.to_string()
        if recipe.pixel_range[1] == 255.0:
            assert f"**{255 ** 2 * measured[recipe.name]['test_mse']:,.0f}**" in words


def test_without_the_report_the_page_says_which_command_measures_it(app, smoke_models, tmp_path, use_models):
    root = tmp_path / "models"
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(root))
    use_models(root)
    test = app()
    test.switch_page(PAGE).run()
    assert not test.exception
    assert any("not been measured" in info.value for info in test.info)
    assert any(config.EVALUATE_COMMAND in code.value for code in test.code)
    assert len(triptychs(test)) == 2  # The digits need only the models.
    assert not charts(test)


def test_a_missing_model_is_a_message_not_a_traceback(app, smoke_models, tmp_path, use_models):
    root = tmp_path / "models"
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(root))
    size = 8 if 8 in SIZES else SIZES[0]
    recipe = next(item for item in registry.sweep("dense-ae") if item.latent_dim == size)
    shutil.rmtree(config.dataset_dir(root) / recipe.name)
    use_models(root)
    test = app()
    test.switch_page(PAGE).run()
    assert not test.exception
    assert test.error
    assert any(recipe.name in code.value for code in test.code)


def test_digit_choices():
    drawn = compression.draw_rows(7, 10_000)
    assert len(set(drawn.tolist())) == 10
    assert drawn.max() < 10_000
    assert np.array_equal(drawn, compression.draw_rows(7, 10_000))
    assert not np.array_equal(drawn, compression.draw_rows(8, 10_000))
    assert compression.draw_rows(1, 4).tolist() == [0, 1, 2, 3]
    assert compression.rows_from(9998, 10_000).tolist()[:3] == [9998, 9999, 0]


def test_triptych_markup_carries_each_rows_error():
    originals = np.zeros((2, 28, 28), "float32")
    copies = originals.copy()
    copies[1] = 0.5
    words = {"original": "o", "reconstruction": "r", "error": "e", "row": "#{index} {mse:.3f}"}
    body = compression.triptych_html("pca-2", np.array([3, 4]), originals, copies, words)
    assert rows_of(body) == [(3, 0.0), (4, 0.25)]
    assert "#4 0.250" in body
    assert body.count("<img") == 6
    assert 'data-lw-mse="0.125000"' in body


def test_series_and_figures():
    report = {"codes": {"recipes": {
        recipe.name: {"reader_accuracy": 0.5 + recipe.latent_dim / 1000,
                      "storage": {storage: {"bytes": compression.code_bytes(recipe.latent_dim, storage),
                                            "mse": 1 / recipe.latent_dim} for storage in compression.STORAGES}}
        for recipe in registry.sweep("pca")}}}
    sizes, mses, accuracies = compression.size_series(report, registry.sweep("pca"))
    assert sizes == SIZES
    assert mses == [1 / size for size in SIZES]
    assert compression.size_series(report, registry.sweep("dense-ae")) == ([], [], [])
    assert compression.storage_series(report, registry.sweep("pca"), "uint8")[0] == SIZES
    words = {name: name for name in ("size", "mse", "accuracy", "mse_title", "accuracy_title", "originals", "bytes",
                                     "jpeg_with_tables", "jpeg_without_tables", "quality")}
    figure = figures.code_size_figure([("PCA", sizes, mses, accuracies)], 0.99, words)
    assert figure.layout.xaxis.type == "log"
    assert list(figure.data[0].x) == SIZES
    curve = [{"quality": q, "bytes_with_tables": 200 + q, "bytes_without_tables": 40 + q, "mse": 1 / q}
             for q in (1, 2)]
    figure = figures.bytes_figure(curve, [("PCA", "uint8", "8-bit", [2, 4], [0.5, 0.25], ["a", "b"])], words)
    assert [trace.meta for trace in figure.data] == ["jpeg-with_tables", "jpeg-without_tables", "codes-0-uint8"]
    assert list(figure.data[1].x) == [41, 42]
    assert figure.data[2].name == "PCA, 8-bit"
    assert figure.data[2].marker.symbol == figures.STORAGE_SYMBOLS["uint8"]


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_page_speaks_chinese(page_with_report, language):
    from latentwall import i18n

    test = page_with_report(language=language)
    assert not test.exception
    strings = i18n.load_strings(language)
    assert test.title[0].value == strings("compression.title")
    assert strings("compression.lessons_title") in [header.value for header in test.subheader]
