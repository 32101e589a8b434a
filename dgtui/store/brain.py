"""The project brain: one SQLite file per repository, shared by everyone who works on it.

``{home}/project-brains/{repositoryId}/brain.db`` holds insights (architecture, decisions,
patterns, risks, context) about atoms and files, and its own log of every change to them with
the source that made it. It never holds a chat message: an insight promoted from an answer
keeps only its provenance, not the conversation. The index's ``atom_events`` belong to indexing;
the brain reads them (to tell stale insights) but writes its own ``insight_log``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..model import CONFIDENCES
from ..model import INSIGHT_KINDS as KINDS
from ..targets import BRAIN_APPLICATION_ID
from .db import StoreError
from .records import dumps
from .sidecar import SidecarSchema, open_sidecar

PROVENANCES = ("manual", "promoted", "tool")  # by hand, promoted from a chat answer, by a tool
LOG_SOURCES = ("user", "chat", "mcp", "tool")  # who changed the brain

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE insights (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('architecture', 'decision', 'pattern', 'risk', 'context')),
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    confidence TEXT NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
    author TEXT NOT NULL,
    provenance TEXT NOT NULL CHECK (provenance IN ('manual', 'promoted', 'tool')),
    tool TEXT,                        -- the tool, or the chat intent, it came from
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    graph_version INTEGER NOT NULL DEFAULT 0,  -- the index's last transaction when written
    index_epoch REAL                           -- which index that transaction id belongs to
);
CREATE TABLE insight_atoms (
    insight_id INTEGER NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
    atom_id TEXT NOT NULL,
    file_path TEXT,
    fingerprint TEXT,                 -- the atom as it was when the insight was written
    PRIMARY KEY (insight_id, atom_id)
) WITHOUT ROWID;
CREATE INDEX idx_insight_atoms_atom ON insight_atoms(atom_id);
CREATE TABLE insight_files (
    insight_id INTEGER NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    PRIMARY KEY (insight_id, path)
) WITHOUT ROWID;
CREATE TABLE insight_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    insight_id INTEGER NOT NULL,      -- no foreign key: the log outlives a removed insight
    operation TEXT NOT NULL CHECK (operation IN ('add', 'update', 'remove')),
    source TEXT NOT NULL CHECK (source IN ('user', 'chat', 'mcp', 'tool')),
    author TEXT NOT NULL,
    timestamp REAL NOT NULL,
    insight TEXT NOT NULL             -- the insight after the change (before, for a remove)
);
CREATE INDEX idx_insight_log_insight ON insight_log(insight_id);
"""

SCHEMA = SidecarSchema("project brain", BRAIN_APPLICATION_ID, {1: _V1})


#: The longest insight: a few paragraphs. The brain is read by people and sent whole to every
#: agent that asks (brain_insights), so one client cannot fill it with megabytes.
MAX_TEXT = 10_000


class BrainError(StoreError):
    """An insight the brain cannot take (unknown kind, empty text, no such id...)."""


@dataclass(frozen=True)
class InsightAtom:
    atom_id: str
    file_path: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class NewInsight:
    """An insight to add: what a user typed, or a draft promoted from a chat answer."""

    kind: str
    text: str
    author: str
    atoms: tuple[InsightAtom, ...] = ()
    files: tuple[str, ...] = ()
    confidence: str = "medium"
    provenance: str = "manual"
    tool: str | None = None
    graph_version: int = 0
    index_epoch: float | None = None


@dataclass(frozen=True)
class Insight:
    id: int
    kind: str
    text: str
    confidence: str
    author: str
    provenance: str
    tool: str | None
    created_at: float
    updated_at: float
    graph_version: int
    index_epoch: float | None
    atoms: tuple[InsightAtom, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def atom_ids(self) -> list[str]:
        return [a.atom_id for a in self.atoms]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": self.text,
                "confidence": self.confidence, "author": self.author,
                "provenance": self.provenance, "tool": self.tool, "created_at": self.created_at,
                "updated_at": self.updated_at, "graph_version": self.graph_version,
                "index_epoch": self.index_epoch,
                "atoms": [{"id": a.atom_id, "file_path": a.file_path,
                           "fingerprint": a.fingerprint} for a in self.atoms],
                "files": list(self.files)}


@dataclass(frozen=True)
class LogEntry:
    id: int
    insight_id: int
    operation: str
    source: str
    author: str
    timestamp: float
    insight: dict[str, Any] = field(default_factory=dict)


_INSIGHT_COLUMNS = ("id, kind, text, confidence, author, provenance, tool, created_at, "
                    "updated_at, graph_version, index_epoch")


class BrainStore:
    """Insights and their log; every write is one transaction that also writes its log row."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: str) -> BrainStore:
        """Open (creating) the brain; ``path`` is ``RepoPaths.brain_db``."""
        return cls(open_sidecar(path, SCHEMA), path)

    # == writes ============================================================================
    def add(self, new: NewInsight, source: str) -> Insight:
        _check(new.kind, new.confidence, new.provenance, source, new.text)
        now = time.time()
        with self._write():
            cur = self.conn.execute(
                "INSERT INTO insights (kind, text, confidence, author, provenance, tool, "
                "created_at, updated_at, graph_version, index_epoch) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (new.kind, new.text.strip(), new.confidence, new.author, new.provenance, new.tool,
                 now, now, new.graph_version, new.index_epoch))
            insight_id = int(cur.lastrowid)
            self._set_targets(insight_id, new.atoms, new.files)
            return self._log(insight_id, "add", source, new.author)

    def update(self, insight_id: int, source: str, author: str, *, text: str | None = None,
               kind: str | None = None, confidence: str | None = None,
               atoms: tuple[InsightAtom, ...] | None = None, files: tuple[str, ...] | None = None,
               graph_version: int | None = None, index_epoch: float | None = None) -> Insight:
        """Change an insight; new ``atoms`` with a ``graph_version`` re-anchor it (not stale)."""
        with self._write():
            old = self._require(insight_id)
            new = {"text": (text if text is not None else old.text).strip(),
                   "kind": kind or old.kind, "confidence": confidence or old.confidence}
            _check(new["kind"], new["confidence"], old.provenance, source, new["text"])
            anchor = (graph_version, index_epoch) if graph_version is not None else (
                old.graph_version, old.index_epoch)
            self.conn.execute(
                "UPDATE insights SET text=?, kind=?, confidence=?, updated_at=?, graph_version=?, "
                "index_epoch=? WHERE id=?",
                (new["text"], new["kind"], new["confidence"], time.time(), anchor[0], anchor[1],
                 insight_id))
            if atoms is not None or files is not None:
                self._set_targets(insight_id, old.atoms if atoms is None else atoms,
                                  old.files if files is None else files, replace=True)
            return self._log(insight_id, "update", source, author)

    def remove(self, insight_id: int, source: str, author: str) -> Insight:
        if source not in LOG_SOURCES:
            raise BrainError(f"unknown source {source!r}: use one of {', '.join(LOG_SOURCES)}")
        with self._write():
            old = self._require(insight_id)
            self.conn.execute("INSERT INTO insight_log (insight_id, operation, source, author, "
                              "timestamp, insight) VALUES (?, 'remove', ?, ?, ?, ?)",
                              (insight_id, source, author, time.time(), dumps(old.to_dict())))
            self.conn.execute("DELETE FROM insights WHERE id = ?", (insight_id,))
            return old

    def _set_targets(self, insight_id: int, atoms: tuple[InsightAtom, ...], files: tuple[str, ...],
                     replace: bool = False) -> None:
        if replace:
            self.conn.execute("DELETE FROM insight_atoms WHERE insight_id = ?", (insight_id,))
            self.conn.execute("DELETE FROM insight_files WHERE insight_id = ?", (insight_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO insight_atoms (insight_id, atom_id, file_path, fingerprint) "
            "VALUES (?,?,?,?)", [(insight_id, a.atom_id, a.file_path, a.fingerprint) for a in atoms])
        self.conn.executemany("INSERT OR IGNORE INTO insight_files (insight_id, path) VALUES (?,?)",
                              [(insight_id, p) for p in files])

    def _log(self, insight_id: int, operation: str, source: str, author: str) -> Insight:
        insight = self._require(insight_id)
        self.conn.execute("INSERT INTO insight_log (insight_id, operation, source, author, "
                          "timestamp, insight) VALUES (?,?,?,?,?,?)",
                          (insight_id, operation, source, author, time.time(),
                           dumps(insight.to_dict())))
        return insight

    def _write(self):
        return _Transaction(self.conn, self._lock)

    # == reads =============================================================================
    def get(self, insight_id: int) -> Insight | None:
        with self._lock:
            row = self.conn.execute(f"SELECT {_INSIGHT_COLUMNS} FROM insights WHERE id = ?",
                                    (insight_id,)).fetchone()
            return self._with_targets([row])[0] if row else None

    def _require(self, insight_id: int) -> Insight:
        found = self.get(insight_id)
        if found is None:
            raise BrainError(f"no insight {insight_id} in the project brain")
        return found

    def list(self, kind: str | None = None, atom_id: str | None = None) -> list[Insight]:
        """Insights, oldest first; only those of a kind, or about an atom, when asked."""
        sql, params = f"SELECT {_INSIGHT_COLUMNS} FROM insights", []
        clauses = []
        if kind:
            clauses.append("kind = ?")
            params.append(kind)
        if atom_id:
            clauses.append("id IN (SELECT insight_id FROM insight_atoms WHERE atom_id = ?)")
            params.append(atom_id)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self._lock:
            return self._with_targets(self.conn.execute(sql + " ORDER BY id", params).fetchall())

    def _with_targets(self, rows: list[tuple]) -> list[Insight]:
        if not rows:
            return []
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        atoms: dict[int, list[InsightAtom]] = {i: [] for i in ids}
        files: dict[int, list[str]] = {i: [] for i in ids}
        for iid, atom_id, path, fp in self.conn.execute(
                "SELECT insight_id, atom_id, file_path, fingerprint FROM insight_atoms "
                f"WHERE insight_id IN ({marks}) ORDER BY insight_id, atom_id", ids):
            atoms[iid].append(InsightAtom(atom_id, path, fp))
        for iid, path in self.conn.execute(
                f"SELECT insight_id, path FROM insight_files WHERE insight_id IN ({marks}) "
                "ORDER BY insight_id, path", ids):
            files[iid].append(path)
        return [Insight(*r, atoms=tuple(atoms[r[0]]), files=tuple(files[r[0]])) for r in rows]

    def log(self, insight_id: int | None = None, limit: int | None = None) -> list[LogEntry]:
        """The brain's own change log, oldest first."""
        sql = "SELECT id, insight_id, operation, source, author, timestamp, insight FROM insight_log"
        params: list[Any] = []
        if insight_id is not None:
            sql += " WHERE insight_id = ?"
            params.append(insight_id)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            return [LogEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]))
                    for r in self.conn.execute(sql, params)]

    def count(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT count(*) FROM insights").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> BrainStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error), under the store's lock."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock):
        self.conn, self.lock = conn, lock

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise

    def __exit__(self, exc_type, *exc: object) -> None:
        try:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.lock.release()


def _check(kind: str, confidence: str, provenance: str, source: str, text: str) -> None:
    for value, allowed, what in ((kind, KINDS, "kind"), (confidence, CONFIDENCES, "confidence"),
                                 (provenance, PROVENANCES, "provenance"),
                                 (source, LOG_SOURCES, "source")):
        if value not in allowed:
            raise BrainError(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    if not text or not text.strip():
        raise BrainError("an insight needs some text")
    if len(text) > MAX_TEXT:
        raise BrainError(f"an insight is at most {MAX_TEXT:,} characters ({len(text):,} given): "
                         "say it in a few sentences and point at the atoms and files")
