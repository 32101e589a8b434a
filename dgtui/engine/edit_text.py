"""The text of an edit: where an atom's lines are, new source fitted to where it goes, and the
one-word rewrites of a rename (a definition, a call site, an import).

Pure functions on lists of lines (each with its line ending); ``edit.py`` decides what to change
and checks the result with the parser. An edit works on whole lines: an atom that shares a line
with other code is caught by that check (the neighbour's text would change), not here.
"""

from __future__ import annotations

import re
import textwrap

_WORD = r"[\w$]"


class TextError(ValueError):
    """The edit cannot be made in this text (a call site not found, an empty source...)."""


def lines_of(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def newline_of(text: str) -> str:
    """The file's line ending: new lines are written in it."""
    return "\r\n" if "\r\n" in text else "\n"


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def is_blank(line: str) -> bool:
    return not line.strip()


def fit(source: str, indent: str, newline: str) -> list[str]:
    """``source`` re-indented to start at ``indent``, blank lines around it dropped. The
    source's own common indentation is removed first, so an agent may send it at any depth.
    (Lines inside a multi-line string are indented with the rest.)"""
    text = textwrap.dedent(source.replace("\r\n", "\n"))
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise TextError("the new source is empty")
    return [(indent + line if line.strip() else "").rstrip(" \t") + newline for line in lines]


def decorators_above(lines: list[str], first: int) -> int:
    """The index of the first decorator line directly above line index ``first`` (``first``
    itself when there is none): a deleted or replaced definition takes them along."""
    indent = indent_of(lines[first])
    start = first
    while start > 0 and lines[start - 1].strip().startswith("@") and indent_of(lines[start - 1]) == indent:
        start -= 1
    return start


def separation(indent: str, language: str) -> int:
    """Blank lines between two definitions: two at a Python module's top level, else one."""
    return 2 if language == "python" and not indent else 1


def rename_definition(line: str, old: str, new: str) -> str:
    """The definition's line with its name (the first whole-word ``old`` after the
    indentation) renamed."""
    match = re.search(rf"(?<!{_WORD}){re.escape(old)}(?!{_WORD})", line)
    if match is None:
        raise TextError(f"the name {old!r} is not on its definition's first line")
    return line[: match.start()] + new + line[match.end():]


def rename_calls(lines: list[str], line_index: int, callee: str, old: str, new: str, count: int) -> None:
    """Rename ``count`` calls ``callee(...)`` (whose last name is ``old``) on the line at
    ``line_index`` or, for a call written across lines, the few lines after it."""
    head, _, last = callee.replace(" ", "").rpartition(".")
    if last != old:  # called through an alias (`import write as w`): the call site stays
        return
    # `db.write(` or `db . write (`; a bare `write(` not preceded by a dot (that is another call)
    dotted = r"\s*\.\s*".join(re.escape(p) for p in head.split(".")) + r"\s*\.\s*" if head else r"(?<![\w$.])"
    pattern = re.compile(rf"(?<!{_WORD}){dotted}({re.escape(old)})(?!{_WORD})(?=\s*[(<`]|\s*$)")
    for i in range(line_index, min(line_index + 4, len(lines))):
        found = list(pattern.finditer(lines[i]))
        if found:
            if len(found) < count:
                raise TextError(f"line {line_index + 1} holds {count} calls of {callee!r} but "
                                f"{len(found)} were found")
            line = lines[i]
            for m in reversed(found):
                line = line[: m.start(1)] + new + line[m.end(1):]
            lines[i] = line
            return
    raise TextError(f"the call {callee!r} was not found on line {line_index + 1}")


def rename_import(text: str, module: str, old: str, new: str, style: str) -> str:
    """``text`` with ``old`` renamed in the import statements that import it from ``module``
    (``from module import old as x``, ``import { old } from 'module'``); an alias stays."""
    if style == "python":
        statement = re.compile(rf"(^[ \t]*from[ \t]+{re.escape(module)}[ \t]+import[ \t]+)"
                               r"(\([^)]*\)|[^\n]*(?:\\\n[^\n]*)*)", re.M)
    else:
        statement = re.compile(r"(\bimport\s*(?:type\s+)?(?:[\w$]+\s*,\s*)?)(\{[^}]*\})(?=\s*from\s*['\"]"
                               + re.escape(module) + r"['\"])")
    name = re.compile(rf"(?<![\w$])(?<!as\s){re.escape(old)}(?![\w$])")
    changed = 0

    def one(m: re.Match) -> str:
        nonlocal changed
        names, n = name.subn(new, m.group(2))
        changed += n
        return m.group(1) + names

    out = statement.sub(one, text)
    if not changed:
        raise TextError(f"the import of {old!r} from {module!r} was not found")
    return out


def mentions(text: str, name: str) -> list[int]:
    """Lines (1-based) where ``name`` still appears as a word not after a dot: a reference a
    rename did not rewrite (a function passed as a value, a string, ``__all__``)."""
    pattern = re.compile(rf"(?<![\w$.]){re.escape(name)}(?![\w$])")
    return [i for i, line in enumerate(lines_of(text), 1) if pattern.search(line)]
