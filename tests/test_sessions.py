"""Edit sessions: the event log grouped by source, client and pauses, listed by `dgtui sessions`
and taken by `--since`. The real engine writes a real index; the CLI runs as a subprocess."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import run_cli
from helpers import write

from dgtui import query
from dgtui.engine.indexer import Indexer
from dgtui.engine.writer import Engine, open_for_writing
from dgtui.paths import RepoPaths

DB = "pkg/db.py"


def indexed(root: Path, home: Path):
    store = open_for_writing(RepoPaths.for_root(str(root), str(home)).index_db, str(root))
    engine = Engine(store)
    indexer = Indexer(str(root), store, engine, workers=1)
    indexer.run(source="index")
    return store, engine, indexer


def edit(root: Path, indexer: Indexer, n: int, source: str = "file-watcher"):
    write(root / DB, (root / DB).read_text() + f"\n\ndef added_{n}(x):\n    return x\n")
    delta = indexer.sync_paths([DB], source=source)
    assert delta is not None
    return delta


def sessions_json(root: Path, *args: str) -> list[dict]:
    result = run_cli("sessions", "--path", str(root), "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sessions_split_by_source_client_and_pause(pyrepo: Path, home: Path):
    store, engine, indexer = indexed(pyrepo, home)
    first = edit(pyrepo, indexer, 1)
    edit(pyrepo, indexer, 2)
    edit(pyrepo, indexer, 3, source="reconcile")  # another source: another session
    engine.client = "mcp:agent-x"  # edits while an MCP client is connected
    agent = edit(pyrepo, indexer, 4)
    last_commit = time.time()
    while time.time() < last_commit + 0.3:  # a pause longer than the gap below
        time.sleep(0.05)
    engine.client = None
    late = edit(pyrepo, indexer, 5)

    found = query.sessions(store, gap=0.2)
    assert [(s.source, s.client, s.transactions, s.atoms) for s in found] == [
        ("file-watcher", None, 2, 3), ("reconcile", None, 1, 2),
        ("file-watcher", "mcp:agent-x", 1, 2), ("file-watcher", None, 1, 2)]  # + the module
    assert found[0].id == f"s{first.transaction_id}"
    assert found[2].title.startswith("file-watcher (mcp:agent-x) ")
    assert found[0].title.endswith(", 2 transactions, 3 atoms")
    # with the default gap (5 minutes) the pause does not split the agent's session from the last
    assert [s.transactions for s in query.sessions(store)] == [2, 1, 1, 1]

    # any transaction of a session names it; `last` is the latest
    s = query.find_session(store, f"s{agent.transaction_id}", gap=0.2)
    assert s.client == "mcp:agent-x"
    assert query.find_session(store, "last", gap=0.2).first_tx == late.transaction_id
    since = query.since_point(store, f"s{first.transaction_id + 1}")
    assert since.after_tx == first.transaction_id - 1 and "file-watcher" in since.label
    store.close()

    # the CLI: the same sessions, the gap as an option
    rows = sessions_json(pyrepo, "--gap", "0.2")
    assert [r["id"] for r in rows] == [x.id for x in found]
    assert rows[2]["client"] == "mcp:agent-x" and rows[0]["title"] == found[0].title
    assert len(sessions_json(pyrepo, "--gap", "0.2", "--limit", "1")) == 1
    table = run_cli("sessions", "--path", str(pyrepo), "--gap", "0.2")
    assert "mcp:agent-x" in table.stdout and found[0].id in table.stdout


def test_events_since_a_session(pyrepo: Path, home: Path):
    store, engine, indexer = indexed(pyrepo, home)
    edit(pyrepo, indexer, 1)
    engine.client = "mcp:agent-y"
    agent = edit(pyrepo, indexer, 2)
    store.close()
    result = run_cli("events", "--path", str(pyrepo), "--since", f"s{agent.transaction_id}", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["atom_id"] for r in rows if r["operation"] == "create"} == {"pkg/db.py::added_2"}
    assert {r["transaction_id"] for r in rows} == {agent.transaction_id}
    last = json.loads(run_cli("events", "--path", str(pyrepo), "--since", "last", "--json").stdout)
    assert last == rows


def test_bad_sessions_and_gaps_are_one_line_errors(pyrepo: Path, home: Path):
    store, _engine, indexer = indexed(pyrepo, home)
    store.close()
    result = run_cli("events", "--path", str(pyrepo), "--since", "last")
    assert result.returncode != 0 and "no edit sessions yet" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    for args, said in [(["events", "--since", "s999"], "no session s999"),
                       (["sessions", "--gap", "soon"], "not a duration")]:
        result = run_cli(*args, "--path", str(pyrepo))
        assert result.returncode != 0 and said in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    result = run_cli("sessions", "--path", str(pyrepo), env={"DGTUI_SESSION_GAP": "never"})
    assert result.returncode != 0 and "DGTUI_SESSION_GAP" in result.stderr
