"""Wall and CPU time of one search command, process start included: what a user running one
query waits for.

    python bench/startup.py --index DIR [--runs 10] [--compare CHECKOUT ...]

Runs `python cli.py search Q --index DIR --json` RUNS times (three questions in turn) from this
repository and from each other checkout given with --compare (an older commit, say), interleaved
so that a change in the machine's load falls on all of them alike; prints the median and minimum
wall and CPU time of each, and whether their hits, scores, totals and facets agree.

The commands run as Python runs by default, caching compiled modules in __pycache__ (a
PYTHONDONTWRITEBYTECODE in the environment is dropped, or every run would compile the engine's
modules again), after one untimed run of each that writes those caches.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUERIES = ["điều kiện kết hôn", "quyền và nghĩa vụ của người lao động", "thời hiệu khởi kiện"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True, help="an index folder (e.g. of ../shared/datasets/vn-laws)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--compare", nargs="*", default=[], help="other checkouts to time the same way")
    args = parser.parse_args()
    checkouts = [REPO, *map(Path, args.compare)]
    wall = {c: [] for c in checkouts}
    cpu = {c: [] for c in checkouts}
    answers = {c: [] for c in checkouts}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for checkout in checkouts:
        subprocess.run([sys.executable, "cli.py", "search", QUERIES[0], "--index", args.index, "--json"],
                       cwd=checkout, capture_output=True, check=True, env=env)
    for run in range(args.runs):
        for checkout in checkouts:
            query = QUERIES[run % len(QUERIES)]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "cli.py", "search", query, "--index", args.index, "--json"],
                                 cwd=checkout, capture_output=True, text=True, check=True, env=env).stdout
            wall[checkout].append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[checkout].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            data = json.loads(out)
            answers[checkout].append(([(h["key"], h["section"], h["score"]) for h in data["hits"]],
                                      data["total"], data["facets"]))
    for checkout in checkouts:
        print(f"{checkout}: wall median {statistics.median(wall[checkout]):.3f} s (min {min(wall[checkout]):.3f}), "
              f"CPU median {statistics.median(cpu[checkout]):.3f} s (min {min(cpu[checkout]):.3f})")
    if len(checkouts) > 1:
        same = all(answers[c] == answers[REPO] for c in checkouts)
        print("same hits, scores, totals and facets:", same)


if __name__ == "__main__":
    main()
