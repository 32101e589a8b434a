"""Which paths of a repository dgtui indexes and watches, and why the others are left out.

No folder is skipped for its name alone, except the few that are never source (``NEVER_SOURCE``:
version-control data, installed JavaScript packages, Python's bytecode caches) and virtual
environments, recognised by their ``pyvenv.cfg`` whatever their name (the walk sees that file).
Everything else a repository leaves out it says itself, with git's rules:

- ``.gitignore`` and ``.ignore`` files at any depth (deeper files win; in one folder ``.ignore``
  wins over ``.gitignore``, as ripgrep reads them), then ``.git/info/exclude``;
- the user's own patterns, which win over all of the above: ``exclude``/``include`` lists in a
  ``[tool.dgtui]`` table of the repository's ``pyproject.toml`` (read, never written), then those
  given to ``dgtui index --exclude/--include`` (kept in the index). An ``include`` pattern brings
  back a folder or file that would be skipped (``include = ["build/"]``).

pathspec does not read nested ignore files or ``info/exclude`` for us, so this does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pathspec

#: Folders that never hold a repository's own source, by name, at any depth (and why).
NEVER_SOURCE = {
    ".git": "git's own data", ".hg": "Mercurial's own data", ".svn": "Subversion's own data",
    ".jj": "Jujutsu's own data", "node_modules": "installed JavaScript packages",
    "__pycache__": "Python bytecode",
}
#: The file that makes a folder a Python virtual environment (``python -m venv``, virtualenv, uv).
VENV_MARKER = "pyvenv.cfg"
#: Generated bundles: one line of megabytes each, never anyone's source.
DEFAULT_IGNORED_FILE_SUFFIXES = (".min.js", ".bundle.js")
IGNORE_FILES = (".ignore", ".gitignore")  # in one folder, the first wins
CONFIG_FILE = "pyproject.toml"


@dataclass(frozen=True)
class Patterns:
    """A user's own patterns (gitignore syntax): ``exclude`` skips, ``include`` keeps."""

    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()


class IgnoreRules:
    """Decides whether a repository-relative posix path is skipped, and says why.

    Specs are kept per directory (``""`` for the root) and consulted from the deepest directory
    up, as git does: the first spec that has an opinion (ignore or ``!``re-include) decides.
    ``stored`` are the patterns ``dgtui index --exclude/--include`` kept in the index.
    """

    def __init__(self, root: str, stored: Patterns = Patterns()):
        self.root = root
        self.stored = stored
        self.errors: dict[str, str] = {}  # ignore file (relative) -> its patterns that failed
        self._specs: dict[tuple[str, str], pathspec.GitIgnoreSpec | None] = {}
        self._verdicts: dict[str, bool] = {}  # is_ignored answers (watcher events repeat paths)
        self._load_user_rules()

    def _load_user_rules(self) -> None:
        """The patterns that win over the ignore files: the config's, then the index's."""
        config = read_config(self.root, self.errors)
        self.config = config
        lines: list[str] = []
        self._user_sources: list[str] = []  # per line, where it came from
        bad: list[str] = []
        for patterns, where in ((config, f"[tool.dgtui] in {CONFIG_FILE}"),
                                (self.stored, "dgtui index --exclude/--include")):
            for line in [*patterns.exclude, *("!" + p.removeprefix("!") for p in patterns.include)]:
                try:
                    pathspec.GitIgnoreSpec.from_lines([line])
                except Exception as exc:
                    bad.append(f"{where}: {line!r}: {' '.join(str(exc).split())[:80]}")
                    continue
                lines.append(line)
                self._user_sources.append(where)
        if bad:
            self.errors["exclude/include"] = "; ".join(bad)
        self._user = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        base = _read_lines(os.path.join(self.root, ".git", "info", "exclude"))
        self._base = self._compile(base, ".git/info/exclude")

    def spec_for(self, rel_dir: str, name: str = ".gitignore") -> pathspec.GitIgnoreSpec | None:
        """The spec of ``rel_dir/name`` (None when absent or empty), read once."""
        key = (rel_dir, name)
        if key not in self._specs:
            lines = _read_lines(os.path.join(self.root, rel_dir, name))
            self._specs[key] = self._compile(lines, f"{rel_dir}/{name}" if rel_dir else name)
        return self._specs[key]

    def _compile(self, lines: list[str], name: str) -> pathspec.GitIgnoreSpec | None:
        """A spec of the patterns pathspec can compile; the others (``[z-a]``, a lone ``!``)
        are left out one by one, as git skips them, and recorded in ``errors``."""
        if not lines:
            return None
        try:
            return pathspec.GitIgnoreSpec.from_lines(lines)
        except Exception:
            good, bad = [], []
            for n, line in enumerate(lines, 1):
                try:
                    pathspec.GitIgnoreSpec.from_lines([line])
                    good.append(line)
                except Exception as exc:
                    bad.append(f"line {n} {line.strip()!r}: {' '.join(str(exc).split())[:80]}")
            self.errors[name] = "; ".join(bad)
            return pathspec.GitIgnoreSpec.from_lines(good) if good else None

    def saw_folder(self, rel_dir: str, names: set[str]) -> None:
        """A walk listed ``rel_dir``: spare the open() of the ignore files it knows are absent."""
        for name in IGNORE_FILES:
            if name not in names:
                self._specs.setdefault((rel_dir, name), None)

    def forget(self, rel_dir: str) -> None:
        """Drop a cached ignore file (it changed on disk); at the root, the config too."""
        for name in IGNORE_FILES:
            self._specs.pop((rel_dir, name), None)
        if not rel_dir:
            self.errors.pop(CONFIG_FILE, None)
            self._load_user_rules()
        self._verdicts.clear()

    def is_ignored(self, rel_path: str) -> bool:
        """Whether ``rel_path`` (a file, or a folder with a trailing ``/``) is ignored."""
        verdict = self._verdicts.get(rel_path)
        if verdict is None:
            parts = rel_path.rstrip("/").split("/")
            # Any ignored parent folder ignores the path (git cannot re-include below one).
            verdict = any(self.decide("/".join(parts[:depth]) + "/") for depth in range(1, len(parts)))
            verdict = verdict or self.decide(rel_path)
            if len(self._verdicts) > 65536:
                self._verdicts.clear()
            self._verdicts[rel_path] = verdict
        return verdict

    def decide(self, rel_path: str) -> bool:
        """This path's own verdict, assuming its parent folders are not ignored (a walk knows)."""
        return self.why(rel_path) is not None

    def why(self, rel_path: str) -> tuple[str, str] | None:
        """(reason, detail) when ``rel_path`` is skipped (its parents assumed not), else None.
        Reasons: ``ignored`` (a pattern, named with its file) and ``never-source``."""
        if self._user is not None:
            result = self._user.check_file(rel_path)
            if result.include is not None:
                return (("ignored", f"{self._user_sources[result.index]}: "
                         f"{self._user.patterns[result.index].pattern}") if result.include else None)
        parts = rel_path.rstrip("/").split("/")
        trailing = "/" if rel_path.endswith("/") else ""
        for depth in range(len(parts) - 1, -1, -1):
            folder = "/".join(parts[:depth])
            for name in IGNORE_FILES:
                spec = self.spec_for(folder, name)
                if spec is None:
                    continue
                result = spec.check_file("/".join(parts[depth:]) + trailing)
                if result.include is not None:
                    where = f"{folder}/{name}" if folder else name
                    return ("ignored", f"{where}: {spec.patterns[result.index].pattern}") \
                        if result.include else None
        if self._base is not None:
            result = self._base.check_file(rel_path)
            if result.include is not None:
                return ("ignored", f".git/info/exclude: {self._base.patterns[result.index].pattern}") \
                    if result.include else None
        name = parts[-1]
        if trailing:
            return ("never-source", NEVER_SOURCE[name]) if name in NEVER_SOURCE else None
        return ("never-source", "a generated bundle") if name.endswith(DEFAULT_IGNORED_FILE_SUFFIXES) else None


def read_config(root: str, errors: dict[str, str] | None = None) -> Patterns:
    """``exclude`` and ``include`` of the ``[tool.dgtui]`` table of ``root/pyproject.toml``;
    a file that does not parse, or lists of the wrong type, are noted in ``errors``."""
    import tomllib

    path = os.path.join(root, CONFIG_FILE)
    try:
        with open(path, "rb") as fh:
            table = tomllib.load(fh).get("tool", {}).get("dgtui", {})
    except FileNotFoundError:
        return Patterns()
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        if errors is not None:
            errors[CONFIG_FILE] = f"not read: {' '.join(str(exc).split())[:120]}"
        return Patterns()
    if not isinstance(table, dict):
        table = {}
    out = {}
    for key in ("exclude", "include"):
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            if errors is not None:
                errors[CONFIG_FILE] = f"[tool.dgtui] {key} must be a list of patterns (strings)"
            value = []
        out[key] = tuple(v for v in value if v.strip())
    return Patterns(out["exclude"], out["include"])


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except OSError:
        return []
