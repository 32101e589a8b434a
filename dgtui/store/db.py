"""Opening index databases: WAL, pragmas, migrations, and errors a user can act on."""

from __future__ import annotations

import errno
import os
import random
import sqlite3
import time
import urllib.parse
from collections.abc import Callable
from typing import TypeVar

from .errors import DiskFull, StoreBusy, StoreError
from .schema import APPLICATION_ID, migrate

T = TypeVar("T")
BUSY_TIMEOUT_MS = 2000


def connect(path: str, *, readonly: bool = False, create: bool = True) -> sqlite3.Connection:
    """Open (and, for writers, create or migrate) an index database.

    Autocommit mode (``isolation_level=None``): transactions are explicit ``BEGIN IMMEDIATE``
    blocks in the engine, so a read never holds a lock it did not ask for.
    """
    if readonly or not create:
        if not os.path.exists(path):
            raise StoreError(f"no index at {path}")
    else:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        if readonly:
            conn = open_readonly(path)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA cell_size_check = ON")  # damaged pages: an error, not wrong rows
        _check_ours(conn, path, create)
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode: a commit survives a crash of dgtui; a power cut may lose the last
        # transactions, which the next start re-derives from the files on disk.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA temp_store = MEMORY")
        # No memory map: with cell_size_check every page fetched through a map is checked
        # again on each fetch, which doubled random-read queries; the page cache checks it once.
        conn.execute("PRAGMA cache_size = -65536")
        if not readonly:
            migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe(exc, path)) from exc
    return conn


def open_readonly(path: str, what: str = "index") -> sqlite3.Connection:
    """A read-only connection, also where dgtui may not write at all.

    ``mode=ro`` needs the WAL's shared-memory file (``-shm``), which SQLite creates beside the
    database: impossible on a read-only mount or in another account's folder when no writer
    has it open. Then, if no write-ahead log holds changes, nothing can be changing the file
    (a writer would have created them), and ``immutable=1`` reads it without the shared memory.
    A log with changes a read-only folder cannot apply is said as such.
    """
    uri = "file:" + urllib.parse.quote(path)
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA schema_version").fetchone()  # opening is lazy: open it now
        return conn
    except sqlite3.OperationalError:
        folder = os.path.dirname(path) or "."
        if os.access(folder, os.W_OK) or os.path.exists(path + "-shm"):
            raise
    if _size(path + "-wal"):
        raise StoreError(f"the {what} at {path} has changes in its write-ahead log that a "
                         "read-only folder cannot apply; open it once where it is writable")
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None,
                           check_same_thread=False)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _check_ours(conn: sqlite3.Connection, path: str, create: bool = True) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and version != 0):
        raise StoreError(f"{path} is not a dgtui index (another program's SQLite file); "
                         "run `dgtui index --rebuild` to replace it")
    if app_id == 0 and version == 0:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise StoreError(f"{path} is not a dgtui index; run `dgtui index --rebuild` to replace it")
        if not create:
            raise StoreError(f"the index at {path} is empty (a first index that never finished, "
                             "or a damaged file); run `dgtui index --rebuild` to build it")


def describe(exc: BaseException, path: str | None = None) -> str:
    """One line saying what went wrong with the database and what to do (``path`` may be "")."""
    msg = " ".join(str(exc).split())
    low = msg.lower()
    path = path or ""
    at = f" at {path}" if path else ""
    if ("not a database" in low or "malformed" in low or "corrupt" in low
            or "could not decode" in low):
        return f"the index{at} is damaged ({msg}); run `dgtui index --rebuild` to rebuild it"
    if "disk is full" in low or (("i/o error" in low or "unable to open" in low)
                                 and path and _nearly_full(path)):
        return f"no space left for the index{at}; free some space and run the command again"
    if "readonly" in low or "read-only" in low:
        what = f"the index{at}" if path else "dgtui's data home"
        return f"{what} is read-only here ({msg}): it can be read, not updated"
    if "locked" in low or "busy" in low:
        return f"the index{at} is busy (another dgtui is writing); try again"
    if "i/o error" in low:
        return (f"the disk refused a write to the index{at} ({msg}): it may be full, over a size "
                "limit or failing; make room or check it, then run the command again")
    if "unable to open" in low:
        if path and os.path.isdir(path):
            return f"{path} is a folder, not an index file; move it away and run `dgtui index`"
        return f"cannot open the index{at} ({msg})"
    return f"index error{at}: {msg}"


def release_after_full_disk(conn: sqlite3.Connection, path: str,
                            exc: BaseException) -> DiskFull | None:
    """See ``Store.give_back_space``: ``exc`` was raised by a write that was rolled back."""
    low = str(exc).lower()
    full = ("disk is full" in low or getattr(exc, "errno", None) in (errno.ENOSPC, errno.EFBIG)
            or (("i/o error" in low or "unable to open" in low) and _nearly_full(path)))
    if not full:
        return None
    wal = _size(path + "-wal")  # what the write had written before the disk filled
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # a reader still holds the log: it is reused, not grown, by the next write
    free = _free_bytes(path)
    need = f"the write needed more than {_mb(wal)}" if wal else "the write needed more room"
    return DiskFull(f"no space left for the index at {path}: {need} ({_mb(free)} is free now); "
                    "free some space and run the command again")


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def _free_bytes(path: str) -> int:
    try:
        st = os.statvfs(os.path.dirname(path) or ".")
    except OSError:
        return 0
    return st.f_bavail * st.f_frsize


def _nearly_full(path: str) -> bool:
    """Whether the filesystem holding ``path`` has (almost) no room left: SQLite reports a full
    disk as "disk I/O error" when it cannot even create its WAL or shared-memory file."""
    folder = path
    while folder and not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    try:
        st = os.statvfs(folder or ".")
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1024 * 1024


def with_retries(fn: Callable[[], T], *, attempts: int = 3, base_delay: float = 0.05) -> T:
    """Run ``fn`` (a whole transaction) again when SQLite says busy/locked, with backoff."""
    for attempt in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            low = str(exc).lower()
            if "locked" not in low and "busy" not in low:
                raise
            if attempt == attempts - 1:
                raise StoreBusy(str(exc)) from exc
            time.sleep(base_delay * (2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")
