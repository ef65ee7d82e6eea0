"""Switch the engine to the prototypes of issue #14 (search/arraycodec.py, fastranking.py,
fasttables.py) for a measurement, without changing the engine's modules.

    apply("codec,phrase,tables")   in-process, before building or opening an index

    python bench/protos.py NAMES build SOURCE INDEX     build (rebuild) with the prototypes
    python bench/protos.py NAMES cli ARGS...            the CLI with the prototypes

Prototypes:
  codec    the array codec and raw-uint32 positions (an index built with it reads only with it)
  phrase   phrase checks on position arrays (needs an index built with `codec`)
  tables   per-generation tables from whole columns, stored per segment, memory-mapped
  prune    long questions score common terms only where they can reach the page; results
           ranked without sorting every matching record (search/fastservice.py)
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NAMES = ("codec", "phrase", "tables", "prune")


def apply(names: str) -> list[str]:
    chosen = [n for n in names.split(",") if n]
    unknown = set(chosen) - set(NAMES)
    if unknown:
        raise SystemExit(f"unknown prototypes: {', '.join(sorted(unknown))}; choose among {', '.join(NAMES)}")
    from search import indexer, ranking, schema, service

    if "codec" in chosen:
        from search import arraycodec, fastranking

        def terms_field(positions: bool = False):
            field = schema.TEXT(analyzer=schema.analysis.terms_analyzer(), phrase=positions)
            field.format = arraycodec.ArrayPositions() if positions else schema.TermFrequencies()
            return field

        schema._terms_field = terms_field
        indexer.Codec = arraycodec.ArrayCodec
        ranking.postings = fastranking.postings
    if "phrase" in chosen:
        from search import fastranking

        service.Evaluation = fastranking.FastEvaluation
    if "tables" in chosen:
        from search import fasttables

        service.DocTable = fasttables.FastDocTable
        service.Statistics = fasttables.FastStatistics
    if "prune" in chosen:
        from search import fastservice

        service.Engine = fastservice.FastEngine
    return chosen


def main() -> int:
    names, command, *rest = sys.argv[1:]
    apply(names)
    if command == "build":
        import json
        from dataclasses import asdict

        from search import indexer

        source, index = rest
        print(json.dumps(asdict(indexer.build([source], index, rebuild=True))))
        return 0
    if command == "cli":
        import cli

        sys.argv = ["cli.py", *rest]
        cli.main()
        return 0
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    sys.exit(main())
