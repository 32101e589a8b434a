"""The call graph in memory: a networkx DiGraph keyed by atom id.

Nodes carry ``name``, ``kind`` and ``file``; an edge means "calls" (resolved calls only:
unresolved and ambiguous calls stay rows in the store, listed on demand). Loaded from the store
once, then kept in step by applying each committed ``Delta``; a process that is not the writer
catches up by reading the transactions it has not seen.
"""

from __future__ import annotations

import threading

import networkx as nx

from ..model import Delta
from ..store import Store


class CallGraph:
    def __init__(self) -> None:
        self.g: nx.DiGraph = nx.DiGraph()
        self.version = 0  # the last transaction applied
        self.lock = threading.RLock()  # the engine thread writes, UI threads read

    @classmethod
    def load(cls, store: Store) -> CallGraph:
        graph = cls()
        conn = store.conn
        conn.execute("BEGIN")  # one consistent snapshot of atoms, edges and the version
        try:
            graph.version = store.events.last_transaction_id()
            g = graph.g
            g.add_nodes_from((i, {"name": n, "kind": k, "file": f}) for i, n, k, f in conn.execute(
                "SELECT id, name, kind, file_path FROM atoms"))
            g.add_edges_from(store.atoms.resolved_pairs())
        finally:
            conn.execute("COMMIT")
        return graph

    def reload(self, store: Store) -> None:
        """Replace the graph with a fresh load from the store (after an inconsistency)."""
        fresh = CallGraph.load(store)
        with self.lock:
            self.g, self.version = fresh.g, fresh.version

    def apply(self, delta: Delta) -> None:
        """Apply a committed transaction (from this process's engine)."""
        with self.lock:
            g = self.g
            for change in delta.changes:
                if change.operation == "delete":
                    if g.has_node(change.atom_id):
                        g.remove_node(change.atom_id)
                else:
                    g.add_node(change.atom_id, name=change.name, kind=change.kind, file=change.file_path)
            g.remove_edges_from(delta.edges_removed)
            g.add_edges_from(e for e in delta.edges_added)
            self.version = max(self.version, delta.transaction_id)

    def catch_up(self, store: Store) -> list[int]:
        """Apply transactions another process committed since ``version``; returns their ids."""
        txs = store.events.transactions(since=self.version)
        if not txs:
            return []
        with self.lock:
            g = self.g
            for tx in txs:
                for atom_id, op, name, kind, path in store.conn.execute(
                        "SELECT atom_id, operation, json_extract(delta, '$.atom.name'), "
                        "json_extract(delta, '$.atom.kind'), file_path FROM atom_events "
                        "WHERE transaction_id = ? ORDER BY id", (tx.id,)):
                    if op == "delete":
                        if g.has_node(atom_id):
                            g.remove_node(atom_id)
                    elif op == "create":
                        g.add_node(atom_id, name=name, kind=kind, file=path)
                    elif op == "update" and not g.has_node(atom_id):
                        g.add_node(atom_id)
                added, removed = store.events.edge_changes(tx.id)
                g.remove_edges_from(removed)
                g.add_edges_from(added)
                self.version = tx.id
        return [tx.id for tx in txs]

    # -- questions ---------------------------------------------------------------------------
    def callers(self, atom_id: str) -> list[str]:
        with self.lock:
            return list(self.g.predecessors(atom_id)) if atom_id in self.g else []

    def callees(self, atom_id: str) -> list[str]:
        with self.lock:
            return list(self.g.successors(atom_id)) if atom_id in self.g else []

    def transitive_callers(self, atom_id: str, max_depth: int | None = None) -> dict[str, int]:
        """Every atom that reaches ``atom_id``, with its distance."""
        with self.lock:
            if atom_id not in self.g:
                return {}
            dist = nx.single_source_shortest_path_length(self.g.reverse(copy=False), atom_id,
                                                         cutoff=max_depth)
        dist.pop(atom_id, None)
        return dist

    def cycles_through(self, atom_id: str, limit: int = 20, max_length: int = 12) -> list[list[str]]:
        """Simple cycles that pass through ``atom_id`` (recursion included)."""
        with self.lock:
            if atom_id not in self.g:
                return []
            scc = next((c for c in nx.strongly_connected_components(self.g) if atom_id in c), {atom_id})
            sub = self.g.subgraph(scc).copy()
        out: list[list[str]] = []
        for cycle in nx.simple_cycles(sub, length_bound=max_length):
            if atom_id in cycle:
                i = cycle.index(atom_id)
                out.append(cycle[i:] + cycle[:i])
                if len(out) >= limit:
                    break
        return out

    def node_edge_sets(self) -> tuple[set[str], set[tuple[str, str]]]:
        with self.lock:
            return set(self.g.nodes), set(self.g.edges)

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {"nodes": self.g.number_of_nodes(), "edges": self.g.number_of_edges()}
