"""Packages for the symbol table: the languages whose names are shared by every file of a
package, without an import. A Go package is a folder of ``.go`` files, named in imports by its
module path (``go.mod``) plus the folder below the module's root; a Java package is every
``.java`` file whose ``package`` declaration names it, wherever its folder (main and test trees).

A package is keyed ``folder/*.go`` (``*.go`` at the repository's root) or ``a.b.c/*.java``: keys
that no file path can be, so a package travels where the resolver expects a module file
(``import-module``).
"""

from __future__ import annotations

from collections import defaultdict

from ..model import SymbolInfo

PACKAGED_SUFFIXES = (".go", ".java")


def is_packaged(path: str) -> bool:
    return path.endswith(PACKAGED_SUFFIXES)


def is_package_key(name: str) -> bool:
    return name.rpartition("/")[2] in ("*.go", "*.java")


def _key_of(info: SymbolInfo) -> str:
    path = info.file_path
    if path.endswith(".java"):
        name = info.package.get("package", "") if info.package else ""
        return f"{name}/*.java" if name else "*.java"
    folder = path.rpartition("/")[0]
    return f"{folder}/*.go" if folder else "*.go"


class Packages:
    """The repository's Go and Java packages (and Go modules), kept by ``SymbolTable`` as module
    atoms come and go."""

    def __init__(self) -> None:
        self.files: dict[str, set[str]] = defaultdict(set)  # package key -> its files
        self.key_of_file: dict[str, str] = {}
        self._modules: dict[str, str] | None = None  # Go module path -> folder of its go.mod

    def add(self, info: SymbolInfo) -> None:
        key = self.key_of_file[info.file_path] = _key_of(info)
        self.files[key].add(info.file_path)
        if info.package and info.package.get("module"):
            self._modules = None

    def remove(self, info: SymbolInfo) -> None:
        key = self.key_of_file.pop(info.file_path, None)
        files = self.files.get(key) if key else None
        if files is not None:
            files.discard(info.file_path)
            if not files:
                del self.files[key]
        if info.package and info.package.get("module"):
            self._modules = None

    def find(self, key: str, qualified: str, symbols) -> SymbolInfo | None:
        """``qualified`` as defined in the package ``key``: one definition across its files. Two
        (Go files for different platforms, `//go:build`) are no single answer: None."""
        hits = []
        for path in self.files.get(key, ()):
            hit = symbols.in_file(path, qualified)
            if hit is not None and hit.kind not in ("module", "test"):
                hits.append(hit)
        return hits[0] if len(hits) == 1 else None

    # -- imports ---------------------------------------------------------------------------
    def package_of_import(self, importer: SymbolInfo | None, spec: str,
                          module_atoms: dict[str, SymbolInfo]) -> str | None:
        """The package key an import names, when the repository holds it."""
        if importer is not None and importer.file_path.endswith(".java"):
            key = f"{spec}/*.java"
            return key if key in self.files else None
        folder = self._own_folder(spec, module_atoms)
        if folder is not None:
            key = f"{folder}/*.go" if folder else "*.go"
            return key if key in self.files else None
        # no go.mod declares it: a GOPATH layout (src/example.com/app/store) names the folder
        # by the whole import path, which starts with a domain (the standard library's do not)
        if "." not in spec.partition("/")[0]:
            return None
        for key in self.files:
            folder = key[: -len("/*.go")]
            if key.endswith("/*.go") and (folder == spec or folder.endswith("/" + spec)):
                return key
        return None

    def is_own_import(self, importer: SymbolInfo | None, spec: str,
                      module_atoms: dict[str, SymbolInfo]) -> bool:
        """Whether ``spec`` lies in the repository's code (found or not): one of its Go
        modules, or a Java package above, below or equal to one of its own."""
        if importer is not None and importer.file_path.endswith(".java"):
            for key in self.files:
                name = key[: -len("/*.java")]
                if key.endswith("/*.java") and name and (
                        name == spec or spec.startswith(name + ".") or name.startswith(spec + ".")):
                    return True
            return False
        return self._own_folder(spec, module_atoms) is not None

    def modules(self, module_atoms: dict[str, SymbolInfo]) -> dict[str, str]:
        if self._modules is None:
            found: dict[str, str] = {}
            for path in sorted(self.key_of_file):
                info = module_atoms.get(path)
                if info is not None and info.package and info.package.get("module"):
                    found.setdefault(info.package["module"], info.package.get("root", ""))
            self._modules = found
        return self._modules

    def _own_folder(self, spec: str, module_atoms: dict[str, SymbolInfo]) -> str | None:
        best = None
        for module, root in self.modules(module_atoms).items():
            if (spec == module or spec.startswith(module + "/")) and (best is None or len(module) > len(best[0])):
                best = (module, root)
        if best is None:
            return None
        module, root = best
        rest = spec[len(module):].strip("/")
        return "/".join(p for p in (root, rest) if p)
