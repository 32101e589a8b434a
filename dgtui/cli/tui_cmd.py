"""``dgtui [PATH]`` / ``dgtui tui PATH``: open the explorer on a repository."""

from __future__ import annotations

import click

from .common import make_repo, subfolder_glob


@click.command()
@click.argument("path", default=None, required=False, metavar="[PATH]")
@click.option("--home", default=None, metavar="DIR", help="dgtui's data home (default: $DGTUI_HOME).")
@click.option("--no-watch", is_flag=True, help="Reconcile at start but do not follow changes.")
@click.option("--poll", is_flag=True, help="Poll the file system instead of OS notifications.")
@click.option("--user", default=None, envvar="DGTUI_USER", metavar="ID",
              help="Whose chat history to show (default: $DGTUI_USER, else your login name).")
def tui(path: str | None, home: str | None, no_watch: bool, poll: bool, user: str | None) -> None:
    """Open the explorer: search, callers and callees, the live timeline."""
    from ..app import make_app

    repo = make_repo(path, home)
    app = make_app(repo.root, repo.home, watch=not no_watch, force_polling=poll, chat_user=user,
                   scope=subfolder_glob(repo))
    app.run()
