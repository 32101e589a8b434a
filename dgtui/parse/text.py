"""Small text helpers for extraction: whitespace, quotes, comments, parameter names."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_WS = re.compile(r"\s+")
_STRING_PREFIX = re.compile(r"([rRbBuUfF]{0,2})['\"`]")
_COMMENT_MARKS = re.compile(r"^[ \t]*(?:/\*\*?|\*/|\*|//+|#+)[ \t]?", re.M)  # never past a line end
_PARAM_NAME_FIELDS = ("name", "pattern", "left")
_SKIPPED_PARAMS = {"comment", "keyword_separator", "positional_separator", "this"}


def collapse(text: str, limit: int) -> str:
    """Whitespace runs to one space, cut to ``limit`` characters (with an ellipsis)."""
    if "  " in text or not text.isprintable():  # else its only whitespace is single spaces
        text = _WS.sub(" ", text)
    out = text.strip()
    return out if len(out) <= limit else out[: limit - 1] + "…"


def strip_quotes(text: str) -> str:
    """A string literal's content (quotes and r/b/f prefixes removed); other text unchanged."""
    t = text.strip()
    m = _STRING_PREFIX.match(t)
    if m is None:
        return t
    body = t[m.end(1):]
    for q in ('"""', "'''", '"', "'", "`"):
        if len(body) >= 2 * len(q) and body.startswith(q) and body.endswith(q):
            return body[len(q): -len(q)]
    return t


def strip_comment(text: str) -> str:
    body = text.strip()
    if body.endswith("*/"):
        body = body[:-2]
    return _COMMENT_MARKS.sub("", body)


def first_paragraph(text: str, limit: int = 500) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    para: list[str] = []
    for line in lines:
        if not line:
            if para:
                break
            continue
        para.append(line)
    return collapse(" ".join(para), limit)


def param_names(params: Any, text_of: Callable[[Any], str]) -> tuple[str, ...]:
    """Parameter names from a parameters node, without annotations or defaults."""
    if params is None:
        return ()
    if params.type == "identifier":  # JS `x => x`
        return (text_of(params),)
    names = []
    for child in params.named_children:
        if child.type in _SKIPPED_PARAMS:
            continue
        if child.type == "parameter_declaration":  # Go: `a, b int` declares two
            several = child.children_by_field_name("name")
            if len(several) > 1:
                names.extend(text_of(n) for n in several)
                continue
        names.append(_param_name(child, text_of))
    return tuple(names)


def _param_name(node: Any, text_of: Callable[[Any], str]) -> str:
    t = node.type
    if t == "identifier":
        return text_of(node)
    if t in ("list_splat_pattern", "dictionary_splat_pattern", "rest_pattern"):
        prefix = {"list_splat_pattern": "*", "dictionary_splat_pattern": "**"}.get(t, "...")
        inner = node.named_children
        return prefix + (text_of(inner[0]) if inner else "")
    for name in _PARAM_NAME_FIELDS:
        sub = node.child_by_field_name(name)
        if sub is not None:
            return _param_name(sub, text_of) if sub.type != t else collapse(text_of(sub), 60)
    if t == "typed_parameter" and node.named_children:
        return _param_name(node.named_children[0], text_of)
    return collapse(text_of(node), 60)
