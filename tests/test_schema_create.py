"""A new index file gets its whole schema in one transaction: a process killed, or a step that
fails, while it is made leaves the file as it was, never a schema half made that a later open
would read as an index of an older version (tests/test_crash.py kills processes at random
moments of their first run)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dgtui.store import Store
from dgtui.store.schema import SCHEMA_VERSION, migrate


def tables(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_a_new_index_is_made_whole_or_not_at_all(tmp_path: Path):
    # (Store.open refuses a file holding another program's tables before it makes a schema, so
    # the failing step is met through migrate itself, on a real file.)
    db = tmp_path / "index.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("CREATE TABLE edge_rows (x)")  # a name a late step of the schema creates
    with pytest.raises(sqlite3.OperationalError, match="edge_rows"):
        migrate(conn)
    conn.close()
    assert tables(db) == {"edge_rows"}  # not the atoms table of the first step
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


def test_a_new_index_gets_the_whole_schema(tmp_path: Path):
    db = tmp_path / "index.db"
    Store.open(str(db)).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert {"atoms", "edge_rows", "files", "transactions"} <= tables(db)
