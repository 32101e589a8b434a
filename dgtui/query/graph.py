"""Walks of the call graph, read from the ``edges`` table level by level: callers, callees,
impact, subgraphs, cycles. The only implementation of each walk: no process keeps the whole graph
in memory (measured against a networkx graph in docs/architecture.md, "One graph")."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from ..model import UNRESOLVED_PREFIX
from ..store import Store
from .atoms import QueryError, atom_dict, ids, with_candidate_ids

GRAPH_COLUMNS = ["depth", "name", "kind", "file_path", "line", "resolution", "id"]


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
        unknown: list[dict[str, Any]] = []
        for source, target, callee, line, resolution, candidates, detail in repo.calls_touching(frontier, upward):
            other, via = (source, target) if upward else (target, source)
            if other is None:
                if include_unresolved:
                    unknown.append(_unknown_call_row(level, callee, line, resolution, candidates, detail, via))
                continue
            if other in found:  # several calls to one atom: one row, every call site kept
                if found[other]["via"] == via:
                    found[other]["call_lines"].append(line)
                continue
            if other in seen:
                continue
            found[other] = {"resolution": resolution, "callee": callee, "call_line": line,
                            "call_lines": [line], "via": via}
            if not upward and detail and resolution in DISPATCHED:
                found[other]["may_dispatch_to"] = json.loads(detail)
        atoms = repo.summaries(list(found))
        for atom_id, info in found.items():
            row = atoms.get(atom_id)
            if row is not None:
                rows.append(dict(row, depth=level, **info))
        rows += with_candidate_ids(store, sorted(unknown, key=lambda r: UNKNOWN_ORDER.get(r["resolution"], 9)))
        seen.update(found)
        frontier = list(found)
    return rows


#: Resolutions of a method call on an instance: a subclass's override may run instead.
DISPATCHED = ("typed", "self")

#: Calls without a target, in the order a reader wants them: what might be ours first.
UNKNOWN_ORDER = {"ambiguous": 0, "unresolved": 1, "external": 2, "builtin": 3}


def _unknown_call_row(level: int, callee: str, line: int, resolution: str, candidates: int,
                      detail: str | None, via: str) -> dict[str, Any]:
    """A call with no single target as a row of a walk: its call site, and what is known of it
    (the candidate ids of an ambiguous call, the module of an external one)."""
    row = {"depth": level, "id": None, "name": callee, "kind": resolution, "file_path": None,
           "line": line, "end_line": None, "resolution": resolution, "candidates": candidates,
           "callee": callee, "call_line": line, "call_lines": [line], "via": via}
    if resolution == "external":
        row["module"] = detail
    return row


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
    briefs = repo.brief_rows(list(found) + [atom_id])
    rows = [dict(briefs[i], depth=d, resolution=r, via=v) for i, (d, r, v) in found.items() if i in briefs]
    rows.sort(key=lambda r: (r["depth"], r["file_path"], r["line"]))
    files = sorted({r["file_path"] for r in rows if r.get("file_path")})
    tests = [r for r in rows if is_test(r)]
    start = briefs.get(atom_id)
    names = {r["name"] for r in rows} | ({start["name"]} if start else set())
    return {"atom": atom_id, "callers": rows, "files": files, "tests": tests,
            "max_depth": max((r["depth"] for r in rows), default=0),
            "unfollowed": unfollowed_calls(store, names)}


def unfollowed_calls(store: Store, names: set[str]) -> int:
    """Calls that may reach one of the atoms named ``names`` but that no walk can follow: no
    single target (ambiguous, or unresolved) under one of those names. Answers built on the
    resolved graph say how many there were, rather than pretend they are not there."""
    if not names:
        return 0
    return store.atoms.count_unfollowed(sorted(names))


DIRECTIONS = ("callers", "callees", "both")





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


def call_children(store: Store, atom_id: str, upward: bool) -> list[dict[str, Any]]:
    """One level of a caller (``upward``) or callee tree, each row with its own counts so a tree
    knows which rows expand; unresolved and ambiguous calls are rows of their own."""
    rows = callers(store, atom_id, 1) if upward else callees(store, atom_id, 1)
    if upward and not rows and store.atoms.get(atom_id) is None:
        return _left_calling_nothing(store, atom_id)
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


def _left_calling_nothing(store: Store, atom_id: str) -> list[dict[str, Any]]:
    """The callers of a deleted atom: those its deletion left calling nothing (its delete
    event lists them), that are still there."""
    from .changes import atom_as_it_was

    ghost = atom_as_it_was(store, atom_id) or {}
    found = store.atoms.get_many(ghost.get("broken_callers") or [])
    counts = store.atoms.call_counts(list(found))
    return [atom_dict(s, depth=1, resolution="calls nothing now", callers=counts[s.id][0],
                      callees=counts[s.id][1]) for s in found.values()]


def async_callers(store: Store, atom_id: str, depth: int = 1) -> list[dict[str, Any]]:
    """Async functions among the callers of ``atom_id`` (to ``depth``)."""
    return [r for r in callers(store, atom_id, depth) if r.get("is_async")]


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


def strongly_connected_part(store: Store, atom_id: str) -> tuple[set[str], list[tuple[str, str]]]:
    """The atoms that both reach ``atom_id`` and are reached from it (its strongly connected
    part, ``{atom_id}`` alone when it is in no cycle), and the resolved calls between them.

    Walks up and down in turn, the smaller frontier first, until one walk has nothing left: the
    part lies inside what that walk reached, and the other walk is then confined to it (every
    atom on a path from a member back to ``atom_id`` is a member too)."""
    frontier = {False: [atom_id], True: [atom_id]}  # upward -> frontier
    reached = {False: {atom_id}, True: {atom_id}}
    while frontier[False] and frontier[True]:
        up = len(frontier[True]) < len(frontier[False])
        found = _neighbours(store, frontier[up], up) - reached[up]
        reached[up] |= found
        frontier[up] = list(found)
    finished = not frontier[True]  # the side whose walk ended (True: the upward one)
    bound, upward = reached[finished], not finished
    part, front = {atom_id}, [atom_id]
    while front:
        found = (_neighbours(store, front, upward) & bound) - part
        part |= found
        front = list(found)
    edges = {(s, t) for _, s, t in store.atoms.edge_targets_from(sorted(part)) if t in part}
    return part, sorted(edges)


def cycles_through(store: Store, atom_id: str, limit: int = 20,
                   max_length: int = 12) -> list[list[str]]:
    """Simple call cycles through ``atom_id`` (resolved calls only; recursion included), each
    starting at it: networkx lists them on the atom's strongly connected part."""
    from ..graph.cycles import cycles_through as list_cycles

    part, edges = strongly_connected_part(store, atom_id)
    if len(part) == 1 and (atom_id, atom_id) not in edges:
        return []
    return list_cycles(atom_id, part, edges, limit=limit, max_length=max_length)
