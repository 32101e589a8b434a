"""Following the types the code states, and never claiming a target that cannot be justified.

Each case is a small real repository indexed from disk; the edge each call gets is read back from
the store.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import edge, index_repo

from dgtui import query as q

HELPERS = """
    class Database:
        def save(self): ...
        def close(self): ...

    class App:
        def start(self): ...
        def __call__(self): ...

    class Foo:
        def bar(self): ...

    class Child(Foo):
        def own(self): ...

    def make() -> "Foo":
        return Foo()

    def maybe() -> Optional[Database]:
        return None

    def thing(): ...

    def update(): ...
"""

MAIN = """
    import json
    from copy import copy
    from itertools import chain
    from typing import Optional
    from helpers import App, Child, Database, Foo, make, maybe

    current: App = App()

    class Ctx:
        helper: "Foo"

        def __init__(self, app: "App", factory):
            self.app = app
            self.db = Database()
            self.factory = factory

        def run(self, x: Optional[Foo] = None, init=None, *args, **kw):
            y = make()
            z = y
            from helpers import thing as t
            with Database() as d:
                d.close()
            try:
                pass
            except ValueError as e:
                e.with_traceback(None)
            x.bar()
            y.bar()
            z.bar()
            t()
            self.db.save()
            self.app.start()
            self.helper.bar()
            maybe().save()
            Child().bar()
            Child().own()
            init()
            kw.update()
            "".join([])
            json.dumps({})
            copy(x)
            chain([], [])
            self.app()
            current.start()
            cls = self.factory
            cls()
            for item in []:
                item.update()

        def values(self, data):
            data.update()
            return update()
"""


@pytest.fixture
def typed_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "helpers.py").write_text(textwrap.dedent("from typing import Optional\n" + HELPERS))
    (root / "main.py").write_text(textwrap.dedent(MAIN))
    return root


def test_python_receivers_follow_stated_types(typed_repo: Path, tmp_path: Path):
    store, _ = index_repo(typed_repo, tmp_path / "i.db")
    run = "main.py::Ctx.run"

    def target(callee: str, caller: str = run) -> tuple[str, str | None]:
        e = edge(store, caller, callee)
        return e.resolution, e.target_id

    assert target("x.bar") == ("typed", "helpers.py::Foo.bar")  # Optional[Foo] parameter
    assert target("y.bar") == ("typed", "helpers.py::Foo.bar")  # return annotation of make()
    assert target("z.bar") == ("typed", "helpers.py::Foo.bar")  # alias of y
    assert target("d.close") == ("typed", "helpers.py::Database.close")  # with C() as d
    assert target("self.db.save") == ("typed", "helpers.py::Database.save")  # self.db = C()
    assert target("self.app.start") == ("typed", "helpers.py::App.start")  # self.app = param: App
    assert target("self.helper.bar") == ("typed", "helpers.py::Foo.bar")  # class-level annotation
    assert target("maybe().save") == ("typed", "helpers.py::Database.save")  # -> Optional[Database]
    assert target("Child().bar") == ("typed", "helpers.py::Foo.bar")  # inherited across files
    assert target("Child().own") == ("typed", "helpers.py::Child.own")
    assert target("self.app") == ("typed", "helpers.py::App.__call__")  # calling an instance
    assert target("current.start") == ("typed", "helpers.py::App.start")  # annotated global
    assert target("t") == ("typed", "helpers.py::thing")  # import inside the function


def test_python_names_bound_locally_are_never_guessed(typed_repo: Path, tmp_path: Path):
    store, _ = index_repo(typed_repo, tmp_path / "i.db")
    run = "main.py::Ctx.run"
    # a parameter named like a repository function is not that function
    assert edge(store, run, "init").resolution == "unresolved"
    # cls assigned from an attribute is not the enclosing class
    assert edge(store, run, "cls").target_id != "main.py::Ctx"
    # method calls on receivers of unknown type: never one target by name
    for callee in ("kw.update", "item.update"):
        e = edge(store, run, callee)
        assert e.target_id is None, callee
        assert e.resolution == "unresolved", callee  # no method named update: not the function
    e = edge(store, "main.py::Ctx.values", "data.update")
    assert e.target_id is None
    # a bare name nothing binds, defined once: the labelled guess by name
    assert (edge(store, "main.py::Ctx.values", "update").resolution,
            edge(store, "main.py::Ctx.values", "update").target_id) == ("unique", "helpers.py::update")


def test_python_builtin_and_external_calls_are_told_apart(typed_repo: Path, tmp_path: Path):
    store, _ = index_repo(typed_repo, tmp_path / "i.db")
    run = "main.py::Ctx.run"
    assert edge(store, run, '"".join').resolution == "builtin"
    assert edge(store, run, "e.with_traceback").resolution == "builtin"  # except ValueError as e
    for callee, module in (("json.dumps", "json"), ("copy", "copy"), ("chain", "itertools")):
        e = edge(store, run, callee)
        assert (e.resolution, e.detail) == ("external", module), callee


def test_ambiguous_calls_keep_their_candidates(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text("class A:\n    def get(self): ...\n")
    (root / "b.py").write_text("class B:\n    def get(self): ...\n")
    (root / "c.py").write_text("def get(): ...\n\ndef use(x):\n    return x.get()\n")
    store, _ = index_repo(root, tmp_path / "i.db")
    e = edge(store, "c.py::use", "x.get")
    assert (e.resolution, e.candidates) == ("ambiguous", 2)
    listed = {r["callee"]: r for r in q.unresolved(store)}
    assert listed["x.get"]["candidate_ids"] == ["a.py::A.get", "b.py::B.get"]  # methods only: not c.py::get


def test_cls_and_super_resolve_per_class(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "m.py").write_text(textwrap.dedent("""
        from external_lib import Base

        class One:
            @classmethod
            def make(cls):
                return cls()

        class Two:
            @classmethod
            def make(cls):
                return cls()

        class Three(Base):
            def save(self):
                return super().save()
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "m.py::One.make", "cls").target_id == "m.py::One"
    assert edge(store, "m.py::Two.make", "cls").target_id == "m.py::Two"
    e = edge(store, "m.py::Three.save", "super().save")
    assert e.target_id is None and e.resolution == "external"  # not a false self-loop


def test_typescript_receivers_follow_stated_types(tmp_path: Path):
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "db.ts").write_text(textwrap.dedent("""
        export class Database {
          save(): void {}
          close(): void {}
        }
        export class Repo {
          find(): void {}
        }
        export function open(): Database { return new Database(); }
    """))
    (root / "src" / "runner.ts").write_text(textwrap.dedent("""
        import { Database, Repo, open } from "./db";
        export class Runner {
          private db: Database;
          constructor(private repo: Repo) {
            this.db = new Database();
          }
          run(x: Database | undefined, items: string[]): void {
            const d = new Database();
            const o = open();
            d.save(); o.close(); x.save(); this.db.close(); this.repo.find();
            items.map((i) => i);
            unknown.save();
          }
        }
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    run = "src/runner.ts::Runner.run"
    for callee, expected in (("d.save", "src/db.ts::Database.save"), ("o.close", "src/db.ts::Database.close"),
                             ("x.save", "src/db.ts::Database.save"), ("this.db.close", "src/db.ts::Database.close"),
                             ("this.repo.find", "src/db.ts::Repo.find")):
        e = edge(store, run, callee)
        assert (e.resolution, e.target_id) == ("typed", expected), callee
    assert edge(store, run, "items.map").resolution == "builtin"
    assert edge(store, run, "unknown.save").target_id is None


def test_what_a_function_returns_and_pytest_fixtures(tmp_path: Path):
    root = tmp_path / "repo"
    (root / "pkg" / "inner").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "inner" / "helpers.py").write_text("def fmt(x):\n    return x\n")
    (root / "pkg" / "inner" / "core.py").write_text(textwrap.dedent("""
        from ..sessions import Session  # a folder without __init__.py, inside a package

        def fmt_all():
            from .helpers import fmt
            return fmt(1)
    """))
    (root / "pkg" / "sessions.py").write_text(textwrap.dedent("""
        class Session:
            def get(self): ...

        def session():
            return Session()

        def made():
            s = Session()
            return s
    """))
    (root / "tests" / "conftest.py").write_text(textwrap.dedent("""
        import pytest
        from pkg.sessions import Session

        @pytest.fixture
        def client():
            c = Session()
            yield c
    """))
    (root / "tests" / "test_it.py").write_text(textwrap.dedent("""
        from pkg.sessions import session, made

        def test_get(client):
            client.get()
            session().get()
            made().get()

        def test_not_a_fixture(other):
            other.get()
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    test = "tests/test_it.py::test_get"
    for callee in ("client.get", "session().get", "made().get"):
        assert (edge(store, test, callee).resolution, edge(store, test, callee).target_id) == \
            ("typed", "pkg/sessions.py::Session.get"), callee
    assert edge(store, "tests/test_it.py::test_not_a_fixture", "other.get").target_id is None
    assert edge(store, "pkg/inner/core.py::fmt_all", "fmt").target_id == "pkg/inner/helpers.py::fmt"


CALLBACK_LIB = """
    export class Subscriber {
      next(v: number): void {}
      complete(): void {}
    }
    export class Source {
      subscribe(s: Subscriber): void {}
    }
    export class Observable {
      constructor(subscribe?: (this: Observable, subscriber: Subscriber) => void) {}
    }
    export function operate(init: (source: Source, subscriber: Subscriber) => void): void {}
    export function later(run: () => void, delay: number): void {}
"""

CALLBACK_USER = """
    import { Observable, operate, later } from "./lib";
    export function numbers() {
      return new Observable((subscriber) => { subscriber.next(1); subscriber.complete(); });
    }
    export function mapped() {
      return operate((source, subscriber) => { source.subscribe(subscriber); subscriber.next(2); });
    }
    export function single() {
      return operate(function (this: unknown, source) { source.subscribe(null); });
    }
    export function untyped() {
      later(() => {}, 1);
      [1, 2].forEach((item) => item.complete());
    }
"""


def test_typescript_callback_parameters_take_the_types_their_callee_declares(tmp_path: Path):
    """``operate((source, subscriber) => subscriber.next())``: the callee's declaration of that
    argument types its parameters; a callback whose callee declares nothing stays unknown."""
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "lib.ts").write_text(textwrap.dedent(CALLBACK_LIB))
    (root / "src" / "use.ts").write_text(textwrap.dedent(CALLBACK_USER))
    store, _ = index_repo(root, tmp_path / "i.db")
    expected = {
        ("numbers", "subscriber.next"): "src/lib.ts::Subscriber.next",
        ("numbers", "subscriber.complete"): "src/lib.ts::Subscriber.complete",
        ("mapped", "source.subscribe"): "src/lib.ts::Source.subscribe",
        ("mapped", "subscriber.next"): "src/lib.ts::Subscriber.next",
        ("single", "source.subscribe"): "src/lib.ts::Source.subscribe",  # `this:` is no parameter
    }
    for (fn, callee), target in expected.items():
        e = edge(store, f"src/use.ts::{fn}", callee)
        assert (e.resolution, e.target_id) == ("typed", target), (fn, callee)
    e = edge(store, "src/use.ts::untyped", "item.complete")  # forEach's callback: nothing declared
    assert e.target_id is None


def test_a_changed_callback_declaration_re_resolves_its_callers(tmp_path: Path):
    """Changing only the callee's file re-resolves the calls typed by its declaration, exactly
    as a full index of the new tree would."""
    from helpers import snapshot

    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    lib = root / "src" / "lib.ts"
    lib.write_text(textwrap.dedent(CALLBACK_LIB))
    (root / "src" / "use.ts").write_text(textwrap.dedent(CALLBACK_USER))
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "src/use.ts::mapped", "subscriber.next").target_id == "src/lib.ts::Subscriber.next"
    # The callback's parameters swap types: subscriber is now a Source, which has no next().
    lib.write_text(textwrap.dedent(CALLBACK_LIB).replace(
        "init: (source: Source, subscriber: Subscriber)", "init: (source: Subscriber, subscriber: Source)"))
    store.close()
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "src/use.ts::mapped", "source.subscribe").target_id is None
    assert edge(store, "src/use.ts::mapped", "subscriber.next").target_id is None
    fresh, _ = index_repo(root, tmp_path / "fresh.db")
    assert snapshot(store)["edges"] == snapshot(fresh)["edges"]


def test_an_index_made_by_an_older_parser_is_read_again(tmp_path: Path):
    """New facts of extraction (the callback types above) reach an existing index on its next
    reconcile, without a rebuild: every file is read again once, then only what changes."""
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "lib.ts").write_text(textwrap.dedent(CALLBACK_LIB))
    (root / "src" / "use.ts").write_text(textwrap.dedent(CALLBACK_USER))
    store, first = index_repo(root, tmp_path / "i.db")
    assert first.parsed == 2
    store.set_meta("parser", "1")  # as an index written by the parser before this one
    store.close()
    store, again = index_repo(root, tmp_path / "i.db")
    assert again.parsed == 2
    store.close()
    store, then = index_repo(root, tmp_path / "i.db")
    assert then.parsed == 0


def test_module_level_values_are_followed_across_files(tmp_path: Path):
    """``router = ConnectionRouter()`` in one module, ``from db import router`` and
    ``router.db_for_write()`` in another (and ``register = registry.register`` re-exported by a
    package): the value's type is followed through the imports; changing what the module-level
    name holds re-resolves those calls in the same transaction, as a full index would."""
    from helpers import snapshot

    root = tmp_path / "repo"
    (root / "pkg" / "checks").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    db = root / "pkg" / "db.py"
    db.write_text(textwrap.dedent("""
        class ConnectionRouter:
            def db_for_write(self): ...

        class OtherRouter:
            def db_for_read(self): ...

        router = ConnectionRouter()
    """))
    (root / "pkg" / "checks" / "registry.py").write_text(textwrap.dedent("""
        class CheckRegistry:
            def register(self, check): ...
            def tag(self, check): ...

        registry = CheckRegistry()
        register = registry.register
    """))
    (root / "pkg" / "checks" / "__init__.py").write_text("from .registry import register\n")
    (root / "pkg" / "use.py").write_text(textwrap.dedent("""
        from pkg.db import router as r
        from pkg.checks import register as add_check
        from pkg import db

        def save():
            r.db_for_write()
            db.router.db_for_write()
            add_check(save)
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    write = "pkg/db.py::ConnectionRouter.db_for_write"
    assert edge(store, "pkg/use.py::save", "r.db_for_write").target_id == write
    assert edge(store, "pkg/use.py::save", "db.router.db_for_write").target_id == write
    assert edge(store, "pkg/use.py::save", "add_check").target_id == "pkg/checks/registry.py::CheckRegistry.register"
    # The router becomes another class's and register another method: only db.py and
    # registry.py change, the calls in use.py follow.
    db.write_text(db.read_text().replace("router = ConnectionRouter()", "router = OtherRouter()"))
    registry = root / "pkg" / "checks" / "registry.py"
    registry.write_text(registry.read_text().replace("register = registry.register", "register = registry.tag"))
    store.close()
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "pkg/use.py::save", "add_check").target_id == "pkg/checks/registry.py::CheckRegistry.tag"
    assert edge(store, "pkg/use.py::save", "r.db_for_write").target_id is None
    assert edge(store, "pkg/use.py::save", "db.router.db_for_write").target_id is None
    fresh, _ = index_repo(root, tmp_path / "fresh.db")
    assert snapshot(store)["edges"] == snapshot(fresh)["edges"]


def test_a_module_that_binds_hundreds_of_names_at_once_is_linked(tmp_path: Path):
    """A new module binding 400 module-level names (a chunk of a first index in the explorer
    does this on Django): the calls elsewhere that go through them are found and re-resolved
    (the question once held 1,200 OR terms and SQLite refused it as too deep)."""
    from helpers import snapshot

    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "use.py").write_text("from pkg import vals\n\n\ndef f():\n    vals.v399.run()\n")
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "pkg/use.py::f", "vals.v399.run").target_id is None
    store.close()
    names = "".join(f"v{i} = C()\n" for i in range(400))
    (root / "pkg" / "vals.py").write_text(f"class C:\n    def run(self): ...\n\n\n{names}")
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "pkg/use.py::f", "vals.v399.run").target_id == "pkg/vals.py::C.run"
    fresh, _ = index_repo(root, tmp_path / "fresh.db")
    assert snapshot(store)["edges"] == snapshot(fresh)["edges"]


def test_class_attributes_made_by_the_class_body_and_closures(tmp_path: Path):
    """``db_for_write = _router_func("db_for_write")`` in a class body calls the class's own
    helper, which returns a closure: a call of the attribute reaches the closure. A closure
    made by a decorator (``@wraps(func)``) stands for what it wraps: never claimed."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "m.py").write_text(textwrap.dedent("""
        from functools import wraps

        class ConnectionRouter:
            def _router_func(action):
                def _route_db(self, model): ...
                return _route_db

            db_for_write = _router_func("db_for_write")

        def lazy(func):
            @wraps(func)
            def __wrapper__(*args): ...
            return __wrapper__

        def gettext(message): ...

        gettext_lazy = lazy(gettext)
        router = ConnectionRouter()

        def use():
            router.db_for_write(None)
            gettext_lazy("x")
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    e = edge(store, "m.py::use", "router.db_for_write")
    assert (e.resolution, e.target_id) == ("typed", "m.py::ConnectionRouter._router_func._route_db")
    assert edge(store, "m.py::use", "gettext_lazy").target_id != "m.py::lazy.__wrapper__"


def test_a_method_call_lists_the_overrides_that_may_run_instead(tmp_path: Path):
    """``x: Base`` then ``x.save()``: the edge goes to ``Base.save`` (what the code states) and
    keeps the subclasses' overrides, across files and levels, as "may dispatch to"; a call on
    the class itself or through ``super()`` dispatches nowhere else. A new override elsewhere
    joins the list in the same save, as a full index would have it."""
    import json

    from helpers import snapshot

    root = tmp_path / "repo"
    root.mkdir()
    (root / "base.py").write_text(textwrap.dedent("""
        class Base:
            def save(self): ...
            def run(self):
                self.save()
    """))
    (root / "child.py").write_text(textwrap.dedent("""
        from base import Base

        class Child(Base):
            def save(self):
                super().save()

        class Quiet(Base):
            pass
    """))
    (root / "grand.py").write_text(textwrap.dedent("""
        from child import Child as Parent

        class GrandChild(Parent):
            def save(self): ...

        class NotASubclass:
            def save(self): ...
    """))
    (root / "use.py").write_text(textwrap.dedent("""
        from base import Base

        def use(x: Base):
            x.save()
            Base.save(x)
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    overrides = ["child.py::Child.save", "grand.py::GrandChild.save"]
    e = edge(store, "use.py::use", "x.save")
    assert (e.resolution, e.target_id, e.candidates, json.loads(e.detail)) == (
        "typed", "base.py::Base.save", 2, overrides)
    e = edge(store, "base.py::Base.run", "self.save")
    assert (e.resolution, e.target_id, json.loads(e.detail)) == ("self", "base.py::Base.save", overrides)
    assert edge(store, "use.py::use", "Base.save").detail is None  # the class's own method
    assert edge(store, "child.py::Child.save", "super().save").detail is None
    rows = {r["id"]: r for r in q.callees(store, "use.py::use")}
    assert rows["base.py::Base.save"]["may_dispatch_to"] == overrides

    (root / "quiet.py").write_text("from child import Quiet\n")  # unrelated file: nothing moves
    (root / "child.py").write_text((root / "child.py").read_text().replace(
        "class Quiet(Base):\n    pass", "class Quiet(Base):\n    def save(self): ..."))
    store.close()
    store, _ = index_repo(root, tmp_path / "i.db")
    e = edge(store, "use.py::use", "x.save")
    assert json.loads(e.detail) == ["child.py::Child.save", "child.py::Quiet.save", "grand.py::GrandChild.save"]
    fresh, _ = index_repo(root, tmp_path / "fresh.db")
    assert snapshot(store)["edges"] == snapshot(fresh)["edges"]


def test_overrides_found_by_name_are_those_found_by_subclass(tmp_path: Path):
    """With fewer definitions of a name than subclasses, overrides are read from the
    definitions of that name: the same list as walking the subclasses, in the same order,
    counting a class defined twice twice and the last of a method defined twice."""
    import json

    from dgtui.graph.overrides import _descendants, overrides_of
    from dgtui.graph.resolve import Resolver
    from dgtui.graph.symbols import SymbolTable

    root = tmp_path / "repo"
    root.mkdir()
    quiet = "".join(f"class Quiet{i}(Base):\n    pass\n\n" for i in range(8))
    (root / "base.py").write_text("class Base:\n    def save(self): ...\n\n" + quiet)
    (root / "kids.py").write_text(textwrap.dedent("""
        import sys
        from base import Base

        class B(Base):
            def save(self): ...
            def save(self): return 2

        class A(Base):
            def other(self): ...

        if sys.version_info > (3,):
            class Twice(Base):
                def save(self): ...
        else:
            class Twice(Base):
                def save(self): ...

        class Deep(A):
            def save(self): ...

        def save(): ...
    """))
    (root / "use.py").write_text("from base import Base\n\ndef use(x: Base):\n    x.save()\n")
    store, _ = index_repo(root, tmp_path / "i.db")
    symbols = SymbolTable()
    for info in store.atoms.symbol_infos():
        symbols.add(info)
    resolver = Resolver(symbols)
    member = symbols.get("base.py::Base.save")
    walked = []  # the subclasses walked one by one, as for a name defined more often
    for sub_id in _descendants(resolver, symbols.get("base.py::Base")):
        sub = symbols.get(sub_id)
        own = symbols.in_file(sub.file_path, sub.qualified_name + ".save")
        if own is not None and own.kind not in ("class", "module"):
            walked.append(own.id)
    assert len(symbols.named("save")) < len(_descendants(resolver, symbols.get("base.py::Base")))
    assert walked == ["kids.py::B.save#2", "kids.py::Twice.save#2", "kids.py::Twice.save#2",
                      "kids.py::Deep.save"]
    assert overrides_of(Resolver(symbols), member) == walked
    assert json.loads(edge(store, "use.py::use", "x.save").detail) == walked


def test_docstring_return_types_class_types_and_optional_receivers(tmp_path: Path):
    """``:rtype: pkg.models.Response`` in a docstring is a stated return type (a full dotted
    path is read as the repository's module); ``Type[Foo]`` is the class itself, so calling it
    builds a Foo; ``x?.close()`` follows ``x``'s declared type like ``x.close()``."""
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "models.py").write_text(textwrap.dedent("""
        class Response:
            def json(self): ...

        class Formatter:
            def write(self): ...
    """))
    (root / "pkg" / "api.py").write_text(textwrap.dedent('''
        import typing as t
        from pkg.models import Formatter

        def get(url):
            """Send a GET.

            :rtype: pkg.models.Response
            """
            return send(url)

        class Command:
            formatter_class: t.Type[Formatter] = Formatter

            def help(self):
                self.formatter_class().write()

        def use():
            get("x").json()
    '''))
    (root / "src").mkdir()
    (root / "src" / "sub.ts").write_text(textwrap.dedent("""
        export class Subscriber { unsubscribe(): void {} }
        export function audit() {
          let inner: Subscriber | null = null;
          const end = () => { inner?.unsubscribe(); };
          return end;
        }
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    assert edge(store, "pkg/api.py::use", 'get("x").json').target_id == "pkg/models.py::Response.json"
    assert edge(store, "pkg/api.py::Command.help", "self.formatter_class().write").target_id == \
        "pkg/models.py::Formatter.write"
    assert edge(store, "src/sub.ts::audit.end", "inner?.unsubscribe").target_id == "src/sub.ts::Subscriber.unsubscribe"


def test_an_arrow_function_keeps_the_this_of_where_it_is_written(tmp_path: Path):
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "ws.ts").write_text(textwrap.dedent("""
        export class Subject {
          reset(): void {}
          connect(socket: any): void {
            socket.onopen = () => { this.reset(); };
          }
        }
    """))
    store, _ = index_repo(root, tmp_path / "i.db")
    from helpers import edges_of

    rows = [e for (_, c, _), e in edges_of(store).items() if c == "this.reset"]
    assert [(e.resolution, e.target_id) for e in rows] == [("self", "src/ws.ts::Subject.reset")]
