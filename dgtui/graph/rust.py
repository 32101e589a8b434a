"""Rust's rules for the resolver (mixed into ``Resolver``, as ``java.py`` is), and its modules.

A Rust module is a file: ``src/lib.rs`` (or ``main.rs``) is the crate's root, ``a.rs`` or
``a/mod.rs`` its module ``a``, whose children live in the folder ``a/``. Paths (``crate::a::f``,
``super::g``, ``self::h``, ``Store::open``) are read with ``::`` turned into dots. A call written
with a dot (``x.get()``) is a method of a value, never a module's function: with the value's type
unknown it is ``ambiguous`` among methods. What is not followed: macros (``println!`` is no
call), inline modules named in a ``use`` path, `#[path]` attributes, and what a trait's generic
parameter (``T: Handler``) dispatches to. A crate of the repository is named by its Cargo.toml's
name (``tokio::spawn`` in tokio's own ``tests/``).
"""

from __future__ import annotations

import posixpath

from ..model import SymbolInfo
from ..parse.bindings import rust_path

#: The prelude and the primitive types: Rust's own.
RUST_BUILTINS = frozenset("""
    Some None Ok Err Box Vec String Option Result drop Default Clone Copy Iterator IntoIterator
    DoubleEndedIterator ExactSizeIterator Extend ToString ToOwned From Into TryFrom TryInto AsRef
    AsMut Send Sync Sized Unpin Drop Fn FnMut FnOnce PartialEq Eq PartialOrd Ord Debug
    i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str
""".split())
RUST_TYPES = RUST_BUILTINS | frozenset({"()"})
_ROOTS = ("lib.rs", "main.rs")

Resolution = tuple[str, str | None, int, str | None]


def is_path_call(callee: str) -> bool:
    """``a::b()`` or ``T::new().x()`` (a path), not ``x.get::<T>()`` (a method of a value)."""
    return "::" in callee and "::" in callee.partition(".")[0].partition("(")[0].replace("::<", "")


def _child_dir(module: str) -> str:
    folder, _, name = module.rpartition("/")
    if name in ("mod.rs", *_ROOTS):
        return folder
    stem = name[:-3]
    return f"{folder}/{stem}" if folder else stem


def rust_crates(modules: dict[str, SymbolInfo]) -> dict[str, str]:
    """Crate name (Cargo.toml's) -> the crate's root file, for the crates whose root is indexed."""
    found: dict[str, str] = {}
    for path in sorted(p for p in modules if p.endswith(".rs")):
        package = modules[path].package
        if package and package.get("crate") and package["crate"] not in found:
            base = package.get("root", "")
            for name in ("src/lib.rs", "src/main.rs"):
                root = f"{base}/{name}" if base else name
                if root in modules:
                    found[package["crate"]] = root
                    break
    return found


class RustModules:
    """Module paths to files, over the module files the symbol table holds."""

    def __init__(self, files: dict[str, SymbolInfo], crates: dict[str, str] | None = None):
        self.files = files
        self.crates = crates or {}  # the repository's crates by name: `tokio::x` in tokio's tests

    def crate_root(self, importer: str) -> str | None:
        folder = importer.rpartition("/")[0]
        while True:
            for name in _ROOTS:
                candidate = f"{folder}/{name}" if folder else name
                if candidate in self.files:
                    return candidate
            if not folder:
                return None
            folder = folder.rpartition("/")[0]

    def child(self, module: str, name: str) -> str | None:
        folder = _child_dir(module)
        for candidate in (f"{folder}/{name}.rs", f"{folder}/{name}/mod.rs"):
            candidate = candidate.lstrip("/")
            if candidate in self.files:
                return candidate
        return None

    def parent(self, module: str) -> str | None:
        name = module.rpartition("/")[2]
        if name in _ROOTS:
            return None
        folder = posixpath.dirname(posixpath.dirname(module)) if name == "mod.rs" else posixpath.dirname(module)
        candidates = [f"{folder}/{n}" if folder else n for n in ("mod.rs", *_ROOTS)]
        if folder:
            candidates.append(folder + ".rs")
        return next((c for c in candidates if c in self.files), None)

    def module_file(self, importer: str, spec: str) -> str | None:
        """The file of the module ``spec`` (``crate::a::b``, ``super::c``, ``a``) names from
        ``importer``, or None (another crate, the standard library, an inline module)."""
        parts = [p for p in spec.split("::") if p]
        if not parts:
            return None
        first, rest = parts[0], parts[1:]
        if first == "crate":
            current = self.crate_root(importer)
        elif first == "self":
            current = importer
        elif first == "super":
            current = self.parent(importer)
            while rest and rest[0] == "super" and current is not None:
                current, rest = self.parent(current), rest[1:]
        else:  # a module this file declares, (2015 paths) one of the crate root's, a crate's name
            current = self.child(importer, first)
            if current is None:
                root = self.crate_root(importer)
                current = self.child(root, first) if root else None
            if current is None:
                current = self.crates.get(first)
        for part in rest:
            if current is None:
                return None
            current = self.child(current, part)
        return current

    def is_own(self, importer: str, spec: str) -> bool:
        first = spec.split("::")[0]
        return first in ("crate", "self", "super") or self.module_file(importer, first) is not None


class RustRules:
    """Mixed into ``Resolver``: uses its symbol table, references and members."""

    def _rust_call(self, caller: SymbolInfo, callee: str, short: str, spec) -> Resolution | None:
        """A path call's module walk, or a method call on an unknown value; None: the common
        rules decide."""
        if is_path_call(callee):
            parts = rust_path(callee).split(".")
            head = parts[0]
            if not head.isidentifier():  # <T as Handler>::handle(x): whose impl, unknown
                return self._by_name(short, methods_only=True)
            if head in ("crate", "super", "self") or self._reference(caller, head, 0) is None:
                hit = self._rust_module_path(caller, parts)
                if hit is not None:
                    return ("import", hit.id, 0, None)
                if head in ("crate", "super", "self"):
                    return ("unresolved", None, 0, None)
                if self._another_crate(caller, head):
                    return ("external", None, 0, head)
            return None
        head = callee.partition(".")[0]
        if "." in callee and head.isidentifier() and head != "self" and head not in self.bound_names(caller):
            # `x.get()` with `x` bound nowhere here (a static, a pattern we do not read): a value
            # of unknown type, never a module's function
            return self._by_name(short, methods_only=True)
        return None

    def _another_crate(self, caller: SymbolInfo, head: str) -> bool:
        """Whether a path's first name can only be another crate's (`tokio::spawn` in tokio's
        own tests names the crate by its name; `std::mem::take`): bound by nothing here, no
        import of it, no star import of the repository's own code that might bring it, and no
        module, type or inline module of the repository so named."""
        if head in self.bound_names(caller) or head in RUST_BUILTINS or head == "Self":
            return False
        bindings = self._imports_of(caller.file_path)
        if bindings is not None and (head in bindings[0] or any(
                self.is_repository_module(caller.file_path, imp.module) for imp in bindings[1])):
            return False
        if self.symbols.rust_modules().is_own(caller.file_path, head):
            return False
        if head in self._rust_scope_names():
            return False
        return self._name_value(caller, head) is None

    def _rust_scope_names(self) -> frozenset[str]:
        """The first names of every qualified name in Rust files (types, impl blocks, inline
        modules), once a batch."""
        found = getattr(self, "_rust_scopes", None)
        if found is None:
            found = self._rust_scopes = frozenset(
                qualified.partition(".")[0] for (path, qualified) in self.symbols.by_qualified
                if path.endswith(".rs"))
        return found

    def _rust_module_path(self, caller: SymbolInfo, parts: list[str]) -> SymbolInfo | None:
        """``crate::store::open`` / ``store::Store::open``: the longest prefix that is a module
        file, and the rest looked up in it."""
        modules = self.symbols.rust_modules()
        for cut in range(len(parts) - 1, 0, -1):
            if "(" in "".join(parts[:cut + 1]):
                continue
            file = modules.module_file(caller.file_path, "::".join(parts[:cut]))
            if file is not None:
                return self._in_module(file, ".".join(parts[cut:]), 1)
        return None

    def _rust_owner(self, caller: SymbolInfo) -> SymbolInfo | None:
        """The type an ``impl`` block in another file than the type's is for."""
        ref = self._reference(caller, caller.owner.rpartition(".")[2], 0) if caller.owner else None
        if ref is not None and ref[0] in ("local", "import") and ref[1].kind == "class":
            return ref[1]
        return None

    def _rust_method(self, owner: str, name: str) -> SymbolInfo | None:
        """A method of the type ``owner`` in an ``impl`` block of another file: the one method of
        that name whose impl is for a type so named."""
        type_name = owner.rpartition(".")[2]
        atoms = self.symbols.atoms
        hits = [atoms[i] for i in self.symbols.named(name)
                if atoms[i].file_path.endswith(".rs") and atoms[i].owner
                and atoms[i].owner.rpartition(".")[2] == type_name and atoms[i].kind == "method"]
        return hits[0] if len(hits) == 1 else None
