"""A killed watcher's parse workers (issue 14): they end on their own, and quietly.

The parent here is the engine's own parse pool (``parse_many``, as the watcher and `dgtui index`
use it) in a real process that stops reading results after a few, so its two workers are busy
parsing and writing results when it is killed with SIGKILL; their next result meets a closed
pipe. What a user saw on the terminal was a BrokenPipeError traceback per worker (and the
resource tracker's "leaked semaphore" warning); now the workers' shared stderr stays empty.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from corpus_gen import make_corpus

PARENT = textwrap.dedent("""
    import os, sys, time
    from dgtui.parse.files import parse_many
    root = sys.argv[1]
    rels = [os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs]
    for n, _ in enumerate(parse_many(root, rels, 2_000_000, workers=2), 1):
        if n == 16:
            print("parsing", flush=True)
            time.sleep(600)  # reads no more results: the workers keep parsing, then it is killed
""")


def test_a_killed_parents_workers_exit_quietly(tmp_path: Path):
    make_corpus(tmp_path / "repo", 160)
    err = tmp_path / "stderr"
    with open(err, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "repo")],
                                stdout=subprocess.PIPE, stderr=fh, text=True,
                                start_new_session=True)
        try:
            assert proc.stdout.readline() == "parsing\n"  # workers up, results flowing
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            deadline = time.monotonic() + 60
            while _group_alive(proc.pid):  # every worker (and the resource tracker) ends
                assert time.monotonic() < deadline, "the workers outlived their parent by 60 s"
                time.sleep(0.05)
        finally:
            if _group_alive(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
    assert err.read_text() == ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
