"""What a name means in a file: definitions, imports (aliases, relative, ``from pkg import
module``, star imports), re-exports followed through modules, and whether an import leaves the
repository. Part of the resolver (``Resolver`` mixes it in), memoized per batch like the rest.
"""

from __future__ import annotations

import re

from ..model import Import, SymbolInfo
from ..parse.written_types import go_package_name
from .packages import is_package_key, is_packaged

#: Cycles are cut by the busy set of the resolver's memo; this only bounds pathological chains
#: of re-exports (far beyond any real one, so results never depend on where a walk began).
MAX_DEPTH = 100
_GO_WORDS = re.compile(r"[^A-Za-z0-9]+")


class References:
    """Mixed into ``Resolver``: uses its symbol table, memo tables and class lookups."""

    def reference(self, context: SymbolInfo, name: str):
        """What ``name`` means in ``context``'s file (see ``_reference``)."""
        return self._reference(context, name, 0)

    def _reference(self, context: SymbolInfo, name: str, depth: int):
        """What ``name`` refers to from ``context``'s file: ("local", atom), ("import", atom),
        ("import-module", file) or None. Memoized per file and name for this batch."""
        key, refs = ("ref", context.file_path, name), self._refs
        if key in refs:  # (what _memo does first, without making the closure)
            return refs[key]
        return self._memo(refs, key, lambda: self._find_reference(context.file_path, name, depth))

    def _find_reference(self, path: str, name: str, depth: int):
        local = self.symbols.in_file(path, name)
        if local is None and is_packaged(path):  # Go, Java: any file of the package
            local = self.symbols.in_package(path, name)
        if local is not None and local.kind not in ("module", "test"):
            return ("local", local)
        bindings = self._imports_of(path)
        if bindings is None:
            return None
        by_local, stars = bindings
        imp = by_local.get(name)
        if imp is not None:
            return self._import_target(path, imp, depth)
        if path.endswith(".java") and "java.lang/*.java" in self.symbols.packages.files:
            hit = self.symbols.in_package("java.lang/*.java", name)  # imported by every file
            if hit is not None:  # (the JDK's own source, indexed)
                return ("import", hit)
        for imp in stars:
            file = self.symbols.module_file(path, imp.module)
            wanted = name
            if file is None and path.endswith(".java"):  # import static a.b.C.*: C's members
                package, _, owner = imp.module.rpartition(".")
                file, wanted = self.symbols.module_file(path, package), f"{owner}.{name}"
            if file is not None:
                hit = self._in_module(file, wanted, depth + 1)
                if hit is not None:
                    return ("import", hit)
        return None

    def _imports_of(self, path: str) -> tuple[dict[str, Import], list[Import]] | None:
        """A module's imports: the first binding of each local name, and the star imports."""
        found = self._bindings.get(path)
        if found is None:
            module = self.symbols.modules.get(path)
            if module is None:
                return None
            by_local: dict[str, Import] = {}
            for imp in module.imports:
                by_local.setdefault(imp.local, imp)
            if path.endswith(".go"):
                for imp in module.imports:
                    for name in self._go_import_names(path, imp):
                        by_local.setdefault(name, imp._replace(local=name))
            found = self._bindings[path] = (by_local, [i for i in module.imports if i.name == "*"])
        return found

    def _go_import_names(self, importer: str, imp: Import) -> list[str]:
        """What else an unaliased Go import may bind: the imported package's own clause when the
        repository holds it, else the last word of its path (``go-git-fixtures/v4`` binds
        ``fixtures`` by its package clause, which only its source says)."""
        if imp.name is not None or imp.local != go_package_name(imp.module):
            return []  # an alias, or a dot import
        key = self.symbols.module_file(importer, imp.module)
        if key is not None:
            for file in sorted(self.symbols.packages.files.get(key, ())):
                info = self.symbols.modules.get(file)
                if info is not None and info.package and info.package.get("package"):
                    return [info.package["package"]]
            return []
        words = [w for w in _GO_WORDS.split(go_package_name(imp.module)) if w]
        return [words[-1]] if words else []

    def _import_target(self, importer: str, imp: Import, depth: int):
        symbols = self.symbols
        if imp.binds_root:  # `import a.b.c` binds `a`: the package itself
            file = symbols.module_file(importer, imp.module.split(".")[0])
            return ("import-module", file) if file else None
        file = symbols.module_file(importer, imp.module)
        if imp.name is None:
            return ("import-module", file) if file else None
        if file is not None:
            hit = self._in_module(file, imp.name, depth + 1)
            if hit is not None:
                return ("import", hit)
        style = self._style(importer)
        if style == "rust":  # use a::b where b is a module
            sub = symbols.module_file(importer, f"{imp.module}::{imp.name}")
            return ("import-module", sub) if sub is not None else None
        if style == "python":
            base = symbols.absolute_python_module(importer, imp.module)
            sub = symbols.python_module_file(f"{base}.{imp.name}" if base else imp.name)
            if sub is not None:  # from pkg import submodule
                return ("import-module", sub)
        return None

    def _external_import(self, caller: SymbolInfo, head: str) -> bool:
        """``head`` is bound by an import of a module outside the repository."""
        key = (caller.file_path, head)
        external = self._external.get(key)
        if external is None:
            bindings = self._imports_of(caller.file_path)
            imp = bindings[0].get(head) if bindings is not None else None
            cuts = self._cuts
            # An import of the repository's own code (relative, or of one of its packages)
            # that finds nothing names missing code (unresolved), not code outside.
            external = (imp is not None and not imp.module.startswith(".")
                        and self._import_target(caller.file_path, imp, 0) is None
                        and not self.is_repository_module(caller.file_path, imp.module))
            if imp is None and bindings is not None and bindings[1] and is_packaged(caller.file_path):
                # Go's dot import (`import . "gopkg.in/check.v1"`), Java's `import a.b.*`: a name
                # that is no one's in the package comes from the imported package
                external = (self._find_reference(caller.file_path, head, 1) is None and any(
                    not self.is_repository_module(caller.file_path, i.module) for i in bindings[1]))
            if self._cuts == cuts:  # what a cut cycle decided depends on where it started
                self._external[key] = external
        return external

    def is_repository_module(self, importer: str, module: str) -> bool:
        """Whether ``module`` or its top-level package is one of the repository's."""
        style = self._style(importer)
        if style == "rust":
            return self.symbols.rust_modules().is_own(importer, module)
        if style in ("go", "java"):
            return (self.symbols.module_file(importer, module) is not None
                    or self.symbols.is_own_package_import(importer, module))
        top = module.split(".")[0] if style == "python" else module
        return (self.symbols.module_file(importer, module) is not None
                or self.symbols.module_file(importer, top) is not None)

    def _lookup_rest(self, target, rest: list[str], depth: int) -> SymbolInfo | None:
        kind, value = target
        if kind == "import-module":
            file = value
            # `import a.b.c` then `a.b.c.f()`: walk down submodules as far as they exist.
            while len(rest) > 1:
                dotted = self.symbols.python_dotted_name(file)
                sub = self.symbols.python_module_file(f"{dotted}.{rest[0]}") if dotted else None
                if sub is None:
                    break
                file, rest = sub, rest[1:]
            return self._in_module(file, ".".join(rest), depth + 1)
        info: SymbolInfo = value
        if len(rest) == 1 and info.kind == "class":
            return self._member(info, rest[0], depth + 1)
        return self.symbols.in_file(info.file_path, f"{info.qualified_name}.{'.'.join(rest)}")

    def _in_module(self, file: str, name: str, depth: int) -> SymbolInfo | None:
        """``name`` (maybe dotted) as defined or re-exported by the module ``file``."""
        if not name:
            return None
        if depth > MAX_DEPTH:
            self._cuts += 1
            return None
        return self._memo(self._exports, ("export", file, name),
                          lambda: self._find_in_module(file, name, depth))

    def _find_in_module(self, file: str, name: str, depth: int) -> SymbolInfo | None:
        symbols = self.symbols
        if is_package_key(file):  # a Go or Java package: its files' definitions, no re-exports
            hit = symbols.in_package(file, name)
            head, _, rest = name.partition(".")
            if hit is None and rest and "." not in rest:
                cls = symbols.in_package(file, head)
                hit = self._member(cls, rest, depth + 1) if cls is not None and cls.kind == "class" else None
            return hit
        module = symbols.modules.get(file)
        default = module.default_export if module is not None else None
        candidates = [name, f"exports.{name}", f"module.exports.{name}"]
        if name == "default":
            candidates += ([default] if default else []) + ["module.exports", "exports"]
        elif default:  # module.exports = res: the module's members are res's
            candidates.append(f"{default}.{name}")
        for qualified in candidates:
            hit = symbols.in_file(file, qualified)
            if hit is not None and hit.kind not in ("module", "test"):
                return hit
        head, _, rest = name.partition(".")
        if rest:
            cls = symbols.in_file(file, head)
            if cls is not None and cls.kind == "class" and "." not in rest:
                return self._member(cls, rest, depth + 1)
        if module is None:
            return None
        target = self._reference(module, head, depth + 1)  # a re-export: from .x import name
        if target is None or target[0] == "local":
            return None
        if rest:
            return self._lookup_rest(target, rest.split("."), depth + 1)
        return target[1] if target[0] == "import" else None
