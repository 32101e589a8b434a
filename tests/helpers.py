"""Helpers for tests that index a repository into a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from dgtui.engine.indexer import Indexer
from dgtui.model import Edge, IndexSummary
from dgtui.store import Store


def index_repo(root: Path, db: Path, workers: int | None = 1, source: str = "index") -> tuple[Store, IndexSummary]:
    store = Store.open(str(db))
    summary = Indexer(str(root), store, workers=workers).run(source=source)
    return store, summary


def edges_of(store: Store) -> dict[tuple[str, str, int], Edge]:
    out = {}
    for _, e in store.atoms.edges_from([r[0] for r in store.conn.execute("SELECT id FROM atoms")]):
        out[(e.source_id, e.callee, e.line)] = e
    return out


def edge(store: Store, source: str, callee: str) -> Edge:
    matches = [e for (s, c, _), e in edges_of(store).items() if s == source and c == callee]
    assert len(matches) == 1, f"{source} -> {callee}: {matches}"
    return matches[0]


def snapshot(store: Store) -> dict:
    """Atoms and edges in a comparable form (what a full index must equal)."""
    atoms = sorted(tuple(r) for r in store.conn.execute(
        "SELECT id, file_path, name, qualified_name, kind, line, end_line, signature, docstring, "
        "is_async, is_exported, complexity, body_hash, parent_id, owner, data FROM atoms"))
    edges = sorted(tuple(r) for r in store.conn.execute(
        "SELECT source_id, coalesce(target_id, ''), callee, short_name, line, resolution, candidates "
        "FROM edges"))
    return {"atoms": atoms, "edges": edges}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
