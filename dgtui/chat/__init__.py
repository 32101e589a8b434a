"""Chat: questions answered from the index and the call graph, kept in a private history.

Nothing here imports Textual; a front end drives ``ChatSession`` (see ``session.py``).
The names below load with their module on first use: the explorer's start imports
``chat.watchlist`` (for pinned atoms), which must not pull in the answerers (a tenth of a
second of its first frame).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_WHERE = {
    "Answer": "answer", "Answerer": "answer", "AtomRef": "answer", "Finding": "answer",
    "GraphContext": "context", "INTENTS": "intents", "Intent": "intents", "detect": "intents",
    "LocalAnswerer": "local", "InsightDraft": "promote", "ChatSession": "session",
    "HistoryEntry": "session", "NoIndex": "session",
}

__all__ = [
    "INTENTS", "Answer", "Answerer", "AtomRef", "ChatSession", "Finding", "GraphContext",
    "HistoryEntry", "InsightDraft", "Intent", "LocalAnswerer", "NoIndex", "detect",
]

if TYPE_CHECKING:
    from .answer import Answer, Answerer, AtomRef, Finding
    from .context import GraphContext
    from .intents import INTENTS, Intent, detect
    from .local import LocalAnswerer
    from .promote import InsightDraft
    from .session import ChatSession, HistoryEntry, NoIndex


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
