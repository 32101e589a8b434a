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


def overrides_of(resolver, member: SymbolInfo) -> list[str]:
    """Ids of the methods that override ``member`` in subclasses of its class, nearest first."""
    symbols = resolver.symbols
    cls = symbols.in_file(member.file_path, member.owner) if member.owner else None
    if cls is None or cls.kind != "class":
        return []
    found: list[str] = []
    seen = {cls.id}
    level = [cls]
    while level and len(found) < MAX_OVERRIDES:
        below = []
        for klass in level:
            names = [klass.name, *symbols.import_aliases.get(klass.name, ())]
            for sub_id in sorted({i for n in names for i in symbols.by_base_name.get(n, ())}):
                sub = symbols.atoms.get(sub_id)
                if sub is None or sub.id in seen or klass.id not in {b.id for b in resolver.bases(sub)}:
                    continue
                seen.add(sub.id)
                below.append(sub)
                own = symbols.in_file(sub.file_path, f"{sub.qualified_name}.{member.name}")
                if own is not None and own.kind not in ("class", "module") and len(found) < MAX_OVERRIDES:
                    found.append(own.id)
        level = below
    return found
