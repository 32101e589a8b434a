"""A read-only data home (issue 14): reads work, writes say the index cannot be updated.

Two real set-ups: the data home on a read-only bind mount (every read command failed with
"unable to open database file"), and another account reading a shared data home it may not
write (a plain `search` failed with "attempt to write a readonly database"). Each read command
must give the answer it gives on the writable home; each writer one line saying why not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_fixture
from reliability import dgtui, permissions_apply

READS = [["search", "save"], ["show", "pkg/db.py::save"], ["callers", "pkg/db.py::write"],
         ["callees", "pkg/service.py::handle"], ["query", "--kind", "method"], ["unresolved"],
         ["events", "--limit", "5"], ["history", "pkg/db.py::save"], ["replay", "--at", "1"],
         ["graph", "pkg/db.py::save"], ["check"], ["brain", "list"], ["brain", "show", "1"],
         ["chat", "history", "--user", "ann"], ["stats", "--skipped"]]
WRITES = [["index"], ["brain", "add", "more"], ["chat", "ask", "who calls save?", "--user", "ann"],
          ["check", "--repair"]]


@pytest.fixture
def populated(tmp_path: Path) -> dict:
    repo = copy_fixture("pyrepo", tmp_path)
    home = tmp_path / "home"
    for args in (["index", str(repo)], ["brain", "add", "--path", str(repo), "a decision"],
                 ["chat", "ask", "who calls save?", "--path", str(repo), "--user", "ann"]):
        assert dgtui(*args, home=home).returncode == 0
    expected = {}
    for args in READS:
        r = dgtui(*args, "--path", str(repo), home=home)
        assert r.returncode == 0, (args, r.stderr)
        expected[tuple(args)] = r.stdout
    return {"repo": repo, "home": home, "tmp": tmp_path, "expected": expected}


def reads_and_refusals(populated: dict, home: Path, reads=READS, writes=WRITES, **kwargs) -> None:
    repo = str(populated["repo"])
    for args in reads:
        r = dgtui(*args, "--path", repo, home=home, **kwargs)
        assert r.returncode == 0 and "Traceback" not in r.stderr, (args, r.stderr)
        if args[0] == "check":  # the same verdicts (FTS5 is compared by rows where read-only)
            assert verdicts(r.stdout) == verdicts(populated["expected"][("check",)])
        elif args[0] not in ("stats", "graph"):  # the index's path, the time of the export
            assert r.stdout == populated["expected"][tuple(args)], args
        else:
            assert undated(r.stdout) == undated(populated["expected"][tuple(args)]), args
    for args in writes:
        where = [repo] if args == ["index"] else ["--path", repo]
        r = dgtui(*args, *where, home=home, **kwargs)
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
        assert "read-only here" in r.stderr and "can be read, not updated" in r.stderr, r.stderr


def verdicts(text: str) -> list[list[str]]:
    return [line.split()[:2] for line in text.splitlines()]


def undated(text: str) -> list[str]:
    """The lines of an output that do not name the moment or the file it was made from."""
    return [line for line in text.splitlines() if "exported_at" not in line and "index" not in line]


@contextlib.contextmanager
def read_only_mount(source: Path, where: Path) -> Iterator[bool]:
    where.mkdir()
    if subprocess.run(["mount", "--bind", str(source), str(where)], capture_output=True).returncode:
        yield False
        return
    try:
        ok = subprocess.run(["mount", "-o", "remount,ro,bind", str(where)],
                            capture_output=True).returncode == 0
        yield ok
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.mark.slow
def test_a_data_home_on_a_read_only_mount(populated: dict):
    with read_only_mount(populated["home"], populated["tmp"] / "ro") as mounted:
        if not mounted:
            pytest.skip("bind mounts are not allowed here")
        reads_and_refusals(populated, populated["tmp"] / "ro")


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not permissions_apply(),
                    reason="needs root to give the home to another account, and to drop the "
                           "capabilities that let root write it anyway")
def test_another_account_reads_a_shared_data_home(populated: dict):
    """The home belongs to uid 65534 and is not writable by others; the command runs bound by
    permission bits, as any other account would be. The chat history is private: an account
    reads only its own, so that trial stays with the owner."""
    home = populated["tmp"] / "shared"
    shutil.copytree(populated["home"], home)
    shutil.rmtree(home / "chat-history")
    for path in [home, *home.rglob("*")]:
        os.chown(path, 65534, 65534)
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    reads_and_refusals(populated, home, reads=[a for a in READS if a[0] != "chat"],
                       writes=[a for a in WRITES if a[0] != "chat"], obey_permissions=True)
