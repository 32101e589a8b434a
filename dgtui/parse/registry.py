"""The languages dgtui reads: file extension -> grammar + query files.

Adding a language is one ``LanguageSpec`` line here and its ``.scm`` file in ``dgtui/parse/queries``
(plus, for what its calls mean, its rules in ``dgtui/graph``). Grammars and compiled queries are
loaded lazily, once per process: parse workers build their own (tree-sitter parsers and nodes do
not pickle). A grammar whose package is not installed is no crash: ``GrammarMissing`` is raised and
the file is skipped with that reason (``parse/files.py``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    extensions: tuple[str, ...]
    grammar: str  # "module:function" returning the tree-sitter language pointer
    queries: tuple[str, ...]  # .scm files in dgtui/parse/queries, concatenated in order
    module_style: str  # how imports name files: "python" (dotted) or "ecma" (relative paths)
    self_names: tuple[str, ...]  # receivers that mean "this object": self, cls / this
    public_by_default: bool = False  # Python: public top-level names are exported
    docs_from_comments: bool = True  # take a leading comment as the docstring
    excluded_suffixes: tuple[str, ...] = ()
    exported_by: str = ""  # "capital" (Go: Name), "public" (Java's modifier), "pub" (Rust's)
    package: str = ""  # the distribution that ships the grammar (named when it is missing)
    #: Syntax-highlight queries the grammar packages ship ("package:file", concatenated in
    #: order) for a language the explorer's TextArea does not highlight on its own.
    highlights: tuple[str, ...] = ()


#: TypeScript's highlight query extends JavaScript's (tree-sitter-typescript says so).
_TS_HIGHLIGHTS = ("tree_sitter_javascript:queries/highlights.scm",
                  "tree_sitter_typescript:queries/highlights.scm")

LANGUAGES: tuple[LanguageSpec, ...] = (
    LanguageSpec("python", (".py",), "tree_sitter_python:language", ("python.scm",), "python",
                 ("self", "cls", "super"), public_by_default=True, docs_from_comments=False),
    LanguageSpec("javascript", (".js", ".mjs", ".cjs", ".jsx"), "tree_sitter_javascript:language",
                 ("ecma.scm", "javascript.scm"), "ecma", ("this", "super")),
    LanguageSpec("typescript", (".ts",), "tree_sitter_typescript:language_typescript",
                 ("ecma.scm", "typescript.scm"), "ecma", ("this", "super"),
                 excluded_suffixes=(".d.ts",), highlights=_TS_HIGHLIGHTS),
    LanguageSpec("tsx", (".tsx",), "tree_sitter_typescript:language_tsx",
                 ("ecma.scm", "typescript.scm"), "ecma", ("this", "super"),
                 highlights=_TS_HIGHLIGHTS + ("tree_sitter_javascript:queries/highlights-jsx.scm",)),
    LanguageSpec("go", (".go",), "tree_sitter_go:language", ("go.scm",), "go", (),
                 exported_by="capital", package="tree-sitter-go",
                 highlights=("tree_sitter_go:queries/highlights.scm",)),
    LanguageSpec("java", (".java",), "tree_sitter_java:language", ("java.scm",), "java",
                 ("this", "super"), exported_by="public", package="tree-sitter-java",
                 highlights=("tree_sitter_java:queries/highlights.scm",)),
    LanguageSpec("rust", (".rs",), "tree_sitter_rust:language", ("rust.scm",), "rust",
                 ("self", "Self"), exported_by="pub", package="tree-sitter-rust",
                 highlights=("tree_sitter_rust:queries/highlights.scm",)),
)

_BY_EXTENSION = {ext: spec for spec in LANGUAGES for ext in spec.extensions}
_BY_NAME = {spec.name: spec for spec in LANGUAGES}


def language_for(path: str) -> LanguageSpec | None:
    """The language of a file name, or None when dgtui does not index it."""
    dot = path.rfind(".")
    if dot < 0:
        return None
    spec = _BY_EXTENSION.get(path[dot:].lower())
    if spec is None or (spec.excluded_suffixes and path.lower().endswith(spec.excluded_suffixes)):
        return None
    return spec


def spec_named(name: str) -> LanguageSpec:
    return _BY_NAME[name]


def indexed_extensions() -> tuple[str, ...]:
    return tuple(_BY_EXTENSION)


@dataclass
class LoadedLanguage:
    """A language's grammar, a parser and its compiled query, ready to extract."""

    spec: LanguageSpec
    language: Any
    parser: Any
    query: Any
    capture_kinds: dict[str, str]
    roles: dict[int, str] = field(default_factory=dict)  # pattern index -> role, filled lazily


class GrammarMissing(Exception):
    """A language's grammar package is not installed (or does not load): its files are skipped."""


_missing: dict[str, str] = {}  # language -> why its grammar does not load (asked once a process)


@cache
def grammar(name: str) -> Any:
    """The tree-sitter ``Language`` of a language dgtui reads."""
    import tree_sitter as ts

    module_name, func_name = _BY_NAME[name].grammar.split(":")
    return ts.Language(getattr(importlib.import_module(module_name), func_name)())


@cache
def highlight_query(name: str) -> str:
    """The syntax-highlight query of ``name`` from its ``highlights`` files ("" when it has none,
    or a grammar package does not ship one)."""
    from importlib import resources

    spec = _BY_NAME.get(name)
    parts = []
    for ref in spec.highlights if spec is not None else ():
        package, path = ref.split(":")
        try:
            parts.append(resources.files(package).joinpath(path).read_text(encoding="utf-8"))
        except (OSError, ModuleNotFoundError):
            return ""
    return "\n".join(parts)


def load(name: str) -> LoadedLanguage:
    if name in _missing:
        raise GrammarMissing(_missing[name])
    try:
        return _load(name)
    except GrammarMissing as exc:
        _missing[name] = str(exc)
        raise


@cache
def _load(name: str) -> LoadedLanguage:
    from importlib import resources

    import tree_sitter as ts

    spec = _BY_NAME[name]
    try:
        language = grammar(name)
    except (ImportError, AttributeError, ValueError, OSError) as exc:  # not installed, or an ABI
        package = spec.package or spec.grammar.split(":")[0].replace("_", "-")  # tree-sitter cannot read
        raise GrammarMissing(f"the {spec.name} grammar ({package}) does not load: {exc}") from None
    text = "\n".join(
        resources.files("dgtui.parse.queries").joinpath(f).read_text(encoding="utf-8") for f in spec.queries
    )
    query = ts.Query(language, text)
    kinds = {}
    for i in range(query.capture_count):
        cap = query.capture_name(i)
        if cap.startswith("definition."):
            kinds[cap] = cap.split(".", 1)[1]
    return LoadedLanguage(spec, language, ts.Parser(language), query, kinds)
