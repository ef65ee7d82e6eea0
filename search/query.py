"""The query language: parse what users type into a Whoosh query.

    hộ chiếu vắc xin            words, ranked: more matching words rank higher
    "phòng, chống dịch"         an exact phrase (must appear)
    vắc AND xin, a OR b         boolean operators (upper case), parentheses
    NOT hoãn, -hoãn             exclusion
    signer:Hiệp issuer:"văn phòng" type:"thông báo" number:128/NQ-CP ref:128/NQ-CP
    date:2021-11-27  date:2021  date:2021-05..2021-06-30  year:2021
    vắc*                        a trailing wildcard (no leading ones)

Plain words are segmented with pyvi as one chunk and matched by words,
syllables and syllable pairs (see schema.py), weighted by ranking.Weights; syllables typed without
diacritics match every accented form the index holds (Vocabulary).
Malformed input raises QueryError with one sentence for the user.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

from whoosh import query as wq

from . import analysis
from .normalize import fold, nfc, unify_tones
from .numbers import number_key
from .ranking import Weights

MAX_QUERY_LENGTH = 1000
MAX_PREFIX_TERMS = 1000  # syllables a trailing wildcard may stand for
FIELDS = ("signer", "issuer", "type", "number", "ref", "date", "year")


class QueryError(ValueError):
    """A query that cannot be understood; str() is the message for the user."""


@dataclass
class Parsed:
    query: wq.Query | None          # None: the query has no positive condition
    highlight: set[str] = field(default_factory=set)  # folded syllables to mark in snippets
    # The top level's NOT terms: a document with any section matching them is
    # left out of document results (the query itself excludes sections only).
    excluded: wq.Query | None = None


# --- tokens --------------------------------------------------------------------

_TOKEN_RE = re.compile(r'''
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>[A-Za-z_]+):(?P<fvalue>"[^"]*"?|[^\s()"]*)
  | (?P<phrase>"[^"]*"?)
  | (?P<word>[^\s()"]+)
''', re.VERBOSE)


@dataclass
class _Tok:
    kind: str  # lparen rparen field phrase word and or not
    text: str
    value: str = ""


def _tokenize(text: str) -> list[_Tok]:
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup if m.lastgroup != "fvalue" else "field"
        if kind == "space":
            continue
        raw = m.group(0)
        if kind == "phrase":
            if len(raw) < 2 or not raw.endswith('"'):
                raise QueryError('Unbalanced quotes: a phrase opened with " is never closed.')
            tokens.append(_Tok("phrase", raw[1:-1]))
        elif kind == "field":
            name, value = m.group("field"), m.group("fvalue")
            if name not in FIELDS:
                if name.islower():  # looks like a mistyped field name
                    raise QueryError(f"Unknown field '{name}:'; the fields are "
                                     + ", ".join(f"{f}:" for f in FIELDS) + ".")
                tokens.append(_Tok("word", raw))  # "Nam: ..." is text, not a field
                continue
            if value.startswith('"'):
                if len(value) < 2 or not value.endswith('"'):
                    raise QueryError('Unbalanced quotes: a phrase opened with " is never closed.')
                value = value[1:-1]
            if not value.strip():
                raise QueryError(f"'{name}:' needs a value after the colon, e.g. {name}:{_EXAMPLES[name]}.")
            tokens.append(_Tok("field", name, value.strip()))
        elif kind == "word" and raw in ("AND", "OR", "NOT"):
            tokens.append(_Tok(raw.lower(), raw))
        elif kind == "word" and raw.startswith("-") and len(raw) > 1:
            tokens.append(_Tok("not", "-"))
            tokens.extend(_tokenize(raw[1:]))
        elif kind == "word" and raw.startswith(":"):
            raise QueryError(f"Stray colon in '{raw}': write a field name before it, e.g. signer:Hiệp.")
        elif kind == "word" and ("*" in raw.rstrip("*") or raw.count("*") > 1):
            raise QueryError(f"'{raw}': only a trailing wildcard is supported (vắc*); "
                             "leading and inner wildcards are not.")
        else:
            tokens.append(_Tok(kind, raw))
    return tokens


_EXAMPLES = {"signer": "Hiệp", "issuer": '"văn phòng chính phủ"', "type": '"thông báo"',
             "number": "128/NQ-CP", "ref": "128/NQ-CP", "date": "2021-11-27", "year": "2021"}


# --- parser --------------------------------------------------------------------

class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary+ ; unary := NOT unary | atom."""

    def __init__(self, tokens: list[_Tok], vocabulary: Vocabulary, reader, weights: Weights):
        self.tokens = tokens
        self.vocabulary = vocabulary
        self.reader = reader
        self.weights = weights
        self.i = 0
        self.highlight: set[str] = set()

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> wq.Query | None:
        q = self.parse_or()
        if self.peek() is not None:
            raise QueryError("Unbalanced parentheses: ')' has no matching '('.")
        return q

    def parse_or(self):
        parts = [self.parse_and()]
        while self.peek() and self.peek().kind == "or":
            self.take()
            parts.append(self.parse_and())
        if len(parts) > 1 and any(p is None for p in parts):
            raise QueryError("OR needs a search term on both sides.")
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def parse_and(self):
        """Adjacent words form one ranked chunk (at least one must match; with an
        explicit AND in the group, all must). Phrases, fields and groups are required."""
        words, required, excluded = [], [], []
        explicit_and = False
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            self.take()
            if tok.kind in ("and", "not"):
                following = self.peek()
                if following is None or following.kind in ("or", "rparen", "and"):
                    raise QueryError(f"{tok.text} must be followed by a search term.")
                if tok.kind == "and":
                    explicit_and = True
                else:
                    excluded.append(self.parse_atom(self.take()))
            elif tok.kind == "word":
                words.append(tok.text)
            else:
                required.append(self.parse_atom(tok))
        if words:
            required.append(self.text_query(" ".join(words), require_all=explicit_and))
        required = [q for q in required if q is not None]
        excluded = [q for q in excluded if q is not None]
        if not required and not excluded:
            return None
        base = required[0] if len(required) == 1 else (wq.And(required) if required else wq.Every())
        return wq.AndNot(base, wq.Or(excluded)) if excluded else base

    def parse_atom(self, tok: _Tok):
        if tok.kind == "lparen":
            inner = self.parse_or()
            if self.peek() is None or self.take().kind != "rparen":
                raise QueryError("Unbalanced parentheses: '(' is never closed.")
            return inner
        if tok.kind == "rparen":
            raise QueryError("Unbalanced parentheses: ')' has no matching '('.")
        if tok.kind == "phrase":
            return self.phrase_query(tok.text)
        if tok.kind == "field":
            return field_query(tok.text, tok.value)
        return self.text_query(tok.text, require_all=True)

    # --- text ------------------------------------------------------------------

    def text_query(self, text: str, require_all: bool):
        prefixes = [self.prefix_query(w) for w in text.split() if w.endswith("*")]
        terms = _analyse(" ".join(w for w in text.split() if not w.endswith("*")))
        syllables = terms["syl"]
        folded = [fold(s) for s in syllables]
        self.highlight.update(folded)
        # Typed without any diacritics: every accented form is what the user meant.
        loose = syllables == folded
        per_syllable = [self.vocabulary.syllable_terms(s, loose, self.weights) for s in syllables]
        extras = [wq.Term("words", w, boost=self.weights.words) for w in terms["words"]
                  if "_" in w and not loose]  # one-syllable words repeat `syl`
        for a, b in zip(syllables, syllables[1:]):
            extras.extend(self.vocabulary.pair_terms(self.reader, a, b, loose, self.weights))
        if require_all:
            required = [wq.Or(t) for t in per_syllable] + prefixes
            if not required:
                return None
            core = required[0] if len(required) == 1 else wq.And(required)
            return wq.AndMaybe(core, wq.Or(extras)) if extras else core
        terms = [t for ts in per_syllable for t in ts] + extras + prefixes
        return wq.Or(terms) if terms else None

    def prefix_query(self, word: str) -> wq.Query:
        stem = unify_tones(nfc(word.rstrip("*"))).lower()
        if len(stem) < 2:
            raise QueryError(f"'{word}': a wildcard needs at least two letters before it.")
        self.highlight.add(fold(stem))
        return wq.Or([wq.Term("syl", form) for form in self.vocabulary.starting_with(stem)])

    def phrase_query(self, text: str):
        """Exact phrase: every adjacent syllable pair, plus a positional check for
        3+ syllables (in each accented form the index has, if typed without)."""
        syllables = _analyse(text)["syl"]
        folded = [fold(s) for s in syllables]
        self.highlight.update(folded)
        loose = syllables == folded
        if len(syllables) < 2:
            return wq.Or(self.vocabulary.syllable_terms(syllables[0], loose, self.weights)) if syllables else None
        pairs = [wq.Or(self.vocabulary.pair_terms(self.reader, a, b, loose, self.weights))
                 for a, b in zip(syllables, syllables[1:])]
        if len(syllables) > 2:
            forms = self.vocabulary.phrase_forms(self.reader, syllables, loose)
            pairs.append(wq.Or([wq.Phrase("syl", f) for f in forms]) if forms else wq.NullQuery)
        return wq.And(pairs)


def _analyse(text: str) -> dict[str, list[str]]:
    """Query text -> each content field's terms, through the indexer's own chain."""
    if not text.strip():
        return {"words": [], "syl": [], "bigram": []}
    return {field: terms.split() for field, terms in analysis.field_texts(analysis.segment(text)).items()}


class Vocabulary:
    """The index's syllables grouped by their folded form, for diacritic-free queries.

    "ho" expands to the syllables of the index that fold to it ("hộ", "họ", "hồ"…).
    """

    MAX_PAIRS = 24  # accented combinations tried for one folded syllable pair

    def __init__(self, reader):
        self.forms: dict[str, list[str]] = {}
        for term in reader.lexicon("syl"):
            syllable = term.decode("utf-8")
            self.forms.setdefault(fold(syllable), []).append(syllable)

    def variants(self, syllable: str) -> list[str]:
        return self.forms.get(fold(syllable), [])

    def _weighted(self, syllable: str, loose: bool, folded_weight: float = 1.0) -> list[tuple[str, float]]:
        """The forms to match and their weights. A syllable typed with diacritics
        means exactly that form; one typed without may carry any accents: all its
        forms count fully in a query typed without diacritics, and below the
        typed form (`folded_weight`) in a query that has diacritics elsewhere."""
        if fold(syllable) != syllable:
            return [(syllable, 1.0)]
        forms = sorted(self.variants(syllable) or [syllable], key=lambda f: f != syllable)
        return [(f, 1.0 if loose or f == syllable else folded_weight) for f in forms]

    def syllable_terms(self, syllable: str, loose: bool, weights: Weights) -> list[wq.Term]:
        """The syllable in the syllable and heading fields, in each of its forms."""
        terms = []
        for form, weight in self._weighted(syllable, loose, weights.folded):
            terms.append(wq.Term("syl", form, boost=weight * weights.syl))
            terms.append(wq.Term("heading", form, boost=weight * weights.heading))
        numbers = [syllable] if number_key(syllable) else []
        if syllable.isdigit():  # "thông báo 285": the document numbers it starts
            numbers = self.starting_with(syllable + "/") + self.starting_with(syllable + "-")
            terms += [wq.Term("syl", number, boost=weights.syl) for number in numbers]
        # The document that bears a number outranks those that cite it.
        terms += [wq.Term("number_key", number_key(n).lower(), boost=weights.own_number) for n in numbers]
        return terms

    def starting_with(self, stem: str) -> list[str]:
        """Syllables that start with the stem; without diacritics, in any accented form."""
        folded = fold(stem)
        exact = folded != stem
        forms = [f for key, group in self.forms.items() if key.startswith(folded) for f in group
                 if not exact or f.startswith(stem)]
        return sorted(forms)[:MAX_PREFIX_TERMS]

    def phrase_forms(self, reader, syllables: list[str], loose: bool) -> list[list[str]]:
        """The spellings of a phrase whose every adjacent pair the index holds."""
        spellings = [[f] for f, _ in self._weighted(syllables[0], loose)]
        for syllable in syllables[1:]:
            spellings = [s + [f] for s in spellings for f, _ in self._weighted(syllable, loose)
                         if reader.doc_frequency("bigram", f"{s[-1]}_{f}")][:self.MAX_PAIRS]
        return spellings

    def pair_terms(self, reader, a: str, b: str, loose: bool, weights: Weights) -> list[wq.Term]:
        """The adjacent pair a b in the bigram field, in every accented form the index has."""
        candidates = [(f"{fa}_{fb}", wa * wb) for fa, wa in self._weighted(a, loose, weights.folded)
                      for fb, wb in self._weighted(b, loose, weights.folded)][:self.MAX_PAIRS]  # exact forms first
        return [wq.Term("bigram", pair, boost=weight * weights.bigram)
                for pair, weight in candidates if reader.doc_frequency("bigram", pair)]


# --- fields --------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_date(text: str, end: bool = False) -> str:
    """'2021', '2021-05' or '2021-05-31' -> ISO date; a partial date covers its period."""
    m = _DATE_RE.match(text.strip())
    if not m:
        raise QueryError(f"Bad date '{text}': write YYYY-MM-DD, YYYY-MM or YYYY.")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    month = int(month) if month else (12 if end else 1)
    if not 1 <= month <= 12:
        raise QueryError(f"Bad date '{text}': the month must be 1 to 12.")
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    day = int(day) if day else (last if end else 1)
    if not 1 <= day <= last:
        raise QueryError(f"Bad date '{text}': that month has {last} days.")
    return f"{year:04d}-{month:02d}-{day:02d}"


def date_range(start: str | None, end: str | None) -> wq.Query:
    lo = parse_date(start) if start else None
    hi = parse_date(end, end=True) if end else None
    if lo and hi and lo > hi:
        raise QueryError(f"The date range is empty: {lo} is after {hi}.")
    return wq.TermRange("date", lo, hi)


def field_query(name: str, value: str) -> wq.Query:
    """A field condition, shared by the query language and the command-line filters."""
    if name in ("signer", "issuer"):
        terms = analysis.folded_key(value).split()
        if not terms:
            raise QueryError(f"'{name}:' needs a name with letters.")
        return wq.And([wq.Term(f"{name}_f", t) for t in terms])
    if name == "type":
        return wq.Term("type_key", analysis.folded_key(value))
    if name in ("number", "ref"):
        key = number_key(value)
        if key is None:
            raise QueryError(f"'{value}' is not a document number such as 128/NQ-CP.")
        return wq.Term("number_key" if name == "number" else "refs", key.lower())
    if name == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"Bad year '{value}': write four digits, e.g. 2021.")
        return wq.Term("year", value)
    # date: a day, a month, a year, or a range A..B with either end open
    if ".." in value:
        start, end = value.split("..", 1)
        return date_range(start or None, end or None)
    return date_range(value, value)


def parse_query(text: str, vocabulary: Vocabulary, reader, weights: Weights = Weights()) -> Parsed:
    """Parse user input against the index (its vocabulary and this thread's reader),
    with `weights` for the terms; raise QueryError for malformed input."""
    text = unify_tones(nfc(text or "")).replace("\x00", " ")
    text = "".join(c if c.isprintable() else " " for c in text)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is too long ({len(text)} characters; the limit is {MAX_QUERY_LENGTH}).")
    parser = _Parser(_tokenize(text), vocabulary, reader, weights)
    query = parser.parse()
    excluded = query.b if isinstance(query, wq.AndNot) else None
    return Parsed(query, parser.highlight, excluded)
