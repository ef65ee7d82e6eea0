"""The Vietnamese analysis chain: segmentation, protected codes, folding, tones."""
import unicodedata

from search import analysis


def tokens(analyzer, text):
    return [t.text for t in analyzer(analysis.segment(text))]


def test_segment_joins_words_and_keeps_numbers_whole():
    seg = analysis.segment("Thủ tướng Chính phủ ban hành Nghị quyết số 128/NQ-CP ngày 20/11/2021")
    words = seg.split()
    assert "Thủ_tướng" in words and "Chính_phủ" in words
    assert "128/NQ-CP" in words
    assert "20/11/2021" in words


def test_document_numbers_and_codes_are_single_tokens():
    syl = tokens(analysis.syllables_analyzer(),
                 "theo Luật số 30/2021/QH15, Chỉ thị 25-CT/TW, Số: 248 /SY và dịch COVID-19")
    for code in ("30/2021/qh15", "25-ct/tw", "248/sy", "covid-19"):
        assert code in syl


def test_punctuation_is_dropped_and_text_lowercased():
    assert tokens(analysis.syllables_analyzer(), "Phòng, chống DỊCH.") == ["phòng", "chống", "dịch"]


def test_folded_field_removes_diacritics_including_d_bar():
    assert tokens(analysis.folded_analyzer(), "Đắk Nông hộ chiếu") == ["dak", "nong", "ho", "chieu"]


def test_old_and_new_tone_placement_give_the_same_terms():
    old = tokens(analysis.syllables_analyzer(), "hoà bình, uỷ ban, thuý, khoẻ")
    new = tokens(analysis.syllables_analyzer(), "hòa bình, ủy ban, thúy, khỏe")
    assert old == new


def test_nfd_input_gives_the_same_terms_as_nfc():
    text = "Ủy ban nhân dân tỉnh Kiên Giang"
    nfd = unicodedata.normalize("NFD", text)
    assert tokens(analysis.syllables_analyzer(), nfd) == tokens(analysis.syllables_analyzer(), text)


def test_bigrams_span_punctuation():
    assert "phòng chống" in tokens(analysis.bigrams_analyzer(), "phòng, chống dịch")
    assert "phong chong" in tokens(analysis.folded_bigrams_analyzer(), "phòng, chống dịch")


def test_folded_key_for_names():
    assert analysis.folded_key("  Nguyễn  Sỹ HIỆP ") == "nguyen sy hiep"
