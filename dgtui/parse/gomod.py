"""Go modules: the ``go.mod`` that owns a Go file, and the module path it declares.

A Go import names a package by its module path (``example.com/app/store``); the resolver maps it
to a folder of the repository through the ``module`` line of the nearest ``go.mod`` above the
importing file. Read when a Go file is parsed and kept in its module atom (``extra["package"]``).
"""

from __future__ import annotations

import os
import re
import stat

from ..paths import inside

_MODULE_LINE = re.compile(rb"^\s*module\s+\"?([^\s\"/][^\s\"]*)\"?\s*(?://.*)?$", re.M)
_MAX_GO_MOD = 1 << 20
_read: dict[str, tuple[tuple[int, int], str | None]] = {}  # go.mod -> ((mtime, size), module)


def module_of(root: str, rel: str) -> tuple[str, str] | None:
    """(module path, folder of its go.mod relative to ``root``) for the Go file ``rel``, or None
    when no go.mod above it (inside the repository) declares a module."""
    folder = rel.rpartition("/")[0]
    while True:
        candidate = f"{folder}/go.mod" if folder else "go.mod"
        module = _module_in(root, candidate)
        if module is not None:
            return module, folder
        if not folder:
            return None
        folder = folder.rpartition("/")[0]


def _module_in(root: str, rel: str) -> str | None:
    full = os.path.join(root, rel)
    try:
        st = os.stat(full, follow_symlinks=False)
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size)
    cached = _read.get(full)
    if cached is not None and cached[0] == key:
        return cached[1]
    module = None
    if stat.S_ISREG(st.st_mode) and st.st_size <= _MAX_GO_MOD and inside(root, rel):  # no link
        try:
            with open(full, "rb") as fh:
                m = _MODULE_LINE.search(fh.read(_MAX_GO_MOD))
            module = m.group(1).decode("utf-8", "replace") if m else None
        except OSError:
            module = None
    _read[full] = (key, module)
    return module
