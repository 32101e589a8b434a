"""Pane 6 under Pilot: ask, read the answer, promote it to an insight (only what the user
confirms is saved), open an answer's atom, and see an insight go stale after a real edit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import write
from tui_support import explorer, notified, settled, wait_for

from dgtui.chat import ChatSession
from dgtui.paths import RepoPaths
from dgtui.screens.insight_editor import InsightEditor


def chat_of(app):
    return app.get_screen("chat")


async def ask(app, pilot, question: str) -> None:
    screen = chat_of(app)
    await app.run_action("pane(6)")
    await wait_for(pilot, lambda: screen.session is not None, "the chat session")
    await pilot.pause()
    before = len(screen.query_one("#conversation").entries)
    box = screen.query_one("#chat-input")
    box.value = question
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(screen.query_one("#conversation").entries) >= before + 2, "the answer")


@pytest.mark.slow
async def test_ask_and_the_private_history(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, chat_user="ann") as (app, pilot):
        await ask(app, pilot, "who calls save_atom?")
        conversation = chat_of(app).query_one("#conversation")
        question, answer = conversation.entries[-2:]
        assert question.message.role == "user" and question.message.text == "who calls save_atom?"
        assert answer.message.intent == "callers"
        assert {"pkg/service.py::handle", "pkg/service.py::sync_all"} <= set(answer.message.atom_ids)
        assert conversation.highlighted == len(conversation.entries) - 1  # the newest in view
    paths = RepoPaths.for_root(str(pyrepo), str(home))
    assert os.path.exists(paths.chat_db("ann")) and not os.path.exists(paths.brain_db)
    with ChatSession.open(paths, "ann") as session:
        assert [e.message.role for e in session.history()] == ["user", "assistant"]


@pytest.mark.slow
async def test_promote_saves_only_what_is_confirmed(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, chat_user="ann") as (app, pilot):
        await ask(app, pilot, "who calls save_atom?")
        screen = chat_of(app)
        screen.query_one("#conversation").focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, InsightEditor), "the editor")
        editor = app.screen
        assert "save_atom" in editor.query_one("#insight-text").text
        assert editor.query_one("#insight-atoms").text == "pkg/db.py::save_atom"
        await pilot.press("escape")  # cancelled: nothing saved
        await wait_for(pilot, lambda: not isinstance(app.screen, InsightEditor), "the editor to close")
        await settled(pilot)
        paths = RepoPaths.for_root(str(pyrepo), str(home))
        assert not os.path.exists(paths.brain_db)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, InsightEditor), "the editor again")
        app.screen.query_one("#insight-text").text = "All saves go through save_atom."
        app.screen.query_one("#insight-kind").value = "decision"
        await pilot.press("ctrl+s")
        brain = screen.query_one("#brain")
        await wait_for(pilot, lambda: brain.statuses, "the brain list")
        insight = brain.statuses[0].insight
        assert (insight.kind, insight.text, insight.author) == ("decision", "All saves go through save_atom.", "ann")
        assert insight.atom_ids == ["pkg/db.py::save_atom"] and insight.provenance == "promoted"
        assert "who calls" not in insight.text  # the question stays in the private history
        # the brain goes stale when its atom changes on disk
        db = pyrepo / "pkg" / "db.py"
        write(db, db.read_text().replace("async def save_atom(atom):", "async def save_atom(atom, force=False):"))
        await wait_for(pilot, lambda: brain.statuses and brain.statuses[0].stale, "the stale insight")
        assert "stale" in screen.query_one("#brain-pane").border_subtitle or "1 stale" in \
            screen.query_one("#brain-pane").border_subtitle


@pytest.mark.slow
async def test_enter_on_an_answer_opens_its_atom(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, chat_user="ann") as (app, pilot):
        await ask(app, pilot, "what does handle call?")
        chat_of(app).query_one("#conversation").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.explorer and
                       (app.explorer.atom_pane.view or {}).get("id") == "pkg/service.py::handle", "handle")


async def test_promoting_a_question_explains(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, chat_user="ann", notifications=True) as (app, pilot):
        await ask(app, pilot, "who calls write?")
        conversation = chat_of(app).query_one("#conversation")
        conversation.focus()
        conversation.highlighted = 0
        await pilot.press("p")
        await wait_for(pilot, lambda: notified(app, "Move to an answer"),
                       "the explanation")
