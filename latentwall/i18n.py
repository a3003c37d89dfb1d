"""Every word the app shows, in English, Simplified and Traditional Chinese: one TOML file per language.

Pages look words up by dotted key (`text("wall.title")`) in the language of the session that asks, so two
students can read two languages at once. A language's file is read once per process and never changes;
nothing here remembers which language anyone chose. A missing key raises KeyError naming the key and
the file, so a gap shows up in the tests.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

STRINGS_DIR = Path(__file__).resolve().parent.parent / "assets" / "strings"
# The languages the app speaks, by BCP 47 tag, with the name each calls itself.
LANGUAGES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}
DEFAULT_LANGUAGE = "en"
# Chinese regions and scripts that read Traditional characters; every other Chinese tag reads Simplified.
_TRADITIONAL = {"hant", "tw", "hk", "mo"}


class Strings:
    """A language's words, looked up by dotted key and filled in with str.format values."""

    def __init__(self, table: dict, source: Path, language: str):
        self.source = source
        self.language = language
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


@cache  # Each language's file is read once per process; the Strings object is never changed.
def load_strings(language: str) -> Strings:
    """The words of one of LANGUAGES; anything else raises ValueError."""
    if language not in LANGUAGES:
        raise ValueError(f"The app speaks {', '.join(LANGUAGES)}; got {language!r}.")
    path = STRINGS_DIR / f"{language}.toml"
    with open(path, "rb") as handle:
        return Strings(tomllib.load(handle), path, language)


def match(tag) -> str | None:
    """The app's language for one language tag ("zh-TW", "zh_CN", "en-GB", "zh-Hant"), or None.

    Anything that is not a short, plain tag (a forged query value, a header fragment) gives None.
    """
    if not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8}){0,4}", tag.strip()):
        return None
    parts = tag.strip().replace("_", "-").lower().split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] == "zh":
        return "zh-Hant" if _TRADITIONAL & set(parts[1:]) else "zh-Hans"
    return None


def accepted(header) -> list[str]:
    """The tags of an Accept-Language header, most preferred first (weights honoured, malformed parts dropped)."""
    if not isinstance(header, str):
        return []
    weighted = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            continue
        if tag and 0 < quality <= 1:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(*candidates, header=None) -> str:
    """The first candidate tag the app speaks, then the header's preferences in order, else English."""
    for tag in [*candidates, *accepted(header)]:
        found = match(tag)
        if found:
            return found
    return DEFAULT_LANGUAGE
