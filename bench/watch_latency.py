"""The watcher alone: from a save on disk to the batch the engine receives, and what a quiet
watch costs. No parsing, no SQLite: what changes with the way watchfiles is driven.

    python -m bench.watch_latency [--folders 200] [--edits 200] [--quiet 5]

In a temporary tree of ``--folders`` folders (one watch each, as dgtui watches a repository):
``--edits`` saves of existing files, one at a time, each measured from its ctime to the moment the
watcher hands over a batch holding it; then new folders with a file, and a save inside each new
folder just after its batch (the new folder's own watch must already see it); then ``--quiet``
seconds without changes, for the CPU the waiting watch uses.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.common import percentiles


class Harness:
    """A RepoWatcher on its own event loop thread; batches land in ``seen`` (path -> time)."""

    def __init__(self, root: Path, folders: list[str]):
        from dgtui.engine.ignore import IgnoreRules
        from dgtui.engine.watch import RepoWatcher

        self.watcher = RepoWatcher(str(root), IgnoreRules(str(root)), folders)
        self.seen: dict[str, float] = {}
        self.cond = threading.Condition()
        self.started = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),), daemon=True)
        self.thread.start()
        self.started.wait(30)

    async def _run(self) -> None:
        self.stop = asyncio.Event()
        async for batch in self.watcher.batches(self.stop, on_watching=self.started.set):
            now = time.time()  # the engine has the batch now (its new folders watched)
            with self.cond:
                for path in batch.paths:
                    self.seen.setdefault(path, now)
                self.cond.notify_all()

    def forget(self, rel: str) -> None:
        """Drop what an earlier save's late events left for ``rel``."""
        with self.cond:
            self.seen.pop(rel, None)

    def wait(self, rel: str, timeout: float = 10) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: rel in self.seen, timeout)
            return self.seen.pop(rel, None)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


def saved(path: Path, text: str) -> float:
    path.write_text(text)
    return os.stat(path).st_ctime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folders", type=int, default=200)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--quiet", type=float, default=5.0)
    args = parser.parse_args()
    import watchfiles

    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders = [f"pkg{i:03}" for i in range(args.folders)]
        for f in folders:
            (root / f).mkdir()
            (root / f / "mod.py").write_text("def f():\n    pass\n")
        t0 = time.perf_counter()
        h = Harness(root, [""] + folders)
        start_s = time.perf_counter() - t0
        edits, lost = [], 0
        for i in range(args.edits):
            rel = f"{rng.choice(folders)}/mod.py"
            h.forget(rel)
            written = saved(root / rel, f"def f():\n    return {i}\n")
            seen = h.wait(rel)
            if seen is None:
                lost += 1
            else:
                edits.append((seen - written) * 1000)
            time.sleep(0.02)
        fresh, inside = [], []
        for i in range(args.new):
            folder = root / f"new{i:03}"
            folder.mkdir()
            written = saved(folder / "mod.py", "def g():\n    pass\n")
            seen = h.wait(f"new{i:03}")
            if seen is None:
                lost += 1
                continue
            fresh.append((seen - written) * 1000)
            h.forget(f"new{i:03}/later.py")
            written = saved(folder / "later.py", "def h():\n    pass\n")
            seen = h.wait(f"new{i:03}/later.py")
            if seen is None:
                lost += 1
            else:
                inside.append((seen - written) * 1000)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        time.sleep(args.quiet)
        idle = (time.process_time() - cpu0) / (time.perf_counter() - wall0) * 1000
        h.close()
    print(f"watchfiles {watchfiles.__version__}; {args.folders + 1} watched folders, "
          f"watch in place after {start_s * 1000:.0f} ms")
    for name, values in (("save -> batch", edits), ("new folder -> batch", fresh),
                         ("save in a new folder", inside)):
        p = percentiles(values)
        print(f"  {name:22} n {p['n']:4}  p50 {p['p50']:6.1f} ms  p95 {p['p95']:6.1f} ms  "
              f"max {p['max']:6.1f} ms  mean {statistics.fmean(values):6.1f} ms")
    print(f"  changes never handed over: {lost}")
    print(f"  quiet: {idle:.1f} ms of CPU per second")


if __name__ == "__main__":
    main()
