"""The chat: questions and answers as a list the cursor moves through (an answer can be
promoted to an insight, or its atom opened)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..terminal_text import inert
from . import clock
from .vim_keys import LIST_KEYS

ATOMS_SHOWN = 6


def message_prompt(entry: Any) -> Content:
    """A stored message (``HistoryEntry``) as a few lines of content."""
    m = entry.message
    stamp = clock.clock(m.created_at)
    if m.role == "user":
        return Content.assemble(("you ", "bold $text-accent"), (stamp, "$text-muted"), "\n",
                                (inert(m.text, layout=True), "bold"))
    lines = [Content.assemble(("dgtui ", "bold $success"), (f"{m.intent or 'answer'} · {stamp}", "$text-muted"))]
    lines.append(Content(inert(m.text, layout=True)))  # names and paths of the repository
    for f in m.findings[:4]:
        style = "$warning" if f.get("kind") == "risk" else "$text-muted"
        lines.append(Content.styled(inert(f"{'⚠' if f.get('kind') == 'risk' else '✎'} {f.get('message')}"),
                                    style))
    if m.atoms:
        names = inert(", ".join(a["name"] for a in m.atoms[:ATOMS_SHOWN]))
        more = f" +{len(m.atoms) - ATOMS_SHOWN}" if len(m.atoms) > ATOMS_SHOWN else ""
        lines.append(Content.styled(f"atoms: {names}{more}  (Enter opens the first)", "$text-muted"))
    summary = entry.summary
    if entry.changed:
        lines.append(Content.styled(inert(summary), "$warning"))
    return Content("\n").join(lines)


class Conversation(OptionList):
    """Messages oldest first; the newest is kept in view."""

    BINDINGS = [
        Binding("p", "promote", "To brain", show=True),
        *LIST_KEYS,
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[Any] = []

    def show(self, entries: list[Any], follow: bool = True) -> None:
        highlighted = self.highlighted
        self.entries = entries
        self.clear_options()
        self.add_options([Option(message_prompt(e), id=str(e.message.id)) for e in entries])
        if entries:
            self.highlighted = len(entries) - 1 if follow or highlighted is None else \
                min(highlighted, len(entries) - 1)

    def selected_entry(self) -> Any | None:
        if self.highlighted is None or not 0 <= self.highlighted < len(self.entries):
            return None
        return self.entries[self.highlighted]

    def action_promote(self) -> None:
        self.screen.promote(self.selected_entry())
