"""Questions asked of the index, answered in one place for the CLI, the TUI, chat, export and MCP.

Every function takes an open ``Store`` and returns plain dicts (JSON-ready rows). Walks of the call
graph read the ``edges`` table level by level, so a one-shot command never loads the whole graph.
"""

from __future__ import annotations

import os
import errno
import re
import stat
from collections.abc import Callable, Sequence
from typing import Any

from .model import Atom
from .store import AtomFilter, Event, EventFilter, Store, StoredAtom

ATOM_FIELDS = ["id", "file_path", "name", "qualified_name", "kind", "line", "end_line",
               "signature", "params", "is_async", "is_exported", "complexity", "docstring",
               "version"]
TABLE_COLUMNS = ["name", "kind", "file_path", "line", "id"]
GRAPH_COLUMNS = ["depth", "name", "kind", "file_path", "line", "resolution", "id"]
EVENT_COLUMNS = ["event_id", "time", "transaction_id", "source", "operation", "atom_id", "changed"]


_MAX_SOURCE_BYTES = 64 * 1024 * 1024


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
    rows = store.atoms.query_summaries(filters, limit=limit)
    if with_counts:
        counts = store.atoms.call_counts([r["id"] for r in rows])
        for r in rows:
            r["callers"], r["callees"] = counts[r["id"]]
    return rows


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
        found: dict[str, dict[str, Any]] = {}
        for source, target, callee, line, resolution, candidates in repo.calls_touching(frontier, upward):
            other, via = (source, target) if upward else (target, source)
            if other is None:
                if include_unresolved:
                    rows.append({"depth": level, "id": None, "name": callee, "kind": resolution,
                                 "file_path": None, "line": line, "end_line": None,
                                 "resolution": resolution, "candidates": candidates,
                                 "callee": callee, "via": via})
                continue
            if other in seen or other in found:
                continue
            found[other] = {"resolution": resolution, "callee": callee, "call_line": line, "via": via}
        atoms = repo.summaries(list(found))
        for atom_id, info in found.items():
            row = atoms.get(atom_id)
            if row is not None:
                rows.append(dict(row, depth=level, **info))
        seen.update(found)
        frontier = list(found)
    return rows


def impact(store: Store, atom_id: str, max_depth: int = 50) -> dict[str, Any]:
    """Everything that (transitively) calls ``atom_id``: atoms, files, and the tests among them.

    Rows are brief (id, names, kind, place, depth, how it calls): an impact set can hold half a
    repository, and the walk only needs the resolved edges."""
    repo = store.atoms
    found: dict[str, tuple[int, str, str]] = {}  # caller -> (depth, resolution, via)
    frontier, seen = [atom_id], {atom_id}
    for level in range(1, max_depth + 1):
        if not frontier:
            break
        nxt = []
        for source, target, resolution in repo.caller_pairs(frontier):
            if source not in seen:
                seen.add(source)
                found[source] = (level, resolution, target)
                nxt.append(source)
        frontier = nxt
    briefs = repo.brief_rows(list(found))
    rows = [dict(briefs[i], depth=d, resolution=r, via=v) for i, (d, r, v) in found.items() if i in briefs]
    rows.sort(key=lambda r: (r["depth"], r["file_path"], r["line"]))
    files = sorted({r["file_path"] for r in rows if r.get("file_path")})
    tests = [r for r in rows if is_test(r)]
    return {"atom": atom_id, "callers": rows, "files": files, "tests": tests,
            "max_depth": max((r["depth"] for r in rows), default=0)}


DIRECTIONS = ("callers", "callees", "both")
UNRESOLVED_PREFIX = "<unresolved>::"  # ids of pseudo-nodes for calls with no single target


def subgraph(store: Store, starts: Sequence[str], depth: int = 1, direction: str = "both",
             include_unresolved: bool = False, max_nodes: int | None = None) -> dict[str, Any]:
    """The call graph around ``starts``: atoms within ``depth`` calls in ``direction``, and
    every resolved call between the atoms collected (the induced subgraph).

    ``include_unresolved`` adds the unresolved and ambiguous calls made by the atoms whose
    callees are walked, each callee text as one pseudo-node (``UNRESOLVED_PREFIX + callee``).
    Walking stops adding atoms at ``max_nodes`` and says so (``truncated``). Returns
    ``{"nodes": [atom rows + depth, start], "edges": [{source, target, resolution, line,
    callee, calls, candidates}], "starts", "truncated"}``.
    """
    if depth < 1:
        raise QueryError("depth must be at least 1")
    if direction not in DIRECTIONS:
        raise QueryError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if not starts:
        raise QueryError("no start atoms: name an atom or give filters that match some")
    repo = store.atoms
    dist = {s: 0 for s in starts}
    unresolved: dict[tuple[str, str], Any] = {}  # (source, callee) -> first edge
    truncated = False
    walks = [w for w in ("callers", "callees") if direction in (w, "both")]
    for walk in walks:
        frontier, seen = list(starts), set(starts)
        for level in range(1, depth + 1):
            if not frontier or truncated:
                break
            edges = repo.edges_to(frontier) if walk == "callers" else repo.edges_from(frontier)
            found: list[str] = []
            for _, e in edges:
                other = e.source_id if walk == "callers" else e.target_id
                if other is None:
                    if include_unresolved:
                        unresolved.setdefault((e.source_id, e.callee), e)
                    continue
                if other in seen:
                    continue
                if max_nodes is not None and len(dist) >= max_nodes:
                    truncated = True
                    break
                seen.add(other)
                found.append(other)
                dist[other] = min(dist.get(other, level), level)
            frontier = found
    atoms = repo.get_many(list(dist))
    nodes = [atom_dict(atoms[i], depth=dist[i], start=dist[i] == 0) for i in dist if i in atoms]
    present = {n["id"] for n in nodes}
    edges_out: dict[tuple[str, str], dict[str, Any]] = {}
    for _, e in repo.edges_from(sorted(present)):
        if e.target_id is None or e.target_id not in present:
            continue
        _add_edge(edges_out, e.source_id, e.target_id, e)
    for (source, callee), e in unresolved.items():
        target = UNRESOLVED_PREFIX + callee
        if target not in present:
            present.add(target)
            nodes.append({"id": target, "name": callee, "qualified_name": callee,
                          "kind": e.resolution, "file_path": None, "line": None,
                          "end_line": None, "candidates": e.candidates, "depth": None,
                          "start": False})
        _add_edge(edges_out, source, target, e)
    return {"nodes": nodes, "edges": list(edges_out.values()), "starts": list(starts),
            "truncated": truncated}


def _add_edge(edges: dict[tuple[str, str], dict[str, Any]], source: str, target: str, e: Any) -> None:
    """One edge per (caller, callee) pair: the first call's line and resolution, and how many
    calls there are."""
    key = (source, target)
    if key in edges:
        edges[key]["calls"] += 1
        return
    edges[key] = {"source": source, "target": target, "resolution": e.resolution,
                  "line": e.line, "callee": e.callee, "calls": 1, "candidates": e.candidates}


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


def parse_time(value: str, now: float | None = None) -> float:
    """A time as a person (or an agent) writes it: unix seconds, ISO 8601, or an age like
    ``10m``, ``2h``, ``3d`` (before ``now``)."""
    import time
    from datetime import datetime

    text = value.strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    if len(text) > 1 and text[-1] in units and text[:-1].replace(".", "", 1).isdigit():
        return (time.time() if now is None else now) - float(text[:-1]) * units[text[-1]]
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).timestamp()
    except (ValueError, OverflowError, OSError):  # not a time, or one no clock holds (year 1)
        raise QueryError(f"cannot read {value!r} as a time: use 2026-11-21T10:00, unix seconds, "
                         "or an age like 10m, 2h, 3d") from None


def events(store: Store, f: EventFilter) -> list[dict[str, Any]]:
    return [event_dict(e) for e in store.events.events(f)]


def edge_events(store: Store, since: float | None = None, until: float | None = None,
                transaction: int | None = None, atom: str | None = None,
                limit: int | None = None) -> list[dict[str, Any]]:
    """Which caller -> callee edges each transaction added or removed, newest first."""
    log = store.events
    since_tx = log.transaction_at(since) if since is not None else 0
    until_tx = log.transaction_at(until) if until is not None else None
    return [{"transaction_id": tx, "operation": op, "source_id": s, "target_id": t}
            for tx, op, s, t in log.edge_events(since_tx, until_tx, transaction, atom, limit)]


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
    from .walk import inside

    full = os.path.join(root, path)
    if not inside(root, path):  # a folder swapped for a link since it was indexed
        raise QueryError(f"{path} is outside the repository (a link?); not read")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with open(os.open(full, flags), encoding="utf-8", errors="replace") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise QueryError(f"cannot read {path}: not a regular file")
            lines = fh.read(_MAX_SOURCE_BYTES).splitlines()
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the file itself became a link (O_NOFOLLOW)
            raise QueryError(f"{path} is outside the repository (a link?); not read") from None
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
def search_as_you_type(store: Store, text: str, filters: AtomFilter | None = None,
                       limit: int = 50) -> list[dict[str, Any]]:
    """Results for a search box that updates on every keystroke, with callers/callees counts.

    The ranked search (``AtomRepository.search``): names that start with the text first,
    shortest first (typing ``sav`` shows ``save`` before ``save_all``), then full-text hits
    (a word inside a name, a path or a docstring). Empty text with filters lists what the
    filters select.
    """
    text = text.strip()
    if not text:
        return query(store, filters, limit=limit, with_counts=True) if _any_filter(filters) else []
    return _with_counts(store, store.atoms.search(text, filters, limit=limit))


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


# == questions the chat asks (usable by every front end) ====================================
#: Fields whose change alone only moves an atom in its file: not a change of what it is.
MOVE_FIELDS = frozenset({"line", "end_line"})
#: Kinds a dead-code candidate can be (classes and modules are not called in the same sense).
CALLABLE_KINDS = ("function", "method", "arrow", "generator")
#: Names a language or a runtime calls for you (constructors, dunder methods, entry points).
IMPLICIT_NAMES = frozenset({"constructor", "main"})
#: How alike (0..1, difflib ratio) a name must be to a misspelt one to be offered.
FUZZY_CUTOFF = 0.75


def graph_version(store: Store) -> tuple[int, float | None]:
    """(last committed transaction, the index's epoch).

    Transaction ids restart when an index is deleted and built again; the epoch (when its first
    transaction started) tells two such indexes apart, so "changed since transaction 812" is
    asked only of the index that transaction belongs to.
    """
    first = store.events.transactions(since=0, limit=1)
    return store.events.last_transaction_id(), (first[0].started_at if first else None)


def fingerprint(atom: Atom) -> str:
    """A digest of what an atom is (its text, signature, calls...) but not where it sits."""
    import hashlib
    import json

    state = {k: v for k, v in atom.to_state().items() if k not in MOVE_FIELDS}
    return hashlib.sha1(json.dumps(state, sort_keys=True, default=list).encode()).hexdigest()[:16]


def atom_changes(store: Store, atom_ids: Sequence[str], since_tx: int, epoch: float | None,
                 fingerprints: dict[str, str | None] | None = None) -> dict[str, dict[str, Any]]:
    """The atoms among ``atom_ids`` that changed or vanished after transaction ``since_tx``.

    In the same index this reads the event log (moves alone do not count); after the index was
    rebuilt (another epoch) it compares ``fingerprints`` taken then with the atoms now. Each
    value: ``{"atom_id", "status": changed|vanished, "renamed_to", "events": [...]}``.
    """
    current = store.atoms.get_many(list(atom_ids))
    same_index = epoch is not None and epoch == graph_version(store)[1]
    out: dict[str, dict[str, Any]] = {}
    for atom_id in dict.fromkeys(atom_ids):
        now = current.get(atom_id)
        events: list[dict[str, Any]] = []
        if same_index:
            for e in store.events.events(EventFilter(atom=atom_id, since_transaction=since_tx,
                                                     limit=None, oldest_first=True)):
                if e.operation != "update" or set(e.changed_fields) - MOVE_FIELDS:
                    events.append({"transaction_id": e.transaction_id, "time": e.timestamp,
                                   "source": e.source, "operation": e.operation,
                                   "changed": e.changed_fields,
                                   "renamed_to": e.delta.get("renamed_to")})
            changed = bool(events)
        else:
            old = (fingerprints or {}).get(atom_id)
            changed = now is None or (old is not None and fingerprint(now.atom) != old)
        if not changed:
            continue
        renamed = next((e["renamed_to"] for e in reversed(events) if e["renamed_to"]), None)
        out[atom_id] = {"atom_id": atom_id, "status": "changed" if now else "vanished",
                        "renamed_to": None if now else renamed, "events": events,
                        "index_rebuilt": not same_index}
    return out


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


def async_callers(store: Store, atom_id: str, depth: int = 1) -> list[dict[str, Any]]:
    """Async functions among the callers of ``atom_id`` (to ``depth``)."""
    return [r for r in callers(store, atom_id, depth) if r.get("is_async")]


def dead_code(store: Store, file_glob: str | None = None,
              atom_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Dead-code candidates (in ``file_glob``, or among ``atom_ids``): callables with no resolved
    caller that are neither exported nor tests. Names some runtime calls for you are left out,
    and so is any name an unresolved or ambiguous call could mean (``obj.save()`` may well
    reach an unused-looking ``save``)."""
    found = (list(store.atoms.get_many(atom_ids).values()) if atom_ids is not None
             else store.atoms.query(AtomFilter(exported=False, file_glob=file_glob)))
    rows = [s for s in found
            if s.atom.kind in CALLABLE_KINDS and not s.atom.is_exported
            and not is_test(atom_dict(s)) and s.atom.name not in IMPLICIT_NAMES
            and not (s.atom.name.startswith("__") and s.atom.name.endswith("__"))]
    counts = store.atoms.call_counts([s.id for s in rows])
    rows = [s for s in rows if counts[s.id][0] == 0]
    maybe_called = {e.short_name for _, e in store.atoms.edges_named(
        list({s.atom.name for s in rows})) if e.target_id is None}
    rows.sort(key=lambda s: (s.atom.file_path, s.atom.line))
    return [atom_dict(s, callers=0) for s in rows if s.atom.name not in maybe_called]


def most_complex(store: Store, file_glob: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
    """Callables by cyclomatic complexity, highest first."""
    rows = [s for s in store.atoms.query(AtomFilter(file_glob=file_glob))
            if s.atom.kind not in ("module", "class")]
    rows.sort(key=lambda s: (-s.atom.complexity, s.atom.file_path, s.atom.line))
    return [atom_dict(s) for s in rows[:limit]]


def has_tests(store: Store) -> bool:
    """Whether the index holds any test (so "no test reaches X" means something)."""
    return bool(store.atoms.query(AtomFilter(kind="test"), limit=1)) or any(
        is_test({"file_path": p}) for p in store.atoms.file_stats())


def loose_calls_to(store: Store, short_name: str) -> list[dict[str, Any]]:
    """Unresolved and ambiguous calls written with this name: they may reach an atom so named."""
    return [{"source_id": e.source_id, "callee": e.callee, "line": e.line,
             "resolution": e.resolution, "candidates": e.candidates}
            for _, e in store.atoms.edges_named([short_name]) if e.target_id is None]


def _neighbours(store: Store, ids: Sequence[str], upward: bool) -> set[str]:
    edges = store.atoms.edges_to(ids) if upward else store.atoms.edges_from(ids)
    found = {e.source_id if upward else e.target_id for _, e in edges}
    found.discard(None)
    return found  # type: ignore[return-value]


def transitive_caller_count(store: Store, atom_id: str,
                            stop_after: int | None = None) -> tuple[int, bool]:
    """How many atoms reach ``atom_id``, and whether that is all of them: the walk stops once
    past ``stop_after`` (the count is then a lower bound)."""
    seen, frontier = {atom_id}, [atom_id]
    while frontier and (stop_after is None or len(seen) - 1 <= stop_after):
        found = _neighbours(store, frontier, upward=True) - seen
        seen |= found
        frontier = list(found)
    return len(seen) - 1, not frontier


def cycle_length(store: Store, atom_id: str) -> int | None:
    """The shortest call cycle through ``atom_id`` (1: it calls itself), or None.

    Walks down (callees) and up (callers) in turn, always the side with the smaller frontier:
    either walk alone decides, so the cheaper one usually ends it, without reading the graph.
    """
    frontier = {False: [atom_id], True: [atom_id]}  # upward -> frontier
    seen = {False: {atom_id}, True: {atom_id}}
    depth = {False: 0, True: 0}
    while frontier[False] and frontier[True]:
        up = len(frontier[True]) < len(frontier[False])
        depth[up] += 1
        found = _neighbours(store, frontier[up], up)
        if atom_id in found:
            return depth[up]
        found -= seen[up]
        seen[up] |= found
        frontier[up] = list(found)
    return None
