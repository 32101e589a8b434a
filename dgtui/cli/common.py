"""Options and helpers shared by the headless commands."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import click

from .errors import CliError


@dataclass
class Repo:
    """The repository a command works on and where its data lives."""

    root: str
    home: str | None
    version: int | None = None  # the graph version the last ``snapshot`` read
    subfolder: str = ""  # where the command was started, relative to the root ("" at the root)

    @property
    def paths(self):
        from ..paths import RepoPaths

        return RepoPaths.for_root(self.root, self.home)

    def open_store(self, *, write: bool = False):
        """The index; readers get a clear error when there is none yet."""
        import os

        db = self.paths.index_db
        if not write and not os.path.exists(db):
            raise CliError(f"no index for {self.root} yet; run `dgtui index {_quote(self.root)}` first")
        # Readers never create or initialise an index: an empty file there is reported, not
        # silently turned into an empty index that answers "no results".
        if write:
            from ..engine.writer import open_for_writing

            return open_for_writing(db)
        from ..query import open_reader

        return open_reader(db, readonly=_readonly_ok(db))


    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Any]:
        """The index inside one read transaction: every query sees the same commit, and
        ``version`` records which (the last committed transaction), for export metadata."""
        from ..query import snapshot

        with self.open_store() as store, snapshot(store) as version:
            self.version = version
            yield store


@contextlib.contextmanager
def one_shot_writer(repo: Repo) -> Iterator[int | None]:
    """Hold the repository's writer lock while a command writes: yields None; or, when another
    process writes this index (`dgtui watch`, the explorer, `dgtui mcp`), yields its pid and
    leaves the writing to it. Holding the lock also keeps a watcher started meanwhile a reader."""
    from ..engine.lock import WriterLock

    lock = WriterLock(repo.paths.writer_lock)
    if not lock.acquire():
        yield lock.holder() or 0
        return
    try:
        yield None
    finally:
        lock.release()


def busy_writer(holder: int, what: str) -> CliError:
    return CliError(f"another dgtui (pid {holder}: watch, the explorer or mcp) is writing this "
                    f"index; stop it to {what}")


def _readonly_ok(db: str) -> bool:
    import os

    # A read-only connection cannot create the -shm file WAL needs; use one only when it exists
    # or when the folder is not writable (a backup on read-only media).
    folder = os.path.dirname(db)
    return not os.access(folder, os.W_OK)


def _quote(path: str) -> str:
    import shlex

    return shlex.quote(path)


def repo_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--path`` and ``--home``, turned into a ``repo`` argument."""

    @click.option("--path", "path", default=None, metavar="DIR",
                  help="The repository (any folder in it; default: here).")
    @click.option("--home", "home", default=None, metavar="DIR",
                  help="dgtui's data home (default: $DGTUI_HOME or the user data folder).")
    @functools.wraps(fn)
    def wrapper(*args: Any, path: str | None, home: str | None, **kwargs: Any) -> Any:
        return fn(*args, repo=make_repo(path, home), **kwargs)

    return wrapper


@dataclass
class GlobalOptions:
    """``dgtui --path DIR --home DIR`` given before the command (or with none): the defaults of
    the command's own ``--path``/``PATH`` and ``--home``."""

    path: str | None = None
    home: str | None = None


def make_repo(path: str | None, home: str | None) -> Repo:
    """The repository of ``path`` (the command's own, else the global option, else here); one
    line on standard error says which root was taken when it is not the folder given."""
    from ..paths import find_repository

    ctx = click.get_current_context(silent=True)
    given = ctx.find_object(GlobalOptions) if ctx is not None else None
    if given is not None:
        path = path if path is not None else given.path
        home = home if home is not None else given.home
    found = find_repository(path if path is not None else ".", home)
    if found.why:
        click.echo(f"dgtui: using {found.root} ({found.why} of {found.subfolder})", err=True)
    return Repo(found.root, home, subfolder=found.subfolder)


def subfolder_glob(repo: Repo) -> str | None:
    """The file filter a search started in a subfolder defaults to: the files under it."""
    return f"{glob_escape(repo.subfolder)}/*" if repo.subfolder else None


def glob_escape(path: str) -> str:
    """``path`` as a GLOB that matches it literally (``[`` ``*`` ``?`` in a folder name)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--json/--ndjson/--csv/--tsv/--md`` and ``-o FILE``: one set for every table command."""
    options = [
        click.option("--json", "fmt", flag_value="json", help="A JSON array of objects."),
        click.option("--ndjson", "fmt", flag_value="ndjson", help="One JSON object per line."),
        click.option("--csv", "fmt", flag_value="csv", help="Comma-separated values."),
        click.option("--tsv", "fmt", flag_value="tsv", help="Tab-separated values."),
        click.option("--md", "fmt", flag_value="md", help="A Markdown table."),
        click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                     help="Write to FILE (atomically) instead of standard output."),
        force_option,
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _remember_force(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta["dgtui.force"] = value


#: ``--force``: replace an existing ``-o`` file. Kept in ``ctx.meta`` (see ``forced``), not passed
#: to the command, so every table command has it without a parameter of its own.
force_option = click.option("--force", is_flag=True, expose_value=False, callback=_remember_force,
                            help="Replace FILE if it exists (on a terminal dgtui asks instead).")


def forced() -> bool:
    return bool(click.get_current_context().meta.get("dgtui.force"))


def ask_to_replace(path: str) -> bool:
    """On a terminal, ask before replacing an existing file (as the explorer does); a script
    gets the refusal and its ``--force`` hint instead of a prompt it cannot answer."""
    import sys

    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    return click.confirm(f"{path} exists. Replace it?", default=False, err=True)


def emit(rows: list[dict[str, Any]], columns: list[str], fmt: str | None, output: str | None,
         title: str | None = None, repo: Repo | None = None) -> None:
    """Print or export a table; a file export records the command that made it."""
    from ..output import emit as _emit

    meta = command_meta(repo, title) if output else None
    _emit(rows, columns, fmt, output, title, meta=meta, home=repo.home if repo else None,
          force=forced(), confirm=ask_to_replace)


_NOT_QUERY = {"fmt", "output", "path", "home"}


def command_meta(repo: Repo | None, title: str | None = None) -> dict[str, Any]:
    """``export_meta`` for the running command: its arguments are the query; its options, with
    the values in effect (flags only when set), the options."""
    from ..output import export_meta

    ctx = click.get_current_context()
    query: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for param in ctx.command.params:
        name = param.name
        if name is None or name in _NOT_QUERY or name not in ctx.params:
            continue
        value = ctx.params[name]
        if isinstance(value, tuple):
            value = " ".join(map(str, value)) if isinstance(param, click.Argument) else list(value)
        if isinstance(param, click.Argument):
            query[name] = value
        elif value is not None and not (getattr(param, "is_flag", False) and value is False):
            options[name] = value
    return export_meta(ctx.info_name or ctx.command_path, query=query or None, options=options,
                       repository=repo.root if repo else None,
                       graph_version=repo.version if repo else None, title=title)


def kind_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--kind``: a kind (or its short name, ``fn``); another word is an error listing them."""
    from ..query.search_syntax import KINDS

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        from ..query.search_syntax import kind_named

        if value is None:
            return None
        kind = kind_named(value)
        if kind is None:
            raise click.BadParameter(f"{value!r} is not a kind of atom; the kinds are {', '.join(KINDS)}")
        return kind

    return click.option("--kind", default=None, metavar="KIND", callback=check,
                        help=", ".join(KINDS) + ".")(fn)


def file_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--file GLOB``, read as the explorer reads ``file:``: without a wildcard, the words
    match anywhere in the path (``--file sansio`` is ``*sansio*``)."""

    def glob(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        from ..query.search_syntax import path_glob

        return path_glob(value) if value else None

    return click.option("--file", "file_glob", default=None, metavar="GLOB", callback=glob,
                        help=f"{help_text} (a GLOB; words without * match anywhere in the path).")


def text_console():
    """A rich console for a command's text (``show``, ``stats``, ``index``): in a pipe, lines
    are not wrapped at 80 columns, so an id or a path stays on one line for ``grep``."""
    import sys

    from rich.console import Console

    return Console(highlight=False, soft_wrap=not sys.stdout.isatty())


#: The largest number an option takes: SQLite integers are 64-bit, and Python's are not.
MAX_NUMBER = 2**63 - 1
#: A number option (``--transaction``, ``--min-complexity``): SQLite's range, checked by click.
NUMBER = click.IntRange(-MAX_NUMBER, MAX_NUMBER)


def positive(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_NUMBER:
        raise click.BadParameter(f"must be between 1 and {MAX_NUMBER}")
    return value
