"""Questions asked of the index, answered in one place for the CLI, the TUI, chat, export and MCP.

Every function takes an open ``Store`` and returns plain dicts (JSON-ready rows). Walks of the call
graph read the ``edges`` table level by level, so a one-shot command never loads the whole graph.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

from .model import Atom
from .store import AtomFilter, Event, EventFilter, Store, StoredAtom

ATOM_FIELDS = ["id", "file_path", "name", "qualified_name", "kind", "line", "end_line",
               "signature", "params", "is_async", "is_exported", "complexity", "docstring",
               "version"]
TABLE_COLUMNS = ["name", "kind", "file_path", "line", "id"]
GRAPH_COLUMNS = ["depth", "name", "kind", "file_path", "line", "resolution", "id"]
EVENT_COLUMNS = ["event_id", "time", "transaction_id", "source", "operation", "atom_id", "changed"]


class QueryError(Exception):
    """A question the index cannot answer as asked (unknown atom, bad filter...)."""


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
        raise QueryError(f"no atom named {ref!r} (try `dgtui search {ref}`)")
    if len(found) > 1:
        raise AmbiguousAtom(ref, found)
    return found[0]


def search(store: Store, text: str, filters: AtomFilter | None = None, limit: int = 50,
           with_counts: bool = False) -> list[dict[str, Any]]:
    hits = store.atoms.search(text, filters, limit=limit)
    return _with_counts(store, hits) if with_counts else [atom_dict(h) for h in hits]


def query(store: Store, filters: AtomFilter, limit: int | None = None,
          with_counts: bool = False) -> list[dict[str, Any]]:
    hits = store.atoms.query(filters, limit=limit)
    return _with_counts(store, hits) if with_counts else [atom_dict(h) for h in hits]


def _with_counts(store: Store, hits: list[StoredAtom]) -> list[dict[str, Any]]:
    counts = store.atoms.call_counts([h.id for h in hits])
    return [atom_dict(h, callers=counts[h.id][0], callees=counts[h.id][1]) for h in hits]


def callers(store: Store, atom_id: str, depth: int = 1) -> list[dict[str, Any]]:
    """Atoms that call ``atom_id``, breadth first to ``depth``; each row says how it calls."""
    return _walk(store, atom_id, depth, upward=True, include_unresolved=False)


def callees(store: Store, atom_id: str, depth: int = 1,
            include_unresolved: bool = True) -> list[dict[str, Any]]:
    """What ``atom_id`` calls, to ``depth``; unresolved and ambiguous calls are rows too."""
    return _walk(store, atom_id, depth, upward=False, include_unresolved=include_unresolved)


def _walk(store: Store, start: str, depth: int, upward: bool,
          include_unresolved: bool) -> list[dict[str, Any]]:
    if depth < 1:
        raise QueryError("depth must be at least 1")
    repo = store.atoms
    seen = {start}
    frontier = [start]
    rows: list[dict[str, Any]] = []
    for level in range(1, depth + 1):
        if not frontier:
            break
        edges = repo.edges_to(frontier) if upward else repo.edges_from(frontier)
        found: dict[str, dict[str, Any]] = {}
        for _, e in edges:
            other = e.source_id if upward else e.target_id
            via = e.target_id if upward else e.source_id
            if other is None:
                if include_unresolved:
                    rows.append({"depth": level, "id": None, "name": e.callee, "kind": e.resolution,
                                 "file_path": None, "line": e.line, "end_line": None,
                                 "resolution": e.resolution, "candidates": e.candidates,
                                 "callee": e.callee, "via": via})
                continue
            if other in seen or other in found:
                continue
            found[other] = {"resolution": e.resolution, "callee": e.callee, "call_line": e.line,
                            "via": via}
        atoms = repo.get_many(list(found))
        for atom_id, info in found.items():
            stored = atoms.get(atom_id)
            if stored is not None:
                rows.append(atom_dict(stored, depth=level, **info))
        seen.update(found)
        frontier = list(found)
    return rows


def impact(store: Store, atom_id: str, max_depth: int = 50) -> dict[str, Any]:
    """Everything that (transitively) calls ``atom_id``: atoms, files, and the tests among them."""
    rows = callers(store, atom_id, depth=max_depth)
    files = sorted({r["file_path"] for r in rows if r.get("file_path")})
    tests = [r for r in rows if is_test(r)]
    return {"atom": atom_id, "callers": rows, "files": files, "tests": tests,
            "max_depth": max((r["depth"] for r in rows), default=0)}


def is_test(row: dict[str, Any]) -> bool:
    path = row.get("file_path") or ""
    name = row.get("name") or ""
    base = os.path.basename(path)
    return (row.get("kind") == "test" or name.startswith("test") or base.startswith("test_")
            or ".test." in base or ".spec." in base or "/tests/" in f"/{path}")


def event_dict(e: Event) -> dict[str, Any]:
    return {"event_id": e.id, "time": e.timestamp, "transaction_id": e.transaction_id,
            "source": e.source, "operation": e.operation, "atom_id": e.atom_id,
            "file_path": e.file_path, "changed": e.changed_fields,
            "previous_version": e.previous_version, "new_version": e.new_version,
            "renamed_from": e.delta.get("renamed_from"), "renamed_to": e.delta.get("renamed_to"),
            "delta": e.delta}


def events(store: Store, f: EventFilter) -> list[dict[str, Any]]:
    return [event_dict(e) for e in store.events.events(f)]


def history(store: Store, atom_id: str) -> list[dict[str, Any]]:
    return [event_dict(e) for e in store.events.history(atom_id)]


def replay(store: Store, at_tx: int) -> tuple[list[Atom], list[dict[str, Any]]]:
    """Atoms and edges as they were after transaction ``at_tx``.

    Atoms come from replaying the event log; edges are resolved again from those atoms with
    the same resolver the engine uses, so they are what the engine stored then.
    """
    from .resolve import Resolver
    from .symbols import SymbolInfo, SymbolTable

    atoms = store.events.replay(at_tx)
    table = SymbolTable()
    for atom in atoms.values():
        table.add(SymbolInfo.of(atom))
    resolver = Resolver(table)
    edges = [e._asdict() for a in sorted(atoms.values(), key=lambda a: (a.file_path, a.line, a.id))
             for e in resolver.edges_for(a, a.calls)]
    return sorted(atoms.values(), key=lambda a: (a.file_path, a.line, a.id)), edges


def stats(store: Store) -> dict[str, Any]:
    counts = store.atoms.counts()
    counts["events"] = store.events.event_count()
    counts["last_transaction"] = store.events.last_transaction_id()
    counts["database_bytes"] = _db_size(store.path)
    return counts


def _db_size(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def source_lines(root: str, stored_or_row: Any, context: int = 0, max_lines: int = 400) -> tuple[int, list[str]]:
    """(first line number, lines) of an atom's source as it is on disk now."""
    if isinstance(stored_or_row, StoredAtom):
        path, line, end = stored_or_row.atom.file_path, stored_or_row.atom.line, stored_or_row.atom.end_line
    else:
        path, line, end = stored_or_row["file_path"], stored_or_row["line"], stored_or_row["end_line"]
    full = os.path.join(root, path)
    try:
        with open(full, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    start = max(1, line - context)
    stop = len(lines) if end is None else min(len(lines), end + context)
    stop = min(stop, start + max_lines - 1)
    return start, lines[start - 1:stop]


def unresolved(store: Store, file_glob: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    return [{"source_id": e.source_id, "callee": e.callee, "short_name": e.short_name,
             "line": e.line, "resolution": e.resolution, "candidates": e.candidates}
            for e in store.atoms.unresolved_edges(file_glob, limit)]


def candidates_for(store: Store, short_name: str, limit: int = 50) -> list[dict[str, Any]]:
    """The atoms an ambiguous call could mean."""
    return [atom_dict(s) for s in store.atoms.find(short_name, limit=limit) if s.atom.name == short_name]


def ids(rows: Sequence[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in rows if r.get("id")]


# == questions the explorer asks (search as you type, panes, palette) ============================
SEARCH_WINDOW = 2000  # full-text matches ranked per keystroke (see AtomRepository.search)
_IDENTIFIER_PREFIX = re.compile(r"^[A-Za-z_$][\w$]*$")


def search_as_you_type(store: Store, text: str, filters: AtomFilter | None = None,
                       limit: int = 50) -> list[dict[str, Any]]:
    """Results for a search box that updates on every keystroke, with callers/callees counts.

    Names that start with the text come first (shortest first: typing ``sav`` shows ``save``
    before ``save_all``); full-text hits ranked within the first ``SEARCH_WINDOW`` matches fill
    the rest. Empty text with filters lists what the filters select.
    """
    text = text.strip()
    if not text:
        return query(store, filters, limit=limit, with_counts=True) if _any_filter(filters) else []
    hits: list[StoredAtom] = []
    if _IDENTIFIER_PREFIX.match(text):
        hits = store.atoms.name_prefix(text, filters, limit)
    if len(hits) < limit:
        seen = {h.id for h in hits}
        more = store.atoms.search(text, filters, limit=limit, window=SEARCH_WINDOW)
        hits += [h for h in more if h.id not in seen][:limit - len(hits)]
    return _with_counts(store, hits)


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


def atom_as_it_was(store: Store, atom_id: str) -> dict[str, Any] | None:
    """A deleted atom as its last event left it (the state a delete event recorded)."""
    for event in reversed(store.events.history(atom_id)):
        state = event.delta.get("atom")
        if event.atom_id == atom_id and state:
            row = {k: state.get(k) for k in ATOM_FIELDS if k in state}
            row.update(deleted_at=event.timestamp if event.operation == "delete" else None,
                       deleted_in=event.transaction_id if event.operation == "delete" else None)
            return row
    return None


def call_children(store: Store, atom_id: str, upward: bool) -> list[dict[str, Any]]:
    """One level of a caller (``upward``) or callee tree, each row with its own counts so a tree
    knows which rows expand; unresolved and ambiguous calls are rows of their own."""
    rows = callers(store, atom_id, 1) if upward else callees(store, atom_id, 1)
    edges = store.atoms.edges_to([atom_id]) if upward else store.atoms.edges_from([atom_id])
    line = next((e.line for _, e in edges if e.source_id == e.target_id == atom_id), None)
    if line is not None:  # a walk leaves out the start; a tree shows recursion as a cycle
        stored = store.atoms.get(atom_id)
        if stored is not None:
            rows.insert(0, atom_dict(stored, depth=1, resolution="recursive", call_line=line,
                                     via=atom_id))
    counts = store.atoms.call_counts(ids(rows))
    for row in rows:
        if row.get("id"):
            row["callers"], row["callees"] = counts[row["id"]]
    return rows


def fuzzy_atoms(store: Store, text: str, limit: int = 200) -> list[dict[str, Any]]:
    """Atoms whose qualified name holds the letters of ``text`` in order (a fuzzy finder's
    candidates, shortest names first)."""
    return [{"id": i, "qualified_name": q, "kind": k, "file_path": f, "line": n}
            for i, q, k, f, n in store.atoms.name_subsequence(text, limit)]


def file_text(root: str, path: str) -> str:
    """A file of the repository as it is on disk now."""
    try:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError as exc:
        raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from exc


def totals(store: Store) -> dict[str, int]:
    """Files, atoms, edges, skipped files, files with parse errors, and the last transaction."""
    out = store.atoms.totals()
    out["last_transaction"] = store.events.last_transaction_id()
    return out
