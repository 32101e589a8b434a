"""Search over the atoms: ranked full text (FTS5, bm25) after the names that start with the
text, read from the name index; and the fuzzy finder's candidates. A mixin of
``AtomRepository`` (it reads ``self.conn``)."""

from __future__ import annotations

import re
import sqlite3

from ..model import AtomFilter
from .records import StoredAtom, atom_select, row_to_stored
from .sql import filter_sql, marks

_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)
_FTS_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # unicode61 cuts at "_" too
_FTS_WEIGHTS = "10.0, 4.0, 3.0, 1.0, 0.5, 2.0"  # name, qualified, words, signature, doc, path
_MAX_PREFIX = 1000
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*\Z")  # \Z: "save\n" is not an identifier
FULL_RANK = 400  # full-text matches a search ranks by bm25 (its cost is per row ranked)


class AtomSearch:
    conn: sqlite3.Connection

    def search(self, text: str, filters: AtomFilter | None = None, limit: int = 50,
               ranked: bool = True, window: int | None = None) -> list[StoredAtom]:
        """Full-text search over names, words, signatures, docstrings and paths.

        The user's text never reaches MATCH raw: it is cut into word tokens, each quoted and
        made a prefix (``"sav"*``, see ``_fts_phrase``), so ``this.save`` or ``save-all``
        cannot be a syntax error.

        Ranked, names that start with the text come first (shortest first: ``sav`` shows
        ``save`` before ``save_all``), then the full-text matches by bm25. bm25 costs about
        ten times what finding a row does, so it ranks the first ``window`` (``FULL_RANK``)
        matches: all of them, unless the text is broad (``get``), and then the name index
        has already given the best page.
        """
        tokens = _FTS_TOKEN.findall(text)
        if not tokens:
            return []
        match = " ".join(_fts_phrase(t) for t in tokens)
        where, params = filter_sql(filters or AtomFilter())
        where = f"AND {where}" if where else ""
        if not ranked:
            sql = (f"SELECT {atom_select('a')} FROM atoms_fts f JOIN atoms a ON a.pk = f.rowid "
                   f"WHERE atoms_fts MATCH ? {where} ORDER BY a.pk LIMIT ?")
            return [row_to_stored(r) for r in self.conn.execute(sql, [match, *params, limit])]
        stripped = text.strip()
        prefix = stripped if _IDENTIFIER.fullmatch(stripped) else tokens[0] if len(tokens) == 1 else None
        if prefix is not None and len(prefix) > _MAX_PREFIX:  # no name is that long, and LIKE
            prefix = None  # refuses patterns over 50,000 bytes ("pattern too complex")
        hits = self.name_prefix(prefix, filters, limit) if prefix else []
        if len(hits) >= limit:
            return hits
        # One pass: bm25 over the first ``window`` matches, all of them unless the text is broad.
        score = f"bm25(atoms_fts, {_FTS_WEIGHTS})"
        join = "JOIN atoms a ON a.pk = f.rowid" if where else ""
        sql = (f"SELECT {atom_select('a')} FROM ("
               f"SELECT f.rowid AS r, {score} AS score FROM atoms_fts f {join} "
               f"WHERE atoms_fts MATCH ? {where} LIMIT ?) w "
               f"JOIN atoms a ON a.pk = w.r ORDER BY w.score, a.file_path, a.line LIMIT ?")
        seen = {h.id for h in hits}
        for row in self.conn.execute(sql, [match, *params, window or FULL_RANK, limit + len(hits)]):
            if len(hits) >= limit:
                break
            stored = row_to_stored(row)
            if stored.id not in seen:
                hits.append(stored)
        return hits

    def name_prefix(self, prefix: str, filters: AtomFilter | None = None,
                    limit: int = 50, window: int | None = None) -> list[StoredAtom]:
        """Atoms (not modules) whose name starts with ``prefix`` in any case, shortest first
        (then by file and line).

        Fast enough for every keystroke: the name index is read by range for each case of
        the first letters, only the ``window`` shortest names are looked at, and only the
        rows shown are decoded.
        """
        if not prefix:
            return []
        where, filter_params = filter_sql(filters or AtomFilter())
        if window is None:  # without filters, only modules are left out of the shortest names
            window = 500 if where else 2 * limit
        ranges, params = _case_ranges(prefix)
        like = ""
        if len(prefix) > _CASE_LETTERS:  # the ranges hold exactly the shorter prefixes
            like = "AND name LIKE ? ESCAPE '\\'"
            params.append(_like_escape(prefix) + "%")
        names = self.conn.execute(
            f"SELECT pk, name FROM atoms WHERE ({ranges}) {like} ORDER BY length(name), name LIMIT ?",
            [*params, window]).fetchall()
        where = f"AND {where}" if where else ""
        found: list[tuple[int, str, str, int, int]] = []  # (length, name, file, line, pk)
        i = 0
        while i < len(names) and len(found) < limit:
            # A batch ends where a name does, so that equal names are ordered by file and line.
            j = min(len(names), i + max(2 * limit, 100))
            while j < len(names) and names[j][1] == names[j - 1][1]:
                j += 1
            chunk = names[i:j]
            by_pk = {pk: name for pk, name in chunk}
            pks = list(by_pk)
            for pk, path, line in self.conn.execute(
                    f"SELECT a.pk, a.file_path, a.line FROM atoms a WHERE a.pk IN ({marks(pks)}) "
                    f"AND a.kind != 'module' {where}", [*pks, *filter_params]):
                name = by_pk[pk]
                found.append((len(name), name, path, line, pk))
            i = j
        found.sort()
        shown = [f[4] for f in found[:limit]]
        if not shown:
            return []
        rows = {r[0]: r[1:] for r in self.conn.execute(
            f"SELECT a.pk, {atom_select('a')} FROM atoms a WHERE a.pk IN ({marks(shown)})",
            shown)}
        return [row_to_stored(rows[pk]) for pk in shown if pk in rows]

    def name_subsequence(self, letters: str, limit: int = 200) -> list[tuple[str, str, str, str, int]]:
        """(id, qualified name, kind, file, line) of atoms whose qualified name holds ``letters``
        in order (a fuzzy finder's candidates), shortest first."""
        chars = [c for c in letters if not c.isspace()]
        if not chars:
            return []
        pattern = "%" + "%".join(_like_escape(c) for c in chars) + "%"
        return self.conn.execute(
            "SELECT id, qualified_name, kind, file_path, line FROM atoms WHERE qualified_name LIKE ? "
            "ESCAPE '\\' AND kind != 'module' ORDER BY length(qualified_name), qualified_name "
            "LIMIT ?", (pattern, limit)).fetchall()


def _fts_phrase(token: str) -> str:
    """One token of the user's text as an FTS5 phrase: its words as the index's tokenizer cuts
    them (``get_user`` -> ``"get user"``: adjacent words), the last one a prefix unless it is
    a single character (``"x"*`` would merge the lists of every word starting with x)."""
    words = _FTS_WORD.findall(token)
    if not words:
        return '""'
    return '"' + " ".join(words) + ('"*' if len(words[-1]) > 1 else '"')


_CASE_LETTERS = 3


def _case_ranges(prefix: str, letters: int = _CASE_LETTERS) -> tuple[str, list[str]]:
    """SQL ranges of the name index holding every name that starts with ``prefix`` in any
    case: one range per case of its first ``letters`` characters (``sav`` -> ``sav``,
    ``Sav``, ``sAv``...), narrow where a range of the first letter alone is a tenth of the
    index. LIKE then checks the rest of the prefix."""
    heads = [""]
    for c in prefix[:letters]:
        cases = {c, c.lower(), c.upper()}
        heads = [h + x for h in heads for x in sorted(x for x in cases if len(x) == 1)]
    ranges = " OR ".join("(name >= ? AND name < ?)" for _ in heads)
    return ranges, [b for h in heads for b in (h, h[:-1] + chr(min(ord(h[-1]) + 1, 0x10FFFF)))]


def _like_escape(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern with ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
