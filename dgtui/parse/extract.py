"""Source bytes -> atoms, driven by the capture vocabulary of ``dgtui/parse/queries/*.scm``.

One query run per file collects definitions, name scopes and point items (calls, decision points,
yields, docstrings, base classes). A single sweep in byte order then nests definitions into
qualified names and gives every point item to the innermost atom that contains it, so calls in a
nested function belong to the nested atom. Iterative throughout: 5,000-deep nesting is fine.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ..model import Atom, Call, Import
from .bindings import (
    GLOBAL,
    bind,
    call_heads,
    declared_type,
    go_package_name,
    import_binding,
    is_overload,
    rust_uses,
    wanted_bindings,
    with_bindings,
)
from .registry import LoadedLanguage
from .text import collapse, first_paragraph, param_names, strip_comment, strip_quotes

MODULE_NAME = "<module>"
_MAX_CALLEE = 160
_MAX_SIGNATURE = 240
_MAX_ERRORS = 10
_MAX_HEADER_PREFIX = 512  # bytes before a definition, on its line, that may join its signature
_MAX_QUALIFIED_PREFIX = 256  # a deeper parent chain keeps its tail: "…f.f.f" (ids stay unique)
_HEADER_PREFIX = re.compile(
    rb"\s*(?:(?:export|default|const|let|var|async|static|public|private|protected|readonly|"
    rb"abstract|declare|override|type)\s+)*")
_ROLES = ("callee", "branch", "scope.object", "comment", "doc", "base", "yield",
          "import.module", "export.name", "export.default_name", "export.definition", "error",
          "bind.name", "bind.attr", "bind.global", "returns", "decorator", "return.call",
          "return.name", "package.name")  # (callee.object, base.holder: read with their roles)
_RUST_FUNCTIONS = ("function_item", "function_signature_item")
_RTYPE = re.compile(r":rtype:\s*:?(?:class:)?`?~?([\w.]+)")
_SHORT_NAME = re.compile(r"([A-Za-z_$#][\w$]*)\s*$")
_AROUND_DOTS = re.compile(r"\s*(\?\.|\.)\s*")
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*|#[^\n]*(?=\n)", re.S)
_first = itemgetter(0)


class _Interval:
    """A definition (atom) or a named object scope, spanning [start, end) bytes."""

    __slots__ = ("start", "end", "name", "is_atom", "kind", "node", "anchor", "parent",
                 "atom_parent", "children", "row", "calls", "branches", "has_yield", "doc",
                 "bases", "exported", "qualified", "atom_id", "owner", "binds", "returns",
                 "imports", "decorators", "returned")

    def __init__(self, start: int, end: int, name: str, is_atom: bool, kind: str = "",
                 node: Any = None, anchor: Any = None, row: int = 0):
        self.start = start
        self.end = end
        self.name = name
        self.is_atom = is_atom
        self.kind = kind
        self.node = node
        self.anchor = anchor
        self.row = row  # 0-based row of the header's first line (calls are stored relative to it)
        self.parent: _Interval | None = None
        self.atom_parent: _Interval | None = None  # nearest enclosing interval that is an atom
        self.children: list[_Interval] = []
        self.calls: list[Call] = []
        self.branches = 0
        self.has_yield = False
        self.doc = ""
        self.bases: list[str] = []
        self.exported = False
        self.qualified = ""
        self.atom_id = ""
        self.owner: str | None = None
        self.binds: dict[str, str] | None = None  # name -> what it is bound to (see bindings.py)
        self.returns: str | None = None  # the declared return type
        self.imports: list[Import] | None = None  # the module's, in order
        self.decorators: list[str] | None = None  # as written, without the @
        self.returned: set[str] | None = None  # what its return statements give (C:/A: bindings)


@dataclass
class Extraction:
    atoms: list[Atom]
    error_count: int
    errors: list[str]
    line_count: int


def extract(source: bytes, path: str, lang: LoadedLanguage) -> Extraction:
    """Parse ``source`` (the file at relative posix ``path``) into atoms."""
    import tree_sitter as ts

    tree = lang.parser.parse(source)
    root = tree.root_node
    text = _Text(source)
    spec = lang.spec

    intervals: list[_Interval] = []
    seen_defs: set[tuple[int, int]] = set()
    calls: list[tuple[int, int, str, str]] = []  # (byte, row, callee, short): most matches
    items: list[tuple[int, str, Any]] = []  # (byte, what, payload): the other point items
    binds: list[tuple[int, str, dict]] = []  # (byte, bound name, captures)
    returned_names: set[str] = set()  # names a function returns: their bindings are wanted
    export_names: set[str] = set()
    export_spans: list[tuple[int, int]] = []
    comments: dict[int, tuple[int, str]] = {}  # end row -> (start row, text)
    errors: list[str] = []
    error_count = 0
    default_export: str | None = None  # what `export default` / `module.exports =` names
    package: str | None = None  # Go: the package clause

    roles = lang.roles
    rust = spec.name == "rust"
    for pattern, caps in ts.QueryCursor(lang.query).matches(root):
        if not caps:
            continue  # a pattern whose predicate failed
        role = roles.get(pattern) or roles.setdefault(pattern, _role(caps, lang.capture_kinds))
        if role == "call":  # the hot path: one call in three source lines
            callee = caps["callee"][0]
            start, end = callee.byte_range
            if "callee.object" in caps:  # Java: `obj.name(...)` is written from the receiver
                start = caps["callee.object"][0].start_byte
            callee_text = source[start:end].decode("utf-8", "replace")
            if callee_text.isidentifier() and len(callee_text) <= _MAX_CALLEE:
                short = callee_text  # a bare name: nothing to collapse or split
            else:
                # The called name is the last identifier of the whole text, taken before a long
                # callee is cut and with comments left out (`a /* x */ .b` calls b).
                short = callee_text.rpartition(".")[2]
                if not short.isidentifier():
                    m = _SHORT_NAME.search(_COMMENTS.sub("", callee_text))
                    short = m.group(1) if m else collapse(callee_text, _MAX_CALLEE)
                if len(callee_text) > _MAX_CALLEE or " " in callee_text or not callee_text.isprintable():
                    callee_text = collapse(_AROUND_DOTS.sub(r"\1", _COMMENTS.sub(" ", callee_text)), _MAX_CALLEE)
            calls.append((start, callee.start_point[0], callee_text, short))
        elif role.startswith("definition."):
            node = caps[role][0]
            key = (node.start_byte, node.end_byte)
            if key in seen_defs:
                continue
            seen_defs.add(key)
            intervals.append(_definition(lang.capture_kinds[role], node, caps, text))
            if "export.default" in caps:
                intervals[-1].exported = True
        elif role == "branch":
            items.append((caps["branch"][0].start_byte, "branch", None))
        elif role == "scope.object":
            node = caps["scope.object"][0]
            name = collapse(text.of(caps["name"][0]), _MAX_CALLEE)
            intervals.append(_Interval(node.start_byte, node.end_byte, name, is_atom=False, kind=node.type))
        elif role == "comment":
            node = caps["comment"][0]
            end_row, end_col = node.end_point  # Rust's `///` holds its line end
            comments[end_row - (end_col == 0 and end_row > node.start_point[0])] = (node.start_point[0], text.of(node))
        elif role == "doc":
            node = caps["doc"][0]
            written = text.of(node)
            items.append((node.start_byte, "doc", first_paragraph(strip_quotes(written))))
            rtype = _RTYPE.search(written) if ":rtype:" in written else None
            if rtype:  # a Sphinx ":rtype: requests.Response": what the function returns, stated
                items.append((node.start_byte, "returns", declared_type(rtype.group(1))))
        elif role == "base":
            node = caps["base"][0]
            at = caps["base.holder"][0] if "base.holder" in caps else node  # Java: an anonymous class
            items.append((at.start_byte, "base", collapse(text.of(node), _MAX_CALLEE)))
        elif role == "yield":
            items.append((caps["yield"][0].start_byte, "yield", None))
        elif role == "import.module":
            found = _imports(caps, text, spec.module_style)
            items.append((caps["import.module"][0].start_byte, "import", found))
        elif role in ("bind.name", "bind.attr"):  # judged below, once the calls are known
            node = caps[role][0]
            name = text.of(node) if role == "bind.name" else "self." + text.of(node)
            binds.append((node.start_byte, name, caps))
        elif role == "bind.global":
            node = caps["bind.global"][0]
            items.append((node.start_byte, "bind", (text.of(node), GLOBAL)))
        elif role == "returns":
            node = caps["returns"][0]
            written = text.of(node)  # Rust keeps it whole: `?` unwraps its Result<T, E>
            items.append((node.start_byte, "returns",
                          collapse(written, _MAX_CALLEE) if rust else declared_type(written)))
        elif role in ("return.call", "return.name"):
            node = caps[role][0]
            written = collapse(text.of(node), _MAX_CALLEE)
            if role == "return.name":
                returned_names.add(written)
            items.append((node.start_byte, "returned", ("C:" if role == "return.call" else "A:") + written))
        elif role == "decorator":  # given to the definition it decorates (it starts there)
            decorator = collapse(text.of(caps["decorator"][0]).lstrip("@ "), _MAX_CALLEE)
            items.append((caps["decorated"][0].start_byte, "decorator", decorator))
        elif role == "package.name":
            package = text.of(caps["package.name"][0])
        elif role == "export.name":
            export_names.update(text.of(n) for n in caps["export.name"])
        elif role == "export.default_name":
            default_export = text.of(caps["export.default_name"][0])
            export_names.add(default_export)
        elif role == "export.definition":
            node = caps["export.definition"][0]
            export_spans.append((node.start_byte, node.end_byte))
        elif role == "error":
            error_count += 1
            if len(errors) < _MAX_ERRORS:
                node = caps["error"][0]
                row, col = node.start_point
                errors.append(f"{row + 1}:{col + 1} syntax error near {collapse(text.of(node), 40)!r}")

    items += wanted_bindings(binds, calls, text.of, returned_names)
    module = _Interval(0, len(source) + 1, MODULE_NAME, is_atom=True, kind="module")
    _nest(module, intervals)
    _sweep(module, intervals, items)
    imports = module.imports or []
    _give_calls(module, intervals, calls)
    line_count = source.count(b"\n") + (0 if source.endswith(b"\n") else 1)
    atoms = _build_atoms(path, lang, text, module, intervals, imports, export_names,
                         export_spans, comments, default_export, package)
    if error_count == 0 and root.has_error:
        error_count = 1  # a MISSING node: the tree recovered without an ERROR node
        errors.append("missing token (incomplete code)")
    for iv in intervals:  # no reference cycles: the file's objects go as soon as it is done,
        iv.parent = iv.atom_parent = None  # and workers need no per-file garbage collection
    return Extraction(atoms, error_count, errors, line_count)


def _role(caps: dict[str, Any], kinds: dict[str, str]) -> str:
    """What a query pattern is for, from the captures of its first match."""
    for cap in caps:
        if cap in kinds:
            return cap
    for role in _ROLES:
        if role in caps:
            return "call" if role == "callee" else role
    return "ignored"


class _Text:
    """Byte-slice decoding of node text (faster than ``node.text``, which copies twice)."""

    __slots__ = ("source",)

    def __init__(self, source: bytes):
        self.source = source

    def of(self, node: Any) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def span(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8", "replace")


def _definition(kind: str, node: Any, caps: dict[str, list[Any]], text: _Text) -> _Interval:
    if kind == "test":
        label = strip_quotes(text.of(caps["test.name"][0]))
        name = f"test({collapse(label, 120)})"
    elif "name" in caps:
        name = text.of(caps["name"][0])
        if not (name.isidentifier() and len(name) <= _MAX_CALLEE):  # else nothing to clean
            name = collapse(strip_quotes(name), _MAX_CALLEE).replace(" ", "")
        if "owner" in caps:  # a Go method: named for its receiver's type, `Server.Start`
            name = f"{text.of(caps['owner'][0])}.{name}"
    else:
        name = "default"
    anchor = caps["anchor"][0] if "anchor" in caps else node
    start, end = node.byte_range
    return _Interval(start, end, name, is_atom=True, kind=kind, node=node, anchor=anchor,
                     row=anchor.start_point[0])


def _nest(module: _Interval, intervals: list[_Interval]) -> None:
    """Give each interval its parent, its nearest atom ancestor and its qualified name."""
    intervals.sort(key=lambda iv: (iv.start, -iv.end))
    stack = [module]
    for iv in intervals:
        while stack[-1] is not module and stack[-1].end <= iv.start:
            stack.pop()
        parent = stack[-1]
        iv.parent = parent
        iv.atom_parent = parent if parent.is_atom else parent.atom_parent
        prefix = parent.qualified if parent is not module else ""
        if len(prefix) > _MAX_QUALIFIED_PREFIX:  # 5,000-deep nesting: keep names linear in size
            prefix = "…" + prefix[-(_MAX_QUALIFIED_PREFIX // 2):]
        iv.qualified = f"{prefix}.{iv.name}" if prefix else iv.name
        if iv.is_atom:
            iv.atom_parent.children.append(iv)
        stack.append(iv)


def _sweep(module: _Interval, intervals: list[_Interval], items: list[tuple[int, str, Any]]) -> None:
    """Give each point item (call, branch, yield, doc, base) to the innermost atom holding it."""
    items.sort(key=_first)
    stack = [module]
    i, n = 0, len(intervals)
    for pos, what, payload in items:
        while i < n and intervals[i].start <= pos:
            iv = intervals[i]
            while stack[-1] is not module and stack[-1].end <= iv.start:
                stack.pop()
            stack.append(iv)
            i += 1
        while stack[-1] is not module and stack[-1].end <= pos:
            stack.pop()
        top = stack[-1]
        holder = top if top.is_atom else top.atom_parent
        if what == "branch":
            holder.branches += 1
        elif what == "yield":
            holder.has_yield = True
        elif what == "doc":
            if not holder.doc:
                holder.doc = payload
        elif what == "base":
            holder.bases.append(payload)
        elif what == "bind":
            if holder.binds is None:
                holder.binds = {}
            bind(holder.binds, *payload)
        elif what == "returns":
            if holder.returns is None:
                holder.returns = payload
        elif what == "returned":
            if holder.returned is None:
                holder.returned = set()
            holder.returned.add(payload)
        elif what == "decorator":
            if holder.decorators is None:
                holder.decorators = []
            holder.decorators.append(payload)
        elif what == "import":
            if holder is module:
                if module.imports is None:
                    module.imports = []
                module.imports.extend(payload)
            else:  # an import inside a function binds its names there, not file-wide
                if holder.binds is None:
                    holder.binds = {}
                for imp in payload:
                    bind(holder.binds, imp.local, import_binding(imp))


def _give_calls(module: _Interval, intervals: list[_Interval],
                calls: list[tuple[int, int, str, str]]) -> None:
    """``_sweep`` for calls alone (most point items), making each ``Call`` on the way."""
    calls.sort(key=_first)
    new_call = tuple.__new__
    stack = [module]
    top = module
    i, n = 0, len(intervals)
    for pos, row, callee, short in calls:
        while i < n and intervals[i].start <= pos:
            iv = intervals[i]
            while top is not module and top.end <= iv.start:
                stack.pop()
                top = stack[-1]
            stack.append(iv)
            top = iv
            i += 1
        while top is not module and top.end <= pos:
            stack.pop()
            top = stack[-1]
        holder = top if top.is_atom else top.atom_parent
        holder.calls.append(new_call(Call, (callee, short, row - holder.row)))


def _imports(caps: dict[str, list[Any]], text: _Text, style: str) -> list[Import]:
    module = text.of(caps["import.module"][0]).strip()
    if "import.star" in caps:
        return [Import("*", module, "*")]
    if style == "rust":
        return rust_uses(module)
    if style == "java":  # import a.b.C -> C of package a.b; import static a.b.C.m -> C.m
        package, _, name = module.rpartition(".")
        if "import.static" in caps:
            package, _, owner = package.rpartition(".")
            return [Import(name, package, f"{owner}.{name}")]
        return [Import(name, package, name)]
    if style == "go":  # a package object, named by its alias or (by convention) its path
        aliases = caps.get("import.alias")
        return [Import(text.of(aliases[0]) if aliases else go_package_name(module), module, None)]
    names = caps.get("import.name", [])
    aliases = caps.get("import.alias", [])
    if "import.root" in caps:  # Python `import a.b.c` binds `a`
        return [Import(module.split(".")[0], module, None, binds_root=True)]
    if not names:  # a module object: import a as b / require / import * as ns / default import
        name = "default" if "import.default" in caps else None
        return [Import(text.of(a), module, name) for a in aliases]
    if len(names) == 1:
        local = text.of(aliases[0]) if aliases else text.of(names[0])
        return [Import(local, module, text.of(names[0]))]
    return [Import(text.of(n), module, text.of(n)) for n in names]


def _build_atoms(path: str, lang: LoadedLanguage, text: _Text, module: _Interval,
                 intervals: list[_Interval], imports: list[Import], export_names: set[str],
                 export_spans: list[tuple[int, int]], comments: dict[int, tuple[int, str]],
                 default_export: str | None, package: str | None = None) -> list[Atom]:
    spec = lang.spec
    used: dict[str, int] = {}
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


__all__ = ["Extraction", "MODULE_NAME", "extract"]
