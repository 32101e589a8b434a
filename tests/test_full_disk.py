"""A full disk: a clear one-line error, no damage, and the work resumes once there is room.

The data home is put on a small tmpfs mounted for the test (root, or a user namespace where
mounts are allowed); it is grown with ``mount -o remount,size=``, or filled with a filler file
that is later removed. Where mounting is not allowed at all, the nearest honest substitute
runs instead: RLIMIT_FSIZE, under which the kernel refuses writes past a file size (EFBIG), the
same refusal reaching SQLite through the same write calls.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_gen import make_corpus
from helpers import snapshot
from legacy_tree import synthetic_tree
from reliability import check_index, dgtui

from dgtui.engine.indexer import Indexer
from dgtui.store import Store

REPORT: dict = {}


@contextlib.contextmanager
def tmpfs(where: Path, kilobytes: int) -> Iterator[bool]:
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(where)],
                       capture_output=True)
    if r.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def resize(where: Path, kilobytes: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={kilobytes}k", str(where)], check=True)


def fill(where: Path) -> Path:
    """Take every free byte of the filesystem at ``where``."""
    filler = where / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for size in (1 << 20, 65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * size)
    return filler


def fresh(root: Path, db: Path) -> dict:
    with Store.open(str(db)) as store:
        Indexer(str(root), store, workers=1).run()
        return snapshot(store)


def one_line(r: subprocess.CompletedProcess, *words: str) -> str:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert all(w in r.stderr for w in words), r.stderr
    REPORT.setdefault("errors", []).append(r.stderr.strip())
    return r.stderr


def edit(repo: Path, n: int) -> None:
    for path in sorted(repo.rglob("mod*.py"))[:n]:
        path.write_text(path.read_text() + "\n\ndef added_late():\n    return 1\n")


@pytest.mark.slow
def test_full_disk_during_index_backup_and_import(tmp_path: Path):
    repo = tmp_path / "repo"
    make_corpus(repo, 60)
    mount = tmp_path / "fs"
    with tmpfs(mount, 512) as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not allowed here; test_file_size_limit stands in")
        home = mount / "home"
        # 1. the first index does not fit
        one_line(dgtui("index", str(repo), home=home), "no space left")
        resize(mount, 64 * 1024)
        db = next((home / "repos").glob("*/index.db"))
        assert check_index(db) == []
        assert dgtui("index", str(repo), home=home).returncode == 0  # resumes with room
        with Store.open(str(db)) as store:
            first = snapshot(store)
        assert first == fresh(repo, tmp_path / "fresh1.db")

        # 2. a re-index when the disk has filled up meanwhile
        edit(repo, 20)
        filler = fill(mount)
        one_line(dgtui("index", str(repo), home=home), "no space left")
        filler.unlink()
        assert check_index(db) == []
        with Store.open(str(db)) as store:
            assert snapshot(store) == first  # the failed transaction left nothing behind
        assert dgtui("index", str(repo), home=home).returncode == 0
        with Store.open(str(db)) as store:
            assert snapshot(store) == fresh(repo, tmp_path / "fresh2.db")
            second = snapshot(store)

        # 3. a backup onto the full disk: no file under that name, no temporary file left
        filler = fill(mount)
        one_line(dgtui("backup", str(mount / "b.db"), "--path", str(repo), home=home),
                 "no space left")
        assert not (mount / "b.db").exists() and not list(mount.glob(".dgtui-backup-*"))
        filler.unlink()
        assert dgtui("backup", str(mount / "b.db"), "--path", str(repo), home=home).returncode == 0
        assert check_index(mount / "b.db") == []

        # 4. an import onto the full disk
        synthetic_tree(repo / ".omnysysdata" / "atoms", 3000)
        (mount / "b.db").unlink()
        filler = fill(mount)
        one_line(dgtui("import-json", str(repo / ".omnysysdata"), home=home), "no space left")
        filler.unlink()
        assert check_index(db) == []
        with Store.open(str(db)) as store:
            assert snapshot(store) == second
        r = dgtui("import-json", str(repo / ".omnysysdata"), "--json", home=home)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["imported"] == 3000
        assert check_index(db) == []
    REPORT["tmpfs"] = "ran"


@pytest.mark.slow
def test_a_failed_first_index_gives_its_space_back(tmp_path: Path):
    """Issue 14: the first index that did not fit left its write-ahead log behind, so the disk
    stayed full and every later command with it. Now the failed write's log is truncated, the
    message says how much the write needed, and reads work on what is there."""
    repo = tmp_path / "repo"
    make_corpus(repo, 300)
    mount = tmp_path / "fs"
    with tmpfs(mount, 512) as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not allowed here")
        home = mount / "home"
        said = one_line(dgtui("index", str(repo), home=home), "no space left for the index")
        assert "the write needed more than" in said and "is free now" in said
        db = next((home / "repos").glob("*/index.db"))
        wal = Path(f"{db}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        assert shutil.disk_usage(mount).free > 256 * 1024  # the room is back
        r = dgtui("search", "f1", "--path", str(repo), home=home)
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
        assert check_index(db) == []


@pytest.mark.slow
def test_a_watcher_on_a_full_disk_keeps_saying_changes_are_pending(tmp_path: Path):
    """`dgtui watch` printed nothing while its changes waited for room: it now says what waits
    and why, and when they are in."""
    from test_live_reliability import start_watch, stop

    repo = tmp_path / "repo"
    make_corpus(repo, 20)
    mount = tmp_path / "fs"
    with tmpfs(mount, 8 * 1024) as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not allowed here")
        home = mount / "home"
        watcher, role = start_watch(repo, home)
        try:
            filler = fill(mount)
            target = sorted(repo.rglob("mod*.py"))[0]
            target.write_text(target.read_text() + "\n\ndef waited_for_room():\n    return 1\n"
                              + "".join(f"\n\ndef pad{i}():\n    return {i}\n" for i in range(400)))
            line = read_line(watcher, lambda text: "pending" in text)
            assert "no space left for the index" in line and "retrying" in line, line
            filler.unlink()
            assert "the pending changes are in" in read_line(watcher, lambda text: "are in" in text)
        finally:
            stop(watcher)
        r = dgtui("search", "waited_for_room", "--json", "--path", str(repo), home=home)
        assert json.loads(r.stdout)[0]["name"] == "waited_for_room"


def read_line(proc: subprocess.Popen, wanted, timeout: float = 60) -> str:
    """The first line on ``proc``'s stderr for which ``wanted`` holds."""
    import select
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            line = proc.stderr.readline()
            if wanted(line):
                return line
            assert line, "the watcher ended"
    raise AssertionError("the watcher never said it")


@pytest.mark.slow
def test_file_size_limit(tmp_path: Path):
    """RLIMIT_FSIZE: writes past the limit fail (EFBIG) however much room the disk has."""
    repo = tmp_path / "repo"
    make_corpus(repo, 60)
    home = tmp_path / "home"
    env = {"DGTUI_HOME": str(home)}
    limited = _with_fsize(256 * 1024)
    r = subprocess.run([sys.executable, "-m", "dgtui", "index", str(repo)], capture_output=True,
                       text=True, env=dict(os.environ, **env), preexec_fn=limited)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    REPORT.setdefault("errors", []).append(r.stderr.strip())
    db = next((home / "repos").glob("*/index.db"))
    assert check_index(db) == []
    assert dgtui("index", str(repo), home=home).returncode == 0
    with Store.open(str(db)) as store:
        assert snapshot(store) == fresh(repo, tmp_path / "fresh.db")
    shutil.rmtree(home)


def _with_fsize(limit: int):
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def teardown_module() -> None:
    out = os.environ.get("DGTUI_RELIABILITY_REPORT")
    if out and REPORT:
        existing = json.loads(Path(out).read_text()) if Path(out).exists() else {}
        existing["full disk"] = REPORT
        Path(out).write_text(json.dumps(existing, indent=2))
