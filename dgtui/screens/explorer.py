"""The explorer: search, the focused atom, its callers and its callees, side by side.

The screen is the controller of its panes: it turns their requests into thread workers that ask
``dgtui.query`` and hands the answers back to the panes. It also applies live commits: each
pane re-asks only when the commit touched what it shows (the search when its answer may change,
the atom pane when its atom, file or call counts changed, a call tree when one of its atoms did),
without losing the cursor or the scroll position.
"""

from __future__ import annotations

import os
import time
from contextlib import suppress

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid
from textual.css.query import NoMatches
from textual.widgets import Footer
from textual.worker import get_current_worker

from .. import query
from ..messages import (
    AtomLoaded,
    CandidatesWanted,
    ChildrenLoaded,
    ChildrenWanted,
    DeltaShown,
    SearchChanged,
    SearchResults,
    TreeReloaded,
)
from ..model import AtomFilter, Delta
from ..widgets.atom_pane import AtomPane
from ..widgets.breadcrumbs import Breadcrumbs
from ..widgets.call_tree import CallPane, CallTree
from ..widgets.pane_bar import PaneBar
from ..widgets.search_pane import SearchPane
from ..widgets.status_bar import StatusBar
from .live_screen import LiveScreen

SEARCH_LIMIT = 50
WINDOW_LINES = 4000  # files longer than this show a window of lines around the atom
WINDOW_CONTEXT = 1500


class ExplorerScreen(LiveScreen):
    """Panes 1-4."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self) -> None:
        super().__init__(id="explorer")
        self._search_seq = 0
        self.shown_seq = 0  # the search whose results are on screen
        self._search_text = ""
        self._search_filters = AtomFilter()
        self._visible_after: tuple[int, int] | None = None  # (search seq, transaction)
        self._atom_visible: int | None = None  # the transaction an atom reload will show
        self.current_atom: str | None = None
        self.change: dict | None = None  # an event opened from the timeline: its diff is shown
        self.last_loaded: AtomLoaded | None = None

    def compose(self) -> ComposeResult:
        yield PaneBar(os.path.basename(self.app.root), 1)
        yield Breadcrumbs(id="crumbs")
        with Grid(id="panes"):
            yield SearchPane(self.app.scope, id="search-pane")
            yield AtomPane(id="atom-pane")
            yield CallPane(True, id="callers-pane")
            yield CallPane(False, id="callees-pane")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SearchPane).focus_main()
        self._search_filters = self.search.filters_of(self._search_filters)
        self.update_crumbs()
        self.run_search()
        app = self.app
        self.watch(app, "live_status", self._index_state_changed, init=False)
        self.watch(app, "totals", self._index_state_changed, init=False)
        self.watch(app, "highlighted", self.restyle, init=False)

    # -- panes --------------------------------------------------------------------------------
    @property
    def search(self) -> SearchPane:
        return self.query_one(SearchPane)

    @property
    def atom_pane(self) -> AtomPane:
        return self.query_one(AtomPane)

    def tree(self, upward: bool) -> CallTree:
        return self.query_one("#callers" if upward else "#callees", CallTree)

    def focus_pane(self, number: int) -> None:
        pane = {1: "#search-pane", 2: "#atom-pane", 3: "#callers-pane", 4: "#callees-pane"}[number]
        self.query_one(pane).focus_main()

    def on_descendant_focus(self) -> None:
        focused = self.focused
        for pane in self.query("#panes > *"):
            if focused is not None and pane in focused.ancestors_with_self:
                self.query_one(PaneBar).set_current(pane.NUMBER)
                # The panes share the width by what is being read: while searching, the results
                # (names and places) get the wider column; then the atom's source does.
                self.set_class(pane.NUMBER == 1, "-searching")

    def update_crumbs(self) -> None:
        h = self.app.history
        self.query_one(Breadcrumbs).show(h.crumbs(), h.index, h.index > 0,
                                         h.index < len(h.entries) - 1)

    def _index_state_changed(self) -> None:
        with suppress(NoMatches):  # the panes go before the screen at exit
            if not self.search.table.row_count:
                self._show_search([], self._search_text)  # the empty state mentions indexing

    # -- search -------------------------------------------------------------------------------
    @on(SearchChanged)
    def _search_changed(self, event: SearchChanged) -> None:
        self._search_text, self._search_filters = event.text, event.filters
        self.run_search()

    def run_search(self) -> None:
        self._search_seq += 1
        self._search_worker(self._search_seq, self._search_text, self._search_filters)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search_worker(self, seq: int, text: str, filters: AtomFilter) -> None:
        try:
            rows = self.app.stores.ask(query.search_as_you_type, text, filters, SEARCH_LIMIT)
            error = None
        except Exception as exc:  # a damaged index must not take the app down
            rows, error = [], f"search failed: {exc}"
        if not get_current_worker().is_cancelled:
            self.post_message(SearchResults(seq, text, rows, error))

    @on(SearchResults)
    def _search_results(self, event: SearchResults) -> None:
        if event.seq != self._search_seq:
            return
        self._show_search(event.rows, event.text, event.error)
        self.shown_seq = event.seq
        if self._visible_after and event.seq >= self._visible_after[0]:
            self.post_message(DeltaShown(self._visible_after[1]))
            self._visible_after = None

    def _show_search(self, rows: list[dict], text: str, error: str | None = None) -> None:
        self.search.show_results(text, rows, self.app.highlighted, error or self._empty_message(text))

    def _empty_message(self, text: str) -> str:
        app = self.app
        status = app.live_status
        atoms = app.totals.get("atoms", 0)
        if status.state in ("starting", "indexing") and not atoms:
            done, total = status.progress
            progress = f" {done:,}/{total:,} files" if total else ""
            return f"Indexing {os.path.basename(app.root)}…{progress}\nResults appear as files are parsed."
        if status.state == "error" and not atoms:
            return "The live index failed: " + (status.errors[-1] if status.errors else "?")
        if not atoms and app.totals:
            return (f"No Python, JavaScript, TypeScript, Go, Java or Rust functions in {app.root}.\n"
                    "Open another folder with `dgtui PATH`.")
        if not text.strip() and not self.search.text.strip():
            return None  # the hint
        return (f"Nothing matches “{text}”.\nTry fewer letters, another word, "
                "or click a filter to remove it.")

    # -- the focused atom ---------------------------------------------------------------------
    def show_atom(self, atom_id: str, preview: bool = False, focus: str | None = None,
                  keep_scroll: bool = False, reload_trees: bool = True,
                  change: dict | None = None) -> None:
        changed = atom_id != self.current_atom
        if change is not None or changed:
            self.change = change
        if changed and self.current_atom:
            self.app.recent.forget_signature(self.current_atom)
        self.current_atom = atom_id
        self.update_crumbs()
        self._atom_worker(atom_id, preview, focus, keep_scroll)
        if reload_trees and (changed or not keep_scroll):
            for upward in (True, False):
                tree = self.tree(upward)
                tree.may_break = bool(self.app.recent.may_break(atom_id))
                tree.set_root(atom_id)
        if focus == "atom":
            self.focus_pane(2)
        elif focus in ("callers", "callees"):
            self.tree(focus == "callers").focus()

    @work(thread=True, exclusive=True, group="atom", exit_on_error=False)
    def _atom_worker(self, atom_id: str, preview: bool, focus: str | None, keep_scroll: bool) -> None:
        loaded = self.app.stores.ask(load_atom, self.app.root, atom_id)
        loaded.preview, loaded.focus, loaded.keep_scroll = preview, focus, keep_scroll
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    @on(AtomLoaded)
    def _atom_loaded(self, event: AtomLoaded) -> None:
        if event.atom_id != self.current_atom:
            return
        self.last_loaded = event
        now = time.time()
        recent = self.app.recent
        self.atom_pane.show(event, recent.may_break(event.atom_id),
                            recent.operation(event.atom_id, now), self.change,
                            recent.breaking_change(event.atom_id))
        if event.keep_scroll and self._atom_visible is not None:
            self.post_message(DeltaShown(self._atom_visible))
            self._atom_visible = None

    # -- call trees ---------------------------------------------------------------------------
    @on(ChildrenWanted)
    def _children_wanted(self, event: ChildrenWanted) -> None:
        event.stop()
        self._children_worker(event)

    @work(thread=True, group="children", exit_on_error=False)
    def _children_worker(self, event: ChildrenWanted) -> None:
        try:
            rows = self.app.stores.ask(query.call_children, event.atom_id, event.upward)
        except Exception as exc:
            rows = [{"id": None, "resolution": "unresolved", "callee": f"(failed: {exc})"}]
        self.post_message(ChildrenLoaded(event.tree_id, event.root_id, event.node, rows))

    @on(CandidatesWanted)
    def _candidates_wanted(self, event: CandidatesWanted) -> None:
        event.stop()
        self._candidates_worker(event)

    @work(thread=True, group="children", exit_on_error=False)
    def _candidates_worker(self, event: CandidatesWanted) -> None:
        rows = self.app.stores.ask(query.candidates_for, event.short_name, ids=event.candidate_ids)
        self.post_message(ChildrenLoaded(event.tree_id, event.root_id, event.node, rows,
                                         candidates=True))

    @on(ChildrenLoaded)
    def _children_loaded(self, event: ChildrenLoaded) -> None:
        tree = self.query_one(f"#{event.tree_id}", CallTree)
        if tree.root_id == event.root_id:
            tree.add_children(event.node, event.rows, event.candidates)
            tree.restyle(set(self.app.highlighted))

    @work(thread=True, group="trees", exit_on_error=False)
    def _reload_tree_worker(self, tree_id: str, root_id: str, upward: bool, atoms: set[str]) -> None:
        with self.app.stores.lease() as store:
            children = {a: query.call_children(store, a, upward) for a in atoms | {root_id}}
        self.post_message(TreeReloaded(tree_id, root_id, children))

    @on(TreeReloaded)
    def _tree_reloaded(self, event: TreeReloaded) -> None:
        tree = self.query_one(f"#{event.tree_id}", CallTree)
        if tree.root_id == event.root_id:
            tree.may_break = bool(self.app.recent.may_break(event.root_id))
            tree.rebuild(event.children)
            tree.restyle(set(self.app.highlighted))

    # -- live ---------------------------------------------------------------------------------
    def apply_deltas(self, deltas: list[Delta]) -> None:
        """Commits: re-ask what the panes show that they touched, keeping cursors and scroll
        positions."""
        last = deltas[-1].transaction_id
        if self._search_touched(deltas):
            self.run_search()
            self._visible_after = (self._search_seq, last)
        current = self.current_atom
        if current is None:
            return
        touched: set[str] = set()
        files: set[str] = set()
        for delta in deltas:
            touched |= delta.atom_ids | delta.edge_atoms
            files |= set(delta.files)
            for change in delta.changes:
                if change.atom_id == current and change.renamed_to:
                    current = change.renamed_to
        if current != self.current_atom:
            self.app.history.rename(self.current_atom, current)
            self._atom_visible = last
            self.show_atom(current, keep_scroll=True)
            return
        view = self.last_loaded.view if self.last_loaded else None
        if current in touched or (view and view["file_path"] in files):
            self._atom_visible = last
            self.show_atom(current, keep_scroll=True, reload_trees=False)
        for upward in (True, False):
            tree = self.tree(upward)
            if (tree.shown_atoms() | {current}) & touched:
                self._reload_tree_worker(tree.id, current, upward, tree.expanded_atoms())

    def _search_touched(self, deltas: list[Delta]) -> bool:
        """Whether the search's answer may differ after ``deltas``. A search still running may
        have read the index before them: it is asked again."""
        if self.shown_seq != self._search_seq:
            return True
        rows = self.search.table.rows_by_id
        return query.search_may_change(deltas, self._search_text, self._search_filters, rows,
                                       full=len(rows) >= SEARCH_LIMIT)

    def editor_target(self) -> tuple[str, int] | None:
        """(file, line) of the atom under the cursor of the focused pane, else the shown atom."""
        focused = self.focused
        row = None
        if focused is self.search.table:
            row = self.search.table.rows_by_id.get(self.search.table.cursor_atom_id() or "")
        elif isinstance(focused, CallTree) and focused.cursor_node and focused.cursor_node.data:
            row = focused.cursor_node.data.row if focused.cursor_node.data.atom_id else None
        if row is None and self.last_loaded is not None:
            row = self.last_loaded.view or self.last_loaded.ghost
        if not row or not row.get("file_path"):
            return None
        return row["file_path"], int(row.get("line") or 1)

    def restyle(self, lit: dict[str, str]) -> None:
        """The lit atoms changed (a watcher of the app's ``highlighted``)."""
        with suppress(NoMatches):  # the panes go before the screen at exit
            self.search.restyle(lit)
            for upward in (True, False):
                self.tree(upward).restyle(set(lit))


def load_atom(store, root: str, atom_id: str) -> AtomLoaded:
    """Everything the atom pane needs, read in a worker thread."""
    view = query.atom_view(store, atom_id)
    if view is None:
        ghost = query.atom_as_it_was(store, atom_id)
        error = None if ghost else f"{atom_id} is not in the index (deleted before dgtui saw it?)"
        return AtomLoaded(atom_id, None, ghost=ghost, error=error)
    try:
        text = query.file_text(root, view["file_path"])
    except query.QueryError as exc:
        return AtomLoaded(atom_id, view, error=str(exc))
    first = 1
    if text.count("\n") > WINDOW_LINES:
        lines = text.split("\n")
        first = max(1, view["line"] - WINDOW_CONTEXT)
        last = min(len(lines), (view["end_line"] or view["line"]) + WINDOW_CONTEXT)
        text = "\n".join(lines[first - 1:last])
    return AtomLoaded(atom_id, view, source=text, first_line=first)
