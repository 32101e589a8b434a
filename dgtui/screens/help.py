"""``?``: every key of the explorer, read from the bindings themselves so it cannot go stale."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

#: Keys that Textual's own widgets handle (not in our BINDINGS), by section, so the help is
#: complete; a section of the same title as one of ``binding_sections`` is printed with it.
BUILT_IN = {
    "Everywhere": [("tab / shift+tab", "next / previous widget"),
                   ("ctrl+p", "command palette: jump to any atom by name, run any action"),
                   ("ctrl+q", "quit (q too, outside text boxes and in an empty search box)")],
    "Search box (1)": [("enter", "go to the results"),
                       ("? : q 1-7", "while the box is empty: the keys above, not typed")],
    "Search results (1)": [("↑ on the first result", "back to the box"),
                           ("enter", "open the atom, its callees focused")],
    "Call trees (3 Callers, 4 Callees)": [("space", "expand or collapse")],
    "Chat (6)": [("enter", "in the box: ask; on an answer or an insight: open its atom")],
    "Review (7)": [("enter", "in the box: review since that point (HEAD, a branch, s42, a transaction, 10m)"),
                   ("e", "export: Markdown with the source diffs (or a table)")],
    "Tables, lists and trees": [("↑ ↓ / pgup pgdn / home end", "move"),
                                ("mouse", "click a row; wheel scrolls")],
}


def binding_sections(app_bindings: list[Binding]) -> list[tuple[str, list[Binding]]]:
    from ..widgets.brain_list import BrainList
    from ..widgets.call_tree import CallTree
    from ..widgets.conversation import Conversation
    from ..widgets.event_table import EventTable
    from ..widgets.results_table import ResultsTable
    from ..widgets.review_view import ReviewTree
    from ..widgets.search_pane import SearchInput
    from ..widgets.source_view import SourceView
    from .explorer import ExplorerScreen
    from .watched import WatchedDialog

    return [("Everywhere", app_bindings), ("Search box (1)", SearchInput.BINDINGS),
            ("Search results (1)", ResultsTable.BINDINGS), ("Source (2 Atom)", SourceView.BINDINGS),
            ("Call trees (3 Callers, 4 Callees)", CallTree.BINDINGS),
            ("Panes 1-4", ExplorerScreen.BINDINGS),
            ("Watched atoms (W)", [b for b in WatchedDialog.BINDINGS if b.show]),
            ("Timeline (5)", EventTable.BINDINGS),
            ("Chat (6)", [*Conversation.BINDINGS, *(b for b in BrainList.BINDINGS
                                                  if b not in Conversation.BINDINGS)]),
            ("Review (7)", ReviewTree.BINDINGS),
            ("Tables, lists and trees", [])]


def key_label(binding: Binding) -> str:
    names = {"question_mark": "?", "slash": "/", "colon": ":", "left_square_bracket": "[",
             "right_square_bracket": "]", "backspace": "backspace"}
    return ", ".join(names.get(k, k) for k in binding.key.split(","))


def help_lines(app_bindings: list[Binding]) -> list[Content]:
    """The help text: the app's own keys (handed in: this screen does not import the app), each
    pane's, and Textual's built-in ones, one section per place."""
    lines: list[Content] = []
    for title, bindings in binding_sections(app_bindings):
        lines.append(Content.styled(title, "bold $text-accent"))
        for b in bindings:
            alias = "" if b.show else "  (alias)" if b.key in "jkgGhl" else ""
            desc = b.description or b.action
            lines.append(Content.assemble((f"  {key_label(b):<12}", "bold"), f" {desc}", (alias, "$text-muted")))
        for key, desc in BUILT_IN.get(title, []):
            lines.append(Content.assemble((f"  {key:<12}", "bold"), f" {desc}"))
        lines.append(Content(""))
    lines.append(Content.styled(
        "Search filters: kind:method is:async is:exported not:async file:GLOB (written in the box).\n"
        "Number keys choose panes; in a text box with text in it, press Tab or Esc first.", "$text-muted"))
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
