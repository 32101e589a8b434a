"""What an answerer reads: the index (read only) and the call graph, loaded only when needed."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .. import query as q
from ..store import Store, StoredAtom

if TYPE_CHECKING:
    from ..graph.memory import CallGraph


class GraphContext:
    """The index and graph an answer is computed from.

    ``graph`` may be a live ``CallGraph`` a UI already keeps in step with the engine; otherwise
    one is loaded from the index the first time a question needs the whole graph (listing
    cycles) and caught up with later transactions before each use. Smaller questions (is it in
    a cycle, does it have more than N callers) use the graph when there is one and otherwise
    walk the index, so a one-shot command does not pay for loading the graph.
    """

    def __init__(self, store: Store, graph: CallGraph | None = None):
        self.store = store
        self._graph = graph
        self._owns_graph = graph is None
        self._keys: tuple[int, dict[str, list[str]]] | None = None
        self._lock = threading.Lock()

    def version(self) -> tuple[int, float | None]:
        """(last transaction, index epoch): the graph version an answer is given at."""
        return q.graph_version(self.store)

    @property
    def graph(self) -> CallGraph:
        with self._lock:
            if self._graph is None:
                from ..graph.memory import CallGraph  # networkx: imported only when needed

                self._graph = CallGraph.load(self.store)
            elif self._owns_graph:
                self._graph.catch_up(self.store)
            return self._graph

    def caller_count(self, atom_id: str, stop_after: int | None = None) -> tuple[int, bool]:
        """(transitive callers of ``atom_id``, exact?): without a graph the index is walked,
        and the walk may stop once past ``stop_after`` (the count is then a lower bound)."""
        if self._graph is not None:
            return len(self.graph.transitive_callers(atom_id)), True
        return q.transitive_caller_count(self.store, atom_id, stop_after)

    def cycle_length(self, atom_id: str) -> int | None:
        """The shortest call cycle through ``atom_id``, or None."""
        if self._graph is None:
            return q.cycle_length(self.store, atom_id)
        graph = self.graph
        frontier, seen, length = [atom_id], {atom_id}, 0
        while frontier:
            length += 1
            following = []
            for node in frontier:
                for callee in graph.callees(node):
                    if callee == atom_id:
                        return length
                    if callee not in seen:
                        seen.add(callee)
                        following.append(callee)
            frontier = following
        return None

    def name_keys(self) -> dict[str, list[str]]:
        """The fuzzy-matching vocabulary, built once per transaction of the index."""
        tx = q.version(self.store)
        with self._lock:
            if self._keys is None or self._keys[0] != tx:
                self._keys = (tx, q.name_keys(self.store))
            return self._keys[1]

    def match(self, ref: str, file_hint: str | None = None,
              limit: int = 10) -> tuple[list[StoredAtom], str]:
        return q.match_atoms(self.store, ref, file_hint=file_hint, limit=limit,
                             keys=self.name_keys)

    def atom_row(self, atom_id: str) -> dict[str, Any] | None:
        stored = q.stored_atom(self.store, atom_id)
        return q.atom_dict(stored) if stored else None
