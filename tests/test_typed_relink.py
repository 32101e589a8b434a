"""A save can change what calls elsewhere mean through the values they follow, not through
their own names: what a function returns (``y = make(); y.run()``), what a base class assigns
to ``self.power``, the fixture a test's parameter receives, a type written with a class's name.
Each case saves such a change and takes it back, and checks the call that follows it, and the
whole index, against a fresh index of the same files (``engine/followed_values.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write
from test_kept_calls import assert_same_as_fresh

from dgtui.engine.check import run_checks
from dgtui.engine.indexer import Indexer
from dgtui.store import Store

SHAPES = "class Widget:\n    def run(self):\n        return 1\n\n\ndef other():\n    return 0\n"
MAKE = "\n\ndef make() -> Widget:\n    return Widget()\n"
#: make before it says what it returns (``make`` is "retyped" rather than new)
UNTYPED = {"appears": "", "is retyped": "\n\ndef make():\n    return 0\n"}
#: another method named run, so that a call of it with an unknown receiver is ambiguous
MORE = "class Job:\n    def run(self):\n        return 2\n"

#: (files beside shapes.py, the atom whose call of run follows what make returns)
CASES = {
    "a caller": ({"use.py": "from shapes import make\n\n\ndef go():\n    y = make()\n    return y.run()\n"},
                 "use.py::go"),
    "a wrapper of the same name": (
        {"wrap.py": "import shapes\n\n\ndef make():\n    return shapes.make()\n",
         "use.py": "from wrap import make\n\n\ndef go():\n    y = make()\n    return y.run()\n"},
        "use.py::go"),
    "a wrapper of another name": (
        {"wrap.py": "import shapes\n\n\ndef build():\n    return shapes.make()\n",
         "use.py": "from wrap import build\n\n\ndef go():\n    y = build()\n    return y.run()\n"},
        "use.py::go"),
    "a method that delegates": (
        {"wrap.py": "import shapes\n\n\nclass Factory:\n    def make(self):\n        return shapes.make()\n",
         "use.py": "from wrap import Factory\n\n\ndef go(f: Factory):\n    y = f.make()\n    return y.run()\n"},
        "use.py::go"),
    "a module-level value": (
        {"use.py": "from shapes import make\n\ny = make()\n\n\ndef go():\n    return y.run()\n"},
        "use.py::go"),
    "a closure": (
        {"use.py": "from shapes import make\n\n\ndef outer():\n    y = make()\n\n"
                   "    def go():\n        return y.run()\n    return go\n"},
        "use.py::outer.go"),
}


def run_call(store: Store, caller: str) -> tuple[str, str | None]:
    [edge] = [e for _, e in store.atoms.edges_from([caller]) if e.short_name == "run"]
    return edge.resolution, edge.target_id


def assert_right(store: Store, root: Path, tmp: Path) -> None:
    assert_same_as_fresh(store, root, tmp)
    report = run_checks(store, str(root))  # the edge log replays to the edges as they are
    assert report.ok, report.as_dict()


def indexed(tmp_path: Path, files: dict[str, str]) -> tuple[Path, Store, Indexer]:
    root = tmp_path / "repo"
    for path, text in files.items():
        write(root / path, text)
    store = Store.open(str(tmp_path / "live.db"))
    indexer = Indexer(str(root), store, workers=1)
    indexer.run()
    indexer.engine.load_symbols()
    return root, store, indexer


def save(root: Path, indexer: Indexer, path: str, text: str | None) -> None:
    """Write ``text`` to ``path`` (None: delete it) and take the save in, as a watcher would."""
    if text is None:
        (root / path).unlink()
    else:
        write(root / path, text)
    assert indexer.sync_paths([path]) is not None


@pytest.mark.parametrize("how", list(UNTYPED))
@pytest.mark.parametrize("case", list(CASES))
def test_a_typed_function_that_comes_and_goes_is_followed(tmp_path: Path, case: str, how: str):
    files, caller = CASES[case]
    before = SHAPES + UNTYPED[how]
    root, store, indexer = indexed(tmp_path, {"shapes.py": before, "more.py": MORE, **files})
    try:
        assert run_call(store, caller) == ("ambiguous", None)
        save(root, indexer, "shapes.py", SHAPES + MAKE)
        assert run_call(store, caller)[1] == "shapes.py::Widget.run"
        assert_right(store, root, tmp_path)
        save(root, indexer, "shapes.py", before)
        assert run_call(store, caller) == ("ambiguous", None)
        assert_right(store, root, tmp_path)
    finally:
        store.close()


def test_a_typed_fixture_that_comes_and_goes_is_followed(tmp_path: Path):
    # No call reaches a fixture: a test's parameter of its name does.
    conftest = "import pytest\nfrom shapes import Widget\n\n\ndef other():\n    return 0\n"
    fixture = "\n\n@pytest.fixture\ndef widget() -> Widget:\n    return Widget()\n"
    root, store, indexer = indexed(tmp_path, {
        "shapes.py": SHAPES, "more.py": MORE, "tests/conftest.py": conftest,
        "tests/unit/test_a.py": "def test_x(widget):\n    assert widget.run()\n"})
    caller = "tests/unit/test_a.py::test_x"
    try:
        save(root, indexer, "tests/conftest.py", conftest + fixture)
        assert run_call(store, caller)[1] == "shapes.py::Widget.run"
        assert_right(store, root, tmp_path)
        save(root, indexer, "tests/conftest.py", conftest)
        assert run_call(store, caller) == ("ambiguous", None)
        assert_right(store, root, tmp_path)
    finally:
        store.close()


def test_a_class_new_in_the_same_file_is_followed_into_a_closure(tmp_path: Path):
    # `y = Child()` names nothing, then the class; the closure reading y follows it.
    body = ("class Base:\n    def load(self, x):\n        def inner():\n            return y.load()\n"
            "        y = Child()\n        return None\n")
    root, store, indexer = indexed(tmp_path, {"a.py": body})
    try:
        save(root, indexer, "a.py", "class Child:\n    def alpha(self, x):\n        return None\n\n\n" + body)
        [edge] = [e for _, e in store.atoms.edges_from(["a.py::Base.load.inner"])]
        assert edge.resolution == "unresolved"  # Child has no load: not a guess by name
        assert_right(store, root, tmp_path)
    finally:
        store.close()


def start_call(store: Store) -> tuple[str, str | None]:
    [edge] = [e for _, e in store.atoms.edges_from(["car.py::Car.drive"]) if e.short_name == "start"]
    return edge.resolution, edge.target_id


ENGINES = {"models.py": "class Engine:\n    def start(self):\n        return 1\n\n\n"
                        "class Gadget:\n    def stop(self):\n        return 0\n",
           "more.py": "class Motor:\n    def start(self):\n        return 2\n",
           # Vehicle is named, not imported: the repository's only class of that name
           "car.py": "class Car(Vehicle):\n    def drive(self):\n        return self.power.start()\n"}


def test_a_base_class_that_comes_and_goes_is_followed_into_its_subclasses(tmp_path: Path):
    root, store, indexer = indexed(tmp_path, ENGINES)
    try:
        assert start_call(store) == ("ambiguous", None)
        save(root, indexer, "vehicle.py", "from models import Engine\n\n\nclass Vehicle:\n"
                                          "    def __init__(self):\n        self.power = Engine()\n")
        assert start_call(store) == ("typed", "models.py::Engine.start")
        assert_right(store, root, tmp_path)
        save(root, indexer, "vehicle.py", None)
        assert start_call(store) == ("ambiguous", None)
        assert_right(store, root, tmp_path)
    finally:
        store.close()


def test_an_attribute_a_base_class_sets_is_followed_into_its_subclasses(tmp_path: Path):
    # Gadget has no start: the call is not looked at again for its name, only for its class.
    vehicle = ("from models import Gadget\n\n\nclass Vehicle:\n"
               "    def __init__(self):\n        self.power = make_power()\n")
    root, store, indexer = indexed(tmp_path, {**ENGINES, "vehicle.py": vehicle})
    try:
        assert start_call(store) == ("ambiguous", None)
        save(root, indexer, "vehicle.py", vehicle.replace("make_power()", "Gadget()"))
        assert start_call(store) == ("unresolved", None)
        assert_right(store, root, tmp_path)
    finally:
        store.close()


def test_a_class_that_comes_and_goes_is_followed_into_the_types_written_with_its_name(tmp_path: Path):
    # `g: Gizmo` calls nothing named Gizmo: the parameter's written type is what changes.
    use = "from shapes import Gizmo\n\n\ndef go(g: Gizmo):\n    return g.run()\n"
    root, store, indexer = indexed(tmp_path, {"shapes.py": SHAPES, "more.py": MORE, "use.py": use})
    try:
        assert run_call(store, "use.py::go") == ("ambiguous", None)
        # a Gizmo has no run: the call is not looked at again for the names the class defines
        save(root, indexer, "shapes.py", SHAPES + "\n\nclass Gizmo:\n    size = 1\n")
        assert run_call(store, "use.py::go") == ("unresolved", None)
        assert_right(store, root, tmp_path)
        save(root, indexer, "shapes.py", SHAPES)
        assert run_call(store, "use.py::go") == ("ambiguous", None)
        assert_right(store, root, tmp_path)
    finally:
        store.close()
