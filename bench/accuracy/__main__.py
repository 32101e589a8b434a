"""``python -m bench.accuracy [--quick] [--corpus NAME] [--json OUT]``: see ``bench/accuracy``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from bench.accuracy import compare, corpora, index, oracle_python, oracle_ts, peers, report
from bench.common import machine, shown_path

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEP_PATTERNS = 50  # per list, in the JSON


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def oracle_name(corpus: corpora.Corpus) -> str:
    if corpus.language == "python":
        import jedi

        return f"jedi {jedi.__version__} (goto, then infer)"
    return f"TypeScript {oracle_ts.oracle_id(corpus).split('-')[1]} checker"


def run_corpus(corpus: corpora.Corpus, tmp: str, jobs: int) -> dict:
    root = corpora.fetch(corpus)
    files = corpus.files()
    t0 = time.perf_counter()
    if corpus.language == "python":
        oracle, stats = oracle_python.run(corpus, files, jobs, log)
    else:
        oracle, stats = oracle_ts.run(corpus, files, log)
    oracle_seconds = time.perf_counter() - t0
    log(f"{corpus.name}: dgtui index {root}")
    db, index_seconds = index.index(root, os.path.join(tmp, f"home-{corpus.name}"))
    atoms, edges = index.read(db)
    t0 = time.perf_counter()
    ix = compare.AtomIndex(atoms)
    result, pairs = compare.judge(oracle, ix, edges)
    judge_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    if corpus.language == "python":
        raw = peers.run(corpus, log)
        result["peers"] = peers.compare(raw, pairs, ix, set(oracle))
    peers_seconds = time.perf_counter() - t0
    result["wrong_patterns"] = result["wrong_patterns"][:KEEP_PATTERNS]
    result["missed_patterns"] = result["missed_patterns"][:KEEP_PATTERNS]
    return {"scope": corpus.scope(), "root": shown_path(root), "oracle": oracle_name(corpus),
            "files": len(files), "atoms": len(atoms), "edges": len(edges), "finished": time.time(),
            "oracle_files": {"asked": stats["files_asked"], "cached": stats["files_cached"]},
            "timings": {"oracle_seconds": round(oracle_seconds, 1), "index_seconds": round(index_seconds, 1),
                        "judge_seconds": round(judge_seconds, 1), "peers_seconds": round(peers_seconds, 1)},
            **result}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.accuracy",
                                 description="dgtui's call edges against jedi and the TypeScript checker")
    ap.add_argument("--quick", action="store_true", help="the small corpora only (no Django)")
    ap.add_argument("--corpus", action="append", choices=sorted(corpora.CORPORA),
                    help="run only this corpus (repeatable)")
    ap.add_argument("--json", metavar="OUT", help="also write this run's results to OUT")
    ap.add_argument("--jobs", type=int, default=2, help="jedi processes for files not cached (default 2)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"),
                    help="folder of accuracy.json, accuracy.md, accuracy-misses.txt")
    args = ap.parse_args(argv)
    names = args.corpus or [n for n in corpora.CORPORA if not (args.quick and n == "django")]
    t0 = time.perf_counter()
    run = {"machine": machine(), "started": time.time(), "corpora": {}}
    with tempfile.TemporaryDirectory(prefix="dgtui-accuracy-") as tmp:
        for name in names:
            try:
                run["corpora"][name] = run_corpus(corpora.CORPORA[name], tmp, args.jobs)
            except RuntimeError as exc:  # a corpus that cannot be fetched or indexed
                run["corpora"][name] = {"status": f"not run: {exc}"}
            print("\n".join(report.corpus_markdown(name, run["corpora"][name])), flush=True)
    run["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(run, fh, indent=1)
    # The results folder keeps every corpus' latest run: a run of one corpus replaces only it.
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "accuracy.json")
    merged = {"corpora": {}}
    if os.path.exists(path):
        with open(path) as fh:
            merged = json.load(fh)
    merged.update({k: v for k, v in run.items() if k != "corpora"})
    merged["corpora"].update(run["corpora"])
    merged["corpora"] = {n: merged["corpora"][n] for n in corpora.CORPORA if n in merged["corpora"]}
    with open(path, "w") as fh:
        json.dump(merged, fh, indent=1)
    with open(os.path.join(args.out, "accuracy.md"), "w") as fh:
        fh.write(report.markdown(merged))
    with open(os.path.join(args.out, "accuracy-misses.txt"), "w") as fh:
        fh.write(report.misses(merged))
    log(f"done in {run['seconds']:.0f}s; wrote {args.out}/accuracy.json, accuracy.md, accuracy-misses.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
