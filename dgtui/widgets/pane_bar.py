"""The line at the top of every screen: the panes by number, clickable, the current one lit."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

PANES = ((1, "Search"), (2, "Atom"), (3, "Callers"), (4, "Callees"), (5, "Timeline"), (6, "Chat"),
         (7, "Review"))


class PaneBar(Static):
    """``dgtui  repo  1 Search 2 Atom …``; ``app.pane(N)`` runs when a tab is clicked."""

    DEFAULT_CSS = """
    PaneBar { height: 1; width: 1fr; background: $panel; color: $text-muted; }
    """

    def __init__(self, repo_name: str, current: int = 1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.repo_name = repo_name
        self.current = current

    def on_mount(self) -> None:
        self.update(self._content())

    def set_current(self, number: int) -> None:
        if number != self.current:
            self.current = number
            self.update(self._content())

    def _content(self) -> Content:
        parts = [Content.styled(" dgtui ", "bold $text-accent"),
                 Content.styled(f"{self.repo_name}  ", "$text-muted")]
        for number, title in PANES:
            style = "bold reverse $accent" if number == self.current else "$text"
            tab = Content.styled(f" {number} {title} ", style)
            parts.append(tab.stylize(f"@click=app.pane({number})"))
        return Content.assemble(*parts)
