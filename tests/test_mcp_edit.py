"""The MCP edit tools, called over stdio by the SDK's own client on a real repository copy, with
the server's own watcher running, or with `dgtui watch` as the writer in another process."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from helpers import write
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from test_edit import three_files
from test_edit_cli import renamed_texts, whole_after_kill
from test_mcp import call, error, eventually

EDIT_TOOLS = {"replace_atom_body", "insert_atom", "delete_atom", "rename_atom"}
DB = "pkg/db.py"


@pytest.fixture
def errlog(tmp_path: Path):
    """The server's standard error; no traceback may appear in it."""
    with open(tmp_path / "server.err", "w+") as fh:
        yield fh
        fh.seek(0)
        assert "Traceback" not in fh.read()


@contextlib.asynccontextmanager
async def server(root: Path, home: Path, errlog, *extra: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "dgtui", "mcp", str(root), *extra],
        env={"DGTUI_HOME": str(home)}, cwd=str(root))
    async with stdio_client(params, errlog=errlog) as (read, write_), \
            ClientSession(read, write_) as session:
        await session.initialize()
        yield session


async def test_edits_over_mcp(pyrepo: Path, home: Path, errlog):
    async with server(pyrepo, home, errlog) as s:
        listed = {t.name for t in (await s.list_tools()).tools}
        assert EDIT_TOOLS <= listed
        atom = await call(s, "get_atom", atom="pkg/db.py::write", source=False)
        version = atom["atom"]["version"]
        done = await call(s, "replace_atom_body", atom="pkg/db.py::write", expected_version=version,
                          new_source="def write(record, flush):\n    return record\n")
        assert done["source"] == "atomic-edit" and done["files"] == [DB]
        assert done["version"] >= done["transaction"]  # read after the commit
        assert done["signature"]["breaking"] == "new required parameter flush"
        assert set(done["callers_at_risk"]["pkg/db.py::write"]) == {"pkg/db.py::save_atom",
                                                                    "pkg/service.py::handle"}
        assert [a for a in done["atoms"] if a["id"] == "pkg/db.py::write"][0]["version"] == version + 1
        changes = await call(s, "recent_changes", source="atomic-edit")
        assert [(e["op"], e["atom"], e["tx"]) for e in changes["events"]] == [
            ("update", "pkg/db.py::write", done["transaction"])]
        # the server's own watcher saw the write and recorded nothing more: a person's save is
        # the next transaction
        write(pyrepo / "pkg/util.py", (pyrepo / "pkg/util.py").read_text() + "\n\ndef late():\n    return 1\n")

        async def the_save():
            got = await call(s, "recent_changes", since_transaction=done["transaction"])
            return got if got["count"] else None
        later = await eventually(the_save, "the person's save")
        assert {(e["source"], e["file"]) for e in later["events"]} == {("file-watcher", "pkg/util.py")}

        # a person saves between the agent's read and its edit: a conflict, never an overwrite
        read = await call(s, "get_atom", atom="pkg/db.py::save", source=False)
        person = (pyrepo / DB).read_text().replace("return thing", "return [thing]")
        write(pyrepo / DB, person)
        said = await error(s, "replace_atom_body", atom="pkg/db.py::save",
                           expected_version=read["atom"]["version"],
                           new_source="def save(thing):\n    return None\n")
        assert "replace_atom_body: conflict: " in said and "read" in said, said
        assert (pyrepo / DB).read_text() == person
        # a syntax error: nothing written
        said = await error(s, "insert_atom", where="after", atom="pkg/util.py::fmt",
                           source="def broken(:\n    pass\n")
        assert "insert_atom: invalid: " in said and "syntax error" in said
        assert "broken" not in (pyrepo / "pkg/util.py").read_text()
        # an ambiguous name: say which ids, as the read tools do
        said = await error(s, "delete_atom", atom="save", expected_version=1)
        assert "pkg/db.py::save" in said and "call again with one of these ids" in said
        # a dry run: the diff, nothing written
        before = (pyrepo / "pkg/util.py").read_text()
        preview = await call(s, "delete_atom", atom="pkg/util.py::fmt", expected_version=1, dry_run=True)
        assert preview["dry_run"] and "-def fmt(value):" in preview["diff"]
        assert (pyrepo / "pkg/util.py").read_text() == before
        gone = await call(s, "delete_atom", atom="pkg/util.py::fmt", expected_version=1)
        assert gone["callers_calling_nothing"] == {"pkg/util.py::fmt": ["pkg/service.py::handle"]}


@pytest.mark.slow
async def test_rename_across_three_files_while_dgtui_watch_writes(tmp_path: Path, home: Path, errlog):
    """`dgtui watch` is the writer: it sees the three files change, records nothing of its own,
    and prints the edit's transaction (it follows other processes' commits)."""
    root = three_files(tmp_path / "repo")
    watcher = subprocess.Popen([sys.executable, "-m", "dgtui", "watch", "--json", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "DGTUI_HOME": str(home)})
    printed: list[dict] = []
    reader = threading.Thread(target=lambda: printed.extend(json.loads(line) for line in watcher.stdout),
                              daemon=True)
    try:
        # its first line is the first index (printed once it holds the lock and watches)
        assert json.loads(watcher.stdout.readline())["source"] == "index"
        reader.start()
        async with server(root, home, errlog) as s:
            assert (await call(s, "index_status"))["role"] == "reader"
            done = await call(s, "rename_atom", atom="app/core.py::compute", new_name="calculate",
                              expected_version=1)
            assert len(done["files"]) == 3 and len(done["call_sites_rewritten"]) == 5
            assert [c["callee"] for c in done["call_sites_left"]] == ["obj.compute"]
            assert done["imports_renamed"] == ["app/one/use_one.py"]
            assert "calculate(v)" in (root / "app/one/use_one.py").read_text()
            callers = await call(s, "callers", atom="app/core.py::calculate")
            assert len(callers["results"]) == 3
            write(root / "app/late.py", "def late():\n    return 1\n")  # a save after the edit

            async def both():
                return any("app/late.py" in p["files"] for p in printed)
            await eventually(both, "the save after the edit")
            ours = [(p["transaction_id"], p["source"]) for p in printed]
            assert ours == [(done["transaction"], "atomic-edit"), (done["transaction"] + 1, "file-watcher")]
    finally:
        watcher.terminate()
        watcher.wait(10)


@pytest.mark.slow
async def test_read_only_server_has_no_edit_tools(pyrepo: Path, home: Path, errlog):
    async with server(pyrepo, home, errlog, "--read-only") as s:
        listed = {t.name for t in (await s.list_tools()).tools}
        assert not EDIT_TOOLS & listed and "get_atom" in listed


def server_pid(root: Path) -> int:
    """The pid of the `dgtui mcp ROOT` this test started (its exact command line)."""
    wanted = ["-m", "dgtui", "mcp", str(root)]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                args = Path(f"/proc/{entry}/cmdline").read_bytes().decode().split("\0")
            except OSError:
                continue
            if args[1:5] == wanted:
                return int(entry)
    raise AssertionError("the server's process was not found")


@pytest.mark.slow
async def test_kill_9_of_the_server_during_an_edit(tmp_path: Path, home: Path):
    """The server killed as soon as the rename's first file is replaced: each file is whole, the
    old one or the new one, and the next index run brings the index in line."""
    new = renamed_texts(tmp_path)
    root = three_files(tmp_path / "repo")
    inode = os.stat(root / "app/core.py").st_ino
    killed = []
    with open(tmp_path / "server.err", "w+") as errlog:
        with contextlib.suppress(Exception, BaseExceptionGroup):  # the connection dies with it
            async with server(root, home, errlog) as s:
                await call(s, "index_status")
                pid = server_pid(root)
                async with anyio.create_task_group() as tg:
                    tg.start_soon(s.call_tool, "rename_atom", {
                        "atom": "app/core.py::compute", "new_name": "calculate", "expected_version": 1})
                    with anyio.fail_after(60):
                        while os.stat(root / "app/core.py").st_ino == inode:
                            await anyio.sleep(0.001)
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
    assert killed, "the edit never replaced its first file"
    whole_after_kill(root, home, tmp_path, new)
