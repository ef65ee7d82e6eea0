"""Killed builds lose nothing; searches during a build never fail.

A real `cli.py index` process (and its sub-writers: the whole process group) is killed with
SIGKILL at many moments of a build that swaps ten laws in or out of a folder of notices. Each
time the index still opens and answers a fixed set of queries exactly as before the build, and
the next build completes with the counts of a clean reference build. Meanwhile a thread keeps
searching the same index and must never fail or see anything but the old or the new results.

Also: a second writer fails fast, a long-lived Engine follows each build, and files removed, put back
or changed are indexed right.

Default: 3 kills. With NOTICE_SEARCH_SLOW=1 (or --run-slow): 24 more at spread-out moments (some
land after the build has finished: those are counted apart, not as kills survived).

    NOTICE_SEARCH_SLOW=1 python -m pytest tests/test_faults.py -q -s
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers import print_summary, start_cli, write_notices

SLOW = os.environ.get("NOTICE_SEARCH_SLOW") == "1"
# Every hit of each (limit 1000): the totals and hit sets of two states are compared. Rankings
# are compared only within one index: an incrementally updated index may rank ties differently
# from a clean build (Whoosh keeps deleted records in its statistics until segments merge).
QUERIES = [
    {"q": "người lao động"}, {"q": "ho chieu vac xin"}, {"q": '"phòng, chống dịch"'}, {"q": "quyền và nghĩa vụ"},
    {"q": "Điều 5", "sections": True}, {"q": "", "sort": "-date"}, {"q": "luật"}, {"q": "signer:Hiệp"},
    {"q": "xử phạt OR kỷ luật"}, {"q": "year:2021 cách ly"}, {"q": "vắc*", "sections": True},
]

COUNTS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig):
    yield
    line = (f"faults [{'slow' if SLOW else 'default'}]: {COUNTS['kills']} kills survived "
            f"({COUNTS['killed_after_commit']} of them after the commit; {COUNTS['finished_first']} builds finished "
            f"before their kill), {COUNTS['builds']} builds completed "
            f"with the reference counts; {COUNTS['queries']} searches during builds: {COUNTS['errors']} failed, "
            f"{COUNTS['wrong']} answered wrong")
    print_summary(pytestconfig, line)


# --- the corpus: notices plus one of two sets of laws ------------------------------------------------

def make_laws(folder: Path) -> tuple[list[Path], list[Path]]:
    """Two disjoint sets of five long documents made from the seed notices (50-60 KB each,
    like mid-sized laws): each swap segments ~300 KB anew."""
    return (write_notices(folder / "A", count=5, sections=55, seed=1),
            write_notices(folder / "B", count=5, sections=48, seed=2))


def fill(corpus: Path, notices_dir: Path, laws: list[Path], tag: str) -> None:
    """Make `corpus` hold exactly the notices and `laws`. Each law gets a trailing line `tag` (after
    its signature: parsed and segmented the same) so that every swap also changes content."""
    wanted = {p.name: p for p in [*sorted(notices_dir.glob("*.txt")), *laws]}
    for path in list(corpus.iterdir()):
        if path.name not in wanted:
            path.unlink()
    for name, source in wanted.items():
        data = source.read_bytes()
        if source in laws:
            data += f"\n\nZQX{tag}\n".encode()
        if not (corpus / name).exists() or (corpus / name).read_bytes() != data:
            (corpus / name).write_bytes(data)


def swap(setup: dict) -> tuple[str, str]:
    """Put the other set of laws in the corpus: returns (old state, new state)."""
    old = setup["state"]
    new = "B" if old == "A" else "A"
    setup["swaps"] += 1
    fill(setup["corpus"], setup["notices"], setup["laws"][new], str(setup["swaps"]))
    return old, new


def hit_id(hit: dict, query: dict) -> tuple[str, str]:
    """A hit's identity: its document, and its section when hits are sections. (A document hit's
    section is its best-scoring one: a matter of ranking, like the order of the hits.)"""
    return hit["key"], (hit["section"] or "") if query.get("sections") else ""


def answers(engine, ranked: bool = False) -> list[tuple[int, list]]:
    """Each fixed query's total and hits (see hit_id): in rank order, or sorted."""
    results = []
    for query in QUERIES:
        args = {k: v for k, v in query.items() if k != "q"}
        result = engine.search(query["q"], limit=1000, **args)
        hits = [hit_id(hit, query) for hit in result["hits"]]
        assert len(hits) == result["total"]
        results.append((result["total"], hits if ranked else sorted(hits)))
    return results


def counts(report: dict) -> tuple[int, int, int]:
    return report["files"], report["documents"], report["sections"]


def live_files(engine) -> int:
    return len({hit["key"].rsplit("#", 1)[0] for hit in engine.search("", limit=1000)["hits"]})


def check_complete(report: dict, setup: dict, state: str, when: str) -> None:
    """A build's report and the index after it, against the clean reference build of `state`."""
    from search.service import Engine

    ref = setup["refs"][state]
    assert counts(report) == ref["counts"], f"{when}: {report}"
    assert report["skipped"] == [], when
    engine = Engine(setup["index"])
    assert live_files(engine) == ref["files"], when
    assert answers(engine) == ref["answers"], f"{when}: the index differs from a clean build"
    assert not leftovers(setup["index"]), f"{when}: files of killed builds left behind: {leftovers(setup['index'])}"
    COUNTS["builds"] += 1


def leftovers(index_dir: Path) -> list[str]:
    """Files in the index folder that belong to no live segment: what a killed build leaves, and
    what the next writer should remove."""
    from whoosh import index as whoosh_index

    from search.index_store import INDEX_NAME
    from search.segment_cache import FILE_NAME as SEGMENT_CACHE

    ix = whoosh_index.open_dir(index_dir, indexname=INDEX_NAME)
    live = {leaf.segment().segment_id() for leaf, _ in ix.reader().leaf_readers()}
    tocs = sorted(index_dir.glob(f"_{INDEX_NAME}_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    extra = [p.name for p in tocs[:-1]]
    for path in index_dir.iterdir():
        if path.suffix == ".toc" or path.name.startswith(SEGMENT_CACHE) or path.name == f"{INDEX_NAME}_WRITELOCK":
            continue
        if path.is_dir() or path.name.rsplit(".", 1)[0] not in live:
            extra.append(path.name)
    return extra


def drop_cache(index_dir: Path) -> None:
    from search.segment_cache import FILE_NAME as SEGMENT_CACHE

    for suffix in ("", "-wal", "-shm", "-journal"):
        (index_dir / (SEGMENT_CACHE + suffix)).unlink(missing_ok=True)


def cli_index(corpus: Path, index_dir: Path, *extra: str) -> subprocess.Popen:
    """`cli.py index` in a session of its own, so that its sub-writers can be killed with it."""
    return start_cli("index", str(corpus), "--index", str(index_dir), "--json", *extra)


def group_gone(pgid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


class Searcher(threading.Thread):
    """Searches `engine` in a loop until stopped. Every search must succeed (`errors`), give the old or
    the new generation's answer, and once the new generation has been seen, never the old (`wrong`)."""

    def __init__(self, engine, allowed: list[list[tuple[int, list]]]):
        super().__init__(daemon=True)
        self.engine, self.allowed = engine, allowed
        self.stop = threading.Event()
        self.queries, self.errors, self.wrong, self.seen = 0, [], [], []

    def run(self):
        i = 0
        while not self.stop.is_set():
            query = QUERIES[i % len(QUERIES)]
            try:
                args = {k: v for k, v in query.items() if k != "q"}
                result = self.engine.search(query["q"], limit=1000, **args)
                answer = (result["total"], sorted(hit_id(hit, query) for hit in result["hits"]))
            except Exception as e:  # noqa: BLE001 - any failure is the finding
                self.errors.append(f"{query}: {type(e).__name__}: {e}")
            else:
                which = [n for n, results in enumerate(self.allowed) if results[i % len(QUERIES)] == answer]
                if not which:
                    self.wrong.append(f"{query}: {answer[0]} hits, an answer of neither generation")
                elif len(which) == 1:  # an answer only one generation gives
                    if self.seen and self.seen[-1] > which[0]:
                        self.wrong.append(f"{query}: the old generation came back after the new one")
                    self.seen.append(which[0])
            self.queries += 1
            i += 1

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=60)
        assert not self.is_alive()
        COUNTS["queries"] += self.queries
        COUNTS["errors"] += len(self.errors)
        COUNTS["wrong"] += len(self.wrong)
        assert not self.errors, self.errors[:5]
        assert not self.wrong, self.wrong[:5]


@pytest.fixture(scope="module")
def setup(tmp_path_factory, notices_dir):
    """Reference builds of both states, a cache that holds every text, and the index to torture."""
    from search.segment_cache import FILE_NAME as SEGMENT_CACHE
    from search.service import Engine, index_paths

    base = tmp_path_factory.mktemp("faults")
    laws_a, laws_b = make_laws(base / "laws")
    corpus = base / "corpus"
    corpus.mkdir()
    refs: dict[str, dict] = {}
    # B first, from scratch through the CLI: how long a build of new text takes
    fill(corpus, notices_dir, laws_b, "ref")
    started = time.monotonic()
    process = cli_index(corpus, base / "ref_b")
    out, err = process.communicate(timeout=600)
    duration = time.monotonic() - started
    assert process.returncode == 0, err
    refs["B"] = {"counts": counts(json.loads(out))}
    # A, with B's cache (the notices need not be segmented again)
    fill(corpus, notices_dir, laws_a, "ref")
    (base / "ref_a").mkdir()
    shutil.copyfile(base / "ref_b" / SEGMENT_CACHE, base / "ref_a" / SEGMENT_CACHE)
    report = index_paths([str(corpus)], str(base / "ref_a"))
    assert not report["skipped"]
    refs["A"] = {"counts": counts(report)}
    for state in "AB":
        engine = Engine(base / f"ref_{state.lower()}")
        refs[state].update(answers=answers(engine), files=live_files(engine))
    assert refs["A"]["counts"] != refs["B"]["counts"] and refs["A"]["answers"] != refs["B"]["answers"]
    cache = base / "full_cache.sqlite"  # every text of both states, segmented
    shutil.copyfile(base / "ref_a" / SEGMENT_CACHE, cache)
    index_dir = base / "index"
    shutil.copytree(base / "ref_a", index_dir)  # built from the same folder: the same as building it here
    return {"corpus": corpus, "index": index_dir, "refs": refs, "cache": cache, "duration": duration,
            "laws": {"A": laws_a, "B": laws_b}, "notices": notices_dir, "state": "A", "swaps": 0}


def restore_cache(setup: dict) -> None:
    """Put back the segmentation of every text: a build then only costs what it must."""
    from search.segment_cache import FILE_NAME as SEGMENT_CACHE

    drop_cache(setup["index"])
    shutil.copyfile(setup["cache"], setup["index"] / SEGMENT_CACHE)


def kill_build_at(setup: dict, delay: float, rebuild: bool) -> bool:
    """Swap the laws, start a build without cache, SIGKILL its process group after `delay` seconds,
    and check the index; then complete the build and check it against the reference.
    Returns whether the kill landed during the build."""
    from search.service import Engine

    corpus, index_dir, refs = setup["corpus"], setup["index"], setup["refs"]
    before = answers(Engine(index_dir), ranked=True)
    assert [(total, sorted(hits)) for total, hits in before] == refs[setup["state"]]["answers"]

    old, new = swap(setup)
    drop_cache(index_dir)  # the killed build segments afresh: long enough to be killed mid-way
    searcher = Searcher(Engine(index_dir), [refs[old]["answers"], refs[new]["answers"]])
    searcher.start()
    process = cli_index(corpus, index_dir, *(["--rebuild"] if rebuild else []))
    time.sleep(delay)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = process.communicate(timeout=120)
    assert group_gone(process.pid), "a sub-writer outlived the kill"
    landed = process.returncode == -signal.SIGKILL
    searcher.finish()
    assert "Traceback" not in err

    if landed:
        COUNTS["kills"] += 1
        # it opens, and answers as before the build; or, killed after its commit, as after it
        after_kill = answers(Engine(index_dir), ranked=True)
        if after_kill != before:  # the same ranked hits, unless the commit was through
            assert [(total, sorted(hits)) for total, hits in after_kill] == refs[new]["answers"], (
                f"killed after {delay:.2f} s: the index is neither the old one nor the new one")
            COUNTS["killed_after_commit"] += 1
    else:  # it finished first: then it must be complete
        assert process.returncode == 0, err
        COUNTS["finished_first"] += 1
        check_complete(json.loads(out), setup, new, f"a build that finished before its kill at {delay:.2f} s")

    # the next build completes: with the full cache back (speed only), while a thread searches
    restore_cache(setup)
    searcher = Searcher(Engine(index_dir), [refs[old]["answers"], refs[new]["answers"]])
    searcher.start()
    process = cli_index(corpus, index_dir)
    out, err = process.communicate(timeout=600)
    searcher.finish()
    assert process.returncode == 0, f"the build after a kill at {delay:.2f} s failed: {err}"
    check_complete(json.loads(out), setup, new, f"the build after a kill at {delay:.2f} s")
    setup["state"] = new
    return landed


def moments(n: int, duration: float) -> list[float]:
    """`n` delays spread over 0.05 s .. the length of a build (start-up included)."""
    if n == 1:
        return [duration / 2]
    return [0.05 + (duration - 0.05) * i / (n - 1) * 0.9 for i in range(n)]


def test_killed_builds_leave_the_index_as_it_was(setup):
    """Three kills: before Python is up, mid-way through an update, mid-way through a --rebuild."""
    delays = moments(3, setup["duration"] * 0.7)
    landed = [kill_build_at(setup, delay, rebuild=(i == 2)) for i, delay in enumerate(delays)]
    assert sum(landed) >= 2, f"too few kills landed mid-build ({delays})"


@pytest.mark.slow
def test_many_killed_builds_and_rebuilds(setup):
    """Twenty-four kills, spread from the process start to the commit; every third a --rebuild (which
    segments everything again, so it lasts longer: its kills reach later)."""
    n = 24
    duration = setup["duration"]
    delays = [0.05 + (duration * (1.0 if i % 3 == 2 else 0.75) - 0.05) * i / (n - 1) for i in range(n)]
    landed = [kill_build_at(setup, delay, rebuild=(i % 3 == 2)) for i, delay in enumerate(delays)]
    assert sum(landed) >= n * 2 // 3, f"too few kills landed mid-build ({delays})"


@pytest.mark.slow
def test_searches_during_a_rebuild_never_fail(setup):
    """A full rebuild (all text segmented again) while a thread searches the same index."""
    from search.service import Engine

    refs = setup["refs"]
    old, new = swap(setup)
    drop_cache(setup["index"])
    searcher = Searcher(Engine(setup["index"]), [refs[old]["answers"], refs[new]["answers"]])
    searcher.start()
    process = cli_index(setup["corpus"], setup["index"], "--rebuild")
    out, err = process.communicate(timeout=600)
    time.sleep(0.3)  # a few searches on the new generation too
    searcher.finish()
    assert process.returncode == 0, err
    setup["state"] = new
    check_complete(json.loads(out), setup, new, "a rebuild while searching")
    assert searcher.queries > 10


@pytest.mark.slow
def test_second_writer_fails_fast_with_a_clear_message(setup):
    """While a build holds the write lock, another build says so (exit 1, one line) instead of waiting
    for ever or corrupting the index; the first build is unaffected."""
    old, new = swap(setup)
    drop_cache(setup["index"])
    first = cli_index(setup["corpus"], setup["index"])
    time.sleep(min(2.5, setup["duration"] / 2))  # past start-up, holding the lock
    second = cli_index(setup["corpus"], setup["index"])
    out2, err2 = second.communicate(timeout=120)
    out1, err1 = first.communicate(timeout=600)
    assert first.returncode == 0, err1
    setup["state"] = new
    check_complete(json.loads(out1), setup, new, "the first of two writers")
    if second.returncode == 0:  # it waited its turn, or the first had finished: also fine
        assert counts(json.loads(out2)) == setup["refs"][new]["counts"]
        return
    assert second.returncode == 1 and "Traceback" not in err2
    assert err2.startswith("Lỗi: ") and err2.count("\n") == 1 and "tiến trình khác" in err2, err2


def test_a_long_lived_engine_answers_like_a_fresh_one(setup):
    """The same Engine (the web UI's, a --batch run's) before and after a build that removes and adds
    files. (Whoosh's Searcher.refresh() re-used stale segment readers: deleted documents counted.)"""
    from search.service import Engine, index_paths

    engine = Engine(setup["index"])
    assert answers(engine) == setup["refs"][setup["state"]]["answers"]
    old, new = swap(setup)
    restore_cache(setup)
    report = index_paths([str(setup["corpus"])], str(setup["index"]))
    setup["state"] = new
    check_complete(report, setup, new, "an in-process build")  # a fresh engine: right
    assert answers(engine) == setup["refs"][new]["answers"]  # the same engine, after the build


# --- nothing lost: files removed, put back, changed --------------------------------------------------

@pytest.fixture()
def small_corpus(tmp_path, corpus_index, notices_dir):
    """The notices in a folder of their own, and an index folder seeded with their segmentation."""
    from search.segment_cache import FILE_NAME as SEGMENT_CACHE

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    index_dir.mkdir()
    for path in sorted(notices_dir.glob("*.txt")):
        (corpus / path.name).write_bytes(path.read_bytes())
    shutil.copyfile(corpus_index / SEGMENT_CACHE, index_dir / SEGMENT_CACHE)
    return corpus, index_dir


def test_a_removed_file_put_back_is_indexed_again(small_corpus):
    """Removed, indexed, put back unchanged: indexed again. (The file states once came from the
    lexicon, which keeps deleted records' terms: the file was 'unchanged' and lost.)"""
    from search.service import Engine, index_paths

    corpus, index_dir = small_corpus
    first = index_paths([str(corpus)], str(index_dir))
    victim = sorted(corpus.iterdir())[-1]
    data = victim.read_bytes()
    victim.unlink()
    removed = index_paths([str(corpus)], str(index_dir))
    assert removed["removed"] == 1 and removed["documents"] < first["documents"]
    victim.write_bytes(data)
    back = index_paths([str(corpus)], str(index_dir))
    assert (back["added"], back["unchanged"]) == (1, first["files"] - 1)
    assert back["documents"] == first["documents"]
    listed = {hit["key"].rsplit("#", 1)[0] for hit in Engine(index_dir).search("", limit=1000)["hits"]}
    assert victim.name in listed


def test_index_report_counts_live_files_only(small_corpus):
    """`files` counts what the index holds; a removed file is reported removed once."""
    from search.service import index_paths

    corpus, index_dir = small_corpus
    first = index_paths([str(corpus)], str(index_dir))
    sorted(corpus.iterdir())[-1].unlink()
    removed = index_paths([str(corpus)], str(index_dir))
    assert removed["removed"] == 1
    again = index_paths([str(corpus)], str(index_dir))
    assert again["removed"] == 0 and again["unchanged"] == first["files"] - 1
    assert removed["files"] == again["files"] == first["files"] - 1


def test_a_changed_file_replaces_its_documents(small_corpus):
    """Edited in place: its old documents go, its new ones come; nothing else changes."""
    from search.service import Engine, index_paths

    corpus, index_dir = small_corpus
    first = index_paths([str(corpus)], str(index_dir))
    before = Engine(index_dir).search("", limit=1000)
    target = sorted(corpus.iterdir())[0]
    text = target.read_text(encoding="utf-8")
    assert "\n1. " in text
    target.write_text(text.replace("\n1. ", "\n1. Hải đăng Kê Gà soi sáng vùng biển. ", 1), encoding="utf-8")
    changed = index_paths([str(corpus)], str(index_dir))
    assert (changed["updated"], changed["added"], changed["removed"]) == (1, 0, 0)
    assert changed["documents"] == first["documents"]
    engine = Engine(index_dir)
    after = engine.search("", limit=1000)
    assert sorted(h["key"] for h in after["hits"]) == sorted(h["key"] for h in before["hits"])
    assert engine.search('"hải đăng Kê Gà"')["total"] == 1
