"""The layout pass: table cells, wrapped lines and markup become logical lines."""
from __future__ import annotations

import pytest

from search.layout import logical_lines, strip_markup
from search.normalize import normalize_text


def texts(raw: str) -> list[str]:
    return [line.text for line in logical_lines(normalize_text(raw))]


def test_cells_separated_by_bar_lines_are_kept_apart():
    raw = "\n".join(["|", "BỘ TÀI CHÍNH", "CỤC THUẾ", "|", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "|", "|", "Số: 5331/CT-CS", "|",
                     "Hà Nội, ngày 19 tháng 11 năm 2025", "|"])
    lines = logical_lines(normalize_text(raw))
    assert [(line.text, line.cell) for line in lines] == [
        ("BỘ TÀI CHÍNH", (0, 0, 0)), ("CỤC THUẾ", (0, 0, 0)),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", (0, 0, 1)), ("Độc lập - Tự do - Hạnh phúc", (0, 0, 1)),
        ("Số: 5331/CT-CS", (0, 1, 0)), ("Hà Nội, ngày 19 tháng 11 năm 2025", (0, 1, 1))]
    assert lines[0].block != lines[2].block and lines[2].gap


def test_markdown_rows_with_and_without_outer_bars_and_delimiter_rows():
    raw = "| Số: 12/UBND-VP | Hà Nội, ngày 2 tháng 6 năm 2021 |\n|---|:---:|\n| Kính gửi: Sở Y tế | |"
    lines = logical_lines(normalize_text(raw))
    assert [(line.text, line.cell[1:]) for line in lines] == [
        ("Số: 12/UBND-VP", (0, 0)), ("Hà Nội, ngày 2 tháng 6 năm 2021", (0, 1)), ("Kính gửi: Sở Y tế", (1, 0))]
    assert texts("Luật số: 80/2025/QH15 | Hà Nội, ngày 24 tháng 6 năm 2025 |") == [
        "Luật số: 80/2025/QH15", "Hà Nội, ngày 24 tháng 6 năm 2025"]


def test_a_line_break_inside_a_cell():
    assert texts("| KT. BỘ TRƯỞNG<br>THỨ TRƯỞNG<br/>Nguyễn Văn An |") == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn An"]


@pytest.mark.parametrize("raw, expected", [
    ("*Hà Nội, ngày 18\ntháng 11 năm 2025*", ["Hà Nội, ngày 18 tháng 11 năm 2025"]),
    ("*Thành phố Hồ Chí\nMinh, ngày 20 tháng 11 năm 2025*", ["Thành phố Hồ Chí Minh, ngày 20 tháng 11 năm 2025"]),
    ("Thành phố Hồ Chí\nMinh, ngày 20 tháng 11 năm 2025", ["Thành phố Hồ Chí Minh, ngày 20 tháng 11 năm 2025"]),
    ("*Nơi\nnhận:*\n- Như trên;", ["Nơi nhận:", "- Như trên;"]),
    ("**Kính\ngửi: **Ủy ban nhân dân tỉnh.", ["Kính gửi: Ủy ban nhân dân tỉnh."]),
    ("**Phạm Thị\nMinh Hiền**", ["Phạm Thị Minh Hiền"]),
    ("**Điều 1. **Phê\nduyệt danh mục kèm theo.", ["Điều 1. Phê duyệt danh mục kèm theo."]),
    ("**Điều 2. **Sở\nCông Thương chủ trì thực hiện.", ["Điều 2. Sở Công Thương chủ trì thực hiện."]),
    ("Căn cứ Nghị định\nsố 132/2020/NĐ-CP ngày 05/11/2020;", ["Căn cứ Nghị định số 132/2020/NĐ-CP ngày 05/11/2020;"]),
    ("theo quy định tại\nĐiều 5 của Luật này.", ["theo quy định tại Điều 5 của Luật này."]),
    ("Số: 3783/QĐ-\nUBND", ["Số: 3783/QĐ- UBND"]),
    ("khắc phục các\n\nbất cập, tồn tại.", ["khắc phục các bất cập, tồn tại."]),  # an OCR page break
])
def test_wrapped_lines_are_joined(raw, expected):
    assert texts(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("**CỘNG HÒA XÃ\nHỘI CHỦ NGHĨA VIỆT NAM**", ["CỘNG HÒA XÃ", "HỘI CHỦ NGHĨA VIỆT NAM"]),
    ("**KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG**\nNguyễn Văn An", ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn An"]),
    ("Điều 1. Phạm vi điều chỉnh\nLuật này quy định về báo chí.", ["Điều 1. Phạm vi điều chỉnh",
                                                                   "Luật này quy định về báo chí."]),
    ("Nơi nhận:\n- Như trên;\n- Lưu: VT.", ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]),
    ("1. Mục một;\na) ý thứ nhất;\nb) ý thứ hai.", ["1. Mục một;", "a) ý thứ nhất;", "b) ý thứ hai."]),
])
def test_lines_that_are_not_wrapped_stay_apart(raw, expected):
    """Upper-case lines keep their breaks (issuer, motto, signature); so do headings and items."""
    assert texts(raw) == expected


def test_a_wrapped_file_joins_full_lines_but_not_headings():
    prose = ("Ủy ban nhân dân các tỉnh: Đắk Lắk, Khánh Hòa, Gia Lai và Lâm Đồng khẩn trương gửi báo cáo về",
             "Văn phòng Chính phủ và các Bộ: Tài chính, Nông nghiệp và Môi trường trước ngày 25 tháng 11 để",
             "Bộ trưởng Bộ Tài chính tổng hợp, đề xuất sử dụng nguồn lực từ ngân sách trung ương hỗ trợ các",
             "tỉnh khắc phục hậu quả.")
    lines = list(prose) * 4 + ["Điều 3. Trách nhiệm thi hành", "Các Bộ trưởng chịu trách nhiệm thi hành."]
    out = texts("\n".join(lines))
    assert out[0] == " ".join(prose)
    assert out[-2:] == ["Điều 3. Trách nhiệm thi hành", "Các Bộ trưởng chịu trách nhiệm thi hành."]


@pytest.mark.parametrize("raw, expected", [
    ("C****ÔNG BÁO", "CÔNG BÁO"),
    ("t**ỉ**nh **Đ**ồng Nai", "tỉnh Đồng Nai"),
    ("**LUẬT****CÁN BỘ, CÔNG CHỨC**", "LUẬT CÁN BỘ, CÔNG CHỨC"),  # two syllables make no one word
    ("**Chương I****QUY ĐỊNH CHUNG**", "Chương I QUY ĐỊNH CHUNG"),
    ("thuế T****N****CN đã nộp", "thuế TNCN đã nộp"),
    ("Tờ trình số**347**/TTr-CP", "Tờ trình số 347/TTr-CP"),
    ("__Nơi nhận__:", "Nơi nhận:"),
    ("ghi chú (*) và 2*3", "ghi chú (*) và 2*3"),
    (r"1\. Mục \*một\*", "1. Mục *một*"),
    ("- Lưu: VT, KGVX<sup>(HĐD)</sup>.", "- Lưu: VT, KGVX(HĐD)."),
    ("QUỐC HỘI *****", "QUỐC HỘI"),
    ("VĂN PHÒNG CHÍNH PHỦ -------", "VĂN PHÒNG CHÍNH PHỦ"),
])
def test_markup_is_removed_even_inside_words(raw, expected):
    assert strip_markup(raw) == expected


def test_glued_lines_are_split_again():
    assert texts("**THÔNG TƯ****Quy định chế độ làm việc**") == ["THÔNG TƯ", "Quy định chế độ làm việc"]
    assert texts("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAMĐộc lập - Tự do - Hạnh phúc") == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert texts("- PCTrg Đặng Ngọc Minh; PTTgCP") == ["- PCTrg Đặng Ngọc Minh; PTTgCP"]  # codes stay whole


def test_markdown_headings_rules_and_links():
    lines = logical_lines(normalize_text("## NGHỊ ĐỊNH\n\n-------\n\nXem [văn bản gốc](https://example.org/a)"))
    assert [(line.text, line.heading) for line in lines] == [("NGHỊ ĐỊNH", 2), ("Xem văn bản gốc", 0)]


def test_logical_lines_remember_their_source_lines():
    raw = "|\nBỘ Y TẾ\n|\n*Hà Nội, ngày 18\ntháng 11 năm 2025*\n|"
    lines = logical_lines(normalize_text(raw))
    assert [(line.first, line.last) for line in lines] == [(1, 1), (3, 4)]


def test_skipped_source_lines_do_not_cut_a_paragraph():
    """A page header between two halves of a sentence: the halves join as if it were not there."""
    raw = "bảo đảm quyền của người\n\nCÔNG BÁO/Số 1/Ngày 1-1-2025\n3\n\nlao động theo quy định."
    lines = logical_lines(normalize_text(raw), skip={2, 3})
    assert [line.text for line in lines] == ["bảo đảm quyền của người lao động theo quy định."]
