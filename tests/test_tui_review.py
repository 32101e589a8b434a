"""Pane 7, the review: the real app under Pilot on a real git repository made here, with the
real watcher. The view follows edits made while it runs, Enter opens an atom, `d` hands the diff
to a real pager process, `e` writes the review as Markdown."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from helpers import write
from test_review import committed_repo
from tui_support import explorer, wait_for

from dgtui.query.review import AtomReview
from dgtui.screens.export import ExportDialog

FILES = {
    "pkg/__init__.py": "",
    "pkg/db.py": "def write(record):\n    return record\n\n\ndef save(thing, flag=False):\n"
                 "    \"\"\"Save a thing.\"\"\"\n    return write(thing)\n",
    "pkg/util.py": "def fmt(x):\n    return str(x) + '!'\n",
    "tests/test_db.py": "from pkg.db import save\n\n\ndef test_save():\n    assert save(1) == 1\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return committed_repo(tmp_path / "repo", FILES)


def listed(screen) -> dict[str, AtomReview]:
    """Atom id -> its row, as the tree lists them."""
    return {leaf.data.id: leaf.data for node in screen.review_tree.root.children for leaf in node.children}


def detail_text(screen) -> str:
    return str(screen.query_one("#review-detail-text").render())


@pytest.mark.slow
async def test_the_review_follows_edits_and_opens_atoms(repo: Path, home: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    write(repo / "pkg/db.py", FILES["pkg/db.py"].replace("return write(thing)",
                                                         "checked = write(thing)\n    return checked"))
    copied = tmp_path / "paged.diff"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncp \"$1\" '{copied}'\n")
    pager.chmod(pager.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGER", str(pager))
    async with explorer(repo, home) as (app, pilot):
        await pilot.press("7")
        screen = app.get_screen("review")
        assert app.screen is screen
        await wait_for(pilot, lambda: "pkg/db.py::save" in listed(screen), "the change since HEAD")
        assert screen.review_tree.has_focus
        save = listed(screen)["pkg/db.py::save"]
        assert save.change == "changed" and "body" in save.aspects
        assert [t.id for t in save.tests] == ["tests/test_db.py::test_save"]
        # the source diff of the body, not only the fields: file line numbers in the hunk
        lines = screen.diffs["pkg/db.py::save"].lines
        assert "-    return write(thing)" in lines and "+    checked = write(thing)" in lines
        assert any(line.startswith("@@ -5,") for line in lines)
        assert screen.review_tree.selected().id == "pkg/db.py::save"
        assert "checked = write(thing)" in detail_text(screen) and "test_save" in detail_text(screen)

        # The agent goes on editing while the view is open: a new function, a deletion with a
        # caller left calling nothing. The cursor stays on `save`.
        write(repo / "pkg/util.py", FILES["pkg/util.py"] + "\n\ndef shout(x):\n    return fmt(x).upper()\n")
        await wait_for(pilot, lambda: "pkg/util.py::shout" in listed(screen), "the new function")
        write(repo / "pkg/db.py", "def save(thing, flag=False):\n    \"\"\"Save a thing.\"\"\"\n"
                                  "    checked = write(thing)\n    return checked\n")
        await wait_for(pilot, lambda: listed(screen).get("pkg/db.py::write") is not None
                       and listed(screen)["pkg/db.py::write"].change == "deleted", "the deletion")
        assert listed(screen)["pkg/util.py::shout"].change == "created"
        assert "pkg/db.py::save" in [c.id for c in listed(screen)["pkg/db.py::write"].callers_at_risk]
        await wait_for(pilot, lambda: screen.review_tree.selected() is not None
                       and screen.review_tree.selected().id == "pkg/db.py::save", "the cursor kept on save")

        # On `shout`, renamed by the next save: the cursor follows it to its new name (the
        # first atom listed, where a lost cursor would go, is in pkg/db.py).
        for _ in range(10):
            if screen.review_tree.selected() and screen.review_tree.selected().id == "pkg/util.py::shout":
                break
            await pilot.press("down")
        assert screen.review_tree.selected().id == "pkg/util.py::shout"
        write(repo / "pkg/util.py", FILES["pkg/util.py"] + "\n\ndef yell(x):\n    return fmt(x).upper()\n")
        await wait_for(pilot, lambda: "pkg/util.py::yell" in listed(screen), "the rename")

        def on(atom_id: str) -> bool:  # the tree places its cursor a frame after its rows
            selected = screen.review_tree.selected()
            return selected is not None and selected.id == atom_id
        await wait_for(pilot, lambda: on("pkg/util.py::yell"), "the cursor on the new name")

        # `d`: the diff in the pager (a real process), with the app suspended.
        await pilot.press("d")
        await wait_for(pilot, copied.exists, "the pager to run")
        paged = copied.read_text()
        assert paged.startswith("# created pkg/util.py::yell") and "+    return fmt(x).upper()" in paged

        # Enter opens the atom in the explorer.
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.explorer and (app.explorer.atom_pane.view or {})
                       .get("id") == "pkg/util.py::yell", "yell in the atom pane")


@pytest.mark.slow
async def test_the_review_exports_markdown_and_takes_a_point(repo: Path, home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    write(repo / "pkg/util.py", "def fmt(x, sep):\n    return str(x) + sep\n")
    async with explorer(repo, home) as (app, pilot):
        await pilot.press("7")
        screen = app.get_screen("review")
        await wait_for(pilot, lambda: "pkg/util.py::fmt" in listed(screen), "the change")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog), "the export dialog")
        assert str(app.screen.query_one("#export-format").value) == "md"
        target = tmp_path / "review.md"
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.exists, "the Markdown file")
        text = target.read_text()
        assert text.startswith("<!-- dgtui export")
        assert "## Function-level review against HEAD" in text and "### Source diffs" in text
        assert "```diff" in text and "+def fmt(x, sep):" in text
        assert "breaking signature" in text

        # Another point: a revision that does not exist says so in one line; HEAD again lists.
        box = screen.query_one("#review-point")
        box.focus()
        box.value = "no-such-branch"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "not a revision" in str(screen.query_one("#review-summary").render()),
                       "the error")
        assert not listed(screen)
        box.value = "HEAD"
        box.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "pkg/util.py::fmt" in listed(screen), "the review again")


@pytest.mark.slow
async def test_without_git_the_review_reads_the_last_session(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("7")
        screen = app.get_screen("review")
        summary = lambda: str(screen.query_one("#review-summary").render())  # noqa: E731
        await wait_for(pilot, lambda: "session" in summary(), "no session yet, said")
        assert not listed(screen)
        util = pyrepo / "pkg" / "util.py"
        util.write_text(util.read_text() + "\n\ndef shiny(x):\n    return fmt(x)\n")
        await wait_for(pilot, lambda: "pkg/util.py::shiny" in listed(screen), "the session's change")
        assert listed(screen)["pkg/util.py::shiny"].change == "created"
        assert "+    return fmt(x)" in screen.diffs["pkg/util.py::shiny"].lines
