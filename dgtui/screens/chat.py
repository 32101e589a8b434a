"""Pane 6: chat and the project brain (issue 5 builds their Python API; see the report)."""

from __future__ import annotations

import os

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..model import Delta
from ..widgets.pane import Pane
from ..widgets.pane_bar import PaneBar
from ..widgets.status_bar import StatusBar

PENDING = ("Chat and the project brain are not here yet: their Python API is being built\n"
           "(issue 5) and this pane will use it once it lands. Everything else works:\n"
           "press 1 to search, 5 for the timeline, ? for every key.")


class ChatPane(Pane):
    NUMBER = 6
    TITLE = "Chat"

    def compose(self) -> ComposeResult:
        yield Static(PENDING, id="chat-pending", classes="empty")

    def main_widget(self):
        return None


class ChatScreen(Screen):
    def __init__(self) -> None:
        super().__init__(id="chat")

    def compose(self) -> ComposeResult:
        yield PaneBar(os.path.basename(self.app.root), 6)
        yield ChatPane(id="chat-pane")
        yield StatusBar()
        yield Footer()

    def focus_main(self) -> None:
        self.query_one(ChatPane).focus_main()

    def live_changed(self, delta: Delta, touched: set[str]) -> None:
        pass

    def status_changed(self) -> None:
        self.query_one(StatusBar).app_state_changed()
