"""Opening the databases that live beside the index: the project brain and the chat history.

Each is its own SQLite file with its own ``application_id``, so a brain can never be opened as a
chat, nor either as an index. Chat files are private: their folders are created ``0700`` and the
database ``0600`` before SQLite touches it (SQLite gives the ``-wal`` and ``-shm`` files the mode
of the database file), so another account cannot read them even in a shared data home.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from dataclasses import dataclass

from .db import BUSY_TIMEOUT_MS, StoreError, open_readonly
from .schema import _statements

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class SidecarSchema:
    """What a sidecar database is: its name for messages, its id and its migrations."""

    what: str  # "project brain", "chat history": used in error messages
    application_id: int
    migrations: dict[int, str]  # version N-1 -> N

    @property
    def version(self) -> int:
        return max(self.migrations)


def open_sidecar(path: str, schema: SidecarSchema, *,
                 private_root: str | None = None) -> sqlite3.Connection:
    """Open (creating and migrating) a sidecar database in autocommit mode.

    With ``private_root`` (a folder above ``path``) the database is private: see
    ``make_private_dirs``; the files are ``0600``.
    """
    folder = os.path.dirname(path)
    private = private_root is not None
    if os.path.exists(path) and not os.access(folder, os.W_OK):
        return _open_readonly(path, schema, private_root)
    if private:
        make_private_dirs(folder, private_root)
        _create_private_file(path)
    else:
        os.makedirs(folder, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_ours(conn, path, schema)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if private:
            conn.execute("PRAGMA secure_delete = ON")  # cleared messages leave no readable pages
        _migrate(conn, path, schema)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the {schema.what} at {path} cannot be used ({exc})") from exc
    if private:
        for suffix in ("", "-wal", "-shm"):
            _tighten(path + suffix, PRIVATE_FILE)
    return conn


def _open_readonly(path: str, schema: SidecarSchema, private_root: str | None) -> sqlite3.Connection:
    """A sidecar in a folder this process cannot write (a read-only mount, a shared data home
    read by another account): read as it is; writing it says the folder is read-only."""
    if private_root is not None:
        check_private_dirs(os.path.dirname(path), private_root)
    try:
        conn = open_readonly(path, schema.what)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_ours(conn, path, schema)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the {schema.what} at {path} cannot be used ({exc})") from exc
    if version != schema.version:
        conn.close()
        raise StoreError(f"the {schema.what} at {path} has schema {version}, this dgtui reads "
                         f"{schema.version}, and its folder is read-only: it cannot be upgraded")
    return conn


def claim_owner(conn: sqlite3.Connection, user_id: str, repo_id: str) -> dict[str, str] | None:
    """Record in a private store's ``meta`` whose it is (user and repository) when it says
    nothing yet; None when it is theirs, else what it says (the caller refuses it)."""
    owner = dict(conn.execute("SELECT key, value FROM meta"))
    if not owner:
        conn.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                         [("user_id", user_id), ("repo_id", repo_id)])
        owner = dict(conn.execute("SELECT key, value FROM meta"))
    return None if (owner.get("user_id"), owner.get("repo_id")) == (user_id, repo_id) else owner


def make_private_dirs(folder: str, root: str) -> None:
    """Create ``folder`` and every folder between ``root`` and it as ``0700``.

    Folders below ``root`` that exist with wider modes are tightened, and one owned by another
    account is an error. ``root`` itself is created ``0700`` but never changed when it exists:
    on a shared data home an administrator may make it a drop box (``1733``) so that each
    account can create its own private folder in it.
    """
    folder, root = os.path.abspath(folder), os.path.abspath(root)
    if os.path.commonpath([folder, root]) != root or folder == root:
        raise ValueError(f"{folder} is not below {root}")
    chain = [folder]
    while os.path.dirname(chain[-1]) != root:
        chain.append(os.path.dirname(chain[-1]))
    os.makedirs(os.path.dirname(root), exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(root, PRIVATE_DIR)
    for d in reversed(chain):
        with contextlib.suppress(FileExistsError):
            os.mkdir(d, PRIVATE_DIR)
        _tighten(d, PRIVATE_DIR)


def check_private_dirs(folder: str, root: str) -> None:
    """Refuse, as ``make_private_dirs`` would, a folder between ``root`` and ``folder`` that
    belongs to another account, without creating or changing anything: reading someone else's
    history must fail the way writing it does, not look like an empty one."""
    folder, root = os.path.abspath(folder), os.path.abspath(root)
    chain = [folder]
    while os.path.dirname(chain[-1]) not in (root, chain[-1]):
        chain.append(os.path.dirname(chain[-1]))
    for d in reversed(chain):
        try:
            st = os.stat(d)
        except FileNotFoundError:
            return
        if os.name == "posix" and st.st_uid != os.getuid():
            raise StoreError(_FOREIGN.format(path=d))


_FOREIGN = "{path} belongs to another account; dgtui keeps chat history private and will not use it"


def _create_private_file(path: str) -> None:
    fd = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE)
    os.close(fd)


def _tighten(path: str, mode: int) -> None:
    """Make ``path`` no more open than ``mode`` (a no-op on systems without POSIX modes)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if os.name != "posix":
        return
    if st.st_uid != os.getuid():
        raise StoreError(_FOREIGN.format(path=path))
    if stat.S_IMODE(st.st_mode) & ~mode:
        os.chmod(path, mode)


def _check_ours(conn: sqlite3.Connection, path: str, schema: SidecarSchema) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == schema.application_id:
        return
    empty = app_id == 0 and not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if not empty:
        raise StoreError(f"{path} is not a dgtui {schema.what} (another SQLite file)")


def _migrate(conn: sqlite3.Connection, path: str, schema: SidecarSchema) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > schema.version:
        raise StoreError(f"the {schema.what} at {path} was written by a newer dgtui "
                         f"(schema {version} > {schema.version})")
    while version < schema.version:
        version += 1
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= version:  # another process won
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(schema.migrations[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute(f"PRAGMA application_id = {schema.application_id}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def remove_database(path: str) -> bool:
    """Delete a database file with its ``-wal`` and ``-shm``; True when there was one."""
    found = False
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
            found = found or suffix == ""
        except FileNotFoundError:
            pass
    return found
