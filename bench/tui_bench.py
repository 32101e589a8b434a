"""The explorer's speed on a real repository, against the targets of issue 4.

    python bench/tui_bench.py [REPO] [--starts 5] [--words 12] [--writes 30] [--cold 3]
                              [--cold-only] [--json]

REPO defaults to the Django corpus (``bash ../shared/corpus/fetch.sh``). It is copied once to a
work folder beside the corpus and indexed there (reused by later runs), so the corpus itself is
never written to. Each figure runs the real app headless (Textual's own test driver) on the real
index with the real live index and watcher:

* start: a new process until the explorer is on screen and answers its first search,
  against an empty Textual app started the same way (anchor);
* cold start (issue 17): a new process on the same copy with an empty data home (no index yet,
  the explorer's first run), ``save`` typed as soon as the search box has the focus, until the
  first non-empty results are on screen (timed from the moment the process is spawned), and
  until the first index is done; against the same empty Textual app (anchor);
* keystroke: typing words letter by letter (80 ms apart) until the results table holds the
  answer and the screen has refreshed, against ``query.search_as_you_type`` alone (anchor);
* write: a real file write until the timeline shows its event, against the engine's own
  detected -> committed latency of the same writes (anchor);
* memory: the peak resident set of the session process, against the process before the app.

The machine's speed varies: compare the ratios to the anchors, not only the raw figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"start_s": 1.0, "cold_results_s": 1.0, "keystroke_p95_ms": 50.0, "write_p95_ms": 150.0, "memory_mb": 300.0}
WORDS = ["save", "get_queryset", "Model", "render", "as_sql", "QuerySet", "migrate", "response",
         "test_", "filter", "clean", "cursor", "deconstruct", "Field", "urlpatterns", "serialize"]
SIZE = (120, 40)
PROBE = "dgtui_bench_probe.py"


def key(app, character: str) -> None:
    """A key press as the terminal driver delivers it. Pilot's ``press`` also waits until the
    app is idle, which a live app often is not (the watcher and its status keep it busy), so
    it would measure that wait instead of the keystroke."""
    from textual import events

    app.post_message(events.Key(character, character))


# == the parent: prepare, run children, report ===================================================
def default_repo() -> Path:
    base = Path(os.environ.get("DGTUI_CORPUS", Path.home() / ".cache" / "dgtui-corpus"))
    return base / "django"


def compile_package() -> None:
    """Write dgtui's bytecode, as ``pip install`` does for an installed package: the children
    run with PYTHONDONTWRITEBYTECODE, and without .pyc files every start would compile the
    package's hundred modules again (a quarter of a second on 2 cores) and measure that."""
    import compileall

    import dgtui

    compileall.compile_dir(os.path.dirname(dgtui.__file__), quiet=1)


def work_copy(repo: Path) -> Path:
    """The copy the explorer runs on (made once): the corpus itself is never written to."""
    compile_package()
    work = repo.parent / ".tui-bench" / repo.name
    if not (work / ".copied").exists():
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(repo, work, symlinks=True)
        (work / ".copied").write_text("")
    (work / PROBE).unlink(missing_ok=True)
    return work


def prepare(repo: Path) -> tuple[Path, Path]:
    """(work copy, data home): copied and indexed once, reused afterwards."""
    work = work_copy(repo)
    home = repo.parent / ".tui-bench" / "home"
    started = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "dgtui", "index", str(work), "--home", str(home), "--json"],
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"indexing failed: {r.stderr}")
    summary = json.loads(r.stdout)
    print(f"index: {summary.get('atoms', '?'):,} atoms in {summary.get('files', '?'):,} files "
          f"({time.perf_counter() - started:.1f} s to bring up to date)")
    return work, home


def child(mode: str, *args: str) -> dict:
    started = time.perf_counter()
    args = (*args, "--spawned-at", repr(time.time()))
    r = subprocess.run([sys.executable, __file__, "--child", mode, *args], capture_output=True,
                       text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    wall = time.perf_counter() - started
    if r.returncode:
        sys.exit(f"{mode} failed:\n{r.stderr[-3000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["process_s"] = wall
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(name: str, value: float, target: float, unit: str, anchor: float | None,
           anchor_name: str) -> bool:
    ok = value <= target
    ratio = f"  {value / anchor:5.2f}x {anchor_name} ({anchor:.1f} {unit})" if anchor else ""
    print(f"  {name:<28} {value:8.1f} {unit:<3} target < {target:g} {unit:<3} "
          f"{'ok' if ok else 'MISSED':<6}{ratio}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", type=Path, default=default_repo())
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--words", type=int, default=12)
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--cold", type=int, default=3,
                        help="first runs on an empty data home (each indexes the whole repository)")
    parser.add_argument("--cold-only", action="store_true", help="only the first runs")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    if not args.repo.exists():
        sys.exit(f"{args.repo} not found: run `bash ../shared/corpus/fetch.sh` first")
    if args.cold_only:
        cold = cold_starts(work_copy(args.repo), args.cold)
        if args.json:
            print(json.dumps(cold))
        return
    work, home = prepare(args.repo)
    common = [str(work), "--home", str(home)]
    starts = [child("start", *common) for _ in range(args.starts)]
    empties = [child("empty") for _ in range(args.starts)]
    session = child("session", *common, "--words", str(args.words), "--writes", str(args.writes))

    start_s = statistics.median(s["interactive_s"] for s in starts)
    empty_s = statistics.median(e["interactive_s"] for e in empties)
    print(f"\nexplorer on {work.name} ({session['atoms']:,} atoms), {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    print("  first screen (median)          "
          f"{statistics.median(s['screen_s'] for s in starts):8.2f} s")
    ok = [report("start to first results", start_s, TARGETS["start_s"], "s", empty_s, "empty Textual app")]
    keys = session["keystroke_ms"]
    anchor = pct(session["query_ms"], 0.95)
    print(f"  keystrokes: {len(keys)}; p50 {pct(keys, 0.5):.1f} ms, max {max(keys):.1f} ms")
    ok.append(report("keystroke -> results p95", pct(keys, 0.95), TARGETS["keystroke_p95_ms"], "ms",
                     anchor, "query alone p95"))
    writes = session["write_ms"]
    engine = pct(session["engine_ms"], 0.95)
    print(f"  writes: {len(writes)}; p50 {pct(writes, 0.5):.1f} ms, max {max(writes):.1f} ms; "
          f"write -> commit p95 {pct(session['commit_ms'], 0.95):.1f} ms")
    ok.append(report("write -> timeline p95", pct(writes, 0.95), TARGETS["write_p95_ms"], "ms",
                     engine, "engine detect->commit p95"))
    ok.append(report("peak memory", session["peak_mb"], TARGETS["memory_mb"], "MB",
                     session["baseline_mb"], "process before the app"))
    cold = cold_starts(work, args.cold, empty_s) if args.cold else {}
    if cold:
        ok.append(cold["ok"])
    print("all targets met" if all(ok) else "some targets missed")
    if args.json:  # the last line, for python -m bench
        print(json.dumps({**cold,
            "atoms": session["atoms"], "start_s": start_s, "empty_app_s": empty_s,
            "keystrokes": len(keys), "keystroke_p50_ms": pct(keys, 0.5),
            "keystroke_p95_ms": pct(keys, 0.95), "query_p95_ms": anchor,
            "writes": len(writes), "write_p50_ms": pct(writes, 0.5), "write_p95_ms": pct(writes, 0.95),
            "engine_p95_ms": engine, "peak_mb": session["peak_mb"],
            "baseline_mb": session["baseline_mb"], "targets": TARGETS}))


def cold_starts(work: Path, runs: int, empty_s: float | None = None) -> dict:
    """The explorer's first run on ``work``: each run on a new, empty data home."""
    import tempfile

    if empty_s is None:
        empty_s = statistics.median(child("empty")["interactive_s"] for _ in range(max(1, runs)))
    colds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="dgtui-cold-") as home:
            colds.append(child("cold", str(work), "--home", home))
    med = lambda name: statistics.median(c[name] for c in colds)  # noqa: E731
    print(f"\nfirst run of the explorer on {work.name} (empty data home), {runs} run(s), "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for c in colds:
        print(f"  run: screen {c['screen_s']:.2f} s, first commit {c['first_commit_s']:.2f} s, "
              f"first results {c['first_results_s']:.2f} s ({c['first_rows']} rows, status "
              f"{c['status_at_first_results']!r}), index done {c['index_done_s']:.1f} s "
              f"({c['commits']} commits, results grew {c['result_updates']} times to {c['last_rows']})")
    print(f"  first screen (median)          {med('screen_s'):8.2f} s")
    print(f"  first commit (median)          {med('first_commit_s'):8.2f} s")
    ok = report("cold start to first results", med("first_results_s"), TARGETS["cold_results_s"],
                "s", empty_s, "empty Textual app")
    print(f"  first index done (median)      {med('index_done_s'):8.1f} s")
    return {"cold_runs": runs, "cold_screen_s": med("screen_s"),
            "cold_first_commit_s": med("first_commit_s"), "cold_results_s": med("first_results_s"),
            "cold_index_done_s": med("index_done_s"), "empty_app_s": empty_s, "ok": ok}


# == children ================================================================================
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_empty(args) -> dict:
    """Anchor: an empty Textual app, to first screen, started like the explorer."""
    t0 = time.perf_counter()
    from textual.app import App
    from textual.widgets import Input

    class Empty(App):
        def compose(self):
            yield Input()

    async def run():
        app = Empty()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            return time.perf_counter() - t0

    t = asyncio.run(run())
    return {"interactive_s": t, "screen_s": t}


def child_start(args) -> dict:
    """A new process until the explorer is on screen, then until it answers a first search."""
    t0 = time.perf_counter()
    repo, home = args.repo_arg, args.home
    from dgtui.app import make_app
    from dgtui.messages import SearchResults

    async def run():
        app = make_app(repo, home)
        shown = asyncio.Event()

        def seen(message) -> None:  # every message the app's parts handle
            if isinstance(message, SearchResults):
                shown.set()

        async with app.run_test(size=SIZE, message_hook=seen):
            while not app.explorer.is_mounted or app.focused is None:
                await asyncio.sleep(0.002)
            screen = time.perf_counter() - t0
            shown.clear()
            key(app, "s")
            await shown.wait()
            interactive = time.perf_counter() - t0
            state = app.live_status.state
        return screen, interactive, state

    screen, interactive, state = asyncio.run(run())
    return {"screen_s": screen, "interactive_s": interactive, "state_at_first_results": state}


def child_cold(args) -> dict:
    """A first run: the explorer on a repository its (empty) data home has no index of. ``save``
    is typed as soon as the search box has the focus; the times are from the process's spawn."""
    spawned = args.spawned_at
    repo, home = args.repo_arg, args.home
    from dgtui.app import make_app
    from dgtui.messages import DeltaCommitted, LiveStatusChanged, SearchResults

    async def run():
        app = make_app(repo, home)
        times: dict[str, float] = {}
        rows_shown: list[int] = []
        commits: set[int] = set()
        status_line: list[str] = []

        def frame(name: str) -> None:
            times.setdefault(name, time.time() - spawned)

        def seen(message) -> None:  # every message the app's parts handle
            if isinstance(message, SearchResults) and message.text == "save" and message.rows:
                if not rows_shown:
                    status_line.append(str(app.explorer.query_one("StatusBar").render_status()))
                    app.call_after_refresh(frame, "first_results")
                if not rows_shown or len(message.rows) != rows_shown[-1]:
                    rows_shown.append(len(message.rows))
            elif isinstance(message, DeltaCommitted):
                frame("first_commit")
                commits.add(message.delta.transaction_id)
            elif isinstance(message, LiveStatusChanged) and message.status.state == "watching":
                frame("index_done")

        async with app.run_test(size=SIZE, message_hook=seen):
            while not app.explorer.is_mounted or app.focused is None:
                await asyncio.sleep(0.002)
            times["screen"] = time.time() - spawned
            for ch in "save":
                key(app, ch)
            deadline = time.monotonic() + 600
            while "index_done" not in times or "first_results" not in times:
                assert time.monotonic() < deadline, f"no results or no end of the index: {times}"
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)  # the last chunk's search
        return times, rows_shown, len(commits), status_line[0]

    times, rows, commits, status = asyncio.run(run())
    return {"screen_s": times["screen"], "first_commit_s": times.get("first_commit", float("nan")),
            "first_results_s": times["first_results"], "index_done_s": times["index_done"],
            "first_rows": rows[0], "last_rows": rows[-1], "result_updates": len(rows) - 1,
            "commits": commits, "status_at_first_results": status}


def child_session(args) -> dict:
    baseline = _rss_mb()
    from dgtui import query
    from dgtui.app import make_app
    from dgtui.messages import DeltaShown, SearchResults
    from dgtui.paths import RepoPaths
    from dgtui.store import Store
    baseline = max(baseline, _rss_mb())
    repo, home = args.repo_arg, args.home
    words = (WORDS * 3)[:args.words]

    async def run():
        app = make_app(repo, home)
        shown: dict[int, float] = {}
        visible: dict[int, float] = {}

        def seen(message) -> None:  # every message the app's parts handle: time the next frame
            if isinstance(message, SearchResults):
                app.call_after_refresh(shown.__setitem__, message.seq, time.perf_counter())
            elif isinstance(message, DeltaShown):  # bubbles: the first pump to see it counts
                app.call_after_refresh(visible.setdefault, message.transaction_id, time.time())

        async with app.run_test(size=SIZE, message_hook=seen) as pilot:
            while app.live_status.state != "watching":
                await asyncio.sleep(0.05)
            await pilot.pause(0.5)
            keystrokes = []
            explorer = app.explorer
            for word in words:
                explorer.search.query_one("#search-input").value = ""
                await pilot.pause(0.1)
                for ch in word:
                    seq = explorer._search_seq
                    start = time.perf_counter()
                    key(app, ch)
                    while not any(s > seq for s in shown):
                        await asyncio.sleep(0.001)
                    keystrokes.append((shown[min(s for s in shown if s > seq)] - start) * 1000)
                    await asyncio.sleep(0.08)
            # the timeline: real writes in the watched folder
            await app.run_action("pane(5)")
            await asyncio.sleep(0.5)
            deltas = []
            app.live.subscribe(deltas.append)
            writes, commits, engine = [], [], []
            probe = Path(repo) / PROBE
            for i in range(args.writes):
                before = len(deltas)
                body = "".join(f"def probe_{i}_{k}(x):\n    return x + {k}\n\n\n" for k in range(3))
                wrote = time.time()
                probe.write_text(body)
                while len(deltas) == before:
                    await asyncio.sleep(0.001)
                delta = deltas[-1]
                while delta.transaction_id not in visible:
                    await asyncio.sleep(0.001)
                writes.append((visible[delta.transaction_id] - wrote) * 1000)
                commits.append((delta.committed_at - wrote) * 1000)
                if delta.latency_ms is not None:
                    engine.append(delta.latency_ms)
                await asyncio.sleep(0.15)
            probe.unlink()
            await pilot.pause(0.5)
            return keystrokes, writes, commits, engine

    keystrokes, writes, commits, engine = asyncio.run(run())
    # anchor: the same searches as questions alone, in this process
    store = Store.open(RepoPaths.for_root(repo, home).index_db)
    query_ms = []
    for word in words:
        for i in range(1, len(word) + 1):
            t = time.perf_counter()
            query.search_as_you_type(store, word[:i])
            query_ms.append((time.perf_counter() - t) * 1000)
    atoms = query.totals(store)["atoms"]
    store.close()
    return {"keystroke_ms": keystrokes, "query_ms": query_ms, "write_ms": writes,
            "commit_ms": commits, "engine_ms": engine or [0.0], "peak_mb": _rss_mb(),
            "baseline_mb": baseline, "atoms": atoms}


CHILDREN = {"empty": child_empty, "start": child_start, "cold": child_cold, "session": child_session}


if __name__ == "__main__":
    if "--child" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--child")
        parser.add_argument("repo_arg", nargs="?")
        parser.add_argument("--home")
        parser.add_argument("--words", type=int, default=12)
        parser.add_argument("--writes", type=int, default=30)
        parser.add_argument("--spawned-at", type=float)
        ns = parser.parse_args()
        print(json.dumps(CHILDREN[ns.child](ns)))
    else:
        main()
