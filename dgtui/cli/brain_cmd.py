"""``dgtui brain``: the project brain, insights shared by everyone who works on a repository."""

from __future__ import annotations

import json
import os
import time

import click

from ..model import CONFIDENCES, INSIGHT_KINDS
from ..terminal_text import inert
from .chat_cmd import user_option
from .common import Repo, emit, output_options, repo_options
from .errors import CliError

_LIST_COLUMNS = ["id", "kind", "confidence", "status", "text", "atoms", "author"]


def _brain(repo: Repo):
    """The brain, with the index (read only) when there is one."""
    from ..chat.brain import ProjectBrain
    from ..query import open_index

    paths = repo.paths
    index = open_index(paths.index_db, repo.root) if os.path.exists(paths.index_db) else None
    return ProjectBrain.open(paths, index), index


def _author(user: str | None) -> str:
    from ..paths import default_user, validate_id

    return validate_id(user, "user id") if user else default_user()


@click.group()
def brain() -> None:
    """Insights about this repository: architecture, decisions, patterns, risks, context.

    \b
      dgtui brain add --kind decision --atom pkg/db.py::write "writes go through the engine"
      dgtui brain list [--stale]
      dgtui brain show 3
      dgtui brain rm 3
    Shared by every user of the repository; never holds chat messages. An insight about atoms
    turns stale when one of them changes or disappears.
    """


@brain.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(INSIGHT_KINDS), default="context", show_default=True)
@click.option("--atom", "atoms", multiple=True, metavar="ID",
              help="An atom it is about (id or name; repeat for several).")
@click.option("--file", "files", multiple=True, metavar="PATH",
              help="A file it is about (repeat for several).")
@click.option("--confidence", type=click.Choice(CONFIDENCES), default="medium",
              show_default=True)
@repo_options
@user_option(text="The author (default: $DGTUI_USER, else your login name).")
@click.option("--json", "as_json", is_flag=True, help="Print the insight as JSON.")
def add(text: tuple[str, ...], kind: str, atoms: tuple[str, ...], files: tuple[str, ...],
        confidence: str, repo: Repo, user: str | None, as_json: bool) -> None:
    """Add an insight by hand."""
    body = " ".join(text).strip()
    if not body:
        raise CliError("an insight needs some text")
    pb, index = _brain(repo)
    try:
        paths = [_indexed_file(index, f) for f in files]
        insight = pb.add(kind, body, _author(user), atoms=atoms, files=paths,
                         confidence=confidence, provenance="manual", source="user")
    finally:
        pb.close()
        if index is not None:
            index.close()
    if as_json:
        click.echo(json.dumps(insight.to_dict(), indent=2))
        return
    about = f" about {len(insight.atoms)} atom(s)" if insight.atoms else ""
    click.echo(f"added insight {insight.id} ({insight.kind}){about} at transaction "
               f"{insight.graph_version}")


def _indexed_file(index, path: str) -> str:
    path = path.strip().removeprefix("./")
    if index is None:
        return path
    from .. import query as q

    if q.unindexed_files(index, [path]):
        raise CliError(f"{path} is not an indexed file of this repository")
    return path


@brain.command(name="list")
@click.option("--stale", is_flag=True, help="Only insights whose atoms changed since.")
@click.option("--kind", type=click.Choice(INSIGHT_KINDS), default=None)
@click.option("--atom", default=None, metavar="ID", help="Only insights about this atom id.")
@repo_options
@output_options
def list_(stale: bool, kind: str | None, atom: str | None, repo: Repo, fmt, output) -> None:
    """The insights, oldest first, each marked current or stale."""
    pb, index = _brain(repo)
    try:
        rows = [s.to_dict() for s in pb.list(stale_only=stale, kind=kind, atom_id=atom)]
        if index is not None:
            from .. import query as q

            repo.version = q.version(index)
    finally:
        pb.close()
        if index is not None:
            index.close()
    if fmt not in ("json", "ndjson"):
        for row in rows:
            row["atoms"] = " ".join(a["id"] for a in row["atoms"])
    emit(rows, _LIST_COLUMNS, fmt, output, repo=repo)


@brain.command()
@click.argument("insight_id", type=int)
@repo_options
@click.option("--json", "as_json", is_flag=True, help="Print as one JSON object.")
def show(insight_id: int, repo: Repo, as_json: bool) -> None:
    """One insight: its text, what it is about, whether it still holds, and its log."""
    pb, index = _brain(repo)
    try:
        status = pb.get(insight_id, with_log=True)
    finally:
        pb.close()
        if index is not None:
            index.close()
    row = status.to_dict()
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    # The text, authors, tools, ids and paths came from people and clients (MCP's add_insight):
    # made inert before they reach the terminal.
    i = status.insight
    click.echo(click.style(f"insight {i.id} · {i.kind} · {i.confidence} confidence", bold=True))
    click.echo(inert(i.text, layout=True))
    click.echo(inert(f"by {i.author}, {_when(i.created_at)}; {_provenance(i)}; written at "
                     f"transaction {i.graph_version}"))
    for a in i.atoms:
        click.echo(f"  atom {inert(a.atom_id)}")
    for f in i.files:
        click.echo(f"  file {inert(f)}")
    click.echo(inert(f"status: {status.summary()}"))
    for c in status.changes:
        for e in c.get("events", []):
            what = f": {', '.join(e['changed'])}" if e["changed"] else ""
            click.echo(inert(f"  transaction {e['transaction_id']} ({e['source']}, "
                             f"{_when(e['time'])}) {e['operation']} {c['atom_id']}{what}"))
    for e in status.log:
        click.echo(click.style(inert(f"log: {_when(e.timestamp)} {e.operation} by {e.author} "
                                     f"via {e.source}"), dim=True))


@brain.command()
@click.argument("insight_id", type=int)
@repo_options
@user_option(text="Who removes it, for the brain's log (default: $DGTUI_USER or login).")
def rm(insight_id: int, repo: Repo, user: str | None) -> None:
    """Remove an insight (its log keeps a copy)."""
    pb, index = _brain(repo)
    try:
        removed = pb.remove(insight_id, _author(user), source="user")
    finally:
        pb.close()
        if index is not None:
            index.close()
    click.echo(f"removed insight {removed.id} ({removed.kind})")


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def _provenance(i) -> str:
    return {"manual": "added by hand", "promoted": "promoted from a chat answer",
            "tool": f"added by {i.tool or 'a tool'}"}.get(i.provenance, i.provenance)
