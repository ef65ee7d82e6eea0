import pytest

from search.numbers import DOC_TYPES, NUMBER_RE, find_numbers, issuer_of, normalize_number, number_key

SPELLINGS = ["128/NQ-CP", "30/2021/QH15", "25-CT/TW", "4800/QĐ-BYT", "393/NQ-UBTVQH15", "1022/CĐ-TTg",
             "15/CT-TTg", "248/SY", "3659/VP-KGVX", "01/VBHN-VPQH", "21-LCT/HĐNN8", "45/2019/QH14"]


@pytest.mark.parametrize("number", SPELLINGS)
def test_numbers_are_found_whole_in_running_text(number):
    text = f"thực hiện văn bản {number}, ngày hôm qua"
    assert [m.group(0) for m in NUMBER_RE.finditer(text)] == [number]
    assert normalize_number(number) == number


@pytest.mark.parametrize("written,expected", [
    ("248 /SY", "248/SY"), ("128 / NQ-CP", "128/NQ-CP"), ("**6325**/UBND-KGVX", "6325/UBND-KGVX"),
    ("128/nq-cp", "128/NQ-CP"), ("1022/CĐ-TTg", "1022/CĐ-TTg"),
])
def test_normalize_number(written, expected):
    assert normalize_number(written) == expected


@pytest.mark.parametrize("text", ["20/11/2021", "7/2021", "COVID-19", "SARS-CoV-2", "1/2", "24/7",
                                  "2021-2022", "5K", "1.000.000", "F0", "tỷ lệ 3/4 dân số"])
def test_dates_codes_and_ratios_are_not_numbers(text):
    assert not NUMBER_RE.search(text)
    assert normalize_number(text) is None


def test_number_key_equates_spellings():
    assert number_key("128/nq-cp") == number_key("128 /NQ-CP") == number_key("128/NQ-CP") == "128/NQ-CP"
    assert number_key("1022/cđ-ttg") == number_key("1022/CĐ-TTg")
    assert number_key("hello") is None


def test_find_numbers_spans_types_and_dates():
    text = ("Thực hiện Nghị quyết số 128/NQ-CP ngày 11 tháng 10 năm 2021 và Công điện số 1022/CĐ-TTg; "
            "Thông báo 285/TB-VPCP, Thông báo số 121/TB-VPCP ngày 25/5/2021.")
    found = find_numbers(text)
    assert [(m.number, m.type, m.date) for m in found] == [
        ("128/NQ-CP", "Nghị quyết", "2021-10-11"),
        ("1022/CĐ-TTg", "Công điện", None),
        ("285/TB-VPCP", "Thông báo", None),
        ("121/TB-VPCP", "Thông báo", "2021-05-25"),
    ]
    assert [m.written for m in found][:2] == ["Nghị quyết số 128/NQ-CP", "Công điện số 1022/CĐ-TTg"]
    for m in found:
        assert text[m.start:m.end] == m.written


def test_find_numbers_list_inherits_the_type():
    found = find_numbers("theo Chỉ thị số 15/CT-TTg và số 16/CT-TTg của Thủ tướng")
    assert [(m.number, m.type, m.written) for m in found] == [
        ("15/CT-TTg", "Chỉ thị", "Chỉ thị số 15/CT-TTg"), ("16/CT-TTg", "Chỉ thị", "số 16/CT-TTg")]


def test_find_numbers_with_spaces_and_law_names():
    found = find_numbers("Sao y Số: 248 /SY; Luật Tài nguyên nước số 17/2012/QH13")
    assert [(m.number, m.type) for m in found] == [("248/SY", None), ("17/2012/QH13", "Luật")]


def test_doc_types_are_canonical():
    assert {"Nghị quyết", "Quyết định", "Thông báo", "Công văn", "Chỉ thị", "Công điện", "Luật",
            "Bộ luật", "Nghị định", "Thông tư"} <= set(DOC_TYPES)


@pytest.mark.parametrize("text, number", [
    ("Thông tư số 39/2018/TT- BTC", "39/2018/TT-BTC"),  # a space after the hyphen
    ("Nghị quyết số 66.4/2025/NQ-CP", "66.4/2025/NQ-CP"),  # a serial with a dot
    ("Tờ trình số347/TTr-CP", "347/TTr-CP"),  # glued to "số" (markup removed)
    ("Công văn số 20251022/CV-HD", "20251022/CV-HD"),  # an eight-digit serial
    ("Công văn 11554/VPCP-V.I", "11554/VPCP-V.I"),
])
def test_number_spellings_of_real_files(text, number):
    assert [m.number for m in find_numbers(text)] == [number]


@pytest.mark.parametrize("text", ["CÔNG BÁO/Số 287 + 288/Ngày 08-4-2022", "Phó Thủ tướng PTTgCP", "12/Ngày"])
def test_words_after_a_slash_are_no_symbol(text):
    """A symbol part is a code (capitals, or two capitals at least: TTg), not a word like 'Ngày'."""
    assert find_numbers(text) == []


@pytest.mark.parametrize("number, issuer", [
    ("121/TB-VPCP", "VĂN PHÒNG CHÍNH PHỦ"), ("51/2024/QH15", "QUỐC HỘI"), ("1022/CĐ-TTg", "THỦ TƯỚNG CHÍNH PHỦ"),
    ("24/2022/UBTVQH15", "ỦY BAN THƯỜNG VỤ QUỐC HỘI"), ("12/2021/TT-BTC", "BỘ TÀI CHÍNH"),
    ("384-QĐ/TW", "BAN CHẤP HÀNH TRUNG ƯƠNG"),
    ("3659/VP-KGVX", None), ("5615/CT-CS", None), ("12/UBND-VP", None), (None, None),  # no central body's code
])
def test_issuer_named_by_a_number(number, issuer):
    assert issuer_of(number) == issuer


def test_a_slash_typed_twice_is_one():
    from search.numbers import NUMBER_RE, normalize_number

    assert [m.group(0) for m in NUMBER_RE.finditer("Số: 24/2026//NQ-CP ngày 29/4/2026")] == ["24/2026//NQ-CP"]
    assert normalize_number("24/2026//NQ-CP") == normalize_number("24/2026/NQ-CP") == "24/2026/NQ-CP"
