"""docs/cli.md is every command's ``--help``, and cannot drift from the commands.

When a test here fails after a command changed, regenerate the page from a checkout:
``python -m dgtui.cli.reference docs/cli.md``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import run_cli

from dgtui.cli import COMMANDS
from dgtui.cli.reference import render

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "cli.md"
REGENERATE = "run `python -m dgtui.cli.reference docs/cli.md` to regenerate it"


def test_docs_cli_md_is_what_the_generator_writes_now():
    assert REFERENCE.read_text(encoding="utf-8") == render(), f"docs/cli.md is out of date: {REGENERATE}"


def test_every_command_has_its_section():
    headings = set(re.findall(r"^## dgtui (\S+)", REFERENCE.read_text(encoding="utf-8"), re.M))
    assert set(COMMANDS) <= headings, f"missing from docs/cli.md: {set(COMMANDS) - headings}; {REGENERATE}"


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n\n```text\n(.*?)\n```$", text, re.S | re.M)
    assert match, title
    return match.group(1)


def test_a_section_is_what_the_real_command_prints_in_a_wide_terminal():
    text = render()
    for args in ([], ["index"], ["chat", "ask"]):
        shown = run_cli(*args, "--help", env={"COLUMNS": "200"})
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.rstrip() == _section(text, " ".join(["dgtui", *args]))


def test_the_generator_writes_the_file_and_refuses_a_bad_call(tmp_path):
    target = tmp_path / "cli.md"
    done = subprocess.run([sys.executable, "-m", "dgtui.cli.reference", str(target)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == render()
    assert [p.name for p in tmp_path.iterdir()] == ["cli.md"]  # no temporary file left

    bad = subprocess.run([sys.executable, "-m", "dgtui.cli.reference"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert len(bad.stderr.splitlines()) == 1 and "usage" in bad.stderr
