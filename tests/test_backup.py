"""`dgtui backup` and `dgtui restore`: consistent copies through SQLite's online backup API."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import snapshot, write
from reliability import check_index, dgtui

from dgtui.store import Store

#: A writer in its own process: rewrites files and commits each change through the engine,
#: until the stop file appears. Prints how many transactions it committed.
WRITER = textwrap.dedent("""
    import os, sys
    from dgtui.engine.indexer import Indexer
    from dgtui.store import Store
    root, db, stop = sys.argv[1:4]
    store = Store.open(db)
    indexer = Indexer(root, store, workers=1)
    n = 0
    while not os.path.exists(stop):
        rel = f"w/mod{n % 7}.py"
        os.makedirs(os.path.join(root, "w"), exist_ok=True)
        with open(os.path.join(root, rel), "w") as fh:
            fh.write("".join(f"def f{n}_{k}():\\n    return f{n}_{k + 1}()\\n\\n" for k in range(40)))
        if indexer.sync_paths([rel]) is not None:
            n += 1
    print(n)
""")


def index_db(home: Path) -> Path:
    return next((home / "repos").glob("*/index.db"))


def last_tx(db: Path) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("SELECT max(id) FROM transactions").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
def test_backups_taken_while_a_writer_commits_are_consistent(pyrepo: Path, tmp_path: Path):
    home = tmp_path / "home"
    assert dgtui("index", str(pyrepo), home=home).returncode == 0
    db = index_db(home)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(pyrepo), str(db), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[int, Path] = {}
    try:
        for attempt in range(80):
            out = tmp_path / f"backup{attempt}.db"
            r = dgtui("backup", str(out), "--path", str(pyrepo), "--json", home=home)
            assert r.returncode == 0, r.stderr
            result = json.loads(r.stdout)
            assert result["path"] == str(out) and result["bytes"] == out.stat().st_size
            seen.setdefault(result["transaction"], out)
            if len(seen) >= 6:
                break
    finally:
        stop.touch()
        committed = int(writer.communicate(timeout=60)[0])
    assert writer.returncode == 0
    assert committed > 0 and len(seen) >= 6, (committed, sorted(seen))  # copies amid the writes
    for tx, copy in sorted(seen.items()):
        assert check_index(copy) == [], tx  # whole transactions only, FTS and events in step
        conn = sqlite3.connect(str(copy))
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
        assert last_tx(copy) == tx
        conn.close()
    assert not list(tmp_path.glob(".dgtui-backup-*"))  # no temporary file left behind


@pytest.mark.slow
def test_restore_brings_back_the_backed_up_index(pyrepo: Path, tmp_path: Path):
    home = tmp_path / "home"
    dgtui("index", str(pyrepo), home=home)
    db = index_db(home)
    with Store.open(str(db)) as store:
        before = snapshot(store)
    saved = tmp_path / "saved.db"
    assert dgtui("backup", str(saved), "--path", str(pyrepo), home=home).returncode == 0
    write(pyrepo / "pkg" / "extra.py", "def added():\n    return 1\n")
    (pyrepo / "main.py").unlink()
    dgtui("index", str(pyrepo), home=home)
    with Store.open(str(db)) as store:
        changed = snapshot(store)
    assert changed != before
    r = dgtui("restore", str(saved), "--path", str(pyrepo), "--json", home=home)
    assert r.returncode == 0, r.stderr
    with Store.open(str(db)) as store:
        assert snapshot(store) == before
    assert check_index(db) == []
    # the next index catches up with the files, exactly
    dgtui("index", str(pyrepo), home=home)
    with Store.open(str(db)) as store:
        assert snapshot(store) == changed


@pytest.mark.slow
def test_restore_while_a_reader_holds_the_index(pyrepo: Path, tmp_path: Path):
    home = tmp_path / "home"
    dgtui("index", str(pyrepo), home=home)
    db = index_db(home)
    saved = tmp_path / "saved.db"
    dgtui("backup", str(saved), "--path", str(pyrepo), home=home)
    write(pyrepo / "pkg" / "extra.py", "def added():\n    return 1\n")
    dgtui("index", str(pyrepo), home=home)
    reader = Store.open(str(db))
    reader.conn.execute("BEGIN")
    n_before = reader.conn.execute("SELECT count(*) FROM atoms").fetchone()[0]
    r = dgtui("restore", str(saved), "--path", str(pyrepo), home=home)
    assert r.returncode == 0, r.stderr
    # the open read transaction still sees its snapshot; the next one sees the restored index
    assert reader.conn.execute("SELECT count(*) FROM atoms").fetchone()[0] == n_before
    reader.conn.execute("COMMIT")
    assert reader.conn.execute("SELECT count(*) FROM atoms").fetchone()[0] == n_before - 2
    reader.close()
    assert check_index(db) == []


@pytest.mark.slow
def test_bad_backups_are_refused_and_the_index_left_alone(pyrepo: Path, tmp_path: Path):
    home = tmp_path / "home"
    dgtui("index", str(pyrepo), home=home)
    db = index_db(home)
    with Store.open(str(db)) as store:
        before = snapshot(store)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database, just text\n" * 200)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(str(foreign))
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    other = tmp_path / "other"
    other.mkdir()
    write(other / "o.py", "def o():\n    pass\n")
    dgtui("index", str(other), home=home)
    theirs = tmp_path / "theirs.db"
    dgtui("backup", str(theirs), "--path", str(other), home=home)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(theirs.read_bytes()[: theirs.stat().st_size // 2])
    cases = {junk: "not a dgtui index", foreign: "not a dgtui index", theirs: "--force",
             truncated: "damaged", tmp_path / "missing.db": "no such file"}
    for path, words in cases.items():
        r = dgtui("restore", str(path), "--path", str(pyrepo), home=home)
        assert r.returncode == 1 and words in r.stderr, (path, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    with Store.open(str(db)) as store:
        assert snapshot(store) == before
    for args, words in ((["backup", str(tmp_path)], "is a directory"),
                        (["backup", str(tmp_path / "no" / "such" / "x.db")], "no such folder")):
        r = dgtui(*args, "--path", str(pyrepo), home=home)
        assert r.returncode != 0 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = dgtui("backup", str(tmp_path / "b.db"), "--path", str(tmp_path), home=home)
    assert r.returncode == 1 and "no index" in r.stderr


def test_restore_replaces_a_damaged_index(pyrepo: Path, tmp_path: Path):
    home = tmp_path / "home"
    dgtui("index", str(pyrepo), home=home)
    db = index_db(home)
    with Store.open(str(db)) as store:
        before = snapshot(store)
    saved = tmp_path / "saved.db"
    dgtui("backup", str(saved), "--path", str(pyrepo), home=home)
    db.write_bytes(b"\0" * 8192)
    r = dgtui("search", "save", "--path", str(pyrepo), home=home)
    assert r.returncode == 1 and "rebuild" in r.stderr
    assert dgtui("restore", str(saved), "--path", str(pyrepo), home=home).returncode == 0
    with Store.open(str(db)) as store:
        assert snapshot(store) == before


def test_backup_result_names_what_it_holds(pyrepo: Path, tmp_path: Path):
    home = tmp_path / "home"
    dgtui("index", str(pyrepo), home=home)
    out = json.loads(dgtui("backup", str(tmp_path / "b.db"), "--path", str(pyrepo), "--json",
                           home=home).stdout)
    assert out["atoms"] == 37 and out["events"] == 37 and out["root"] == str(pyrepo.resolve())
