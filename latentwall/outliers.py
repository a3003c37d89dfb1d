"""Images that are not digits: what the reader is taught to answer "I don't know" to, and is tested on.

A reader trained on digits alone must spread all its belief over 0-9, so it calls a smear "5, with 93%"
(Hendrycks and Gimpel 2017). Outlier exposure (Hendrycks et al. 2019) shows it non-digits with a uniform
target instead. The kinds below are chosen for what a decoder paints off the data and what a student
might mistake for a digit:

- noise: white pixels everywhere, the plainest nonsense;
- smooth: blurred noise thresholded into patches, texture with the thickness of pen strokes;
- blobs: a few soft round spots, the smears a decoder paints far from its data;
- strokes: a scribble of several pen strokes that meet nowhere in particular;
- flat: an empty or evenly grey page with a little noise, what a decoder paints where it has nothing;
- fragments: a piece of a real digit blown up, or a digit pushed mostly out of the frame: pen strokes that
  look like handwriting but are not a whole digit;
- blends: two different digits laid 50/50 over each other in pixels, each half a digit and neither one.

Every function is pure NumPy with an explicit Generator, so the training set and the evaluation corpus
come from the same code and differ only in their seed. All images are (n, 28, 28) float32 in [0, 1].
"""

from __future__ import annotations

import numpy as np

from latentwall import registry

# The non-digits stand beside MNIST's digits, so they share its image side.
SIDE = registry.MNIST.image_side
# The kinds that need no digits; fragments and blends are built from real digit images.
PLAIN_KINDS = ("noise", "smooth", "blobs", "strokes", "flat")
DIGIT_KINDS = ("fragments",)
# The non-digit corpus the evaluation reports on (blends are reported on their own).
NONDIGIT_KINDS = PLAIN_KINDS + DIGIT_KINDS
# Seeds: a reader's training outliers come from TRAIN_SEED plus that reader's own seed; the evaluation's
# corpus comes from EVALUATION_SEED, which no training run uses (a test checks).
TRAIN_SEED = 20190
EVALUATION_SEED = 90210


def _blur(images: np.ndarray, passes: int) -> np.ndarray:
    """A cheap box blur (3x3, repeated), edges padded by reflection."""
    for _ in range(passes):
        padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="reflect")
        images = sum(padded[:, dy:dy + SIDE, dx:dx + SIDE] for dy in range(3) for dx in range(3)) / 9.0
    return images


def _rescale(images: np.ndarray) -> np.ndarray:
    """Stretch each image to span [0, 1] (a flat image stays as it is, clipped)."""
    low = images.min(axis=(1, 2), keepdims=True)
    high = images.max(axis=(1, 2), keepdims=True)
    span = np.where(high - low > 1e-6, high - low, 1.0)
    return np.clip((images - low) / span, 0.0, 1.0)


def noise(count: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform noise with a random brightness and density: salt-and-pepper to grey static."""
    density = rng.uniform(0.05, 1.0, (count, 1, 1))
    values = rng.uniform(0.0, 1.0, (count, SIDE, SIDE)) * rng.uniform(0.3, 1.0, (count, 1, 1))
    return np.where(rng.uniform(size=(count, SIDE, SIDE)) < density, values, 0.0).astype("float32")


def smooth(count: int, rng: np.random.Generator) -> np.ndarray:
    """Blurred noise cut at a random level: patches and worms about as thick as a pen stroke."""
    field = _rescale(_blur(rng.standard_normal((count, SIDE, SIDE)), int(rng.integers(2, 5))))
    level = rng.uniform(0.45, 0.75, (count, 1, 1))
    return np.clip((field - level) * 4.0, 0.0, 1.0).astype("float32")


def blobs(count: int, rng: np.random.Generator) -> np.ndarray:
    """One to four soft round spots of random size and brightness."""
    ys, xs = np.mgrid[0:SIDE, 0:SIDE].astype("float32")
    images = np.zeros((count, SIDE, SIDE), "float32")
    for image in images:
        for _ in range(int(rng.integers(1, 5))):
            centre = rng.uniform(4, SIDE - 4, 2)
            radius = rng.uniform(1.5, 6.0)
            squared = (ys - centre[0]) ** 2 + (xs - centre[1]) ** 2
            image += rng.uniform(0.5, 1.0) * np.exp(-squared / (2 * radius ** 2))
    return np.clip(images, 0.0, 1.0)


def _draw_segment(image: np.ndarray, start: np.ndarray, end: np.ndarray, width: float) -> None:
    """Paint a thick anti-aliased line segment into image (in place, brightest wins)."""
    ys, xs = np.mgrid[0:SIDE, 0:SIDE].astype("float32")
    direction = end - start
    length_sq = max(float(direction @ direction), 1e-6)
    along = np.clip(((ys - start[0]) * direction[0] + (xs - start[1]) * direction[1]) / length_sq, 0.0, 1.0)
    distance = np.hypot(ys - (start[0] + along * direction[0]), xs - (start[1] + along * direction[1]))
    np.maximum(image, np.clip(width - distance + 0.5, 0.0, 1.0), out=image)


def strokes(count: int, rng: np.random.Generator) -> np.ndarray:
    """A scribble: three to six pen strokes between random points, each a few pixels wide."""
    images = np.zeros((count, SIDE, SIDE), "float32")
    for image in images:
        width = rng.uniform(0.8, 1.8)
        point = rng.uniform(3, SIDE - 3, 2)
        for _ in range(int(rng.integers(3, 7))):
            following = rng.uniform(3, SIDE - 3, 2) if rng.uniform() < 0.5 else point + rng.normal(0, 8, 2)
            following = np.clip(following, 1, SIDE - 2)
            _draw_segment(image, point.astype("float32"), following.astype("float32"), width)
            point = following
    return images


def flat(count: int, rng: np.random.Generator) -> np.ndarray:
    """An empty or evenly grey page with faint noise."""
    level = rng.uniform(0.0, 0.6, (count, 1, 1)) * (rng.uniform(size=(count, 1, 1)) < 0.7)
    faint = rng.normal(0.0, rng.uniform(0.0, 0.08, (count, 1, 1)), (count, SIDE, SIDE))
    return np.clip(level + faint, 0.0, 1.0).astype("float32")


def fragments(digits: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Half of them: a random 10x10 to 14x14 corner or middle of a digit, blown up to 28x28 (strokes twice as
    thick as any handwriting here); the other half: a digit pushed 11 to 16 pixels out of the frame, so at most
    a stub of it shows."""
    digits = np.asarray(digits, "float32").reshape(-1, SIDE, SIDE)
    chosen = digits[rng.integers(0, len(digits), count)]
    images = np.zeros((count, SIDE, SIDE), "float32")
    for number, digit in enumerate(chosen):
        if number % 2 == 0:
            size = int(rng.integers(10, 15))
            top, left = rng.integers(0, SIDE - size + 1, 2)
            index = np.minimum((np.arange(SIDE) * size / SIDE).astype(int), size - 1)
            images[number] = digit[top:top + size, left:left + size][np.ix_(index, index)]
        else:
            shift = rng.integers(11, 17) * rng.choice([-1, 1], 2) * (rng.uniform(size=2) < [1.0, 0.5])
            images[number] = _shift(digit, int(shift[0]), int(shift[1]))
    return images


def _shift(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """image moved by (down, right) pixels, with what falls out of the frame lost and blank coming in."""
    moved = np.zeros_like(image)
    source = image[max(-down, 0):SIDE - max(down, 0), max(-right, 0):SIDE - max(right, 0)]
    moved[max(down, 0):max(down, 0) + source.shape[0], max(right, 0):max(right, 0) + source.shape[1]] = source
    return moved


def blends(digits: np.ndarray, labels: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """50/50 pixel blends of two digits of different classes."""
    digits = np.asarray(digits, "float32").reshape(-1, SIDE, SIDE)
    labels = np.asarray(labels)
    first = rng.integers(0, len(digits), count)
    second = rng.integers(0, len(digits), count)
    same = labels[first] == labels[second]
    while same.any():  # Redraw the partners that share a class until none do.
        second[same] = rng.integers(0, len(digits), int(same.sum()))
        same = labels[first] == labels[second]
    return (0.5 * digits[first] + 0.5 * digits[second]).astype("float32")


def gaussian_blur(images: np.ndarray, sigma: float) -> np.ndarray:
    """(n, 28, 28) images blurred by a Gaussian of sigma pixels (separable, zero padding like blank paper)."""
    radius = max(1, int(np.ceil(3 * sigma)))
    taps = np.exp(-np.arange(-radius, radius + 1) ** 2 / (2 * sigma ** 2))
    taps /= taps.sum()
    padded = np.pad(np.asarray(images, "float32"), ((0, 0), (radius, radius), (radius, radius)))
    rows = sum(weight * padded[:, offset:offset + SIDE, :] for offset, weight in enumerate(taps))
    return sum(weight * rows[:, :, offset:offset + SIDE] for offset, weight in enumerate(taps)).astype("float32")


def soften(images: np.ndarray, rng: np.random.Generator, share: float = 0.5) -> np.ndarray:
    """A copy of images in which a random share is blurred (sigma 0.5 to 1.5 pixels) and dimmed (by 0 to 30%).

    A decoder paints soft, blurry digits. Applied to digits and non-digits alike, this keeps sharpness from
    being what tells them apart: a blurred digit is still a digit and a blurred blob still nonsense.
    """
    softened = np.array(images, dtype="float32", copy=True)
    chosen = np.flatnonzero(rng.uniform(size=len(softened)) < share)
    sigmas = rng.choice([0.5, 0.75, 1.0, 1.25, 1.5], len(chosen))
    for sigma in np.unique(sigmas):
        members = chosen[sigmas == sigma]
        softened[members] = gaussian_blur(softened[members], float(sigma))
    softened[chosen] *= rng.uniform(0.7, 1.0, (len(chosen), 1, 1))
    return np.clip(softened, 0.0, 1.0)


def corpus(digits: np.ndarray, per_kind: int, seed: int, kinds: tuple[str, ...] = NONDIGIT_KINDS) -> dict:
    """{kind: images} with per_kind images of each non-digit kind, all drawn from one seed."""
    rng = np.random.default_rng(seed)
    makers = {"noise": noise, "smooth": smooth, "blobs": blobs, "strokes": strokes, "flat": flat,
              "fragments": lambda count, generator: fragments(digits, count, generator)}
    unknown = set(kinds) - set(makers)
    if unknown:
        raise ValueError(f"Unknown outlier kinds {sorted(unknown)}; choose from {sorted(makers)}.")
    return {kind: makers[kind](per_kind, rng) for kind in kinds}
