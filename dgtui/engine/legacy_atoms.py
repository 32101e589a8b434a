"""The origin system's JSON atoms, read and turned into dgtui atoms.

The origin stored one atom per file at ``.omnysysdata/atoms/<dir>/<file-stem>/<function>.json``
(``saveAtom`` in its ``storage/atoms/atom.js``): ``<dir>/<file-stem>`` is the source file without
its extension, and the atom's ``filePath`` gives the rest. Field names drifted over its versions
(``filePath``/``file``, ``line``/``lineStart``, ``isAsync``/``async``...), so each is read under
all its names. What dgtui has no column for is kept whole in ``extra["legacy"]``.

Everything here is pure: bytes in, an atom or a ``MalformedAtom`` reason out.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from ..model import Atom, Call

MAX_ATOM_FILE_BYTES = 8 * 1024 * 1024
#: Deeper JSON is refused: SQLite's JSON functions stop at 1,000 levels, and one such row would
#: break every query that reads the column.
MAX_NESTING = 100
_MAX_INT = 2**31 - 1
_MAX_NAME = 1000
_SHORT = re.compile(r"([A-Za-z_$][\w$]*)\W*$")

#: Legacy kind words -> dgtui kinds (anything else is a function; the word stays in legacy).
_KINDS = {
    "function": "function", "declaration": "function", "function-declaration": "function",
    "expression": "function", "function-expression": "function", "arrow": "arrow",
    "arrow-function": "arrow", "method": "method", "class-method": "method", "getter": "method",
    "setter": "method", "constructor": "method", "class": "class", "generator": "generator",
    "test": "test", "test-callback": "test", "module": "module",
}


class MalformedAtom(ValueError):
    """A legacy atom file that cannot be imported; the message is the reason, for the report."""


def read_atom_file(data: bytes) -> dict[str, Any]:
    """Bytes of one legacy atom file -> its JSON object."""
    if len(data) > MAX_ATOM_FILE_BYTES:
        raise MalformedAtom(f"larger than {MAX_ATOM_FILE_BYTES} bytes")
    if not data.strip():
        raise MalformedAtom("empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedAtom(f"not UTF-8 (byte {exc.start})") from None
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise MalformedAtom("JSON nested too deeply") from None
    except ValueError as exc:
        raise MalformedAtom(f"not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise MalformedAtom(f"not a JSON object (a {type(obj).__name__})")
    # Brackets bound the depth: walk the tree only when there are enough of them to matter.
    if text.count("{") + text.count("[") > MAX_NESTING and _depth(obj) > MAX_NESTING:
        raise MalformedAtom(f"JSON nested more than {MAX_NESTING} levels deep")
    return obj


def source_path(obj: dict[str, Any], folder: str) -> str:
    """The repository-relative source file an atom found in ``folder`` (``<dir>/<file-stem>``,
    relative to the atoms root) belongs to.

    The folder is the trusted part (it is where the origin put the file); ``filePath`` only adds
    the extension and must agree with the folder, so no atom can name a file outside the
    repository (``../../etc/passwd``) or one it was not stored under.
    """
    raw = _first(obj, "filePath", "file", "file_path")
    if raw is None and isinstance(obj.get("id"), str) and "::" in obj["id"]:
        raw = obj["id"].split("::", 1)[0]
    if not isinstance(raw, str) or not raw.strip():
        raise MalformedAtom("no filePath")
    if "\0" in raw:
        raise MalformedAtom("filePath contains a NUL character")
    normal = raw.replace("\\", "/")
    base = normal.rsplit("/", 1)[-1]
    if base in ("", ".", ".."):
        raise MalformedAtom(f"filePath {raw!r} names no file")
    stem = _node_stem(base)
    rel_dir, _, folder_stem = folder.rpartition("/")
    expected = f"{rel_dir}/{base}" if rel_dir else base
    if stem != folder_stem or not (normal == expected or normal.endswith("/" + expected)):
        raise MalformedAtom(f"filePath {raw!r} does not belong in folder {folder!r}")
    return expected


def to_atom(obj: dict[str, Any], path: str) -> Atom:
    """A legacy atom object (of the source file at ``path``) -> an Atom.

    The id is ``path::qualified`` like a parsed atom's, so that a later ``dgtui index`` of the
    same code sees the same atom (an update), not a delete and a create; the caller adds the
    ``#2`` of a name defined twice. Fields read without loss are left out of ``extra["legacy"]``;
    everything else (the legacy id, calls with their types, scores...) is kept there whole.
    """
    consumed: set[str] = set()

    def take(*keys: str) -> tuple[str | None, Any]:
        for key in keys:
            if obj.get(key) is not None:
                return key, obj[key]
        return None, None

    key, name = take("name", "functionName")
    if not isinstance(name, str) or not name.strip():
        raise MalformedAtom("no name")
    if len(name) > _MAX_NAME or "\0" in name:
        raise MalformedAtom("name is too long or contains a NUL character")
    consumed.add(key)
    key, line = take("line", "lineStart", "startLine")
    line = _int(line, low=1)
    if line is None:
        raise MalformedAtom("no line (a positive integer)")
    consumed.add(key)
    key, end_line = take("endLine", "lineEnd", "endLineNumber")
    end_line = _int(end_line, low=line)
    if end_line is not None:
        consumed.add(key)
    class_name = obj.get("className")
    if isinstance(class_name, str) and class_name and len(class_name) <= _MAX_NAME \
            and "\0" not in class_name:
        consumed.add("className")
    else:
        class_name = None
    for keys in (("isAsync", "async"), ("isExported", "exported")):
        key, flag = take(*keys)
        if isinstance(flag, bool):
            consumed.add(key)
    is_async = next((obj[k] for k in ("isAsync", "async") if k in consumed), False)
    is_exported = next((obj[k] for k in ("isExported", "exported") if k in consumed), False)
    complexity = _int(obj.get("complexity"), low=1)
    if complexity is not None:
        consumed.add("complexity")
    if obj.get("filePath") == path:
        consumed.add("filePath")

    kind = _kind(obj, class_name)
    qualified = name if not class_name or name.startswith(class_name + ".") else f"{class_name}.{name}"
    atom_id = f"{path}::{qualified}"
    if obj.get("id") == atom_id:
        consumed.add("id")
    params, signature = _signature(obj.get("signature"), obj.get("params"), name)
    doc = next((obj[k] for k in ("docstring", "description", "jsdoc") if isinstance(obj.get(k), str)), "")
    legacy = {k: v for k, v in obj.items() if k not in consumed}
    return Atom(
        id=atom_id, file_path=path, name=name.rsplit(".", 1)[-1] or name, qualified_name=qualified,
        kind=kind, line=line, end_line=end_line if end_line is not None else line,
        signature=signature, params=params, is_async=is_async, is_exported=is_exported,
        docstring=" ".join(doc.split())[:2000], complexity=complexity or 1,
        calls=_calls(obj.get("calls"), line), owner=class_name if kind == "method" else None,
        extra={"legacy": legacy} if legacy else None,
    )


def check_storable(state: str) -> None:
    """SQLite takes UTF-8 only: a lone surrogate (``"\\ud800"``, valid JSON) cannot be stored."""
    try:
        state.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedAtom("text that is not valid Unicode (a lone surrogate)") from None


# -- fields -------------------------------------------------------------------------------
def _kind(obj: dict[str, Any], class_name: str | None) -> str:
    if obj.get("isTestCallback") is True:
        return "test"
    for key in ("functionType", "type", "atomType", "kind"):
        word = obj.get(key)
        if isinstance(word, str) and word.lower() in _KINDS:
            kind = _KINDS[word.lower()]
            if kind == "function" and class_name:
                return "method"
            return kind
    return "method" if class_name else "function"


def _calls(raw: Any, line: int) -> tuple[Call, ...]:
    """``calls: [{name, type, line}]`` (or plain names) -> calls with offsets from ``line``."""
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if isinstance(item, str):
            callee, at = item, None
        elif isinstance(item, dict):
            callee = item.get("name") or item.get("callee")
            at = _int(item.get("line"), low=1)
        else:
            continue
        if not isinstance(callee, str) or not callee.strip() or len(callee) > _MAX_NAME \
                or "\0" in callee:
            continue
        callee = callee.strip()
        short = callee.rpartition(".")[2]
        if not short.isidentifier():
            m = _SHORT.search(callee)
            short = m.group(1) if m else callee
        out.append(Call(callee, short, (at - line) if at is not None else 0))
    return tuple(out)


def _signature(sig: Any, params_raw: Any, name: str) -> tuple[tuple[str, ...], str]:
    params: list[str] = []
    source = sig.get("params") if isinstance(sig, dict) else params_raw
    if isinstance(source, list):
        for p in source:
            pname = p.get("name") if isinstance(p, dict) else p
            if isinstance(pname, str) and pname and "\0" not in pname:
                params.append(pname[:100])
    if isinstance(sig, str) and "\0" not in sig:
        return tuple(params), " ".join(sig.split())[:240]
    return tuple(params), f"{name}({', '.join(params)})"[:240]


def _int(value: Any, low: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and low <= value <= _MAX_INT:
        return value
    return None


def _first(obj: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if obj.get(key) is not None:
            return obj[key]
    return None


def _node_stem(base: str) -> str:
    """Node's ``path.basename(p, path.extname(p))``: ``a.test.js`` -> ``a.test``, ``.rc`` -> ``.rc``."""
    dot = base.rfind(".")
    return base if dot <= 0 else base[:dot]


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if deepest > MAX_NESTING:
            break
        if isinstance(item, dict):
            todo.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, level + 1) for v in item)
    return deepest


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not JSON")


def is_relative_clean(path: str) -> bool:
    """A repository-relative posix path with no ``..``, no absolute start, no NUL."""
    return (bool(path) and "\0" not in path and not path.startswith("/")
            and posixpath.normpath(path) == path and not path.startswith("../") and path != "..")
