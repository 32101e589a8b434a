"""``?``: every key of the explorer, read from the bindings themselves so it cannot go stale."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys that Textual's own widgets handle (not in our BINDINGS), listed so the help is complete.
BUILT_IN = [
    ("Everywhere", [("tab / shift+tab", "next / previous widget"), ("ctrl+p", "command palette: "
                    "jump to any atom by name, run any action"), ("ctrl+q", "quit")]),
    ("Tables and trees", [("↑ ↓ / pgup pgdn / home end", "move"), ("mouse", "click a row; wheel scrolls")]),
    ("Call trees", [("space", "expand or collapse")]),
    ("Search box", [("enter / ↓", "go to the results"), ("↑ on the first result", "back to the box")]),
]


def binding_sections(app_bindings: list[Binding]) -> list[tuple[str, list[Binding]]]:
    from ..widgets.call_tree import CallTree
    from ..widgets.event_table import EventTable
    from ..widgets.results_table import ResultsTable
    from ..widgets.source_view import SourceView

    return [("Everywhere", app_bindings), ("Search results", ResultsTable.BINDINGS),
            ("Call trees (3 Callers, 4 Callees)", CallTree.BINDINGS),
            ("Source (2 Atom)", SourceView.BINDINGS), ("Timeline (5)", EventTable.BINDINGS)]


def key_label(binding: Binding) -> str:
    names = {"question_mark": "?", "slash": "/", "colon": ":", "left_square_bracket": "[",
             "right_square_bracket": "]", "backspace": "backspace"}
    return ", ".join(names.get(k, k) for k in binding.key.split(","))


def help_lines(app_bindings: list[Binding]) -> list[Content]:
    """The help text: the app's own keys (handed in: this screen does not import the app), each
    widget's, and Textual's built-in ones."""
    lines: list[Content] = []
    for title, bindings in binding_sections(app_bindings):
        lines.append(Content.styled(title, "bold $text-accent"))
        for b in bindings:
            alias = "" if b.show else "  (alias)" if b.key in "jkgGhl" else ""
            desc = b.description or b.action
            lines.append(Content.assemble((f"  {key_label(b):<12}", "bold"), f" {desc}", (alias, "$text-muted")))
        lines.append(Content(""))
    for title, keys in BUILT_IN:
        lines.append(Content.styled(title, "bold $text-accent"))
        for key, desc in keys:
            lines.append(Content.assemble((f"  {key:<12}", "bold"), f" {desc}"))
        lines.append(Content(""))
    lines.append(Content.styled(
        "Search filters: kind:method is:async is:exported not:async file:GLOB (written in the box).\n"
        "Number keys choose panes; in a text box, press Tab or Esc first.", "$text-muted"))
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close", show=False),
                Binding("q", "dismiss", "Close", show=False)]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help") as box:
            box.border_title = "Keys"
            box.border_subtitle = "Esc to close"
            yield Static(Content("\n").join(help_lines(self.app.BINDINGS)))
