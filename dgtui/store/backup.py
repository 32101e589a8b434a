"""Backing up and restoring an index through SQLite's online backup API.

A backup copies the pages of one read transaction, so it is a consistent snapshot even while a
writer commits (WAL: readers never wait for writers). It is written to a temporary file next to
the destination and renamed into place once complete and checked, so an interrupted backup (a
crash, a full disk) never leaves a half file under the name asked for. The copy is switched out
of WAL mode: one self-contained file. Where it may go is ``targets.check_target``'s rule: never
in the data home or onto a store, an existing file only when asked, keeping its mode; a special
file (``/dev/stdout``, a FIFO) gets the finished copy streamed into it.

A restore checks the backup first (ours, a schema this dgtui reads, ``quick_check``), then copies
it into the live index with the same API: under SQLite's locks, so open readers see either the old
index or the restored one, never a mixture, and the file keeps its identity (no rename under
open connections).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..targets import check_target, open_in_place, replacing
from .db import StoreError, connect, describe
from .events import EventLog
from .schema import APPLICATION_ID, SCHEMA_VERSION


@dataclass
class BackupResult:
    path: str
    bytes: int
    pages: int
    atoms: int
    events: int
    transaction: int  # the last transaction the copy holds
    root: str | None  # the repository it indexes
    seconds: float
    in_place: bool = False  # written into a device, FIFO or held descriptor (/dev/stdout)

    def as_dict(self) -> dict:
        return {"path": self.path, "bytes": self.bytes, "pages": self.pages, "atoms": self.atoms,
                "events": self.events, "transaction": self.transaction, "root": self.root,
                "seconds": round(self.seconds, 3)}


def backup(index_db: str, dest: str, *, verify: bool = False, home: str | None = None,
           force: bool = False, confirm: Callable[[str], bool] | None = None) -> BackupResult:
    """Copy the index at ``index_db`` to ``dest``.

    ``dest`` is checked by ``targets.check_target`` (``home``, ``force`` and ``confirm`` are its);
    a regular file is replaced atomically, a special one gets the finished copy written into it.
    ``verify`` runs ``quick_check`` on the copy (as long again as the copy itself); a restore
    always checks the backup it is given.
    """
    t0 = time.perf_counter()
    if not os.path.exists(index_db):
        raise StoreError(f"no index at {index_db} to back up")
    target = check_target(dest, home=home, force=force, confirm=confirm, backup=True)
    dest = target.path
    src = connect(index_db, create=False)
    try:
        if target.in_place:  # built beside the index (the data home is ours to write), then sent
            fd, tmp = tempfile.mkstemp(prefix=".dgtui-backup-", suffix=".tmp",
                                       dir=os.path.dirname(index_db))
            os.close(fd)
            try:
                summary = _copy(src, tmp, verify)
                with open(tmp, "rb") as fh, open_in_place(target, binary=True) as out:
                    size = _stream(fh, out)
            finally:
                os.remove(tmp)
        else:
            with replacing(target, prefix=".dgtui-backup-") as tmp:
                summary = _copy(src, tmp, verify)
                _fsync(tmp)
            _fsync_folder(os.path.dirname(dest))
            size = os.path.getsize(dest)
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe(exc, dest).replace("the index", "the backup")) from exc
    except OSError as exc:  # writing, fsync or rename of the finished copy
        raise StoreError(f"cannot write the backup at {dest}: {exc.strerror or exc}") from exc
    finally:
        src.close()
    atoms, events, tx, root, pages = summary
    return BackupResult(dest, size, pages, atoms, events, tx, root, time.perf_counter() - t0,
                        target.in_place)


def _copy(src: sqlite3.Connection, tmp: str, verify: bool) -> tuple[int, int, int, str | None, int]:
    dst = sqlite3.connect(tmp, isolation_level=None)
    try:
        # A scratch file until renamed: no journal, no syncs (one fsync at the end).
        dst.execute("PRAGMA journal_mode = OFF")
        dst.execute("PRAGMA synchronous = OFF")
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode = DELETE")
        return _summary(dst, tmp, verify)
    finally:
        dst.close()


def _stream(src, out) -> int:
    size = 0
    while chunk := src.read(1 << 20):
        out.write(chunk)
        size += len(chunk)
    return size


def inspect_backup(path: str) -> tuple[int, int, int, str | None, int]:
    """(atoms, events, last transaction, root, pages) of a backup file, after checking it."""
    if not os.path.isfile(path):
        raise StoreError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open it ({exc})") from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise StoreError(f"{path} is not a dgtui index backup")
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path} was written by a newer dgtui (schema {version} > "
                             f"{SCHEMA_VERSION})")
        return _summary(conn, path, verify=True)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is damaged or not a dgtui index backup ({exc})") from exc
    finally:
        conn.close()


def restore(backup_path: str, index_db: str) -> BackupResult:
    """Replace the index at ``index_db`` with the backup's content (checked first)."""
    t0 = time.perf_counter()
    atoms, events, tx, root, pages = inspect_backup(backup_path)
    src = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True, isolation_level=None)
    try:
        os.makedirs(os.path.dirname(index_db) or ".", exist_ok=True)
        dst = _open_target(index_db)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StoreError(f"the restored index at {index_db} does not check out")
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe(exc, index_db)) from exc
    finally:
        src.close()
    return BackupResult(index_db, os.path.getsize(index_db), pages, atoms, events, tx, root,
                        time.perf_counter() - t0)


def _open_target(index_db: str) -> sqlite3.Connection:
    """The live index to restore into; a damaged or foreign file there is replaced outright:
    restoring a backup is one safe way on from a damaged index."""
    try:
        return connect(index_db)
    except StoreError:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(index_db + suffix)
        return sqlite3.connect(index_db, isolation_level=None)


def _summary(conn: sqlite3.Connection, path: str, verify: bool) -> tuple[int, int, int, str | None, int]:
    if verify:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StoreError(f"{path} failed its check: {result}")
    atoms = conn.execute("SELECT count(*) FROM atoms").fetchone()[0]
    try:
        events = EventLog(conn).event_count()
    except sqlite3.OperationalError:  # a backup from before baselines (schema < 4)
        events = conn.execute("SELECT count(*) FROM atom_events").fetchone()[0]
    tx = conn.execute("SELECT coalesce(max(id), 0) FROM transactions "
                      "WHERE committed_at IS NOT NULL").fetchone()[0]
    row = conn.execute("SELECT value FROM meta WHERE key = 'root'").fetchone()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return atoms, events, tx, row[0] if row else None, pages


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
