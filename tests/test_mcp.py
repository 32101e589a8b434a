"""The MCP server as a real subprocess, spoken to over stdio by the SDK's own client."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from conftest import run_cli
from helpers import write
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

TOOLS = {"search_atoms", "get_atom", "callers", "callees", "impact", "query_atoms",
         "recent_changes", "unresolved_calls", "index_status", "brain_insights", "add_insight",
         "review_changes", "impact_of_changes",
         "replace_atom_body", "insert_atom", "delete_atom", "rename_atom"}
DEADLINE = 60.0  # generous: a timeout for something that must happen, not a speed check


@contextlib.asynccontextmanager
async def server(root: Path, home: Path, errlog) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "dgtui", "mcp", str(root)],
        env={"DGTUI_HOME": str(home)}, cwd=str(root))
    async with stdio_client(params, errlog=errlog) as (read, write_), \
            ClientSession(read, write_) as session:
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **args) -> dict:
    result = await session.call_tool(tool, args)
    assert not result.is_error, result.content[0].text
    assert len(result.content) == 1
    text = result.content[0].text
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact
    return data


async def error(session: ClientSession, tool: str, **args) -> str:
    result = await session.call_tool(tool, args)
    assert result.is_error, result.content
    return result.content[0].text


async def eventually(check, what: str):
    """Poll ``check`` (an async function returning a truthy value when done)."""
    deadline = time.monotonic() + DEADLINE
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what}")
        await anyio.sleep(0.1)


@pytest.fixture
def errlog(tmp_path: Path):
    """The server's standard error; no traceback may appear in it."""
    with open(tmp_path / "server.err", "w+") as fh:
        yield fh
        fh.seek(0)
        assert "Traceback" not in fh.read()


def ids(answer: dict) -> list[str]:
    return [r["id"] for r in answer["results"] if "id" in r]


async def test_every_tool_and_a_live_edit(pyrepo: Path, home: Path, errlog):
    async with server(pyrepo, home, errlog) as s:
        listed = await s.list_tools()
        assert {t.name for t in listed.tools} == TOOLS
        assert all(t.description and t.input_schema["type"] == "object" for t in listed.tools)

        found = await call(s, "search_atoms", text="user")  # the server indexed it itself
        assert "pkg/models.py::User" in ids(found) and found["version"] == 1
        status = await call(s, "index_status")
        assert status["role"] == "writer" and status["state"] == "watching"
        assert status["atoms"] == 37 and status["root"] == str(pyrepo.resolve())

        atom = await call(s, "get_atom", atom="Base.validate")
        assert atom["atom"]["id"] == "pkg/models.py::Base.validate"
        assert "raise ValueError" in atom["source"]["text"] and atom["source"]["start_line"] == 22
        assert {c["id"] for c in atom["callers"]} == {"pkg/models.py::Base.save",
                                                     "pkg/models.py::User.check.inner"}
        one = await call(s, "get_atom", atom="Base.validate", neighbours=1, source=False)
        assert len(one["callers"]) == 1 and one["callers_count"] == 2 and "source" not in one
        up = await call(s, "callers", atom="pkg/db.py::write", depth=2)
        by_id = {r["id"]: r for r in up["results"]}
        assert by_id["pkg/service.py::handle"]["resolution"] == "import"
        assert by_id["pkg/service.py::sync_all"]["depth"] == 2
        assert by_id["pkg/service.py::sync_all"]["via"] == "pkg/db.py::save_atom"
        down = await call(s, "callees", atom="pkg/service.py::handle")
        assert {"callee": "print", "resolution": "builtin"}.items() <= next(
            r for r in down["results"] if r.get("callee") == "print").items()
        hit = await call(s, "impact", atom="pkg/db.py::write")
        assert {"pkg/service.py", "main.py", "pkg/db.py"} <= set(hit["files"])
        assert hit["max_depth"] >= 2 and hit["count"] == len(hit["callers"])
        assert ids(await call(s, "query_atoms", min_complexity=3)) == ["pkg/models.py::Base.validate"]
        assert "pkg/service.py::handle" in ids(await call(s, "query_atoms", is_async=True,
                                                          calls="save_atom"))
        changes = await call(s, "recent_changes", since_transaction=0, limit=5)
        assert changes["truncated"] and {e["source"] for e in changes["events"]} == {"index"}
        assert (await call(s, "recent_changes", since="1h"))["count"] == 37  # every atom created
        unresolved = await call(s, "unresolved_calls")
        listed = {r["callee"]: r for r in unresolved["results"]}
        assert "obj.only_helper_here" in listed and "print" not in listed
        assert listed["obj.save"]["candidate_ids"] == ["pkg/models.py::Base.save", "pkg/models.py::User.save"]
        known = await call(s, "unresolved_calls", include_known=True)
        assert any(r["callee"] == "print" and r["resolution"] == "builtin" for r in known["results"])

        # bad arguments: an error result saying what to change, never a crash
        ambiguous = await error(s, "get_atom", atom="save")
        assert "pkg/db.py::save" in ambiguous and "call again with one of these ids" in ambiguous
        missing = await error(s, "callers", atom="nothing_like_this")
        assert "no atom named" in missing and "call search_atoms with text='nothing_like_this'" in missing
        assert "dgtui search" not in missing  # an agent calls tools, not commands
        # a bad argument is one sentence: no validation dump, no link
        depth = await error(s, "callers", atom="pkg/db.py::write", depth=0)
        assert depth == "Bad argument for callers: depth should be greater than or equal to 1 (got 0)."
        kind = await error(s, "search_atoms", text="save", kind="bogus")
        assert kind.startswith("Bad argument for search_atoms: kind should be 'function', 'method'")
        assert "\n" not in kind and "pydantic" not in kind
        # a file filter without a wildcard matches anywhere in the path, as in the CLI
        in_models = await call(s, "search_atoms", text="save", file_glob="models")
        assert in_models["results"] and all(r["id"].startswith("pkg/models.py::") for r in in_models["results"])
        assert "cannot read" in await error(s, "recent_changes", since="yesterday-ish")
        assert "text" in await error(s, "search_atoms")
        assert "limit" in await error(s, "search_atoms", text="x", limit=10**6)

        # an edit on disk appears in a later answer
        v0 = status["last_transaction"]
        write(pyrepo / "pkg" / "util.py",
              (pyrepo / "pkg" / "util.py").read_text() + "\n\ndef brand_new():\n    return fmt(2)\n")

        async def seen():
            got = await call(s, "search_atoms", text="brand_new")
            return got if "pkg/util.py::brand_new" in ids(got) else None

        after = await eventually(seen, "the new function")
        assert after["version"] > v0
        callers_of_fmt = await call(s, "callers", atom="pkg/util.py::fmt")
        assert "pkg/util.py::brand_new" in ids(callers_of_fmt)
        news = await call(s, "recent_changes", since_transaction=v0)
        assert {"op": "create", "atom": "pkg/util.py::brand_new", "source": "file-watcher"}.items() \
            <= next(e for e in news["events"] if e["atom"] == "pkg/util.py::brand_new").items()


@pytest.mark.slow
async def test_reader_while_another_dgtui_writes(pyrepo: Path, home: Path, errlog):
    """With `dgtui watch` holding the writer lock, the server follows its commits."""
    watcher = subprocess.Popen([sys.executable, "-m", "dgtui", "watch", str(pyrepo)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "DGTUI_HOME": str(home)})
    try:  # it says "watching ..." on stderr once it holds the lock and has reconciled
        line = watcher.stderr.readline()
        while "watching" not in line:
            assert line, "dgtui watch ended early"
            line = watcher.stderr.readline()
        async with server(pyrepo, home, errlog) as s:
            status = await call(s, "index_status")
            assert status["role"] == "reader" and status["state"] == "reading"
            write(pyrepo / "pkg" / "db.py",
                  (pyrepo / "pkg" / "db.py").read_text() + "\n\ndef from_the_writer():\n    return save(1)\n")

            async def seen():
                got = await call(s, "callers", atom="pkg/db.py::save")
                return got if "pkg/db.py::from_the_writer" in ids(got) else None

            await eventually(seen, "the writer's commit")
    finally:
        watcher.terminate()
        watcher.wait(10)


@pytest.mark.slow
async def test_project_brain_read_and_add(pyrepo: Path, home: Path, errlog):
    async with server(pyrepo, home, errlog) as s:
        assert (await call(s, "brain_insights"))["insights"] == []
        added = (await call(s, "add_insight", text="All writes go through db.write.",
                            kind="decision", atoms=["pkg/db.py::write"], files=["pkg/db.py"],
                            confidence="high", author="agent-7"))["insight"]
        assert added["atoms"] == ["pkg/db.py::write"] and added["stale"] is False
        assert added["provenance"] == "tool" and added["tool"].startswith("mcp")
        listed = await call(s, "brain_insights", kind="decision")
        assert [i["id"] for i in listed["insights"]] == [added["id"]]
        assert (await call(s, "brain_insights", kind="risk"))["insights"] == []

        for bad, says in (({"text": "x", "kind": "rumour"}, "kind"),
                          ({"text": "x", "atoms": ["nothing_like_this"]}, "no atom named"),
                          ({"text": "x", "files": ["../etc/passwd"]}, "not indexed"),
                          ({"text": "x", "author": "../root"}, "invalid author"),
                          ({"text": "   "}, "text")):
            assert says in await error(s, "add_insight", **bad), bad

        # the atom changes on disk: the insight turns stale in a later answer
        db = pyrepo / "pkg" / "db.py"
        write(db, db.read_text().replace("    return record\n", "    return dict(record)\n", 1))

        async def stale():
            got = await call(s, "brain_insights", stale_only=True)
            return got["insights"] or None

        [now] = await eventually(stale, "the insight turn stale")
        assert now["id"] == added["id"] and "pkg/db.py::write" in now["status"]
    shown = json.loads(run_cli("brain", "show", str(added["id"]), "--json",
                               "--path", str(pyrepo)).stdout)
    assert [(e["operation"], e["source"], e["author"]) for e in shown["log"]] == \
        [("add", "mcp", "agent-7")]


@pytest.mark.slow
def test_stdout_carries_only_protocol_messages(pyrepo: Path, home: Path):
    """Raw stdio, no SDK: every line the server writes is a JSON-RPC message, from start-up
    (a first index with parse workers) to shut-down."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "index_status", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
         "params": {"name": "callers", "arguments": {"atom": "save"}}},
    ]
    proc = subprocess.Popen([sys.executable, "-m", "dgtui", "mcp", str(pyrepo)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "DGTUI_HOME": str(home)})
    replies = {}
    for message in messages:
        proc.stdin.write(json.dumps(message) + "\n")
        proc.stdin.flush()
        if "id" in message:
            reply = json.loads(proc.stdout.readline())
            replies[reply["id"]] = reply
    rest, err = proc.communicate(timeout=DEADLINE)  # closes stdin: the client is gone
    assert proc.returncode == 0, err
    for line in rest.splitlines():
        assert json.loads(line)["jsonrpc"] == "2.0"
    assert replies[1]["result"]["serverInfo"]["name"] == "dgtui"
    assert json.loads(replies[3]["result"]["content"][0]["text"])["atoms"] == 37
    assert replies[4]["result"]["isError"] is True
    assert "Traceback" not in err


def test_without_the_sdk_it_says_how_to_install(pyrepo: Path, home: Path):
    code = ("import sys; sys.modules['mcp'] = None; sys.argv = ['dgtui', 'mcp', sys.argv[1]]; "
            "from dgtui.cli import main; main()")
    r = subprocess.run([sys.executable, "-c", code, str(pyrepo)], capture_output=True, text=True,
                       env={**os.environ, "DGTUI_HOME": str(home)}, timeout=60, check=False)
    assert r.returncode != 0 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [
        "dgtui: dgtui mcp needs the optional MCP SDK: pip install '.[mcp]' in a dgtui checkout "
        "(in dgtui's own environment)"]
    assert not (home / "repos").exists()  # it did nothing else


def test_source_is_read_only_inside_the_repository(pyrepo: Path, tmp_path: Path):
    """What the server reads comes from the index, and source text only from inside the
    repository: a file that became a link to elsewhere is refused."""
    from helpers import index_repo

    from dgtui import query as q

    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    stored = q.resolve_atom(store, "pkg/util.py::fmt")
    assert q.source_lines(str(pyrepo), stored)[1][0] == "def fmt(value):"
    outside = tmp_path / "secret.py"
    outside.write_text("def fmt(value):\n    return 'secret'\n")
    (pyrepo / "pkg" / "util.py").unlink()
    (pyrepo / "pkg" / "util.py").symlink_to(outside)
    with pytest.raises(q.QueryError, match="outside the repository"):
        q.source_lines(str(pyrepo), stored)
    store.close()


@pytest.mark.slow
async def test_arguments_past_their_limits_are_clear_errors(pyrepo: Path, home: Path, errlog):
    """Issue 14: 2**70 crashed a tool (an error with no reason, a traceback on stderr); a
    200,000-character glob said "LIKE or GLOB pattern too complex"; 0001-01-01 was refused;
    index_status said last_transaction 0 beside version 1; add_insight took 5 MB and any
    author. Each limit now says what it is; the errlog fixture checks stderr for tracebacks."""
    async with server(pyrepo, home, errlog) as s:
        huge = 2**70
        for tool, args, words in [
            ("recent_changes", {"since_transaction": huge}, "less than or equal to 9223372036854775807"),
            ("query_atoms", {"min_complexity": huge}, "less than or equal to 9223372036854775807"),
            ("callers", {"atom": "write", "depth": huge}, "less than or equal to 50"),
            ("search_atoms", {"text": "a" * 200_000}, "at most 1000 characters"),
            ("query_atoms", {"name_glob": "*" * 200_000}, "at most 1000 characters"),
            ("unresolved_calls", {"file_glob": "[" * 200_000}, "at most 1000 characters"),
            ("get_atom", {"atom": "x" * 200_000}, "at most 4096 characters"),
            ("recent_changes", {"since": "the year one"}, "cannot read 'the year one' as a time"),
            ("add_insight", {"text": "x" * 5_000_000}, "at most 10000 characters"),
            ("add_insight", {"text": "ok", "author": "ok\n"}, "invalid author 'ok\\n'"),
            ("add_insight", {"text": "ok", "author": "a" * 200}, "at most 128 characters"),
            ("add_insight", {"text": "ok", "atoms": ["write"] * 101}, "at most 100 items"),
        ]:
            message = await error(s, tool, **args)
            assert words in message, (tool, message)
            assert "Traceback" not in message and "pattern too complex" not in message
        everything = await call(s, "recent_changes", since="0001-01-01", limit=1000)
        assert everything["count"] == 37  # every event since the year one
        assert (await call(s, "recent_changes", since="9999-12-31"))["count"] == 0
        status = await call(s, "index_status")
        assert status["last_transaction"] == status["version"] == 1
        assert (await call(s, "brain_insights"))["count"] == 0  # nothing was added
        # the limits are in the tools' schemas too, for clients that check before calling
        tools = {t.name: t.input_schema["properties"] for t in (await s.list_tools()).tools}
        assert tools["search_atoms"]["text"]["maxLength"] == 1000
        assert tools["add_insight"]["text"]["maxLength"] == 10_000


@pytest.mark.slow
def test_the_cli_shares_the_limits(pyrepo: Path, home: Path):
    assert run_cli("index", str(pyrepo)).returncode == 0
    p = ("--path", str(pyrepo))
    r = run_cli("query", "--name", "*" * 100_000, *p)  # (one argument holds at most 128 kB)
    assert r.returncode == 1 and "name glob is 100,000 characters long; at most 1,000" in r.stderr
    r = run_cli("events", "--since", "0001-01-01", "--json", "--limit", "1000", *p)
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 37
    r = run_cli("brain", "add", "x" * 10_001, *p)
    assert r.returncode == 1 and "at most 10,000 characters" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
