"""dgtui's benchmark suite: every figure measured beside its anchor, in the same run.

``python -m bench`` runs the suite; ``python -m bench.index`` measures the cold full index of a
corpus against tree-sitter's parse-only time (issue 2's target).
"""
