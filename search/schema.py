"""The Whoosh schema: one index document ("record") per section.

Each document contributes a head record (its title and preamble, `section` "")
and one record per body section. Every record carries its document's metadata
so that filters, facets and collapsing to documents need no second look-up.
"""
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from . import analysis

# Content fields and their BM25F weights, chosen on the development queries and
# ALQAC (see README, "Design notes"). Exact forms outrank folded ones.
CONTENT_FIELDS = {
    "words": 0.5,     # pyvi words
    "syl": 1.0,       # syllables: robust to segmentation differences
    "bigram": 1.0,    # adjacent syllable pairs: phrase-like precision, cheap
    "heading": 0.3,   # section heading (article title) or document title
}
# A syllable typed without diacritics in a query that has them elsewhere matches
# its accented forms ("ho" ~ "hộ") at this weight, below the typed form; in a
# query typed wholly without diacritics all forms count fully (query.Vocabulary).
FOLDED_WEIGHT = 0.4


def make_schema() -> Schema:
    return Schema(
        # identity and incremental state
        file=ID(stored=True),
        filestate=ID(stored=True),  # the file's name, root and SHA-1, read back by the next build
        key=ID(stored=True, sortable=True),
        section=ID(stored=True),
        order=STORED(),  # position of the record within its document
        # metadata, stored for display and sortable for facets
        number=ID(stored=True),
        number_key=ID(),
        type=ID(stored=True, sortable=True),
        type_key=ID(),
        issuer=ID(stored=True, sortable=True),
        issuer_f=TEXT(analyzer=analysis.terms_analyzer(), phrase=False),  # folded_key(issuer)
        signer=ID(stored=True, sortable=True),
        signer_f=TEXT(analyzer=analysis.terms_analyzer(), phrase=False),  # folded_key(signer)
        date=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        title=STORED(),
        path=STORED(),
        heading_text=STORED(),
        text=STORED(),
        doc=STORED(),  # the whole parsed document as a dict, on head records only
        refs=KEYWORD(commas=True, scorable=False),   # numbers the document cites
        srefs=KEYWORD(commas=True, scorable=False),  # numbers written in this record
        # searchable content, prepared by analysis.field_texts from one segmentation
        words=TEXT(analyzer=analysis.terms_analyzer(), phrase=False),
        syl=TEXT(analyzer=analysis.terms_analyzer(), phrase=True),
        bigram=TEXT(analyzer=analysis.terms_analyzer(), phrase=False),
        heading=TEXT(analyzer=analysis.terms_analyzer(), phrase=False),  # the heading's syllables
    )


def signature(schema: Schema) -> list[tuple]:
    """What an index must share with this version's schema to be searched by it."""
    return sorted((name, type(f).__name__, f.stored, f.scorable, type(f.format).__name__,
                   getattr(f, "column_type", None) is not None)
                  for name, f in schema.items())
