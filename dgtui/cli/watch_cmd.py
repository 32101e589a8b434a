"""``dgtui watch``: follow a repository and print one line per committed transaction;
``--pinned`` prints only the transactions that touch a pinned atom or its neighbours."""

from __future__ import annotations

import json
import re
import signal
import sys
import time

import click

from ..terminal_text import inert
from .chat_cmd import user_option
from .common import Repo, make_repo


@click.command()
@click.argument("path", default=None, required=False, metavar="[PATH]")
@click.option("--home", default=None, metavar="DIR", help="dgtui's data home (default: $DGTUI_HOME).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per transaction.")
@click.option("--poll", is_flag=True, help="Poll the file system instead of OS notifications.")
@click.option("--pinned", is_flag=True,
              help="Only the transactions that change a pinned atom or one within its depth "
                   "(`dgtui pins`), each with what it touched.")
@user_option(text="Whose pins --pinned follows (default: $DGTUI_USER, else your login name).")
def watch(path: str | None, home: str | None, as_json: bool, poll: bool, pinned: bool,
          user: str | None) -> None:
    """Watch PATH and print what each save changed, and how fast it was committed."""
    from ..engine.live import LiveIndex

    repo = make_repo(path, home)
    live = LiveIndex(repo.root, repo.home, force_polling=poll)
    if pinned:
        live.subscribe(_PinnedOnly(repo, user, as_json))
    else:
        live.subscribe(lambda delta: _print(delta, as_json))
    live.on_status(lambda status: _announce(status, repo.root, as_json))
    live.on_status(_PendingReport())
    previous = signal.signal(signal.SIGINT, lambda *_: live.request_stop())
    try:
        live.run()
    finally:
        signal.signal(signal.SIGINT, previous)
    if not as_json:
        click.echo("stopped", err=True)


_announced: set[str] = set()


class _PinnedOnly:
    """Prints a transaction only when it touches a pin, with what it touched. The pins are read
    again for each transaction, so a pin added meanwhile (in the explorer) counts."""

    def __init__(self, repo: Repo, user: str | None, as_json: bool) -> None:
        from ..chat.watchlist import WatchList

        self.repo, self.as_json = repo, as_json
        self.watch = WatchList.open(repo.paths, user)  # a bad user id fails before watching
        self.index = None
        if not self.watch.pins():
            click.echo("dgtui: nothing is pinned yet (`dgtui pins add ATOM`, or `w` in the "
                       "explorer); printing the transactions that touch pins added from now on",
                       err=True)

    def __call__(self, delta) -> None:
        try:
            if self.index is None:
                self.index = self.repo.open_store()
                self.watch.follow_renames(self.index)
            hits = self.watch.hits(self.index, delta)
        except Exception as exc:  # a locked or damaged pins file: say so, keep watching
            click.echo(f"dgtui: watch list: {inert(str(exc))}", err=True)
            return
        if hits:
            _print(delta, self.as_json, hits)


class _PendingReport:
    """While changes wait (a full disk, a database another program locks), say so on stderr:
    when the reason changes and every ``EVERY`` seconds after, and once when they are in."""

    EVERY = 10.0

    def __init__(self) -> None:
        self.said: tuple[str, float] | None = None

    def __call__(self, status) -> None:
        if not status.pending:
            if self.said is not None:
                click.echo("dgtui: the pending changes are in", err=True)
                self.said = None
            return
        reason = status.errors[-1] if status.errors else f"{status.pending} change(s) pending"
        kind = re.sub(r"\d[\d.,]*", "#", reason)  # the same reason with other counts and sizes
        now = time.monotonic()
        if self.said is None or self.said[0] != kind or now - self.said[1] >= self.EVERY:
            click.echo(f"dgtui: {inert(reason)} (retrying)", err=True)
            self.said = (kind, now)


def _announce(status, root: str, as_json: bool) -> None:
    if as_json or status.state in _announced:
        return
    if status.state == "watching":
        s = status.summary
        click.echo(f"watching {root}: {s.files:,} files, {s.atoms:,} atoms "
                   f"(reconciled {s.parsed} changed file(s) in {s.seconds:.2f}s); Ctrl-C to stop", err=True)
    elif status.state == "reading":
        click.echo("another dgtui is writing this index; following its commits (Ctrl-C to stop)", err=True)
    elif status.state == "indexing":
        click.echo(f"reconciling {root} with the index...", err=True)
    else:
        return
    _announced.add(status.state)


def _print(delta, as_json: bool, hits: list | None = None) -> None:
    created, updated, deleted = len(delta.created), len(delta.updated), len(delta.deleted)
    latency = delta.latency_ms
    if as_json:
        click.echo(json.dumps({
            "transaction_id": delta.transaction_id, "source": delta.source,
            "files": list(delta.files), "created": created, "updated": updated, "deleted": deleted,
            "atoms": [{"operation": c.operation, "id": c.atom_id, "changed": list(c.changed)}
                      for c in delta.changes],
            "edges_added": len(delta.edges_added), "edges_removed": len(delta.edges_removed),
            "latency_ms": None if latency is None else round(latency, 2),
            "committed_at": delta.committed_at, "errors": list(delta.errors),
            **({"pinned": [h.to_dict() for h in hits]} if hits is not None else {}),
        }))
    else:
        stamp = time.strftime("%H:%M:%S", time.localtime(delta.committed_at))
        files = ", ".join(delta.files[:3]) + (f" +{len(delta.files) - 3}" if len(delta.files) > 3 else "")
        ms = "" if latency is None else f"  {latency:.1f} ms"
        click.echo(f"{stamp} tx {delta.transaction_id} {delta.source:<12} {inert(files)}  "
                   f"+{created} ~{updated} -{deleted} atoms  +{len(delta.edges_added)} "
                   f"-{len(delta.edges_removed)} edges{ms}")
        for hit in hits or ():
            click.echo(f"  * {inert(hit.pin_name)}: {inert(hit.describe())}")
        for error in delta.errors:
            click.echo(f"  ! {inert(error)}")
    sys.stdout.flush()
