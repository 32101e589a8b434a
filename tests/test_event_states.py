"""A create event leaves the atom's state in its row until the row changes (a first index writes
no event row at all: a baseline); history, replay and the checks read it either way, and an
index written before (every state copied) still opens."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import run_cli
from helpers import index_repo, write

from dgtui.engine.check import run_checks
from dgtui.engine.indexer import Indexer
from dgtui.model import AtomFilter
from dgtui.store import Store
from dgtui.store.records import ATOM_SELECT, atom_state, row_to_atom
from dgtui.store.schema import FTS_TRIGGERS

FMT = "pkg/util.py::fmt"


def stateless_creates(db: Path) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("SELECT count(*) FROM atom_events WHERE delta IS NULL").fetchone()[0]
    finally:
        conn.close()


def test_the_first_index_writes_each_atom_once(pyrepo: Path, tmp_path: Path):
    store, summary = index_repo(pyrepo, tmp_path / "i.db")
    # Its log is a baseline: no event row, one create event per atom read from its row, and
    # edge events that name atoms by pk.
    assert store.conn.execute("SELECT count(*) FROM atom_events").fetchone()[0] == 0
    assert store.events.event_count() == summary.atoms > 0
    assert store.conn.execute("SELECT count(*) FROM edge_events WHERE source_id IS NOT NULL "
                              "OR target_id IS NOT NULL").fetchone()[0] == 0
    assert sorted(store.events.edge_changes(1)[0]) == sorted(
        store.conn.execute("SELECT DISTINCT source_id, target_id FROM edges "
                           "WHERE target_id IS NOT NULL").fetchall())
    history = store.events.history(FMT)
    assert [e.operation for e in history] == ["create"]
    assert history[0].delta["atom"] == json.loads(atom_state(store.atoms.get(FMT).atom))
    assert run_checks(store, str(pyrepo)).ok


def test_a_changed_atom_keeps_every_state_it_had(pyrepo: Path, tmp_path: Path):
    db = tmp_path / "i.db"
    store, _ = index_repo(pyrepo, db)
    first_tx = store.events.last_transaction_id()
    before = store.atoms.get(FMT).atom
    write(pyrepo / "pkg" / "util.py", "def fmt(value):\n    return repr(value)\n\n\n"
          "def only_helper_here(x):\n    return x\n")
    Indexer(str(pyrepo), store, workers=1).run()
    after = store.atoms.get(FMT).atom
    assert after != before
    history = store.events.history(FMT)
    assert [e.operation for e in history] == ["create", "update"]
    assert history[0].delta["atom"] == json.loads(atom_state(before))  # kept as the row changed
    assert store.events.replay(first_tx)[FMT] == before
    assert store.events.replay()[FMT] == after

    (pyrepo / "pkg" / "util.py").unlink()
    Indexer(str(pyrepo), store, workers=1).run()
    assert store.atoms.get("pkg/util.py::only_helper_here") is None
    assert store.events.replay(first_tx)["pkg/util.py::only_helper_here"].name == "only_helper_here"
    assert store.events.changes_after_stateless_creates() == []
    # The first index's edge events still name the atoms that are gone, by their kept creates.
    first_edges = store.events.edge_changes(first_tx)[0]
    assert any(s == FMT or t == FMT for s, t in first_edges)
    assert all(s and t for s, t in first_edges)
    assert run_checks(store, str(pyrepo)).ok


def test_check_finds_a_row_changed_behind_a_stateless_create(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    # An update event with no state kept in the create before it: what the engine never writes.
    store.conn.execute("INSERT INTO atom_events (atom_id, file_path, operation, delta, "
                       "previous_version, new_version, timestamp, source, transaction_id) "
                       "VALUES (?, 'pkg/util.py', 'update', '{\"changed\":{}}', 1, 2, 0, 'user', 1)",
                       (FMT,))
    store.conn.commit()
    report = run_checks(store, str(pyrepo))
    events = next(r for r in report.results if r.name == "events")
    assert not events.ok and any(FMT in p for p in events.problems)


def as_schema_2(db: Path) -> None:
    """Rewrite an index file as schema 2 wrote it: every create event with the atom's state, a
    NOT NULL delta, the index on update times, edges with text ids."""
    with Store.open(str(db)) as store:  # every create event with its state, as rows
        store.events.keep_created_states([s.atom for s in store.atoms.query(AtomFilter())])
        store.conn.commit()
    conn = sqlite3.connect(str(db))
    atoms = {r[1]: row_to_atom(r) for r in conn.execute(f"SELECT {ATOM_SELECT} FROM atoms")}
    for event_id, atom_id in conn.execute(
            "SELECT id, atom_id FROM atom_events WHERE delta IS NULL").fetchall():
        conn.execute("UPDATE atom_events SET delta = ? WHERE id = ?",
                     (json.dumps({"atom": atoms[atom_id].to_state()}), event_id))
    conn.executescript("""
        CREATE TABLE old_edge_events (id INTEGER PRIMARY KEY, transaction_id INTEGER NOT NULL,
            operation TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL);
        INSERT INTO old_edge_events SELECT id, transaction_id, operation, source_id, target_id
            FROM edge_log;
        DROP VIEW edge_log;
        DROP TABLE edge_events;
        DROP TABLE baselines;
        ALTER TABLE old_edge_events RENAME TO edge_events;
        CREATE INDEX idx_edge_events_txn ON edge_events(transaction_id);
        CREATE TABLE old_events (id INTEGER PRIMARY KEY AUTOINCREMENT, atom_id TEXT NOT NULL,
            file_path TEXT NOT NULL, operation TEXT NOT NULL, delta TEXT NOT NULL,
            previous_version INTEGER, new_version INTEGER, timestamp REAL NOT NULL,
            source TEXT NOT NULL, transaction_id INTEGER NOT NULL);
        INSERT INTO old_events SELECT * FROM atom_events;
        DROP TABLE atom_events;
        ALTER TABLE old_events RENAME TO atom_events;
        CREATE INDEX idx_events_atom ON atom_events(atom_id);
        CREATE INDEX idx_events_time ON atom_events(timestamp);
        CREATE INDEX idx_events_txn ON atom_events(transaction_id);
        CREATE INDEX idx_events_file ON atom_events(file_path);
        CREATE INDEX idx_atoms_updated ON atoms(updated_at);
        CREATE TABLE old_edges (id INTEGER PRIMARY KEY, source_id TEXT NOT NULL, target_id TEXT,
            callee TEXT NOT NULL, short_name TEXT NOT NULL, line INTEGER NOT NULL,
            resolution TEXT NOT NULL, candidates INTEGER NOT NULL DEFAULT 0, detail TEXT);
        INSERT INTO old_edges (source_id, target_id, callee, short_name, line, resolution,
            candidates, detail) SELECT source_id, target_id, callee, short_name, line, resolution,
            candidates, detail FROM edges ORDER BY id;
        DROP VIEW graph_edges;
        DROP VIEW edges;
        DROP VIEW edges_in;
        DROP TABLE edge_rows;
        ALTER TABLE old_edges RENAME TO edges;
        CREATE INDEX idx_edges_source ON edges(source_id);
        CREATE INDEX idx_edges_target ON edges(target_id) WHERE target_id IS NOT NULL;
        CREATE INDEX idx_edges_short ON edges(short_name);
        CREATE TABLE old_atoms (pk INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
            file_path TEXT NOT NULL, name TEXT NOT NULL, qualified_name TEXT NOT NULL,
            kind TEXT NOT NULL, line INTEGER NOT NULL, end_line INTEGER,
            signature TEXT NOT NULL DEFAULT '', docstring TEXT NOT NULL DEFAULT '',
            is_async INTEGER NOT NULL DEFAULT 0, is_exported INTEGER NOT NULL DEFAULT 0,
            complexity INTEGER NOT NULL DEFAULT 1, body_hash TEXT NOT NULL DEFAULT '',
            parent_id TEXT, owner TEXT, words TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL DEFAULT '{}', version INTEGER NOT NULL DEFAULT 1,
            created_at REAL NOT NULL, updated_at REAL NOT NULL, transaction_id INTEGER);
        INSERT INTO old_atoms SELECT pk, id, file_path, name, qualified_name, kind, line, end_line,
            signature, docstring, is_async, is_exported, complexity, body_hash, parent_id, owner,
            words, data, version, created_at, updated_at, transaction_id FROM atoms;
        DROP TABLE atoms;
        ALTER TABLE old_atoms RENAME TO atoms;
        CREATE UNIQUE INDEX idx_atoms_id ON atoms(id);
        CREATE INDEX idx_atoms_file ON atoms(file_path);
        CREATE INDEX idx_atoms_name ON atoms(name);
        CREATE INDEX idx_atoms_qualified ON atoms(qualified_name);
        CREATE VIEW graph_edges AS SELECT e.source_id, e.target_id FROM edges e;
        PRAGMA user_version = 2;
    """ + FTS_TRIGGERS)
    conn.close()


def test_an_index_of_schema_2_opens_and_keeps_its_history(pyrepo: Path, home: Path):
    assert run_cli("index", str(pyrepo)).returncode == 0
    db = next(home.rglob("index.db"))
    history = run_cli("history", FMT, "--json", cwd=pyrepo)
    callers = run_cli("callers", FMT, "--json", cwd=pyrepo)
    assert "pkg/service.py::handle" in callers.stdout
    as_schema_2(db)
    assert stateless_creates(db) == 0
    check = run_cli("check", cwd=pyrepo)
    assert check.returncode == 0, check.stdout + check.stderr
    assert run_cli("history", FMT, "--json", cwd=pyrepo).stdout == history.stdout
    assert run_cli("callers", FMT, "--json", cwd=pyrepo).stdout == callers.stdout
    with Store.open(str(db)) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 4
    write(pyrepo / "pkg" / "util.py", "def fmt(value):\n    return repr(value)\n")
    assert run_cli("index", str(pyrepo)).returncode == 0
    assert run_cli("check", cwd=pyrepo).returncode == 0
