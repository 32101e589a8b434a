"""``dgtui pins``: the atoms you watch (list, add, remove); ``dgtui watch --pinned`` follows them."""

from __future__ import annotations

import os

import click

from ..terminal_text import inert
from .chat_cmd import user_option
from .common import Repo, emit, output_options, repo_options
from .errors import CliError

_COLUMNS = ["atom_id", "name", "depth", "file_path", "line", "status"]


def _watchlist(repo: Repo, user: str | None):
    from ..chat.watchlist import WatchList

    return WatchList.open(repo.paths, user)


def _index(repo: Repo):
    """The index when there is one: pins are listed and removed without it."""
    return repo.open_store() if os.path.exists(repo.paths.index_db) else None


@click.group(invoke_without_command=True)
@click.pass_context
def pins(ctx: click.Context) -> None:
    """The atoms you watch: a change to one, or within N calls of it, is reported.

    \b
      dgtui pins add save_atom --depth 1
      dgtui pins list
      dgtui pins remove save_atom
      dgtui watch --pinned
    Pins are yours: they live beside your chat history (chat-history/USER/REPO in dgtui's data
    home), readable by your account only. The explorer pins the focused atom with `w`.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_pins)


@pins.command("list")
@repo_options
@user_option(text="Whose pins (default: $DGTUI_USER, else your login name).")
@output_options
def list_pins(repo: Repo, user: str | None, fmt, output) -> None:
    """Your pinned atoms, with the depth that counts and whether each is still in the index."""
    from ..chat.watchlist import WatchList

    rows = _rows(repo, user) if os.path.exists(WatchList.path(repo.paths, user)) else []
    if not rows and not fmt and not output:
        click.echo("No pinned atoms: `dgtui pins add ATOM`, or `w` on an atom in the explorer.", err=True)
        return
    emit(rows, _COLUMNS, fmt, output, title="pinned atoms", repo=repo)


def _rows(repo: Repo, user: str | None) -> list[dict]:
    from .. import query as q

    index = _index(repo)
    try:
        with _watchlist(repo, user) as watch:
            if index is not None:
                watch.follow_renames(index)  # renamed while nothing was watching
            pinned = watch.pins()
        found = q.stored_atoms(index, [p.atom_id for p in pinned]) if index else {}
    finally:
        if index is not None:
            index.close()
    rows = []
    for pin in pinned:
        now = found.get(pin.atom_id)
        rows.append({"atom_id": pin.atom_id, "name": pin.name, "depth": pin.depth,
                     "file_path": now.atom.file_path if now else pin.file_path,
                     "line": now.atom.line if now else None,
                     "status": "pinned" if now else "gone" if index else "no index"})
    return rows


@pins.command()
@click.argument("atom")
@click.option("--depth", type=click.IntRange(0, 6), default=2, show_default=True,
              help="A change within this many calls of the atom (callers and callees) counts.")
@repo_options
@user_option(text="Whose pins (default: $DGTUI_USER, else your login name).")
def add(atom: str, depth: int, repo: Repo, user: str | None) -> None:
    """Pin ATOM (an id, a qualified name or a name); pinned again, its depth changes."""
    from .. import query as q

    with repo.open_store() as index, _watchlist(repo, user) as watch:
        pin = watch.pin(index, q.resolve_atom(index, atom).id, depth)
    click.echo(inert(f"pinned {pin.atom_id} (changes within {pin.depth} call(s) count)"))


@pins.command()
@click.argument("atom")
@repo_options
@user_option(text="Whose pins (default: $DGTUI_USER, else your login name).")
def remove(atom: str, repo: Repo, user: str | None) -> None:
    """Unpin ATOM: a pinned id or name, or an atom of the index."""
    with _watchlist(repo, user) as watch:
        pinned = watch.pins()
        ids = [p.atom_id for p in pinned if atom == p.atom_id]
        ids = ids or [p.atom_id for p in pinned if atom in (p.name, p.name.rsplit(".", 1)[-1])]
        if len(ids) > 1:
            raise CliError(f"{atom!r} names {len(ids)} pins: " + ", ".join(ids), exit_code=2)
        if not ids:
            raise CliError(f"{atom!r} is not pinned (see `dgtui pins list`)")
        watch.unpin(ids[0])
    click.echo(inert(f"unpinned {ids[0]}"))
