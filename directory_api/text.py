"""Folding text for matching: case-, accent- and whitespace-insensitive."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """'  Apotheek  Müller ' -> 'apotheek muller'; letters of other scripts are kept."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
