"""How long the local answerer takes per intent on a real repository, against anchors measured
in the same run (the machine's speed varies: compare ratios, not seconds).

    python -m bench.chat_answers ~/.cache/dgtui-corpus/django   # index it first: dgtui index PATH

Anchors: a full-text search (``dgtui search``'s work) and loading the whole call graph into
networkx (``bench/graph_walks.py``'s ``load_graph``: what a live in-memory graph paid at start).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

from bench.graph_walks import load_graph
from dgtui import query as q
from dgtui.chat import ChatSession
from dgtui.paths import RepoPaths, repository_root
from dgtui.store.readonly import open_index_readonly

QUESTIONS = [
    "where is get_object_or_404 defined?",
    "who calls get_object_or_404?",
    "who calls getobjector404?",          # fuzzy: normalized
    "who calls get_object_or_4044?",      # fuzzy: closest spelling
    "who calls QuerySet.filter to depth 2",
    "what does Model.save call?",
    "impact of changing QuerySet.filter",
    "which async functions call sync_to_async?",
    "what changed recently?",
    "unresolved calls in django/db/models/query.py",
    "dead code in django/db",
    "cycles through QuerySet._filter_or_exclude",
    "most complex functions in django/db/models",
    "how are migrations applied?",
]


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main(root: str) -> None:
    paths = RepoPaths.for_root(repository_root(root))
    store = open_index_readonly(paths.index_db)
    search_s = timed(lambda: q.search(store, "save form"))
    load_s = timed(lambda: load_graph(store), repeat=3)
    stats = q.stats(store)
    print(f"{root}: {stats['atoms']:,} atoms, {stats['edges']:,} calls")
    print(f"anchor search 'save form': {search_s * 1000:.1f} ms; anchor loading the graph: "
          f"{load_s * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as home:
        chat_paths = RepoPaths(paths.root, paths.home, paths.repo_id)
        t0 = time.perf_counter()
        session = ChatSession.open(chat_paths, "bench")
        open_s = time.perf_counter() - t0
        # keep the benchmark's chat out of the user's data home
        session.paths = RepoPaths(paths.root, home, paths.repo_id)
        print(f"open session: {open_s * 1000:.1f} ms")
        print(f"{'question':48} {'intent':14} {'first ms':>9} {'again ms':>9} {'x search':>9} "
              f"{'x load':>7} atoms")
        for question in QUESTIONS:
            t0 = time.perf_counter()
            answer = session.ask(question)
            first = time.perf_counter() - t0
            again = timed(lambda q=question: session.ask(q), repeat=3)
            print(f"{question[:48]:48} {answer.intent:14} {first * 1000:9.1f} {again * 1000:9.1f} "
                  f"{again / search_s:9.1f} {again / load_s:7.2f} {len(answer.atoms)}")
        t0 = time.perf_counter()
        history = session.history()
        print(f"history of {len(history)} messages with changes since: "
              f"{(time.perf_counter() - t0) * 1000:.1f} ms")
        session.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
