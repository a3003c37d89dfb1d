"""The one place that says which models exist: each recipe's lesson, family, shape, training settings and
quality bar. Training, export, evaluation, benchmarks and pages loop over these lists; adding a model means
adding one Recipe here (and its tests).

No TensorFlow here: the app reads this module too.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dataset:
    """A data set: its folder name (under models/ for the one the recipes train on), the name its messages
    use, its image shape, its classes and the size of each split. latentwall.datasets finds and loads it."""

    name: str
    title: str
    image_side: int = 28
    classes: int = 10
    train_count: int = 60000
    test_count: int = 10000

    @property
    def image_shape(self) -> tuple[int, int]:
        """(height, width) of one image."""
        return self.image_side, self.image_side


# The digits every recipe trains on, and the clothes the anomaly lesson shows as a second, unseen data set.
MNIST = Dataset("mnist", "MNIST")
FASHION_MNIST = Dataset("fashion-mnist", "Fashion-MNIST")


@dataclass(frozen=True)
class Recipe:
    """How one model is built, trained, stored, exported and judged, and which lesson it comes from.

    family: "conv-ae" | "conv-vae" (the gallery wall's pair), "dense-ae", "dense-vae", "conv-dae" (trained on
    noisy inputs), "pca" (closed form, no training).
    pixel_range: the range the model sees pixels in, as its lesson teaches ((0, 255) for raw pixels, (-1, 1)
    under a tanh output); the app always hands it [0, 1] images and gets [0, 1] images back.
    max_test_mse: the quality bar on the real test set, per pixel on the [0, 1] scale, from what was measured
    (docs/figures.md states each beside its measurement).
    """

    name: str
    lesson: str
    family: str
    latent_dim: int
    hidden: tuple[int, ...] = ()
    filters: tuple[int, ...] = ()
    activation: str = "relu"
    code_activation: str | None = None
    output_activation: str = "sigmoid"
    loss: str = "bce"
    pixel_range: tuple[float, float] = (0.0, 1.0)
    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 2e-3
    schedule: str = "cosine"
    max_test_mse: float = 0.05
    held_out_digit: int | None = None
    noise: dict = field(default_factory=dict)
    dataset: Dataset = MNIST

    @property
    def trained(self) -> bool:
        return self.family != "pca"

    @property
    def variational(self) -> bool:
        return self.family.endswith("vae")

    @property
    def on_wall(self) -> bool:
        """A 2-D code can be drawn as a wall and decoded in the browser under the pointer."""
        return self.latent_dim == 2 and self.trained


def _recipes(*recipes: Recipe) -> dict[str, Recipe]:
    return {recipe.name: recipe for recipe in recipes}


# The lessons, named as the strings files name them (lesson.<key>).
GALLERY, KERAS_DENSE, TF_DENSE, SWEEP, LINEAR, TORCH_VAE, KERAS_DENOISE, ANOMALY = (
    "gallery", "keras_dense", "tf_dense", "code_size", "linear", "torch_vae", "keras_denoise", "anomaly")

# The code sizes of the latent-size sweep; the dense family and PCA are both fitted at each.
SWEEP_SIZES = (2, 4, 8, 16, 32, 64)
SWEEP_HIDDEN = (64,)

RECIPES: dict[str, Recipe] = _recipes(
    # The gallery wall's pair: convolutional, 2-D, the AE and the VAE with the same decoder shape.
    Recipe("ae", GALLERY, "conv-ae", 2, filters=(32, 64), hidden=(128,), max_test_mse=0.041),
    Recipe("vae", GALLERY, "conv-vae", 2, filters=(32, 64), hidden=(128,), max_test_mse=0.042),
    # The Keras blog's dense autoencoder and its ELU variant.
    Recipe("dense-32", KERAS_DENSE, "dense-ae", 32, code_activation="relu", epochs=20, max_test_mse=0.011),
    Recipe("dense-25-elu", KERAS_DENSE, "dense-ae", 25, activation="elu", code_activation="elu",
           output_activation="elu", loss="mse",
           epochs=10, learning_rate=1e-3, schedule="constant", max_test_mse=0.021),
    # The TensorFlow lesson's autoencoder, on raw 0-255 pixels as taught (so its loss reads in grey-levels²).
    Recipe("dense-100-20", TF_DENSE, "dense-ae", 20, hidden=(100,), code_activation="relu",
           output_activation="linear", loss="mse",
           pixel_range=(0.0, 255.0), epochs=50, batch_size=64, learning_rate=1e-3, schedule="constant",
           max_test_mse=0.018),
    # One dense family at six code sizes: what code size costs.
    *(Recipe(f"sweep-{size}", SWEEP, "dense-ae", size, hidden=SWEEP_HIDDEN, epochs=15,
             max_test_mse={2: 0.048, 4: 0.037, 8: 0.025, 16: 0.017, 32: 0.010, 64: 0.0075}[size])
      for size in SWEEP_SIZES),
    # The linear baseline at the same sizes: principal components, fitted in closed form.
    *(Recipe(f"pca-{size}", LINEAR, "pca", size, epochs=0,
             max_test_mse={2: 0.057, 4: 0.049, 8: 0.038, 16: 0.027, 32: 0.016, 64: 0.0085}[size])
      for size in SWEEP_SIZES),
    # The PyTorch lesson's VAE: 784 -> 400 -> 20 means and 20 log-variances; tanh on images scaled to [-1, 1];
    # summed squared error + KL; Adam 1e-3, batch 128.
    Recipe("vae-400-20", TORCH_VAE, "dense-vae", 20, hidden=(400,), output_activation="tanh", loss="sse",
           pixel_range=(-1.0, 1.0), epochs=20, learning_rate=1e-3, schedule="constant", max_test_mse=0.011),
    # The Keras denoising example: Conv2D 32 and 64 (kernel 3, stride 2), a 16-D code, mirrored with
    # Conv2DTranspose; trained on inputs with Gaussian noise (mean 0.5, std 0.5) added and clipped.
    Recipe("conv-dae-16", KERAS_DENOISE, "conv-ae", 16, filters=(32, 64), loss="mse", epochs=10,
           learning_rate=1e-3, schedule="constant", noise={"mean": 0.5, "std": 0.5}, max_test_mse=0.027),
    # The same network trained on clean digits: what the denoising one is compared with.
    Recipe("conv-ae-16", KERAS_DENOISE, "conv-ae", 16, filters=(32, 64), loss="mse", epochs=10,
           learning_rate=1e-3, schedule="constant", max_test_mse=0.0085),
    # Anomaly detection's honest hard case: a model that never saw one digit class.
    *(Recipe(f"holdout-{digit}", ANOMALY, "dense-ae", 16, hidden=SWEEP_HIDDEN, epochs=15, held_out_digit=digit,
             max_test_mse=0.018) for digit in (1, 8)),
)


def recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(f"Unknown recipe {name!r}; choose one of: {', '.join(RECIPES)}.") from None


# The gallery wall's two models, as the pages that put them side by side name them.
AE, VAE = RECIPES["ae"], RECIPES["vae"]
WALL_PAIR = (AE, VAE)
# The gallery wall's two models by name: what a shared address may ask for and what the evaluation holds.
WALL_KINDS = tuple(recipe.name for recipe in WALL_PAIR)


def trained() -> tuple[Recipe, ...]:
    return tuple(item for item in RECIPES.values() if item.trained)


def sweep(family: str) -> tuple[Recipe, ...]:
    """The latent-size sweep of one family ("dense-ae" or "pca"), smallest code first."""
    lesson = SWEEP if family == "dense-ae" else LINEAR
    return tuple(sorted((item for item in RECIPES.values() if item.lesson == lesson), key=lambda r: r.latent_dim))


def interpolable() -> tuple[Recipe, ...]:
    """Every trained model: each has an encoder and decoder to walk between two digits' codes."""
    return trained()


def dense_lessons() -> tuple[Recipe, ...]:
    """The dense autoencoders of the Keras and TensorFlow lessons, set beside the code-size sweep."""
    return tuple(item for item in RECIPES.values() if item.lesson in (KERAS_DENSE, TF_DENSE))


def denoising_pair() -> tuple[Recipe, Recipe]:
    """The denoising lesson's two models: the one trained on noisy inputs, and the same network trained on clean
    digits."""
    lesson = [item for item in RECIPES.values() if item.lesson == KERAS_DENOISE]
    return next(item for item in lesson if item.noise), next(item for item in lesson if not item.noise)


def vae_20() -> tuple[Recipe, Recipe]:
    """The PyTorch lesson's VAE and the TensorFlow lesson's plain dense AE with the same code size beside it."""
    vae = next(item for item in RECIPES.values() if item.lesson == TORCH_VAE)
    plain = next(item for item in RECIPES.values()
                 if item.lesson == TF_DENSE and item.latent_dim == vae.latent_dim and not item.variational)
    return vae, plain


def held_out() -> tuple[Recipe, ...]:
    """The anomaly lesson's models that never saw one digit class, by that digit."""
    return tuple(sorted((item for item in RECIPES.values() if item.held_out_digit is not None),
                        key=lambda r: r.held_out_digit))


def anomaly_scorer() -> Recipe:
    """The model that scores anomalies after seeing every digit: the sweep's dense AE of the same shape (code
    size and hidden layers) as the held-out models, so the two differ only in what they were shown."""
    shape = held_out()[0]
    return next(item for item in sweep("dense-ae")
                if (item.latent_dim, item.hidden) == (shape.latent_dim, shape.hidden))
