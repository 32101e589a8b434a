"""Every failure a user can cause becomes one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import click

from ..terminal_text import inert


class CliError(click.ClickException):
    """A one-line error; ``exit_code`` says what kind."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # "dgtui: message", not click's "Error: message"
        click.echo(f"dgtui: {one_line(self.format_message())}", err=True)


@contextlib.contextmanager
def translate() -> Iterator[None]:
    """Turn the exceptions of the layers below into ``CliError``s."""
    from ..paths import PathError
    from ..query import AmbiguousAtom, DatabaseError, NoSuchAtom, QueryError, StoreError, describe_error

    try:
        yield
    except click.UsageError as exc:  # click prints four lines for these; one is enough
        if type(exc).__name__ == "NoArgsIsHelpError":  # `dgtui chat`: the help is the answer
            raise
        raise CliError(usage_line(exc), exit_code=exc.exit_code) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except AmbiguousAtom as exc:
        for c in exc.candidates:
            click.echo(inert(f"  {c.id}  ({c.atom.kind}, {c.atom.file_path}:{c.atom.line})"), err=True)
        raise CliError(str(exc), exit_code=2) from None
    except NoSuchAtom as exc:
        import shlex

        raise CliError(f"{exc} (try `dgtui search {shlex.quote(exc.ref)}`)") from None
    except (QueryError, PathError, StoreError) as exc:
        raise CliError(str(exc)) from None
    except DatabaseError as exc:
        raise CliError(describe_error(exc, "")) from None
    except UnicodeEncodeError as exc:  # undecodable bytes in an argument reach SQLite as text
        text = exc.object if isinstance(exc.object, str) else str(exc.object)
        raise CliError(f"{text[:80]!r} is not valid UTF-8 text (an undecodable byte in an "
                       "argument or a path); dgtui stores and matches UTF-8 only") from None
    except KeyboardInterrupt:
        click.echo("dgtui: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:  # `dgtui search x | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter exit quiet
        sys.exit(0)
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        raise CliError(f"{exc.strerror or exc}{where}") from None
    except Exception as exc:  # a bug: still one line; DGTUI_DEBUG=1 shows the traceback
        if os.environ.get("DGTUI_DEBUG"):
            raise
        raise CliError(f"internal error: {type(exc).__name__}: {exc} "
                       "(run with DGTUI_DEBUG=1 for details)", exit_code=70) from None


def one_line(text: str) -> str:
    """``text`` as one printable line: user text in a message can hold line breaks (``\x1e``
    and ``\u2028`` are some), terminal escapes or undecodable bytes; they are shown escaped."""
    return inert(text)


def usage_line(exc: click.UsageError) -> str:
    """A usage error on one line: ``search: No such option: --jsn (see `dgtui search -h`)``."""
    message = " ".join(exc.format_message().split())
    ctx = exc.ctx
    if ctx is None:
        return message
    name = ctx.command_path.partition(" ")[2]
    return f"{name + ': ' if name else ''}{message} (see `{ctx.command_path} -h`)"
