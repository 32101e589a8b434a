"""The agent asking for its own review: `review_changes` and `impact_of_changes` of the real
MCP server (a subprocess over stdio) on a real git repository, and the edit session its live
index records under the client's name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import write
from test_mcp import call, errlog, error, eventually, server  # noqa: F401 (errlog: a fixture)
from test_review import agent_edits, repo  # noqa: F401 (repo: a fixture)


@pytest.mark.slow
async def test_review_and_impact_for_the_agent(repo: Path, home: Path, errlog):  # noqa: F811
    agent_edits(repo)
    async with server(repo, home, errlog) as s:
        review = await call(s, "review_changes")
        assert review["base"].startswith("HEAD (")
        atoms = {a["id"]: a for a in review["atoms"]}
        # what needs attention first: the atoms whose callers are at risk
        assert {a["id"] for a in review["atoms"][:3]} == {
            "pkg/db.py::write", "pkg/db.py::save", "pkg/util.py::format_text"}
        assert atoms["pkg/util.py::format_text"] == {
            "id": "pkg/util.py::format_text", "change": "renamed", "was": "pkg/util.py::fmt",
            "at_risk": [{"id": "pkg/service.py::handle", "why": "calls nothing now"}],
            "tests": 0, "untested": True}
        assert atoms["pkg/db.py::save"]["signature"] == "breaking: parameter flag lost its default"
        assert atoms["pkg/db.py::save"]["tests"] == 1
        detailed = await call(s, "review_changes", since="HEAD", detail=True, limit=1)
        assert detailed["truncated"] and len(detailed["atoms"]) == 1
        assert detailed["atoms"][0]["id"] == "pkg/db.py::save"  # at risk and breaking: first
        assert detailed["atoms"][0]["tests"] == ["tests/test_db.py::test_save"]

        impact = await call(s, "impact_of_changes")
        assert impact["breaking"] == [{"id": "pkg/db.py::save", "why": "parameter flag lost its default",
                                       "callers": ["tests/test_db.py::test_save"]}]
        assert {(x["caller"], x["called"]) for x in impact["calls_nothing_now"]} == {
            ("pkg/service.py::handle", "pkg/db.py::write"), ("pkg/service.py::handle", "pkg/util.py::fmt")}
        assert impact["tests_to_run"] == {"files": ["tests/test_db.py"], "count": 2, "tests": [
            "tests/test_db.py::test_handle", "tests/test_db.py::test_save"]}
        assert "pkg/new.py::brand_new" in impact["untested"]

        assert "not a revision" in await error(s, "review_changes", since="no-such-branch")
        assert "no session s999" in await error(s, "impact_of_changes", since="s999")

        # the agent edits on: its live session carries its client's name
        version = (await call(s, "index_status"))["last_transaction"]
        write(repo / "pkg/new.py", "def brand_new(y):\n    return y\n\n\ndef more(z):\n    return z\n")

        async def committed():
            got = await call(s, "recent_changes", since_transaction=version)
            return got if got["count"] else None

        await eventually(committed, "the agent's edit")
        since_session = await call(s, "review_changes", since="last")
        assert since_session["base"].startswith("session s") and "(file-watcher (mcp:" in since_session["base"]
        assert [a["id"] for a in since_session["atoms"]] == ["pkg/new.py::more"]
        events = await call(s, "recent_changes", since="last")
        assert {e["atom"] for e in events["events"] if e["op"] == "create"} == {"pkg/new.py::more"}

    listed = run_cli("sessions", "--path", str(repo), "--json")
    sessions = json.loads(listed.stdout)
    assert sessions[-1]["client"].startswith("mcp:") and sessions[-1]["source"] == "file-watcher"
