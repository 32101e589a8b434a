"""The project brain: insights, their provenance and log, and staleness read from the index."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from chat_support import index, paths_for, session
from helpers import write

from dgtui.chat.brain import ProjectBrain
from dgtui.query import AmbiguousAtom, QueryError
from dgtui.store.brain import BrainError, BrainStore, NewInsight
from dgtui.store.readonly import open_index_readonly

DB = "pkg/db.py"


@pytest.fixture
def repo(pyrepo: Path, home: Path) -> Path:
    index(pyrepo)
    return pyrepo


def brain(root: Path) -> ProjectBrain:
    paths = paths_for(root)
    return ProjectBrain.open(paths, open_index_readonly(paths.index_db))


def edit(root: Path, old: str, new: str) -> None:
    path = root / DB
    text = path.read_text()
    assert old in text
    write(path, text.replace(old, new))
    index(root)


def test_an_insight_keeps_kind_text_atoms_files_confidence_author_time_provenance(repo: Path):
    b = brain(repo)
    i = b.add("decision", "  save_atom is the only async writer  ", "ann", atoms=["save_atom"],
              files=[DB], confidence="high")
    got = b.get(i.id).insight
    assert (got.kind, got.text, got.confidence, got.author, got.provenance) == (
        "decision", "save_atom is the only async writer", "high", "ann", "manual")
    assert got.atom_ids == ["pkg/db.py::save_atom"] and got.files == (DB,)
    assert got.atoms[0].fingerprint and got.graph_version == 1 and got.created_at > 0
    tool = b.add("pattern", "handlers await their writes", "linter", provenance="tool",
                 tool="mcp", source="mcp")
    assert (tool.provenance, tool.tool) == ("tool", "mcp")
    assert [e.source for e in b.log()] == ["user", "mcp"]


def test_bad_insights_are_refused(repo: Path):
    b = brain(repo)
    with pytest.raises(BrainError, match="unknown kind"):
        b.add("opinion", "x", "ann")
    with pytest.raises(BrainError, match="unknown confidence"):
        b.add("risk", "x", "ann", confidence="certain")
    with pytest.raises(BrainError, match="needs some text"):
        b.add("risk", "   ", "ann")
    with pytest.raises(BrainError, match="unknown source"):
        b.add("risk", "x", "ann", source="chatbot")
    with pytest.raises(AmbiguousAtom):
        b.add("risk", "x", "ann", atoms=["save"])
    with pytest.raises(QueryError, match="no atom named"):
        b.add("risk", "x", "ann", atoms=["nothing_like_it"])
    with pytest.raises(BrainError, match="no insight 99"):
        b.remove(99, "ann")
    assert b.list() == []


def test_an_edited_atom_makes_its_insights_stale_and_shows_what_changed(repo: Path):
    b = brain(repo)
    about_write = b.add("risk", "write is a pass-through", "ann", atoms=[f"{DB}::write"])
    about_save = b.add("context", "save stores things", "ann", atoms=[f"{DB}::save"])
    edit(repo, "def write(record):\n    return record", "def write(record, flush=False):\n    return record")
    stale = {s.id: s for s in brain(repo).list()}
    assert stale[about_write.id].stale and not stale[about_save.id].stale
    change = stale[about_write.id].changes[0]
    assert change["status"] == "changed" and change["events"][0]["transaction_id"] == 2
    assert {"params", "signature"} <= set(change["events"][0]["changed"])
    assert [s.id for s in brain(repo).list(stale_only=True)] == [about_write.id]


def test_moving_an_atom_is_not_a_change(repo: Path):
    b = brain(repo)
    i = b.add("context", "save stores things", "ann", atoms=[f"{DB}::save"])
    edit(repo, "def write(record):", "# a comment above\n\n\ndef write(record):")
    status = brain(repo).get(i.id)
    assert status.stale is False and status.summary() == "current"


def test_a_vanished_or_renamed_atom_makes_its_insight_stale(repo: Path):
    b = brain(repo)
    gone = b.add("context", "save stores things", "ann", atoms=[f"{DB}::save"])
    renamed = b.add("decision", "one async writer", "ann", atoms=[f"{DB}::save_atom"])
    edit(repo, "def save(thing):\n    return thing\n", "")
    edit(repo, "async def save_atom(atom):", "async def store_atom(atom):")
    now = {s.id: s for s in brain(repo).list()}
    assert now[gone.id].changes[0]["status"] == "vanished"
    assert now[renamed.id].summary() == f"stale: {DB}::save_atom renamed to {DB}::store_atom"


def test_a_file_that_went_away_makes_its_insight_stale(repo: Path):
    i = brain(repo).add("context", "utilities live here", "ann", files=["pkg/util.py"])
    os.remove(repo / "pkg" / "util.py")
    index(repo)
    assert brain(repo).get(i.id).changes == [{"file": "pkg/util.py", "status": "vanished", "events": []}]


def test_after_a_rebuilt_index_staleness_compares_fingerprints(repo: Path):
    paths = paths_for(repo)
    b = brain(repo)
    kept = b.add("context", "write is a pass-through", "ann", atoms=[f"{DB}::write"])
    changed = b.add("context", "save returns its argument", "ann", atoms=[f"{DB}::save"])
    b.index.close()
    shutil.rmtree(paths.index_dir)  # a new index: its transaction ids start again at 1
    write(repo / DB, (repo / DB).read_text().replace("return thing", "return [thing]"))
    index(repo)
    now = {s.id: s for s in brain(repo).list()}
    assert now[kept.id].stale is False
    assert now[changed.id].stale and now[changed.id].changes[0]["index_rebuilt"]


def test_reconfirming_an_insight_anchors_it_again(repo: Path):
    b = brain(repo)
    i = b.add("risk", "write is a pass-through", "ann", atoms=[f"{DB}::write"])
    edit(repo, "return record", "return dict(record)")
    b = brain(repo)
    assert b.get(i.id).stale
    updated = b.update(i.id, "bob", reconfirm=True, text="write copies its record")
    assert updated.graph_version == 2 and not b.get(i.id).stale
    assert [(e.operation, e.author) for e in b.log(i.id)] == [("add", "ann"), ("update", "bob")]


def test_insights_are_found_by_atom_and_kind(repo: Path):
    b = brain(repo)
    b.add("risk", "a", "ann", atoms=[f"{DB}::write"])
    b.add("decision", "b", "ann", atoms=[f"{DB}::write", f"{DB}::save"])
    b.add("decision", "c", "ann")
    assert [s.insight.text for s in b.list(atom_id=f"{DB}::write")] == ["a", "b"]
    assert [s.insight.text for s in b.list(kind="decision")] == ["b", "c"]


def test_promoting_an_answer_proposes_a_draft_and_saves_only_what_is_confirmed(repo: Path):
    with session(repo) as s:
        answer = s.ask("impact of changing write")
        draft = s.propose_insight(answer.message_id)
        assert draft.atoms == [f"{DB}::write"] and draft.kind == "context"
        assert draft.text.startswith("Changing write (pkg/db.py:1) reaches 5 atom(s)")
        assert draft.tool == "chat:impact" and s.brain_list() == []  # a draft is not saved
        cycles = s.ask("who calls saveatom?")
        d2 = s.propose_insight(cycles.message_id)
        assert d2.kind == "architecture" and "handle (pkg/service.py:9)" in d2.text
        draft.text, draft.kind, draft.confidence = "write is on every save path", "risk", "high"
        saved = s.save_insight(draft)
        assert (saved.text, saved.kind, saved.confidence, saved.provenance) == (
            "write is on every save path", "risk", "high", "promoted")
        assert [e.source for e in s.brain.log()] == ["chat"]
        with pytest.raises(ValueError, match="only an answer"):
            s.propose_insight(answer.message_id - 1)


def test_the_brain_store_alone_needs_no_index(tmp_path: Path):
    with BrainStore.open(str(tmp_path / "b" / "brain.db")) as store:
        i = store.add(NewInsight("context", "no index needed", "ann"), "user")
        assert store.get(i.id).text == "no index needed" and store.count() == 1
