"""Generated repositories of a chosen number of functions, shaped like real code.

    python -m bench.generate DEST --functions 10000

The shape follows the Django corpus (measured: ~15 atoms per file, ~4 calls per atom, ~160
lines per file): packages of modules holding top-level functions and classes with methods,
docstrings on some, branches and loops in the bodies, and calls of every resolution kind —
same-file functions, imported functions and module aliases, ``self`` methods, builtins and
external libraries. One file in ten is JavaScript (``require``, ``module.exports``, methods,
arrows). A few functions are named ``saveAtom`` and some async functions call it, so the origin
document's "async functions that call saveAtom" query has answers.

Deterministic: the same arguments give the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import os
import random

VERBS = ["get", "set", "load", "save", "build", "parse", "render", "check", "update", "find",
         "make", "apply", "resolve", "send", "fetch", "read", "write", "merge", "clean", "handle"]
NOUNS = ["user", "profile", "atom", "session", "record", "query", "field", "model", "token",
         "cache", "view", "form", "request", "response", "item", "node", "graph", "index",
         "event", "file", "path", "config", "value", "state", "batch", "entry", "report"]
CLASS_NOUNS = ["Manager", "Handler", "Store", "Builder", "Parser", "Client", "Service", "View",
               "Model", "Router", "Cache", "Registry"]
EXTERNAL_PY = ["print", "len", "isinstance", "sorted", "os.path.join", "json.dumps",
               "logging.getLogger", "re.compile", "str", "dict", "list", "getattr"]
EXTERNAL_JS = ["console.log", "JSON.stringify", "Object.keys", "Array.isArray", "Math.max",
               "Promise.resolve", "setTimeout", "require"]
FUNCTIONS_PER_FILE = 15
FILES_PER_FOLDER = 40
JS_SHARE = 10  # one file in ten


def plan(functions: int) -> list[str]:
    """The relative paths of the files for ``functions`` functions."""
    n_files = max(1, round(functions / (FUNCTIONS_PER_FILE - 1.8)))  # classes add ~1.8
    paths = []
    for i in range(n_files):
        folder = f"pkg{i // (FILES_PER_FOLDER * 8)}/sub{(i // FILES_PER_FOLDER) % 8}"
        ext = "js" if i % JS_SHARE == JS_SHARE - 1 else "py"
        paths.append(f"{folder}/mod{i}.{ext}")
    return paths


def generate(dest: str, functions: int, seed: int = 0) -> dict:
    """Write a repository of about ``functions`` functions into ``dest``; returns its counts."""
    paths = plan(functions)
    py_files = [p for p in paths if p.endswith(".py")]
    js_files = [p for p in paths if p.endswith(".js")]
    names: dict[str, list[str]] = {}  # file -> its top-level function names
    rng = random.Random(seed)
    for path in paths:
        k = max(1, int(rng.gauss(FUNCTIONS_PER_FILE * 0.6, 3)))
        names[path] = [_name(rng, path.endswith(".js"), j) for j in range(k)]
    folders = sorted({os.path.dirname(p) for p in py_files})
    for folder in folders:  # packages all the way down, as in a real project
        parts = folder.split("/")
        for depth in range(1, len(parts) + 1):
            init = os.path.join(dest, *parts[:depth], "__init__.py")
            if not os.path.exists(init):
                os.makedirs(os.path.dirname(init), exist_ok=True)
                with open(init, "w") as fh:
                    fh.write('"""A generated package."""\n')
    total = 0
    for i, path in enumerate(paths):
        frng = random.Random(f"{seed}:{path}")
        if path.endswith(".py"):
            text, count = _python_file(frng, i, path, names, py_files)
        else:
            text, count = _js_file(frng, i, path, names, js_files)
        total += count
        full = os.path.join(dest, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as fh:
            fh.write(text)
    return {"files": len(paths), "functions": total, "root": dest}


def _name(rng: random.Random, js: bool, j: int) -> str:
    if rng.random() < 0.004:
        return "saveAtom"
    verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
    if js:
        return f"{verb}{noun.capitalize()}{j}"
    return f"{verb}_{noun}_{j}"


def _neighbours(rng: random.Random, index: int, files: list[str], own: str, k: int) -> list[str]:
    """Files imported by ``own``: mostly near it (same package), some far away."""
    if len(files) < 2:
        return []
    out = []
    pos = files.index(own) if own in files else index
    for _ in range(k):
        step = rng.randint(1, 12) if rng.random() < 0.8 else rng.randint(1, len(files))
        other = files[(pos + step) % len(files)]
        if other != own and other not in out:
            out.append(other)
    return out


def _python_file(rng, index, path, names, py_files) -> tuple[str, int]:
    own = names[path]
    imports = _neighbours(rng, index, py_files, path, rng.randint(1, 4))
    lines = [f'"""Module {index}: {rng.choice(NOUNS)} {rng.choice(NOUNS)} helpers."""', "",
             "import json", "import logging", "import os", "import re", ""]
    imported: list[str] = []
    aliases: list[tuple[str, str]] = []
    for j, other in enumerate(imports):
        module = other[:-3].replace("/", ".")
        if j % 2 == 0 and names[other]:
            picked = sorted(set(rng.sample(names[other], min(2, len(names[other])))))
            lines.append(f"from {module} import {', '.join(picked)}")
            imported += picked
        else:
            alias = f"m{j}"
            lines.append(f"import {module} as {alias}")
            aliases += [(alias, n) for n in names[other][:3]]
    lines += ["", "log = logging.getLogger(__name__)", ""]
    count = 0
    fns = list(own)
    n_classes = max(1, len(fns) // 8) if rng.random() < 0.7 else 0
    for c in range(n_classes):
        cls = f"{rng.choice(CLASS_NOUNS)}{index}_{c}"
        methods = [f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}" for _ in range(rng.randint(3, 7))]
        methods = list(dict.fromkeys(methods))
        lines += ["", "", f"class {cls}:"]
        if rng.random() < 0.5:
            lines.append(f'    """The {cls.lower()} of module {index}."""')
        lines += ["", "    def __init__(self, config=None):", "        self.config = config or {}"]
        count += 2
        for m in methods:
            calls = _py_calls(rng, fns, imported, aliases, methods, in_class=True)
            lines += [""] + _py_function(rng, m, calls, method=True, async_=False)
            count += 1
    for j, fn in enumerate(fns):
        async_ = fn == "saveAtom" or rng.random() < 0.08
        calls = _py_calls(rng, fns[:j] + fns[j + 1:], imported, aliases, [], in_class=False)
        if async_ and rng.random() < 0.3 and fn != "saveAtom":
            calls.append("saveAtom")
        lines += ["", ""] + _py_function(rng, fn, calls, method=False, async_=async_)
        count += 1
    if "saveAtom" not in fns and any(c for c in lines if "saveAtom(" in c):
        lines += ["", "", "def saveAtom(atom):", "    return atom"]
        count += 1
    return "\n".join(lines) + "\n", count


def _py_calls(rng, local, imported, aliases, methods, in_class) -> list[str]:
    calls = []
    for _ in range(max(0, int(rng.gauss(4, 2)))):
        r = rng.random()
        if r < 0.25 and local:
            calls.append(rng.choice(local))
        elif r < 0.45 and imported:
            calls.append(rng.choice(imported))
        elif r < 0.55 and aliases:
            alias, name = rng.choice(aliases)
            calls.append(f"{alias}.{name}")
        elif r < 0.70 and in_class and methods:
            calls.append(f"self.{rng.choice(methods)}")
        else:
            calls.append(rng.choice(EXTERNAL_PY))
    return calls


def _py_function(rng, name, calls, method, async_) -> list[str]:
    pad = "    " if method else ""
    params = ["self"] if method else []
    params += [rng.choice(NOUNS) for _ in range(rng.randint(0, 3))]
    params = list(dict.fromkeys(params))
    head = f"{pad}{'async ' if async_ else ''}def {name}({', '.join(params)}):"
    body = []
    if rng.random() < 0.4:
        body.append(f'"""{rng.choice(VERBS).capitalize()} the {rng.choice(NOUNS)} and return it."""')
    arg = params[-1] if params and params[-1] != "self" else "None"
    body.append(f"result = {arg}")
    for call in calls:
        waiting = "await " if async_ and call == "saveAtom" else ""
        form = rng.random()
        if form < 0.3:
            body += ["if result is not None:", f"    result = {waiting}{call}(result)"]
        elif form < 0.45:
            body += ["for item in [result]:", f"    log.debug('%s', {waiting}{call}(item))"]
        else:
            body.append(f"value = {waiting}{call}(result)")
    body.append("return result")
    return [head] + [f"{pad}    {line}" for line in body]


def _js_file(rng, index, path, names, js_files) -> tuple[str, int]:
    own = names[path]
    imports = _neighbours(rng, index, js_files, path, rng.randint(1, 3))
    here = os.path.dirname(path)
    lines = [f"// Module {index}: {rng.choice(NOUNS)} utilities.", "'use strict';", ""]
    imported: list[str] = []
    for j, other in enumerate(imports):
        rel = os.path.relpath(other[:-3], here)
        rel = rel if rel.startswith(".") else "./" + rel
        picked = sorted(set(rng.sample(names[other], min(2, len(names[other])))))
        lines.append(f"const {{ {', '.join(picked)} }} = require('{rel}');")
        imported += picked
    count = 0
    cls = f"{rng.choice(CLASS_NOUNS)}{index}"
    methods = list(dict.fromkeys(f"{rng.choice(VERBS)}{rng.choice(NOUNS).capitalize()}"
                                 for _ in range(rng.randint(2, 5))))
    lines += ["", f"class {cls} {{", "  constructor(options) {", "    this.options = options || {};",
              "  }"]
    count += 2
    for m in methods:
        calls = _js_calls(rng, own, imported, methods)
        lines += [""] + _js_function(rng, m, calls, kind="method", async_=False)
        count += 1
    lines.append("}")
    for fn in own:
        async_ = fn == "saveAtom" or rng.random() < 0.12
        calls = _js_calls(rng, [f for f in own if f != fn], imported, [])
        if async_ and fn != "saveAtom" and rng.random() < 0.3:
            calls.append("saveAtom")
        kind = "arrow" if rng.random() < 0.3 else "function"
        lines += [""] + _js_function(rng, fn, calls, kind=kind, async_=async_)
        count += 1
    if "saveAtom" not in own and any("saveAtom(" in line for line in lines):
        lines += ["", "function saveAtom(atom) {", "  return atom;", "}"]
        count += 1
    lines += ["", f"module.exports = {{ {', '.join(own + [cls])} }};"]
    return "\n".join(lines) + "\n", count


def _js_calls(rng, local, imported, methods) -> list[str]:
    calls = []
    for _ in range(max(0, int(rng.gauss(4, 2)))):
        r = rng.random()
        if r < 0.3 and local:
            calls.append(rng.choice(local))
        elif r < 0.5 and imported:
            calls.append(rng.choice(imported))
        elif r < 0.65 and methods:
            calls.append(f"this.{rng.choice(methods)}")
        else:
            calls.append(rng.choice(EXTERNAL_JS[:-1]))
    return calls


def _js_function(rng, name, calls, kind, async_) -> list[str]:
    params = ", ".join(dict.fromkeys(rng.choice(NOUNS) for _ in range(rng.randint(0, 3))))
    first = params.split(", ")[0] if params else "null"
    body = [f"let result = {first};"]
    for call in calls:
        waiting = "await " if async_ and call == "saveAtom" else ""
        if rng.random() < 0.3:
            body += ["if (result) {", f"  result = {waiting}{call}(result);", "}"]
        else:
            body.append(f"const v{len(body)} = {waiting}{call}(result);")
    body.append("return result;")
    a = "async " if async_ else ""
    if rng.random() < 0.3:
        body.insert(0, "// " + f"{rng.choice(VERBS)} the {rng.choice(NOUNS)}")
    if kind == "method":
        return [f"  {a}{name}({params}) {{"] + [f"    {b}" for b in body] + ["  }"]
    if kind == "arrow":
        return [f"const {name} = {a}({params}) => {{"] + [f"  {b}" for b in body] + ["};"]
    return [f"{a}function {name}({params}) {{"] + [f"  {b}" for b in body] + ["}"]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("dest")
    ap.add_argument("--functions", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(generate(args.dest, args.functions, args.seed))


if __name__ == "__main__":
    main()
