"""Scale benchmark: notice-search beside tantivy and SQLite FTS5 at 18k, 90k and 270k sections.

Levels are built from the 208 laws of ../shared/datasets/vn-laws, copied:
S1 = the laws once (~18,000 sections), S2 = 5 copies (~90,000), S3 = 15 copies (~270,000).
Copy 0 is the original text; copy k > 0 of a law (deterministic, seeded by file name and k)
gets its own number (leading figure + 100 k, year shifted), its own dates (the law's date with
the year shifted by 7 k, wrapped into 1990-2025), and ~3 % of the lower-case syllables of its
articles replaced by syllables drawn from the same law, so that every section's text,
segmentation and postings differ. Copies are written to bench/out/scale/copies/cNN/ (git-ignored)
and each level's folder bench/out/scale/SN/ links the copies it holds, so file keys are
"cNN/<law>.txt".

Steps (each reads what earlier steps wrote; `all` runs them in order):

  generate   write the copies (all 15, once; verifies that parsing a copy gives its new
             number, date and the original's section count)
  build      `python cli.py index SN --index bench/out/scale/index-SN --rebuild` as a
             subprocess: wall, CPU seconds, peak RSS of the largest process and of the
             process tree (sampled from /proc), index size; then an unchanged re-run,
             adding one file and removing it again. The single-core pyvi time of the same
             text is estimated from pyvi's rate on S1's texts, measured right after the
             build (the machine's speed drifts by up to 2x over tens of minutes), times the
             level's syllable count (counted in step `baselines`).
  pyvi       pyvi alone, one core, over S1's section texts: its syllables per second (used
             for a build measured before this was part of it).
  baselines  tantivy and SQLite FTS5 indexes of the SAME analysed terms: every record goes
             through the engine's own `indexer.analysed` (segmentations come from the
             engine index's segments.sqlite), so both baselines index exactly the
             words / syl (with positions) / bigram / heading terms notice-search indexes,
             plus the filter fields. Build times are reported beside the engine's.
  query      in-process, warm: per query class, n queries (drawn from the original laws
             with a fixed seed, the same at every level) through `Engine.search` and
             through the baselines; wall-time p50/p95. Baselines run the engine's own
             parsed query (search.query.parse_query: same terms and boosts) translated
             to a tantivy Query / an FTS5 MATCH expression (FTS5 has no per-term boosts:
             it ranks with bm25() and the field weights as column weights); parsing is not
             timed for them. Baselines return the top 10 sections and (tantivy) the count;
             notice-search also groups sections into documents, counts facets and cuts
             snippets, as every search does. Also: engine open time and RSS (fresh process),
             and CLI `search` wall time and peak RSS.
  ab         two versions of the engine side by side: A at a git ref (default main, its
             files from `git archive`, its own index built with its own code), B this
             checkout (or `--after REF`), each in a process of its own, query by query in
             alternation so that both meet the same load; p50/p95 wall and CPU per class,
             open time and RSS, and how many answers differ.
  report     the side-by-side table of every level measured so far.

    python bench/scale.py all S1                 # quick: ~5 minutes on an idle 2-core machine
    python bench/scale.py query S2 -n 40 --profile question
    nohup nice python bench/scale.py all S3 > bench/out/scale/S3.log 2>&1 &   # long
    python bench/scale.py ab S1 --before main -n 30
    python bench/scale.py report

Results are kept as JSON in bench/out/scale/results-SN.json.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, REPO, SHARED, percentile, table  # noqa: E402

from search import analysis  # noqa: E402
from search.ingest import discover, read_text  # noqa: E402
from search.normalize import fold  # noqa: E402
from search.numbers import DATE_RE, find_numbers, iso_date, number_key  # noqa: E402
from search.parse import parse_text  # noqa: E402

LAWS = SHARED / "datasets" / "vn-laws"
QUESTIONS = SHARED / "datasets" / "alqac2022" / "question.json"
SCALE = OUT / "scale"
COPIES_DIR = SCALE / "copies"
LEVELS = {"S1": 1, "S2": 5, "S3": 15}
REPLACE_RATE = 0.03
YEAR_STEP, FIRST_YEAR, YEARS = 7, 1990, 36
TARGET_MS = 100.0
CLASSES = ("common", "word2", "phrase3", "and3", "question", "filtered", "unaccented", "listing", "number")
LABELS = {"common": "common word", "word2": "2-syllable word", "phrase3": "quoted 3-syllable phrase",
          "and3": "3-word AND", "question": "15-word question", "filtered": "filtered (date/type)",
          "unaccented": "unaccented word", "listing": "listing", "number": "number lookup"}


def level_dir(level: str) -> Path:
    return SCALE / level


def index_dir(level: str) -> Path:
    """The level's engine index."""
    return SCALE / f"index-{level}"


def results_path(level: str) -> Path:
    return SCALE / f"results-{level}.json"


def load_results(level: str) -> dict:
    path = results_path(level)
    return json.loads(path.read_text()) if path.exists() else {}


def save_results(level: str, **parts) -> None:
    results = load_results(level)
    results.update(parts)
    results_path(level).write_text(json.dumps(results, ensure_ascii=False, indent=1))


# --- generate ------------------------------------------------------------------

_SYLLABLE_RE = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")
_YEAR_RE = re.compile(r"\b(1[89]|20)\d\d\b")


def _shift_year(year: int, k: int) -> int:
    return FIRST_YEAR + (year - FIRST_YEAR + YEAR_STEP * k) % YEARS


def _new_number(written: str, k: int, year: int | None) -> str:
    """'Luật số: 45/2019/QH14' -> 'Luật số: 445/2026/QH14' style: leading figure + 100 k, year shifted."""
    def serial(m: re.Match) -> str:
        return str(int(m.group(0)) + 100 * k)

    number = re.sub(r"(?<![\d/])\d{1,5}(?=\s*[/-])", serial, written, count=1)
    if year:
        number = re.sub(rf"/{year}/", f"/{_shift_year(year, k)}/", number)
    return number


def variant(text: str, name: str, k: int) -> tuple[str, dict]:
    """Copy k of a law's text, and what parsing it should give (number, date)."""
    doc = parse_text(text, name)[0]
    if k == 0:
        return text, {"number": doc.number, "date": doc.date}
    rng = random.Random(f"{name}:{k}")
    year = int(doc.date[:4]) if doc.date else None
    expected = {"number": None, "date": None}
    edits: list[tuple[int, int, str]] = []
    if doc.number:
        key = number_key(doc.number)
        for m in find_numbers(text):
            if number_key(m.number) == key:
                edits.append((m.start, m.end, _new_number(m.written, k, year)))
        expected["number"] = number_key(_new_number(doc.number, k, year))
    if doc.date:
        for m in DATE_RE.finditer(text):
            if iso_date(m) == doc.date:
                group = 3 if m.group(3) else 7
                edits.append((m.start(group), m.end(group), str(_shift_year(year, k))))
        expected["date"] = f"{_shift_year(year, k)}{doc.date[4:]}"
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    # Words: in the articles (after the first "Điều" line), lines without a year.
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("Điều ")), len(lines))
    pool = [w for line in lines[first:] for w in _SYLLABLE_RE.findall(line) if w[0].islower()]

    def replace(m: re.Match) -> str:  # lower-case syllables only: headings ("Điều 5") stay
        word = m.group(0)
        return rng.choice(pool) if word[0].islower() and rng.random() < REPLACE_RATE else word

    if pool:
        for i in range(first, len(lines)):
            if not _YEAR_RE.search(lines[i]):
                lines[i] = _SYLLABLE_RE.sub(replace, lines[i])
    return "\n".join(lines), expected


def generate() -> None:
    """All copies of all laws into copies/cNN/, and each level's folder of links."""
    stamp = COPIES_DIR / "done.json"
    copies = max(LEVELS.values())
    if stamp.exists():
        print(f"copies exist ({stamp})")
    else:
        shutil.rmtree(COPIES_DIR, ignore_errors=True)
        started = time.perf_counter()
        problems, written = [], 0
        for path in sorted(LAWS.glob("*.txt")):
            original = read_text(path)
            for k in range(copies):
                text, expected = variant(original, path.name, k)
                out = COPIES_DIR / f"c{k:02d}" / path.name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text, encoding="utf-8")
                written += 1
                if k == 1:  # parsing the copy must give its number, date and sections
                    doc, base = parse_text(read_text(out), path.name)[0], parse_text(original, path.name)[0]
                    got = {"number": number_key(doc.number) if doc.number else None, "date": doc.date}
                    if got != expected or len(doc.sections) != len(base.sections):
                        problems.append(f"{path.name}: {got} != {expected} or sections "
                                        f"{len(doc.sections)} != {len(base.sections)}")
        stamp.write_text(json.dumps({"files": written, "problems": problems}, indent=1))
        print(f"{written} files in {time.perf_counter() - started:.0f} s; copy-1 checks failed: {len(problems)}")
        for problem in problems[:10]:
            print("  " + problem)
    for level, n in LEVELS.items():
        folder = level_dir(level)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "extra").mkdir(exist_ok=True)
        for k in range(n):
            link = folder / f"c{k:02d}"
            if not link.exists():
                link.symlink_to(Path("..") / "copies" / f"c{k:02d}")


# --- measuring subprocesses ------------------------------------------------------

def _tree_rss_mb(root: int) -> tuple[float, float]:
    """(sum, largest) resident memory of a process and its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, largest, todo = 0.0, 0.0, [root]
    page_mb = os.sysconf("SC_PAGE_SIZE") / 1e6
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss = int(f.read().split()[1]) * page_mb
        except (OSError, IndexError, ValueError):
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


# Forks the command from a small process: a child's ru_maxrss starts from the RSS of the
# process it was forked from, so forking from this (large) bench process would count ours.
_LAUNCH = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump({"cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024}, f)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(cmd: list[str]) -> dict:
    """Run a command; its output, wall and CPU seconds (with its sub-processes), and peak
    memory in MB: `maxrss_mb` of its largest process (kernel), `tree_peak_mb` of all its
    processes together (sampled from /proc every 0.25 s)."""
    out, usage = tempfile.TemporaryFile(), tempfile.NamedTemporaryFile(suffix=".json")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, usage.name, *cmd], stdout=out,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=REPO)
    done = threading.Event()
    peak = [0.0]

    def sample():
        while not done.wait(0.25):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid)[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read().decode()
    proc.wait()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    out.seek(0)
    return {"stdout": out.read().decode(), "wall_s": wall, **json.loads(Path(usage.name).read_text()),
            "tree_peak_mb": peak[0]}


def size_mb(path: Path, skip: str | None = None) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file() and f.name != skip) / 1e6


# --- build ---------------------------------------------------------------------

def cli_index(level: str, *extra: str) -> dict:
    run = run_measured([sys.executable, "cli.py", "index", str(level_dir(level)), "--index",
                        str(index_dir(level)), "--json", *extra])
    run["report"] = json.loads(run.pop("stdout"))
    return run


def build(level: str) -> None:
    folder = index_dir(level)
    shutil.rmtree(folder, ignore_errors=True)
    extra = level_dir(level) / "extra"
    for f in extra.glob("*"):
        f.unlink()
    print(f"{level}: full build …", flush=True)
    full = cli_index(level, "--rebuild")
    print(f"  {full['wall_s']:.0f} s wall, {full['cpu_s']:.0f} CPU-s, largest process {full['maxrss_mb']:.0f} MB, "
          f"all processes {full['tree_peak_mb']:.0f} MB; {full['report']['sections']} sections", flush=True)
    again = cli_index(level)
    law = sorted(LAWS.glob("*.txt"))[0]
    text, _ = variant(read_text(law), law.name, max(LEVELS.values()) + 1)
    (extra / law.name).write_text(text, encoding="utf-8")
    added = cli_index(level)
    (extra / law.name).unlink()
    removed = cli_index(level)
    rate = pyvi_rate()
    save_results(level, build={"full": full, "unchanged": again, "add_one": added, "remove_one": removed,
                               "pyvi": rate,
                               "index_mb": size_mb(folder, skip="segments.sqlite"),
                               "text_mb": size_mb(level_dir(level) / "c00") * LEVELS[level]})
    print(f"  unchanged re-run {again['wall_s']:.1f} s ({again['maxrss_mb']:.0f} MB); add one file "
          f"{added['wall_s']:.1f} s; remove it {removed['wall_s']:.1f} s", flush=True)


def build_warm(level: str) -> None:
    """A rebuild with pyvi's output cached (copied from the level's index): the cost of
    writing the index alone."""
    folder = SCALE / f"warm-{level}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(index_dir(level) / "segments.sqlite", folder / "segments.sqlite")
    run = run_measured([sys.executable, "cli.py", "index", str(level_dir(level)), "--index", str(folder),
                        "--rebuild", "--json"])
    run.pop("stdout")
    run["index_mb"] = size_mb(folder, skip="segments.sqlite")
    shutil.rmtree(folder)
    print(f"  warm rebuild: {run['wall_s']:.0f} s wall, {run['cpu_s']:.0f} CPU-s, largest process "
          f"{run['maxrss_mb']:.0f} MB, index {run['index_mb']:.0f} MB", flush=True)
    save_results(level, warm_build=run)


def pyvi_rate() -> dict:
    """pyvi alone on one core over S1's section texts (what the index segments): syllables per CPU second."""
    from pyvi import ViTokenizer

    from search.records import content_text

    texts = [content_text(r) for r in _records("S1")]
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        ViTokenizer.tokenize(text)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    syllables = sum(len(t.split()) for t in texts)
    # CPU seconds: on a shared machine the wall time says more about the neighbours
    result = {"seconds": seconds, "cpu_s": cpu, "syllables": syllables, "rate": syllables / cpu}
    (SCALE / "pyvi.json").write_text(json.dumps(result))
    print(f"pyvi alone, one core: {syllables:,} syllables in {cpu:.1f} CPU-s ({seconds:.1f} s wall) "
          f"= {result['rate']:,.0f}/CPU-s")
    return result


def _records(level: str):
    """Every record of a level, as the indexer makes them (document_records of parse_text)."""
    from search.records import FileState, document_records

    found, _ = discover([str(level_dir(level))])
    for path, name in found:
        for doc in parse_text(read_text(path), name):
            yield from document_records(doc, FileState(name, "", ""))


# --- baselines -------------------------------------------------------------------

CONTENT = ("words", "syl", "bigram", "heading")
KEYS = ("number_key", "type_key", "year", "issuer_f", "signer_f", "refs", "head")
_FTS_TRANSLATE = str.maketrans({c: chr(0xE000 + ord(c)) for c in string.punctuation})


def fts_token(term: str) -> str:
    """A term as one FTS5 unicode61 token: ASCII punctuation becomes private-use
    characters, which unicode61 treats as token characters."""
    return term.translate(_FTS_TRANSLATE)


def _key_values(record: dict) -> dict[str, str]:
    return {"number_key": record["number_key"], "type_key": record["type_key"], "year": record["year"],
            "issuer_f": record["issuer_f"], "signer_f": record["signer_f"],
            "refs": " ".join(record["refs"].split(",")), "head": "1" if record["section"] == "" else "0"}


def _date_int(date: str) -> int:
    return int(date.replace("-", "")) if date else 0


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    for field in CONTENT:
        builder.add_text_field(field, tokenizer_name="whitespace",
                               index_option="position" if field == "syl" else "freq")
    for field in KEYS:
        builder.add_text_field(field, tokenizer_name="whitespace" if field in ("issuer_f", "signer_f", "refs")
                               else "raw", index_option="basic")
    builder.add_unsigned_field("date", fast=True, indexed=True)
    builder.add_unsigned_field("record", stored=True)
    return builder.build()


def baselines(level: str) -> None:
    """tantivy and FTS5 indexes of the records' analysed terms (as the engine indexed them)."""
    import sqlite3

    import tantivy

    from search.segment_cache import FILE_NAME as SEGMENT_CACHE
    from search.segment_cache import SegmentCache
    from search.writer import analysed

    cache = SegmentCache(index_dir(level) / SEGMENT_CACHE)
    tdir = SCALE / f"tantivy-{level}"
    shutil.rmtree(tdir, ignore_errors=True)
    tdir.mkdir(parents=True)
    schema = tantivy_schema()
    tindex = tantivy.Index(schema, path=str(tdir))
    writer = tindex.writer(heap_size=500_000_000, num_threads=2)
    fpath = SCALE / f"fts5-{level}.sqlite"
    fpath.unlink(missing_ok=True)
    db = sqlite3.connect(fpath)
    db.execute(f"CREATE VIRTUAL TABLE s USING fts5({', '.join(CONTENT + KEYS)}, "
               "tokenize=\"unicode61 remove_diacritics 0\")")
    db.execute("CREATE TABLE meta (id INTEGER PRIMARY KEY, date INTEGER)")
    seconds = {"analyse": 0.0, "tantivy": 0.0, "fts5": 0.0}
    syllables = records = 0
    from search.records import content_text

    started = time.perf_counter()
    for n, record in enumerate(_records(level)):
        t0 = time.perf_counter()
        syllables += len(content_text(record).split())
        fields = analysed(record, cache)
        keys = _key_values(record)
        t1 = time.perf_counter()
        doc = tantivy.Document()
        for field in CONTENT:
            doc.add_text(field, fields[field])
        for field, value in keys.items():
            doc.add_text(field, value)
        doc.add_unsigned("date", _date_int(record["date"]))
        doc.add_unsigned("record", n)
        writer.add_document(doc)
        t2 = time.perf_counter()
        db.execute(f"INSERT INTO s (rowid, {', '.join(CONTENT + KEYS)}) VALUES (?{', ?' * len(CONTENT + KEYS)})",
                   (n, *(fts_token(fields[f]) for f in CONTENT), *(fts_token(keys[f]) for f in KEYS)))
        db.execute("INSERT INTO meta VALUES (?, ?)", (n, _date_int(record["date"])))
        t3 = time.perf_counter()
        seconds["analyse"] += t1 - t0
        seconds["tantivy"] += t2 - t1
        seconds["fts5"] += t3 - t2
        records += 1
    t0 = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    seconds["tantivy"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    db.execute("CREATE INDEX meta_date ON meta (date)")
    db.commit()
    db.execute("INSERT INTO s(s) VALUES ('optimize')")
    db.commit()
    db.close()
    seconds["fts5"] += time.perf_counter() - t0
    cache.close()
    save_results(level, baselines={"records": records, "syllables": syllables, "seconds": seconds,
                                   "tantivy_mb": size_mb(tdir), "fts5_mb": fpath.stat().st_size / 1e6})
    print(f"{level}: {records} records, {syllables:,} syllables; analysis (cached) {seconds['analyse']:.0f} s, "
          f"tantivy {seconds['tantivy']:.0f} s, FTS5 {seconds['fts5']:.0f} s "
          f"(total {time.perf_counter() - started:.0f} s)", flush=True)


class Untranslatable(Exception):
    pass


def to_tantivy(q, schema):
    """A Whoosh query of the engine as the same tantivy query (terms, boosts, structure)."""
    import tantivy
    from whoosh import query as wq

    Q, Occur = tantivy.Query, tantivy.Occur
    if q is wq.NullQuery:
        return Q.empty_query()
    if isinstance(q, wq.WrappingQuery):  # the engine's rerank and preference: the matching is the child's
        return to_tantivy(q.child, schema)
    if isinstance(q, wq.Term):
        field, text = q.fieldname, q.text
        if field == "section":
            field, text = "head", "1" if text == "" else "0"
        term = Q.term_query(schema, field, text)
        return term if q.boost == 1 else Q.boost_query(term, q.boost)
    if isinstance(q, wq.Or):
        return Q.boolean_query([(Occur.Should, to_tantivy(s, schema)) for s in q.subqueries])
    if isinstance(q, wq.And):
        return Q.boolean_query([(Occur.Must, to_tantivy(s, schema)) for s in q.subqueries])
    if isinstance(q, wq.AndMaybe):
        return Q.boolean_query([(Occur.Must, to_tantivy(q.a, schema)), (Occur.Should, to_tantivy(q.b, schema))])
    if isinstance(q, wq.AndNot):
        return Q.boolean_query([(Occur.Must, to_tantivy(q.a, schema)), (Occur.MustNot, to_tantivy(q.b, schema))])
    if isinstance(q, wq.Phrase):
        return Q.phrase_query(schema, q.fieldname, list(q.words))
    if isinstance(q, wq.Every):
        return Q.all_query()
    if isinstance(q, wq.TermRange) and q.fieldname == "date":
        return Q.range_query(schema, "date", tantivy.FieldType.Unsigned,
                             _date_int(q.start) if q.start else None, _date_int(q.end) if q.end else None)
    raise Untranslatable(repr(q))


def to_fts5(q) -> tuple[str | None, list[tuple[int | None, int | None]]]:
    """A Whoosh query as an FTS5 MATCH expression (None: every row) and date ranges."""
    from whoosh import query as wq

    if q is wq.NullQuery or (isinstance(q, wq.Or) and not q.subqueries):
        return 'syl : "\ue000never"', []
    if isinstance(q, wq.WrappingQuery):  # the engine's rerank and preference: the matching is the child's
        return to_fts5(q.child)
    if isinstance(q, wq.Term):
        field, text = q.fieldname, q.text
        if field == "section":
            field, text = "head", "1" if text == "" else "0"
        return f'{field} : "{fts_token(text)}"', []
    if isinstance(q, wq.Phrase):
        return f'{q.fieldname} : "{" ".join(fts_token(w) for w in q.words)}"', []
    if isinstance(q, wq.Every):
        return None, []
    if isinstance(q, wq.TermRange) and q.fieldname == "date":
        return None, [(_date_int(q.start) if q.start else None, _date_int(q.end) if q.end else None)]
    if isinstance(q, wq.AndMaybe):  # no optional clauses in FTS5: match (and rank) by the required part
        return to_fts5(q.a)
    if isinstance(q, (wq.And, wq.Or, wq.AndNot)):
        parts = [to_fts5(s) for s in ((q.a, q.b) if isinstance(q, wq.AndNot) else q.subqueries)]
        exprs = [e for e, _ in parts if e]
        ranges = [r for _, rs in parts for r in rs]
        if isinstance(q, wq.Or):
            if ranges or len(exprs) < len(parts):
                raise Untranslatable(repr(q))
            return "(" + " OR ".join(exprs) + ")", []
        if isinstance(q, wq.AndNot):
            return f"({exprs[0]} NOT {exprs[1]})", ranges
        return ("(" + " AND ".join(exprs) + ")" if exprs else None), ranges
    raise Untranslatable(repr(q))


def fts5_sql(q, by_date: bool) -> tuple[str, list]:
    from search.weights import Weights

    expr, ranges = to_fts5(q)
    weights = ", ".join(str(getattr(Weights(), f)) for f in CONTENT) + ", 20" + ", 0" * (len(KEYS) - 1)
    where, params = [], []
    for lo, hi in ranges:
        if lo is not None:
            where.append("m.date >= ?")
            params.append(lo)
        if hi is not None:
            where.append("m.date <= ?")
            params.append(hi)
    if expr is None:
        sql = "SELECT m.id FROM meta m" + (" WHERE " + " AND ".join(where) if where else "")
        return sql + " ORDER BY m.date DESC LIMIT 10", params
    join = " JOIN meta m ON m.id = s.rowid" if where or by_date else ""
    order = "m.date DESC" if by_date else f"bm25(s, {weights})"
    sql = (f"SELECT s.rowid FROM s{join} WHERE s MATCH ?" + "".join(f" AND {w}" for w in where)
           + f" ORDER BY {order} LIMIT 10")
    return sql, [expr, *params]


# --- queries ---------------------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]+")
_CHUNK_SPLIT = re.compile(r"[^\w\s]+|\n")


def draw_queries(n: int, seed: int) -> dict[str, list[tuple[str, dict]]]:
    """class -> [(query text, filters)], drawn from the original laws (the same at every level);
    kept in bench/out/scale/queries-N-SEED.json (drawing parses every law and runs pyvi)."""
    cached = SCALE / f"queries-{n}-{seed}.json"
    if cached.exists():
        return {cls: [tuple(q) for q in found] for cls, found in json.loads(cached.read_text()).items()}
    queries = _draw_queries(n, seed)
    cached.write_text(json.dumps(queries, ensure_ascii=False))
    return queries


def _draw_queries(n: int, seed: int) -> dict[str, list[tuple[str, dict]]]:
    rng = random.Random(seed)
    texts = [read_text(p) for p in sorted(LAWS.glob("*.txt"))]
    docs = [parse_text(t, p.name)[0] for t, p in zip(texts, sorted(LAWS.glob("*.txt")))]
    counts: Counter = Counter()
    chunks: list[list[str]] = []
    sections: list[list[str]] = []
    for doc in docs:
        for section in doc.sections:
            words = [w.lower() for w in _LETTERS.findall(section.text) if len(w) > 1]
            if len(set(words)) >= 10:
                sections.append(words)
    for text in texts:
        for chunk in _CHUNK_SPLIT.split(text):
            words = chunk.split()
            if words and all(_LETTERS.fullmatch(w) for w in words):
                counts.update(w.lower() for w in words)
                if len(words) >= 3:
                    chunks.append([w.lower() for w in words])
    # pyvi words of a fixed sample of chunks: what people type as "a word"
    sample = rng.sample(chunks, 600)
    pyvi_words = [w for c in sample for w in analysis.segment(" ".join(c)).lower().split()]
    two = [w.replace("_", " ") for w in pyvi_words if w.count("_") == 1 and _LETTERS.fullmatch(w.replace("_", ""))]
    accented = [w.replace("_", " ") for w in pyvi_words if w.count("_") <= 1 and fold(w) != w
                and _LETTERS.fullmatch(w.replace("_", ""))]
    top = [w for w, _ in counts.most_common(200)]
    questions = [q["text"] for q in json.loads(QUESTIONS.read_text(encoding="utf-8"))
                 if 13 <= len(q["text"].split()) <= 17]
    numbers = sorted({d.number for d in docs if d.number})
    types = sorted({d.type for d in docs if d.type})
    years = sorted({d.date[:4] for d in docs if d.date})

    def a_filter() -> dict:
        if rng.random() < 0.5:
            return {"type": rng.choice(types)}
        start = int(rng.choice(years))
        return {"date_from": str(start), "date_to": str(start + rng.randint(0, 5))}

    def run(size: int) -> str:
        while True:
            words = rng.choice(chunks)
            if len(words) >= size:
                start = rng.randrange(len(words) - size + 1)
                return " ".join(words[start:start + size])

    def and3() -> str:
        words = sorted(set(rng.choice(sections)))
        return " AND ".join(rng.sample(words, 3))

    return {
        "common": [(rng.choice(top), {}) for _ in range(n)],
        "word2": [(rng.choice(two), {}) for _ in range(n)],
        "phrase3": [(f'"{run(3)}"', {}) for _ in range(n)],
        "and3": [(and3(), {}) for _ in range(n)],
        "question": [(q, {}) for q in rng.sample(questions, min(n, len(questions)))],
        "filtered": [(rng.choice(two), a_filter()) for _ in range(n)],
        "unaccented": [(fold(rng.choice(accented)), {}) for _ in range(n)],
        "listing": [("", a_filter()) for _ in range(n)],
        "number": [(rng.choice(numbers), {}) for _ in range(n)],
    }


def baseline_query(text: str, filters: dict, vocabulary, reader):
    """The engine's query for a search, as Engine.search composes it (text and filters)."""
    from whoosh import query as wq

    from search.query import date_range, field_query, parse_query

    parsed = parse_query(text, vocabulary, reader)
    parts = [parsed.query or wq.Term("section", "")]
    if "type" in filters:
        parts.append(field_query("type", filters["type"]))
    if "date_from" in filters or "date_to" in filters:
        parts.append(date_range(filters.get("date_from"), filters.get("date_to")))
    return (parts[0] if len(parts) == 1 else wq.And(parts)), parsed.query is None


def _ms(fn) -> tuple[float, float]:
    """Wall and CPU milliseconds of a call (CPU time is less disturbed by other jobs)."""
    started, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


_OPEN_CODE = """
import json, sys, time
sys.path.insert(0, {repo!r})
from search import analysis
analysis.warm_up()
from search.service import Engine
started = time.perf_counter()
Engine(sys.argv[1])
seconds = time.perf_counter() - started
status = dict(line.split(':', 1) for line in open('/proc/self/status'))
print(json.dumps({{"open_s": seconds, "rss_mb": int(status['VmRSS'].split()[0]) / 1024,
                  "hwm_mb": int(status['VmHWM'].split()[0]) / 1024}}))
"""


def engine_open(level: str, repeat: int = 3) -> dict:
    """Engine() in a fresh process (pyvi already imported): seconds and memory after opening."""
    runs = [json.loads(run_measured([sys.executable, "-c", _OPEN_CODE.format(repo=str(REPO)),
                                     str(index_dir(level))])["stdout"]) for _ in range(repeat)]
    return {"open_s": statistics.median(r["open_s"] for r in runs), "rss_mb": max(r["rss_mb"] for r in runs),
            "hwm_mb": max(r["hwm_mb"] for r in runs), "runs": runs}


def cli_search(level: str, queries: dict) -> dict:
    """`python cli.py search Q --json` for one query of each of three classes."""
    runs = []
    for cls in ("common", "question", "phrase3"):
        text, _ = queries[cls][0]
        run = run_measured([sys.executable, "cli.py", "search", text, "--index",
                            str(index_dir(level)), "--json"])
        runs.append({"class": cls, "wall_s": run["wall_s"], "maxrss_mb": run["maxrss_mb"]})
    return {"wall_s": statistics.median(r["wall_s"] for r in runs),
            "maxrss_mb": max(r["maxrss_mb"] for r in runs), "runs": runs}


def _stats(times: list[tuple[float, float]]) -> dict:
    walls, cpus = [t[0] for t in times], [t[1] for t in times]
    return {"p50": percentile(walls, 50), "p95": percentile(walls, 95), "max": max(walls),
            "cpu_p50": percentile(cpus, 50), "cpu_p95": percentile(cpus, 95)}


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        status = dict(line.split(":", 1) for line in f)
    return int(status["VmRSS"].split()[0]) / 1024


def query(level: str, n: int, warmup: int, seed: int, classes: list[str], profile: str | None,
          engines: list[str], open_and_cli: bool, label: str | None = None) -> dict:
    import sqlite3

    import tantivy

    from search.index_store import open_index
    from search.query import Vocabulary
    from search.service import Engine
    from search.tables import GenerationTables

    queries = draw_queries(n + warmup, seed)
    figures: dict = {}
    if open_and_cli:
        figures["open"] = engine_open(level)
        figures["cli_search"] = cli_search(level, queries)
        print(f"{level}: engine open {figures['open']['open_s']:.2f} s ({figures['open']['rss_mb']:.0f} MB); "
              f"CLI search {figures['cli_search']['wall_s']:.1f} s, peak {figures['cli_search']['maxrss_mb']:.0f} MB",
              flush=True)

    analysis.warm_up()
    rss_before = _rss_mb()
    started = time.perf_counter()
    engine = Engine(index_dir(level))
    figures["open_in_process_s"] = time.perf_counter() - started
    figures["rss_engine_mb"] = _rss_mb() - rss_before
    reader = open_index(index_dir(level)).reader()
    vocabulary = Vocabulary(GenerationTables(reader, index_dir(level)))

    prepared: dict[str, dict] = {}
    if "tantivy" in engines:
        tindex = tantivy.Index.open(str(SCALE / f"tantivy-{level}"))
        tsearcher = tindex.searcher()
        tschema = tindex.schema
    if "fts5" in engines:
        db = sqlite3.connect(SCALE / f"fts5-{level}.sqlite", check_same_thread=False)
    for cls in classes:
        for text, filters in queries[cls]:
            q, listing = baseline_query(text, filters, vocabulary, reader)
            if "tantivy" in engines:
                tq = to_tantivy(q, tschema)
                prepared.setdefault("tantivy", {})[(cls, text, repr(filters))] = (
                    lambda tq=tq, listing=listing: tsearcher.search(tq, 10, count=True,
                                                                    order_by_field="date" if listing else None))
            if "fts5" in engines:
                sql, params = fts5_sql(q, by_date=listing)
                prepared.setdefault("fts5", {})[(cls, text, repr(filters))] = (
                    lambda sql=sql, params=params: db.execute(sql, params).fetchall())

    rows = {}
    for cls in classes:  # warm-up
        for text, filters in queries[cls][:warmup]:
            engine.search(text, **filters)
            for name in prepared:
                prepared[name][(cls, text, repr(filters))]()
    for cls in classes:
        measured = queries[cls][warmup:]
        rows[cls] = {}
        ns = [(*_ms(lambda: engine.search(text, **filters)), text, filters) for text, filters in measured]
        rows[cls]["notice-search"] = _stats([m[:2] for m in ns])
        rows[cls]["notice-search"]["slowest"] = sorted(ns, key=lambda m: -m[0])[:2]
        for name in prepared:
            rows[cls][name] = _stats([_ms(prepared[name][(cls, text, repr(filters))]) for text, filters in measured])
        print(f"  {LABELS[cls]}: p95 " + " / ".join(f"{rows[cls][e]['p95']:.1f}" for e in rows[cls]) + " ms",
              file=sys.stderr, flush=True)
    figures["classes"] = rows
    figures["rss_after_queries_mb"] = _rss_mb()
    figures["n"] = n
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for text, filters in queries[profile][warmup:]:
            engine.search(text, **filters)
        profiler.disable()
        path = SCALE / f"profile-{level}-{profile}.pstats"
        profiler.dump_stats(path)
        print(f"\ncProfile of {LABELS[profile]!r} at {level} ({path}):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    save_results(level, **{label or "query": figures})
    return figures


_WORKER = r"""
import json, sys, time
sys.path.insert(0, ".")
from search import analysis
analysis.warm_up()
from search.service import Engine


def rss_mb():
    with open("/proc/self/status") as f:
        return int(dict(line.split(":", 1) for line in f)["VmRSS"].split()[0]) / 1024


before = rss_mb()
started = time.perf_counter()
engine = Engine(sys.argv[1])
print(json.dumps({"open_s": time.perf_counter() - started, "open_rss_mb": rss_mb() - before}), flush=True)
for line in sys.stdin:
    text, filters = json.loads(line)
    started, cpu = time.perf_counter(), time.process_time()
    result = engine.search(text, **filters)
    wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    result.pop("took_ms")
    print(json.dumps({"wall": wall, "cpu": cpu, "result": result, "rss_mb": rss_mb()}), flush=True)
"""


def source_tree(ref: str) -> Path:
    """The repository's files at `ref` (git archive), under bench/out/scale/trees/."""
    sha = subprocess.run(["git", "rev-parse", ref], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.strip()
    tree = SCALE / "trees" / sha[:12]
    if not (tree / "cli.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def _ensure_index(tree: Path, level: str, folder: Path) -> None:
    """Build `folder` with the code of `tree` unless it holds an index (pyvi's output reused)."""
    if any(folder.glob("_sections_*.toc")):
        return
    folder.mkdir(parents=True, exist_ok=True)
    cache = index_dir(level) / "segments.sqlite"
    if cache.exists() and not (folder / "segments.sqlite").exists():
        shutil.copy(cache, folder / "segments.sqlite")
    print(f"  building {folder} with the code of {tree} …", flush=True)
    subprocess.run([sys.executable, "cli.py", "index", str(level_dir(level)), "--index", str(folder),
                    "--rebuild", "--json"], cwd=tree, check=True, stdout=subprocess.DEVNULL)


class _Worker:
    """An Engine in a process of its own, running the code of one source tree."""

    def __init__(self, tree: Path, index: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(index)], cwd=tree, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.opened = json.loads(self.proc.stdout.readline())

    def search(self, text: str, filters: dict) -> dict:
        self.proc.stdin.write(json.dumps([text, filters], ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def ab(level: str, n: int, warmup: int, seed: int, classes: list[str], before: str, after: str | None,
       before_index: str | None) -> dict:
    """The engine at `before` (A, a git ref) and at `after` (B: a ref, or this checkout as it is),
    each in its own process on its own index, query by query in alternation so that both meet
    the same load on a shared machine; also: open time and RSS, and whether answers differ."""
    queries = draw_queries(n + warmup, seed)
    trees = {"A": source_tree(before), "B": source_tree(after) if after else REPO}
    indexes = {"A": Path(before_index).resolve() if before_index else SCALE / f"before-index-{level}",
               "B": index_dir(level)}
    for side in "AB":
        _ensure_index(trees[side], level, indexes[side])
    load = os.getloadavg()
    workers = {}
    for side in "AB":  # opened one after the other: open times do not compete
        workers[side] = _Worker(trees[side], indexes[side])
    figures = {"before": before, "after": after or "checkout", "load_avg": load,
               "open": {side: w.opened for side, w in workers.items()}, "classes": {}}
    print(f"{level}: A = {before}, B = {after or 'this checkout'}; load average {load[0]:.1f}; open "
          + ", ".join(f"{side} {w.opened['open_s']:.2f} s (+{w.opened['open_rss_mb']:.0f} MB)"
                      for side, w in workers.items()), flush=True)
    for cls in classes:
        for text, filters in queries[cls][:warmup]:
            for side in "AB":
                workers[side].search(text, filters)
    differ, differ_order = 0, 0
    for cls in classes:
        times = {"A": [], "B": []}
        for i, (text, filters) in enumerate(queries[cls][warmup:]):
            answers = {}
            for side in ("AB" if i % 2 == 0 else "BA"):
                answers[side] = workers[side].search(text, filters)
                times[side].append((answers[side]["wall"], answers[side]["cpu"]))
            a, b = answers["A"]["result"], answers["B"]["result"]
            differ += a != b
            differ_order += [h["key"] for h in a["hits"]] != [h["key"] for h in b["hits"]]
        figures["classes"][cls] = {k: _stats(v) for k, v in times.items()}
        a, b = figures["classes"][cls]["A"], figures["classes"][cls]["B"]
        print(f"  {LABELS[cls]:26} A p50/p95 {a['p50']:7.1f} / {a['p95']:7.1f} (CPU {a['cpu_p50']:6.1f} / "
              f"{a['cpu_p95']:6.1f})   B {b['p50']:7.1f} / {b['p95']:7.1f} (CPU {b['cpu_p50']:6.1f} / "
              f"{b['cpu_p95']:6.1f})", flush=True)
    figures["rss_end_mb"] = {side: w.search("", {})["rss_mb"] for side, w in workers.items()}
    for w in workers.values():
        w.close()
    figures["differing_answers"], figures["differing_order"] = differ, differ_order
    figures["load_avg_end"] = os.getloadavg()
    print(f"  answers that differ between A and B: {differ} (hit order: {differ_order}); RSS at the end "
          + ", ".join(f"{side} {mb:.0f} MB" for side, mb in figures["rss_end_mb"].items())
          + f"; load average at the end {figures['load_avg_end'][0]:.1f}", flush=True)
    save_results(level, **{f"ab {before}..{after or 'checkout'}": figures})
    return figures


# --- report ----------------------------------------------------------------------

def report(levels_: list[str], key: str = "query") -> str:
    results = {level: load_results(level) for level in levels_}
    results = {level: r for level, r in results.items() if key in r}
    lines = []
    if not results:
        return "no results yet"
    header = ["class"] + [f"{level} p50" for level in results] + [f"{level} p95" for level in results]
    rows = []
    for cls in CLASSES:
        row = [LABELS[cls]]
        for stat in ("p50", "p95"):
            for level, r in results.items():
                cell = r[key]["classes"].get(cls)
                if not cell:
                    row.append("-")
                    continue
                row.append(" / ".join(f"{cell[e][stat]:.1f}" for e in ("notice-search", "tantivy", "fts5")
                                      if e in cell))
        rows.append(row)
    lines.append("p50 and p95 in ms, warm, in-process: notice-search / tantivy / SQLite FTS5\n")
    lines.append(table(rows, header))
    other = [["sections (records)"], ["index size, MB (engine / tantivy / FTS5)"],
             ["full build: wall s / CPU s"], ["  build peak RSS: largest process / all processes, MB"],
             ["  pyvi alone, one core (estimated), s"], ["  build wall s / pyvi s"], ["  build CPU s / pyvi s"],
             ["  tantivy / FTS5 build of the analysed terms, s"],
             ["unchanged re-run: wall s (% of build) / peak MB"], ["add one file / remove it, s"],
             ["engine open (fresh process), s / RSS MB"], ["engine in bench process: open s / +RSS MB"],
             ["CLI search: wall s / peak RSS MB"]]
    pyvi = json.loads((SCALE / "pyvi.json").read_text()) if (SCALE / "pyvi.json").exists() else None
    for level, r in results.items():
        b, base, q = r.get("build"), r.get("baselines"), r[key]
        rate = (b or {}).get("pyvi", pyvi)  # measured right after the build, where it was
        pyvi_s = base["syllables"] / rate["rate"] if rate and base else None
        cells = [
            str(base["records"]) if base else (str(b["full"]["report"]["sections"] + b["full"]["report"]["documents"])
                                                if b else "-"),
            (f"{b['index_mb']:.0f}" if b else "-") + (f" / {base['tantivy_mb']:.0f} / {base['fts5_mb']:.0f}"
                                                       if base else ""),
            f"{b['full']['wall_s']:.0f} / {b['full']['cpu_s']:.0f}" if b else "-",
            f"{b['full']['maxrss_mb']:.0f} / {b['full']['tree_peak_mb']:.0f}" if b else "-",
            f"{pyvi_s:.0f}" if pyvi_s else "-",
            f"{b['full']['wall_s'] / pyvi_s:.2f}" if b and pyvi_s else "-",
            f"{b['full']['cpu_s'] / pyvi_s:.2f}" if b and pyvi_s else "-",
            f"{base['seconds']['tantivy']:.0f} / {base['seconds']['fts5']:.0f}" if base else "-",
            (f"{b['unchanged']['wall_s']:.1f} ({100 * b['unchanged']['wall_s'] / b['full']['wall_s']:.1f} %) / "
             f"{b['unchanged']['maxrss_mb']:.0f}") if b else "-",
            f"{b['add_one']['wall_s']:.1f} / {b['remove_one']['wall_s']:.1f}" if b else "-",
            f"{q['open']['open_s']:.2f} / {q['open']['rss_mb']:.0f}" if "open" in q else "-",
            f"{q['open_in_process_s']:.2f} / {q['rss_engine_mb']:.0f}",
            f"{q['cli_search']['wall_s']:.1f} / {q['cli_search']['maxrss_mb']:.0f}" if "cli_search" in q else "-",
        ]
        for row, cell in zip(other, cells):
            row.append(cell)
    lines.append("")
    lines.append(table(other, ["figure", *results]))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=("generate", "build", "build-warm", "pyvi", "baselines", "query", "ab",
                                     "all", "report"))
    ap.add_argument("level", nargs="?", choices=tuple(LEVELS), default="S1")
    ap.add_argument("-n", type=int, default=40, help="measured queries per class (default 40)")
    ap.add_argument("--warmup", type=int, default=5, help="warm-up queries per class, not measured")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--classes", default=",".join(CLASSES), help="subset of: " + ", ".join(CLASSES))
    ap.add_argument("--engines", default="tantivy,fts5", help="baselines to run beside notice-search")
    ap.add_argument("--profile", metavar="CLASS", help="also run that class under cProfile")
    ap.add_argument("--no-open", action="store_true", help="skip the engine-open and CLI search figures")
    ap.add_argument("--label", help="store the query figures under this name (default: query)")
    ap.add_argument("--before", default="main", help="ab: the git ref measured as A (default main)")
    ap.add_argument("--after", help="ab: the git ref measured as B (default: this checkout as it is)")
    ap.add_argument("--before-index", help="ab: A's index (default bench/out/scale/before-index-LEVEL, "
                                           "built with A's code if missing)")
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    classes = [c for c in args.classes.split(",") if c]
    if args.step in ("generate", "all"):
        generate()
    if args.step in ("build", "all"):
        build(args.level)
    if args.step == "build-warm":
        build_warm(args.level)
    if args.step == "pyvi" or (args.step == "all" and not (SCALE / "pyvi.json").exists()):
        pyvi_rate()
    if args.step in ("baselines", "all"):
        baselines(args.level)
    if args.step in ("query", "all"):
        query(args.level, args.n, args.warmup, args.seed, classes, args.profile, engines,
              not args.no_open, args.label)
    if args.step == "ab":
        ab(args.level, args.n, args.warmup, args.seed, classes, args.before, args.after, args.before_index)
    if args.step in ("report", "all"):
        print(report(list(LEVELS), args.label or "query"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
