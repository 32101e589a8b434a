"""A chat session: one user asking about one repository, with the shared brain beside it.

Three stores, kept apart: the index is opened read only (a conversation cannot modify it), the
chat history is the user's private file, and the project brain is only written when the user
confirms an insight. Asking writes the question and its answer to the chat history and nothing
else. The session is what a front end drives::

    session = ChatSession.open(RepoPaths.for_root(root), user="ann")
    answer = session.ask("who calls saveatom?")   # Answer: text, intent, atoms, findings...
    session.history()                              # [HistoryEntry], oldest first
    draft = session.propose_insight(answer.message_id)
    session.save_insight(draft)                    # after the user edited and confirmed it
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass, replace
from typing import Any

from .. import query as q
from ..paths import RepoPaths, default_user, validate_id
from ..store import Store, StoreError
from ..store.brain import Insight
from ..store.chat import ChatMessage, ChatStore
from ..store.readonly import NoIndex, open_index_readonly
from .answer import Answer, Answerer
from .brain import InsightStatus, ProjectBrain
from .context import GraphContext
from .local import LocalAnswerer
from .promote import InsightDraft, draft_from


@dataclass(frozen=True)
class HistoryEntry:
    """A stored message and, for an answer, which of its atoms changed since."""

    message: ChatMessage
    changed: list[dict[str, Any]] | None = None  # None: a question, or no index to compare

    @property
    def summary(self) -> str:
        m = self.message
        if m.role != "assistant":
            return ""
        at = f"answered at transaction {m.graph_version}"
        if self.changed is None:
            return at + " (no index to compare with)"
        if not m.atoms:
            return at
        return f"{at}; {len(self.changed)} of its {len(m.atoms)} atoms changed since"

    def to_dict(self) -> dict[str, Any]:
        row = self.message.to_dict()
        row.update(changed_since=self.changed, status=self.summary)
        return row


class ChatSession:
    def __init__(self, paths: RepoPaths, user: str, index: Store | None, *,
                 answerer: Answerer | None = None):
        self.paths = paths
        self.user = validate_id(user, "user id")
        self.index = index  # None: history and clearing still work, asking does not
        self.ctx = GraphContext(index) if index is not None else None
        self.answerer: Answerer = answerer or LocalAnswerer()
        self.brain = ProjectBrain.open(paths, index)
        self._chat: ChatStore | None = None
        self._lock = threading.RLock()

    @classmethod
    def open(cls, paths: RepoPaths, user: str | None = None, *, answerer: Answerer | None = None,
             require_index: bool = True) -> ChatSession:
        """``require_index=False`` opens a session without an index (history, clear)."""
        validate_id(paths.repo_id, "repository id")
        user = validate_id(user, "user id") if user is not None else default_user()
        if require_index or os.path.exists(paths.index_db):
            index = open_index_readonly(paths.index_db, paths.root)
        else:
            index = None
        return cls(paths, user, index, answerer=answerer)

    # == the conversation ==================================================================
    def ask(self, question: str) -> Answer:
        """Answer from the index and graph, store question and answer, return the answer."""
        question = " ".join(question.split())
        if not question:
            raise ValueError("ask a question")
        if self.ctx is None:
            raise NoIndex(f"no index for {self.paths.root} yet; run `dgtui index` first")
        answer = self.answerer.answer(question, self.ctx)  # reads only: no lock needed
        with self._lock:
            _, stored = self._chat_store(create=True).add_exchange(
                question, answer.text, answer.intent,
                atoms=[{"id": a.id, "name": a.name, "kind": a.kind, "file_path": a.file_path,
                        "line": a.line, "fingerprint": a.fingerprint} for a in answer.atoms],
                files=list(answer.files), findings=[asdict(f) for f in answer.findings],
                graph_version=answer.graph_version, index_epoch=answer.index_epoch,
                answerer=answer.answerer,
                data=dict(answer.data, subject=answer.subject, fallback=answer.fallback),
                created_at=None)
        return replace(answer, message_id=stored.id)

    def history(self, limit: int | None = None, with_changes: bool = True) -> list[HistoryEntry]:
        """Messages oldest first; each answer with the atoms that changed since it was given."""
        with self._lock:
            chat = self._chat_store()
        messages = chat.messages(limit) if chat else []
        return [HistoryEntry(m, self._changed(m) if with_changes else None) for m in messages]

    def _changed(self, m: ChatMessage) -> list[dict[str, Any]] | None:
        if m.role != "assistant" or self.index is None:
            return None
        changes = q.atom_changes(self.index, m.atom_ids, m.graph_version or 0, m.index_epoch,
                                 {a["id"]: a.get("fingerprint") for a in m.atoms})
        return list(changes.values())

    def message(self, message_id: int) -> ChatMessage | None:
        chat = self._chat_store()
        return chat.get(message_id) if chat else None

    def clear(self) -> int:
        """Delete this user's chat about this repository; the brain and index are untouched."""
        with self._lock:
            chat = self._chat_store()
            return chat.clear() if chat else 0

    # == the brain beside it ===============================================================
    def brain_list(self, stale_only: bool = False) -> list[InsightStatus]:
        return self.brain.list(stale_only=stale_only)

    def propose_insight(self, message_id: int) -> InsightDraft:
        """A draft insight from an answer, for the user to edit; nothing is saved."""
        message = self.message(message_id)
        if message is None:
            raise StoreError(f"no message {message_id} in this chat")
        return draft_from(message)

    def save_insight(self, draft: InsightDraft, author: str | None = None) -> Insight:
        """Save a draft the user confirmed (and perhaps edited) into the project brain."""
        return self.brain.add(draft.kind, draft.text, author or self.user, atoms=draft.atoms,
                              files=draft.files, confidence=draft.confidence,
                              provenance="promoted", tool=draft.tool, source="chat")

    # == files =============================================================================
    @property
    def chat_path(self) -> str:
        return self.paths.chat_db(self.user)

    def _chat_store(self, create: bool = False) -> ChatStore | None:
        if self._chat is None and (create or os.path.exists(self.chat_path)):
            self._chat = ChatStore.open(self.chat_path, self.user, self.paths.repo_id)
        elif self._chat is None:
            ChatStore.check_owner(self.chat_path)  # "not there" may be "not yours to see"
        return self._chat

    def close(self) -> None:
        with self._lock:
            if self._chat is not None:
                self._chat.close()
                self._chat = None
            self.brain.close()
            if self.index is not None:
                self.index.close()

    def __enter__(self) -> ChatSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
