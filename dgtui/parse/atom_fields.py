"""The fields of each atom, read from its definition once the sweep has nested it.

``build_atoms`` turns the swept intervals of one file into ``Atom`` records: ids (numbered when a
name repeats), kind, owner (what ``self``/``this`` means), whether it is exported, signature,
whether it is async, the hash of its own text and a docstring from leading comments where the
language writes them so.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from ..model import Atom, Import
from .bindings import call_heads, is_overload, with_bindings
from .registry import LoadedLanguage
from .text import collapse, first_paragraph, param_names, strip_comment

if TYPE_CHECKING:  # the sweep's types; extract imports this module
    from .extract import _Interval, _Text

MODULE_NAME = "<module>"
_MAX_SIGNATURE = 240
_MAX_HEADER_PREFIX = 512  # bytes before a definition, on its line, that may join its signature
_HEADER_PREFIX = re.compile(
    rb"\s*(?:(?:export|default|const|let|var|async|static|public|private|protected|readonly|"
    rb"abstract|declare|override|type)\s+)*")
_RUST_FUNCTIONS = ("function_item", "function_signature_item")


def build_atoms(path: str, lang: LoadedLanguage, text: _Text, module: _Interval,
                intervals: list[_Interval], imports: list[Import], export_names: set[str],
                export_spans: list[tuple[int, int]], comments: dict[int, tuple[int, str]],
                default_export: str | None, package: str | None = None,
                heads: set[str] | None = None) -> list[Atom]:
    """The file's atoms, the module first, each with its fields read from its definition.
    ``heads``: ``call_heads`` of the file's calls, when the caller has them already."""
    spec = lang.spec
    used: dict[str, int] = {}
    if heads is None:
        heads = call_heads(c.callee for iv in [module, *intervals] for c in iv.calls)

    def make_id(qualified: str) -> str:
        count = used.get(qualified, 0) + 1
        used[qualified] = count
        return f"{path}::{qualified}" if count == 1 else f"{path}::{qualified}#{count}"

    module.atom_id = make_id(MODULE_NAME)
    # Ids first: an @overload stub is numbered after the implementation of its name, which owns
    # the plain id (the stubs are its signatures, with no body worth a call).
    for iv in sorted((iv for iv in intervals if iv.is_atom), key=lambda iv: is_overload(iv)):
        iv.atom_id = make_id(iv.qualified)
    atoms = [Atom(
        id=module.atom_id, file_path=path, name=MODULE_NAME, qualified_name=MODULE_NAME,
        kind="module", line=1, end_line=None, docstring=module.doc,
        complexity=1 + module.branches, body_hash=_own_hash(text, module, 0, len(text.source)),
        calls=tuple(module.calls),
        imports=tuple(imports),
        extra=with_bindings(_module_extra(export_names, default_export, package), module, heads),
    )]
    has_all = spec.public_by_default and bool(export_names)
    python, public, from_comments = spec.name == "python", spec.public_by_default, spec.docs_from_comments
    exported_by = spec.exported_by
    source, text_of, new = text.source, text.of, tuple.__new__
    for iv in intervals:
        if not iv.is_atom:
            continue
        atom_id = iv.atom_id
        parent = iv.atom_parent
        node = iv.node
        line = iv.row + 1
        # a Go type's body is its type (`struct {...}`): the header is `type Server`
        body = node.child_by_field_name("body") or (node.type == "type_spec" and node.child_by_field_name("type")) or node
        kind = _kind(iv, python)
        owner = iv.owner = _owner(iv, parent, kind, python)
        short = iv.name.rsplit(".", 1)[-1] if kind != "test" else iv.name
        if exported_by:
            exported = iv.exported = _declared_exported(exported_by, iv, short, source)
        else:
            exported = iv.exported = iv.exported or _is_exported(iv, parent, short, public, has_all,
                                                                 export_names, export_spans)
        doc = iv.doc
        if not doc and from_comments:
            doc = _leading_comment(comments, line - 1)
        params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        atoms.append(new(Atom, (  # positionally: a NamedTuple's keyword __new__ is Python code
            atom_id, path, short, iv.qualified, kind, line, node.end_point[0] + 1,
            _signature(source, iv.anchor, body), param_names(params, text_of),
            _is_async(node, body, source), exported, doc, 1 + iv.branches,
            _own_hash(text, iv, body.start_byte, body.end_byte), tuple(iv.calls), parent.atom_id,
            owner, tuple(iv.bases), (),
            with_bindings({"generator": True} if iv.has_yield and kind != "generator" else None,
                          iv, heads, text_of))))
    return atoms


def _module_extra(export_names: set[str], default_export: str | None,
                  package: str | None) -> dict[str, Any] | None:
    extra: dict[str, Any] = {}
    if package:
        extra["package"] = {"package": package}
    if export_names:
        extra["exports"] = sorted(export_names)
    if default_export:
        extra["default"] = default_export
    return extra or None


def _kind(iv: _Interval, python: bool) -> str:
    kind = iv.kind
    if kind == "function":
        node_type = iv.node.type
        if python and iv.parent is not None and iv.parent.kind == "class":
            return "method"
        if node_type in _RUST_FUNCTIONS and iv.parent is not None and iv.parent.kind in ("class", "impl_item"):
            return "method"  # in a trait or an impl block
        if node_type == "arrow_function":
            return "arrow"
        if node_type.startswith("generator") or (python and iv.has_yield):
            return "generator"
    return kind


def _owner(iv: _Interval, parent: _Interval, kind: str, python: bool) -> str | None:
    """What ``self``/``this`` means inside the atom, as a qualified name in its file."""
    if kind == "class":
        return iv.qualified
    if "." in iv.name and kind != "test":  # res.send = ..., Foo.prototype.bar = ...
        return iv.name.rsplit(".", 1)[0].removesuffix(".prototype")
    if iv.parent is not None and not iv.parent.is_atom and iv.parent.kind != "mod_item":
        return iv.parent.qualified  # a method of a named object literal, of a Rust impl block
    if parent.kind == "class":
        return parent.qualified
    # Python's self is lexical; in JS only arrows keep the enclosing `this`, in Java lambdas.
    if python or kind == "arrow" or iv.node.type == "lambda_expression":
        return parent.owner
    return None


def _is_exported(iv: _Interval, parent: _Interval, short: str, public_by_default: bool,
                 has_all: bool, export_names: set[str], export_spans: list[tuple[int, int]]) -> bool:
    top_level = parent.kind == "module"
    if public_by_default:  # Python: __all__ when present, else public top-level names
        if top_level:
            return short in export_names if has_all else not short.startswith("_")
        if parent.kind == "class" and parent.exported:
            return not short.startswith("_") or (short.startswith("__") and short.endswith("__"))
        return False
    name = iv.name
    if name.startswith(("module.exports", "exports.")):
        return True
    if "." in name and name.split(".", 1)[0] in export_names:  # members of an exported object
        return True
    holder = iv.parent
    if holder is not None and not holder.is_atom and holder.qualified.startswith(("module.exports", "exports")):
        return True
    if top_level:
        start = iv.anchor.start_byte
        return name in export_names or any(a <= start < b for a, b in export_spans)
    if parent.kind == "class" and parent.exported:
        return not short.startswith("#")
    return False


def _declared_exported(rule: str, iv: _Interval, short: str, source: bytes) -> bool:
    """Visibility as the language declares it: Go's capital letter, Java's ``public`` (members
    of an interface are public unless they say otherwise), Rust's ``pub``."""
    if rule == "capital":
        return short[:1].isupper()
    node = iv.node
    if rule == "public":
        for child in node.children[:3]:
            if child.type == "modifiers":
                words = source[child.start_byte:child.end_byte]
                return b"public" in words.split() or (
                    _in_interface(iv) and not (b"private" in words.split()))
        return _in_interface(iv)
    for child in node.children[:3]:  # Rust: pub, pub(crate), pub(super)
        if child.type == "visibility_modifier":
            return source[child.start_byte:child.end_byte] == b"pub"
    parent = iv.atom_parent  # a trait's methods are as public as the trait
    return parent is not None and parent.node is not None and parent.node.type == "trait_item" and parent.exported


def _in_interface(iv: _Interval) -> bool:
    parent = iv.atom_parent
    return parent is not None and parent.node is not None and parent.node.type == "interface_declaration"


def _is_async(node: Any, body: Any, source: bytes) -> bool:
    # An `async` among the first children comes before the body: no such bytes there, no need
    # to make a node object for each child.
    if body is not node and b"async" not in source[node.start_byte:body.start_byte]:
        return False
    return any(child.type == "async" for child in node.children[:4])


def _signature(src: bytes, anchor: Any, body: Any) -> str:
    """The definition's header as written: from its first keyword to where its body starts."""
    start = anchor.start_byte
    # Look back a bounded way only: on a minified one-line bundle an unbounded search for the
    # line start is quadratic; a keyword prefix is never that long.
    newline = src.rfind(b"\n", max(0, start - _MAX_HEADER_PREFIX), start)
    line_start = newline + 1 if newline >= 0 or start <= _MAX_HEADER_PREFIX else start
    if _HEADER_PREFIX.fullmatch(src[line_start:start]):  # keep `export const`, `static async`...
        start = line_start
    end = body.start_byte if body is not anchor and body.start_byte > start else anchor.end_byte
    header = src[start:min(end, start + 4 * _MAX_SIGNATURE)].decode("utf-8", "replace")
    sig = collapse(header, _MAX_SIGNATURE)
    return sig[:-1].rstrip() if sig.endswith("{") else sig


def _own_hash(text: _Text, iv: _Interval, start: int, end: int) -> str:
    """Hash of the atom's own text: its body without the spans of the atoms nested in it."""
    if not iv.children:
        return hashlib.blake2b(text.source[start:end], digest_size=8).hexdigest()
    h = hashlib.blake2b(digest_size=8)
    pos = start
    for child in iv.children:
        if child.start >= end or child.end <= pos:
            continue
        h.update(text.source[pos:max(pos, child.start)])
        h.update(b"\0")  # a nested atom, whatever it is: it is an atom of its own
        pos = max(pos, child.end)
    h.update(text.source[pos:end])
    return h.hexdigest()


def _leading_comment(comments: dict[int, tuple[int, str]], row: int) -> str:
    """The comment block ending on the line just above ``row`` (0-based), as one paragraph."""
    parts: list[str] = []
    r = row - 1
    while r in comments:
        start_row, body = comments[r]
        parts.append(body)
        r = start_row - 1
    if not parts:
        return ""
    return first_paragraph("\n".join(strip_comment(p) for p in reversed(parts)))
