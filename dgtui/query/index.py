"""Opening the index for reading, reading it as one snapshot, and what front ends ask of it.

Front ends (the CLI, the MCP server, the chat, the explorer) hold an index handle only to pass
it back to the functions of ``dgtui.query``; they open it here, never through the store, and
catch the store's errors under the names given here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..store import Store as Store
from ..store.errors import DatabaseError as DatabaseError
from ..store.errors import StoreError as StoreError
from ..store.readonly import NoIndex as NoIndex
from ..store.readonly import open_index_readonly


def open_index(path: str, root: str | None = None) -> Store:
    """The index, opened so that no write through this connection can succeed."""
    return open_index_readonly(path, root)


def open_reader(path: str, *, readonly: bool) -> Store:
    """An existing index for reading; ``readonly=False`` where a read-only connection cannot
    see a WAL (a folder without write access) and a plain one is needed."""
    return Store.open(path, readonly=readonly, create=False)


@contextlib.contextmanager
def snapshot(store: Store) -> Iterator[int]:
    """One read transaction: every query inside sees the same commit. Yields its version (the
    last committed transaction), which exports and answers record."""
    store.conn.execute("BEGIN")
    try:
        yield store.events.last_transaction_id()
    finally:
        store.conn.execute("COMMIT")  # a read transaction: this only ends it


def describe_error(exc: BaseException, path: str | None = None) -> str:
    """A database failure in one line a person can act on."""
    from ..store.db import describe

    return describe(exc, path)


# -- what the index holds, asked by front ends -----------------------------------------------
def version(store: Store) -> int:
    """The last committed transaction: what an answer or an export was read from."""
    return store.events.last_transaction_id()


def stored_atom(store: Store, atom_id: str):
    """The stored atom (with its version and times), or None."""
    return store.atoms.get(atom_id)


def stored_atoms(store: Store, ids: list[str]) -> dict:
    """Atom id -> stored atom, for the ids that exist."""
    return store.atoms.get_many(ids)


def unindexed_files(store: Store, paths: list[str]) -> list[str]:
    """Those of ``paths`` that are not indexed files of this repository."""
    known = store.atoms.file_rows(list(paths))
    return [p for p in paths if p not in known]


def skipped_files(store: Store) -> list[dict[str, str]]:
    """The files left out of the index, and why."""
    return [{"path": p, "reason": r, "detail": d} for p, r, d in store.atoms.skipped()
            if not p.endswith("/")]


def skipped_folders(store: Store) -> list[dict[str, str]]:
    """The folders the walk did not go into (their paths end in "/"), and why."""
    return [{"path": p, "reason": r, "detail": d} for p, r, d in store.atoms.skipped()
            if p.endswith("/")]


def files_with_errors(store: Store) -> list:
    """File rows of files that parsed with errors."""
    return store.atoms.files_with_errors()


def call_counts(store: Store, ids: list[str]) -> dict[str, tuple[int, int]]:
    """Atom id -> (calls it makes, calls it receives)."""
    return store.atoms.call_counts(ids)


def counts(store: Store) -> dict:
    """Files, atoms, calls (by resolution) and skipped files."""
    return store.atoms.counts()


def transaction_at(store: Store, when: float) -> int:
    """The last transaction committed at or before ``when`` (unix time)."""
    return store.events.transaction_at(when)


def has_history(store: Store, atom_id: str) -> bool:
    """Whether the event log knows this atom id (it may no longer exist)."""
    from ..model import EventFilter

    return bool(store.events.events(EventFilter(atom=atom_id, limit=1)))
