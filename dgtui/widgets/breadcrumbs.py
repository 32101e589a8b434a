"""The way here: the history's entries around the current one, each clickable."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ..terminal_text import inert


def short_name(atom_id: str) -> str:
    return inert(atom_id.rpartition("::")[2] or atom_id)


class Breadcrumbs(Static):
    DEFAULT_CSS = """
    Breadcrumbs { height: 1; width: 1fr; padding: 0 1; color: $text-muted; }
    """

    def show(self, crumbs: list[tuple[int, str]], current: int, can_back: bool,
             can_forward: bool) -> None:
        if not crumbs:
            self.update(Content.styled("history: empty  ([ back · ] forward)", "$text-disabled"))
            return
        parts = [Content.styled("◂ ", "bold" if can_back else "$text-disabled").stylize("@click=app.back")]
        for n, (index, atom_id) in enumerate(crumbs):
            if n:
                parts.append(Content.styled(" › ", "$text-disabled"))
            style = "bold $text-accent" if index == current else "$text-muted"
            parts.append(Content.styled(short_name(atom_id), style).stylize(f"@click=app.history_go({index})"))
        parts.append(Content.styled(" ▸", "bold" if can_forward else "$text-disabled")
                     .stylize("@click=app.forward"))
        self.update(Content.assemble(*parts))
