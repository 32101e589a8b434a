"""Edit sessions: the event log grouped into runs of work by one editor.

A session is consecutive committed transactions from one source (``file-watcher``,
``reconcile``...) and, when known, one client (the MCP client whose server's live index wrote
them), with no gap between two of them longer than the session gap (5 minutes by default;
``DGTUI_SESSION_GAP`` or a command's ``--gap`` changes it). The first index is not a session: it
is no one's edit. A session is named by its first transaction, ``s42``; ``--since s42`` means
"since that session began", and ``--since last`` the latest session.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from typing import Any

from ..store import Store
from .atoms import QueryError

DEFAULT_GAP_SECONDS = 300.0
GAP_ENV = "DGTUI_SESSION_GAP"
#: Transactions that are no one's edit session: building the index from nothing.
NOT_EDITS = frozenset({"index"})
LAST = "last"


@dataclass(frozen=True, slots=True)
class Session:
    """A run of transactions by one editor; plain data for any front end."""

    id: str  # "s" + its first transaction
    source: str
    client: str | None  # the MCP client (``mcp:claude-code``) when the edits came through one
    first_tx: int
    last_tx: int
    started_at: float
    ended_at: float
    transactions: int
    atoms: int  # atoms created, changed or deleted (moves alone do not count)
    files: int

    @property
    def editor(self) -> str:
        return f"{self.source} ({self.client})" if self.client else self.source

    @property
    def title(self) -> str:
        """``file-watcher 14:02-14:17, 23 transactions, 41 atoms``."""
        start, end = time.localtime(self.started_at), time.localtime(self.ended_at)
        span = time.strftime("%H:%M", start)
        if (start.tm_year, start.tm_yday) != (end.tm_year, end.tm_yday):
            span = time.strftime("%Y-%m-%d %H:%M", start) + time.strftime("-%Y-%m-%d %H:%M", end)
        elif time.strftime("%H:%M", end) != span:
            span += time.strftime("-%H:%M", end)
        return (f"{self.editor} {span}, {_count(self.transactions, 'transaction')}, "
                f"{_count(self.atoms, 'atom')}")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "title": self.title}


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def session_gap(gap: float | None = None) -> float:
    """The gap (seconds) that ends a session: ``gap`` if given, else ``DGTUI_SESSION_GAP``
    (seconds, or ``10m``/``1h``), else 5 minutes."""
    if gap is not None:
        if gap <= 0:
            raise QueryError("the session gap must be more than 0 seconds")
        return gap
    text = os.environ.get(GAP_ENV, "").strip()
    if not text:
        return DEFAULT_GAP_SECONDS
    value = parse_gap(text)
    if value is None:
        raise QueryError(f"{GAP_ENV}={text!r} is not a gap: use seconds (300) or 10m, 1h")
    return value


def parse_gap(text: str) -> float | None:
    """``300``, ``300s``, ``10m``, ``1h`` -> seconds (None: not a positive duration)."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    scale = units.get(text[-1:], None)
    number = text[:-1] if scale else text
    try:
        value = float(number) * (scale or 1)
    except ValueError:
        return None
    return value if value > 0 else None


def sessions(store: Store, gap: float | None = None) -> list[Session]:
    """Every edit session of the index, oldest first."""
    gap = session_gap(gap)
    runs: list[list] = []
    for t in store.events.transactions():
        if t.source in NOT_EDITS or t.committed_at is None:
            continue
        client = t.summary.get("client") if isinstance(t.summary, dict) else None
        last = runs[-1][-1] if runs else None
        if (last is not None and last.source == t.source and _client(last) == client
                and t.started_at - (last.committed_at or last.started_at) <= gap):
            runs[-1].append(t)
        else:
            runs.append([t])
    out = []
    for run in runs:
        first, last = run[0], run[-1]
        files = {f for t in run for f in t.files}
        out.append(Session(
            id=f"s{first.id}", source=first.source, client=_client(first), first_tx=first.id,
            last_tx=last.id, started_at=first.started_at,
            ended_at=last.committed_at or last.started_at, transactions=len(run),
            atoms=store.events.atoms_changed(first.id, last.id), files=len(files)))
    return out


def _client(t) -> str | None:
    return t.summary.get("client") if isinstance(t.summary, dict) else None


def is_session_ref(text: str) -> bool:
    """``s42`` or ``last``: a session, not a time or a transaction."""
    text = text.strip().lower()
    return text == LAST or (len(text) > 1 and text[0] == "s" and text[1:].isdigit())


def find_session(store: Store, ref: str, gap: float | None = None) -> Session:
    """The session ``ref`` names: ``last``, or ``sN``, the session that holds transaction N
    (the same session whatever gap named it, as long as N is in it)."""
    found = sessions(store, gap)
    ref = ref.strip().lower()
    if ref == LAST:
        if not found:
            raise QueryError("there are no edit sessions yet: only the first index is in the log")
        return found[-1]
    tx = int(ref[1:])
    for s in found:
        if s.first_tx <= tx <= s.last_tx:
            return s
    raise QueryError(f"there is no session {ref}: `dgtui sessions` lists them")


@dataclass(frozen=True, slots=True)
class Since:
    """A starting point in the event log: changes in transactions after ``after_tx``."""

    after_tx: int
    label: str  # how to say it: "transaction 12", "session s13 (file-watcher 14:02-...)"


def since_point(store: Store, text: str, gap: float | None = None) -> Since:
    """``--since TX|TIME|SESSION``: a transaction number, a time (ISO 8601, or an age like
    ``2h``), or a session (``s42``, ``last``)."""
    from .changes import parse_time

    value = text.strip()
    if not value:
        raise QueryError("--since needs a transaction, a time or a session")
    if is_session_ref(value):
        s = find_session(store, value, gap)
        return Since(s.first_tx - 1, f"session {s.id} ({s.title})")
    if value.isdigit():
        tx = int(value)
        last = store.events.last_transaction_id()
        if tx > last:
            raise QueryError(f"there is no transaction {tx}: the last is {last} "
                             "(`dgtui events` lists them)")
        return Since(tx, f"transaction {tx}")
    when = parse_time(value)
    return Since(store.events.transaction_at(when),
                 "since " + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when)))
