"""Backup time on a Django-sized index, against anchors measured in the same run.

    python bench/backup_bench.py [--home DIR] [--repeat 5]

Indexes the Django corpus (``corpus/fetch.sh``) into a bench data home if it is not there yet,
then times ``dgtui backup`` (in-process, and the real CLI in a subprocess) and two anchors on
this machine: a plain copy of the index file, and the origin system's backup, a copy of 12,640
JSON atom files of its average size (111 MB / 12,640). The issue's target is < 1 s (origin: 10 s).
Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ORIGIN_FILES, ORIGIN_BYTES = 12_640, 111 * 1024 * 1024


#: The corpus fetch beside the repository (``../shared/corpus/fetch.sh``), when there is one.
FETCH = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fetch.sh"


def corpus() -> Path:
    out = subprocess.run(["bash", str(FETCH)], capture_output=True, text=True) if FETCH.exists() \
        else subprocess.CompletedProcess([], 1, "", "")
    base = Path(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 and out.stdout.strip() \
        else Path.home() / ".cache" / "dgtui-corpus"
    return base / "django"


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=os.path.join(tempfile.gettempdir(), "dgtui-bench-home"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from dgtui.paths import RepoPaths, repository_root
    from dgtui.store.backup import backup

    django = corpus()
    if not django.is_dir():
        sys.exit(f"no Django corpus at {django}; run corpus/fetch.sh")
    db = RepoPaths.for_root(repository_root(str(django)), args.home).index_db
    env = dict(os.environ, DGTUI_HOME=args.home)
    if not os.path.exists(db):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dgtui", "index", str(django), "--json"], env=env,
                       check=True, capture_output=True)
        print(f"indexed Django in {time.perf_counter() - t0:.1f}s")
    work = Path(tempfile.mkdtemp(prefix="dgtui-backup-bench-"))
    try:
        out = work / "backup.db"
        result = backup(db, str(out))
        print(f"index: {result.atoms:,} atoms, {result.events:,} events, {result.bytes / 1e6:.0f} MB")

        t_backup = timed(lambda: backup(db, str(out)), args.repeat)
        t_verify = timed(lambda: backup(db, str(out), verify=True), args.repeat)
        t_cli = timed(lambda: subprocess.run(
            [sys.executable, "-m", "dgtui", "backup", str(out), "--path", str(django)], env=env,
            check=True, capture_output=True), args.repeat)
        t_copy = timed(lambda: shutil.copyfile(db, work / "copy.db"), args.repeat)

        origin = work / "origin"
        size = ORIGIN_BYTES // ORIGIN_FILES
        body = json.dumps({"pad": "x" * size})[:size]
        for i in range(ORIGIN_FILES):
            folder = origin / f"src{i % 40}" / f"file{i // 6}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"fn{i}.json").write_text(body)
        n = [0]

        def copy_origin() -> None:
            n[0] += 1
            shutil.copytree(origin, work / f"origin-copy{n[0]}")

        t_origin = timed(copy_origin, max(1, args.repeat // 2))

        print(f"dgtui backup (in-process)          {t_backup:7.3f} s   target < 1 s")
        print(f"dgtui backup --verify              {t_verify:7.3f} s")
        print(f"dgtui backup (CLI, with start-up)  {t_cli:7.3f} s")
        print(f"anchor: copy of the index file     {t_copy:7.3f} s   backup/copy = {t_backup / t_copy:.1f}x")
        print(f"anchor: copy of 12,640 JSON files  {t_origin:7.3f} s   "
              f"origin/backup = {t_origin / t_backup:.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
