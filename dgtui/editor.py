"""The command that opens a file at a line in the user's editor ($VISUAL, else $EDITOR)."""

from __future__ import annotations

import os
import shlex

# How editors take a line number: most accept ``+LINE FILE``; these do not.
_GOTO_FLAG = {"code": "--goto", "code-insiders": "--goto", "codium": "--goto", "cursor": "--goto"}
_COLON_SUFFIX = {"subl", "sublime_text", "zed", "hx", "helix"}


class NoEditor(Exception):
    """Neither $VISUAL nor $EDITOR is set."""


def editor_command(path: str, line: int, environ: dict[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    spec = env.get("VISUAL") or env.get("EDITOR")
    if not spec:
        raise NoEditor("set $EDITOR (for example `export EDITOR=vim`) to open atoms in an editor")
    argv = shlex.split(spec)
    name = os.path.basename(argv[0])
    line = max(1, line)
    if name in _GOTO_FLAG:
        return [*argv, _GOTO_FLAG[name], f"{path}:{line}"]
    if name in _COLON_SUFFIX:
        return [*argv, f"{path}:{line}"]
    return [*argv, f"+{line}", path]


def pager_command(path: str, environ: dict[str, str] | None = None) -> list[str]:
    """The command that shows a text file (a diff): $PAGER, else the editor, else ``less``."""
    import shutil

    env = os.environ if environ is None else environ
    if env.get("PAGER"):
        return [*shlex.split(env["PAGER"]), path]
    try:
        return editor_command(path, 1, env)
    except NoEditor:
        if shutil.which("less"):
            return ["less", "-R", path]
        raise NoEditor("set $PAGER or $EDITOR (for example `export PAGER=less`) to read diffs") from None
