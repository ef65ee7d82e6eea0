"""The parser against the hand-checked gold metadata, on laws, and on bad input."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.chrome import find_chrome
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
    "|", "| Số: 1/UBND | Hà Nội, ngày 2 tháng 3 năm 2024 |", "|---|---|", "**", "*Hà Nội, ngày 18",
    "tháng 11 năm 2025*", "CÔNG BÁO/Số 1/Ngày 1-1-2025", "Ký bởi: Cổng", "Ngày ký: 2025", "**Số hiệu:**",
    "PHỤ LỤC I", "[1] Ghi chú", "T/M BAN", "\u00d0iều 2.", "PHẦN THỨ NHẤT", "Mẫu số 01", "(Ban hành kèm theo)",
    "Văn bản này chưa cập nhật nội dung Tiếng Anh", "Thượng tướng Võ Văn A", "Số: /KH-SCT", "C****ÔNG",
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


# --- layouts of real files (short hand-written fixtures) ---------------------------------------

def _parse(raw: str, name: str = "doc.md"):
    return parse_text(normalize_text(raw), name)


def _words(text: str) -> Counter:
    return Counter(re.findall(r"[^\W\d_]+|\d+", text.casefold()))


def _output_words(docs) -> Counter:
    """Every word a document outputs, its metadata written as printed."""
    out = Counter()
    for d in docs:
        parts = [d.issuer, d.motto, d.type, d.title, d.number, d.place, d.signer.on_behalf_of, d.signer.position,
                 d.signer.rank, d.signer.name, d.preamble, *d.notes, *d.recipients]
        parts += [f"{s.label} {s.heading} {s.text}" for s in d.sections]
        parts += [f"{v.label} {v.title}" for v in d.divisions]
        if d.date:
            parts.append(" ".join(d.date.split("-")))
        out.update(_words(" ".join(p for p in parts if p)))
    return out


# A dispatch saved from a portal: table cells (a "|" line between cells, two between rows),
# bold and italic markers, lines wrapped mid-phrase, an appendix and a footnote after the signature.
PORTAL_DISPATCH = """|
**BỘ TÀI
CHÍNH**
**CỤC THUẾ**
-------
|
**CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 5331/CT-CS
*V/v:
Chính sách thuế thu nhập cá nhân*
|
*Thành phố Hồ Chí
Minh, ngày 18
tháng 11 năm 2025*
|
**Kính
gửi: **Công ty TNHH Ánh Dương.
Cục Thuế nhận được công văn số 12/AD-KT của Công ty hỏi về chính sách thuế thu nhập cá nhân đối với
khoản tiền ăn giữa ca[1]. Về vấn đề này, Cục Thuế có ý kiến như sau:
**1. **Khoản
tiền ăn giữa ca được trừ theo Thông tư số 111/2013/TT-BTC.
**2. **Đề nghị
Công ty căn cứ hồ sơ thực tế để thực hiện./.
|
*Nơi
nhận:*
- Như trên;
- Lưu: VT, CS.
|
**TL. CỤC TRƯỞNG**
KT. TRƯỞNG BAN CHÍNH SÁCH
PHÓ TRƯỞNG BAN
**Mạnh Thị
Tuyết Mai**
|
**PHỤ LỤC I**
DANH SÁCH KHOẢN CHI ĐƯỢC TRỪ
1. Tiền ăn giữa ca.
2. Tiền trang phục.
[1] Công văn số 5106/CT-CS ngày 12/11/2025 của Cục Thuế.
"""


def test_portal_dispatch_in_table_cells():
    [doc] = _parse(PORTAL_DISPATCH)
    assert (doc.number, doc.type, doc.issuer, doc.place, doc.date) == (
        "5331/CT-CS", "Công văn", "BỘ TÀI CHÍNH CỤC THUẾ", "Thành phố Hồ Chí Minh", "2025-11-18")
    assert doc.motto == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"
    assert doc.title == "Chính sách thuế thu nhập cá nhân"
    assert doc.recipients == ["Công ty TNHH Ánh Dương", "Như trên", "Lưu: VT, CS"]
    assert (doc.signer.name, doc.signer.position, doc.signer.on_behalf_of) == (
        "Mạnh Thị Tuyết Mai", "PHÓ TRƯỞNG BAN", "TL. CỤC TRƯỞNG KT. TRƯỞNG BAN CHÍNH SÁCH")
    assert doc.preamble.startswith("Cục Thuế nhận được công văn số 12/AD-KT của Công ty hỏi về chính sách")
    assert [(s.id, s.label) for s in doc.sections] == [
        ("1", "1."), ("2", "2."), ("Phụ lục I", "Phụ lục I"), ("Phụ lục I.1", "1."), ("Phụ lục I.2", "2."),
        ("Chú thích", "Chú thích")]
    appendix = doc.sections[2]
    assert (appendix.path, appendix.heading) == (["Phụ lục I"], "DANH SÁCH KHOẢN CHI ĐƯỢC TRỪ")
    assert doc.sections[3].path == ["Phụ lục I", "1"]
    assert "Công văn số 5106/CT-CS" in doc.sections[-1].text
    # appendices and footnotes are text of the document: their citations count too
    assert {r.number for r in doc.references} == {"12/AD-KT", "111/2013/TT-BTC", "5106/CT-CS"}


def test_portal_dispatch_loses_no_text():
    [doc] = _parse(PORTAL_DISPATCH)
    wanted = _words(re.sub(r"[*|_-]", " ", PORTAL_DISPATCH))
    wanted -= Counter({"ngày": 1, "tháng": 1, "năm": 1, "số": 1, "v": 2, "kính": 1, "gửi": 1, "nơi": 1, "nhận": 1})
    missing = wanted - _output_words([doc])
    assert not missing


def test_one_line_table_rows():
    """Rows written on one line each: the header row and the recipients | signature row."""
    raw = ("| **BỘ Y TẾ** | **CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM** Độc lập - Tự do - Hạnh phúc |\n"
           "| Số: 3354/BYT-KCB V/v tăng cường phòng, chống dịch | Hà Nội, ngày 26 tháng 04 năm 2013 |\n\n"
           "Kính gửi: Sở Y tế các tỉnh, thành phố.\n\n"
           "Bộ Y tế đề nghị các Sở Y tế triển khai ngay các biện pháp phòng, chống dịch./.\n\n"
           "| Nơi nhận: - Như trên; - Bộ trưởng (để b/c); - Lưu: VT, KCB. | KT. BỘ TRƯỞNG THỨ TRƯỞNG Nguyễn Văn An |\n")
    [doc] = _parse(raw)
    assert (doc.number, doc.type, doc.issuer, doc.place, doc.date, doc.title) == (
        "3354/BYT-KCB", "Công văn", "BỘ Y TẾ", "Hà Nội", "2013-04-26", "tăng cường phòng, chống dịch")
    assert doc.recipients == ["Sở Y tế các tỉnh, thành phố", "Như trên", "Bộ trưởng (để b/c)", "Lưu: VT, KCB"]
    assert (doc.signer.name, doc.signer.position, doc.signer.on_behalf_of) == (
        "Nguyễn Văn An", "THỨ TRƯỞNG", "KT. BỘ TRƯỞNG")


def test_standard_markdown_table_header():
    raw = ("| UBND TỈNH KIÊN GIANG<br>VĂN PHÒNG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc |\n"
           "|---|---|\n"
           "| Số: 3659/VP-KGVX | Kiên Giang, ngày 31/5/2021 |\n\n"
           "THÔNG BÁO\n\nKết luận của Chủ tịch Ủy ban nhân dân tỉnh\n\n"
           "1. Các sở, ngành triển khai thực hiện.\n\nKT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG\n\nTrần Văn Bình\n")
    [doc] = _parse(raw)
    assert (doc.number, doc.type, doc.issuer, doc.place, doc.date) == (
        "3659/VP-KGVX", "Thông báo", "UBND TỈNH KIÊN GIANG VĂN PHÒNG", "Kiên Giang", "2021-05-31")
    assert doc.title == "Kết luận của Chủ tịch Ủy ban nhân dân tỉnh"
    assert doc.signer.name == "Trần Văn Bình"


def test_party_document():
    """'ĐẢNG CỘNG SẢN VIỆT NAM' is the Party's motto, never its issuer; T/M and K/T sign."""
    raw = ("BAN CHẤP HÀNH TRUNG ƯƠNG\n*\nĐẢNG CỘNG SẢN VIỆT NAM\n---------------\nSố 384-QĐ/TW\n"
           "Hà Nội, ngày 19 tháng 11 năm 2025\n\nQUY ĐỊNH\nVỀ KẾT NỐI, CHIA SẺ DỮ LIỆU\n\n"
           "- Căn cứ Điều lệ Đảng;\n\nĐiều 1. Phạm vi điều chỉnh\nQuy định này quy định việc kết nối dữ liệu.\n"
           "Điều 2. Hiệu lực\nQuy định này có hiệu lực từ ngày ký.\n\n"
           "Nơi nhận:\n- Các tỉnh uỷ, thành uỷ,\n- Lưu Văn phòng Trung ương Đảng.\n\n"
           "T/M BAN BÍ THƯ\nK/T CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG\nTrần Văn Cường\n")
    [doc] = _parse(raw)
    assert (doc.number, doc.type, doc.issuer, doc.motto, doc.date) == (
        "384-QĐ/TW", "Quy định", "BAN CHẤP HÀNH TRUNG ƯƠNG", "ĐẢNG CỘNG SẢN VIỆT NAM", "2025-11-19")
    assert (doc.signer.name, doc.signer.position, doc.signer.on_behalf_of) == (
        "Trần Văn Cường", "PHÓ CHÁNH VĂN PHÒNG", "T/M BAN BÍ THƯ K/T CHÁNH VĂN PHÒNG")
    assert [s.id for s in doc.sections] == ["1", "2"]


def test_forwarded_document_takes_its_issuer_from_its_number_code():
    cover, first, second = parse_text(
        _cover_letter("Thông báo số 121/TB-VPCP ngày 25/5/2021 và Thông báo số 129/TB-VPCP", 2), "f.txt")
    assert (first.number, first.issuer) == ("121/TB-VPCP", "VĂN PHÒNG CHÍNH PHỦ")
    assert (second.number, second.issuer) == ("129/TB-VPCP", "VĂN PHÒNG CHÍNH PHỦ")
    assert cover.issuer == "UBND TỈNH X"  # a province's code names no province: its header does


def test_blank_number_of_a_draft_is_null():
    raw = ("SỞ CÔNG THƯƠNG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
           "Số: /KH-SCT\nLào Cai, ngày tháng 4 năm 2026\n\nKẾ HOẠCH\nKiểm tra an toàn hóa chất\n\n"
           "1. Mục đích kiểm tra.\n")
    [doc] = _parse(raw)
    assert (doc.number, doc.type, doc.issuer, doc.place, doc.date) == (
        None, "Kế hoạch", "SỞ CÔNG THƯƠNG", "Lào Cai", None)
    assert doc.title == "Kiểm tra an toàn hóa chất"


@pytest.mark.parametrize("written, number", [
    ("Số: 39/2018/TT- BTC", "39/2018/TT-BTC"), ("Số: 66.4/2025/NQ-CP", "66.4/2025/NQ-CP"),
    ("Số: 20251022/CV-HD", "20251022/CV-HD"), ("Số:**347**/TTr-CP", "347/TTr-CP"),
])
def test_number_spellings_in_a_header(written, number):
    [doc] = _parse(f"CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n{written}\nHà Nội, ngày 1 tháng 2 năm 2025\n")
    assert doc.number == number


@pytest.mark.parametrize("line, date", [
    ("Hà Nội, ngày 18/11/2025", "2025-11-18"), ("Hà Nội ngày 01 tháng 12 năm 2025", "2025-12-01"),
    ("*Hà Nội, ngày 18\ntháng 11 năm 2025*", "2025-11-18"), ("Hà Nội, ngày 5-6-2024", "2024-06-05"),
])
def test_dates_in_a_header(line, date):
    [doc] = _parse(f"BỘ Y TẾ\nSố: 12/BYT-KCB\n{line}\n")
    assert (doc.place, doc.date) == ("Hà Nội", date)


def test_resolution_dated_by_its_adoption():
    raw = ("Số: 1675/NQ-UBTVQH15 |\n|\n\nNGHỊ QUYẾT\n\nVề việc sắp xếp các đơn vị hành chính\n\n"
           "Điều 1. Sắp xếp\nSắp xếp các xã.\n\nĐiều 2. Hiệu lực\nNghị quyết có hiệu lực từ ngày thông qua.\n\n"
           "*Nghị quyết này được Ủy ban Thường vụ Quốc hội khóa XV thông qua ngày 16 tháng 6 năm 2025.*\n")
    [doc] = _parse(raw)
    assert (doc.number, doc.type, doc.date, doc.issuer) == (
        "1675/NQ-UBTVQH15", "Nghị quyết", "2025-06-16", "ỦY BAN THƯỜNG VỤ QUỐC HỘI")


def test_a_citation_wrapped_before_its_number_never_starts_a_document():
    raw = ("ỦY BAN NHÂN DÂN TỈNH X\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 10/QĐ-UBND\n"
           "X, ngày 2 tháng 3 năm 2025\n\nQUYẾT ĐỊNH\nVề việc ban hành quy chế\n\n"
           "Căn cứ Luật Tổ chức chính quyền địa phương; Căn cứ Nghị định\n"
           "số 132/2020/NĐ-CP ngày 05/11/2020 của Chính phủ;\n\n"
           "Điều 1. Ban hành quy chế.\nĐiều 2. Hiệu lực kể từ ngày ký.\n")
    [doc] = _parse(raw)
    assert doc.number == "10/QĐ-UBND"
    assert [(r.number, r.date) for r in doc.references] == [("132/2020/NĐ-CP", "2020-11-05")]


GAZETTE = """
2
CÔNG BÁO/Số 287 + 288/Ngày 08-4-2022

VĂN BẢN QUY PHẠM PHÁP LUẬT

CHÍNH PHỦ

CHÍNH PHỦ

Số: 38/2022/NĐ-CP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 12 tháng 6 năm 2022

NGHỊ ĐỊNH
Quy định mức lương tối thiểu
đối với người lao động

Căn cứ Luật Tổ chức Chính phủ;
Điều 1. Phạm vi điều chỉnh
Nghị định này quy định mức lương tối thiểu áp dụng đối với người lao động làm việc theo hợp đồng
Ký bởi: Cổng Thông tin điện tử Chính phủ
Cơ quan: Văn phòng Chính phủ
Ngày ký: 2022-06-23 10:13:36 +07:00

3
CÔNG BÁO/Số 287 + 288/Ngày 08-4-2022

lao động.
Điều 2. Hiệu lực thi hành
Nghị định này có hiệu lực từ ngày 01 tháng 7 năm 2022./.

TM. CHÍNH PHỦ
KT. THỦ TƯỚNG
PHÓ THỦ TƯỚNG

Phạm Bình Minh
"""


def test_gazette_page_headers_and_signature_stamps_are_chrome():
    text = normalize_text(GAZETTE)
    [doc] = parse_text(text, "g.txt")
    assert (doc.number, doc.type, doc.issuer, doc.date) == ("38/2022/NĐ-CP", "Nghị định", "CHÍNH PHỦ", "2022-06-12")
    assert doc.title == "Quy định mức lương tối thiểu đối với người lao động"
    assert doc.sections[0].text == ("Nghị định này quy định mức lương tối thiểu áp dụng đối với người lao động "
                                    "làm việc theo hợp đồng lao động.")  # the page break does not cut it
    assert doc.signer.name == "Phạm Bình Minh"
    assert doc.references == []  # "CÔNG BÁO/Số 287 + 288/Ngày …" cites nothing
    chrome = find_chrome(text)
    lines = text.split("\n")
    assert {lines[i] for i, kind in chrome.items() if kind == "page"} == {
        "2", "3", "CÔNG BÁO/Số 287 + 288/Ngày 08-4-2022", "VĂN BẢN QUY PHẠM PHÁP LUẬT", "CHÍNH PHỦ"}
    # the Gazette's heading over the documents it groups is chrome; the document's own issuer line is not
    assert [i for i, line in enumerate(lines) if line == "CHÍNH PHỦ" and i not in chrome] == [8]
    assert sorted(lines[i].split(":")[0] for i, kind in chrome.items() if kind == "stamp") == [
        "Cơ quan", "Ký bởi", "Ngày ký"]


def test_look_alike_letters_and_invisible_spaces():
    raw = "\u00d0iều 1. Phạm vi\nLuật này quy định việc cách\u200bly.\n\u00d0iều 2. Hiệu\u00a0lực\nCó hiệu lực."
    [doc] = _parse(raw)
    assert [(s.id, s.heading) for s in doc.sections] == [("1", "Phạm vi"), ("2", "Hiệu lực")]
    assert "cách ly" in doc.sections[0].text


CODE = """QUỐC HỘI
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Luật số: 101/2015/QH13
Hà Nội, ngày 27 tháng 11 năm 2015
BỘ LUẬT
TỐ TỤNG HÌNH SỰ
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Quốc hội ban hành Bộ luật tố tụng hình sự.
PHẦN THỨ NHẤT
NHỮNG QUY ĐỊNH CHUNG
Chương I
PHẠM VI ĐIỀU CHỈNH
Điều 1. Phạm vi điều chỉnh
Bộ luật tố tụng hình sự quy định trình tự, thủ tục giải quyết vụ án.
Mục 1
NGUYÊN TẮC
Điều 2. Nhiệm vụ
Bảo đảm phát hiện chính xác mọi hành vi phạm tội.
PHẦN THỨ HAI
KHỞI TỐ
Chương II
KHỞI TỐ VỤ ÁN
Điều 3. Căn cứ khởi tố
Chỉ được khởi tố khi đã xác định có dấu hiệu tội phạm.
CHỦ TỊCH QUỐC HỘI
Nguyễn Văn Hùng
"""


def test_code_with_parts_chapters_and_its_full_name():
    [doc] = _parse(CODE)
    assert (doc.type, doc.title) == ("Bộ luật", "Bộ luật Tố tụng hình sự")
    assert doc.preamble == "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\nQuốc hội ban hành Bộ luật tố tụng hình sự."
    assert [(s.id, s.path, s.label) for s in doc.sections] == [
        ("1", ["Phần thứ nhất", "Chương I", "1"], "Điều 1"),
        ("2", ["Phần thứ nhất", "Chương I", "Mục 1", "2"], "Điều 2"),
        ("3", ["Phần thứ hai", "Chương II", "3"], "Điều 3")]
    assert [(d.kind, d.label, d.title, d.path, d.sections) for d in doc.divisions] == [
        ("Phần", "Phần thứ nhất", "NHỮNG QUY ĐỊNH CHUNG", [], ["1", "2"]),
        ("Chương", "Chương I", "PHẠM VI ĐIỀU CHỈNH", ["Phần thứ nhất"], ["1", "2"]),
        ("Mục", "Mục 1", "NGUYÊN TẮC", ["Phần thứ nhất", "Chương I"], ["2"]),
        ("Phần", "Phần thứ hai", "KHỞI TỐ", [], ["3"]),
        ("Chương", "Chương II", "KHỞI TỐ VỤ ÁN", ["Phần thứ hai"], ["3"])]
    assert doc.signer.name == "Nguyễn Văn Hùng"


def test_law_title_on_its_heading_line():
    raw = "Luật số: 61/2020/QH14 |\n|\n\n**LUẬT ĐẦU TƯ**\n\n*Quốc hội ban hành Luật Đầu tư.*\n\nĐiều 1. Phạm vi\nA.\nĐiều 2. Đối tượng\nB.\n"
    [doc] = _parse(raw)
    assert (doc.number, doc.type, doc.title, doc.issuer) == ("61/2020/QH14", "Luật", "Luật Đầu tư", "QUỐC HỘI")


# A saved portal page: the site's banner, metadata box, teaser, the document, its catalogue
# title, notices, related documents, the company footer and a customer notice.
PAGE = """|
Bản dịch này thuộc quyền sở hữu của **
THƯ VIỆN PHÁP LUẬT**. Mọi hành vi sao chép là vi phạm pháp luật.
|
Đang tải văn bản...
#
**Số hiệu:**
|
5331/CT-CS
|
**Loại văn bản:**
|
Công văn
|
**Người ký:**
|
Mạnh Thị Tuyết Mai
|
**Ngày ban hành:**
|
18/11/2025
|
## Chính sách thuế với tiền ăn giữa ca
Ngày 18/11/2025, Cục Thuế đã ban hành Công văn 5331/CT-CS về chính sách thuế thu nhập cá nhân.
Xem thêm Công văn 5331/CT-CS đã ban hành ngày 18/11/2025.
""" + PORTAL_DISPATCH + """Công văn 5331/CT-CS năm 2025 về chính sách thuế thu nhập cá nhân do Cục Thuế ban hành
Văn bản này chưa cập nhật nội dung Tiếng Anh
## Văn bản liên quan
Ban hành:
12/11/2025
Hiệu lực: Đã biết
Cập nhật:
13/11/2025
|
**Địa chỉ:**
|
17 Nguyễn Gia Thiều, TP.HCM
|
TP. HCM, ngày 31/05/2021
Thưa Quý khách,
**THÔNG BÁO **
**về Lưu trữ, Sử dụng Thông tin Khách hàng**
**Kính gửi:** Quý Thành viên,
"""


def test_saved_page_is_one_document_with_the_fields_of_the_document_alone():
    [alone] = _parse(PORTAL_DISPATCH)
    [doc] = _parse(PAGE, "page.md")
    fields = ("number", "type", "issuer", "place", "date", "title", "signer", "recipients", "preamble", "sections")
    assert {f: getattr(doc, f) for f in fields} == {f: getattr(alone, f) for f in fields}


def test_page_chrome_is_recognised_by_kind():
    text = normalize_text(PAGE)
    lines = text.split("\n")
    chrome = find_chrome(text)
    kinds = {lines[i]: kind for i, kind in chrome.items()}
    assert (kinds["**Số hiệu:**"], kinds["Đang tải văn bản..."]) == ("box", "guide")
    assert kinds["THƯ VIỆN PHÁP LUẬT**. Mọi hành vi sao chép là vi phạm pháp luật."] == "banner"
    assert kinds["## Chính sách thuế với tiền ăn giữa ca"] == "teaser"
    assert kinds["Công văn 5331/CT-CS năm 2025 về chính sách thuế thu nhập cá nhân do Cục Thuế ban hành"] == "catalogue"
    assert kinds["## Văn bản liên quan"] == "related"
    # what follows in the region is chrome too: the footer and a customer notice, not a second document
    assert "**Kính gửi:** Quý Thành viên," in kinds and "17 Nguyễn Gia Thiều, TP.HCM" in kinds
    assert not {"Số: 5331/CT-CS", "**CỤC THUẾ**", "- Như trên;", "2. Tiền trang phục."} & set(kinds)


def test_crawler_source_line_and_its_heading_are_chrome():
    text = normalize_text("# Công văn 12/UBND-VP về triển khai\nSource: https://example.org/van-ban/12\n\n"
                          "UBND TỈNH X\nSố: 12/UBND-VP\nV/v triển khai\nX, ngày 2 tháng 6 năm 2021\n")
    chrome = find_chrome(text)
    assert sorted(chrome) == [0, 1] and set(chrome.values()) == {"source"}
    [doc] = parse_text(text, "s.md")
    assert (doc.number, doc.issuer, doc.title) == ("12/UBND-VP", "UBND TỈNH X", "triển khai")


def test_headerless_dispatch_is_a_cong_van():
    raw = ("**Kính gửi:** Chủ tịch Ủy ban nhân dân các tỉnh.\n\nBan Chỉ đạo yêu cầu các tỉnh thực hiện ngay.\n\n"
           "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. TRƯỞNG BAN\nPHÓ TRƯỞNG BAN\nNguyễn Văn An\n")
    [doc] = _parse(raw)
    assert (doc.type, doc.number, doc.issuer) == ("Công văn", None, None)
    assert doc.recipients[0] == "Chủ tịch Ủy ban nhân dân các tỉnh"


def test_signer_rank_is_no_part_of_the_name():
    raw = ("BỘ QUỐC PHÒNG\nSố: 92/VBHN-BQP\nHà Nội, ngày 24 tháng 11 năm 2025\n\nQUYẾT ĐỊNH\nVề chế độ\n\n"
           "Điều 1. A.\nĐiều 2. B./.\n\nXÁC THỰC VĂN BẢN HỢP NHẤT\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n"
           "Thượng tướng Võ Văn Lương\n")
    [doc] = _parse(raw)
    assert doc.type == "Văn bản hợp nhất"  # the number says so, whatever heading it reprints
    assert (doc.signer.name, doc.signer.rank, doc.signer.position, doc.signer.on_behalf_of) == (
        "Võ Văn Lương", "Thượng tướng", "THỨ TRƯỞNG", "KT. BỘ TRƯỞNG")
    assert doc.notes == ["XÁC THỰC VĂN BẢN HỢP NHẤT"]
    assert doc.to_dict()["signer"]["rank"] == "Thượng tướng"


def test_an_appendix_form_with_a_blank_header_is_no_document():
    raw = ("BỘ Y TẾ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 04/2017/TT-BYT\nHà Nội, ngày 14 tháng 4 năm 2017\n\n"
           "THÔNG TƯ\nBan hành danh mục\n\nĐiều 1. Danh mục.\nĐiều 2. Hiệu lực./.\n\nBỘ TRƯỞNG\nNguyễn Thị Kim\n\n"
           "Phụ lục 02\nBẢNG KÊ VẬT TƯ\nTÊN CƠ SỞ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
           "Số: ……/……\n……, ngày …… tháng …… năm ……\nSTT | Tên vật tư |\n")
    [doc] = _parse(raw)
    assert doc.signer.name == "Nguyễn Thị Kim"
    assert [s.id for s in doc.sections] == ["1", "2", "Phụ lục 02"]
    assert "TÊN CƠ SỞ" in doc.sections[-1].text and "Tên vật tư" in doc.sections[-1].text


def test_a_sites_english_translation_after_the_document_is_chrome():
    translation = ("|\nTHE MINISTRY OF FINANCE\n|\nSOCIALIST REPUBLIC OF VIETNAM\nIndependence - Freedom - Happiness\n"
                   "|\nNo. 5331/CT-CS\n|\nHanoi, November 18, 2025\n|\nTo: Anh Duong Co., Ltd.\n"
                   "The Tax Department has received the letter of the company.\n")
    text = normalize_text(PORTAL_DISPATCH + translation)
    [doc] = parse_text(text, "t.md")
    assert doc.number == "5331/CT-CS" and doc.signer.name == "Mạnh Thị Tuyết Mai"
    lines = text.split("\n")
    kinds = {lines[i]: kind for i, kind in find_chrome(text).items()}
    assert kinds["SOCIALIST REPUBLIC OF VIETNAM"] == "translation"
    assert kinds["The Tax Department has received the letter of the company."] == "translation"


def test_two_columns_read_as_one_line_each():
    """OCR and text layers often read the header's two columns line by line."""
    raw = ("UBND TỈNH LÀO CAI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ Y TẾ Độc lập - Tự do - Hạnh phúc\n"
           "Số: 12/SYT-NVY Lào Cai, ngày 3 tháng 4 năm 2024\nV/v tăng cường phòng, chống dịch\n\n"
           "Kính gửi: Các cơ sở y tế.\n\nSở Y tế đề nghị các đơn vị thực hiện.\n")
    [doc] = _parse(raw)
    assert (doc.issuer, doc.motto) == ("UBND TỈNH LÀO CAI SỞ Y TẾ",
                                       "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc")
    assert (doc.number, doc.place, doc.date, doc.type, doc.title) == (
        "12/SYT-NVY", "Lào Cai", "2024-04-03", "Công văn", "tăng cường phòng, chống dịch")


OLD_GAZETTE_TITLE = """Quyết định
của Thủ tướng Chính phủ số 115/2004/QĐ-TTg
ngày 25 tháng 6 năm 2004 về việc sửa đổi, bổ sung Quy chế của Quỹ
ban hành kèm theo Quyết định số 193/2001/QĐ-TTg ngày 20 tháng 12 năm 2001
Thủ tướng Chính phủ
Căn cứ Luật Tổ chức Chính phủ ngày 25 tháng 12 năm 2001;
Quyết định:
Điều 1. Sửa đổi Điều 3 của Quy chế.
Điều 2. Quyết định này có hiệu lực sau 15 ngày.
"""

CASE_LAW_TITLE = """Án lệ số 17/2018/AL về tình tiết "Có tính chất côn đồ"
Được Hội đồng Thẩm phán Tòa án nhân dân tối cao thông qua ngày 17 tháng 10 năm 2018.
Nguồn án lệ: Quyết định giám đốc thẩm số 07/2018/HS-GĐT ngày 20-3-2018.
"""

AMENDING_TITLE = """NGHỊ QUYẾT
Sửa đổi một số nội dung của Nghị quyết số 730/2004/NQ-UBTVQH11 về bảng lương
ỦY BAN THƯỜNG VỤ QUỐC HỘI
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Điều 1. Sửa đổi bảng lương.
"""


def test_a_title_sentence_gives_the_number_where_no_number_line_is_printed():
    [decision] = parse_text(normalize_text(OLD_GAZETTE_TITLE), "old.txt")
    assert (decision.number, decision.type, decision.date) == ("115/2004/QĐ-TTg", "Quyết định", "2004-06-25")
    assert decision.issuer == "THỦ TƯỚNG CHÍNH PHỦ"  # from the number's code
    [case] = parse_text(normalize_text(CASE_LAW_TITLE), "case.txt")
    assert (case.number, case.type, case.date) == ("17/2018/AL", "Án lệ", "2018-10-17")


def test_a_title_that_names_the_document_it_amends_is_not_its_number():
    [resolution] = parse_text(normalize_text(AMENDING_TITLE), "amending.txt")
    assert resolution.number is None
    assert "730/2004/NQ-UBTVQH11" in [r.number for r in resolution.references]


ATTRIBUTE_PAGE = """Văn bản pháp luật »
Bộ luật 12/2015/QH13
|
Số ký hiệu
|
12/2015/QH13
|
Ngày ban hành
|
27/11/2015
|
|
Loại văn bản
|
Bộ luật
|
Ngày có hiệu lực
|
01/01/2018
|
"""


def test_a_saved_attribute_page_gives_its_fields_from_the_label_cells():
    [doc] = parse_text(normalize_text(ATTRIBUTE_PAGE), "thuoctinh.html")
    assert (doc.number, doc.date, doc.type) == ("12/2015/QH13", "2015-11-27", "Bộ luật")
