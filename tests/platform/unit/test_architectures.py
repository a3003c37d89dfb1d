"""Model shapes, save/load round trips, the Sampling layer against NumPy, and the no-Lambda rule."""

import keras
import numpy as np
import pytest

from latentwall.keras import builders
from latentwall.keras import io as keras_io


def test_shapes():
    encoder, decoder, autoencoder = builders.build_autoencoder()
    images = np.random.default_rng(0).random((3, 28, 28, 1), dtype="float32")
    assert encoder(images).shape == (3, 2)
    assert decoder(np.zeros((3, 2), "float32")).shape == (3, 28, 28, 1)
    assert autoencoder(images).shape == (3, 28, 28, 1)
    vae = builders.build_vae(seed=0)
    z_mean, z_log_var = vae.encoder(images)
    assert z_mean.shape == z_log_var.shape == (3, 2)
    probabilities = builders.build_reader()(images).numpy()
    assert probabilities.shape == (3, 10)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_decoder_output_is_a_valid_image():
    decoded = builders.build_decoder()(np.random.default_rng(1).normal(size=(8, 2)) * 50).numpy()
    assert decoded.min() >= 0
    assert decoded.max() <= 1


def test_the_ae_and_vae_share_the_decoder_architecture():
    _, ae_decoder, _ = builders.build_autoencoder()
    vae_decoder = builders.build_vae().decoder
    layer_types = [type(layer).__name__ for layer in ae_decoder.layers]
    assert layer_types == [type(layer).__name__ for layer in vae_decoder.layers]
    assert ae_decoder.count_params() == vae_decoder.count_params()


def test_no_lambda_layers():
    models = [*builders.build_autoencoder(), builders.build_vae().encoder, builders.build_reader(),
              builders.build_checker()]
    for model in models:
        assert not any(isinstance(layer, keras.layers.Lambda) for layer in model._flatten_layers())


@pytest.mark.parametrize("build", [
    lambda: builders.build_encoder(),
    lambda: builders.build_encoder(variational=True),
    lambda: builders.build_decoder(),
    lambda: builders.build_reader(),
    lambda: builders.build_checker(temperature=1.7),
])
def test_save_load_round_trip_gives_identical_outputs(tmp_path, build):
    model = build()
    inputs = np.random.default_rng(2).random((4, *model.input_shape[1:]), dtype="float32")
    model.save(tmp_path / "model.keras")
    loaded = keras_io.load_keras_model(tmp_path / "model.keras")
    for before, after in zip(keras.tree.flatten(model(inputs)), keras.tree.flatten(loaded(inputs)), strict=False):
        np.testing.assert_array_equal(np.asarray(before), np.asarray(after))


def test_sampling_matches_numpy_mean_and_variance():
    count = 200_000
    z_mean = np.tile(np.array([[1.5, -2.0]], "float32"), (count, 1))
    z_log_var = np.tile(np.log(np.array([[4.0, 0.25]], "float32")), (count, 1))
    samples = np.asarray(builders.Sampling(seed=3)([z_mean, z_log_var]))
    np.testing.assert_allclose(samples.mean(axis=0), [1.5, -2.0], atol=0.02)
    np.testing.assert_allclose(samples.var(axis=0), [4.0, 0.25], rtol=0.02)


def test_sampling_layer_survives_serialisation(tmp_path):
    z_mean, z_log_var = keras.Input((2,)), keras.Input((2,))
    model = keras.Model([z_mean, z_log_var], builders.Sampling(seed=5)([z_mean, z_log_var]))
    model.save(tmp_path / "sampler.keras")
    loaded = keras_io.load_keras_model(tmp_path / "sampler.keras")
    assert isinstance(loaded.layers[-1], builders.Sampling)
    assert loaded.layers[-1].seed == 5


def test_a_model_with_a_lambda_layer_is_refused(tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="(?i)lambda|unsafe|safe_mode"):
        keras_io.load_keras_model(tmp_path / "lambda.keras")


@pytest.mark.parametrize("build", [builders.build_reader, builders.build_checker])
def test_a_folded_temperature_divides_the_logits_and_survives_saving(tmp_path, build):
    """with_temperature keeps every trained weight and makes the model answer softmax(logits / T) itself."""
    from latentwall import measures

    reader = build()
    images = np.random.default_rng(4).random((6, 28, 28, 1), dtype="float32")
    logits = np.asarray(builders.reader_logits(reader)(images))
    calibrated = builders.with_temperature(reader, 2.5)
    np.testing.assert_allclose(np.asarray(calibrated(images)), measures.softmax(logits, 2.5), atol=1e-6)
    calibrated.save(tmp_path / "reader.keras")
    loaded = keras_io.load_keras_model(tmp_path / "reader.keras")
    assert loaded.get_layer("temperature").temperature == 2.5
    np.testing.assert_allclose(np.asarray(loaded(images)), measures.softmax(logits, 2.5), atol=1e-6)
    with pytest.raises(ValueError, match="positive"):
        builders.Temperature(0.0)


def test_the_two_readers_differ_in_shape():
    shapes = [[type(layer).__name__ for layer in build().layers]
              for build in (builders.build_reader, builders.build_checker)]
    assert shapes[0] != shapes[1]
