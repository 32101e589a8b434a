"""The live watcher under stress, with real processes: SIGKILL during bursts of edits, one
writer with four reader processes querying all along, and two writers on one repository.

After a kill the index must be whole and the next start must reconcile to exactly a fresh
index; readers must never see an error, a busy database or a half-applied transaction; and
nothing may be recorded twice.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from corpus_gen import make_corpus
from helpers import snapshot
from legacy_tree import write_atom
from reliability import check_index, dgtui

from dgtui.engine.indexer import Indexer
from dgtui.engine.live import LiveIndex
from dgtui.model import EventFilter
from dgtui.paths import RepoPaths
from dgtui.store import Store

BURST_TRIALS = int(os.environ.get("DGTUI_BURST_TRIALS", "20"))
LOAD_SECONDS = float(os.environ.get("DGTUI_LOAD_SECONDS", "8"))
REPORT: dict = {}


def start_watch(root: Path, home: Path, poll: bool = False) -> tuple[subprocess.Popen, str]:
    """`dgtui watch` in its own process; returns it once it says what it is doing."""
    proc = subprocess.Popen([sys.executable, "-m", "dgtui", "watch", str(root),
                             *(["--poll"] if poll else [])],
                            env=dict(os.environ, DGTUI_HOME=str(home)), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            line = proc.stderr.readline()
            if line.startswith("watching"):
                return proc, "writer"
            if line.startswith("another dgtui"):
                return proc, "reader"
        if proc.poll() is not None:
            raise AssertionError(f"dgtui watch exited: {proc.stderr.read()}")
    proc.kill()
    raise AssertionError("dgtui watch never said it was ready")


def wait_for_line(proc: subprocess.Popen, start: str, timeout: float = 120) -> str:
    """The next line ``proc`` writes on stderr that starts with ``start`` (read in a thread: a
    line already in the pipe's buffer gives select nothing to see)."""
    found: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            if line.startswith(start):
                found.append(line)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    assert found, f"dgtui watch never said {start!r}"
    return found[0]


def stop(proc: subprocess.Popen, sig: int = signal.SIGINT) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.stderr.close()


def fresh(root: Path, db: Path) -> dict:
    db.unlink(missing_ok=True)
    with Store.open(str(db)) as store:
        Indexer(str(root), store, workers=1).run()
        return snapshot(store)


def edit_once(root: Path, rng: random.Random, n: int) -> None:
    """One edit of the kinds editors and agents make: rewrite, add, delete, create, rename."""
    files = sorted(root.rglob("mod*.py")) + sorted(root.rglob("mod*.js"))
    path = rng.choice([f for f in files if f.name != "mod1.py"])  # the readers' fixed point
    action = rng.randrange(6)
    try:
        if action == 0:
            path.unlink()
        elif action == 1:
            path.rename(path.with_name(f"mod{1000 + n}{path.suffix}"))
        elif action == 2:
            new = root / "pkg" / "burst" / f"mod{2000 + n}.py"
            new.parent.mkdir(parents=True, exist_ok=True)
            (new.parent / "__init__.py").touch()
            new.write_text(f"def b{n}():\n    return b{n - 1}()\n")
        elif path.suffix == ".py":
            path.write_text(path.read_text() + f"\n\ndef e{n}():\n    return f1_1()\n")
        else:
            path.write_text(path.read_text().replace("return", f"return e{n}() ||", 1))
    except OSError:
        pass


@pytest.mark.slow
def test_sigkill_during_delta_bursts(tmp_path: Path):
    root = tmp_path / "repo"
    make_corpus(root, 40)
    home = tmp_path / "home"
    db = Path(RepoPaths.for_root(str(root.resolve()), str(home)).index_db)
    rng = random.Random(11)
    tally: Counter = Counter()
    edits_per_burst, gap = 60, 0.02
    duration = edits_per_burst * gap
    n = 0
    for trial in range(BURST_TRIALS):
        proc, role = start_watch(root, home)
        assert role == "writer"
        kill_at = duration * (trial + rng.random()) / BURST_TRIALS  # spread over the burst
        before = len(Store.open(str(db), create=False).events.transactions())
        t0 = time.monotonic()
        killed = False
        for _ in range(edits_per_burst):
            edit_once(root, rng, n)
            n += 1
            time.sleep(gap)
            if not killed and time.monotonic() - t0 >= kill_at:
                os.kill(proc.pid, signal.SIGKILL)  # mid-burst; the rest of it happens unwatched
                killed = True
        if not killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        tally["killed"] += 1
        with Store.open(str(db), create=False) as store:
            committed = len(store.events.transactions()) - before
        tally["commits before the kill"] += committed
        tally["killed before any burst commit" if committed == 0 else "killed after burst commits"] += 1
        assert check_index(db) == [], (trial, kill_at)
        expected = fresh(root, tmp_path / "fresh.db")
        with Store.open(str(db)) as store:  # the next start: reconcile
            Indexer(str(root), store, workers=1).run(source="reconcile")
            assert snapshot(store) == expected, (trial, kill_at)
        assert check_index(db) == []
    tally["edits"] = n
    REPORT["delta bursts"] = dict(tally)
    assert tally["killed"] >= 20 or BURST_TRIALS < 20


READER = textwrap.dedent("""
    import json, sys, time, traceback
    from click.testing import CliRunner
    from dgtui import query as q
    from dgtui.cli import cli
    from dgtui.store import Store
    from dgtui.model import AtomFilter, EventFilter
    root, home, db, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    out = {"queries": 0, "cli": 0, "snapshots": 0, "errors": [], "half_applied": []}
    store = Store.open(db, create=False)
    runner = CliRunner()
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        i += 1
        try:
            store.conn.execute("BEGIN")  # one snapshot: one committed state, whole or not at all
            try:
                q.search(store, "f1", limit=20)
                q.query(store, AtomFilter(kind="function", name_glob="e*"), limit=50)
                hits = q.search(store, "step", limit=5)
                if hits:
                    q.callers(store, hits[0]["id"], depth=3)
                    q.callees(store, hits[0]["id"], depth=2)
                q.events(store, EventFilter(limit=50))
                q.stats(store)
                out["queries"] += 7
                for path, expected, got in store.conn.execute(
                        "SELECT f.path, f.atom_count, (SELECT count(*) FROM atoms a "
                        "WHERE a.file_path = f.path) FROM files f"):
                    if expected != got:
                        out["half_applied"].append(f"{path}: {expected} != {got}")
                n_atoms = store.conn.execute("SELECT count(*) FROM atoms").fetchone()[0]
                n_fts = store.conn.execute("SELECT count(*) FROM atoms_fts_docsize").fetchone()[0]
                if n_atoms != n_fts:
                    out["half_applied"].append(f"fts {n_fts} != atoms {n_atoms}")
                out["snapshots"] += 1
            finally:
                store.conn.execute("COMMIT")
            if i % 5 == 0:
                args = [["search", "f2", "--json"], ["stats", "--json"], ["events", "--json"],
                        ["callers", "pkg/sub1/mod1.py::f1_3", "--json"]][i // 5 % 4]
                r = runner.invoke(cli, args + ["--path", root], env={"DGTUI_HOME": home})
                out["cli"] += 1
                if r.exit_code != 0:
                    out["errors"].append(f"{args[0]}: {r.exit_code} {r.stderr.strip()[:200]}")
                else:
                    json.loads(r.stdout)
        except Exception:
            out["errors"].append(traceback.format_exc()[-400:])
    print(json.dumps(out))
""")


@pytest.mark.slow
def test_one_writer_four_readers_and_a_live_follower(tmp_path: Path):
    """`dgtui watch` under a stream of edits; four processes query it all along (the query
    layer and the real CLI); an in-process LiveIndex follows as the explorer would."""
    root = tmp_path / "repo"
    make_corpus(root, 40)
    home = tmp_path / "home"
    writer, role = start_watch(root, home)
    assert role == "writer"
    db = RepoPaths.for_root(str(root.resolve()), str(home)).index_db
    follower = LiveIndex(str(root.resolve()), str(home))
    deltas: list = []
    follower.subscribe(deltas.append)
    follower.start()
    assert follower.ready.wait(60) and follower.status.role == "reader"
    started_at = follower.status.last_transaction
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(root), str(home), db,
                                 str(LOAD_SECONDS)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    stop_edits = threading.Event()
    edits = [0]

    def stream() -> None:
        rng = random.Random(5)
        while not stop_edits.is_set():
            edit_once(root, rng, 5000 + edits[0])
            edits[0] += 1
            time.sleep(0.03)

    editor = threading.Thread(target=stream)
    editor.start()
    results = []
    try:
        for r in readers:
            out, err = r.communicate(timeout=LOAD_SECONDS + 120)
            assert r.returncode == 0, err
            results.append(json.loads(out))
    finally:
        stop_edits.set()
        editor.join()
    # let the writer take in the last edits, then everything must agree
    deadline = time.monotonic() + 60
    while True:
        check = dgtui("check", "--path", str(root), "--json", home=home)
        if check.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert check.returncode == 0, check.stdout

    def unpublished() -> list[int]:  # commits since the follower started that it did not hand on
        with Store.open(db, create=False) as store:
            txs = {t.id for t in store.events.transactions(since=started_at)
                   if store.events.delta(t.id) is not None}
        return sorted(txs - {d.transaction_id for d in deltas})

    deadline = time.monotonic() + 10  # the follower kept up
    while unpublished() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert unpublished() == []
    follower.stop()
    stop(writer)
    for r in results:
        assert r["errors"] == [] and r["half_applied"] == [], r
        assert r["snapshots"] > 0 and r["cli"] > 0
    REPORT["load"] = {"seconds": LOAD_SECONDS, "edits": edits[0], "readers": len(results),
                      "queries": sum(r["queries"] for r in results),
                      "cli commands": sum(r["cli"] for r in results),
                      "snapshots checked": sum(r["snapshots"] for r in results),
                      "deltas followed": len(deltas), "errors": 0, "half-applied seen": 0}
    assert check_index(Path(db)) == []


@pytest.mark.slow
def test_two_writers_on_one_repository(tmp_path: Path):
    """A second `dgtui watch` reads and takes over when the first dies; one-shot writers
    (index --rebuild, import-json, restore) refuse while a watcher writes, and `dgtui index`
    reports the index it keeps; nothing is recorded twice."""
    root = tmp_path / "repo"
    make_corpus(root, 20)
    home = tmp_path / "home"
    first, role1 = start_watch(root, home)
    second, role2 = start_watch(root, home)
    assert (role1, role2) == ("writer", "reader")
    db = RepoPaths.for_root(str(root.resolve()), str(home)).index_db
    target = root / "pkg" / "sub0" / "mod0.py"
    target.write_text(target.read_text() + "\n\ndef once():\n    return 1\n")
    wait_for_atom(db, "pkg/sub0/mod0.py::once")

    r = dgtui("index", str(root), "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["writer_pid"] == first.pid and out["transactions"] == []
    backup = tmp_path / "b.db"
    assert dgtui("backup", str(backup), "--path", str(root), home=home).returncode == 0
    write_atom(root / ".omnysysdata" / "atoms", {"name": "legacy", "filePath": "old.js", "line": 1})
    for args in (["index", str(root), "--rebuild"], ["import-json", str(root / ".omnysysdata")],
                 ["restore", str(backup), "--path", str(root)]):
        r = dgtui(*args, home=home)
        assert r.returncode == 1 and f"pid {first.pid}" in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1

    os.kill(first.pid, signal.SIGKILL)  # the writer dies; the reader takes over
    first.wait()
    first.stderr.close()
    wait_for_line(second, "watching")  # it has taken the lock, reconciled and watches
    other = root / "pkg" / "sub1" / "mod1.py"
    other.write_text(other.read_text() + "\n\ndef after_takeover():\n    return 2\n")
    wait_for_atom(db, "pkg/sub1/mod1.py::after_takeover")
    stop(second)
    with Store.open(db, create=False) as store:
        for atom in ("pkg/sub0/mod0.py::once", "pkg/sub1/mod1.py::after_takeover"):
            creates = store.events.events(EventFilter(atom=atom, operation="create", limit=None))
            assert len(creates) == 1, atom  # nothing recorded twice
    assert check_index(Path(db)) == []
    assert dgtui("check", "--path", str(root), home=home).returncode == 0
    REPORT["two writers"] = {"watchers": 2, "one-shot writers refused": 3, "takeovers": 1,
                             "recorded twice": 0}


def wait_for_atom(db: str, atom_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Store.open(db, create=False) as store:
            if store.atoms.get(atom_id) is not None:
                return
        time.sleep(0.1)
    raise AssertionError(f"{atom_id} never committed")


def teardown_module() -> None:
    out = os.environ.get("DGTUI_RELIABILITY_REPORT")
    if out and REPORT:
        existing = json.loads(Path(out).read_text()) if Path(out).exists() else {}
        existing["live"] = REPORT
        Path(out).write_text(json.dumps(existing, indent=2))



@pytest.mark.slow
async def test_the_explorer_open_under_load(tmp_path: Path):
    """The explorer (the real app under Pilot) open on a repository that `dgtui watch` writes
    under a stream of edits while four reader processes query it: the app follows as a reader,
    keeps answering searches and opening atoms, and ends with no error, having followed every
    commit."""
    import asyncio

    from tui_support import explorer, open_and_wait, type_search, wait_for

    root = tmp_path / "repo"
    make_corpus(root, 40)
    home = tmp_path / "home"
    writer, role = start_watch(root, home)
    assert role == "writer"
    db = RepoPaths.for_root(str(root.resolve()), str(home)).index_db
    seconds = LOAD_SECONDS
    readers: list[subprocess.Popen] = []
    stop_edits = threading.Event()
    edits = [0]

    def stream() -> None:
        rng = random.Random(9)
        while not stop_edits.is_set():
            edit_once(root, rng, 9000 + edits[0])
            edits[0] += 1
            time.sleep(0.03)

    editor = threading.Thread(target=stream)
    try:
        async with explorer(root, home, size=(160, 48)) as (app, pilot):
            assert app.live_status.role == "reader"

            async def one_round(n: int) -> float:  # seconds: a figure, never asserted
                t0 = time.monotonic()
                await type_search(app, pilot, ["step", "f1", "service", "fn"][n % 4])
                await open_and_wait(app, pilot, "pkg/sub1/mod1.py::f1_3")
                return round(time.monotonic() - t0, 2)

            quiet = [await one_round(n) for n in range(2)]  # the anchor: no load yet
            readers.extend(subprocess.Popen([sys.executable, "-c", READER, str(root), str(home),
                                             db, str(seconds)], stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True) for _ in range(4))
            editor.start()
            deadline = time.monotonic() + seconds
            rounds = 0
            round_seconds = []
            while time.monotonic() < deadline or rounds < 5:
                round_seconds.append(await one_round(rounds))
                rounds += 1
                await asyncio.sleep(0.05)
            stop_edits.set()
            editor.join()
            await wait_for(pilot, lambda: dgtui("check", "--path", str(root), home=home)
                           .returncode == 0, "the writer to settle", timeout=60)
            with Store.open(db, create=False) as store:
                last = store.events.last_transaction_id()
            await wait_for(pilot, lambda: app.live_status.last_transaction == last,
                           "the explorer to follow every commit")
            assert app.live_status.errors == []
            assert rounds >= 5
    finally:
        stop_edits.set()
        if editor.is_alive():
            editor.join()
        stop(writer)
    results = [json.loads(r.communicate(timeout=seconds + 120)[0]) for r in readers]
    for r in results:
        assert r["errors"] == [] and r["half_applied"] == [], r
    REPORT["explorer under load"] = {"seconds": seconds, "edits": edits[0],
                                     "search and open rounds": rounds,
                                     "seconds per round": round_seconds,
                                     "seconds per round, no load": quiet,
                                     "reader queries": sum(r["queries"] for r in results),
                                     "errors": 0}
