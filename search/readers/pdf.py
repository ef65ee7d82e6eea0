"""PDF: the text layer through PDFium (pypdfium2), scanned images through OCR.

Every character comes with its box, so words are placed on the page and the layout pass finds
side-by-side columns (header, signature) and chrome (running headers, page numbers, stamps).
An image covering a large part of a page where the text layer has (almost) no text is OCR'd,
and its words are placed on the page where the image is: a page whose text layer holds only
the Gazette header, or a typed page with a scanned body, both come out whole. A page with no
text and no image but drawn content (text turned into outlines) is rendered and OCR'd.
"""
from __future__ import annotations

import math
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c

from . import Context, Extract, UnreadableFile, ocr
from .layout import Page, Word, lay_out, lines_from_words

MAX_PAGES = 1000
SCAN_SHARE = 0.2  # an image covering this share of the page may hold the page's text
TEXT_IN_SCAN = 100  # more text-layer characters than this over an image: it is searchable already
RENDER_DPI = 300


def read(path: Path, context: Context) -> Extract:
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as e:
        message = str(e)
        if "password" in message.lower():
            raise UnreadableFile("encrypted PDF (needs a password)") from None
        raise UnreadableFile(f"broken PDF ({' '.join(message.split())[:120]})") from None
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise UnreadableFile(f"too many pages ({count}, limit {MAX_PAGES})")
        pages, ocr_done = [], 0
        for number in range(count):
            page = pdf[number]
            try:
                laid, ocr_count = _page(page, context)
            finally:
                page.close()
            pages.append(laid)
            ocr_done += ocr_count
            if ocr_count or (number + 1) % 50 == 0:
                context.progress(f"{context.name}: page {number + 1}/{count}"
                                 + (f", {ocr_done} image(s) OCR'd" if ocr_done else ""))
    finally:
        pdf.close()
    laid = lay_out(pages)
    notes = [f"OCR of {ocr_done} image(s)"] if ocr_done else []
    return Extract(laid.text, laid.chrome, notes, count, ocr_done)


def _page(page, context: Context) -> tuple[Page, int]:
    """The page's words (OCR'd images placed among them) as lines, and how many images were OCR'd.
    A page that needs OCR where Tesseract is missing makes the whole file wait (UnreadableFile
    saying what to install): indexing it without those pages would lose them unnoticed."""
    width, height = page.get_size()
    words, rotated = _text_words(page, height)
    scans, drawn = [], False
    for obj in page.get_objects(max_depth=2):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) >= SCAN_SHARE * width * height:
                box = (left, height - top, right, height - bottom)
                if sum(len(w.text) for w in words if _inside(w, box)) <= TEXT_IN_SCAN:
                    scans.append((obj, box))
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            drawn = True
    ocr_count = 0
    render = drawn and not words and not scans
    if scans or render:
        reason = ocr.missing()
        if reason:
            raise UnreadableFile(reason)
    for obj, box in scans:
        words.extend(_ocr_image(obj, box, context))
        ocr_count += 1
    if render:
        words.extend(_ocr_render(page, width, height, context))
        ocr_count += 1
    return Page(lines_from_words(words), width, height, rotated), ocr_count


def _inside(word: Word, box) -> bool:
    x, y = (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _text_words(page, height: float) -> tuple[list[Word], list[str]]:
    """The text layer as words with boxes (y measured from the top), and the lines of rotated text
    (a table turned sideways, a margin note), which keep their stream order."""
    textpage = page.get_textpage()
    try:
        words: list[Word] = []
        rotated = [""]
        chars: list[str] = []
        box = None
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            char = chr(code) if 0 < code < 0x110000 else ""
            if char and abs(math.sin(pdfium_c.FPDFText_GetCharAngle(textpage.raw, i))) > 0.1:
                rotated[-1] += " " if char.isspace() or code < 32 else char
                if char == "\n":
                    rotated.append("")
                continue
            if not char or char.isspace() or code < 32 or 0xFFFE <= code <= 0xFFFF:
                if chars:
                    words.append(Word("".join(chars), *box))
                    chars = []
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            y0, y1 = height - top, height - bottom
            middle = (y0 + y1) / 2
            if chars and (left - box[2] > 0.6 * max(1.0, box[3] - box[1]) or left < box[0] - 1
                          or not box[1] - 1 <= middle <= box[3] + 1):
                words.append(Word("".join(chars), *box))
                chars = []
            if chars:
                box = (box[0], min(box[1], y0), max(box[2], right), max(box[3], y1))
            else:
                box = (left, y0, right, y1)
            chars.append(char)
        if chars:
            words.append(Word("".join(chars), *box))
        return words, [" ".join(line.split()) for line in rotated if line.strip()]
    finally:
        textpage.close()


def _ocr_image(obj, box, context: Context) -> list[Word]:
    """OCR an image object; its words placed where the image sits on the page."""
    px_width, px_height = obj.get_px_size()
    if px_width * px_height > ocr.MAX_PIXELS:
        raise UnreadableFile(f"an image is too large to OCR ({px_width}×{px_height} pixels)")
    try:
        image = obj.get_bitmap(render=False).to_pil()
    except pypdfium2.PdfiumError:
        image = obj.get_bitmap(render=True).to_pil()
    left, top, right, bottom = box
    inches = max(1e-3, (right - left) / 72)
    dpi = int(image.width / inches)
    if dpi < 200:  # upscale a coarse scan: Tesseract reads 300 dpi best
        factor = min(3.0, ocr.TARGET_DPI / max(dpi, 1))
        if image.width * image.height * factor * factor <= ocr.MAX_PIXELS:
            image = image.resize((int(image.width * factor), int(image.height * factor)))
            dpi = int(image.width / inches)
    return _placed(ocr.words(image, dpi, context.cache_dir), image.width, image.height, box)


def _ocr_render(page, width: float, height: float, context: Context) -> list[Word]:
    scale = RENDER_DPI / 72
    if width * height * scale * scale > ocr.MAX_PIXELS:
        scale = (ocr.MAX_PIXELS / (width * height)) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_pil()
    return _placed(ocr.words(image, int(scale * 72), context.cache_dir), image.width, image.height,
                   (0, 0, width, height))


def _placed(found: list[Word], px_width: int, px_height: int, box) -> list[Word]:
    left, top, right, bottom = box
    sx, sy = (right - left) / px_width, (bottom - top) / px_height
    return [Word(w.text, left + w.x0 * sx, top + w.y0 * sy, left + w.x1 * sx, top + w.y1 * sy) for w in found]
