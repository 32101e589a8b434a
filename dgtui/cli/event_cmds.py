"""The event log from the command line: events, history, replay."""

from __future__ import annotations

import time
from dataclasses import replace

import click

from .common import NUMBER, Repo, emit, file_option, output_options, positive, repo_options
from .errors import CliError

_EVENT_COLUMNS = ["time", "transaction_id", "source", "operation", "atom_id", "changed"]


def parse_when(value: str) -> float:
    """A time as a user writes it: unix seconds, ISO 8601, or an age like 10m, 2h, 3d."""
    from ..query import QueryError, parse_time

    try:
        return parse_time(value)
    except QueryError as exc:
        raise CliError(str(exc)) from None


def _rows_for_table(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        r = dict(r)
        r["time"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["time"]))
        r["changed"] = ",".join(r["changed"])
        out.append(r)
    return out


@click.command()
@click.option("--since", default=None, metavar="WHEN|SESSION",
              help="Events at or after WHEN (10m, 2h, ISO time), or since a session began (s42, last).")
@click.option("--until", default=None, metavar="WHEN", help="Events at or before WHEN.")
@click.option("--atom", default=None, metavar="ID", help="Events of one atom (an id).")
@file_option("Events in files matching GLOB")
@click.option("--source", default=None, help="index, file-watcher, atomic-edit, mcp, user, import.")
@click.option("--transaction", type=NUMBER, default=None, metavar="N", help="Events of transaction N.")
@click.option("--limit", type=int, default=100, show_default=True, callback=positive)
@click.option("--no-moves", "hide_moves", is_flag=True,
              help="Leave out updates that only moved an atom (its line numbers).")
@click.option("--edges", "edge_diff", is_flag=True,
              help="The caller -> callee edges each transaction added or removed, instead.")
@repo_options
@output_options
def events(since, until, atom, file_glob, source, transaction, limit, hide_moves, edge_diff,
           repo: Repo, fmt, output) -> None:
    """The event log, newest first: every create, update and delete of an atom."""
    from .. import query as q
    from ..model import EventFilter

    session = since is not None and q.is_session_ref(since)
    since_t = parse_when(since) if since and not session else None
    until_t = parse_when(until) if until else None
    with repo.snapshot() as store:
        # a session: from its first transaction on
        after_tx = q.since_point(store, since).after_tx if session else None
        if edge_diff:
            rows = q.edge_events(store, since=since_t, until=until_t, transaction=transaction,
                                 atom=atom, limit=limit + 1, since_transaction=after_tx)
            more = len(rows) > limit
            emit(rows[:limit], ["transaction_id", "operation", "source_id", "target_id"], fmt,
                 output, repo=repo)
            if more:
                click.echo(f"dgtui: the first {limit:,} edge changes, newest first; more exist "
                           "(--limit N for more)", err=True)
            return
        f = EventFilter(atom=atom, file_glob=file_glob, source=source, transaction=transaction,
                        since=since_t, until=until_t, hide_moves=hide_moves, limit=limit,
                        since_transaction=after_tx)
        rows = q.events(store, f)
        total = q.count_events(store, replace(f, limit=None)) if len(rows) == limit else len(rows)
    if fmt in ("json", "ndjson"):
        emit(rows, _EVENT_COLUMNS, fmt, output, repo=repo)
    else:
        emit(_rows_for_table(rows), _EVENT_COLUMNS, fmt, output, repo=repo)
    if total > len(rows):  # said on stderr: the listing itself stays data
        click.echo(f"dgtui: {len(rows):,} of {total:,} events, newest first; --limit N for more",
                   err=True)


@click.command()
@click.argument("atom")
@repo_options
@output_options
def history(atom: str, repo: Repo, fmt, output) -> None:
    """Every version of ATOM, oldest first, with what changed (renames followed back)."""
    from .. import query as q

    with repo.snapshot() as store:
        stored = q.stored_atom(store, atom)
        atom_id = stored.id if stored else _deleted_or_resolved(store, atom)
        rows = q.history(store, atom_id)
    if not rows:
        raise CliError(f"no events for {atom!r}")
    if fmt in ("json", "ndjson"):
        emit(rows, _EVENT_COLUMNS, fmt, output, repo=repo)
    else:
        emit(_rows_for_table(rows), ["time", "transaction_id", "source", "operation",
                                     "new_version", "changed", "atom_id"], fmt, output, repo=repo)


def _deleted_or_resolved(store, ref: str) -> str:
    """An id that no longer exists still has a history; otherwise resolve a name."""
    from .. import query as q

    if q.has_history(store, ref):
        return ref
    return q.resolve_atom(store, ref).id


@click.command()
@click.option("--at", "at", required=True, metavar="WHEN|TX",
              help="A transaction id (e.g. 812) or a time (ISO, unix seconds, or an age like 2h).")
@click.option("--edges", "show_edges", is_flag=True, help="List the edges instead of the atoms.")
@repo_options
@output_options
def replay(at: str, show_edges: bool, repo: Repo, fmt, output) -> None:
    """The atoms (or edges) as they were at a transaction or a time, rebuilt from the event log."""
    from .. import query as q

    with repo.snapshot() as store:
        last = q.version(store)
        if at.strip().isdigit():
            tx = int(at)
            if tx > last:
                raise CliError(f"there is no transaction {tx}: the last is {last} "
                               "(`dgtui events` lists them)")
        else:
            tx = q.transaction_at(store, parse_when(at))
        atoms, edges = q.replay(store, tx)
    if show_edges:
        emit(edges, ["source_id", "line", "callee", "resolution", "target_id"], fmt, output,
             title=f"edges at transaction {tx}", repo=repo)
        return
    rows = [dict(a.to_state(), calls=[list(c) for c in a.calls]) for a in atoms]
    emit(rows, ["name", "kind", "file_path", "line", "end_line", "id"], fmt, output,
         title=f"atoms at transaction {tx}", repo=repo)


@click.command()
@click.option("--gap", default=None, metavar="DURATION",
              help="A pause longer than this ends a session (300, 10m, 1h; default: "
                   "$DGTUI_SESSION_GAP, else 5m).")
@click.option("--limit", type=int, default=None, callback=positive,
              help="Only the latest N sessions.")
@repo_options
@output_options
def sessions(gap, limit, repo: Repo, fmt, output) -> None:
    """Edit sessions: runs of transactions by one source (and MCP client) with no long pause,
    oldest first. Any --since takes a session's id (s42) or `last`."""
    from .. import query as q

    seconds = None
    if gap is not None:
        seconds = q.parse_gap(gap)
        if seconds is None:
            raise CliError(f"--gap {gap!r} is not a duration: use seconds (300) or 10m, 1h")
    with repo.snapshot() as store:
        found = q.sessions(store, seconds)
    if limit is not None:
        found = found[-limit:]
    rows = [s.as_dict() for s in found]
    if fmt in ("json", "ndjson"):
        emit(rows, _SESSION_COLUMNS, fmt, output, repo=repo)
        return
    for r in rows:
        r["editor"] = r["source"] + (f" ({r['client']})" if r["client"] else "")
        r["from"] = time.strftime("%Y-%m-%d %H:%M", time.localtime(r["started_at"]))
        r["to"] = time.strftime("%H:%M", time.localtime(r["ended_at"]))
    emit(rows, ["id", "editor", "from", "to", "transactions", "atoms", "files"], fmt, output,
         repo=repo)


_SESSION_COLUMNS = ["id", "source", "client", "first_tx", "last_tx", "started_at", "ended_at",
                    "transactions", "atoms", "files", "title"]
