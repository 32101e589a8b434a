"""What ``self.x`` holds: how an attribute of an instance is bound in its class.

A declaration in the class body or in a method comes first; else an assignment in a method that
all the class's methods agree on; else the same in a base class. Java's fields, read without
``this.``, are found the same way in the classes around the caller. Part of the resolver
(``Resolver`` mixes it in, with ``TypeFollowing`` of ``types.py`` that asks it), memoized per batch.
"""

from __future__ import annotations

from ..model import SymbolInfo
from .types import Value


class InstanceAttributes:
    """Mixed into ``Resolver``: uses its symbol table, bases (``bases``) and bound values
    (``_bound_value``)."""

    symbols: object

    def _init_attributes(self) -> None:
        self._attr_cache: dict[tuple[str, str], tuple[str, SymbolInfo] | None] = {}
        self._attr_busy: set[tuple[str, str]] = set()
        self._attr_cycles = 0  # answers given from inside a cycle of bases (see value_of)

    def _java_field(self, caller: SymbolInfo, name: str, depth: int) -> Value:
        """A field of the class around the caller (or of a class around that), or None."""
        owner = caller.owner
        while owner:
            cls = self.symbols.in_file(caller.file_path, owner)
            if cls is not None and cls.kind == "class":
                found = self._instance_attribute(cls, name)
                if found is not None:
                    return self._bound_value(found[1], "self." + name, found[0], depth)
            owner = owner.rpartition(".")[0]
        return None

    def _instance_attribute(self, cls: SymbolInfo, name: str) -> tuple[str, SymbolInfo] | None:
        """How ``self.<name>`` is bound in ``cls`` or its bases: a declaration in the class
        body or in a method first, else an assignment in a method that all agree on."""
        key = (cls.id, name)
        if key in self._attr_cache:
            if key in self._attr_busy:
                self._attr_cycles += 1
            return self._attr_cache[key]
        self._attr_cache[key] = None  # a cycle of bases: nothing
        self._attr_busy.add(key)
        found = None
        try:
            for klass in [cls, *self.bases(cls)]:
                found = self._own_attribute(klass, "self." + name)
                if found is not None:
                    break
        finally:
            self._attr_busy.discard(key)
        self._attr_cache[key] = found
        return found

    def _own_attribute(self, cls: SymbolInfo, key: str) -> tuple[str, SymbolInfo] | None:
        if cls.types and key in cls.types:
            return cls.types[key], cls
        seen = self._attributes_set_in(cls.file_path).get((cls.qualified_name, key), ())
        declared = [s for s in seen if s[0].startswith("T:")]
        if declared:
            return declared[0]
        if seen and len({b for b, _ in seen}) == 1 and seen[0][0] != "?":
            return seen[0]
        return None

    def _attributes_set_in(self, path: str) -> dict[tuple[str, str], list[tuple[str, SymbolInfo]]]:
        """(class, ``self.x``) -> [(binding, method)] for the methods of one file (kept by the
        symbol table until the file changes: a new module's save asks for those of ~200 files)."""
        kept = self.symbols.attributes_by_file
        found = kept.get(path)
        if found is None:
            found = kept[path] = {}
            for atom_id in sorted(self.symbols.by_file.get(path, ())):  # the same answer every run
                method = self.symbols.atoms[atom_id]
                if method.owner and method.types:
                    for key, binding in method.types.items():
                        if key.startswith("self."):
                            found.setdefault((method.owner, key), []).append((binding, method))
        return found
