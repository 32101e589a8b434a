"""The README stays true: CI runs its test command, its links lead somewhere, its commands and
keys exist, and every page of docs/ and every screenshot is reachable from it."""

from __future__ import annotations

import re
from pathlib import Path

from dgtui.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", setup, re.S)]


def test_two_set_up_commands_and_ci_runs_the_second():
    install_and_run, tests = _setup_commands()
    assert "python3 -m venv" in install_and_run and "pip install ." in install_and_run
    assert "\n" not in install_and_run and "\n" not in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, ".ci/run no longer runs the README's test command"


def _links(text: str) -> set[str]:
    return {target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", text)
            if not target.startswith(("http://", "https://", "#"))}


def test_every_link_of_the_readme_and_docs_leads_to_a_file():
    pages = {ROOT / "README.md": README}
    pages |= {page: page.read_text(encoding="utf-8") for page in (ROOT / "docs").glob("*.md")}
    for page, text in pages.items():
        for target in _links(text):
            assert (page.parent / target).exists(), f"{page.name} links to a missing {target}"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(ROOT / target).resolve() for target in _links(README)}
    for page in (ROOT / "docs").glob("*.md"):
        assert page.resolve() in linked, f"README does not link to docs/{page.name}"


def test_every_screenshot_is_shown_somewhere():
    shown = README + "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    for picture in (ROOT / "screenshots").glob("*.png"):
        assert f"screenshots/{picture.name}" in shown, picture.name


def test_the_commands_the_readme_shows_exist():
    blocks = "".join(re.findall(r"```bash\n(.*?)```", README, re.S))
    named = set(re.findall(r"^dgtui ([a-z][a-z-]+)", blocks, re.M))
    named |= set(re.findall(r"`dgtui ([a-z][a-z-]+)", README))
    assert {"search", "callers", "watch", "chat"} <= named
    assert named <= set(COMMANDS), named - set(COMMANDS)
    rest = README.split("The rest: ", 1)[1].split("Every command", 1)[0]
    assert set(re.findall(r"`([a-z][a-z-]+)`", rest)) <= set(COMMANDS)


def test_the_keys_the_readme_lists_are_bound():
    from dgtui.app import DgtuiApp
    from dgtui.widgets.call_tree import CallTree
    from dgtui.widgets.conversation import Conversation
    from dgtui.widgets.source_view import SourceView

    bound = {b.key for b in [*DgtuiApp.BINDINGS, *CallTree.BINDINGS, *Conversation.BINDINGS,
                             *SourceView.BINDINGS]}
    spelled = {"/": "slash", ":": "colon", "?": "question_mark", "[": "left_square_bracket",
               "]": "right_square_bracket"}
    table = README.split("| key | does |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    keys = set(re.findall(r"`([^`]+)`", "\n".join(row.split("|")[1] for row in table)))
    assert {"/", ":", "?", "q", "e", "o", "p"} <= keys
    for key in keys:
        assert spelled.get(key, key) in bound, f"the README lists {key!r}, which nothing binds"
