"""pyvi's word segmentation, run without importing scikit-learn.

pyvi (MIT) ships a CRF model pickled as a `sklearn_crfsuite.CRF`; importing
`pyvi.ViTokenizer` unpickles it, which imports scikit-learn and SciPy: about a
second or more of start-up for a segmentation that then takes milliseconds. The
model inside is a plain CRFsuite file, and pyvi predicts with python-crfsuite's
Tagger. This module reads that file out of pyvi's pickle without building the
pickled objects, and reproduces `ViTokenizer.tokenize` (the syllable pattern,
the features, the joining rule) on the same Tagger, so the output is pyvi's,
character for character (tests/test_analysis.py compares the two).
"""
from __future__ import annotations

import codecs
import pickle
import re
import string
import unicodedata
from functools import lru_cache
from pathlib import Path

import pycrfsuite
import pyvi

_MODELS = Path(pyvi.__file__).parent / "models"

# ViTokenizer.sylabelize's pattern, in its order: abbreviations, specials, web, email, digit, non_word, word.
_SYLLABLE_RE = re.compile("(" + "|".join([
    r"[A-ZĐ]+\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\.",
    "==>", "->", r"\.\.\.", ">>", "\n",
    r"\w+://[^\s]+", r"([a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)",
    r"\d+([\.,_]\d+)+", r"[^\w\s]", r"\w+",
]) + ")")


class _Unbuilt:
    """Stands in for every class the pickle names: keeps the state, builds nothing."""

    def __init__(self, *args):
        self.args = args

    def __setstate__(self, state):
        self.state = state


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("_codecs", "encode"):  # how pickle protocol 2 writes bytes
            return codecs.encode
        return _Unbuilt


@lru_cache(maxsize=1)
def _model() -> bytes:
    with (_MODELS / "pyvi3.pkl").open("rb") as f:
        crf = _ModelUnpickler(f).load()
    return crf.state["modelfile"].state["__FILE_RESOURCE_DATA__"]


@lru_cache(maxsize=1)
def _tagger() -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(_model())  # CRFsuite reads the bytes in place: _model() keeps them alive
    return tagger


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    """pyvi's word list. pyvi keeps its two- and three-syllable words in two sets; one set of
    every line answers alike, since a pair of syllables (which hold no space) can only equal a
    line with one space, and a triple one with two."""
    return frozenset((_MODELS / "words.txt").read_text(encoding="utf-8").split("\n"))


def load() -> None:
    """Load the model and the word lists now rather than on the first segmentation."""
    _tagger()
    _words()


@lru_cache(maxsize=20_000)  # Vietnamese has about 7,000 syllables in use; numbers and codes vary
def _syllable_attributes(syllable: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A syllable's lower case and the CRF attributes it gives its own item, the next one's
    ("-1:") and the previous one's ("+1:"), in pyvi's order, the false ones left out."""
    lower, upper, title = syllable.lower(), syllable.isupper(), syllable.istitle()
    own = (f"word.lower():{lower}",) + ("word.isupper()",) * upper + ("word.istitle()",) * title \
        + ("word.isdigit()",) * syllable.isdigit()
    before = (f"-1:word.lower():{lower}",) + ("-1:word.istitle()",) * title + ("-1:word.isupper()",) * upper
    after = (f"+1:word.lower():{lower}",) + ("+1:word.istitle()",) * title + ("+1:word.isupper()",) * upper
    return lower, own, before, after


def _features(syllables: list[str]) -> list[list[str]]:
    """pyvi's features (ViTokenizer.sent2features) as CRFsuite reads them: pyvi's dicts become
    attributes "key:value" for text, and "key" of value 1.0 or 0.0 for booleans; an attribute
    of value 0 adds nothing to a score, so only the true ones are listed (same labels, a third
    of the attributes to convert)."""
    words = _words()
    attributes = [_syllable_attributes(s) for s in syllables]
    lower = [a[0] for a in attributes]
    pairs = [f"{a} {b}" in words for a, b in zip(lower, lower[1:])]  # pair i: syllables i, i + 1
    triples = [f"{a} {b} {c}" in words for a, b, c in zip(lower, lower[1:], lower[2:])]
    last = len(syllables) - 1
    out = []
    for i, (_, own, _, _) in enumerate(attributes):
        item = ["bias", *own]
        if i > 0:
            item += attributes[i - 1][2]
            if pairs[i - 1]:
                item.append("-1:word.bi_gram()")
            if i > 1 and triples[i - 2]:
                item.append("-2:word.tri_gram()")
        if i < last:
            item += attributes[i + 1][3]
            if pairs[i]:
                item.append("+1:word.bi_gram()")
            if i < last - 1 and triples[i]:
                item.append("+2:word.tri_gram()")
        out.append(item)
    return out


def tokenize(text: str) -> str:
    """`pyvi.ViTokenizer.tokenize(text)`: syllables of a word joined by "_", words by spaces."""
    syllables = [m.group(0) for m in _SYLLABLE_RE.finditer(unicodedata.normalize("NFC", text))]
    if not syllables:
        return text
    labels = _tagger().tag(_features(syllables))
    output = [syllables[0]]
    for i in range(1, len(labels)):
        current, previous = syllables[i], syllables[i - 1]
        joined = (labels[i] == "I_W" and current not in string.punctuation and previous not in string.punctuation
                  and not current[0].isdigit() and not previous[0].isdigit()
                  and not (current[0].istitle() and not previous[0].istitle()))
        output.append("_" if joined else " ")
        output.append(current)
    return "".join(output)
