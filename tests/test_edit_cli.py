"""`dgtui edit` as a real subprocess: the answer, the one-line refusals, and failures injected by
real means (a folder that refuses a file, a read-only file, a full disk, ``kill -9``): the files
and the index are left as they were, or each file whole and the index brought in line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import snapshot
from reliability import check_index, dgtui, permissions_apply
from test_edit import CORE, USE_ONE, USE_TWO, three_files
from test_full_disk import fill, tmpfs

from dgtui.engine.indexer import Indexer
from dgtui.paths import RepoPaths
from dgtui.store import Store

DB = "pkg/db.py"
FILES = ("app/core.py", "app/one/use_one.py", "app/two/use_two.py")


def db_of(root: Path, home: Path) -> Path:
    return Path(RepoPaths.for_root(str(root.resolve()), str(home)).index_db)


def stored(root: Path, home: Path) -> dict:
    with Store.open(str(db_of(root, home))) as store:
        return snapshot(store)


def fresh(root: Path, tmp: Path) -> dict:
    with Store.open(str(tmp)) as store:
        Indexer(str(root), store, workers=1).run()
        return snapshot(store)


def state(root: Path) -> dict:
    return {p: ((root / p).read_bytes(), os.stat(root / p).st_mtime_ns) for p in FILES}


def one_line(r: subprocess.CompletedProcess, code: int, *words: str) -> str:
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert all(w in r.stderr for w in words), r.stderr
    return r.stderr


@pytest.mark.slow
def test_edit_commands(pyrepo: Path, home: Path):
    (pyrepo / "tests").mkdir()
    (pyrepo / "tests/test_db.py").write_text("from pkg.db import write\n\n\ndef test_write():\n"
                                             "    assert write(1) == 1\n")
    assert dgtui("index", str(pyrepo), home=home).returncode == 0
    version = json.loads(dgtui("show", "pkg/db.py::write", "--json", "--path", str(pyrepo), home=home).stdout)["version"]
    new = "def write(record, flush):\n    return record\n"
    args = ("edit", "replace", "pkg/db.py::write", "--expected-version", str(version), "--path", str(pyrepo))
    # a dry run prints the diff and writes nothing
    before = (pyrepo / DB).read_bytes()
    r = subprocess.run([sys.executable, "-m", "dgtui", *args, "--dry-run"], input=new, text=True,
                       capture_output=True, env={**os.environ, "DGTUI_HOME": str(home)})
    assert r.returncode == 0 and "+def write(record, flush):" in r.stdout and (pyrepo / DB).read_bytes() == before
    r = subprocess.run([sys.executable, "-m", "dgtui", *args, "--json"], input=new, text=True,
                       capture_output=True, env={**os.environ, "DGTUI_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert answer["source"] == "atomic-edit" and answer["files"] == [DB]
    assert answer["signature"] == {"old": "def write(record):", "new": "def write(record, flush):",
                                   "compatible": False, "breaking": "new required parameter flush"}
    assert answer["callers_at_risk"] == {"pkg/db.py::write": [
        "pkg/db.py::save_atom", "pkg/service.py::handle", "tests/test_db.py::test_write"]}
    assert answer["tests_reaching"] == ["tests/test_db.py::test_write"]
    # the same version again: a conflict, exit 3, one line
    r = subprocess.run([sys.executable, "-m", "dgtui", *args], input=new, text=True,
                       capture_output=True, env={**os.environ, "DGTUI_HOME": str(home)})
    one_line(r, 3, "conflict", "at version 2, not 1")
    events = dgtui("events", "--source", "atomic-edit", "--path", str(pyrepo), home=home)
    assert "pkg/db.py::write" in events.stdout
    r = dgtui("edit", "rename", "pkg/db.py::write", "9bad", "--expected-version", "2",
              "--path", str(pyrepo), home=home)
    one_line(r, 1, "refused", "not a name")
    r = dgtui("edit", "delete", "nothing_like_it", "--expected-version", "1", "--path", str(pyrepo), home=home)
    one_line(r, 1, "no atom named")
    r = dgtui("edit", "delete", "pkg/util.py::fmt", "--expected-version", "1", "--path", str(pyrepo), home=home)
    assert r.returncode == 0 and "now calling nothing (pkg/util.py::fmt): pkg/service.py::handle" in r.stdout
    assert dgtui("check", "--path", str(pyrepo), home=home).returncode == 0


def test_a_rename_across_three_files_then_check(tmp_path: Path, home: Path):
    root = three_files(tmp_path / "repo")
    assert dgtui("index", str(root), home=home).returncode == 0
    r = dgtui("edit", "rename", "compute", "calculate", "--expected-version", "1", "--json",
              "--path", str(root), home=home)
    assert r.returncode == 2 and "app/core.py::Other.compute" in r.stderr  # two atoms: say which
    r = dgtui("edit", "rename", "app/core.py::compute", "calculate", "--expected-version", "1", "--json",
              "--path", str(root), home=home)
    answer = json.loads(r.stdout)
    assert sorted(answer["files"]) == sorted(FILES)
    assert len(answer["call_sites_rewritten"]) == 5 and answer["imports_renamed"] == ["app/one/use_one.py"]
    assert answer["call_sites_left"] == [{"caller": "app/two/use_two.py::second", "line": 5,
                                          "callee": "obj.compute", "resolution": "ambiguous"}]
    assert dgtui("check", "--path", str(root), home=home).returncode == 0
    assert stored(root, home) == fresh(root, tmp_path / "fresh.db")


@pytest.mark.skipif(not permissions_apply(), reason="file permissions cannot be made to apply to this user")
def test_failures_on_the_way_leave_everything_as_it_was(tmp_path: Path, home: Path):
    root = three_files(tmp_path / "repo")
    assert dgtui("index", str(root), home=home).returncode == 0
    before, files = stored(root, home), state(root)
    rename = ("edit", "rename", "app/core.py::compute", "calculate", "--expected-version", "1",
              "--path", str(root))
    # the third file's folder refuses the temporary file: after the first two were written
    os.chmod(root / "app/two", 0o555)
    try:
        one_line(dgtui(*rename, home=home, obey_permissions=True), 1, "failed", "Permission denied",
                 "app/two/", "nothing was changed")
    finally:
        os.chmod(root / "app/two", 0o755)
    assert state(root) == files and stored(root, home) == before
    assert not list(root.rglob("*dgtui-edit*"))
    # a read-only file: refused, not made writable
    os.chmod(root / "app/one/use_one.py", 0o444)
    one_line(dgtui(*rename, home=home, obey_permissions=True), 1, "refused", "read-only")
    assert state(root) == files and stored(root, home) == before
    assert check_index(db_of(root, home)) == []


@pytest.mark.slow
def test_a_full_disk_at_commit_puts_the_files_back(tmp_path: Path):
    """The index's disk fills up: the files were already replaced when the commit fails, and
    are put back (content and modification time) before the command says so."""
    root = three_files(tmp_path / "repo")
    mount = tmp_path / "fs"
    with tmpfs(mount, 4096) as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not allowed here")
        home = mount / "home"
        assert dgtui("index", str(root), home=home).returncode == 0
        before, files = stored(root, home), state(root)
        filler = fill(mount)
        r = dgtui("edit", "rename", "app/core.py::compute", "calculate", "--expected-version", "1",
                  "--path", str(root), home=home)
        one_line(r, 1, "no space left")
        filler.unlink()
        assert state(root) == files and stored(root, home) == before
        assert check_index(db_of(root, home)) == []
        assert dgtui("check", "--path", str(root), home=home).returncode == 0


@pytest.mark.slow
def test_kill_9_during_an_edit(tmp_path: Path, home: Path):
    """Killed as soon as its first file is replaced: each file is the old one or the new one,
    whole, and the next index run brings the index in line (``dgtui check`` clean)."""
    new = renamed_texts(tmp_path)
    root = three_files(tmp_path / "repo")
    assert dgtui("index", str(root), home=home).returncode == 0
    inode = os.stat(root / "app/core.py").st_ino
    env = {**os.environ, "DGTUI_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "dgtui", "edit", "rename", "app/core.py::compute",
                             "calculate", "--expected-version", "1", "--path", str(root)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and os.stat(root / "app/core.py").st_ino == inode:
        pass  # the first rename gives the file a new inode: kill right then
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert os.stat(root / "app/core.py").st_ino != inode  # it got as far as writing
    whole_after_kill(root, home, tmp_path, new)


OLD = {"app/core.py": CORE, "app/one/use_one.py": USE_ONE, "app/two/use_two.py": USE_TWO}


def renamed_texts(tmp_path: Path) -> dict[str, str]:
    """The three files as the rename of compute to calculate makes them, not interrupted."""
    root = three_files(tmp_path / "expected")
    assert dgtui("index", str(root), home=tmp_path / "home2").returncode == 0
    assert dgtui("edit", "rename", "app/core.py::compute", "calculate", "--expected-version", "1",
                 "--path", str(root), home=tmp_path / "home2").returncode == 0
    return {p: (root / p).read_text() for p in FILES}


def whole_after_kill(root: Path, home: Path, tmp_path: Path, new: dict[str, str]) -> None:
    """Each file the old one or the new one; the next writer (here an index run) finishes the
    story from the edit's journal: all the files old, or all new, never a rename half made;
    and it brings the index in line."""
    for path in FILES:
        assert (root / path).read_text() in (OLD[path], new[path]), path
    # what a kill can leave behind: only the edit's own temporary files, which no index reads
    left = [p.name for p in root.rglob("*") if p.is_file() and p.name not in {"__init__.py"}
            and str(p.relative_to(root)) not in FILES]
    assert all(name.startswith(".") and name.endswith(".dgtui-edit") for name in left), left
    assert dgtui("index", str(root), home=home).returncode == 0
    now = {path: (root / path).read_text() for path in FILES}
    assert now in (OLD, new), "a rename half made"
    assert not list(home.rglob("edit-journal.json"))
    assert dgtui("check", "--path", str(root), home=home).returncode == 0
    assert stored(root, home) == fresh(root, tmp_path / "fresh.db")
