"""The explorer's first minute, under Pilot on a real repository: what a newcomer does first."""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest
from helpers import write
from textual import events
from textual.widgets import Footer
from tui_support import explorer, result_ids, settled, type_search, wait_for

from dgtui.commands import ACTIONS
from dgtui.paths import UMASK
from dgtui.screens.export import ExportDialog
from dgtui.screens.goto import GotoDialog
from dgtui.screens.help import HelpScreen

KEY_NAMES = {" ": "space", ":": "colon", "?": "question_mark", "/": "slash", "*": "asterisk",
             ".": "full_stop", "_": "underscore", "-": "minus"}


def key_event(key: str) -> events.Key:
    """The event a terminal's key makes: a character, or a named key (``backspace``, ``left``)."""
    if len(key) == 1:
        return events.Key(key if key.isalnum() else KEY_NAMES[key], key)
    return events.Key(key, None)


def burst(app, keys: list[str]) -> None:
    """Keys as a fast typist or a terminal delivers them: all queued before the first is read."""
    for key in keys:
        app.post_message(key_event(key))


def typed(text: str, cursor: int, keys: list[str]) -> str:
    """What a text box holds after ``keys``: the model a burst must match."""
    for key in keys:
        if key == "backspace":
            text, cursor = text[:max(0, cursor - 1)] + text[cursor:], max(0, cursor - 1)
        elif key == "left":
            cursor = max(0, cursor - 1)
        elif key == "right":
            cursor = min(len(text), cursor + 1)
        elif key == "home":
            cursor = 0
        elif key == "end":
            cursor = len(text)
        else:
            text, cursor = text[:cursor] + key + text[cursor:], cursor + 1
    return text


def footer_keys(app) -> set[str]:
    return {key.key_display for key in app.screen.query_one(Footer).query("FooterKey")}


@pytest.mark.slow
async def test_the_keys_a_newcomer_tries_first_work_from_the_empty_search_box(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        box = app.explorer.search.query_one("#search-input")
        assert app.focused is box and box.value == ""
        await wait_for(pilot, lambda: {"?", "q", ":"} <= footer_keys(app), "the keys in the footer")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")  # q closes the help, as it did
        assert not isinstance(app.screen, HelpScreen) and app.is_running
        await pilot.press("colon")
        assert isinstance(app.screen, GotoDialog)
        await pilot.press("escape")
        # With text in the box they are typed, and the footer no longer offers them.
        await pilot.press("x", "question_mark", "colon", "q")
        assert box.value == "x?:q" and not isinstance(app.screen, (HelpScreen, GotoDialog))
        await wait_for(pilot, lambda: "?" not in footer_keys(app), "the footer to follow the box")
        await pilot.press(*["backspace"] * 4)
        assert box.value == "" and app.focused is box
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "q to quit")


@pytest.mark.slow
async def test_bursts_of_keys_keep_every_key_in_order(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        box = app.explorer.search.query_one("#search-input")
        await type_search(app, pilot, "file:pkg kind:function handle")
        # What the user did: six Backspaces and, at once, more keys.
        burst(app, ["backspace"] * 6 + list(" h"))
        await wait_for(pilot, lambda: box.value == "file:pkg kind:function  h",
                       f"every key of the burst (box: {box.value!r})", timeout=5)
        # Random bursts of characters and editing keys, each compared with what was typed.
        rng = random.Random(15)
        for _ in range(8):
            keys = [rng.choice(["backspace", "left", "right", "home", "end", *"ab:_ s"]) for _ in range(25)]
            expected = typed(box.value, box.cursor_position, keys)
            burst(app, keys)
            await wait_for(pilot, lambda expected=expected: box.value == expected,
                           f"{keys} to give {expected!r} (box: {box.value!r})", timeout=5)


@pytest.mark.slow
async def test_the_export_dialog_keeps_a_burst_and_reads_the_extension(pyrepo: Path, home: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    async with explorer(pyrepo, home) as (app, pilot):
        await type_search(app, pilot, "save")
        await pilot.press("down")
        target = tmp_path / "tui-search.md"
        # `e` and the file name typed at once: nothing goes to the results behind the dialog.
        burst(app, ["e", *str(target)[:-3], "x", "backspace", *".md"])
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog)
                       and app.screen.query_one("#export-path").value == str(target),
                       "the whole file name in the box", timeout=5)
        assert str(app.screen.query_one("#export-format").value) == "csv"  # not chosen
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists(), "the file")
        text = target.read_text()
        assert text.startswith("<!-- dgtui export") and "| name |" in text  # Markdown, not CSV
        # the user's file: their umask, not a temporary file's 0600
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~UMASK
        # a format chosen wins over the extension it gives the name
        await pilot.press("e")
        dialog = app.screen
        dialog.query_one("#export-format").value = "json"
        await pilot.pause()
        assert dialog.query_one("#export-path").value.endswith(".json")
        path = tmp_path / "data.txt"
        dialog.query_one("#export-path").value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: path.exists(), "the chosen format")
        assert path.read_text().lstrip().startswith("[")


async def test_the_cursor_on_the_first_result_previews_it(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home) as (app, pilot):
        await type_search(app, pilot, "save")
        first = result_ids(app)[0]
        await pilot.press("down")
        assert app.focused is app.explorer.search.table and app.explorer.search.table.cursor_row == 0
        await wait_for(pilot, lambda: (app.explorer.atom_pane.view or {}).get("id") == first,
                       "the first result in the atom pane")


LONG_CLASS = "ConnectionPool"  # the 34-character qualified name
LONG_METHOD = "acquire_connections"


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 40)])
async def test_names_get_the_width_they_need(pyrepo: Path, home: Path, size: tuple[int, int]):
    write(pyrepo / "pkg" / "pool.py", f"class {LONG_CLASS}:\n    def {LONG_METHOD}(self):\n        return 1\n")
    async with explorer(pyrepo, home, size=size) as (app, pilot):
        await type_search(app, pilot, "acquire")
        table = app.explorer.search.table
        atom_id = f"pkg/pool.py::{LONG_CLASS}.{LONG_METHOD}"
        name = str(table.get_cell(atom_id, "name"))
        where = str(table.get_cell(atom_id, "where"))
        full = f"{LONG_CLASS}.{LONG_METHOD}"
        if size[0] >= 120:
            assert name == full and where == "pkg/pool.py:2"  # whole, both
        else:
            assert name == full or (name.endswith("…") and full.startswith(name[:-1])), name
            assert len(name) >= 14
        assert table.where_width >= 12
        if size == (80, 24):  # the call trees share the height: more than 5 rows each
            await pilot.press("enter")
            assert min(app.explorer.tree(up).size.height for up in (True, False)) >= 6


@pytest.mark.slow
async def test_help_has_one_everywhere_and_every_pane_keys_and_the_palette_one_quit(pyrepo: Path, home: Path):
    from dgtui.app import DgtuiApp
    from dgtui.screens.help import help_lines

    text = [line.plain for line in help_lines(DgtuiApp.BINDINGS)]
    assert text.count("Everywhere") == 1
    chat = text[text.index("Chat (6)"):]
    chat = chat[:chat.index("")]
    assert any(line.split()[0] == "p" and "To brain" in line for line in chat[1:])
    assert any(line.split()[0] == "enter" for line in chat[1:])
    assert "Search box (1)" in text
    assert [title for title, _, _ in ACTIONS if title == "Quit"] == []
    async with explorer(pyrepo, home) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.press(*"Quit")
        await wait_for(pilot, lambda: app.screen.query("CommandList"), "the palette")
        await settled(pilot)  # the palette's search of every command has finished
        options = [str(o.prompt) for o in app.screen.query("CommandList").first().options]
        assert sum(1 for o in options if o.split("\n")[0].strip() == "Quit") == 1, options


@pytest.mark.slow
async def test_started_in_a_subfolder_searches_it_until_the_chip_is_removed(pyrepo: Path, home: Path):
    async with explorer(pyrepo, home, scope="pkg/*") as (app, pilot):
        search = app.explorer.search
        chips = search.query_one("#filter-chips")
        assert "in pkg/ ✕" in str(chips.render())
        await type_search(app, pilot, "main")
        assert "main.py::main" not in result_ids(app)
        await type_search(app, pilot, "save file:models")  # a file filter in the box wins
        assert {i.split("::")[0] for i in result_ids(app)} == {"pkg/models.py"}
        assert "in pkg/" not in str(chips.render())
        await type_search(app, pilot, "main")
        assert await pilot.click(chips, offset=(3, 0))  # on the chip
        await wait_for(pilot, lambda: "main.py::main" in result_ids(app), "the whole repository")
        assert "in pkg/" not in str(chips.render())
