"""A small generated code base with calls across files (Python and JavaScript), for crash and
load trials: big enough that an index takes a while, small enough for CI."""

from __future__ import annotations

import random
from pathlib import Path


def make_corpus(root: Path, files: int = 60, seed: int = 7, version: int = 1) -> list[str]:
    """Write ``files`` source files under ``root``; ``version`` 2 edits, drops and adds some.
    Returns the relative paths written."""
    rng = random.Random(seed)
    written = []
    for i in range(files):
        if version == 2 and i % 9 == 4:
            continue  # deleted in version 2
        if i % 3 == 2:
            rel = f"web/part{i % 5}/mod{i}.js"
            text = _js(i, files, rng, version)
        else:
            rel = f"pkg/sub{i % 4}/mod{i}.py"
            text = _py(i, files, rng, version)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".py") and not (path.parent / "__init__.py").exists():
            (path.parent / "__init__.py").write_text("")
        path.write_text(text)
        written.append(rel)
    if version == 2:
        for i in range(files, files + files // 10):
            rel = f"pkg/new/mod{i}.py"
            (root / "pkg" / "new").mkdir(parents=True, exist_ok=True)
            (root / "pkg" / "new" / "__init__.py").write_text("")
            (root / rel).write_text(_py(i, files, rng, version))
            written.append(rel)
    return written


def _py(i: int, files: int, rng: random.Random, version: int) -> str:
    other = rng.randrange(files)
    lines = [f'"""Module {i}."""', f"from pkg.sub{other % 4} import mod{other}", ""]
    for k in range(8):
        name = f"f{i}_{k}" if not (version == 2 and k == 3) else f"g{i}_{k}"
        body = [f"    total = {k}"]
        for _ in range(rng.randrange(1, 4)):
            j = rng.randrange(8)
            body.append(f"    total += f{i}_{j}() if total > {j} else mod{other}.f{other}_{j}()")
        if version == 2 and k == 5:
            body.append("    total += helper_added()")
        body.append("    return total")
        lines += [f"def {name}():", f'    """Step {k} of module {i}."""', *body, ""]
    lines += [f"class Service{i}:", "    def run(self):", f"        return self.step() + f{i}_0()",
              "", "    def step(self):", f"        return f{i}_1()", ""]
    if version == 2:
        lines += ["def helper_added():", "    return 1", ""]
    return "\n".join(lines)


def _js(i: int, files: int, rng: random.Random, version: int) -> str:
    other = rng.randrange(files)
    lines = [f"const util = require('./util{i % 2}');", ""]
    for k in range(8):
        calls = " + ".join(f"fn{i}_{rng.randrange(8)}()" for _ in range(rng.randrange(1, 3)))
        extra = " + util.help()" if version == 2 and k == 2 else ""
        lines += [f"function fn{i}_{k}() {{", f"  if (Math.random() > {k / 10}) {{ return {calls}{extra}; }}",
                  f"  return other{other}();", "}", ""]
    lines += [f"class Widget{i} {{", "  render() { return this.paint(); }", f"  paint() {{ return fn{i}_0(); }}",
              "}", f"module.exports = {{ fn{i}_0, Widget{i} }};", ""]
    return "\n".join(lines)
