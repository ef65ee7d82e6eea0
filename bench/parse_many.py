"""Parse many files in one process: one `parse --json` object per line, in the order given.

Run from the repository root:  python bench/parse_many.py FILE...

The output is what `notice-search parse FILE --json` prints for each file, except that
"file" is the path as given (so that a scorer can match results to inputs). A file that
cannot be read gets {"file": …, "error": "…"} on its line and the rest go on. Made for
batch scoring, e.g. from ../shared/datasets/real-notices:
    python3 score.py --cmd 'python /path/to/repo/bench/parse_many.py {files}'
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from search.ingest import UnreadableFile  # noqa: E402
from search.parse import parse_file  # noqa: E402


def main(paths: list[str]) -> int:
    for path in paths:
        try:
            documents = [d.to_dict() for d in parse_file(path, Path(path).name)]
            result = {"file": path, "documents": documents}
        except UnreadableFile as e:
            result = {"file": path, "error": str(e)}
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
