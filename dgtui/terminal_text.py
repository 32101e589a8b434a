"""Text from a repository, an import or a client, made inert before it reaches a terminal.

A docstring, a file name, an atom name or an insight is data, but a terminal executes what it
prints: ``\\x1b]0;title\\x07`` renames the window, ``\\x1b[2J`` clears the screen, ``\\x1b[31m``
colours everything after it, a lone ``\\r`` or a bidirectional override (U+202E) makes a line show
something other than what it holds. Every such character is shown escaped instead (``\\x1b``, as
Python writes it), so what is on screen is exactly what is stored. The CLI (tables, ``show``,
messages) and the explorer (names, paths, docstrings, source) both use this one function; JSON
and the MCP answers escape by their own rules and are left alone.
"""

from __future__ import annotations

import re

#: Line breaks and tabs that lay out source and docstrings; kept with ``layout=True``.
_LAYOUT = re.compile(r"\r\n|\n|\t")


def inert(text: str, *, layout: bool = False) -> str:
    """``text`` with every character a terminal could act on shown escaped.

    Unprintable characters (C0 and C1 controls, DEL, format characters such as bidi overrides
    and zero-width joiners, line and paragraph separators, lone surrogates from undecodable
    bytes) become their Python escape (``\\x1b``, ``\\u202e``, ``\\udcff``). With ``layout``,
    newlines and tabs stay (a Windows ``\\r\\n`` becomes ``\\n``): the shape of source text.
    """
    if text.isprintable():
        return text
    if not layout:
        return _escape(text)
    parts = _LAYOUT.split(text)
    seps = ["\n" if s == "\r\n" else s for s in _LAYOUT.findall(text)]
    out = [_escape(parts[0])]
    for sep, part in zip(seps, parts[1:]):
        out.append(sep)
        out.append(_escape(part))
    return "".join(out)


def _escape(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _code(c) for c in text)


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _code(c: str) -> str:
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    if n < 0x100:
        return f"\\x{n:02x}"
    if n < 0x10000:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


def for_markup(text: str, *, layout: bool = False) -> str:
    """``inert`` text for a Rich markup string: its ``[`` cannot open a tag either."""
    from rich.markup import escape

    return escape(inert(text, layout=layout))
