"""Query time with one pathological section: the bundled notices plus a notice whose first
section is a single 1 MB line (a bad conversion), as in tests/test_search.py.

Builds the index into a temporary folder (`python cli.py index`, so the parallel writer runs
as it does for users), then runs each query of QUERIES --repeat times through `Engine.search`
(the first run of each is a warm-up) and prints the median and the maximum wall time and
took_ms per query, and the median CPU time of the process (the machine is shared: wall time
grows with the load average, printed with the results, CPU time much less). Target: no query
over 200 ms.

Run from the repository root:
    python bench/long_section.py
    python bench/long_section.py --repeat 9 --size 2000000
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NOTICES, REPO, table  # noqa: E402

from search.service import Engine  # noqa: E402

sys.path.insert(0, str(REPO / "tests"))
from helpers import _seed_sentences  # noqa: E402

QUERIES = [("vắc xin", {}), ('"vắc xin"', {}), ('"phòng, chống dịch"', {}), ("phòng chống dịch COVID-19", {}),
           ("vac xin", {}), ("vắc*", {}), ("vắc xin", {"sections": True}), ('"phòng, chống dịch"', {"sections": True}),
           ("tiêm chủng AND trẻ em", {}), ("", {"sort": "-date"}), ("hộ chiếu vắc xin", {"limit": 100})]
TARGET_MS = 200


def write_corpus(folder: Path, size: int) -> None:
    for path in NOTICES.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    sentences = " ".join(_seed_sentences())
    line = (sentences * (size // len(sentences) + 1))[:size]
    head, rest = (NOTICES / "004_fb50bfa98abb5c99.txt").read_text(encoding="utf-8").split("\n1. ", 1)
    (folder / "long.txt").write_text(head.replace("230/TB-VPCP", "999/TB-VPCP") + "\n1. " + line + "\n\n2. "
                                     + rest.split("\n2. ", 1)[1], encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each query (the first is not counted)")
    ap.add_argument("--size", type=int, default=1_000_000, help="characters of the long line")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="notice-longline-") as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        write_corpus(corpus, args.size)
        started = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / "cli.py"), "index", str(corpus), "--index", str(index), "--json"],
                       check=True, capture_output=True)
        print(f"indexed the notices and a {args.size:,}-character line in {time.perf_counter() - started:.1f} s")
        engine = Engine(index)
        rows, worst, worst_cpu = [], 0.0, 0.0
        for q, options in QUERIES:
            walls, tooks, cpus = [], [], []
            for _ in range(args.repeat):
                started, cpu = time.perf_counter(), time.process_time()
                result = engine.search(q, **options)
                walls.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                tooks.append(result["took_ms"])
            walls, tooks, cpus = walls[1:], tooks[1:], cpus[1:]
            worst, worst_cpu = max(worst, max(walls)), max(worst_cpu, max(cpus))
            rows.append([q + "".join(f" {k}={v}" for k, v in options.items()), result["total"],
                         f"{statistics.median(walls):.1f}", f"{max(walls):.1f}", f"{statistics.median(tooks):.1f}",
                         f"{statistics.median(cpus):.1f}", f"{max(cpus):.1f}"])
        print(table(rows, ["query", "total", "wall median ms", "wall max ms", "took_ms median", "CPU median ms",
                           "CPU max ms"]))
        print(f"\nslowest: {worst:.1f} ms wall, {worst_cpu:.1f} ms CPU (target {TARGET_MS} ms: "
              f"{'met' if worst < TARGET_MS else 'MISSED'}); load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
