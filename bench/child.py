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
    from dgtui.ignore import IgnoreRules
    from dgtui.walk import walk

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
    from dgtui.indexer import Indexer
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


TASKS = {"floor": floor, "index": index, "ctags": ctags}


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    result = TASKS[task](**args)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
