"""The consistency validator finds real disagreements and repairs what can be repaired."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from conftest import run_cli
from helpers import index_repo, snapshot, write

from dgtui.engine.check import run_checks
from dgtui.engine.live import LiveIndex
from dgtui.graph.memory import CallGraph


def failing(report) -> set[str]:
    return {r.name for r in report.results if not r.ok}


def test_a_fresh_index_passes_every_check(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    report = run_checks(store, str(pyrepo), graph=CallGraph.load(store))
    assert report.ok and failing(report) == set()


def test_disk_changes_behind_its_back_are_found_and_repaired(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    write(pyrepo / "pkg" / "util.py", "def fmt(value):\n    return repr(value)\n")
    write(pyrepo / "pkg" / "new.py", "def new():\n    pass\n")
    (pyrepo / "main.py").unlink()
    report = run_checks(store, str(pyrepo))
    assert failing(report) == {"disk"}
    problems = set(report.results[-1].problems)
    assert {"changed: pkg/util.py", "not indexed: pkg/new.py", "gone from disk: main.py"} <= problems
    repaired = run_checks(store, str(pyrepo), repair=True)
    assert repaired.ok and run_checks(store, str(pyrepo)).ok
    fresh, _ = index_repo(pyrepo, tmp_path / "fresh.db")
    assert snapshot(store) == snapshot(fresh)


def test_tampered_edges_and_fts_are_found_and_repaired(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    conn = store.conn
    conn.execute("UPDATE edges SET target_id = NULL, resolution = 'unresolved' "
                 "WHERE source_id = 'pkg/db.py::save_atom'")
    conn.execute("INSERT INTO atoms_fts(rowid, name, qualified_name, words, signature, docstring, "
                 "file_path) VALUES (99999, 'ghost', 'ghost', 'ghost', '', '', 'nowhere.py')")
    report = run_checks(store, str(pyrepo))
    assert {"edges", "graph", "fts"} <= failing(report)
    assert run_checks(store, str(pyrepo), repair=True).ok
    assert run_checks(store, str(pyrepo)).ok
    assert store.atoms.search("ghost") == []


def test_an_event_log_that_disagrees_is_found_and_corrected(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    store.conn.execute("DELETE FROM atom_events WHERE atom_id = 'pkg/db.py::write'")
    report = run_checks(store, str(pyrepo))
    assert failing(report) == {"events"}
    assert "missing atom: pkg/db.py::write" in " ".join(report.results[2].problems) or \
        any("pkg/db.py::write" in p for p in report.results[2].problems)
    assert run_checks(store, str(pyrepo), repair=True).ok
    assert store.events.replay()["pkg/db.py::write"] == store.atoms.get("pkg/db.py::write").atom


def test_an_in_memory_graph_out_of_step_is_found(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    graph = CallGraph.load(store)
    graph.g.remove_edge("pkg/db.py::save_atom", "pkg/db.py::write")
    report = run_checks(store, str(pyrepo), graph=graph, repair=True)
    assert not report.results[3].ok and report.results[3].repaired
    assert graph.g.has_edge("pkg/db.py::save_atom", "pkg/db.py::write")


def test_check_command_exit_status_and_json(pyrepo: Path, home: Path):
    assert run_cli("index", str(pyrepo)).returncode == 0
    r = run_cli("check", "--path", str(pyrepo), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["ok"] is True
    write(pyrepo / "pkg" / "util.py", "def changed():\n    pass\n")
    r = run_cli("check", "--path", str(pyrepo))
    assert r.returncode == 1 and "changed: pkg/util.py" in r.stdout
    r = run_cli("check", "--path", str(pyrepo), "--repair")
    assert r.returncode == 0 and "repaired" in r.stdout
    assert run_cli("check", "--path", str(pyrepo)).returncode == 0


def test_a_busy_database_keeps_changes_pending_until_it_frees(pyrepo: Path, tmp_path: Path):
    """Another connection holds the write lock: the batch is retried, never lost."""
    live = LiveIndex(str(pyrepo), str(tmp_path / "home"))
    seen = threading.Event()
    live.subscribe(lambda d: seen.set() if any(c.atom_id == "pkg/util.py::held" for c in d.changes) else None)
    live.start()
    assert live.ready.wait(20)
    blocker = sqlite3.connect(live.paths.index_db, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        write(pyrepo / "pkg" / "util.py", (pyrepo / "pkg" / "util.py").read_text() + "\ndef held():\n    pass\n")
        deadline = time.monotonic() + 60
        while live.status.pending == 0:
            assert time.monotonic() < deadline, live.status
            time.sleep(0.05)
        assert not seen.is_set()
        assert any("pending" in e for e in live.status.errors)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert seen.wait(30), live.status
    assert live.status.pending == 0
    live.stop()
