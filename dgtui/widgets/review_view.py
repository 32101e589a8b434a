"""The review's widgets (pane 7): the changed atoms grouped by file, and the selected atom's
source diff with the callers at risk and the tests that reach it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static, Tree

from ..query.review import AtomReview, Review
from ..query.review_diff import BodyDiff
from ..terminal_text import inert
from .vim_keys import vim_keys

CHANGE_STYLE = {"created": "bold $success", "deleted": "bold $error", "changed": "bold $warning",
                "renamed": "bold $accent", "moved": "bold $accent"}
LABEL_STYLE = {"created": "bold green", "deleted": "bold red", "changed": "bold yellow",
               "renamed": "bold cyan", "moved": "bold cyan"}
MAX_LISTED = 30  # callers and tests shown per atom; the export has them all


class ReviewTree(Tree[Any]):
    """Files, each with its changed atoms (an ``AtomReview`` per leaf); Enter opens the atom."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open atom", show=True),
        Binding("d", "screen.pager", "Diff in pager", show=True),
        *vim_keys("scroll_home", "scroll_end"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("changes", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.user_moved = False  # a key or a click since the last fill

    def on_key(self) -> None:
        self.user_moved = True

    def on_click(self) -> None:
        self.user_moved = True

    def show(self, review: Review, keep: tuple[str, ...] = ()) -> bool:
        """Fill with ``review``; the cursor goes back to the first atom of ``keep`` (ids, best
        first) still listed, by its id now or the one it had at the point; whether one was."""
        self.user_moved = False
        self.clear()
        by_file: dict[str, list[AtomReview]] = {}
        for a in review.atoms:
            by_file.setdefault(a.file_path, []).append(a)
        line, lines = 0, {}
        for path, atoms in by_file.items():
            node = self.root.add(_file_label(path, atoms), data=path, expand=True)
            line += 1
            for a in atoms:
                node.add_leaf(_atom_label(a), data=a)
                lines.setdefault(a.id, line)
                if a.old_id:
                    lines.setdefault(a.old_id, line)
                line += 1
        target = next((lines[k] for k in keep if k in lines), None)
        if target is not None:
            self.move_cursor_to_line(target)
        elif line:
            self.move_cursor_to_line(min(1, line - 1))  # the first atom
        return target is not None

    def selected(self) -> AtomReview | None:
        node = self.cursor_node
        return node.data if node is not None and isinstance(node.data, AtomReview) else None

    def selected_file(self) -> str | None:
        node = self.cursor_node
        if node is None:
            return None
        return node.data if isinstance(node.data, str) else node.data.file_path


def _file_label(path: str, atoms: list[AtomReview]) -> Text:
    return Text.assemble((inert(path), "bold"), (f"  {len(atoms)}", "dim"))


def _atom_label(a: AtomReview) -> Text:
    """Tree labels are Rich text (the tree styles its cursor line over them)."""
    text = Text.assemble((f"{a.change:<8}", LABEL_STYLE.get(a.change, "bold")), " ",
                         inert(f"{a.kind} {a.name}"), (f"  :{a.line}", "dim"))
    if a.signature_change == "breaking":
        text.append("  ⚠ breaking", style="yellow")
    if a.callers_at_risk:
        text.append(f"  {len(a.callers_at_risk)} at risk", style="red")
    if a.change != "deleted" and a.untested:
        text.append("  no test", style="dim")
    return text


class ReviewDetail(VerticalScroll):
    """The selected atom: what changed, its source diff, callers at risk, covering tests."""

    shown: str | None = None  # the atom shown: the same one again keeps its scroll position

    def compose(self):
        yield Static(id="review-detail-text")

    def show(self, atom: AtomReview | None, diff: BodyDiff | None, empty: str = "") -> None:
        text = self.query_one("#review-detail-text", Static)
        if atom is None:
            self.shown = None
            text.update(Content.styled(empty or "Choose a changed atom to see its diff.",
                                       "$text-disabled"))
            return
        text.update(Content("\n").join(detail_lines(atom, diff)))
        if atom.id != self.shown:
            self.shown = atom.id
            self.scroll_home(animate=False)


def detail_lines(a: AtomReview, diff: BodyDiff | None) -> list[Content]:
    lines = [Content.assemble((a.change, CHANGE_STYLE.get(a.change, "bold")), " ",
                              (inert(a.id), "bold"))]
    if a.old_id:
        lines.append(Content.styled(inert(f"was {a.old_id}"), "$text-muted"))
    if a.aspects:
        lines.append(Content.styled("changed: " + ", ".join(a.aspects), "$text-muted"))
    if a.signature_change:
        style = "bold $warning" if a.signature_change == "breaking" else "$text-muted"
        note = f": {a.signature_note}" if a.signature_note else ""
        lines.append(Content.styled(inert(f"{a.signature_change} signature{note}"), style))
        if a.old_signature is not None:
            lines.append(Content.styled(inert(f"  - {a.old_signature}"), "$error"))
            lines.append(Content.styled(inert(f"  + {a.signature}"), "$success"))
    lines.append(Content(""))
    lines += diff_lines(diff)
    lines.append(Content(""))
    if a.callers_at_risk:
        lines.append(Content.styled(f"Callers at risk ({len(a.callers_at_risk)})", "bold $error"))
        for c in a.callers_at_risk[:MAX_LISTED]:
            lines.append(Content(inert(f"  {c.id}: {c.why}" + (" (changed too)" if c.also_changed else ""))))
    else:
        lines.append(Content.styled("No caller at risk.", "$text-muted"))
    if a.tests:
        lines.append(Content.styled(f"Tests that reach it ({len(a.tests)})", "bold"))
        for t in a.tests[:MAX_LISTED]:
            lines.append(Content(inert(f"  {t.id}  ({t.depth} call{'s' if t.depth != 1 else ''} away)")))
    elif a.change != "deleted" and a.untested:
        lines.append(Content.styled("No test reaches it.", "bold $warning"))
    return lines


def diff_lines(diff: BodyDiff | None) -> list[Content]:
    if diff is None:
        return [Content.styled("(no source)", "$text-muted")]
    out = []
    if diff.note:
        out.append(Content.styled(inert(diff.note) + ":", "italic $text-muted"))
    for line in diff.lines:
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "$accent"
        elif line.startswith("+"):
            style = "$success"
        elif line.startswith("-"):
            style = "$error"
        else:
            style = ""
        out.append(Content.styled(inert(line), style) if style else Content(inert(line)))
    if not diff.lines and not diff.note:
        out.append(Content.styled("(the text is the same: only where it is changed)", "$text-muted"))
    return out
