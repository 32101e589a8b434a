"""The benchmark suite: ``python -m bench`` (``--quick`` for a smoke run).

Every figure is measured beside its anchor in the same run, each in a fresh process:
- the pinned corpora (Django, eslint): cold full index vs tree-sitter parse-only (one process)
  vs ``ctags`` on the same files; no-change re-index; re-index after editing 1% of the files;
  peak memory; index size per atom;
- generated repositories of 1k/10k/100k/500k functions: cold index, query latency (search,
  callers/callees depth 1 and 3, impact, "async functions that call saveAtom") and delta latency
  (write -> commit -> subscriber, 100 edits of five kinds) against size;
- delta latency on Django (``bench/delta_latency.py``: issue 3's figures, a 200-file burst);
- the explorer (``bench/tui_bench.py``: start, keystroke, write-to-timeline, memory) on Django.

``python -m bench --accuracy`` runs only the call-graph accuracy benchmark (``bench/accuracy``:
dgtui's edges against jedi and the TypeScript checker, beside pyan3 and code2flow); it is
opt-in, as it needs the ``bench`` extra and its cold run takes tens of minutes.

Writes ``bench/results/latest.json``, ``latest.md`` and ``scaling.svg``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench import report
from bench.common import CORPUS_DIR, corpus_root, machine, run_child, shown_path

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_CACHE = os.path.join(os.path.dirname(CORPUS_DIR), "dgtui-bench")
FULL_SIZES = (1_000, 10_000, 100_000, 500_000)
QUICK_SIZES = (1_000, 10_000)
QUERY_SIZES = (10_000, 100_000)  # the "queries at 10k/100k atoms"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def corpus(name: str, root: str, tmp: str, quick: bool) -> dict:
    """Cold index against its anchors, no-change and 1%-touched re-index, memory, size."""
    home = os.path.join(tmp, f"home-{name}")
    log(f"{name}: parse-only floor, cold index, floor again")
    before = run_child("floor", root=root)
    cold = run_child("index_home", root=root, home=home)
    after = run_child("floor", root=root)
    floor = (before["seconds"] + after["seconds"]) / 2
    floor_cpu = (before["cpu_seconds"] + after["cpu_seconds"]) / 2
    log(f"{name}: ctags, no-change re-index")
    ctags = run_child("ctags", root=root) if shutil.which("ctags") else None
    nochange = run_child("index_home", root=root, home=home)
    out = {
        "root": shown_path(root), "files": before["files"], "bytes": before["bytes"],
        "atoms": cold["atoms"], "edges": cold["edges"],
        "floor_seconds": floor, "floor_cpu_seconds": floor_cpu,
        "cold_seconds": cold["wall_seconds"], "cold_cpu_seconds": cold["cpu_seconds"],
        "cold_timings": cold["timings"], "ratio_to_floor": cold["wall_seconds"] / floor,
        "cpu_ratio_to_floor": sum(cold["cpu_seconds"].values()) / floor_cpu,
        "ctags_seconds": ctags["seconds"] if ctags else None,
        "ctags_tags": ctags["tags"] if ctags else None,
        "ratio_to_ctags": cold["wall_seconds"] / ctags["seconds"] if ctags else None,
        "nochange_seconds": nochange["wall_seconds"],
        "peak_rss_mb": cold["peak_rss_mb"], "db_bytes": cold["db_bytes"],
        "bytes_per_atom": cold["db_bytes"] / max(1, cold["atoms"]),
    }
    if not quick:
        log(f"{name}: re-index after editing 1% of the files (on a copy)")
        copy = os.path.join(tmp, f"copy-{name}")
        shutil.copytree(root, copy, symlinks=True)
        db = os.path.join(tmp, f"copy-{name}.db")
        run_child("index", root=copy, db=db)
        touched = run_child("touch", root=copy, db=db)
        out["touch_1pct_seconds"] = touched["wall_seconds"]
        out["touch_1pct_files"] = touched["touched_files"]
        shutil.rmtree(copy, ignore_errors=True)
    return out


def generated(size: int, tmp: str, quick: bool) -> dict:
    from bench.generate import generate

    root = os.path.join(GEN_CACHE, f"gen-{size}")
    if not os.path.exists(os.path.join(root, ".complete")):
        log(f"generating a repository of {size:,} functions in {root}")
        shutil.rmtree(root, ignore_errors=True)
        generate(root, size)
        open(os.path.join(root, ".complete"), "w").close()
    # The delta section edits files: work on a copy, so the cached repository stays pristine.
    work = os.path.join(tmp, f"gen-{size}")
    shutil.copytree(root, work)
    home = os.path.join(tmp, f"home-gen-{size}")
    log(f"gen {size:,}: floor, cold index, no-change re-index")
    floor = run_child("floor", root=work)
    cold = run_child("index_home", root=work, home=home)
    nochange = run_child("index_home", root=work, home=home)
    out = {
        "functions": size, "files": floor["files"], "atoms": cold["atoms"], "edges": cold["edges"],
        "floor_seconds": floor["seconds"], "cold_seconds": cold["wall_seconds"],
        "cold_cpu_seconds": cold["cpu_seconds"], "ratio_to_floor": cold["wall_seconds"] / floor["seconds"],
        "nochange_seconds": nochange["wall_seconds"], "peak_rss_mb": cold["peak_rss_mb"],
        "db_bytes": cold["db_bytes"], "bytes_per_atom": cold["db_bytes"] / max(1, cold["atoms"]),
    }
    log(f"gen {size:,}: query latency")
    out["queries"] = run_child("queries", db=cold["db"], samples=20 if quick else 50)
    log(f"gen {size:,}: delta latency")
    out["delta"] = run_child("delta", root=work, home=home, edits=20 if quick else 100)
    shutil.rmtree(work, ignore_errors=True)
    return out


def script(name: str, *args: str) -> dict:
    """Run ``bench/NAME`` with ``--json`` in a fresh process; its last line holds the figures."""
    cmd = [sys.executable, os.path.join(HERE, name), *args, "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or not lines:
        return {"status": f"failed: {(r.stderr.strip().splitlines() or ['no output'])[-1]}"}
    return json.loads(lines[-1])


def live_sections(name: str, root: str, quick: bool) -> tuple[dict, dict]:
    """Delta latency and the explorer on a real repository (Django unless --quick)."""
    log(f"{name}: delta latency (write -> commit -> subscriber; a burst)")
    delta = script("delta_latency.py", root, "--edits", "20" if quick else "100",
                   "--burst", "50" if quick else "200")
    log(f"{name}: the explorer (start, keystrokes, writes, memory, first run)")
    tui = script("tui_bench.py", root, *(["--starts", "2", "--words", "4", "--writes", "8", "--cold", "1"]
                                         if quick else []))
    return delta, {"corpus": name, **tui}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: eslint, 1k and 10k only")
    ap.add_argument("--sizes", default=None,
                    help="generated sizes, comma-separated (default 1000,10000,100000,500000)")
    ap.add_argument("--corpora", default=None, help="comma-separated: django,eslint")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--accuracy", action="store_true",
                    help="run only the call-graph accuracy benchmark (python -m bench.accuracy)")
    args = ap.parse_args(argv)
    if args.accuracy:
        from bench.accuracy.__main__ import main as accuracy

        return accuracy((["--quick"] if args.quick else []) + ["--out", args.out])
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(
        QUICK_SIZES if args.quick else FULL_SIZES)
    names = args.corpora.split(",") if args.corpora else (["eslint"] if args.quick else ["django", "eslint"])
    t0 = time.perf_counter()
    results: dict = {"machine": machine(), "quick": args.quick, "started": time.time(),
                     "corpora": {}, "scaling": [], "tui": {"status": "not run: no corpus"}}
    with tempfile.TemporaryDirectory(prefix="dgtui-bench-") as tmp:
        for name in names:
            root = corpus_root(name)
            if root is None:
                results["corpora"][name] = {"status": "absent: run shared/corpus/fetch.sh"}
                continue
            results["corpora"][name] = corpus(name, root, tmp, args.quick)
        live = "eslint" if args.quick else "django"
        if live in names and "status" not in results["corpora"][live]:
            delta, results["tui"] = live_sections(live, corpus_root(live), args.quick)
            results["corpora"][live]["delta"] = delta
        for size in sizes:
            results["scaling"].append(generated(size, tmp, args.quick))
    results["seconds"] = time.perf_counter() - t0
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.json"), "w") as fh:
        json.dump(results, fh, indent=2)
    md = report.markdown(results)
    with open(os.path.join(args.out, "latest.md"), "w") as fh:
        fh.write(md)
    with open(os.path.join(args.out, "scaling.svg"), "w") as fh:
        fh.write(report.scaling_svg(results))
    print(md)
    log(f"done in {results['seconds']:.0f}s; wrote {args.out}/latest.json, latest.md, scaling.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
