"""The training and evaluation commands end to end on a few hundred digits: layout, manifest,
reproducibility, the interrupted-run guarantee, damaged files, and bad arguments."""

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib

import numpy as np
import pytest

from latentwall import config, datasets, inference, outliers, registry, store
from tests.helpers import MNIST_FILE, train_tiny
from training import evaluate, train

# Places that name a recipe outside the registry today, as (file, recipe name), let through by
# test_the_registry_is_the_one_place_that_names_recipes. They are the pages' and the serving code's old way of
# reaching the gallery pair (`models.ae`, `ModelSet.ae`/`.vae`, `claim.ae`) and the language files' keys named
# after it (`models.ae`, `models.vae_short`, `wall.paint_help_ae`, `claims.vae_fixes`, `vae20.vae_samples`). Each
# entry leaves as its file moves to the registry's names; the test fails on any entry left after that, and on
# any new place.
KNOWN_TO_MOVE: frozenset[tuple[str, str]] = frozenset({
    ("lessons/compare/logic.py", "ae"),  # the Claim fields ae, vae; the claim key "vae_fixes"
    ("lessons/compare/logic.py", "vae"),
    ("lessons/compare/page.py", "ae"),  # claim.ae and strings("models.ae") in the claims and defects tables
    ("lessons/compare/page.py", "vae"),
    # Each wall model's words (models.ae, models.vae_short, wall.paint_help_ae, ...), keyed by the recipe's name.
    *((f"assets/strings/{language}.toml", name) for language in ("en", "zh-Hans", "zh-Hant") for name in ("ae", "vae")),
})

LAYOUT = ["ae/encoder.keras", "ae/decoder.keras", "ae/wall.npz", "ae/history.json", "ae/meta.json",
          "vae/encoder.keras", "vae/decoder.keras", "vae/wall.npz", "vae/history.json", "vae/meta.json",
          "reader.keras", "reader_history.json", "reader_meta.json", "manifest.json",
          "checker.keras", "checker_history.json", "checker_meta.json", "checker.onnx",
          "ae/encoder.onnx", "ae/decoder.onnx", "vae/encoder.onnx", "vae/decoder.onnx", "reader.onnx", "probes.npz"]


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    train_tiny(out)
    return out


def test_artifact_layout_and_metadata(tiny_models):
    folder = config.dataset_dir(tiny_models)
    for name in LAYOUT:
        assert (folder / name).is_file(), name
    meta = json.loads((folder / "vae" / "meta.json").read_text())
    assert meta["data_sha256"] == datasets.file_sha256(MNIST_FILE)
    assert meta["architecture"]["latent_dim"] == 2
    assert meta["seed"] == config.DEFAULT_SEED
    assert {"tensorflow_version", "keras_version", "training_seconds", "epochs", "batch_size"} <= set(meta)
    history = json.loads((folder / "vae" / "history.json").read_text())
    for term in ("loss", "reconstruction_loss", "kl_loss", "mse"):
        assert len(history[term]) == len(history[f"val_{term}"]) == 1
    for reader in ("reader", "checker"):
        calibration = json.loads((folder / f"{reader}_meta.json").read_text())["calibration"]
        assert calibration["temperature"] > 0
        assert calibration["held_out_nll_after"] <= calibration["held_out_nll_before"]
        assert "blends" in calibration["outlier_kinds"]
        assert calibration["outlier_seed"] != outliers.EVALUATION_SEED
    with np.load(folder / "vae" / "wall.npz", allow_pickle=False) as wall:
        assert wall["z_mean"].shape == wall["z_log_var"].shape == (300, 2)
        assert wall["labels"].shape == (300,)


def test_loading_verifies_the_manifest(tiny_models):
    models = inference.load_models(tiny_models)
    assert models["ae"].decoder.decode(np.zeros((2, 2))).shape == (2, 28, 28)
    assert models["vae"].wall.log_var is not None
    assert models["ae"].wall.log_var is None


def test_a_flipped_byte_is_refused(tiny_models, tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(tiny_models, copy)
    target = config.dataset_dir(copy) / "vae" / "decoder.keras"
    content = bytearray(target.read_bytes())
    content[len(content) // 2] ^= 0xFF
    target.write_bytes(bytes(content))
    with pytest.raises(store.ArtifactError) as caught:
        inference.load_models(copy)
    assert "damaged" in str(caught.value)
    assert config.TRAIN_COMMAND in str(caught.value)


def test_missing_models_say_how_to_make_them(tmp_path):
    with pytest.raises(store.ArtifactError, match="python -m training.train"):
        inference.load_models(tmp_path)


def test_same_seed_same_metrics(tiny_models, tmp_path):
    code = train.main(["--model", "vae", "--limit", "300", "--epochs", "1", "--out", str(tmp_path),
                       "--data", str(MNIST_FILE)])
    assert code == 0
    first = json.loads((config.dataset_dir(tiny_models) / "vae" / "meta.json").read_text())["final_metrics"]
    second = json.loads((config.dataset_dir(tmp_path) / "vae" / "meta.json").read_text())["final_metrics"]
    for name, value in first.items():
        assert second[name] == pytest.approx(value, rel=1e-4, abs=1e-6), name


def test_retraining_one_model_keeps_the_others(tiny_models, tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(tiny_models, copy)
    reader_before = (config.dataset_dir(copy) / "reader.keras").read_bytes()
    assert train.main(["--model", "ae", "--limit", "200", "--epochs", "1", "--out", str(copy),
                       "--data", str(MNIST_FILE)]) == 0
    assert (config.dataset_dir(copy) / "reader.keras").read_bytes() == reader_before
    assert json.loads((config.dataset_dir(copy) / "ae" / "meta.json").read_text())["train_samples"] == 200
    inference.load_models(copy)


def _ignore_sigint() -> None:
    # As a background job of a script starts: SIGINT ignored, so Python installs no handler of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(("how", "expected_code"),
                         [(signal.SIGINT, 130), (signal.SIGTERM, 130), (signal.SIGKILL, -signal.SIGKILL)])
def test_an_interrupted_run_leaves_the_previous_models_intact(tiny_models, tmp_path, how, expected_code):
    copy = tmp_path / "models"
    shutil.copytree(tiny_models, copy)
    before = {path: path.read_bytes() for path in config.dataset_dir(copy).rglob("*") if path.is_file()}
    process = subprocess.Popen(
        [sys.executable, "-m", "training.train", "--limit", "3000", "--epochs", "50", "--out", str(copy),
         "--data", str(MNIST_FILE)], cwd=config.PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=_ignore_sigint)
    deadline = time.monotonic() + 120
    # Wait until the run has finished its first model into the staging folder: well into its work.
    while not any(copy.glob(".mnist.staging-*/reader.keras")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert process.poll() is None, "the run ended before it could be interrupted"
    os.kill(process.pid, how)
    try:
        output = process.communicate(timeout=180)[0].decode()
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the run did not end within 180 s of the signal:\n" + process.communicate()[0].decode()[-3000:])
    assert process.returncode == expected_code
    if how != signal.SIGKILL:
        assert "previous models are untouched" in output
        assert not any(copy.glob(".mnist.staging-*"))
    after = {path: path.read_bytes() for path in config.dataset_dir(copy).rglob("*") if path.is_file()}
    assert after == before
    inference.load_models(copy)


@pytest.mark.parametrize("arguments", [["--epochs", "0"], ["--epochs", "-3"], ["--model", "gan"],
                                       ["--batch-size", "x"], ["--learning-rate", "5"]])
def test_bad_arguments_exit_with_code_2(arguments, capsys):
    with pytest.raises(SystemExit) as caught:
        train.parse_args(arguments)
    assert caught.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_an_unwritable_output_folder_is_refused(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as caught:
        train.parse_args(["--out", str(blocker / "models")])
    assert caught.value.code == 2
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_missing_data_is_a_message_not_a_traceback(tmp_path, capsys):
    assert train.main(["--data", str(tmp_path / "absent.npz"), "--out", str(tmp_path)]) == 2
    assert "three ways" in capsys.readouterr().err


def test_evaluate_writes_a_report_the_manifest_covers(tiny_models, tmp_path, capsys):
    copy = tmp_path / "models"
    shutil.copytree(tiny_models, copy)
    assert evaluate.main(["--models", str(copy), "--data", str(MNIST_FILE), "--samples", "2000",
                          "--grid-side", "10"]) == 0
    out = capsys.readouterr().out
    assert "from N(0, I): far from data" in out
    assert "calibration error" in out
    report = json.loads((config.dataset_dir(copy) / "evaluation.json").read_text())
    for kind in ("ae", "vae"):
        for scheme in evaluate.SCHEMES:
            gaps = report[kind]["gaps"][scheme]
            assert 0 <= gaps["far_share"] <= 1
            assert gaps["readable_both"] <= gaps["readable_share"]
            assert sum(gaps["digits"]) == pytest.approx(gaps["readable_both"])
        assert sum(report[kind]["area"]["shares"]) == pytest.approx(1)
        assert sum(report[kind]["area"]["checker_shares"]) == pytest.approx(1)
        assert 0 <= report[kind]["area"]["agreement"] <= 1
        assert len(report[kind]["axes"]) == 2
        assert report[kind]["continuity"]["codes"] == evaluate.CONTINUITY_CODES
    for reader in ("reader", "checker"):
        assert 0 <= report[reader]["test_accuracy"] <= 1
        assert 0 <= report[reader]["ece"] <= 1
        assert len(report[reader]["nondigits"]["kinds"]) >= 5
    assert "evaluation.json" in store.verify_manifest(config.dataset_dir(copy))


def test_every_recipe_is_trained_stored_and_loadable(tiny_models):
    """The smoke test of the registry: one tiny run of `--all` leaves every recipe's files, each listed in the
    manifest, and every recipe loads and repaints [0, 1] images whatever scale its lesson trains on."""
    folder = config.dataset_dir(tiny_models)
    listed = store.read_json(folder / store.MANIFEST_NAME)["files"]
    images = datasets.as_images(datasets.load(registry.MNIST, MNIST_FILE, download=False).x_test[:5])[..., 0]
    for recipe in registry.RECIPES.values():
        for name in store.recipe_files(recipe):
            assert name in listed, name
        model = inference.load_recipe(recipe.name, tiny_models)
        assert model.meta["lesson"] == recipe.lesson
        codes = model.encode(images)
        assert codes.shape == (5, recipe.latent_dim), recipe.name
        painted = model.decode(codes)
        assert painted.shape == (5, 28, 28), recipe.name
        assert painted.min() >= 0.0, recipe.name
        assert painted.max() <= 1.0, recipe.name
        if recipe.trained:
            assert len(model.history["loss"]) == len(model.history["val_loss"]) == 1
            assert model.picture.codes.shape == (300, 2)
        if recipe.trained:  # The drawn picture is the test digits' codes, projected to 2-D where wider.
            drawn = codes if recipe.latent_dim == 2 else model.projection.apply(codes)
            assert np.allclose(drawn, model.picture.codes[:5], atol=1e-3), recipe.name


def test_pca_recipes_are_the_principal_components(tiny_models):
    """The linear baseline really is PCA: reconstructions improve with code size and match a direct SVD."""
    pixels = datasets.load(registry.MNIST, MNIST_FILE, download=False).x_train[:300]
    x_train = datasets.as_images(pixels)[..., 0].reshape(300, -1)
    sizes = [recipe for recipe in registry.sweep("pca")]
    errors = []
    for recipe in sizes:
        model = inference.load_recipe(recipe.name, tiny_models)
        centred = x_train - x_train.mean(axis=0)
        axes = np.linalg.svd(centred, full_matrices=False)[2][:recipe.latent_dim]
        direct = np.clip(centred @ axes.T @ axes + x_train.mean(axis=0), 0, 1)
        mine = model.reconstruct(x_train.reshape(-1, 28, 28)).reshape(300, -1)
        assert np.allclose(mine, direct, atol=1e-4), recipe.name
        errors.append(float(np.mean((mine - x_train) ** 2)))
    assert errors == sorted(errors, reverse=True)


def test_recipes_choose_what_they_train(tmp_path):
    assert train.parse_args(["--all", "--out", str(tmp_path)]).model == "all"
    assert train.parse_args(["--out", str(tmp_path)]).model == "all"
    names = [recipe.name for recipe in registry.sweep("pca")][:2]
    assert train.parse_args(["--recipe", *names, "--out", str(tmp_path)]).model == names


# Names built of recipe-looking words that are not recipes: the families and the lessons, in both spellings.
NOT_RECIPE_NAMES = {spelling for recipe in registry.RECIPES.values() for kind in (recipe.family, recipe.lesson)
                    for spelling in (kind, kind.replace("-", "_"))}


def recipe_words(text: str) -> set[str]:
    """The recipe names text spells as words of their own. Words are split at anything but letters, digits and
    "-", so "sweep-8" is one word and "models.ae_short" holds "ae"; a family's or a lesson's name (conv_ae,
    torch_vae) says what kind of model, not which recipe, and is not counted."""
    for kind in sorted(NOT_RECIPE_NAMES, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9-]){re.escape(kind)}(?![A-Za-z0-9-])", " ", text)
    return {word for word in re.split(r"[^A-Za-z0-9-]+", text) if word in registry.RECIPES}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of a module's docstring nodes: they describe, they do not name anything the code relies on."""
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def names_in_code(path) -> list[tuple[int, str]]:
    """(line, recipe name) for each recipe a Python file names: in a string (a whole literal, part of one, or
    of an f-string), as an attribute (`models.ae`), a dataclass field that makes one (`ae: LatentModel`), or a
    keyword argument (`ModelSet(ae=...)`). A local variable's own name names nothing outside its function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [(node.lineno, name) for name in recipe_words(node.value)]
        elif isinstance(node, ast.Attribute) and node.attr in registry.RECIPES:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.keyword) and node.arg in registry.RECIPES:
            found.append((node.value.lineno, node.arg))
        elif isinstance(node, ast.ClassDef):
            found += [(field.lineno, field.target.id) for field in node.body
                      if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                      and field.target.id in registry.RECIPES]
    return found


def names_in_strings_file(path) -> list[tuple[str, str]]:
    """(key, recipe name) for each key of a language file that spells a recipe's name (`models.ae`)."""
    def keys(table: dict, prefix: str = ""):
        for key, value in table.items():
            yield from keys(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]

    return [(key, name) for key in keys(tomllib.loads(path.read_text(encoding="utf-8")))
            for name in sorted(recipe_words(key))]


def registry_offenders() -> dict[tuple[str, str], list[str]]:
    """Every place outside the registry that names a recipe, by (file, recipe name)."""
    root = config.PROJECT_ROOT
    sources = [path for folder in ("lessons", "webapp", "training", "bench", "latentwall", "deploy")
               for path in (root / folder).rglob("*.py")]
    sources += [root / "app.py", root / "serve.py"]
    offenders: dict[tuple[str, str], list[str]] = {}
    for path in sources:
        if path == root / "latentwall" / "registry.py":
            continue
        for line, name in names_in_code(path):
            offenders.setdefault((path.relative_to(root).as_posix(), name), []).append(f"line {line}")
    for path in sorted((root / "assets" / "strings").glob("*.toml")):
        for key, name in names_in_strings_file(path):
            offenders.setdefault((path.relative_to(root).as_posix(), name), []).append(f"key {key}")
    return offenders


def test_the_registry_is_the_one_place_that_names_recipes():
    """No page, command, library module or language file but the registry spells a recipe's name: a new or
    renamed recipe must not need edits anywhere else. Only KNOWN_TO_MOVE is let through, and an entry that no
    longer names anything must leave the list."""
    offenders = registry_offenders()
    unlisted = {place: where for place, where in offenders.items() if place not in KNOWN_TO_MOVE}
    assert not unlisted, unlisted
    stale = sorted(KNOWN_TO_MOVE - set(offenders))
    assert not stale, f"These no longer name their recipe; remove them from KNOWN_TO_MOVE: {stale}"


@pytest.mark.parametrize("spelled", ['"sweep-8"', '"vae-400-20/encoder.keras"', 'f"{folder}/pca-16"',
                                     "models.ae", "models.vae.decoder", "Pair(ae=1, vae=2)",
                                     'text("models.ae_short")'])
def test_the_registry_check_sees_each_way_of_naming_a_recipe(tmp_path, spelled):
    path = tmp_path / "page.py"
    path.write_text(f'"""A docstring may say sweep-8."""\nvalue = {spelled}\n', encoding="utf-8")
    found = names_in_code(path)
    assert found, found
    assert all(line == 2 for line, _ in found), found
    strings = tmp_path / "en.toml"
    strings.write_text('[models]\nae = "AE"\n[wall]\npaint_help_vae = "..."\n[pages]\nfamily_conv_ae = "..."\n',
                       encoding="utf-8")
    assert names_in_strings_file(strings) == [("models.ae", "ae"), ("wall.paint_help_vae", "vae")]


def test_the_registry_check_lets_families_lessons_and_variables_be():
    assert not recipe_words("conv-ae dense_vae lesson_torch_vae sweep-80 vae20 aes pca")
    assert recipe_words("models.ae_short sweep-8/encoder.keras pca-16") == {"ae", "sweep-8", "pca-16"}
