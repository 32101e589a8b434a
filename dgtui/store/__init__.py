"""The repository index on disk: one SQLite file per repository (see ``schema.py``)."""

from __future__ import annotations

import sqlite3

from .atoms import AtomRepository, FileRow
from .db import StoreBusy, StoreError, connect, describe, release_after_full_disk, with_retries
from .errors import DiskFull
from .events import Event, EventLog, TransactionRow
from .records import StoredAtom


class Store:
    """An open index: its connection, the atom repository and the event log."""

    def __init__(self, conn: sqlite3.Connection, path: str, readonly: bool = False):
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self.atoms = AtomRepository(conn)
        self.events = EventLog(conn)

    @classmethod
    def open(cls, path: str, *, readonly: bool = False, create: bool = True) -> Store:
        return cls(connect(path, readonly=readonly, create=create), path, readonly)

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO "
                          "UPDATE SET value = excluded.value", (key, value))

    def empty_log(self) -> None:
        """Checkpoint the write-ahead log into the database and truncate it (where no reader
        holds it). A writer does this as it starts: a first write that then fails on a full
        disk leaves only uncommitted frames behind, which ``give_back_space`` can drop."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # busy or no room: the log is kept as it is, correct either way

    def defer_checkpoints(self, pages: int) -> None:
        """Let a commit leave up to ``pages`` in the write-ahead log (SQLite folds it into the
        database at 1,000, inside the commit that crosses it): a live writer folds it in while
        quiet instead (``checkpoint``), and a save does not wait for it."""
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database as far as no reader still needs it
        (PASSIVE: nobody waits)."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # busy or no room: the log is kept as it is, correct either way

    def give_back_space(self, exc: BaseException) -> DiskFull | None:
        """After a rolled-back write: when the disk was full, truncate the write-ahead log (the
        failed transaction's frames stay in it otherwise, and keep the disk full for every
        later command) and say how much room the write needed. ``None`` for other failures."""
        return release_after_full_disk(self.conn, self.path, exc)

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap "did anything happen?"."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "AtomRepository", "DiskFull", "Event", "EventLog", "FileRow", "Store",
    "StoreBusy", "StoreError", "StoredAtom", "TransactionRow", "connect", "describe",
    "with_retries",
]
