"""The chat history: one private SQLite file per user and repository.

``{home}/chat-history/{userId}/{repositoryId}/chat.db`` holds the messages of one user about one
repository and nothing else: no insight, no index data beyond the ids an answer used. Clearing it
deletes the rows with ``secure_delete`` on and compacts the file, so nothing readable is left.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..targets import CHAT_APPLICATION_ID
from .db import StoreError
from .records import dumps
from .sidecar import SidecarSchema, check_private_dirs, claim_owner, open_sidecar

ROLES = ("user", "assistant")

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    text TEXT NOT NULL,
    created_at REAL NOT NULL,
    intent TEXT,                      -- the intent detected (both roles)
    reply_to INTEGER,                 -- an answer's question
    atoms TEXT NOT NULL DEFAULT '[]', -- [{id, name, kind, file_path, line, fingerprint}]
    files TEXT NOT NULL DEFAULT '[]',
    findings TEXT NOT NULL DEFAULT '[]',
    graph_version INTEGER,            -- the index's last transaction when answered
    index_epoch REAL,                 -- which index that transaction id belongs to
    answerer TEXT,
    data TEXT NOT NULL DEFAULT '{}'   -- the answer's subject, fallback flag...
);
"""

SCHEMA = SidecarSchema("chat history", CHAT_APPLICATION_ID, {1: _V1})


class ChatOwnerMismatch(StoreError):
    """A chat file that says it belongs to another user or repository."""


@dataclass(frozen=True)
class ChatMessage:
    """One stored message; an answer's ``atoms`` are dicts the UI can turn into links."""

    id: int
    role: str
    text: str
    created_at: float
    intent: str | None = None
    reply_to: int | None = None
    atoms: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    graph_version: int | None = None
    index_epoch: float | None = None
    answerer: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def atom_ids(self) -> list[str]:
        return [a["id"] for a in self.atoms]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "text": self.text, "time": self.created_at,
                "intent": self.intent, "reply_to": self.reply_to, "atoms": self.atoms,
                "files": self.files, "findings": self.findings,
                "graph_version": self.graph_version, "index_epoch": self.index_epoch,
                "answerer": self.answerer, "data": self.data}


_COLUMNS = ("id, role, text, created_at, intent, reply_to, atoms, files, findings, graph_version, "
            "index_epoch, answerer, data")


def _row(r: tuple) -> ChatMessage:
    return ChatMessage(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7]),
                       json.loads(r[8]), r[9], r[10], r[11], json.loads(r[12]))


def _root(path: str) -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(path)))  # {home}/chat-history


class ChatStore:
    """The messages of one user about one repository."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()  # a UI may write from a worker thread

    @classmethod
    def open(cls, path: str, user_id: str, repo_id: str) -> ChatStore:
        """Open (creating privately) the chat file; ``path`` is ``RepoPaths.chat_db(user)``."""
        store = cls(open_sidecar(path, SCHEMA, private_root=_root(path)), path)
        store._claim(user_id, repo_id)
        return store

    @staticmethod
    def check_owner(path: str) -> None:
        """Before reading a chat that is not there: a folder of it owned by another account is
        the same error as for ``open`` (another account cannot even see whether the file exists)."""
        check_private_dirs(os.path.dirname(path), _root(path))

    def _claim(self, user_id: str, repo_id: str) -> None:
        """Record whose chat this is; refuse a file that says it is someone else's."""
        with self._lock:
            owner = claim_owner(self.conn, user_id, repo_id)
        if owner is not None:
            self.close()
            raise ChatOwnerMismatch(
                f"{self.path} holds the chat of user {owner.get('user_id')!r} about "
                f"{owner.get('repo_id')!r}, not of {user_id!r} about {repo_id!r}")

    def add(self, role: str, text: str, **fields: Any) -> ChatMessage:
        """Add one message (fields: intent, reply_to, atoms, files, findings, graph_version,
        index_epoch, answerer, data, created_at)."""
        with self._lock:
            message_id = self._insert(role, text, **fields)
        got = self.get(message_id)
        assert got is not None
        return got

    def add_exchange(self, question: str, answer: str, intent: str | None,
                     **fields: Any) -> tuple[ChatMessage, ChatMessage]:
        """A question and its answer, in one transaction (both or neither)."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                asked = self._insert("user", question, intent=intent)
                answered = self._insert("assistant", answer, intent=intent, reply_to=asked,
                                        **fields)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        pair = self.get(asked), self.get(answered)
        assert pair[0] is not None and pair[1] is not None
        return pair[0], pair[1]

    def _insert(self, role: str, text: str, *, intent: str | None = None,
                reply_to: int | None = None, atoms: list[dict[str, Any]] | None = None,
                files: list[str] | None = None, findings: list[dict[str, Any]] | None = None,
                graph_version: int | None = None, index_epoch: float | None = None,
                answerer: str | None = None, data: dict[str, Any] | None = None,
                created_at: float | None = None) -> int:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        values = (role, text, created_at if created_at is not None else time.time(), intent,
                  reply_to, dumps(atoms or []), dumps(files or []), dumps(findings or []),
                  graph_version, index_epoch, answerer, dumps(data or {}))
        cur = self.conn.execute(
            "INSERT INTO messages (role, text, created_at, intent, reply_to, atoms, files, "
            "findings, graph_version, index_epoch, answerer, data) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", values)
        return int(cur.lastrowid)

    def get(self, message_id: int) -> ChatMessage | None:
        with self._lock:
            row = self.conn.execute(f"SELECT {_COLUMNS} FROM messages WHERE id = ?",
                                    (message_id,)).fetchone()
        return _row(row) if row else None

    def messages(self, limit: int | None = None) -> list[ChatMessage]:
        """Oldest first; ``limit`` keeps the most recent ones."""
        sql = f"SELECT {_COLUMNS} FROM messages ORDER BY id DESC"
        params: list[Any] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self.conn.execute(sql, params).fetchall()
        return [_row(r) for r in reversed(rows)]

    def count(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT count(*) FROM messages").fetchone()[0]

    def clear(self) -> int:
        """Delete every message; returns how many there were."""
        with self._lock:
            n = self.conn.execute("DELETE FROM messages").rowcount
            self.conn.execute("DELETE FROM sqlite_sequence WHERE name = 'messages'")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.execute("VACUUM")
        return n

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ChatStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
