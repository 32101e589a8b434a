"""Helpers for the chat and brain tests: indexed fixture repositories and store dumps."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from dgtui.chat import ChatSession
from dgtui.engine.indexer import Indexer
from dgtui.paths import RepoPaths, repository_root
from dgtui.store import Store


def paths_for(root: Path) -> RepoPaths:
    return RepoPaths.for_root(repository_root(str(root)))


def index(root: Path, source: str = "index") -> RepoPaths:
    """Index (or bring up to date) ``root`` in the data home of ``$DGTUI_HOME``."""
    paths = paths_for(root)
    with Store.open(paths.index_db) as store:
        Indexer(paths.root, store, workers=1).run(source=source)
    return paths


def session(root: Path, user: str = "ann") -> ChatSession:
    return ChatSession.open(paths_for(root), user)


def dump(db: str) -> list[str] | None:
    """The logical content of a SQLite file (None when there is no file)."""
    if not os.path.exists(db):
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def tree(folder: str) -> list[str]:
    """Every file below ``folder`` (relative), to see that nothing appeared or vanished."""
    out = []
    for base, _dirs, files in os.walk(folder):
        out += [os.path.relpath(os.path.join(base, f), folder) for f in files]
    return sorted(f for f in out if not f.endswith(("-wal", "-shm")))
