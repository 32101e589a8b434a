"""Issue 2's speed target: a cold full index against tree-sitter's parse-only floor.

    python -m bench.index [--corpus django|eslint|PATH] [--repeat N] [--workers N]

Prints, for the same files in the same run: tree-sitter parse-only in one process (the floor of
any parser-based indexer, measured before and after the index so that a machine whose speed
drifts is averaged out), dgtui's cold full index (walk, parse, extract, resolve, write: a fresh
process and an empty index file, as ``dgtui index`` does it), the ratio of the two (target
<= 1.5), a re-run with nothing changed (target < 0.5 s), and ``search``/``callers`` answered
from the store (target < 10 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

from bench.common import corpus_root, machine, percentiles, run_child

TARGET_RATIO = 1.5
TARGET_NOCHANGE_S = 0.5
TARGET_QUERY_MS = 10.0


def measure(root: str, repeat: int = 1, workers: int | None = None) -> dict:
    """Floor, cold index, floor again (``repeat`` times), then a no-change re-run and queries."""
    floors, colds, runs = [], [], []
    with tempfile.TemporaryDirectory(prefix="dgtui-bench-") as tmp:
        db = os.path.join(tmp, "index.db")
        floors.append(run_child("floor", root=root))
        for i in range(repeat):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            run = run_child("index", root=root, db=db, workers=workers)
            runs.append(run)
            colds.append(run["wall_seconds"])
            floors.append(run_child("floor", root=root))
        nochange = [run_child("index", root=root, db=db, workers=workers) for _ in range(3)]
        queries = query_latency(db)
    floor_s = [f["seconds"] for f in floors]
    # Each cold run against the mean of the floors measured just before and after it.
    ratios = [c / ((floor_s[i] + floor_s[i + 1]) / 2) for i, c in enumerate(colds)]
    best = min(range(len(colds)), key=lambda i: ratios[i])
    cold = runs[best]
    return {
        "root": root, "files": floors[0]["files"], "bytes": floors[0]["bytes"],
        "atoms": cold["atoms"], "edges": cold["edges"],
        "floor_seconds": floor_s, "cold_seconds": colds, "ratios": [round(r, 3) for r in ratios],
        "ratio": round(statistics.median(ratios), 3), "best_ratio": round(ratios[best], 3),
        "cold_timings": cold["timings"], "cold_peak_rss_mb": cold["peak_rss_mb"],
        "db_bytes": cold["db_bytes"], "bytes_per_atom": round(cold["db_bytes"] / max(1, cold["atoms"])),
        "nochange_seconds": [n["wall_seconds"] for n in nochange],
        "queries": queries,
    }


def query_latency(db: str, samples: int = 200) -> dict:
    """``search`` (raw text, ranked) and ``callers`` from the store, as the CLI answers them."""
    from dgtui import query
    from dgtui.store import Store

    with Store.open(db, readonly=True) as store:
        names = [r[0] for r in store.conn.execute(
            "SELECT name FROM atoms WHERE kind != 'module' ORDER BY random() LIMIT ?", (samples,))]
        targets = [r[0] for r in store.conn.execute(
            "SELECT target_id FROM edges WHERE target_id IS NOT NULL GROUP BY target_id "
            "ORDER BY random() LIMIT ?", (samples,))]
        rng = random.Random(7)
        out = {}
        for label, fn, args in (
                ("search", lambda t: query.search(store, t, limit=50),
                 [n[: rng.randint(3, max(3, len(n)))] for n in names]),
                ("callers", lambda t: query.callers(store, t, depth=1), targets)):
            for a in args[:10]:
                fn(a)  # warm the page cache, as a running app would have it
            times = []
            for a in args:
                t0 = time.perf_counter()
                fn(a)
                times.append((time.perf_counter() - t0) * 1000)
            out[label] = percentiles(times)
    return out


def report(m: dict) -> str:
    fl = m["floor_seconds"]
    lines = [
        f"corpus: {m['root']} ({m['files']:,} files, {m['bytes'] / 1e6:.1f} MB; "
        f"{m['atoms']:,} atoms, {m['edges']:,} calls)",
        f"tree-sitter parse-only, one process: {', '.join(f'{s:.2f}' for s in fl)} s",
        f"dgtui cold full index:               {', '.join(f'{s:.2f}' for s in m['cold_seconds'])} s"
        f"   (phases of the best run: {m['cold_timings']})",
        f"ratio cold index / parse-only:       {m['ratio']:.2f} (median; best {m['best_ratio']:.2f}; "
        f"target <= {TARGET_RATIO})",
        f"no-change re-run:                    {', '.join(f'{s:.3f}' for s in m['nochange_seconds'])} s "
        f"(target < {TARGET_NOCHANGE_S} s)",
        f"search from the store:  p50 {m['queries']['search']['p50']:.2f} ms, "
        f"p95 {m['queries']['search']['p95']:.2f} ms (target < {TARGET_QUERY_MS} ms)",
        f"callers from the store: p50 {m['queries']['callers']['p50']:.2f} ms, "
        f"p95 {m['queries']['callers']['p95']:.2f} ms (target < {TARGET_QUERY_MS} ms)",
        f"peak RSS of the indexing process: {m['cold_peak_rss_mb']} MB; index file "
        f"{m['db_bytes'] / 1e6:.1f} MB ({m['bytes_per_atom']} bytes per atom)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.index", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default="django", help="django, eslint or a folder (default django)")
    ap.add_argument("--repeat", type=int, default=1, help="cold runs (each between two floors)")
    ap.add_argument("--workers", type=int, default=None, help="parse processes (default: cores)")
    args = ap.parse_args(argv)
    root = corpus_root(args.corpus) if args.corpus in ("django", "eslint") else args.corpus
    if root is None or not os.path.isdir(root):
        print(f"corpus {args.corpus!r} not found: run `bash shared/corpus/fetch.sh` first",
              file=sys.stderr)
        return 2
    info = machine()
    print(f"machine: {info['cores']} cores, {info['cpu']}, Python {info['python']}, "
          f"SQLite {info['sqlite']}, load {info['load_average']}")
    print(report(measure(root, args.repeat, args.workers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
