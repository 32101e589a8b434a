"""Differential properties: any sequence of edits applied incrementally leaves the store equal to
a fresh full index of the final files, and replaying the event log gives today's atoms."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgtui.engine.check import run_checks
from dgtui.engine.indexer import Indexer
from dgtui.engine.writer import Engine
from dgtui.model import AtomFilter
from dgtui.store import Store

NAMES = ["alpha", "beta", "gamma", "save", "load"]
CLASSES = ["Base", "Child", "Other"]
FILES = ["a.py", "b.py", "pkg/__init__.py", "pkg/c.py", "web/d.js", "web/e.js"]


#: Statements whose calls resolve through the types the code states: annotated parameters,
#: constructors, return annotations, attributes set on self in another method.
TYPED = ["x.save()", "x.load()", "y = Child()", "y = alpha()", "y.save()", "y.load()",
         "self.attr = Other()", "self.attr = Base()", "self.attr.save()", "self.attr.load()",
         "z = self.attr", "z.alpha()"]


@st.composite
def python_function(draw, indent: str = "") -> str:
    name = draw(st.sampled_from(NAMES))
    calls = draw(st.lists(st.sampled_from(
        [f"{n}()" for n in NAMES] + ["self.save()", "self.load()", "x.alpha()", "Base()",
         "super().save()", "mod.beta()", "print(1)"] + TYPED), max_size=4))
    body = "\n".join(f"{indent}    {c}" for c in calls) or f"{indent}    pass"
    is_async = draw(st.booleans())
    param = draw(st.sampled_from(["x", "x: Base", "x: Child", "x: 'Other'", "x: Optional[Base]"]))
    returns = draw(st.sampled_from(["", " -> Base", " -> Child", " -> 'Other'"]))
    return f"{indent}{'async ' if is_async else ''}def {name}(self, {param}){returns}:\n{body}\n"


@st.composite
def python_file(draw) -> str:
    parts = []
    imports = draw(st.lists(st.sampled_from([
        "from .c import alpha", "from pkg import c as mod", "import pkg.c as mod",
        "from a import Base", "from b import *", "from pkg.c import Child",
        "from a import Other"]), max_size=3, unique=True))
    parts += [i + "\n" for i in imports]
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            parts.append(draw(python_function()))
        else:
            cls = draw(st.sampled_from(CLASSES))
            base = draw(st.sampled_from(["", "(Base)", "(Child)", "(Other)"]))
            methods = "".join(draw(st.lists(python_function(indent="    "), min_size=1, max_size=2)))
            parts.append(f"class {cls}{base}:\n{methods}")
    return "\n".join(parts)


@st.composite
def js_file(draw) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append("const { alpha } = require('./e');")
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(NAMES))
        call = draw(st.sampled_from([f"{n}()" for n in NAMES] + ["this.save()", "res.load()"]))
        form = draw(st.sampled_from([
            f"function {name}() {{ {call}; }}", f"const {name} = async () => {call};",
            f"res.{name} = function () {{ return {call}; }};", f"exports.{name} = () => {call};"]))
        lines.append(form)
    return "\n".join(lines) + "\n"


edit = st.tuples(st.sampled_from(FILES), st.one_of(st.none(), st.just("same")))


@st.composite
def edit_sequence(draw):
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        path = draw(st.sampled_from(FILES))
        if draw(st.integers(0, 4)) == 0:
            steps.append((path, None))  # delete
        else:
            steps.append((path, draw(js_file() if path.endswith(".js") else python_file())))
    return steps


def apply_step(root: Path, path: str, text: str | None) -> None:
    target = root / path
    if text is None:
        if target.exists():
            target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("DGTUI_PROPERTY_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=edit_sequence(), edits=st.lists(edit_sequence(), min_size=1, max_size=4))
def test_incremental_equals_full_rebuild_and_replay(initial, edits):
    tmp = Path(tempfile.mkdtemp())
    try:
        root = tmp / "repo"
        root.mkdir()
        for path, text in initial:
            apply_step(root, path, text)
        store = Store.open(str(tmp / "live.db"))
        engine = Engine(store)
        indexer = Indexer(str(root), store, engine, workers=1)
        indexer.run()
        for batch in edits:
            for path, text in batch:
                apply_step(root, path, text)
            # the watcher's path: exactly the paths touched, present or gone
            indexer.sync_paths([p for p, _ in batch], source="file-watcher")
        fresh = Store.open(str(tmp / "fresh.db"))
        Indexer(str(root), fresh, workers=1).run()
        assert snapshot(store) == snapshot(fresh)
        current = {s.id: s.atom for s in store.atoms.query(AtomFilter())}
        assert store.events.replay() == current
        report = run_checks(store, str(root))
        assert report.ok, report.as_dict()
        store.close()
        fresh.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
