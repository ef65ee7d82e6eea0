"""The query language: parse what users type into a Whoosh query.

    hộ chiếu vắc xin            words, ranked: more matching words rank higher
    "phòng, chống dịch"         an exact phrase (must appear)
    vắc AND xin, a OR b         boolean operators (upper case), parentheses
    NOT hoãn, -hoãn             exclusion
    signer:Hiệp issuer:"văn phòng" type:"thông báo" number:128/NQ-CP ref:128/NQ-CP
    date:27/11/2021  date:11/2021  date:2021  date:01/05/2021..30/06/2021  year:2021
                                (ISO dates too: date:2021-11-27, date:2021-05..2021-06)
    vắc*                        a trailing wildcard (no leading ones)

Plain words are segmented with pyvi as one chunk and matched by words,
syllables and syllable pairs (see schema.py), weighted by weights.Weights. In a
query typed without any diacritics, syllables match every accented form the
index holds; where the user wrote diacritics, each syllable means what was
typed. Spelling variants (Sĩ/Sỹ, Ð/Đ) are one (Vocabulary).
Malformed input raises QueryError with one sentence for the user.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.searching import Searcher

from . import analysis
from .normalize import fold, nfc, normalize_query, unify_tones
from .numbers import number_key
from .tables import GenerationTables
from .weights import Weights

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
    # What the engine read differently from what was typed, for the user (a
    # phrase found nowhere, searched as words), else None.
    notice: str | None = None


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

    def __init__(self, tokens: list[_Tok], vocabulary: Vocabulary, reader, loose: bool, weights: Weights):
        self.tokens = tokens
        self.loose = loose  # typed without any diacritics: see Vocabulary.variants
        self.vocabulary = vocabulary
        self.reader = reader
        self.weights = weights
        self.i = 0
        self.highlight: set[str] = set()
        self.named_documents: set[str] = set()  # keys of the documents the query names
        self.named_articles: set[str] = set()   # section ids of the articles it names ("Điều 8")
        self.slots: list[frozenset[str] | None] = []  # the ranked words' syllables (see Rerank)
        self.notices: list[str] = []

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
        words, required, excluded, phrases = [], [], [], []
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
            elif tok.kind == "phrase":
                phrases.append(tok.text)
            else:
                required.append(self.parse_atom(tok))
        for phrase in phrases:
            # Quotes in a question are punctuation as much as syntax: a quoted term
            # that is nowhere (often misspelt) is searched as words, and said so.
            if words and not self.phrase_exists(phrase):
                words.append(phrase)
                self.notices.append(f'Không văn bản nào có cụm từ "{phrase.strip()}": '
                                    "đã tìm theo từng từ của nó.")
            else:
                required.append(self.phrase_query(phrase))
        if words:
            text = self.strip_names(" ".join(words))
            required.append(self.text_query(text, require_all=explicit_and))
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

    # --- names -----------------------------------------------------------------

    def strip_names(self, text: str) -> str:
        """Take out of plain words what names a document ("Bộ luật Dân sự 2015") or
        an article ("Điều 8"): they select what to rank first (`named_documents`,
        `named_articles`) rather than score every article that repeats them
        (scope, entry into force). Words that name nothing stay."""
        key = analysis.text_key(text)
        spans = []
        for span, keys in self.vocabulary.names().find(key):
            spans.append(span)
            self.named_documents.update(keys)
        for m in _ARTICLE_RE.finditer(key):
            spans.append(m.span())
            self.named_articles.add(m.group(1))
        if not spans:
            return text
        kept = list(text)
        for start, end in spans:
            kept[start:end] = " " * (end - start)
        stripped = "".join(kept)
        return stripped if _analyse_has_words(stripped) else text

    # --- text ------------------------------------------------------------------

    def text_query(self, text: str, require_all: bool):
        prefixes = [self.prefix_query(w) for w in text.split() if w.endswith("*")]
        terms = _analyse(" ".join(w for w in text.split() if not w.endswith("*")))
        syllables = terms["syl"]
        self.highlight.update(fold(s) for s in syllables)
        loose = self.loose
        per_syllable = [self.vocabulary.syllable_terms(s, loose, self.weights) for s in syllables]
        self.slots += [frozenset(self.vocabulary.variants(s, loose)) for s in syllables] + [None]
        extras = [wq.Term("words", w, boost=self.weights.words) for w in terms["words"]
                  if "_" in w and not loose]  # one-syllable words repeat `syl`
        for a, b in zip(syllables, syllables[1:]):
            extras.extend(self.vocabulary.pair_terms(self.reader, a, b, loose, self.weights))
        for i, syllable in enumerate(syllables):  # "UBND" finds "Ủy ban nhân dân"
            name = expand_abbreviation(syllable)
            if name:
                per_syllable[i] = per_syllable[i] + self.name_terms(name.split())
        for _, _, abbreviation in abbreviations_in([fold(s) for s in syllables]):  # and back
            extras += [wq.Term("syl", f, boost=self.weights.syl) for f in self.vocabulary.variants(abbreviation, True)]
        if require_all:
            required = [wq.Or(t) for t in per_syllable] + prefixes
            if not required:
                return None
            core = required[0] if len(required) == 1 else wq.And(required)
            return wq.AndMaybe(core, wq.Or(extras)) if extras else core
        terms = [t for ts in per_syllable for t in ts] + extras + prefixes
        return wq.Or(terms) if terms else None

    def name_terms(self, folded: list[str]) -> list[wq.Query]:
        """A name given in folded syllables, as its adjacent pairs in any accented form."""
        pairs = [wq.Or(self.vocabulary.pair_terms(self.reader, a, b, True, self.weights)) for a, b in zip(folded, folded[1:])]
        return [wq.And(pairs)] if pairs else []

    def prefix_query(self, word: str) -> wq.Query:
        stem = unify_tones(nfc(word.rstrip("*"))).lower()
        if len(stem) < 2:
            raise QueryError(f"'{word}': a wildcard needs at least two letters before it.")
        self.highlight.add(fold(stem))
        return wq.Or([wq.Term("syl", form) for form in self.vocabulary.starting_with(stem, self.loose)])

    def phrase_exists(self, text: str) -> bool:
        """Whether the index holds the phrase anywhere (in any spelling)."""
        syllables = _analyse(text)["syl"]
        if not syllables:
            return True  # nothing to find: not a phrase that is missing
        if len(syllables) < 2:
            return any(self.reader.doc_frequency("syl", f) for s in syllables
                       for f in self.vocabulary.variants(s, self.loose))
        forms = self.vocabulary.phrase_forms(self.reader, syllables, self.loose)
        if len(syllables) == 2 or not forms:
            return bool(forms)
        searcher = Searcher(self.reader, closereader=False)
        return any(wq.Phrase("syl", f).matcher(searcher).is_active() for f in forms)

    def phrase_query(self, text: str):
        """Exact phrase: every adjacent syllable pair, plus a positional check for
        3+ syllables (in each accented form the index has, if typed without)."""
        syllables = _analyse(text)["syl"]
        self.highlight.update(fold(s) for s in syllables)
        loose = self.loose
        if len(syllables) < 2:
            return wq.Or(self.vocabulary.syllable_terms(syllables[0], loose, self.weights)) if syllables else None
        pairs = [wq.Or(self.vocabulary.pair_terms(self.reader, a, b, loose, self.weights)) for a, b in zip(syllables, syllables[1:])]
        if len(syllables) > 2:
            forms = self.vocabulary.phrase_forms(self.reader, syllables, loose)
            pairs.append(wq.Or([wq.Phrase("syl", f) for f in forms]) if forms else wq.NullQuery)
        return wq.And(pairs)


def _analyse_has_words(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _analyse(text: str) -> dict[str, list[str]]:
    """Query text -> each content field's terms, through the indexer's own chain."""
    if not text.strip():
        return {"words": [], "syl": [], "bigram": []}
    return {field: terms.split() for field, terms in analysis.field_texts(analysis.segment(text)).items()}


# Official abbreviations, written for the names they stand for in issuers and text.
# Most are the initials of their words (derived); "TW" is a convention.
_ABBREVIATED = ("Ủy ban nhân dân", "Hội đồng nhân dân", "Ủy ban Thường vụ Quốc hội", "Mặt trận Tổ quốc",
                "Văn phòng Chính phủ", "Ban Chấp hành", "Ban Chỉ đạo", "Thành phố")
ABBREVIATIONS = {**{fold("".join(w[0] for w in name.split())).lower(): analysis.folded_key(name)
                    for name in _ABBREVIATED}, "tw": "trung uong"}


def expand_abbreviation(syllable: str) -> str | None:
    """'UBND' (any case, with or without Đ) -> 'uy ban nhan dan' (folded), else None."""
    return ABBREVIATIONS.get(fold(syllable).lower())


def abbreviations_in(folded: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, abbreviation) of each abbreviated name in folded syllables."""
    found = []
    for abbreviation, name in ABBREVIATIONS.items():
        words = name.split()
        for i in range(len(folded) - len(words) + 1):
            if folded[i:i + len(words)] == words:
                found.append((i, i + len(words), abbreviation))
    return found


# "Điều 8" in a query names article 8 (law articles are sections named by their number).
_ARTICLE_RE = re.compile(r"(?<![^\W_])dieu\s+(\d{1,4})(?![^\W_])")


class Names:
    """The documents a query may name by type and title: "Bộ luật Dân sự" (or
    "Luật Dân sự", or its initials "BLDS"), "Luật Cư trú năm 2020". Read from the
    head records whose title is short enough to be typed as a name."""

    MAX_TITLE = 12  # syllables
    MIN_INITIALS = 4  # letters of a short name ("BLDS"); shorter ones are common words or codes

    def __init__(self, tables: GenerationTables):
        # A word any text the pattern matches holds -> (pattern, key, year): a query is checked
        # for each distinct word (many documents share a title's words), and a pattern is
        # compiled when a query holds its word, so that opening an index of many laws compiles none.
        self.patterns: dict[str, list[tuple[str, str, str]]] = {}
        for record, fields in tables.heads:
            if not 0 < tables.lengths["heading"][record] <= self.MAX_TITLE:
                continue
            title = analysis.text_key(fields.get("title") or "").split()
            kind = analysis.text_key(fields.get("type") or "").split()
            # A law's title is its full name ("Luật Kho thóc") or the name after its type.
            for prefix in (kind, kind[-1:]):
                if prefix and title[:len(prefix)] == prefix and len(title) > len(prefix):
                    title = title[len(prefix):]
                    break
            words = [w.strip(",.;:-") for w in title if w.strip(",.;:-")]
            if not words or not kind:
                continue
            # The full type or its last word ("Bộ luật" or "luật"), then the title,
            # then perhaps its year ("2015", "năm 2015").
            sep = r"[\s,.;:-]+"
            kinds = {" ".join(kind), kind[-1]}
            pattern = (r"(?<![^\W_])(?:" + "|".join(sep.join(map(re.escape, k.split())) for k in kinds) + ")"
                       + sep + sep.join(map(re.escape, words)) + r"(?:" + sep + r"(?:nam\s+)?(\d{4}))?(?![^\W_])")
            year = (fields.get("date") or "")[:4]
            self.patterns.setdefault(max(words, key=len), []).append((pattern, fields["key"], year))
            # Its short name, the initials of its type and title ("BLTTHS", "BLLĐ"), when that
            # is long enough not to be some other word.
            initials = "".join(w[0] for w in [*kind, *words])
            if len(initials) >= self.MIN_INITIALS:
                short = rf"(?<![^\W_]){initials}(?:{sep}(?:nam\s+)?(\d{{4}}))?(?![^\W_])"
                self.patterns.setdefault(initials, []).append((short, fields["key"], year))

    def find(self, key: str) -> list[tuple[tuple[int, int], set[str]]]:
        """The spans of a folded text (analysis.text_key) that name documents, and
        their keys. A year that is not the document's names another edition."""
        found: dict[tuple[int, int], set[str]] = {}
        for word, patterns in self.patterns.items():
            if word not in key:
                continue
            for pattern, doc_key, year in patterns:
                for m in re.finditer(pattern, key):
                    if m.group(1) and year and m.group(1) != year:
                        continue
                    found.setdefault(m.span(), set()).add(doc_key)
        return list(found.items())


class Rerank(wq.WrappingQuery):
    """The child query, whose best records are scored again on how much of their
    title the query holds and on their best clause (ranking.Evaluation), as
    `weights` say. `slots` are the query's ranked syllables in order, each the set
    of index forms it matches (None between separate groups of words)."""

    def __init__(self, child: wq.Query, slots: list[frozenset[str] | None], weights: Weights):
        super().__init__(child)
        self.slots = slots
        self.weights = weights

    def _rewrap(self, child):
        return Rerank(child, self.slots, self.weights)


class Prefer(wq.WrappingQuery):
    """The child query, with the scores of the records that `preferred` also
    matches multiplied by `factor` (evaluated by ranking.Evaluation). With `admit`,
    the preferred records match even where the child does not, and rank above
    every other: an article named in a named law is what was asked for."""

    def __init__(self, child: wq.Query, preferred: wq.Query, factor: float, admit: bool = False):
        super().__init__(child)
        self.preferred = preferred
        self.factor = factor
        self.admit = admit

    def _rewrap(self, child):
        return Prefer(child, self.preferred, self.factor, self.admit)


# Vietnamese writes a syllable whose whole rhyme is i or y after a consonant either
# way (Sĩ/Sỹ, kì/kỳ, lí/lý, quí/quý); "gi" is a consonant of its own, so "gì" is not one.
_I_OR_Y = "iìíỉĩịyỳýỷỹỵ"
_I_OR_Y_RE = re.compile(rf"^(?!gi)([bcdđghklmnpqrstvx]|ch|gh|kh|ng|ngh|nh|ph|qu|th|tr)([{_I_OR_Y}])$")
_Y_TO_I = str.maketrans(_I_OR_Y[6:], _I_OR_Y[:6])


def spelling_key(syllable: str) -> str:
    """A lowercased syllable with the spelling variants Vietnamese treats as one
    made equal: y -> i as a whole rhyme after a consonant, and the look-alike
    Ð (U+00D0, U+00F0) -> Đ. Accents are kept."""
    syllable = syllable.replace("ð", "đ")
    if not syllable or syllable[-1] not in _I_OR_Y:  # most syllables: no need to try the pattern
        return syllable
    m = _I_OR_Y_RE.match(syllable)
    return m.group(1) + m.group(2).translate(_Y_TO_I) if m else syllable


class Vocabulary:
    """The index's syllables grouped by spelling, for loose matching.

    "sĩ" expands to the syllables of the index spelled the same way ("sĩ", "sỹ");
    in a query typed without diacritics, "ho" expands to every accented form the
    index holds ("hộ", "họ", "hồ"…).
    """

    MAX_PAIRS = 24  # spellings tried for one syllable pair

    def __init__(self, tables: GenerationTables):
        self.tables = tables
        self.spellings: dict[str, list[str]] = {}  # spelling_key -> the index's forms
        self.forms: dict[str, list[str]] = {}      # folded spelling_key -> the index's forms
        for syllable in sorted(tables.syllables):
            key = spelling_key(syllable)
            self.spellings.setdefault(key, []).append(syllable)
            self.forms.setdefault(fold(key), []).append(syllable)
        self._names: Names | None = None

    def names(self) -> Names:
        """The documents' names, made on first use."""
        if self._names is None:
            self._names = Names(self.tables)
        return self._names

    def variants(self, syllable: str, loose: bool) -> list[str]:
        """The index's forms of a typed syllable, the typed form first. In a query
        typed without any diacritics (`loose`) a syllable may carry any accents.
        Where the user wrote diacritics anywhere in the query, every syllable means
        what was typed (in "tạm giam", "giam" is not "giám" or "giảm"), in any of
        its spellings."""
        key = spelling_key(syllable)
        loose = loose or number_key(syllable) is not None  # 4800/qd-byt is 4800/qđ-byt
        found = (self.forms.get(fold(key)) if loose else self.spellings.get(key)) or [syllable]
        return sorted(found, key=lambda f: f != syllable)

    def syllable_terms(self, syllable: str, loose: bool, weights: Weights) -> list[wq.Term]:
        """The syllable in the syllable and heading fields, in each of its forms."""
        terms = []
        for form in self.variants(syllable, loose):
            terms.append(wq.Term("syl", form, boost=weights.syl))
            terms.append(wq.Term("heading", form, boost=weights.heading))
        numbers = [syllable] if number_key(syllable) else []
        if syllable.isdigit():  # "thông báo 285": the document numbers it starts
            numbers = self.starting_with(syllable + "/", loose) + self.starting_with(syllable + "-", loose)
            terms += [wq.Term("syl", number, boost=weights.syl) for number in numbers]
        # The document that bears a number outranks those that cite it.
        terms += [wq.Term("number_key", number_key(n).lower(), boost=weights.own_number) for n in numbers]
        return terms

    def starting_with(self, stem: str, loose: bool) -> list[str]:
        """Syllables that start with the stem; in a query without diacritics, in any accented form."""
        if loose:
            folded = fold(stem)
            forms = [f for key, group in self.forms.items() if key.startswith(folded) for f in group]
        else:
            stem = spelling_key(stem)
            forms = [f for key, group in self.spellings.items() if key.startswith(stem) for f in group]
        return sorted(forms)[:MAX_PREFIX_TERMS]

    def phrase_forms(self, reader, syllables: list[str], loose: bool) -> list[list[str]]:
        """The spellings of a phrase whose every adjacent pair the index holds."""
        spellings = [[f] for f in self.variants(syllables[0], loose)]
        for syllable in syllables[1:]:
            spellings = [s + [f] for s in spellings for f in self.variants(syllable, loose)
                         if reader.doc_frequency("bigram", f"{s[-1]}_{f}")][:self.MAX_PAIRS]
        return spellings

    def pair_terms(self, reader, a: str, b: str, loose: bool, weights: Weights) -> list[wq.Term]:
        """The adjacent pair a b in the bigram field, in every spelling the index has."""
        candidates = [f"{fa}_{fb}" for fa in self.variants(a, loose)
                      for fb in self.variants(b, loose)][:self.MAX_PAIRS]  # typed forms first
        return [wq.Term("bigram", pair, boost=weights.bigram)
                for pair in candidates if reader.doc_frequency("bigram", pair)]


# --- fields --------------------------------------------------------------------

_ISO_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# As Vietnamese write dates: 31/12/2021, 12/2021 (also with - or . between the parts).
_VN_DATE_RE = re.compile(r"^(?:(\d{1,2})([/.-]))?(\d{1,2})([/.-])(\d{4})$")


def parse_date(text: str, end: bool = False) -> str:
    """'31/12/2021', '12/2021', '2021' (or ISO '2021-12-31', '2021-12') -> ISO date;
    a partial date covers its period (its first day, or with `end` its last)."""
    value = text.strip()
    iso, vn = _ISO_DATE_RE.match(value), _VN_DATE_RE.match(value)
    if iso:
        year, month, day = iso.group(1), iso.group(2), iso.group(3)
    elif vn and (vn.group(2) is None or vn.group(2) == vn.group(4)):
        day, month, year = vn.group(1), vn.group(3), vn.group(5)
    else:
        raise QueryError(f"Bad date '{text}': write DD/MM/YYYY, MM/YYYY or YYYY (or YYYY-MM-DD).")
    year = int(year)
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
        return _name_query(f"{name}_f", terms)
    if name == "type":
        return wq.Term("type_key", analysis.folded_key(value))
    if name in ("number", "ref"):
        keys = number_keys(value)
        if not keys:
            raise QueryError(f"'{value}' is not a document number such as 128/NQ-CP.")
        return wq.Or([wq.Term("number_key" if name == "number" else "refs", k.lower()) for k in keys])
    if name == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"Bad year '{value}': write four digits, e.g. 2021.")
        return wq.Term("year", value)
    # date: a day, a month, a year, or a range A..B with either end open
    if ".." in value:
        start, end = value.split("..", 1)
        return date_range(start or None, end or None)
    return date_range(value, value)


def _name_query(field: str, terms: list[str]) -> wq.Query:
    """Every folded word of a name, in its spellings: 'sy' or 'si', 'UBND' or
    'Ủy ban nhân dân' (either written in the query or in the document)."""
    def spellings(term: str) -> list[wq.Query]:
        found = {term, fold(spelling_key(term)), term.replace("i", "y") if _I_OR_Y_RE.match(term) else term}
        queries: list[wq.Query] = [wq.Term(field, t) for t in sorted(found)]
        if expand_abbreviation(term):
            queries.append(wq.And([wq.Term(field, w) for w in expand_abbreviation(term).split()]))
        return queries

    parts: list[wq.Query] = []
    i = 0
    spans = {start: (end, abbreviation) for start, end, abbreviation in abbreviations_in(terms)}
    while i < len(terms):
        if i in spans:  # the name written out also finds its abbreviation
            end, abbreviation = spans[i]
            parts.append(wq.Or([wq.And([wq.Term(field, t) for t in terms[i:end]]), wq.Term(field, abbreviation)]))
            i = end
            continue
        parts.append(wq.Or(spellings(terms[i])))
        i += 1
    return parts[0] if len(parts) == 1 else wq.And(parts)


def number_keys(text: str) -> list[str]:
    """The comparison keys a typed document number may stand for: its number_key,
    and with each D of its symbol read as Đ (4800/QD-BYT is 4800/QĐ-BYT written
    without diacritics). For comparisons with keys built by numbers.number_key."""
    key = number_key(text)
    if key is None:
        return []
    serial, _, symbol = key.partition("/") if "/" in key else ("", "", key)
    d_positions = [i for i, c in enumerate(symbol) if c == "D"][:4]
    keys = set()
    for mask in range(1 << len(d_positions)):
        letters = list(symbol)
        for bit, position in enumerate(d_positions):
            if mask >> bit & 1:
                letters[position] = "Đ"
        keys.add((f"{serial}/" if serial else "") + "".join(letters))
    return sorted(keys, key=lambda k: k != key)


def parse_query(text: str, vocabulary: Vocabulary, reader, weights: Weights = Weights()) -> Parsed:
    """Parse user input against the index (its vocabulary and this thread's reader),
    with `weights` for the terms; raise QueryError for malformed input."""
    text = unify_tones(normalize_query(text or ""))
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is too long ({len(text)} characters; the limit is {MAX_QUERY_LENGTH}).")
    loose = fold(text) == text  # no diacritics anywhere
    parser = _Parser(_tokenize(text), vocabulary, reader, loose, weights)
    query = parser.parse()
    excluded = query.b if isinstance(query, wq.AndNot) else None
    if query is not None:
        if any(parser.slots):
            query = Rerank(query, parser.slots, weights)
        query = _prefer_named(query, parser.named_documents, parser.named_articles, weights)
    return Parsed(query, parser.highlight, excluded, " ".join(parser.notices) or None)


def _prefer_named(query: wq.Query, documents: set[str], articles: set[str], weights: Weights) -> wq.Query:
    """Rank first the sections of the documents and the articles the query named."""
    in_documents = wq.Or([wq.Term("key", k) for k in sorted(documents)]) if documents else None
    if in_documents is not None:
        query = Prefer(query, in_documents, weights.named_document)
    if articles:
        named = wq.Or([wq.Term("section", a) for a in sorted(articles)])
        if in_documents is not None:
            query = Prefer(query, wq.And([named, in_documents]), weights.named_article, admit=True)
        else:
            query = Prefer(query, named, weights.named_article)
    return query
