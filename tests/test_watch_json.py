"""From a save to its line: ``dgtui watch --json`` in a process of its own reports every kind of
save once, a save that empties the file before writing it is recorded once, and the live writer
folds SQLite's write-ahead log into the database after a save is published, not inside its
commit."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dgtui.engine.live import LiveIndex
from dgtui.paths import RepoPaths

TIMEOUT = 30.0  # an upper bound so a broken watcher fails instead of hanging; not a speed test


class Lines:
    def __init__(self, proc: subprocess.Popen):
        self.proc = proc

    def next(self) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        assert ready, self.proc.stderr.read() if self.proc.poll() is not None else "no line"
        return json.loads(self.proc.stdout.readline())

    def naming(self, rel: str) -> dict:
        """The next line that names ``rel`` (a save seen by the reconcile's last walk and then
        by the watch too comes once: the second finds nothing to record)."""
        while True:
            line = self.next()
            if rel in line["files"]:
                return line


def save(path: Path, text: str) -> None:
    """Write as editors do, whole (a truncate-then-write seen half way is another test's topic)."""
    tmp = path.with_name(path.name + ".tmp~")
    tmp.write_text(text)
    os.replace(tmp, path)


def operations(line: dict) -> set[tuple[str, str]]:
    return {(a["operation"], a["id"]) for a in line["atoms"]}


@pytest.mark.slow
def test_every_kind_of_save_comes_back_as_its_line(pyrepo: Path, home: Path):
    proc = subprocess.Popen([sys.executable, "-m", "dgtui", "watch", str(pyrepo), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = Lines(proc)
    util, db, fresh = pyrepo / "pkg" / "util.py", pyrepo / "pkg" / "db.py", pyrepo / "pkg" / "fresh.py"
    try:
        assert lines.next()["created"] > 2  # the first index, committed once the watch is on
        save(util, util.read_text().replace("return str(value)", "return repr(value)"))
        line = lines.naming("pkg/util.py")
        assert operations(line) == {("update", "pkg/util.py::fmt")}
        save(util, util.read_text() + "\n\ndef shiny(x):\n    return fmt(x)\n")
        assert ("create", "pkg/util.py::shiny") in operations(lines.naming("pkg/util.py"))
        save(db, db.read_text().replace("def save(thing):", "def save(thing, extra=None):"))
        line = lines.naming("pkg/db.py")
        assert [
            "signature" in a["changed"] for a in line["atoms"] if a["id"] == "pkg/db.py::save"] == [True]
        save(util, util.read_text().replace("def only_helper_here(x):\n    return x\n", ""))
        assert ("delete", "pkg/util.py::only_helper_here") in operations(lines.naming("pkg/util.py"))
        save(fresh, "def fresh():\n    return fmt(1)\n")
        assert ("create", "pkg/fresh.py::fresh") in operations(lines.naming("pkg/fresh.py"))
        fresh.unlink()
        line = lines.naming("pkg/fresh.py")
        assert ("delete", "pkg/fresh.py::fresh") in operations(line) and line["latency_ms"] >= 0
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_the_write_ahead_log_is_folded_in_after_the_commit_not_inside_it(pyrepo: Path, tmp_path: Path):
    """In WAL mode only a checkpoint writes the database file itself: a save's commit leaves it
    as it was (its pages go to the log), and once the commit is published the log is folded in."""
    live = LiveIndex(str(pyrepo), str(tmp_path / "home"))
    index_file = RepoPaths.for_root(str(pyrepo), str(tmp_path / "home")).index_db
    at_commit: list[int] = []
    committed = threading.Event()

    def on_delta(delta) -> None:  # in the live thread, as the commit is published
        if "pkg/late.py" in delta.files:
            at_commit.append(os.stat(index_file).st_mtime_ns)
            committed.set()

    live.subscribe(on_delta)
    live.start()
    try:
        assert live.ready.wait(TIMEOUT), live.status
        (pyrepo / "pkg" / "late.py").write_text("def late():\n    return 1\n")
        assert committed.wait(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while os.stat(index_file).st_mtime_ns == at_commit[0]:
            assert time.monotonic() < deadline, "the log was never folded into the database"
            time.sleep(0.02)
    finally:
        live.stop()


def test_a_save_that_empties_the_file_before_writing_it_is_recorded_once(pyrepo: Path, tmp_path: Path):
    """A save that is not atomic truncates the file, then writes it: the watcher may see the
    empty file first. It waits for the write, so no line says every atom was deleted."""
    live = LiveIndex(str(pyrepo), str(tmp_path / "home"))
    deltas = []
    created = threading.Event()

    def record(delta) -> None:
        deltas.append(delta)
        if any(c.atom_id == "pkg/util.py::later" for c in delta.changes):
            created.set()

    live.subscribe(record)
    live.start()
    try:
        assert live.ready.wait(TIMEOUT), live.status
        util = pyrepo / "pkg" / "util.py"
        text = util.read_text() + "\n\ndef later():\n    return 2\n"
        with open(util, "w") as fh:  # empty now
            time.sleep(0.015)  # the writer is interrupted for longer than the watcher waits
            fh.write(text)
        assert created.wait(TIMEOUT)
        deleted = [c.atom_id for d in deltas for c in d.changes if c.operation == "delete"]
        assert deleted == []
    finally:
        live.stop()
