"""``dgtui graph``: the call graph around an atom, or around the atoms a query selects, as
DOT, GraphML, Mermaid or node-link JSON."""

from __future__ import annotations

import sys

import click

from .common import Repo, ask_to_replace, command_meta, force_option, forced, positive, repo_options
from .errors import CliError
from .query_cmds import FILTER_NAMES, atom_filter, filter_options

GRAPH_FORMATS = ("dot", "graphml", "mermaid", "json")


@click.command()
@click.argument("atom", required=False)
@click.option("--depth", type=int, default=1, show_default=True, callback=positive,
              help="How many calls to follow from the start atoms.")
@click.option("--direction", type=click.Choice(["callers", "callees", "both"]), default="both",
              show_default=True, help="Follow who calls them, what they call, or both.")
@click.option("--include-unresolved", is_flag=True,
              help="Add the unresolved and ambiguous calls of the atoms whose callees are followed.")
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default=None,
              help="Output format (default: from the -o extension .dot/.gv/.graphml/.mmd/.json, else dot).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (atomically) instead of standard output.")
@force_option
@click.option("--max-nodes", type=int, default=1000, show_default=True, callback=positive,
              help="Stop adding atoms at this many (the export says it was cut).")
@filter_options
@click.option("--limit", type=int, default=200, show_default=True, callback=positive,
              help="With filters: at most this many start atoms.")
@repo_options
def graph(atom: str | None, depth: int, direction: str, include_unresolved: bool, fmt: str | None,
          output: str | None, max_nodes: int, limit: int, repo: Repo, **filters) -> None:
    """The call graph around ATOM, or around the atoms the filters select.

    \b
      dgtui graph save_atom --depth 2 -o save_atom.dot
      dgtui graph --file 'pkg/*' --direction callees --format mermaid
      dgtui graph handle --include-unresolved --format json
    """
    from .. import query as q
    from ..graph import export as graph_export
    from ..output import write_text

    chosen = {k: v for k, v in filters.items() if k in FILTER_NAMES and v not in (None, False)}
    if atom and chosen:
        raise click.UsageError("give ATOM or query filters, not both")
    if not atom and not chosen:
        raise click.UsageError("name an ATOM, or give query filters (--kind, --file, --calls...) "
                               "to pick the start atoms")
    with repo.snapshot() as store:
        if atom:
            stored = q.resolve_atom(store, atom)
            starts = [stored.id]
            what = stored.id
        else:
            starts = q.ids(q.query(store, atom_filter(filters), limit=limit))
            if not starts:
                raise CliError("no atoms match the filters")
            what = f"{len(starts)} atom(s) matching the filters"
        sub = q.subgraph(store, starts, depth, direction, include_unresolved, max_nodes)
    fmt = graph_export.format_for(output, fmt)
    title = f"call graph of {what} ({direction}, depth {depth})"
    meta = command_meta(repo, title)
    meta.update(format=fmt, starts=starts, truncated=sub["truncated"])
    text = graph_export.render(sub, fmt, meta)
    if sub["truncated"]:
        click.echo(f"dgtui: the graph was cut at {max_nodes} atoms; raise --max-nodes for more",
                   err=True)
    if output is None:
        sys.stdout.write(text)
        return
    write_text(output, text, home=repo.home, force=forced(), confirm=ask_to_replace)
