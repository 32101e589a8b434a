"""The first index's log, kept in the rows it describes instead of a second copy of them.

A first index creates every atom of the repository at once. Writing one ``atom_events`` row per
atom (and one ``edge_events`` row per resolved pair, with two text ids) was a third of the
index's bytes, and every one of those rows said the same thing: "created by transaction B, as
its row still is". Instead, the transaction records a *baseline* (``baselines``): the range of
atom pks it inserted and the event ids reserved for them, event ``first_event + pk - first_pk``
for the atom of ``pk``. Readers see one create event per atom of the range whose reserved id
holds no row (``UNMATERIALIZED``), stated by the atom's row; the engine writes the real event,
with the state, under that id before the row first changes or goes (``EventLog.keep_created_states``),
so the log always has every state an atom ever had, in the order it was written.

The first index's edge events are integers (``source``/``target`` pks, no text ids): a baseline
atom is named by its row while it lives and by its materialised create event once it is gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from .sql import chunks, marks

#: The reserved create-event id of baseline atom ``a`` in baseline ``b``.
EVENT_ID = "(b.first_event + a.pk - b.first_pk)"
#: Each baseline's atoms (``b``, ``a``) ...
ATOMS = "baselines b JOIN atoms a ON a.pk BETWEEN b.first_pk AND b.last_pk"
#: ... whose create event is still only their row.
NOT_WRITTEN = f"NOT EXISTS (SELECT 1 FROM atom_events x WHERE x.id = {EVENT_ID})"
UNMATERIALIZED = f"{ATOMS} WHERE {NOT_WRITTEN}"
#: Event filters' columns, as a baseline create event has them (see ``EventLog._where``).
COLUMNS = {"atom_id": "a.id", "file_path": "a.file_path", "operation": "'create'",
           "source": "b.source", "transaction_id": "b.transaction_id", "timestamp": "b.timestamp"}


def record(conn: sqlite3.Connection, tx: int, timestamp: float, source: str) -> int:
    """Make every atom that ``tx`` inserted (the store held none before) a baseline atom:
    reserve its create event's id. The number of atoms."""
    first_pk, last_pk = conn.execute(
        "SELECT min(pk), max(pk) FROM atoms WHERE transaction_id = ?", (tx,)).fetchone()
    if first_pk is None:
        return 0
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'atom_events'").fetchone()
    first_event = (row[0] if row else 0) + 1
    last_event = first_event + last_pk - first_pk
    conn.execute("INSERT INTO baselines (transaction_id, first_pk, last_pk, first_event, timestamp, "
                 "source) VALUES (?,?,?,?,?,?)", (tx, first_pk, last_pk, first_event, timestamp, source))
    if row:
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'atom_events'", (last_event,))
    else:
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('atom_events', ?)", (last_event,))
    return last_pk - first_pk + 1


def record_edges(conn: sqlite3.Connection, tx: int) -> int:
    """The resolved (caller, callee) pairs of a baseline's edges, as pks: its edge events."""
    return conn.execute(
        "INSERT INTO edge_events (transaction_id, operation, source, target) "
        "SELECT DISTINCT ?, 'add', source, target FROM edge_rows WHERE target IS NOT NULL "
        "ORDER BY source, target", (tx,)).rowcount


def unmaterialized(conn: sqlite3.Connection, ids: Sequence[str]) -> list[tuple]:
    """(reserved event id, atom id, file path, timestamp, source, tx) of the atoms among ``ids``
    whose create event is still only their row."""
    out: list[tuple] = []
    if conn.execute("SELECT 1 FROM baselines LIMIT 1").fetchone() is None:
        return out
    for chunk in chunks(list(ids)):
        out += conn.execute(
            f"SELECT {EVENT_ID}, a.id, a.file_path, b.timestamp, b.source, b.transaction_id "
            f"FROM {UNMATERIALIZED} AND a.id IN ({marks(chunk)})", chunk).fetchall()
    return out


def materialize(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Write baseline create events: rows of (event id, atom id, file, state JSON, timestamp,
    source, tx)."""
    conn.executemany(
        "INSERT INTO atom_events (id, atom_id, file_path, operation, delta, previous_version, "
        "new_version, timestamp, source, transaction_id) VALUES (?,?,?,'create',?,NULL,1,?,?,?)",
        rows)


def last_event_id(conn: sqlite3.Connection) -> int:
    """The largest event id any baseline reserved (0: none)."""
    row = conn.execute("SELECT max(first_event + last_pk - first_pk) FROM baselines").fetchone()
    return int(row[0] or 0)


__all__ = ["ATOMS", "COLUMNS", "EVENT_ID", "NOT_WRITTEN", "UNMATERIALIZED", "last_event_id", "materialize", "record",
           "record_edges", "unmaterialized"]
