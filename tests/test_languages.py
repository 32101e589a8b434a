"""Go, Java and Rust files through every part: the real watcher, the CLI, MCP and the explorer.

What their calls resolve to is in test_golden.py; here each front end is shown to work on them
the same as on Python, and a language whose grammar does not load is a counted skip.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli
from helpers import index_repo, snapshot, write
from test_live import TIMEOUT, Recorder, open_store
from test_mcp import call, errlog, server  # noqa: F401 - errlog is a fixture
from tui_support import explorer, open_and_wait, result_ids, tree_rows, type_search, wait_for

from dgtui import query as q
from dgtui.engine.indexer import Indexer
from dgtui.engine.live import LiveIndex
from dgtui.engine.writer import Engine
from dgtui.store import Store


def test_go_save_is_a_live_delta_with_its_edges(gorepo: Path, tmp_path: Path):
    index = LiveIndex(str(gorepo), str(tmp_path / "home"))
    rec = Recorder(index)
    index.start()
    try:
        assert index.ready.wait(TIMEOUT), index.status
        # a method of Store in a new file of its package, called through a typed field elsewhere
        write(gorepo / "store" / "size.go",
              "package store\n\n// Size counts the items.\nfunc (s *Store) Size() int { return s.count() }\n")
        created = rec.wait_for_atom("create", "store/size.go::Store.Size")
        assert ("store/size.go::Store.Size", "store/store.go::Store.count") in created.edges_added
        server_go = gorepo / "server" / "server.go"
        write(server_go, server_go.read_text().replace('\treturn ""\n', '\treturn ""\n\t}\n\tif s.db.Size() > 0 {\n\t\treturn "many"\n', 1))
        changed = rec.wait(lambda ds: any(("server/server.go::Server.Handle", "store/size.go::Store.Size")
                                          in d.edges_added for d in ds))[-1]
        assert changed.source == "file-watcher"
        with open_store(index) as store:
            assert "server/server.go::Server.Handle" in {r["id"] for r in q.callers(store, "store/size.go::Store.Size")}
            row = store.conn.execute("SELECT resolution FROM edges WHERE target_id = ?",
                                     ("store/size.go::Store.Size",)).fetchone()
        assert row == ("typed",)
    finally:
        index.stop()


LIVE_EDITS = {
    # a new file's function, then a call to it from a file already indexed
    "javarepo": ("src/main/java/com/shop/app/Tools.java",
                 "package com.shop.app;\n\nclass Tools {\n    static int twice(int n) { return n * 2; }\n}\n",
                 "src/main/java/com/shop/app/Tools.java::Tools.twice",
                 "src/main/java/com/shop/app/Main.java", "Math.max(n, 1);", "Math.max(Tools.twice(n), 1);",
                 "src/main/java/com/shop/app/Main.java::Main.helper"),
    "rustrepo": ("src/extra.rs", "/// Doubles.\npub fn twice(n: u32) -> u32 {\n    n * 2\n}\n",
                 "src/extra.rs::twice", "src/lib.rs", "mod util;", "mod util;\npub mod extra;\n\n"
                 "pub fn four() -> u32 {\n    extra::twice(2)\n}", "src/lib.rs::four"),
}


@pytest.mark.parametrize("fixture", sorted(LIVE_EDITS))
def test_java_and_rust_saves_are_live_deltas(fixture: str, request, tmp_path: Path):
    root = request.getfixturevalue(fixture)
    new_file, text, new_atom, edited, old, replacement, caller = LIVE_EDITS[fixture]
    index = LiveIndex(str(root), str(tmp_path / "home"))
    rec = Recorder(index)
    index.start()
    try:
        assert index.ready.wait(TIMEOUT), index.status
        write(root / new_file, text)
        rec.wait_for_atom("create", new_atom)
        path = root / edited
        write(path, path.read_text().replace(old, replacement, 1))
        rec.wait(lambda ds: any((caller, new_atom) in d.edges_added for d in ds))
        with open_store(index) as store:
            assert caller in {r["id"] for r in q.callers(store, new_atom)}
    finally:
        index.stop()


def test_a_grammar_that_does_not_load_is_a_counted_skip(gorepo: Path, tmp_path: Path):
    (gorepo / "tool.py").write_text("def tool():\n    return 1\n")
    # The Go grammar's package made unimportable in a real dgtui process: as if never installed.
    code = ("import sys; sys.modules['tree_sitter_go'] = None; from dgtui.cli import main; "
            "sys.argv = ['dgtui', '--home', sys.argv[1], 'index', sys.argv[2], '--json', '--list-skipped']; main()")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "home"), str(gorepo)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    go_files = sorted(str(p.relative_to(gorepo)) for p in gorepo.rglob("*.go"))
    assert summary["skipped_by_reason"] == {"no-grammar": len(go_files)}
    listed = {s["path"]: s for s in summary["skipped_files"]}
    assert sorted(listed) == go_files
    assert "tree-sitter-go" in listed["main.go"]["detail"]
    assert summary["atoms"] == 2  # tool.py: its module and tool()


@pytest.mark.slow
def test_go_search_and_show_from_the_cli(gorepo: Path, home: Path):
    assert run_cli("index", str(gorepo)).returncode == 0
    found = run_cli("search", "stores an item", "--path", str(gorepo), "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["id"] == "store/item.go::Store.Put"
    callers = run_cli("callers", "store/item.go::Store.Put", "--path", str(gorepo), "--json")
    assert "server/server.go::Server.Handle" in callers.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "atom", "callee"), [
    ("javarepo", "src/main/java/com/shop/store/Store.java::Store.put", "src/main/java/com/shop/store/Base.java::Base.close"),
    ("rustrepo", "src/server/mod.rs::Server.serve", "src/store.rs::Store.count"),
])
def test_java_and_rust_export_and_history(fixture: str, atom: str, callee: str, request, home: Path):
    root = request.getfixturevalue(fixture)
    assert run_cli("index", str(root)).returncode == 0
    graph = run_cli("graph", atom, "--direction", "callees", "--format", "json", "--path", str(root))
    assert graph.returncode == 0, graph.stderr
    exported = json.loads(graph.stdout)
    assert {"source": atom, "target": callee} in [{k: e[k] for k in ("source", "target")}
                                                  for e in exported["edges"]]
    history = run_cli("history", atom, "--path", str(root), "--json")
    assert history.returncode == 0, history.stderr
    assert json.loads(history.stdout)[0]["operation"] == "create"


@pytest.mark.slow
async def test_go_over_mcp(gorepo: Path, home: Path, errlog):  # noqa: F811
    async with server(gorepo, home, errlog) as s:
        answer = await call(s, "callees", atom="server/server.go::Server.Handle")
        targets = {r.get("id") for r in answer["results"]}
        assert {"store/store.go::Store.Get", "store/item.go::Store.Put",
                "internal/util/util.go::Clean"} <= targets


@pytest.mark.slow
async def test_go_in_the_explorer(gorepo: Path, home: Path):
    async with explorer(gorepo, home) as (app, pilot):
        await type_search(app, pilot, "Put")
        assert "store/item.go::Store.Put" in result_ids(app)
        await open_and_wait(app, pilot, "store/item.go::Store.Put")
        assert ("atom", "server/server.go::Server.Handle") in tree_rows(app, upward=True)
        source = app.explorer.atom_pane.main_widget()
        await wait_for(pilot, lambda: source.language == "go", "Go highlighting in the source pane")


EDIT_BATCHES = {
    "gorepo": [
        {"store/item.go": None},  # Store.Put, Logger and newLogger vanish
        {"store/item.go": (FIXTURES / "gorepo" / "store" / "item.go").read_text()},
        {"internal/extra/extra.go": "package extra\n\nfunc Twice(n int) int { return 2 * n }\n",
         "helper.go": 'package main\n\nimport "example.com/shop/internal/extra"\n\n'
                      'func helper() int {\n\treturn extra.Twice(len("x"))\n}\n'},
        {"store/size.go": "package store\n\nfunc (s *Store) Size() int { return s.count() }\n",
         "store/store.go": (FIXTURES / "gorepo" / "store" / "store.go").read_text().replace(
             "func (s Store) count() int { return len(s.items) }", "")},
    ],
    "javarepo": [
        {"src/main/java/com/shop/store/Store.java": (FIXTURES / "javarepo" / "src/main/java/com/shop/store/Store.java")
         .read_text().replace("    int count() {", "    public Item get(String key, int n) {\n        return get(key);\n"
                                                    "    }\n\n    int count() {")},
        {"src/main/java/com/shop/util/Strings.java": None},
        {"src/main/java/com/shop/util/Strings.java":
             (FIXTURES / "javarepo" / "src/main/java/com/shop/util/Strings.java").read_text()},
    ],
    "rustrepo": [
        {"src/util.rs": None},
        {"src/util.rs": (FIXTURES / "rustrepo" / "src/util.rs").read_text()},
        {"src/extra.rs": "use crate::store::Store;\n\nimpl Store {\n    pub fn size(&self) -> usize {\n"
                         "        self.count()\n    }\n}\n",
         "src/lib.rs": (FIXTURES / "rustrepo" / "src/lib.rs").read_text().replace(
             "mod util;", "mod util;\nmod extra;").replace("server.serve();", "server.serve();\n    store_size(&server);")
         + "\nfn store_size(s: &Server) {\n    s.serve();\n}\n"},
    ],
}


@pytest.mark.parametrize("fixture", sorted(EDIT_BATCHES))
def test_incremental_equals_a_full_index(fixture: str, request, tmp_path: Path):
    """Each batch through the watcher's path gives what a fresh full index of the result gives."""
    root = request.getfixturevalue(fixture)
    store = Store.open(str(tmp_path / "live.db"))
    indexer = Indexer(str(root), store, Engine(store), workers=1)
    indexer.run()
    for i, batch in enumerate(EDIT_BATCHES[fixture]):
        for rel, text in batch.items():
            if text is None:
                (root / rel).unlink()
            else:
                write(root / rel, text)
        indexer.sync_paths(list(batch), source="file-watcher")
        fresh, _ = index_repo(root, tmp_path / f"fresh{i}.db")
        assert snapshot(store) == snapshot(fresh), f"after batch {i}"
        fresh.close()
    store.close()


ODD_SOURCES = {
    "go": ["", "package x\nfunc (", "package x\nfunc f() {" + "{" * 3000 + "}" * 3000 + "}\n",
           "package x\nfunc (s *) M() {}\nfunc (T) N() { a.b.c()(); (func() {})() }\n",
           'package x\nimport . "fmt"\nimport _ "y"\nfunc g() { Println(); z.Q() }\n'],
    "java": ["", "class A { void f( }", "class A { void f() {" + "{" * 3000 + "}" * 3000 + "} }",
             "class A { A() { this(); new B<>() {}.x(); } }", "import static a.*; import a;\nclass B { void g() { h(); } }"],
    "rs": ["", "fn f(", "fn f() {" + "{" * 3000 + "}" * 3000 + "}", "impl<T> for X {}", "use a::{b, {c}};",
           "fn g() { x::<u8>(); <T as Tr>::m(); (f)(1); self::a::b(); super::c(); crate::d::e(); }"],
}


@pytest.mark.parametrize("ext", sorted(ODD_SOURCES))
def test_odd_sources_index_without_a_guess(ext: str, tmp_path: Path):
    """Broken, empty and 3,000-deep files index: every call a row, none claimed by name alone."""
    root = tmp_path / "repo"
    for i, text in enumerate(ODD_SOURCES[ext]):
        write(root / f"d{i}" / f"odd.{ext}", text)
    store, summary = index_repo(root, tmp_path / "index.db")
    calls = store.conn.execute("SELECT count(*) FROM edges").fetchone()[0]
    assert summary.edges == calls > 0
    assert store.conn.execute("SELECT count(*) FROM edges WHERE resolution = 'unique'").fetchone()[0] == 0
    odd = dict(store.conn.execute("SELECT callee, resolution FROM edges"))
    if ext == "rs":
        assert odd["<T as Tr>::m"] in ("ambiguous", "unresolved")  # whose impl: unknown
        assert odd["crate::d::e"] == "unresolved"  # the repository's path, not found
    if ext == "go":
        assert odd["Println"] == "external"  # import . "fmt"
