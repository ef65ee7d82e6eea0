"""Readers per format: generated PDF, DOCX, RTF, HTML, images and legacy-encoded text, hostile files.

OCR tests need Tesseract with its Vietnamese model: skipped when it is missing, unless CI is set
(then they fail, because CI installs it).
"""
import os
import shutil
import struct
import zipfile
import zlib

import pytest
from rapidfuzz.distance import Levenshtein

from search import readers
from search.indexer import build
from search.ingest import read_text
from search.readers import UnreadableFile, ocr, read

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
HAS_FONT = os.path.exists(FONT)
HAS_OCR = ocr.missing() is None and HAS_FONT
needs_font = pytest.mark.skipif(not HAS_FONT and not os.environ.get("CI"),
                                reason="fonts-dejavu-core missing (a font with Vietnamese glyphs)")
needs_ocr = pytest.mark.skipif(not HAS_OCR and not os.environ.get("CI"),
                               reason="Tesseract (tesseract-ocr, tesseract-ocr-vie) or fonts-dejavu-core missing")

HEADER = [(["BỘ TÀI CHÍNH"], ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]),
          (["Số: 12/2024/TT-BTC"], ["Hà Nội, ngày 5 tháng 3 năm 2024"])]


def _reason(path, **kw) -> str:
    with pytest.raises(UnreadableFile) as error:
        read(path, **kw)
    return str(error.value)


def _cells(text: str) -> list[list[str]]:
    """The rows of the first table in `text` (the `|` convention), each a list of cell texts."""
    lines = text.split("\n")
    start = lines.index("|")
    rows, cell, row = [], [], []
    for line in lines[start + 1:]:
        if line == "|":
            if cell:
                row.append(" / ".join(cell))
                cell = []
            elif row:
                rows.append(row)
                row = []
            continue
        if not line.strip() and not cell:
            break
        cell.append(line)
    if row:
        rows.append(row)
    return rows


# --- PDF --------------------------------------------------------------------------------------

def _pdf(path, pages, encrypt=None, font="DejaVu"):
    """A PDF with a text layer: each page a list of (x, y_from_top, text). DejaVu Sans has the
    Vietnamese glyphs; Helvetica (built in) does for ASCII text."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if font == "DejaVu":
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    sheet = canvas.Canvas(str(path), pagesize=(595, 842), encrypt=encrypt)
    for items in pages:
        sheet.setFont(font, 11)
        for x, y, text in items:
            sheet.drawString(x, 842 - y, text)
        sheet.showPage()
    sheet.save()


def _gazette(path):
    running = [(200, 40, "CÔNG BÁO/Số 12 + 13/Ngày 10-3-2024")]
    first = running + [(520, 40, "7"),
                       (90, 90, "BỘ TÀI CHÍNH"), (300, 90, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                       (330, 104, "Độc lập - Tự do - Hạnh phúc"),
                       (80, 130, "Số: 12/2024/TT-BTC"), (310, 130, "Hà Nội, ngày 5 tháng 3 năm 2024"),
                       (260, 170, "THÔNG TƯ"),
                       (70, 200, "Hướng dẫn chế độ báo cáo của các đơn vị dự toán ngân sách nhà nước"),
                       (70, 220, "Điều 1. Phạm vi điều chỉnh"),
                       (70, 780, "Ký bởi: Cổng Thông tin điện tử Chính phủ"),
                       (70, 794, "Cơ quan: Văn phòng Chính phủ"),
                       (70, 808, "Ngày ký: 10.03.2024 09:09:40 +07:00")]
    second = running + [(520, 40, "8"),
                        (70, 90, "Điều 2. Hiệu lực thi hành từ ngày 1 tháng 5 năm 2024./."),
                        (70, 140, "Nơi nhận:"), (380, 140, "KT. BỘ TRƯỞNG"),
                        (70, 154, "- Như Điều 2;"), (390, 154, "THỨ TRƯỞNG"),
                        (70, 168, "- Lưu: VT, KBNN."),
                        (380, 210, "Nguyễn Văn Thắng")]
    _pdf(path, [first, second])


@needs_font
def test_pdf_header_and_signature_come_out_as_cells_and_chrome_is_set_aside(tmp_path):
    _gazette(tmp_path / "tt.pdf")
    extract = read(tmp_path / "tt.pdf")
    assert extract.pages == 2 and extract.ocr_images == 0
    assert _cells(extract.text) == [["BỘ TÀI CHÍNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc"],
                                    ["Số: 12/2024/TT-BTC", "Hà Nội, ngày 5 tháng 3 năm 2024"]]
    signature = extract.text[extract.text.index("Nơi nhận:") - 2:]
    assert _cells(signature) == [["Nơi nhận: / - Như Điều 2; / - Lưu: VT, KBNN.",
                                  "KT. BỘ TRƯỞNG / THỨ TRƯỞNG"]]
    assert extract.text.rstrip().endswith("Nguyễn Văn Thắng")
    assert "CÔNG BÁO" not in extract.text and "Ký bởi" not in extract.text and "Ngày ký" not in extract.text
    # nothing is lost: what was left out is listed
    assert sum("CÔNG BÁO" in line for line in extract.chrome) == 2
    assert {line[-1] for line in extract.chrome if "CÔNG BÁO" in line} == {"7", "8"}  # with the page numbers
    assert any(line.startswith("Ký bởi:") for line in extract.chrome)
    assert "Điều 1. Phạm vi điều chỉnh" in extract.text.split("\n")


@needs_font
def test_pdf_is_indexed_and_found_by_its_number(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    _gazette(folder / "tt.pdf")
    report = build([str(folder)], tmp_path / "ix")
    assert report.added == 1 and not report.skipped
    from search.service import Engine
    assert [h["key"] for h in Engine(tmp_path / "ix").search("number:12/2024/TT-BTC")["hits"]] == ["tt.pdf#1"]


# --- Word -------------------------------------------------------------------------------------

def _docx(path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for r, (left, right) in enumerate(HEADER):
        for c, paragraphs in enumerate((left, right)):
            cell = table.cell(r, c)
            cell.text = paragraphs[0]
            for more in paragraphs[1:]:
                cell.add_paragraph(more)
    document.add_paragraph("THÔNG TƯ")
    document.add_paragraph("Điều 1. Phạm vi điều chỉnh")
    document.sections[0].footer.paragraphs[0].text = "Trang 1"
    document.save(str(path))


def test_docx_tables_are_cells_and_footers_are_chrome(tmp_path):
    _docx(tmp_path / "tt.docx")
    extract = read(tmp_path / "tt.docx")
    assert _cells(extract.text) == [[" / ".join(left), " / ".join(right)] for left, right in HEADER]
    assert "Điều 1. Phạm vi điều chỉnh" in extract.text.split("\n")
    assert extract.chrome == ["Trang 1"]


def test_zip_bomb_docx_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(64):
                member.write(block)
    assert path.stat().st_size < 1024 * 1024
    assert "zip bomb" in _reason(path)


def test_doc_that_is_really_html_is_read_as_a_web_page(tmp_path):
    body = "".join(f"<p>Điều {i}. Quy định về chế độ báo cáo thống kê của ngành tài chính.</p>" for i in range(1, 12))
    html = f"<html><head><title>Thông tư 12/2024/TT-BTC</title></head><body><nav><a href='/'>Trang chủ</a></nav>" \
           f"<p>Số: 12/2024/TT-BTC</p>{body}</body></html>"
    (tmp_path / "tt.doc").write_text(html, encoding="utf-8")
    extract = read(tmp_path / "tt.doc")
    lines = extract.text.split("\n")
    assert lines[0] == "Số: 12/2024/TT-BTC" and "Điều 11. Quy định về chế độ báo cáo thống kê của ngành tài chính." in lines
    assert "Trang chủ" not in extract.text and extract.chrome == ["Thông tư 12/2024/TT-BTC"]


@pytest.mark.skipif(not shutil.which("antiword") and not os.environ.get("CI"), reason="antiword missing")
def test_broken_doc_gets_a_reason(tmp_path):
    path = tmp_path / "broken.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "Word 97–2003" in _reason(path)


@pytest.mark.parametrize("item,reason", [
    ("<li><a href='/vb/{i}'>Nghị định {i}/2024/NĐ-CP về quản lý thuế</a></li>", "no document text"),
    ("<li><b>Nghị định {i}/2024/NĐ-CP</b> về quản lý thuế <a href='/{i}'>Toàn văn</a></li>", "a list of 60 documents"),
])
def test_search_result_page_is_skipped_with_its_reason(tmp_path, item, reason):
    items = "".join(item.format(i=i) for i in range(60))
    (tmp_path / "search.html").write_text(f"<html><body><p>Tìm thấy 60 văn bản</p><ul>{items}</ul></body></html>",
                                          encoding="utf-8")
    assert reason in _reason(tmp_path / "search.html")


# --- legacy encodings -------------------------------------------------------------------------

TCVN3 = ("Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\nSè: 144/2002/Q§-BTC\n"
         "Hµ Néi, ngµy 22 th¸ng 11 n¨m 2002\nQuyÕt ®Þnh cña Bé tr­ëng Bé Tµi chÝnh\n")
VNI = ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM\nÑoäc laäp - Töï do - Haïnh phuùc\nSoá: 991/QÑ-UBND\n"
       "Ñoàng Xoaøi, ngaøy 14 thaùng 5 naêm 2008\nQuyeát ñònh cuûa UÛy ban nhaân daân tænh\n")


@pytest.mark.parametrize("legacy,expected", [
    (TCVN3, ["Cộng hoà xã hội chủ nghĩa Việt Nam", "Số: 144/2002/QĐ-BTC", "Hà Nội, ngày 22 tháng 11 năm 2002"]),
    (VNI, ["CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 991/QĐ-UBND", "Đồng Xoài, ngày 14 tháng 5 năm 2008"]),
])
def test_legacy_txt_is_converted_to_unicode(tmp_path, legacy, expected):
    (tmp_path / "old.txt").write_bytes(legacy.encode("cp1252"))
    lines = [line.replace("hòa", "hoà").replace("HÒA", "HOÀ") for line in read_text(tmp_path / "old.txt").split("\n")]
    for line in expected:
        assert line.replace("hòa", "hoà").replace("HÒA", "HOÀ") in lines


def _rtf_unicode(text: str) -> str:
    return "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in text)


def test_legacy_rtf_is_converted_and_unicode_lines_are_left_alone(tmp_path):
    body = "".join(f"\\'{b:02x}" if b > 127 else chr(b) for b in TCVN3.encode("cp1252")).replace("\n", "\\par\n")
    (tmp_path / "old.rtf").write_text("{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 .VnTime;}}\\f0 " + body
                                      + _rtf_unicode("Ngày hiệu lực: 01/01/2003") + "\\par}", encoding="ascii")
    extract = read(tmp_path / "old.rtf")
    assert "Số: 144/2002/QĐ-BTC" in extract.text and "converted from TCVN3" in extract.notes
    assert "Ngày hiệu lực: 01/01/2003" in extract.text


def test_french_latin1_text_is_not_taken_for_vietnamese(tmp_path):
    (tmp_path / "fr.txt").write_bytes("Thông báo: café, déjà vu, naïve résumé.\n".encode("cp1252") * 20)
    assert _reason(tmp_path / "fr.txt") == "not UTF-8 or UTF-16 text"


# --- hostile files ----------------------------------------------------------------------------

def _png_header(width, height) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_hostile_files_are_skipped_with_reasons_and_the_good_file_is_indexed(tmp_path, notices_dir):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(notices_dir / "004_fb50bfa98abb5c99.txt", folder)
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n%%EOF garbage")
    _pdf(folder / "locked.pdf", [[(70, 100, "So: 1/TB-X")]], encrypt="secret", font="Helvetica")
    _pdf(folder / "long.pdf", [[(70, 100, f"Trang {n}")] for n in range(2000)], font="Helvetica")
    (folder / "huge.png").write_bytes(_png_header(20000, 20000))
    (folder / "fake.docx").write_bytes(b"PK\x03\x04 not really a zip")
    report = build([str(folder)], tmp_path / "ix")
    reasons = {os.path.basename(s["path"]): s["error"] for s in report.skipped}
    assert set(reasons) == {"corrupt.pdf", "locked.pdf", "long.pdf", "huge.png", "fake.docx"}
    assert reasons["locked.pdf"] == "encrypted PDF (needs a password)"
    assert reasons["long.pdf"] == "too many pages (2000, limit 1000)"
    assert "broken PDF" in reasons["corrupt.pdf"] and "broken Word file" in reasons["fake.docx"]
    if HAS_OCR:
        assert reasons["huge.png"].startswith("image too large to OCR (20000×20000 pixels")
    assert all("\n" not in r and "Traceback" not in r for r in reasons.values())
    assert report.added == 1


def test_a_reader_that_runs_out_of_memory_costs_only_its_file(tmp_path, monkeypatch):
    from search.readers import isolate

    monkeypatch.setattr(isolate, "MEMORY_BYTES", 64 * 1024 ** 2)
    def greedy(path, context):
        return readers.Extract("x" * (512 * 1024 ** 2))
    monkeypatch.setitem(readers._READERS, "pdf", greedy)
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    assert _reason(tmp_path / "a.pdf") == "needs more than 64 MB of memory to read"


def test_a_reader_that_hangs_is_stopped(tmp_path, monkeypatch):
    import time

    from search.readers import isolate

    monkeypatch.setattr(isolate, "IDLE_SECONDS", 1)
    monkeypatch.setitem(readers._READERS, "pdf", lambda path, context: time.sleep(60))
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    started = time.monotonic()
    assert _reason(tmp_path / "a.pdf").startswith("reading took too long")
    assert time.monotonic() - started < 10


def test_without_tesseract_a_scan_is_skipped_saying_what_to_install(tmp_path, monkeypatch):
    from PIL import Image

    Image.new("L", (200, 100), 255).save(tmp_path / "scan.png")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    reason = _reason(tmp_path / "scan.png")
    assert "Tesseract is not installed" in reason and "apt-get install tesseract-ocr tesseract-ocr-vie" in reason


# --- OCR --------------------------------------------------------------------------------------

def _render(paragraphs, width=1700, size=29):
    """Paragraphs as a white page image: DejaVu Sans at `size` pixels (29 px: 10.5 pt at 200 dpi)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size)
    lines = []
    for paragraph in paragraphs:
        line = ""
        for word in paragraph.split():
            if font.getlength(f"{line} {word}") > width - 160 and line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        lines.append("")
    pitch = int(size * 1.4)
    image = Image.new("L", (width, 100 + pitch * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((80, 50 + pitch * n), line, font=font, fill=0)
    return image


def _paragraphs(notices_dir, count):
    found = []
    for path in sorted(notices_dir.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            block = " ".join(block.replace("*", "").split())
            if 80 <= len(block) <= 400 and "|" not in block:
                found.append(block)
    step = max(1, len(found) // count)
    return found[::step][:count]


@needs_ocr
def test_ocr_of_rendered_seed_paragraphs(tmp_path, notices_dir):
    from PIL import ImageFilter

    paragraphs = _paragraphs(notices_dir, 20)
    assert len(paragraphs) == 20
    errors = chars = 0
    for n in range(0, 20, 5):
        group = paragraphs[n:n + 5]
        # like a scan: 200 dpi, slightly blurred, saved as a JPEG of middling quality
        _render(group).filter(ImageFilter.GaussianBlur(0.7)).save(tmp_path / f"page{n}.jpg", quality=60, dpi=(200, 200))
        text = " ".join(read(tmp_path / f"page{n}.jpg", cache_dir=tmp_path / "cache").text.split())
        expected = " ".join(" ".join(group).split())
        errors += Levenshtein.distance(text, expected)
        chars += len(expected)
    rate = errors / chars
    print(f"\nOCR character error rate over 20 rendered seed paragraphs: {rate:.2%} ({errors}/{chars})")
    assert rate <= 0.03


@needs_ocr
def test_ocr_results_are_cached_by_content(tmp_path, monkeypatch, notices_dir):
    _render(_paragraphs(notices_dir, 2)).save(tmp_path / "scan.png", dpi=(200, 200))
    first = read(tmp_path / "scan.png", cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").rglob("*.json"))
    shutil.copy(tmp_path / "scan.png", tmp_path / "copy.png")

    def no_ocr(*args):
        raise AssertionError("OCR ran again")
    monkeypatch.setattr(ocr, "_tesseract", no_ocr)
    assert read(tmp_path / "copy.png", cache_dir=tmp_path / "cache").text == first.text


@needs_ocr
def test_scanned_pdf_page_is_ocrd_and_its_text_layer_header_kept(tmp_path, notices_dir):
    from PIL import Image

    scan = _render(["Số: 27/2024/NQ-CP", "Điều 1. Quy định về phòng, chống dịch bệnh trên địa bàn."], width=1654)
    page = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
    page.paste(scan, (0, 200))
    page.save(tmp_path / "scan.pdf", resolution=200)
    extract = read(tmp_path / "scan.pdf", cache_dir=tmp_path / "cache")
    assert extract.ocr_images == 1
    assert "27/2024/NQ-CP" in extract.text and "phòng, chống dịch" in extract.text


def test_long_work_reports_progress_on_stderr(tmp_path, monkeypatch, capsys):
    from search.readers import isolate

    monkeypatch.setattr(isolate, "QUIET_SECONDS", 0)

    def slow(path, context):
        for page in range(1, 4):
            context.progress(f"{context.name}: page {page}/3")
        return readers.Extract("Số: 1/TB-X", notes=["OCR of 3 image(s)"])
    monkeypatch.setitem(readers._READERS, "pdf", slow)
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    assert read(tmp_path / "a.pdf").text == "Số: 1/TB-X"
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "a.pdf: page 1/3"  # later steps within PROGRESS_EVERY are not repeated
    assert lines[-1].startswith("a.pdf: read in ") and lines[-1].endswith("(OCR of 3 image(s))")


def test_without_antiword_a_doc_is_skipped_saying_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert "antiword is not installed: install antiword (Debian: apt-get install antiword)" in _reason(tmp_path / "old.doc")
