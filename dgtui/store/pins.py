"""The watch list: the atoms one user pinned in one repository, a private SQLite file.

``{home}/chat-history/{userId}/{repositoryId}/pins.db`` sits beside the chat history and is kept
the same way (folders ``0700``, files ``0600``, refused when another account owns them): which
atoms someone watches is theirs, like what they ask. It is not index data, so it is written
here, by the watch-list service (``dgtui.chat.watchlist``), never by the engine; re-indexing or
clearing the chat leaves it alone.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from ..targets import PINS_APPLICATION_ID
from .db import StoreError
from .sidecar import SidecarSchema, check_private_dirs, claim_owner, open_sidecar

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE pins (
    atom_id TEXT PRIMARY KEY,
    depth INTEGER NOT NULL CHECK (depth >= 0),  -- how many calls away a change still counts
    name TEXT NOT NULL,                           -- for the list when the atom is gone
    file_path TEXT,
    pinned_at REAL NOT NULL,
    since_tx INTEGER NOT NULL DEFAULT 0,          -- the index's last transaction when pinned
    index_epoch REAL                              -- which index that transaction belongs to
);
"""

SCHEMA = SidecarSchema("watch list", PINS_APPLICATION_ID, {1: _V1})


@dataclass(frozen=True)
class Pin:
    """One pinned atom and how far around it a change counts."""

    atom_id: str
    depth: int
    name: str
    file_path: str | None
    pinned_at: float
    since_tx: int = 0
    index_epoch: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_COLUMNS = "atom_id, depth, name, file_path, pinned_at, since_tx, index_epoch"


def _root(path: str) -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(path)))  # {home}/chat-history


class PinStore:
    """The pins of one user about one repository."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()  # the explorer writes from worker threads

    @classmethod
    def open(cls, path: str, user_id: str, repo_id: str) -> PinStore:
        """Open (creating privately) the file; ``path`` is ``RepoPaths.pins_db(user)``."""
        store = cls(open_sidecar(path, SCHEMA, private_root=_root(path)), path)
        store._claim(user_id, repo_id)
        return store

    @staticmethod
    def check_owner(path: str) -> None:
        """Refuse a folder of another account before reading a file that is not there."""
        check_private_dirs(os.path.dirname(path), _root(path))

    def _claim(self, user_id: str, repo_id: str) -> None:
        with self._lock:
            owner = claim_owner(self.conn, user_id, repo_id)
        if owner is not None:
            self.close()
            raise StoreError(f"{self.path} holds the watch list of user {owner.get('user_id')!r} "
                             f"about {owner.get('repo_id')!r}, not of {user_id!r} about {repo_id!r}")

    def put(self, pin: Pin) -> Pin:
        """Pin an atom, or change the depth and names of a pin (its time is kept)."""
        with self._lock:
            self.conn.execute(
                f"INSERT INTO pins ({_COLUMNS}) VALUES (?,?,?,?,?,?,?) ON CONFLICT(atom_id) DO "
                "UPDATE SET depth = excluded.depth, name = excluded.name, "
                "file_path = excluded.file_path",
                (pin.atom_id, pin.depth, pin.name, pin.file_path,
                 pin.pinned_at or time.time(), pin.since_tx, pin.index_epoch))
            got = self.get(pin.atom_id)
        assert got is not None
        return got

    def get(self, atom_id: str) -> Pin | None:
        with self._lock:
            row = self.conn.execute(f"SELECT {_COLUMNS} FROM pins WHERE atom_id = ?",
                                    (atom_id,)).fetchone()
        return Pin(*row) if row else None

    def all(self) -> list[Pin]:
        """Oldest pin first."""
        with self._lock:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM pins ORDER BY pinned_at, atom_id").fetchall()
        return [Pin(*r) for r in rows]

    def remove(self, atom_id: str) -> bool:
        with self._lock:
            return self.conn.execute("DELETE FROM pins WHERE atom_id = ?", (atom_id,)).rowcount > 0

    def move(self, old_id: str, new_id: str, name: str, file_path: str | None) -> bool:
        """A pinned atom was renamed or moved: the pin follows it (merging with a pin the new
        id already has). True when there was a pin to move."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if self.conn.execute("SELECT 1 FROM pins WHERE atom_id = ?", (new_id,)).fetchone():
                    moved = self.conn.execute("DELETE FROM pins WHERE atom_id = ?", (old_id,)).rowcount
                else:
                    moved = self.conn.execute(
                        "UPDATE pins SET atom_id = ?, name = ?, file_path = ? WHERE atom_id = ?",
                        (new_id, name, file_path, old_id)).rowcount
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return moved > 0

    def close(self) -> None:
        self.conn.close()
