"""Classes as the resolver sees them: what ``self``/``this`` means in a function, a class's bases
in the repository, whether it inherits from outside, and the member a name reaches in a class or
its bases (Go: in any file of the package; Rust: in any impl block). Part of the resolver
(``Resolver`` mixes it in), memoized per batch in its tables.
"""

from __future__ import annotations

from ..model import SymbolInfo
from .references import MAX_DEPTH


class Classes:
    """Mixed into ``Resolver``: uses its symbol table, memo tables (``_bases``, ``_members``,
    ``_external_bases``), references and Rust's impl blocks."""

    symbols: object

    def this_owner(self, caller: SymbolInfo) -> str | None:
        """What ``self``/``this`` means in ``caller``, as a qualified name of its file. An arrow
        function keeps the ``this`` of where it is written, even when it is assigned to a member
        (``socket.onopen = () => this.reset()``, ``{ run: () => this.go() }``)."""
        scope = caller
        while scope.kind == "arrow" and scope.parent_id:
            parent = self.symbols.get(scope.parent_id)
            if parent is None or parent.kind == "module":
                return None
            scope = parent
        return scope.owner

    def _owner_class(self, caller: SymbolInfo) -> SymbolInfo | None:
        owner_name = self.this_owner(caller)
        if not owner_name:
            return None
        owner = self.symbols.in_file(caller.file_path, owner_name)
        if owner is None and caller.file_path.endswith(".rs"):
            return self._rust_owner(caller)
        return owner if owner is not None and owner.kind == "class" else None

    def bases(self, cls: SymbolInfo) -> list[SymbolInfo]:
        """The classes of the repository that ``cls`` names as its bases (memoized per batch)."""
        found = self._bases.get(cls.id)  # (what _memo does first, without making the closure)
        if found is None:
            found = self._memo(self._bases, cls.id, lambda: self._find_bases(cls))
        return found if found is not None else []

    def _external_base(self, cls: SymbolInfo) -> bool:
        """Whether ``cls`` (or a base of it in the repository) names a base imported from
        outside the repository: a member not found may be inherited from there."""
        known = self._external_bases.get(cls.id)
        if known is not None:
            return known
        cuts = self._cuts
        found = self._inherits_from_outside(cls)
        if self._cuts == cuts:  # (bases cut by a cycle depend on where the walk began)
            self._external_bases[cls.id] = found
        return found

    def _inherits_from_outside(self, cls: SymbolInfo) -> bool:
        todo, seen = [cls], set()
        while todo:
            klass = todo.pop()
            if klass.id in seen:
                continue
            seen.add(klass.id)
            if any(self._external_import(klass, text.partition(".")[0]) for text in klass.bases):
                return True
            todo.extend(self.bases(klass))
        return False

    def _find_bases(self, cls: SymbolInfo) -> list[SymbolInfo]:
        out = []
        for text in cls.bases:
            parts = text.split(".")
            ref = self._reference(cls, parts[0], 1)
            hit = ref[1] if ref and ref[0] in ("local", "import") and len(parts) == 1 else (
                self._lookup_rest(ref, parts[1:], 1) if ref and len(parts) > 1 else None)
            if hit is None and len(parts) == 1 and not self._external_import(cls, parts[0]):
                # a base named but bound nowhere in its file (a star import, a global): the
                # repository's only class of that name
                ids = [i for i in self.symbols.named(parts[0]) if self.symbols.atoms[i].kind == "class"]
                hit = self.symbols.atoms[ids[0]] if len(ids) == 1 else None
            if hit is not None and hit.kind == "class" and hit.id != cls.id:
                out.append(hit)
        return out

    def _member_in_file(self, path: str, owner: str, name: str, depth: int) -> SymbolInfo | None:
        for qualified in (f"{owner}.{name}", f"{owner}.prototype.{name}"):
            hit = self.symbols.in_file(path, qualified)
            if hit is not None:
                return hit
        go = path.endswith(".go")
        if go:  # Go: a type's methods may be in any file of its package
            hit = self.symbols.in_package(path, f"{owner}.{name}")
            if hit is not None:
                return hit
        elif path.endswith(".rs"):  # Rust: in an impl block of another file
            hit = self._rust_method(owner, name)
            if hit is not None:
                return hit
        cls = self.symbols.in_file(path, owner) or (self.symbols.in_package(path, owner) if go else None)
        if cls is not None and cls.kind == "class":
            for base in self.bases(cls):
                hit = self._member(base, name, depth + 1)
                if hit is not None:
                    return hit
        return None

    def _member(self, cls: SymbolInfo, name: str, depth: int) -> SymbolInfo | None:
        if depth > MAX_DEPTH:
            self._cuts += 1
            return None
        key, members = (cls.id, name), self._members
        if key in members:  # (what _memo does first, without making the closure)
            return members[key]
        return self._memo(members, key,
                          lambda: self._member_in_file(cls.file_path, cls.qualified_name, name, depth))
