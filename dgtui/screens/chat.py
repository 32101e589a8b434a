"""Pane 6: the chat with the project brain beside it.

A ``ChatSession`` (``dgtui.chat``) answers from the index and keeps this user's private history;
the brain is shared by the repository. Every call runs in a thread worker, one at a time (the
session's index connection is not shared between threads at once). Promoting an answer opens an
editor on the proposed insight; only what the user confirms is saved.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Input, OptionList, Static

from ..model import Delta
from ..terminal_text import inert
from ..widgets.brain_list import BrainList
from ..widgets.conversation import Conversation
from ..widgets.pane import ExportData, Pane
from ..widgets.pane_bar import PaneBar
from ..widgets.pane_input import PaneKeyInput
from ..widgets.status_bar import StatusBar
from .live_screen import LiveScreen

WELCOME = ("Ask about the code in plain words; answers come from the index and the call graph.\n"
           "  who calls save_atom?  ·  what does handle call?  ·  impact of changing write\n"
           "  what changed in db.py since 2h  ·  dead code in pkg  ·  most complex functions\n"
           "Move to an answer and press p to keep it in the project brain.")
NO_BRAIN = "No insights yet. Promote an answer (p) to start the project brain."


class ChatPane(Pane):
    NUMBER = 6
    TITLE = "Chat"

    def compose(self) -> ComposeResult:
        yield Static(WELCOME, id="chat-welcome", classes="empty")
        yield Conversation(id="conversation")
        yield PaneKeyInput(placeholder="ask: who calls save_atom?", compact=True, id="chat-input")

    def main_widget(self):
        return self.query_one("#chat-input")

    def export_data(self) -> ExportData | None:
        entries = self.query_one(Conversation).entries
        if not entries:
            return None
        rows = [e.to_dict() for e in entries]
        return ExportData("chat", "chat history", rows,
                          ["id", "role", "time", "intent", "text", "graph_version", "status"])


class BrainPane(Pane):
    """Beside the chat, on the same screen (pane 6), so it carries no number of its own."""

    TITLE = "Project brain"

    def compose(self) -> ComposeResult:
        yield Static(NO_BRAIN, id="brain-empty", classes="empty")
        yield BrainList(id="brain")

    def main_widget(self):
        return self.query_one(BrainList)

    def export_data(self) -> ExportData | None:
        statuses = self.query_one(BrainList).statuses
        if not statuses:
            return None
        rows = [s.to_dict() for s in statuses]
        return ExportData("brain", "project brain", rows,
                          ["id", "kind", "confidence", "author", "text", "status", "created_at"])


class ChatScreen(LiveScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self) -> None:
        super().__init__(id="chat")
        self.session: Any = None
        self.error: str | None = None
        self._lock = threading.Lock()  # one session call at a time
        self._reading = False  # a reload is under way: it may have read before a commit

    def compose(self) -> ComposeResult:
        yield PaneBar(os.path.basename(self.app.root), 6)
        with Horizontal(id="chat-panes"):
            yield ChatPane(id="chat-pane")
            yield BrainPane(id="brain-pane")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Conversation).display = False
        self.query_one(BrainList).display = False
        self._open()

    def on_unmount(self) -> None:
        if self.session is not None:
            with self._lock:
                self.session.close()

    def focus_main(self) -> None:
        self.query_one(ChatPane).focus_main()

    # -- the session --------------------------------------------------------------------------
    @work(thread=True, group="chat", exit_on_error=False)
    def _open(self) -> None:
        from ..chat import ChatSession

        try:
            with self._lock:
                self.session = ChatSession.open(self.app.paths, self.app.chat_user)
        except Exception as exc:  # no index yet, an invalid user name, a damaged history
            self.app.call_from_thread(self._failed, f"Chat is unavailable: {exc}")
            return
        self._reload()

    def _failed(self, message: str) -> None:
        self.error = message
        self.query_one("#chat-welcome", Static).update(Content(inert(message)))

    @work(thread=True, group="chat-reload", exclusive=True, exit_on_error=False)
    def _reload(self, follow: bool = True) -> None:
        if self.session is None:
            return
        self._reading = True
        with self._lock:
            entries = self.session.history()
            statuses = self.session.brain_list()
        self.app.call_from_thread(self._show, entries, statuses, follow)

    def _show(self, entries: list[Any], statuses: list[Any], follow: bool) -> None:
        self._reading = False
        conversation = self.query_one(Conversation)
        conversation.show(entries, follow=follow)
        conversation.display = bool(entries)
        self.query_one("#chat-welcome").display = not entries
        brain = self.query_one(BrainList)
        brain.show(statuses)
        brain.display = bool(statuses)
        self.query_one("#brain-empty").display = not statuses
        self.query_one(BrainPane).border_subtitle = \
            f"{len(statuses)} insights, {sum(1 for s in statuses if s.stale)} stale" if statuses else ""

    # -- asking -------------------------------------------------------------------------------
    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        if self.session is None:
            self.notify(inert(self.error or "Chat is still opening…"), severity="warning", markup=False)
            return
        event.input.value = ""
        self.query_one(ChatPane).border_subtitle = "thinking…"
        self._ask(question)

    @work(thread=True, group="chat", exit_on_error=False)
    def _ask(self, question: str) -> None:
        try:
            with self._lock:
                self.session.ask(question)
        except Exception as exc:
            self.app.call_from_thread(self.notify, inert(f"Could not answer: {exc}"), severity="error",
                                      markup=False)
        self.app.call_from_thread(self._answered)
        self._reload()

    def _answered(self) -> None:
        self.query_one(ChatPane).border_subtitle = ""

    # -- answers and insights -----------------------------------------------------------------
    @on(OptionList.OptionSelected, "#conversation")
    def _open_answer_atom(self, event: OptionList.OptionSelected) -> None:
        entry = self.query_one(Conversation).selected_entry()
        if entry is None or not entry.message.atoms:
            return
        subject = entry.message.data.get("subject")
        ids = entry.message.atom_ids
        self.app.open_atom(subject if subject in ids else ids[0], focus="atom")

    @on(OptionList.OptionSelected, "#brain")
    def _open_insight_atom(self, event: OptionList.OptionSelected) -> None:
        status = self.query_one(BrainList).selected()
        if status is not None and status.insight.atoms:
            self.app.open_atom(status.insight.atoms[0].atom_id, focus="atom")

    def promote(self, entry: Any | None) -> None:
        if entry is None or entry.message.role != "assistant":
            self.notify("Move to an answer (not a question) to keep it in the brain.", severity="warning")
            return
        self._propose(entry.message.id)

    @work(thread=True, group="chat", exit_on_error=False)
    def _propose(self, message_id: int) -> None:
        from .insight_editor import InsightEditor

        with self._lock:
            draft = self.session.propose_insight(message_id)
        self.app.call_from_thread(self.app.push_screen, InsightEditor(draft), self._confirmed)

    def _confirmed(self, draft) -> None:
        if draft is not None:
            self._save(draft)

    @work(thread=True, group="chat", exit_on_error=False)
    def _save(self, draft) -> None:
        try:
            with self._lock:
                insight = self.session.save_insight(draft)
        except Exception as exc:
            self.app.call_from_thread(self.notify, inert(f"Not saved: {exc}"), severity="error",
                                      markup=False)
            return
        self.app.call_from_thread(self.notify, f"Insight #{insight.id} saved to the project brain",
                                  title="Brain")
        self._reload(follow=False)

    # -- live ---------------------------------------------------------------------------------
    def apply_deltas(self, deltas: list[Delta]) -> None:
        """Answers and insights say whether their atoms (and an insight's files) changed since:
        re-read both when a commit touched one of those."""
        if self.session is None:
            return
        if self._reading:
            self._reload(follow=False)
            return
        atoms: set[str] = set()
        files: set[str] = set()
        for entry in self.query_one(Conversation).entries:
            atoms.update(entry.message.atom_ids)
        for status in self.query_one(BrainList).statuses:
            atoms.update(status.insight.atom_ids)
            files.update(status.insight.files)
        for delta in deltas:
            if not (atoms.isdisjoint(delta.atom_ids)
                    and files.isdisjoint(delta.files + delta.files_removed)):
                self._reload(follow=False)
                return

    def editor_target(self) -> tuple[str, int] | None:
        entry = self.query_one(Conversation).selected_entry()
        if entry and entry.message.atoms:
            a = entry.message.atoms[0]
            return a["file_path"], int(a.get("line") or 1)
        return None
