"""Following the types the code states: what ``x`` is in ``x.save()``.

Read from the bindings the parser records per scope (``parse/bindings.py``): annotations,
constructors, ``self.x = C()`` in any method of a class (``attributes.py``), aliases, imports
made inside a function, return annotations of called functions, annotated module globals
(``module_values.py``). No type checker runs: a save
must commit in tens of milliseconds, so only what the code states locally is followed, and what
cannot be followed stays unknown rather than guessed.

A value is a small tuple: ``("instance", cls)``, ``("class", cls)``, ``("function", atom)``,
``("module", file)``, ``("builtin", type or None)``, ``("external", module)``, or None (unknown).
"""

from __future__ import annotations

import builtins
import re

from ..model import SymbolInfo
from ..parse.bindings import parse_import
from ..parse.written_types import declared_type
from .java import JAVA_TYPES
from .rust import RUST_TYPES

#: Python's builtin classes: a receiver of one of these types calls a builtin method.
PYTHON_BUILTIN_TYPES = frozenset(
    name for name in dir(builtins) if isinstance(getattr(builtins, name), type)
    and not issubclass(getattr(builtins, name), BaseException)) | {"Any", "typing.Any"}
ECMA_BUILTIN_TYPES = frozenset("""
    string number boolean bigint symbol object any unknown never void undefined null
    String Number Boolean Array ReadonlyArray Promise Map Set WeakMap WeakSet Date RegExp Error
    Function Object Record Partial Readonly Iterable Iterator AsyncIterable Uint8Array Buffer
""".split())
GO_BUILTIN_TYPES = frozenset("""
    bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string
    uint uint8 uint16 uint32 uint64 uintptr any map chan func interface struct
""".split())
_LITERAL_STARTS = tuple("\"'`[{(0123456789") + ("f\"", "f'", "b\"", "b'", "r\"", "r'")
MAX_TYPE_DEPTH = 12
VALUES_KEPT = 4096
_NOTHING: frozenset[str] = frozenset()

Value = tuple[str, object] | None


def in_tests(path: str) -> bool:
    """Whether pytest gives the functions of ``path`` fixtures for their parameters."""
    name = path.rpartition("/")[2]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


class TypeFollowing:
    """The part of the resolver that evaluates receivers. Mixed into ``Resolver``: it uses its
    references (``_reference``), members (``_member``), module lookups (``_in_module``),
    instance attributes (``attributes.py``) and module-level values (``module_values.py``)."""

    symbols: object

    def _init_types(self) -> None:
        self._bound_cache: dict[str, frozenset[str]] = {}
        # (caller's object id, expression, depth) -> (caller, value): a receiver is evaluated
        # once per caller however many of its methods are called (Django: 61k asks, 48k
        # distinct); emptied when it grows past VALUES_KEPT (most hits are within one caller or
        # its file: kept whole, Django's first index peaked 15 MB higher)
        self._values: dict[tuple[int, str, int], tuple[SymbolInfo, Value]] = {}

    # -- what a scope binds ---------------------------------------------------------------
    def bound_names(self, caller: SymbolInfo) -> frozenset[str]:
        """Names bound in ``caller`` or in the functions around it (closures see them)."""
        found = self._bound_cache.get(caller.id)
        if found is None:
            names: set[str] = set()
            for scope in self._function_scopes(caller):
                if scope.types:
                    names.update(k for k in scope.types if not k.startswith("self."))
            found = self._bound_cache[caller.id] = frozenset(names) if names else _NOTHING
        return found

    def _function_scopes(self, caller: SymbolInfo):
        scope: SymbolInfo | None = caller
        while scope is not None and scope.kind not in ("class", "module"):
            yield scope
            scope = self.symbols.get(scope.parent_id) if scope.parent_id else None

    def _binding(self, caller: SymbolInfo, name: str) -> tuple[str, SymbolInfo] | None:
        for scope in self._function_scopes(caller):
            if scope.types and name in scope.types:
                return scope.types[name], scope
        return None

    # -- values ---------------------------------------------------------------------------
    def value_of(self, caller: SymbolInfo, expr: str, depth: int = 0) -> Value:
        """What the dotted expression ``expr`` is, seen from ``caller``'s body. Memoized like
        the resolver's other tables: not what a cut cycle decided (of the resolver's memo, or of
        instance attributes), which depends on where the walk began."""
        key = (id(caller), expr, depth)
        known = self._values.get(key)
        if known is not None and known[0] is caller:
            return known[1]
        cuts, cycles = self._cuts, self._attr_cycles
        found = self._value_of(caller, expr, depth)
        if self._cuts == cuts and self._attr_cycles == cycles:
            if len(self._values) >= VALUES_KEPT:
                self._values.clear()
            self._values[key] = (caller, found)  # (the caller held: its id is not reused)
        return found

    def _value_of(self, caller: SymbolInfo, expr: str, depth: int) -> Value:
        if depth > MAX_TYPE_DEPTH or not expr:
            return None
        if expr.startswith(_LITERAL_STARTS):
            return ("builtin", None)
        if expr.endswith(")"):  # Foo().bar(), new Router().add(), self.get_adapter().send()
            called = _called_name(expr)
            if called:
                return self._called(self._library_call(caller, self.value_of(caller, called, depth + 1)), depth)
            return self._chain_from_outside(caller, expr, depth)
        parts = expr.split(".")
        value = self._head_value(caller, parts[0], depth)
        for part in parts[1:]:
            if value is None:
                return None
            value = self._attribute(value, part, depth + 1)
        return value

    def _head_value(self, caller: SymbolInfo, head: str, depth: int) -> Value:
        bound = self._binding(caller, head)
        if bound is not None:
            return self._bound_value(bound[1], head, bound[0], depth)
        if caller.kind == "class":  # a class body sees its own names: x = _helper("x")
            own = self.symbols.in_file(caller.file_path, f"{caller.qualified_name}.{head}")
            if own is not None:
                return value_of_atom(own)
        elif caller.kind != "module":  # a function defined in an enclosing function
            nested = self._nested(caller, head)
            if nested is not None:
                # a decorated closure (@wraps(func) def wrapper) stands for what it wraps:
                # not stated here, so unknown rather than the wrapper
                return None if nested.decorated else value_of_atom(nested)
        if head in ("self", "this", "Self") or (head == "cls" and caller.kind != "module"):
            owner = self._owner_class(caller)
            if owner is None:
                return None
            return ("class", owner) if head in ("cls", "Self") else ("instance", owner)
        module = self.symbols.modules.get(caller.file_path)
        if module is not None and module.types and head in module.types:
            return self._bound_value(module, head, module.types[head], depth)
        if caller.file_path.endswith(".java") and caller.owner:  # a field, without `this.`
            field = self._java_field(caller, head, depth)
            if field is not None:
                return field
        return self._name_value(caller, head)

    def _name_value(self, context: SymbolInfo, name: str) -> Value:
        """A name of ``context``'s module: a definition, an import, a builtin."""
        ref = self._reference(context, name, 0)
        if ref is not None:
            kind, target = ref
            if kind == "import-module":
                return ("module", target)
            return value_of_atom(target)
        imported = self._module_global(context.file_path, name, 0)
        if imported is not None:
            return imported
        if self._external_import(context, name):
            return ("external", self._import_module(context, name))
        if name in self._builtin_names(context):
            return ("builtin", None)
        if context.file_path.endswith(".rs"):  # a path's head: crate, super, a module, a crate's name
            file = self.symbols.rust_modules().module_file(context.file_path, name)
            if file is not None:
                return ("module", file)
        return None

    def _bound_value(self, scope: SymbolInfo, name: str, binding: str, depth: int) -> Value:
        if binding == "?" and self._in_tests(scope):  # a test's parameter: maybe a fixture
            fixture = self._fixture(scope, name)
            return self._called(("function", fixture), depth) if fixture is not None else None
        kind, _, text = binding.partition(":")
        if kind == "T":
            return self._declared(scope, text)
        if kind == "C":
            return self._called(self._library_call(scope, self.value_of(scope, text, depth + 1)), depth)
        if kind == "Q":  # Rust: f()? is the value inside f's Result or Option
            return self._called(self._library_call(scope, self.value_of(scope, text, depth + 1)), depth, unwrap=True)
        if kind == "A":
            return self.value_of(scope, text, depth + 1) if text != name else None
        if kind == "P":
            return self._callback_parameter(scope, text, depth)
        if kind == "I":
            imp = parse_import(name, binding)
            module = self.symbols.modules.get(scope.file_path)
            target = self._import_target(scope.file_path, imp, 1) if module is not None else None
            if target is None:  # nothing found: outside, unless it names the repository's code
                own = imp.module.startswith(".") or self.is_repository_module(scope.file_path, imp.module)
                return None if own else ("external", imp.module)
            return ("module", target[1]) if target[0] == "import-module" else value_of_atom(target[1])
        return None

    def _callback_parameter(self, scope: SymbolInfo, text: str, depth: int) -> Value:
        """A parameter of a function passed to a call, typed by what the callee declares that
        argument to be (``P:arg:param:callee``, see parse/bindings.py); the types are named in
        the callee's own file."""
        arg, param, callee = text.split(":", 2)
        new = callee.startswith("new ")
        called = self.value_of(scope, callee[4:] if new else callee, depth + 1)
        if called is None:
            return None
        target = None
        if called[0] == "class":
            target = self._member(called[1], "constructor", 1)
        elif called[0] == "function" and not new:
            target = called[1]
        declared = target.callbacks.get(arg) if target is not None and target.callbacks else None
        if not declared or int(param) >= len(declared):
            return None
        return self._declared(target, declared[int(param)])

    def _declared(self, scope: SymbolInfo, type_text: str) -> Value:
        """An instance of the type named ``type_text`` in ``scope``'s file."""
        if not type_text or type_text == "?":
            return None
        if type_text.startswith("type[") and type_text.endswith("]"):  # Type[Foo]: the class
            found = self._declared(scope, type_text[5:-1])
            return ("class", found[1]) if found is not None and found[0] == "instance" else found
        if type_text in self._builtin_types(scope):
            return ("builtin", type_text)  # (the type: a str's methods give builtins, a Vec's may not)
        if type_text == "Self":  # Rust: the type of the impl block around
            owner = self._owner_class(scope) if scope.file_path.endswith(".rs") else None
            return ("instance", owner) if owner is not None else None
        if scope.file_path.endswith(".java"):  # a class nested in the one around: Store.Index
            owner = scope.qualified_name if scope.kind == "class" else scope.owner
            while owner:
                nested = self.symbols.in_file(scope.file_path, f"{owner}.{type_text}")
                if nested is not None and nested.kind == "class":
                    return ("instance", nested)
                owner = owner.rpartition(".")[0]
        found = self.value_of(self._module_of(scope), type_text, 1)
        if found is None and "." in type_text:  # a full dotted path: ":rtype: requests.Response"
            found = self._by_module_path(scope, type_text)
        if found is not None and found[0] == "class":
            return ("instance", found[1])
        if found is not None and found[0] in ("builtin", "external"):
            return found
        return None

    def _library_call(self, context: SymbolInfo, function: Value) -> Value:
        """Calling a library's function or method, in Java and Rust, gives a value of unknown
        type: generic types carry the repository's own (``items.get(0).getName()``,
        ``opt.unwrap().price()``), so it is neither "outside" nor "builtin". (Python's and Go's
        stay so; a repository function declared to return ``Result`` still returns a builtin.)"""
        if function is None or function[0] not in ("external", "builtin"):
            return function
        if function[0] == "external" and context.file_path.endswith((".java", ".rs")):
            return None
        if function[0] == "builtin" and context.file_path.endswith(".rs") and function[1] not in _PLAIN:
            return None
        return function

    def _called(self, value: Value, depth: int, unwrap: bool = False) -> Value:
        """What calling ``value`` gives (``unwrap``: what Rust's ``?`` takes out of it)."""
        if value is None:
            return None
        kind, target = value
        if kind == "function" and target.returns and target.file_path.endswith(".rs"):
            written = target.returns.removeprefix("->").strip()
            if unwrap:
                m = _RUST_WRAPPED.match(written)
                if m is None:
                    return None
                written = _first_argument(m.group(1))
            return self._declared(target, declared_type(written) if written != "Self" else "Self")
        if kind == "class":
            return ("instance", target)
        if kind == "function" and target.returns:
            if target.returns[:2] in ("C:", "A:"):  # what its return statements give
                return self._bound_value(target, "<return>", target.returns, depth + 1)
            return self._declared(target, declared_type(target.returns))
        if kind in ("builtin", "external"):
            return value
        return None

    def _attribute(self, value: tuple[str, object], name: str, depth: int) -> Value:
        kind, target = value
        if kind in ("builtin", "external"):
            return value
        if kind == "module":
            hit = self._in_module(target, name, 1)
            if hit is not None:
                return value_of_atom(hit)
            found = self._module_global(target, name, depth)
            if found is not None:
                return found
            sub = self._submodule(target, name)
            return ("module", sub) if sub else None
        if kind in ("instance", "class"):
            member = self._member(target, name, 1)
            if member is not None:
                return value_of_atom(member)
            found = self._instance_attribute(target, name)
            if found is not None:
                binding, scope = found
                return self._bound_value(scope, "self." + name, binding, depth)
        return None

    def _chain_from_outside(self, caller: SymbolInfo, expr: str, depth: int) -> Value:
        """``fixtures.Basic().ByTag("x")``: in Go, a chain of calls that starts in a package
        from outside the repository stays outside (what a library's function returns is the
        library's, or a builtin, never the repository's: Go's generics are rare)."""
        if not caller.file_path.endswith(".go"):  # (Java, Rust: see _library_result)
            return None
        head = _HEAD.match(expr)
        if head is None:
            return None
        value = self._head_value(caller, head.group(0), depth + 1)
        return value if value is not None and value[0] == "external" else None

    # -- pytest fixtures: the framework passes a test the fixture of its parameter's name ----
    @staticmethod
    def _in_tests(scope: SymbolInfo) -> bool:
        return in_tests(scope.file_path)

    def _fixture(self, scope: SymbolInfo, name: str) -> SymbolInfo | None:
        """The fixture ``name`` a test in ``scope``'s file receives: its own file's, else the
        nearest conftest.py's, folder by folder up to the root (pytest's own order)."""
        symbols = self.symbols
        folder = scope.file_path.rpartition("/")[0]
        files = [scope.file_path]
        while True:
            files.append(f"{folder}/conftest.py" if folder else "conftest.py")
            if not folder:
                break
            folder = folder.rpartition("/")[0]
        for path in files:
            hit = symbols.in_file(path, name)
            if hit is not None and hit.fixture:
                return hit
        return None

    # -- helpers -------------------------------------------------------------------------
    def _module_of(self, scope: SymbolInfo) -> SymbolInfo:
        return self.symbols.modules.get(scope.file_path) or scope

    def _import_module(self, context: SymbolInfo, name: str) -> str | None:
        bindings = self._imports_of(context.file_path)
        imp = bindings[0].get(name) if bindings is not None else None
        return imp.module if imp is not None else None

    def _builtin_types(self, scope: SymbolInfo) -> frozenset[str]:
        return _BUILTIN_TYPES.get(self._style(scope.file_path), ECMA_BUILTIN_TYPES)


_BUILTIN_TYPES = {"python": PYTHON_BUILTIN_TYPES, "rust": RUST_TYPES, "go": GO_BUILTIN_TYPES, "java": JAVA_TYPES}


def _called_name(expr: str) -> str | None:
    """``make_app`` of ``make_app(x, y)`` (or of ``new App()``) when the whole expression is one
    call of a dotted name; None for anything else (``a(b).c(d)``, a lambda)."""
    text = expr[4:].lstrip() if expr.startswith("new ") else expr
    open_at = text.find("(")
    name = text[:open_at].strip()
    if open_at <= 0 or not _NAME.match(name):
        return None
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return name if i == len(text) - 1 else None
    return None


#: Rust's builtin types whose methods give builtins again (no type parameter to carry the
#: repository's types); a literal (no type named) is one of them.
_PLAIN = frozenset("""str String bool char i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize
    f32 f64""".split()) | {None}
_RUST_WRAPPED = re.compile(r"^(?:Result|Option|Poll|io::Result|std::io::Result)\s*<(.*)>$", re.S)


def _first_argument(arguments: str) -> str:
    depth = 0
    for i, ch in enumerate(arguments):
        depth += ch in "<([{"
        depth -= ch in ">)]}"
        if ch == "," and depth == 0:
            return arguments[:i].strip()
    return arguments.strip()


_HEAD = re.compile(r"^[A-Za-z_$][\w$]*(?=[.(])")
_NAME = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")


def value_of_atom(info: SymbolInfo) -> Value:
    """The value an atom stands for: a class, a module (its file), else a function."""
    if info.kind == "class":
        return ("class", info)
    if info.kind == "module":
        return ("module", info.file_path)
    return ("function", info)
