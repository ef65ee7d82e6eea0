"""Hostile files beside good ones, and hostile URLs against the web UI.

Files: a folder holding copies of the bundled notices plus every kind of bad input (empty,
binary, NUL bytes, invalid UTF-8, Latin-1, UTF-16 with and without BOM, UTF-8 with BOM, a 50 MB
file, a 200,000-character line, 200-level numbering, symlink loops, dangling links, unreadable
files and folders, a folder named .txt, a FIFO, a PDF) is indexed by the service and by the CLI.
Every hostile file is indexed or skipped with a reason; every good file is indexed and found.

Web: XSS and path-traversal payloads in every parameter and path never reach a page as live
markup, never get a 500, never serve a file from outside the app.

    NOTICE_SEARCH_SLOW=1 python -m pytest tests/test_robustness.py -q -s
"""
from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import TEMPLATE_TAGS, live_tags, print_summary, run_cli

from search.messages import file_reason

REPO = Path(__file__).resolve().parents[1]
SLOW = os.environ.get("NOTICE_SEARCH_SLOW") == "1"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
BUILD_SECONDS = 180  # a build over the hostile folder (50 MB file included) must end well within this

COUNTS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig):
    yield
    line = (f"robustness [{'slow' if SLOW else 'default'}]: {COUNTS['files']} files and folders tried "
            f"({COUNTS['good']} good, {COUNTS['files'] - COUNTS['good']} hostile; in a folder: {COUNTS['indexed']} "
            f"indexed, {COUNTS['skipped']} skipped with a reason, {COUNTS['ignored']} ignored), "
            f"{COUNTS['builds']} builds without a crash; {COUNTS['requests']} hostile web requests "
            f"({COUNTS['payloads']} payloads)")
    print_summary(pytestconfig, line)


# --- the hostile folder --------------------------------------------------------------------------

def notice(number: str, phrase: str, more: str = "") -> str:
    """A small, well-formed notice about `phrase`; `more`: further numbered sections."""
    return (f"ỦY BAN NHÂN DÂN\nTỈNH KIỂM THỬ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
            f"Số: {number}\n\nKiểm Thử, ngày 02 tháng 3 năm 2022\n\nTHÔNG BÁO\nVề {phrase}\n\n"
            f"1. Nội dung chính\nVăn bản này nói về {phrase} trong đợt kiểm thử.\n\n"
            f"2. Tổ chức thực hiện\nCác sở, ngành thực hiện nghiêm.\n\n{more}"
            f"Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nTrần Văn Kiểm\n")


# name -> phrase of the synthetic documents that must be indexed (each phrase is unique to its file)
MUST_INDEX = {
    "utf8_bom.txt": ("901/TB-KT", "chim hải âu bay lượn"),
    "utf16_bom.txt": ("902/TB-KT", "cánh đồng lúa chín vàng"),
    "utf16be_bom.txt": ("903/TB-KT", "con thuyền nan vượt sóng"),
    "nfd.txt": ("904/TB-KT", "rừng tràm xanh ngát"),
    "crlf.txt": ("905/TB-KT", "phố cổ rêu phong"),
    "folder.txt/nested.md": ("906/TB-KT", "dòng sông quê êm đềm"),
    "tên có dấu #1.txt": ("907/TB-KT", "ngọn núi mờ sương"),
}


def make_hostile_folder(root: Path, notices_dir: Path) -> dict[str, str]:
    """Fill `root` with good and hostile entries; returns name -> what must happen to it:
    "indexed", "skipped" (listed with a reason), "either" of those, or "ignored" (not indexed)."""
    expect: dict[str, str] = {}
    good = sorted(notices_dir.glob("*.txt"))
    for path in good:
        (root / path.name).write_bytes(path.read_bytes())
        expect[path.name] = "indexed"
    sample = good[0].read_bytes()

    def synthetic(name: str) -> str:
        return notice(*MUST_INDEX[name])

    (root / "utf8_bom.txt").write_bytes(codecs.BOM_UTF8 + synthetic("utf8_bom.txt").encode("utf-8"))
    (root / "utf16_bom.txt").write_bytes(synthetic("utf16_bom.txt").encode("utf-16"))  # BOM + native order
    (root / "utf16be_bom.txt").write_bytes(codecs.BOM_UTF16_BE + synthetic("utf16be_bom.txt").encode("utf-16-be"))
    (root / "nfd.txt").write_text(unicodedata.normalize("NFD", synthetic("nfd.txt")), encoding="utf-8")
    (root / "crlf.txt").write_bytes(synthetic("crlf.txt").replace("\n", "\r\n").encode("utf-8"))
    (root / "folder.txt").mkdir()  # a folder with a .txt name: walked into, not read
    (root / "folder.txt" / "nested.md").write_text(synthetic("folder.txt/nested.md"), encoding="utf-8")
    (root / "tên có dấu #1.txt").write_text(synthetic("tên có dấu #1.txt"), encoding="utf-8")
    expect.update({name: "indexed" for name in MUST_INDEX})

    hostile: dict[str, tuple[bytes, str]] = {
        "empty.txt": (b"", "skipped"),
        "whitespace.txt": (b" \n\t\r\n   \n\f\v\n" * 50, "skipped"),
        "binary.txt": (bytes(range(256)) * 64, "skipped"),
        "random.md": (os.urandom(8192), "skipped"),
        "nul_inside.txt": (sample[:2000] + b"\x00" + sample[2000:], "either"),
        "invalid_utf8.txt": (sample[:3000] + b"\xff\xfe\xc3\x28\xa0\xa1" + sample[3000:], "either"),
        "latin1.txt": ("Số: 12/TB-X\nRésumé: café, naïve, señor, Ærø, ½ °C\n".encode("latin-1", "replace") * 20, "either"),
        "utf16le_nobom.txt": (sample.decode("utf-8").encode("utf-16-le"), "either"),
        "utf16be_nobom.txt": (sample.decode("utf-8").encode("utf-16-be"), "either"),
        "bom_only.txt": (codecs.BOM_UTF8, "skipped"),
        "controls.txt": (bytes(range(1, 32)) * 300, "skipped"),
        "long_line.txt": (_long_line(sample), "either"),
        "deep_numbering.txt": (_deep_numbering().encode("utf-8"), "either"),
        "mixed_scripts.md": ("Số: 13/TB-X\n\n1. 中华人民共和国 العربية 😀 👨‍👩‍👧 e\u0301\u0301 ﷺ \u202e\u200b\n".encode("utf-8") * 50,
                             "either"),
        "doc.pdf": (b"%PDF-1.4\n" + sample, "ignored"),
        "notes.docx": (b"PK\x03\x04" + os.urandom(1000), "ignored"),
        "huge_50mb.txt": (b"", "either"),  # written below, by repetition
    }
    for name, (data, outcome) in hostile.items():
        if name != "huge_50mb.txt":
            (root / name).write_bytes(data)
        expect[name] = outcome
    with open(root / "huge_50mb.txt", "wb") as f:  # 50 MB of a real notice, repeated
        block = sample * (1024 * 1024 // len(sample) + 1)
        for _ in range(50):
            f.write(block[:1024 * 1024])

    # links: a loop back to the folder (walked once), a dangling link, a link to a good file
    (root / "loop").mkdir()
    (root / "loop" / "back").symlink_to(root, target_is_directory=True)
    (root / "loop" / "self").symlink_to(root / "loop", target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    expect["dangling.txt"] = "skipped"
    os.mkfifo(root / "fifo.txt")  # reading it would block for ever
    expect["fifo.txt"] = "ignored"

    # unreadable: chmod 000 (root can still read; see unreadable())
    (root / "unreadable.txt").write_text(notice("908/TB-KT", "tiếng chuông chùa xa"), encoding="utf-8")
    (root / "unreadable.txt").chmod(0)
    (root / "locked").mkdir()
    (root / "locked" / "inside.txt").write_text(notice("909/TB-KT", "gió mùa đông bắc"), encoding="utf-8")
    (root / "locked").chmod(0)
    expect["unreadable.txt"] = "skipped" if not IS_ROOT else "either"
    expect["locked/inside.txt"] = "ignored" if not IS_ROOT else "either"
    COUNTS["files"] = len(expect) + 1  # and the "loop" folder
    COUNTS["good"] = len(good) + len(MUST_INDEX)
    return expect


def _long_line(sample: bytes) -> bytes:
    """A 200,000-character single line of real Vietnamese text."""
    line = " ".join(sample.decode("utf-8").split())
    return ((line + " ") * (200_000 // len(line) + 1))[:200_000].encode("utf-8")


def _deep_numbering() -> str:
    levels = "\n".join(".".join(["1"] * depth) + f". Mục cấp {depth} về nội dung" for depth in range(1, 201))
    bullets = "\n".join(f"{chr(97 + i % 26)}) điểm {i}\n{'i' * (i % 4 + 1)}) tiểu điểm\n- gạch đầu dòng\n+ cộng"
                        for i in range(200))
    roman = "\n".join(f"{r}. PHẦN {r}" for r in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"))
    return f"Số: 14/TB-X\n\nTHÔNG BÁO\nVề cấu trúc sâu\n\n{roman}\n{levels}\n{bullets}\nĐiều 1. Một\nChương I\n"


@contextmanager
def unreadable():
    """As root chmod 000 does not deny reading: simulate the denial the way the OS reports it,
    for the in-process builds (the CLI process, as root, reads these files: either outcome).
    Yields whether the denial is simulated."""
    if not IS_ROOT:
        yield False
        return
    import pathlib

    real_read_bytes, real_scandir = pathlib.Path.read_bytes, os.scandir

    def read_bytes(self):
        if self.name == "unreadable.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pathlib.Path, "read_bytes", read_bytes)
        patch.setattr("search.ingest.os.scandir", scandir)
        yield True


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory, notices_dir):
    root = tmp_path_factory.mktemp("hostile") / "corpus"
    root.mkdir()
    expect = make_hostile_folder(root, notices_dir)
    yield root, expect
    for path in (root / "unreadable.txt", root / "locked"):
        path.chmod(0o755)  # let pytest clean up


def indexed_keys(engine) -> dict[str, list[str]]:
    """file name -> its document keys, for every document in the index."""
    listing = engine.search("", limit=1000)
    assert listing["total"] <= 1000
    files: dict[str, list[str]] = {}
    for hit in listing["hits"]:
        files.setdefault(hit["key"].rsplit("#", 1)[0], []).append(hit["key"])
    return files


def a_phrase_of(text: str) -> str | None:
    """Four words in a row from `text`, as a phrase query."""
    for line in text.splitlines():
        match = re.search(r"(?<!\S)((?:[^\W\d_]{2,} ){3}[^\W\d_]{2,})(?!\S)", line)
        if match:
            return f'"{match.group(1)}"'
    return None


def check_hostile_build(report: dict, root: Path, expect: dict[str, str], index_dir: Path, clean_engine) -> None:
    from search.service import Engine

    assert report["seconds"] < BUILD_SECONDS
    skipped = {}
    for item in report["skipped"]:
        assert item["error"] and isinstance(item["error"], str), item
        name = Path(item["path"]).relative_to(root).as_posix() if item["path"].startswith(str(root)) else item["path"]
        skipped[name] = item["error"]
    engine = Engine(index_dir)
    files = indexed_keys(engine)
    assert report["files"] == len(files)
    assert report["documents"] == sum(len(keys) for keys in files.values())
    for name, outcome in expect.items():
        is_indexed, is_skipped = name in files, name in skipped or (name == "locked/inside.txt" and "locked" in skipped)
        assert not (is_indexed and is_skipped), name
        if outcome == "indexed":
            assert is_indexed, f"{name} should be indexed; skipped: {skipped.get(name)}"
        elif outcome == "skipped":
            assert is_skipped, f"{name} should be skipped with a reason; indexed: {is_indexed}"
        elif outcome == "ignored":
            assert not is_indexed, name
        else:
            assert is_indexed or is_skipped, f"{name} neither indexed nor listed in skipped"
    assert set(files) <= set(expect), set(files) - set(expect)  # nothing twice through the links
    assert not any(name.startswith("loop/") for name in files)

    # every good file: the same documents as in a clean index of the notices, found by a phrase
    clean = indexed_keys(clean_engine)
    for name, keys in clean.items():
        assert sorted(files[name]) == sorted(keys), name
        for key in keys:
            doc, reference = engine.show(key), clean_engine.show(key)
            assert doc["sections"] == reference["sections"] and doc["number"] == reference["number"]
            texts = [reference["title"] or "", reference["preamble"]] + [s["text"] for s in reference["sections"]]
            # a phrase of its text; for a document with no text (a certified copy's cover), its number
            phrase = next((p for p in map(a_phrase_of, texts) if p), None) or f"number:{reference['number']}"
            assert key in [h["key"] for h in clean_engine.search(phrase, limit=1000)["hits"]], phrase
            assert key in [h["key"] for h in engine.search(phrase, limit=1000)["hits"]], (key, phrase)
    for name, (number, phrase) in MUST_INDEX.items():
        hits = engine.search(f'"{phrase}"')["hits"]
        assert [h["key"] for h in hits] == [f"{name}#1"], (name, hits)
        assert hits[0]["number"] == number
        assert engine.search(f"number:{number}")["total"] == 1
    if not COUNTS["indexed"]:  # the outcomes of the first build, for the report
        COUNTS["indexed"] = len(files)
        COUNTS["skipped"] = len(skipped)
        COUNTS["ignored"] = sum(1 for name in expect if name not in files and name not in skipped)


# --- hostile files: the service ---------------------------------------------------------------------

def test_phrases_of_synthetic_files_are_unique(engine):
    for number, phrase in MUST_INDEX.values():
        assert engine.search(f'"{phrase}"')["total"] == 0, phrase


@pytest.fixture(scope="module")
def service_build(hostile_folder, tmp_path_factory):
    """The hostile folder indexed in-process: (report, index folder, seconds, simulated denial)."""
    from search.service import index_paths

    root, _ = hostile_folder
    index_dir = tmp_path_factory.mktemp("hostile_index")
    with unreadable() as simulated:
        started = time.monotonic()
        report = index_paths([str(root)], str(index_dir))
        seconds = time.monotonic() - started
    COUNTS["builds"] += 1
    return report, index_dir, seconds, simulated


def seeded(index_dir: Path, service_build) -> Path:
    """A new index folder that starts with the first build's segmentation cache (pyvi is the
    slow part; the cache only saves time, it does not change what is indexed)."""
    from search.segment_cache import FILE_NAME as SEGMENT_CACHE

    index_dir.mkdir(parents=True)
    shutil.copyfile(service_build[1] / SEGMENT_CACHE, index_dir / SEGMENT_CACHE)
    return index_dir


def test_service_indexes_good_files_beside_hostile_ones(hostile_folder, service_build, engine):
    from search.service import index_paths

    root, expect = hostile_folder
    report, index_dir, seconds, simulated = service_build
    assert seconds < BUILD_SECONDS
    check_hostile_build(report, root, expect, index_dir, engine)
    reasons = {Path(item["path"]).name: item["error"] for item in report["skipped"]}
    if "huge_50mb.txt" in reasons:
        assert reasons["huge_50mb.txt"].startswith("file too large")
    if simulated or not IS_ROOT:
        assert "permission denied" in reasons["unreadable.txt"].lower()
        assert "permission denied" in reasons["locked"].lower()

    # again: nothing changed, nothing crashes, the same files are skipped
    with unreadable():
        again = index_paths([str(root)], str(index_dir))
    COUNTS["builds"] += 1
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0)
    assert again["unchanged"] == report["files"]
    assert (again["files"], again["documents"], again["sections"]) == (report["files"], report["documents"],
                                                                        report["sections"])
    assert sorted(map(str, again["skipped"])) == sorted(map(str, report["skipped"]))


def test_service_indexes_hostile_paths_given_one_by_one(hostile_folder, service_build, tmp_path):
    """Each entry given directly as a PATH (as a shell glob would), not found by walking a folder."""
    from search.service import Engine, index_paths

    root, expect = hostile_folder
    paths = sorted(str(p) for p in root.iterdir()) + [str(root / "nowhere"), str(root / "doc.pdf")]
    with unreadable():
        report = index_paths(paths, str(seeded(tmp_path / "index", service_build)))
    COUNTS["builds"] += 1
    files = indexed_keys(Engine(tmp_path / "index"))
    skipped = {Path(item["path"]).name: item["error"] for item in report["skipped"]}
    for name, outcome in expect.items():
        top = name.split("/")[0]
        if outcome == "indexed":
            # once: under its name relative to the PATH that reached it first ("folder.txt" given
            # directly: "nested.md"; "loop", which links back here: "back/…")
            base = name.split("/")[-1]
            where = [f for f in files if f == base or f.endswith("/" + base)]
            assert len(where) == 1, (name, where, skipped.get(top))
        elif outcome == "skipped":
            assert top in skipped and skipped[top], name
    assert skipped["nowhere"] and skipped["doc.pdf"] and skipped["fifo.txt"]  # given directly: said why


# --- hostile files: the command line ----------------------------------------------------------------

def test_cli_indexes_good_files_beside_hostile_ones(hostile_folder, service_build, tmp_path, engine):
    root, expect = hostile_folder
    index_dir = seeded(tmp_path / "index", service_build)
    expect = {**expect, "unreadable.txt": "either"}  # not simulated in another process
    process = run_cli("index", str(root), "--index", str(index_dir), "--json")
    COUNTS["builds"] += 1
    assert "Traceback" not in process.stderr
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stdout)
    assert set(report) >= {"files", "documents", "sections", "added", "updated", "removed", "unchanged",
                           "skipped", "seconds"}
    check_hostile_build(report, root, expect, index_dir, engine)
    # the human-readable form lists each skipped path with its reason on stderr, then the totals
    again = run_cli("index", str(root), "--index", str(index_dir))
    COUNTS["builds"] += 1
    assert again.returncode == 0 and "Traceback" not in again.stderr
    for item in report["skipped"]:
        assert f"bỏ qua {item['path']}: {file_reason(item['error'])}" in again.stderr


# --- hostile file names ----------------------------------------------------------

def test_file_name_with_a_tab_does_not_break_later_builds(tmp_path):
    from search.service import index_paths

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "tab\there.txt").write_text(notice("910/TB-KT", "hoa sen trong đầm"), encoding="utf-8")
    first = index_paths([str(root)], str(tmp_path / "index"))
    assert first["files"] == 1
    second = index_paths([str(root)], str(tmp_path / "index"))
    assert (second["files"], second["unchanged"]) == (1, 1)


def test_file_name_not_utf8_is_skipped_or_indexed_not_fatal(tmp_path, notices_dir):
    from search.service import index_paths

    root = tmp_path / "corpus"
    root.mkdir()
    good = sorted(notices_dir.glob("*.txt"))[0]
    (root / good.name).write_bytes(good.read_bytes())
    (root / os.fsdecode(b"bad\xffname.txt")).write_text(notice("911/TB-KT", "bến nước đầu làng"), encoding="utf-8")
    report = index_paths([str(root)], str(tmp_path / "index"))
    assert report["files"] >= 1 and report["documents"] >= 1


# --- hostile URLs -----------------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "<svg/onload=alert(1)>",
    "'-alert(1)-'", "%3Cscript%3Ealert(1)%3C/script%3E", "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>', '" autofocus onfocus=alert(1) x="', "' onmouseover='alert(1)",
    "</title><script>alert(1)</script>", "</textarea><script>alert(1)</script>", "<body onload=alert(1)>",
    "{{7*7}}", "${7*7}", "{% raw %}", "<!--", "-->", "]]>", "<ScRiPt>alert(1)</sCrIpT>", "<scr<script>ipt>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "&#x3C;script&#x3E;", "&lt;script&gt;",
    "data:text/html,<script>alert(1)</script>", "<img src=`x`onerror=alert(1)>", "\\u003cscript\\u003e",
    "<mark onclick=alert(1)>", "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<<script>script>alert(1)<</script>/script>", "\"'><svg><script>alert(1)</script>",
]
TRAVERSAL = [
    "../../etc/passwd", "..%2f..%2fetc%2fpasswd", "....//....//etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/etc/passwd", "..\\..\\etc\\passwd", "%252e%252e%252fetc%252fpasswd", "/etc/passwd",
    "../cli.py", "..%2fcli.py", "%2e%2e/cli.py", "..;/cli.py", "../../cli.py", "../webui/routes.py",
    "../templates/base.html", "style.css%00.txt", "%00", "../../../../../../../../etc/passwd%00",
    "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "..%c0%af..%c0%afetc/passwd", "file:///etc/passwd",
    "\\\\server\\share", "C:\\Windows\\win.ini", "a" * 5000, "../" * 300 + "etc/passwd", "%" * 50, "%zz",
    "\x00", "nope.txt#1", "999/XX-YY", "%23", "#", "?", "//etc/passwd", ".", "..", "~root/.ssh/id_rsa",
]
PAYLOADS = XSS + TRAVERSAL
FILTER_PARAMS = ("q", "signer", "issuer", "type", "ref", "from", "to", "sort", "page")
PATH_ROUTES = ("/doc/", "/mentions/", "/api/documents/", "/api/mentions/", "/static/")
SECRETS = ("root:x:0:0", "root:*:0:0", "import click", "def main(", "from flask import", "{% block", "[extensions]")

# The markdown escapes (\<) survive the parser's mark-up clean-up as a literal "<" (see test_web.py).
def _md_escaped(text: str) -> str:
    return text.replace("<", "\\<").replace(">", "\\>")


HOSTILE_DOCUMENT = notice("77/TB-XSS", "kiểm thử hiển thị", "".join(
    f"{i}. Mục {i} {_md_escaped(p)}\nNội dung {_md_escaped(p)} và {p}\n\n" for i, p in enumerate(XSS, start=3)))


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The web UI over the notices plus one document whose text is made of XSS payloads."""
    from search.service import index_paths
    from webui import create_app

    folder = tmp_path_factory.mktemp("xss") / "corpus"
    folder.mkdir()
    for path in sorted((REPO / "index_data" / "notices").glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "xss.txt").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    (folder / "<script>alert(1)<").mkdir()  # a hostile folder name becomes part of keys
    (folder / "<script>alert(1)<" / "x'\"><img src=x onerror=alert(1)>.txt").write_text(
        notice("78/TB-XSS", "tên tệp nguy hiểm"), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("xss_index")
    report = index_paths([str(folder)], str(index_dir))
    assert not report["skipped"] and report["files"] == 7
    return create_app(index_dir)


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href", "content"}


def check_page(response, payload: str) -> None:
    """An HTML answer: only the templates' own tags, no handlers, no script URLs, no raw payload."""
    body = response.get_data(as_text=True)
    for tag, attrs in live_tags(body):
        assert tag in TEMPLATE_TAGS, f"<{tag}> from {payload!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name}= on <{tag}> from {payload!r}"
            if name in URL_ATTRIBUTES:
                assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), (tag, name, value)
            if tag == "mark":
                raise AssertionError(f"<mark {name}> from {payload!r}")
    if "<" in payload:
        assert payload not in body, f"{payload!r} echoed unescaped"
    assert "Traceback" not in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def check_response(response, payload: str, url: str) -> None:
    COUNTS["requests"] += 1
    status = response.status_code
    assert status in (200, 400, 404), (url, status)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    body = response.get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in body, (url, secret)
    if url.startswith("/static/"):
        assert status in (400, 404), url
        return
    if url.startswith("/api/"):
        assert response.mimetype == "application/json", url
        data = json.loads(body)
        assert status == 200 or set(data) == {"error"}, (url, data)
        return
    assert response.mimetype == "text/html", url
    check_page(response, payload)


@pytest.fixture(scope="module")
def web(hostile_app):
    return hostile_app.test_client()


def get(client, url: str, **kwargs):
    response = client.get(url, follow_redirects=True, **kwargs)
    response.close()
    return response


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_in_every_parameter(web, payload):
    COUNTS["payloads"] += 1
    for page in ("/search", "/api/search"):
        for name in FILTER_PARAMS:
            # alone, or (slow runs) beside a query that finds documents
            params = {name: payload} if name == "q" or not SLOW else {"q": "dịch", name: payload}
            check_response(get(web, page, query_string=params), payload, page)
        params = {name: payload for name in FILTER_PARAMS}  # all at once
        check_response(get(web, page, query_string=params), payload, page)
    check_response(get(web, "/mentions", query_string={"number": payload}), payload, "/mentions")


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_in_every_path(web, payload):
    for route in PATH_ROUTES:
        for path in {payload, quote(payload, safe=""), quote(payload, safe="/%")}:
            url = route + path
            check_response(get(web, url), payload, url)


def test_documents_made_of_payloads_show_as_text(web):
    from webui.routes import ENGINE

    engine = web.application.extensions[ENGINE]
    keys = [h["key"] for h in engine.search("", limit=100)["hits"] if "XSS" in (h["number"] or "")]
    assert len(keys) == 2
    for key in keys:
        doc = engine.show(key)
        for url in (f"/doc/{quote(key, safe='/')}", f"/doc/{doc['number']}", f"/api/documents/{quote(key, safe='')}"):
            response = get(web, url)
            assert response.status_code == 200, url
            check_response(response, "<script>alert(1)</script>", url)
    page = get(web, "/doc/77/TB-XSS").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    assert "&lt;ScRiPt&gt;alert(1)&lt;/sCrIpT&gt;" in page
    for query in ("alert", "script", "javascript", "kiểm thử hiển thị", "tên tệp nguy hiểm"):
        response = get(web, "/search", query_string={"q": query})
        assert response.status_code == 200
        check_response(response, "<img src=x onerror=alert(1)>", "/search")
        assert "<mark>" in response.get_data(as_text=True), query
    for url in ("/", "/help", "/mentions", "/mentions/128/NQ-CP", "/search?signer=Trần Văn Kiểm"):
        check_response(get(web, url), "<script>", url)


@pytest.mark.parametrize("url", ["/doc/../../etc/passwd", "/static/../cli.py", "/static/..%2Fcli.py",
                                 "/static/%2e%2e/cli.py", "/static/../../etc/passwd", "/doc/%2Fetc%2Fpasswd",
                                 "/static/%2Fetc%2Fpasswd", "/static//etc/passwd", "/static/style.css/../../cli.py",
                                 "/api/documents/../../etc/passwd", "/mentions/../../etc/passwd",
                                 "/static/" + "..%2F" * 20 + "etc%2Fpasswd"])
def test_traversal_never_serves_outside_files(web, url):
    response = get(web, url)
    check_response(response, url, url)
    assert response.status_code in (400, 404), url
