"""How the explorer writes a time of day (one place, so every pane agrees)."""

from __future__ import annotations

import time


def clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(timestamp))
