"""``dgtui mcp``: serve the repository's index to AI agents over MCP (stdio)."""

from __future__ import annotations

import importlib

import click

from .common import make_repo
from .errors import CliError

INSTALL_HINT = ("dgtui mcp needs the optional MCP SDK: pip install '.[mcp]' in a dgtui checkout "
                "(in dgtui's own environment)")


@click.command()
@click.argument("path", default=None, required=False, metavar="[PATH]")
@click.option("--home", default=None, metavar="DIR", help="dgtui's data home (default: $DGTUI_HOME).")
@click.option("--poll", is_flag=True, help="Poll the file system instead of OS notifications.")
@click.option("--read-only", "read_only", is_flag=True,
              help="Leave out the edit tools (replace_atom_body, insert_atom, delete_atom, rename_atom).")
def mcp(path: str | None, home: str | None, poll: bool, read_only: bool) -> None:
    """Serve PATH's index over MCP on stdin/stdout, following the repository live.

    Register it with an MCP client as the command `dgtui mcp /path/to/repo`. Standard output
    is the protocol channel; messages go to standard error.
    """
    try:
        importlib.import_module("mcp.server.mcpserver")
    except ImportError:
        raise CliError(INSTALL_HINT) from None
    from ..mcp.server import serve

    repo = make_repo(path, home)
    serve(repo.root, repo.home, force_polling=poll, read_only=read_only)
