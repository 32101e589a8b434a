"""The command line as a new user meets it: tables in a pipe and on a terminal, filters that say
what is wrong instead of answering nothing, and wording. The real `dgtui` in subprocesses; the
terminal is a real pseudo-terminal of a given width."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import write

DEEP = "src/package_with_a_long_name/subpackage/deeply/nested/module_name.py"
LONG = "a_function_with_a_rather_long_name_indeed"
LONG_ID = f"{DEEP}::{LONG}"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def repo(pyrepo: Path, home: Path) -> Path:
    write(pyrepo / DEEP, f"def {LONG}():\n    return main_helper()\n\n\ndef main_helper():\n    return 1\n")
    r = run_cli("index", str(pyrepo))
    assert r.returncode == 0, r.stderr
    return pyrepo


def in_terminal(*args: str, cols: int, cwd: Path) -> list[str]:
    """Run `dgtui` with standard output on a pseudo-terminal ``cols`` wide; its lines."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "dgtui", *args], cwd=cwd, env=env,
                            stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed: the command is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    proc.stderr.close()
    return ANSI.sub("", b"".join(chunks).decode()).replace("\r\n", "\n").splitlines()


@pytest.mark.slow
def test_a_table_in_a_pipe_is_one_row_per_line(repo: Path):
    r = run_cli("search", "a_function", cwd=repo)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split("\t") == ["name", "kind", "file_path", "line", "end_line", "id"]
    assert lines[1].split("\t") == [LONG, "function", DEEP, "1", "2", LONG_ID]
    # every row of every table command is one line of the same number of fields
    for args in (["search", "save"], ["callers", "pkg/db.py::write", "--depth", "2"],
                 ["callees", "handle"], ["query", "--kind", "method"], ["unresolved"],
                 ["events", "--limit", "5"], ["history", "pkg/db.py::write"]):
        r = run_cli(*args, cwd=repo)
        assert r.returncode == 0, (args, r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        assert len(rows) > 1 and {len(row) for row in rows} == {len(rows[0])}, args
    # a value with a tab or a line break stays on its line, escaped
    write(repo / "odd.js", "function odd(a,\n\tb) { return 1 }\n")
    run_cli("index", str(repo))
    r = run_cli("query", "--name", "odd", cwd=repo)
    assert len(r.stdout.splitlines()) == 2


@pytest.mark.slow
def test_a_table_on_a_terminal_never_breaks_an_id(repo: Path):
    for cols in (60, 120):
        lines = in_terminal("search", "a_function", cols=cols, cwd=repo)
        assert any(LONG_ID in line for line in lines), lines
        assert any(DEEP in line for line in lines)
    lines = in_terminal("callees", LONG, cols=60, cwd=repo)
    assert lines[0].strip() == f"what {LONG_ID} calls"
    assert any(f"{DEEP}::main_helper" in line for line in lines)
    lines = in_terminal("callers", "main_helper", cols=60, cwd=repo)
    assert lines[0].strip() == f"callers of {DEEP}::main_helper"


@pytest.mark.slow
def test_a_bad_kind_lists_the_kinds(repo: Path):
    r = run_cli("search", "save", "--kind", "bogus", cwd=repo)
    assert r.returncode == 2 and r.stdout == ""
    assert "'bogus' is not a kind of atom; the kinds are function, method, class" in r.stderr
    r = run_cli("query", "--kind", "bogus", cwd=repo)
    assert r.returncode == 2 and "the kinds are" in r.stderr
    shorthand = json.loads(run_cli("search", "save", "--kind", "meth", "--json", cwd=repo).stdout)
    assert shorthand and {row["kind"] for row in shorthand} == {"method"}


@pytest.mark.slow
def test_a_file_filter_without_a_wildcard_matches_anywhere(repo: Path):
    """`--file models` in the CLI is `file:models` in the explorer."""
    for args in (["search", "save"], ["query"], ["events", "--limit", "500"]):
        rows = json.loads(run_cli(*args, "--file", "models", "--json", cwd=repo).stdout)
        paths = {row.get("file_path") for row in rows}
        assert paths == {"pkg/models.py"}, args
    rows = json.loads(run_cli("unresolved", "--file", "service", "--json", cwd=repo).stdout)
    assert rows and all(row["source_id"].startswith("pkg/service.py::") for row in rows)
    # a glob is still a glob
    assert json.loads(run_cli("query", "--file", "pkg/m*.py", "--json", cwd=repo).stdout)
    assert json.loads(run_cli("query", "--file", "models", "--json", cwd=repo).stdout) == \
        json.loads(run_cli("query", "--file", "*models*", "--json", cwd=repo).stdout)


@pytest.mark.slow
def test_replay_past_the_last_transaction_is_an_error(repo: Path):
    r = run_cli("replay", "--at", "999", cwd=repo)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.strip() == "dgtui: there is no transaction 999: the last is 1 (`dgtui events` lists them)"
    r = run_cli("replay", "--at", "1", "--json", cwd=repo)
    assert r.returncode == 0 and json.loads(r.stdout)


@pytest.mark.slow
def test_events_say_where_they_stopped(repo: Path):
    r = run_cli("events", "--limit", "5", cwd=repo)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 6
    total = len(json.loads(run_cli("events", "--limit", "100000", "--json", cwd=repo).stdout))
    assert r.stderr.strip() == f"dgtui: 5 of {total:,} events, newest first; --limit N for more"
    assert run_cli("events", "--limit", str(total), cwd=repo).stderr == ""  # all shown: nothing said
    r = run_cli("events", "--edges", "--limit", "1", cwd=repo)
    assert "more exist (--limit N for more)" in r.stderr


def test_stats_lists_say_none(tmp_path: Path, home: Path):
    write(tmp_path / "clean" / "a.py", "def f():\n    return 1\n")
    assert run_cli("index", str(tmp_path / "clean")).returncode == 0
    r = run_cli("stats", "--errors", "--skipped", cwd=tmp_path / "clean")
    assert r.returncode == 0, r.stderr
    for title in ("skipped folders", "skipped files", "files with syntax errors"):
        assert f"{title}: none" in r.stdout


def test_show_says_why_a_call_has_no_target(repo: Path):
    r = run_cli("show", "handle", "--no-source", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert "ambiguous · ambiguous" not in r.stdout and "unresolved · unresolved" not in r.stdout
    assert "obj.save  called at line 16 · ambiguous between 2 atoms" in r.stdout  # two methods save
    assert "obj.only_helper_here  called at line 15 · unresolved" in r.stdout
    assert "print  called at line 14 · builtin" in r.stdout


def test_an_unknown_atom_says_how_to_find_it(repo: Path):
    r = run_cli("callers", "nothing like this", cwd=repo)
    assert r.stderr.strip() == "dgtui: no atom named 'nothing like this' (try `dgtui search 'nothing like this'`)"


def test_an_export_to_a_file_follows_the_umask(repo: Path, tmp_path: Path):
    """The user's file, not private state: 0666 less the umask, as their other new files."""
    import stat

    from dgtui.paths import UMASK

    out = tmp_path / "found.csv"
    r = run_cli("search", "save", "-o", str(out), cwd=repo)
    assert r.returncode == 0, r.stderr
    for path in (out, Path(f"{out}-metadata.json")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~UMASK
