"""`dgtui import-json`: the origin system's JSON atom files, imported whole, once, and reconciled."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from helpers import index_repo, snapshot
from legacy_tree import legacy_object, synthetic_tree, write_atom
from reliability import check_index, dgtui, permissions_apply

from dgtui.model import AtomFilter, EventFilter
from dgtui.store import Store


def index_db(home: Path) -> Path:
    return next((home / "repos").glob("*/index.db"))


def summary(r) -> dict:
    assert "Traceback" not in r.stderr, r.stderr
    return json.loads(r.stdout)


@pytest.mark.slow
def test_12640_atom_files_under_ulimit_64(tmp_path: Path):
    """The origin's scale (12,640 atom files) with 64 file descriptors: everything imported,
    in a handful of transactions, and a second import changes nothing and records nothing."""
    repo = tmp_path / "repo"
    sources = synthetic_tree(repo / ".omnysysdata" / "atoms", 12640)
    home = tmp_path / "home"
    r = dgtui("import-json", str(repo / ".omnysysdata"), "--json", home=home, nofile=64)
    assert r.returncode == 0, r.stderr
    first = summary(r)
    assert (first["imported"], first["created"], first["unchanged"], first["malformed"]) == \
        (12640, 12640, 0, 0)
    assert first["atom_files"] == 12640 and first["files"] == len(sources) == 2107
    assert 1 <= len(first["transactions"]) <= 12640 // 1000
    db = index_db(home)
    store = Store.open(str(db))
    assert store.atoms.counts()["atoms"] == 12640
    events = store.events.events(EventFilter(limit=None))
    assert len(events) == 12640 and {e.source for e in events} == {"import"}
    assert {e.operation for e in events} == {"create"}
    atom = store.atoms.get("src/layer-0/mod0/file0.js::fn1").atom
    assert atom.is_async is False and atom.complexity == 2 and atom.kind == "function"
    assert atom.extra["legacy"]["archetype"] == {"type": "utility", "severity": 1, "confidence": 0.5}
    assert atom.extra["legacy"]["calls"][1] == {"name": "console.log", "type": "external", "line": 14}
    # calls became edges: fn1 -> fn2 in the same file
    assert [e.target_id for _, e in store.atoms.edges_from([atom.id]) if e.target_id] == \
        ["src/layer-0/mod0/file0.js::fn2"]
    n_events, last_tx = store.events.event_count(), store.events.last_transaction_id()
    store.close()
    assert check_index(db) == []

    again = summary(dgtui("import-json", str(repo / ".omnysysdata"), "--json", home=home, nofile=64))
    assert (again["imported"], again["unchanged"], again["transactions"]) == (0, 12640, [])
    with Store.open(str(db)) as store:
        assert store.events.event_count() == n_events
        assert store.events.last_transaction_id() == last_tx


def test_malformed_files_are_reported_and_the_rest_imported(tmp_path: Path, home: Path):
    data = tmp_path / "repo" / ".omnysysdata"
    atoms = data / "atoms"
    good = [write_atom(atoms, {"name": f"ok{i}", "filePath": "src/app.js", "line": 1 + 5 * i,
                               "endLine": 4 + 5 * i, "calls": [{"name": "ok0", "line": 2 + 5 * i}]})
            for i in range(3)]
    folder = atoms / "src" / "app"
    bad = {
        "empty.json": b"",
        "text.json": b"this is not json",
        "array.json": b"[1, 2, 3]",
        "nan.json": b'{"name": "n", "filePath": "src/app.js", "line": 1, "score": NaN}',
        "surrogate.json": b'{"name": "s\\ud800", "filePath": "src/app.js", "line": 1}',
        "deep.json": b'{"name": "d", "filePath": "src/app.js", "line": 1, "x": '
                     + b"[" * 5000 + b"]" * 5000 + b"}",
        "latin1.json": '{"name": "caf\xe9", "filePath": "src/app.js", "line": 1}'.encode("latin-1"),
        "noname.json": b'{"filePath": "src/app.js", "line": 1}',
        "noline.json": b'{"name": "f", "filePath": "src/app.js"}',
        "textline.json": b'{"name": "f", "filePath": "src/app.js", "line": "12"}',
        "escape.json": b'{"name": "f", "filePath": "../../../etc/passwd.js", "line": 1}',
        "elsewhere.json": b'{"name": "f", "filePath": "lib/other.js", "line": 1}',
        "nul.json": b'{"name": "f\\u0000g", "filePath": "src/app.js", "line": 1}',
        "huge_line.json": b'{"name": "f", "filePath": "src/app.js", "line": 100000000000000000000}',
    }
    for name, content in bad.items():
        (folder / name).write_bytes(content)
    (atoms / "stray.json").write_text('{"name": "f", "filePath": "stray.js", "line": 1}')
    (folder / "link.json").symlink_to(good[0])
    r = dgtui("import-json", str(data), "--json", home=home)
    assert r.returncode == 3, r.stderr  # finished, with malformed files
    out = summary(r)
    assert out["imported"] == 3 and out["malformed"] == len(bad) + 2
    reasons = {Path(m["path"]).name: m["reason"] for m in out["malformed_files"]}
    assert set(reasons) == set(bad) | {"stray.json", "link.json"}
    assert reasons["empty.json"] == "empty file"
    assert reasons["nan.json"].startswith("not valid JSON")
    assert "surrogate" in reasons["surrogate.json"]
    assert "nested" in reasons["deep.json"]
    assert reasons["latin1.json"].startswith("not UTF-8")
    assert "does not belong" in reasons["escape.json"] and "does not belong" in reasons["elsewhere.json"]
    assert "symbolic link" in reasons["link.json"]
    # the index is whole and every command still works on it
    assert check_index(index_db(home)) == []
    found = dgtui("search", "ok", "--path", str(tmp_path / "repo"), "--json", home=home)
    assert {row["name"] for row in json.loads(found.stdout)} == {"ok0", "ok1", "ok2"}
    text = dgtui("import-json", str(data), home=home)
    assert text.returncode == 3 and "Traceback" not in text.stderr
    assert sum(1 for line in text.stderr.splitlines() if line.startswith("  malformed: ")) == \
        len(bad) + 2


def test_unreadable_files_and_folders(tmp_path: Path):
    """Permission denied, for real (as root, without the capabilities that bypass permissions)."""
    if not permissions_apply():
        pytest.skip("cannot make file permissions apply to this process")
    repo = tmp_path / "repo"
    atoms = repo / ".omnysysdata" / "atoms"
    write_atom(atoms, {"name": "fine", "filePath": "src/a.js", "line": 1})
    locked_file = write_atom(atoms, {"name": "secret", "filePath": "src/b.js", "line": 1})
    locked_dir = write_atom(atoms, {"name": "hidden", "filePath": "lib/c.js", "line": 1}).parent
    home = tmp_path / "home"
    os.chmod(locked_file, 0o000)
    os.chmod(locked_dir, 0o000)
    r = dgtui("import-json", str(repo / ".omnysysdata"), "--json", home=home, obey_permissions=True)
    assert r.returncode == 3, r.stderr
    out = summary(r)
    assert out["imported"] == 1
    reasons = {m["path"]: m["reason"] for m in out["malformed_files"]}
    assert reasons == {str(locked_file): "Permission denied",
                       str(locked_dir): "folder not readable: Permission denied"}


@pytest.mark.slow
def test_import_then_index_reconciles_with_the_code(jsrepo: Path, tmp_path: Path):
    """Legacy atoms of the real code (some stale, one for a file that is gone), imported, then
    `dgtui index`: exactly what a fresh index gives, with the imported atoms updated in place."""
    fresh, _ = index_repo(jsrepo, tmp_path / "fresh.db")
    expected = snapshot(fresh)
    atoms = [s.atom for s in fresh.atoms.query(AtomFilter())
             if s.atom.kind not in ("module", "class")]
    fresh.close()
    root = jsrepo / ".omnysysdata" / "atoms"
    for n, atom in enumerate(atoms):
        obj = legacy_object(atom, n)
        if atom.file_path == "lib/app.js":
            obj["line"] += 3  # stale positions: the code moved since
        write_atom(root, obj, function=f"{obj['name']}-{n}")
    write_atom(root, {"name": "ghost", "filePath": "lib/gone.js", "line": 1})  # file deleted since
    write_atom(root, {"name": "phantom", "filePath": "lib/app.js", "line": 99})  # function deleted
    home = tmp_path / "home"
    imported = summary(dgtui("import-json", str(jsrepo / ".omnysysdata"), "--json", home=home))
    assert imported["imported"] == len(atoms) + 2 and imported["malformed"] == 0
    db = index_db(home)
    r = dgtui("index", str(jsrepo), "--json", home=home)
    assert r.returncode == 0, r.stderr
    with Store.open(str(db)) as store:
        assert snapshot(store) == expected
        ops = {(e.atom_id, e.operation) for e in store.events.events(EventFilter(source="index", limit=None))}
        assert ("lib/gone.js::ghost", "delete") in ops and ("lib/app.js::phantom", "delete") in ops
        same_ids = [a.id for a in atoms]
        assert all((i, "create") not in ops for i in same_ids)  # matched: updated, not re-created
        history = [(e.source, e.operation) for e in store.events.history(same_ids[0])]
        assert history[0] == ("import", "create") and history[-1] == ("index", "update")
    assert check_index(db) == []
    # importing the legacy tree again leaves the files parsed from code alone; only ghost, whose
    # file the index does not hold, comes back (until the next index)
    again = summary(dgtui("import-json", str(jsrepo / ".omnysysdata"), "--json", home=home))
    assert (again["imported"], len(again["transactions"])) == (1, 1)
    assert again["superseded"] == len(atoms) + 1
    with Store.open(str(db)) as store:
        assert snapshot(store) != expected  # ghost is back: its file is not in the code
        assert store.atoms.get("lib/gone.js::ghost") is not None
    assert dgtui("index", str(jsrepo), home=home).returncode == 0
    with Store.open(str(db)) as store:
        assert snapshot(store) == expected


def test_reimport_of_a_changed_tree(tmp_path: Path, home: Path):
    data = tmp_path / "repo" / ".omnysysdata"
    paths = [write_atom(data / "atoms", {"name": f"f{i}", "filePath": "src/m.py", "line": 1 + 3 * i,
                                         "complexity": 1}) for i in range(4)]
    assert summary(dgtui("import-json", str(data), "--json", home=home))["created"] == 4
    obj = json.loads(paths[1].read_text())
    obj["complexity"] = 7
    paths[1].write_text(json.dumps(obj))
    paths[3].unlink()
    out = summary(dgtui("import-json", str(data), "--json", home=home))
    assert (out["updated"], out["removed"], out["unchanged"], len(out["transactions"])) == (1, 1, 2, 1)
    with Store.open(str(index_db(home))) as store:
        assert store.atoms.get("src/m.py::f1").atom.complexity == 7
        assert store.atoms.get("src/m.py::f3") is None


@pytest.mark.parametrize("given", [".omnysysdata", ".omnysysdata/atoms"])
def test_default_repository_is_the_folder_holding_the_data(tmp_path: Path, home: Path, given: str):
    repo = tmp_path / "proj"
    write_atom(repo / ".omnysysdata" / "atoms", {"name": "f", "filePath": "a.py", "line": 1})
    out = summary(dgtui("import-json", str(repo / given), "--json", home=home))
    assert out["root"] == str(repo.resolve()) and out["imported"] == 1
    other = tmp_path / "other"
    other.mkdir()
    out = summary(dgtui("import-json", str(repo / given), "--path", str(other), "--json", home=home))
    assert out["root"] == str(other.resolve()) and out["created"] == 1


def test_duplicate_names_and_methods(tmp_path: Path, home: Path):
    data = tmp_path / "r" / ".omnysysdata"
    write_atom(data / "atoms", {"name": "save", "filePath": "m.js", "line": 10, "className": "User",
                                "calls": [{"name": "this.check", "line": 11}]}, function="save-1")
    write_atom(data / "atoms", {"name": "check", "filePath": "m.js", "line": 20, "className": "User"})
    write_atom(data / "atoms", {"name": "save", "filePath": "m.js", "line": 30, "className": "User"},
               function="save-2")
    summary(dgtui("import-json", str(data), "--json", home=home))
    with Store.open(str(index_db(home))) as store:
        ids = sorted(r[0] for r in store.conn.execute("SELECT id FROM atoms"))
        assert ids == ["m.js::User.check", "m.js::User.save", "m.js::User.save#2"]
        (_, e), = store.atoms.edges_from(["m.js::User.save"])
        assert (e.resolution, e.target_id) == ("self", "m.js::User.check")


@pytest.mark.slow
def test_not_a_database_is_refused_before_reading(tmp_path: Path, home: Path):
    data = tmp_path / "r" / ".omnysysdata"
    write_atom(data / "atoms", {"name": "f", "filePath": "a.py", "line": 1})
    summary(dgtui("import-json", str(data), "--json", home=home))
    db = index_db(home)
    db.write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    r = dgtui("import-json", str(data), home=home)
    assert r.returncode == 1 and "rebuild" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(str(db)).execute("SELECT 1 FROM atoms").fetchall()
