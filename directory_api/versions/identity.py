"""Identity of a provider across versions of a list: source slugs, the keys that make two rows
the same place, stable provider ids and their assignment (reusing the previous version's).
The column-at-a-time twins of identity_keys and stable_id are in identity_fast.py."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence

from directory_api.models import ProviderRow
from directory_api.text import fold
from directory_api.versions.identity_fast import identity_keys_of, row_identity_keys, stable_ids
from directory_api.versions.values import EXT, HOUSE, NAME, POSTCODE, Identity, Values


def slugify(name: str) -> str:
    """'CAK apotheken 2026' -> 'cak-apotheken-2026'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        raise ValueError(f"source name {name!r} gives an empty slug")
    return slug[:200]


def identity_keys(row: ProviderRow) -> Identity:
    """(external-id key, name+postcode+house-number key): what makes two rows the same place."""
    ext = f"ext:{row.external_id.strip()}" if row.external_id else None
    npa = "npa:" + "|".join(fold(v) for v in (row.name, row.postcode, row.house_number))
    return ext, npa


def identity_key(row: ProviderRow) -> str:
    """The one key that makes a row distinct within a list: 'ext:<id>' when it gives an id,
    else 'npa:' name|postcode|house number, folded (identity_keys' first that is given)."""
    ext, npa = identity_keys(row)
    return ext or npa


def stable_id(slug: str, key: str) -> str:
    """Deterministic provider id for a place in a source."""
    return hashlib.sha1(f"{slug}\x00{key}".encode()).hexdigest()[:12]


def assign_ids(
    slug: str,
    rows: Sequence[ProviderRow],
    previous: Mapping[str, Values],
    keys: Sequence[str] | None = None,
) -> list[str]:
    """Reuse the previous version's id for the same place, else a deterministic new one.
    `keys`: the rows' identity_key, if the caller has them (the importer does); with a
    previous version every row's identity_keys are needed, and made here."""
    known: dict[str, str] = {}
    old = list(previous.values())
    old_keys = identity_keys_of(*([v[i] for v in old] for i in (EXT, NAME, POSTCODE, HOUSE)))
    for pid, (ext, npa) in zip(previous, old_keys, strict=True):
        if ext:
            known.setdefault(ext, pid)
        known.setdefault(npa, pid)
    if keys is not None and len(keys) != len(rows):
        raise ValueError(f"{len(keys)} identity keys for {len(rows)} rows")
    identities: Sequence[Identity] | None = None
    # Usually every row gets the id it asks for (its previous one, else its hash) and no two
    # ask for the same: then the loop below would give exactly these.
    if known:
        get = known.get
        identities = row_identity_keys(rows)
        wanted = [
            get(ext or "") or get(npa) or stable_id(slug, ext or npa) for ext, npa in identities
        ]
    else:  # a new source: every row asks for its hash
        asked = keys if keys is not None else [e or n for e, n in row_identity_keys(rows)]
        wanted = stable_ids(slug, asked)
    if len(set(wanted)) == len(wanted):
        return wanted
    taken: set[str] = set()
    ids = []
    for ext, npa in identities if identities is not None else row_identity_keys(rows):
        own = ext or npa
        found = known.get(ext or "") or known.get(npa)
        pid = stable_id(slug, own) if found is None or found in taken else found
        n = 1
        while pid in taken:  # rows the importer let through as distinct but that hash alike
            pid = stable_id(slug, f"{own}#{n}")
            n += 1
        taken.add(pid)
        ids.append(pid)
    return ids
