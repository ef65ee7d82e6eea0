"""Shared fixtures: one real index of the bundled corpus per test run."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTICES = REPO / "index_data" / "notices"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """An index of index_data/notices, built once and shared read-only by the tests."""
    from search.service import index_paths

    index_dir = tmp_path_factory.mktemp("index")
    report = index_paths([str(NOTICES)], str(index_dir))
    assert not report["skipped"], report["skipped"]
    return index_dir


@pytest.fixture(scope="session")
def laws_dir() -> Path:
    """Five short hand-written laws, decrees and a circular that amend, replace, guide and rest
    on each other (tests/fixtures/laws)."""
    return FIXTURES / "laws"


@pytest.fixture(scope="session")
def laws_index(tmp_path_factory, laws_dir) -> Path:
    """An index of tests/fixtures/laws, built once and shared read-only by the tests."""
    from search.service import index_paths

    index_dir = tmp_path_factory.mktemp("laws-index")
    report = index_paths([str(laws_dir)], str(index_dir))
    assert not report["skipped"], report["skipped"]
    return index_dir


@pytest.fixture(scope="session")
def laws_engine(laws_index):
    from search.service import Engine

    return Engine(laws_index)


@pytest.fixture(scope="session")
def engine(corpus_index):
    from search.service import Engine

    return Engine(corpus_index)


@pytest.fixture(scope="session")
def notices_dir() -> Path:
    return NOTICES


@pytest.fixture(scope="session")
def gold() -> dict[str, dict]:
    """The seed notices' hand-checked metadata (a copy of the shared eval/gold.json), by key."""
    data = json.loads((FIXTURES / "seed_gold.json").read_text(encoding="utf-8"))
    return {f"{d['file']}#{d['ordinal']}": d for d in data["documents"]}


@pytest.fixture(scope="session")
def dev_queries() -> list[dict]:
    """The development queries with graded relevance (a copy of the shared eval/queries.json)."""
    return json.loads((FIXTURES / "dev_queries.json").read_text(encoding="utf-8"))["queries"]


# --- long runs: skipped unless --run-slow or NOTICE_SEARCH_SLOW=1 (CI leaves them off) ------------

SLOW_ENV = "NOTICE_SEARCH_SLOW"


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help=f"run the long robustness tests (the same as {SLOW_ENV}=1)")


def pytest_configure(config):
    # The option and the variable are one switch: modules read the variable at import
    # (collection comes after this hook) to size their runs, e.g. hypothesis' max_examples.
    if config.getoption("--run-slow"):
        os.environ[SLOW_ENV] = "1"


def pytest_collection_modifyitems(config, items):
    if os.environ.get(SLOW_ENV) == "1":
        return
    skip = pytest.mark.skip(reason=f"slow: run with --run-slow or {SLOW_ENV}=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
