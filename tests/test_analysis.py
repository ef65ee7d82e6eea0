"""The Vietnamese analysis chain: segmentation, protected codes, folding, tones."""
import unicodedata
from pathlib import Path

from search import analysis


def terms(field, text):
    return analysis.field_texts(analysis.segment(text))[field].split()


def test_segment_joins_words_and_keeps_numbers_whole():
    seg = analysis.segment("Thủ tướng Chính phủ ban hành Nghị quyết số 128/NQ-CP ngày 20/11/2021")
    words = seg.split()
    assert "Thủ_tướng" in words and "Chính_phủ" in words
    assert "128/NQ-CP" in words
    assert "20/11/2021" in words


def test_document_numbers_and_codes_are_single_tokens():
    syl = terms("syl",
                 "theo Luật số 30/2021/QH15, Chỉ thị 25-CT/TW, Số: 248 /SY và dịch COVID-19")
    for code in ("30/2021/qh15", "25-ct/tw", "248/sy"):
        assert code in syl


def test_other_codes_are_whole_words_and_also_give_their_parts():
    text = "dịch COVID-19 ngày 20/11/2021"
    assert {"covid-19", "20/11/2021"} <= set(terms("words", text))
    assert {"covid", "19", "20", "11", "2021"} <= set(terms("syl", text))


def test_punctuation_is_dropped_and_text_lowercased():
    assert terms("syl", "Phòng, chống DỊCH.") == ["phòng", "chống", "dịch"]


def test_old_and_new_tone_placement_give_the_same_terms():
    old = terms("syl", "hoà bình, uỷ ban, thuý, khoẻ")
    new = terms("syl", "hòa bình, ủy ban, thúy, khỏe")
    assert old == new


def test_nfd_input_gives_the_same_terms_as_nfc():
    text = "Ủy ban nhân dân tỉnh Kiên Giang"
    nfd = unicodedata.normalize("NFD", text)
    assert terms("syl", nfd) == terms("syl", text)


def test_bigrams_span_punctuation():
    assert "phòng_chống" in terms("bigram", "phòng, chống dịch")


def test_words_field_keeps_pyvi_words():
    assert "thủ_tướng" in terms("words", "Thủ tướng Chính phủ")


def test_folded_key_for_names():
    assert analysis.folded_key("  Nguyễn  Sỹ HIỆP ") == "nguyen sy hiep"


# --- the segmentation cache ---------------------------------------------------------------------

def test_the_segmentation_cache_is_keyed_by_the_analysis_version(tmp_path, monkeypatch):
    from search import analysis
    from search.segment_cache import SegmentCache

    calls = []

    def segment(text):
        calls.append(text)
        return f"segmented:{len(calls)}"

    monkeypatch.setattr(analysis, "segment", segment)
    path = tmp_path / "segments.sqlite"
    cache = SegmentCache(path, version="v1")
    first = cache.segment("Hộ chiếu vắc xin")
    cache.close()
    cache = SegmentCache(path, version="v1")
    assert cache.segment("Hộ chiếu vắc xin") == first and len(calls) == 1  # reused
    cache.close()
    cache = SegmentCache(path, version="v2")  # the analysis changed: segmented again
    second = cache.segment("Hộ chiếu vắc xin")
    cache.close()
    assert len(calls) == 2 and second != first
    cache = SegmentCache(path, version="v1")  # the other version's entries were dropped
    cache.segment("Hộ chiếu vắc xin")
    cache.close()
    assert len(calls) == 3


def test_the_analysis_version_follows_pyvi(monkeypatch):
    from search import analysis

    version = analysis.version()
    analysis.version.cache_clear()
    monkeypatch.setattr("importlib.metadata.version", lambda name: "99.0")
    try:
        assert analysis.version() != version
    finally:
        analysis.version.cache_clear()


def test_the_segmenter_gives_pyvis_words(notices_dir):
    """search.segmenter runs pyvi's model without scikit-learn; its output must be pyvi's own,
    on whole documents and line by line (sentence starts, capitals, digits, punctuation)."""
    from pyvi import ViTokenizer

    from search import segmenter

    texts = [p.read_text(encoding="utf-8") for p in sorted(notices_dir.glob("*.txt"))]
    lines = [line for text in texts for line in text.splitlines()]
    odd = ["", "   ", "!!!", "a", "Tp. Hồ Chí Minh", "ThS. Nguyễn Văn A và Dr. B", "Mr. X -> Y ==> Z ... >> W",
           "thư a.b+c@mail.gov.vn, trang https://chinhphu.vn/?a=1", "1.000.000 đồng, 12,5 %, 3_4",
           "ĐẢNG CỘNG SẢN VIỆT NAM", "Hà Nội\nngày 27 tháng 11", "phòng, chống dịch COVID-19"]
    for text in texts + lines + odd:
        assert segmenter.tokenize(text) == ViTokenizer.tokenize(text), text[:80]


def test_a_search_from_the_command_line_does_not_load_scikit_learn(corpus_index):
    """The command's start-up is most of a single query's wait: scikit-learn and SciPy (pulled in
    by pyvi's pickled model) took seconds; the segmenter needs only python-crfsuite."""
    import subprocess
    import sys

    script = ("import sys, cli\n"
              "try:\n    cli.main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'sklearn_crfsuite'}))")
    out = subprocess.run([sys.executable, "-c", script, "search", "hộ chiếu vắc xin", "--index", str(corpus_index),
                          "--json"], capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1]).stdout
    assert '"hits"' in out and out.strip().splitlines()[-1] == "[]"
