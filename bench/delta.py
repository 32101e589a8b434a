"""Delta latency: a file written -> its transaction committed -> a subscriber notified.

Runs the real live index (``dgtui.engine.live.LiveIndex``: watcher, engine, graph) on an indexed
repository and makes edits of five kinds, one file at a time, each waited for before the next:
a body edit, a new function, a deleted function, a renamed function and a changed signature.
Latencies are measured from just before the write (``time.time()``), so they include the
watcher's debounce step, parsing, resolution, the transaction and the graph update.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time

KINDS = ("body", "new", "delete", "rename", "signature")
_DEF = re.compile(r"^def (\w+)\(([^)]*)\):", re.M)
TIMEOUT = 30.0


def edit(text: str, kind: str, n: int) -> str | None:
    """``text`` with one edit of ``kind``; None when the file has nothing to edit that way."""
    defs = list(_DEF.finditer(text))
    if kind == "new":
        return text + f"\n\ndef bench_new_{n}(value):\n    return len(value)\n"
    if not defs:
        return None
    m = defs[len(defs) // 2]
    if kind == "body":
        end = text.find("\n\n", m.end())
        end = len(text) if end < 0 else end
        return text[:end] + f"\n    value = {n}" + text[end:]
    if kind == "delete":
        start = m.start()
        nxt = text.find("\ndef ", m.end())
        nxt = len(text) if nxt < 0 else nxt
        return text[:start] + text[nxt:].lstrip("\n")
    if kind == "rename":
        return text[:m.start(1)] + f"{m.group(1)}_r{n}" + text[m.end(1):]
    if kind == "signature":
        params = m.group(2).strip()
        new = f"{params}, extra_{n}=None" if params else f"extra_{n}=None"
        return text[:m.start(2)] + new + text[m.end(2):]
    raise ValueError(kind)


def measure(root: str, home: str, edits: int = 100, seed: int = 3) -> dict:
    from bench.common import percentiles
    from dgtui.engine.live import LiveIndex

    live = LiveIndex(root, home)
    seen: dict[str, tuple[float, object]] = {}  # path -> (notified at, delta)
    cond = threading.Condition()

    def on_delta(delta) -> None:
        now = time.time()
        with cond:
            for path in delta.files:
                seen.setdefault(path, (now, delta))
            cond.notify_all()

    live.subscribe(on_delta)
    t_start = time.perf_counter()
    live.start()
    if not live.ready.wait(600):
        raise RuntimeError(f"live index not ready: {live.status}")
    start_seconds = time.perf_counter() - t_start
    files = sorted(os.path.relpath(os.path.join(d, f), root)
                   for d, _, fs in os.walk(root) for f in fs
                   if f.endswith(".py") and f != "__init__.py")
    rng = random.Random(seed)
    rng.shuffle(files)
    commit_ms: dict[str, list[float]] = {k: [] for k in KINDS}
    notify_ms: dict[str, list[float]] = {k: [] for k in KINDS}
    done = 0
    try:
        for rel in files:
            if done >= edits:
                break
            kind = KINDS[done % len(KINDS)]
            full = os.path.join(root, rel)
            with open(full, encoding="utf-8") as fh:
                new = edit(fh.read(), kind, done)
            if new is None:
                continue
            rel = rel.replace(os.sep, "/")
            with cond:
                seen.pop(rel, None)
            time.sleep(0.02)  # apart from the previous edit: one batch per edit
            t0 = time.time()
            with open(full, "w", encoding="utf-8") as fh:
                fh.write(new)
            with cond:
                if not cond.wait_for(lambda: rel in seen, TIMEOUT):
                    raise RuntimeError(f"no delta for {rel} within {TIMEOUT}s")
                notified, delta = seen[rel]
            commit_ms[kind].append((delta.committed_at - t0) * 1000)
            notify_ms[kind].append((notified - t0) * 1000)
            done += 1
    finally:
        live.stop()
    every_commit = [x for xs in commit_ms.values() for x in xs]
    every_notify = [x for xs in notify_ms.values() for x in xs]
    return {
        "edits": done, "start_seconds": start_seconds,
        "write_to_commit_ms": percentiles(every_commit),
        "write_to_subscriber_ms": percentiles(every_notify),
        "by_kind": {k: percentiles(notify_ms[k]) for k in KINDS},
    }
