"""Times as people write them in a question: "since 2h", "in the last 3 days", "yesterday"."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
          "hr": 3600, "hour": 3600, "d": 86400, "day": 86400, "w": 604800, "week": 604800}
_AGE = re.compile(r"^(?:the\s+)?(?:last\s+|past\s+)?(\d+(?:\.\d+)?)\s*([a-z]+?)s?(?:\s+ago)?$")
_TX = re.compile(r"^(?:transaction|tx|txn)\s*#?(\d+)$")


@dataclass(frozen=True)
class Since:
    """The start of a "what changed" window: a time or a transaction, and how it was said."""

    time: float | None = None
    transaction: int | None = None
    label: str = ""


def parse_since(text: str, now: float | None = None) -> Since | None:
    """``2h``, ``10 minutes``, ``3 days ago``, ``today``, ``yesterday``, ``this week``,
    ``2026-01-31``, ``2026-01-31T10:00``, ``transaction 812``; None when it is none of them."""
    phrase = " ".join(text.lower().strip(" ?.!,").split())
    now = time.time() if now is None else now
    if m := _TX.match(phrase):
        return Since(transaction=int(m.group(1)), label=f"transaction {m.group(1)}")
    if m := _AGE.match(phrase):
        unit = _UNITS.get(m.group(2))
        if unit:
            return Since(time=now - float(m.group(1)) * unit, label=phrase)
    midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
    named = {"today": midnight, "yesterday": midnight - timedelta(days=1),
             "this week": midnight - timedelta(days=midnight.weekday()),
             "last week": midnight - timedelta(days=midnight.weekday() + 7)}
    if phrase in named:
        return Since(time=named[phrase].timestamp(), label=phrase)
    try:
        return Since(time=datetime.fromisoformat(phrase.upper() if "t" in phrase else phrase)
                     .timestamp(), label=phrase)
    except ValueError:
        return None
