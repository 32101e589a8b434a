"""Row <-> model conversion for the index tables, and the search words of identifiers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..model import Atom, Edge

ATOM_COLUMNS = (
    "pk, id, file_path, name, qualified_name, kind, line, end_line, signature, docstring, "
    "is_async, is_exported, complexity, body_hash, parent_id, owner, data, version, created_at, "
    "updated_at, transaction_id"
)
EDGE_COLUMNS = "id, source_id, target_id, callee, short_name, line, resolution, candidates"

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


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


def atom_row(atom: Atom, state: str, now: float, tx: int, version: int = 1) -> tuple:
    """Values for INSERT (columns of ``AtomRepository.insert_atoms``); ``state`` is
    ``atom_json(atom)``, the full atom, stored whole in ``data`` as the origin schema has it."""
    return (
        atom.id, atom.file_path, atom.name, atom.qualified_name, atom.kind, atom.line,
        atom.end_line, atom.signature, atom.docstring, int(atom.is_async), int(atom.is_exported),
        atom.complexity, atom.body_hash, atom.parent_id, atom.owner,
        identifier_words(atom.qualified_name), state, version, now, now, tx,
    )


def row_to_atom(row: tuple) -> Atom:
    """A row selected with ATOM_COLUMNS (pk first) -> Atom (from its ``data`` JSON)."""
    try:
        return Atom.from_state(json.loads(row[16]))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise damaged(f"the data of atom {row[1]!r}", exc) from None


def row_to_stored(row: tuple) -> StoredAtom:
    return StoredAtom(row_to_atom(row), row[0], row[17], row[18], row[19], row[20])


def edge_row(edge: Edge) -> tuple:
    return (edge.source_id, edge.target_id, edge.callee, edge.short_name, edge.line,
            edge.resolution, edge.candidates)


def row_to_edge(row: tuple) -> Edge:
    """A row selected with EDGE_COLUMNS -> Edge."""
    return Edge(source_id=row[1], target_id=row[2], callee=row[3], short_name=row[4], line=row[5],
                resolution=row[6], candidates=row[7])


def identifier_words(qualified: str) -> str:
    """Words of an identifier for full-text search: ``Session.saveUser`` -> ``session save user``.

    FTS5's tokenizer splits ``save_user`` but keeps ``saveUser`` whole; this column lets a
    search for ``user`` find both.
    """
    words = _CAMEL.findall(qualified)
    return " ".join(w.lower() for w in words)


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
