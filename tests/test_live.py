"""The live index: a real watcher on real files in a temporary folder, a real SQLite file."""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from helpers import edge, index_repo, snapshot, write

from dgtui import query as q
from dgtui.engine.check import run_checks
from dgtui.engine.live import LiveIndex
from dgtui.model import Delta, EventFilter
from dgtui.store import Store

TIMEOUT = 20.0  # an upper bound so a broken watcher fails instead of hanging; not a speed test


class Recorder:
    def __init__(self, live: LiveIndex):
        self.deltas: list[Delta] = []
        self.cond = threading.Condition()
        live.subscribe(self._on_delta)

    def _on_delta(self, delta: Delta) -> None:
        with self.cond:
            self.deltas.append(delta)
            self.cond.notify_all()

    def wait(self, predicate, timeout: float = TIMEOUT) -> list[Delta]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate(self.deltas):
                left = deadline - time.monotonic()
                assert left > 0, f"timed out; deltas so far: {[d.files for d in self.deltas]}"
                self.cond.wait(left)
            return list(self.deltas)

    def wait_for_atom(self, op: str, atom_id: str) -> Delta:
        def seen(ds):
            return any(c.operation == op and c.atom_id == atom_id for d in ds for c in d.changes)
        deltas = self.wait(seen)
        return next(d for d in deltas if any(c.operation == op and c.atom_id == atom_id for c in d.changes))


@pytest.fixture
def live(pyrepo: Path, tmp_path: Path):
    instance = LiveIndex(str(pyrepo), str(tmp_path / "home"))
    recorder = Recorder(instance)
    instance.start()
    assert instance.ready.wait(TIMEOUT), instance.status
    assert instance.status.state == "watching", instance.status
    yield instance, recorder, pyrepo
    instance.stop()


def open_store(live_index: LiveIndex) -> Store:
    return Store.open(live_index.paths.index_db)


def test_the_heap_is_frozen_while_watching_and_given_back_after(pyrepo: Path, tmp_path: Path):
    # The symbol table lives as long as the watch: out of the cyclic collector's sight while it
    # does (a full collection walked it inside a save), ordinary objects again once it ends.
    gc.unfreeze()
    instance = LiveIndex(str(pyrepo), str(tmp_path / "home"))
    instance.start()
    try:
        assert instance.ready.wait(TIMEOUT), instance.status
        assert instance.status.state == "watching"
        assert gc.get_freeze_count() > 0
    finally:
        instance.stop()
    assert gc.get_freeze_count() == 0


def test_write_is_one_transaction_with_events_and_graph(live):
    index, rec, root = live
    util = root / "pkg" / "util.py"
    write(util, util.read_text() + "\ndef shiny(x):\n    return fmt(x)\n")
    delta = rec.wait_for_atom("create", "pkg/util.py::shiny")
    assert delta.source == "file-watcher" and delta.files == ("pkg/util.py",)
    assert ("pkg/util.py::shiny", "pkg/util.py::fmt") in delta.edges_added
    assert delta.latency_ms is not None and delta.latency_ms >= 0
    with open_store(index) as store:
        events = store.events.events(EventFilter(transaction=delta.transaction_id, limit=None))
        assert {(e.operation, e.atom_id) for e in events} >= {("create", "pkg/util.py::shiny")}
        assert {e.source for e in events} == {"file-watcher"}
        assert [r["id"] for r in q.callees(store, "pkg/util.py::shiny")] == ["pkg/util.py::fmt"]
        assert "pkg/util.py::shiny" in {r["id"] for r in q.callers(store, "pkg/util.py::fmt")}


def test_atomic_save_rename_and_delete(live):
    index, rec, root = live
    db = root / "pkg" / "db.py"
    tmp = root / "pkg" / ".db.py.swp"  # an editor's atomic save: write elsewhere, rename over
    tmp.write_text(db.read_text().replace("def save(thing)", "def store(thing)"))
    os.replace(tmp, db)
    delta = rec.wait_for_atom("create", "pkg/db.py::store")
    assert any(c.operation == "delete" and c.atom_id == "pkg/db.py::save" and
               c.renamed_to == "pkg/db.py::store" for c in delta.changes)
    # rename a file: its atoms move to new ids
    shutil.move(str(root / "pkg" / "util.py"), str(root / "pkg" / "tools.py"))
    rec.wait_for_atom("create", "pkg/tools.py::fmt")
    rec.wait_for_atom("delete", "pkg/util.py::fmt")
    # delete a file
    (root / "main.py").unlink()
    rec.wait_for_atom("delete", "main.py::main")
    with open_store(index) as store:
        assert store.atoms.get("main.py::main") is None
        assert store.atoms.file_rows(["main.py", "pkg/util.py"]) == {}
        assert edge(store, "pkg/service.py::handle", "util.fmt").resolution == "unresolved"
        assert run_checks(store, str(root)).ok


def test_new_folders_and_moved_folders_are_followed(live):
    index, rec, root = live
    write(root / "feature" / "deep" / "mod.py", "def deep_one():\n    return 1\n")
    rec.wait_for_atom("create", "feature/deep/mod.py::deep_one")
    # the new folder is watched now: a later write in it is seen
    write(root / "feature" / "deep" / "mod2.py", "def deep_two():\n    return deep_one()\n")
    rec.wait_for_atom("create", "feature/deep/mod2.py::deep_two")
    shutil.move(str(root / "feature"), str(root / "moved"))
    rec.wait_for_atom("create", "moved/deep/mod2.py::deep_two")
    rec.wait_for_atom("delete", "feature/deep/mod2.py::deep_two")
    with open_store(index) as store:
        assert run_checks(store, str(root)).ok


def test_ignored_paths_are_not_indexed_live(live):
    index, rec, root = live
    write(root / "ignored" / "later.py", "def nope():\n    pass\n")
    write(root / "node_modules" / "dep" / "later.js", "function nope() {}\n")
    write(root / "pkg" / "marker.py", "def marker():\n    pass\n")
    rec.wait_for_atom("create", "pkg/marker.py::marker")
    ids = {c.atom_id for d in rec.deltas for c in d.changes}
    assert not any("nope" in i for i in ids)


def test_gitignore_change_reconciles(live):
    index, rec, root = live
    (root / ".gitignore").write_text("*.gen.py\n")  # ignored/ is no longer ignored
    rec.wait_for_atom("create", "ignored/thing.py::ignored")


def test_ignore_file_and_config_changes_reconcile(live):
    """`.ignore` and the `[tool.dgtui]` table of pyproject.toml are ignore rules too."""
    index, rec, root = live
    (root / "pkg" / ".ignore").write_text("util.py\n")
    rec.wait_for_atom("delete", "pkg/util.py::fmt")
    (root / "pyproject.toml").write_text('[tool.dgtui]\ninclude = ["ignored/"]\n')
    rec.wait_for_atom("create", "ignored/thing.py::ignored")


@pytest.mark.slow
def test_burst_of_200_files(live):
    index, rec, root = live
    for i in range(200):
        write(root / "burst" / f"m{i:03}.py", f"def f{i}():\n    return f{(i + 1) % 200}()\n")
    def all_there(deltas):
        created = {c.atom_id for d in deltas for c in d.changes if c.operation == "create"}
        return all(f"burst/m{i:03}.py::f{i}" in created for i in range(200))
    deltas = rec.wait(all_there)
    burst = [d for d in deltas if any(f.startswith("burst/") for f in d.files)]
    assert len(burst) < 20  # a few batches, not one per file
    with open_store(index) as store:
        assert edge(store, "burst/m000.py::f0", "f1").resolution == "unique"
        assert run_checks(store, str(root)).ok
        fresh, _ = index_repo(root, Path(store.path).parent / "fresh.db")
        assert snapshot(store) == snapshot(fresh)


def test_a_second_process_reads_and_takes_over(pyrepo: Path, tmp_path: Path):
    home = str(tmp_path / "home")
    writer = LiveIndex(str(pyrepo), home)
    writer.start()
    assert writer.ready.wait(TIMEOUT) and writer.status.role == "writer"
    reader = LiveIndex(str(pyrepo), home)
    rec = Recorder(reader)
    reader.start()
    assert reader.ready.wait(TIMEOUT)
    assert reader.status.role == "reader"
    write(pyrepo / "pkg" / "util.py", (pyrepo / "pkg" / "util.py").read_text() + "\ndef late():\n    pass\n")
    delta = rec.wait_for_atom("create", "pkg/util.py::late")
    assert delta.source == "file-watcher"
    assert reader.status.last_transaction == delta.transaction_id  # the reader followed the commit
    writer.stop()
    deadline = time.monotonic() + TIMEOUT
    while reader.status.role != "writer":
        assert time.monotonic() < deadline, reader.status
        time.sleep(0.05)
    while reader.status.state != "watching":
        assert time.monotonic() < deadline, reader.status
        time.sleep(0.05)
    write(pyrepo / "pkg" / "db.py", (pyrepo / "pkg" / "db.py").read_text() + "\ndef after():\n    pass\n")
    rec.wait_for_atom("create", "pkg/db.py::after")
    reader.stop()
    with Store.open(writer.paths.index_db) as store:
        events = store.events.events(EventFilter(atom="pkg/util.py::late", limit=None))
        assert len(events) == 1  # nothing recorded twice


def test_changes_while_stopped_are_reconciled_on_start(pyrepo: Path, tmp_path: Path):
    home = str(tmp_path / "home")
    first = LiveIndex(str(pyrepo), home, watch=False)
    first.run()
    write(pyrepo / "pkg" / "offline.py", "def offline():\n    return 1\n")
    second = LiveIndex(str(pyrepo), home)
    rec = Recorder(second)
    second.start()
    assert second.ready.wait(TIMEOUT)
    delta = rec.wait_for_atom("create", "pkg/offline.py::offline")
    assert delta.source == "reconcile"
    second.stop()
