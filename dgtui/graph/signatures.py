"""Is a new signature still callable the old way? Compatible versus breaking signature changes.

Pure: it reads the signature text the parser keeps (``def f(a, b=1, *args, c, **kw):``,
``function f(a: string, b?: number, ...rest)``) and the parameter names, and says what changed.
A caller written for the old signature keeps working after a compatible change: a new parameter
with a default, a new ``*args``/``**kwargs`` (``...rest``), a new keyword-only parameter with a
default, a default added. It may break after any other: a parameter removed, renamed or moved, a
new required one, a default taken away, a positional parameter made keyword-only, ``async``
added or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

POSITIONAL, KEYWORD, VAR_POSITIONAL, VAR_KEYWORD = "positional", "keyword", "*args", "**kwargs"
#: The fields of an atom that are its signature: an update of one of them is classified.
SIGNATURE_FIELDS = frozenset({"signature", "params", "is_async", "name", "kind"})
_OPEN, _CLOSE = "([{<", ")]}>"


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # POSITIONAL (or keyword), KEYWORD (keyword-only), VAR_POSITIONAL, VAR_KEYWORD
    has_default: bool = False


@dataclass(frozen=True)
class SignatureChange:
    """What a new signature did to its callers: ``breaking`` says if one may fail, ``what`` why."""

    breaking: bool
    what: tuple[str, ...]

    def __str__(self) -> str:
        return "; ".join(self.what)


def parameters(signature: str, names: tuple[str, ...] = ()) -> list[Param]:
    """The parameters of ``signature``; ``names`` (the parser's) when it has no parameter list
    (``x => x``)."""
    inner = _parameter_list(signature)
    if inner is None:
        return [Param(n, POSITIONAL) for n in names]
    out: list[Param] = []
    keyword_only = False
    for piece in _split(inner):
        piece = piece.strip()
        if not piece or piece == "/":  # Python's positional-only marker: nothing to call by
            continue
        if piece == "*":
            keyword_only = True
            continue
        if piece.startswith("**"):
            out.append(Param(_name(piece[2:]), VAR_KEYWORD, True))
        elif piece.startswith(("*", "...")):
            out.append(Param(_name(piece.lstrip("*.")), VAR_POSITIONAL, True))
            keyword_only = True
        else:
            name = _name(piece)
            default = _has_default(piece) or name.endswith("?") or _optional_ts(piece)
            out.append(Param(name.rstrip("?"), KEYWORD if keyword_only else POSITIONAL, default))
    return out


def classify(old_signature: str, new_signature: str, *, old_params: tuple[str, ...] = (),
             new_params: tuple[str, ...] = (), old_async: bool = False,
             new_async: bool = False) -> SignatureChange:
    """Compare two signatures of one callable; ``what`` lists each difference in words."""
    breaking: list[str] = []
    compatible: list[str] = []
    if old_async != new_async:
        breaking.append("became async" if new_async else "is no longer async")
    old = parameters(old_signature, old_params)
    new = parameters(new_signature, new_params)
    old_pos = [p for p in old if p.kind == POSITIONAL]
    new_pos = [p for p in new if p.kind == POSITIONAL]
    new_by_name = {p.name: p for p in new}
    old_names = {p.name for p in old}

    for i, p in enumerate(old_pos):  # every old positional parameter, at its place
        if i < len(new_pos) and new_pos[i].name == p.name:
            if p.has_default and not new_pos[i].has_default:
                breaking.append(f"parameter {p.name} lost its default")
            continue
        moved = new_by_name.get(p.name)
        if moved is None:
            renamed = i < len(new_pos) and new_pos[i].name not in old_names
            breaking.append(f"parameter {p.name} renamed to {new_pos[i].name}" if renamed
                            else f"parameter {p.name} removed")
        elif moved.kind == KEYWORD:
            breaking.append(f"parameter {p.name} became keyword-only")
        else:
            breaking.append(f"parameter {p.name} moved")
    for p in old:
        if p.kind == POSITIONAL:
            continue
        now = new_by_name.get(p.name)
        if p.kind in (VAR_POSITIONAL, VAR_KEYWORD):
            if not any(q.kind == p.kind for q in new):
                breaking.append(f"{_star(p)} removed")
        elif now is None:
            breaking.append(f"keyword parameter {p.name} removed")
        elif p.has_default and not now.has_default:
            breaking.append(f"parameter {p.name} lost its default")
    renamed_to = {b.rsplit(" ", 1)[-1] for b in breaking if " renamed to " in b}
    for p in new:
        if p.name in old_names or p.name in renamed_to:
            if p.has_default and not next(q for q in old if q.name == p.name).has_default:
                compatible.append(f"parameter {p.name} got a default")
            continue
        if p.kind in (VAR_POSITIONAL, VAR_KEYWORD):
            if not any(q.kind == p.kind for q in old):
                compatible.append(f"new {_star(p)}")
        elif p.has_default:
            compatible.append(f"new {'keyword ' if p.kind == KEYWORD else ''}parameter {p.name} "
                              "with a default")
        else:
            breaking.append(f"new required {'keyword ' if p.kind == KEYWORD else ''}parameter {p.name}")
    return SignatureChange(bool(breaking), tuple(breaking or compatible))


def _star(p: Param) -> str:
    return ("*" if p.kind == VAR_POSITIONAL else "**") + p.name


def _parameter_list(signature: str) -> str | None:
    """The text between the first ``(`` and its matching ``)``, or None."""
    start = signature.find("(")
    if start < 0:
        return None
    depth = 0
    for i in range(start, len(signature)):
        c = signature[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth == 0:
                return signature[start + 1:i]
    return signature[start + 1:]  # cut off (a very long signature is stored shortened)


def _split(text: str) -> list[str]:
    """Top-level comma-separated pieces (commas inside brackets, generics or strings stay)."""
    pieces, depth, quote, current = [], 0, "", []
    for c in text:
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'`":
            quote = c
        elif c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif c == "," and depth == 0:
            pieces.append("".join(current))
            current = []
            continue
        current.append(c)
    pieces.append("".join(current))
    return pieces


def _name(piece: str) -> str:
    """The parameter's name: before its annotation (``x: int``) or default (``x=1``); a
    destructured pattern (``{a, b}``) is its own name."""
    piece = piece.strip()
    if piece[:1] in "{[":
        depth = 0
        for i, c in enumerate(piece):
            depth += c in _OPEN
            depth -= c in _CLOSE
            if depth == 0:
                return piece[:i + 1]
        return piece
    for i, c in enumerate(piece):
        if c in ":=" or c.isspace():
            return piece[:i]
    return piece


def _has_default(piece: str) -> bool:
    depth = 0
    for i, c in enumerate(piece):
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif c == "=" and depth == 0 and piece[i + 1:i + 2] not in ("=", ">") and piece[i - 1:i] not in "=!<>":
            return True
    return False


def _optional_ts(piece: str) -> bool:
    """TypeScript's ``b?: number``."""
    name = _name(piece)
    return piece.strip()[len(name):].lstrip().startswith("?")
