"""Symbols and call resolution, signature changes, call cycles and the graph exports."""
