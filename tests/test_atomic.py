"""Files published by rename get the modes a direct write would give them under the user's umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable, Iterator

import pytest

from vega_llvm import atomic
from vega_llvm.corpus.records import atomic_write_text, write_lines_atomic
from vega_llvm.describe.properties import write_json_atomic
from vega_llvm.emit.render import write_tree
from vega_llvm.features.build import AtomicJsonl


@pytest.fixture(params=[0o022, 0o002, 0o077], ids=["umask022", "umask002", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_umask_is_read_without_changing_it(umask: int) -> None:
    assert atomic.umask() == umask
    assert atomic.file_mode() == 0o666 & ~umask and atomic.dir_mode() == 0o777 & ~umask
    assert atomic.umask() == umask


def _write_tree_fresh(dest: Path) -> list[Path]:
    write_tree(dest, {"a.cpp": "1", "sub/b.h": "2"}, force=False)
    return [dest, dest / "sub", dest / "a.cpp", dest / "sub" / "b.h"]


def _write_tree_update(dest: Path) -> list[Path]:
    dest.mkdir()
    write_tree(dest, {"a.cpp": "1", "sub/b.h": "2"}, force=True)
    return [dest / "a.cpp", dest / "sub" / "b.h"]


def _write_lines(dest: Path) -> list[Path]:
    # eval's result.jsonl, summary.json/.md and report.html are written through these two
    write_lines_atomic(dest / "result.jsonl", ['{"a": 1}'])
    atomic_write_text(dest / "report.html", "<html></html>")
    return [dest / "result.jsonl", dest / "report.html"]


def _atomic_jsonl(dest: Path) -> list[Path]:
    with AtomicJsonl(dest / "train.jsonl") as out:
        out.write({"a": 1})
    return [dest / "train.jsonl"]


def _write_json(dest: Path) -> list[Path]:
    return [write_json_atomic(dest / "XCore.json", {"a": 1})]


def _staged_text(dest: Path) -> list[Path]:
    # generate's result.jsonl
    with atomic.staged_text(dest / "result.jsonl") as fh:
        fh.write('{"a": 1}\n')
    return [dest / "result.jsonl"]


# Each atomic writer of the package: writes under ``dest`` and returns what it published.
WRITERS: dict[str, Callable[[Path], list[Path]]] = {
    "emit.write_tree (new directory)": _write_tree_fresh,
    "emit.write_tree (update)": _write_tree_update,
    "corpus.records.write_lines_atomic": _write_lines,
    "features.build.AtomicJsonl": _atomic_jsonl,
    "describe.properties.write_json_atomic": _write_json,
    "atomic.staged_text": _staged_text,
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_published_modes_follow_the_umask(writer: str, tmp_path: Path, umask: int) -> None:
    written = WRITERS[writer](tmp_path / "out")
    direct = tmp_path / "direct.txt"
    direct.write_text("x")
    for p in written:
        want = 0o777 & ~umask if p.is_dir() else _mode(direct)
        assert _mode(p) == want, (p, oct(_mode(p)), oct(want))
    assert not [p for p in (tmp_path / "out").rglob(".*")], "a temporary was left behind"


def test_staged_text_keeps_the_old_file_when_the_writer_fails(tmp_path: Path) -> None:
    out = tmp_path / "result.jsonl"
    out.write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        with atomic.staged_text(out) as fh:
            fh.write("half")
            raise KeyboardInterrupt
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.jsonl"], "the staging file was left behind"


def test_two_staged_writers_of_one_path_do_not_share_a_staging_file(tmp_path: Path) -> None:
    # two evaluations into the same --out: the one that finishes last wins whole, neither loses its file mid-way
    out = tmp_path / "result.jsonl"
    with atomic.staged_text(out) as first:
        with atomic.staged_text(out) as second:
            second.write("second\n")
        first.write("first\n")
    assert out.read_text() == "first\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.jsonl"]
