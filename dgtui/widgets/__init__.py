"""Reusable widgets of the explorer. None of them reads or writes the index: they post messages."""
