"""The calls elsewhere that a batch can change through the values they follow.

The resolver follows a call's receiver through what the code says of it: ``y = make()`` is
what ``make`` returns, ``self.power`` what the class or one of its bases assigns, a test's
parameter the fixture of its name. A batch that changes one of those changes the meaning of
calls that do not name it, so the linker finds them here rather than by the name of what
changed (which missed them, and sent back every caller of a name like ``items``):

- the atoms whose calls reach a class, or a function with a known return type, that appeared,
  vanished or whose return type changed; then, as deep as the resolver follows values, the
  atoms that call one of those returning what its calls give (``return shapes.make()``), and
  the functions nested in each (closures, a module's functions: they read its bindings);
- the tests whose parameter a typed fixture that came or went fills, and the atoms that write a
  type with the name of a class that came or went;
- the classes whose hierarchy or attributes changed, and their subclasses at any depth.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..graph.atom_diff import AtomDiff, Update
from ..graph.symbols import SymbolTable
from ..graph.types import MAX_TYPE_DEPTH, in_tests
from ..model import Atom, Edge, SymbolInfo, is_fixture
from ..store.atoms import AtomRepository

Look = Callable[[list[tuple[int, Edge]]], None]
_WORD = re.compile(r"\w+")


class FollowedValues:
    """What a batch changed of the values calls follow, seen before the symbol table takes it."""

    def __init__(self, diff: AtomDiff):
        typed = [a for a in diff.created + diff.deleted  # (calling a class gives an instance)
                 if (a.kind == "class" or typing_of(a) != (None, None)) and a.name != "constructor"]
        retyped = [u.new for u in diff.updated if u.new.name != "constructor" and (
            typing_of(u.old) != typing_of(u.new) or _class_kind_changed(u))]
        typed += retyped
        #: classes and functions with a known return type that came, went or were retyped
        self.targets = {a.id for a in typed}
        self.retyped = {a.id for a in retyped}
        #: (folder, name) of the pytest fixtures among them
        self.fixtures = {(a.file_path.rpartition("/")[0], a.name) for a in typed
                         if is_fixture((a.extra or {}).get("decorators"))}
        self.reshaped = classes_reshaped(diff)
        #: (file, name) of the classes that came or went: what a type written with it means
        self.classes = {(a.file_path, a.name) for a in diff.created + diff.deleted if a.kind == "class"}

    def seeds(self, symbols: SymbolTable, repo: AtomRepository, into_deleted: list[tuple[int, Edge]],
              new_edges: list[Edge]) -> set[str]:
        """The atoms known before any call elsewhere is resolved again: those whose calls went
        into a target that vanished, reach a retyped one, or (the batch's own) reach a new one;
        the tests a fixture fills; the classes whose hierarchy or attributes changed."""
        targets = self.targets
        out = {e.source_id for _, e in into_deleted if e.target_id in targets}
        out.update(e.source_id for e in new_edges if e.target_id in targets)
        if self.retyped:
            out.update(e.source_id for _, e in repo.edges_to(sorted(self.retyped)))
        return (out | fixture_users(symbols, self.fixtures) | classes_named(symbols, self.reshaped)
                | typed_with(symbols, self.classes))

    @staticmethod
    def follow(symbols: SymbolTable, repo: AtomRepository, reaching: set[str], fresh: set[str],
               look: Look) -> None:
        """Resolve again (``look``) every call of the atoms in ``reaching``, which ``look`` may
        add to; and of those that call one returning what its calls give, and so on."""
        done: set[str] = set()
        for _ in range(MAX_TYPE_DEPTH):
            level = reaching - done
            if not level:
                return
            level |= nested_in(symbols, level) - done
            done |= level
            if level - fresh:
                look(repo.edges_from(sorted(level - fresh)))
            passing = [i for i in level if returns_from_calls(symbols.get(i))]
            if passing:
                reaching.update(e.source_id for _, e in repo.edges_to(passing))


def typing_of(atom: Atom) -> tuple:
    """What a function says of its return and of the functions it takes."""
    extra = atom.extra or {}
    return extra.get("returns"), extra.get("callbacks")


def returns_from_calls(info: SymbolInfo | None) -> bool:
    """Whether what ``info`` returns is read from its body (``return make()``, ``return y``)
    rather than declared: it may change with what its calls reach."""
    returns = info.returns if info is not None else None
    return isinstance(returns, str) and returns.startswith(("C:", "A:"))


def attribute_types(atom: Atom) -> dict[str, str]:
    """What an atom says of attributes other files can reach: ``self.x`` bindings of a method,
    a class body's declarations, a module's annotated globals."""
    types = (atom.extra or {}).get("types") or {}
    if atom.kind in ("class", "module"):
        return dict(types)
    return {k: v for k, v in types.items() if k.startswith("self.")}


def reshapes_class(u: Update) -> bool:
    """Whether an update changes a class's bases, or turns a class into something else or the
    reverse."""
    return "bases" in u.changed or _class_kind_changed(u)


def _class_kind_changed(u: Update) -> bool:
    return "kind" in u.changed and "class" in (u.old.kind, u.new.kind)


def retypes_attributes(u: Update) -> bool:
    """Whether an update changes the types of attributes other files can reach."""
    return "extra" in u.changed and attribute_types(u.old) != attribute_types(u.new)


def attribute_owner(atom: Atom) -> str:
    """The class whose attributes an atom's ``self.x`` bindings set (a class: its own)."""
    return atom.name if atom.kind == "class" else (atom.owner or "").rpartition(".")[2]


def classes_reshaped(diff: AtomDiff) -> set[str]:
    """Names of the classes that appeared or vanished, whose bases or kind changed, or whose
    attributes' types did (a method setting ``self.x`` that came, went or changed)."""
    out = {a.name for a in diff.created + diff.deleted if a.kind == "class"}
    for u in diff.updated:
        if reshapes_class(u):
            out.update((u.old.name, u.new.name))
    changed = [a for a in diff.created + diff.deleted if attribute_types(a)]
    changed += [u.new for u in diff.updated if retypes_attributes(u)]
    out.update(owner for atom in changed if (owner := attribute_owner(atom)))
    return out


def classes_named(symbols: SymbolTable, names: set[str]) -> set[str]:
    """The classes of ``names``, and those whose bases name one of them (under an import alias
    too) and theirs, at any depth: what they inherit may have changed."""
    out = {i for n in names for i in symbols.named(n) if symbols.atoms[i].kind == "class"}
    todo = list(names)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(symbols.import_aliases.get(name, ()))
        for i in symbols.by_base_name.get(name, ()):
            info = symbols.get(i)
            if info is not None and i not in out:
                out.add(i)
                todo.append(info.name)
    return out


def fixture_users(symbols: SymbolTable, fixtures: set[tuple[str, str]]) -> set[str]:
    """The tests under each (folder, name) fixture whose parameter of that name it fills."""
    out: set[str] = set()
    for folder, name in fixtures:
        prefix = f"{folder}/" if folder else ""
        for path in symbols.modules:
            if path.startswith(prefix) and in_tests(path):
                out.update(i for i in symbols.by_file.get(path, ())
                           if (symbols.atoms[i].types or {}).get(name) == "?")
    return out


def typed_with(symbols: SymbolTable, classes: set[tuple[str, str]]) -> set[str]:
    """The atoms that bind a name to a type written with one of these classes' names
    (``x: Child``, ``y: list[Child]``), in the class's own file or in a file importing the
    name: no call of theirs need name the class."""
    out: set[str] = set()
    for path, name in classes:
        for file in symbols.importers_of((name,)) | {path}:
            for i in symbols.by_file.get(file, ()):
                types = symbols.atoms[i].types
                if types and any(name in _WORD.findall(b) for b in types.values() if b[:2] == "T:"):
                    out.add(i)
    return out


def nested_in(symbols: SymbolTable, ids: set[str]) -> set[str]:
    """The atoms defined inside those of ``ids``, at any depth (a module: all its file's)."""
    out: set[str] = set()
    for path in {info.file_path for i in ids if (info := symbols.get(i)) is not None}:
        for i in symbols.by_file.get(path, ()):
            info = symbols.get(i)
            while info is not None and info.parent_id:
                if info.parent_id in ids:
                    out.add(i)
                    break
                info = symbols.get(info.parent_id)
    return out
