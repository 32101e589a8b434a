"""A first index in chunks (the explorer's first run): the files nearest the root committed
before the walk is over, and the same index at the end as ``dgtui index`` writes in one
transaction, even when files change while it runs. Real files, a real SQLite file, the real
watcher."""

from __future__ import annotations

import threading
from pathlib import Path

from helpers import index_repo, snapshot, write

from dgtui.engine.check import run_checks
from dgtui.engine.indexer import FIRST_CHUNK_ATOMS, Indexer
from dgtui.engine.live import LiveIndex
from dgtui.engine.walk import Walker, walk
from dgtui.engine.writer import CALLS_LATER, Engine
from dgtui.model import Delta
from dgtui.store import Store

TIMEOUT = 30.0  # an upper bound so a stuck index fails instead of hanging; not a speed test


def make_repo(root: Path) -> None:
    """Top-level modules and deep ones calling each other both ways, so that later chunks
    change how the calls of earlier ones resolve."""
    for i in range(10):
        calls = "".join(f"    deep.er.d{i}.f{k}(x)\n" for k in range(3))
        body = "".join(f"def t{k}(x):\n{calls}    return x\n\n\n" for k in range(30))
        write(root / f"top{i}.py", f"import deep.er.d{i}\n\n\n{body}")
    for i in range(30):
        body = "".join(f"def f{k}(x):\n    return top{i % 10}.t{k}(x)\n\n\n" for k in range(30))
        write(root / "deep" / "er" / f"d{i}.py", f"import top{i % 10}\n\n\n{body}")
    for i in range(10):
        write(root / "deep" / "er" / "est" / f"e{i}.py", f"def e{i}(x):\n    return x\n")
    write(root / "deep" / "__init__.py", "")
    write(root / "deep" / "er" / "__init__.py", "")


def nearest_the_root(root: Path) -> list[str]:
    """The repository's files in the order a first index parses them."""
    return sorted((str(p.relative_to(root)) for p in root.rglob("*.py")),
                  key=lambda path: (path.count("/"), path))


def test_the_walk_hands_out_its_files_nearest_the_root_first(tmp_path: Path):
    root = tmp_path / "repo"
    make_repo(root)
    walker = Walker(str(root), Indexer(str(root), Store.open(str(tmp_path / "i.db"))).rules)
    levels = []
    while (level := walker.next_level()) is not None:
        levels.append([f.path for f in level])
    assert levels[0] == sorted(f"top{i}.py" for i in range(10))
    assert levels[1] == ["deep/__init__.py"] and len(levels[2]) == 31 and len(levels[3]) == 10
    assert [p for level in levels for p in level] == nearest_the_root(root)
    whole = walk(str(root), walker.rules)
    assert walker.result().files == whole.files and sorted(walker.directories) == sorted(whole.directories)


def test_a_first_chunk_before_the_walk_ends_gives_the_index_of_one_transaction(tmp_path: Path):
    root = tmp_path / "repo"
    make_repo(root)
    store = Store.open(str(tmp_path / "i.db"))
    deltas: list[Delta] = []
    engine = Engine(store)
    engine.subscribe(deltas.append)
    indexer = Indexer(str(root), store, engine, workers=1)
    walker = indexer.walker()
    early = indexer.first_chunk(walker, 5)
    assert early is not None and early.delta is deltas[0]
    order, atoms = nearest_the_root(root), 0
    for first, path in enumerate(order, 1):  # 31 atoms a file (its module and 30 functions)
        atoms += 1 if path.endswith("__init__.py") else 31
        if first >= 5 and atoms >= FIRST_CHUNK_ATOMS:
            break
    assert sorted(deltas[0].files) == sorted(order[:first]) and not walker.done
    summary = indexer.run(chunk_files=16, first_chunk=5, found=indexer.walk(walker), early=early)
    # each next chunk twice the last (up to 16 files); the files nearest the root first
    rest = len(order) - first
    *chunks, relinked = deltas  # then the calls of the earlier chunks, resolved again at the end
    assert [len(d.files) for d in chunks] == [first, min(16, 2 * first), *[16] * ((rest - 16) // 16),
                                              *([rest % 16] if rest % 16 else [])]
    assert [f for d in chunks for f in sorted(d.files, key=order.index)] == order
    assert {d.source for d in chunks} == {"index"} and not relinked.files and relinked.edges_added
    assert not store.get_meta(CALLS_LATER)
    assert summary.parsed == len(order) and summary.transactions == [d.transaction_id for d in deltas]
    whole, _ = index_repo(root, tmp_path / "whole.db")
    assert snapshot(store) == snapshot(whole)
    assert run_checks(store, str(root)).ok


def test_files_changed_during_a_first_run_are_in_its_index(tmp_path: Path):
    """Right after the first chunk's commit (before the rest of the walk and the watch), a file
    of that chunk changes and a new one appears: both are in the index at the end."""
    root = tmp_path / "repo"
    make_repo(root)
    live = LiveIndex(str(root), str(tmp_path / "home"), chunk_files=16, first_chunk=5)
    changed = threading.Event()

    def change_once(delta: Delta) -> None:  # in the live thread, just after the first commit
        if not changed.is_set():
            changed.set()
            write(root / "top0.py", "def renamed(x):\n    return x\n")
            write(root / "deep" / "er" / "late.py", "def late(x):\n    return x\n")

    live.subscribe(change_once)
    live.start()
    try:
        assert live.ready.wait(TIMEOUT), live.status
        assert changed.is_set() and live.status.state == "watching", live.status
        store = Store.open(live.paths.index_db)
        ids = {r[0] for r in store.conn.execute("SELECT id FROM atoms")}
        assert {"top0.py::renamed", "deep/er/late.py::late"} <= ids and "top0.py::t0" not in ids
        whole, _ = index_repo(root, tmp_path / "whole.db")
        assert snapshot(store) == snapshot(whole)
        assert run_checks(store, str(root)).ok
    finally:
        live.stop()


class Stopped(Exception):
    pass


def test_a_first_index_stopped_before_its_end_has_its_calls_resolved_by_the_next_run(tmp_path: Path):
    """Its chunks leave the calls of the earlier ones to its end; stopped after two chunks,
    ``dgtui check`` says so, and the next run (a plain reconcile) resolves them."""
    root = tmp_path / "repo"
    make_repo(root)
    store = Store.open(str(tmp_path / "i.db"))
    deltas: list[Delta] = []
    engine = Engine(store)
    engine.subscribe(deltas.append)

    def stop_after_two_chunks(done: int, total: int) -> None:
        if len(deltas) == 2:
            raise Stopped

    try:
        Indexer(str(root), store, engine, workers=1).run(chunk_files=16, first_chunk=5,
                                                         progress=stop_after_two_chunks)
    except Stopped:
        pass
    assert len(deltas) == 2 and store.get_meta(CALLS_LATER)
    edges = {r.name: r for r in run_checks(store, str(root)).results}["edges"]
    assert not edges.ok and "stopped before it resolved the calls" in edges.detail
    Indexer(str(root), store, Engine(store), workers=1).run()
    assert not store.get_meta(CALLS_LATER)
    whole, _ = index_repo(root, tmp_path / "whole.db")
    assert snapshot(store) == snapshot(whole)
    assert run_checks(store, str(root)).ok
