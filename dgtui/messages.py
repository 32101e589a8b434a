"""Messages of the explorer: what widgets ask for and what background work reports back.

Widgets never read or write the index: they post a request (``AtomChosen``, ``SearchChanged``,
``ChildrenWanted``...), a screen runs the question in a thread worker through ``dgtui.query``,
and the answer comes back as a message. Messages that can arrive in floods implement
``can_replace`` so only the newest is handled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

from .model import AtomFilter, Delta

if TYPE_CHECKING:  # the live engine is imported once the first screen is drawn
    from .model import LiveStatus

Row = dict[str, Any]


# -- from the live index (posted from its thread) ------------------------------------------------
@dataclass
class DeltaCommitted(Message, bubble=False):
    """A transaction was committed (by this process or another dgtui writing the index).

    The one message of a commit: the live thread posts it to the app, which notes what to light
    up and posts it on to each live screen; a screen re-asks what it shows that ``delta`` touched.
    """

    delta: Delta


@dataclass
class DeltaShown(Message):
    """A pane shows what transaction ``transaction_id`` changed (bubbles up to the app, which
    measures save→visible)."""

    transaction_id: int


@dataclass
class LiveStatusChanged(Message):
    status: LiveStatus

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LiveStatusChanged)


# -- requests from widgets -----------------------------------------------------------------------
@dataclass
class AtomChosen(Message):
    """Show this atom in the explorer (``preview``: the cursor passed over it; else a visit)."""

    atom_id: str
    preview: bool = False
    focus: str | None = None  # the pane to focus afterwards: "atom", "callers", "callees"


@dataclass
class SearchChanged(Message):
    text: str
    filters: AtomFilter

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SearchChanged)


@dataclass
class ChildrenWanted(Message):
    """A call tree node was expanded: load its callers or callees."""

    tree_id: str
    root_id: str
    node: Any  # the TreeNode to fill (compared by identity: Tree.clear reuses node ids)
    atom_id: str
    upward: bool


@dataclass
class CandidatesWanted(Message):
    """An ambiguous call was expanded: load the atoms it may mean (the candidate ids the
    resolver kept; by name for an index made before it kept them)."""

    tree_id: str
    root_id: str
    node: Any
    short_name: str
    candidate_ids: tuple[str, ...] = ()


@dataclass
class TimelineFilterChanged(Message):
    source: str | None
    file_glob: str | None
    atom_text: str | None
    show_moves: bool = False  # updates that only moved an atom (a line added above it)

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TimelineFilterChanged)


# -- answers from workers -------------------------------------------------------------------------
@dataclass
class SearchResults(Message):
    seq: int
    text: str
    rows: list[Row]
    error: str | None = None


@dataclass
class AtomLoaded(Message):
    atom_id: str
    view: Row | None  # None: not in the index (deleted, or never was)
    source: str | None = None  # the file's text (or a window of it)
    first_line: int = 1  # line number of the first line of ``source``
    ghost: Row | None = None  # what a deleted atom was
    error: str | None = None
    preview: bool = False
    focus: str | None = None
    keep_scroll: bool = False  # a live refresh: keep where the reader was


@dataclass
class ChildrenLoaded(Message):
    tree_id: str
    root_id: str
    node: Any
    rows: list[Row]
    candidates: bool = False


@dataclass
class TreeReloaded(Message):
    """Children of every expanded node of a call tree, to rebuild it after a commit."""

    tree_id: str
    root_id: str
    children: dict[str, list[Row]] = field(default_factory=dict)


@dataclass
class EventsLoaded(Message):
    rows: list[Row]
    replace: bool  # True: a new filter (replace the table); False: newer events to add
    delta: Delta | None = None


@dataclass
class TotalsLoaded(Message):
    totals: dict[str, int]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TotalsLoaded)
