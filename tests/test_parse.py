"""Extraction: source text -> atoms, for each language and the awkward cases."""

from __future__ import annotations

import textwrap

import pytest

from dgtui.parse.extract import extract
from dgtui.parse.registry import language_for, load


def atoms_of(source: str, path: str = "m.py"):
    spec = language_for(path)
    assert spec is not None
    result = extract(textwrap.dedent(source).encode(), path, load(spec.name))
    return {a.id: a for a in result.atoms}, result


def test_language_registry_maps_extensions():
    assert language_for("a/b.py").name == "python"
    for ext in (".js", ".mjs", ".cjs", ".jsx"):
        assert language_for("x" + ext).name == "javascript"
    assert language_for("x.ts").name == "typescript"
    assert language_for("x.tsx").name == "tsx"
    assert language_for("types.d.ts") is None
    assert language_for("README.md") is None
    assert language_for("Makefile") is None


def test_python_atoms_ids_kinds_and_nesting():
    atoms, _ = atoms_of("""
        class Session(Base):
            \"\"\"A session.

            Second paragraph.\"\"\"

            def save(self, user, *args, key: int = 1, **kw) -> bool:
                def inner():
                    return self.db.write(user)
                return inner()

            @property
            def name(self): return 1

            @name.setter
            def name(self, value): pass

        async def fetch(url):
            async with x:
                yield await get(url)
        """)
    assert set(atoms) == {
        "m.py::<module>", "m.py::Session", "m.py::Session.save", "m.py::Session.save.inner",
        "m.py::Session.name", "m.py::Session.name#2", "m.py::fetch",
    }
    session = atoms["m.py::Session"]
    assert session.kind == "class" and session.bases == ("Base",)
    assert session.docstring == "A session."
    save = atoms["m.py::Session.save"]
    assert save.kind == "method" and save.owner == "Session"
    assert save.params == ("self", "user", "*args", "key", "**kw")
    assert save.signature == "def save(self, user, *args, key: int = 1, **kw) -> bool:"
    # The call inside `inner` belongs to `inner`, not to `save`.
    assert [c.callee for c in save.calls] == ["inner"]
    inner = atoms["m.py::Session.save.inner"]
    assert inner.kind == "function" and inner.parent_id == "m.py::Session.save"
    assert [(c.callee, c.short) for c in inner.calls] == [("self.db.write", "write")]
    assert inner.owner == "Session"  # Python's self is lexical
    fetch = atoms["m.py::fetch"]
    assert fetch.is_async and fetch.kind == "generator"
    assert fetch.line == 18 and fetch.end_line == 20  # line 1 is the blank after """


def test_calls_are_stored_relative_to_the_atom():
    atoms, _ = atoms_of("""
        def f():
            a()

            b()
        """)
    f = atoms["m.py::f"]
    assert [(c.callee, c.offset) for c in f.calls] == [("a", 1), ("b", 3)]
    assert f.line == 2


def test_python_exports_follow_all_or_public_names():
    atoms, _ = atoms_of("""
        def public(): pass
        def _private(): pass
        class Api:
            def get(self): pass
            def _helper(self): pass
            def __call__(self): pass
        """)
    assert atoms["m.py::public"].is_exported
    assert not atoms["m.py::_private"].is_exported
    assert atoms["m.py::Api.get"].is_exported and atoms["m.py::Api.__call__"].is_exported
    assert not atoms["m.py::Api._helper"].is_exported
    with_all, _ = atoms_of("""
        __all__ = ["b"]
        def a(): pass
        def b(): pass
        """)
    assert not with_all["m.py::a"].is_exported and with_all["m.py::b"].is_exported


def test_complexity_counts_decisions_in_the_own_body():
    atoms, _ = atoms_of("""
        def f(x):
            if x and y or z:
                for i in x:
                    pass
            elif x:
                return [a for a in x if a]
            def g():
                if q: pass
            return 1 if x else 2
        """)
    # 1 + if + and + or + for + elif + comprehension for + comprehension if + conditional
    assert atoms["m.py::f"].complexity == 9
    assert atoms["m.py::f.g"].complexity == 2


def test_javascript_definition_forms():
    atoms, _ = atoms_of("""
        /** Sends it. */
        res.send = function send(body) { return this.json(body); };
        module.exports.x = () => {};
        exports.y = async function () {};
        Foo.prototype.bar = function () { new Foo(); };
        const api = { get() { return helper(); }, post: async function () {} };
        class A extends B { static async m() { super.m(); } f = () => this.g(); }
        function* gen() { yield 1; }
        export const run = async (a, {b}, ...rest) => a;
        describe('cache', () => { it('saves', async () => { save(); }); });
        """, "lib/x.js")
    assert set(atoms) == {
        "lib/x.js::<module>", "lib/x.js::res.send", "lib/x.js::module.exports.x",
        "lib/x.js::exports.y", "lib/x.js::Foo.prototype.bar", "lib/x.js::api.get",
        "lib/x.js::api.post", "lib/x.js::A", "lib/x.js::A.m", "lib/x.js::A.f", "lib/x.js::gen",
        "lib/x.js::run", "lib/x.js::test(cache)", "lib/x.js::test(cache).test(saves)",
    }
    send = atoms["lib/x.js::res.send"]
    assert send.name == "send" and send.owner == "res" and send.docstring == "Sends it."
    assert atoms["lib/x.js::Foo.prototype.bar"].owner == "Foo"
    assert [c.callee for c in atoms["lib/x.js::Foo.prototype.bar"].calls] == ["Foo"]  # new Foo()
    assert atoms["lib/x.js::module.exports.x"].is_exported and atoms["lib/x.js::exports.y"].is_async
    assert atoms["lib/x.js::api.get"].kind == "method" and atoms["lib/x.js::api.get"].owner == "api"
    assert atoms["lib/x.js::A"].bases == ("B",)
    assert atoms["lib/x.js::A.m"].is_async
    assert atoms["lib/x.js::A.f"].owner == "A"  # an arrow field keeps `this`
    assert atoms["lib/x.js::gen"].kind == "generator"
    run = atoms["lib/x.js::run"]
    assert run.kind == "arrow" and run.is_exported and run.params == ("a", "{b}", "...rest")
    assert run.signature == "export const run = async (a, {b}, ...rest) =>"
    saves = atoms["lib/x.js::test(cache).test(saves)"]
    assert saves.kind == "test" and saves.name == "test(saves)" and saves.is_async
    assert [c.callee for c in saves.calls] == ["save"]
    assert [c.callee for c in atoms["lib/x.js::test(cache)"].calls] == ["it"]


def test_typescript_and_tsx():
    atoms, _ = atoms_of("""
        export abstract class S<T> extends Base<T> implements I {
          abstract save(): void;
          overloaded(a: string): void;
          overloaded(a: any) { this.save(); }
          private h = (v: number): number => v * 2;
        }
        """, "a.ts")
    assert set(atoms) == {"a.ts::<module>", "a.ts::S", "a.ts::S.overloaded", "a.ts::S.h"}
    assert atoms["a.ts::S"].bases == ("Base",) and atoms["a.ts::S"].is_exported
    tsx, _ = atoms_of("""
        export function View(p: {n: number}) {
          return <div onClick={() => go(p.n)}>{p.n}</div>;
        }
        """, "v.tsx")
    assert [c.callee for c in tsx["v.tsx::View"].calls] == ["go"]


def test_imports_are_recorded_on_the_module_atom():
    atoms, _ = atoms_of("""
        import os.path
        import a.b as c
        from .models import User as U, Group
        from . import utils
        from pkg import *
        """)
    imports = atoms["m.py::<module>"].imports
    assert [(i.local, i.module, i.name) for i in imports] == [
        ("os", "os.path", None), ("c", "a.b", None), ("U", ".models", "User"),
        ("Group", ".models", "Group"), ("utils", ".", "utils"), ("*", "pkg", "*"),
    ]
    js, _ = atoms_of("""
        import def, { a as b, c } from './m';
        import * as ns from "./n";
        const { x, y: z } = require('./r');
        const whole = require('./w');
        """, "x.js")
    assert [(i.local, i.module, i.name) for i in js["x.js::<module>"].imports] == [
        ("def", "./m", "default"), ("b", "./m", "a"), ("c", "./m", "c"), ("ns", "./n", None),
        ("x", "./r", "x"), ("z", "./r", "y"), ("whole", "./w", None),
    ]


def test_syntax_errors_still_yield_what_parses():
    atoms, result = atoms_of("""
        def fine():
            return 1

        def broken(:
            pass

        def after():
            return fine()
        """)
    assert result.error_count >= 1 and result.errors
    assert "m.py::fine" in atoms and "m.py::after" in atoms


@pytest.mark.parametrize("depth", [5000])
def test_deep_nesting_does_not_recurse(depth: int):
    source = "x = " + "[" * depth + "]" * depth + "\n" + "def f():\n    return g()\n"
    atoms, _ = atoms_of(source)
    assert "m.py::f" in atoms
    js = "const a = " + "(" * depth + "1" + ")" * depth + ";\nfunction f() { g(); }\n"
    js_atoms, _ = atoms_of(js, "deep.js")
    assert "deep.js::f" in js_atoms


def test_body_hash_ignores_nested_atoms_and_position():
    a, _ = atoms_of("def outer():\n    def inner():\n        return 1\n    return inner()\n")
    b, _ = atoms_of("\n\ndef outer():\n    def inner():\n        return 2\n    return inner()\n")
    assert a["m.py::outer"].body_hash == b["m.py::outer"].body_hash  # only inner changed
    assert a["m.py::outer.inner"].body_hash != b["m.py::outer.inner"].body_hash


def test_empty_file_has_only_its_module():
    atoms, result = atoms_of("")
    assert list(atoms) == ["m.py::<module>"] and result.error_count == 0


def test_the_called_name_of_a_long_or_commented_callee(tmp_path):
    """The short name is the callee's last identifier, found before a long callee is cut and
    with comments left out; comments and line breaks around dots do not split a callee."""
    from dgtui.parse.extract import extract
    from dgtui.parse.registry import load

    chain = ".".join(f"part{i}" for i in range(40)) + ".final_method"
    atoms = extract(f"def f():\n    {chain}()\n".encode(), "long.py", load("python")).atoms
    (call,) = atoms[1].calls
    assert call.short == "final_method" and len(call.callee) <= 160
    atoms = extract(b"function g() { a /* note */ .b(); x.\n  // hm\n  y(); }\n", "t.ts", load("typescript")).atoms
    assert [(c.callee, c.short) for c in atoms[1].calls] == [("a.b", "b"), ("x.y", "y")]
