import os
import shutil

import pytest

from search.indexer import build
from search.originals import NoOriginal, original_file
from search.service import Engine

NOTICE = "004_fb50bfa98abb5c99.txt"


@pytest.fixture
def indexed(tmp_path, notices_dir):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(notices_dir / NOTICE, folder / "sub" / NOTICE)
    build([str(folder)], tmp_path / "ix")
    return folder, Engine(tmp_path / "ix")


def _reason(engine, key) -> str:
    with pytest.raises(NoOriginal) as error:
        original_file(engine._searcher(), key)
    return str(error.value)


def test_original_of_an_indexed_document(indexed):
    folder, engine = indexed
    original = original_file(engine._searcher(), f"sub/{NOTICE}#1")
    assert original.path == (folder / "sub" / NOTICE).resolve()
    assert original.name == NOTICE and original.media_type == "text/plain"


def test_unknown_and_vanished_documents(indexed):
    folder, engine = indexed
    assert _reason(engine, "nope.txt#1") == "no such document"
    assert _reason(engine, "../../etc/passwd#1") == "no such document"
    (folder / "sub" / NOTICE).unlink()
    assert _reason(engine, f"sub/{NOTICE}#1") == "the original file is no longer there"


def test_a_file_swapped_for_a_link_out_of_the_folder_is_refused(indexed, tmp_path):
    folder, engine = indexed
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu", encoding="utf-8")
    (folder / "sub" / NOTICE).unlink()
    os.symlink(secret, folder / "sub" / NOTICE)
    assert _reason(engine, f"sub/{NOTICE}#1") == "the file lies outside the indexed folder"
