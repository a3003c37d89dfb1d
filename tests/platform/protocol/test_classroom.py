"""The server as a class meets it: protocol-level students (bench/student.py) against a real
`streamlit run serve.py`. What a click costs the server, counted in what it sends back; and the corpus of
forged messages a hostile client can send, none of which may break a session.
"""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import websockets
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.student import Student
from latentwall import config, latent, store
from latentwall.keras import io as keras_io
from tests.helpers import error_words

WALL = "wall-pick-ae"


def wall_of(root, kind: str = "ae") -> store.Wall:
    return store.load_wall(store.wall_path(config.dataset_dir(root), kind))


def run(coroutine):
    """Run a scenario on its own event loop, in its own thread: Playwright's sync API may own this one's."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def opened(server, page: str = "wall") -> Student:
    student = Student(server.url)
    first = await student.open_page(page)
    assert first.status == "FINISHED_SUCCESSFULLY", first.errors
    assert not first.errors, first.errors
    return student


def assert_answers(run_, x: float, y: float) -> None:
    """The click's run ended cleanly and its verdict panel reports the clicked coordinate."""
    assert not run_.errors, run_.errors
    assert run_.verdict is not None, f"no verdict (run ended {run_.status})"
    assert float(run_.verdict["x"]) == pytest.approx(x, abs=1e-3)
    assert float(run_.verdict["y"]) == pytest.approx(y, abs=1e-3)


def test_a_click_reruns_only_the_decoded_panel(live_server, smoke_models):
    """Fails if the wall figure is sent again on a click, or if a click reruns more than its fragment."""
    box = latent.wall_box(wall_of(smoke_models))

    async def scenario():
        student = Student(live_server.url)
        page = await student.open_page("wall")
        figure_bytes = sum(len(element.plotly_chart.spec) for element in page.of_type("plotly_chart"))
        results = []
        for step in range(5):
            x = box[0] + (0.2 + 0.1 * step) * (box[1] - box[0])
            y = box[2] + 0.5 * (box[3] - box[2])
            before = student.bytes_received
            results.append((await student.click(WALL, x, y), x, y, student.bytes_received - before))
        await student.close()
        return figure_bytes, results

    figure_bytes, results = run(scenario())
    assert figure_bytes > 10_000, "the page view carries the wall"
    for answer, x, y, _ in results:
        assert_answers(answer, x, y)
        assert answer.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY", "only the fragment reran"
        assert not answer.of_type("plotly_chart"), "the wall figure is never sent again on a click"
        assert {element.WhichOneof("type") for element in answer.elements} == {"bidi_component", "html",
                                                                                  "download_button"}
        assert len(answer.of_type("html")) == 1, "one block carries the picture, coordinate and verdict"


def test_a_weight_step_reruns_only_the_decoded_views(live_server):
    async def scenario():
        student = await opened(live_server, "interpolation")
        fragment = student.fragments_of["interp-weight"]
        answers = [await student.send_widget("interp-weight", fragment_id=fragment,
                                             double_array_value={"data": [weight]}) for weight in (0.2, 0.8)]
        await student.close()
        return fragment, answers

    fragment, answers = run(scenario())
    assert fragment, "the weight slider lives in a fragment"
    for answer, weight in zip(answers, (0.2, 0.8), strict=False):
        assert not answer.errors, answer.errors
        assert answer.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
        assert not answer.of_type("plotly_chart"), "the walls are not sent again on a slider step"
        assert sum(f"w = {weight:.2f}" in caption for caption in captions(answer)) == 2


def test_picking_a_digit_reruns_only_the_digits_views_and_moves_the_paths(live_server, smoke_models):
    """A new start digit reruns the pair's fragment: new filmstrips and a new path for each wall's listener,
    and neither wall is sent again."""
    async def scenario():
        student = await opened(live_server, "interpolation")
        fragment = student.fragments_of["interp-class-a"]
        answer = await student.send_widget("interp-class-a", fragment_id=fragment, string_value="6")
        await student.close()
        return fragment, answer

    fragment, answer = run(scenario())
    assert fragment, "the digit pickers live in a fragment"
    assert not answer.errors, answer.errors
    assert answer.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
    assert not answer.of_type("plotly_chart"), "the walls are not sent again when a digit is picked"
    chosen = re.search(r"\*\*#(\d+)\*\* \(a 6\) to \*\*#(\d+)\*\*", answer.text())
    assert chosen, "the chosen pair names the new start digit"
    start, end = (int(number) for number in chosen.groups())
    assert sum("ten steps" in caption for caption in captions(answer)) == 2, "both filmstrips drawn again"
    paths = {data["model"]: data["path"] for data in listener_data(answer) if "path" in data}
    for kind in ("ae", "vae"):
        codes = wall_of(smoke_models, kind).codes
        np.testing.assert_allclose(paths[kind], [codes[start], codes[end]], rtol=1e-6)


def listener_data(answer) -> list[dict]:
    return [json.loads(element.bidi_component.json or "{}") for element in answer.of_type("bidi_component")]


def captions(answer) -> list[str]:
    return [image.caption for element in answer.of_type("imgs") for image in element.imgs.imgs]


# Each forged message: (name, page, coroutine that sends it). After each, the same session must answer a
# normal click on the wall page (or a normal page view) with no error.
def _big_int_x(student):
    return student.send_trigger(student.listeners[WALL], json.dumps(
        [{"event": "click", "value": {"x": 10**400, "y": 0, "index": None}}]))


def _big_int_index(student):
    return student.send_trigger(student.listeners[WALL], json.dumps(
        [{"event": "click", "value": {"x": 0.0, "y": 0.0, "index": 10**400}}]))


def _nan_click(student):
    return student.send_trigger(student.listeners[WALL], '[{"event": "click", "value": {"x": NaN, "y": Infinity}}]')


def _not_a_list(student):
    return student.send_trigger(student.listeners[WALL], '{"event": "click", "value": 7}')


def _radio_integer(student):
    return student.send_widget("model-en", int_value=3)


def _radio_unknown_label(student):
    return student.send_widget("model-en", string_value="GAN")


def _collides_with_a_session_key(student):
    return student.send_widget(WALL, string_value="forged")


def _collides_with_json(student):
    return student.send_widget(WALL, json_value='{"x": 1}')


def _unknown_widget(student):
    return student.send_widget("no-such-widget", double_value=1.0)


def _slider_nan(student):
    return student.send_widget("paint-count", double_array_value={"data": [float("nan"), 1e308]})


FORGERIES = [_big_int_x, _big_int_index, _nan_click, _not_a_list, _radio_integer, _radio_unknown_label,
             _collides_with_a_session_key, _collides_with_json, _unknown_widget, _slider_nan]


@pytest.mark.parametrize("forge", FORGERIES, ids=[forge.__name__.strip("_") for forge in FORGERIES])
def test_a_forged_message_never_breaks_the_session(live_server, smoke_models, forge):
    box = latent.wall_box(wall_of(smoke_models))
    x, y = box[0] + 0.4 * (box[1] - box[0]), box[2] + 0.6 * (box[3] - box[2])

    async def scenario():
        student = await opened(live_server)
        forged = await forge(student)
        after = await student.click(WALL, x, y)
        again = await student.click(WALL, x + 0.01 * (box[1] - box[0]), y)
        await student.close()
        return forged, after, again

    forged, after, again = run(scenario())
    assert not forged.errors, f"the forged message showed an error: {forged.errors}"
    assert forged.status
    assert forged.status != "connection closed"
    assert_answers(after, x, y)
    assert_answers(again, x + 0.01 * (box[1] - box[0]), y)


@pytest.mark.parametrize("value", [{"double_value": float("nan")}, {"int_value": 10**18},
                                   {"double_value": -1e308}, {"double_value": float("inf")}])
def test_forged_interpolation_indices_never_break_the_session(live_server, value):
    async def scenario():
        student = await opened(live_server, "interpolation")
        chosen = await student.send_widget("interp-way-en", string_value="by index")
        assert "interp-index-a" in student.widget_ids, "the index inputs appear"
        forged = await student.send_widget("interp-index-a", **value)
        later = await student.send_widget("interp-weight", double_array_value={"data": [0.3]})
        await student.close()
        return chosen, forged, later

    chosen, forged, later = run(scenario())
    for answer in (chosen, forged, later):
        assert not answer.errors, answer.errors
    assert any("w = 0.30" in caption for caption in captions(later)), "the page still decodes"


def test_a_wrongly_typed_value_costs_only_that_session(live_server):
    """A text value for a number input makes Streamlit's own deserialiser raise before any app code runs,
    and again on each later run of that session (Streamlit 1.67 compacts the stored value before applying
    new ones), so the app cannot repair it. What it can promise: nobody else is touched, and a reload (a new
    session) starts clean. The wall's click listener also tells that student to reload (browser test)."""
    async def scenario():
        forger = await opened(live_server, "interpolation")
        await forger.send_widget("interp-way-en", string_value="by index")
        way = WidgetState(id=forger.widget_ids["interp-way-en"], string_value="by index")
        await forger.rerun([way, WidgetState(id=forger.widget_ids["interp-index-a"], string_value="7")])
        await forger.close()
        fresh = await opened(live_server, "interpolation")
        chosen = await fresh.send_widget("interp-way-en", string_value="by index")
        await fresh.close()
        return chosen

    chosen = run(scenario())
    assert not chosen.errors, chosen.errors
    assert "interp-index-a" in chosen.text() or chosen.of_type("number_input")


def test_deeply_nested_json_is_contained_to_one_run(live_server, smoke_models):
    """Streamlit parses a component's value before any app code runs, so a 100,000-deep array raises
    RecursionError there. What the app can promise: the session is not stuck; the next click works."""
    box = latent.wall_box(wall_of(smoke_models))
    x, y = box[0] + 0.3 * (box[1] - box[0]), box[2] + 0.3 * (box[3] - box[2])

    async def scenario():
        student = await opened(live_server)
        await student.send_trigger(student.listeners[WALL], "[" * 100_000 + "]" * 100_000)
        after = await student.click(WALL, x, y)
        await student.close()
        return after

    assert_answers(run(scenario()), x, y)


def test_a_client_cannot_park_megabytes_in_a_session(live_server):
    """A 20 MB component state is refused at the door (the connection closes as 'message too big')."""
    async def scenario():
        student = await opened(live_server)
        listener_state = student.listeners[WALL].removeprefix("$$STREAMLIT_INTERNAL_KEY_").removesuffix("__events")
        try:
            result = await student.send_widget(listener_state, json_value=json.dumps({"x": "y" * 20_000_000}))
        except websockets.ConnectionClosed:
            result = None
        code = student.closed_by_server
        await student.close()
        fresh = await opened(live_server)
        await fresh.close()
        return result, code

    result, code = run(scenario())
    assert code == 1009, f"the server kept the connection open (run {result and result.status})"


def test_many_students_at_once_all_get_their_own_answer(live_server, smoke_models):
    box = latent.wall_box(wall_of(smoke_models))
    rng = np.random.default_rng(5)
    spots = [(box[0] + rng.uniform(0.1, 0.9) * (box[1] - box[0]), box[2] + rng.uniform(0.1, 0.9) * (box[3] - box[2]))
             for _ in range(12)]

    async def one(x, y):
        student = await opened(live_server)
        answers = [await student.click(WALL, x, y), await student.click(WALL, x, y)]
        await student.close()
        return answers

    async def scenario():
        return await asyncio.gather(*(one(x, y) for x, y in spots))

    for (x, y), answers in zip(spots, run(scenario()), strict=False):
        for answer in answers:
            assert_answers(answer, x, y)


def test_each_wall_decodes_with_its_own_model(live_server, smoke_models):
    """On the comparison page a click on the VAE's wall is answered by the VAE, on the AE's by the AE: the
    verdict names the model, and its digit and confidence are what that model's decoder and the reader give."""
    from latentwall import inference

    models = inference.load_models(smoke_models)

    async def scenario():
        student = await opened(live_server, "compare")
        answers = {}
        for kind in ("ae", "vae"):
            box = latent.wall_box(models[kind].wall)
            x, y = box[0] + 0.35 * (box[1] - box[0]), box[2] + 0.65 * (box[3] - box[2])
            answers[kind] = (await student.click(f"compare-pick-{kind}", x, y), x, y)
        await student.close()
        return answers

    for kind, (answer, x, y) in run(scenario()).items():
        assert_answers(answer, x, y)
        assert answer.verdict["model"] == kind
        code = np.array([[float(answer.verdict["x"]), float(answer.verdict["y"])]], "float32")
        digits, confidences = models.reader.read(models[kind].decoder.decode(code))
        assert int(answer.verdict["digit"]) == int(digits[0])
        assert float(answer.verdict["confidence"]) == pytest.approx(float(confidences[0]), abs=1e-3)


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_the_decoder_files_are_served_once_for_good_and_only_as_checked(live_server, smoke_models, kind):
    """The page's own decoder fetches two things per model: its layer list, and the decoder's own arrays as
    float32 (what Keras loads from decoder.keras), each under an address that names the SHA-256 of the bytes
    served, marked immutable; any other address under the route is a plain 404."""
    import hashlib
    import urllib.error
    import urllib.request

    from latentwall import browser

    addresses = browser.decoder_addresses(smoke_models, kind)
    folder = config.dataset_dir(smoke_models)
    decoder = keras_io.load_keras_model(folder / kind / "decoder.keras")
    expected = {"spec": (folder / kind / "decoder.weights.json").read_bytes(),
                "weights": b"".join(np.asarray(array, "<f4").tobytes() for array in decoder.get_weights())}
    for role in ("spec", "weights"):
        with urllib.request.urlopen(live_server.url + addresses[role]) as response:
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            body = response.read()
        assert body == expected[role], role
        assert hashlib.sha256(body).hexdigest()[:browser.DIGEST_CHARS] in addresses[role], role
    good = addresses["weights"]
    for forged in (good.replace(kind, "reader"), good[:-5] + "0.bin", good[:-4] + ".npz",
                   f"{browser.ROUTE}/{kind}/..%2Fmanifest.json", f"{browser.ROUTE}/{kind}/{'a' * 16}.json"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(live_server.url + forged)
        assert refused.value.code in (400, 404), forged  # Streamlit refuses an encoded "../" itself (400).


def test_a_drawing_the_server_cannot_read_costs_one_run_and_the_next_drawing_lands(live_server):
    """The pad sends each drawing as an event: what Streamlit cannot parse (100,000-deep, cut short) or what is
    no drawing costs that one run; the drawing kept before stays shown, and the next one lands."""
    from bench.class_load import hooked, pad_strokes, pad_value
    from latentwall import i18n
    from lessons.your_digit import logic as drawing

    strings = i18n.load_strings("en")
    refused = strings("digit.refused_bad_drawing", megabytes=drawing.MAX_FILE_BYTES / 1e6,
                      megapixels=drawing.MAX_PIXELS / 1e6, side=drawing.MIN_SIDE)
    rng = np.random.default_rng(3)

    def landing(answer) -> dict:
        return {attributes["model"]: attributes["x"] for block in hooked(answer) for name, attributes in block
                if name == "digit-landing"}

    async def scenario():
        student = await opened(live_server, "draw")
        first = await student.send_event("digit-pad", "drawing", pad_value(pad_strokes(rng)))
        deep = await student.send_trigger(student.triggers["digit-pad"],
                                          '[{"event": "drawing", "value": ' + "[" * 100_000 + "]" * 100_000 + "}]")
        cut = await student.send_trigger(student.triggers["digit-pad"], '[{"event": "drawing", "val')
        number = await student.send_event("digit-pad", "drawing", 42)
        after = await student.send_event("digit-pad", "drawing", pad_value(pad_strokes(rng)))
        await student.close()
        return first, deep, cut, number, after

    first, deep, cut, number, after = run(scenario())
    assert not first.errors, first.errors
    assert set(landing(first)) == {"ae", "vae"}, first.errors
    for answer in (cut, number, after):
        # Exception boxes are not in text(), and hold no traceback with error details off: look at them.
        assert not answer.errors, (answer.errors, error_words(answer.text()))
        assert not error_words(answer.text()), (answer.errors, error_words(answer.text()))
    assert not cut.errors, "what cannot be parsed leaves the kept drawing"
    assert landing(cut) == landing(first), "what cannot be parsed leaves the kept drawing"
    assert not number.errors
    assert refused in number.text()
    assert not after.errors
    assert set(landing(after)) == {"ae", "vae"}
    assert landing(after) != landing(first)
    # Known fault, checked last so everything above still runs: Streamlit decodes the 100,000-deep event while
    # calling the pad's change callback, before the page's guard, and its RecursionError reaches the student
    # as Streamlit's exception box. The page has to handle it; until then this case is expected to fail.
    shown = deep.errors + error_words(deep.text())
    if shown:
        pytest.xfail(f"a 100,000-deep drawing event shows an error: {shown}")
