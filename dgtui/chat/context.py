"""What an answerer reads: the index (read only), and the call graph through its walks."""

from __future__ import annotations

import threading
from typing import Any

from .. import query as q
from ..store import Store, StoredAtom


class GraphContext:
    """The index an answer is computed from: every walk reads it (``dgtui.query``), so an answer
    is given at the index's current transaction and nothing is loaded up front."""

    def __init__(self, store: Store):
        self.store = store
        self._keys: tuple[int, dict[str, list[str]]] | None = None
        self._lock = threading.Lock()

    def version(self) -> tuple[int, float | None]:
        """(last transaction, index epoch): the graph version an answer is given at."""
        return q.graph_version(self.store)

    def caller_count(self, atom_id: str, stop_after: int | None = None) -> tuple[int, bool]:
        """(transitive callers of ``atom_id``, exact?): the walk may stop once past
        ``stop_after`` (the count is then a lower bound)."""
        return q.transitive_caller_count(self.store, atom_id, stop_after)

    def cycle_length(self, atom_id: str) -> int | None:
        """The shortest call cycle through ``atom_id``, or None."""
        return q.cycle_length(self.store, atom_id)

    def cycles_through(self, atom_id: str, limit: int) -> list[list[str]]:
        return q.cycles_through(self.store, atom_id, limit=limit)

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
