"""`dgtui import-json` on the origin's scale, against an anchor measured in the same run.

    python bench/import_bench.py [--atoms 12640]

Writes a legacy tree of N atom files (and one of 4N), imports each with the real CLI under
``ulimit -n 64``, and prints: seconds, atoms per second, the peak memory of the importing process
(bounded: it should not grow with the tree beyond the index's own symbol table), the time of a
second import (a no-op), and the anchor: reading and json-parsing the same files in a plain loop
(what the origin's getAllAtoms did before it could answer anything). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from legacy_tree import synthetic_tree  # noqa: E402

CHILD = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
sys.argv = ["dgtui"] + sys.argv[1:]
t0 = time.perf_counter()
from dgtui.cli import main
try:
    main()
except SystemExit:
    pass
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run_import(data: Path, home: Path) -> tuple[float, int, dict]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", CHILD, "import-json", str(data), "--json"],
                       capture_output=True, text=True, env=dict(os.environ, DGTUI_HOME=str(home)))
    seconds = time.perf_counter() - t0
    peak = int(next(line.split()[1] for line in r.stderr.splitlines() if line.startswith("PEAK_KB")))
    return seconds, peak, json.loads(r.stdout)


def anchor(data: Path) -> float:
    t0 = time.perf_counter()
    n = 0
    for folder, _dirs, files in os.walk(data):
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                json.loads(fh.read())
            n += 1
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoms", type=int, default=12640)
    ap.add_argument("--same-names", action="store_true",
                    help="Every file defines fn0..fn5 (each batch then re-resolves every call "
                         "to those names across the index: the linker's rule).")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dgtui-import-bench-"))
    try:
        rows = []
        for n in (args.atoms, 4 * args.atoms):
            data = work / f"r{n}" / ".omnysysdata"
            synthetic_tree(data / "atoms", n, distinct=not args.same_names)
            home = work / f"home{n}"
            t_anchor = anchor(data)
            seconds, peak, out = run_import(data, home)
            again, _, out2 = run_import(data, home)
            assert out["imported"] == n and out2["imported"] == 0 and out2["transactions"] == []
            rows.append((n, seconds, peak, again, t_anchor, len(out["transactions"])))
        print(f"{'atom files':>10} {'import s':>9} {'atoms/s':>8} {'peak MB':>8} {'again s':>8} "
              f"{'read+parse s':>12} {'import/read':>11} {'tx':>4}")
        for n, seconds, peak, again, t_anchor, txs in rows:
            print(f"{n:>10,} {seconds:>9.2f} {n / seconds:>8,.0f} {peak / 1024:>8.1f} {again:>8.2f} "
                  f"{t_anchor:>12.2f} {seconds / t_anchor:>10.1f}x {txs:>4}")
        (n1, _, p1, *_), (n4, _, p4, *_) = rows
        print(f"peak memory for {n4:,} atom files / for {n1:,}: {p4 / p1:.2f}x (tree 4x); "
              f"all under ulimit -n 64")
        print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
