"""User input fuzzed with hypothesis through the real CLI (click's CliRunner, in-process, for
volume): search text, atom ids, globs, dates, numbers and whole argument lists. Every run ends in
a result or a one-line error, never a traceback; and no user text ever reaches SQL as SQL.

"Never SQL built from user text" is checked at run time: every string the fuzzer hands over
carries a marker, and every statement our code gives SQLite is recorded (a recording
``sqlite3.Connection`` subclass); the marker may appear in bound parameters, never in the SQL.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus_gen import make_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgtui.cli import cli

MARK = "Qz7"
EXAMPLES = int(os.environ.get("DGTUI_FUZZ_EXAMPLES", "400"))
COUNTS: dict[str, int] = {}
_SQL: list[str] = []
_real_connect = sqlite3.connect


class RecordingConnection(sqlite3.Connection):
    def execute(self, sql, *args):
        _SQL.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        _SQL.append(sql)
        return super().executemany(sql, *args)

    def executescript(self, sql):
        _SQL.append(sql)
        return super().executescript(sql)


def recording_connect(*args, **kwargs):
    kwargs.setdefault("factory", RecordingConnection)
    return _real_connect(*args, **kwargs)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("fuzz")
    root = base / "repo"
    make_corpus(root, 20)
    home = base / "home"
    result = CliRunner().invoke(cli, ["index", str(root)], env={"DGTUI_HOME": str(home)})
    assert result.exit_code == 0, result.output
    return {"root": str(root), "home": str(home), "base": base}


@pytest.fixture(autouse=True)
def record_sql(monkeypatch):
    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    monkeypatch.chdir(os.getcwd())  # restored after a test that moves to its scratch folder
    _SQL.clear()
    yield


def run(repo: dict, args: list[str], kind: str, expect_json: bool = True) -> tuple[int, str]:
    _SQL.clear()
    result = CliRunner().invoke(cli, args, env={"DGTUI_HOME": repo["home"]})
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"{args!r} raised {exc!r}"
    code = result.exit_code
    assert code in (0, 1, 2), (args, code, result.output)
    if code:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("dgtui: "), (args, result.stderr)
        assert "internal error" not in lines[0], (args, lines[0])
    elif expect_json and "--json" in args:
        json.loads(result.stdout)
    leaked = [sql for sql in _SQL if MARK in sql]
    assert not leaked, (args, leaked[:1])
    COUNTS[kind] = COUNTS.get(kind, 0) + 1
    COUNTS["results" if code == 0 else "one-line errors"] = \
        COUNTS.get("results" if code == 0 else "one-line errors", 0) + 1
    return code, result.stdout


# Any text a shell can hand over, lone surrogates included (undecodable argv bytes arrive so).
any_char = st.characters(codec=None, exclude_characters="\x00")
text = st.text(any_char, max_size=30)
marked = st.builds(lambda a, b: a + MARK + b, text, text)
fts_like = st.sampled_from(['"', "*", "NEAR(", "AND", "OR", "NOT", "^", ":", "-", "(", ")", "''",
                            "col:", "{a b}", "\\", "%", "_", "[", "]", "?", "'; DROP TABLE atoms;--"])
user_text = st.one_of(marked, st.builds(lambda parts, m: " ".join(parts) + m,
                                        st.lists(fts_like, max_size=6), marked))
numbers = st.one_of(st.integers(-10, 100), st.integers(-(2**70), 2**70)).map(str)
whens = st.one_of(
    marked, numbers, st.sampled_from(["10m", "2h", "3d", "1w", "0s", "1e309", "nan", "inf", "-inf",
                                      "99999999999999999999d", "0001-01-01", "9999-12-31T23:59:59",
                                      "2026-13-45", "2026-11-21T10:00+25:00", "", " ", "1.5.5"]),
    st.datetimes().map(lambda d: d.isoformat()))
ids = st.one_of(marked, st.sampled_from(["pkg/sub1/mod1.py::f1_3", "f1_2", "Service1.run",
                                         "pkg/sub1/mod1.py::", "::", "f1_2#2", ".", ".."]).map(
    lambda s: s + MARK))


#: These tests' own settings (a decorator, not a loaded profile: other tests keep hypothesis's
#: defaults). Hundreds of CLI runs each: the slow lane; DGTUI_FUZZ_EXAMPLES sets how many.
fuzz = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.slow
@fuzz
@given(q=user_text, glob=st.one_of(st.none(), marked), kind=st.one_of(st.none(), marked),
       limit=st.one_of(st.none(), numbers))
def test_search(repo, q, glob, kind, limit):
    args = ["search", q, "--json", "--path", repo["root"]]
    args += ["--file", glob] if glob is not None else []
    args += ["--kind", kind] if kind is not None else []
    args += ["--limit", limit] if limit is not None else []
    run(repo, args, "search")


@pytest.mark.slow
@fuzz
@given(command=st.sampled_from(["show", "callers", "callees", "history"]), atom=ids,
       depth=st.one_of(st.none(), numbers))
def test_atom_commands(repo, command, atom, depth):
    args = [command, atom, "--path", repo["root"]]
    if command in ("callers", "callees") and depth is not None:
        args += ["--depth", depth]
    run(repo, args + (["--json"] if command != "show" or depth else []), command)


@pytest.mark.slow
@fuzz
@given(name=st.one_of(st.none(), marked), file=st.one_of(st.none(), marked),
       calls=st.one_of(st.none(), ids), called_by=st.one_of(st.none(), ids),
       complexity=st.one_of(st.none(), numbers), kind=st.one_of(st.none(), marked),
       limit=st.one_of(st.none(), numbers))
def test_query(repo, name, file, calls, called_by, complexity, kind, limit):
    args = ["query", "--json", "--path", repo["root"]]
    for flag, value in (("--name", name), ("--file", file), ("--calls", calls),
                        ("--called-by", called_by), ("--min-complexity", complexity),
                        ("--kind", kind), ("--limit", limit)):
        if value is not None:
            args += [flag, value]
    run(repo, args, "query")


@pytest.mark.slow
@fuzz
@given(since=st.one_of(st.none(), whens), until=st.one_of(st.none(), whens),
       atom=st.one_of(st.none(), ids), file=st.one_of(st.none(), marked),
       source=st.one_of(st.none(), marked), tx=st.one_of(st.none(), numbers),
       limit=st.one_of(st.none(), numbers))
def test_events(repo, since, until, atom, file, source, tx, limit):
    args = ["events", "--json", "--path", repo["root"]]
    for flag, value in (("--since", since), ("--until", until), ("--atom", atom),
                        ("--file", file), ("--source", source), ("--transaction", tx),
                        ("--limit", limit)):
        if value is not None:
            args += [flag, value]
    run(repo, args, "events")


@pytest.mark.slow
@fuzz
@given(at=whens, edges=st.booleans())
def test_replay(repo, at, edges):
    run(repo, ["replay", "--at", at, "--json", "--path", repo["root"]] + (["--edges"] if edges else []),
        "replay")


@pytest.mark.slow
@fuzz
@given(file=st.one_of(st.none(), marked), limit=st.one_of(st.none(), numbers))
def test_unresolved(repo, file, limit):
    args = ["unresolved", "--json", "--path", repo["root"]]
    args += ["--file", file] if file is not None else []
    args += ["--limit", limit] if limit is not None else []
    run(repo, args, "unresolved")


WORDS = ["search", "show", "callers", "callees", "query", "stats", "unresolved", "events",
         "history", "replay", "index", "backup", "restore", "import-json", "graph", "check",
         "brain", "chat", "ask", "list", "show", "--direction", "--format", "--max-nodes",
         "--include-unresolved", "--stale", "--json", "--csv",
         "--md", "--ndjson", "--tsv", "--depth", "--limit", "--since", "--at", "--kind", "--file",
         "--name", "--path", "--home", "--calls", "--async", "--exported", "--edges", "-o", "-h",
         "--rebuild", "--force", "--verify", "--transaction", "--", "-", "0", "-1", "x"]


#: Every registered command but those that run until stopped (the explorer, watch, mcp).
COMMANDS = sorted(set(__import__("dgtui.cli", fromlist=["COMMANDS"]).COMMANDS) - {"tui", "watch", "mcp"})


@pytest.mark.slow
@fuzz
@given(command=st.sampled_from(COMMANDS + ["-h", "--version"]),
       rest=st.lists(st.one_of(st.sampled_from(WORDS), marked, numbers), min_size=0, max_size=7))
def test_any_argument_list(repo, command, rest):
    """Whole command lines from a vocabulary of our words and marked text, after a command word
    (a first word that is not one opens the explorer on it: interactive, tested elsewhere).
    Paths a list could name are pinned to a scratch folder (also the working folder, for
    `-o FILE`), so nothing outside it is read or written."""
    argv = [command] + rest
    scratch = repo["base"] / "scratch"
    scratch.mkdir(exist_ok=True)
    os.chdir(scratch)
    args = [a if not a.startswith("/") else str(scratch / "x") for a in argv]
    if args and args[0] in ("index", "import-json", "backup", "restore"):
        args = [args[0], str(scratch / f"{MARK}-target")] + args[1:]
    if "--path" not in args and "--home" not in args:
        args = args + ["--path", repo["root"]] if args and not args[0].startswith("-") else args
    run(repo, args, "argument lists", expect_json=False)  # --json then --csv, or -o FILE


@pytest.mark.slow
@fuzz
@given(atom=st.one_of(st.none(), ids, st.sampled_from(["f1_2", "pkg/sub1/mod1.py::f1_3", "Service1.run"])),
       depth=st.one_of(st.none(), st.integers(0, 6).map(str), numbers),
       direction=st.one_of(st.none(), st.sampled_from(["callers", "callees", "both"]), marked),
       fmt=st.one_of(st.none(), st.sampled_from(["dot", "graphml", "mermaid", "json"]), marked),
       max_nodes=st.one_of(st.none(), st.integers(0, 50).map(str), numbers),
       file=st.one_of(st.none(), marked, st.just("pkg/*")))
def test_graph(repo, atom, depth, direction, fmt, max_nodes, file):
    args = ["graph", "--path", repo["root"]] + ([atom] if atom is not None else [])
    for flag, value in (("--depth", depth), ("--direction", direction), ("--format", fmt),
                        ("--max-nodes", max_nodes), ("--file", file)):
        if value is not None:
            args += [flag, value]
    run(repo, args, "graph")


@pytest.mark.slow
@fuzz
@given(question=user_text)
def test_chat_questions(repo, question):
    run(repo, ["chat", "ask", question, "--path", repo["root"], "--json"], "chat")


@pytest.mark.slow
def test_a_few_in_real_subprocesses(repo):
    from reliability import dgtui

    cases = [["search", 'NEAR("a" "b") \udcff ' + MARK, "--json"],
             ["show", "\udcff" + MARK], ["events", "--since", "0001-01-01"],
             ["query", "--min-complexity", str(2**70)], ["replay", "--at", str(2**70)],
             ["callers", "f1_2", "--depth", str(2**70)]]
    for args in cases:
        r = dgtui(*args, "--path", repo["root"], home=repo["home"])
        assert r.returncode in (0, 1, 2) and "Traceback" not in r.stderr, (args, r.stderr)
        if r.returncode:
            assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        COUNTS["subprocess"] = COUNTS.get("subprocess", 0) + 1


def teardown_module() -> None:
    out = os.environ.get("DGTUI_RELIABILITY_REPORT")
    if out and COUNTS:
        existing = json.loads(Path(out).read_text()) if Path(out).exists() else {}
        existing["fuzz"] = COUNTS
        Path(out).write_text(json.dumps(existing, indent=2))


def test_the_sql_recorder_sees_what_runs(repo):
    """The leak check is not vacuous: statements are recorded, and user text is in parameters."""
    seen: list[tuple] = []
    original = RecordingConnection.execute

    def execute(self, sql, *args):
        seen.append((sql, args))
        return original(self, sql, *args)

    RecordingConnection.execute = execute
    try:
        run(repo, ["query", "--name", f"f1_{MARK}*", "--json", "--path", repo["root"]], "sanity")
    finally:
        RecordingConnection.execute = original
    assert any("GLOB ?" in sql for sql, _ in seen)
    assert any(MARK in str(args) for _, args in seen) and not any(MARK in sql for sql, _ in seen)
