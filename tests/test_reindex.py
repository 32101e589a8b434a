"""Re-indexing: only what changed is parsed, and every change is an event in one transaction."""

from __future__ import annotations

import os
import time
from pathlib import Path

from helpers import edge, index_repo, snapshot, write

from dgtui import query as q
from dgtui.engine.batch import Batch
from dgtui.engine.indexer import Indexer
from dgtui.engine.writer import Engine
from dgtui.model import AtomFilter, EventFilter
from dgtui.parse.files import parse_file
from dgtui.store import Store


def events(store: Store, **kw):
    return store.events.events(EventFilter(limit=None, oldest_first=True, **kw))


def reindex(root: Path, store: Store):
    return Indexer(str(root), store, workers=1).run()


def bump(path: Path) -> None:
    """Make sure the mtime moves even on coarse filesystem clocks."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_no_change_writes_no_event(pyrepo: Path, tmp_path: Path):
    store, first = index_repo(pyrepo, tmp_path / "i.db")
    n_events, last_tx = store.events.event_count(), store.events.last_transaction_id()
    second = reindex(pyrepo, store)
    assert second.parsed == 0 and second.transactions == []
    assert store.events.event_count() == n_events
    assert store.events.last_transaction_id() == last_tx
    # a touch without a content change re-reads the file but records nothing either
    bump(pyrepo / "pkg" / "db.py")
    third = reindex(pyrepo, store)
    assert third.parsed == 1 and third.transactions == []
    assert store.events.event_count() == n_events


def test_first_index_is_one_transaction_of_creates(pyrepo: Path, tmp_path: Path):
    store, summary = index_repo(pyrepo, tmp_path / "i.db")
    evs = events(store)
    assert len(summary.transactions) == 1
    assert {e.transaction_id for e in evs} == set(summary.transactions)
    assert {e.operation for e in evs} == {"create"} and {e.source for e in evs} == {"index"}
    assert len(evs) == summary.atoms


def test_edit_add_delete_and_move(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    db = pyrepo / "pkg" / "db.py"
    write(db, "\n\n" + db.read_text().replace("return write(atom)", "return write(atom) or flush()")
          .replace("def save(thing):\n    return thing\n", "")
          + "\n\ndef flush():\n    return None\n")
    bump(db)
    summary = reindex(pyrepo, store)
    assert summary.parsed == 1 and len(summary.transactions) == 1
    tx = summary.transactions[0]
    by_atom = {e.atom_id: e for e in events(store, transaction=tx)}
    # moved only: an update of line/end_line, not a delete + create
    assert by_atom["pkg/db.py::write"].operation == "update"
    assert by_atom["pkg/db.py::write"].changed_fields == ["end_line", "line"]
    # moved and edited: the calls changed too
    save_atom = by_atom["pkg/db.py::save_atom"]
    assert save_atom.operation == "update" and "calls" in save_atom.changed_fields
    assert save_atom.previous_version == 1 and save_atom.new_version == 2
    assert by_atom["pkg/db.py::save"].operation == "delete"
    assert by_atom["pkg/db.py::flush"].operation == "create"
    assert {e.source for e in by_atom.values()} == {"index"}
    assert edge(store, "pkg/db.py::save_atom", "flush").target_id == "pkg/db.py::flush"
    # the ambiguous obj.save elsewhere lost a candidate: it was re-resolved in the same transaction
    assert edge(store, "pkg/service.py::handle", "obj.save").candidates == 2


def test_rename_with_same_body_links_delete_and_create(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    util = pyrepo / "pkg" / "util.py"
    write(util, util.read_text().replace("def fmt(value)", "def render(value)"))
    bump(util)
    tx = reindex(pyrepo, store).transactions[0]
    evs = {(e.operation, e.atom_id): e for e in events(store, transaction=tx)}
    deleted = evs[("delete", "pkg/util.py::fmt")]
    created = evs[("create", "pkg/util.py::render")]
    assert deleted.delta["renamed_to"] == "pkg/util.py::render"
    assert created.delta["renamed_from"] == "pkg/util.py::fmt"
    history = store.events.history("pkg/util.py::render")
    assert [e.atom_id for e in history] == ["pkg/util.py::fmt", "pkg/util.py::fmt", "pkg/util.py::render"]
    # the caller of the old name no longer reaches it
    assert edge(store, "pkg/service.py::handle", "util.fmt").resolution == "unresolved"


def test_deleting_a_file_deletes_its_atoms_and_reroutes_callers(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    (pyrepo / "pkg" / "util.py").unlink()
    summary = reindex(pyrepo, store)
    assert summary.removed == 1
    tx = summary.transactions[0]
    deleted = {e.atom_id for e in events(store, transaction=tx, operation="delete")}
    assert deleted == {"pkg/util.py::<module>", "pkg/util.py::fmt", "pkg/util.py::only_helper_here"}
    assert store.atoms.file_rows(["pkg/util.py"]) == {}
    assert edge(store, "pkg/service.py::handle", "obj.only_helper_here").resolution == "unresolved"
    added, removed = store.events.edge_changes(tx)
    assert ("pkg/service.py::handle", "pkg/util.py::fmt") in removed
    # a method call on an unknown receiver never had a target: nothing to reroute
    assert all(t != "pkg/util.py::only_helper_here" for _, t in removed)


def test_a_new_definition_resolves_calls_elsewhere(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    write(pyrepo / "pkg" / "extra.py", "def brand_new():\n    return 1\n")
    write(pyrepo / "caller.py", "def calls_it(x):\n    return brand_new()\n")
    reindex(pyrepo, store)
    assert edge(store, "caller.py::calls_it", "brand_new").target_id == "pkg/extra.py::brand_new"
    # a second definition elsewhere makes that call ambiguous, in the same transaction
    write(pyrepo / "other.py", "def brand_new():\n    return 2\n")
    tx = reindex(pyrepo, store).transactions[0]
    e = edge(store, "caller.py::calls_it", "brand_new")
    assert (e.resolution, e.target_id, e.candidates) == ("ambiguous", None, 2)
    listed = {r["callee"]: r for r in q.unresolved(store)}
    assert listed["brand_new"]["candidate_ids"] == ["other.py::brand_new", "pkg/extra.py::brand_new"]
    assert store.events.edge_changes(tx)[1] == [("caller.py::calls_it", "pkg/extra.py::brand_new")]


def test_incremental_equals_full_rebuild(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    models = pyrepo / "pkg" / "models.py"
    write(models, models.read_text().replace("class User(Base):", "class User(object):"))
    (pyrepo / "pkg" / "db.py").unlink()
    write(pyrepo / "pkg" / "db2.py", "def write(x):\n    return x\n\ndef save(y):\n    return write(y)\n")
    bump(models)
    reindex(pyrepo, store)
    fresh, _ = index_repo(pyrepo, tmp_path / "fresh.db")
    assert snapshot(store) == snapshot(fresh)


def test_the_same_batch_twice_is_recorded_once(pyrepo: Path, tmp_path: Path):
    """Two processes applying the same change: the diff happens inside the transaction."""
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    other = Store.open(store.path)  # a second writer on the same file
    path = pyrepo / "pkg" / "util.py"
    write(path, path.read_text() + "\ndef late():\n    return 3\n")
    parsed = parse_file(str(pyrepo), "pkg/util.py", 2 * 1024 * 1024)
    first = Engine(store).apply(Batch(parsed=[parsed]), "file-watcher")
    second = Engine(other).apply(Batch(parsed=[parsed]), "file-watcher")
    assert first is not None and second is None
    assert len(events(store, atom="pkg/util.py::late")) == 1


def test_replaying_events_gives_the_current_atoms(pyrepo: Path, tmp_path: Path):
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    util = pyrepo / "pkg" / "util.py"
    write(util, util.read_text().replace("def fmt(value)", "def render(value)") + "\ndef z():\n    pass\n")
    (pyrepo / "pkg" / "db.py").unlink()
    bump(util)
    reindex(pyrepo, store)
    replayed = store.events.replay()
    current = {s.id: s.atom for s in store.atoms.query(AtomFilter())}
    assert replayed == current
    first_tx = store.events.transactions()[0].id
    assert "pkg/db.py::write" in store.events.replay(first_tx)


def test_timestamps_and_versions(pyrepo: Path, tmp_path: Path):
    before = time.time()
    store, _ = index_repo(pyrepo, tmp_path / "i.db")
    stored = store.atoms.get("pkg/db.py::write")
    assert stored.version == 1 and stored.created_at >= before - 1


def test_a_chunked_first_index_commits_early_nearest_the_root_first(tmp_path: Path):
    """The explorer's first run: a first commit after ``first_chunk`` files holding enough atoms
    to search, each next chunk twice the last up to ``chunk_files``; the files nearest the root
    first; and the same index at the end as one transaction writes."""
    from dgtui.engine.indexer import FIRST_CHUNK_ATOMS

    root = tmp_path / "repo"
    body = "".join(f"def f{k}(x):\n    return g(x)\n\n\n" for k in range(30))  # 31 atoms a file
    for i in range(30):
        write(root / "deep" / "er" / f"d{i}.py", body)
    for i in range(10):
        write(root / f"top{i}.py", body)
    store = Store.open(str(tmp_path / "i.db"))
    deltas = []
    engine = Engine(store)
    engine.subscribe(deltas.append)
    Indexer(str(root), store, engine, workers=1).run(chunk_files=16, first_chunk=5)
    first_files = -(-FIRST_CHUNK_ATOMS // 31)
    assert [len(d.files) for d in deltas] == [first_files, 2 * 5, 40 - first_files - 10]
    assert {f"top{i}.py" for i in range(10)} <= set(deltas[0].files)
    whole, _ = index_repo(root, tmp_path / "whole.db")
    assert snapshot(store)["atoms"] == snapshot(whole)["atoms"]
    assert snapshot(store)["edges"] == snapshot(whole)["edges"]
