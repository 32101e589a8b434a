"""Row <-> model conversion for the index tables, and the search words of identifiers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from ..model import Atom, Call, Edge, Import
from .sql import prefixed

ATOM_COLUMNS = (
    "pk, id, file_path, name, qualified_name, kind, line, end_line, signature, docstring, "
    "is_async, is_exported, complexity, body_hash, parent_id, owner, data, version, created_at, "
    "updated_at, transaction_id"
)
EDGE_COLUMNS = "id, source_id, target_id, callee, short_name, line, resolution, candidates, detail"

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_new_atom = tuple.__new__  # NamedTuples made from a tuple, without their Python-level __new__
_part_words: dict[str, str] = {}  # one dotted part of a name -> its words (names repeat a lot)


@dataclass(frozen=True, slots=True)
class StoredAtom:
    """An atom as the index holds it, with its version and timestamps."""

    atom: Atom
    pk: int
    version: int
    created_at: float
    updated_at: float
    transaction_id: int | None

    @property
    def id(self) -> str:
        return self.atom.id


#: The atoms-table columns an ``atom_row`` fills, in order (version, times and the
#: transaction are added by the writer).
RECORD_COLUMNS = (
    "id, file_path, name, qualified_name, kind, line, end_line, signature, docstring, is_async, "
    "is_exported, complexity, body_hash, parent_id, owner, words, data"
)
_q = encode_basestring  # a str as a JSON string literal (C), exactly as json.dumps writes it


def atom_row(atom: Atom) -> tuple:
    """The atom as its ``atoms`` row (``RECORD_COLUMNS``).

    ``data`` holds only what has no column of its own (params, bases, imports, extra; empty
    ones left out): the columns are not stored twice, nor the calls, which are the caller's
    rows of ``edge_rows`` (``atom_select`` reads them back). Parse workers make it, by hand
    rather than with ``json``: twice as fast, and the same JSON ``json.dumps`` writes
    (``tests/test_records.py``)."""
    (id_, path, name, qualified, kind, line, end_line, signature, params, is_async, is_exported,
     docstring, complexity, body_hash, calls, parent_id, owner, bases, imports, extra) = atom
    q = _q
    parts = []
    if params:
        parts.append('"params":[' + ",".join(map(q, params)) + "]")
    if bases:
        parts.append('"bases":[' + ",".join(map(q, bases)) + "]")
    if imports:
        parts.append('"imports":[' + ",".join([
            f'[{q(im[0])},{q(im[1])},{"null" if im[2] is None else q(im[2])},'
            f'{"true" if im[3] else "false"}]' for im in imports]) + "]")
    if extra:
        parts.append('"extra":' + _dumps(extra))
    return (id_, path, name, qualified, kind, line, end_line, signature, docstring, int(is_async),
            int(is_exported), complexity, body_hash, parent_id, owner, identifier_words(qualified),
            "{" + ",".join(parts) + "}")


def atom_state(atom: Atom) -> str:
    """The atom's full state in JSON: the body of an event that must carry it (a delete, the
    create of a renamed atom, a create whose row is about to change)."""
    return _dumps(atom.to_state())


def atom_select(alias: str) -> str:
    """The columns to select for ``row_to_atom`` from the atoms row ``alias``: its own, then its
    calls, read from its rows of ``edge_rows`` (in order: their primary key is (source, seq))."""
    return (f"{prefixed(ATOM_COLUMNS, alias)}, (SELECT json_group_array(json_array(callee, "
            f"short_name, line - {alias}.line)) FROM edge_rows WHERE source = {alias}.pk)")


#: ``atom_select`` of a query on atoms without an alias, and how many columns it selects.
ATOM_SELECT = atom_select("atoms")
ATOM_WIDTH = len(ATOM_COLUMNS.split(",")) + 1


def row_to_atom(row: tuple) -> Atom:
    """A row selected with ``atom_select`` (pk first) -> Atom (columns, ``data`` for the rest,
    then the calls)."""
    try:
        d = json.loads(row[16])
        calls = json.loads(row[21]) if row[21] != "[]" else None
        imports = d.get("imports")
        return _new_atom(Atom, (
            row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
            tuple(d.get("params", ())), bool(row[10]), bool(row[11]), row[9], row[12], row[13],
            tuple([_new_atom(Call, c) for c in calls]) if calls else (), row[14], row[15],
            tuple(d.get("bases", ())),
            tuple([Import(i[0], i[1], i[2], bool(i[3])) for i in imports]) if imports else (),
            d.get("extra") or None))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise damaged(f"the data of atom {row[1]!r}", exc) from None


def row_to_stored(row: tuple) -> StoredAtom:
    return StoredAtom(row_to_atom(row), row[0], row[17], row[18], row[19], row[20])


def edge_row(edge: Edge) -> tuple:
    return (edge.source_id, edge.target_id, edge.callee, edge.short_name, edge.line,
            edge.resolution, edge.candidates, edge.detail)


def row_to_edge(row: tuple) -> Edge:
    """A row selected with EDGE_COLUMNS -> Edge."""
    return Edge(source_id=row[1], target_id=row[2], callee=row[3], short_name=row[4], line=row[5],
                resolution=row[6], candidates=row[7], detail=row[8])


def identifier_words(qualified: str) -> str:
    """Words of an identifier for full-text search: ``Session.saveUser`` -> ``session save user``.

    FTS5's tokenizer splits ``save_user`` but keeps ``saveUser`` whole; this column lets a
    search for ``user`` find both. No word spans a dot, so each dotted part is split once and
    remembered.
    """
    out = []
    cache = _part_words
    for part in qualified.split("."):
        words = cache.get(part)
        if words is None:
            if len(cache) >= 100_000:
                cache.clear()
            words = cache[part] = " ".join([w.lower() for w in _CAMEL.findall(part)])
        if words:
            out.append(words)
    return " ".join(out)


def dumps(value: Any) -> str:
    return _dumps(value)


def loads(text: str, what: str) -> Any:
    """JSON from a column; text that does not decode means a damaged file, said as such."""
    try:
        return json.loads(text)
    except (ValueError, TypeError) as exc:
        raise damaged(what, exc) from None


def damaged(what: str, exc: BaseException) -> Exception:
    """SQLite keeps no checksums of its own: a row whose JSON no longer decodes is how damage
    inside a page shows. One line, and the way on."""
    from .db import StoreError

    return StoreError(f"the index is damaged ({what} does not decode: {type(exc).__name__}: "
                      f"{' '.join(str(exc).split())[:120]}); run `dgtui index --rebuild` to rebuild it")
