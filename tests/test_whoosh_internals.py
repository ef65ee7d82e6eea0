"""Whoosh's private internals, used by search/whoosh_internals.py alone, still mean what the
engine assumes: its block-wise postings equal Whoosh's own postings, and the engine's
scores equal Whoosh's BM25F scores (given the engine's idf, through Whoosh's own
extension point). A Whoosh upgrade that changes them fails here."""
from __future__ import annotations

import ast
import inspect
import json
import pkgutil
import threading
from pathlib import Path

import numpy as np
import pytest
import whoosh
from helpers import REPO, run_cli, write_notices
from whoosh import query as wq
from whoosh import scoring
from whoosh.filedb.filestore import FileStorage

from search import analysis
from search.ranking import Evaluation, Statistics, idf_of, postings
from search.records import head_summary, is_head
from search.service import Engine
from search.tables import COLUMNS, GenerationTables
from search.whoosh_internals import SharedMapStorage, position_arrays

GLUE = REPO / "search" / "whoosh_internals.py"


@pytest.fixture(scope="module")
def segmented_engine(tmp_path_factory) -> Engine:
    """An index of several segments with deleted records: built by the parallel writer
    (one segment per sub-process), then one file edited (its old records deleted)."""
    folder = tmp_path_factory.mktemp("notices")
    index = tmp_path_factory.mktemp("index")
    files = write_notices(folder, count=6, sections=40, seed=11)
    for _ in range(2):
        built = run_cli("index", str(folder), "--index", str(index), "--json")
        assert built.returncode == 0, built.stderr
        files[0].write_text(files[0].read_text(encoding="utf-8").replace("Lượt", "Vòng"), encoding="utf-8")
    engine = Engine(index)
    reader = engine._searcher().reader()
    assert len(list(reader.leaf_readers())) >= 2 and reader.has_deletions()
    return engine


def sample_terms(reader, field: str, n: int) -> list[str]:
    """The field's most frequent terms (long posting lists, many blocks) and others spread
    over its lexicon."""
    common = [t.decode("utf-8") for _, t in reader.most_frequent_terms(field, number=n // 4)]
    terms = [t.decode("utf-8") for t in reader.lexicon(field)]
    return sorted(set(common + terms[::max(1, len(terms) // (n - len(common)))]))[:n]


@pytest.mark.parametrize("which", ["engine", "segmented_engine"])
@pytest.mark.parametrize("field", ["syl", "bigram", "words", "heading", "section", "number_key"])
def test_postings_equal_whooshs_own(request, which, field):
    engine = request.getfixturevalue(which)
    searcher = engine._searcher()
    reader = searcher.reader()
    live = Statistics(reader).live
    terms = sample_terms(reader, field, 40)
    assert terms
    for term in terms:
        ids, tfs = postings(reader, field, term)
        keep = live[ids]  # the engine masks deleted records later; Whoosh's postings skip them
        matcher = searcher.postings(field, term)
        expected_ids, expected_tfs = [], []
        while matcher.is_active():
            expected_ids.append(matcher.id())
            expected_tfs.append(matcher.weight())
            matcher.next()
        assert ids[keep].tolist() == expected_ids, (field, term)
        assert tfs[keep].tolist() == expected_tfs, (field, term)


def test_shared_mappings_read_what_whooshs_own_storage_reads(segmented_engine):
    """Segment files read from the process's one mapping give the same records and postings as
    Whoosh's own file reading."""
    own = FileStorage(str(segmented_engine.index_dir), supports_mmap=False).open_index("sections").reader()
    shared = SharedMapStorage(str(segmented_engine.index_dir)).open_index("sections").reader()
    try:
        assert list(shared.all_stored_fields()) == list(own.all_stored_fields())
        for term in sample_terms(own, "syl", 20):
            assert list(shared.postings("syl", term).all_ids()) == list(own.postings("syl", term).all_ids())
    finally:
        own.close()
        shared.close()


def test_threads_share_one_mapping_of_each_segment(segmented_engine):
    """Each thread has its own reader, but a segment file is mapped once in the process
    (counted in /proc/self/maps): the server's memory does not grow with its threads."""
    readers = []

    def read():
        reader = SharedMapStorage(str(segmented_engine.index_dir)).open_index("sections").reader()
        list(reader.all_stored_fields())
        readers.append(reader)
    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        segments = sorted(segmented_engine.index_dir.glob("*.seg"))
        maps = Path("/proc/self/maps").read_text().splitlines()
        assert len(readers) == 3 and len(segments) >= 2
        assert [sum(line.endswith(str(path)) for line in maps) for path in segments] == [1] * len(segments)
    finally:
        for reader in readers:
            reader.close()


class LuceneIdfBM25F(scoring.BM25F):
    """Whoosh's BM25F with the engine's idf, through `WeightingModel.idf`, the method
    Whoosh documents for a model to override: its own counts (all records and the
    term index's document frequency, deleted records included) into `idf_of`."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        return idf_of(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


@pytest.mark.parametrize("which", ["engine", "segmented_engine"])
def test_generation_tables_equal_whooshs_own_answers(request, which):
    """Field lengths read as raw bytes, live records, columns, syllables and document summaries
    equal Whoosh's per-record answers, both as read from Whoosh and as stored in the index folder."""
    engine = request.getfixturevalue(which)
    reader = engine._searcher().reader()
    size = reader.doc_count_all()
    for tables in (GenerationTables(reader), GenerationTables(reader, engine.index_dir)):
        assert tables.live.tolist() == [not reader.is_deleted(i) for i in range(size)]
        for field in reader.schema.scorable_names():
            assert tables.lengths[field].tolist() == [reader.doc_field_length(i, field) or 0 for i in range(size)]
        for column in COLUMNS:
            names, codes = tables.column(column)
            values = reader.column_reader(column)
            assert [names[c] for c in codes] == [values[i] for i in range(size)], column
        assert tables.syllables == {t.decode("utf-8") for t in reader.lexicon("syl")}
        heads = [(i, reader.stored_fields(i)) for i in range(size) if not reader.is_deleted(i)]
        assert tables.heads == [(i, head_summary(fields)) for i, fields in heads if is_head(fields)]
        assert tables.heads and json.loads(json.dumps(tables.heads)) == [list(h) for h in tables.heads]


@pytest.mark.parametrize("which", ["engine", "segmented_engine"])
def test_positions_equal_whooshs_own(request, which):
    """The codec's position arrays are the positions Whoosh's matcher decodes, record by record."""
    engine = request.getfixturevalue(which)
    searcher = engine._searcher()
    reader = searcher.reader()
    for term in sample_terms(reader, "syl", 40):
        found = []
        for leaf, offset in reader.leaf_readers():
            records, positions = position_arrays(leaf, "syl", term)
            found += [(int(r) + offset, int(p)) for r, p in zip(records, positions) if not reader.is_deleted(r + offset)]
        matcher = searcher.postings("syl", term)
        expected = []
        while matcher.is_active():
            expected += [(matcher.id(), p) for p in matcher.value_as("positions")]
            matcher.next()
        assert found == expected, term


@pytest.mark.parametrize("which", ["engine", "segmented_engine"])
def test_phrases_on_position_arrays_match_what_whoosh_matches(request, which):
    """Phrases of 2 to 4 syllables cut from records' texts, common ones included, and a few that
    occur nowhere (words swapped): the same records as Whoosh's own phrase matcher."""
    engine = request.getfixturevalue(which)
    searcher = engine._searcher()
    reader = searcher.reader()
    stats = Statistics(reader)
    evaluate = Evaluation(searcher, stats)
    texts = [searcher.stored_fields(i).get("text") or "" for i in range(reader.doc_count_all())]
    syllables = [s.split() for s in map(analysis.syllables, texts) if len(s.split()) > 8]
    phrases = []
    for n, words in enumerate(syllables[:30]):
        length = 2 + n % 3
        cut = words[n % 5:n % 5 + length]
        phrases.append(cut)
        phrases.append(cut[::-1])
    checked = 0
    for words in phrases:
        query = wq.Phrase("syl", words)
        expected = {n for n in searcher.docs_for_query(query)}
        mask, _ = evaluate(query)
        assert set(np.flatnonzero(mask).tolist()) == expected, words
        checked += bool(expected)
        allowed = stats.live & (np.arange(stats.size) % 2 == 0)  # checked among some records only
        within, _ = evaluate(wq.And([wq.Or([wq.Term("syl", words[0])]), query]))
        assert set(np.flatnonzero(within).tolist()) == expected
        assert set(np.flatnonzero(evaluate._positional(query, allowed)).tolist()) == \
            {n for n in expected if allowed[n]}
    assert checked >= 15


def test_date_ranges_on_the_date_column_match_what_whoosh_matches(engine, monkeypatch):
    """A date range is evaluated by comparing each record's date (tables): the same records, with
    the same score, as Whoosh's own range (every date term in it), ends open, closed or excluded,
    however many dates it spans (a prefix may expand to at most MAX_EXPANSION terms; a range of
    dates is not cut there)."""
    from search import ranking

    monkeypatch.setattr(ranking, "MAX_EXPANSION", 1)
    searcher = engine._searcher()
    reader = searcher.reader()
    evaluate = Evaluation(searcher, Statistics(reader))
    dates = sorted(t.decode() for t in reader.lexicon("date"))
    assert len(dates) >= 3
    low, middle, high = dates[0], dates[len(dates) // 2], dates[-1]
    ranges = [(low, high), (middle, middle), (middle, None), (None, middle), ("1900-01-01", "2100-12-31"),
              (low, middle, True, False), (low, high, False, True), (middle, low)]
    for start, end, *excluded in ranges:
        query = wq.TermRange("date", start, end, *excluded, boost=2.0)
        expected = set(searcher.docs_for_query(query))
        mask, scores = evaluate(query)
        assert set(np.flatnonzero(mask).tolist()) == expected, query
        assert set(scores[mask].tolist()) <= {2.0}, query


@pytest.mark.parametrize("which", ["engine", "segmented_engine"])
def test_engine_scores_equal_whooshs_bm25f(request, which):
    engine = request.getfixturevalue(which)
    searcher = engine._searcher()
    reader = searcher.reader()
    stats = Statistics(reader)
    evaluate = Evaluation(searcher, stats)
    whoosh_searcher = engine.ix.searcher(weighting=LuceneIdfBM25F())
    try:
        for n, (field, boost) in enumerate([("syl", 1.0), ("bigram", 0.7), ("words", 0.5), ("heading", 0.3)]):
            terms = [wq.Term(field, t, boost=boost) for t in sample_terms(reader, field, 6)]
            terms += [wq.Term("syl", t, boost=0.4) for t in sample_terms(reader, "syl", 12)[6 + n:]
                      if wq.Term("syl", t, boost=boost) not in terms]  # Whoosh merges repeated terms
            query = wq.Or(terms)
            mask, scores = evaluate(query)
            expected = {hit.docnum: hit.score for hit in whoosh_searcher.search(query, limit=None)}
            assert set(np.flatnonzero(mask).tolist()) == set(expected)
            for docnum, score in expected.items():
                assert scores[docnum] == pytest.approx(score, rel=1e-9), (query, docnum)
    finally:
        whoosh_searcher.close()


# --- no private Whoosh attribute outside search/whoosh_internals.py -------------------------------

def whoosh_private_names() -> set[str]:
    """Single-underscore names Whoosh's classes define, and its functions' private parameters."""
    names: set[str] = set()
    for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
        try:
            module = __import__(info.name, fromlist=["_"])
        except Exception:  # noqa: BLE001 - optional back ends Whoosh may not import here
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("whoosh"):
                continue
            for name, value in vars(cls).items():
                if name.startswith("_") and not name.startswith("__"):
                    names.add(name)
                if callable(value):
                    names.update(_private_parameters(value))
        for _, function in inspect.getmembers(module, inspect.isfunction):
            names.update(_private_parameters(function))
    return names


def _private_parameters(function) -> set[str]:
    try:
        return {p for p in inspect.signature(function).parameters if p.startswith("_") and not p.startswith("__")}
    except (TypeError, ValueError):
        return set()


def uses_of(path: Path, private: set[str]) -> list[str]:
    """Where a module names one of `private`: an attribute, a keyword argument, or a method
    overridden in a subclass of a Whoosh class. (Names the project defines for itself elsewhere
    are taken out of `private` by the caller.)"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    from_whoosh = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and (node.module or "").startswith("whoosh") for alias in node.names}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in private:
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg in private:
            found.append(f"{path.name}:{node.lineno}: {node.arg}=")
        elif isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in from_whoosh
                                                    for b in node.bases):
            found += [f"{path.name}:{item.lineno}: def {item.name}" for item in node.body
                      if isinstance(item, ast.FunctionDef) and item.name in private]
    return found


def own_private_names(paths: list[Path]) -> set[str]:
    """Private names the project defines itself (functions, methods, attributes it assigns)."""
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if n.startswith("_")}


def project_sources() -> list[Path]:
    return sorted([*REPO.glob("search/*.py"), REPO / "cli.py", *REPO.glob("webui/*.py"), *REPO.glob("bench/*.py"),
                   *REPO.glob("tests/*.py")])


def test_only_the_glue_module_names_private_whoosh_internals():
    private = whoosh_private_names()
    assert {"_read_ids", "_process_file", "_new_task", "_lk"} <= private  # what the glue module uses
    others = [p for p in project_sources() if p != GLUE]
    private -= own_private_names(others)
    assert uses_of(GLUE, private), "the check no longer sees the glue module's own uses"
    offenders = [use for path in others for use in uses_of(path, private)]
    assert not offenders, "private Whoosh internals outside search/whoosh_internals.py: " + "; ".join(offenders)


def test_positions_among_some_records_decode_only_their_blocks(tmp_path):
    """A posting list of several blocks, asked for the positions of a few records: those
    records' positions come whole, and the blocks holding none of them are not decoded
    (a phrase's common words are read only where its rarer pairs already are)."""
    from whoosh.fields import Schema

    from search.schema import make_schema
    from search.whoosh_internals import unlocked_writer

    syl = make_schema()["syl"]
    ix = FileStorage(str(tmp_path)).create_index(Schema(syl=syl))
    writer = unlocked_writer(ix)
    for n in range(5000):  # "của" in every record, at one or two places
        writer.add_document(syl="quy định của luật" + (" của nhà nước" if n % 3 == 0 else ""))
    writer.commit()
    (leaf, _), = ix.reader().leaf_readers()
    records, places = position_arrays(leaf, "syl", "của")
    assert len(np.unique(records)) == 5000
    for chosen in ([7], [0, 4999], list(range(1000, 1100)), list(range(0, 5000, 997))):
        among = np.zeros(5000, dtype=bool)
        among[chosen] = True
        some_records, some_places = position_arrays(leaf, "syl", "của", among)
        keep = among[some_records]
        assert list(zip(some_records[keep], some_places[keep])) == \
            [(r, p) for r, p in zip(records, places) if among[r]]
        blocks = {r // 1024 for r in chosen}  # records numbered in order, 1,024 to a block
        assert len(np.unique(some_records)) <= 1024 * len(blocks)
    assert len(position_arrays(leaf, "syl", "của", np.zeros(5000, dtype=bool))[0]) == 0


def synthetic_records(count: int, seed: int, first: int = 0) -> list[dict]:
    """Records with every field of the schema, their terms drawn Zipf-like from a small
    Vietnamese vocabulary: common terms fill many blocks, most occur once or twice."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"{syllable}{n}" if n else syllable
                  for n in range(40) for syllable in ("của", "luật", "điều", "hòa", "ủy", "nghị", "định", "z")]
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()

    def text(size: int) -> str:
        return " ".join(rng.choice(vocabulary, size=size, p=weights))

    records = []
    for n in range(first, first + count):
        syllables = text(int(rng.integers(0, 60))).split()
        records.append({
            "file": f"f{n % 7}.md", "filestate": f"f{n % 7}.md\t/x\tsha", "key": f"f{n % 7}.md#{n // 7}",
            "section": f"Điều {n % 13}" if n % 5 else "", "order": n, "number": f"{n}/QĐ-UBND",
            "number_key": f"{n}/qđ-ubnd", "type": "Quyết định", "type_key": "quyet dinh",
            "issuer": "Bộ Tư pháp", "issuer_f": "bo tu phap", "signer": "A", "signer_f": "a",
            "date": f"2025-11-{n % 28 + 1:02d}", "year": "2025", "title": "t", "path": "p",
            "heading_text": "h", "text": " ".join(syllables), "refs": "1/2025/NĐ-CP", "srefs": "",
            "words": text(int(rng.integers(0, 40))), "syl": " ".join(syllables),
            "bigram": " ".join(f"{a}_{b}" for a, b in zip(syllables, syllables[1:])), "heading": text(3)})
    return records


def segment_files(folder: Path) -> dict[str, list[bytes]]:
    """Each kind of segment file (its name without the segment's id) -> the contents of
    every file of that kind, sorted."""
    found: dict[str, list[bytes]] = {}
    for path in folder.iterdir():
        if path.name.startswith("sections_"):
            kind = path.name.removeprefix("sections_").lstrip("abcdefghijklmnopqrstuvwxyz0123456789")
            found.setdefault(kind, []).append(path.read_bytes())
    return {kind: sorted(contents) for kind, contents in found.items()}


def segment_count(ix) -> int:
    with ix.reader() as reader:
        return len(reader.leaf_readers())


@pytest.mark.parametrize("limitmb", [128, 0.02])
def test_array_writer_writes_the_files_whooshs_own_writer_writes(tmp_path, limitmb):
    """The engine's writer (postings gathered as arrays, in runs when memory is short) writes
    byte for byte the segment Whoosh's own writer writes with the same codec."""
    from whoosh.writing import SegmentWriter

    from search.index_store import open_or_create
    from search.whoosh_internals import ArrayCodec, ArrayWriter

    records = synthetic_records(2500, seed=3)
    written = {}
    for name, make in (("whoosh", lambda ix: SegmentWriter(ix, codec=ArrayCodec(), compound=False)),
                       ("array", lambda ix: ArrayWriter(ix, compound=False, limitmb=limitmb))):
        writer = make(open_or_create(tmp_path / name, rebuild=True))
        for record in records:
            writer.add_document(**record)
        if name == "array":
            runs = len(writer.terms.files)
        writer.commit()
        written[name] = segment_files(tmp_path / name)
    assert (runs > 20) == (limitmb < 1)
    assert {".pst", ".trm", "._syl_len.col"} <= set(written["whoosh"])
    assert written["array"] == written["whoosh"]
    assert not list((tmp_path / "array").glob("*.tmp/*")), "the runs' files are left behind"


def test_array_writer_merges_segments_as_whooshs_own_writer_does(tmp_path):
    """Segments merged into a new one (deleted records left out, as an update's commit merges
    small segments): the same files as Whoosh's own writer's merge."""
    import shutil

    from whoosh.writing import SegmentWriter

    from search.index_store import mark_complete, open_or_create
    from search.whoosh_internals import ArrayCodec, ArrayWriter

    ix = open_or_create(tmp_path / "start", rebuild=True)
    mark_complete(tmp_path / "start")
    for part in range(6):
        writer = SegmentWriter(ix, codec=ArrayCodec())
        for record in synthetic_records(400, seed=part, first=1000 * part):
            writer.add_document(**record)
        writer.commit(merge=False)
    written = {}
    for name, make in (("whoosh", lambda ix: SegmentWriter(ix, codec=ArrayCodec(), compound=False)),
                       ("array", lambda ix: ArrayWriter(ix, compound=False))):
        shutil.copytree(tmp_path / "start", tmp_path / name)
        ix = open_or_create(tmp_path / name, rebuild=False)
        before = segment_count(ix)
        writer = make(ix)
        writer.delete_by_term("file", "f3.md")
        for record in synthetic_records(40, seed=9, first=9000):
            writer.add_document(**record)
        writer.commit(optimize=True)
        assert segment_count(open_or_create(tmp_path / name, rebuild=False)) == 1 < before
        written[name] = segment_files(tmp_path / name)
    assert written["array"] == written["whoosh"]
