"""What an answerer reads: the index (read only) and the call graph, loaded only when needed."""

from __future__ import annotations

import threading
from typing import Any

from .. import query as q
from ..graph import CallGraph
from ..store import Store, StoredAtom


class GraphContext:
    """The index and graph an answer is computed from.

    ``graph`` may be a live ``CallGraph`` a UI already keeps in step with the engine; otherwise
    one is loaded from the index the first time a question needs it (cycles, transitive
    callers) and caught up with later transactions before each use.
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
                self._graph = CallGraph.load(self.store)
            elif self._owns_graph:
                self._graph.catch_up(self.store)
            return self._graph

    def name_keys(self) -> dict[str, list[str]]:
        """The fuzzy-matching vocabulary, built once per transaction of the index."""
        tx = self.store.events.last_transaction_id()
        with self._lock:
            if self._keys is None or self._keys[0] != tx:
                self._keys = (tx, q.name_keys(self.store))
            return self._keys[1]

    def match(self, ref: str, file_hint: str | None = None,
              limit: int = 10) -> tuple[list[StoredAtom], str]:
        return q.match_atoms(self.store, ref, file_hint=file_hint, limit=limit,
                             keys=self.name_keys())

    def atom_row(self, atom_id: str) -> dict[str, Any] | None:
        stored = self.store.atoms.get(atom_id)
        return q.atom_dict(stored) if stored else None
