"""Keeping what the symbol table found of class hierarchies across a save that adds or removes
a file or a class.

The symbol table keeps, from save to save, the subclasses of each class (by the name its bases
are written with) and the overrides of each method (``graph/overrides.py``); a class or a
module that appears or vanishes clears them all, since what a base names may have changed
anywhere. Found again, Django's took 60-100 ms of a new module's save. Most such saves change no
other class's bases: the batch's classes are leaves no class that stays names as its base, and
no import binding of a file outside the batch points elsewhere. Then the hierarchy found before
stays true but for the entries the batch's classes and methods touch: the subclasses under the
names their bases are written with, the overrides of their methods' names, and the lists of
descendants (cheap to find again from the subclasses).
"""

from __future__ import annotations

from ..graph.atom_diff import AtomDiff
from ..graph.symbols import SymbolTable, base_name

_SHAPED = ("class", "module")


class SavedHierarchy:
    """The subclasses and overrides as they were before the batch, when they may stay."""

    def __init__(self, symbols: SymbolTable, diff: AtomDiff):
        self.subclasses = dict(symbols.subclasses)
        self.overrides = dict(symbols.overrides)
        self.batch_files = {a.file_path for a in diff.created + diff.deleted if a.kind == "module"}
        self._diff = diff

    def restore(self, symbols: SymbolTable, moved_files: set[str]) -> bool:
        """Put the saved entries back, less those the batch touches; False (and nothing done)
        when an import binding of a file that stays moved (``moved_files``)."""
        if moved_files - self.batch_files:
            return False
        diff = self._diff
        for atom in diff.created + diff.deleted:
            if atom.kind == "class":
                for base in atom.bases:
                    self.subclasses.pop(base_name(base), None)
            elif atom.kind != "module":
                self.overrides.pop(atom.name, None)
        symbols.subclasses.clear()
        symbols.subclasses.update(self.subclasses)
        symbols.overrides.clear()
        symbols.overrides.update(self.overrides)
        symbols.descendants.clear()
        return True


def save_hierarchy(symbols: SymbolTable, diff: AtomDiff) -> SavedHierarchy | None:
    """Before the symbol table takes the batch: what may be kept of its hierarchy caches, or
    None when the batch adds or removes no class or module (the table keeps them itself) or
    changes the shape of one that stays, or when a class that stays names one of the batch's
    classes as its base, or a module of the batch imports a name as another."""
    going = [a for a in diff.created + diff.deleted if a.kind in _SHAPED]
    if not going:
        return None
    for u in diff.updated:
        if (u.old.kind in _SHAPED or u.new.kind in _SHAPED) and (
                (u.old.kind, u.old.qualified_name, u.old.bases, u.old.imports)
                != (u.new.kind, u.new.qualified_name, u.new.bases, u.new.imports)):
            return None
    if any(imp.name and imp.local != imp.name for a in going for imp in a.imports):
        return None  # an import alias names a class another way (``overrides.direct_subclasses``)
    batch = {a.id for a in diff.created + diff.deleted}
    names = {a.name for a in going if a.kind == "class"}
    names |= {alias for n in list(names) for alias in symbols.import_aliases.get(n, ())}
    for name in names:
        if any(i not in batch for i in symbols.by_base_name.get(name, ())):
            return None
    return SavedHierarchy(symbols, diff)
