"""Go packages for the symbol table: a package is a folder of ``.go`` files, named in imports by
its module path (``go.mod``) plus the folder below the module's root.

A package is keyed ``folder/*.go`` (``*.go`` at the repository's root): a key that no file path
can be, so a package travels where the resolver expects a module file (``import-module``).
"""

from __future__ import annotations

from collections import defaultdict

from ..model import SymbolInfo

GO_SUFFIX = "*.go"


def package_key(path: str) -> str:
    """The package of the Go file ``path``: ``srv/http.go`` -> ``srv/*.go``."""
    folder = path.rpartition("/")[0]
    return f"{folder}/{GO_SUFFIX}" if folder else GO_SUFFIX


def is_package_key(name: str) -> bool:
    return name.endswith(GO_SUFFIX)


class GoPackages:
    """The repository's Go packages and modules, kept by ``SymbolTable`` as module atoms come
    and go."""

    def __init__(self) -> None:
        self.files: dict[str, set[str]] = defaultdict(set)  # package key -> its files
        self._modules: dict[str, str] | None = None  # module path -> folder of its go.mod

    def add(self, info: SymbolInfo) -> None:
        self.files[package_key(info.file_path)].add(info.file_path)
        if info.package and info.package.get("module"):
            self._modules = None

    def remove(self, info: SymbolInfo) -> None:
        key = package_key(info.file_path)
        files = self.files.get(key)
        if files is not None:
            files.discard(info.file_path)
            if not files:
                del self.files[key]
        if info.package and info.package.get("module"):
            self._modules = None

    def modules(self, module_atoms: dict[str, SymbolInfo]) -> dict[str, str]:
        if self._modules is None:
            found: dict[str, str] = {}
            for files in self.files.values():
                for path in files:
                    info = module_atoms.get(path)
                    if info is not None and info.package and info.package.get("module"):
                        found.setdefault(info.package["module"], info.package.get("root", ""))
            self._modules = found
        return self._modules

    def package_of_import(self, importer: SymbolInfo | None, spec: str,
                          module_atoms: dict[str, SymbolInfo]) -> str | None:
        """The package key an import path names, when the repository holds it."""
        folder = self._own_folder(importer, spec, module_atoms)
        if folder is not None:
            key = f"{folder}/{GO_SUFFIX}" if folder else GO_SUFFIX
            return key if key in self.files else None
        # no go.mod declares it: a GOPATH layout (src/example.com/app/store) names the folder
        # by the whole import path, which starts with a domain (the standard library's do not)
        if "." not in spec.partition("/")[0]:
            return None
        for key in self.files:
            folder = key[: -len(GO_SUFFIX) - 1]
            if folder == spec or folder.endswith("/" + spec):
                return key
        return None

    def is_own_import(self, importer: SymbolInfo | None, spec: str,
                      module_atoms: dict[str, SymbolInfo]) -> bool:
        """Whether ``spec`` lies in one of the repository's modules (found or not)."""
        return self._own_folder(importer, spec, module_atoms) is not None

    def _own_folder(self, importer: SymbolInfo | None, spec: str,
                    module_atoms: dict[str, SymbolInfo]) -> str | None:
        modules = self.modules(module_atoms)
        best = None
        for module, root in modules.items():
            if (spec == module or spec.startswith(module + "/")) and (best is None or len(module) > len(best[0])):
                best = (module, root)
        if best is None:
            return None
        module, root = best
        rest = spec[len(module):].strip("/")
        return "/".join(p for p in (root, rest) if p)

    def find(self, key: str, qualified: str, symbols) -> SymbolInfo | None:
        """``qualified`` as defined in the package ``key``: one definition across its files. Two
        (files for different platforms, `//go:build`) are no single answer: None."""
        hits = []
        for path in self.files.get(key, ()):
            hit = symbols.in_file(path, qualified)
            if hit is not None and hit.kind not in ("module", "test"):
                hits.append(hit)
        return hits[0] if len(hits) == 1 else None
