"""The CLI reference (``docs/cli.md``), rendered from every command's own ``--help``.

The reference is never written by hand, so it cannot drift from the commands: run
``python -m dgtui.cli.reference docs/cli.md`` from a checkout after changing a command, and
``tests/test_cli_reference.py`` fails while the file differs from what this would write.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import click

#: A fixed width, so the text does not depend on the terminal the generator runs in: what
#: ``--help`` prints in a terminal of 100 columns or more (click keeps two columns free).
WIDTH = 98

HEADER = """\
# Command-line reference

Every command's `--help`, as the installed `dgtui` prints it. This page is generated: after
changing a command, run `python -m dgtui.cli.reference docs/cli.md` from a checkout
(`tests/test_cli_reference.py` fails while this page differs from what that would write).
For what the commands are for, see the [README](../README.md) and the pages it links to.
"""


def _commands(ctx: click.Context) -> Iterator[click.Context]:
    """``ctx`` and the contexts of its subcommands, depth first, in ``list_commands`` order."""
    yield ctx
    command = ctx.command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _commands(click.Context(sub, info_name=name, parent=ctx,
                                                   **sub.context_settings))


def render() -> str:
    """The whole of ``docs/cli.md``."""
    from . import cli

    settings = {**cli.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    root = click.Context(cli, info_name="dgtui", **settings)
    contexts = list(_commands(root))
    out = [HEADER, "## Commands\n"]
    out += [f"- [`{c.command_path}`](#{_anchor(c.command_path)})" for c in contexts[1:]]
    for ctx in contexts:
        out += ["", f"## {ctx.command_path}", "", "```text", ctx.get_help().rstrip(), "```"]
    return "\n".join(out) + "\n"


def _anchor(title: str) -> str:
    """The anchor GitHub gives a ``## title`` heading."""
    return "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_").replace(" ", "-")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m dgtui.cli.reference FILE   (docs/cli.md in a checkout)", file=sys.stderr)
        return 2
    text = render()
    tmp = f"{argv[0]}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
