"""Source files -> atoms: the grammars, the capture queries and the extraction."""

#: Bumped whenever extraction records something new or different for the same source (a new
#: binding kind the resolver reads, say): an index made by an older parser has every file read
#: again on its next reconcile, so the new facts are there without a rebuild.
PARSER_VERSION = 2
