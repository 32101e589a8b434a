"""Call resolution: which atom does ``self.db.write(x)`` in ``a.py::Session.save`` call?

In order, where the code makes it knowable: a name bound in the caller's own scope (a parameter,
a local, an import inside the function) means what its binding states, or nothing; ``self``/
``this``/``cls``/``super`` to a member of the enclosing class or its bases (``classes.py``; or,
for JS functions assigned to an object, that object); nested and same-file definitions; imported
names and module aliases (following re-exports a few steps); a receiver whose type the code
states (``types.py``).
A bare name that nothing binds and that is defined exactly once in the repository is ``unique``:
a guess by name, labelled so. A method call on a receiver of unknown type never is: it is
``ambiguous`` with the candidate ids kept, or ``unresolved``. ``builtin`` (``len``, ``"".join``)
and ``external`` (the standard library, a dependency: the module is kept) say what is known of a
call outside the repository. Every call yields an edge row; none is dropped.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable

from ..model import Atom, Call, Edge, Import, SymbolInfo
from ..parse.registry import language_for
from ..parse.written_types import rust_path
from .attributes import InstanceAttributes
from .classes import Classes
from .java import JAVA_BUILTINS, JavaRules
from .module_values import ModuleValues
from .overrides import overrides_of
from .references import References
from .rust import RUST_BUILTINS, RustRules
from .symbols import SymbolTable
from .types import TypeFollowing

PYTHON_BUILTINS = frozenset(dir(builtins))
ECMA_GLOBALS = frozenset("""
    Array ArrayBuffer BigInt Boolean DataView Date Error EvalError Function Intl JSON Map Math
    Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set String Symbol
    SyntaxError TypeError URIError URL URLSearchParams WeakMap WeakRef WeakSet Buffer
    alert atob btoa clearInterval clearTimeout console decodeURI decodeURIComponent document
    encodeURI encodeURIComponent eval fetch globalThis isFinite isNaN parseFloat parseInt process
    queueMicrotask require setImmediate setInterval setTimeout structuredClone window
""".split())
GO_BUILTINS = frozenset("""
    append cap clear close complex copy delete imag len make max min new panic print println real
    recover bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune
    string uint uint8 uint16 uint32 uint64 uintptr any comparable
""".split())
_RECEIVERS = frozenset({"self", "cls", "this", "super", "super()", "Self"})
DECLARED_LANGUAGES = frozenset({"go", "java", "rust"})

#: The names a language's files call without defining or importing them, by module style.
BUILTIN_NAMES = {"python": PYTHON_BUILTINS, "rust": RUST_BUILTINS, "go": GO_BUILTINS, "java": JAVA_BUILTINS}

#: Bumped whenever the rules change what a call resolves to: an index made by an older resolver
#: is re-resolved when a writer next opens it (``Engine.resolve_with_current_rules``).
RESOLVER_VERSION = 4

Resolution = tuple[str, str | None, int, str | None]  # (resolution, target, candidates, detail)
_UNRESOLVED: Resolution = ("unresolved", None, 0, None)
_BUILTIN: Resolution = ("builtin", None, 0, None)


class Resolver(References, Classes, TypeFollowing, InstanceAttributes, ModuleValues, JavaRules,
               RustRules):
    """Resolves calls against a symbol table. Memoizes within one batch; make a new one per batch."""

    def __init__(self, symbols: SymbolTable):
        self.symbols = symbols
        self._init_types()
        self._init_attributes()
        self._cache: dict[tuple, Resolution] = {}
        self._refs: dict[tuple[str, str], object] = {}
        self._exports: dict[tuple[str, str], SymbolInfo | None] = {}
        # A lookup cut short (an import cycle, the depth limit) depends on where it started;
        # such results are never memoized, so a resolution does not depend on the order in
        # which files happen to be resolved.
        self._busy: set[tuple] = set()
        self._cuts = 0
        self._specs: dict[str, object] = {}
        self._bindings: dict[str, tuple[dict[str, Import], list[Import]]] = {}
        self._external: dict[tuple[str, str], bool] = {}
        self._bases: dict[str, list[SymbolInfo]] = {}
        self._members: dict[tuple[str, str], SymbolInfo | None] = {}
        self._external_bases: dict[str, bool] = {}
        self._methods_named: dict[str, Resolution] = {}
        # class id -> (its descendants, (file, qualified name) -> their places in that list)
        self._subclass_places: dict[str, tuple[list[str], dict]] = {}

    def edges_for(self, atom: Atom | SymbolInfo, calls: Iterable[Call]) -> list[Edge]:
        info = atom if isinstance(atom, SymbolInfo) else self.symbols.get(atom.id) or SymbolInfo.of(atom)
        return [self.edge(info, c.callee, c.short, atom.line + c.offset) for c in calls]

    def rows_for(self, caller: SymbolInfo, line: int, calls: Iterable[tuple[str, str, int]]) -> list[tuple]:
        """The calls of ``caller`` (whose first line is ``line``) as rows of the edges table
        (source_id, target_id, callee, short_name, line, resolution, candidates, detail): what
        ``edges_for`` gives, with the work per call cut to a dictionary lookup once the first
        call of a kind in a file is resolved (a first index resolves 176k calls for Django)."""
        cache = self._cache
        path, owner, source = caller.file_path, self.this_owner(caller), caller.id
        scopes = self._nesting_scopes(caller)
        bound = self.bound_names(caller)
        java = path.endswith(".java")
        out = []
        append = out.append
        for callee, short, offset in calls:
            head, dot, _ = callee.partition(".")
            if "::" in head:  # Rust: Self::new, a::b
                head, dot = head.partition("::")[0], "::"
            if not dot and scopes:
                nested = self._nested_in(path, scopes, callee)
                if nested is not None:
                    append((source, nested.id, callee, short, line + offset, "local", 0, None))
                    continue
            # _key, inline (a call per call site is a tenth of this loop)
            if head in bound:
                key = (path, source, callee)
            elif head in _RECEIVERS or (java and head == callee):
                key = (path, owner, callee)
            else:
                key = (path, None, callee)
            found = cache.get(key)
            if found is None:
                found = self._resolve_key(key, caller, callee, short)
            append((source, found[1], callee, short, line + offset, found[0], found[2], found[3]))
        return out

    def edge(self, caller: SymbolInfo, callee: str, short: str, line: int) -> Edge:
        resolution, target, candidates, detail = self.resolve(caller, callee, short)
        return Edge(caller.id, callee, short, line, resolution, target, candidates, detail)

    def resolve(self, caller: SymbolInfo, callee: str, short: str) -> Resolution:
        head = callee.partition(".")[0].partition("::")[0]
        if head == callee:  # a bare name: a nested definition in an enclosing scope first
            nested = self._nested(caller, callee)
            if nested is not None:
                return ("local", nested.id, 0, None)
        key = self._key(caller.file_path, self.this_owner(caller), caller.id, self.bound_names(caller), head, callee)
        return self._resolve_key(key, caller, callee, short)

    @staticmethod
    def _key(path: str, owner: str | None, caller_id: str, bound: frozenset[str], head: str, callee: str) -> tuple:
        """What a call's resolution depends on: the file, and the caller itself when the call
        starts with a name its scope binds, or its class for ``self``/``cls``/``super``."""
        if head in bound:
            return (path, caller_id, callee)
        if head in _RECEIVERS or (head == callee and path.endswith(".java")):  # Java: this.name()
            return (path, owner, callee)
        return (path, None, callee)

    def _resolve_key(self, key: tuple, caller: SymbolInfo, callee: str, short: str) -> Resolution:
        return self._memo(self._cache, key, lambda: self._resolve(caller, callee, short))

    def _memo(self, table: dict, key: tuple, compute):
        if key in table:
            return table[key]
        if key in self._busy:  # a cycle: cut here
            self._cuts += 1
            return None
        self._busy.add(key)
        cuts = self._cuts
        try:
            found = compute()
        finally:
            self._busy.discard(key)
        if self._cuts == cuts:
            table[key] = found
        return found

    def _nested(self, caller: SymbolInfo, name: str) -> SymbolInfo | None:
        return self._nested_in(caller.file_path, self._nesting_scopes(caller), name)

    def _nesting_scopes(self, caller: SymbolInfo) -> list[str]:
        """Qualified names of the scopes around ``caller`` (itself first) where a bare name may
        name a nested definition: functions, not classes (class bodies are not enclosing
        scopes for functions), and only those that define something inside."""
        symbols = self.symbols
        path, defines = caller.file_path, symbols.scopes
        out = []
        scope: SymbolInfo | None = caller
        while scope is not None and scope.kind != "module":
            if scope.kind != "class" and (path, scope.qualified_name) in defines:
                out.append(scope.qualified_name)
            scope = symbols.get(scope.parent_id) if scope.parent_id else None
        return out

    def _nested_in(self, path: str, scopes: list[str], name: str) -> SymbolInfo | None:
        for qualified in scopes:
            hit = self.symbols.in_file(path, f"{qualified}.{name}")
            if hit is not None:
                return hit
        return None

    # -- the rules, in order ---------------------------------------------------------------
    def _spec(self, path: str):
        spec = self._specs.get(path, False)
        if spec is False:
            spec = self._specs[path] = language_for(path)
        return spec

    def _style(self, path: str) -> str:
        """The language family of a file: ``python``, ``go``, ``java``, ``rust``; else "" (JS/TS)."""
        spec = self._spec(path)
        return spec.module_style if spec is not None else ""

    def _builtin_names(self, context: SymbolInfo) -> frozenset[str]:
        return BUILTIN_NAMES.get(self._style(context.file_path), ECMA_GLOBALS)

    def _declared_languages(self, context: SymbolInfo) -> bool:
        """Go, Java, Rust: a bare name is its scope's, its package's or an import's, never
        another package's by name; a method not found on a known type may be any implementation
        of an interface (trait)."""
        spec = self._spec(context.file_path)
        return spec is not None and spec.name in DECLARED_LANGUAGES

    def _resolve(self, caller: SymbolInfo, callee: str, short: str) -> Resolution:
        spec = self._spec(caller.file_path)
        if spec is not None and spec.name == "java":
            found = self._resolve_rules(caller, callee, short, spec)
            return self._java_target(found) if found[1] else found
        if spec is not None and spec.name == "rust":
            found = self._rust_call(caller, callee, short, spec)
            if found is not None:
                return found
            if "::" in callee:  # a path: read with dots, never as a bound value
                return self._resolve_rules(caller, rust_path(callee), short, spec, path=True)
        return self._resolve_rules(caller, callee, short, spec)

    def _resolve_rules(self, caller: SymbolInfo, callee: str, short: str, spec,
                       path: bool = False) -> Resolution:
        self_names = spec.self_names if spec else ()
        text = callee.replace("?.", ".")
        parts = text.split(".")
        head = parts[0]
        if head in self.bound_names(caller) and not path:  # what the caller's scope binds, or nothing
            return self._typed_call(caller, text, short)
        if spec is not None and spec.name == "java" and len(parts) == 1:
            if head == "super":
                return self._java_super_constructor(caller)
            found = self._java_bare(caller, head) if head != "this" else None
            if found is not None:
                return found
        known = self._known(caller, parts, self_names)
        if known is not None:
            return known
        if len(parts) == 1:
            if head in self._builtin_names(caller):
                return _BUILTIN
            if self._external_import(caller, head):
                return ("external", None, 0, self._import_module(caller, head))
            if self._declared_languages(caller):
                return _UNRESOLVED
            held = self._module_value(caller, head)  # register = registry.register
            if held is not None:
                return self._calling(held)
            return self._by_name(short, methods_only=False)
        return self._typed_call(caller, text, short)

    def _typed_call(self, caller: SymbolInfo, text: str, short: str) -> Resolution:
        """A call through a value: a bound name, or ``receiver.name`` with the receiver's type
        followed where the code states it."""
        receiver, _, name = text.rpartition(".")
        if not receiver:
            return self._calling(self.value_of(caller, text))
        value = self.value_of(caller, receiver)
        if value is None:  # nothing says what the receiver is: never a target by name alone
            return self._by_name(short, methods_only=True)
        kind, target = value
        if kind == "builtin":
            return _BUILTIN
        if kind == "external":
            return ("external", None, 0, target)
        if kind == "module":
            hit = self._in_module(target, name, 1)
            return ("import", hit.id, 0, None) if hit is not None else _UNRESOLVED
        if kind in ("instance", "class"):
            member = self._member(target, name, 1)
            if member is not None:  # on an instance, a subclass's override may run instead
                return self._dispatching("typed", member) if kind == "instance" else ("typed", member.id, 0, None)
            attribute = self._attribute(value, name, 1)
            if attribute is not None:
                return self._calling(attribute)
            if self._external_base(target):  # maybe inherited from outside the repository
                return ("external", None, 0, None)
            if self._declared_languages(caller):  # an interface's method: its implementations
                return self._by_name(short, methods_only=True)
        return _UNRESOLVED

    def _calling(self, value) -> Resolution:
        """The target of calling ``value``: a function, a class (its constructor), an instance
        (its ``__call__``)."""
        if value is None:
            return _UNRESOLVED
        kind, target = value
        if kind in ("function", "class"):
            return ("typed", target.id, 0, None)
        if kind == "instance":
            call = self._member(target, "__call__", 1)
            return ("typed", call.id, 0, None) if call is not None else _UNRESOLVED
        if kind == "builtin":
            return _BUILTIN
        if kind == "external":
            return ("external", None, 0, target)
        return _UNRESOLVED

    def _known(self, caller: SymbolInfo, parts: list[str], self_names: tuple[str, ...]) -> Resolution | None:
        head, path = parts[0], caller.file_path
        if head == "super" and len(parts) == 1 and "this" in self_names:  # JS: parent constructor
            parts = ["super", "constructor"]
        if head in ("super", "super()") and len(parts) == 2:
            owner = self._owner_class(caller)
            if owner is not None:
                for base in self.bases(owner):
                    hit = self._member(base, parts[1], 0)
                    if hit is not None:
                        return ("self", hit.id, 0, None)
                if self._external_base(owner):  # inherited from outside
                    return ("external", None, 0, None)
                return _BUILTIN  # object's own methods (__init__, __init_subclass__...)
            return _UNRESOLVED
        if head in self_names and len(parts) == 2:
            owner = self.this_owner(caller)
            if owner:
                hit = self._member_in_file(path, owner, parts[1], 0)
                if hit is not None:
                    return self._dispatching("self", hit)
            return None
        if len(parts) == 1:
            if head in self_names and head != "super":  # cls(...) builds the owning class
                owner = self._owner_class(caller)
                return ("self", owner.id, 0, None) if owner is not None else None
            return self._bare(caller, head)
        hit = self.symbols.in_file(path, ".".join(parts))  # res.json(), Foo.bar(), exports.x()
        if hit is not None and hit.kind not in ("module", "test"):
            return ("local", hit.id, 0, None)
        target = self._reference(caller, head, 0)
        if target is not None:
            hit = self._lookup_rest(target, parts[1:], 0)
            if hit is not None:
                return ("local" if target[0] == "local" else "import", hit.id, 0, None)
        return None

    def _dispatching(self, kind: str, member: SymbolInfo) -> Resolution:
        """A call of ``member`` on an instance: its target, and the overrides that may run
        instead (their count, their ids as JSON in ``detail``)."""
        known = self.symbols.overrides.setdefault(member.name, {})  # kept from save to save
        found = known.get(member.id)
        if found is None:  # (Go's embedding and Rust's traits are no inheritance: nothing overrides)
            found = known[member.id] = overrides_of(self, member) if (
                member.kind == "method" and not member.file_path.endswith((".go", ".rs"))) else []
        return (kind, member.id, len(found), json.dumps(found)) if found else (kind, member.id, 0, None)

    def _bare(self, caller: SymbolInfo, name: str) -> Resolution | None:
        path = caller.file_path
        hit = self.symbols.in_file(path, name)
        if hit is not None and hit.kind not in ("module", "test"):
            return ("local", hit.id, 0, None)
        target = self._reference(caller, name, 0)
        if target is not None and target[0] in ("import", "local") and isinstance(target[1], SymbolInfo):
            return (target[0], target[1].id, 0, None)  # local: Go, another file of the package
        if target is not None and target[0] == "import-module":  # require('./m')() / module object
            hit = self._in_module(target[1], "default", 0)
            if hit is not None:
                return ("import", hit.id, 0, None)
        return None

    def _by_name(self, short: str, methods_only: bool) -> Resolution:
        """The name rule: ``unique`` for a bare name defined once; else ``ambiguous`` with the
        candidate ids. A method call (``methods_only``) is never ``unique``: its candidates are
        the methods of that name, not module-level or nested functions."""
        if methods_only:
            found = self._methods_named.get(short)
            if found is None:
                atoms = self.symbols.atoms
                ids = [i for i in self.symbols.named(short)
                       if atoms[i].owner and atoms[i].kind not in ("class", "module")]
                found = self._methods_named[short] = ("ambiguous", None, len(ids), None) if ids else _UNRESOLVED
            return found
        ids = self.symbols.named(short)
        if len(ids) == 1:
            return ("unique", next(iter(ids)), 1, None)
        if ids:
            return ("ambiguous", None, len(ids), None)
        return _UNRESOLVED
