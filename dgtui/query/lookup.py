"""Names as people write them ("saveatom", "db.save", a file's stem) matched to atoms and files."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..store import Store, StoredAtom

#: How alike (0..1, difflib ratio) a name must be to a misspelt one to be offered.
FUZZY_CUTOFF = 0.75


_NOT_NAME_CHARS = re.compile(r"[^0-9a-z.]")


def _squash(text: str) -> str:
    """``save_atom``, ``saveAtom`` and ``SaveAtom`` all become ``saveatom``."""
    return _NOT_NAME_CHARS.sub("", text.lower())


def name_keys(store: Store) -> dict[str, list[str]]:
    """Squashed name and qualified name -> atom ids: the vocabulary of ``match_atoms``."""
    keys: dict[str, list[str]] = {}
    for atom_id, name, qualified, _kind, _path in store.atoms.name_rows():
        for k in {_squash(name), _squash(qualified)}:
            keys.setdefault(k, []).append(atom_id)
    return keys


def match_atoms(store: Store, ref: str, file_hint: str | None = None, limit: int = 10,
                keys: Callable[[], dict[str, list[str]]] | None = None
                ) -> tuple[list[StoredAtom], str]:
    """The atoms a person most likely means by ``ref``, and how they matched: ``exact`` (id,
    qualified name or name), ``normalized`` (case and ``_``/``-`` ignored: ``saveatom``) or
    ``fuzzy`` (the closest spelling). ``keys`` returns a cached ``name_keys(store)``; it is
    called only when no name matches exactly."""
    import difflib

    ref = ref.strip()
    if not ref:
        return [], "none"
    found, how = store.atoms.find(ref, limit=limit), "exact"
    if not found:
        vocabulary = keys() if keys is not None else name_keys(store)
        key = _squash(ref)
        ids, how = vocabulary.get(key, []), "normalized"
        if not ids and key:
            close = difflib.get_close_matches(key, vocabulary, n=1, cutoff=FUZZY_CUTOFF)
            ids, how = (vocabulary[close[0]] if close else []), "fuzzy"
        found = list(store.atoms.get_many(list(dict.fromkeys(ids))[:limit]).values())
        found.sort(key=lambda s: (s.atom.file_path, s.atom.line))
    if file_hint and len(found) > 1:
        narrowed = [s for s in found if file_hint in s.atom.file_path]
        found = narrowed or found
    return found[:limit], how if found else "none"


def match_path(store: Store, ref: str) -> tuple[str, list[str]] | None:
    """A file or folder a person names, as (GLOB for filters, the indexed files it covers):
    an exact path, a folder, a path suffix (``service.py``), or the closest file name."""
    import difflib
    import posixpath

    ref = ref.strip().strip("`'\"").removeprefix("./").rstrip("/")
    if not ref:
        return None
    paths = sorted(store.atoms.file_stats())
    if ref in paths:
        return ref, [ref]
    under = [p for p in paths if p.startswith(ref + "/")]
    if under:
        return ref + "/*", under
    tails = [p for p in paths if p.endswith("/" + ref)]
    if len(tails) == 1:
        return tails[0], tails
    if tails:
        return "*/" + ref, tails
    folders = sorted({p[:p.index("/" + ref + "/") + len(ref) + 1] for p in paths
                      if "/" + ref + "/" in p})
    if len(folders) == 1:
        return folders[0] + "/*", [p for p in paths if p.startswith(folders[0] + "/")]
    bases = {posixpath.basename(p): p for p in paths}
    close = difflib.get_close_matches(ref, list(bases), n=1, cutoff=FUZZY_CUTOFF)
    if close:
        return bases[close[0]], [bases[close[0]]]
    return None


def loose_calls_to(store: Store, short_name: str) -> list[dict[str, Any]]:
    """Unresolved and ambiguous calls written with this name: they may reach an atom so named."""
    return [{"source_id": e.source_id, "callee": e.callee, "line": e.line,
             "resolution": e.resolution, "candidates": e.candidates}
            for _, e in store.atoms.edges_named([short_name]) if e.target_id is None]
