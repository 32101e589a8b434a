"""Java's rules for the resolver (mixed into ``Resolver``, as ``types.py`` is).

What differs from Python: a bare ``name(...)`` is a method of the class around the call (or of a
class around that, or inherited), a statically imported method, or nothing; ``super(...)`` and
``this(...)`` call constructors; a call that reaches a class calls its constructor; and a name
declared more than once in a class (overloads) is no single target: the call is ``ambiguous``,
its candidates kept, since which overload runs depends on argument types dgtui does not read.
"""

from __future__ import annotations

from ..model import SymbolInfo

#: java.lang, imported by every file, and the types the language itself names.
JAVA_LANG = frozenset("""
    Object String StringBuilder StringBuffer CharSequence Integer Long Short Byte Double Float
    Boolean Character Number Math StrictMath System Runtime Thread ThreadLocal Class ClassLoader
    Enum Record Iterable Comparable Runnable AutoCloseable Cloneable Process ProcessBuilder Void
    Throwable Exception RuntimeException Error AssertionError IllegalArgumentException
    IllegalStateException NullPointerException UnsupportedOperationException
    IndexOutOfBoundsException ArrayIndexOutOfBoundsException ClassCastException
    ArithmeticException NumberFormatException InterruptedException CloneNotSupportedException
    SecurityException StackOverflowError OutOfMemoryError Override Deprecated SuppressWarnings
    FunctionalInterface SafeVarargs
""".split())
JAVA_TYPES = JAVA_LANG | frozenset("boolean byte char short int long float double void var".split())
#: What every class inherits from Object, and the names java.lang makes callable.
JAVA_BUILTINS = JAVA_LANG | frozenset("""
    getClass hashCode equals toString clone finalize notify notifyAll wait
""".split())

Resolution = tuple[str, str | None, int, str | None]


class JavaRules:
    """Mixed into ``Resolver``: uses its symbol table, members, bases and references."""

    def _java_bare(self, caller: SymbolInfo, name: str) -> Resolution | None:
        """``name(...)`` with no receiver: a method of the enclosing classes, innermost first
        (inherited ones included); past a class with a base from outside the repository, a
        method found further out may be shadowed by an inherited one: ambiguous."""
        symbols, path = self.symbols, caller.file_path
        owner = caller.owner
        shadowed = False
        while owner:
            cls = symbols.in_file(path, owner)
            if cls is not None and cls.kind == "class":
                hit = self._member(cls, name, 0)
                if hit is not None:
                    return ("ambiguous", None, 1, None) if shadowed else ("self", hit.id, 0, None)
                shadowed = shadowed or self._external_base(cls)
            owner = owner.rpartition(".")[0]
        return ("external", None, 0, None) if shadowed else None

    def _java_super_constructor(self, caller: SymbolInfo) -> Resolution:
        """``super(...)``: the constructor of the class's base class."""
        owner = self._owner_class(caller)
        if owner is not None:
            for base in self.bases(owner):
                if base.kind == "class":
                    return ("self", base.id, 0, None)  # made a constructor by _java_target
            if self._external_base(owner):
                return ("external", None, 0, None)
        return ("builtin", None, 0, None)  # Object()

    def _java_target(self, found: Resolution) -> Resolution:
        """A class reached by a call is its constructor; an overloaded name, ambiguous."""
        symbols = self.symbols
        target = symbols.get(found[1]) if found[1] else None
        if target is None:
            return found
        if target.kind == "class":
            ctors = [i for i in symbols.by_qualified.get(
                (target.file_path, f"{target.qualified_name}.{target.name}"), ())
                if symbols.atoms[i].kind == "method"]
            if len(ctors) == 1:
                return (found[0], ctors[0], 0, None)
            return ("ambiguous", None, len(ctors), None) if ctors else found
        same = symbols.by_qualified.get((target.file_path, target.qualified_name), ())
        return ("ambiguous", None, len(same), None) if len(same) > 1 else found
