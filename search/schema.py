"""The Whoosh schema: one index document ("record") per section.

Each document contributes a head record (its title and preamble, `section` "")
and one record per body section. Every record carries its document's metadata
so that filters, facets and collapsing to documents need no second look-up.
The record's keys and what each holds: search/records.py (`Record`).
"""
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from . import analysis
from .whoosh_internals import TermFrequencies, TermPositions


def _terms_field(positions: bool = False) -> TEXT:
    field = TEXT(analyzer=analysis.terms_analyzer(), phrase=positions)
    field.format = TermPositions() if positions else TermFrequencies()
    return field


def make_schema() -> Schema:
    return Schema(
        # identity and incremental state
        file=ID(stored=True),
        filestate=ID(stored=True),  # the file's name, root and SHA-1, read back by the next build
        key=ID(stored=True, sortable=True),
        section=ID(stored=True, sortable=True),  # sortable: the parts of a long section collapse to one hit
        order=STORED(),  # position of the record within its document
        # metadata, stored for display and sortable for facets
        number=ID(stored=True),
        number_key=ID(),
        type=ID(stored=True, sortable=True),
        type_key=ID(),
        issuer=ID(stored=True, sortable=True),
        issuer_f=_terms_field(),  # folded_key(issuer)
        signer=ID(stored=True, sortable=True),
        signer_f=_terms_field(),  # folded_key(signer)
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
        words=_terms_field(),
        syl=_terms_field(positions=True),
        bigram=_terms_field(),
        heading=_terms_field(),  # the heading's syllables
    )


def signature(schema: Schema) -> list[tuple]:
    """What an index must share with this version's schema to be searched by it."""
    return sorted((name, type(f).__name__, f.stored, f.scorable, type(f.format).__name__,
                   getattr(f, "column_type", None) is not None)
                  for name, f in schema.items())

