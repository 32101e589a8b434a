"""Watch lists: `dgtui pins` and `dgtui watch --pinned` as a user runs them (real subprocesses,
a real watcher, real files), and which changes count as within N calls of a pin."""

from __future__ import annotations

import json
import os
import select
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import index_repo, write

from dgtui.chat.watchlist import WatchList
from dgtui.engine.indexer import Indexer
from dgtui.paths import RepoPaths

ENV = {"DGTUI_USER": "ann"}


def ok(*args: str) -> str:
    r = run_cli(*args, env=ENV)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


def fails(*args: str, env: dict | None = None) -> str:
    r = run_cli(*args, env=env or ENV)
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("dgtui: ")
    return lines[-1]


@pytest.fixture
def repo(pyrepo: Path, home: Path) -> Path:
    ok("index", str(pyrepo))
    return pyrepo


def pins_of(repo: Path) -> list[dict]:
    return json.loads(ok("pins", "list", "--json", "--path", str(repo)))


def test_pins_add_list_remove_kept_privately_per_user(repo: Path, home: Path):
    ok("pins", "add", "save_atom", "--depth", "1", "--path", str(repo))
    ok("pins", "add", "pkg/service.py::handle", "--path", str(repo))
    rows = pins_of(repo)
    assert [(r["atom_id"], r["depth"], r["status"]) for r in rows] == [
        ("pkg/db.py::save_atom", 1, "pinned"), ("pkg/service.py::handle", 2, "pinned")]
    ok("pins", "add", "save_atom", "--depth", "3", "--path", str(repo))  # pinned again: the depth
    assert pins_of(repo)[0]["depth"] == 3
    assert "unpinned pkg/service.py::handle" in ok("pins", "remove", "handle", "--path", str(repo))
    assert [r["atom_id"] for r in pins_of(repo)] == ["pkg/db.py::save_atom"]

    paths = RepoPaths.for_root(str(repo), str(home))
    db = paths.pins_db("ann")
    assert os.path.dirname(db) == paths.chat_dir("ann")  # beside the chat history
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(db)).st_mode) == 0o700
    # Another user has pins of their own; clearing the chat leaves the pins alone.
    assert json.loads(run_cli("pins", "list", "--json", "--path", str(repo),
                              env={"DGTUI_USER": "bob"}).stdout) == []
    ok("chat", "clear", "--yes", "--path", str(repo))
    assert [r["atom_id"] for r in pins_of(repo)] == ["pkg/db.py::save_atom"]


def test_pins_bad_input_is_one_line(repo: Path):
    assert "no atom named 'nope'" in fails("pins", "add", "nope", "--path", str(repo))
    assert "--depth" in fails("pins", "add", "save_atom", "--depth", "9", "--path", str(repo))
    assert "is not pinned" in fails("pins", "remove", "save_atom", "--path", str(repo))
    assert "invalid user id" in fails("pins", "list", "--path", str(repo), env={"DGTUI_USER": "../x"})


def test_a_pin_follows_a_rename_made_while_nothing_watched(repo: Path):
    ok("pins", "add", "save_atom", "--path", str(repo))
    db = repo / "pkg" / "db.py"
    write(db, db.read_text().replace("def save_atom(", "def store_atom("))
    ok("index", str(repo))  # the reconcile records the rename in the event log
    rows = pins_of(repo)
    assert [(r["atom_id"], r["name"], r["status"]) for r in rows] == [
        ("pkg/db.py::store_atom", "store_atom", "pinned")]


def test_within_n_calls_both_ways_and_renames_in_a_delta(pyrepo: Path, home: Path):
    paths = RepoPaths.for_root(str(pyrepo), str(home))
    os.makedirs(paths.index_dir)
    store, _ = index_repo(pyrepo, Path(paths.index_db))
    indexer = Indexer(str(pyrepo), store, workers=1)
    db, util = pyrepo / "pkg" / "db.py", pyrepo / "pkg" / "util.py"
    with WatchList.open(paths, "ann") as watch:
        watch.pin(store, "pkg/db.py::save_atom", 1)

        def save(path: Path, old: str, new: str) -> list[str]:
            write(path, path.read_text().replace(old, new))
            delta = indexer.sync_paths([str(path.relative_to(pyrepo))])
            return [h.describe() for h in watch.hits(store, delta)]

        assert save(db, "return record\n", "return record or 1\n") == [
            "write updated (body), a callee 1 call away"]
        assert save(util, "return str(value)", "return repr(value)") == []  # not a neighbour
        # handle calls save_atom (1 call up) and sync_all (which calls it: also 1 up)
        service = pyrepo / "pkg" / "service.py"
        assert save(service, "    for item in items:\n", "    for item in list(items):\n") == [
            "sync_all updated (body), a caller 1 call away"]
        # A callee renamed, then the pinned atom itself: the pin follows it.
        assert save(db, "def write(", "def put(") == ["write renamed to put, a callee 1 call away"]
        assert save(db, "return write(atom)", "return put(atom)") == ["save_atom updated (body)"]
        assert save(db, "def save_atom(", "def keep_atom(") == ["save_atom renamed to keep_atom"]
        assert [p.atom_id for p in watch.pins()] == ["pkg/db.py::keep_atom"]
        # A deleted callee is still within reach (its call is gone from the graph).
        assert save(db, "def put(record):\n    return record or 1\n", "") == [
            "put deleted, a callee 1 call away"]
    store.close()


@pytest.mark.slow
def test_watch_pinned_prints_only_the_transactions_near_a_pin(repo: Path):
    ok("pins", "add", "save_atom", "--depth", "1", "--path", str(repo))
    proc = subprocess.Popen([sys.executable, "-m", "dgtui", "watch", str(repo), "--pinned", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, **ENV))

    def next_line() -> dict:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, proc.stderr.read() if proc.poll() is not None else "no output"
        return json.loads(proc.stdout.readline())

    try:
        util, db = repo / "pkg" / "util.py", repo / "pkg" / "db.py"
        # Saved until a line comes: a save before the watch was on is taken by its reconcile,
        # whose transaction is printed too. The util.py saves are no neighbours: never printed.
        for n in range(20):
            write(util, util.read_text() + f"\n\ndef far{n}():\n    return {n}\n")
            write(db, db.read_text().replace("    return record", f"    return record  # {n}", 1)
                  if n == 0 else db.read_text().replace(f"# {n - 1}", f"# {n}"))
            ready, _, _ = select.select([proc.stdout], [], [], 2)
            if ready:
                break
        line = next_line()
        assert line["pinned"] and {h["pin"] for h in line["pinned"]} == {"pkg/db.py::save_atom"}
        assert [(h["atom"], h["direction"], h["distance"]) for h in line["pinned"]
                if h["atom"] == "pkg/db.py::write"] == [("pkg/db.py::write", "callee", 1)]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    for rest in filter(None, out.splitlines()):  # every line printed touched the pin
        assert json.loads(rest)["pinned"]
