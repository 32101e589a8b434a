"""Edits through dgtui on a real repository: how long a checked, atomic, indexed edit takes.

    python bench/edit_bench.py [REPO] [--edits 20] [--json]

Copies REPO (default: the Django corpus from ../shared/corpus/fetch.sh) to a temporary folder and
indexes it, then times, one at a time: body replacements of functions in typical modules, and
renames with their callers (every resolved call site and import rewritten in one transaction).
Each figure is one call of the engine's ``Editor`` (read and check the files, parse the result,
write atomically, index in the transaction, commit). Prints the distribution.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import corpus_root

from dgtui.engine.edit import EditError, Editor
from dgtui.engine.indexer import Indexer
from dgtui.model import AtomFilter
from dgtui.store import Store


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", nargs="?", default=corpus_root("django"))
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.repo:
        raise SystemExit("no repository given and the Django corpus is not fetched")
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(args.repo, root, symlinks=True)
        store = Store.open(str(Path(tmp) / "index.db"))
        t0 = time.perf_counter()
        Indexer(str(root), store).run()
        index_s = time.perf_counter() - t0
        editor = Editor(str(root), store, client="bench")
        functions = [s for s in store.atoms.query(AtomFilter(kind="function"))
                     if "/tests/" not in s.atom.file_path and s.atom.end_line - s.atom.line < 40]
        rng.shuffle(functions)
        replace_ms, rename_ms, sites = [], [], []
        for stored in functions:
            if len(replace_ms) >= args.edits:
                break
            a = stored.atom
            lines = (root / a.file_path).read_text().splitlines()[a.line - 1:a.end_line]
            source = "\n".join(lines) + "\n    # edited\n" if lines[-1].startswith(" ") else None
            if source is None:
                continue
            t = time.perf_counter()
            try:
                editor.replace(a.id, source, stored.version)
            except EditError:
                continue
            replace_ms.append((time.perf_counter() - t) * 1000)
        called = [s for s in functions if store.atoms.edges_to([s.atom.id])]
        for stored in called[: args.edits]:
            current = store.atoms.get(stored.atom.id)
            if current is None:
                continue
            t = time.perf_counter()
            try:
                result = editor.rename(current.atom.id, current.atom.name + "_renamed", current.version)
            except EditError:
                continue
            rename_ms.append((time.perf_counter() - t) * 1000)
            sites.append(len(result.rewritten))
        report = {"repo": str(args.repo), "index_s": round(index_s, 1),
                  "replace": {"n": len(replace_ms), "p50_ms": round(statistics.median(replace_ms), 1),
                              "p95_ms": round(pct(replace_ms, 0.95), 1)},
                  "rename": {"n": len(rename_ms), "p50_ms": round(statistics.median(rename_ms), 1),
                             "p95_ms": round(pct(rename_ms, 0.95), 1),
                             "call_sites_max": max(sites, default=0)}}
        store.close()
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['repo']}: indexed in {report['index_s']} s")
        for kind in ("replace", "rename"):
            r = report[kind]
            print(f"  {kind:<8} {r['n']} edits: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")
        print(f"  most call sites rewritten by one rename: {report['rename']['call_sites_max']}")


if __name__ == "__main__":
    main()
