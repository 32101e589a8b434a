"""What a question asks: an intent and its parameters, read from the text alone.

Rules are ordered patterns, first match wins: the specific questions ("async functions that call
X") come before the general ones ("what calls X"), and anything unrecognised is a search. The
same text always gives the same intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .when import Since, parse_since

DEFINITION, CALLERS, CALLEES, IMPACT = "definition", "callers", "callees", "impact"
CHANGES, ASYNC_CALLERS, UNRESOLVED = "changes", "async-callers", "unresolved"
DEAD_CODE, CYCLES, COMPLEXITY, SEARCH = "dead-code", "cycles", "complexity", "search"
INTENTS = (DEFINITION, CALLERS, CALLEES, IMPACT, CHANGES, ASYNC_CALLERS, UNRESOLVED, DEAD_CODE,
           CYCLES, COMPLEXITY, SEARCH)
#: Intents about one named atom (the others are about a file, a folder or the repository).
ABOUT_AN_ATOM = (DEFINITION, CALLERS, CALLEES, IMPACT, ASYNC_CALLERS, CYCLES)

#: "transitively", "all the way": follow the calls this far.
DEEP = 50
#: What "by the agent" and friends mean as event sources.
SOURCE_WORDS = {
    "agent": ("mcp", "atomic-edit"), "ai": ("mcp", "atomic-edit"), "mcp": ("mcp",),
    "atomic-edit": ("atomic-edit",), "atomic edit": ("atomic-edit",),
    "watcher": ("file-watcher",), "file-watcher": ("file-watcher",),
    "file watcher": ("file-watcher",), "editor": ("file-watcher",), "user": ("user",),
    "me": ("user",), "index": ("index",), "indexer": ("index",), "indexing": ("index",),
    "import": ("import",), "reconcile": ("reconcile",),
}


@dataclass(frozen=True)
class Intent:
    name: str
    text: str  # the question as asked
    subject: str | None = None  # the atom it is about, as written
    path: str | None = None  # a file or folder it is about (or narrows the subject to)
    depth: int | None = None
    since: Since | None = None
    sources: tuple[str, ...] = ()


def _rx(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


_VERB = r"(?:change|changing|modify|modifying|edit|editing|touch|touching|rename|renaming|" \
        r"remove|removing|delete|deleting|refactor|refactoring)"
_RULES: list[tuple[str, list[re.Pattern[str]]]] = [
    (ASYNC_CALLERS, _rx(r"\basync\b.*?\b(?:call|calls|calling|use|uses|await|awaits|reach|"
                        r"reaches)\s+(?P<x>.+)$")),
    (IMPACT, _rx(rf"\b(?:impact|effect|effects|consequences?|blast radius)\s+of\s+(?:{_VERB}\s+)?(?P<x>.+)$",
                 rf"\bwhat\s+(?:\w+\s+)?(?:breaks?|affected|changes)\s+(?:if|when)\s+(?:i|we|you|someone)\s+{_VERB}\s+(?P<x>.+)$",
                 rf"\b(?:if|when)\s+(?:i|we|you|someone)\s+{_VERB}\s+(?P<x>.+?)(?:\s*,.*|\s+(?:what|who|which)\b.*)?$",
                 r"\bwhat\s+depends\s+on\s+(?P<x>.+)$",
                 rf"\bis\s+it\s+safe\s+to\s+{_VERB}\s+(?P<x>.+)$")),
    (CYCLES, _rx(r"\b(?:cycles?|circular(?:\s+calls?)?|call\s+loops?|loops?|recursion)\s+(?:through|via|"
                 r"with|involving|including|of|around|for|containing)\s+(?P<x>.+)$",
                 r"\b(?:is|does)\s+(?P<x>.+?)\s+(?:recursive|recurse|part\s+of\s+a\s+cycle|in\s+a\s+"
                 r"cycle|(?:call|reach)\s+itself)\b")),
    (UNRESOLVED, _rx(r"\b(?:unresolved|ambiguous|unknown|unresolvable)\b.*\bcalls?\b",
                     r"\bcalls?\b.*\b(?:not|never)\s+(?:be\s+)?resolved\b")),
    (DEAD_CODE, _rx(r"\bdead[\s-]?code\b", r"\bunused\b", r"\bunreferenced\b", r"\borphan",
                    r"\b(?:nobody|no\s+one|nothing)\s+(?:ever\s+)?(?:calls?|uses?)\b",
                    r"\b(?:never|not)\s+(?:called|used)\b")),
    (COMPLEXITY, _rx(r"\b(?:complex|complicated|complexity|convoluted|hairy|cyclomatic)\b")),
    (CHANGES, _rx(r"\b(?:changed|modified|edited|touched|happened|updated)\b",
                  r"\b(?:recent|latest|last)\s+(?:changes|edits|events|transactions)\b",
                  r"\bchanges?\s+(?:since|in|to|by|today|yesterday|recently)\b",
                  r"\bwhat'?s\s+new\b")),
    (CALLEES, _rx(r"\bwhat\s+(?:\w+\s+)?(?:does|do|did)\s+(?P<x>.+?)\s+(?:call|invoke|use)\b",
                  r"\b(?:callees|outgoing\s+calls|calls\s+made)\s+(?:of|by|from|in)\s+(?P<x>.+)$",
                  r"\bwhat\s+(?:is|are|gets)\s+called\s+(?:by|from|in)\s+(?P<x>.+)$",
                  r"^what\s+(?P<x>\S+)\s+calls$")),
    (CALLERS, _rx(r"\b(?:who|what|which(?:\s+\w+)?)\s+(?:calls|call|invokes?|uses|use|references?|"
                  r"reaches|reach)\s+(?P<x>.+)$",
                  r"\b(?:callers|call\s+sites|usages?|uses)\s+(?:of|for)\s+(?P<x>.+)$",
                  r"\bwhere\s+(?:is|are)\s+(?P<x>.+?)\s+(?:called|used|invoked|referenced)\b",
                  r"\bwho\s+(?:is\s+)?(?:calling|using)\s+(?P<x>.+)$",
                  r"\bis\s+(?P<x>.+?)\s+(?:called|used)\b")),
    (DEFINITION, _rx(r"\bwhere\s+(?:is|are|was|'s)\s+(?P<x>.+?)\s+(?:defined|declared|implemented|"
                     r"written|located)\b",
                     r"\bwhere(?:\s+is|\s+are|'s)\s+(?P<x>.+)$",
                     r"\b(?:definition|source|location)\s+of\s+(?P<x>.+)$",
                     r"^(?:please\s+)?(?:find|locate|show(?:\s+me)?|open|go\s+to|jump\s+to)\s+(?P<x>.+)$",
                     r"^what\s+(?:is|are|does)\s+(?P<x>[\w.:<>#/()-]+)(?:\s+do)?$",
                     r"^(?P<x>[A-Za-z_$][\w$.]*(?:::[\w$.<>#()]+)?)$")),
]

_DEPTH = _rx(r"\b(?:to|at|with|up\s+to)?\s*(?:a\s+)?depth\s*(?:of\s+)?(\d+)\b",
             r"\b(\d+)\s+levels?(?:\s+(?:deep|up|down))?\b")
_DEEP = re.compile(r"\b(?:transitively|indirectly|all\s+the\s+way(?:\s+(?:up|down))?|"
                   r"at\s+any\s+depth|directly\s+or\s+(?:not|indirectly))\b", re.IGNORECASE)
_SINCE = re.compile(r"\b(?:since|after)\s+(?P<w>.+?)(?=\s+(?:by|in|from|to|inside|under)\b|$)"
                    r"|\b(?P<v>(?:in\s+)?(?:the\s+)?(?:last|past)\s+\d+\s*[a-z]+)\b"
                    r"|\b(?P<n>today|yesterday|this\s+week|last\s+week)\b", re.IGNORECASE)
_SOURCE = re.compile(r"\b(?:by|from|made\s+by)\s+(?:the\s+)?(?P<s>" +
                     "|".join(sorted((re.escape(k) for k in SOURCE_WORDS), key=len, reverse=True)) +
                     r")\b", re.IGNORECASE)
_PATH = re.compile(r"\b(?:in|inside|within|under|of|from|to)\s+(?:the\s+)?(?:file|folder|"
                   r"directory|module|package|dir)?\s*(?P<p>[\w./@-]+?)\s*$", re.IGNORECASE)
_LOOKS_LIKE_PATH = re.compile(r"[/\\]|\.(?:py|pyi|js|jsx|mjs|cjs|ts|tsx)$")
_FILLER = re.compile(r"^(?:the|a|an|function|method|class|def|atom|symbol|my|our|this)\s+|"
                     r"\s+(?:function|method|class|atom|symbol|do|is|are|anywhere|please|now)$",
                     re.IGNORECASE)
_GENERIC = frozenset({"functions", "function", "methods", "code", "the code", "everything",
                      "anything", "stuff", "things", "it"})


def detect(question: str) -> Intent:
    """The intent of ``question`` and its parameters; ``SEARCH`` when nothing else fits."""
    text = " ".join(question.strip().split())
    core = text.rstrip("?!. ")
    depth = None
    if _DEEP.search(core):
        depth, core = DEEP, _DEEP.sub(" ", core)
    for rx in _DEPTH:
        if m := rx.search(core):
            depth, core = int(m.group(1)), core[:m.start()] + " " + core[m.end():]
    core = " ".join(core.split())
    for name, patterns in _RULES:
        for rx in patterns:
            m = rx.search(core)
            if m is None:
                continue
            if "x" in rx.groupindex:
                subject, path = _subject(m.group("x"))
                if not subject or subject.lower() in _GENERIC:
                    continue
                return Intent(name, text, subject=subject, path=path, depth=depth)
            return _about_files(name, text, core)
    return Intent(SEARCH, text, subject=core or None)


def _subject(raw: str) -> tuple[str, str | None]:
    """The atom name in a captured phrase, and a file it is narrowed to ("save in db.py")."""
    phrase = raw.strip(" ?.!,")
    path = None
    if (m := _PATH.search(phrase)) and _LOOKS_LIKE_PATH.search(m.group("p")):
        path, phrase = m.group("p"), phrase[:m.start()]
    phrase = phrase.strip(" `'\"")
    while (cleaned := _FILLER.sub("", phrase).strip(" `'\"")) != phrase:
        phrase = cleaned
    return phrase.removesuffix("()").strip(), path


def _about_files(name: str, text: str, core: str) -> Intent:
    """Intents about a file, a folder or the repository: a path, and for changes when and who."""
    since, sources = None, ()
    if name == CHANGES:
        if m := _SOURCE.search(core):
            sources = SOURCE_WORDS[m.group("s").lower()]
            core = core[:m.start()] + core[m.end():]
        if m := _SINCE.search(core):
            phrase = m.group("w") or m.group("v") or m.group("n")
            since = parse_since(re.sub(r"^(?:in\s+)?(?:the\s+)?", "", phrase, flags=re.I))
            if since is not None:
                core = core[:m.start()] + core[m.end():]
    path = None
    if m := _PATH.search(" ".join(core.split())):
        candidate = m.group("p").strip(".")
        if candidate and candidate.lower() not in _NOT_PATHS:
            path = candidate
    return Intent(name, text, path=path, since=since, sources=sources)


#: Words after "in" that are not a place: "changed in the last hour", "used in tests".
_NOT_PATHS = frozenset({"repo", "repository", "project", "codebase", "code", "here", "total",
                        "general", "it", "this", "all", "recently", "today", "yesterday",
                        "calls", "functions", "files", "file", "folder"})
