"""Source bytes -> atoms, driven by the capture vocabulary of ``dgtui/parse/queries/*.scm``.

One query run per file collects definitions, name scopes and point items (calls, decision points,
yields, docstrings, base classes). A single sweep in byte order then nests definitions into
qualified names and gives every point item to the innermost atom that contains it, so calls in a
nested function belong to the nested atom. Iterative throughout: 5,000-deep nesting is fine.
The fields of each atom (kind, owner, visibility, signature, own hash) are read in
``atom_fields.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ..model import Atom, Call, Import
from .atom_fields import MODULE_NAME, build_atoms
from .bindings import GLOBAL, bind, call_heads, import_binding, wanted_bindings
from .registry import LoadedLanguage
from .text import collapse, first_paragraph, strip_quotes
from .written_types import declared_type, go_package_name, rust_uses

_MAX_CALLEE = 160
_MAX_ERRORS = 10
_MAX_QUALIFIED_PREFIX = 256  # a deeper parent chain keeps its tail: "…f.f.f" (ids stay unique)
_ROLES = ("callee", "branch", "scope.object", "comment", "doc", "base", "yield",
          "import.module", "export.name", "export.default_name", "export.definition", "error",
          "bind.name", "bind.attr", "bind.global", "returns", "decorator", "return.call",
          "return.name", "package.name")  # (callee.object, base.holder: read with their roles)
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

    heads = call_heads(c[2] for c in calls)
    items += wanted_bindings(binds, heads, text.of, returned_names)
    module = _Interval(0, len(source) + 1, MODULE_NAME, is_atom=True, kind="module")
    _nest(module, intervals)
    _sweep(module, intervals, items)
    imports = module.imports or []
    _give_calls(module, intervals, calls)
    line_count = source.count(b"\n") + (0 if source.endswith(b"\n") else 1)
    atoms = build_atoms(path, lang, text, module, intervals, imports, export_names,
                        export_spans, comments, default_export, package, heads)
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



__all__ = ["Extraction", "MODULE_NAME", "extract"]
