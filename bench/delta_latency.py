"""Delta latency on a real repository: file write -> committed transaction -> subscriber.

    python bench/delta_latency.py [REPO] [--edits 100] [--burst 200] [--json]

Copies REPO (default: the Django corpus from ../shared/corpus/fetch.sh) to a temporary folder,
indexes it, starts a live index (real watcher, real SQLite), then makes edits of five kinds in
typical files (a body edit, a new function, a deleted function, a rename, a signature change),
one at a time, and measures from the moment each write lands on disk (the file's ctime) to the
commit and to the subscriber's notification. Then a burst of new files, committed in batches.
Prints the distribution against the targets of issue 3.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGETS = {"commit_p50": 30.0, "commit_p95": 60.0, "notify_p95": 100.0, "burst_s": 2.0}
ORIGIN_MS = 300.0  # the origin design's save -> visible


def default_repo() -> Path:
    base = Path(os.environ.get("DGTUI_CORPUS", Path.home() / ".cache" / "dgtui-corpus"))
    return base / "django"


def pick_files(root: Path, n: int, rng: random.Random) -> list[Path]:
    """Typical files: Python modules of 100-1500 lines with at least three functions."""
    out = []
    for path in sorted(root.rglob("*.py")):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        text = path.read_text(errors="replace")
        lines = text.count("\n")
        if 100 <= lines <= 1500 and len(re.findall(r"^def \w+\(", text, re.M)) >= 3:
            out.append(path)
    rng.shuffle(out)
    return out[:n]


def edit(path: Path, kind: str, i: int) -> None:
    path.write_text(edited(path.read_text(), kind, i))


def edited(text: str, kind: str, i: int) -> str:
    """``text`` with one edit of ``kind`` (body, new, delete, rename, signature) to its
    ``i``-th top-level function (counted round)."""
    defs = list(re.finditer(r"^def (\w+)\((.*?)\):\n", text, re.M))
    target = defs[i % len(defs)]
    name = target.group(1)
    if kind == "body":
        end = target.end()
        text = text[:end] + f"    _bench_{i} = {i}\n" + text[end:]
    elif kind == "new":
        text += f"\n\ndef bench_new_{i}(x):\n    return {name}(x)\n"
    elif kind == "delete":  # the function alone: up to the next line at the top level
        nxt = re.compile(r"^\S", re.M).search(text, target.end())
        text = text[:target.start()] + (text[nxt.start():] if nxt else "")
    elif kind == "rename":
        text = text[:target.start()] + f"def {name}_renamed_{i}(" + text[target.start() + len(f"def {name}("):]
    elif kind == "signature":
        text = text.replace(target.group(0), f"def {name}({target.group(2)}{', ' if target.group(2) else ''}extra_{i}=None):\n", 1)
    return text


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", nargs="?", default=str(default_repo()))
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    from dgtui.engine.live import LiveIndex

    src = Path(args.repo)
    if not src.is_dir():
        sys.exit(f"no repository at {src}; run ../shared/corpus/fetch.sh")
    work = Path(tempfile.mkdtemp(prefix="dgtui-bench-"))
    root = work / "repo"
    shutil.copytree(src, root, symlinks=True)
    live = LiveIndex(str(root), str(work / "home"))
    seen: dict[int, tuple[float, object]] = {}
    cond = threading.Condition()

    def on_delta(delta):
        with cond:
            seen[delta.transaction_id] = (time.time(), delta)
            cond.notify_all()

    live.subscribe(on_delta)
    t0 = time.perf_counter()
    live.start()
    live.ready.wait(600)
    print(f"indexed {live.status.summary.files:,} files, {live.status.summary.atoms:,} atoms "
          f"in {time.perf_counter() - t0:.1f}s; watching")
    rng = random.Random(7)
    files = pick_files(root, args.edits, rng)
    kinds = ["body", "new", "delete", "rename", "signature"]
    commit_ms, notify_ms, by_kind = [], [], {k: [] for k in kinds}
    for i in range(args.edits):
        path, kind = files[i % len(files)], kinds[i % len(kinds)]
        with cond:
            before = max(seen, default=0)
        edit(path, kind, i)
        written = os.stat(path).st_ctime
        with cond:
            cond.wait_for(lambda: max(seen, default=0) > before, timeout=10)
            notified, delta = seen[max(seen)]
        commit_ms.append((delta.committed_at - written) * 1000)
        notify_ms.append((notified - written) * 1000)
        by_kind[kind].append(commit_ms[-1])
        time.sleep(0.05)
    with cond:
        before = max(seen, default=0)
    start = time.time()
    for i in range(args.burst):
        (root / "bench_burst").mkdir(exist_ok=True)
        (root / "bench_burst" / f"m{i:03}.py").write_text(f"def f{i}():\n    return f{(i + 1) % args.burst}()\n")
    last_write = time.time()

    def burst_done():
        created = {c.atom_id for _, d in seen.values() for c in d.changes if c.operation == "create"}
        return all(f"bench_burst/m{i:03}.py::f{i}" in created for i in range(args.burst))

    with cond:
        cond.wait_for(burst_done, timeout=60)
        burst_end = max(t for t, _ in seen.values())
        batches = sum(1 for tx, (_, d) in seen.items() if tx > before)
    live.stop()
    shutil.rmtree(work, ignore_errors=True)

    print(f"\n{args.edits} edits ({', '.join(kinds)}), one at a time, on {len(files)} files")
    print(f"  write -> commit        p50 {statistics.median(commit_ms):6.1f} ms   p95 {pct(commit_ms, 95):6.1f} ms"
          f"   max {max(commit_ms):6.1f} ms   (targets: p50 <= {TARGETS['commit_p50']:.0f}, p95 <= {TARGETS['commit_p95']:.0f})")
    print(f"  write -> notification p50 {statistics.median(notify_ms):6.1f} ms   p95 {pct(notify_ms, 95):6.1f} ms"
          f"   max {max(notify_ms):6.1f} ms   (target: p95 <= {TARGETS['notify_p95']:.0f}; origin design {ORIGIN_MS:.0f})")
    for kind, values in by_kind.items():
        print(f"    {kind:<10} p50 {statistics.median(values):6.1f} ms  max {max(values):6.1f} ms")
    print(f"  burst of {args.burst} files: committed {burst_end - start:.2f}s after the first write "
          f"({burst_end - last_write:.2f}s after the last), in {batches} transaction(s) "
          f"(target: within {TARGETS['burst_s']:.0f}s)")
    if args.json:  # the last line, for python -m bench
        def dist(values):
            return {"p50": statistics.median(values), "p95": pct(values, 95), "max": max(values)}
        print(json.dumps({"edits": args.edits, "write_to_commit_ms": dist(commit_ms),
                          "write_to_subscriber_ms": dist(notify_ms),
                          "by_kind_ms": {k: dist(v) for k, v in by_kind.items()},
                          "burst_files": args.burst, "burst_seconds": burst_end - start,
                          "burst_transactions": batches, "targets": TARGETS}))


if __name__ == "__main__":
    main()
