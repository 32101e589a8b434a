"""The review of an agent-sized change on Django: ``python -m bench.review_bench``.

Copies the pinned Django corpus into a temporary git repository, commits it, indexes it, then
edits 50 files as an agent would (renames, new required parameters, new parameters with a
default, new functions), indexes again (as a running watcher would have) and times
``dgtui diff`` against HEAD: end to end as a command (a fresh process: start-up, git, parsing
both sides, callers and tests from the index), and the review itself inside one process.
Prints the figures; the target is under a second.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench.common import corpus_root

FILES = 50
RUNS = 5
_DEF = re.compile(r"^(\s*)def (\w+)\(", re.MULTILINE)


def git(root: str, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@b")
    subprocess.run(["git", "-C", root, *args], check=True, capture_output=True, env=env)


def dgtui(home: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dgtui", *args, "--home", home],
                          capture_output=True, text=True, check=True)


def edit(path: str, n: int) -> None:
    """One agent edit of one file, of one of four kinds."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    match = _DEF.search(text)
    assert match, path
    name = match.group(2)
    start = match.start(2)
    if n % 4 == 0:  # a rename
        text = text[:start] + name + "_renamed" + text[start + len(name):]
    elif n % 4 == 1:  # a new required first parameter (breaking)
        at = match.end()
        text = text[:at] + "agent_arg, " + text[at:]
    elif n % 4 == 2:  # a new parameter with a default (compatible), when the list is one line
        end = text.find("\n", match.end())
        line = text[match.end():end]
        if line.endswith("):") and "*" not in line:
            extra = "agent_opt=None" if line == "):" else ", agent_opt=None"
            text = text[:end - 2] + extra + text[end - 2:]
        else:
            text = text + "\n\ndef agent_helper_%d(value=None):\n    return value\n" % n
    else:  # a new function calling an existing one
        text = text + "\n\ndef agent_new_%d():\n    return %s\n" % (n, name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (git): on a busy machine, what
    the wall time would be on an idle core, near enough."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    corpus = corpus_root("django")
    if corpus is None:
        sys.exit("the Django corpus is not fetched: run shared/corpus/fetch.sh first")
    work = tempfile.mkdtemp(prefix="dgtui-review-bench-")
    try:
        root, home = os.path.join(work, "django"), os.path.join(work, "home")
        shutil.copytree(corpus, root)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "base")
        dgtui(home, "index", root)
        candidates = []
        for folder, _dirs, names in os.walk(os.path.join(root, "django")):
            for name in sorted(names):
                path = os.path.join(folder, name)
                if name.endswith(".py") and "/tests/" not in path:
                    with open(path, encoding="utf-8") as fh:
                        if _DEF.search(fh.read()):
                            candidates.append(path)
        candidates.sort()
        step = max(1, len(candidates) // FILES)
        chosen = candidates[::step][:FILES]
        for n, path in enumerate(chosen):
            edit(path, n)
        dgtui(home, "index", root)  # the index follows the edits, as a running watcher would

        wall, wall_cpu = [], []
        for _ in range(RUNS):
            t0, c0 = time.perf_counter(), _cpu()
            out = dgtui(home, "diff", "--path", root, "--json")
            wall.append(time.perf_counter() - t0)
            wall_cpu.append(_cpu() - c0)
        review = json.loads(out.stdout)

        from dgtui import query
        from dgtui.engine.patterns import rules_for
        from dgtui.paths import RepoPaths
        from dgtui.query.review import review_revision

        store = query.open_index(RepoPaths.for_root(root, home).index_db, root)
        inside, cpu = [], []
        for _ in range(RUNS + 1):
            t0, c0 = time.perf_counter(), _cpu()
            review_revision(store, root, "HEAD", ignored=rules_for(root, store).is_ignored)
            inside.append(time.perf_counter() - t0)
            cpu.append(_cpu() - c0)
        store.close()
        print(f"review of {len(chosen)} changed files on Django "
              f"({len(review['atoms'])} atoms: {review['counts']})")
        print(f"  dgtui diff --json, end to end (a fresh process): median {statistics.median(wall):.3f} s "
              f"(min {min(wall):.3f}, {RUNS} runs); CPU {statistics.median(wall_cpu):.3f} s")
        print(f"  the review in one process (git, parse both sides, risks, tests), first run: "
              f"{inside[0]:.3f} s wall, {cpu[0]:.3f} s CPU (this process and git)")
        print(f"  again in the same process (the old side's parse cached, as in `dgtui mcp`): "
              f"median {statistics.median(inside[1:]):.3f} s wall, {statistics.median(cpu[1:]):.3f} s CPU")
        print(f"  load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
