"""Which paths of a repository dgtui indexes and watches.

Git's rules, as far as they matter here: `.gitignore` files at any depth (deeper files win),
`.git/info/exclude`, then a default list (VCS folders, dependencies, virtual environments, build
output). pathspec does not read nested `.gitignore` files or `info/exclude` for us, so this does.
"""

from __future__ import annotations

import os

import pathspec

# The defaults are plain names and suffixes, checked without regular expressions: they are
# consulted for every file of the walk, after the `.gitignore` files had no opinion.
DEFAULT_IGNORED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".jj",
    "node_modules", "bower_components", "jspm_packages",
    ".venv", "venv", ".env", "env", "site-packages", "__pypackages__",
    "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis",
    ".eggs", "build", "dist", ".next", ".nuxt", ".svelte-kit", ".turbo", ".parcel-cache",
    "coverage", ".nyc_output", ".cache",
})
DEFAULT_IGNORED_DIR_SUFFIXES = (".egg-info",)
DEFAULT_IGNORED_FILE_SUFFIXES = (".min.js", ".bundle.js")


class IgnoreRules:
    """Decides whether a repository-relative posix path is ignored.

    Specs are kept per directory (``""`` for the root) and consulted from the deepest directory
    up, as git does: the first spec that has an opinion (ignore or ``!``re-include) decides.
    """

    def __init__(self, root: str, extra: tuple[str, ...] = ()):
        self.root = root
        self.errors: dict[str, str] = {}  # ignore file (relative) -> its patterns that failed
        base_lines = list(extra) + _read_lines(os.path.join(root, ".git", "info", "exclude"))
        self._base = self._compile(base_lines, ".git/info/exclude")
        self._specs: dict[str, pathspec.GitIgnoreSpec | None] = {}
        self._verdicts: dict[str, bool] = {}  # is_ignored answers (watcher events repeat paths)

    def spec_for(self, rel_dir: str) -> pathspec.GitIgnoreSpec | None:
        """The spec of ``rel_dir/.gitignore`` (None when absent or empty), read once."""
        if rel_dir not in self._specs:
            lines = _read_lines(os.path.join(self.root, rel_dir, ".gitignore"))
            self._specs[rel_dir] = self._compile(lines, f"{rel_dir}/.gitignore" if rel_dir else ".gitignore")
        return self._specs[rel_dir]

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

    def saw_folder(self, rel_dir: str, has_gitignore: bool) -> None:
        """A walk listed ``rel_dir``: spare the open() of a `.gitignore` it knows is absent."""
        if not has_gitignore:
            self._specs.setdefault(rel_dir, None)

    def forget(self, rel_dir: str) -> None:
        """Drop a cached `.gitignore` (it changed on disk)."""
        self._specs.pop(rel_dir, None)
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
        parts = rel_path.rstrip("/").split("/")
        trailing = "/" if rel_path.endswith("/") else ""
        for depth in range(len(parts) - 1, -1, -1):
            spec = self.spec_for("/".join(parts[:depth]))
            if spec is None:
                continue
            result = spec.check_file("/".join(parts[depth:]) + trailing)
            if result.include is not None:
                return result.include
        if self._base is not None:
            result = self._base.check_file(rel_path)
            if result.include is not None:
                return result.include
        name = parts[-1]
        if trailing:
            return name in DEFAULT_IGNORED_DIRS or name.endswith(DEFAULT_IGNORED_DIR_SUFFIXES)
        return name.endswith(DEFAULT_IGNORED_FILE_SUFFIXES)


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except OSError:
        return []
