"""A numbered, titled region of a screen: the unit of focus (number keys) and of export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.containers import Vertical
from textual.widget import Widget


@dataclass
class ExportData:
    """What a pane would export: rows, their columns, and a name for the default file."""

    name: str
    title: str
    rows: list[dict[str, Any]]
    columns: list[str] = field(default_factory=list)
    #: A document of its own for Markdown (the review's), written instead of a table of the rows.
    markdown: str | None = None


class Pane(Vertical):
    """A bordered pane titled ``"N Title"``; clicking anywhere in it focuses its main widget."""

    NUMBER: int = 0
    TITLE: str = ""

    def on_mount(self) -> None:
        self.border_title = f"{self.NUMBER} {self.TITLE}" if self.NUMBER else self.TITLE

    def main_widget(self) -> Widget | None:
        """The widget that takes focus when the pane is chosen."""
        return None

    def focus_main(self) -> None:
        widget = self.main_widget()
        if widget is not None:
            widget.focus()

    def export_data(self) -> ExportData | None:
        """What ``e`` exports when this pane has focus (None: nothing to export)."""
        return None

    def on_click(self, event: events.Click) -> None:
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors_with_self:
            self.focus_main()
