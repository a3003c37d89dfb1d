"""Write the generated tables of docs/figures.md from the evaluation files, so the figures never drift from a
measurement.

    python -m training.readme [--models models/] [--check]

Each section of docs/figures.md between `<!-- figures:NAME -->` and `<!-- /figures:NAME -->` is replaced by the
table its SECTIONS entry renders from the file `python -m training.evaluate` wrote. With --check nothing is
written: the command fails (exit 1) if docs/figures.md differs from what it would write, or lacks a section.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

from latentwall import config, registry, store
from training import evaluate

# The page the generated tables live on (README.md points to it and holds none of them).
FIGURES = config.PROJECT_ROOT / "docs" / "figures.md"


def recipes_table(report: dict) -> str:
    """Every recipe: its lesson, code size, size on disk, training time, test MSE against its bar, and how often
    the reader reads the original digit in its reconstructions."""
    rows = ["| recipe | lesson | code | family | size | training | test MSE (bar) | reader on reconstructions |",
            "|---|---|---:|---|---:|---:|---:|---:|"]
    for name, item in report["recipes"].items():
        recipe = registry.RECIPES.get(name)
        epochs = f"{item['epochs']} epochs, " if item["epochs"] else ""
        rows.append(f"| `{name}` | {recipe.lesson if recipe else item['lesson']} | {item['latent_dim']} | "
                    f"{item['family']} | {item['bytes'] / 1e6:.1f} MB | {epochs}{item['training_seconds']:.0f} s | "
                    f"{item['test_mse']:.4f} ({item['max_test_mse']:.3f}) | {item['reader_accuracy']:.1%} |")
    return "\n".join(rows)


def _report_section(topic):
    """A lesson's report module renders its own table: readme_table(report) from the JSON it writes."""
    return lambda folder: topic.readme_table(store.read_json(folder / topic.NAME))


# Section name -> (the file it is rendered from, a function of the models folder giving its Markdown). The
# lessons' reports (evaluate.REPORTS) that render a table get a section named after their file.
SECTIONS = {"recipes": (store.EVALUATION_FILE,
                        lambda folder: recipes_table(store.read_json(folder / store.EVALUATION_FILE)))}
for _topic in map(importlib.import_module, evaluate.REPORTS):
    if hasattr(_topic, "readme_table"):
        SECTIONS[Path(_topic.NAME).stem] = (_topic.NAME, _report_section(_topic))


def _pattern(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- figures:{name} -->\n).*?(<!-- /figures:{name} -->)", re.S)


def missing_sections(text: str) -> list[str]:
    """The sections of SECTIONS whose markers the text lacks."""
    return [name for name in SECTIONS if not _pattern(name).search(text)]


def render(text: str, folder: Path) -> str:
    for name, (source, make) in SECTIONS.items():
        pattern = _pattern(name)
        if pattern.search(text) and (folder / source).is_file():
            table = make(folder)
            text = pattern.sub(lambda match, table=table: f"{match.group(1)}{table}\n{match.group(2)}", text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.readme", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--check", action="store_true", help="only check that docs/figures.md is up to date")
    args = parser.parse_args(argv)
    current = FIGURES.read_text(encoding="utf-8")
    wanted = render(current, config.dataset_dir(args.models))
    if args.check:
        missing = missing_sections(current)
        if missing:
            print(f"docs/figures.md lacks the generated sections {', '.join(missing)}: add their markers "
                  "<!-- figures:NAME --> and <!-- /figures:NAME -->", file=sys.stderr)
            return 1
        if wanted != current:
            print("docs/figures.md's tables differ from the evaluation files: run python -m training.readme",
                  file=sys.stderr)
            return 1
        return 0
    FIGURES.write_text(wanted, encoding="utf-8")
    print(f"Figures written into {FIGURES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
