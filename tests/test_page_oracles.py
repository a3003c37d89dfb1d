"""Page oracles: what a page shows, checked against an independent computation for the same input (the named
model's own decode, the report's own figure), so a page wired to the wrong model, a swapped column or a control
that no longer changes what it names turns a test red."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from latentwall import explore, i18n, inference
from tests.helpers import assert_clean

STRINGS = i18n.load_strings("en")
KINDS = explore.WALL_KINDS


def values(array) -> np.ndarray:
    """A Plotly figure's array as sent to the browser: a plain list, or typed bytes in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype="float64")


def verdict_captions(model, reader, codes: np.ndarray) -> list[str]:
    """What the wall page must write under each painted code: the named model's decode, read by the reader."""
    digits, confidences = reader.read(model.decoder.decode(codes))
    return [STRINGS("wall.verdict_yes" if explore.verdict_is_readable(confidence) else "wall.verdict_no",
                    digit=int(digit), confidence=float(confidence)) for digit, confidence in zip(digits, confidences,
                                                                                                strict=True)]


@pytest.mark.parametrize("kind", KINDS)
def test_painted_codes_are_the_chosen_models_decodes_at_the_marked_spots(app, smoke_models, kind):
    models = inference.load_models(smoke_models)
    test = app("lessons/wall/page.py", model=kind)
    test.slider(key="paint-count").set_value(12).run()
    test.button(key="paint-button").click().run()
    assert_clean(test)
    painting = test.session_state[f"painted-{kind}"]
    codes = explore.random_codes(kind, models[kind].wall.codes, painting["count"], painting["seed"])
    assert len(codes) == 12, "the slider's count is what is painted"
    (image,) = test.get("image")
    assert list(image.captions) == verdict_captions(models[kind], models.reader, codes)
    chart = json.loads(test.get("plotly_chart")[0].proto.spec)
    (marked,) = [trace for trace in chart["data"] if trace.get("name") == "random"]
    np.testing.assert_allclose(np.column_stack([values(marked["x"]), values(marked["y"])]), codes, atol=1e-5)
