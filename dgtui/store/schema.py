"""The index schema, versioned with ``PRAGMA user_version``.

The origin document's schema, corrected where it cannot work: FTS5 external content needs an
integer rowid, so ``atoms`` has ``pk INTEGER PRIMARY KEY`` and keeps ``id TEXT UNIQUE``; calls are
rows of ``edges`` (resolved or not) instead of a JSON array behind a view; transactions are rows,
so an event's ``transaction_id`` points at what was committed together.
"""

from __future__ import annotations

import sqlite3

from ..targets import INDEX_APPLICATION_ID
from .errors import StoreError

SCHEMA_VERSION = 4
APPLICATION_ID = INDEX_APPLICATION_ID  # "dgtu": tells our files from other SQLite files

FTS_COLUMNS = ("name", "qualified_name", "words", "signature", "docstring", "file_path")

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    started_at REAL NOT NULL,
    committed_at REAL,
    detected_at REAL,             -- when the watcher first saw the change, if it did
    files TEXT NOT NULL DEFAULT '[]',
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    edges_added INTEGER NOT NULL DEFAULT 0,
    edges_removed INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE files (
    path TEXT PRIMARY KEY,
    language TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    line_count INTEGER NOT NULL DEFAULT 0,
    atom_count INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    indexed_at REAL NOT NULL,
    transaction_id INTEGER
) WITHOUT ROWID;

CREATE TABLE skipped (
    path TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    size INTEGER,                     -- for files: not read again while size and mtime stay
    mtime_ns INTEGER,
    seen_at REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE atoms (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    file_path TEXT NOT NULL,
    name TEXT NOT NULL,
    qualified_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    line INTEGER NOT NULL,
    end_line INTEGER,
    signature TEXT NOT NULL DEFAULT '',
    docstring TEXT NOT NULL DEFAULT '',
    is_async INTEGER NOT NULL DEFAULT 0,
    is_exported INTEGER NOT NULL DEFAULT 0,
    complexity INTEGER NOT NULL DEFAULT 1,
    body_hash TEXT NOT NULL DEFAULT '',
    parent_id TEXT,
    owner TEXT,
    words TEXT NOT NULL DEFAULT '',   -- identifier words for search: saveUser -> "save user"
    data TEXT NOT NULL DEFAULT '{}',  -- params, calls, bases, imports, extra (JSON)
    version INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    transaction_id INTEGER            -- the transaction that last changed it
);
CREATE INDEX idx_atoms_file ON atoms(file_path);
CREATE INDEX idx_atoms_name ON atoms(name);
CREATE INDEX idx_atoms_qualified ON atoms(qualified_name);
CREATE INDEX idx_atoms_updated ON atoms(updated_at);

CREATE VIRTUAL TABLE atoms_fts USING fts5(
    name, qualified_name, words, signature, docstring, file_path,
    content='atoms', content_rowid='pk'
);

CREATE TABLE edges (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    target_id TEXT,                  -- NULL when ambiguous or unresolved
    callee TEXT NOT NULL,            -- as written: self.db.write
    short_name TEXT NOT NULL,        -- write
    line INTEGER NOT NULL,
    resolution TEXT NOT NULL,        -- model.RESOLUTIONS: how the target was found, or why none
    candidates INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_edges_source ON edges(source_id);
CREATE INDEX idx_edges_target ON edges(target_id) WHERE target_id IS NOT NULL;
CREATE INDEX idx_edges_short ON edges(short_name);

CREATE TABLE atom_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    atom_id TEXT NOT NULL,
    file_path TEXT NOT NULL,
    operation TEXT NOT NULL,         -- create, update, delete
    delta TEXT NOT NULL,             -- JSON: {"atom": {...}} or {"changed": {field: [old, new]}}
    previous_version INTEGER,
    new_version INTEGER,
    timestamp REAL NOT NULL,
    source TEXT NOT NULL,            -- index, file-watcher, atomic-edit, mcp, user, import
    transaction_id INTEGER NOT NULL
);
CREATE INDEX idx_events_atom ON atom_events(atom_id);
CREATE INDEX idx_events_time ON atom_events(timestamp);
CREATE INDEX idx_events_txn ON atom_events(transaction_id);
CREATE INDEX idx_events_file ON atom_events(file_path);

-- Which resolved caller -> callee pairs each transaction added or removed.
CREATE TABLE edge_events (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL,
    operation TEXT NOT NULL,         -- add, remove
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL
);
CREATE INDEX idx_edge_events_txn ON edge_events(transaction_id);

CREATE VIEW graph_edges AS
SELECT e.source_id, s.file_path AS source_file, s.name AS source_name,
       e.target_id, t.file_path AS target_file, t.name AS target_name,
       e.callee, e.line, e.resolution, 'calls' AS edge_type
FROM edges e
JOIN atoms s ON s.id = e.source_id
LEFT JOIN atoms t ON t.id = e.target_id;
"""

FTS_TRIGGERS = """
CREATE TRIGGER atoms_ai AFTER INSERT ON atoms BEGIN
  INSERT INTO atoms_fts(rowid, name, qualified_name, words, signature, docstring, file_path)
  VALUES (new.pk, new.name, new.qualified_name, new.words, new.signature, new.docstring, new.file_path);
END;
CREATE TRIGGER atoms_ad AFTER DELETE ON atoms BEGIN
  INSERT INTO atoms_fts(atoms_fts, rowid, name, qualified_name, words, signature, docstring, file_path)
  VALUES ('delete', old.pk, old.name, old.qualified_name, old.words, old.signature, old.docstring, old.file_path);
END;
CREATE TRIGGER atoms_au AFTER UPDATE OF name, qualified_name, words, signature, docstring, file_path ON atoms
WHEN old.name IS NOT new.name OR old.qualified_name IS NOT new.qualified_name
  OR old.words IS NOT new.words OR old.signature IS NOT new.signature
  OR old.docstring IS NOT new.docstring OR old.file_path IS NOT new.file_path
BEGIN
  INSERT INTO atoms_fts(atoms_fts, rowid, name, qualified_name, words, signature, docstring, file_path)
  VALUES ('delete', old.pk, old.name, old.qualified_name, old.words, old.signature, old.docstring, old.file_path);
  INSERT INTO atoms_fts(rowid, name, qualified_name, words, signature, docstring, file_path)
  VALUES (new.pk, new.name, new.qualified_name, new.words, new.signature, new.docstring, new.file_path);
END;
"""

DROP_FTS_TRIGGERS = """
DROP TRIGGER IF EXISTS atoms_ai;
DROP TRIGGER IF EXISTS atoms_ad;
DROP TRIGGER IF EXISTS atoms_au;
"""

#: Secondary indexes a bulk load drops and builds again afterwards (a sorted build beats
#: updating the b-trees row by row).
BULK_INDEXES = {
    "idx_atoms_id": "CREATE UNIQUE INDEX idx_atoms_id ON atoms(id)",
    "idx_atoms_file": "CREATE INDEX idx_atoms_file ON atoms(file_path)",
    "idx_atoms_name": "CREATE INDEX idx_atoms_name ON atoms(name)",
    "idx_atoms_qualified": "CREATE INDEX idx_atoms_qualified ON atoms(qualified_name)",
    "idx_edge_rows_target": "CREATE INDEX idx_edge_rows_target ON edge_rows(target) WHERE target IS NOT NULL",
    "idx_edge_rows_short": "CREATE INDEX idx_edge_rows_short ON edge_rows(short_name)",
    "idx_edge_rows_unfollowed": "CREATE INDEX idx_edge_rows_unfollowed ON edge_rows(short_name) "
                                "WHERE target IS NULL AND resolution IN ('ambiguous', 'unresolved')",
    "idx_events_atom": "CREATE INDEX idx_events_atom ON atom_events(atom_id)",
    "idx_events_time": "CREATE INDEX idx_events_time ON atom_events(timestamp)",
    "idx_events_txn": "CREATE INDEX idx_events_txn ON atom_events(transaction_id)",
    "idx_events_file": "CREATE INDEX idx_events_file ON atom_events(file_path)",
}

def derived_parent(kind: str, qualified: str, name: str, path: str) -> str:
    """SQL: the parent id an atom's name says it has (``path::Outer`` for ``Outer.name``, the
    module for a top-level name, none for a module); arguments are SQL expressions."""
    return (f"(CASE WHEN {kind} = 'module' THEN NULL WHEN instr({qualified}, '.') = 0 "
            f"THEN {path} || '::<module>' ELSE {path} || '::' || "
            f"substr({qualified}, 1, length({qualified}) - length({name}) - 1) END)")


def stored_parent(parent: str, derived: str) -> str:
    """SQL: what ``own_parent`` holds for a parent id: NULL when its name says it, an empty
    blob (no text is one) for none where its name says one, else the id."""
    return (f"(CASE WHEN {parent} IS NULL THEN (CASE WHEN {derived} IS NULL THEN NULL ELSE X'' END) "
            f"WHEN {parent} = {derived} THEN NULL ELSE {parent} END)")


#: The generated ``id`` and ``parent_id``: what the row stores of them, and the rest from its name.
_GENERATED_IDS = (
    "    id TEXT NOT NULL GENERATED ALWAYS AS (coalesce(own_id, file_path || '::' || qualified_name)) VIRTUAL,\n"
    "    parent_id TEXT GENERATED ALWAYS AS (CASE WHEN typeof(own_parent) = 'blob' THEN NULL "
    "WHEN own_parent IS NOT NULL THEN own_parent ELSE "
    + derived_parent("kind", "qualified_name", "name", "file_path") + " END) VIRTUAL\n")

#: Migrations from version N-1 to N. A new schema version appends a script here.
MIGRATIONS: dict[int, str] = {
    1: _V1 + FTS_TRIGGERS,
    # Calls without a single target keep what is known of them: the candidate ids of an
    # ambiguous call, the module of an external one. The engine re-resolves every call of an
    # index whose resolver is older than its own (meta "resolver"), so the new kinds fill in.
    2: "ALTER TABLE edges ADD COLUMN detail TEXT;",
    # A create event may leave the atom's state in the atom's row (delta NULL) until the row
    # changes: SQLite cannot drop a NOT NULL, so the table is made again.
    3: """
CREATE TABLE atom_events_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    atom_id TEXT NOT NULL,
    file_path TEXT NOT NULL,
    operation TEXT NOT NULL,
    delta TEXT,                      -- NULL: a create whose state is still the atom's row
    previous_version INTEGER,
    new_version INTEGER,
    timestamp REAL NOT NULL,
    source TEXT NOT NULL,
    transaction_id INTEGER NOT NULL
);
INSERT INTO atom_events_v3 SELECT * FROM atom_events;
DROP TABLE atom_events;
ALTER TABLE atom_events_v3 RENAME TO atom_events;
CREATE INDEX idx_events_atom ON atom_events(atom_id);
CREATE INDEX idx_events_time ON atom_events(timestamp);
CREATE INDEX idx_events_txn ON atom_events(transaction_id);
CREATE INDEX idx_events_file ON atom_events(file_path);
-- The rest of version 3: an atom's pk is never given to another atom (AUTOINCREMENT), so that
-- edges can name atoms by pk; edges are rows of integers clustered by their caller.
DROP VIEW graph_edges;
CREATE TABLE atoms_v3 (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,                -- unique: idx_atoms_id, which a first index builds once
    file_path TEXT NOT NULL,
    name TEXT NOT NULL,
    qualified_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    line INTEGER NOT NULL,
    end_line INTEGER,
    signature TEXT NOT NULL DEFAULT '',
    docstring TEXT NOT NULL DEFAULT '',
    is_async INTEGER NOT NULL DEFAULT 0,
    is_exported INTEGER NOT NULL DEFAULT 0,
    complexity INTEGER NOT NULL DEFAULT 1,
    body_hash TEXT NOT NULL DEFAULT '',
    parent_id TEXT,
    owner TEXT,
    words TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    transaction_id INTEGER
);
INSERT INTO atoms_v3 SELECT * FROM atoms;
CREATE TABLE edge_rows (
    source INTEGER NOT NULL,         -- atoms.pk of the caller
    seq INTEGER NOT NULL,            -- the call's place among the caller's calls
    target INTEGER,                  -- atoms.pk of the callee; NULL when no single target
    callee TEXT NOT NULL,            -- as written: self.db.write
    short_name TEXT NOT NULL,        -- write
    line INTEGER NOT NULL,
    resolution TEXT NOT NULL,        -- model.RESOLUTIONS: how the target was found, or why none
    candidates INTEGER NOT NULL DEFAULT 0,
    detail TEXT,                     -- candidate ids of an ambiguous call, module of an external one
    PRIMARY KEY (source, seq)
) WITHOUT ROWID;
INSERT INTO edge_rows
SELECT s.pk, row_number() OVER (PARTITION BY s.pk ORDER BY e.id) - 1, t.pk, e.callee, e.short_name,
       e.line, e.resolution, e.candidates, e.detail
FROM edges e JOIN atoms_v3 s ON s.id = e.source_id LEFT JOIN atoms_v3 t ON t.id = e.target_id;
DROP TABLE edges;
DROP TABLE atoms;
ALTER TABLE atoms_v3 RENAME TO atoms;
CREATE UNIQUE INDEX idx_atoms_id ON atoms(id);
CREATE INDEX idx_atoms_file ON atoms(file_path);
CREATE INDEX idx_atoms_name ON atoms(name);
CREATE INDEX idx_atoms_qualified ON atoms(qualified_name);
CREATE INDEX idx_edge_rows_target ON edge_rows(target) WHERE target IS NOT NULL;
CREATE INDEX idx_edge_rows_short ON edge_rows(short_name);
-- The calls no walk can follow, by name: what impact and dead code say they could not follow.
CREATE INDEX idx_edge_rows_unfollowed ON edge_rows(short_name)
    WHERE target IS NULL AND resolution IN ('ambiguous', 'unresolved');
""" + FTS_TRIGGERS + """
-- Edges as the code reads them: text ids, and an id that names the row ((source << 20) | seq).
CREATE VIEW edges AS
SELECT (e.source << 20) | e.seq AS id, s.id AS source_id, t.id AS target_id, e.callee,
       e.short_name, e.line, e.resolution, e.candidates, e.detail
FROM edge_rows e JOIN atoms s ON s.pk = e.source LEFT JOIN atoms t ON t.pk = e.target;

-- The calls into atoms, for lookups by target: SQLite's planner does not start the view above
-- from its LEFT JOINed side, and would scan every edge.
CREATE VIEW edges_in AS
SELECT (e.source << 20) | e.seq AS id, s.id AS source_id, t.id AS target_id, e.callee,
       e.short_name, e.line, e.resolution, e.candidates, e.detail
FROM atoms t JOIN edge_rows e ON e.target = t.pk JOIN atoms s ON s.pk = e.source;

CREATE VIEW graph_edges AS
SELECT e.source_id, s.file_path AS source_file, s.name AS source_name,
       e.target_id, t.file_path AS target_file, t.name AS target_name,
       e.callee, e.line, e.resolution, 'calls' AS edge_type
FROM edges e
JOIN atoms s ON s.id = e.source_id
LEFT JOIN atoms t ON t.id = e.target_id;
""",
    # A first index keeps its log in the rows it describes (store/baseline.py): its create
    # events are reserved ids until an atom's row first changes, its edge events are pks.
    4: """
CREATE TABLE baselines (
    transaction_id INTEGER PRIMARY KEY,
    first_pk INTEGER NOT NULL,       -- the atoms it inserted: pks first_pk..last_pk
    last_pk INTEGER NOT NULL,
    first_event INTEGER NOT NULL,    -- the create event of pk p is first_event + p - first_pk
    timestamp REAL NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE edge_events_v4 (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL,
    operation TEXT NOT NULL,         -- add, remove
    source_id TEXT,                  -- the atoms' ids; NULL in a baseline's events, which
    target_id TEXT,
    source INTEGER,                  -- name them by pk instead
    target INTEGER
);
INSERT INTO edge_events_v4 (id, transaction_id, operation, source_id, target_id)
SELECT id, transaction_id, operation, source_id, target_id FROM edge_events;
DROP TABLE edge_events;
ALTER TABLE edge_events_v4 RENAME TO edge_events;
CREATE INDEX idx_edge_events_txn ON edge_events(transaction_id);

-- An atom's id is its file and qualified name, its parent's is what its name says, nearly
-- always: the row keeps them only where not (own_id, own_parent) and reads them as virtual
-- columns, which idx_atoms_id indexes. Its calls are its rows of edge_rows, not a second
-- copy in data. The views over atoms go and come back with the table.
DROP VIEW graph_edges;
DROP VIEW edges_in;
DROP VIEW edges;
CREATE TABLE atoms_v4 (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    own_id TEXT,                     -- the id where it is not file_path::qualified_name (#2...)
    file_path TEXT NOT NULL,
    name TEXT NOT NULL,
    qualified_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    line INTEGER NOT NULL,
    end_line INTEGER,
    signature TEXT NOT NULL DEFAULT '',
    docstring TEXT NOT NULL DEFAULT '',
    is_async INTEGER NOT NULL DEFAULT 0,
    is_exported INTEGER NOT NULL DEFAULT 0,
    complexity INTEGER NOT NULL DEFAULT 1,
    body_hash TEXT NOT NULL DEFAULT '',
    own_parent TEXT,                 -- the parent id where its name does not say it (X'': none)
    owner TEXT,
    words TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    transaction_id INTEGER,
""" + _GENERATED_IDS + """);
INSERT INTO atoms_v4 (pk, own_id, file_path, name, qualified_name, kind, line, end_line, signature,
    docstring, is_async, is_exported, complexity, body_hash, own_parent, owner, words, data,
    version, created_at, updated_at, transaction_id)
SELECT pk, nullif(id, file_path || '::' || qualified_name), file_path, name, qualified_name, kind,
    line, end_line, signature, docstring, is_async, is_exported, complexity, body_hash,
    """ + stored_parent("parent_id", derived_parent("kind", "qualified_name", "name", "file_path")) + """,
    owner, words, CASE WHEN json_type(data, '$.calls') IS NULL THEN data
    ELSE json_remove(data, '$.calls') END, version, created_at, updated_at, transaction_id
FROM atoms ORDER BY pk;
-- pks are never given again: the new table's sequence goes on from the old one's
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence
    WHERE name = 'atoms'), 0)) WHERE name = 'atoms_v4';
DROP TABLE atoms;
ALTER TABLE atoms_v4 RENAME TO atoms;
CREATE UNIQUE INDEX idx_atoms_id ON atoms(id);
CREATE INDEX idx_atoms_file ON atoms(file_path);
CREATE INDEX idx_atoms_name ON atoms(name);
CREATE INDEX idx_atoms_qualified ON atoms(qualified_name);
""" + FTS_TRIGGERS + """
CREATE VIEW edges AS
SELECT (e.source << 20) | e.seq AS id, s.id AS source_id, t.id AS target_id, e.callee,
       e.short_name, e.line, e.resolution, e.candidates, e.detail
FROM edge_rows e JOIN atoms s ON s.pk = e.source LEFT JOIN atoms t ON t.pk = e.target;
CREATE VIEW edges_in AS
SELECT (e.source << 20) | e.seq AS id, s.id AS source_id, t.id AS target_id, e.callee,
       e.short_name, e.line, e.resolution, e.candidates, e.detail
FROM atoms t JOIN edge_rows e ON e.target = t.pk JOIN atoms s ON s.pk = e.source;
CREATE VIEW graph_edges AS
SELECT e.source_id, s.file_path AS source_file, s.name AS source_name,
       e.target_id, t.file_path AS target_file, t.name AS target_name,
       e.callee, e.line, e.resolution, 'calls' AS edge_type
FROM edges e
JOIN atoms s ON s.id = e.source_id
LEFT JOIN atoms t ON t.id = e.target_id;
-- Edge events with text ids: a baseline atom's pk names it by its row while it lives, by its
-- create event (written before the row went) after.
CREATE VIEW edge_log AS
SELECT e.id, e.transaction_id, e.operation,
       coalesce(e.source_id, s.id, (SELECT x.atom_id FROM baselines b JOIN atom_events x
            ON x.id = b.first_event + e.source - b.first_pk
            WHERE e.source BETWEEN b.first_pk AND b.last_pk)) AS source_id,
       coalesce(e.target_id, t.id, (SELECT x.atom_id FROM baselines b JOIN atom_events x
            ON x.id = b.first_event + e.target - b.first_pk
            WHERE e.target BETWEEN b.first_pk AND b.last_pk)) AS target_id
FROM edge_events e LEFT JOIN atoms s ON s.pk = e.source LEFT JOIN atoms t ON t.pk = e.target;
""",
}


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a database to ``SCHEMA_VERSION``. A new one is made in one transaction, so that a
    process killed while making it leaves an empty file, never a schema half made; an older one
    steps through the versions, one transaction each. The version is read again inside each
    transaction: another process may have made the same step meanwhile."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(f"the index was written by a newer dgtui (schema {version} > "
                         f"{SCHEMA_VERSION}); upgrade dgtui, or run `dgtui index --rebuild` to "
                         "rebuild it with this one")
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            last = SCHEMA_VERSION if version == 0 else min(version + 1, SCHEMA_VERSION)
            while version < last:
                version += 1
                # executescript would COMMIT first; run statement by statement in our transaction
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers hold semicolons of their own)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
