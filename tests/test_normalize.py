import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from search.normalize import clean_markup, fold, nfc, normalize_text, unify_tones

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


def test_clean_markup_keeps_the_text():
    assert clean_markup("**THÔNG BÁO**") == "THÔNG BÁO"
    assert clean_markup("**UBND TỈNH KIÊN GIANG\nVĂN PHÒNG**") == "UBND TỈNH KIÊN GIANG\nVĂN PHÒNG"
    assert clean_markup("Số: **6325**/UBND-KGVX") == "Số: 6325/UBND-KGVX"
    assert clean_markup("### **5. Phương hướng:**") == "5. Phương hướng:"
    assert clean_markup("*Nơi nhận:*") == "Nơi nhận:"
    assert clean_markup("__gạch__ và *nghiêng* chữ") == "gạch và nghiêng chữ"
    assert clean_markup("- Lưu: VT, KGVX<sup>(HĐD)</sup>.") == "- Lưu: VT, KGVX(HĐD)."
    assert clean_markup(r"1\. Mục \*một\*") == "1. Mục *một*"


def test_clean_markup_keeps_rules_and_lone_asterisks():
    assert clean_markup("*******") == "*******"
    assert clean_markup("ghi chú (*) và 2*3") == "ghi chú (*) và 2*3"


def test_normalize_text():
    raw = "VĂN\u00a0PHÒNG\tCHÍNH  PHỦ  \r\nSố: 318/TB-VPCP\r\n\ufeff**THÔNG BÁO**"
    assert normalize_text(raw) == "VĂN PHÒNG CHÍNH PHỦ\nSố: 318/TB-VPCP\nTHÔNG BÁO"


def test_normalize_text_composes_nfd_and_keeps_tone_placement():
    nfd = unicodedata.normalize("NFD", "Cộng hoà, Uỷ ban")
    assert normalize_text(nfd) == "Cộng hoà, Uỷ ban"
