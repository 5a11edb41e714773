"""Bytes to text: UTF-32/16 with a BOM, UTF-16 without one, UTF-8 with or without a BOM,
else Windows-1252; and what is not text at all (binary files, control characters).

Nothing here raises on bad input: what cannot be read gives Decoded(text=None).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

NOT_TEXT = "not a text/CSV file"


@dataclass(frozen=True)
class Decoded:
    text: str | None  # None when the bytes are not text
    encoding: str
    warning: str | None = None


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> Decoded:
    """UTF-32/16 with BOM, UTF-8 with or without BOM, else Windows-1252; binary -> text None."""
    encoding = next((enc for bom, enc in _WIDE_BOMS if data.startswith(bom)), None)
    encoding = encoding or _bomless_utf16(data)
    if encoding:
        try:
            decoded = Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            return Decoded(None, encoding)
    elif _many_nuls(data):
        return Decoded(None, "binary")
    else:
        decoded = _decode_narrow(data)
    if decoded.text is None or _looks_binary(decoded.text):
        return Decoded(None, decoded.encoding)
    return decoded


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:400]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) == len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) == len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode_narrow(data: bytes) -> Decoded:
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(body.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")
        return Decoded(text, "cp1252", "some bytes are not Windows-1252 and were replaced")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _many_nuls(data: bytes | str) -> bool:
    """More than three NULs and more than one per 100 characters: binary. A text file with
    a stray NUL is read, and the reader reports each line that holds one."""
    nul = b"\x00" if isinstance(data, bytes) else "\x00"
    if nul not in data:  # type: ignore[operator]
        return False  # the usual answer, found 5 x faster than by counting
    nuls = data.count(nul)  # type: ignore[arg-type]
    return nuls > 3 and nuls * 100 > len(data)


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return _many_nuls(text) or len(_CONTROL.findall(sample)) > len(sample) // 20
