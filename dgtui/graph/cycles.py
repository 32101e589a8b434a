"""Call cycles through one atom: networkx's simple-cycle search, which SQL walks cannot do.

It runs on the atom's strongly connected part only (the query layer reads it from the ``edges``
table, ``query.cycles_through``): every cycle through the atom lies inside it, and no process
keeps the whole call graph in memory (docs/architecture.md, "One graph").
"""

from __future__ import annotations

from collections.abc import Iterable


def cycles_through(atom_id: str, part: Iterable[str], edges: Iterable[tuple[str, str]],
                   limit: int = 20, max_length: int = 12) -> list[list[str]]:
    """Simple cycles through ``atom_id`` (recursion included), each starting at it, at most
    ``limit`` of at most ``max_length`` calls. ``part``: the atoms of its strongly connected
    part; ``edges``: the resolved calls between them. Nodes and edges are added in sorted order,
    so the same graph lists the same cycles."""
    import networkx as nx  # a third of a second to import: only when cycles are listed

    g = nx.DiGraph()
    g.add_nodes_from(sorted(part))
    g.add_edges_from(sorted(edges))
    out: list[list[str]] = []
    for cycle in nx.simple_cycles(g, length_bound=max_length):
        if atom_id in cycle:
            i = cycle.index(atom_id)
            out.append(cycle[i:] + cycle[:i])
            if len(out) >= limit:
                break
    return out
