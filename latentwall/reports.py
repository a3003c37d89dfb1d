"""The reports `python -m training.evaluate` writes beside the models, read back for the pages."""

from __future__ import annotations

from pathlib import Path

from latentwall import registry, store


def load_evaluation(folder: Path) -> dict | None:
    """The report `python -m training.evaluate` wrote beside the models, or None if there is none yet."""
    try:
        report = store.read_json(Path(folder) / store.EVALUATION_FILE)
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and set(registry.WALL_KINDS) <= set(report) else None


def defect_rows(report: dict) -> list[tuple[str, str, str]]:
    """(measure key, AE value, VAE value) for each number of the three defects, formatted to read.

    The measure key names a label and a one-line meaning in the strings file.
    """
    def each(format_one) -> tuple[str, str]:
        values = []
        for kind in registry.WALL_KINDS:
            try:
                values.append(format_one(report[kind]))
            except (KeyError, IndexError, TypeError, ValueError):
                values.append("–")
        return values[0], values[1]

    def area(model: dict, end: str) -> str:
        digit = model["area"][f"{end}_digit"]
        return f"{digit}: {model['area']['shares'][digit]:.2%}"

    def ratio(model: dict) -> str:
        # Largest over smallest, so a wall where one digit owns 700 times another's room reads "700 : 1", not 0.00.
        shares = model["area"]["shares"]
        return f"{max(shares) / min(shares):,.0f} : 1" if min(shares) > 0 else "∞ : 1"

    rows = [
        ("test_mse", *each(lambda model: f"{model['test_mse']:.4f}")),
        ("smallest_area", *each(lambda model: area(model, "smallest"))),
        ("largest_area", *each(lambda model: area(model, "largest"))),
        ("area_ratio", *each(ratio)),
    ]
    for axis in (0, 1):
        rows.append((f"axis{axis}_centre", *each(
            lambda model, axis=axis: f"{model['axes'][axis]['mean']:.2f} ± {model['axes'][axis]['std']:.2f}")))
        rows.append((f"axis{axis}_range", *each(
            lambda model, axis=axis: f"{model['axes'][axis]['min']:.2f} .. {model['axes'][axis]['max']:.2f}")))
    for source in ("box", "fitted", "prior"):
        for name, key in (("far", "far_share"), ("readable", "readable_share"), ("both", "readable_both")):
            rows.append((f"{source}_{name}", *each(
                lambda model, source=source, key=key: f"{model['gaps'][source][key]:.1%}")))
    return rows
