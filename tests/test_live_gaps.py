"""Live-index gaps (issue 14): edits made while a watcher starts, and rapid rewrites under
polling, must reach the index in the same session, not at the next start.

Real processes on real files: `dgtui watch` starts while another thread keeps saving files (as
an editor or an agent does), and the trial waits until the index holds every function the
edits wrote. Before the fix the tree was walked before the watches existed, so a save made
during the walk had no event and was compared against stale stats: lost until a restart.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from corpus_gen import make_corpus
from reliability import dgtui
from test_live_reliability import start_watch, stop

DEADLINE = 60.0  # for changes that must arrive; not a speed test


def indexed_names(home: Path) -> set[str]:
    dbs = list(home.glob("repos/*/index.db"))
    if not dbs:
        return set()
    conn = sqlite3.connect(str(dbs[0]), timeout=30)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM atoms WHERE name GLOB 'gap*'")}
    except sqlite3.Error:
        return set()
    finally:
        conn.close()


def wait_for_names(home: Path, expected: set[str]) -> set[str]:
    """The names still missing once they all arrived, or at the deadline."""
    deadline = time.monotonic() + DEADLINE
    while True:
        missing = expected - indexed_names(home)
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.1)


class Saver:
    """Appends a new function to one of the files, over and over, from a thread."""

    def __init__(self, files: list[Path], pace: float):
        self.files, self.pace = files, pace
        self.written: set[str] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        rng = random.Random(14)
        n = 0
        while not self.stop.is_set():
            path = rng.choice(self.files)
            name = f"gap{n}"
            with open(path, "a") as fh:
                fh.write(f"\n\ndef {name}():\n    return {n}\n")
            self.written.add(name)
            n += 1
            self.stop.wait(self.pace)

    def __enter__(self) -> Saver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(3))
def test_saves_made_while_the_watcher_starts_are_indexed(tmp_path: Path, trial: int):
    root, home = tmp_path / "repo", tmp_path / "home"
    make_corpus(root, 1200, seed=trial)
    assert dgtui("index", str(root), home=home).returncode == 0  # a restart on a stored index
    files = sorted(root.rglob("mod*.py"))
    with Saver(files, pace=0.005) as saver:
        watcher, role = start_watch(root, home)  # saves go on through the walk and the reconcile
        assert role == "writer"
    missing = wait_for_names(home, saver.written)
    stop(watcher)
    assert not missing, f"{len(missing)} of {len(saver.written)} saves never indexed"


@pytest.mark.slow
def test_a_rewrite_the_poller_cannot_see_is_not_left_stale(tmp_path: Path):
    """`dgtui watch --poll` (network file systems, containers without inotify) compares size
    and mtime. On a file system whose timestamps are coarse (a second on many network file
    systems, two on FAT), a second save of the same size within that second looks unchanged:
    4-5 of 60 bursts of rewrites stayed stale for good. The trial makes the second save exactly
    that (same size, the first save's mtime restored, as such a file system would show it);
    recently synced files are now read again, so it arrives."""
    root, home = tmp_path / "repo", tmp_path / "home"
    make_corpus(root, 60)
    assert dgtui("index", str(root), home=home).returncode == 0
    files = sorted(root.rglob("mod*.py"))[:10]
    bases = {path: path.read_text() for path in files}
    watcher, role = start_watch(root, home, poll=True)
    try:
        for i, path in enumerate(files):
            path.write_text(bases[path] + f"\n\ndef gap{i}_a():\n    return 1\n")
        assert not wait_for_names(home, {f"gap{i}_a" for i in range(len(files))})
        for i, path in enumerate(files):
            st = path.stat()
            path.write_text(bases[path] + f"\n\ndef gap{i}_b():\n    return 2\n")
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # a coarse clock: no change
        final = {f"gap{i}_b" for i in range(len(files))}
        missing = wait_for_names(home, final)
        stale = indexed_names(home) - final
    finally:
        stop(watcher)
    assert not missing and not stale, (sorted(missing), sorted(stale))
