"""Symbols and call resolution, the in-memory call graph and its exports."""
