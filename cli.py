"""notice-search: search Vietnamese official documents from the command line.

A thin layer over search.service: it translates options and prints results.
"""
from __future__ import annotations

import json
import os
import re
import sys

# No command does linear algebra, yet importing numpy starts an OpenBLAS thread per core: ~0.1 s of
# CPU that a one-query command pays in wall time on a busy machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from search.service import (SORTS, Engine, IndexUnavailable, QueryError, SearchRequest, default_index_dir,
                            index_paths, parse_path)
from search.display import vn_date, vn_decimal, vn_number
from search.messages import file_reason, vietnamese
from search.validity import KIND_LABELS, STATUS_LABELS

index_option = click.option(
    "--index", "index_dir", default=default_index_dir, show_default="$NOTICE_SEARCH_INDEX hoặc index_data/index",
    help="Thư mục chỉ mục.")
json_option = click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")


def emit(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


class Failure(click.ClickException):
    """A failed command (exit 1): one line on stderr, in Vietnamese where the message is known."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {vietnamese(self.format_message(), unknown=None)}", err=True)


def engine(index_dir: str) -> Engine:
    try:
        return Engine(index_dir)
    except IndexUnavailable as e:
        raise Failure(str(e)) from None


class _Command(click.Command):
    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Xem hướng dẫn này."
        return option


class _Group(_Command, click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Tra cứu văn bản hành chính: thông báo, công văn, nghị quyết, luật…"""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rebuild", is_flag=True, help="Xây lại chỉ mục từ đầu chỉ với PATHS.")
@index_option
@json_option
def index(paths, rebuild, index_dir, as_json):
    """Thêm tệp và thư mục (cả thư mục con) vào chỉ mục.

    Chạy lại chỉ đọc lại những tệp đã thay đổi và bỏ những tệp không còn
    trong PATHS. Tệp không đọc được được báo và bỏ qua.
    """
    try:
        if as_json or not sys.stderr.isatty():
            report = index_paths(list(paths), index_dir, rebuild=rebuild)
        else:
            with click.progressbar(length=1, label="Đang lập chỉ mục", file=sys.stderr) as bar:
                def progress(done, total):
                    bar.length = max(total, 1)
                    bar.update(done - bar.pos)
                report = index_paths(list(paths), index_dir, rebuild=rebuild, progress=progress)
    except IndexUnavailable as e:
        raise Failure(str(e)) from None
    if as_json:
        emit(report)
        return
    for skipped in report["skipped"]:
        click.echo(f"bỏ qua {skipped['path']}: {file_reason(skipped['error'])}", err=True)
    click.echo(f"{report['files']} tệp, {report['documents']} văn bản, {report['sections']} mục "
               f"(thêm {report['added']}, cập nhật {report['updated']}, xóa {report['removed']}, "
               f"không đổi {report['unchanged']}, bỏ qua {len(report['skipped'])}) trong "
               f"{vn_decimal(report['seconds'])} giây")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
def parse(file, as_json):
    """In những gì đọc được từ tệp FILE (không động tới chỉ mục)."""
    from search.ingest import UnreadableFile

    try:
        result = parse_path(file)
    except (UnreadableFile, OSError) as e:
        raise Failure(f"cannot read {file}: {getattr(e, 'strerror', None) or e}") from None
    if as_json:
        emit(result)
        return
    for doc in result["documents"]:
        signer = doc["signer"]
        click.echo(f"#{doc['ordinal']} {doc['type'] or '?'} {doc['number'] or '(không số)'}  {vn_date(doc['date'])}")
        for label, value in (("cơ quan", doc["issuer"]), ("nơi ban hành", doc["place"]), ("trích yếu", doc["title"]),
                             ("người ký", " / ".join(v for v in (signer["on_behalf_of"], signer["position"],
                                                                  signer["name"]) if v))):
            if value:
                click.echo(f"  {label}: {value}")
        click.echo(f"  số mục: {len(doc['sections'])}; trích dẫn: "
                   + ", ".join(f"{r['number']}×{r['count']}" for r in doc["references"]))


def _batch(engine_: Engine, source) -> None:
    """One JSON object per line in, one search result (or error) per line out."""
    for line in source:
        if not line.strip():
            continue
        try:
            params = json.loads(line)
            if not isinstance(params, dict):
                raise QueryError("Each line must be a JSON object such as {\"q\": \"vắc xin\"}.")
            emit(engine_.run(SearchRequest.from_params(params)))
        except RecursionError:
            emit({"error": "The line is nested too deeply to be a search request."})
        except ValueError as e:  # bad JSON, or a QueryError
            emit({"error": str(e)})


@main.command()
@click.argument("query", required=False, default="")
@click.option("--signer", help="Tên người ký, hoa hay thường, có dấu hay không dấu.")
@click.option("--issuer", help="Cơ quan ban hành (các từ trong tên).")
@click.option("--type", "type_", help="Loại văn bản, ví dụ 'Thông báo'.")
@click.option("--from", "from_", help="Ban hành từ ngày YYYY-MM-DD.")
@click.option("--to", help="Ban hành đến ngày YYYY-MM-DD.")
@click.option("--ref", help="Chỉ các văn bản trích dẫn số hiệu này.")
@click.option("--year", help="Ban hành trong năm này (YYYY).")
@click.option("--status", help="Hiệu lực: in_force, not_yet_in_force, amended, repealed_in_part, suspended, "
                               "expired, replaced, repealed, hoặc valid / invalid.")
@click.option("--asof", help="Tính hiệu lực vào ngày này, YYYY-MM-DD (mặc định: hôm nay).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(0),
              help="Số kết quả mỗi trang (tối đa 1000).")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Bỏ qua bấy nhiêu kết quả đầu.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="Sắp xếp: liên quan nhất, cũ nhất trước (date) hoặc mới nhất trước (-date).")
@click.option("--sections", is_flag=True, help="Mỗi mục khớp là một kết quả (thay vì mỗi văn bản).")
@click.option("--batch", type=click.File("r", encoding="utf-8"),
              help="Chạy nhiều lượt tìm: FILE (hoặc -) có mỗi dòng một đối tượng JSON.")
@click.option("--format", "format_", type=click.Choice(("text", "json", "csv")), default="text", show_default=True,
              help="Xuất toàn bộ danh sách kết quả (mọi trang) dạng JSON hoặc CSV.")
@index_option
@json_option
def search(query, signer, issuer, type_, from_, to, ref, year, status, asof, limit, offset, sort, sections, batch,
           format_, index_dir, as_json):
    """Tìm kiếm, xếp theo mức liên quan. QUERY rỗng kèm bộ lọc: liệt kê văn bản khớp.

    Cú pháp: các từ (có dấu hay không dấu), "cụm từ chính xác",
    AND, OR, NOT hoặc -từ, ngoặc đơn, signer: issuer: type: number: ref:
    date:2021-05..2021-06 year:2021 status:valid asof:2021-06-01, và dấu * cuối từ (vắc*).
    """
    engine_ = engine(index_dir)
    if batch is not None:
        _batch(engine_, batch)
        return
    params = {"q": query, "signer": signer, "issuer": issuer, "type": type_, "ref": ref, "year": year,
              "status": status, "asof": asof, "from": from_, "to": to, "limit": limit, "offset": offset,
              "sort": sort, "sections": sections}
    try:
        request = SearchRequest.from_params(params)
        if format_ != "text":
            from search.export import as_csv, whole_list

            result = whole_list(engine_, request)
        else:
            result = engine_.run(request)
    except QueryError as e:
        raise Failure(str(e)) from None
    if format_ == "csv":
        click.echo(as_csv(result), nl=False)
        return
    if as_json or format_ == "json":
        emit(result)
        return
    unit = "mục" if sections else "văn bản"
    click.echo(f"{vn_number(result['total'])} {unit} ({vn_decimal(result['took_ms'])} ms)")
    if result["notice"]:
        click.echo(f"Lưu ý: {result['notice']}")
    for rank, hit in enumerate(result["hits"], start=result["offset"] + 1):
        where = f" §{hit['section']}" if hit["section"] else ""
        status = f"  [{STATUS_LABELS[hit['status']]}]" if hit["status"] != "unknown" else ""
        click.echo(f"{rank}. {hit['number'] or hit['key']}{where}  {hit['type'] or ''}  {vn_date(hit['date'])}  "
                   f"{hit['signer'] or ''}{status}")
        if hit["title"]:
            click.echo(f"   {hit['title']}")
        click.echo(f"   {_plain(hit['snippet'])}")


def _plain(snippet: str) -> str:
    """A snippet for the terminal: marks in bold, HTML entities decoded."""
    import html

    marked = re.sub(r"</?mark>", lambda m: "\x1b[1m" if m.group(0) == "<mark>" else "\x1b[0m", snippet)
    return html.unescape(marked if sys.stdout.isatty() else re.sub(r"\x1b\[\dm", "", marked))


@main.command()
@click.argument("number")
@index_option
@json_option
def mentions(number, index_dir, as_json):
    """Mọi chỗ nhắc tới số hiệu văn bản NUMBER, dù viết theo cách nào."""
    try:
        result = engine(index_dir).mentions(number)
    except QueryError as e:
        raise Failure(str(e)) from None
    if as_json:
        emit(result)
        return
    if result.get("candidates"):
        click.echo(f"“{number}” có thể là: " + ", ".join(result["candidates"]))
        return
    click.echo(f"{result['number']}: được nhắc {vn_number(result['total'])} lần trong {vn_number(result['documents'])} văn bản")
    for m in result["mentions"]:
        where = f" §{m['section']}" if m["section"] else ""
        click.echo(f"- {m['number_of_document'] or m['key']}{where} ({vn_date(m['date']) or 'không rõ ngày'}): "
                   f"{m['context']}")


@main.command()
@click.argument("key")
@click.option("--asof", help="The date the status is taken on, YYYY-MM-DD (default: today).")
@index_option
@json_option
def show(key, asof, index_dir, as_json):
    """Một văn bản: thông tin, các mục, văn bản nó trích dẫn và văn bản trích dẫn nó, quan hệ
    hai chiều, hiệu lực và lịch sử.

    KEY là số hiệu (128/NQ-CP) hoặc khóa tệp#thứ-tự.
    """
    try:
        doc = engine(index_dir).show(key, asof=asof)
    except QueryError as e:
        raise Failure(str(e)) from None
    if doc is None:
        raise Failure(f"no document '{key}' in the index")
    if as_json:
        emit(doc)
        return
    click.echo(f"{doc['type'] or ''} {doc['number'] or doc['key']}  {vn_date(doc['date'])}  {doc['issuer'] or ''}")
    if doc["title"]:
        click.echo(doc["title"])
    by = ", ".join(f"{KIND_LABELS.get(b['kind'], (b['kind'],) * 2)[1].lower()} {b['number'] or b['key']}"
                   for b in doc["status_by"])
    click.echo(f"Hiệu lực ngày {vn_date(doc['status_as_of'])}: {STATUS_LABELS[doc['status']]}" + (f" ({by})" if by else "")
               + (f"; có hiệu lực từ {vn_date(doc['effective_date'])}" if doc["effective_date"] else ""))
    for section in doc["sections"]:
        click.echo(f"\n[{section['id']}] {section['heading']}\n{section['text']}")
    if doc["references"]:
        click.echo("\nTrích dẫn: " + ", ".join(r["number"] + (" (có trong chỉ mục)" if r["key"] else "")
                                               for r in doc["references"]))
    if doc["cited_by"]:
        click.echo("Được trích dẫn bởi: " + ", ".join(c["number"] or c["key"] for c in doc["cited_by"]))
    for relation in doc["relations"]:
        other = relation["number"] or relation.get("name") or relation.get("key")
        kind = KIND_LABELS.get(relation["kind"], (relation["kind"],) * 2)[relation["direction"] != "out"]
        articles = f" (Điều {', '.join(relation['articles'])})" if relation["articles"] else ""
        click.echo(f"{kind} {other}{articles}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe.")
@click.option("--port", default=8000, show_default=True, type=int, help="Cổng.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Số luồng xử lý.")
@index_option
def serve(host, port, threads, index_dir):
    """Giao diện web trên cùng chỉ mục."""
    from webui import create_app, make_server

    try:
        app = create_app(index_dir)
    except IndexUnavailable as e:
        raise Failure(str(e)) from None
    try:
        server = make_server(app, host, port, threads)
    except OSError as e:
        raise Failure(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    click.echo(f"Đang phục vụ tại http://{host}:{port}/ (Ctrl-C để dừng)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


# Commands that only read and print: once one has answered, run() ends the process at once.
READ_ONLY = ("search", "mentions", "show", "parse")


def run() -> None:
    """The console script: like `main`, but an unexpected error is one line, not a traceback.

    After a read-only command the process ends without Python's teardown, which frees every
    module and object one by one (~0.15 s after a search, a sixth of it) only for the OS to
    free them again."""
    try:
        main(standalone_mode=True)
    except SystemExit as done:
        code = done.code
    except Exception as e:  # click handles its own exceptions; this is a bug or an OS failure
        click.echo(f"Lỗi: {e.__class__.__name__}: {e}", err=True)
        code = 1
    if sys.argv[1:2] and sys.argv[1] in READ_ONLY and isinstance(code, int):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:  # the reader went away: nothing more to say
                pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
