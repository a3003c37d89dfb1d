"""Every word the app shows, read from one TOML file per language under assets/strings/.

Pages look words up by dotted key (`text("wall.title")`), so a translation is one new file and no page
changes. A missing key raises KeyError naming the key and the file, so a gap shows up in the tests.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

STRINGS_DIR = Path(__file__).resolve().parent.parent / "assets" / "strings"
# The language a deployment shows; English unless this environment variable names another file.
LANGUAGE_ENV_VAR = "LATENT_WALL_LANGUAGE"
DEFAULT_LANGUAGE = "en"


class Strings:
    """A language's words, looked up by dotted key and filled in with str.format values."""

    def __init__(self, table: dict, source: Path):
        self.source = source
        self._flat = dict(_flatten(table))

    def __call__(self, key: str, **values) -> str:
        try:
            template = self._flat[key]
        except KeyError:
            raise KeyError(f"No text for {key!r} in {self.source}.") from None
        return template.format(**values) if values else template

    def keys(self) -> set[str]:
        return set(self._flat)


def _flatten(table: dict, prefix: str = ""):
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{key}.")
        else:
            yield key, str(value)


@cache
def load_strings(language: str | None = None) -> Strings:
    """The words of one language (default: $LATENT_WALL_LANGUAGE, else English), read once per process."""
    language = language or os.environ.get(LANGUAGE_ENV_VAR) or DEFAULT_LANGUAGE
    if not language.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"A language is a short code such as 'en' or 'zh', got {language!r}.")
    path = STRINGS_DIR / f"{language}.toml"
    with open(path, "rb") as handle:
        return Strings(tomllib.load(handle), path)
