"""Chat: questions answered from the index and the call graph, kept in a private history.

Nothing here imports Textual; a front end drives ``ChatSession`` (see ``session.py``).
"""

from .answer import Answer, Answerer, AtomRef, Finding
from .context import GraphContext
from .intents import INTENTS, Intent, detect
from .local import LocalAnswerer
from .promote import InsightDraft
from .session import ChatSession, HistoryEntry, NoIndex

__all__ = [
    "INTENTS", "Answer", "Answerer", "AtomRef", "ChatSession", "Finding", "GraphContext",
    "HistoryEntry", "InsightDraft", "Intent", "LocalAnswerer", "NoIndex", "detect",
]
