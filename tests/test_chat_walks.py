"""The walks of the index agree with networkx's answers on the whole graph: the shortest cycle,
the transitive callers (counted, and counted up to a bound), the cycles listed through an atom."""

from __future__ import annotations

import tempfile
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dgtui import query as q
from dgtui.chat.context import GraphContext
from dgtui.engine.indexer import Indexer
from dgtui.store import Store

calls = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30)


def whole_graph(store: Store) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(store.atoms.atom_ids())
    g.add_edges_from(store.atoms.resolved_pairs())
    return g


def cycles_in(g: nx.DiGraph, atom: str) -> set[tuple[str, ...]]:
    """Every simple cycle through ``atom``, starting at it."""
    out = set()
    for cycle in nx.simple_cycles(g):
        if atom in cycle:
            i = cycle.index(atom)
            out.add(tuple(cycle[i:] + cycle[:i]))
    return out


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(calls)
def test_walks_of_the_index_match_networkx(pairs):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "r"
        root.mkdir()
        bodies = {i: sorted({b for a, b in pairs if a == i}) for i in range(12)}
        (root / "g.py").write_text("".join(
            f"def f{i}():\n" + "".join(f"    f{j}()\n" for j in bodies[i]) + "    return 0\n\n\n"
            for i in range(12)))
        with Store.open(str(Path(tmp) / "index.db")) as store:
            Indexer(str(root), store, workers=1).run()
            g = whole_graph(store)
            ctx = GraphContext(store)
            for i in range(12):
                atom = f"g.py::f{i}"
                expected = cycles_in(g, atom)
                listed = q.cycles_through(store, atom, limit=1000, max_length=100)
                assert set(map(tuple, listed)) == expected and len(listed) == len(expected)
                shortest = min((len(c) for c in expected), default=None)
                assert ctx.cycle_length(atom) == q.cycle_length(store, atom) == shortest
                callers = len(nx.ancestors(g, atom))
                assert q.transitive_caller_count(store, atom) == (callers, True)
                n, exact = ctx.caller_count(atom, stop_after=2)
                assert (n, exact) == (callers, True) or (n > 2 and not exact and n <= callers)
                part, edges = q.strongly_connected_part(store, atom)
                scc = next(c for c in nx.strongly_connected_components(g) if atom in c)
                assert part == scc and set(edges) == set(g.subgraph(scc).edges)
