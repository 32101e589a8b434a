"""The exclude/include patterns given to ``dgtui index``, kept in the index (its meta table) so
that every later walk of the repository (the explorer's, ``dgtui watch``'s, the MCP server's)
skips the same folders; nothing is written into the repository itself."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..store import Store
from .ignore import IgnoreRules, Patterns

META_KEY = "patterns"


def stored_patterns(store: Store) -> Patterns:
    raw = store.get_meta(META_KEY)
    if not raw:
        return Patterns()
    data = json.loads(raw)
    return Patterns(tuple(data.get("exclude", ())), tuple(data.get("include", ())))


def remember_patterns(store: Store, exclude: Iterable[str] = (), include: Iterable[str] = ()) -> Patterns:
    """Add patterns to the index's lists. A pattern given to the other list before is taken off
    it instead (``--include build/`` undoes an earlier ``--exclude build/``), so every change can
    be undone with the options alone."""
    now = stored_patterns(store)
    ex, inc = list(now.exclude), list(now.include)
    for pattern in exclude:
        _toggle(pattern, add_to=ex, take_from=inc)
    for pattern in include:
        _toggle(pattern, add_to=inc, take_from=ex)
    patterns = Patterns(tuple(ex), tuple(inc))
    if patterns != now:
        store.set_meta(META_KEY, json.dumps({"exclude": ex, "include": inc}))
    return patterns


def _toggle(pattern: str, add_to: list[str], take_from: list[str]) -> None:
    pattern = pattern.strip()
    if not pattern:
        return
    if pattern in take_from:
        take_from.remove(pattern)
    elif pattern not in add_to:
        add_to.append(pattern)


def rules_for(root: str, store: Store) -> IgnoreRules:
    """The ignore rules of ``root`` with the patterns its index keeps."""
    return IgnoreRules(root, stored_patterns(store))
