"""Terminal injection (issue 14): text from a repository, an import or an MCP client reaches a
person's terminal inert. The repository holds a file named with an escape sequence and a
docstring that sets the window title and clears the screen; an import brings an atom whose name
clears the screen; an MCP client adds an insight full of escapes. The real CLI runs on a
pseudo-terminal and the real explorer under Pilot; neither may pass one of those sequences on,
and both show them escaped (``\\x1b``). JSON keeps the exact text for scripts."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import anyio
import pytest
from legacy_tree import write_atom
from pty_support import on_a_terminal
from reliability import dgtui
from test_mcp import call, server
from tui_support import explorer, type_search, wait_for

from dgtui.terminal_text import inert

RED_FILE = "esc\x1b[31mred.py"
DOC = "Docs \x1b]0;pwned\x07 and \x1b[2J cleared."
IMPORTED = "imp\x1b[2Jorted"
INSIGHT = "keep \x1b]0;owned\x07 this \x1b[8m hidden \x1b[0m [bold red]markup[/]"
#: What must never reach the terminal raw (the CLI's own colours are other sequences).
RAW = [b"\x1b[31mred", b"\x1b]0;pwned", b"\x1b]0;owned", b"\x1b[2J", b"\x1b[5mblink",
       b"\x1b[8m hidden"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("inject")
    repo = tmp / "repo"
    repo.mkdir()
    (repo / RED_FILE).write_text("def in_red():\n    return title_changer()\n")
    (repo / "doc.py").write_text(f'def title_changer():\n    """{DOC}"""\n    return "\x1b[5mblink"\n')
    (repo / "[reverse]brackets.py").write_text("def in_brackets():\n    pass\n")
    write_atom(repo / ".omnysysdata" / "atoms", {"name": IMPORTED, "filePath": "old.js", "line": 1})
    home = tmp / "home"
    assert dgtui("index", str(repo), home=home).returncode == 0
    with open(tmp / "server.err", "w+") as errlog:
        anyio.run(add_insight_over_mcp, repo, home, errlog)
        errlog.seek(0)
        assert "Traceback" not in errlog.read()
    # last: a reconcile (the MCP server's, the explorer's) removes imported atoms of absent code
    r = dgtui("import-json", str(repo / ".omnysysdata"), home=home)
    assert r.returncode == 0, r.stderr
    return {"repo": repo, "home": home}


async def add_insight_over_mcp(repo: Path, home: Path, errlog) -> None:
    async with server(repo, home, errlog) as s:
        added = await call(s, "add_insight", text=INSIGHT, kind="risk",
                           atoms=["doc.py::title_changer"])
        assert added["insight"]["text"] == INSIGHT  # stored exactly as given


def assert_inert(said: bytes) -> None:
    for raw in RAW:
        assert raw not in said, (raw, said[:2000])


@pytest.mark.slow
def test_the_cli_shows_planted_text_escaped_on_a_terminal(planted: dict):
    repo, home = planted["repo"], planted["home"]
    p = ["--path", str(repo)]
    expected = {  # each command, and what it shows escaped
        ("show", "title_changer"): [rb"\x1b]0;pwned\x07", rb"\x1b[5mblink"],
        ("show", "in_red"): [rb"esc\x1b[31mred.py"],
        ("search", "red"): [rb"esc\x1b[31mred.py"],
        ("search", "red", "--csv"): [rb"esc\x1b[31mred.py"],
        ("search", "imp"): [rb"imp\x1b[2Jorted"],
        ("query", "--kind", "function", "--md"): [rb"imp\\x1b\[2Jorted"],  # Markdown-escaped too
        ("callers", "title_changer"): [rb"esc\x1b[31mred.py"],
        ("brain", "list"): [rb"keep \x1b]0;owned\x07 this"],
        ("brain", "show", "1"): [rb"keep \x1b]0;owned\x07 this", b"[bold red]markup[/]"],
        ("chat", "ask", "who calls title_changer?", "--user", "ann"): [rb"esc\x1b[31mred.py"],
        ("chat", "history", "--user", "ann"): [rb"esc\x1b[31mred.py"],
        ("events", "--limit", "20"): [rb"imp\x1b[2Jorted"],
        ("stats",): [],
    }
    for args, shown in expected.items():
        status, said = on_a_terminal([*args, *p], home)
        assert status == 0, (args, said[-2000:])
        assert_inert(said)
        plain = re.sub(rb"\x1b\[[0-9;]*m", b"", said)  # the CLI's own colours, between tokens
        for text in shown:
            assert text in plain, (args, text, said[:3000])
    # an error naming planted text (an ambiguous or unknown atom) is one inert line too
    status, said = on_a_terminal(["show", "imp\x1b[2Jortedx", *p], home)
    assert status == 1 and b"\x1b[2J" not in said and rb"\x1b[2J" in said


@pytest.mark.slow
def test_scripts_still_get_the_exact_text(planted: dict):
    """Inert is for terminals: JSON and piped CSV carry the text as stored."""
    repo, home = planted["repo"], planted["home"]
    r = dgtui("show", "title_changer", "--json", "--path", str(repo), home=home)
    assert json.loads(r.stdout)["docstring"] == DOC
    r = dgtui("search", "red", "--csv", "--path", str(repo), home=home)
    assert RED_FILE in r.stdout


def test_inert_escapes_what_a_terminal_would_run():
    assert inert("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert inert("\u202egnp.exe") == "\\u202egnp.exe"  # a bidi override (Trojan source)
    assert inert("line\u2028break\x85") == "line\\u2028break\\x85"
    assert inert("bad\udcffbyte") == "bad\\udcffbyte"
    assert inert("two\nlines\tand\r\n") == "two\\nlines\\tand\\r\\n"
    assert inert("two\nlines\tand\r\nlone\rcr", layout=True) == "two\nlines\tand\nlone\\rcr"
    assert inert("plain café ✓ 名前") == "plain café ✓ 名前"


@pytest.mark.slow
async def test_the_explorer_shows_planted_text_escaped(planted: dict, tmp_path: Path):
    repo, home = planted["repo"], tmp_path / "home"
    shutil.copytree(planted["home"], home)  # its reconcile must not change the other trials' index
    async with explorer(repo, home) as (app, pilot):
        await type_search(app, pilot, "red")
        table = app.explorer.search.table
        cells = [str(getattr(c, "plain", c)) for c in table.get_row_at(0)]
        assert any("esc\\x1b[31mred.py" in c for c in cells) and not any("\x1b" in c for c in cells)
        await type_search(app, pilot, "brackets")
        cells = [str(getattr(c, "plain", c)) for c in table.get_row_at(0)]
        assert "[reverse]brackets.py" in cells[-1]  # markup in a name is text, not style
        app.open_atom("doc.py::title_changer", focus="atom")
        pane = app.explorer.atom_pane
        await wait_for(pilot, lambda: (pane.view or {}).get("id") == "doc.py::title_changer", "the atom")
        source = pane.query_one("#source").text
        assert "\\x1b]0;pwned\\x07" in source and "\x1b" not in source
        assert source.splitlines()[1] == '    """Docs \\x1b]0;pwned\\x07 and \\x1b[2J cleared."""'  # layout stays
        # the project brain beside the chat: the MCP client's insight, inert
        await pilot.press("6")
        from dgtui.widgets.brain_list import BrainList

        brain = app.screen.query_one(BrainList)
        await wait_for(pilot, lambda: brain.option_count > 0, "the insights")
        prompt = str(brain.get_option_at_index(0).prompt)
        assert "keep \\x1b]0;owned\\x07 this" in prompt and "\x1b" not in prompt
        assert "[bold red]markup[/]" in prompt
