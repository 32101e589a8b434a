"""The project brain beside the chat: insights with whether they still hold."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..terminal_text import inert
from .vim_keys import LIST_KEYS


def insight_prompt(status: Any) -> Content:
    i = status.insight
    state = status.summary()
    state_style = "$warning" if status.stale else "$text-muted"
    # The text and author may come from any MCP client (add_insight): shown inert.
    about = inert(", ".join(a.atom_id.rpartition("::")[2] for a in i.atoms[:4]))
    return Content("\n").join([
        Content.assemble((f"#{i.id} {i.kind}", "bold $text-accent"),
                         (inert(f"  {i.confidence} · {i.author}"), "$text-muted")),
        Content(inert(i.text, layout=True)),
        Content.assemble((f"about {about}  " if about else "", "$text-muted"), (state, state_style)),
    ])


class BrainList(OptionList):
    BINDINGS = LIST_KEYS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.statuses: list[Any] = []

    def show(self, statuses: list[Any]) -> None:
        highlighted = self.highlighted
        self.statuses = statuses
        self.clear_options()
        self.add_options([Option(insight_prompt(s), id=str(s.id)) for s in statuses])
        if statuses:
            self.highlighted = min(highlighted or 0, len(statuses) - 1)

    def selected(self) -> Any | None:
        if self.highlighted is None or not 0 <= self.highlighted < len(self.statuses):
            return None
        return self.statuses[self.highlighted]
