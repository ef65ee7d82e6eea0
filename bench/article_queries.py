"""Queries naming a law's article: does that article come first?

Twenty queries over different laws of shared/datasets/vn-laws, written as a lawyer types them:
the full name ("Điều 173 Bộ luật tố tụng hình sự", "Điều 5 Luật Đầu tư 2020") and short forms
("điều 173 BLTTHS", "điều 584 BLDS"). Each is run with `Engine.search(q, sections=True)`; it
counts when the first hit is that article (the law's file and the article's section id). The
law file is named here only to state the expected answer; the engine never sees it.

The index is the one bench/latency.py uses (the 208 laws plus the bundled notices, in
bench/out/laws-index; built if missing or made by other engine code, incremental otherwise).

    python bench/article_queries.py [--index DIR] [--no-build]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ensure_laws_index  # noqa: E402

from search.service import Engine  # noqa: E402


# (query, the law's file, the article's number)
QUERIES = [
    ("Điều 173 Bộ luật tố tụng hình sự", "Bo-luat-to-tung-hinh-su-2015-296884.txt", "173"),
    ("điều 173 BLTTHS", "Bo-luat-to-tung-hinh-su-2015-296884.txt", "173"),
    ("Điều 123 Bộ luật Dân sự", "Bo-luat-dan-su-2015-296215.txt", "123"),
    ("điều 584 BLDS", "Bo-luat-dan-su-2015-296215.txt", "584"),
    ("Điều 51 Bộ luật Hình sự", "Bo-luat-hinh-su-2015-296661.txt", "51"),
    ("điều 134 BLHS", "Bo-luat-hinh-su-2015-296661.txt", "134"),
    ("Điều 35 Bộ luật Lao động", "Bo-Luat-lao-dong-2019-333670.txt", "35"),
    ("điều 139 BLLĐ", "Bo-Luat-lao-dong-2019-333670.txt", "139"),
    ("điều 26 BLTTDS", "Bo-luat-to-tung-dan-su-2015-296861.txt", "26"),
    ("Điều 5 Luật Đầu tư 2020", "Luat-Dau-tu-so-61-2020-QH14-321051.txt", "5"),
    ("khoản 2 Điều 5 Luật Đầu tư 2020", "Luat-Dau-tu-so-61-2020-QH14-321051.txt", "5"),
    ("Điều 17 Luật Doanh nghiệp 2020", "Luat-Doanh-nghiep-so-59-2020-QH14-427301.txt", "17"),
    ("Điều 10 Luật Cư trú", "Luat-68-2020-QH14-cu-tru-435315.txt", "10"),
    ("Điều 8 Luật An ninh mạng", "Luat-an-ninh-mang-2018-351416.txt", "8"),
    ("Điều 3 Luật Hôn nhân và gia đình", "Luat-Hon-nhan-va-gia-dinh-2014-238640.txt", "3"),
    ("Điều 100 Luật Đất đai", "Luat-dat-dai-2013-215836.txt", "100"),
    ("Điều 12 Luật Giáo dục 2019", "Luat-giao-duc-2019-367665.txt", "12"),
    ("Điều 4 Luật Phòng, chống tham nhũng", "Luat-Phong-chong-tham-nhung-322049.txt", "4"),
    ("Điều 2 Luật Bảo hiểm xã hội", "Luat-Bao-hiem-xa-hoi-2014-259700.txt", "2"),
    ("điều 30 luật xử lý vi phạm hành chính", "Luat-xu-ly-vi-pham-hanh-chinh-2012-142766.txt", "30"),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=str(OUT / "laws-index"), help="index folder (built if missing)")
    ap.add_argument("--no-build", action="store_true", help="use --index as it is")
    args = ap.parse_args()
    index_dir = Path(args.index)
    if not args.no_build:
        ensure_laws_index(index_dir)
    engine = Engine(index_dir)
    right = 0
    for query, file, article in QUERIES:
        expected = engine.show(f"{file}#1")
        if expected is None or not any(s["id"] == article for s in expected["sections"]):
            raise SystemExit(f"the index has no article {article} in {file}: is it the laws index?")
        hits = engine.search(query, sections=True, limit=5)["hits"]
        ranked = [(h["key"].split("#")[0], h["section"]) for h in hits]
        rank = ranked.index((file, article)) + 1 if (file, article) in ranked else None
        right += rank == 1
        first = f"{ranked[0][0]} §{ranked[0][1]}" if ranked else "nothing"
        print(f"{'ok  ' if rank == 1 else 'MISS'} {query!r}: rank {rank or '>5'}"
              + ("" if rank == 1 else f"; first: {first}"))
    print(f"\narticle first: {right}/{len(QUERIES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
