"""From a save to its ``dgtui watch --json`` line, measured outside the watching process.

    python -m bench.watch_json [REPO] [--edits 120] [--warmup 6] [--json] [--wrap CMD]

Copies REPO (default: the Django corpus) to a temporary folder, indexes it (``dgtui index``, a
temporary data home), starts ``dgtui watch --json`` as a process of its own and waits until a
probe save comes back as a line. Then edits of six kinds, round robin, each once the line of the
previous one was read: a function's body, a new function, a changed signature, a deleted
function (in typical Django modules), a new module (two functions and a class) beside one of
them, and the deletion of such a module. Each is timed from just before the write (``open`` of
the file, or ``unlink``) to the moment this process reads the line naming the file from the
watcher's stdout.

Anchors, from the same writes:
- ``watchfiles`` alone: a raw ``watchfiles.watch`` of the tree in this process with the
  ``step``/``debounce`` dgtui uses: save -> event, what no watcher built on it can beat;
- the index's own record of each transaction: when the batch reached the indexer, reading and
  parsing, the transaction up to COMMIT, and COMMIT (the line's ``committed_at``);
- the line's ``latency_ms`` (the engine's detect -> commit, from the file's ctime);
- commit -> line read: publishing, encoding and the pipe;
- the watcher process's CPU while nothing changes (``--quiet`` seconds at the end).
Prints p50/p95/max per kind and overall, and the load average before and after. ``--wrap``
runs the watcher under a profiler.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import corpus_root, percentiles
from bench.delta_latency import edited, pick_files

KINDS = ("body", "new function", "signature", "delete function", "new file", "delete file")
TARGET = {"p50": 20.0, "p95": 40.0}  # issue 17
TIMEOUT_S = 10.0
#: A new module as one is started: a few functions calling each other and the module beside it.
NEW_FILE = '''"""A new module."""

from django.utils.functional import cached_property


def helper_{i}(value):
    return value * 2


def entry_{i}(items):
    """Double every item."""
    return [helper_{i}(x) for x in items]


class Thing{i}:
    @cached_property
    def items(self):
        return []

    def run(self):
        return entry_{i}(self.items)
'''


class Lines:
    """The JSON lines of a child's stdout, each with the time it was read (no thread: the
    caller waits in ``select``)."""

    def __init__(self, proc: subprocess.Popen):
        self.fd = proc.stdout.fileno()
        self.buffer = b""
        self._read_at = 0.0
        self.others: list[dict] = []  # lines that matched nothing asked for

    def wait_for(self, rel: str, timeout: float) -> tuple[float, dict] | None:
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                read_at = self._read_at
                if not line.startswith(b"{"):  # a profiler's own output
                    continue
                obj = json.loads(line)
                if rel in obj.get("files", ()):
                    return read_at, obj
                self.others.append(obj)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 1 << 16)
                self._read_at = time.time()
                if not chunk:
                    raise SystemExit("dgtui watch exited")
                self.buffer += chunk


class RawWatch:
    """``watchfiles.watch`` of the tree in a thread: path -> when it was first reported."""

    def __init__(self, root: Path):
        import watchfiles

        from dgtui.engine.watch import DEBOUNCE_MS, STEP_MS

        self.root = root
        self.seen: dict[str, float] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.settings = f"step {STEP_MS} ms, debounce {DEBOUNCE_MS} ms"
        self.thread = threading.Thread(target=self._run, args=(watchfiles, STEP_MS, DEBOUNCE_MS),
                                       daemon=True)
        self.thread.start()
        self.ready.wait(30)

    def _run(self, watchfiles, step: int, debounce: int) -> None:
        for changes in watchfiles.watch(self.root, watch_filter=None, step=step, debounce=debounce,
                                        rust_timeout=50, yield_on_timeout=True, stop_event=self.stop,
                                        debug=False):
            now = time.time()
            self.ready.set()
            with self.lock:
                for _, full in changes:
                    self.seen.setdefault(os.path.relpath(full, self.root), now)

    def forget(self, rel: str) -> None:
        with self.lock:
            self.seen.pop(rel, None)

    def when(self, rel: str) -> float | None:
        with self.lock:
            return self.seen.get(rel)


def transactions(root: Path, home: Path, ids: list[int]) -> dict[int, dict]:
    """The index's own record of these transactions: when the engine began (inside the
    transaction), its parse and write timings, and the time just before COMMIT."""
    from dgtui.paths import RepoPaths

    db = sqlite3.connect(f"file:{RepoPaths.for_root(str(root), str(home)).index_db}?mode=ro", uri=True)
    try:
        rows = db.execute(f"SELECT id, started_at, committed_at, summary FROM transactions "
                          f"WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
    finally:
        db.close()
    return {i: {"started_at": s, "closed_at": c, **json.loads(summary).get("timings", {})}
            for i, s, c, summary in rows}


def split(written: float, read_at: float, line: dict, event: float | None,
          tx: dict | None) -> dict[str, float | None]:
    """Where the time of one save went, in milliseconds."""
    def ms(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else (b - a) * 1000

    out = {"save -> line": ms(written, read_at),
           "save -> watchfiles event": ms(written, event),
           "save -> commit": ms(written, line["committed_at"]),
           "detect -> commit (engine)": line["latency_ms"],
           "commit -> line read": ms(line["committed_at"], read_at)}
    if tx is not None and "parse_ms" in tx:
        began = tx["started_at"] - tx["parse_ms"] / 1000  # the batch reached the indexer
        out |= {"save -> batch to indexer": ms(written, began),
                "  read and parse": tx["parse_ms"],
                "  transaction to COMMIT": ms(tx["started_at"], tx["closed_at"]),
                "  COMMIT": ms(tx["closed_at"], line["committed_at"])}
    return out


def quiet_cpu(pid: int, seconds: float) -> float:
    """Milliseconds of CPU per second the watching process uses while nothing changes."""
    def used() -> float:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    time.sleep(1.5)  # past the quiet tick, and the write-ahead log folded in
    cpu0, wall0 = used(), time.perf_counter()
    time.sleep(seconds)
    return (used() - cpu0) / (time.perf_counter() - wall0) * 1000


def write(path: Path, text: str) -> float:
    """Write ``text`` to ``path``; the time just before the write began."""
    at = time.time()
    with open(path, "w") as fh:
        fh.write(text)
    return at


def delete(path: Path) -> float:
    at = time.time()
    os.unlink(path)
    return at


def start_watch(root: Path, env: dict, wrap: list[str],
                timeout: float = 300.0) -> tuple[subprocess.Popen, Lines]:
    """``dgtui watch --json`` on ``root`` (run by ``wrap``, a profiler, when given), once a probe
    save has come back as a line."""
    proc = subprocess.Popen([*wrap, sys.executable, "-m", "dgtui", "watch", "--json", str(root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    lines = Lines(proc)
    probe = root / "bench_probe.py"
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        n += 1
        probe.write_text(f"def bench_probe_{n}():\n    return {n}\n")
        if lines.wait_for("bench_probe.py", 3.0) is not None:
            return proc, lines
        if proc.poll() is not None:
            raise SystemExit(f"dgtui watch exited: {proc.stderr.read().decode()[-2000:]}")
    proc.kill()
    raise SystemExit("dgtui watch never reported the probe save")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", nargs="?", default=corpus_root("django"))
    parser.add_argument("--edits", type=int, default=120, help="measured edits (round robin over the kinds)")
    parser.add_argument("--warmup", type=int, default=6, help="edits made first and not counted")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--quiet", type=float, default=5.0,
                        help="seconds without changes at the end, for the watcher's CPU while quiet")
    parser.add_argument("--wrap", default="", help="a command the watcher runs under, e.g. "
                        "'py-spy record -f speedscope -o watch.json --' (stopped with SIGINT)")
    args = parser.parse_args()
    if not args.repo or not os.path.isdir(args.repo):
        raise SystemExit("no repository given and no Django corpus (shared/corpus/fetch.sh)")
    work = Path(tempfile.mkdtemp(prefix="dgtui-watch-json-"))
    root = work / "repo"
    shutil.copytree(args.repo, root, symlinks=True)
    env = dict(os.environ, DGTUI_HOME=str(work / "home"))
    proc = None
    try:
        indexed = subprocess.run([sys.executable, "-m", "dgtui", "index", "--json", str(root)], env=env,
                                 capture_output=True, text=True, check=True)
        summary = json.loads(indexed.stdout)
        rng = random.Random(17)
        files = pick_files(root, 60, rng)
        load_before = os.getloadavg()
        proc, lines = start_watch(root, env, shlex.split(args.wrap))
        raw = RawWatch(root)
        saves: list[tuple[str, float, float, dict, float | None]] = []
        lost: list[str] = []
        copies: list[Path] = []
        for i in range(args.warmup + args.edits):
            kind = KINDS[i % len(KINDS)]
            if kind == "new file":
                path = files[i % len(files)].with_name(f"bench_new_{i}.py")
                text = NEW_FILE.format(i=i)
            elif kind == "delete file":
                path = copies.pop(0)
            else:
                path = files[i % len(files)]
                text = edited(path.read_text(), kind.split()[0], i)
            rel = str(path.relative_to(root))
            raw.forget(rel)
            if kind == "delete file":
                written = delete(path)
            else:
                written = write(path, text)
                if kind == "new file":
                    copies.append(path)
            got = lines.wait_for(rel, TIMEOUT_S)
            if got is None:
                lost.append(f"{kind}: {rel}")
                continue
            read_at, line = got
            if i < args.warmup:
                continue
            event = raw.when(rel)
            saves.append((kind, written, read_at, line, event))
            time.sleep(rng.uniform(0.03, 0.1))  # the next save at a random phase of the watch's step
        raw.stop.set()
        load_after = os.getloadavg()
        idle = quiet_cpu(proc.pid, args.quiet) if args.quiet and not args.wrap else None
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGINT)  # a profiler wrapping it writes its output
            proc.wait(60)
    try:
        recorded = transactions(root, work / "home", [line["transaction_id"] for _, _, _, line, _ in saves])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    samples: dict[str, dict[str, list[float]]] = {k: {} for k in KINDS}
    for kind, written, read_at, line, event in saves:
        for name, value in split(written, read_at, line, event, recorded.get(line["transaction_id"])).items():
            if value is not None:
                samples[kind].setdefault(name, []).append(value)

    overall: dict[str, list[float]] = {}
    for by_name in samples.values():
        for name, values in by_name.items():
            overall.setdefault(name, []).extend(values)
    print(f"dgtui watch --json on {Path(args.repo).name}: {summary['files']:,} files, "
          f"{summary['atoms']:,} atoms; {args.edits} edits after {args.warmup} unmeasured; "
          f"load average before {[round(x, 2) for x in load_before]}, after {[round(x, 2) for x in load_after]}")
    print(f"watchfiles anchor: a raw watch of the whole tree, {raw.settings}")

    def row(label: str, values: list[float]) -> str:
        p = percentiles(values)
        return (f"  {label:28} n {p['n']:4}  p50 {p.get('p50', 0):6.1f}  p95 {p.get('p95', 0):6.1f}  "
                f"max {p.get('max', 0):6.1f} ms")

    print(f"\nsave -> JSON line read, per kind (target: p50 <= {TARGET['p50']:.0f}, p95 <= {TARGET['p95']:.0f} ms)")
    for kind in KINDS:
        print(row(kind, samples[kind].get("save -> line", [])))
    in_files = [v for k in KINDS[:4] for v in samples[k].get("save -> line", [])]
    print(row("edits in a file (4 kinds)", in_files))
    print(row("all", overall.get("save -> line", [])))
    print("\nwhere the time goes (all kinds)")
    for name in ("save -> watchfiles event", "save -> batch to indexer", "  read and parse",
                 "  transaction to COMMIT", "  COMMIT", "commit -> line read", "save -> commit",
                 "detect -> commit (engine)"):
        print(row(name, overall.get(name, [])))
    if idle is not None:
        print(f"  the watcher while quiet: {idle:.1f} ms of CPU per second")
    print(f"\nsaves never reported: {len(lost)}{': ' + ', '.join(lost) if lost else ''}; "
          f"other lines: {len(lines.others)}")
    if args.json:
        print(json.dumps({"edits": args.edits, "load_before": load_before, "load_after": load_after,
                          "lost": lost, "quiet_cpu_ms_per_s": idle, "by_kind": {k: {n: percentiles(v) for n, v in by.items()}
                                                    for k, by in samples.items()},
                          "overall": {n: percentiles(v) for n, v in overall.items()},
                          "edits_in_a_file": percentiles(in_files), "target": TARGET}))


if __name__ == "__main__":
    main()
