"""``dgtui [PATH]`` / ``dgtui tui PATH``: open the explorer on a repository."""

from __future__ import annotations

import click

from .common import make_repo


@click.command()
@click.argument("path", default=".", required=False, metavar="[PATH]")
@click.option("--home", default=None, metavar="DIR", envvar="DGTUI_HOME", help="dgtui's data home.")
@click.option("--no-watch", is_flag=True, help="Reconcile at start but do not follow changes.")
@click.option("--poll", is_flag=True, help="Poll the file system instead of OS notifications.")
@click.option("--user", default=None, envvar="DGTUI_USER", metavar="ID",
              help="Whose chat history to show (default: $DGTUI_USER, else your login name).")
def tui(path: str, home: str | None, no_watch: bool, poll: bool, user: str | None) -> None:
    """Open the explorer: search, callers and callees, the live timeline."""
    from ..app import make_app

    repo = make_repo(path, home)
    app = make_app(repo.root, repo.home, watch=not no_watch, force_polling=poll, chat_user=user)
    app.run()
