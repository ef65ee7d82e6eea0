import codecs
import os
import unicodedata

import pytest

from search.ingest import SUFFIXES, UnreadableFile, discover, read_text
from search.parse import parse_file

NOTICE = "000_68b4e8d136df2930.txt"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _reason(path) -> str:
    with pytest.raises(UnreadableFile) as error:
        read_text(path)
    return str(error.value)


def test_utf8_with_and_without_bom(tmp_path):
    text = "Số: 318/TB-VPCP\nHà Nội, ngày 27 tháng 11 năm 2021"
    (tmp_path / "plain.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert read_text(tmp_path / "plain.txt") == read_text(tmp_path / "bom.txt") == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, encoding):
    text = "THÔNG BÁO\nKết luận của Thủ tướng"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    (tmp_path / "u16.txt").write_bytes(bom + text.encode(encoding))
    assert read_text(tmp_path / "u16.txt") == text


def test_utf16_without_bom_is_refused(tmp_path):
    (tmp_path / "u16.txt").write_bytes("Thông báo số 12".encode("utf-16-le"))
    assert "UTF-16" in _reason(tmp_path / "u16.txt")


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"  \n\n\t", "empty file"),
    (codecs.BOM_UTF8, "empty file"),
    ("Thông báo kết luận".encode("latin-1", "replace") + b"\xe9\xe0", "not UTF-8 or UTF-16 text"),
    (bytes(range(1, 32)) * 40, "binary file"),
    (b"abc \xff\xfe\xfd def", "not UTF-8 or UTF-16 text"),
])
def test_unreadable_files_give_a_clear_reason(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    assert _reason(path) == reason


def test_too_large_file(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as f:
        f.truncate(21 * 1024 * 1024)
    assert _reason(path).startswith("file too large (21.0 MB")


def test_missing_file_and_folder(tmp_path):
    assert _reason(tmp_path / "nope.txt") == "no such file"
    assert _reason(tmp_path) == "is a folder, not a file"


@pytest.mark.skipif(IS_ROOT, reason="root can read files without permission")
def test_permission_denied(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("Số: 1/TB-X", encoding="utf-8")
    path.chmod(0)
    try:
        assert _reason(path) == "permission denied"
    finally:
        path.chmod(0o644)


def test_nfd_file_parses_like_nfc(tmp_path, notices_dir):
    original = (notices_dir / NOTICE).read_text(encoding="utf-8")
    (tmp_path / NOTICE).write_text(unicodedata.normalize("NFD", original), encoding="utf-8")
    nfd_docs = parse_file(tmp_path / NOTICE, NOTICE)
    assert [d.to_dict() for d in nfd_docs] == [d.to_dict() for d in parse_file(notices_dir / NOTICE, NOTICE)]


def test_old_tone_placement_file(tmp_path):
    text = ("UỶ BAN NHÂN DÂN\nTỈNH KHÁNH HOÀ\n\nCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\n\nSố: 12/UBND-VX\nV/v chăm sóc sức khoẻ\n\n"
            "Khánh Hoà, ngày 3 tháng 4 năm 2022\n\nKính gửi: Sở Y tế\n\n"
            "Uỷ ban nhân dân tỉnh đề nghị Sở Y tế thực hiện Nghị quyết số 128/NQ-CP.\n\n"
            "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. UỶ BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nLê Hữu Hoà\n")
    path = tmp_path / "old.txt"
    path.write_text(text, encoding="utf-8")
    [doc] = parse_file(path, "old.txt")
    assert doc.issuer == "UỶ BAN NHÂN DÂN TỈNH KHÁNH HOÀ"  # displayed as written
    assert (doc.number, doc.type, doc.place, doc.date) == ("12/UBND-VX", "Công văn", "Khánh Hoà", "2022-04-03")
    assert doc.title == "chăm sóc sức khoẻ"
    assert doc.recipients == ["Sở Y tế", "Như trên", "Lưu: VT"]
    assert (doc.signer.name, doc.signer.position, doc.signer.on_behalf_of) == (
        "Lê Hữu Hoà", "PHÓ CHỦ TỊCH", "TM. UỶ BAN NHÂN DÂN KT. CHỦ TỊCH")
    assert [r.number for r in doc.references] == ["128/NQ-CP"]


def test_file_without_header(tmp_path):
    path = tmp_path / "bare.md"
    path.write_text("# Ghi chú\n\n1. **Một** việc\n\n2. Hai việc.\n", encoding="utf-8")
    [doc] = parse_file(path, "bare.md")
    assert doc.number is None and doc.issuer is None and doc.signer.name is None
    assert [s.id for s in doc.sections] == ["1", "2"]


def _tree(tmp_path):
    root = tmp_path / "docs"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "b.txt").write_text("b", encoding="utf-8")
    (root / "a.md").write_text("a", encoding="utf-8")
    (root / "skip.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "sub" / "c.TXT").write_text("c", encoding="utf-8")
    (root / "sub" / "deeper" / "d.txt").write_text("d", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "e.txt").write_text("e", encoding="utf-8")
    return root


def test_discover_walks_folders_with_relative_keys(tmp_path):
    root = _tree(tmp_path)
    found, skipped = discover([root, root / "b.txt", tmp_path / "missing"])
    assert [key for _, key in found] == ["a.md", "b.txt", "sub/c.TXT", "sub/deeper/d.txt"]
    assert all(path.is_file() for path, _ in found)
    assert skipped == [(str(tmp_path / "missing"), "no such file or folder")]


def test_discover_single_file_uses_its_name(tmp_path):
    root = _tree(tmp_path)
    found, skipped = discover([root / "sub" / "deeper" / "d.txt", root / "skip.xls"])
    assert [key for _, key in found] == ["d.txt"]
    assert skipped == [(str(root / "skip.xls"), "not a supported file type (" + " ".join(sorted(SUFFIXES)) + ")")]


def test_discover_survives_symlink_loops(tmp_path):
    root = _tree(tmp_path)
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    found, skipped = discover([root])
    assert [key for _, key in found] == ["a.md", "b.txt", "sub/c.TXT", "sub/deeper/d.txt"]
    assert (str(root / "dangling.txt"), "broken link") in skipped


@pytest.mark.skipif(IS_ROOT, reason="chmod does not deny root")
def test_discover_skips_unreadable_folders(tmp_path):
    root = _tree(tmp_path)
    locked = root / "sub" / "deeper"
    locked.chmod(0)
    try:
        found, skipped = discover([root])
    finally:
        locked.chmod(0o755)
    assert [key for _, key in found] == ["a.md", "b.txt", "sub/c.TXT"]
    assert skipped == [(str(locked), "permission denied")]


def test_discover_skips_folders_it_cannot_list(tmp_path, monkeypatch):
    """The same as above without chmod, so that it also runs as root."""
    root = _tree(tmp_path)
    locked = root / "sub" / "deeper"
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr("search.ingest.os.scandir", scandir)
    found, skipped = discover([root])
    assert [key for _, key in found] == ["a.md", "b.txt", "sub/c.TXT"]
    assert skipped == [(str(locked), "permission denied")]
