"""The walks the panes, chat and MCP ask, answered from SQLite and from a networkx graph in memory.

    python -m bench.graph_walks [REPO] [--sample 300] [--json]    # index REPO first: dgtui index REPO

REPO defaults to the Django corpus (``../shared/corpus/fetch.sh``). Measures, on one read-only
snapshot of the index:

* the in-memory graph's cost: importing networkx (a fresh process), loading every atom and
  resolved call into a ``DiGraph`` (what a live graph pays at start, and again on a reload), and
  the resident memory it holds;
* each walk both ways, per atom of a random sample of atoms that take part in a call: callers and
  callees one level (what a call tree pane asks), impact to depth 20 (transitive callers, the MCP
  ``impact`` tool), the shortest call cycle through an atom, a call path between two atoms (half
  of the pairs connected) and, for the atoms in a cycle, the first five cycles through them (the
  chat's "cycles through X": networkx on the atom's strongly connected part either way). The in-memory side gives ids; a pane or a tool then needs the
  atoms' rows, so it is timed both bare and with the rows read from SQLite (``+ rows``).

Prints milliseconds per walk (p50 / p95 / max) and the totals; the decision this led to is in
docs/architecture.md ("One graph").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import percentiles

DEPTH = 20  # impact: the MCP tool's default depth


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def import_seconds(module: str) -> float:
    """Seconds to import ``module`` in a fresh interpreter (median of three)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = sorted(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout) for _ in range(3))
    return runs[1]


def load_graph(store):
    """The whole graph in memory, as a live graph held it: atoms as nodes, resolved calls."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from((i, {"name": n, "kind": k, "file": f}) for i, n, k, f in store.conn.execute(
        "SELECT id, name, kind, file_path FROM atoms"))
    g.add_edges_from(store.atoms.resolved_pairs())
    return g


def sql_path(store, start: str, goal: str) -> list[str] | None:
    """A shortest call path start -> goal, walking the edges table from both ends a level at a
    time (the side with the smaller frontier first)."""
    if start == goal:
        return [start]
    down: dict[str, tuple[str | None, int]] = {start: (None, 0)}  # node -> (reached from, depth)
    up: dict[str, tuple[str | None, int]] = {goal: (None, 0)}
    fdown, fup = [start], [goal]
    while fdown and fup:
        downward = len(fdown) <= len(fup)
        side, other = (down, up) if downward else (up, down)
        found = []
        pairs = (((s, t) for _, s, t in store.atoms.edge_targets_from(fdown)) if downward
                 else ((t, s) for s, t, _ in store.atoms.caller_pairs(fup)))
        for here, there in pairs:
            if there is not None and there not in side:
                side[there] = (here, side[here][1] + 1)
                found.append(there)
        meets = [n for n in found if n in other]
        if meets:
            meet = min(meets, key=lambda n: down[n][1] + up[n][1])
            path, node = [], meet
            while node is not None:
                path.append(node)
                node = down[node][0]
            path.reverse()
            node = up[meet][0]
            while node is not None:
                path.append(node)
                node = up[node][0]
            return path
        if downward:
            fdown = found
        else:
            fup = found
    return None


def memory_cycle_length(g, atom_id: str) -> int | None:
    frontier, seen, length = [atom_id], {atom_id}, 0
    while frontier:
        length += 1
        following = []
        for node in frontier:
            for callee in g.successors(node):
                if callee == atom_id:
                    return length
                if callee not in seen:
                    seen.add(callee)
                    following.append(callee)
        frontier = following
    return None


def time_each(items: list[Any], fn: Callable[[Any], Any]) -> tuple[list[float], list[Any]]:
    times, out = [], []
    for item in items:
        t0 = time.perf_counter()
        out.append(fn(item))
        times.append((time.perf_counter() - t0) * 1000)
    return times, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", nargs="?", default=str(Path(os.environ.get(
        "DGTUI_CORPUS", Path.home() / ".cache" / "dgtui-corpus")) / "django"))
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from dgtui import query as q
    from dgtui.paths import RepoPaths, repository_root

    paths = RepoPaths.for_root(repository_root(args.repo))
    if not os.path.exists(paths.index_db):
        sys.exit(f"no index of {args.repo}: run `dgtui index {args.repo}` first")
    store = q.open_index(paths.index_db)
    store.conn.execute("BEGIN")  # one snapshot for both sides
    figures: dict[str, Any] = {"import_networkx_s": import_seconds("networkx")}

    import networkx as nx

    before = rss_mb()
    t0 = time.perf_counter()
    g = load_graph(store)
    figures["load_s"] = time.perf_counter() - t0
    figures["graph_mb"] = rss_mb() - before
    figures["nodes"], figures["edges"] = g.number_of_nodes(), g.number_of_edges()
    loads = []
    for _ in range(2):
        t0 = time.perf_counter()
        load_graph(store)
        loads.append(time.perf_counter() - t0)
    figures["load_again_s"] = min(loads)

    rng = random.Random(16)
    linked = sorted(n for n in g if g.degree(n))
    sample = rng.sample(linked, min(args.sample, len(linked)))
    most_called = sorted(g, key=g.in_degree, reverse=True)[:10]
    impact_sample = most_called + sample[: max(0, 60 - len(most_called))]
    pairs = []
    for a in sample[:100]:
        reach = nx.single_source_shortest_path_length(g, a, cutoff=8)
        far = sorted(n for n, d in reach.items() if d >= 2)
        pairs.append((a, rng.choice(far) if far and len(pairs) % 2 == 0 else rng.choice(linked)))
    rev = g.reverse(copy=False)

    def mem_impact(a):
        dist = nx.single_source_shortest_path_length(rev, a, cutoff=DEPTH)
        dist.pop(a, None)
        return dist

    def mem_impact_rows(a):
        dist = mem_impact(a)
        return store.atoms.brief_rows(list(dist) + [a])

    def mem_cycles(a):  # what the live graph did: its part of the whole graph, then networkx
        scc = next(c for c in nx.strongly_connected_components(g) if a in c)
        sub = nx.DiGraph()
        sub.add_nodes_from(sorted(scc))
        sub.add_edges_from(sorted(g.subgraph(scc).edges))
        out = []
        for cycle in nx.simple_cycles(sub, length_bound=12):
            if a in cycle:
                i = cycle.index(a)
                out.append(cycle[i:] + cycle[:i])
                if len(out) >= 5:
                    break
        return out

    in_cycles = sorted(n for c in nx.strongly_connected_components(g) for n in c
                       if len(c) > 1 or g.has_edge(n, n))
    cyclic = rng.sample(in_cycles, min(30, len(in_cycles)))

    def mem_path(pair):
        try:
            return nx.shortest_path(g, *pair)
        except nx.NetworkXNoPath:
            return None

    walks: list[tuple[str, list[Any], Callable, Callable, Callable | None]] = [
        ("callers, one level", sample, lambda a: q.call_children(store, a, upward=True),
         lambda a: list(g.predecessors(a)), lambda a: store.atoms.summaries(list(g.predecessors(a)))),
        ("callees, one level", sample, lambda a: q.call_children(store, a, upward=False),
         lambda a: list(g.successors(a)), lambda a: store.atoms.summaries(list(g.successors(a)))),
        (f"impact, depth {DEPTH}", impact_sample, lambda a: q.impact(store, a, DEPTH), mem_impact,
         mem_impact_rows),
        ("transitive caller count", impact_sample, lambda a: q.transitive_caller_count(store, a)[0],
         lambda a: len(nx.ancestors(g, a)), None),
        ("shortest cycle through", sample, lambda a: q.cycle_length(store, a),
         lambda a: memory_cycle_length(g, a), None),
        ("path between two atoms", pairs, lambda p: sql_path(store, *p), mem_path, None),
        ("cycles listed through", cyclic, lambda a: q.cycles_through(store, a, limit=5), mem_cycles,
         None),
    ]
    rows = []
    for name, items, sql, mem, mem_rows in walks:
        sql_ms, sql_out = time_each(items, sql)
        mem_ms, mem_out = time_each(items, mem)
        row = {"walk": name, "n": len(items), "sql": percentiles(sql_ms), "memory": percentiles(mem_ms),
               "sql_total_ms": sum(sql_ms), "memory_total_ms": sum(mem_ms)}
        if mem_rows is not None:
            rows_ms, _ = time_each(items, mem_rows)
            row["memory_rows"] = percentiles(rows_ms)
            row["memory_rows_total_ms"] = sum(rows_ms)
        if name.startswith("impact"):
            assert [len(o["callers"]) for o in sql_out] == [len(o) for o in mem_out], name
        elif name.startswith(("transitive", "shortest", "cycles")):
            assert sql_out == mem_out, name
        elif name.startswith("path"):
            assert [len(o) if o else None for o in sql_out] == [len(o) if o else None for o in mem_out], name
        rows.append(row)
    store.conn.execute("COMMIT")
    figures["walks"] = rows

    print(f"{args.repo}: {figures['nodes']:,} atoms, {figures['edges']:,} resolved caller->callee pairs")
    print(f"in-memory graph: import networkx {figures['import_networkx_s'] * 1000:.0f} ms, "
          f"load {figures['load_s'] * 1000:.0f} ms (again {figures['load_again_s'] * 1000:.0f} ms), "
          f"+{figures['graph_mb']:.0f} MB resident")
    print(f"{'walk (ms per walk)':26} {'n':>4} {'SQL p50':>8} {'p95':>7} {'max':>7} │ "
          f"{'memory p50':>10} {'p95':>7} {'max':>7} │ {'+ rows p50':>10} {'p95':>7}")
    for r in rows:
        s, m, mr = r["sql"], r["memory"], r.get("memory_rows")
        tail = f"{mr['p50']:10.2f} {mr['p95']:7.2f}" if mr else f"{'–':>10} {'–':>7}"
        print(f"{r['walk']:26} {r['n']:4} {s['p50']:8.2f} {s['p95']:7.2f} {s['max']:7.1f} │ "
              f"{m['p50']:10.3f} {m['p95']:7.3f} {m['max']:7.1f} │ {tail}")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
