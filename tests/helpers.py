"""Helpers shared by the test modules: the command line as a sub-process, corpora made
from the seed notices, and reading pages as a browser would."""
from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTICES = REPO / "index_data" / "notices"


# --- small indexes of documents written in the tests -------------------------------------------

def engine_of(tmp_path_factory, name: str, texts: dict[str, str]):
    """An engine over an index of one file per `texts` item (file name -> text), every file read
    as one document."""
    from search.service import Engine, index_paths

    folder = tmp_path_factory.mktemp(name)
    for file, text in texts.items():
        (folder / file).write_text(text, encoding="utf-8")
    index = tmp_path_factory.mktemp(f"{name}ix")
    report = index_paths([str(folder)], str(index))
    assert report["documents"] == len(texts) and not report["skipped"]
    return Engine(index)


# --- the command line as a user runs it ---------------------------------------------------------

def _env(env: dict | None) -> dict:
    return {**(os.environ if env is None else env), "PYTHONIOENCODING": "utf-8"}


def run_cli(*args: str, input: str | None = None, env: dict | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """`python cli.py ARGS` from the repository root, to completion."""
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], input=input, capture_output=True,
                          text=True, encoding="utf-8", cwd=REPO, env=_env(env), timeout=timeout)


def start_cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    """`python cli.py ARGS` started in a session of its own, so that a test can kill it
    together with its sub-processes (os.killpg)."""
    return subprocess.Popen([sys.executable, str(REPO / "cli.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=REPO, env=_env(env),
                            start_new_session=True)


# --- corpora made from the seed notices -----------------------------------------------------------

def _seed_sentences() -> list[str]:
    """Sentences of the seed notices' bodies, as plain text (markdown emphasis removed: the
    parser reads it as markup)."""
    sentences = []
    for path in sorted(NOTICES.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("Số", "*", "#", "|")):
                continue
            body = re.sub(r"^\s*(?:\d+\.|-)\s*", "", line).replace("*", "")
            sentences += [s for s in re.split(r"(?<=[.;])\s+", body)
                          if 40 <= len(s) <= 500 and not re.search(r"\d/", s)]  # no document numbers
    return sentences


def write_notices(folder: Path, count: int, sections: int, seed: int) -> list[Path]:
    """Write `count` notices into `folder`, each with `sections` numbered sections of
    sentences drawn from the seed notices (deterministically from `seed`), under one seed
    notice's header and signature with a number of its own. Every section's text is its
    own, so building them costs real segmentation: about 1 KB of text per section."""
    template = (NOTICES / "004_fb50bfa98abb5c99.txt").read_text(encoding="utf-8")
    head, rest = template.split("\n1. ", 1)
    tail = rest[rest.index("Nơi nhận"):]
    sentences = _seed_sentences()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        number = f"{seed * 1000 + i + 1}/TB-VPCP"
        body = [" ".join(rng.sample(sentences, rng.randint(3, 8))) + f" Lượt {seed}.{i}.{k}."
                for k in range(1, sections + 1)]
        text = (re.sub(r"Số: \S+", f"Số: {number}", head, count=1) + "\n"
                + "\n\n".join(f"{k}. {b}" for k, b in enumerate(body, start=1)) + "\n\n" + tail)
        path = folder / f"notice_{seed}_{i:03d}.txt"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

# The tags the templates write themselves; any other tag in a page came from data or input.
TEMPLATE_TAGS = {tag.lower() for template in (REPO / "webui" / "templates").glob("*.html")
                 for tag in re.findall(r"<([A-Za-z][A-Za-z0-9]*)", template.read_text(encoding="utf-8"))}
TEMPLATE_TAGS.add("mark")  # the highlighting of snippets and mention contexts


class _LiveMarkup(HTMLParser):
    """The tags and attributes a browser would act on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def live_tags(body: str) -> list[tuple[str, list]]:
    """Every (tag, attributes) of an HTML page, as a browser would read them."""
    parser = _LiveMarkup()
    parser.feed(body)
    parser.close()
    return parser.tags


def print_summary(pytestconfig, line: str) -> None:
    """Print a test module's counts even when pytest captures output."""
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + line)


@contextmanager
def served(index) -> Iterator[str]:
    """The web app over `index`, served by waitress in a thread on a free loopback port: its URL.
    waitress polls with poll(), not select(): closing the server while its loop waits in
    select() made the loop fail with EBADF (waitress issue 468), a stray error at teardown."""
    import waitress

    from webui import create_app

    server = waitress.create_server(create_app(index), host="127.0.0.1", port=0, asyncore_use_poll=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.task_dispatcher.shutdown()  # let the worker threads finish before the sockets close
        server.close()
        thread.join(timeout=5)
