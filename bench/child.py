"""One measurement in a fresh process: ``python -m bench.child TASK JSON_ARGS`` prints JSON.

Tasks: ``floor`` (tree-sitter parse-only of the indexable files, one process), ``index`` (a full
``Indexer.run`` into an index file, cold or not), ``ctags`` (Universal Ctags on the same files).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from bench.common import cpu_seconds, peak_rss_mb


def indexable_files(root: str) -> list[str]:
    from dgtui.engine.ignore import IgnoreRules
    from dgtui.engine.walk import walk

    return [f.path for f in walk(root, IgnoreRules(root)).files]


def floor(root: str) -> dict:
    """What tree-sitter alone takes to read and parse the files dgtui indexes, in one process."""
    from dgtui.parse.registry import language_for, load

    files = indexable_files(root)
    parsers = {}
    for rel in files:  # grammars loaded before the clock starts, as a long-lived parser would be
        name = language_for(rel).name
        parsers.setdefault(name, load(name).parser)
    t0 = time.perf_counter()
    cpu0 = cpu_seconds()["self"]
    size = 0
    for rel in files:
        with open(os.path.join(root, rel), "rb") as fh:
            data = fh.read()
        size += len(data)
        parsers[language_for(rel).name].parse(data)
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": cpu_seconds()["self"] - cpu0,
            "files": len(files), "bytes": size}


def index(root: str, db: str, workers: int | None = None) -> dict:
    from dgtui.engine.indexer import Indexer
    from dgtui.store import Store

    t0 = time.perf_counter()
    cpu0 = cpu_seconds()
    with Store.open(db) as store:
        summary = Indexer(root, store, workers=workers).run()
    seconds = time.perf_counter() - t0
    out = summary.as_dict()
    out.pop("skipped_files", None)
    out["wall_seconds"] = seconds
    cpu = cpu_seconds()
    out["cpu_seconds"] = {"main": cpu["self"] - cpu0["self"],
                          "workers": cpu["children"] - cpu0["children"]}
    out["db_bytes"] = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
    return out


def ctags(root: str) -> dict:
    """Universal Ctags over the same files (symbols only: an anchor, not a peer)."""
    files = indexable_files(root)
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "files")
        with open(listing, "w") as fh:
            fh.write("\n".join(files))
        t0 = time.perf_counter()
        subprocess.run(["ctags", "-f", os.path.join(tmp, "tags"), "-L", listing], cwd=root,
                       check=True, capture_output=True)
        seconds = time.perf_counter() - t0
        with open(os.path.join(tmp, "tags"), encoding="utf-8", errors="replace") as fh:
            tags = sum(1 for line in fh if not line.startswith("!_"))
    return {"seconds": seconds, "files": len(files), "tags": tags}


def touch(root: str, db: str, share: float = 0.01, seed: int = 1) -> dict:
    """Edit ``share`` of the Python files (a new function in each), then re-index."""
    import random

    files = [f for f in indexable_files(root) if f.endswith(".py")]
    picked = random.Random(seed).sample(files, max(1, int(len(files) * share)))
    for i, rel in enumerate(picked):
        with open(os.path.join(root, rel), "a", encoding="utf-8") as fh:
            fh.write(f"\n\ndef bench_touched_{i}(value):\n    return len(value)\n")
    out = index(root, db)
    out["touched_files"] = len(picked)
    return out


def queries(db: str, samples: int = 50, seed: int = 7) -> dict:
    """Latency of the questions people ask, answered from the store (dgtui.query), p50/p95."""
    import random

    from bench.common import percentiles
    from dgtui import query
    from dgtui.model import AtomFilter
    from dgtui.store import Store

    rng = random.Random(seed)
    with Store.open(db, readonly=True) as store:
        conn = store.conn
        atoms = conn.execute("SELECT count(*) FROM atoms").fetchone()[0]
        names = [r[0] for r in conn.execute(
            "SELECT name FROM atoms WHERE kind NOT IN ('module', 'test') ORDER BY id")]
        called = [r[0] for r in conn.execute(
            "SELECT target_id FROM edges WHERE target_id IS NOT NULL GROUP BY target_id "
            "ORDER BY count(*) DESC, target_id LIMIT 2000")]
        calling = [r[0] for r in conn.execute(
            "SELECT source_id FROM edges WHERE target_id IS NOT NULL GROUP BY source_id "
            "ORDER BY count(*) DESC, source_id LIMIT 2000")]
        texts = ["save", "user profile", "this.save", "save-all", "get_user", "Handler.load",
                 "render view", "x", "parse(", "saveAtom"]
        texts += [n[: rng.randint(3, max(3, len(n)))] for n in rng.sample(names, min(len(names), samples))]
        cases = {
            "search (ranked, raw text)": (lambda t: query.search(store, t, limit=50), texts),
            "callers depth 1": (lambda a: query.callers(store, a, depth=1), called),
            "callers depth 3": (lambda a: query.callers(store, a, depth=3), called),
            "callees depth 1": (lambda a: query.callees(store, a, depth=1), calling),
            "callees depth 3": (lambda a: query.callees(store, a, depth=3), calling),
            "impact": (lambda a: query.impact(store, a, max_depth=10), called),
            "async functions that call saveAtom": (
                lambda _: query.query(store, AtomFilter(is_async=True, calls="saveAtom")), [None]),
        }
        out = {"atoms": atoms}
        for label, (fn, args) in cases.items():
            args = list(args)
            picks = [args[i % len(args)] for i in range(samples)] if args else []
            if len(args) > samples:
                picks = rng.sample(args, samples)
            for a in picks[:3]:
                fn(a)  # warm caches, as a running app has them
            times = []
            for a in picks:
                t0 = time.perf_counter()
                fn(a)
                times.append((time.perf_counter() - t0) * 1000)
            out[label] = percentiles(times)
    return out


def delta(root: str, home: str, edits: int = 100) -> dict:
    from bench.delta import measure

    return measure(root, home, edits)


def index_home(root: str, home: str) -> dict:
    """``index`` into the index file a data home gives this repository (as ``dgtui index``)."""
    from dgtui.paths import RepoPaths

    db = RepoPaths.for_root(os.path.realpath(root), home).index_db
    os.makedirs(os.path.dirname(db), exist_ok=True)
    out = index(root, db)
    out["db"] = db
    return out


TASKS = {"floor": floor, "index": index, "index_home": index_home, "ctags": ctags,
         "touch": touch, "queries": queries, "delta": delta}


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    result = TASKS[task](**args)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
