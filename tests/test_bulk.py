"""The streamed first index (dgtui/bulk.py) writes exactly what the general engine path writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import snapshot, write

from dgtui.engine.batch import Batch
from dgtui.engine.indexer import Indexer
from dgtui.engine.walk import walk
from dgtui.engine.writer import Engine
from dgtui.model import EventFilter
from dgtui.parse.files import POOL_THRESHOLD, parse_many
from dgtui.store import Store


def everything(store: Store) -> dict:
    """Everything a first index leaves, as its readers see it, ignoring row ids and times
    (the log as events: the bulk path keeps its creates in the atoms' rows)."""
    c = store.conn
    out = snapshot(store)
    out["events"] = sorted(
        (e.atom_id, e.file_path, e.operation, json.dumps(e.delta, sort_keys=True),
         e.previous_version, e.new_version, e.source)
        for e in store.events.events(EventFilter(limit=None)))
    out["event_count"] = store.events.event_count()
    out["edge_events"] = sorted(c.execute("SELECT operation, source_id, target_id FROM edge_log"))
    out["files"] = sorted(c.execute(
        "SELECT path, language, size, mtime_ns, content_hash, line_count, atom_count, error_count, "
        "errors FROM files"))
    out["skipped"] = sorted(c.execute("SELECT path, reason, detail, size, mtime_ns FROM skipped"))
    out["schema"] = sorted(c.execute("SELECT type, name, sql FROM sqlite_master"))
    out["fts"] = {q: [a.id for a in store.atoms.search(q, limit=500)]
                  for q in ("save", "user", "get", "a", "handle request")}
    out["transactions"] = [(t.source, t.files, t.created, t.updated, t.deleted, t.edges_added,
                            t.edges_removed) for t in store.events.transactions()]
    return out


def first_index(root: Path, db: Path, *, general: bool, workers: int = 1):
    """Index ``root`` into an empty store, through the bulk path or the general one."""
    store = Store.open(str(db))
    engine = Engine(store)
    deltas = []
    engine.subscribe(deltas.append)
    if general:
        from dgtui.engine.ignore import IgnoreRules

        found = walk(str(root), IgnoreRules(str(root)))
        parsed = list(parse_many(str(root), [f.path for f in found.files], 2 << 20, workers=workers))
        # A removed path the store never held: harmless, and it keeps the engine on its general
        # path (the bulk path is for batches that only add to an empty store).
        engine.apply(Batch(parsed=parsed, removed=["no/such/file.py"], skips=found.skipped), "index")
    else:
        Indexer(str(root), store, engine, workers=workers).run()
    return store, deltas


def delta_view(d):
    return (d.source, d.files, sorted((c.operation, c.atom_id, c.file_path, c.name, c.kind,
                                       c.renamed_from) for c in d.changes),
            d.edges_added, d.edges_removed, d.files_removed, sorted(d.errors))


@pytest.mark.parametrize("fixture", ["pyrepo", "jsrepo", "tsrepo"])
def test_bulk_first_index_equals_general_path(fixture: str, request, tmp_path: Path):
    root = request.getfixturevalue(fixture)
    bulk, bulk_deltas = first_index(root, tmp_path / "bulk.db", general=False)
    plain, plain_deltas = first_index(root, tmp_path / "plain.db", general=True)
    assert everything(bulk) == everything(plain)
    assert [delta_view(d) for d in bulk_deltas] == [delta_view(d) for d in plain_deltas]
    assert len(bulk_deltas) == 1 and bulk_deltas[0].changes


def many_files(root: Path, n: int) -> Path:
    """A repository big enough for the worker pool: modules calling each other, a class
    hierarchy across files, a file that does not parse cleanly and one that is not UTF-8."""
    for i in range(n):
        write(root / f"pkg{i % 4}" / f"mod{i}.py", f'''
"""Module {i}."""
from pkg{(i + 1) % 4}.mod{(i + 1) % n} import helper{(i + 1) % n}
from pkg{(i + 2) % 4} import mod{(i + 2) % n} as other


class Thing{i}(Base):
    def save(self, x):
        if x:
            return self.write(x) or helper{(i + 1) % n}(x)
        return other.helper{(i + 2) % n}(x)

    def write(self, x):
        return print(x)


def helper{i}(x):
    return [Thing{i}().save(y) for y in x if y]
''')
    for i in range(4):
        write(root / f"pkg{i}" / "__init__.py", "")
    write(root / "base.py", "class Base:\n    def write(self, x):\n        return x\n")
    write(root / "broken.py", "def ok():\n    return 1\n\ndef broken(:\n    pass\n")
    (root / "latin1.py").write_bytes(b"def caf\xe9():\n    return 1\n")
    return root


def test_pool_and_bulk_path_equal_serial_general_path(tmp_path: Path):
    root = many_files(tmp_path / "repo", POOL_THRESHOLD + 20)
    pooled, pooled_deltas = first_index(root, tmp_path / "pooled.db", general=False, workers=2)
    serial, serial_deltas = first_index(root, tmp_path / "serial.db", general=True, workers=1)
    assert everything(pooled) == everything(serial)
    assert [delta_view(d) for d in pooled_deltas] == [delta_view(d) for d in serial_deltas]
    assert pooled.atoms.counts()["files_with_errors"] == 1
    assert [r[1] for r in pooled.atoms.skipped()] == ["not-utf8"]


def test_a_store_after_a_bulk_index_takes_incremental_batches(tmp_path: Path):
    """The symbol table the bulk path leaves behind serves the next (general) batch."""
    root = many_files(tmp_path / "repo", 12)
    store = Store.open(str(tmp_path / "i.db"))
    engine = Engine(store)
    indexer = Indexer(str(root), store, engine, workers=1)
    indexer.run()
    write(root / "pkg1" / "mod1.py", "def helper1(x):\n    return helper2(x)\n")
    delta = indexer.sync_paths(["pkg1/mod1.py"])
    assert delta is not None and delta.deleted
    fresh = Store.open(str(tmp_path / "fresh.db"))
    Indexer(str(root), fresh, workers=1).run()
    assert snapshot(store) == snapshot(fresh)
