"""The consistency validator finds real disagreements and repairs what can be repaired."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import index_repo, snapshot, write

from dgtui.engine.check import run_checks
from dgtui.engine.live import LiveIndex
from dgtui.model import AtomFilter


def failing(report) -> set[str]:
    return {r.name for r in report.results if not r.ok}


def test_a_fresh_index_passes_every_check(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    report = run_checks(store, str(pyrepo))
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
    conn.execute("UPDATE edge_rows SET target = NULL, resolution = 'unresolved' "
                 "WHERE source = (SELECT pk FROM atoms WHERE id = 'pkg/db.py::save_atom')")
    conn.execute("INSERT INTO atoms_fts(rowid, name, qualified_name, words, signature, docstring, "
                 "file_path) VALUES (99999, 'ghost', 'ghost', 'ghost', '', '', 'nowhere.py')")
    report = run_checks(store, str(pyrepo))
    assert {"edges", "graph", "fts"} <= failing(report)
    assert run_checks(store, str(pyrepo), repair=True).ok
    assert run_checks(store, str(pyrepo)).ok
    assert store.atoms.search("ghost") == []


def test_an_event_log_that_disagrees_is_found_and_corrected(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    store.conn.execute("DELETE FROM baselines")  # the first index's creates are gone
    report = run_checks(store, str(pyrepo))
    assert failing(report) == {"events"}
    problems = report.results[2].problems
    assert problems and all(p.startswith("missing atom: ") for p in problems)
    assert run_checks(store, str(pyrepo), repair=True).ok
    assert store.events.replay()["pkg/db.py::write"] == store.atoms.get("pkg/db.py::write").atom
    assert store.events.replay() == {s.id: s.atom for s in store.atoms.query(AtomFilter())}


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


@pytest.mark.slow
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


@pytest.mark.slow
def test_check_beside_a_live_watcher_reads_one_snapshot_and_repair_refuses(tmp_path: Path):
    """Issue 14: while `dgtui watch` committed edits, 2 of 3 checks failed "events" or "edges"
    (each sub-check read its own commit) and every `check --repair` wrote beside the watcher.
    Now every check passes while the edits stream in, and a repair refuses in one line."""
    from corpus_gen import make_corpus
    from reliability import dgtui
    from test_live_reliability import start_watch, stop

    root, home = tmp_path / "repo", tmp_path / "home"
    make_corpus(root, 60)
    watcher, role = start_watch(root, home)
    assert role == "writer"
    db = next(home.glob("repos/*/index.db"))
    targets = sorted(root.rglob("mod*.py"))[:6]  # rewrites only: no package appears or goes
    done = threading.Event()

    def edit() -> None:
        n = 0
        while not done.is_set():
            path = targets[n % len(targets)]
            path.write_text(path.read_text() + f"\n\ndef e{n}():\n    return f1_1()\n")
            n += 1
            done.wait(0.03)  # an agent's pace: a few dozen saves a second

    editor = threading.Thread(target=edit)
    before = transactions(db)
    editor.start()
    try:
        checks = [dgtui("check", "--json", "--path", str(root), home=home) for _ in range(3)]
        repair = dgtui("check", "--repair", "--path", str(root), home=home)
    finally:
        done.set()
        editor.join()
    committed = transactions(db) - before
    stop(watcher)
    for r in checks:
        report = json.loads(r.stdout)
        assert r.returncode == 0 and report["ok"], [c for c in report["checks"] if not c["ok"]]
    assert committed >= 3, committed  # the watcher did write while the checks read
    assert repair.returncode == 1 and "Traceback" not in repair.stderr
    assert "is writing this index; stop it to repair the index" in repair.stderr
    assert len(repair.stderr.strip().splitlines()) == 1
    # with the watcher gone, the repair takes the lock and catches up with the last edits
    r = dgtui("check", "--repair", "--path", str(root), home=home)
    assert r.returncode == 0, r.stdout + r.stderr
    assert dgtui("check", "--path", str(root), home=home).returncode == 0


def transactions(db: Path) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
def test_check_after_an_import_of_absent_code_says_so_and_repair_needs_force(tmp_path: Path):
    """`import-json` of code that is not checked out here: check said every file was "gone from
    disk" and --repair deleted them all. Now it says the code is absent and refuses to empty the
    index without --force."""
    from legacy_tree import write_atom
    from reliability import dgtui

    root, home = tmp_path / "repo", tmp_path / "home"
    for n in range(5):
        write_atom(root / ".omnysysdata" / "atoms", {"name": f"fn{n}", "filePath": f"src/m{n}.js",
                                                     "line": 1, "calls": []})
    assert dgtui("import-json", str(root / ".omnysysdata"), home=home).returncode == 0
    db = next(home.glob("repos/*/index.db"))
    before = db.read_bytes()
    r = dgtui("check", "--path", str(root), home=home)
    assert r.returncode == 1 and "the code is absent: none of the 5 indexed files" in r.stdout
    r = dgtui("check", "--repair", "--path", str(root), home=home)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "would delete all 5 indexed files" in r.stderr and "--force" in r.stderr
    assert transactions(db) == 1 and db.read_bytes() == before  # nothing written
    r = dgtui("check", "--repair", "--force", "--path", str(root), home=home)
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(dgtui("stats", "--json", "--path", str(root), home=home).stdout)["atoms"] == 0
