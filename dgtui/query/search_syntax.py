"""The search box's little language: free text plus filters written as words.

    save kind:method is:async is:exported file:django/db/*

``kind:K``, ``is:async``, ``is:exported`` (also ``async`` and ``exported`` alone, and
``not:async``/``not:exported``) and ``file:GLOB`` become an ``AtomFilter``; everything else
is the text to search. A file glob without a wildcard matches anywhere in the path.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import AtomFilter

KINDS = ("function", "method", "class", "arrow", "generator", "test", "module")
_KIND_ALIASES = {"fn": "function", "func": "function", "def": "function", "meth": "method",
                 "cls": "class", "gen": "generator"}


@dataclass(frozen=True)
class ParsedSearch:
    text: str
    filters: AtomFilter
    problems: tuple[str, ...] = ()  # words that looked like filters but were not valid


def parse_search(line: str) -> ParsedSearch:
    words: list[str] = []
    f = AtomFilter()
    problems: list[str] = []
    for word in line.split():
        low = word.lower()
        key, sep, value = low.partition(":")
        if low in ("async", "is:async"):
            f.is_async = True
        elif low == "not:async":
            f.is_async = False
        elif low in ("exported", "is:exported"):
            f.exported = True
        elif low == "not:exported":
            f.exported = False
        elif sep and key == "kind":
            kind = kind_named(value)
            if kind:
                f.kind = kind
            else:
                problems.append(f"unknown kind {value!r} (one of {', '.join(KINDS)})")
        elif sep and key == "file" and value:
            f.file_glob = path_glob(word.split(":", 1)[1])
        else:
            words.append(word)
    return ParsedSearch(" ".join(words), f, tuple(problems))


def path_glob(text: str) -> str:
    """A file filter as users write it, everywhere (the search box, ``--file``, the timeline,
    MCP): a GLOB, or words without a wildcard, which match anywhere in the path
    (``sansio`` is ``*sansio*``)."""
    return text if any(c in text for c in "*?[") else f"*{text}*"


def kind_named(word: str) -> str | None:
    """The atom kind ``word`` names (``fn`` is ``function``), or None."""
    kind = _KIND_ALIASES.get(word.lower(), word.lower())
    return kind if kind in KINDS else None


def describe_filters(f: AtomFilter) -> list[tuple[str, str]]:
    """(token as typed, label) of each active filter, for the chips under the search box."""
    chips: list[tuple[str, str]] = []
    if f.kind:
        chips.append((f"kind:{f.kind}", f"kind {f.kind}"))
    if f.is_async is not None:
        chips.append(("is:async" if f.is_async else "not:async", "async" if f.is_async else "not async"))
    if f.exported is not None:
        chips.append(("is:exported" if f.exported else "not:exported",
                      "exported" if f.exported else "not exported"))
    if f.file_glob:
        chips.append((f"file:{f.file_glob}", f"file {f.file_glob}"))
    return chips


def without_filter(line: str, kind: str) -> str:
    """The search line with one kind of filter (kind, async, exported, file) removed."""
    keep = []
    for word in line.split():
        low = word.lower()
        name = ("async" if low in ("async", "is:async", "not:async") else
                "exported" if low in ("exported", "is:exported", "not:exported") else
                low.partition(":")[0] if ":" in low else None)
        if name != kind:
            keep.append(word)
    return " ".join(keep)


def with_filter(line: str, kind: str, token: str | None) -> str:
    """The search line with one kind of filter replaced by ``token`` (None: removed)."""
    base = without_filter(line, kind)
    return f"{base} {token}".strip() if token else base
