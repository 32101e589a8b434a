"""A save resolves again only the calls that can have changed (``engine/kept_calls.py``): the
edges after edits made one at a time equal those of a fresh index of the same final tree, and
the calls of the atoms a save left alone are kept as stored (their lines moved with them)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import snapshot, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgtui.engine.indexer import Indexer
from dgtui.engine.kept_calls import kept_callers
from dgtui.graph.atom_diff import diff
from dgtui.parse.files import parse_data
from dgtui.store import Store


def edges(store: Store) -> list[tuple]:
    """Every call as stored, the overrides of a dispatching call included."""
    return sorted(store.conn.execute(
        "SELECT source_id, line, callee, coalesce(target_id, ''), resolution, candidates, "
        "coalesce(detail, '') FROM edges"))


def fresh_index(root: Path, db: Path) -> Store:
    store = Store.open(str(db))
    Indexer(str(root), store, workers=1).run()
    return store


def assert_same_as_fresh(store: Store, root: Path, tmp: Path) -> None:
    fresh = fresh_index(root, tmp / f"fresh{len(list(tmp.glob('fresh*')))}.db")
    try:
        assert edges(store) == edges(fresh)
        assert snapshot(store) == snapshot(fresh)
    finally:
        fresh.close()


SHAPES = '''from models import Model, make


class Base(Model):
    size: int = 0

    def save(self):
        return self.clean()

    def clean(self):
        return 1


class Child(Base):
    label = make("x")

    def save(self):
        super().save()
        return self.assist.save()

    def run(self):
        self.assist = Base()
        return self.save()


def outer():
    item = Child()

    def inner():
        return item.run()

    return inner()


def assist():
    return outer()


def assist():
    return outer().run()


def last():
    return assist()


def use(m: Model):
    return m.save()
'''

MODELS = '''class Model:
    def save(self):
        return None


def make(text):
    return Model()
'''

#: (what to replace, with what) in SHAPES, one save each: edits inside one definition, new and
#: deleted definitions, a closure's binding, class bodies, bases, imports, duplicates moving.
EDITS = [
    ("        return self.clean()\n", "        self.clean()\n        return self.run()\n"),
    ("    item = Child()\n", "    item = Base()\n"),
    ("def last():\n", "def first():\n    return last()\n\n\ndef last():\n"),
    ("    def clean(self):\n        return 1\n", ""),
    ("class Child(Base):\n", "class Child(Model):\n"),
    ("    label = make(\"x\")\n", "    label = make(\"x\")\n\n    def make(self):\n        return 2\n"),
    ("from models import Model, make\n", "from models import Model\n"),
    ("from models import Model\n", "from models import Model as Other\n"),
    ("def assist():\n    return outer()\n\n\n", ""),
    ("def first():\n    return last()\n\n\n", "def assist():\n    return outer()\n\n\n"),
    ("        self.assist = Base()\n", "        self.assist = Child()\n"),
    ("class Base(Model):\n", "\n\nclass Base:\n"),
    ("    def inner():\n        return item.run()\n", "    def inner():\n        return item.save()\n\n    def other():\n        return inner()\n"),
]


def test_edits_one_at_a_time_leave_the_edges_of_a_fresh_index(tmp_path: Path):
    root = tmp_path / "repo"
    write(root / "models.py", MODELS)
    write(root / "app.py", SHAPES)
    write(root / "use.py", "from app import Child, assist\n\n\ndef go(c: Child):\n    c.save()\n    return assist()\n")
    store = Store.open(str(tmp_path / "live.db"))
    indexer = Indexer(str(root), store, workers=1)
    indexer.run()
    text = SHAPES
    for old, new in EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
        (root / "app.py").write_text(text)
        delta = indexer.sync_paths(["app.py"])
        assert delta is not None
        assert_same_as_fresh(store, root, tmp_path)
    store.close()


def test_the_calls_of_atoms_a_save_left_alone_are_kept_and_moved():
    before = parse_data("app.py", SHAPES.encode()).atoms
    after_text = SHAPES.replace("        return self.clean()\n", "        self.clean()\n        return 2\n")
    after = parse_data("app.py", after_text.encode()).atoms
    keep = kept_callers(diff(list(before), list(after)), list(before), list(after))
    # Base.save changed: the class body that sees it is resolved again, and so is the module
    # (its calls below moved); every other function keeps its calls, one line lower.
    assert "app.py::Base.save" not in keep and "app.py::Base" not in keep
    assert keep["app.py::Base.clean"] == 1 and keep["app.py::Child.run"] == 1
    assert keep["app.py::outer"] == 1 and keep["app.py::outer.inner"] == 1
    # a closure is resolved again with the function around it
    inner_edit = after_text.replace("    item = Child()\n", "    item = Base()\n")
    now = parse_data("app.py", inner_edit.encode()).atoms
    keep = kept_callers(diff(list(after), list(now)), list(after), list(now))
    assert "app.py::outer" not in keep and "app.py::outer.inner" not in keep
    assert keep["app.py::Child.save"] == 0
    # a changed import: every call of the file again
    imports = inner_edit.replace("from models import Model, make\n", "from models import Model\n")
    last = parse_data("app.py", imports.encode()).atoms
    assert kept_callers(diff(list(now), list(last)), list(now), list(last)) == {}


# -- any sequence of edits of one definition at a time ----------------------------------------

NAMES = ["alpha", "beta", "save", "load"]
CALLS = ["alpha()", "beta()", "self.save()", "self.load()", "x.save()", "y = Child()", "y.save()",
         "self.attr = Base()", "self.attr = Child()", "self.attr.load()", "inner()", "z = alpha()",
         "z.save()", "super().save()"]


@st.composite
def definition(draw) -> str:
    name = draw(st.sampled_from(NAMES))
    calls = draw(st.lists(st.sampled_from(CALLS), max_size=3))
    param = draw(st.sampled_from(["x", "x: Base", "x: Child"]))
    returns = draw(st.sampled_from(["", " -> Base", " -> Child"]))
    nested = draw(st.sampled_from(["", "    def inner():\n        return y.load()\n"]))
    body = nested + "".join(f"    {c}\n" for c in calls) + "    return None\n"
    header = f"def {name}(self, {param}){returns}:\n"
    if draw(st.booleans()):
        cls = draw(st.sampled_from(["Base", "Child"]))
        base = draw(st.sampled_from(["", "(Base)", "(Child)"]))
        return f"class {cls}{base}:\n" + "".join("    " + line + "\n" for line in (header + body).splitlines())
    return header + body


IMPORTS = ["", "from b import Base\n", "from b import Child, alpha\n", "from b import *\n"]
step = st.tuples(st.sampled_from(["a.py", "b.py"]), st.sampled_from(["replace", "insert", "delete", "swap", "imports"]),
                 st.integers(0, 5), definition(), st.sampled_from(IMPORTS))


def render(imports: str, units: list[str]) -> str:
    return imports + "\n\n".join(units)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("DGTUI_PROPERTY_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(definition(), min_size=1, max_size=4), steps=st.lists(step, min_size=1, max_size=6))
def test_any_edits_of_one_definition_equal_a_fresh_index(start, steps):
    tmp = Path(tempfile.mkdtemp())
    try:
        root = tmp / "repo"
        files = {"a.py": ["from b import Base\n", list(start)], "b.py": ["", list(reversed(start))]}
        for path, (imports, units) in files.items():
            write(root / path, render(imports, units))
        store = Store.open(str(tmp / "live.db"))
        indexer = Indexer(str(root), store, workers=1)
        indexer.run()
        for path, kind, at, unit, imports in steps:
            units = files[path][1]
            i = at % (len(units) + 1)
            if kind == "replace" and units:
                units[i % len(units)] = unit
            elif kind == "insert":
                units.insert(i, unit)
            elif kind == "delete" and units:
                units.pop(i % len(units))
            elif kind == "swap" and len(units) > 1:
                j = i % len(units)
                units[j - 1], units[j] = units[j], units[j - 1]
            elif kind == "imports":
                files[path][0] = imports
            (root / path).write_text(render(files[path][0], units))
            indexer.sync_paths([path])
        fresh = fresh_index(root, tmp / "fresh.db")
        assert edges(store) == edges(fresh)
        assert snapshot(store) == snapshot(fresh)
        store.close()
        fresh.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- modules that appear and vanish: the hierarchy and module names kept from save to save ------

BASES = '''class Base:
    def save(self):
        return self.clean()

    def clean(self):
        return 1


def make() -> Base:
    return Base()


def use(b: Base):
    b.save()
    b.clean()
    return make().save()
'''

#: (path, text or None to delete), one save each: leaf classes with and without bases, a
#: subclass that overrides, one that others then name as their base, an aliased import.
MODULE_SAVES = [
    ("pkg/leaf.py", "class Leaf:\n    def save(self):\n        return 2\n\n    def run(self):\n        return self.save()\n"),
    ("pkg/grand.py", "from pkg.child import Child\n\n\nclass Grand(Child):\n    def clean(self):\n        return 3\n"),
    ("pkg/child.py", "from pkg.base import Base\n\n\nclass Child(Base):\n    def save(self):\n        return super().save()\n"),
    ("pkg/child.py", None),
    ("pkg/child.py", "from pkg.base import Base\n\n\nclass Child(Base):\n    def clean(self):\n        return 4\n"),
    ("pkg/alias.py", "from pkg.base import Base as Model\n\n\nclass Named(Model):\n    def save(self):\n        return 5\n"),
    ("pkg/leaf.py", None),
    ("pkg/again.py", "from pkg.base import Base\n"),  # only what app.py imports from it moves
    ("pkg/sub/__init__.py", "from pkg.base import Base\n"),
    ("pkg/sub/more.py", "from . import Base\n\n\nclass More(Base):\n    def save(self):\n        return 6\n"),
    ("pkg/alias.py", None),
    ("pkg/sub/__init__.py", None),
    ("pkg/grand.py", None),
    ("pkg/again.py", None),
]


def test_modules_that_appear_and_vanish_leave_the_edges_of_a_fresh_index(tmp_path: Path):
    root = tmp_path / "repo"
    write(root / "pkg" / "__init__.py", "")
    write(root / "pkg" / "base.py", BASES)
    write(root / "app.py", "from pkg.base import Base, use\nfrom pkg import child\n"
                            "from pkg.again import Base as Again\n\n\ndef go():\n"
                            "    use(Base())\n    return child.Child().save()\n\n\n"
                            "def via():\n    return Again().clean()\n")
    # another class of the same name as one that comes and goes: its subclasses are looked for
    write(root / "other.py", "class Child:\n    def save(self):\n        return 0\n\n    def clean(self):\n        return 0\n\n\n"
                             "def other(c: Child):\n    c.save()\n    return c.clean()\n")
    store = Store.open(str(tmp_path / "live.db"))
    indexer = Indexer(str(root), store, workers=1)
    indexer.run()
    for path, text in MODULE_SAVES:
        if text is None:
            (root / path).unlink()
        else:
            write(root / path, text)
        assert indexer.sync_paths([path]) is not None
        assert_same_as_fresh(store, root, tmp_path)
    store.close()


def test_python_module_names_follow_files_that_come_and_go():
    from dgtui.graph.symbols import SymbolTable
    from dgtui.model import SymbolInfo

    def module(path: str) -> SymbolInfo:
        return SymbolInfo.of(parse_data(path, b"x = 1\n").atoms[0])

    def names(table: SymbolTable) -> tuple:
        found = table._python_module_names()
        return dict(found), {p: table.python_dotted_name(p) for p in table.modules}

    files = ["src/pkg/__init__.py", "src/pkg/a.py", "pkg/a.py", "src/other.py", "tools/x.py"]
    live = SymbolTable()
    for path in files:
        live.add(module(path))
    live._python_module_names()
    steps = [("add", "pkg/b.py"), ("add", "src/pkg/b.py"), ("remove", "pkg/a.py"),
             ("add", "src/pkg/sub/__init__.py"), ("add", "src/pkg/sub/c.py"),
             ("remove", "src/pkg/a.py"), ("remove", "src/pkg/sub/__init__.py"), ("add", "pkg/a.py"),
             ("remove", "src/pkg/b.py"), ("add", "pkg.py")]
    for op, path in steps:
        if op == "add":
            live.add(module(path))
        else:
            live.remove_file(path)
        fresh = SymbolTable()
        for p in live.modules:
            fresh.add(module(p))
        assert names(live) == names(fresh), (op, path)


def test_an_attribute_set_in_another_file_is_read_anew_when_that_file_changes(tmp_path: Path):
    # The attributes a file's methods set are kept from save to save (a new module's save asks
    # for those of hundreds of files); a save of that file must not leave the old ones behind.
    root = tmp_path / "repo"
    models = ("class Engine:\n    def start(self):\n        return 1\n\n\n"
              "class Motor:\n    def start(self):\n        return 2\n\n\n"
              "class Car:\n    def __init__(self):\n        self.power = Engine()\n")
    write(root / "models.py", models)
    write(root / "use.py", "from models import Car\n\n\ndef drive(car: Car):\n    return car.power.start()\n")
    store = Store.open(str(tmp_path / "live.db"))
    indexer = Indexer(str(root), store, workers=1)
    indexer.run()
    indexer.engine.load_symbols()  # the live index's table, kept from save to save

    def target() -> str | None:
        [(_, edge)] = store.atoms.edges_from(["use.py::drive"])
        return edge.target_id

    assert target() == "models.py::Engine.start"
    write(root / "use.py", "from models import Car\n\n\ndef drive(car: Car):\n    return car.power.start()\n\n\ndef park():\n    return 0\n")
    assert indexer.sync_paths(["use.py"]) is not None  # the attributes of models.py asked for
    (root / "models.py").write_text(models.replace("self.power = Engine()", "self.power = Motor()"))
    assert indexer.sync_paths(["models.py"]) is not None
    assert target() == "models.py::Motor.start"
    assert_same_as_fresh(store, root, tmp_path)
    store.close()
