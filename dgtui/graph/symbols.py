"""The repository's symbol table: what call resolution needs to know about every atom.

Kept in memory by the engine and updated inside each transaction (before edges are resolved),
rebuilt from the store on start or after a failed transaction. Knows nothing of SQL: the store
feeds it ``SymbolInfo`` rows, the engine feeds it parsed atoms.
"""

from __future__ import annotations

import bisect
import functools
import posixpath
from collections import defaultdict
from collections.abc import Iterable

from ..model import SymbolInfo
from ..parse.registry import language_for
from .packages import Packages, is_package_key, is_packaged
from .rust import RustModules, rust_crates

#: Kinds that a call can never name directly.
UNCALLABLE_KINDS = frozenset({"module", "test"})
ECMA_EXTENSIONS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx")


class SymbolTable:
    """Indexes over the atoms of one repository: by id, by short name, by (file, qualified)."""

    def __init__(self) -> None:
        self.atoms: dict[str, SymbolInfo] = {}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.by_qualified: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.by_file: dict[str, set[str]] = defaultdict(set)
        self.modules: dict[str, SymbolInfo] = {}  # file path -> its <module> atom
        # the last name of each base a class writes -> those classes (``models.Model`` ->
        # ``Model``): where to look for the subclasses of a class, checked by resolving
        self.by_base_name: dict[str, set[str]] = defaultdict(set)
        # base name -> class id -> ids of its subclasses (graph/overrides.py), kept from batch to
        # batch: cleared when a class or an import statement appears, vanishes or changes
        self.subclasses: dict[str, dict[str, list[str]]] = {}
        # class id -> its subclasses at every depth, nearest first: kept and cleared with them
        self.descendants: dict[str, list[str]] = {}
        # method name -> method id -> the ids of its overrides: kept the same way, and for one
        # name dropped when a method of that name appears or vanishes
        self.overrides: dict[str, dict[str, list[str]]] = {}
        # a name imported under another (``from child import Child as Parent``): Child -> Parent
        self.import_aliases: dict[str, dict[str, int]] = defaultdict(dict)
        # (file, qualified name minus its last part) -> how many atoms: a scope that is no key
        # here defines nothing nested, so resolving a bare name need not look inside it.
        self.scopes: dict[tuple[str, str], int] = {}
        self._python_modules: dict[str, str] | None = None  # dotted import name -> file
        self._dotted_names: dict[str, str] = {}  # file -> its dotted import name
        self._claims: dict[str, list[str]] = {}  # dotted name -> the files it may name, sorted
        self._vanished: set[str] = set()  # module files removed, maybe about to come back
        self._appeared: set[str] = set()  # module files added since the names were made
        self.packages = Packages()
        # word of an import (its name, the parts of its module) -> the files whose imports have
        # it: made when first asked for (``importers_of``), then kept up to date
        self._import_words: dict[str, set[str]] | None = None
        self._rust_crates: dict[str, str] | None = None  # crate name -> its root file
        # file -> (class, ``self.x``) -> [(binding, method)]: the attributes its methods set
        # (graph/attributes.py), made when first asked for, dropped when the file changes
        self.attributes_by_file: dict[str, dict[tuple[str, str], list[tuple[str, SymbolInfo]]]] = {}

    # -- updates ---------------------------------------------------------------------------
    def add(self, info: SymbolInfo) -> None:
        old = self.atoms.get(info.id)
        if old is not None:
            self.remove(old.id, keep_subclasses=_same_shape(old, info), readding=True)
        elif info.kind in ("class", "module"):
            self.subclasses.clear()
            self.descendants.clear()
            self.overrides.clear()
        else:
            self.overrides.pop(info.name, None)  # a new method may override others of its name
        self.atoms[info.id] = info
        self.by_file[info.file_path].add(info.id)
        self.attributes_by_file.pop(info.file_path, None)
        self.by_qualified[(info.file_path, info.qualified_name)].append(info.id)
        scope = (info.file_path, info.qualified_name.rpartition(".")[0])
        self.scopes[scope] = self.scopes.get(scope, 0) + 1
        if info.kind == "module":
            if info.file_path in self._vanished:
                self._vanished.discard(info.file_path)  # the same file, re-parsed
            elif info.file_path not in self.modules:
                self._appeared.add(info.file_path)  # a new file: module names may change
            self.modules[info.file_path] = info
            if is_packaged(info.file_path):
                self.packages.add(info)
            elif info.file_path.endswith(".rs"):
                self._rust_crates = None
            for imp in info.imports:
                if imp.name and imp.local != imp.name:
                    counts = self.import_aliases[imp.name]
                    counts[imp.local] = counts.get(imp.local, 0) + 1
            if self._import_words is not None:
                for word in _words_of_imports(info):
                    self._import_words.setdefault(word, set()).add(info.file_path)
        elif info.kind not in UNCALLABLE_KINDS:
            self.by_name[info.name].add(info.id)
        for base in info.bases:
            self.by_base_name[base_name(base)].add(info.id)

    def remove(self, atom_id: str, keep_subclasses: bool = False, readding: bool = False) -> SymbolInfo | None:
        info = self.atoms.pop(atom_id, None)
        if info is None:
            return None
        if info.kind in ("class", "module") and not keep_subclasses:
            self.subclasses.clear()
            self.descendants.clear()
            self.overrides.clear()
        elif not readding:
            self.overrides.pop(info.name, None)
        _discard(self.by_file, info.file_path, atom_id)
        self.attributes_by_file.pop(info.file_path, None)
        key = (info.file_path, info.qualified_name)
        ids = self.by_qualified.get(key)
        if ids is not None:
            ids.remove(atom_id)
            if not ids:
                del self.by_qualified[key]
        scope = (info.file_path, info.qualified_name.rpartition(".")[0])
        left = self.scopes.get(scope, 0) - 1
        if left > 0:
            self.scopes[scope] = left
        else:
            self.scopes.pop(scope, None)
        if info.kind == "module":
            for imp in info.imports:
                counts = self.import_aliases.get(imp.name) if imp.name and imp.local != imp.name else None
                if counts is not None and imp.local in counts:
                    counts[imp.local] -= 1
                    if not counts[imp.local]:
                        del counts[imp.local]
                        if not counts:
                            del self.import_aliases[imp.name]
            if self._import_words is not None:
                for word in _words_of_imports(info):
                    _discard(self._import_words, word, info.file_path)
            if self.modules.get(info.file_path) is info:
                del self.modules[info.file_path]
                self._vanished.add(info.file_path)  # decided at the next lookup
                if is_packaged(info.file_path):
                    self.packages.remove(info)
                elif info.file_path.endswith(".rs"):
                    self._rust_crates = None
        else:
            _discard(self.by_name, info.name, atom_id)
        for base in info.bases:
            _discard(self.by_base_name, base_name(base), atom_id)
        return info

    def remove_file(self, path: str) -> list[SymbolInfo]:
        return [info for atom_id in list(self.by_file.get(path, ())) if (info := self.remove(atom_id))]

    # -- lookups ---------------------------------------------------------------------------
    def get(self, atom_id: str) -> SymbolInfo | None:
        return self.atoms.get(atom_id)

    def in_file(self, path: str, qualified: str) -> SymbolInfo | None:
        """The definition of ``qualified`` in ``path``; the last one wins, as at run time."""
        ids = self.by_qualified.get((path, qualified))
        if not ids:
            return None
        if len(ids) == 1:
            return self.atoms[ids[0]]
        infos = [self.atoms[i] for i in ids]
        callable_infos = [i for i in infos if i.kind not in UNCALLABLE_KINDS] or infos
        return max(callable_infos, key=lambda i: i.line)

    def named(self, name: str) -> set[str]:
        return self.by_name.get(name, set())

    def importers_of(self, words: Iterable[str]) -> set[str]:
        """The files with an import (other than ``*``) whose name or module has one of these
        words (``from ..pkg.sub import c``: pkg, sub, c)."""
        if self._import_words is None:
            self._import_words = {}
            for module in self.modules.values():
                for word in _words_of_imports(module):
                    self._import_words.setdefault(word, set()).add(module.file_path)
        found: set[str] = set()
        for word in words:
            found |= self._import_words.get(word, set())
        return found

    def has_file(self, path: str) -> bool:
        return path in self.modules

    def python_module_file(self, dotted: str) -> str | None:
        """The file a Python import names (``pkg.mod`` -> ``src/pkg/mod.py``), if indexed."""
        return self._python_module_names().get(dotted)

    def python_package_of(self, path: str) -> str:
        """The dotted package a Python file belongs to (for relative imports)."""
        dotted = self.python_dotted_name(path)
        if path.endswith("/__init__.py") or path == "__init__.py":
            return dotted
        return dotted.rpartition(".")[0]

    def python_dotted_name(self, path: str) -> str:
        self._python_module_names()
        return self._dotted_names.get(path, "")

    def _python_module_names(self) -> dict[str, str]:
        if self._vanished or self._appeared:  # files came or went: the module names changed
            self._update_python_names()
        if self._python_modules is None:
            self._python_modules, self._dotted_names, self._claims = _python_module_map(
                [p for p in self.modules if p.endswith(".py")])
        return self._python_modules

    def _update_python_names(self) -> None:
        """Name the Python files that came and forget those that went, when no package marker
        did (a marker renames every file below it: then all are named again)."""
        changed = {p for p in self._vanished | self._appeared if p.endswith(".py")}
        self._vanished.clear()
        self._appeared.clear()
        if self._python_modules is None or not changed:
            return
        if any(p.rpartition("/")[2] == "__init__.py" for p in changed):
            self._python_modules = None
            return
        names, claims = self._python_modules, self._claims
        for path in sorted(changed):
            present = path in self.modules
            if present:
                import_name, full = _python_names(path, self._package_skip(path.rpartition("/")[0]))
                self._dotted_names[path] = import_name
            else:
                import_name, full = self._dotted_names.pop(path, None), _python_names(path, 0)[1]
            for name in {import_name, full} - {None}:
                paths = claims.setdefault(name, [])
                if present:
                    bisect.insort(paths, path)
                elif path in paths:
                    paths.remove(path)
                if paths:
                    names[name] = paths[0]
                else:
                    names.pop(name, None)
                    del claims[name]

    def _package_skip(self, folder: str) -> int:
        """How many leading parts of ``folder`` are not packages (see ``_python_module_map``)."""
        while folder and f"{folder}/__init__.py" in self.modules:
            folder = folder.rpartition("/")[0]
        return folder.count("/") + 1 if folder else 0

    def ecma_module_file(self, importer: str, spec: str) -> str | None:
        """The file an ES/CommonJS specifier names, relative to the importing file."""
        if spec.startswith("."):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
            if base.startswith("../"):
                return None
        else:
            base = spec  # a bare specifier: a package folder when the repository holds one
        for candidate in _ecma_candidates(base):
            if candidate in self.modules:
                return candidate
        return None

    def in_package(self, path: str, qualified: str) -> SymbolInfo | None:
        """Go, Java: ``qualified`` defined in the package of the file ``path`` (or the package
        key ``path``), in whichever of its files."""
        key = path if is_package_key(path) else self.packages.key_of_file.get(path)
        return self.packages.find(key, qualified, self) if key else None

    def rust_modules(self) -> RustModules:
        if self._rust_crates is None:
            self._rust_crates = rust_crates(self.modules)
        return RustModules(self.modules, self._rust_crates)

    def is_own_package_import(self, importer: str, spec: str) -> bool:
        return self.packages.is_own_import(self.modules.get(importer), spec, self.modules)

    def module_file(self, importer: str, spec: str) -> str | None:
        lang = language_for(importer)
        if lang is None:
            return None
        if lang.module_style == "rust":
            return self.rust_modules().module_file(importer, spec)
        if lang.module_style in ("go", "java"):  # a package's key (packages.py)
            return self.packages.package_of_import(self.modules.get(importer), spec, self.modules)
        if lang.module_style == "python":
            if spec.startswith("."):  # relative: folders on disk, package markers or not
                near = self._python_relative_file(importer, spec)
                if near is not None:
                    return near
            return self.python_module_file(self.absolute_python_module(importer, spec))
        return self.ecma_module_file(importer, spec)

    def _python_relative_file(self, importer: str, spec: str) -> str | None:
        """``from ..helpers import x`` in ``src/flask/sansio/app.py`` -> ``src/flask/helpers.py``:
        relative imports name folders, which holds in a folder without ``__init__.py`` too (a
        namespace package inside a package)."""
        dots = len(spec) - len(spec.lstrip("."))
        folder = importer.rpartition("/")[0].split("/") if "/" in importer else []
        if dots - 1 > len(folder):
            return None
        folder = folder[: len(folder) - (dots - 1)]
        rest = [p for p in spec[dots:].split(".") if p]
        base = "/".join(folder + rest)
        if not rest:
            candidates = [f"{base}/__init__.py" if base else "__init__.py"]
        else:
            candidates = [f"{base}.py", f"{base}/__init__.py"]
        return next((c for c in candidates if c in self.modules), None)

    def absolute_python_module(self, importer: str, spec: str) -> str:
        if not spec.startswith("."):
            return spec
        dots = len(spec) - len(spec.lstrip("."))
        package = self.python_package_of(importer).split(".") if importer else []
        package = [p for p in package if p]
        if dots > 1:
            package = package[: len(package) - (dots - 1)] if dots - 1 <= len(package) else []
        rest = spec[dots:]
        return ".".join(package + ([rest] if rest else []))


def _discard(index: dict[str, set[str]], key: str, value: str) -> None:
    values = index.get(key)
    if values is not None:
        values.discard(value)
        if not values:
            del index[key]


@functools.lru_cache(maxsize=1 << 16)  # Django has 17,586 imports, of a few thousand modules
def spec_words(spec: str) -> frozenset[str]:
    """The names in an import specifier: ``..pkg.sub`` / ``./lib/x.js`` -> {pkg, sub} / {lib, x}."""
    return frozenset(w for w in spec.replace("/", ".").split(".")
                     if w and w not in ("js", "ts", "mjs", "cjs", "jsx", "tsx"))


def _words_of_imports(module: SymbolInfo) -> set[str]:
    words: set[str] = set()
    for imp in module.imports:
        if imp.name != "*":
            words |= spec_words(imp.module)
            if imp.name:
                words.add(imp.name)
    return words


def _same_shape(old: SymbolInfo, new: SymbolInfo) -> bool:
    """Whether re-adding an atom leaves what classes' bases resolve to as it was."""
    if old.kind not in ("class", "module") and new.kind not in ("class", "module"):
        return True
    return (old.kind, old.qualified_name, old.bases, old.imports) == (
        new.kind, new.qualified_name, new.bases, new.imports)


def base_name(written: str) -> str:
    """The name a base class is written with, last part: ``models.Model`` -> ``Model``,
    ``Generic[T]`` -> ``Generic``, ``Base<T>`` -> ``Base``."""
    head = written.split("[", 1)[0].split("<", 1)[0].split("(", 1)[0]
    return head.strip().rpartition(".")[2]


def _ecma_candidates(base: str) -> list[str]:
    if base.endswith(ECMA_EXTENSIONS):
        out = [base]
        stem = base.rsplit(".", 1)[0]
        out += [stem + ext for ext in (".ts", ".tsx")]  # TS sources import "./x.js"
        return out
    out = [base + ext for ext in ECMA_EXTENSIONS]
    for folder in ("", "/lib", "/src", "/dist"):
        out += [f"{base}{folder}/index{ext}" for ext in ECMA_EXTENSIONS]
    return out


def _python_module_map(paths: list[str]) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """Dotted import names for Python files.

    A file's name starts at the top-most folder of its chain of packages (folders holding an
    ``__init__.py``): ``src/pkg/mod.py`` is ``pkg.mod`` when ``src`` is not a package. The
    path from the repository root (``src.pkg.mod``) is registered too, as a fallback.
    """
    packages = {p.rpartition("/")[0] for p in paths if p == "__init__.py" or p.endswith("/__init__.py")}
    package_root: dict[str, int] = {}  # folder -> how many of its leading parts are not packages

    def skip(folder: str) -> int:
        if folder not in package_root:
            if folder and folder in packages:
                package_root[folder] = skip(folder.rpartition("/")[0])
            else:
                package_root[folder] = folder.count("/") + 1 if folder else 0
        return package_root[folder]

    names: dict[str, str] = {}
    dotted_names: dict[str, str] = {}
    claims: dict[str, list[str]] = {}
    for path in sorted(paths):
        import_name, full = _python_names(path, skip(path.rpartition("/")[0]))
        dotted_names[path] = import_name
        names.setdefault(import_name, path)
        names.setdefault(full, path)
        claims.setdefault(import_name, []).append(path)
        if full != import_name:
            claims.setdefault(full, []).append(path)
    return names, dotted_names, claims


def _python_names(path: str, start: int) -> tuple[str, str]:
    """A Python file's import name, its first ``start`` folders not being packages, and its
    path from the root as dotted parts (a fallback name)."""
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    full = ".".join(parts)
    return (".".join(parts[start:]) if parts[start:] else full), full
