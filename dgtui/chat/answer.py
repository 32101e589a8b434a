"""What an answer is, and the small interface every answerer implements.

An ``Answer`` is plain data a front end can show: its text, the intent it answered, the atoms and
files it used (ids a UI makes clickable), the findings it computed and the graph version (the
index's last transaction) it was answered at.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from .context import GraphContext


@dataclass(frozen=True)
class AtomRef:
    """An atom an answer used: enough to show it and to open it by id."""

    id: str
    name: str
    kind: str
    file_path: str
    line: int
    fingerprint: str | None = None  # what it was when answered (to tell later changes)

    @classmethod
    def of(cls, row: dict[str, Any], fingerprint: str | None = None) -> AtomRef:
        return cls(row["id"], row["name"], row["kind"], row["file_path"], row["line"],
                   fingerprint)


@dataclass(frozen=True)
class Finding:
    """A risk or an improvement computed from the graph, never invented."""

    kind: str  # risk, improvement
    code: str  # wide-impact, in-cycle, untested, dead-code, complex
    atom_id: str
    message: str
    value: int | None = None  # what was measured
    threshold: int | None = None  # the named constant it was compared with


@dataclass(frozen=True)
class Answer:
    question: str
    intent: str
    text: str
    atoms: tuple[AtomRef, ...] = ()
    files: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    graph_version: int = 0
    index_epoch: float | None = None
    subject: str | None = None  # the name or path the question was about, as understood
    fallback: bool = False  # True when no graph question was recognised: a search answered
    answerer: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # intent-specific extras (depth, ...)
    message_id: int | None = None  # set once the session has stored it

    @property
    def atom_ids(self) -> list[str]:
        return [a.id for a in self.atoms]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Answerer(Protocol):
    """Turns a question into an answer from the index and the graph; writes nothing."""

    name: str

    def answer(self, question: str, ctx: GraphContext) -> Answer: ...
