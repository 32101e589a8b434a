"""EventLog: transactions, atom events and edge events (writes by the engine, reads by queries).

A create event stores no copy of the atom while the atom's row still holds the state it was
created with: a first index's creates are no rows at all (``store/baseline.py``), a later
create's ``delta`` is NULL. The engine writes the state into the log (``keep_created_states``)
in the transaction that first changes or deletes the row. Readers get the state either way
(``Event.from_row``): a first index writes each atom once, not twice.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Atom, AtomChange, Delta, EventFilter
from . import baseline
from .records import atom_select, atom_state, damaged, dumps, loads, row_to_atom
from .sql import chunks, marks, prefixed

EVENT_COLUMNS = ("id, atom_id, file_path, operation, delta, previous_version, new_version, "
                 "timestamp, source, transaction_id")
#: Events with, for a create whose state is still its atom's row, that row.
_EVENT_SELECT = (f"SELECT {prefixed(EVENT_COLUMNS, 'e')}, {atom_select('a')} "
                 "FROM atom_events e LEFT JOIN atoms a ON e.delta IS NULL AND a.id = e.atom_id")
#: A baseline's create events, in the same columns.
_BASELINE_SELECT = (f"SELECT {baseline.EVENT_ID}, a.id, a.file_path, 'create', NULL, NULL, 1, "
                    f"b.timestamp, b.source, b.transaction_id, {atom_select('a')} "
                    f"FROM {baseline.UNMATERIALIZED}")
_N_EVENT = len(EVENT_COLUMNS.split(","))
#: Event filters' columns in the atom_events table (``baseline.COLUMNS`` in a baseline).
_TABLE_COLUMNS = {c: f"e.{c}" for c in baseline.COLUMNS}


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    atom_id: str
    file_path: str
    operation: str
    stored_delta: dict[str, Any] | None  # None: a create whose state is ``row_atom``
    previous_version: int | None
    new_version: int | None
    timestamp: float
    source: str
    transaction_id: int
    row_atom: Atom | None = None  # the atom, read from its row, of a create that kept no state

    @property
    def delta(self) -> dict[str, Any]:
        """The event's body; a create's state as the event would hold it in JSON (lists, not
        tuples), whichever way it is read."""
        if self.stored_delta is not None:
            return self.stored_delta
        try:
            return {"atom": json.loads(atom_state(self.row_atom))}
        except (TypeError, ValueError) as exc:  # a damaged row: bytes where text was
            raise damaged(f"the atom row of event {self.id}", exc) from None

    @property
    def changed_fields(self) -> list[str]:
        if self.operation == "update":
            return sorted(self.delta.get("changed", {}))
        return []

    @classmethod
    def from_row(cls, row: tuple) -> Event:
        """A row of ``_EVENT_SELECT``: the event's columns, then its atom's row if joined."""
        atom = None
        if row[4] is not None:
            delta = loads(row[4], f"event {row[0]}")
        elif row[3] == "create" and row[_N_EVENT + 1] is not None:
            delta, atom = None, row_to_atom(row[_N_EVENT:])
        else:  # the row that held the state is gone, and the engine never lets that happen
            raise damaged(f"event {row[0]}", LookupError(f"no state and no atom {row[1]!r}"))
        return cls(row[0], row[1], row[2], row[3], delta, row[5], row[6], row[7], row[8], row[9],
                   atom)


@dataclass(frozen=True, slots=True)
class TransactionRow:
    id: int
    source: str
    started_at: float
    committed_at: float | None
    detected_at: float | None
    files: list[str]
    created: int
    updated: int
    deleted: int
    edges_added: int
    edges_removed: int
    summary: dict[str, Any]


def _and(where: str, clause: str) -> str:
    if not clause:
        return where
    return f"{where} AND {clause}" if where else f" WHERE {clause}"


class EventLog:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # == writes (engine only) ==============================================================
    def open_transaction(self, source: str, started_at: float, detected_at: float | None) -> int:
        cur = self.conn.execute(
            "INSERT INTO transactions (source, started_at, detected_at) VALUES (?, ?, ?)",
            (source, started_at, detected_at))
        return int(cur.lastrowid)

    def close_transaction(self, tx: int, committed_at: float, files: list[str], created: int,
                          updated: int, deleted: int, edges_added: int, edges_removed: int,
                          summary: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE transactions SET committed_at=?, files=?, created=?, updated=?, deleted=?, "
            "edges_added=?, edges_removed=?, summary=? WHERE id=?",
            (committed_at, dumps(files), created, updated, deleted, edges_added, edges_removed,
             dumps(summary), tx))

    def discard_transaction(self, tx: int) -> None:
        """Drop a transaction row that turned out to change nothing (inside its transaction)."""
        self.conn.execute("DELETE FROM transactions WHERE id = ?", (tx,))

    def insert_events(self, rows: Iterable[tuple]) -> None:
        """Rows of (atom_id, file_path, operation, delta_json, prev, new, timestamp, source, tx)."""
        self.conn.executemany(
            "INSERT INTO atom_events (atom_id, file_path, operation, delta, previous_version, "
            "new_version, timestamp, source, transaction_id) VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def keep_created_states(self, atoms: Iterable[Atom]) -> None:
        """Write into their create events the state of atoms whose rows are about to change or
        go (the create left it in the row): the log then holds every state it ever had."""
        by_id = {a.id: a for a in atoms}
        baseline.materialize(self.conn, [
            (event, atom_id, path, dumps({"atom": by_id[atom_id].to_state()}), ts, source, tx)
            for event, atom_id, path, ts, source, tx in baseline.unmaterialized(self.conn, list(by_id))])
        for chunk in chunks(list(by_id)):
            found = self.conn.execute(
                f"SELECT id, atom_id FROM atom_events WHERE atom_id IN ({marks(chunk)}) "
                "AND delta IS NULL", chunk).fetchall()
            self.conn.executemany("UPDATE atom_events SET delta = ? WHERE id = ?",
                                  [(dumps({"atom": by_id[a].to_state()}), i) for i, a in found])

    def insert_edge_events(self, tx: int, added: Iterable[tuple[str, str]],
                           removed: Iterable[tuple[str, str]]) -> None:
        rows = [(tx, "add", s, t) for s, t in added] + [(tx, "remove", s, t) for s, t in removed]
        self.conn.executemany(
            "INSERT INTO edge_events (transaction_id, operation, source_id, target_id) VALUES (?,?,?,?)",
            rows)

    def record_baseline(self, tx: int, timestamp: float, source: str) -> int:
        """The atoms and resolved edges ``tx`` wrote into an empty store become its baseline:
        their events are read from their rows (``store/baseline.py``). The number of atoms."""
        n = baseline.record(self.conn, tx, timestamp, source)
        baseline.record_edges(self.conn, tx)
        return n

    # == reads =============================================================================
    def last_transaction_id(self) -> int:
        row = self.conn.execute(
            "SELECT max(id) FROM transactions WHERE committed_at IS NOT NULL").fetchone()
        return int(row[0] or 0)

    def events(self, f: EventFilter) -> list[Event]:
        return [Event.from_row(r) for r in self._rows(f, f.limit)]

    def _rows(self, f: EventFilter, limit: int | None, extra: str = "",
              extra_params: Sequence[Any] = ()) -> list[tuple]:
        """The rows of ``_EVENT_SELECT`` that ``f`` selects, the log's rows and a baseline's
        creates merged in event order."""
        order = " ORDER BY {} " + ("" if f.oldest_first else "DESC")
        tail = " LIMIT ?" if limit is not None else ""
        lim = [limit] if limit is not None else []
        where, params = self._where(f, _TABLE_COLUMNS)
        where = _and(where, extra.format(**_TABLE_COLUMNS))
        rows = self.conn.execute(f"{_EVENT_SELECT}{where}{order.format('e.id')}{tail}",
                                 [*params, *extra_params, *lim]).fetchall()
        if f.operation not in (None, "create"):
            return rows
        if (not f.oldest_first and limit is not None and len(rows) == limit
                and rows[-1][0] > baseline.last_event_id(self.conn)):
            return rows  # the newest events are all after any baseline
        where, params = self._where(f, baseline.COLUMNS)
        where = _and(where, extra.format(**baseline.COLUMNS))
        more = self.conn.execute(f"{_BASELINE_SELECT}{where.replace(' WHERE ', ' AND ', 1)}"
                                 f"{order.format('a.pk')}{tail}",
                                 [*params, *extra_params, *lim]).fetchall()
        if not more:
            return rows
        merged = heapq.merge(rows, more, key=lambda r: r[0], reverse=not f.oldest_first)
        return list(merged)[:limit] if limit is not None else list(merged)

    def count_events(self, f: EventFilter) -> int:
        """How many events ``f`` selects, its limit aside."""
        where, params = self._where(f, _TABLE_COLUMNS)
        n = self.conn.execute(f"SELECT count(*) FROM atom_events e{where}", params).fetchone()[0]
        if f.operation in (None, "create"):
            where, params = self._where(f, baseline.COLUMNS)
            n += self.conn.execute(f"SELECT count(*) FROM {baseline.UNMATERIALIZED}"
                                   f"{where.replace(' WHERE ', ' AND ', 1)}", params).fetchone()[0]
        return n

    @staticmethod
    def _where(f: EventFilter, col: dict[str, str]) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if f.atom:
            clauses.append(f"{col['atom_id']} = ?")
            params.append(f.atom)
        if f.hide_moves and col is _TABLE_COLUMNS:  # a create is never a move
            clauses.append(
                "NOT (e.operation = 'update' AND NOT EXISTS (SELECT 1 FROM json_each(e.delta, "
                "'$.changed') WHERE key NOT IN ('line', 'end_line')))")
        if f.atom_glob:
            clauses.append(f"{col['atom_id']} GLOB ?")
            params.append(f.atom_glob)
        if f.file_glob:
            clauses.append(f"{col['file_path']} GLOB ?")
            params.append(f.file_glob)
        if f.source:
            clauses.append(f"{col['source']} = ?")
            params.append(f.source)
        if f.transaction is not None:
            clauses.append(f"{col['transaction_id']} = ?")
            params.append(f.transaction)
        if f.since_transaction is not None:
            clauses.append(f"{col['transaction_id']} > ?")
            params.append(f.since_transaction)
        if f.since is not None:
            clauses.append(f"{col['timestamp']} >= ?")
            params.append(f.since)
        if f.until is not None:
            clauses.append(f"{col['timestamp']} <= ?")
            params.append(f.until)
        if f.operation:
            clauses.append(f"{col['operation']} = ?")
            params.append(f.operation)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def transactions(self, since: int = 0, limit: int | None = None) -> list[TransactionRow]:
        sql = ("SELECT id, source, started_at, committed_at, detected_at, files, created, updated, "
               "deleted, edges_added, edges_removed, summary FROM transactions "
               "WHERE id > ? AND committed_at IS NOT NULL ORDER BY id")
        params: list[Any] = [since]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [TransactionRow(r[0], r[1], r[2], r[3], r[4], loads(r[5], f"transaction {r[0]}"),
                               r[6], r[7], r[8], r[9], r[10], loads(r[11], f"transaction {r[0]}"))
                for r in self.conn.execute(sql, params)]

    def transaction_at(self, when: float) -> int:
        """The last transaction committed at or before a unix time (0: before any)."""
        row = self.conn.execute(
            "SELECT max(id) FROM transactions WHERE committed_at IS NOT NULL AND committed_at <= ?",
            (when,)).fetchone()
        return int(row[0] or 0)

    def atoms_changed(self, first_tx: int, last_tx: int) -> int:
        """How many atoms transactions ``first_tx``..``last_tx`` created, changed or deleted
        (an update that only moved an atom does not count)."""
        # A baseline atom whose create is still its row has no other event: the counts add up.
        return self.conn.execute(
            "SELECT count(DISTINCT atom_id) FROM atom_events WHERE transaction_id BETWEEN ? AND ? "
            "AND NOT (operation = 'update' AND NOT EXISTS (SELECT 1 FROM json_each(delta, "
            "'$.changed') WHERE key NOT IN ('line', 'end_line')))", (first_tx, last_tx)).fetchone()[0] + \
            self.conn.execute(f"SELECT count(*) FROM {baseline.UNMATERIALIZED} AND b.transaction_id "
                              "BETWEEN ? AND ?", (first_tx, last_tx)).fetchone()[0]

    def edge_events(self, since_tx: int = 0, until_tx: int | None = None, transaction: int | None = None,
                    atom: str | None = None, limit: int | None = None) -> list[tuple[int, str, str, str]]:
        """(transaction, add/remove, caller, callee) rows, newest first."""
        clauses, params = ["transaction_id > ?"], [since_tx]
        if until_tx is not None:
            clauses.append("transaction_id <= ?")
            params.append(until_tx)
        if transaction is not None:
            clauses.append("transaction_id = ?")
            params.append(transaction)
        if atom:
            clauses.append("(source_id = ? OR target_id = ?)")
            params += [atom, atom]
        sql = ("SELECT transaction_id, operation, source_id, target_id FROM edge_log WHERE "
               + " AND ".join(clauses) + " ORDER BY id DESC")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self.conn.execute(sql, params).fetchall()

    def edge_changes(self, tx: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        added, removed = [], []
        for op, s, t in self.conn.execute(
                "SELECT operation, source_id, target_id FROM edge_log WHERE transaction_id = ? "
                "ORDER BY id", (tx,)):
            (added if op == "add" else removed).append((s, t))
        return added, removed

    def history(self, atom_id: str) -> list[Event]:
        """Every event of an atom, oldest first, following renames back to earlier ids."""
        ids, seen = [atom_id], {atom_id}
        while True:
            row = self.conn.execute(
                "SELECT json_extract(delta, '$.renamed_from') FROM atom_events "
                "WHERE atom_id = ? AND operation = 'create' AND json_extract(delta, '$.renamed_from') "
                "IS NOT NULL ORDER BY id DESC LIMIT 1", (ids[-1],)).fetchone()
            if not row or row[0] in seen:
                break
            ids.append(row[0])
            seen.add(row[0])
        f = EventFilter(limit=None, oldest_first=True)
        return [Event.from_row(r) for r in self._rows(f, None, f"{{atom_id}} IN ({marks(ids)})", ids)]

    def replay(self, until_tx: int | None = None) -> dict[str, Atom]:
        """The atoms as they were after transaction ``until_tx`` (all events when None)."""
        atoms: dict[str, Atom] = {}
        for event in self.iter_events(until_tx):
            apply_event(atoms, event)
        return atoms

    def iter_events(self, until_tx: int | None = None) -> Iterator[Event]:
        f = EventFilter(limit=None, oldest_first=True)
        if until_tx is None:
            rows = self._rows(f, None)
        else:
            rows = self._rows(f, None, "{transaction_id} <= ?", [until_tx])
        for row in rows:
            yield Event.from_row(row)

    def delta(self, tx: int) -> Delta | None:
        """A committed transaction as the ``Delta`` its writer published (for readers that
        follow another process's writes)."""
        rows = self.transactions(since=tx - 1, limit=1)
        if not rows or rows[0].id != tx:
            return None
        t = rows[0]
        changes = [AtomChange("create", atom_id, path, name, kind) for atom_id, path, name, kind
                   in self.conn.execute(f"SELECT a.id, a.file_path, a.name, a.kind FROM "
                                        f"{baseline.UNMATERIALIZED} AND b.transaction_id = ? "
                                        "ORDER BY a.pk", (tx,))]
        for atom_id, op, path, name, kind, changed, renamed_from, renamed_to, breaking in self.conn.execute(
                "SELECT e.atom_id, e.operation, e.file_path, "
                "coalesce(json_extract(e.delta, '$.atom.name'), a.name), "
                "coalesce(json_extract(e.delta, '$.atom.kind'), a.kind), "
                "json_extract(e.delta, '$.changed'), json_extract(e.delta, '$.renamed_from'), "
                "json_extract(e.delta, '$.renamed_to'), json_extract(e.delta, '$.breaking') "
                "FROM atom_events e LEFT JOIN atoms a ON a.id = e.atom_id "
                "WHERE e.transaction_id = ? ORDER BY e.id", (tx,)):
            fields = tuple(sorted(json.loads(changed))) if changed else ()
            changes.append(AtomChange(op, atom_id, path, name or "", kind or "", fields,
                                      renamed_from, renamed_to, breaking))
        added, removed = self.edge_changes(tx)
        return Delta(
            transaction_id=t.id, source=t.source, files=tuple(t.files), changes=tuple(changes),
            edges_added=tuple(added), edges_removed=tuple(removed),
            files_removed=tuple(t.summary.get("files_removed", ())),
            errors=tuple(t.summary.get("errors", ())), detected_at=t.detected_at,
            committed_at=t.committed_at or 0.0, timings=dict(t.summary.get("timings", {})))

    def changes_after_stateless_creates(self, limit: int = 20) -> list[tuple[int, str]]:
        """(event, atom) of events after a create that kept no state of the same atom: what
        ``keep_created_states`` exists to prevent (``dgtui check`` asks)."""
        return self.conn.execute(
            "SELECT later.id, later.atom_id FROM atom_events c JOIN atom_events later "
            "ON later.atom_id = c.atom_id AND later.id > c.id WHERE c.delta IS NULL "
            f"UNION SELECT later.id, later.atom_id FROM {baseline.ATOMS} JOIN atom_events later "
            f"ON later.atom_id = a.id AND later.id > {baseline.EVENT_ID} WHERE {baseline.NOT_WRITTEN} "
            "ORDER BY 1 LIMIT ?", (limit,)).fetchall()

    def event_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM atom_events").fetchone()[0] + \
            self.conn.execute(f"SELECT count(*) FROM {baseline.UNMATERIALIZED}").fetchone()[0]


def apply_event(atoms: dict[str, Atom], event: Event) -> None:
    """Apply one event to a map of atoms (replay)."""
    try:
        if event.operation == "create":
            atoms[event.atom_id] = (event.row_atom if event.row_atom is not None
                                    else Atom.from_state(event.delta["atom"]))
        elif event.operation == "update":
            atoms[event.atom_id] = atoms[event.atom_id].with_changes(event.delta["changed"])
        elif event.operation == "delete":
            atoms.pop(event.atom_id, None)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise damaged(f"event {event.id}", exc) from None
