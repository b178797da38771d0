"""The one normalisation of searchable text and of queries: what a Vietnamese user types
without diacritics ("ke hoach an toan giao thong") meets the text as written ("Kế hoạch …
an toàn giao thông"). Pure: the data migration imports it."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """NFD, combining marks removed, đ/Đ → d, lower case, every run of spaces and
    punctuation made one space (no leading or trailing space)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("đ", "d").replace("Đ", "d")
    return _SEPARATORS.sub(" ", stripped.lower()).strip()


def words(query: str) -> list[str]:
    """The query's words, normalised, each once, in the order typed."""
    return list(dict.fromkeys(normalise(query).split()))


def stored(parts: list[str]) -> str:
    """The entry's text: the parts normalised, joined, padded with one space at each end
    (so that a short word is matched whole: ``LIKE '% an %'``)."""
    body = " ".join(p for p in (normalise(part) for part in parts) if p)
    return f" {body} " if body else " "
