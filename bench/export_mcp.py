"""Export and MCP figures on a real repository, with anchors measured in the same run (the
machine's speed varies: compare ratios, not seconds).

    python bench/export_mcp.py ~/.cache/dgtui-corpus/django [--home DIR]

Without ``--home`` the repository is indexed into a temporary data home first. Anchors: a
full-text search (``dgtui search``'s work) and the same questions asked in-process, so the MCP
figures show what the protocol and the subprocess add.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time

from dgtui import output
from dgtui import query as q
from dgtui.graph import export as graph_export
from dgtui.model import AtomFilter
from dgtui.paths import RepoPaths, repository_root
from dgtui.store import Store


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def hub(store: Store) -> str:
    """The atom with the most distinct callers: the worst case for a graph around one atom."""
    return store.conn.execute(
        "SELECT target_id FROM edges WHERE target_id IS NOT NULL GROUP BY target_id "
        "ORDER BY count(DISTINCT source_id) DESC LIMIT 1").fetchone()[0]


def tables(store: Store, folder: str) -> None:
    rows = q.query(store, AtomFilter())
    cols = ["name", "kind", "file_path", "line", "end_line", "id", "complexity"]
    meta = output.export_meta("query", repository=store.path, graph_version=1)
    print(f"\ntable export of every atom ({len(rows):,} rows), file with its record:")
    for fmt in ("csv", "tsv", "json", "ndjson", "md"):
        path = os.path.join(folder, f"atoms.{fmt}")
        s = timed(lambda fmt=fmt, path=path: output.emit(rows, cols, fmt, path, meta=meta), 3)
        print(f"  {fmt:<7} {s * 1000:7.0f} ms  {len(rows) / s:>10,.0f} rows/s  "
              f"{os.path.getsize(path) / 1e6:5.1f} MB")


def graphs(store: Store, start: str) -> None:
    print(f"\ngraph around the hub {start}:")
    for depth, direction, limit in ((1, "both", None), (2, "both", 1000), (3, "callers", 5000)):
        sub_s = timed(lambda d=depth, w=direction, n=limit: q.subgraph(store, [start], d, w, max_nodes=n), 3)
        sub = q.subgraph(store, [start], depth, direction, max_nodes=limit)
        figures = [f"{fmt} {timed(lambda g=sub, f=fmt: graph_export.render(g, f, {}), 3) * 1000:.0f}"
                   for fmt in graph_export.FORMATS]
        print(f"  depth {depth} {direction:<7} {len(sub['nodes']):>5} nodes {len(sub['edges']):>6} "
              f"edges{' (cut)' if sub['truncated'] else '      '}  collect {sub_s * 1000:6.1f} ms;"
              f" render ms: {', '.join(figures)}")


async def mcp(root: str, home: str, start: str, anchors: dict[str, float]) -> None:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "dgtui", "mcp", root],
                                   env={"DGTUI_HOME": home})
    t0 = time.perf_counter()
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            t_init = time.perf_counter() - t0
            await session.call_tool("index_status", {})
            t_first = time.perf_counter() - t0
            print(f"\nMCP server: initialized {t_init * 1000:.0f} ms after spawn; first answer "
                  f"(after the reconcile with the disk) {t_first * 1000:.0f} ms")
            calls = {"search_atoms": {"text": "save form"},
                     "callers": {"atom": start, "depth": 1},
                     "impact": {"atom": start, "max_depth": 3},
                     "get_atom": {"atom": start},
                     "recent_changes": {"since_transaction": 0, "limit": 100}}
            for tool, args in calls.items():
                runs = []
                for _ in range(7):
                    t = time.perf_counter()
                    result = await session.call_tool(tool, args)
                    runs.append(time.perf_counter() - t)
                    assert not result.is_error, result.content
                s = statistics.median(runs)
                size = len(result.content[0].text)
                anchor = anchors.get(tool)
                ratio = f"  x{s / anchor:5.1f} the in-process question" if anchor else ""
                print(f"  {tool:<15} {s * 1000:7.1f} ms  {size / 1000:6.1f} kB{ratio}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--home", default=None)
    args = ap.parse_args()
    root = repository_root(args.root)
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or os.path.join(tmp, "home")
        paths = RepoPaths.for_root(root, home)
        if not os.path.exists(paths.index_db):
            from dgtui.engine.indexer import Indexer

            t0 = time.perf_counter()
            with Store.open(paths.index_db) as store:
                Indexer(root, store).run()
            print(f"indexed {root} in {time.perf_counter() - t0:.1f} s")
        store = Store.open(paths.index_db)
        counts = store.atoms.counts()
        print(f"{root}: {counts['atoms']:,} atoms, {counts['edges']:,} calls")
        start = hub(store)
        anchors = {
            "search_atoms": timed(lambda: q.search(store, "save form", limit=20)),
            "callers": timed(lambda: q.callers(store, start, 1)),
            "impact": timed(lambda: q.impact(store, start, 3)),
        }
        print(f"anchor: search 'save form' {anchors['search_atoms'] * 1000:.1f} ms, callers of "
              f"the hub {anchors['callers'] * 1000:.1f} ms, its impact to depth 3 "
              f"{anchors['impact'] * 1000:.1f} ms (in-process)")
        tables(store, tmp)
        graphs(store, start)
        store.close()
        asyncio.run(mcp(root, home, start, anchors))


if __name__ == "__main__":
    main()
