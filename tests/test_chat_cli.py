"""`dgtui chat` and `dgtui brain` as a user runs them: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from chat_support import dump, paths_for
from conftest import run_cli


def ok(*args: str, env: dict | None = None, input: str | None = None) -> str:
    r = run_cli(*args, env=env, input=input)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


def fails(*args: str, code: int | None = None, env: dict | None = None) -> str:
    r = run_cli(*args, env=env)
    assert r.returncode != 0, r.stdout
    if code is not None:
        assert r.returncode == code
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("dgtui: ")
    return r.stderr


@pytest.fixture
def repo(pyrepo: Path, home: Path) -> Path:
    ok("index", str(pyrepo))
    return pyrepo


def test_ask_and_history(repo: Path):
    P = ["--path", str(repo), "--user", "ann"]
    out = ok("chat", "ask", "who", "calls", "saveatom?", *P)
    assert "save_atom (pkg/db.py:5) is called by 2 atom(s)" in out and "answered at transaction 1" in out
    answer = json.loads(ok("chat", "ask", "impact of changing write", *P, "--json"))
    assert answer["intent"] == "impact" and answer["graph_version"] == 1
    assert "pkg/db.py::write" in [a["id"] for a in answer["atoms"]] and answer["message_id"] == 4
    history = json.loads(ok("chat", "history", *P, "--json"))
    assert [(m["role"], m["intent"]) for m in history] == [
        ("user", "callers"), ("assistant", "callers"), ("user", "impact"), ("assistant", "impact")]
    assert history[0]["text"] == "who calls saveatom?"
    assert history[1]["reply_to"] == 1 and history[1]["graph_version"] == 1
    assert {a["id"] for a in history[1]["atoms"]} == {
        "pkg/db.py::save_atom", "pkg/service.py::handle", "pkg/service.py::sync_all"}
    assert history[1]["status"] == "answered at transaction 1; 0 of its 3 atoms changed since"
    text = ok("chat", "history", *P)
    assert "who calls saveatom?" in text and "dgtui (impact)" in text


@pytest.mark.slow
def test_history_says_which_atoms_changed_since_an_answer(repo: Path):
    P = ["--path", str(repo), "--user", "ann"]
    ok("chat", "ask", "who calls saveatom?", *P)
    db = repo / "pkg" / "db.py"
    db.write_text(db.read_text().replace("async def save_atom(atom):",
                                         "async def save_atom(atom, *, now=False):"))
    ok("index", str(repo))
    history = json.loads(ok("chat", "history", *P, "--json"))
    assert history[1]["status"] == "answered at transaction 1; 1 of its 3 atoms changed since"
    assert history[1]["changed_since"][0]["atom_id"] == "pkg/db.py::save_atom"
    assert "pkg/db.py::save_atom changed: params, signature" in ok("chat", "history", *P)


@pytest.mark.slow
def test_clear_asks_on_a_terminal_and_needs_yes_in_scripts(repo: Path):
    P = ["--path", str(repo), "--user", "ann"]
    ok("chat", "ask", "who calls write?", *P)
    err = fails("chat", "clear", *P)  # stdin is not a terminal here
    assert "--yes" in err and len(json.loads(ok("chat", "history", *P, "--json"))) == 2
    assert "cleared 2 message(s)" in ok("chat", "clear", "--yes", *P)
    assert json.loads(ok("chat", "history", *P, "--json")) == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_clear_confirms_on_a_terminal(repo: Path):
    import pty

    P = ["--path", str(repo), "--user", "ann"]
    ok("chat", "ask", "who calls write?", *P)
    for answer, left in ((b"n\n", 2), (b"y\n", 0)):
        leader, follower = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "dgtui", "chat", "clear", *P],
                                stdin=follower, stdout=follower, stderr=follower, env=os.environ)
        os.close(follower)
        seen = b""
        while b"[y/N]" not in seen:
            seen += os.read(leader, 1024)
        os.write(leader, answer)
        proc.wait(timeout=60)
        os.close(leader)
        assert b"Delete 2 message(s) of ann" in seen
        assert len(json.loads(ok("chat", "history", *P, "--json"))) == left


def test_brain_add_list_show_rm(repo: Path):
    P = ["--path", str(repo)]
    out = ok("brain", "add", "--kind", "decision", "--atom", "pkg/db.py::write", *P,
             "all writes go through write()", env={"DGTUI_USER": "ann"})
    assert out.startswith("added insight 1 (decision) about 1 atom(s) at transaction 1")
    ok("brain", "add", "--kind", "risk", "--atom", "save_atom", "--file", "pkg/db.py",
       "--confidence", "high", *P, "--user", "bob", "save_atom", "is", "async")
    rows = json.loads(ok("brain", "list", *P, "--json"))
    assert [(r["id"], r["kind"], r["stale"], r["author"]) for r in rows] == [
        (1, "decision", False, "ann"), (2, "risk", False, "bob")]
    assert rows[1]["text"] == "save_atom is async" and rows[1]["files"] == ["pkg/db.py"]
    assert json.loads(ok("brain", "list", "--stale", *P, "--json")) == []
    db = repo / "pkg" / "db.py"
    db.write_text(db.read_text().replace("return write(atom)", "return write(atom) or atom"))
    ok("index", str(repo))
    stale = json.loads(ok("brain", "list", "--stale", *P, "--json"))
    assert [r["id"] for r in stale] == [2] and stale[0]["status"] == "stale: pkg/db.py::save_atom changed"
    shown = ok("brain", "show", "2", *P)
    assert "status: stale" in shown and "update pkg/db.py::save_atom: body_hash" in shown
    assert "added by hand" in shown and "log:" in shown
    assert json.loads(ok("brain", "show", "1", *P, "--json"))["stale"] is False
    assert "removed insight 1" in ok("brain", "rm", "1", *P)
    assert [r["id"] for r in json.loads(ok("brain", "list", *P, "--json"))] == [2]
    assert "pkg/db.py::save_atom" in ok("brain", "list", *P, "--csv")


@pytest.mark.slow
def test_brain_and_chat_errors_are_one_line(repo: Path, tmp_path: Path):
    P = ["--path", str(repo)]
    assert "no atom named 'nothing_like_it'" in fails("brain", "add", "--atom", "nothing_like_it", *P, "x")
    assert "matches 3 atoms" in fails("brain", "add", "--atom", "save", *P, "x", code=2)
    assert "no insight 7" in fails("brain", "show", "7", *P)
    assert "no insight 7" in fails("brain", "rm", "7", *P)
    assert "not an indexed file" in fails("brain", "add", "--file", "nope.py", *P, "x")
    usage = run_cli("brain", "add", "--kind", "opinion", *P, "x")
    assert usage.returncode == 2 and "Invalid value for '--kind'" in usage.stderr
    (tmp_path / "fresh").mkdir()
    assert "no index" in fails("chat", "ask", "who calls x?", "--path", str(tmp_path / "fresh"))
    assert "no message 42" in fails("chat", "promote", "42", *P)


@pytest.mark.slow
def test_promote_from_the_command_line(repo: Path):
    P = ["--path", str(repo), "--user", "ann"]
    answer = json.loads(ok("chat", "ask", "cycles through handle", *P, "--json"))
    draft = json.loads(ok("chat", "promote", str(answer["message_id"]), *P, "--json"))
    assert draft["atoms"] == ["pkg/service.py::handle"] and draft["kind"] == "risk"
    assert json.loads(ok("brain", "list", "--path", str(repo), "--json")) == []  # not saved
    saved = json.loads(ok("chat", "promote", str(answer["message_id"]), "--save", "--kind",
                          "pattern", "--text", "handle is not re-entrant", *P, "--json"))
    assert (saved["kind"], saved["text"], saved["provenance"]) == (
        "pattern", "handle is not re-entrant", "promoted")


@pytest.mark.slow
def test_commands_leave_the_index_alone(repo: Path, home: Path):
    db = paths_for(repo).index_db
    before = dump(db)
    P = ["--path", str(repo)]
    ok("chat", "ask", "what changed recently?", *P)
    ok("brain", "add", "--atom", "write", *P, "note")
    ok("brain", "list", *P)
    ok("chat", "clear", "--yes", *P)
    assert dump(db) == before


def test_nothing_below_the_ui_imports_textual():
    code = ("import sys; import dgtui.chat, dgtui.chat.session, dgtui.chat.brain, "
            "dgtui.store.brain, dgtui.store.chat, dgtui.cli.chat_cmd, dgtui.cli.brain_cmd; "
            "print('textual' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
