"""Keeping edges right inside a transaction.

The calls of the atoms of the changed files are resolved afresh, except those of atoms that did
not change and whose calls nothing in their own file can have changed (``kept_calls``): they
stay, and are looked at again as calls elsewhere are. Elsewhere, only calls whose resolution can
have changed are looked at again: those into atoms that vanished, those whose short name is the
name of an atom that appeared, vanished or changed kind, of a member of a class whose hierarchy
or attribute types changed, or of a name a changed import statement binds (re-exports); and
every call of the atoms that follow a value the batch changed (``y = make(); y.bar()``, a base
class's ``self.x``: ``followed_values``). A package marker (``__init__.py``) that appears or
vanishes renames modules: every call is resolved again. The differential property tests check
that this equals a full rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..graph.atom_diff import AtomDiff
from ..graph.resolve import Resolver
from ..graph.symbols import SymbolTable, spec_words
from ..model import Atom, Edge, SymbolInfo
from ..store.atoms import AtomRepository
from .class_caches import SavedHierarchy, save_hierarchy
from .followed_values import (
    FollowedValues,
    attribute_owner,
    attribute_types,
    reshapes_class,
    retypes_attributes,
    typing_of,
)
from .kept_calls import atoms_of

_IDENTITY_FIELDS = ("name", "kind", "owner", "qualified_name", "parent_id")


@dataclass
class EdgeDiff:
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    rerouted: int = 0  # calls elsewhere whose resolution changed


class Linker:
    def __init__(self, repo: AtomRepository, symbols: SymbolTable):
        self.repo = repo
        self.symbols = symbols
        self._moved_stems: set[str] = set()  # stems of files this batch adds or removes
        self._markers_moved = False  # a package marker appeared or vanished
        self._returns_changed: set[str] = set()  # names of JS constructors whose typing changed
        self._values: FollowedValues | None = None  # what the batch changed of followed values
        self._keep: dict[str, int] = {}  # atoms of the changed files whose calls stay
        self._into_deleted: list[tuple[int, Edge]] = []  # calls into atoms about to be deleted
        self._hierarchy: SavedHierarchy | None = None  # what the symbol table may keep of it

    def snapshot(self, diff: AtomDiff, old_atoms: list[Atom]) -> tuple[set[str], dict | None]:
        """What to compare after the batch, seen from the symbol table *before* it: the names
        to re-resolve, and (when files appear or vanish) where every import binding points."""
        if len(self.symbols.atoms) <= len(old_atoms) - len(self._keep):
            return set(), None  # nothing outside the batch: no edge elsewhere to look at
        self._moved_stems = {_module_stem(a.file_path) for a in diff.created + diff.deleted
                             if a.kind == "module"}
        self._markers_moved = any(a.kind == "module" and _is_package_marker(a.file_path)
                                  for a in diff.created + diff.deleted)
        self._returns_changed = _returns_changed(diff)
        self._values = FollowedValues(diff)
        self._hierarchy = save_hierarchy(self.symbols, diff)
        return self._names(diff), (self._import_targets() if self._moved_stems else None)

    def detach(self, old_atoms: list[Atom], deleted: list[Atom],
               keep: dict[str, int] | None = None) -> set[tuple[str, str]]:
        """Delete the calls the changed files' atoms made, but those of ``keep`` (atom id -> the
        lines it moved: its calls' lines move with it), and say which (caller, callee) pairs go:
        those, and the calls into the atoms about to be deleted (``relink`` re-resolves them).
        Call before the rows change: edges name their atoms by row."""
        self._keep = keep = keep or {}
        self.repo.shift_edge_lines([(i, n) for i, n in keep.items() if n])
        old_ids = [a.id for a in old_atoms if a.id not in keep]
        if not old_ids:
            return set()
        pairs = {(s, t) for _, s, t in self.repo.edge_targets_from(old_ids) if t is not None}
        if deleted:
            self._into_deleted = self.repo.edges_to([a.id for a in deleted])
            pairs.update((e.source_id, e.target_id) for _, e in self._into_deleted)
        self.repo.delete_edges_from(old_ids)
        return pairs

    def relink(self, old_pairs: set[tuple[str, str]], new_atoms: list[Atom], diff: AtomDiff,
               before: tuple[set[str], dict | None], *, others: bool = True) -> EdgeDiff:
        """Write the edges of the changed files (``detach`` took the old ones away) and
        re-resolve affected edges elsewhere (``others``; a first index's chunks leave that to
        one pass at its end).

        Call after the symbol table holds the new atoms."""
        repo, symbols = self.repo, self.symbols
        before_names, before_targets = before
        moved = self._moved_bindings(before_targets, diff) if before_targets is not None else {}
        if self._hierarchy is not None:  # before anything is resolved
            self._hierarchy.restore(symbols, set(moved))
        resolver = Resolver(symbols)
        redone = atoms_of(new_atoms, self._keep)  # the others keep their calls
        new_edges = [e for a in redone for e in resolver.edges_for(a, a.calls)]
        repo.insert_edges(new_edges)
        new_pairs = _pairs(new_edges)
        added, removed = new_pairs - old_pairs, old_pairs - new_pairs
        fresh = {a.id for a in redone}

        out = EdgeDiff()
        # some atoms' calls were not resolved now (a first index's chunks leave them to its end)
        outside = others and len(symbols.atoms) > len(redone)
        names = before_names | self._names(diff) if outside else set()
        candidates = repo.edges_named(sorted(names)) if names else []
        if outside and self._markers_moved:  # modules renamed: every call elsewhere, again
            candidates = repo.edges_from(sorted(set(symbols.atoms) - fresh))
        elif outside and self._returns_changed:  # every call of the atoms that call them
            callers = {e.source_id for _, e in repo.edges_named(sorted(self._returns_changed))}
            candidates += repo.edges_from(sorted(callers))
        if moved:
            candidates += self._edges_through_moved_imports(moved, fresh)
        if outside:
            candidates += self._edges_through_globals(diff)
            candidates += self._into_deleted  # (``cls()``, ``obj()``: not by the target's name)
        # atoms whose calls follow a value the batch changed: every call of theirs again
        values = self._values if outside else None
        typed = values.targets if values is not None else set()
        reaching = values.seeds(symbols, repo, self._into_deleted, new_edges) if values is not None else set()
        if candidates or reaching:
            updates: dict[int, tuple[str | None, str, int, str | None]] = {}
            sources: set[str] = set()
            looked: set[int] = set()

            def look(edges: list[tuple[int, Edge]]) -> None:
                for edge_id, e in edges:
                    if edge_id in looked:
                        continue
                    looked.add(edge_id)
                    caller = symbols.get(e.source_id)
                    if caller is None or caller.id in fresh:
                        continue
                    now = resolver.resolve(caller, e.callee, e.short_name)
                    if now[1] in typed:
                        reaching.add(caller.id)
                    if now != (e.resolution, e.target_id, e.candidates, e.detail):
                        updates[edge_id] = (now[1], now[0], now[2], now[3])
                        if now[1] != e.target_id:  # (most only count their candidates anew)
                            sources.add(e.source_id)

            look(candidates)
            if not self._markers_moved:
                FollowedValues.follow(symbols, repo, reaching, fresh, look)
            if updates:
                current = repo.edge_targets_from(sorted(sources)) if sources else []
                before = {(s, t) for _, s, t in current if t is not None}
                rerouted = ((s, updates[i][0] if i in updates else t) for i, s, t in current)
                after = {pair for pair in rerouted if pair[1] is not None}
                repo.update_edge_targets((i, t, r, c, d) for i, (t, r, c, d) in updates.items())
                added |= after - before
                removed |= before - after
                out.rerouted = len(updates)
        out.added, out.removed = sorted(added - removed), sorted(removed - added)
        return out

    def resolve_all(self, atoms: list[Atom]) -> list[Edge]:
        """Resolve and insert the calls of ``atoms`` (the edges table holds none of theirs)."""
        resolver = Resolver(self.symbols)
        edges = [e for a in atoms for e in resolver.edges_for(a, a.calls)]
        self.repo.insert_edges(edges)
        return edges

    # -- imports whose target moved --------------------------------------------------------------
    def _import_targets(self, paths: Iterable[str] | None = None) -> dict[tuple[str, str], tuple]:
        """(importing file, bound name) -> what the binding names now, for the files ``paths``
        (None: all). A file that appears or vanishes can turn an import external or internal
        (``from pkg import c``)."""
        resolver = Resolver(self.symbols)
        stems = self._moved_stems
        out: dict[tuple[str, str], tuple] = {}
        modules = self.symbols.modules
        for path in self.symbols.importers_of(stems) if paths is None else paths:
            module = modules.get(path)
            if module is None:
                continue
            for imp in module.imports:
                # Only bindings that can name one of the files (by their stem) can have moved.
                if imp.name != "*" and (imp.name in stems or not stems.isdisjoint(spec_words(imp.module))):
                    # where it points, and whether its module is the repository's (an import
                    # that finds nothing is external only when the module is not ours)
                    out[(path, imp.local)] = (_target_key(resolver.reference(module, imp.local)),
                                              resolver.is_repository_module(path, imp.module))
        return out

    def _moved_bindings(self, before: dict, diff: AtomDiff) -> dict[str, set[str]]:
        """File -> the names it imports that point elsewhere than before the batch. Only the
        files that had such imports before, and the batch's own modules, can have them now."""
        batch = {a.file_path for a in diff.created + [u.new for u in diff.updated] if a.kind == "module"}
        after = self._import_targets({path for path, _ in before} | batch)
        moved: dict[str, set[str]] = {}
        for key in set(before) | set(after):
            if before.get(key) != after.get(key):
                moved.setdefault(key[0], set()).add(key[1])
        return moved

    def _edges_through_moved_imports(self, moved: dict[str, set[str]], fresh: set[str]) -> list[tuple[int, Edge]]:
        # Every call of those files: a moved binding can change what a call's name means, and
        # what the types of its receivers are (``x: Base`` with Base imported).
        ids = [i for path in moved for i in self.symbols.by_file.get(path, ()) if i not in fresh]
        return self.repo.edges_from(ids) if ids else []

    def _edges_through_globals(self, diff: AtomDiff) -> list[tuple[int, Edge]]:
        """The calls that may go through a module-level name whose binding changed (``router =
        ConnectionRouter()``): every call of the files that import it by name (under any
        alias), and every call that mentions it (``signals.m2m_changed.send``)."""
        names = _globals_changed(diff)
        if not names:
            return []
        files = {path for path, module in self.symbols.modules.items()
                 if any(imp.name in names or imp.local in names for imp in module.imports)}
        ids = sorted(i for path in files for i in self.symbols.by_file.get(path, ()))
        return (self.repo.edges_from(ids) if ids else []) + self.repo.edges_mentioning(sorted(names))

    # -- which names ------------------------------------------------------------------------
    def _names(self, diff: AtomDiff) -> set[str]:
        names: set[str] = set()
        classes: set[str] = set()
        for atom in diff.created + diff.deleted:
            if atom.kind != "module":
                names.add(atom.name)
            if atom.kind == "class":
                classes.add(atom.name)
            if atom.kind == "module":
                names |= _import_names(atom, self.symbols)
        for u in diff.updated:
            if any(f in u.changed for f in _IDENTITY_FIELDS):
                names.update((u.old.name, u.new.name))
            elif "line" in u.changed and len(self.symbols.by_qualified.get(
                    (u.new.file_path, u.new.qualified_name), ())) > 1:
                names.add(u.new.name)  # of two definitions of a name, the last one wins
            if reshapes_class(u):
                classes.update((u.old.name, u.new.name))
            if "imports" in u.changed:
                names |= _import_names(u.old, self.symbols) | _import_names(u.new, self.symbols)
            if retypes_attributes(u):
                owner = attribute_owner(u.new)
                if owner:
                    classes.add(owner)
                classes |= _type_names(attribute_types(u.old)) | _type_names(attribute_types(u.new))
        if classes:
            names |= self._hierarchy_member_names(classes)
        return names

    def _hierarchy_member_names(self, class_names: Iterable[str]) -> set[str]:
        """Member names of the classes with these names and of all their ancestors."""
        resolver = Resolver(self.symbols)
        symbols = self.symbols
        todo = [symbols.atoms[i] for n in class_names for i in symbols.named(n)
                if symbols.atoms[i].kind == "class"]
        seen: set[str] = set()
        names: set[str] = set()
        while todo and len(seen) < 512:
            cls = todo.pop()
            if cls.id in seen:
                continue
            seen.add(cls.id)
            names.update(m.name for m in _members(symbols, cls))
            todo.extend(resolver.bases(cls))
        return names


def _is_package_marker(path: str) -> bool:
    return path.rpartition("/")[2] == "__init__.py"


def _type_names(types: dict[str, str]) -> set[str]:
    """The class names a set of bindings mentions (``T:pkg.Foo`` / ``C:Foo`` -> ``Foo``)."""
    return {b[2:].rpartition(".")[2] for b in types.values() if b[:2] in ("T:", "C:")}


def _globals_changed(diff: AtomDiff) -> set[str]:
    """Module-level names whose binding appeared, vanished or changed."""
    def bindings(atom: Atom) -> dict[str, str]:
        return dict((atom.extra or {}).get("types") or {}) if atom.kind == "module" else {}

    def known(found: dict[str, str]) -> dict[str, str]:  # "?" says no more than no binding
        return {n: b for n, b in found.items() if b != "?"}

    out: set[str] = set()
    for atom in diff.created + diff.deleted:
        out |= set(known(bindings(atom)))
    for u in diff.updated:
        old, new = known(bindings(u.old)), known(bindings(u.new))
        out |= {n for n in old.keys() | new.keys() if old.get(n) != new.get(n)}
    return out


def _returns_changed(diff: AtomDiff) -> set[str]:
    """Names under which the callers of a JS constructor whose return type, or the types it
    declares for the functions it takes, appeared, vanished or changed are found: a constructor
    is called by its class's name. The callers of other functions are those whose calls reach
    them (``FollowedValues``), not every caller of their name (a new method ``items`` sent back
    some 400 calls of Django)."""
    def names(atom: Atom) -> set[str]:
        return {atom.name, atom.owner} if atom.name == "constructor" and atom.owner else {atom.name}

    out: set[str] = set()
    for atom in diff.created + diff.deleted:
        if atom.name == "constructor" and typing_of(atom) != (None, None):
            out |= names(atom)
    for u in diff.updated:
        if "constructor" in (u.old.name, u.new.name) and typing_of(u.old) != typing_of(u.new):
            out |= names(u.old) | names(u.new)
    return out


def _module_stem(path: str) -> str:
    """``pkg/c.py`` -> ``c``; ``pkg/__init__.py`` and ``lib/index.js`` -> ``pkg``/``lib``."""
    folder, _, name = path.rpartition("/")
    stem = name.rsplit(".", 1)[0]
    return folder.rpartition("/")[2] if stem in ("__init__", "index") and folder else stem


def _target_key(ref) -> tuple:
    if ref is None:
        return ("none",)
    kind, value = ref
    return (kind, value.id if isinstance(value, SymbolInfo) else value)


def _members(symbols: SymbolTable, cls: SymbolInfo) -> list[SymbolInfo]:
    return [symbols.atoms[i] for i in symbols.by_file.get(cls.file_path, ())
            if symbols.atoms[i].parent_id == cls.id]


def _import_names(module: Atom, symbols: SymbolTable) -> set[str]:
    """Names an import statement makes visible (and, for star imports, what they pull in)."""
    names: set[str] = set()
    for imp in module.imports:
        if imp.name == "*":
            target = symbols.module_file(module.file_path, imp.module)
            if target is not None:
                names.update(symbols.atoms[i].name for i in symbols.by_file.get(target, ()))
        else:
            names.add(imp.local)
            if imp.name:
                names.add(imp.name)
    return names


def _pairs(edges: Iterable[Edge]) -> set[tuple[str, str]]:
    return {(e.source_id, e.target_id) for e in edges if e.target_id is not None}
