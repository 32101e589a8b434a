"""Promoting an answer to an insight: a draft the user edits and confirms, never the message.

The draft keeps what an answer established (its headline, the first items it listed, its
findings) and the atoms it was about; the question, the conversation and the message id stay in
the private chat history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.chat import ChatMessage
from . import intents as it

#: Atoms a draft proposes at most (an impact answer may use hundreds).
MAX_DRAFT_ATOMS = 10
#: Listed items quoted after a headline that ends with a colon.
MAX_DRAFT_ITEMS = 5
_STRUCTURAL = (it.DEFINITION, it.CALLERS, it.CALLEES, it.ASYNC_CALLERS)


@dataclass
class InsightDraft:
    """An editable proposal: the UI shows it, the user changes what they like, then saves."""

    kind: str
    text: str
    atoms: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    confidence: str = "medium"
    tool: str | None = None  # "chat:<intent>": where it came from, not what was said


def draft_from(message: ChatMessage) -> InsightDraft:
    if message.role != "assistant":
        raise ValueError("only an answer can be promoted to an insight")
    findings = message.findings
    if any(f["kind"] == "risk" for f in findings) or message.intent == it.CYCLES:
        kind = "risk"
    elif message.intent in _STRUCTURAL:
        kind = "architecture"
    else:
        kind = "context"
    sentences = [_headline(message.text)] + [f["message"] + "." for f in findings]
    subject = message.data.get("subject")
    ids = message.atom_ids
    if subject in ids and message.intent in it.ABOUT_AN_ATOM and message.intent != it.CYCLES:
        atoms = [subject]
    else:
        atoms = ids[:MAX_DRAFT_ATOMS]
    files = sorted({a["file_path"] for a in message.atoms if a["id"] in atoms})
    return InsightDraft(kind=kind, text=" ".join(s for s in sentences if s).strip(),
                        atoms=atoms, files=files, confidence="medium",
                        tool=f"chat:{message.intent}" if message.intent else "chat")


def _headline(text: str) -> str:
    """The answer's first statement; a list it introduces is summed up by its first items."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if line.startswith("(") or line.startswith("I did not recognise"):
            continue
        if not line.rstrip().endswith(":"):
            return line.strip()
        items = []
        for item in lines[i + 1:]:
            if not item.startswith("  ") or item.strip().startswith("..."):
                break
            items.append(item.strip().split("  [")[0])
        more = len(items) > MAX_DRAFT_ITEMS
        listed = ", ".join(items[:MAX_DRAFT_ITEMS]) + (", ..." if more else "")
        return f"{line.strip()} {listed}." if listed else line.strip()
    return ""
