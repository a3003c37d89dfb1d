"""The app headless through Streamlit's AppTest: every page, the widgets by key, forged values, missing files.

AppTest cannot click a chart; a click is set the way the page stores it (st.session_state[key] holds what
the browser sent) and the page is checked for what it does with it. The click itself is tested in
test_browser.py.
"""

from __future__ import annotations

import math
import re
import shutil

import pytest

from latentwall import config, i18n, latent, reports, store
from lessons.compare import logic as claims
from tests.helpers import assert_clean

PAGES = ["lessons/wall/page.py", "lessons/interpolation/page.py", "lessons/compare/page.py"]
VERDICT = re.compile(r'data-lw="verdict" data-lw-model="(\w+)" data-lw-x="([^"]+)" data-lw-y="([^"]+)"')


def markdown_text(test) -> str:
    return "\n".join(element.value for element in test.markdown)


def html_text(test) -> str:
    return "\n".join(str(element.proto.body) for element in test.get("html"))


def coordinate(test) -> tuple[float, float] | None:
    """The decoded coordinate the verdict panel's hooks report."""
    found = VERDICT.search(html_text(test))
    return (float(found.group(2)), float(found.group(3))) if found else None




def wall_of(root, kind="ae") -> store.Wall:
    return store.load_wall(store.wall_path(config.dataset_dir(root), kind))


def test_home_page_tells_the_story_and_links_the_pages(app):
    test = app()
    assert_clean(test)
    text = markdown_text(test)
    assert "N.Coder" in text and "D.Coder" in text and "latent space" in text
    assert len(test.get("page_link")) == 9  # every page but home
    assert len(test.sidebar.radio) == 0, "the AE/VAE switch is only on pages that show one model at a time"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_errors(app, page):
    test = app(page)
    assert_clean(test)
    assert (len(test.sidebar.radio) == 1) == (page == "lessons/wall/page.py"), "the model switch where it is used"
    assert test.title[0].value
    assert test.get("plotly_chart"), "every page shows at least one wall"


def test_model_switch_changes_the_wall_page(app):
    test = app("lessons/wall/page.py")
    assert "Autoencoder (AE)" in markdown_text(test)
    test.sidebar.radio(key="model-en").set_value("vae").run()
    assert_clean(test)
    assert "Variational autoencoder (VAE)" in markdown_text(test)


def test_a_click_on_a_digit_decodes_it_and_shows_original_and_reconstruction(app, smoke_models):
    wall = wall_of(smoke_models)
    index = 7
    x, y = (float(value) for value in wall.codes[index])
    test = app("lessons/wall/page.py", **{"wall-pick-ae": {"x": x, "y": y, "index": index}})
    assert_clean(test)
    assert coordinate(test) == pytest.approx((x, y), abs=1e-3)
    assert f"#{index}, a {int(wall.labels[index])}" in html_text(test)
    pictures = html_text(test)
    assert pictures.count("<img") == 1 + 5 + 2, "decoded image, five neighbours, original and reconstruction"
    assert "The reader sees:" in html_text(test)


def test_a_click_on_empty_space_decodes_without_a_digit(app, smoke_models):
    box = latent.wall_box(wall_of(smoke_models))
    x, y = box[0] + 0.02 * (box[1] - box[0]), box[3] - 0.02 * (box[3] - box[2])
    test = app("lessons/wall/page.py", **{"wall-pick-ae": {"x": x, "y": y, "index": None}})
    assert_clean(test)
    assert coordinate(test) == pytest.approx((x, y), abs=1e-3)
    assert "You clicked test digit" not in html_text(test)
    assert html_text(test).count("<img") == 1 + 5


@pytest.mark.parametrize("forged", [
    {"x": float("nan"), "y": 0.0}, {"x": "0.1", "y": None}, {"x": [1], "y": {}}, "not a dict", 42, None,
    {"x": 0.0, "y": 0.0, "index": -1}, {"x": 0.0, "y": 0.0, "index": 10**12}, {"x": 0.0, "y": 0.0, "index": "3; drop"},
    {"x": 0.0, "y": 0.0, "index": float("nan")}, {"x": 0.0, "y": 0.0, "index": 2.5},
])
def test_forged_clicks_never_raise(app, forged):
    test = app("lessons/wall/page.py", **{"wall-pick-ae": forged})
    assert_clean(test)
    assert "You clicked test digit" not in html_text(test)


@pytest.mark.parametrize("x, y", [(1e308, -1e308), (math.inf, -math.inf), (-0.0, 1e30)])
def test_extreme_clicks_are_clamped_to_the_wall(app, smoke_models, x, y):
    box = latent.wall_box(wall_of(smoke_models))
    test = app("lessons/wall/page.py", **{"wall-pick-ae": {"x": x, "y": y}})
    assert_clean(test)
    shown_x, shown_y = coordinate(test)
    assert box[0] - 1e-3 <= shown_x <= box[1] + 1e-3 and box[2] - 1e-3 <= shown_y <= box[3] + 1e-3


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_paint_random_points_shows_their_verdicts(app, kind):
    test = app("lessons/wall/page.py", model=kind)
    test.slider(key="paint-count").set_value(8).run()
    test.button(key="paint-button").click().run()
    assert_clean(test)
    assert re.search(r"confident about \d+ of 8", markdown_text(test))
    assert [len(image.captions) for image in test.get("image")] == [8]
    chart = test.get("plotly_chart")[0].proto.spec
    assert '"name":"random"' in chart


def test_forged_paint_state_is_capped(app):
    test = app("lessons/wall/page.py", **{"painted-ae": {"count": 10**9, "seed": -5}})
    assert_clean(test)
    assert re.search(rf"of {latent.MAX_PAINTED}:", markdown_text(test))


def test_interpolation_by_index_and_the_weight_slider(app, smoke_models):
    labels = wall_of(smoke_models).labels
    test = app("lessons/interpolation/page.py")
    test.radio(key="interp-way-en").set_value("index").run()
    test.number_input(key="interp-index-a").set_value(5).run()
    test.number_input(key="interp-index-b").set_value(9).run()
    assert_clean(test)
    assert f"**#5** (a {labels[5]}) to **#9** (a {labels[9]})" in markdown_text(test)
    test.slider(key="interp-weight").set_value(0.25).run()
    assert_clean(test)
    captions = [caption for image in test.get("image") for caption in image.captions]
    assert sum("w = 0.25" in caption for caption in captions) == 2, "one decoded point per model"
    assert sum("ten steps" in caption for caption in captions) == 2
    assert any("double exposure" in caption for caption in captions)


def test_interpolation_by_class_picks_digits_of_those_classes(app, smoke_models):
    labels = wall_of(smoke_models).labels
    test = app("lessons/interpolation/page.py")
    test.selectbox(key="interp-class-a").set_value(1).run()
    test.selectbox(key="interp-class-b").set_value(7).run()
    assert_clean(test)
    found = re.search(r"\*\*#(\d+)\*\* \(a 1\) to \*\*#(\d+)\*\* \(a 7\)", markdown_text(test))
    assert found and labels[int(found.group(1))] == 1 and labels[int(found.group(2))] == 7
    before = found.groups()
    for _ in range(3):
        test.button(key="interp-reroll").click().run()
        again = re.search(r"\*\*#(\d+)\*\* \(a 1\) to \*\*#(\d+)\*\* \(a 7\)", markdown_text(test))
        assert again, "a new draw keeps the classes"
        if again.groups() != before:
            break
    else:
        pytest.fail("three new draws all gave the same pair")


def test_interpolation_by_clicking_uses_the_stored_picks(app, smoke_models):
    test = app("lessons/interpolation/page.py", **{"interp-click-a": 11, "interp-click-b": 3})
    test.radio(key="interp-way-en").set_value("click").run()
    assert_clean(test)
    assert "**#11**" in markdown_text(test) and "**#3**" in markdown_text(test)
    assert len(test.get("plotly_chart")) == 2


def test_forged_interpolation_values_never_raise(app):
    test = app("lessons/interpolation/page.py", **{"interp-click-a": 10**9, "interp-click-b": float("nan"),
                                                 "interp-seed": "x", "interp-way": "click"})
    assert_clean(test)
    assert "**#0**" in markdown_text(test)


def test_comparison_without_an_evaluation_names_the_command(app):
    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code)
    assert "orders of magnitude" in test.warning[0].value
    assert len(test.get("plotly_chart")) == 2


def test_comparison_shows_the_defects_table(app, evaluated_models, use_models):
    use_models(evaluated_models)
    test = app("lessons/compare/page.py", **{"compare-pick-vae": {"x": 0.0, "y": 0.0}})
    assert_clean(test)
    table = test.table[-1].value
    assert len(table) == len(reports.defect_rows(reports.load_evaluation(config.dataset_dir(evaluated_models))))
    assert "–" not in table.to_string(), "every number of the report is shown"
    assert coordinate(test) is not None, "a click on the VAE wall decodes"


@pytest.mark.parametrize("page", [None, *PAGES])
def test_missing_models_give_the_training_command(app, use_models, tmp_path, page):
    use_models(tmp_path / "nowhere")
    test = app(page)
    assert not test.exception
    if page is None:
        assert not test.error, "the home page needs no models"
        return
    assert "missing or damaged" in test.error[0].value
    assert any(code.value == config.TRAIN_COMMAND for code in test.code)


def test_a_flipped_byte_gives_the_friendly_page(app, smoke_models, use_models, tmp_path):
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    damaged = config.dataset_dir(tmp_path) / "vae" / "decoder.keras"
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    use_models(tmp_path)
    test = app("lessons/wall/page.py")
    assert not test.exception
    assert "missing or damaged" in test.error[0].value
    assert "damaged" in test.text[0].value
    assert any(code.value == config.TRAIN_COMMAND for code in test.code)


def test_a_damaged_export_with_a_recomputed_manifest_gives_the_friendly_page(app, smoke_models, use_models,
                                                                            tmp_path):
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    damaged = config.dataset_dir(tmp_path) / "ae" / "decoder.onnx"
    damaged.write_bytes(damaged.read_bytes()[:-4096])
    store.write_manifest(config.dataset_dir(tmp_path))
    use_models(tmp_path)
    test = app("lessons/wall/page.py")
    assert not test.exception
    assert "missing or damaged" in test.error[0].value
    assert any(code.value == config.TRAIN_COMMAND for code in test.code)


def test_missing_data_keeps_the_app_working(app, smoke_models, monkeypatch, tmp_path):
    wall = wall_of(smoke_models)
    test_app = app("lessons/wall/page.py")
    monkeypatch.setenv(config.DATA_ENV_VAR, str(tmp_path / "absent.npz"))
    test_app.session_state["wall-pick-ae"] = {"x": float(wall.codes[2, 0]), "y": float(wall.codes[2, 1]), "index": 2}
    test_app.run()
    assert not test_app.exception and not test_app.error
    assert "were not found on the server" in test_app.info[0].value
    assert config.DATA_ENV_VAR in test_app.info[0].value and "--data" not in test_app.info[0].value
    assert coordinate(test_app) is not None, "decoding still works without the images"
    assert html_text(test_app).count("<img") == 1 + 1, "decoded image and reconstruction, no real digits"


def test_the_effective_server_config_is_locked_down(monkeypatch):
    from streamlit import config as streamlit_config

    monkeypatch.chdir(config.PROJECT_ROOT)
    try:
        streamlit_config.get_config_options(force_reparse=True)
        assert streamlit_config.get_option("server.enableXsrfProtection") is True
        assert streamlit_config.get_option("server.enableCORS") is True
        assert streamlit_config.get_option("server.enableStaticServing") is False
        assert streamlit_config.get_option("server.maxUploadSize") <= 1
        assert str(streamlit_config.get_option("client.showErrorDetails")).lower() in {"none", "false"}
        assert streamlit_config.get_option("client.toolbarMode") == "viewer"
    finally:
        monkeypatch.undo()
        streamlit_config.get_config_options(force_reparse=True)



def test_two_sessions_read_two_languages_at_once(app):
    chinese = app(query={"lang": "zh-Hant"})
    english = app(query={"lang": "en"})
    chinese.run()
    assert chinese.title[0].value == i18n.load_strings("zh-Hant")("home.title")
    assert english.title[0].value == i18n.load_strings("en")("home.title")
    assert_clean(chinese)
    assert chinese.sidebar.selectbox(key="language-switch").value == "zh-Hant"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_simplified_chinese(app, page):
    test = app(page, query={"lang": "zh-Hans"})
    assert_clean(test)
    assert test.title[0].value in {i18n.load_strings("zh-Hans")(f"{name}.title") for name in
                                   ("wall", "interpolation", "compare")}


# The lessons' pages, each with the strings key of its title.
LESSON_PAGES = {"lessons/compression/page.py": "compression", "lessons/models/page.py": "models_page",
                "lessons/denoising/page.py": "denoising", "lessons/vae20/page.py": "vae20",
                "lessons/anomaly/page.py": "anomaly", "lessons/your_digit/page.py": "digit"}


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("page", list(LESSON_PAGES))
def test_every_lesson_page_renders_in_each_language(app, evaluated_models, use_models, page, language):
    """Each lesson's page runs clean on the tiny models and their reports, titled in the language asked for,
    with its charts or pictures."""
    use_models(evaluated_models)
    test = app(page, query={"lang": language})
    assert_clean(test)
    assert test.title[0].value == i18n.load_strings(language)(f"{LESSON_PAGES[page]}.title")
    if page == "lessons/your_digit/page.py":  # Before a drawing: the pad and the upload.
        assert test.get("file_uploader"), "the upload"
        return
    pictures = [element for kind in ("plotly_chart", "imgs") for element in test.get(kind)]
    assert pictures or any("<img" in element.proto.body for element in test.get("html")), "its pictures"


def test_the_language_switch_changes_the_words_and_the_address(app):
    test = app()
    test.sidebar.selectbox(key="language-switch").set_value("zh-Hans").run()
    assert_clean(test)
    assert test.title[0].value == i18n.load_strings("zh-Hans")("home.title")
    assert test.query_params["lang"] == ["zh-Hans"] or test.query_params["lang"] == "zh-Hans"


def test_a_link_brings_back_the_wall_view(app, smoke_models):
    box = latent.wall_box(wall_of(smoke_models, "vae"))
    x, y = box[0] + 0.3 * (box[1] - box[0]), box[2] + 0.6 * (box[3] - box[2])
    test = app("lessons/wall/page.py", query={"model": "vae", "x": f"{x:.6g}", "y": f"{y:.6g}"})
    assert_clean(test)
    assert test.sidebar.radio(key="model-en").value == "vae"
    found = VERDICT.search(html_text(test))
    assert found and found.group(1) == "vae"
    assert (float(found.group(2)), float(found.group(3))) == pytest.approx((x, y), abs=1e-3)


def test_a_link_brings_back_the_interpolation(app, smoke_models):
    labels = wall_of(smoke_models).labels
    test = app("lessons/interpolation/page.py", query={"a": "5", "b": "9", "w": "0.3"})
    assert_clean(test)
    assert test.radio(key="interp-way-en").value == "index"
    assert f"**#5** (a {labels[5]}) to **#9** (a {labels[9]})" in markdown_text(test)
    captions = [caption for image in test.get("image") for caption in image.captions]
    assert sum("w = 0.30" in caption for caption in captions) == 2


@pytest.mark.parametrize("query", [{"lang": "klingon"}, {"model": "gan"}, {"x": "nan", "y": "0"},
                                   {"a": "99999999", "b": "-4"}, {"w": "1e999"}, {"x": "1" * 500, "y": "2"}])
def test_a_forged_address_gives_the_default_view_and_a_note(app, query):
    test = app(query=query)
    assert_clean(test)
    assert any("could not be used" in info.value for info in test.info)


def test_the_claims_panel_shows_the_measured_figures_and_reveals_the_verdicts(app, evaluated_models, use_models,
                                                                              tmp_path):
    """The figures come from evaluation.json, AE and VAE each in their own column; the verdicts stay hidden until
    the student reveals them, and follow the report: a report edited so the AE's areas are even says so."""
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    report = store.read_json(folder / store.EVALUATION_FILE)
    report["ae"]["area"]["shares"] = [0.1] * 10
    store.write_json(folder / store.EVALUATION_FILE, report)
    store.write_manifest(folder)
    use_models(copy)
    strings = i18n.load_strings("en")

    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert test.subheader[-2].value == strings("claims.title")
    table = test.table[0].value
    assert list(table[strings("claims.column_claim")]) == [strings(f"claims.{key}.claim") for key in claims.CLAIMS]
    rows = dict(zip(claims.CLAIMS, table.to_dict("records")))
    for kind in ("ae", "vae"):
        step = report[kind]["continuity"]
        assert f"{step['flip_share']:.1%}" in rows["neighbours"][strings(f"models.{kind}")]
        assert f"{report[kind]['gaps']['box']['far_share']:.0%}" in rows["gaps"][strings(f"models.{kind}")]
    assert rows["uneven"][strings("models.ae")] == strings("claims.uneven.figure", ratio=1.0)
    assert set(table[strings("claims.column_verdict")]) == {strings("claims.hidden")}, "no verdict before a guess"

    test.toggle(key="claims-reveal").set_value(True).run()
    assert_clean(test)
    verdicts = dict(zip(claims.CLAIMS, test.table[0].value[strings("claims.column_verdict")]))
    assert verdicts["uneven"] == f"{strings('claims.verdict_fails')}: {strings('claims.uneven.fails')}"
    for claim in claims.judge(report):
        assert verdicts[claim.key].startswith(strings(f"claims.verdict_{claim.verdict}"))


def test_an_evaluation_without_the_claims_figures_names_the_command(app, evaluated_models, use_models, tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    report = store.read_json(folder / store.EVALUATION_FILE)
    del report["vae"]["continuity"]
    store.write_json(folder / store.EVALUATION_FILE, report)
    store.write_manifest(folder)
    use_models(copy)
    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert any(info.value == i18n.load_strings("en")("claims.outdated") for info in test.info)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code)


def test_a_new_evaluation_reaches_pages_already_open(app, evaluated_models, use_models, tmp_path):
    """Pages draw their reports' tables and charts once per process; a report written again (a new evaluation while
    the server runs) is drawn again on the next run, not served from before."""
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    use_models(copy)
    strings = i18n.load_strings("en")
    compare, denoising_page = app("lessons/compare/page.py"), app("lessons/denoising/page.py")
    assert_clean(compare)
    assert not any(info.value == strings("claims.outdated") for info in compare.info), "the claims are judged"
    shown = store.read_json(folder / "denoising.json")["digits"]
    assert strings("denoising.chart_caption", digits=shown) in [caption.value for caption in denoising_page.caption]

    report = store.read_json(folder / store.EVALUATION_FILE)
    del report["vae"]["continuity"]
    store.write_json(folder / store.EVALUATION_FILE, report)
    noise_report = store.read_json(folder / "denoising.json")
    noise_report["digits"] = shown + 1
    store.write_json(folder / "denoising.json", noise_report)
    store.write_manifest(folder)
    compare.run()
    denoising_page.run()
    assert any(info.value == strings("claims.outdated") for info in compare.info), "the new report is judged"
    assert strings("denoising.chart_caption", digits=shown + 1) in [caption.value for caption in denoising_page.caption]


@pytest.mark.parametrize("page, action", [
    ("lessons/wall/page.py", lambda test: test.button(key="paint-button").click().run()),
    ("lessons/interpolation/page.py", lambda test: test),
    ("lessons/compare/page.py", lambda test: test),
])
def test_digit_pictures_are_sent_as_png(app, page, action):
    """Grey digits are sent losslessly: as JPEG (st.image's choice for a picture without alpha) their strokes
    would blur and ring, on the very pictures the lessons ask students to look at closely."""
    test = app(page)
    action(test)
    assert_clean(test)
    urls = [image.url for element in test.get("image") for image in element.proto.imgs]
    assert urls, "the page shows pictures"
    assert all(url.endswith(".png") for url in urls), urls
