"""Panes 3 and 4: callers and callees of the focused atom as lazy trees.

Each expansion asks for one more level (``ChildrenWanted``); a call back to an atom already on
the path is a cycle and does not expand; unresolved calls are leaves, ambiguous calls expand to
their candidates, and a method call that a subclass may override has a line below it that
expands to those overrides ("may dispatch to"). Enter walks into the atom under the cursor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ..messages import AtomChosen, CandidatesWanted, ChildrenWanted
from ..query import GRAPH_COLUMNS
from ..terminal_text import inert
from .pane import ExportData, Pane
from .results_table import MARK
from .vim_keys import vim_keys

Row = dict[str, Any]
OUTSIDE = ("builtin", "external")  # calls known to leave the repository


@dataclass
class CallNode:
    kind: str  # atom, cycle, unresolved, ambiguous, dispatch, outside, candidate, loading, empty
    row: Row = field(default_factory=dict)
    loaded: bool = False

    @property
    def atom_id(self) -> str | None:
        return self.row.get("id") if self.kind in ("atom", "cycle", "candidate") else None


class CallTree(Tree[CallNode]):
    BINDINGS = [
        Binding("enter", "walk", "Walk in", show=True),
        Binding("right", "expand", "Expand", show=False),
        Binding("left", "collapse", "Collapse", show=False),
        Binding("l", "expand", "Expand", show=False),
        Binding("h", "collapse", "Collapse", show=False),
        *vim_keys("scroll_home", "scroll_end"),
    ]

    def __init__(self, upward: bool, **kwargs: Any) -> None:
        super().__init__("", data=CallNode("root"), **kwargs)
        self.upward = upward
        self.show_root = False
        self.auto_expand = False
        self.root_id: str | None = None
        self.may_break = False  # the root's signature changed: flag its direct callers
        self._lit: set[int] = set()

    # -- building -----------------------------------------------------------------------------
    def set_root(self, atom_id: str) -> None:
        """Show the callers/callees of a new atom (its first level is requested)."""
        self.root_id = atom_id
        self.clear()
        self.root.data = CallNode("atom", {"id": atom_id})
        self._placeholder(self.root)
        self.root.expand()
        self.post_message(ChildrenWanted(self.id or "", atom_id, self.root, atom_id, self.upward))

    def add_children(self, node: TreeNode[CallNode], rows: list[Row], candidates: bool = False) -> None:
        if not self._attached(node):  # the tree was cleared or rebuilt meanwhile
            return
        node.remove_children()
        if node.data is not None:
            node.data.loaded = True
        self._fill(node, rows, candidates)
        if node is self.root:
            self.cursor_line = 0  # the first child: the root itself is hidden

    def _fill(self, node: TreeNode[CallNode], rows: list[Row], candidates: bool = False) -> None:
        if not rows:
            text = "no candidates" if candidates else ("no callers" if self.upward else "calls nothing")
            node.add_leaf(text, CallNode("empty"))
            return
        path = self._path_ids(node)
        outside = [r for r in rows if r.get("id") is None and r.get("resolution") in OUTSIDE]
        for row in rows:
            atom_id = row.get("id")
            if candidates:
                node.add_leaf("", CallNode("candidate", row))
            elif atom_id is None:
                if row.get("resolution") in OUTSIDE:
                    continue  # folded under one line, below
                kind = "ambiguous" if row.get("resolution") == "ambiguous" else "unresolved"
                child = node.add("", CallNode(kind, row), allow_expand=kind == "ambiguous")
                if kind == "ambiguous":
                    self._placeholder(child)
            elif atom_id in path:
                node.add_leaf("", CallNode("cycle", row))
            else:
                more = row.get("callers" if self.upward else "callees", 0)
                child = node.add("", CallNode("atom", row), allow_expand=bool(more))
                if more:
                    self._placeholder(child)
                overrides = row.get("may_dispatch_to")
                if overrides:  # a subclass's method may run instead: its own line, expandable
                    others = node.add("", CallNode("dispatch", {
                        "callee": row.get("callee") or row["name"], "name": row["name"],
                        "candidate_ids": overrides, "candidates": len(overrides)}), allow_expand=True)
                    self._placeholder(others)
        if outside:  # builtins and libraries: known, not the repository's; one line
            counts = {k: sum(r.get("resolution") == k for r in outside) for k in OUTSIDE}
            group = node.add("", CallNode("outside", {"counts": counts}), allow_expand=True)
            group.data.loaded = True
            for row in outside:
                group.add_leaf("", CallNode("unresolved", row))

    def _attached(self, node: TreeNode[CallNode]) -> bool:
        while node.parent is not None:
            node = node.parent
        return node is self.root

    @staticmethod
    def _placeholder(node: TreeNode[CallNode]) -> None:
        node.add_leaf("loading…", CallNode("loading"))

    def _path_ids(self, node: TreeNode[CallNode] | None) -> set[str]:
        ids = set()
        while node is not None:
            if node.data is not None and node.data.row.get("id"):
                ids.add(node.data.row["id"])
            node = node.parent
        return ids

    # -- refresh after a commit ---------------------------------------------------------------
    def expanded_atoms(self) -> set[str]:
        """Atom ids whose children are shown (the root included)."""
        out = set()
        for node in self._walk(self.root):
            if node.data and node.data.kind == "atom" and node.is_expanded and node.data.loaded:
                out.add(node.data.row["id"])
        return out

    def shown_atoms(self) -> set[str]:
        return {n.data.row["id"] for n in self._walk(self.root)
                if n.data is not None and n.data.row.get("id")}

    def rebuild(self, children: dict[str, list[Row]]) -> None:
        """Rebuild from freshly loaded children, keeping expansions, cursor and scroll."""
        expanded = {self._key(n) for n in self._walk(self.root) if n.is_expanded and n is not self.root}
        cursor = self._key(self.cursor_node) if self.cursor_node is not None else None
        scroll_y = self.scroll_y
        root_id = self.root_id
        self.clear()
        self.root.data = CallNode("atom", {"id": root_id}, loaded=True)
        self.root.expand()
        self._fill(self.root, children.get(root_id, []))
        stack = list(self.root.children)
        target = None
        while stack:
            node = stack.pop(0)
            key = self._key(node)
            if key == cursor:
                target = node
            atom_id = node.data.atom_id if node.data else None
            if key in expanded and node.data and node.data.kind == "atom" and atom_id in children:
                node.remove_children()
                node.data.loaded = True
                self._fill(node, children[atom_id])
                node.expand()
                stack.extend(node.children)
        # Lines are laid out on the next refresh; only then does a node know its line.
        self.call_after_refresh(self._restore, target, scroll_y)

    def _restore(self, target: TreeNode[CallNode] | None, scroll_y: float) -> None:
        if target is not None and self._attached(target):
            self.move_cursor(target)
        self.scroll_to(y=scroll_y, animate=False, immediate=True)

    def _key(self, node: TreeNode[CallNode] | None) -> tuple:
        """A node's identity across rebuilds: the ids (or callee names) from the root down."""
        key = []
        while node is not None and node is not self.root:
            row = node.data.row if node.data else {}
            key.append(row.get("id") or f"{row.get('callee')}@{row.get('line')}")
            node = node.parent
        return tuple(reversed(key))

    def _walk(self, node: TreeNode[CallNode]):
        yield node
        for child in node.children:
            yield from self._walk(child)

    # -- labels -------------------------------------------------------------------------------
    def render_label(self, node: TreeNode[CallNode], base_style: Style, style: Style) -> Text:
        data = node.data
        if data is None or data.kind in ("loading", "empty", "root"):
            return Text(str(node.label), style="dim italic")
        row = data.row
        where = inert(f"  {row['file_path']}:{row.get('line')}") if row.get("file_path") else ""
        prefix = ""
        if node._allow_expand:
            prefix = "▾ " if node.is_expanded else "▸ "
        elif data.kind in ("atom", "candidate"):
            prefix = "  "
        text = Text(prefix, style=base_style)
        op = self.app.recent.operation(row.get("id"), time.time()) if row.get("id") else None
        name_style = Style(bold=True, color="yellow") if op else None
        if data.kind == "cycle":
            text.append("↻ ", style="bold magenta")
            text.append(inert(row["name"]), style=style)
            text.append(f"  cycle{where}", style="dim")
        elif data.kind == "outside":
            counts = row["counts"]
            text.append(f"{sum(counts.values())} calls outside the repository", style="dim")
            text.append("  " + ", ".join(f"{n} {k}" for k, n in counts.items() if n), style="dim")
        elif data.kind == "unresolved":
            resolution = row.get("resolution") or "unresolved"
            text.append("? " if resolution == "unresolved" else "· ",
                        style="bold red" if resolution == "unresolved" else "dim")
            text.append(inert(row.get("callee") or row.get("name", "")), style=style)
            module = f" ({inert(row['module'])})" if row.get("module") else ""
            text.append(f"  {resolution}{module}, line {row.get('line')}", style="dim")
        elif data.kind == "ambiguous":
            text.append("≈ ", style="bold yellow")
            text.append(inert(row.get("callee") or row.get("name", "")), style=style)
            text.append(f"  ambiguous: {row.get('candidates', 0)} candidates", style="dim")
        elif data.kind == "dispatch":
            count = row.get("candidates", 0)
            text.append(f"may dispatch to {count} override{'s' if count != 1 else ''} of ", style="dim")
            text.append(inert(row.get("name", "")), style=style)
        else:
            if op:
                text.append(f"{MARK.get(op, '•')} ", style=name_style)
            label = row["qualified_name"] if row.get("kind") == "method" else row["name"]
            text.append(inert(label), style=name_style or style)
            text.append(where, style="dim")
            if data.kind == "atom" and self.upward and self.may_break and node.parent is self.root:
                text.append("  ⚠ may break", style="bold yellow")
            if row.get("resolution") == "calls nothing now":  # the root was deleted under it
                text.append("  ⚠ calls nothing now", style="bold yellow")
        return text

    def restyle(self, lit_ids: set[str]) -> None:
        """Re-render the lines whose highlight came or went."""
        now = {n.id for n in self._walk(self.root)
               if n.data is not None and n.data.row.get("id") in lit_ids}
        for node in self._walk(self.root):
            if node.id in now ^ self._lit:
                node.refresh()
        self._lit = now

    # -- keys ---------------------------------------------------------------------------------
    def action_walk(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None:
            return
        data = node.data
        if data.atom_id:
            self.post_message(AtomChosen(data.atom_id, focus=self.id))
        elif data.kind == "unresolved":
            self.notify(inert(_why_no_target(data.row)), title="No target", markup=False)
        elif data.kind == "outside":
            node.toggle()
        elif data.kind in ("ambiguous", "dispatch"):
            node.expand()

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node._allow_expand:
            node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        event.stop()
        node = event.node
        data = node.data
        if data is None or data.loaded or node is self.root:
            return
        if data.kind == "atom":
            self.post_message(ChildrenWanted(self.id or "", self.root_id or "", node, data.row["id"],
                                            self.upward))
        elif data.kind in ("ambiguous", "dispatch"):
            callee = data.row.get("callee") or ""
            self.post_message(CandidatesWanted(self.id or "", self.root_id or "", node,
                                              callee.rsplit(".", 1)[-1],
                                              tuple(data.row.get("candidate_ids") or ())))

    def rows(self) -> list[Row]:
        """Every loaded row, depth first, with its depth (for export)."""
        out = []

        def visit(node: TreeNode[CallNode], depth: int) -> None:
            for child in node.children:
                if child.data and child.data.row:
                    out.append({**child.data.row, "depth": depth, "tree_kind": child.data.kind})
                visit(child, depth + 1)
        visit(self.root, 1)
        return out


class CallPane(Pane):
    """A titled pane around a ``CallTree``."""

    def __init__(self, upward: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.upward = upward
        self.NUMBER = 3 if upward else 4
        self.TITLE = "Callers" if upward else "Callees"

    def compose(self):
        yield CallTree(self.upward, id="callers" if self.upward else "callees")

    def main_widget(self):
        return self.query_one(CallTree)

    @property
    def tree(self) -> CallTree:
        return self.query_one(CallTree)

    def export_data(self) -> ExportData | None:
        rows = self.tree.rows()
        rows = [r for r in rows if r.get("tree_kind") not in ("loading", "empty")]
        if not rows:
            return None
        what = "callers" if self.upward else "callees"
        return ExportData(what, f"{what} of {self.tree.root_id}", rows, GRAPH_COLUMNS)


def _why_no_target(row: Row) -> str:
    callee, resolution = row.get("callee"), row.get("resolution")
    if resolution == "builtin":
        return f"{callee}: a builtin of the language"
    if resolution == "external":
        where = f" ({row['module']})" if row.get("module") else ""
        return f"{callee}: code outside the repository{where}"
    return (f"{callee}: nothing in the code says which atom this is (a value of unknown type, "
            "a dynamic call, or a name defined nowhere here)")
