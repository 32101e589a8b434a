"""Panes 3 and 4 under Pilot: lazy trees, cycles, unresolved and ambiguous calls, walking in
and back through the shared history."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write
from tui_support import explorer, notified, open_and_wait, tree_rows, wait_for


def node_for(tree, atom_or_callee: str):
    for node in tree.root.children:
        row = node.data.row
        if atom_or_callee in (row.get("id"), row.get("callee")):
            return node
    raise AssertionError(f"{atom_or_callee} not in {[n.data.row for n in tree.root.children]}")


async def test_callers_and_callees_first_level(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::handle")
        rows = tree_rows(app, upward=False)
        callees = dict((v, k) for k, v in rows)
        assert callees["pkg/db.py::save_atom"] == "atom"
        assert callees["pkg/models.py::User"] == "atom"
        assert callees["obj.save"] == "ambiguous"
        assert callees["obj.only_helper_here"] == "unresolved"
        # resolved calls first, then ambiguous, then unresolved; builtin and external calls
        # (print, os.path.join) folded under one last line
        kinds = [k for k, _ in rows]
        assert kinds == sorted(kinds, key=["atom", "ambiguous", "unresolved", "outside"].index)
        tree = app.explorer.tree(False)
        outside = tree.root.children[-1]
        assert outside.data.kind == "outside"
        assert {c.data.row["callee"] for c in outside.children} == {"print", "os.path.join"}
        label = tree.render_label(outside, tree.rich_style, tree.rich_style).plain
        assert "2 calls outside the repository" in label and "1 builtin, 1 external" in label
        assert tree_rows(app, upward=True) == [("atom", "main.py::main")]


@pytest.mark.slow
async def test_expanding_loads_one_more_level_and_ambiguous_lists_candidates(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::handle", focus="callees")
        tree = app.explorer.tree(False)
        save_atom = node_for(tree, "pkg/db.py::save_atom")
        assert save_atom.allow_expand and not save_atom.data.loaded  # nothing asked yet
        tree.move_cursor(save_atom)
        await pilot.press("right")
        await wait_for(pilot, lambda: save_atom.data.loaded, "save_atom's callees")
        assert [c.data.row["id"] for c in save_atom.children] == ["pkg/db.py::write"]
        ambiguous = node_for(tree, "obj.save")
        tree.move_cursor(ambiguous)
        await pilot.press("enter")  # Enter on an ambiguous call shows its candidates
        await wait_for(pilot, lambda: ambiguous.data.loaded, "the candidates")
        candidates = {c.data.row["id"] for c in ambiguous.children}
        # the candidates the resolver kept: methods named save (not the function db.save)
        assert candidates == {"pkg/models.py::Base.save", "pkg/models.py::User.save"}
        assert all(c.data.kind == "candidate" for c in ambiguous.children)
        label = tree.render_label(ambiguous, tree.rich_style, tree.rich_style).plain
        assert "ambiguous: 2 candidates" in label
        unresolved = node_for(tree, "obj.only_helper_here")
        assert "unresolved, line 15" in tree.render_label(unresolved, tree.rich_style, tree.rich_style).plain
        assert not unresolved.allow_expand


@pytest.mark.slow
async def test_cycles_are_marked_and_do_not_expand(pyrepo: Path, home: Path):
    write(pyrepo / "pingpong.py", "def ping(n):\n    return pong(n)\n\n\ndef pong(n):\n    return ping(n)\n\n\n"
          "def countdown(n):\n    return countdown(n - 1)\n")
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pingpong.py::ping", focus="callees")
        tree = app.explorer.tree(False)
        pong = node_for(tree, "pingpong.py::pong")
        tree.move_cursor(pong)
        await pilot.press("l")  # vim alias of right
        await wait_for(pilot, lambda: pong.data.loaded, "pong's callees")
        back = pong.children[0]
        assert back.data.kind == "cycle" and back.data.row["id"] == "pingpong.py::ping"
        assert not back.allow_expand
        assert "cycle" in tree.render_label(back, tree.rich_style, tree.rich_style).plain
        await open_and_wait(app, pilot, "pingpong.py::countdown")
        assert tree_rows(app, upward=False) == [("cycle", "pingpong.py::countdown")]


@pytest.mark.slow
async def test_walk_into_a_callee_and_back_and_forward(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "main.py::main", focus="callees")
        tree = app.explorer.tree(False)
        tree.move_cursor(node_for(tree, "pkg/service.py::handle"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: (app.explorer.atom_pane.view or {}).get("id") == "pkg/service.py::handle",
                       "handle in the atom pane")
        await wait_for(pilot, lambda: ("atom", "pkg/db.py::save_atom") in tree_rows(app, False),
                       "handle's callees")
        tree.move_cursor(node_for(tree, "pkg/db.py::save_atom"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.explorer.current_atom == "pkg/db.py::save_atom", "save_atom")
        assert app.history.entries == ["main.py::main", "pkg/service.py::handle", "pkg/db.py::save_atom"]
        crumbs = str(app.explorer.query_one("#crumbs").render())
        assert "main › handle › save_atom" in crumbs
        await pilot.press("backspace")
        await wait_for(pilot, lambda: (app.explorer.atom_pane.view or {}).get("id") == "pkg/service.py::handle",
                       "back to handle")
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: app.explorer.current_atom == "main.py::main", "back to main")
        await pilot.press("right_square_bracket")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: app.explorer.current_atom == "pkg/db.py::save_atom", "forward twice")
        # a new visit from the middle of the history drops what was ahead
        await app.run_action("history_go(1)")
        await wait_for(pilot, lambda: app.explorer.current_atom == "pkg/service.py::handle", "crumb 1")
        await open_and_wait(app, pilot, "pkg/util.py::fmt")
        assert app.history.entries == ["main.py::main", "pkg/service.py::handle", "pkg/util.py::fmt"]


@pytest.mark.slow
async def test_walking_in_from_the_callers_tree(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/db.py::write")
        await pilot.press("3")
        tree = app.explorer.tree(True)
        assert app.focused is tree
        assert {i for _, i in tree_rows(app, True)} == {"pkg/db.py::save_atom", "pkg/service.py::handle"}
        tree.move_cursor(node_for(tree, "pkg/db.py::save_atom"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.explorer.current_atom == "pkg/db.py::save_atom", "the caller")
        assert app.focused is tree  # walking keeps you in the tree you walk


async def test_unresolved_enter_explains(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, notifications=True) as (app, pilot):
        await open_and_wait(app, pilot, "pkg/service.py::handle", focus="callees")
        tree = app.explorer.tree(False)
        tree.move_cursor(node_for(tree, "obj.only_helper_here"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: notified(app, "nothing in the code says which atom"), "the explanation")
        assert app.explorer.current_atom == "pkg/service.py::handle"


async def test_a_method_a_subclass_overrides_shows_where_it_may_dispatch(pyrepo: Path, home: Path):
    write(pyrepo / "shapes.py", "class Shape:\n    def area(self): ...\n\n    def describe(self):\n"
                                "        return self.area()\n\n\nclass Square(Shape):\n    def area(self): ...\n")
    async with explorer(pyrepo, home) as (app, pilot):
        await open_and_wait(app, pilot, "shapes.py::Shape.describe", focus="callees")
        tree = app.explorer.tree(False)
        kinds = [n.data.kind for n in tree.root.children]
        assert kinds[:2] == ["atom", "dispatch"]  # the declared target, then where else it may go
        dispatch = tree.root.children[1]
        label = tree.render_label(dispatch, tree.rich_style, tree.rich_style).plain
        assert "may dispatch to 1 override of area" in label
        tree.move_cursor(dispatch)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dispatch.data.loaded, "the overrides")
        assert [c.data.row["id"] for c in dispatch.children] == ["shapes.py::Square.area"]
