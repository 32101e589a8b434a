"""The consistency validator: do SQLite, the graph, the event log and the disk agree?

Each check compares whole sets, not counts:
- ``sqlite``: SQLite's own integrity check;
- ``fts``: the FTS5 index against the atoms it indexes;
- ``events``: replaying the event log gives exactly today's atoms;
- ``graph``: the call graph the edge log describes equals the graph in the tables (and, in a
  long-running process, the graph in memory);
- ``edges``: resolving every stored atom's calls afresh gives exactly the stored edges;
- ``disk``: every indexed file's content hash matches the file on disk, and no file is missing.
``repair`` rebuilds what can be rebuilt, through the engine (the only writer).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from ..graph.memory import CallGraph
from ..model import AtomFilter
from ..parse.files import content_hash
from ..store import Store
from ..store.errors import DatabaseError
from .walk import walk


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    problems: list[str] = field(default_factory=list)  # the first few differences
    repaired: bool = False


@dataclass
class CheckReport:
    results: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(r.ok or r.repaired for r in self.results)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "checks": [asdict(r) for r in self.results]}


def run_checks(store: Store, root: str, graph: CallGraph | None = None, repair: bool = False) -> CheckReport:
    results = [_sqlite(store), _fts(store), _events(store), _graph(store, graph), _edges(store),
               _disk(store, root)]
    report = CheckReport(results)
    if repair and not report.ok:
        _repair(store, root, report, graph)
    return report


def graph_differences(store: Store, graph: CallGraph) -> str | None:
    """How an in-memory graph differs from the tables (None when it does not)."""
    nodes, edges = _table_graph(store)
    g_nodes, g_edges = graph.node_edge_sets()
    problems = _set_diff("node", nodes, g_nodes) + _set_diff("edge", edges, g_edges)
    return "; ".join(problems[:5]) if problems else None


# -- the checks ----------------------------------------------------------------------------
def _sqlite(store: Store) -> CheckResult:
    rows = [r[0] for r in store.conn.execute("PRAGMA integrity_check")]
    return CheckResult("sqlite", rows == ["ok"], "integrity_check", rows if rows != ["ok"] else [])


def _fts(store: Store) -> CheckResult:
    try:
        store.conn.execute("INSERT INTO atoms_fts(atoms_fts, rank) VALUES ('integrity-check', 1)")
        return CheckResult("fts", True, "FTS5 index matches the atoms")
    except DatabaseError as exc:
        return CheckResult("fts", False, "FTS5 index differs from the atoms", [str(exc)])


def _events(store: Store) -> CheckResult:
    replayed = store.events.replay()
    current = {s.id: s.atom for s in store.atoms.query(AtomFilter())}
    problems = _set_diff("atom", set(current), set(replayed))
    problems += [f"atom {i} differs from its replay" for i in sorted(set(current) & set(replayed))
                 if current[i] != replayed[i]]
    return CheckResult("events", not problems,
                       f"replayed {store.events.event_count():,} events onto {len(current):,} atoms",
                       problems[:20])


def _graph(store: Store, graph: CallGraph | None) -> CheckResult:
    nodes, edges = _table_graph(store)
    log_edges: set[tuple[str, str]] = set()
    for op, s, t in store.conn.execute("SELECT operation, source_id, target_id FROM edge_events ORDER BY id"):
        if op == "add":
            log_edges.add((s, t))
        else:
            log_edges.discard((s, t))
    problems = _set_diff("edge (log)", edges, log_edges)
    if graph is not None:
        g_nodes, g_edges = graph.node_edge_sets()
        problems += _set_diff("node (memory)", nodes, g_nodes) + _set_diff("edge (memory)", edges, g_edges)
    where = "the edge log" + (" and the graph in memory" if graph is not None else "")
    return CheckResult("graph", not problems, f"{len(nodes):,} nodes, {len(edges):,} edges vs {where}",
                       problems[:20])


def _edges(store: Store) -> CheckResult:
    from ..graph.resolve import Resolver
    from ..graph.symbols import SymbolTable

    table = SymbolTable()
    for info in store.atoms.symbol_infos():
        table.add(info)
    resolver = Resolver(table)
    expected = set()
    for stored in store.atoms.query(AtomFilter()):
        expected.update(_edge_key(e) for e in resolver.edges_for(stored.atom, stored.atom.calls))
    actual = {(r[0], r[1], r[2], r[3], r[4] or "", r[5], r[6] or "") for r in store.conn.execute(
        "SELECT source_id, callee, line, resolution, target_id, candidates, detail FROM edges")}
    problems = _set_diff("edge", expected, actual)
    return CheckResult("edges", not problems, f"{len(actual):,} edges vs a fresh resolution", problems[:20])


def _disk(store: Store, root: str) -> CheckResult:
    problems = _disk_problems(store, root)
    return CheckResult("disk", not problems, "indexed files hashed against the disk",
                       [f"{kind}: {path}" for kind, path in problems[:50]])


def _disk_problems(store: Store, root: str) -> list[tuple[str, str]]:
    """(kind, path) for every file whose index entry does not match the disk."""
    from .patterns import rules_for

    stored = store.atoms.file_stats()
    on_disk = {f.path for f in walk(root, rules_for(root, store)).files}
    skipped = store.atoms.skipped_stats()
    problems = [("not indexed", p) for p in sorted(on_disk - set(stored) - set(skipped))]
    problems += [("gone from disk", p) for p in sorted(set(stored) - on_disk)]
    for path in sorted(on_disk & set(stored)):
        try:
            with open(os.path.join(root, path), "rb") as fh:
                digest = content_hash(fh.read())
        except OSError:
            problems.append(("unreadable", path))
            continue
        if digest != stored[path][2]:
            problems.append(("changed", path))
    return problems


# -- repair --------------------------------------------------------------------------------
def _repair(store: Store, root: str, report: CheckReport, graph: CallGraph | None) -> None:
    from .indexer import Indexer
    from .writer import Engine

    engine = Engine(store)
    by_name = {r.name: r for r in report.results}
    if not by_name["disk"].ok:
        paths = [path for _kind, path in _disk_problems(store, root)]
        Indexer(root, store, engine).sync_paths(paths, source="reconcile")
        by_name["disk"].repaired = _disk(store, root).ok
    if not by_name["fts"].ok:
        engine.rebuild_fts()
        by_name["fts"].repaired = _fts(store).ok
    if not by_name["edges"].ok or not by_name["graph"].ok:
        engine.relink_all(source="reconcile")
        by_name["edges"].repaired = _edges(store).ok
        by_name["graph"].repaired = _graph(store, None).ok
    if graph is not None:
        graph.reload(store)
        by_name["graph"].repaired = _graph(store, graph).ok
    if not by_name["events"].ok:
        engine.correct_event_log(source="reconcile")
        by_name["events"].repaired = _events(store).ok


def _table_graph(store: Store) -> tuple[set[str], set[tuple[str, str]]]:
    return store.atoms.atom_ids(), store.atoms.resolved_pairs()


def _edge_key(e) -> tuple:
    return (e.source_id, e.callee, e.line, e.resolution, e.target_id or "", e.candidates, e.detail or "")


def _set_diff(what: str, expected: set, actual: set) -> list[str]:
    missing = sorted(map(str, expected - actual))
    extra = sorted(map(str, actual - expected))
    return [f"missing {what}: {m}" for m in missing[:10]] + [f"unexpected {what}: {x}" for x in extra[:10]]
