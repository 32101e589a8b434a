"""``dgtui chat``: ask questions answered from the call graph; the history is private per user."""

from __future__ import annotations

import json
import sys
import time

import click

from ..terminal_text import inert
from .common import Repo, emit, output_options, positive, repo_options
from .errors import CliError

_HISTORY_COLUMNS = ["id", "time", "role", "intent", "text", "status"]


def user_option(fn=None, *, text: str = "Whose chat (default: $DGTUI_USER, else your login "
                                         "name)."):
    """``--user ID``; ``text`` says what the user is to this command (owner, author)."""

    def decorate(f):
        return click.option("--user", default=None, envvar="DGTUI_USER", metavar="ID",
                            help=text)(f)

    return decorate(fn) if fn is not None else decorate


def _session(repo: Repo, user: str | None, require_index: bool = True):
    from ..chat import ChatSession

    return ChatSession.open(repo.paths, user, require_index=require_index)


@click.group()
def chat() -> None:
    """Ask questions answered from the index and the call graph, locally.

    \b
      dgtui chat ask "who calls saveAtom?"
      dgtui chat history
      dgtui chat clear --yes
    Your history is yours: it lives in chat-history/USER/REPO in dgtui's data home, readable by
    your account only, apart from the shared project brain (`dgtui brain`).
    """


@chat.command()
@click.argument("question", nargs=-1, required=True)
@repo_options
@user_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
def ask(question: tuple[str, ...], repo: Repo, user: str | None, as_json: bool) -> None:
    """Ask a question about the code and get an answer from the call graph.

    For example "who calls save_atom to depth 2?", "impact of changing write", "what changed
    since 2h?", "dead code in pkg" (docs/chat-and-brain.md lists every kind of question).
    """
    text = " ".join(question).strip()
    if not text:
        raise CliError("ask a question, e.g. dgtui chat ask \"who calls main?\"")
    with _session(repo, user) as session:
        answer = session.ask(text)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(inert(answer.text, layout=True))  # names and paths from the repository
    note = "search fallback" if answer.fallback else answer.intent
    click.echo(click.style(f"\n[{note} · {len(answer.atoms)} atom(s) · answered at transaction "
                           f"{answer.graph_version} · message {answer.message_id}]", dim=True))


@chat.command()
@repo_options
@user_option
@click.option("--limit", type=int, default=None, callback=positive, help="The last N messages.")
@output_options
def history(repo: Repo, user: str | None, limit: int | None, fmt, output) -> None:
    """Your conversation about this repository, with what changed since each answer."""
    with _session(repo, user, require_index=False) as session:
        entries = session.history(limit)
        if session.index is not None:  # for an export's record
            from .. import query as q

            repo.version = q.version(session.index)
    if fmt or output:
        rows = [e.to_dict() for e in entries]
        if fmt not in ("json", "ndjson"):
            for row in rows:
                row["time"] = _when(row["time"])
        emit(rows, _HISTORY_COLUMNS, fmt, output, repo=repo)
        return
    if not entries:
        click.echo("(no messages)")
    for e in entries:
        m = e.message
        who = "you" if m.role == "user" else f"dgtui ({m.intent})"
        click.echo(click.style(f"[{m.id}] {_when(m.created_at)} {who}", bold=True))
        click.echo(inert(m.text if m.role == "user" else _indent(m.text), layout=True))
        if m.role == "assistant":
            click.echo(click.style("  " + inert(e.summary), dim=True))
            for c in e.changed or []:
                click.echo(click.style(inert(f"    {c['atom_id']} {_change(c)}"), dim=True))


@chat.command()
@repo_options
@user_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
def clear(repo: Repo, user: str | None, yes: bool) -> None:
    """Delete your chat history about this repository (the project brain stays)."""
    with _session(repo, user, require_index=False) as session:
        if not yes:
            if not sys.stdin.isatty():
                raise CliError("not a terminal: pass --yes to clear the chat history")
            n = len(session.history(with_changes=False))
            click.confirm(f"Delete {n} message(s) of {session.user} about {repo.root}?",
                          abort=True)
        n = session.clear()
    click.echo(f"cleared {n} message(s)")


@chat.command()
@click.argument("message_id", type=int)
@repo_options
@user_option
@click.option("--save", is_flag=True, help="Save the draft to the project brain.")
@click.option("--kind", default=None, help="Override the proposed kind.")
@click.option("--text", default=None, help="Override the proposed text.")
@click.option("--json", "as_json", is_flag=True, help="Print the draft (or insight) as JSON.")
def promote(message_id: int, repo: Repo, user: str | None, save: bool, kind: str | None,
            text: str | None, as_json: bool) -> None:
    """Propose an insight from answer MESSAGE_ID; --save puts it in the project brain."""
    from dataclasses import asdict, replace

    with _session(repo, user) as session:
        draft = session.propose_insight(message_id)
        draft = replace(draft, kind=kind or draft.kind, text=text or draft.text)
        if not save:
            if as_json:
                click.echo(json.dumps(asdict(draft), indent=2))
                return
            click.echo(inert(f"{draft.kind} ({draft.confidence}): {draft.text}", layout=True))
            click.echo(inert(f"atoms: {', '.join(draft.atoms) or '-'}"))
            click.echo(click.style("(not saved: run again with --save, after --kind/--text "
                                   "edits if you like)", dim=True))
            return
        insight = session.save_insight(draft)
    if as_json:
        click.echo(json.dumps(insight.to_dict(), indent=2))
    else:
        click.echo(f"saved insight {insight.id} ({insight.kind}) to the project brain")


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _change(c: dict) -> str:
    if c["status"] == "vanished":
        return f"vanished (renamed to {c['renamed_to']})" if c.get("renamed_to") else "vanished"
    fields = sorted({f for e in c["events"] for f in e["changed"]})
    ops = sorted({e["operation"] for e in c["events"]})
    if c.get("index_rebuilt"):
        return "changed (the index was rebuilt since)"
    return "changed: " + (", ".join(fields) if fields else "/".join(ops))
