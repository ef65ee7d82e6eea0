"""notice-search: search Vietnamese official documents from the command line.

A thin layer over search.service: it translates options and prints results.
"""
from __future__ import annotations

import json
import re
import sys

import click

from search.service import (SORTS, Engine, IndexUnavailable, QueryError, SearchRequest, default_index_dir,
                            index_paths, parse_path)

index_option = click.option(
    "--index", "index_dir", default=default_index_dir, show_default="$NOTICE_SEARCH_INDEX or index_data/index",
    help="Index folder.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


def emit(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def engine(index_dir: str) -> Engine:
    try:
        return Engine(index_dir)
    except IndexUnavailable as e:
        raise click.ClickException(str(e)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Search Vietnamese official documents: notices, dispatches, resolutions, laws."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rebuild", is_flag=True, help="Start the index afresh from PATHS.")
@index_option
@json_option
def index(paths, rebuild, index_dir, as_json):
    """Add files and folders (recursively) to the index.

    Re-running only re-reads files whose content changed and drops files that
    disappeared under PATHS. Unreadable files are reported and skipped.
    """
    try:
        if as_json or not sys.stderr.isatty():
            report = index_paths(list(paths), index_dir, rebuild=rebuild)
        else:
            with click.progressbar(length=1, label="Indexing", file=sys.stderr) as bar:
                def progress(done, total):
                    bar.length = max(total, 1)
                    bar.update(done - bar.pos)
                report = index_paths(list(paths), index_dir, rebuild=rebuild, progress=progress)
    except IndexUnavailable as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        emit(report)
        return
    for skipped in report["skipped"]:
        click.echo(f"skipped {skipped['path']}: {skipped['error']}", err=True)
    click.echo(f"{report['files']} files, {report['documents']} documents, {report['sections']} sections "
               f"(added {report['added']}, updated {report['updated']}, removed {report['removed']}, "
               f"unchanged {report['unchanged']}, skipped {len(report['skipped'])}) in {report['seconds']} s")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
def parse(file, as_json):
    """Print what the parser extracts from FILE, without touching the index."""
    from search.ingest import UnreadableFile

    try:
        result = parse_path(file)
    except (UnreadableFile, OSError) as e:
        raise click.ClickException(f"cannot read {file}: {getattr(e, 'strerror', None) or e}") from None
    if as_json:
        emit(result)
        return
    for doc in result["documents"]:
        signer = doc["signer"]
        click.echo(f"#{doc['ordinal']} {doc['type'] or '?'} {doc['number'] or '(no number)'}  {doc['date'] or ''}")
        for label, value in (("issuer", doc["issuer"]), ("place", doc["place"]), ("title", doc["title"]),
                             ("signer", " / ".join(v for v in (signer["on_behalf_of"], signer["position"],
                                                                signer["name"]) if v))):
            if value:
                click.echo(f"  {label}: {value}")
        click.echo(f"  sections: {len(doc['sections'])}; references: "
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
@click.option("--signer", help="Signer's name, in any case, with or without diacritics.")
@click.option("--issuer", help="Issuing body (words it contains).")
@click.option("--type", "type_", help="Document type, e.g. 'Thông báo'.")
@click.option("--from", "from_", help="Issued on or after YYYY-MM-DD.")
@click.option("--to", help="Issued on or before YYYY-MM-DD.")
@click.option("--ref", help="Only documents that cite this number.")
@click.option("--year", help="Issued in this year (YYYY).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(0), help="Hits per page (at most 1000).")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Hits to skip.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--sections", is_flag=True, help="One hit per matching section instead of per document.")
@click.option("--batch", type=click.File("r", encoding="utf-8"),
              help="Run many searches: FILE (or -) holds one JSON object per line.")
@index_option
@json_option
def search(query, signer, issuer, type_, from_, to, ref, year, limit, offset, sort, sections, batch, index_dir,
           as_json):
    """Ranked search. An empty QUERY with filters lists matching documents.

    Query syntax: plain words (with or without diacritics), "exact phrases",
    AND, OR, NOT or -word, parentheses, signer: issuer: type: number: ref:
    date:2021-05..2021-06 year:2021, and trailing wildcards (vắc*).
    """
    engine_ = engine(index_dir)
    if batch is not None:
        _batch(engine_, batch)
        return
    params = {"q": query, "signer": signer, "issuer": issuer, "type": type_, "ref": ref, "year": year,
              "from": from_, "to": to, "limit": limit, "offset": offset, "sort": sort, "sections": sections}
    try:
        result = engine_.run(SearchRequest.from_params(params))
    except QueryError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        emit(result)
        return
    unit = "sections" if sections else "documents"
    click.echo(f"{result['total']} {unit} ({result['took_ms']} ms)")
    for rank, hit in enumerate(result["hits"], start=result["offset"] + 1):
        where = f" §{hit['section']}" if hit["section"] else ""
        click.echo(f"{rank}. {hit['number'] or hit['key']}{where}  {hit['type'] or ''}  {hit['date'] or ''}  "
                   f"{hit['signer'] or ''}")
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
    """Every place in the corpus where a document NUMBER is written, however it is spelt."""
    try:
        result = engine(index_dir).mentions(number)
    except QueryError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        emit(result)
        return
    if result.get("candidates"):
        click.echo(f"'{number}' could be: " + ", ".join(result["candidates"]))
        return
    click.echo(f"{result['number']}: written {result['total']} times in {result['documents']} documents")
    for m in result["mentions"]:
        where = f" §{m['section']}" if m["section"] else ""
        click.echo(f"- {m['number_of_document'] or m['key']}{where} ({m['date'] or 'no date'}): {m['context']}")


@main.command()
@click.argument("key")
@index_option
@json_option
def show(key, index_dir, as_json):
    """One document: metadata, sections, what it cites and what cites it.

    KEY is a document number (128/NQ-CP) or a file#ordinal key.
    """
    doc = engine(index_dir).show(key)
    if doc is None:
        raise click.ClickException(f"no document '{key}' in the index")
    if as_json:
        emit(doc)
        return
    click.echo(f"{doc['type'] or ''} {doc['number'] or doc['key']}  {doc['date'] or ''}  {doc['issuer'] or ''}")
    if doc["title"]:
        click.echo(doc["title"])
    for section in doc["sections"]:
        click.echo(f"\n[{section['id']}] {section['heading']}\n{section['text']}")
    if doc["references"]:
        click.echo("\nCites: " + ", ".join(r["number"] + (" (in corpus)" if r["key"] else "")
                                           for r in doc["references"]))
    if doc["cited_by"]:
        click.echo("Cited by: " + ", ".join(c["number"] or c["key"] for c in doc["cited_by"]))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@index_option
def serve(host, port, threads, index_dir):
    """The web interface over the same index."""
    from webui import create_app, make_server

    try:
        app = create_app(index_dir)
    except IndexUnavailable as e:
        raise click.ClickException(str(e)) from None
    try:
        server = make_server(app, host, port, threads)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def run() -> None:
    """The console script: like `main`, but an unexpected error is one line, not a traceback."""
    try:
        main(standalone_mode=True)
    except Exception as e:  # click handles its own exceptions; this is a bug or an OS failure
        click.echo(f"Error: {e.__class__.__name__}: {e}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
