"""A modal with a title and lines of text (errors, parse errors); Escape closes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..terminal_text import inert


class TextDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("q", "dismiss", "Close", show=False)]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog") as box:
            box.border_title = self.title_text
            box.border_subtitle = "Esc to close"
            # Errors quote paths and names of the repository: each line shown inert.
            yield Static("\n".join(inert(line) for line in self.lines), markup=False)
