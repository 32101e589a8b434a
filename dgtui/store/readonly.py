"""Opening the index for readers that must never change it (chat, brain)."""

from __future__ import annotations

import os

from . import Store
from .db import StoreError


class NoIndex(StoreError):
    """The repository has not been indexed yet."""


def open_index_readonly(path: str, root: str | None = None) -> Store:
    """The index, opened so that no write through this connection can succeed: SQLite's
    read-only mode where it can be used, and ``query_only`` in every case."""
    if not os.path.exists(path):
        where = f" for {root}" if root else ""
        raise NoIndex(f"no index{where} yet; run `dgtui index` first")
    try:
        store = Store.open(path, readonly=True)
        store.conn.execute("SELECT count(*) FROM atoms").fetchone()
    except Exception:  # WAL without its -shm in a read-only folder: a normal connection
        store = Store.open(path, create=False)
    store.conn.execute("PRAGMA query_only = ON")
    return store
