"""Pane 7: the review, live. What changed since a point (a git revision, a session, a
transaction, a time), grouped by file: each atom with its kind of change, the source diff of its
body, the callers at risk and the tests that reach it (``query.review``, ``query.review_diff``).

Each commit re-runs the review in a thread worker, at most one at a time and debounced (an
agent's burst of saves is one review), keeping the cursor on the same atom.
"""

from __future__ import annotations

import os
import tempfile

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Input, Static, Tree

from .. import query
from ..messages import DeltaShown, ReviewLoaded
from ..model import Delta
from ..terminal_text import inert
from ..widgets.pane import ExportData, Pane
from ..widgets.pane_bar import PaneBar
from ..widgets.pane_input import OrderedInput
from ..widgets.review_view import ReviewDetail, ReviewTree
from ..widgets.status_bar import StatusBar
from .live_screen import LiveScreen

DEBOUNCE_SECONDS = 0.3  # a burst of saves (an agent writing several files) is one review
POINT_HINT = "empty = HEAD (or the last session without git); a branch, a commit, s42, last, tx 120, 10m"


class ReviewPane(Pane):
    NUMBER = 7
    TITLE = "Review"

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-point-bar"):
            yield Static("since ", id="review-point-label")
            yield OrderedInput(placeholder=POINT_HINT, compact=True, id="review-point")
        yield Static("", id="review-summary")
        with Horizontal(id="review-body"):
            yield ReviewTree(id="review-tree")
            yield ReviewDetail(id="review-detail")

    def main_widget(self):
        return self.query_one(ReviewTree)

    def export_data(self) -> ExportData | None:
        screen = self.screen
        review = getattr(screen, "review", None)
        if review is None:
            return None
        from ..query.review_diff import diff_markdown
        from ..query.review_report import TABLE_COLUMNS, markdown, table_rows

        return ExportData("review", f"review since {review.base}", table_rows(review),
                          list(TABLE_COLUMNS),
                          markdown=markdown(review) + "\n" + diff_markdown(review, screen.diffs))


class ReviewScreen(LiveScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self) -> None:
        super().__init__(id="review")
        self.point = ""  # what the box said when Enter was pressed; empty: the default
        self.review = None  # the query.review.Review shown
        self.diffs: dict = {}  # atom id -> BodyDiff
        self._review_generation = 0  # bumps when the point changes: answers for an older one are dropped
        self._reviewing = False
        self._review_again = False  # a commit or a new point arrived while a review ran
        self._review_timer = None
        self._review_delta: Delta | None = None
        # The atom the cursor was on when a review no longer listed it: a review that reads a
        # file saved before the index committed it can miss it for a moment; the next finds it.
        self._lost: str | None = None
        self._renamed: dict[str, str] = {}  # old id -> new id, from the commits since the last review

    def compose(self) -> ComposeResult:
        yield PaneBar(os.path.basename(self.app.root), 7)
        yield ReviewPane(id="review-pane")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ReviewDetail).show(None, None, "Reviewing…")
        self._start_review()

    def focus_main(self) -> None:
        self.query_one(ReviewPane).focus_main()

    @property
    def review_tree(self) -> ReviewTree:
        return self.query_one(ReviewTree)

    # -- running the review ---------------------------------------------------------------------
    def apply_deltas(self, deltas: list[Delta]) -> None:
        """A commit may change the review (the files, the callers, the tests): run it again once
        the saves pause."""
        self._review_delta = deltas[-1]
        self._renamed.update({c.atom_id: c.renamed_to for d in deltas for c in d.changes if c.renamed_to})
        if self._review_timer is not None:
            self._review_timer.stop()
        self._review_timer = self.set_timer(DEBOUNCE_SECONDS, self._start_review)

    def _start_review(self) -> None:
        self._review_timer = None
        if self._reviewing:  # one at a time: run again when it answers
            self._review_again = True
            return
        delta, self._review_delta = self._review_delta, None
        self._reviewing = True
        self._review_worker(self._review_generation, self.point, delta)

    @work(thread=True, group="review", exit_on_error=False)
    def _review_worker(self, generation: int, point: str, delta: Delta | None) -> None:
        from ..engine.patterns import rules_for
        from ..query.review import review_any
        from ..query.review_diff import body_diffs

        root = self.app.root

        def ask(store):
            return review_any(store, root, point or None, ignored=rules_for(root, store).is_ignored)

        try:
            review = self.app.stores.ask(ask)
            diffs = body_diffs(root, review)
        except (query.QueryError, query.StoreError, query.DatabaseError) as exc:
            self.post_message(ReviewLoaded(generation, error=str(exc), delta=delta))
            return
        except Exception as exc:  # one line in the pane, never a dead screen
            self.post_message(ReviewLoaded(generation, error=f"the review failed: {exc}", delta=delta))
            return
        self.post_message(ReviewLoaded(generation, review, diffs, delta=delta))

    @on(ReviewLoaded)
    def _loaded(self, message: ReviewLoaded) -> None:
        self._reviewing = False
        if message.generation == self._review_generation:
            self._show(message)
        if self._review_again:
            self._review_again = False
            self._start_review()

    def _show(self, message: ReviewLoaded) -> None:
        summary = self.query_one("#review-summary", Static)
        tree, detail = self.review_tree, self.query_one(ReviewDetail)
        if message.error is not None:
            self.review, self.diffs = None, {}
            tree.clear()
            summary.update(Content.styled(inert(message.error), "bold $warning"))
            detail.show(None, None, "Give another point in the box above (Enter).")
            return
        kept = tree.selected()
        self.review, self.diffs = message.review, message.diffs
        from ..query.review_report import summary_line

        lines = [Content(inert(summary_line(self.review)))]
        lines += [Content.styled(inert(n), "$text-muted") for n in self.review.notes]
        summary.update(Content("\n").join(lines))
        base = self._lost if self._lost and not tree.user_moved else kept.id if kept else None
        found = tree.show(self.review, self._followed(base) if base else ())
        self._lost = None if found else base
        self._show_selected()
        if not self.review.atoms:
            detail.show(None, None, f"No atom changed since {self.review.base}.")
        if message.delta is not None and message.delta.transaction_id:
            self.post_message(DeltaShown(message.delta.transaction_id))

    def _followed(self, atom_id: str) -> tuple[str, ...]:
        """The atom ``atom_id`` under the names the commits since gave it, newest first."""
        names = [atom_id]
        while names[-1] in self._renamed and len(names) < 50 and self._renamed[names[-1]] not in names:
            names.append(self._renamed[names[-1]])
        if not self._review_again and self._review_timer is None:
            self._renamed.clear()  # no commit is waiting for a review: this one saw them all
        return tuple(reversed(names))

    def _show_selected(self) -> None:
        atom = self.review_tree.selected()
        self.query_one(ReviewDetail).show(atom, self.diffs.get(atom.id) if atom else None)

    @on(Input.Submitted, "#review-point")
    def _point_given(self, event: Input.Submitted) -> None:
        event.stop()
        self.point = event.value.strip()
        self._review_generation += 1
        self.query_one(ReviewDetail).show(None, None, "Reviewing…")
        self._start_review()
        self.review_tree.focus()

    # -- the selected atom ----------------------------------------------------------------------
    @on(Tree.NodeHighlighted, "#review-tree")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._show_selected()

    @on(Tree.NodeSelected, "#review-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        atom = self.review_tree.selected()
        if atom is None:
            return
        if atom.change == "deleted":
            self.app.notify(inert(f"{atom.id} was deleted: d shows what it was."), timeout=4,
                            markup=False)
            return
        self.app.open_atom(atom.id, focus="atom")

    def editor_target(self) -> tuple[str, int] | None:
        atom = self.review_tree.selected()
        if atom is None or atom.change == "deleted":
            return None
        return atom.file_path, atom.line

    def action_pager(self) -> None:
        """``d``: the diff of the selected atom (of every atom of a selected file) in
        ``$PAGER`` (else the editor, else ``less``), the app suspended meanwhile."""
        from ..editor import NoEditor, pager_command
        from ..query.review_diff import atom_diff_text

        atom, path = self.review_tree.selected(), self.review_tree.selected_file()
        rows = [atom] if atom is not None else [a for a in (self.review.atoms if self.review else ())
                                                if a.file_path == path]
        if not rows:
            self.app.notify("No change chosen.", severity="warning", timeout=3)
            return
        text = "\n".join(atom_diff_text(r, self.diffs.get(r.id)) for r in rows)
        fd, name = tempfile.mkstemp(prefix="dgtui-review-", suffix=".diff")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            try:
                argv = pager_command(name)
            except NoEditor as exc:
                self.app.notify(inert(str(exc)), severity="warning", timeout=6, markup=False)
                return
            self.app.run_editor(argv)
        finally:
            os.unlink(name)

