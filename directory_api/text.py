"""Text: folding for matching (case-, accent- and whitespace-insensitive), the characters
no cell may hold (controls, bidi overrides, zero-width characters) and escaping for a
terminal.
"""

from __future__ import annotations

import re
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


# What a cell may not hold (imports/cells.py refuses it, naming line and column): C0 and C1
# control characters but tab, line feed and carriage return (a quoted cell may span lines);
# bidi embeddings, overrides and isolates and the invisible direction marks (U+202A-202E,
# U+2066-2069, U+200E, U+200F, U+061C: "Trojan Source"); zero-width characters (U+200B-200D,
# U+2060, U+FEFF: a byte order mark inside text).
_HIDDEN = "\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff"
FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}]")
FORBIDDEN_CLASS = f"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}"  # for other expressions


def forbidden_character(text: str) -> str | None:
    """'U+202E (RIGHT-TO-LEFT OVERRIDE)' for the first character a cell may not hold."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} ({name})"


# What a terminal must not be sent from data: every control character (C0, DEL, C1; ESC
# starts escape sequences, OSC titles and links, BEL rings, BS overwrites), the bidi and
# zero-width characters above, and the line and paragraph separators.
_TERMINAL = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}\u2028\u2029]")


def terminal_safe(text: str) -> str:
    """The text with every character _TERMINAL names escaped: '\\x1b', '\\u202e', '\\n'."""
    if text.isprintable() and text.isascii():
        return text
    return _TERMINAL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )
