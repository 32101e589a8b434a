"""Whole-repository scans: dead-code candidates, the most complex functions, whether tests exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import AtomFilter
from ..store import Store
from .atoms import atom_dict
from .graph import is_test

#: Kinds a dead-code candidate can be (classes and modules are not called in the same sense).
CALLABLE_KINDS = ("function", "method", "arrow", "generator")


#: Names a language or a runtime calls for you (constructors, dunder methods, entry points).
IMPLICIT_NAMES = frozenset({"constructor", "main"})


def dead_code(store: Store, file_glob: str | None = None,
              atom_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Dead-code candidates (in ``file_glob``, or among ``atom_ids``): callables with no resolved
    caller that are neither exported nor tests. Left out, since something calls them by name
    from outside the code: names a runtime calls for you (dunder methods, ``main``), decorated
    functions (properties and setters, handlers registered by a decorator, overloads), the
    package's entry points (console scripts), and any name an unresolved or ambiguous call
    could mean (``obj.save()`` may well reach an unused-looking ``save``)."""
    found = (list(store.atoms.get_many(atom_ids).values()) if atom_ids is not None
             else store.atoms.query(AtomFilter(exported=False, file_glob=file_glob)))
    entry = entry_points(store)
    rows = [s for s in found
            if s.atom.kind in CALLABLE_KINDS and not s.atom.is_exported
            and not is_test(atom_dict(s)) and s.atom.name not in IMPLICIT_NAMES
            and not (s.atom.name.startswith("__") and s.atom.name.endswith("__"))
            and not (s.atom.extra and s.atom.extra.get("decorators"))  # properties, handlers
            and not _is_entry_point(s.atom, entry)]
    counts = store.atoms.call_counts([s.id for s in rows])
    rows = [s for s in rows if counts[s.id][0] == 0]
    maybe_called = {e.short_name for _, e in store.atoms.edges_named(
        list({s.atom.name for s in rows})) if e.target_id is None}
    rows.sort(key=lambda s: (s.atom.file_path, s.atom.line))
    return [atom_dict(s, callers=0) for s in rows if s.atom.name not in maybe_called]


def most_complex(store: Store, file_glob: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
    """Callables by cyclomatic complexity, highest first."""
    rows = [s for s in store.atoms.query(AtomFilter(file_glob=file_glob))
            if s.atom.kind not in ("module", "class")]
    rows.sort(key=lambda s: (-s.atom.complexity, s.atom.file_path, s.atom.line))
    return [atom_dict(s) for s in rows[:limit]]


def has_tests(store: Store) -> bool:
    """Whether the index holds any test (so "no test reaches X" means something)."""
    return bool(store.atoms.query(AtomFilter(kind="test"), limit=1)) or any(
        is_test({"file_path": p}) for p in store.atoms.file_stats())


def entry_points(store: Store) -> set[tuple[str, str]]:
    """(module path, function) of the repository's declared entry points: ``[project.scripts]``
    and ``[project.gui-scripts]`` of its pyproject.toml, ``console_scripts`` of setup.cfg."""
    import configparser
    import os
    import tomllib

    root = store.get_meta("root") or ""
    specs: list[str] = []
    try:
        with open(os.path.join(root, "pyproject.toml"), "rb") as fh:
            project = tomllib.load(fh).get("project", {})
        for table in ("scripts", "gui-scripts"):
            specs += [str(v) for v in project.get(table, {}).values()]
    except (OSError, ValueError):
        pass
    cfg = configparser.ConfigParser()
    try:
        cfg.read(os.path.join(root, "setup.cfg"), encoding="utf-8")
        scripts = cfg.get("options.entry_points", "console_scripts", fallback="")
        specs += [line.partition("=")[2].strip() for line in scripts.splitlines() if "=" in line]
    except (configparser.Error, UnicodeDecodeError):
        pass
    out = set()
    for spec in specs:
        module, _, func = spec.partition(":")
        if module and func:
            out.add((module.strip().replace(".", "/"), func.strip().partition(" ")[0]))
    return out


def _is_entry_point(atom, entry: set[tuple[str, str]]) -> bool:
    path = atom.file_path.removesuffix(".py").removesuffix("/__init__")
    return any(atom.qualified_name == func and (path == module or path.endswith("/" + module))
               for module, func in entry)
