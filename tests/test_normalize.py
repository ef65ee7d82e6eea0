import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from search.normalize import fold, nfc, normalize_text, unify_tones

VIETNAMESE = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐEÊOÔƠUƯY ,.\n")
                             + list("àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
                             + list("ÀÁẢÃẠÈÉẺẼẸÒÓỎÕỌÙÚỦŨỤỲÝỶỸỴ")),
    max_size=60,
)


def test_old_and_new_tone_placement_compare_equal():
    pairs = [("hoà", "hòa"), ("uỷ", "ủy"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("hoá", "hóa"),
             ("loà", "lòa"), ("HOÀ", "HÒA"), ("Uỷ ban", "Ủy ban"), ("UỶ BAN", "ỦY BAN"), ("tuỳ", "tùy")]
    for old, new in pairs:
        assert unify_tones(old) == unify_tones(new) == new


def test_tones_left_alone_where_both_styles_agree():
    for word in ["hoàn", "thuyền", "quý", "quỳ", "Quỳnh", "ngoài", "khuya", "hoàng", "khuỷu", "toán"]:
        assert unify_tones(word) == word


def test_unify_tones_in_running_text():
    assert unify_tones("Cộng hoà xã hội, Uỷ ban nhân dân, sức khoẻ") == "Cộng hòa xã hội, Ủy ban nhân dân, sức khỏe"


@given(VIETNAMESE)
def test_unify_tones_and_fold_preserve_length(text):
    text = nfc(text)
    assert len(unify_tones(text)) == len(text)
    assert len(fold(text)) == len(text)


def test_fold():
    assert fold("Đắk Nông, Phạm Thế Xuyên, ĐIỆN BIÊN") == "Dak Nong, Pham The Xuyen, DIEN BIEN"
    assert fold("Quyết định số 4800/QĐ-BYT") == "Quyet dinh so 4800/QD-BYT"


def test_normalize_text():
    raw = "VĂN\u00a0PHÒNG\tCHÍNH  PHỦ  \r\nSố: 318/TB-VPCP\r\n\ufeff**THÔNG BÁO**"
    # markup is the layout pass's to read (search/layout.py), so it stays
    assert normalize_text(raw) == "VĂN PHÒNG CHÍNH PHỦ\nSố: 318/TB-VPCP\n**THÔNG BÁO**"


def test_look_alike_letters_become_vietnamese_ones():
    """Icelandic eth (U+00D0, U+00F0) is typed for Đ/đ in real files: 'Ðiều 5' must be an article."""
    assert normalize_text("\u00d0iều 5. Quy \u00f0ịnh") == "Điều 5. Quy định"


def test_zero_width_characters_separate_words_and_soft_hyphens_vanish():
    assert normalize_text("cách\u200bly") == "cách ly"
    assert normalize_text("vắc\u200b \u200bxin") == "vắc xin"
    assert normalize_text("Thủ\u00adtướng\u200dChính\u2060phủ\u200cnước\ufeffta") == "Thủtướng Chính phủ nước ta"
    assert normalize_text("a\u2028b\u2029c\x85d\ve") == "a\nb\nc\nd\ne"


def test_normalize_text_composes_nfd_and_keeps_tone_placement():
    nfd = unicodedata.normalize("NFD", "Cộng hoà, Uỷ ban")
    assert normalize_text(nfd) == "Cộng hoà, Uỷ ban"
