"""Bad source files and bad paths: indexed or skipped with a reason, never a crash, never a read
outside the repository, and every skip or error counted and listable."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from pathlib import Path

import pytest
from helpers import snapshot
from reliability import check_index, dgtui, permissions_apply

from dgtui.engine.indexer import Indexer
from dgtui.parse.files import parse_file
from dgtui.store import Store

BUNDLE_BYTES = 20 * 1024 * 1024


def nasty_repository(root: Path) -> dict[str, str]:
    """Every awkward thing at once; returns path -> expected skip reason."""
    root.mkdir(parents=True)
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("def secret_outside():\n    pass\n")
    w = lambda rel, data: (root / rel).parent.mkdir(parents=True, exist_ok=True) or (  # noqa: E731
        (root / rel).write_bytes(data) if isinstance(data, bytes) else (root / rel).write_text(data))
    w("bin.py", b"\x7fELF\x02\x01\x01\x00\x00\x00def x(): pass")
    w("nul.js", b"function a() {}\x00function b() {}")
    w("utf16.py", "def sixteen(): pass\n".encode("utf-16"))
    w("latin1.py", b"def caf\xe9(): pass\n")
    w("empty.py", "")
    w("bom.py", "\ufeffdef with_bom():\n    return 1\n")
    w("syntax.py", "def broken(:\n    return )\nclass\ndef fine():\n    pass\n")
    w("syntax.ts", "function ok(): number { return 1 }\nfunction bad(: { \n")
    w("deep.js", "function f(){" * 5000 + "g();" + "}" * 5000)
    w("deep_calls.js", "function h(){ return " + "f(" * 5000 + ")" * 5000 + " }\n")
    w("deep_arrays.js", "const x = " + "[" * 5000 + "]" * 5000 + ";\nfunction after() {}\n")
    w("deep_parens.py", "x = " + "(" * 5000 + "1" + ")" * 5000 + "\ndef after():\n    pass\n")
    # 1,900 nested definitions (one space per level: just under the 2 MB default limit)
    w("deep_defs.py", "".join(" " * i + f"def d{i}():\n" for i in range(1900)) + " " * 1900 + "pass\n")
    w("one_line.js", ";".join(f"function m{i}(a){{return m{i + 1}(a)+{i}}}" for i in range(40000)))
    w("bundle.js", "var a=1;" + "function q(){return 1};" * (BUNDLE_BYTES // 23))
    w("name with spaces.py", "def spaced():\n    pass\n")
    w("new\nline.py", "def newline_name():\n    pass\n")
    w("tab\tname.js", "function tabbed() {}\n")
    w("ñandú_日本.js", "function ñandú() { return 日本(); }\nfunction 日本() {}\n")
    w("pages/[id].js", '/** Shows [/dim] the [bold]item[/bold] :smile: */\nfunction Page() {}\n')
    w("-dash.py", "def dash():\n    pass\n")
    os.symlink(root / "bom.py", root / "inner_link.py")
    os.symlink("loop.py", root / "loop.py")
    os.symlink(".", root / "here")
    os.symlink("/etc/passwd", root / "passwd.py")
    os.symlink(outside, root / "outside_dir")
    os.symlink(root / "missing.py", root / "dangling.py")
    (root / "sub").mkdir()
    os.symlink("..", root / "sub" / "up")
    os.mkfifo(root / "fifo.py")
    with open(os.path.join(os.fsencode(root), b"bad\xffname.py"), "w") as fh:
        fh.write("def undecodable():\n    pass\n")
    w(".gitignore", "ignored.py\n[z-a]\n!\n*.gen.js\r\n")
    w("ignored.py", "def ignored():\n    pass\n")
    w("x.gen.js", "function generated() {}\n")
    w("odd/.gitignore", "*\n!keep.py\n")
    w("odd/keep.py", "def kept():\n    pass\n")
    w("odd/drop.py", "def dropped():\n    pass\n")
    (root / "dirgit" / ".gitignore").mkdir(parents=True)
    w("dirgit/in_dirgit.py", "def in_dirgit():\n    pass\n")
    w("bingit/.gitignore", b"\xff\xfe\x00*.py\n")
    w("bingit/b.py", "def bingit():\n    pass\n")
    w("locked.py", "def locked():\n    pass\n")
    w("locked_dir/inside.py", "def locked_inside():\n    pass\n")
    return {
        "bin.py": "binary", "nul.js": "binary", "utf16.py": "binary", "latin1.py": "not-utf8",
        "bundle.js": "too-large", "inner_link.py": "symlink", "loop.py": "symlink",
        "here": "symlink", "passwd.py": "symlink", "outside_dir": "symlink",
        "dangling.py": "symlink", "sub/up": "symlink", "fifo.py": "not-a-file",
        "bad\\xffname.py": "bad-name", ".gitignore": "bad-ignore-pattern",
    }


@pytest.mark.slow
def test_nasty_repository(tmp_path: Path):
    root = tmp_path / "nasty"
    expected_skips = nasty_repository(root)
    locked = permissions_apply()
    if locked:  # permission denied, for real (see reliability.limits)
        expected_skips.update({"locked.py": "unreadable", "locked_dir": "unreadable-folder"})
        os.chmod(root / "locked.py", 0)
        os.chmod(root / "locked_dir", 0)
    home = tmp_path / "home"
    r = dgtui("index", str(root), "--json", "--list-skipped", home=home, obey_permissions=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    out = json.loads(r.stdout)
    skipped = {s["path"]: s["reason"] for s in out["skipped_files"]}
    assert skipped == expected_skips
    assert out["skipped"] == len(expected_skips) and sum(out["skipped_by_reason"].values()) == len(skipped)
    assert all(s["detail"] for s in out["skipped_files"])  # every skip says why

    db = next((home / "repos").glob("*/index.db"))
    with Store.open(str(db)) as store:
        files = set(store.atoms.file_rows())
        names = {r[0] for r in store.conn.execute("SELECT name FROM atoms")}
        sizes = store.conn.execute("SELECT max(length(id)), sum(length(data)) FROM atoms "
                                   "WHERE file_path = 'deep.js'").fetchone()
        deep = store.conn.execute("SELECT count(*) FROM atoms WHERE file_path = 'deep.js'").fetchone()[0]
        errors = {f.path for f in store.atoms.files_with_errors()}
    assert {"name with spaces.py", "new\nline.py", "tab\tname.js", "ñandú_日本.js", "pages/[id].js",
            "-dash.py", "empty.py", "bom.py", "one_line.js", "odd/keep.py", "dirgit/in_dirgit.py",
            "bingit/b.py"} <= files
    assert not files & {"ignored.py", "x.gen.js", "odd/drop.py"}
    assert {"spaced", "newline_name", "tabbed", "ñandú", "日本", "Page", "with_bom", "after",
            "fine", "ok", "m39999", "kept"} <= names
    assert "secret_outside" not in names and not any(f.startswith(("outside_dir", "here/", "sub/up"))
                                                      for f in files)
    assert deep == 5001  # 5,000 nested functions and the module
    assert sizes[0] < 600 and sizes[1] < 5001 * 2000  # ids and states stay linear in size
    assert {"syntax.py", "syntax.ts"} <= errors and out["files_with_errors"] == len(errors)
    assert "deep_defs.py" in files and "deep_parens.py" in files and "deep_arrays.js" in files
    assert check_index(db) == []

    stats = json.loads(dgtui("stats", "--path", str(root), "--json", "--skipped", "--errors",
                             home=home).stdout)
    assert {s["path"] for s in stats["skipped_files"]} == set(expected_skips)
    assert {f["path"] for f in stats["error_files"]} == errors
    for atom in ("Page", "spaced", "ñandú", "dash"):  # text output of awkward names and docs
        shown = dgtui("show", atom, "--path", str(root), home=home)
        assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert "[/dim]" in dgtui("show", "Page", "--path", str(root), home=home).stdout
    listed = dgtui("index", str(root), "--list-skipped", home=home, obey_permissions=True)
    assert listed.returncode == 0 and "fifo.py" in listed.stdout and "[z-a]" in listed.stdout

    again = json.loads(dgtui("index", str(root), "--json", home=home, obey_permissions=True).stdout)
    assert again["transactions"] == [] and again["atoms"] == out["atoms"]


def test_files_changing_while_indexed(tmp_path: Path):
    """Files rewritten, emptied, deleted, renamed and turned into folders under a running
    index: every run finishes, and once the churn stops one more run equals a fresh index."""
    root = tmp_path / "churn"
    for i in range(30):
        (root / f"d{i % 3}").mkdir(parents=True, exist_ok=True)
        (root / f"d{i % 3}" / f"m{i}.py").write_text(f"def f{i}():\n    return f{(i + 1) % 30}()\n")
    stop = threading.Event()
    changes = [0]

    def churn() -> None:
        rng = random.Random(3)
        while not stop.is_set():
            i = rng.randrange(30)
            path = root / f"d{i % 3}" / f"m{i}.py"
            action = rng.randrange(5)
            try:
                if action == 0:
                    path.write_text(f"def f{i}():\n    return {rng.random()}\n" * rng.randrange(1, 40))
                elif action == 1:
                    path.unlink(missing_ok=True)
                elif action == 2:
                    path.write_text("")
                elif action == 3 and path.exists():
                    path.rename(path.with_name(f"r{i}.py"))
                else:
                    with open(path, "w") as fh:  # a half-written file, then the rest
                        fh.write(f"def f{i}(")
                        fh.flush()
                        fh.write("):\n    pass\n")
                changes[0] += 1
            except OSError:
                pass

    thread = threading.Thread(target=churn, daemon=True)
    store = Store.open(str(tmp_path / "i.db"))
    indexer = Indexer(str(root), store, workers=1)
    thread.start()
    try:
        for _ in range(8):
            indexer.run()
            rels = [str(p.relative_to(root)) for p in root.rglob("*.py")][:5] + ["d0/gone.py"]
            indexer.sync_paths(rels)
            assert check_index(tmp_path / "i.db") == []
    finally:
        stop.set()
        thread.join()
    assert changes[0] > 50
    time.sleep(0.01)
    indexer.run()
    with Store.open(str(tmp_path / "fresh.db")) as fresh:
        Indexer(str(root), fresh, workers=1).run()
        assert snapshot(store) == snapshot(fresh)
    store.close()


@pytest.mark.slow
def test_paths_outside_the_repository_are_never_read(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text("def a():\n    pass\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.py").write_text("def outside_x():\n    pass\n")
    os.symlink(outside, root / "link")
    os.symlink(outside / "x.py", root / "filelink.py")
    store = Store.open(str(tmp_path / "i.db"))
    indexer = Indexer(str(root), store, workers=1)
    indexer.run()
    # paths a watcher or a tool could hand over
    indexer.sync_paths(["../outside/x.py", "link/x.py", "link", str(outside / "x.py"),
                        "a/../../outside/x.py", "filelink.py", "a.py"])
    names = {r[0] for r in store.conn.execute("SELECT name FROM atoms")}
    assert "outside_x" not in names and "a" in names
    reasons = dict(store.conn.execute("SELECT path, reason FROM skipped"))
    assert reasons["link/x.py"] == "outside" and reasons["../outside/x.py"] == "outside"
    assert reasons["filelink.py"] == "symlink"
    # the reader itself refuses a link, even when asked directly
    assert parse_file(str(root), "filelink.py", 1 << 20).skipped == "symlink"
    assert parse_file(str(root), "link/x.py", 1 << 20).skipped == "outside"
    store.close()
    # a folder swapped for a link after indexing: `show` does not follow it out
    home = tmp_path / "home"
    (root / "pkg").mkdir()
    (root / "pkg" / "m.py").write_text("def inner():\n    pass\n")
    assert dgtui("index", str(root), home=home).returncode == 0
    (root / "pkg" / "m.py").unlink()
    (root / "pkg").rmdir()
    (outside / "m.py").write_text("def inner():\n    return 'SECRET'\n")
    os.symlink(outside, root / "pkg")
    r = dgtui("show", "inner", "--path", str(root), "--json", home=home)
    assert r.returncode == 0 and "SECRET" not in r.stdout
    assert "outside the repository" in json.loads(r.stdout)["source"]["error"]


@pytest.mark.parametrize("exclude", ["[b-a]\n", "!\n", "\\\n"])
def test_bad_patterns_in_git_info_exclude(tmp_path: Path, exclude: str):
    root = tmp_path / "r"
    (root / ".git" / "info").mkdir(parents=True)
    (root / ".git" / "info" / "exclude").write_text(exclude + "skip_me.py\n")
    (root / "skip_me.py").write_text("def skip_me():\n    pass\n")
    (root / "keep.py").write_text("def keep():\n    pass\n")
    r = dgtui("index", str(root), "--json", "--list-skipped", home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["files"] == 1
    assert [(s["path"], s["reason"]) for s in out["skipped_files"]] == \
        [(".git/info/exclude", "bad-ignore-pattern")]
