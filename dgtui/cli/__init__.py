"""The ``dgtui`` command: ``dgtui [PATH]`` opens the explorer; subcommands are headless.

Commands are imported lazily (``COMMANDS`` maps a name to ``module:attribute``) so that a headless
query starts without importing Textual, tree-sitter or networkx.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__

COMMANDS: dict[str, str] = {
    "index": "dgtui.cli.index_cmd:index",
    "search": "dgtui.cli.query_cmds:search",
    "show": "dgtui.cli.query_cmds:show",
    "callers": "dgtui.cli.query_cmds:callers",
    "callees": "dgtui.cli.query_cmds:callees",
    "query": "dgtui.cli.query_cmds:query",
    "stats": "dgtui.cli.query_cmds:stats",
    "unresolved": "dgtui.cli.query_cmds:unresolved",
    "events": "dgtui.cli.event_cmds:events",
    "history": "dgtui.cli.event_cmds:history",
    "replay": "dgtui.cli.event_cmds:replay",
    "sessions": "dgtui.cli.event_cmds:sessions",
    "diff": "dgtui.cli.review_cmd:diff",
    # live delta engine
    "watch": "dgtui.cli.watch_cmd:watch",
    "check": "dgtui.cli.check_cmd:check",
    # the explorer
    "tui": "dgtui.cli.tui_cmd:tui",
    # chat and project brain
    "chat": "dgtui.cli.chat_cmd:chat",
    "brain": "dgtui.cli.brain_cmd:brain",
    "pins": "dgtui.cli.pins_cmd:pins",
    # export and MCP
    "graph": "dgtui.cli.graph_cmd:graph",
    "mcp": "dgtui.cli.mcp_cmd:mcp",
    # reliability
    # edits through dgtui
    "edit": "dgtui.cli.edit_cmd:edit",
    "import-json": "dgtui.cli.import_cmd:import_json",
    "backup": "dgtui.cli.backup_cmd:backup",
    "restore": "dgtui.cli.backup_cmd:restore",
}


def _available(name: str) -> bool:
    """A registered command whose module exists (the registry may run ahead of the code)."""
    import importlib.util

    return importlib.util.find_spec(COMMANDS[name].split(":")[0]) is not None


class DgtuiGroup(click.Group):
    """Lazy subcommands; an unknown first word is a path for the explorer (``dgtui ../repo``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None or not _available(name):
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in COMMANDS and not args[0].startswith("-") and _available("tui"):
            return "tui", self.get_command(ctx, "tui"), args
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        from .errors import translate

        with translate():
            return super().invoke(ctx)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from .errors import translate

        with translate():  # `dgtui --bogus`: one line too
            return super().parse_args(ctx, args)


@click.group(cls=DgtuiGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="dgtui")
@click.option("--path", "path", default=None, metavar="DIR",
              help="The repository for the command (any folder in it; default: here).")
@click.option("--home", "home", default=None, metavar="DIR",
              help="dgtui's data home (default: $DGTUI_HOME or the user data folder).")
@click.pass_context
def cli(ctx: click.Context, path: str | None, home: str | None) -> None:
    """dgtui: explore a code base's functions and the calls between them, live.

    \b
      dgtui [PATH]              open the explorer on a repository (default: here)
      dgtui --path DIR CMD ...  any command on the repository DIR is in
      dgtui index [PATH]        index it (again: only what changed)
      dgtui search save         full-text search over functions
      dgtui callers ATOM        who calls it (--depth N)
    """
    from .common import GlobalOptions

    # Before the command (`dgtui --home D search x`) or with none (`dgtui --path D`): the
    # command's own --path/PATH and --home, when given, win.
    ctx.obj = GlobalOptions(path, home)
    if ctx.invoked_subcommand is None:
        tui = ctx.command.get_command(ctx, "tui")  # type: ignore[union-attr]
        if tui is None:
            click.echo(ctx.get_help())
            return
        ctx.invoke(tui)


def main() -> None:
    if os.environ.get("DGTUI_DEBUG"):
        cli.main(prog_name="dgtui")
        return
    try:
        cli.main(prog_name="dgtui")
    except KeyboardInterrupt:  # outside a command (during start-up)
        click.echo("interrupted", err=True)
        sys.exit(130)
