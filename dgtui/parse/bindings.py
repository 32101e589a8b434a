"""What a name is bound to inside one scope, as read from the code: the facts that let the
resolver follow the types the code states (``ctx: Context`` then ``ctx.get_help()``).

A binding is a short string, so that atoms keep them in ``extra["types"]`` cheaply:

- ``T:Context``   a declared type (annotation, ``except E as e``), ``Optional``/``| None`` removed
- ``C:make_app``  the value of a call (a constructor, or a function with a declared return type)
- ``A:self.db``   another name or attribute (an alias: ``f = g``, ``self.x = param``)
- ``I:module:name:root``  an import made inside a function (``name`` empty for a module object;
  ``root`` is ``1`` when ``import a.b`` binds ``a``)
- ``P:arg:param:callee``  an untyped parameter of a function passed as an argument: parameter
  ``param`` of argument ``arg`` of a call of ``callee`` (``new C`` for a constructor). What the
  callee declares that argument to be types it: ``operate((source, subscriber) => ...)`` with
  ``init: (source: Observable<T>, subscriber: Subscriber<R>) => void``
- ``?``           bound, but nothing says to what (an untyped parameter, a loop variable)

A name bound two different ways in one scope is ``?``, unless one of them is declared.
``self.x`` keys are attributes assigned on ``self`` in a method. A name declared ``global`` is
no binding of the function (``GLOBAL`` removes it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..model import Import
from .written_types import _DOTTED, _MAX, UNKNOWN, declared_type, rust_path

GLOBAL = "global"

def binding_of(caps: dict[str, list[Any]], text_of: Callable[[Any], str]) -> str:
    """The binding a ``@bind.name``/``@bind.attr`` match states."""
    if "bind.type" in caps:
        return "T:" + declared_type(text_of(caps["bind.type"][0]))
    value = caps.get("bind.value")
    if not value:
        name = caps.get("bind.name")
        return callback_parameter(name[0], text_of) if name else UNKNOWN
    node = value[0]
    kind = node.type
    if kind == "struct_expression":  # Rust: Server { .. }
        return "T:" + declared_type(text_of(node.child_by_field_name("name")))
    if kind == "try_expression" and node.named_child_count:  # Rust: f()? is f's Ok value
        inner = binding_of({"bind.value": [node.named_children[0]]}, text_of)
        return "Q:" + inner[2:] if inner.startswith("C:") else UNKNOWN
    if kind == "object_creation_expression":  # Java: new Foo<>(...)
        return "T:" + declared_type(text_of(node.child_by_field_name("type")))
    if kind == "method_invocation":  # Java: obj.make(...) / make(...)
        name, obj = node.child_by_field_name("name"), node.child_by_field_name("object")
        written = (text_of(obj) + "." if obj is not None else "") + text_of(name)
        return "C:" + written if _DOTTED.match(written) and len(written) <= _MAX else UNKNOWN
    if kind in ("call", "call_expression", "new_expression", "await_expression"):
        if kind == "await_expression" and node.named_child_count:
            node = node.named_children[0]
            kind = node.type
        fn = node.child_by_field_name("constructor" if kind == "new_expression" else "function")
        written = text_of(fn) if fn is not None else ""
        if "::" in written:  # Rust: Store::open
            written = rust_path(written)
        return "C:" + written if _DOTTED.match(written) and len(written) <= _MAX else UNKNOWN
    if kind in ("identifier", "attribute", "member_expression", "selector_expression", "field_access"):
        written = text_of(node)
        parent = node.parent
        if parent is not None and parent.type == "as_pattern" and parent.parent is not None \
                and parent.parent.type == "except_clause":
            return "T:" + declared_type(written)  # except E as e: an instance of E
        return "A:" + written if _DOTTED.match(written) and len(written) <= _MAX else UNKNOWN
    return UNKNOWN


_PARAMETERS = ("required_parameter", "optional_parameter")
_CALLBACKS = ("arrow_function", "function_expression", "function")


def callback_parameter(name: Any, text_of: Callable[[Any], str]) -> str:
    """``P:arg:param:callee`` for an untyped parameter of a function written as a call's
    argument (see the module's docstring); ``?`` for any other parameter."""
    param = name.parent
    if param is not None and param.type in _PARAMETERS:
        params = param.parent
        fn = params.parent if params is not None else None
        if params is None or fn is None:
            return UNKNOWN
        siblings = [p for p in params.named_children
                    if p.type in _PARAMETERS and (p.child_by_field_name("pattern") or p).type != "this"]
        index = next((i for i, p in enumerate(siblings) if p == param), -1)
    else:
        fn, index = param, 0  # x => x.next(): the single parameter of an arrow function
    arguments = fn.parent if fn is not None and fn.type in _CALLBACKS else None
    call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
    if call is None or index < 0 or call.type not in ("call_expression", "new_expression"):
        return UNKNOWN
    new = call.type == "new_expression"
    callee = call.child_by_field_name("constructor" if new else "function")
    written = text_of(callee) if callee is not None else ""
    if not _DOTTED.match(written) or len(written) > _MAX:
        return UNKNOWN
    arg = next(i for i, a in enumerate(a for a in arguments.named_children if a.type != "comment")
               if a == fn)
    return f"P:{arg}:{index}:{'new ' if new else ''}{written}"


def callback_types(node: Any, text_of: Callable[[Any], str]) -> dict[str, list[str]] | None:
    """What a function declares of the functions it takes: for each parameter whose type is a
    function type, the declared types of that function's parameters (``this`` left out), by
    argument position. ``{"0": ["Observable", "Subscriber"]}`` for
    ``operate(init: (source: Observable<T>, subscriber: Subscriber<R>) => void)``."""
    params = node.child_by_field_name("parameters")
    if params is None or params.type != "formal_parameters":
        return None
    found: dict[str, list[str]] = {}
    position = 0
    for param in params.named_children:
        if param.type not in _PARAMETERS:
            continue
        pattern = param.child_by_field_name("pattern")
        if pattern is not None and pattern.type == "this":
            continue
        annotation = param.child_by_field_name("type")
        fn_type = annotation.named_children[0] if annotation is not None and annotation.named_children else None
        if fn_type is not None and fn_type.type == "function_type":
            inner = fn_type.child_by_field_name("parameters")
            types = []
            for p in inner.named_children if inner is not None else ():
                if p.type not in _PARAMETERS or (p.child_by_field_name("pattern") or p).type == "this":
                    continue
                t = p.child_by_field_name("type")
                types.append(declared_type(text_of(t)) if t is not None else UNKNOWN)
            if any(t != UNKNOWN for t in types):
                found[str(position)] = types
        position += 1
    return found or None


def import_binding(imp: Import) -> str:
    return f"I:{imp.module}:{imp.name or ''}:{int(imp.binds_root)}"


def parse_import(local: str, binding: str) -> Import:
    """The import an ``I:`` binding of ``local`` records (a module may hold ``:``: ``node:fs``)."""
    module, name, root = binding[2:].rsplit(":", 2)
    return Import(local, module, name or None, root == "1")


def bind(binds: dict[str, str], name: str, binding: str) -> None:
    """Record ``name``'s binding in one scope; a second, different one makes it unknown unless
    one of them is declared (a declaration governs every assignment)."""
    old = binds.get(name)
    if old is None or old == binding:
        binds[name] = binding
    elif binding == GLOBAL or old == GLOBAL:
        binds[name] = GLOBAL
    elif old.startswith("T:"):
        return
    elif binding.startswith("T:"):
        binds[name] = binding
    else:
        binds[name] = UNKNOWN


def kept_bindings(binds: dict[str, str], heads: set[str], in_class: bool = False) -> dict[str, str] | None:
    """The bindings worth storing: names some call of the file starts with, attributes of
    ``self`` whose type is known (other files' methods may call through them), and what those
    are aliases of. In a class body, a declared name is an attribute of its instances."""
    if in_class:
        binds = {k if k.startswith("self.") else f"self.{k}": b for k, b in binds.items()}
    wanted = {n for n, b in binds.items() if b != GLOBAL and not (b == UNKNOWN and n in _RECEIVERS)}
    keep = {n for n in wanted if n in heads or (n.startswith("self.") and binds[n] != UNKNOWN)}
    todo = list(keep)
    while todo:  # z = y; y = make(): keep y for z
        b = binds[todo.pop()]
        if b.startswith("A:"):
            head = b[2:].partition(".")[0]
            if head in wanted and head not in keep:
                keep.add(head)
                todo.append(head)
    return {n: binds[n] for n in sorted(keep)} or None


_RECEIVERS = frozenset({"self", "cls", "this"})


# -- per file and per atom: which bindings are read, and what an atom keeps ---------------------
# (``iv`` below is one of extract.py's definition intervals: read, never built, here.)
def call_heads(callees: Iterable[str]) -> set[str]:
    """The first names of the file's calls (``x`` of ``x.save()``, ``self.db`` of
    ``self.db.write()``): only bindings of these can matter to resolution."""
    heads: set[str] = set()
    for callee in set(callees):  # (a file calls the same few names many times)
        head, _, rest = callee.replace("?.", ".").partition(".")  # x?.close(): x
        heads.add(head)
        if head in ("self", "this") and rest:
            heads.add("self." + rest.partition(".")[0])
    return heads


def wanted_bindings(binds: list[tuple[int, str, dict]], heads: set[str],
                     text_of: Callable[[Any], str], returned: set[str]) -> list[tuple[int, str, Any]]:
    """Bind items for the names resolution may ask about: ``heads`` of the file's calls
    (``call_heads``), attributes of ``self``, and what those are aliases of. Most bound names
    (locals never called through) are left unread: judging every assignment cost a quarter of
    extraction."""
    wanted = heads | returned
    out: list[tuple[int, str, Any]] = []
    pending = binds
    first = True
    while pending:
        later, more = [], set()
        for pos, name, caps in pending:
            # "self." + name: a class body's declared names are its instances' attributes.
            # A name left for later is no attribute and not module-level: only what is
            # wanted may change (asking the tree for parents again cost a tenth of this).
            if name in wanted or "self." + name in wanted or (
                    first and (name.startswith("self.") or _module_level(caps))):
                binding = binding_of(caps, text_of)
                out.append((pos, "bind", (name, binding)))
                if binding.startswith(("A:", "C:")):
                    more.add(binding[2:].partition(".")[0])
            else:
                later.append((pos, name, caps))
        more -= wanted
        if not more:
            break
        wanted |= more
        pending = later
        first = False
    return out


_MODULES = ("module", "program")
_SCOPES = frozenset({"function_definition", "class_definition", "function_declaration", "class_declaration",
                     "method_definition", "arrow_function", "function_expression", "class_body", "block",
                     "statement_block"})


def _module_level(caps: dict[str, list[Any]]) -> bool:
    """A name bound by a statement of the module or of a class body (``router =
    ConnectionRouter()``, ``export const bus = new Bus()``, ``db_for_write = _router("w")``):
    other files may import it, or reach it through an instance, and call through it."""
    node = caps["bind.name"][0] if "bind.name" in caps else None
    for _ in range(4):
        node = node.parent if node is not None else None
        if node is None:
            return False
        if node.type in _MODULES:
            return True
        if node.type in _SCOPES:
            parent = node.parent
            return node.type == "block" and parent is not None and parent.type == "class_definition"
    return False


def inferred_return(iv) -> str | None:
    """An unannotated function's return value, when every return statement that says gives the
    same one: ``C:Session`` (``return Session()``) or ``A:app`` (``return app``, ``yield app``)."""
    if iv.returned and len(iv.returned) == 1 and iv.kind != "class":
        return next(iter(iv.returned))
    return None


def is_overload(iv) -> bool:
    return bool(iv.decorators) and any(d.rpartition(".")[2] == "overload" for d in iv.decorators)


def with_bindings(extra: dict[str, Any] | None, iv, heads: set[str],
                  text_of: Callable[[Any], str] | None = None) -> dict[str, Any] | None:
    """``extra`` plus what resolution reads of the atom: its bindings (``types``), its declared
    return type (``returns``), the types it declares for the functions it takes (``callbacks``),
    and its decorators (a decorated function may be called by name from elsewhere: a property,
    a registered handler)."""
    returns = iv.returns or inferred_return(iv)
    if iv.returned and not iv.returns:  # the names it returns are heads of a kind
        heads = heads | {r[2:] for r in iv.returned if r.startswith("A:")}
    if iv.kind == "module" and iv.binds:  # what other files may import and call through
        heads = heads | {n for n, b in iv.binds.items() if b != UNKNOWN}
    types = kept_bindings(iv.binds, heads, iv.kind == "class") if iv.binds else None
    callbacks = callback_types(iv.node, text_of) if text_of is not None and iv.kind != "class" else None
    if not types and not returns and not iv.decorators and not callbacks:
        return extra
    extra = dict(extra) if extra else {}
    if callbacks:
        extra["callbacks"] = callbacks
    if iv.decorators:
        extra["decorators"] = iv.decorators
    if types:
        extra["types"] = types
    if returns:
        extra["returns"] = returns
    return extra
