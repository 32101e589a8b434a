"""The separation rules of the origin document, each a test: index, brain and chat stay apart."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from chat_support import dump, index, paths_for, session, tree
from helpers import write

from dgtui.chat import ChatSession
from dgtui.chat.brain import ProjectBrain
from dgtui.store import StoreError
from dgtui.store.chat import ChatOwnerMismatch

#: One question per intent: a conversation that touches every answer path.
EVERY_INTENT = [
    "where is save_atom defined?", "who calls saveatom to depth 2?", "what does handle call?",
    "impact of changing write", "what changed recently?", "what changed in db.py since 1h",
    "async functions that call write", "unresolved calls in pkg/service.py", "dead code",
    "cycles through handle", "most complex functions in pkg", "how is the user saved?",
]


@pytest.fixture
def repo(pyrepo: Path, home: Path) -> Path:
    index(pyrepo)
    return pyrepo


def brain_with_one_insight(root: Path) -> str:
    paths = paths_for(root)
    with session(root) as s:
        s.brain.add("decision", "writes go through write()", "lead", atoms=["pkg/db.py::write"])
    return paths.brain_db


def test_a_conversation_writes_only_the_chat(repo: Path, home: Path):
    paths = paths_for(repo)
    brain_db = brain_with_one_insight(repo)
    before = dump(paths.index_db), dump(brain_db), tree(str(home / "project-brains"))
    with session(repo) as s:
        for question in EVERY_INTENT:
            s.ask(question)
        assert len(s.history()) == 2 * len(EVERY_INTENT)
    assert (dump(paths.index_db), dump(brain_db), tree(str(home / "project-brains"))) == before


def test_asking_creates_no_brain(repo: Path, home: Path):
    with session(repo) as s:
        s.ask("who calls write?")
        s.history()
    assert not (home / "project-brains").exists()


def test_the_chat_cannot_write_the_index(repo: Path):
    with session(repo) as s:
        with pytest.raises(sqlite3.OperationalError):
            s.index.conn.execute("DELETE FROM atoms")
        with pytest.raises(sqlite3.OperationalError):
            s.index.conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")


def test_clearing_a_chat_leaves_brain_and_index_unchanged(repo: Path):
    paths = paths_for(repo)
    with session(repo) as s:
        answer = s.ask("impact of changing write")
        s.save_insight(s.propose_insight(answer.message_id))
    before = dump(paths.index_db), dump(paths.brain_db)
    with session(repo) as s:
        assert s.clear() == 2
        assert s.history() == [] and len(s.brain_list()) == 1
    assert (dump(paths.index_db), dump(paths.brain_db)) == before
    leftover = dump(paths.chat_db("ann"))
    assert not any("impact of changing write" in line for line in leftover)


def test_reindexing_or_deleting_the_index_leaves_chat_and_brain_unchanged(repo: Path):
    paths = paths_for(repo)
    with session(repo) as s:
        s.ask("who calls write?")
    brain_db = brain_with_one_insight(repo)
    before = dump(paths.chat_db("ann")), dump(brain_db)
    write(repo / "pkg" / "db.py", "def write(record, flush=False):\n    return record\n")
    index(repo)
    assert (dump(paths.chat_db("ann")), dump(brain_db)) == before
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(paths.index_db + suffix):
            os.remove(paths.index_db + suffix)
    shutil.rmtree(paths.index_dir)
    assert (dump(paths.chat_db("ann")), dump(brain_db)) == before
    # without an index the history and the brain still read; staleness is unknown
    with ChatSession.open(paths, "ann", require_index=False) as s:
        assert [e.message.role for e in s.history()] == ["user", "assistant"]
        assert s.history()[1].changed is None
        assert [b.stale for b in s.brain_list()] == [None]
        with pytest.raises(StoreError, match="no index"):
            s.ask("who calls write?")
    index(repo)  # a fresh index: the same chat and brain, nothing lost
    assert (dump(paths.chat_db("ann")), dump(brain_db)) == before


def test_two_users_share_the_brain_and_see_only_their_own_chat(repo: Path):
    with session(repo, "ann") as ann, session(repo, "bob") as bob:
        a = ann.ask("who calls save_atom?")
        bob.ask("what does handle call?")
        insight = ann.save_insight(ann.propose_insight(a.message_id))
        assert [e.message.text for e in ann.history()][0] == "who calls save_atom?"
        assert [e.message.text for e in bob.history()][0] == "what does handle call?"
        assert len(ann.history()) == len(bob.history()) == 2
        assert [s.insight.id for s in bob.brain_list()] == [insight.id]
        assert insight.author == "ann" and insight.provenance == "promoted"
        assert ann.chat_path != bob.chat_path
    with session(repo, "bob") as bob:
        assert bob.clear() == 2
    with session(repo, "ann") as ann:
        assert len(ann.history()) == 2  # bob's clear is bob's only


def test_a_chat_about_one_repository_never_shows_in_another(repo: Path, jsrepo: Path):
    index(jsrepo)
    with session(repo) as py, session(jsrepo) as js:
        py.ask("who calls save_atom?")
        js.ask("who calls helper?")
        assert [e.message.text for e in py.history() if e.message.role == "user"] == ["who calls save_atom?"]
        assert [e.message.text for e in js.history() if e.message.role == "user"] == ["who calls helper?"]
        py_chat, js_chat = py.chat_path, js.chat_path
    # a chat file copied into another repository's place is refused, not shown
    os.replace(py_chat, js_chat)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(py_chat + suffix):
            os.remove(py_chat + suffix)
    with session(jsrepo) as js, pytest.raises(ChatOwnerMismatch, match="pyrepo"):
        js.history()


def test_the_brain_holds_no_chat_message_and_the_chat_no_insight(repo: Path):
    paths = paths_for(repo)
    question = "which async functions call write?"
    with session(repo) as s:
        answer = s.ask(question)
        draft = s.propose_insight(answer.message_id)
        s.save_insight(draft)
    brain = "\n".join(dump(paths.brain_db))
    assert question not in brain and "messages" not in brain
    assert f'"id":{answer.message_id}' not in brain.replace(" ", "")
    chat_tables = {r[0] for r in sqlite3.connect(paths.chat_db("ann")).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert chat_tables == {"meta", "messages", "sqlite_sequence"}
    brain_tables = {r[0] for r in sqlite3.connect(paths.brain_db).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not brain_tables & {"messages", "atom_events", "atoms"}


def test_the_brain_writes_its_own_log_never_the_index_events(repo: Path):
    paths = paths_for(repo)
    before = dump(paths.index_db)
    with session(repo) as s:
        added = s.brain.add("risk", "write has no error handling", "ann", atoms=["write"])
        s.brain.update(added.id, "bob", text="write swallows nothing", source="mcp")
        s.brain.remove(added.id, "ann", source="user")
        log = s.brain.log(added.id)
    assert [(e.operation, e.source, e.author) for e in log] == [
        ("add", "user", "ann"), ("update", "mcp", "bob"), ("remove", "user", "ann")]
    assert log[-1].insight["text"] == "write swallows nothing"  # the log keeps what was removed
    assert dump(paths.index_db) == before


def test_stores_refuse_each_other(repo: Path):
    paths = paths_for(repo)
    with session(repo) as s:
        s.ask("who calls write?")
    from dgtui.store.brain import BrainStore
    from dgtui.store.chat import ChatStore

    with pytest.raises(StoreError, match="not a dgtui project brain"):
        BrainStore.open(paths.chat_db("ann"))
    with pytest.raises(StoreError, match="not a dgtui project brain"):
        BrainStore.open(paths.index_db)
    os.makedirs(os.path.dirname(paths.chat_db("eve")), exist_ok=True)
    shutil.copy(paths.index_db, paths.chat_db("eve"))
    with pytest.raises(StoreError, match="not a dgtui chat history"):
        ChatStore.open(paths.chat_db("eve"), "eve", paths.repo_id)
    assert ProjectBrain.open(paths).list() == []  # reading an absent brain creates nothing
    assert not os.path.exists(paths.brain_db)
