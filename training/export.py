"""Export every trained model to ONNX beside its .keras file, check each export, and renew the manifest.

    python -m training.export [--models models/]

Training runs this itself; run it by hand only for models trained before the exports existed. The
`.keras` files stay the source of truth: every export is compared with Keras on fixed inputs and refused
if any output differs by more than TOLERANCE.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # Keep TensorFlow's start-up chatter out of the output.

import numpy as np  # noqa: E402

from latentwall import browser, config, registry, store  # noqa: E402
from latentwall.datasets import DataError, load  # noqa: E402
from latentwall.keras import io as keras_io  # noqa: E402

# The largest difference allowed between an export and its Keras model on the same inputs, relative to the
# model's largest output (at least 1): a decoder that paints 0-255 pixels is held to the same float32 digits.
TOLERANCE = 1e-5


def keras_outputs(model, inputs: np.ndarray) -> list[np.ndarray]:
    outputs = model(inputs, training=False)
    return [np.asarray(part) for part in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def largest_difference(keras_path: Path, onnx_path: Path, count: int = 64) -> float:
    """The largest difference between the Keras model and its ONNX export on fixed inputs, relative to the
    largest output (at least 1)."""
    return _difference(keras_io.load_keras_model(keras_path), onnx_path, count)


def _difference(model, onnx_path: Path, count: int = 64) -> float:
    import onnxruntime

    inputs = store.probe_inputs(tuple(model.input_shape[1:]), count)
    expected = keras_outputs(model, inputs)
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    exported = session.run(None, {session.get_inputs()[0].name: inputs})
    if len(exported) != len(expected):
        return float("inf")
    return max(float(np.max(np.abs(mine - theirs)) / max(1.0, float(np.max(np.abs(theirs)))))
               for mine, theirs in zip(exported, expected, strict=False))


def probe_digits(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The first test digit of each class, as uint8 (classes, side, side): the real digits the probe file keeps."""
    dataset = registry.MNIST
    firsts = [np.asarray(images)[np.flatnonzero(np.asarray(labels) == digit)[0]] for digit in range(dataset.classes)]
    return np.stack(firsts).reshape(dataset.classes, *dataset.image_shape).astype("uint8")


def stored_digits(folder: Path) -> np.ndarray | None:
    """The real probe digits of an earlier export in folder, or None if its probe file has none."""
    path = folder / store.PROBES_FILE
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as stored:
        return stored[store.PROBE_DIGITS] if store.PROBE_DIGITS in stored.files else None


def probe_answers(model, keras_name: str, digits: np.ndarray) -> dict[str, np.ndarray]:
    """One Keras model's answers, by probe-file key, to the noise probe inputs and, for a model that takes
    images, to the real probe digits."""
    input_shape = tuple(model.input_shape[1:])
    answers = {store.probe_key(keras_name, number): output.astype("float32")
               for number, output in enumerate(keras_outputs(model, store.probe_inputs(input_shape)))}
    if store.takes_images(input_shape):
        for number, output in enumerate(keras_outputs(model, store.probe_digit_inputs(digits))):
            answers[store.digit_probe_key(keras_name, number)] = output.astype("float32")
    return answers


def export_folder(folder: Path, digits: np.ndarray) -> dict[str, float]:
    """Export and check every model in one data set's folder, and record each Keras model's answers to the
    probe inputs and to the real probe digits (uint8, see probe_digits) in store.PROBES_FILE, with those
    digits, for the app to check its exports against; returns each model's largest difference."""
    differences, probes = {}, {store.PROBE_DIGITS: np.asarray(digits, "uint8")}
    for name in store.keras_files():
        if not (folder / name).is_file():  # A run that trained one model into an empty folder.
            continue
        model = keras_io.load_keras_model(folder / name)  # Loaded once: exported, compared and probed.
        onnx_path = keras_io.export_onnx(model, folder / store.onnx_name(name))
        differences[name] = _difference(model, onnx_path)
        if differences[name] > TOLERANCE:
            raise store.ArtifactError(
                f"The ONNX export of {name} differs from Keras by {differences[name]:.2e} "
                f"(allowed {TOLERANCE:.0e}).")
        probes.update(probe_answers(model, name, digits))
        if name in store.decoder_files():
            write_browser_decoder(model, folder / name)
    np.savez_compressed(folder / store.PROBES_FILE, **probes)
    return differences


# What the page's own decoder (assets/wall_decoder.js) can run: these layers, these activations.
BROWSER_ACTIVATIONS = ("linear", "relu", "sigmoid", "elu", "tanh")


def browser_layers(model) -> list[tuple[dict, list[np.ndarray]]] | None:
    """A decoder as the plain layer list the browser runs, each with its arrays (and the Keras layer's name);
    None if it uses a layer the browser decoder does not know (the page then decodes on click only)."""
    layers = []
    for layer in model.layers:
        kind, config = type(layer).__name__, layer.get_config()
        if kind == "InputLayer":
            continue
        if config.get("activation", "linear") not in BROWSER_ACTIVATIONS:
            return None
        arrays = [np.asarray(weight, dtype="<f4") for weight in layer.get_weights()]
        if kind == "Dense" and config["use_bias"]:
            layers.append(({"type": "dense", "name": layer.name, "activation": config["activation"],
                            "units": config["units"]}, arrays))
        elif kind == "Reshape":
            layers.append(({"type": "reshape", "shape": list(config["target_shape"])}, []))
        elif (kind == "Conv2DTranspose" and config["use_bias"] and config["padding"] == "same"
              and config["output_padding"] is None and tuple(config["dilation_rate"]) == (1, 1)
              and config["data_format"] == "channels_last"):
            layers.append(({"type": "conv_transpose", "name": layer.name, "activation": config["activation"],
                            "filters": config["filters"], "kernel": list(config["kernel_size"]),
                            "strides": list(config["strides"])}, arrays))
        else:
            return None
    return layers


def stored_positions(keras_path: Path) -> dict[str, list[int | None]]:
    """Where each layer's arrays start inside a .keras file's weights member (an HDF5 file), by layer name; None
    for an array HDF5 does not store whole and uncompressed."""
    import h5py  # Keras's own dependency for .keras files: training and export only.

    with zipfile.ZipFile(keras_path) as archive:
        member = io.BytesIO(archive.read(browser.WEIGHTS_MEMBER))
    positions = {}

    def visit(path: str, item) -> None:
        # Keras keeps a layer's arrays in a group "<path>/vars" holding datasets "0", "1", ... and the layer's name.
        if isinstance(item, h5py.Group) and path.endswith("vars") and "name" in item.attrs:
            arrays = [item[str(number)] for number in range(len(item))]
            positions[str(item.attrs["name"])] = [
                array.id.get_offset() if array.chunks is None and array.compression is None else None
                for array in arrays]

    with h5py.File(member, "r") as weights:
        weights.visititems(visit)
    return positions


def write_browser_decoder(model, keras_path: Path) -> None:
    """The layer list for the page's own decoder, beside the decoder's .keras file (store.browser_spec_name).

    Each array (a layer's kernel, then its bias, in Keras's layout) is named by its place among the weights the
    browser receives ("offset", in floats) and by where its float32 bytes start inside the .keras file's weights
    member ("stored_at"), from which the server cuts them (latentwall/browser.py). The weights cut that way are
    checked here against the loaded model's own arrays, byte for byte, and their SHA-256 is recorded.
    """
    layers = browser_layers(model)
    if layers is None:
        return
    positions = stored_positions(keras_path)
    offset, expected, spec = 0, [], []
    for description, arrays in layers:
        stored = positions.get(description.get("name"), [])
        if arrays and (len(stored) != len(arrays) or None in stored):
            raise store.ArtifactError(f"The weights of layer {description.get('name')} were not found whole "
                                          f"and uncompressed in {keras_path}.")
        description = dict(description, arrays=[])
        for array, stored_at in zip(arrays, stored, strict=False):
            description["arrays"].append({"offset": offset, "shape": list(array.shape), "stored_at": int(stored_at)})
            expected.append(array.ravel().tobytes())
            offset += array.size
        spec.append(description)
    payload = b"".join(expected)
    layer_list = {"input": int(model.input_shape[-1]), "layers": spec, "floats": offset, "format": "float32-le",
                  "weights_sha256": hashlib.sha256(payload).hexdigest()}
    try:
        cut = browser.decoder_weights(keras_path.read_bytes(), layer_list)
    except (ValueError, KeyError, zipfile.BadZipFile) as error:
        raise store.ArtifactError(
            f"The browser decoder's weights cannot be read from {keras_path}: {error}") from None
    if cut != payload:
        raise store.ArtifactError(f"The weights read from {keras_path} for the browser decoder differ from "
                                      "the model's own.")
    store.write_json(keras_path.parent / store.browser_spec_name(keras_path.name), layer_list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--data", type=Path, default=None,
                        help="MNIST .npz, read only when the probe file holds no real digits yet")
    args = parser.parse_args(argv)
    folder = config.dataset_dir(args.models)
    try:
        store.verify_manifest(folder)
        # The digits of an earlier export are kept, so a re-export probes on the same ones without MNIST.
        digits = stored_digits(folder)
        if digits is None:
            mnist = load(registry.MNIST, args.data)
            digits = probe_digits(mnist.x_test, mnist.y_test)
        differences = export_folder(folder, digits)
    except (store.ArtifactError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    store.write_manifest(folder)
    for name, difference in differences.items():
        print(f"{store.onnx_name(name)}: largest difference from Keras {difference:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
