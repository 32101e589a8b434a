"""What a module-level name that is no atom holds (``router = ConnectionRouter()``).

Followed through the imports and re-exports of other modules, a dotted path of the repository's
modules (``pkg.models.Response``) and a module's submodules. Part of the resolver (``Resolver``
mixes it in, with ``TypeFollowing`` of ``types.py`` that asks it), memoized per batch.
"""

from __future__ import annotations

from ..model import SymbolInfo
from .types import MAX_TYPE_DEPTH, Value, value_of_atom


class ModuleValues:
    """Mixed into ``Resolver``: uses its symbol table, imports (``_imports_of``), module lookups
    (``_in_module``) and bound values (``_bound_value``)."""

    symbols: object

    def _module_value(self, caller: SymbolInfo, name: str) -> Value:
        """What a module-level name that is no atom holds, seen from ``caller``'s file: one of
        the file's own, or one it imports."""
        module = self.symbols.modules.get(caller.file_path)
        if module is not None and module.types and name in module.types:
            return self._bound_value(module, name, module.types[name], 1)
        return self._module_global(caller.file_path, name, 0)

    def _module_global(self, file: str, name: str, depth: int) -> Value:
        """What a module-level name of ``file`` that is no atom holds (``router =
        ConnectionRouter()``), followed through imports and re-exports of other modules;
        the current file's own names are read by ``_head_value``."""
        for _ in range(MAX_TYPE_DEPTH):
            module = self.symbols.modules.get(file)
            if module is None or depth > MAX_TYPE_DEPTH:
                return None
            if module.types and name in module.types:
                return self._bound_value(module, name, module.types[name], depth + 1)
            bindings = self._imports_of(file)
            imp = bindings[0].get(name) if bindings is not None else None
            if imp is None or not imp.name or imp.binds_root:
                return None
            file, name = self.symbols.module_file(file, imp.module), imp.name
            if file is None:
                return None
        return None

    def _by_module_path(self, scope: SymbolInfo, dotted: str) -> Value:
        """``pkg.models.Response`` read as a module of the repository and a name in it."""
        if self._style(scope.file_path) != "python":
            return None
        module, _, name = dotted.rpartition(".")
        while module:
            file = self.symbols.python_module_file(module)
            if file is not None:
                hit = self._in_module(file, name, 1)
                return value_of_atom(hit) if hit is not None else None
            module, _, head = module.rpartition(".")
            name = f"{head}.{name}"
        return None

    def _submodule(self, file: str, name: str) -> str | None:
        dotted = self.symbols.python_dotted_name(file)
        return self.symbols.python_module_file(f"{dotted}.{name}") if dotted else None
