"""The consistency validator: do SQLite, the graph, the event log and the disk agree?

Each check compares whole sets, not counts:
- ``sqlite``: SQLite's own integrity check;
- ``fts``: the FTS5 index against the atoms it indexes;
- ``events``: replaying the event log gives exactly today's atoms;
- ``graph``: the call graph the edge log describes equals the graph in the tables;
- ``edges``: resolving every stored atom's calls afresh gives exactly the stored edges;
- ``disk``: every indexed file's content hash matches the file on disk, and no file is missing.
``repair`` rebuilds what can be rebuilt, through the engine (the only writer).

The checks read one snapshot: a live writer (a watcher, the explorer) commits while they run, and
two reads of different commits disagree although neither is wrong (the event log read before a
commit, the atoms after it). FTS5's own integrity check is one statement that takes the write
lock for a moment, which a stale snapshot cannot do: it runs on its own, consistent by itself.
Beside a live writer, a file changed on disk shortly before its last commit or since is in the
writer's hands (``PENDING_SECONDS``), not a disagreement. The caller holds the writer lock for a
repair (``dgtui check --repair``): it never writes beside another writer.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from ..model import AtomFilter
from ..parse.files import content_hash
from ..store import Store
from ..store.errors import DatabaseError, StoreError
from .walk import walk
from .writer import CALLS_LATER

#: Beside a live writer, a file whose change is this recent (before the snapshot's last commit,
#: or after it) is pending in the writer: its watcher batches and commits within about a second.
PENDING_SECONDS = 3.0


class RepairRefused(StoreError):
    """A repair that would do more harm than the problem it fixes (empty the whole index)."""


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


def run_checks(store: Store, root: str, repair: bool = False, *,
               force: bool = False, live_writer: bool = False) -> CheckReport:
    """Every check, on one snapshot; with ``repair`` (the caller holds the writer lock), rebuild
    what differs. A repair that would delete every indexed file (the code is not on disk: an
    ``import-json`` of code not checked out here) is refused unless ``force``. ``live_writer``:
    another process writes the index now (see ``PENDING_SECONDS``)."""
    fts = _fts(store)
    with _snapshot(store):
        results = [_sqlite(store), fts, _events(store), _graph(store), _edges(store, live_writer),
                   _disk(store, root, live_writer)]
    report = CheckReport(results)
    if repair and not report.ok:
        _repair(store, root, report, force)
    return report


@contextlib.contextmanager
def _snapshot(store: Store) -> Iterator[None]:
    store.conn.execute("BEGIN")  # deferred: the first read fixes the snapshot every check sees
    try:
        yield
    finally:
        store.conn.execute("COMMIT")  # ends the read transaction


# -- the checks ----------------------------------------------------------------------------
def _sqlite(store: Store) -> CheckResult:
    rows = [r[0] for r in store.conn.execute("PRAGMA integrity_check")]
    return CheckResult("sqlite", rows == ["ok"], "integrity_check", rows if rows != ["ok"] else [])


def _fts(store: Store) -> CheckResult:
    if store.readonly:  # FTS5's check takes the write lock: compare the rows it indexes instead
        fts = {r[0] for r in store.conn.execute("SELECT id FROM atoms_fts_docsize")}
        pks = {r[0] for r in store.conn.execute("SELECT pk FROM atoms")}
        problems = _set_diff("FTS row", pks, fts)
        return CheckResult("fts", not problems, "FTS5 rows match the atoms (read-only: rows "
                           "compared, not FTS5's own check)", problems)
    try:
        store.conn.execute("INSERT INTO atoms_fts(atoms_fts, rank) VALUES ('integrity-check', 1)")
        return CheckResult("fts", True, "FTS5 index matches the atoms")
    except DatabaseError as exc:
        return CheckResult("fts", False, "FTS5 index differs from the atoms", [str(exc)])


def _events(store: Store) -> CheckResult:
    current = {s.id: s.atom for s in store.atoms.query(AtomFilter())}
    # A create that left the state in the row is replayed from the row: right only while no
    # later event changed that row.
    problems = [f"event {i} changes {a}, whose create kept no state" for i, a in
                store.events.changes_after_stateless_creates()]
    try:
        replayed = store.events.replay()
    except StoreError as exc:
        return CheckResult("events", False, "the event log does not replay", problems + [str(exc)])
    problems += _set_diff("atom", set(current), set(replayed))
    problems += [f"atom {i} differs from its replay" for i in sorted(set(current) & set(replayed))
                 if current[i] != replayed[i]]
    return CheckResult("events", not problems,
                       f"replayed {store.events.event_count():,} events onto {len(current):,} atoms",
                       problems[:20])


def _graph(store: Store) -> CheckResult:
    nodes, edges = _table_graph(store)
    log_edges: set[tuple[str, str]] = set()
    for op, s, t in store.conn.execute("SELECT operation, source_id, target_id FROM edge_log ORDER BY id"):
        if op == "add":
            log_edges.add((s, t))
        else:
            log_edges.discard((s, t))
    problems = _set_diff("edge (log)", edges, log_edges)
    return CheckResult("graph", not problems, f"{len(nodes):,} nodes, {len(edges):,} edges vs the edge log",
                       problems[:20])


def _edges(store: Store, live_writer: bool = False) -> CheckResult:
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
    detail = f"{len(actual):,} edges vs a fresh resolution"
    if problems and store.get_meta(CALLS_LATER) and live_writer:
        return CheckResult("edges", True, detail + "; a first index under way resolves the calls "
                           "of its earlier chunks again at its end")
    if problems and store.get_meta(CALLS_LATER):
        detail += ("; a first index in chunks stopped before it resolved the calls of its earlier "
                   "chunks again (the next run or --repair does)")
    return CheckResult("edges", not problems, detail, problems[:20])


def _disk(store: Store, root: str, live_writer: bool = False) -> CheckResult:
    problems = _disk_problems(store, root)
    stored = len(store.atoms.file_stats())
    if stored and _code_absent(problems, stored):
        return CheckResult("disk", False, f"the code is absent: none of the {stored:,} indexed files "
                           f"is in {root} (imported with import-json from code not checked out "
                           "here?); a repair would empty the index",
                           [f"{kind}: {path}" for kind, path in problems[:5]])
    detail = "indexed files hashed against the disk"
    if live_writer and problems:
        since = _last_commit_time(store) - PENDING_SECONDS
        pending = [p for p in problems if _changed_since(root, p[1], since)]
        problems = [p for p in problems if p not in pending]
        if pending:
            detail += f"; {len(pending)} recent change(s) pending in the live writer"
    return CheckResult("disk", not problems, detail,
                       [f"{kind}: {path}" for kind, path in problems[:50]])


def _code_absent(problems: list[tuple[str, str]], stored: int) -> bool:
    return sum(kind == "gone from disk" for kind, _ in problems) == stored


def _last_commit_time(store: Store) -> float:
    row = store.conn.execute("SELECT max(committed_at) FROM transactions").fetchone()
    return float(row[0] or 0.0)


def _changed_since(root: str, path: str, since: float) -> bool:
    """Whether ``path`` (or, when it is gone, its folder) changed on disk after ``since``."""
    full = os.path.join(root, path)
    for candidate in (full, os.path.dirname(full)):
        try:
            return os.stat(candidate).st_mtime >= since
        except OSError:
            continue
    return True  # its folder is gone too: a change in progress


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
def _repair(store: Store, root: str, report: CheckReport, force: bool = False) -> None:
    from .indexer import Indexer
    from .writer import Engine

    engine = Engine(store)
    by_name = {r.name: r for r in report.results}
    if not by_name["disk"].ok:
        problems = _disk_problems(store, root)
        stored = len(store.atoms.file_stats())
        if stored and _code_absent(problems, stored) and not force:
            raise RepairRefused(f"the repair would delete all {stored:,} indexed files: the code "
                                f"is absent from {root}; check it out there, or use --force to "
                                "empty the index")
        paths = [path for _kind, path in problems]
        Indexer(root, store, engine).sync_paths(paths, source="reconcile")
        by_name["disk"].repaired = _disk(store, root).ok
    if not by_name["fts"].ok:
        engine.rebuild_fts()
        by_name["fts"].repaired = _fts(store).ok
    if not by_name["edges"].ok or not by_name["graph"].ok:
        engine.relink_all(source="reconcile")
        by_name["edges"].repaired = _edges(store).ok
        by_name["graph"].repaired = _graph(store).ok
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
