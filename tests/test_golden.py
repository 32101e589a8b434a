"""Golden fixtures: each repository's atoms and edges, and each resolution kind by name.

The golden files in tests/golden/ were written by the indexer and read through by hand. After a
deliberate change, regenerate them with ``DGTUI_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import edge, index_repo

from dgtui import query as q
from dgtui.model import AtomFilter

GOLDEN = Path(__file__).parent / "golden"


def golden_view(store) -> dict:
    atoms = [list(r) for r in store.conn.execute(
        "SELECT id, kind, line, end_line, is_async, is_exported, signature FROM atoms "
        "ORDER BY file_path, line, id")]
    edges = [list(r) for r in store.conn.execute(
        "SELECT source_id, callee, line, resolution, target_id, candidates FROM edges "
        "ORDER BY source_id, line, callee")]
    return {"atoms": atoms, "edges": edges}


def _one_row_per_line(view: dict) -> str:
    parts = []
    for key in ("atoms", "edges"):
        rows = ",\n".join("  " + json.dumps(r) for r in view[key])
        parts.append(f' "{key}": [\n{rows}\n ]')
    return "{\n" + ",\n".join(parts) + "\n}\n"


@pytest.mark.parametrize("name", ["pyrepo", "jsrepo", "tsrepo", "gorepo", "javarepo", "rustrepo"])
def test_golden_atoms_and_edges(name: str, request, tmp_path: Path):
    root = request.getfixturevalue(name)
    store, _ = index_repo(root, tmp_path / "index.db")
    view = golden_view(store)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("DGTUI_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(_one_row_per_line(view))
    expected = json.loads(path.read_text())
    assert view["atoms"] == expected["atoms"]
    assert view["edges"] == expected["edges"]


def test_python_resolution_kinds(pyrepo: Path, tmp_path: Path):
    store, summary = index_repo(pyrepo, tmp_path / "index.db")
    e = lambda s, c: edge(store, s, c)  # noqa: E731
    # self / cls / super, through the class hierarchy
    assert e("pkg/models.py::Base.save", "self.validate").target_id == "pkg/models.py::Base.validate"
    assert e("pkg/models.py::User.check.inner", "self.validate").resolution == "self"
    assert e("pkg/models.py::User.check.inner", "self.validate").target_id == "pkg/models.py::Base.validate"
    assert e("pkg/models.py::User.save", "super().save").target_id == "pkg/models.py::Base.save"
    assert e("pkg/models.py::User.create", "cls.build").target_id == "pkg/models.py::User.build"
    # local: same file and nested definitions
    assert e("pkg/models.py::Base.save", "audit").resolution == "local"
    assert e("pkg/service.py::outer.middle", "deepest").target_id == "pkg/service.py::outer.middle.deepest"
    assert e("main.py::<module>", "main").target_id == "main.py::main"
    # imports: aliases, relative imports, module objects, re-exports through __init__
    assert e("pkg/service.py::handle", "U").target_id == "pkg/models.py::User"
    assert e("pkg/service.py::handle", "U").resolution == "import"
    assert e("pkg/service.py::handle", "db.write").target_id == "pkg/db.py::write"
    assert e("pkg/service.py::handle", "util.fmt").target_id == "pkg/util.py::fmt"
    assert e("pkg/__init__.py::make_user", "User").target_id == "pkg/models.py::User"
    assert e("main.py::main", "make_user").target_id == "pkg/__init__.py::make_user"
    # a method call on a receiver of unknown type is never resolved by name: not to a module-level
    # function, and among methods it is ambiguous with the candidate ids kept
    assert e("pkg/service.py::handle", "obj.only_helper_here").resolution == "unresolved"
    ambiguous = e("pkg/service.py::handle", "obj.save")
    assert (ambiguous.resolution, ambiguous.target_id, ambiguous.candidates) == ("ambiguous", None, 2)
    listed = {r["callee"]: r for r in q.unresolved(store)}
    assert listed["obj.save"]["candidate_ids"] == ["pkg/models.py::Base.save", "pkg/models.py::User.save"]
    # builtins and external code are told apart from the unknown
    assert e("pkg/service.py::handle", "print").resolution == "builtin"
    external = e("pkg/service.py::handle", "os.path.join")
    assert (external.resolution, external.detail) == ("external", "os.path")  # import os.path
    # every call is a row: nothing dropped
    calls = sum(len(s.atom.calls) for s in store.atoms.query(AtomFilter()))
    assert summary.edges == calls


def test_javascript_resolution_kinds(jsrepo: Path, tmp_path: Path):
    store, _ = index_repo(jsrepo, tmp_path / "index.db")
    e = lambda s, c: edge(store, s, c)  # noqa: E731
    # this.json() inside res.send -> res.json (functions assigned to the same object)
    assert e("lib/response.js::res.send", "this.json").target_id == "lib/response.js::res.json"
    assert e("lib/response.js::res.send", "this.json").resolution == "self"
    assert e("lib/app.js::App.run", "super.start").target_id == "lib/app.js::Base.start"
    # ES imports (default and renamed), CommonJS require (destructured and whole module)
    assert e("lib/app.js::App.constructor", "Router").target_id == "lib/router.js::Router"
    assert e("lib/app.js::App.run", "r").target_id == "lib/router.js::route"
    assert e("lib/app.js::App.run", "format").target_id == "lib/utils.js::exports.format"
    assert e("lib/app.js::App.run", "utils.slug").target_id == "lib/utils.js::module.exports.slug"
    assert e("lib/app.js::App.run", "res.send").target_id == "lib/response.js::res.send"
    assert e("lib/app.js::App.run", "res.send").resolution == "import"
    assert e("test/app.test.js::test(app).test(runs)", "App").target_id == "lib/app.js::App"
    # local object-literal methods, unique globals, unresolved builtins
    assert e("lib/router.js::api.post", "api.get").target_id == "lib/router.js::api.get"
    assert e("lib/app.js::handler", "orphanOnce").resolution == "unique"
    assert e("lib/app.js::handler", "Math.max").resolution == "builtin"


def test_typescript_resolution(tsrepo: Path, tmp_path: Path):
    store, summary = index_repo(tsrepo, tmp_path / "index.db")
    assert edge(store, "src/service.ts::Service.save", "this.log").target_id == "src/base.ts::BaseService.log"
    assert edge(store, "src/view.tsx::View", "helper").target_id == "src/helper.ts::helper"
    paths = {r[0] for r in store.conn.execute("SELECT path FROM files")}
    assert "src/types.d.ts" not in paths


def test_go_resolution(gorepo: Path, tmp_path: Path):
    store, summary = index_repo(gorepo, tmp_path / "index.db")
    e = lambda s, c: edge(store, s, c)  # noqa: E731
    hit = lambda s, c: (e(s, c).resolution, e(s, c).target_id)  # noqa: E731
    # package-qualified calls through go.mod's module path, aliases included
    assert hit("main.go::main", "server.New") == ("import", "server/server.go::New")
    assert hit("server/server.go::New", "st.Open") == ("import", "store/store.go::Open")
    assert hit("server/server.go::Server.Handle", "util.Clean") == ("import", "internal/util/util.go::Clean")
    # the same package, in another file
    assert hit("main.go::run", "helper") == ("local", "helper.go::helper")
    assert hit("store/store.go::Open", "newLogger") == ("local", "store/item.go::newLogger")
    # methods through the declared receiver type, fields, locals and constructors
    assert hit("main.go::run", "s.Handle") == ("typed", "server/server.go::Server.Handle")
    assert hit("main.go::main", "srv.Serve") == ("typed", "server/server.go::Server.Serve")  # x, err := New()
    assert hit("server/server.go::Server.Handle", "s.db.Get") == ("typed", "store/store.go::Store.Get")
    assert hit("server/server.go::Server.Handle", "s.db.Put") == ("typed", "store/item.go::Store.Put")
    assert hit("server/server.go::Server.Handle", "other.Get") == ("typed", "store/store.go::Store.Get")
    assert hit("store/item.go::Store.Put", "s.count") == ("typed", "store/store.go::Store.count")
    assert hit("store/store.go::Store.Get", "s.log.Printf") == ("typed", "store/item.go::Logger.Printf")
    assert hit("server/server.go::Server.Serve", "s.Close") == ("typed", "server/server.go::base.Close")  # embedded
    # the standard library and dependencies are external; builtins builtin
    assert (e("main.go::main", "fmt.Println").resolution, e("main.go::main", "fmt.Println").detail) == ("external", "fmt")
    assert e("main.go::main", "cmd.Execute").resolution == "external"
    assert e("server/server.go::Server.Serve", "s.mux.HandleFunc").resolution == "external"
    assert e("helper.go::helper", "len").resolution == "builtin"
    # no edge on a name alone: an interface's method, a receiver of unknown type, a missing name
    assert hit("server/server.go::Server.Handle", "s.getter.Get") == ("ambiguous", None)
    assert hit("server/server.go::Server.Handle", "x.Get") == ("ambiguous", None)
    assert hit("server/server.go::Server.Handle", "unknown") == ("unresolved", None)
    # atoms: receiver-type ids, capitalisation, doc comments, signatures, complexity
    put = store.atoms.get("store/item.go::Store.Put").atom
    assert (put.kind, put.owner, put.is_exported, put.complexity) == ("method", "Store", True, 3)
    assert put.docstring == "Put stores an item (a method of Store in another file of its package)."
    assert put.signature == "func (s *Store) Put(it Item)"
    assert not store.atoms.get("store/store.go::Store.count").atom.is_exported
    assert store.atoms.get("store/store.go::Store").atom.kind == "class"
    assert store.atoms.get("server/server.go::Server.Handle").atom.params == ("path",)
    assert summary.edges == sum(len(s.atom.calls) for s in store.atoms.query(AtomFilter()))


def test_java_resolution(javarepo: Path, tmp_path: Path):
    store, summary = index_repo(javarepo, tmp_path / "index.db")
    main, srv = "src/main/java/com/shop/", "src/main/java/com/shop/store/Store.java::"
    e = lambda s, c: edge(store, s, c)  # noqa: E731
    hit = lambda s, c: (e(s, c).resolution, e(s, c).target_id)  # noqa: E731
    app = main + "app/Main.java::Main."
    # imports, the package's own classes (another source tree), constructors, static methods
    assert hit(app + "main", "Store") == ("import", srv + "Store.Store")
    assert hit("src/test/java/com/shop/store/StoreTest.java::StoreTest.putsAndGets", "Store") == (
        "local", srv + "Store.Store")
    assert hit(srv + "Store.get", "clean") == ("import", main + "util/Strings.java::Strings.clean")
    # locals, `var`, fields (with and without this), a nested class, declared return types
    assert hit(app + "main", "store.put") == ("typed", srv + "Store.put")
    assert hit(app + "main", "found.getName") == ("typed", main + "model/Item.java::Item.getName")
    assert hit(app + "main", "p.price") == ("typed", main + "model/Priced.java::Priced.price")
    assert hit(srv + "Store.get", "it.price") == ("typed", main + "model/Item.java::Item.price")
    assert hit(srv + "Store.get", "index.touch") == ("typed", srv + "Store.Index.touch")
    assert hit(srv + "Store.put", "this.index.touch") == ("typed", srv + "Store.Index.touch")
    # this, super, the enclosing classes, a lambda and an anonymous class as bodies
    assert hit(srv + "Store.Store", "super") == ("self", main + "store/Base.java::Base.Base")
    assert hit(srv + "Store.put", "super.close") == ("self", main + "store/Base.java::Base.close")
    assert hit(srv + "Store.put", "close") == ("self", main + "store/Base.java::Base.close")
    assert hit(srv + "Store.Index.touch", "count") == ("self", srv + "Store.count")
    assert hit(srv + "Store.put.audit", "log") == ("self", srv + "Store.log")
    assert hit(srv + "Store.log.Thread.run", "count") == ("self", srv + "Store.count")
    assert hit(app + "main", "helper") == ("self", app + "helper")
    # overloads are candidates, never one of them; the JDK is external or builtin
    assert (e(app + "main", "Item").resolution, e(app + "main", "Item").candidates) == ("ambiguous", 2)
    assert hit(srv + "Store.put", "Strings.join") == ("ambiguous", None)
    assert hit(main + "model/Item.java::Item.Item", "this") == ("ambiguous", None)
    assert (e(srv + "Store.get", "items.get").resolution, e(srv + "Store.get", "items.get").detail) == (
        "external", "java.util")
    assert e(srv + "Store.put", "System.out.println").resolution == "builtin"
    assert e("src/test/java/com/shop/store/StoreTest.java::StoreTest.putsAndGets",
             "assertEquals").resolution == "external"  # import static org.junit.Assert.*
    assert hit(app + "main", "unknown.thing") == ("unresolved", None)
    # what a library's method returns may be the repository's (a generic List<Item>): not outside
    assert e(app + "main", "all.get").resolution == "external"
    assert hit(app + "main", "all.get(0).getName") == ("ambiguous", None)
    # atoms: visibility, Javadoc's first paragraph, signatures, complexity
    get = store.atoms.get(srv + "Store.get").atom
    assert (get.kind, get.owner, get.is_exported, get.complexity) == ("method", "Store", True, 3)
    assert get.docstring == "Finds an item."
    assert get.signature == "public Item get(String key)"
    assert not store.atoms.get(srv + "Store.count").atom.is_exported
    assert store.atoms.get(main + "model/Priced.java::Priced.price").atom.is_exported  # an interface's
    assert store.atoms.get(srv + "Store.log.Thread").atom.kind == "class"
    assert summary.edges == sum(len(s.atom.calls) for s in store.atoms.query(AtomFilter()))


def test_rust_resolution(rustrepo: Path, tmp_path: Path):
    store, summary = index_repo(rustrepo, tmp_path / "index.db")
    e = lambda s, c: edge(store, s, c)  # noqa: E731
    hit = lambda s, c: (e(s, c).resolution, e(s, c).target_id)  # noqa: E731
    srv, st = "src/server/mod.rs::", "src/store.rs::"
    # use paths, child modules, super::, associated functions, Self::
    assert hit("src/lib.rs::start", "Server::new") == ("import", srv + "Server.new")
    assert hit("src/lib.rs::start", "store::Store::open") == ("import", st + "Store.open")
    assert hit(st + "Store.open", "clean") == ("import", "src/util.rs::clean")
    assert hit("src/server/handler.rs::Server.add", "super::answer") == ("import", srv + "answer")
    assert hit(st + "Store.open", "Self::empty") == ("self", st + "Store.empty")
    assert hit("tests/start.rs::starts", "shop::start") == ("import", "src/lib.rs::start")  # Cargo.toml's name
    assert hit("tests/start.rs::starts", "server.serve") == ("typed", srv + "Server.serve")
    assert e("tests/start.rs::starts", "serde_json::to_string").resolution == "external"  # another crate
    assert hit(srv + "Server.serve", "Self::new") == ("self", srv + "Server.new")
    # self.method() in impl blocks, fields, locals (`?` takes the value out of a Result)
    assert hit(srv + "Server.serve", "self.log") == ("self", srv + "Server.log")
    assert hit(srv + "Server.serve", "self.store.count") == ("typed", st + "Store.count")
    assert hit(srv + "Server.serve", "other.log") == ("typed", srv + "Server.log")
    assert hit("src/lib.rs::start", "server.serve") == ("typed", srv + "Server.serve")
    assert hit(srv + "restock", "store.count") == ("typed", st + "Store.count")
    assert hit(srv + "restock", "server.add") == ("typed", "src/server/handler.rs::Server.add")  # another file
    assert hit("src/server/handler.rs::Server.handle", "self.store.get") == ("typed", st + "Store.get")
    # trait methods where the implementing type is unknown: candidates, no target
    assert hit(srv + "answer", "h.handle") == ("ambiguous", None)
    assert e(srv + "answer", "h.handle").candidates == 2
    assert hit("src/server/handler.rs::Server.handle", "self.name") == ("ambiguous", None)
    # the prelude, primitives and the standard library
    assert e(srv + "Server.serve", 'Store::open("x").unwrap').resolution == "builtin"  # a Result
    assert e(st + "Store.put", "item.name.clone").resolution == "builtin"
    assert (e(st + "Store.count", "self.items.len").resolution, e(st + "Store.count", "self.items.len").detail) == (
        "external", "std::collections")
    # atoms: impl methods named for their type, pub, doc comments, signatures, complexity
    put = store.atoms.get(st + "Store.put").atom
    assert (put.kind, put.owner, put.is_exported, put.complexity) == ("method", "Store", True, 3)
    assert put.signature == "pub fn put(&mut self, item: Item)"
    assert store.atoms.get(st + "Store.open").atom.docstring == "Opens a store."
    assert not store.atoms.get(st + "Store.empty").atom.is_exported
    assert store.atoms.get("src/server/handler.rs::Handler.handle").atom.is_exported  # a pub trait's
    assert store.atoms.get(st + "Store").atom.kind == "class"
    assert summary.edges == sum(len(s.atom.calls) for s in store.atoms.query(AtomFilter()))


def test_skips_and_ignores_are_counted_and_listed(pyrepo: Path, tmp_path: Path):
    store, summary = index_repo(pyrepo, tmp_path / "index.db")
    paths = {r[0] for r in store.conn.execute("SELECT path FROM files")}
    assert {"pkg/secret.py", "models.gen.py", "ignored/thing.py", "venv-odd-name/lib.py",
            "node_modules/dep/index.js"}.isdisjoint(paths)
    assert "broken.py" in paths and "empty.py" in paths
    skipped = {s["path"]: s["reason"] for s in summary.skipped_files}
    assert skipped == {"binary.py": "binary", "latin1.py": "not-utf8"}
    assert summary.files_with_errors == 1
    assert store.atoms.files_with_errors()[0].path == "broken.py"
