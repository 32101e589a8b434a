"""Shared helpers of the benchmarks: corpora, machine facts, timing, child processes."""

from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

CORPUS_DIR = os.environ.get("DGTUI_CORPUS") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dgtui-corpus")
#: The pinned corpora, and the folder indexed as the repository root.
CORPORA = {"django": "django", "eslint": "eslint/node_modules"}


def corpus_root(name: str) -> str | None:
    """The root of a pinned corpus, or None when ``shared/corpus/fetch.sh`` has not fetched it."""
    path = os.path.join(CORPUS_DIR, CORPORA[name])
    return path if os.path.isdir(path) else None


def shown_path(path: str) -> str:
    """A path as the results files show it: under the home folder as ``~/...``, so that the
    committed results name the corpus cache, not the home of the machine they ran on."""
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if path == home or path.startswith(home + os.sep) else path


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    from importlib.metadata import version

    import tree_sitter  # noqa: F401  (its version, when the distribution says it)

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(), "cpu": cpu, "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "tree_sitter": version("tree-sitter"), "load_average": _loadavg(),
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # ru_maxrss: KB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 1e6
    return {"self": round(own, 1), "children": round(kids, 1)}


def cpu_seconds() -> dict[str, float]:
    """CPU time (user + system) of this process and of its finished children: on a machine
    shared with other work, CPU time says what a run cost when wall time cannot."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self": own.ru_utime + own.ru_stime, "children": kids.ru_utime + kids.ru_stime}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/max of latencies in milliseconds."""
    xs = sorted(samples_ms)
    if not xs:
        return {"n": 0}
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return {"n": len(xs), "p50": round(statistics.median(xs), 3), "p95": round(p95, 3),
            "max": round(xs[-1], 3)}


def run_child(task: str, **kwargs: Any) -> dict[str, Any]:
    """Run ``bench.child`` TASK in a fresh Python process; its JSON result, plus peak memory.

    A fresh process per measurement: no warm caches or imports carried from one figure to the
    next, and ``ru_maxrss`` is that measurement's own.
    """
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "bench.child", task, json.dumps(kwargs)],
                          capture_output=True, text=True, env=env, cwd=here)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.child {task} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f} s"
