"""Atoms: look-ups by id or name, search (ranked, as you type), filtered queries, listings."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from ..model import MOVE_FIELDS, AtomFilter, Delta
from ..store import Store, StoredAtom

ATOM_FIELDS = ["id", "file_path", "name", "qualified_name", "kind", "line", "end_line",
               "signature", "params", "is_async", "is_exported", "complexity", "docstring",
               "version"]


TABLE_COLUMNS = ["name", "kind", "file_path", "line", "id"]


class QueryError(Exception):
    """A question the index cannot answer as asked (unknown atom, bad filter...)."""


class NoSuchAtom(QueryError):
    """No atom has this id or name; each front end says where to look (its own search)."""

    def __init__(self, ref: str):
        self.ref = ref
        super().__init__(f"no atom named {ref!r}")


#: The longest glob or search text a question may carry. SQLite refuses a LIKE or GLOB pattern
#: over 50,000 bytes with "pattern too complex"; no one writes a glob of a thousand characters.
MAX_PATTERN = 1000


def check_patterns(**patterns: str | None) -> None:
    """A ``QueryError`` naming the first pattern (``file_glob=...``) longer than ``MAX_PATTERN``."""
    for what, value in patterns.items():
        if value is not None and len(value) > MAX_PATTERN:
            raise QueryError(f"the {what.replace('_', ' ')} is {len(value):,} characters long; "
                             f"at most {MAX_PATTERN:,} are accepted")


def _check_filter(filters: AtomFilter | None) -> None:
    if filters is not None:
        check_patterns(file_glob=filters.file_glob, name_glob=filters.name_glob)


class AmbiguousAtom(QueryError):
    def __init__(self, ref: str, candidates: list[StoredAtom]):
        self.ref = ref
        self.candidates = candidates
        super().__init__(f"{ref!r} matches {len(candidates)} atoms; use one of the ids listed")


def atom_dict(stored: StoredAtom, **extra: Any) -> dict[str, Any]:
    a = stored.atom
    row = {
        "id": a.id, "file_path": a.file_path, "name": a.name, "qualified_name": a.qualified_name,
        "kind": a.kind, "line": a.line, "end_line": a.end_line, "signature": a.signature,
        "params": list(a.params), "is_async": a.is_async, "is_exported": a.is_exported,
        "complexity": a.complexity, "docstring": a.docstring, "version": stored.version,
        "updated_at": stored.updated_at,
    }
    row.update(extra)
    return row


def resolve_atom(store: Store, ref: str) -> StoredAtom:
    """The one atom ``ref`` names: an id, a qualified name or a name."""
    ref = ref.strip()
    if not ref:
        raise QueryError("empty atom name")
    found = store.atoms.find(ref)
    if not found:
        raise NoSuchAtom(ref)
    if len(found) > 1:
        raise AmbiguousAtom(ref, found)
    return found[0]


def search(store: Store, text: str, filters: AtomFilter | None = None, limit: int = 50,
           with_counts: bool = False) -> list[dict[str, Any]]:
    _check_filter(filters)
    hits = store.atoms.search(text, filters, limit=limit)
    return _with_counts(store, hits) if with_counts else [atom_dict(h) for h in hits]


def query(store: Store, filters: AtomFilter, limit: int | None = None,
          with_counts: bool = False) -> list[dict[str, Any]]:
    _check_filter(filters)
    rows = store.atoms.query_summaries(filters, limit=limit)
    if with_counts:
        counts = store.atoms.call_counts([r["id"] for r in rows])
        for r in rows:
            r["callers"], r["callees"] = counts[r["id"]]
    return rows


def _with_counts(store: Store, hits: list[StoredAtom]) -> list[dict[str, Any]]:
    counts = store.atoms.call_counts([h.id for h in hits])
    return [atom_dict(h, callers=counts[h.id][0], callees=counts[h.id][1]) for h in hits]


def stats(store: Store) -> dict[str, Any]:
    counts = store.atoms.counts()
    counts["events"] = store.events.event_count()
    counts["last_transaction"] = store.events.last_transaction_id()
    counts["database_bytes"] = _db_size(store.path)
    return counts


def _db_size(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


#: What ``dgtui unresolved`` lists by default: calls nothing can tell the target of. Builtin and
#: external calls are known (not the repository's), listed on request.
UNKNOWN_KINDS = ("unresolved", "ambiguous")


def unresolved(store: Store, file_glob: str | None = None, limit: int | None = None,
               kinds: Sequence[str] = UNKNOWN_KINDS) -> list[dict[str, Any]]:
    """Calls with no single target: the candidate ids of an ambiguous call, the module of an
    external one."""
    check_patterns(file_glob=file_glob)
    rows = [{"source_id": e.source_id, "callee": e.callee, "short_name": e.short_name,
             "line": e.line, "resolution": e.resolution, "candidates": e.candidates,
             "module": e.detail if e.resolution == "external" else None}
            for e in store.atoms.unresolved_edges(file_glob, limit, kinds)]
    return with_candidate_ids(store, rows)


def with_candidate_ids(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each ambiguous call row (``callee``, ``resolution``) its ``candidate_ids``: the
    callables of its name, only methods for a call on a receiver (the resolver's own rule)."""
    wanted = [r for r in rows if r.get("resolution") == "ambiguous"]
    named = store.atoms.callables_named([_short(r["callee"]) for r in wanted]) if wanted else {}
    for row in wanted:
        on_receiver = "." in row["callee"]
        row["candidate_ids"] = [i for i, method in named.get(_short(row["callee"]), ())
                                if method or not on_receiver]
    return rows


def _short(callee: str) -> str:
    return callee.replace("?.", ".").rpartition(".")[2]


def candidates_for(store: Store, short_name: str, limit: int = 50,
                   ids: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The atoms an ambiguous call could mean: the candidate ids its edge keeps, or (an edge
    made before candidates were kept) the atoms of that name."""
    if ids:
        found = store.atoms.get_many(list(ids)[:limit])
        return [atom_dict(found[i]) for i in ids if i in found]
    return [atom_dict(s) for s in store.atoms.find(short_name, limit=limit) if s.atom.name == short_name]


def ids(rows: Sequence[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in rows if r.get("id")]


def search_as_you_type(store: Store, text: str, filters: AtomFilter | None = None,
                       limit: int = 50) -> list[dict[str, Any]]:
    """Results for a search box that updates on every keystroke, with callers/callees counts.

    The ranked search (``AtomRepository.search``): names that start with the text first,
    shortest first (typing ``sav`` shows ``save`` before ``save_all``), then full-text hits
    (a word inside a name, a path or a docstring). Empty text with filters lists what the
    filters select.
    """
    text = text.strip()
    _check_filter(filters)
    if not text:
        return query(store, filters, limit=limit, with_counts=True) if _any_filter(filters) else []
    return _with_counts(store, store.atoms.search(text, filters, limit=limit))


#: What the full-text search reads of an atom besides its id (its ``words`` are made of the
#: qualified name) and the kind it leaves out (modules). A change to any other field (the body,
#: the calls, the place) leaves the atom's match, and every bm25 score, as they were.
SEARCHED_FIELDS = frozenset({"name", "qualified_name", "signature", "docstring", "kind"})


def _filtered_fields(f: AtomFilter) -> set[str]:
    """The fields of an atom that the filters in ``f`` test (the name globs: SEARCHED_FIELDS)."""
    tests = {"kind": f.kind, "is_async": f.is_async, "is_exported": f.exported,
             "complexity": f.min_complexity, "calls": f.calls or f.called_by or f.unresolved}
    return {field for field, value in tests.items() if value not in (None, False, "")}


def search_may_change(deltas: Iterable[Delta], text: str, filters: AtomFilter | None,
                      shown: Collection[str], full: bool) -> bool:
    """Whether ``search_as_you_type(text, filters)`` may answer differently after ``deltas``,
    given the atom ids of its last answer (``shown``; ``full``: as many as the limit, so more
    matched). When in doubt, yes: a created atom may match, a deleted one shifts bm25's
    statistics (the order), an update of a searched or filtered field may make an atom match or
    stop matching; a shown row shows its place, version and call counts; with the limit reached
    an atom that moved may swap with one of equal rank (ties go by file and line); the filters
    on calls read the edges. Only what none of these can touch answers no: an edit inside a body
    that is not shown, edges between atoms not shown, a search box that lists nothing."""
    text = text.strip()
    if not text and not _any_filter(filters):
        return False  # the box lists nothing, whatever the index holds
    f = filters or AtomFilter()
    read = SEARCHED_FIELDS | _filtered_fields(f) | (MOVE_FIELDS if full else set())
    by_edges = "calls" in read
    for delta in deltas:
        for change in delta.changes:
            if change.operation != "update" or change.atom_id in shown or read.intersection(change.changed):
                return True
        if (delta.edges_added or delta.edges_removed) and (
                by_edges or not delta.edge_atoms.isdisjoint(shown)):
            return True
    return False


def _any_filter(filters: AtomFilter | None) -> bool:
    return filters is not None and any(
        v not in (None, False) for v in (filters.kind, filters.is_async, filters.exported,
                                         filters.file_glob, filters.name_glob))


def atom_view(store: Store, atom_id: str) -> dict[str, Any] | None:
    """Everything an atom pane shows: the fields, caller/callee counts, the file's parse errors."""
    stored = store.atoms.get(atom_id)
    if stored is None:
        return None
    n_callers, n_callees = store.atoms.call_counts([atom_id])[atom_id]
    file_row = store.atoms.file_rows([stored.atom.file_path]).get(stored.atom.file_path)
    return atom_dict(stored, callers=n_callers, callees=n_callees,
                     language=file_row.language if file_row else None,
                     file_errors=list(file_row.errors) if file_row else [],
                     file_error_count=file_row.error_count if file_row else 0)


def fuzzy_atoms(store: Store, text: str, limit: int = 200) -> list[dict[str, Any]]:
    """Atoms whose qualified name holds the letters of ``text`` in order (a fuzzy finder's
    candidates, shortest names first)."""
    return [{"id": i, "qualified_name": q, "kind": k, "file_path": f, "line": n}
            for i, q, k, f, n in store.atoms.name_subsequence(text, limit)]


def totals(store: Store) -> dict[str, int]:
    """Files, atoms, edges, skipped files, files with parse errors, and the last transaction."""
    out = store.atoms.totals()
    out["last_transaction"] = store.events.last_transaction_id()
    return out
