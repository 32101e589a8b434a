"""What checking a commit against a watch list costs: the neighbourhood walks of each pin.

    python -m bench.watch_pins [REPO] [--home DIR] [--pins 10] [--samples 100] [--json]

REPO defaults to the Django corpus and must be indexed first (``dgtui index REPO``). Prints, for
depth 1, 2 and 3: the milliseconds of one pin's walk (callers and callees to that depth, read
from SQLite) and how many atoms it reaches, over random atoms and over the most-called ones
(the worst pins), and the milliseconds of ``WatchList.hits`` for one commit against a watch list
of ``--pins`` random atoms (what the explorer and ``dgtui watch --pinned`` do per commit).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time

from bench.common import corpus_root, percentiles
from dgtui import query as q
from dgtui.chat.watchlist import WatchList, neighbourhood
from dgtui.model import AtomChange, Delta
from dgtui.paths import RepoPaths


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t) * 1000.0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("repo", nargs="?", default=corpus_root("django"))
    ap.add_argument("--home", default=None)
    ap.add_argument("--pins", type=int, default=10)
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--json", action="store_true", help="The figures as JSON.")
    args = ap.parse_args()
    paths = RepoPaths.for_root(os.path.realpath(args.repo), args.home)
    if not os.path.exists(paths.index_db):
        raise SystemExit(f"no index of {args.repo}: run `dgtui index {args.repo}` first")
    store = q.open_index(paths.index_db)
    rng = random.Random(7)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM atoms WHERE kind != 'module'")]
    hot = [r[0] for r in store.conn.execute(
        "SELECT target_id FROM edges WHERE target_id IS NOT NULL GROUP BY target_id "
        "ORDER BY count(*) DESC LIMIT 20")]
    sample = rng.sample(ids, min(args.samples, len(ids)))
    report: dict = {"repo": args.repo, "atoms": len(ids)}
    for depth in (1, 2, 3):
        for name, atoms in (("random", sample), ("most called", hot)):
            runs = [timed(neighbourhood, store, a, depth) for a in atoms]
            report[f"depth {depth}, {name}"] = {
                "walk ms": percentiles([ms for ms, _ in runs]),
                "atoms reached": percentiles([len(n) for _, n in runs])}
    with tempfile.TemporaryDirectory() as home:
        mine = RepoPaths(paths.root, home, paths.repo_id)
        with WatchList.open(mine, "bench") as watch:
            for atom_id in rng.sample(ids, args.pins):
                watch.pin(store, atom_id)
            costs = []
            for atom_id in rng.sample(ids, min(args.samples, len(ids))):
                atom = q.stored_atom(store, atom_id).atom
                delta = Delta(1, "file-watcher", (atom.file_path,),
                              (AtomChange("update", atom_id, atom.file_path, atom.name, atom.kind,
                                          ("body_hash",)),))
                costs.append(timed(watch.hits, store, delta)[0])
            report[f"hits of one commit, {args.pins} pins at depth 2"] = {"ms": percentiles(costs)}
    print(json.dumps(report, indent=2) if args.json else _table(report))


def _table(report: dict) -> str:
    lines = [f"{report['repo']}: {report['atoms']:,} atoms", "",
             "| what | n | ms p50 | p95 | max | atoms reached p50 | p95 | max |", "|---|---|---|---|---|---|---|---|"]
    for name, row in report.items():
        if not isinstance(row, dict):
            continue
        ms = row.get("walk ms") or row["ms"]
        reach = row.get("atoms reached") or {}
        lines.append(f"| {name} | {ms['n']} | {ms['p50']:.2f} | {ms['p95']:.2f} | {ms['max']:.2f} | "
                     f"{reach.get('p50', '–')} | {reach.get('p95', '–')} | {reach.get('max', '–')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
