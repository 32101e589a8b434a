"""How right are dgtui's call edges? Measured per call site against type-inferring oracles.

    python -m bench.accuracy                    # every corpus (cold: ~30 min here, warm: ~30 s)
    python -m bench.accuracy --quick            # the small corpora only (no Django)
    python -m bench.accuracy --corpus flask     # one corpus (repeatable)
    python -m bench --accuracy                  # the same, from the suite (opt-in)

Needs the ``bench`` extra (``pip install -e '.[bench]'``: jedi, pyan3, code2flow), Node and npm.

The oracles are jedi (Python) and the TypeScript checker: for every call in the judged files
(found by Python's ``ast`` / the TypeScript parser, so calls dgtui dropped count too), where the
call goes. dgtui indexes each corpus with its own ``index`` command and each edge row is judged
against the oracle's answer at the same line and name (``compare.py`` defines every count). On
the Python corpora the peers pyan3 and code2flow are scored per (caller, callee) pair beside
dgtui (``peers.py``).

The oracles' and peers' answers are cached in the corpus cache folder (``cache.py``), keyed by
file content and oracle version, so after a resolver change a re-run only re-indexes with dgtui.
It is opt-in, not a default section of ``python -m bench``: a cold run takes tens of minutes
(jedi on Django) and needs the extra's packages, which dgtui itself never uses.

Writes ``bench/results/accuracy.json``, ``accuracy.md`` and ``accuracy-misses.txt`` (the most
frequent wrong edges and missed calls: what the resolver should fix next).

Modules: ``corpora`` (what is judged, fetched how), ``index`` (dgtui's index; all the SQL),
``oracle_python`` / ``oracle_ts`` + ``ts_oracle.js`` (the oracles), ``compare`` (the judging),
``peers``, ``report``.
"""
