"""Where a method call may dispatch besides its declared target: the overrides of that method
in the subclasses of its class, across files.

``x: Base`` then ``x.save()`` goes to ``Base.save``; a ``Child(Base)`` that defines its own
``save`` may be what runs. The edge keeps ``Base.save`` as its target (what the code states) and
lists the overrides beside it. Subclasses are found through the written names of their bases
(``SymbolTable.by_base_name``, under the class's name or a name it is imported as) and kept only
when the base resolves to the class itself: no subclass by name alone.
"""

from __future__ import annotations

from ..model import SymbolInfo

#: Enough for any real hierarchy; a pathological one lists this many and stops.
MAX_OVERRIDES = 50
#: How far down a hierarchy the search for overrides looks (a chain of classes would otherwise
#: keep every class's descendants: quadratic).
MAX_DESCENDANTS = 10_000


def overrides_of(resolver, member: SymbolInfo) -> list[str]:
    """Ids of the methods that override ``member`` in subclasses of its class, nearest first."""
    symbols = resolver.symbols
    cls = symbols.in_file(member.file_path, member.owner) if member.owner else None
    if cls is None or cls.kind != "class":
        return []
    descendants = _descendants(resolver, cls)
    named = symbols.named(member.name)
    if len(named) < len(descendants) and member.name.isidentifier():
        return _overrides_named(resolver, cls, descendants, named, member.name)
    found: list[str] = []
    atoms, suffix = symbols.atoms, "." + member.name
    for sub_id in descendants:
        sub = atoms[sub_id]
        own = symbols.in_file(sub.file_path, sub.qualified_name + suffix)
        if own is not None and own.kind not in ("class", "module"):
            found.append(own.id)
            if len(found) == MAX_OVERRIDES:
                break
    return found


def _overrides_named(resolver, cls: SymbolInfo, descendants: list[str], named: set[str],
                     name: str) -> list[str]:
    """``overrides_of`` from the other side, the same answer: the definitions named ``name``
    whose class is among ``descendants``, in the order of the classes. Taken when there are
    fewer of them than subclasses (a ``Model`` has thousands, most calls name a few methods).
    Exact for an identifier: every atom defined as ``Sub.name`` has the short name ``name``
    (a test's name is ``test(...)``, a module's ``<module>``), so the two ways meet the same."""
    symbols = resolver.symbols
    places = resolver._subclass_places.get(cls.id)
    if places is None or places[0] is not descendants:
        at: dict[tuple[str, str], list[int]] = {}
        atoms = symbols.atoms
        for rank, sub_id in enumerate(descendants):
            sub = atoms[sub_id]
            at.setdefault((sub.file_path, sub.qualified_name), []).append(rank)
        places = resolver._subclass_places[cls.id] = (descendants, at)
    at = places[1]
    atoms, suffix, cut = symbols.atoms, "." + name, -len(name) - 1
    hits: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    for atom_id in named:
        atom = atoms[atom_id]
        qualified = atom.qualified_name
        if not qualified.endswith(suffix):
            continue
        key = (atom.file_path, qualified[:cut])
        ranks = at.get(key)
        if ranks is None or key in seen:
            continue
        seen.add(key)
        own = symbols.in_file(atom.file_path, qualified)  # the last definition wins, as below
        if own is not None and own.kind not in ("class", "module"):
            hits += [(rank, own.id) for rank in ranks]
    hits.sort()
    return [own_id for _, own_id in hits[:MAX_OVERRIDES]]


def _descendants(resolver, cls: SymbolInfo) -> list[str]:
    """The subclasses of ``cls`` at every depth, nearest first, each once: found once per class
    (every method of a class with a hundred subclasses asks), kept until a class or an import
    changes (``SymbolTable.descendants``)."""
    symbols = resolver.symbols
    out = symbols.descendants.get(cls.id)
    if out is None:
        out, seen, level = [], {cls.id}, [cls]
        while level and len(out) < MAX_DESCENDANTS:
            below = []
            for klass in level:
                for sub in direct_subclasses(resolver, klass):
                    if sub.id not in seen:
                        seen.add(sub.id)
                        below.append(sub)
                        out.append(sub.id)
            level = below
        symbols.descendants[cls.id] = out
    return out


def direct_subclasses(resolver, cls: SymbolInfo) -> list[SymbolInfo]:
    """The classes whose bases resolve to ``cls``."""
    symbols = resolver.symbols
    found: list[SymbolInfo] = []
    for name in [cls.name, *symbols.import_aliases.get(cls.name, ())]:
        found += [sub for i in _subclasses_written_as(resolver, name).get(cls.id, ())
                  if (sub := symbols.atoms.get(i)) is not None]
    return found


def _subclasses_written_as(resolver, name: str) -> dict[str, list[str]]:
    """class id -> the ids of its subclasses, for the classes that write a base named ``name``:
    each such class's bases resolved once (a thousand ``class Migration(migrations.Migration)``
    are read once, not once per class named Migration), and kept in the symbol table from one
    save to the next until a class or an import changes (``SymbolTable.subclasses``)."""
    symbols = resolver.symbols
    found = symbols.subclasses.get(name)
    if found is None:
        found = {}
        for sub_id in sorted(symbols.by_base_name.get(name, ())):
            sub = symbols.atoms.get(sub_id)
            if sub is not None:
                for base in resolver.bases(sub):
                    found.setdefault(base.id, []).append(sub_id)
        symbols.subclasses[name] = found
    return found
