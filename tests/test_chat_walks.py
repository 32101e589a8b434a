"""The index walks the chat uses without a graph agree with the in-memory graph."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dgtui import query as q
from dgtui.chat.context import GraphContext
from dgtui.engine.indexer import Indexer
from dgtui.graph.memory import CallGraph
from dgtui.store import Store

calls = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(calls)
def test_cycle_length_and_caller_count_match_the_graph(pairs):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "r"
        root.mkdir()
        bodies = {i: sorted({b for a, b in pairs if a == i}) for i in range(12)}
        (root / "g.py").write_text("".join(
            f"def f{i}():\n" + "".join(f"    f{j}()\n" for j in bodies[i]) + "    return 0\n\n\n"
            for i in range(12)))
        with Store.open(str(Path(tmp) / "index.db")) as store:
            Indexer(str(root), store, workers=1).run()
            graph = CallGraph.load(store)
            walked, loaded = GraphContext(store), GraphContext(store, graph)
            for i in range(12):
                atom = f"g.py::f{i}"
                shortest = min((len(c) for c in graph.cycles_through(atom, limit=1000)), default=None)
                assert walked.cycle_length(atom) == loaded.cycle_length(atom) == shortest
                assert q.transitive_caller_count(store, atom) == (
                    len(graph.transitive_callers(atom)), True)
                n, exact = walked.caller_count(atom, stop_after=2)
                assert (n, exact) == (len(graph.transitive_callers(atom)), True) or (
                    n > 2 and not exact and n <= len(graph.transitive_callers(atom)))
