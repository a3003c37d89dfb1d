"""Export every trained model to ONNX beside its .keras file, check each export, and renew the manifest.

    python -m training.export [--models models/]

Training runs this itself; run it by hand only for models trained before the exports existed. The
`.keras` files stay the source of truth: every export is compared with Keras on fixed inputs and refused
if any output differs by more than TOLERANCE.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # Keep TensorFlow's start-up chatter out of the output.

import numpy as np  # noqa: E402

from latentwall import artifacts, config  # noqa: E402

# The largest difference allowed between an export and its Keras model on the same inputs, relative to the
# model's largest output (at least 1): a decoder that paints 0-255 pixels is held to the same float32 digits.
TOLERANCE = 1e-5


def keras_outputs(model, inputs: np.ndarray) -> list[np.ndarray]:
    outputs = model(inputs, training=False)
    return [np.asarray(part) for part in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def largest_difference(keras_path: Path, onnx_path: Path, count: int = 64) -> float:
    """The largest difference between the Keras model and its ONNX export on fixed inputs, relative to the
    largest output (at least 1)."""
    return _difference(artifacts.load_keras_model(keras_path), onnx_path, count)


def _difference(model, onnx_path: Path, count: int = 64) -> float:
    import onnxruntime

    inputs = artifacts.probe_inputs(tuple(model.input_shape[1:]), count)
    expected = keras_outputs(model, inputs)
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    exported = session.run(None, {session.get_inputs()[0].name: inputs})
    if len(exported) != len(expected):
        return float("inf")
    return max(float(np.max(np.abs(mine - theirs)) / max(1.0, float(np.max(np.abs(theirs)))))
               for mine, theirs in zip(exported, expected))


def export_folder(folder: Path) -> dict[str, float]:
    """Export and check every model in one data set's folder, and record each Keras model's answers to the
    probe inputs (artifacts.PROBES_FILE) for the app to check its exports against; returns each model's
    largest difference."""
    differences, probes = {}, {}
    for name in artifacts.keras_files():
        if not (folder / name).is_file():  # A run that trained one model into an empty folder.
            continue
        model = artifacts.load_keras_model(folder / name)  # Loaded once: exported, compared and probed.
        onnx_path = artifacts.export_onnx(model, folder / artifacts.onnx_name(name))
        differences[name] = _difference(model, onnx_path)
        if differences[name] > TOLERANCE:
            raise artifacts.ArtifactError(
                f"The ONNX export of {name} differs from Keras by {differences[name]:.2e} "
                f"(allowed {TOLERANCE:.0e}).")
        for number, output in enumerate(keras_outputs(model, artifacts.probe_inputs(tuple(model.input_shape[1:])))):
            probes[f"{artifacts.onnx_name(name)}:{number}"] = output.astype("float32")
        if name in artifacts.decoder_files():
            write_browser_decoder(model, folder / artifacts.browser_weights_name(name))
    np.savez(folder / artifacts.PROBES_FILE, **probes)
    return differences


# What the page's own decoder (assets/wall_decoder.js) can run: these layers, these activations.
BROWSER_ACTIVATIONS = ("linear", "relu", "sigmoid", "elu", "tanh")


def browser_layers(model) -> list[tuple[dict, list[np.ndarray]]] | None:
    """A decoder as the plain layer list the browser runs, each with its arrays; None if it uses a layer the
    browser decoder does not know (the page then decodes on click only)."""
    layers = []
    for layer in model.layers:
        kind, config = type(layer).__name__, layer.get_config()
        if kind == "InputLayer":
            continue
        if config.get("activation", "linear") not in BROWSER_ACTIVATIONS:
            return None
        arrays = [np.asarray(weight, dtype="<f4") for weight in layer.get_weights()]
        if kind == "Dense" and config["use_bias"]:
            layers.append(({"type": "dense", "activation": config["activation"], "units": config["units"]}, arrays))
        elif kind == "Reshape":
            layers.append(({"type": "reshape", "shape": list(config["target_shape"])}, []))
        elif (kind == "Conv2DTranspose" and config["use_bias"] and config["padding"] == "same"
              and config["output_padding"] is None and tuple(config["dilation_rate"]) == (1, 1)
              and config["data_format"] == "channels_last"):
            layers.append(({"type": "conv_transpose", "activation": config["activation"],
                            "filters": config["filters"], "kernel": list(config["kernel_size"]),
                            "strides": list(config["strides"])}, arrays))
        else:
            return None
    return layers


def write_browser_decoder(model, target: Path) -> None:
    """The decoder's weights for the page's own decoder: one little-endian float32 file (each layer's kernel
    then bias, in Keras's layout) and a JSON file beside it naming the layers and where each array starts.

    The arrays come straight from the trained .keras model, so the browser decodes what the server decodes.
    """
    layers = browser_layers(model)
    if layers is None:
        return
    offset, chunks, spec = 0, [], []
    for description, arrays in layers:
        description = dict(description, arrays=[])
        for array in arrays:
            description["arrays"].append({"offset": offset, "shape": list(array.shape)})
            chunks.append(array.ravel().tobytes())
            offset += array.size
        spec.append(description)
    target.write_bytes(b"".join(chunks))
    artifacts.write_json(target.with_suffix(".json"), {
        "input": int(model.input_shape[-1]), "layers": spec, "floats": offset, "format": "float32-le"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    args = parser.parse_args(argv)
    folder = config.dataset_dir(args.models)
    try:
        artifacts.verify_manifest(folder)
        differences = export_folder(folder)
    except artifacts.ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    artifacts.write_manifest(folder)
    for name, difference in differences.items():
        print(f"{artifacts.onnx_name(name)}: largest difference from Keras {difference:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
