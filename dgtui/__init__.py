"""dgtui: a live terminal explorer for a code base's functions and the calls between them."""

__version__ = "0.1.0"
