"""The parser against the hand-checked gold metadata, on laws, and on bad input."""
from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.normalize import normalize_text, unify_tones
from search.numbers import number_key
from search.parse import parse_file, parse_text

from conftest import FIXTURES

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def _gold():
    return json.loads((FIXTURES / "seed_gold.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="module")
def parsed(notices_dir):
    files = {g["file"] for g in _gold()}
    return {name: parse_file(notices_dir / name, name) for name in files}


def _squash(s: str) -> str:
    return " ".join(s.split()).casefold()


def _letters(s: str | None) -> str:
    return "".join(c for c in s or "" if c.isalpha()).upper()


def test_each_file_splits_into_the_gold_documents(parsed):
    expected = defaultdict(list)
    for g in _gold():
        expected[g["file"]].append(g["ordinal"])
    for name, docs in parsed.items():
        assert [d.ordinal for d in docs] == sorted(expected[name]), name



@pytest.mark.parametrize("index", range(9))
def test_every_gold_field(parsed, index):
    gold = _gold()
    assert len(gold) == 9
    g = gold[index]
    doc = parsed[g["file"]][g["ordinal"] - 1]
    where = doc.key

    assert doc.number in g["number"], where
    assert doc.type in g["type"], where
    assert doc.place in g["place"], where
    assert doc.date in g["date"], where

    issuer = (doc.issuer or "").upper()
    for part in g["issuer_contains"]:
        assert part in issuer, where
    assert unify_tones(MOTTO) not in unify_tones(issuer), where
    assert "ĐỘC LẬP" not in issuer, where

    if g["title_starts"] is None:
        assert doc.title is None, where
    else:
        title = re.sub(r"^V/v\s*", "", doc.title or "")
        assert _squash(title).startswith(_squash(g["title_starts"])), where

    assert doc.signer.name == g["signer"]["name"], where
    assert doc.signer.position == g["signer"]["position"], where
    assert _letters(doc.signer.on_behalf_of) == _letters(g["signer"]["on_behalf_of"]), where

    refs = {number_key(r.number): r.count for r in doc.references}
    expected = {number_key(n): c for n, c in g["references"].items()}
    assert set(refs) == set(expected), where
    for key, count in expected.items():
        low, high = count if isinstance(count, list) else (count, count)
        assert low <= refs[key] <= high, (where, key)


def test_notice_structure(parsed):
    doc = parsed["000_68b4e8d136df2930.txt"][0]
    assert doc.preamble.startswith("Sáng ngày 20 tháng 11 năm 2021, tại trụ sở")
    assert [s.id for s in doc.sections] == ["1", "2", "3", "4"]
    assert doc.sections[3].heading == "Các nhiệm vụ trọng tâm thời gian tới"
    # a paragraph cut by a page break continues in the same section
    assert "khắc phục các\nbất cập" not in doc.sections[0].text
    assert "khắc phục các bất cập" in doc.sections[0].text
    assert "Ban Bí thư Trung ương Đảng" in doc.recipients
    assert not any("Nơi nhận" in s.text or "Nguyễn Sỹ Hiệp" in s.text for s in doc.sections)


def test_bold_numbered_heading_and_subsections(parsed):
    doc = parsed["001_8c1271b839ae684b.txt"][0]
    by_id = {s.id: s for s in doc.sections}
    assert by_id["2"].heading.startswith("Công tác lãnh đạo, chỉ đạo phòng, chống dịch COVID-19")
    assert by_id["5.1"].path == ["5", "1"]
    lettered = parsed["002_1e68a79eac066694.txt"][1].sections
    assert [s.id for s in lettered if s.path[0] == "2"] == ["2", "2.a", "2.b", "2.c", "2.d", "2.đ"]
    assert next(s for s in lettered if s.id == "2.đ").path == ["2", "đ"]


def test_recipients_of_dispatch(parsed):
    doc = parsed["003_c722c5a340bb8371.txt"][0]
    assert doc.recipients[:3] == ["Các Sở, Ban, ngành, hội, đoàn thể cấp tỉnh",
                                  "Các đơn vị lực lượng vũ trang cấp tỉnh",
                                  "Ủy ban nhân dân các huyện, thành phố"]
    assert "Như trên" in doc.recipients  # from the misspelt 'Noi nhậm:' block


LAW = """QUỐC HỘI
--------
CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Luật số: 103/2016/QH13
Hà Nội, ngày 05 tháng 4 năm 2016
LUẬT
BÁO CHÍ
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Quốc hội ban hành Luật báo chí.
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Luật này quy định về quyền tự do báo chí.
Điều 2. Giải thích từ ngữ
1. Báo chí là sản phẩm thông tin.
2. Nhà báo là người hoạt động báo chí theo Nghị định số 09/2017/NĐ-CP.
Chương II
QUYỀN TỰ DO BÁO CHÍ
Mục 1
QUY ĐỊNH CHUNG
Điều 3. Trách nhiệm
Cơ quan nhà nước có trách nhiệm bảo đảm quyền này.
Luật này đã được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XIII, kỳ họp thứ 11 thông qua ngày 05 tháng 4 năm 2016.
CHỦ TỊCH QUỐC HỘI
Nguyễn Thị Kim Ngân
"""


def test_law_structure():
    [doc] = parse_text(normalize_text(LAW), "law.txt")
    assert (doc.number, doc.type, doc.issuer, doc.place, doc.date, doc.title) == (
        "103/2016/QH13", "Luật", "QUỐC HỘI", "Hà Nội", "2016-04-05", "Luật Báo chí")
    assert doc.signer.name == "Nguyễn Thị Kim Ngân"
    assert (doc.signer.position, doc.signer.on_behalf_of) == ("CHỦ TỊCH QUỐC HỘI", None)
    assert doc.preamble.startswith("Căn cứ Hiến pháp")
    assert [(s.id, s.path, s.heading) for s in doc.sections] == [
        ("1", ["Chương I", "1"], "Phạm vi điều chỉnh"),
        ("2", ["Chương I", "2"], "Giải thích từ ngữ"),
        ("3", ["Chương II", "Mục 1", "3"], "Trách nhiệm"),
    ]
    assert "1. Báo chí là sản phẩm thông tin." in doc.sections[1].text
    assert "QUYỀN TỰ DO" not in doc.sections[1].text  # a chapter title is not article text
    assert [(r.number, r.type) for r in doc.references] == [("09/2017/NĐ-CP", "Nghị định")]


def test_law_without_header_date_takes_the_adoption_date():
    text = LAW.replace("Hà Nội, ngày 05 tháng 4 năm 2016\n", "")
    [doc] = parse_text(normalize_text(text), "law.txt")
    assert doc.date == "2016-04-05"


@pytest.mark.parametrize("text", ["", "\n\n", "   ", "###", "Số:", "THÔNG BÁO", "Nơi nhận:", "1.", "a)",
                                  "Điều 1.\nĐiều 2.", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "\x00\x01garbage\ufffd"])
def test_never_crashes_on_fragments(text):
    docs = parse_text(normalize_text(text), "x.txt")
    assert len(docs) >= 1 and docs[0].ordinal == 1


def test_headerless_text_gives_one_document_with_sections():
    text = "Mở đầu văn bản.\n\n1. Mục thứ nhất.\n\n2. Mục thứ hai:\n\na) Ý một;\n\nb) Ý hai."
    [doc] = parse_text(normalize_text(text), "plain.txt")
    assert (doc.number, doc.type, doc.issuer, doc.date, doc.title) == (None, None, None, None, None)
    assert doc.preamble == "Mở đầu văn bản."
    assert [s.id for s in doc.sections] == ["1", "2", "2.a", "2.b"]
    assert doc.sections[1].heading == "Mục thứ hai"


LINES = st.sampled_from([
    "", "THÔNG BÁO", "Số: 12/TB-VPCP", "Hà Nội, ngày 1 tháng 2 năm 2021", "V/v việc gì đó",
    "Kính gửi:", "- Bộ Y tế;", "Nơi nhận:", "KT. BỘ TRƯỞNG", "PHÓ CHỦ NHIỆM", "Nguyễn Văn A",
    "1. Nội dung thứ nhất", "a) Ý nhỏ", "Điều 1. Phạm vi", "Chương I", "Mục 1",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "-------",
    "văn bản tiếp tục " * 8, "SAO Y BẢN CHÍNH", "5.1. Ý", "(1) ý", "II. PHẦN HAI", "LUẬT",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=30), st.text(max_size=40))
def test_never_crashes_on_shuffled_document_lines(lines, noise):
    docs = parse_text(normalize_text("\n".join(lines) + noise), "fuzz.txt")
    assert [d.ordinal for d in docs] == list(range(1, len(docs) + 1))


def test_decision_with_enacting_formula_and_long_title():
    """A Quyết định: the title is the long 'Về việc …' line, and the later 'QUYẾT ĐỊNH:'
    (the enacting formula) neither replaces it nor starts a document; articles are sections."""
    text = normalize_text("\n".join([
        "BỘ Y TẾ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 4800/QĐ-BYT", "Hà Nội, ngày 12 tháng 10 năm 2021", "", "QUYẾT ĐỊNH",
        "Về việc ban hành Hướng dẫn tạm thời về chuyên môn y tế thực hiện Nghị quyết số 128/NQ-CP "
        "ngày 11 tháng 10 năm 2021 của Chính phủ", "", "BỘ TRƯỞNG BỘ Y TẾ", "",
        "Căn cứ Nghị định số 75/2017/NĐ-CP ngày 20 tháng 6 năm 2017 của Chính phủ;", "", "QUYẾT ĐỊNH:", "",
        "Điều 1. Ban hành kèm theo Quyết định này Hướng dẫn tạm thời.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.", "", "Nơi nhận:", "- Như Điều 2;", "",
        "BỘ TRƯỞNG", "", "Nguyễn Văn A",
    ]))
    [doc] = parse_text(text, "qd.txt")
    assert (doc.number, doc.type, doc.date) == ("4800/QĐ-BYT", "Quyết định", "2021-10-12")
    assert doc.title.startswith("Về việc ban hành Hướng dẫn tạm thời")
    assert [s.id for s in doc.sections] == ["1", "2"]
    assert doc.signer.name == "Nguyễn Văn A" and doc.signer.position == "BỘ TRƯỞNG"
    assert {r.number for r in doc.references} == {"128/NQ-CP", "75/2017/NĐ-CP"}


def _cover_letter(cited: str, forwarded: int) -> str:
    notice = "\n".join(["", "THÔNG BÁO", "Kết luận của Chủ tịch", "", "1. Nội dung kết luận.", "",
                        "Nơi nhận:", "- Như trên;", "", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "Trần Văn B", ""])
    cover = "\n".join(["UBND TỈNH X", "Số: 12/UBND-VP", "V/v triển khai kết luận",
                       "X, ngày 2 tháng 6 năm 2021", "Kính gửi: Các sở, ngành.", "",
                       f"Ủy ban nhân dân tỉnh nhận được {cited} của Văn phòng Chính phủ thông báo kết luận "
                       "của Thủ tướng Chính phủ; đề nghị các sở, ngành nghiên cứu, triển khai thực hiện.", "",
                       "Nơi nhận:", "- Như trên;", "", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "Nguyễn Văn C", ""])
    return normalize_text(cover + notice * forwarded)


def test_forwarded_documents_take_their_numbers_from_the_cover_letter_in_order():
    text = _cover_letter("Thông báo số 121/TB-VPCP ngày 25/5/2021 và Thông báo số 129/TB-VPCP", 2)
    cover, first, second = parse_text(text, "f.txt")
    assert cover.number == "12/UBND-VP"
    assert (first.number, first.date) == ("121/TB-VPCP", "2021-05-25")
    assert (second.number, second.date) == ("129/TB-VPCP", None)


def test_forwarded_documents_stay_unnumbered_when_the_cover_letter_is_ambiguous():
    text = _cover_letter("Thông báo số 121/TB-VPCP", 2)  # one cited, two forwarded
    _, first, second = parse_text(text, "f.txt")
    assert first.number is None and second.number is None
