"""Types and paths as the code writes them, read into the dotted names resolution follows:
``Optional[Foo]`` -> ``Foo``, Go's ``*Foo, error`` -> ``Foo``, Rust's ``Vec::<u8>::new`` ->
``Vec.new`` and the names a Rust ``use`` tree binds. Text in, text out: no tree-sitter here.
"""

from __future__ import annotations

import re

from ..model import Import

UNKNOWN = "?"
_MAX = 160
_OPTIONAL = re.compile(r"^(?:[A-Za-z_][\w]*\.)?Optional\[(.*)\]$", re.S)  # typing.Optional, t.Optional
_UNION_NONE = re.compile(r"^(?:[A-Za-z_][\w]*\.)?Union\[(.*?)\s*,\s*None\s*\]$|"
                         r"^(?:[A-Za-z_][\w]*\.)?Union\[\s*None\s*,\s*(.*)\]$", re.S)
_NONE_UNION = re.compile(r"^(.*?)\s*\|\s*(?:None|null|undefined)$|^(?:None|null|undefined)\s*\|\s*(.*)$", re.S)
_GENERIC = re.compile(r"^([\w.$]+)\s*[\[<]", re.S)
_DOTTED = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
_POINTER = re.compile(r"^(?:\*\s*|&\s*(?:'\w+\s+)?(?:mut\s+)?)+")  # Go *T, Rust &'a mut T
_DEREF = re.compile(r"^(?:Box|Rc|Arc)\s*<(.*)>$", re.S)  # Rust's smart pointers call through
_GO_VERSION = re.compile(r"^v\d+$")
_GO_VERSION_SUFFIX = re.compile(r"\.v\d+$")


def _first_result(results: str) -> str:
    """``*Foo, error`` -> ``*Foo``; ``f *Foo, err error`` -> ``*Foo`` (a named result)."""
    depth = 0
    for i, ch in enumerate(results):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            results = results[:i]
            break
    first = results.strip()
    name, _, rest = first.partition(" ")
    return rest.strip() if rest and name.isidentifier() else first


def go_package_name(path: str) -> str:
    """The name a Go import binds when it has no alias: the package clause of the imported
    package, by convention the path's last element (``gopkg.in/yaml.v3`` -> ``yaml``,
    ``example.com/x/v2`` -> ``x``, ``github.com/mattn/go-isatty`` -> ``isatty``)."""
    parts = path.strip("/").split("/")
    last = parts[-1]
    if _GO_VERSION.match(last) and len(parts) > 1:
        last = parts[-2]
    last = _GO_VERSION_SUFFIX.sub("", last)
    if last.startswith("go-"):
        last = last[3:]
    if last.endswith("-go") or last.endswith(".go"):
        last = last[:-3]
    return last.replace("-", "_").replace(".", "_") or path

def declared_type(text: str) -> str:
    """The class a declared type names, as text: ``"Foo"`` -> ``Foo``, ``Optional[Foo]`` ->
    ``Foo``, ``Foo | None`` -> ``Foo``, ``list[Foo]`` -> ``list``, Go's ``*Foo`` -> ``Foo`` and
    ``(*Foo, error)`` -> ``Foo`` (the first result); ``?`` for anything else (a union of several
    types, a literal, a slice)."""
    t = text.strip().removeprefix(":").strip()  # a TypeScript annotation keeps its colon
    if t.startswith("(") and t.endswith(")") and "=>" not in t:  # Go results: the first one
        t = _first_result(t[1:-1])
    t = _POINTER.sub("", t)
    if "::" in t:  # Rust: fmt::Formatter<'_> reads as fmt.Formatter
        t = rust_path(t)
    m = _DEREF.match(t)
    if m:
        t = _POINTER.sub("", m.group(1).strip())
    for _ in range(4):  # "Optional['Foo']" peels in a few steps
        if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
            t = t[1:-1].strip()
            continue
        m = _OPTIONAL.match(t)
        if m:
            t = m.group(1).strip()
            continue
        m = _NONE_UNION.match(t) or _UNION_NONE.match(t)
        if m:
            t = (m.group(1) or m.group(2) or "").strip()
            continue
        break
    m = _GENERIC.match(t)
    angled = m is not None and t[m.end() - 1] == "<"  # Java's List<T>, Rust's Vec<T>: not typing's
    if m:
        if m.group(1).rpartition(".")[2] in ("Type", "type"):  # Type[Foo]: the class itself
            inner = declared_type(t[m.end():].rstrip("]>").strip())
            return f"type[{inner}]" if inner != UNKNOWN and "[" not in inner else "type"
        t = m.group(1)
    last = t.rpartition(".")[2]
    if not angled and last in _TYPING_BUILTINS and t in (last, f"typing.{last}", f"t.{last}"):
        return _TYPING_BUILTINS[last]
    if last in _NOT_ONE_CLASS:  # Union[A, B], Callable[...], Any, a protocol: no one class
        return UNKNOWN
    return t if _DOTTED.match(t) and len(t) <= _MAX else UNKNOWN


#: typing's names for builtin containers.
_TYPING_BUILTINS = {"List": "list", "Dict": "dict", "Set": "set", "Tuple": "tuple",
                    "FrozenSet": "frozenset", "Type": "type", "Text": "str"}
_NOT_ONE_CLASS = frozenset("""Union Callable Any TypeVar Literal Annotated Protocol Sequence Mapping
    MutableMapping MutableSequence Iterable Iterator Generator AsyncIterator AsyncIterable
    Awaitable Coroutine Collection Container Hashable Sized Reversible ClassVar Final
    Never NoReturn object unknown any never""".split())


_TURBOFISH = re.compile(r"::\s*<[^()]*?>")


def rust_path(text: str) -> str:
    """A Rust path in the dotted form resolution reads: ``Vec::<u8>::new`` -> ``Vec.new``."""
    return _TURBOFISH.sub("", text).replace("::", ".").replace(" ", "")


def rust_uses(tree: str) -> list[Import]:
    """The names a ``use`` tree binds: ``a::b::{C, d::E as F, g::*}`` -> C of a::b, F (E of
    a::b::d), a star of a::b::g. ``self`` in a list binds its module; ``as _`` binds nothing."""
    out: list[Import] = []
    clean = _USE_SPACES.sub(r"\1", _WS_RUNS.sub(" ", _USE_COMMENTS.sub(" ", tree)).strip())
    todo = [([], clean)]
    while todo and len(out) < 1000:
        prefix, text = todo.pop()
        if text.endswith("}") and "{" in text:
            head, _, inner = text.partition("{")
            base = prefix + [p for p in head.split("::") if p]
            todo.extend((base, part) for part in reversed(_top_level_parts(inner[:-1])))
            continue
        path, _, alias = text.partition(" as ")
        parts = prefix + [p for p in path.split("::") if p]
        if not parts or alias == "_":
            continue
        if parts[-1] == "*":
            out.append(Import("*", "::".join(parts[:-1]), "*"))
            continue
        if parts[-1] == "self":
            parts = parts[:-1]
            if not parts:
                continue
        name = parts[-1]
        module = "::".join(parts[:-1])
        out.append(Import(alias or name, module, name) if module else Import(alias or name, name, None))
    return out


_USE_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_WS_RUNS = re.compile(r"\s+")
_USE_SPACES = re.compile(r"\s*(::|[{},])\s*")


def _top_level_parts(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p]
