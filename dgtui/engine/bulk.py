"""The first index of an empty store, streamed: rows go in while the files are still parsed.

The engine's writer hands a batch here when the store holds no atom (a first ``dgtui index``, or
one after ``--rebuild``). The index it leaves reads exactly as the general path's would for the
same batch (``tests/test_bulk.py`` compares the two); only the way there is cheaper:

- ``batch.parsed`` may be a generator fed by the parse workers: atoms, file rows and the
  symbol table are filled as files arrive, so the main process works while the workers parse;
- the log of this first transaction is a baseline (``store/baseline.py``): its create and edge
  events are read from the rows, not written a second time;
- FTS triggers and secondary indexes are dropped for the load and built once at the end;
- calls are resolved in a thread while SQLite builds the FTS and the atom/event indexes (SQLite
  releases the GIL while it works, so the two use both cores); then edges are inserted and
  their indexes built;
- the cyclic garbage collector is paused: the load makes hundreds of thousands of objects that
  all live to the end, and every full collection would walk them again;
- SQLite's page cache may grow to ``BULK_CACHE_KIB`` for the load: fewer dirty pages spilled to
  the WAL mid-transaction, but every MiB of it is memory the load holds to its end; 32 MiB costs
  about 1% of CPU against 256 and keeps Django's peak near 235 MB instead of 280 (the
  measurements are in docs/performance.md).
"""

from __future__ import annotations

import gc
import threading
import time

from ..graph.resolve import Resolver
from ..graph.symbols import SymbolTable
from ..model import AtomChange, Delta, SymbolInfo
from ..store import Store
from .batch import Batch, FileOutcomes, close, file_row, rows_of

#: The page cache a first index may use (KiB); the connection's own size is restored after.
BULK_CACHE_KIB = 32 * 1024


def write_first_index(store: Store, batch: Batch, source: str,
                      t0: float) -> tuple[Delta | None, SymbolTable]:
    """Write ``batch`` into the empty store inside the engine's open transaction; the delta, and
    the symbol table of what was written (the engine keeps it)."""
    enabled = gc.isenabled()
    gc.disable()
    conn = store.conn
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        return _write(store, batch, source, t0)
    finally:
        # Dirty pages stay until the engine's COMMIT writes them; clean ones beyond the usual
        # size are let go as the cache is used again.
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if enabled:
            gc.enable()


def _write(store: Store, batch: Batch, source: str, t0: float) -> tuple[Delta | None, SymbolTable]:
    repo, events = store.atoms, store.events
    symbols = SymbolTable()  # the store is empty: so is its table
    now = time.time()
    tx: int | None = None
    # Only what resolution and the delta need of each atom, not the atom: docstrings,
    # signatures and the rest would stay in memory to the end of the load for nothing.
    calls: list[tuple[str, int, tuple]] = []
    changes: list[AtomChange] = []
    file_rows, paths = [], []
    outcomes = FileOutcomes()
    errors = outcomes.errors
    t_parsed = t0
    for pf in batch.parsed:  # as the workers deliver them
        if not outcomes.parsed(pf):
            continue
        if tx is None:
            tx = events.open_transaction(source, now, batch.detected_at)
            repo.set_fts_triggers(False)
            repo.set_bulk_indexes(False)
        atoms = pf.atoms
        rows = rows_of(pf)
        repo.insert_atoms(rows, now, tx)
        add = symbols.add
        for a in atoms:
            add(SymbolInfo.of(a))
            changes.append(AtomChange("create", a.id, a.file_path, a.name, a.kind))
            if a.calls:
                calls.append((a.id, a.line, a.calls))
        paths.append(pf.path)
        file_rows.append(file_row(pf, now))
        t_parsed = time.perf_counter()

    outcomes.record(store, batch, now)
    if tx is None:
        return None, symbols  # nothing but skipped files

    edges, added = _resolve_while(symbols, calls, lambda: (
        repo.rebuild_fts(), repo.set_fts_triggers(True),
        repo.set_bulk_indexes(True, tables=("atoms", "atom_events"))))
    repo.insert_edge_rows(edges)
    del edges  # the largest list of the load: gone before the indexes are built
    # Its create and edge events are read from the rows (store/baseline.py), not written twice.
    events.record_baseline(tx, now, source)
    repo.set_bulk_indexes(True)
    repo.upsert_files(file_rows, tx)

    paths.sort()
    timings = {"parse_ms": (t_parsed - t0) * 1000.0,  # the last file's arrival (streamed)
               "write_ms": (time.perf_counter() - t0) * 1000.0}
    return close(store, tx, source, changes, files=paths, added=added, errors=errors,
                 detected_at=batch.detected_at, timings=timings), symbols


def _resolve_while(symbols: SymbolTable, calls: list[tuple[str, int, tuple]],
                   sql_work) -> tuple[list[tuple], list]:
    """Resolve the calls of each (atom id, line, calls) in a thread while ``sql_work`` runs in
    this one: the rows of the edges table, and the resolved (caller, callee) pairs in order."""
    out: list[tuple] = []
    added: list[tuple[str, str]] = []
    failure: list[BaseException] = []

    def resolve() -> None:
        try:
            rows_for, get = Resolver(symbols).rows_for, symbols.atoms.get
            extend = out.extend
            for atom_id, line, atom_calls in calls:
                extend(rows_for(get(atom_id), line, atom_calls))
            added.extend(sorted({(r[0], r[1]) for r in out if r[1] is not None}))
        except BaseException as exc:  # re-raised in the writer's thread
            failure.append(exc)

    worker = threading.Thread(target=resolve, name="dgtui-resolve", daemon=True)
    worker.start()
    try:
        sql_work()
    finally:
        worker.join()
    if failure:
        raise failure[0]
    return out, added
