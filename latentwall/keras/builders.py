"""The models: a convolutional encoder and decoder, the VAE around them, and the digit reader.

Encoder and decoder are plain functional models so they can be saved and loaded on their own: the app
decodes without ever loading an encoder. Only the VAE subclasses `keras.Model`, because its loss needs
a custom `train_step`.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from latentwall import registry

# Every recipe trains on MNIST: one grey channel.
IMAGE_SHAPE = (*registry.MNIST.image_shape, 1)


@keras.saving.register_keras_serializable(package="latentwall")
class Sampling(layers.Layer):
    """Draws z = z_mean + exp(z_log_var / 2) * epsilon: the reparameterisation trick."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


# The two digit readers' constructor arguments (the recipes of latentwall/registry.py carry their own); saved in
# their meta.json so a reader can be rebuilt.
READER_ARGUMENTS = {
    "reader": {"filters": [32, 64], "dense_units": 128, "dropout": 0.3},
    "checker": {"filters": [16, 32], "dense_units": 64, "dropout": 0.2},
}


def build_encoder(latent_dim: int = 2, filters: list[int] = (32, 64), dense_units: int = 128,
                  variational: bool = False, name: str = "encoder") -> keras.Model:
    """Image (28, 28, 1) -> code. A variational encoder outputs [z_mean, z_log_var], z_mean first."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = images
    for count in filters:
        x = layers.Conv2D(count, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    if dense_units:  # The Keras denoising example goes straight from the convolutions to the code.
        x = layers.Dense(dense_units, activation="relu")(x)
    if variational:
        z_mean = layers.Dense(latent_dim, name="z_mean")(x)
        z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
        return keras.Model(images, [z_mean, z_log_var], name=name)
    return keras.Model(images, layers.Dense(latent_dim, name="code")(x), name=name)


def build_decoder(latent_dim: int = 2, filters: list[int] = (32, 64), dense_units: int = 128,
                  name: str = "decoder") -> keras.Model:
    """Code -> image (28, 28, 1) in [0, 1]: the encoder mirrored with transposed convolutions."""
    side = IMAGE_SHAPE[0] // 2 ** len(filters)
    codes = keras.Input(shape=(latent_dim,), name="code")
    x = layers.Dense(dense_units, activation="relu")(codes) if dense_units else codes
    x = layers.Dense(side * side * filters[-1], activation="relu")(x)
    x = layers.Reshape((side, side, filters[-1]))(x)
    for count in reversed(filters):
        x = layers.Conv2DTranspose(count, 3, strides=2, padding="same", activation="relu")(x)
    images = layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid", name="image")(x)
    return keras.Model(codes, images, name=name)


def build_autoencoder(latent_dim: int = 2, filters: list[int] = (32, 64), dense_units: int = 128,
                      kl_weight: float = 0.0) -> tuple[keras.Model, keras.Model, keras.Model]:
    """The plain AE: encoder, decoder, and the two chained for training."""
    del kl_weight  # Shared argument list with the VAE; a plain AE has no KL term.
    encoder = build_encoder(latent_dim, filters, dense_units)
    decoder = build_decoder(latent_dim, filters, dense_units)
    images = keras.Input(shape=IMAGE_SHAPE)
    autoencoder = keras.Model(images, decoder(encoder(images)), name="autoencoder")
    return encoder, decoder, autoencoder


def reconstruction_loss(images, reconstructions):
    """Binary cross-entropy summed over the 784 pixels, averaged over the batch."""
    per_pixel = keras.losses.binary_crossentropy(images, reconstructions, axis=())
    return ops.mean(ops.sum(per_pixel, axis=(1, 2, 3)))


def summed_squared_error(images, reconstructions):
    """Squared error summed over the 784 pixels, averaged over the batch (the PyTorch lesson's sum-MSE)."""
    return ops.mean(ops.sum(ops.square(images - reconstructions), axis=(1, 2, 3)))


class VAE(keras.Model):
    """Encoder + Sampling + decoder, trained on reconstruction + kl_weight * KL."""

    def __init__(self, encoder: keras.Model, decoder: keras.Model, kl_weight: float = 1.0, seed: int | None = None,
                 loss: str = "bce", **kwargs):
        super().__init__(**kwargs)
        self.reconstruction = reconstruction_loss if loss == "bce" else summed_squared_error
        self.encoder = encoder
        self.decoder = decoder
        self.kl_weight = kl_weight
        self.sampling = Sampling(seed=seed)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("loss", "reconstruction_loss", "kl_loss", "mse")}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, images, training=False):
        z_mean, z_log_var = self.encoder(images, training=training)
        return self.decoder(z_mean, training=training)

    def _loss_terms(self, images, training):
        z_mean, z_log_var = self.encoder(images, training=training)
        reconstructions = self.decoder(self.sampling([z_mean, z_log_var]), training=training)
        reconstruction = self.reconstruction(images, reconstructions)
        kl = ops.mean(ops.sum(-0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var)), axis=1))
        # Test MSE is measured as the app decodes: from z_mean, without sampling noise.
        decoded = reconstructions if training else self.decoder(z_mean, training=False)
        mse = ops.mean(ops.square(images - decoded))
        return {"loss": reconstruction + self.kl_weight * kl, "reconstruction_loss": reconstruction,
                "kl_loss": kl, "mse": mse}

    def _record(self, values):
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def train_step(self, data):
        import tensorflow as tf  # The custom step needs GradientTape; Keras runs on TensorFlow here.

        images = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            values = self._loss_terms(images, training=True)
        gradients = tape.gradient(values["loss"], self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights, strict=False))
        return self._record(values)

    def test_step(self, data):
        images = data[0] if isinstance(data, tuple) else data
        return self._record(self._loss_terms(images, training=False))


def build_vae(latent_dim: int = 2, filters: list[int] = (32, 64), dense_units: int = 128, kl_weight: float = 1.0,
              seed: int | None = None) -> VAE:
    """The VAE: a variational encoder and the same decoder architecture as the AE."""
    encoder = build_encoder(latent_dim, filters, dense_units, variational=True)
    decoder = build_decoder(latent_dim, filters, dense_units)
    return VAE(encoder, decoder, kl_weight=kl_weight, seed=seed, name="variational_autoencoder")


@keras.saving.register_keras_serializable(package="latentwall")
class Temperature(layers.Layer):
    """Divides logits by a temperature T before the softmax: T > 1 softens the reader's probabilities, T < 1
    sharpens them. T is 1 while training and is then fitted on held-out digits (Guo et al. 2017) and written
    into this layer, so the saved model and its ONNX export answer with calibrated probabilities."""

    def __init__(self, temperature: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if not temperature > 0:
            raise ValueError(f"A temperature must be positive, got {temperature}.")
        self.temperature = float(temperature)

    def call(self, logits):
        return logits / self.temperature

    def get_config(self):
        return {**super().get_config(), "temperature": self.temperature}


def build_reader(filters: list[int] = (32, 64), dense_units: int = 128, dropout: float = 0.3,
                 temperature: float = 1.0, name: str = "reader") -> keras.Model:
    """A small CNN that reads a 28x28 image as a digit: logits, divided by a temperature, then softmax over 0-9.

    Each block is one 3x3 convolution and a 2x2 max-pool; the logits layer is named so the temperature can be
    fitted on them (reader_logits).
    """
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = images
    for count in filters:
        x = layers.Conv2D(count, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(dense_units, activation="relu")(x)
    x = layers.Dropout(dropout)(x)
    return _calibrated_head(images, layers.Dense(10, name="logits")(x), temperature, name)


def build_checker(filters: list[int] = (16, 32), dense_units: int = 64, dropout: float = 0.2,
                  temperature: float = 1.0, name: str = "checker") -> keras.Model:
    """A second reader of another shape, used only by the evaluation to cross-check the first: 5x5
    convolutions with stride 2 instead of 3x3 ones with pooling, narrower, no dropout before the convolutions."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = images
    for count in filters:
        x = layers.Conv2D(count, 5, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(dense_units, activation="relu")(x)
    x = layers.Dropout(dropout)(x)
    return _calibrated_head(images, layers.Dense(10, name="logits")(x), temperature, name)


def _calibrated_head(images, logits, temperature: float, name: str) -> keras.Model:
    scaled = Temperature(temperature, name="temperature")(logits)
    return keras.Model(images, layers.Softmax(name="probabilities")(scaled), name=name)


def reader_logits(reader: keras.Model) -> keras.Model:
    """The same reader cut at its logits, before temperature and softmax: what a temperature is fitted on."""
    return keras.Model(reader.inputs, reader.get_layer("logits").output, name=f"{reader.name}_logits")


def with_temperature(reader: keras.Model, temperature: float) -> keras.Model:
    """The reader with its temperature set: rebuilt from its own config, then given its trained weights."""
    config = reader.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "Temperature":
            layer["config"]["temperature"] = float(temperature)
    calibrated = keras.Model.from_config(config)
    calibrated.set_weights(reader.get_weights())
    return calibrated


def build_dense_autoencoder(latent_dim: int, hidden: tuple[int, ...] = (), activation: str = "relu",
                            code_activation: str | None = None, output_activation: str = "sigmoid",
                            variational: bool = False) -> tuple[keras.Model, keras.Model]:
    """A dense encoder (784 -> hidden... -> code) and its mirror (code -> reversed hidden... -> 784), each a
    model of its own; the image goes in and comes out as (28, 28, 1) so every recipe shares one interface.
    A variational encoder outputs [z_mean, z_log_var]."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Flatten()(images)
    for units in hidden:
        x = layers.Dense(units, activation=activation)(x)
    if variational:
        z_mean = layers.Dense(latent_dim, name="z_mean")(x)
        z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
        encoder = keras.Model(images, [z_mean, z_log_var], name="encoder")
    else:
        encoder = keras.Model(images, layers.Dense(latent_dim, activation=code_activation, name="code")(x),
                              name="encoder")
    codes = keras.Input(shape=(latent_dim,), name="code")
    x = codes
    for units in reversed(hidden):
        x = layers.Dense(units, activation=activation)(x)
    x = layers.Dense(IMAGE_SHAPE[0] * IMAGE_SHAPE[1], activation=output_activation)(x)
    decoder = keras.Model(codes, layers.Reshape(IMAGE_SHAPE, name="image")(x), name="decoder")
    return encoder, decoder


def chain(encoder: keras.Model, decoder: keras.Model, name: str = "autoencoder") -> keras.Model:
    """The lesson's join: Model(inputs, decoder(encoder(inputs)))."""
    images = keras.Input(shape=IMAGE_SHAPE)
    return keras.Model(images, decoder(encoder(images)), name=name)


def recipe_models(recipe, seed: int | None = None) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Encoder, decoder and the model that trains them, for any trained recipe of latentwall/registry.py."""
    if recipe.family in ("conv-ae", "conv-vae"):
        arguments = {"latent_dim": recipe.latent_dim, "filters": list(recipe.filters),
                     "dense_units": recipe.hidden[0] if recipe.hidden else 0}
        if recipe.variational:
            model = build_vae(**arguments, seed=seed)
            return model.encoder, model.decoder, model
        return build_autoencoder(**arguments)
    if recipe.family in ("dense-ae", "dense-vae"):
        encoder, decoder = build_dense_autoencoder(recipe.latent_dim, recipe.hidden, recipe.activation,
                                                   recipe.code_activation, recipe.output_activation,
                                                   variational=recipe.variational)
        if recipe.variational:
            model = VAE(encoder, decoder, kl_weight=1.0, seed=seed, loss=recipe.loss, name="variational_autoencoder")
            return encoder, decoder, model
        return encoder, decoder, chain(encoder, decoder)
    raise ValueError(f"No builder for the family {recipe.family!r} of recipe {recipe.name!r}.")
