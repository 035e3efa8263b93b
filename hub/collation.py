"""French order of names: « Bâti-Coop » before « Bois », « Éco-Bâtir » among the E.

A locale-independent key (no ICU, no system locale): letters compared without their accents
and case first, punctuation and spaces ignored at that level, then the accented and cased
forms, then the text itself so that the order is total and stable.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

__all__ = ["french_key", "french_sorted"]


def _base(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return letters.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")


def french_key(text: str) -> tuple[str, str, str, str]:
    """The sort key of ``text`` in French order."""
    base = _base(text).casefold()
    alnum = "".join(c for c in base if c.isalnum())
    return alnum, base, text.casefold(), text


def french_sorted(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """``items`` in French order of ``key(item)``."""
    return sorted(items, key=lambda item: french_key(key(item)))
