"""The layer summaries read from .keras files against Keras's own shapes and weight counts."""

from __future__ import annotations

import pytest

from latentwall import registry
from latentwall.keras import summary as keras_summary


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The denoising lesson's encoder and decoder, built and saved by the training code (untrained)."""
    from latentwall.keras import builders

    folder = tmp_path_factory.mktemp("summary")
    recipe = registry.denoising_pair()[0]
    encoder, decoder, _ = builders.recipe_models(recipe, seed=1)
    encoder.save(folder / "encoder.keras")
    decoder.save(folder / "decoder.keras")
    return folder, encoder, decoder


@pytest.mark.parametrize("part", ["encoder", "decoder"])
def test_summary_matches_keras(saved, part):
    folder, *models = saved
    model = models[part == "decoder"]
    rows = keras_summary.summarize(folder / f"{part}.keras")
    assert [row.name for row in rows] == [layer.name for layer in model.layers]
    for row, layer in zip(rows, model.layers, strict=False):
        assert row.output_shape == tuple(layer.output.shape[1:]), layer.name
        assert row.params == layer.count_params(), layer.name
    assert sum(row.params for row in rows) == model.count_params()


def test_the_lessons_network_reads_as_taught(saved):
    folder, *_ = saved
    encoder = keras_summary.summarize(folder / "encoder.keras")
    assert [row.kind for row in encoder] == ["InputLayer", "Conv2D", "Conv2D", "Flatten", "Dense"]
    assert encoder[1].settings == "32 filters, 3x3, stride 2, relu"
    assert encoder[-1].output_shape == (registry.denoising_pair()[0].latent_dim,)


def test_the_diagram_chains_encoder_code_and_decoder(saved):
    folder, *_ = saved
    encoder, decoder = (keras_summary.summarize(folder / f"{part}.keras") for part in ("encoder", "decoder"))
    dot = keras_summary.split_diagram(encoder, decoder, {"encoder": "encoder", "decoder": "decoder",
                                                         "code": "code", "whole": 'say "decoder(encoder(x))"'})
    assert dot.startswith("digraph")
    assert "cluster_e" in dot
    assert "cluster_d" in dot
    assert "e0 -> e1 -> e2 -> e3 -> code;" in dot
    assert "d0 -> code [dir=back];" in dot, "the decoder runs on from the code"
    assert "d4 -> d3 [dir=back];" in dot, "the decoder runs on from the code"
    assert 'say \\"decoder(encoder(x))\\"' in dot
    assert dot.count("Conv2DTranspose") == 3


def test_a_file_that_is_not_a_keras_model_is_refused(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="readable Keras model config"):
        keras_summary.summarize(junk)
