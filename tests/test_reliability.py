"""Bad input through the real command line: each case exits non-zero (or, where tolerated, zero) with ONE line on
stderr naming the file or value at fault and what is wrong, never a traceback, and leaves no half-written output.

The rows of docs/RELIABILITY.md cite these tests (and the older ones that already covered a case). Every case runs
``vega_llvm.cli.main`` in this process with its own cache (a temporary folder per module, never the user's), and
none builds LLVM, a corpus or a model: where a command needs a corpus before it reads the bad input, the cache gets
a stand-in corpus whose stamp matches today's corpus code, so the command goes on to the input under test.

The read-only and full output folders are real file systems: a 64 KiB tmpfs mounted read-only and an 8 KiB tmpfs
(mounting needs root; elsewhere those two skip, saying so).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from vega_llvm.cli import main
from vega_llvm.paths import llvm_src_root

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "checkpoints" / "default"
CHECKPOINT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vega_meta.json")

needs_llvm = pytest.mark.skipif(
    llvm_src_root(required=False) is None,
    reason="llvm-project sources absent: run `vega-llvm llvm fetch` (CI has them)",
)


# --- helpers ----------------------------------------------------------------------------------------------------


def fails(argv: list[str], capsys: pytest.CaptureFixture[str], code: int, *fragments: str) -> str:
    """Run the CLI; assert the exit code, a single ``error:`` line holding every fragment, no traceback."""
    rc = main(argv)
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err and "Traceback" not in captured.out, err
    # stage progress lines ("[bootstrap] ...") may come before the error; the error itself is one line, the last
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("[bootstrap] ")]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert rc == code, (rc, lines[0])
    print(f"rc={rc} {lines[0]}")  # shown by `pytest -rP`: the messages docs/RELIABILITY.md quotes
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its content hash: 'nothing written' is 'snapshot equal'."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.rglob("*"))
    }


def xcore_td() -> Path:
    return llvm_src_root() / "llvm" / "lib" / "Target" / "XCore" / "XCore.td"  # type: ignore[operator]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache of this module's own, with a stand-in corpus (empty, stamped by today's corpus code)."""
    from vega_llvm.provenance import code_digest

    root = tmp_path_factory.mktemp("reliability-cache")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "functions.jsonl").write_text("")
    (corpus / "targets.json").write_text("{}")
    (corpus / "meta.json").write_text(json.dumps({"provenance": {"code": code_digest("corpus")}}))
    mp = pytest.MonkeyPatch()
    mp.setenv("VEGA_LLVM_CACHE", str(root))
    src = llvm_src_root(required=False)
    if src is not None:
        mp.setenv("VEGA_LLVM_SRC", str(src))
    yield root
    mp.undo()


@pytest.fixture()
def checkpoint(tmp_path: Path) -> Path:
    """A private copy of the shipped checkpoint, to break."""
    if not all((SHIPPED / f).is_file() for f in CHECKPOINT_FILES):
        pytest.skip(f"{SHIPPED}: the shipped checkpoint is not complete")
    dest = tmp_path / "ckpt"
    dest.mkdir()
    for f in CHECKPOINT_FILES:
        shutil.copyfile(SHIPPED / f, dest / f)
    return dest


def _mount_tmpfs(where: Path, options: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, text=True,
                         timeout=30)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


@pytest.fixture()
def readonly_dir(tmp_path: Path):
    where = tmp_path / "ro"
    _mount_tmpfs(where, "ro,size=64k")
    yield where
    _umount(where)


@pytest.fixture()
def full_dir(tmp_path: Path):
    where = tmp_path / "full"
    _mount_tmpfs(where, "size=8k")  # two pages: far less than a property table
    yield where
    _umount(where)


# --- .td input -------------------------------------------------------------------------------------------------


@needs_llvm
def test_td_of_another_llvm_version(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A description written for LLVM <= 3.5 (``neverHasSideEffects``, removed in 3.6; LLVM 16 has only
    ``hasSideEffects``): llvm-tblgen's own message, the file and line."""
    td = tmp_path / "Old.td"
    td.write_text('include "llvm/Target/Target.td"\nlet neverHasSideEffects = 1 in\ndef FOO : Instruction;\n')
    before = snapshot(tmp_path)
    fails(["describe", "--td", str(td), "--out", str(tmp_path / "o.json"), "--no-cache"], capsys, 1,
          "llvm-tblgen rejected Old.td", "Old.td:2:", "Value 'neverHasSideEffects' unknown!")
    assert snapshot(tmp_path) == before


@needs_llvm
def test_empty_td(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    td = tmp_path / "Empty.td"
    td.write_text("")
    before = snapshot(tmp_path)
    fails(["describe", "--td", str(td), "--out", str(tmp_path / "o.json"), "--no-cache"], capsys, 2,
          "Empty.td defines no record deriving from Target")
    assert snapshot(tmp_path) == before


@needs_llvm
def test_binary_file_as_td(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes that are not text (llvm-tblgen echoes them back: its output is decoded leniently)."""
    td = tmp_path / "Bin.td"
    td.write_bytes(bytes(range(256)) * 4 + b"\xb8\xff\xfe\x00" * 64)
    before = snapshot(tmp_path)
    fails(["describe", "--td", str(td), "--out", str(tmp_path / "o.json"), "--no-cache"], capsys, 1,
          "llvm-tblgen rejected Bin.td", "Bin.td:1:")
    assert snapshot(tmp_path) == before


@needs_llvm
def test_td_with_another_suffix(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    td = tmp_path / "XCore.txt"
    td.write_text(xcore_td().read_text())
    before = snapshot(tmp_path)
    fails(["describe", "--td", str(td), "--out", str(tmp_path / "o.json")], capsys, 2, "XCore.txt: not a .td file")
    assert snapshot(tmp_path) == before


@needs_llvm
def test_non_utf8_sources_are_described(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Latin-1 bytes in a comment of the .td and of a header beside it: tolerated (LLVM's own sources are not all
    UTF-8), the description is written whole."""
    target = tmp_path / "XCore"
    shutil.copytree(xcore_td().parent, target)
    with open(target / "XCore.td", "ab") as fh:
        fh.write(b"// na\xefve caf\xe9\n")
    with open(target / "XCore.h", "ab") as fh:
        fh.write(b"// \xff\xfe r\xe9sum\xe9\n")
    out = tmp_path / "xcore.json"
    assert main(["describe", "--td", str(target / "XCore.td"), "--out", str(out), "--no-cache"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error" not in err
    table = json.loads(out.read_text())
    assert table["target"] == "XCore" and "R11" in table["values"]["register"]


# --- output folders ---------------------------------------------------------------------------------------------


@needs_llvm
def test_read_only_output_folder(cache: Path, readonly_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["describe", "--td", str(xcore_td()), "--out", str(readonly_dir / "x.json"), "--no-cache"], capsys, 1,
          f"{readonly_dir}: Read-only file system")
    assert list(readonly_dir.iterdir()) == []
    fails(["bootstrap", "--td", str(xcore_td()), "--out", str(readonly_dir / "b"), "--model", "none"], capsys, 1,
          f"{readonly_dir / 'b'}: Read-only file system")
    assert list(readonly_dir.iterdir()) == []


@needs_llvm
def test_full_output_folder(cache: Path, full_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ENOSPC half-way through the property table: the staged temporary is removed, nothing is published."""
    fails(["describe", "--td", str(xcore_td()), "--out", str(full_dir / "x.json"), "--no-cache"], capsys, 1,
          f"writing {full_dir / 'x.json'}: No space left on device")
    assert list(full_dir.iterdir()) == []


# --- checkpoints ------------------------------------------------------------------------------------------------


def test_truncated_checkpoint(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weights = checkpoint / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    before = snapshot(checkpoint)
    fails(["model-info", str(checkpoint)], capsys, 1, f"{weights}: corrupt weights")
    assert snapshot(checkpoint) == before


def test_corrupt_checkpoint(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weights = checkpoint / "model.safetensors"
    size = weights.stat().st_size
    weights.write_bytes(bytes((i * 131 + 7) % 256 for i in range(size)))  # same size, no header
    before = snapshot(checkpoint)
    fails(["model-info", str(checkpoint)], capsys, 1, f"{weights}: corrupt weights")
    assert snapshot(checkpoint) == before


def test_truncated_checkpoint_metadata(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta = checkpoint / "vega_meta.json"
    meta.write_bytes(meta.read_bytes()[:100])
    fails(["model-info", str(checkpoint)], capsys, 1, f"{meta}: unreadable metadata")


def test_checkpoint_of_another_format(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A checkpoint written by a later vega-llvm (``vega_meta.json`` format 2): refused before anything loads."""
    meta = checkpoint / "vega_meta.json"
    data = json.loads(meta.read_text())
    data.update(format="vega-llvm-model/2", tool_version="9.0.0")
    meta.write_text(json.dumps(data))
    fails(["model-info", str(checkpoint)], capsys, 1, f"{meta}: not a vega-llvm-model/1 metadata file")


def test_checkpoint_with_a_broken_tokenizer(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (checkpoint / "tokenizer.json").write_text('{"broken')
    fails(["model-info", str(checkpoint)], capsys, 1, f"{checkpoint}: tokenizer cannot be loaded")


def test_checkpoint_with_a_broken_config(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (checkpoint / "config.json").write_text("xx")
    fails(["model-info", str(checkpoint)], capsys, 1, f"{checkpoint / 'config.json'}: unreadable model configuration")


def test_no_checkpoint_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["model-info", str(tmp_path / "nope")], capsys, 1, f"{tmp_path / 'nope'}: no such checkpoint folder")
    assert not (tmp_path / "nope").exists()


# --- result.jsonl -----------------------------------------------------------------------------------------------


@needs_llvm
def test_result_jsonl_with_a_broken_line(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "result.jsonl"
    results.write_text('{"target":"XCore","func":"f","code":"void f() {}"}\n{"target": "XCore", broken\n')
    out = tmp_path / "out"
    fails(["bootstrap", "--td", str(xcore_td()), "--out", str(out), "--results", str(results)], capsys, 2,
          f"{results}:2: not JSON")
    assert not out.exists()  # the folder is made only once the inputs are read


@needs_llvm
def test_result_jsonl_not_utf8(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "result.jsonl"
    results.write_bytes(b'{"target":"XCore","func":"f","code":"void f() {}"}\n'
                        b'{"target":"XCore","func":"g","code":"void g() { /* caf\xe9 */ }"}\n')
    out = tmp_path / "out"
    fails(["bootstrap", "--td", str(xcore_td()), "--out", str(out), "--results", str(results)], capsys, 2,
          f"{results}:2: not UTF-8 (byte 0xe9")
    assert not out.exists()


def test_eval_results_file_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["eval", "--holdout", "XCore", "--results", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")],
          capsys, 2, f"--results {tmp_path / 'nope.jsonl'}: no such file")
    assert list(tmp_path.iterdir()) == []


# --- targets and output folders of bootstrap --------------------------------------------------------------------


@needs_llvm
@pytest.mark.parametrize("command", ["build", "test"])
def test_unknown_target_name(command: str, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails([command, "--target", "Nope"], capsys, 2, "unknown target 'Nope'; llvm-project 16.0.6 has: AArch64,", "XCore")


@needs_llvm
def test_out_folder_holding_another_target(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "lib" / "Target" / "Lanai").mkdir(parents=True)
    (out / "lib" / "Target" / "Lanai" / "Lanai.td").write_text("// another target's bootstrap\n")
    before = snapshot(out)
    fails(["bootstrap", "--td", str(xcore_td()), "--out", str(out), "--model", "none"], capsys, 2,
          f"{out} exists and is not empty; pass --force")
    assert snapshot(out) == before


@needs_llvm
def test_out_folder_inside_the_llvm_tree(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = xcore_td().parent / "bootstrap-out"
    fails(["bootstrap", "--td", str(xcore_td()), "--out", str(out), "--model", "none"], capsys, 2,
          f"--out {out} is inside the llvm-project tree")
    assert not out.exists()


@needs_llvm
def test_only_without_a_previous_run(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    fails(["bootstrap", "--td", str(xcore_td()), "--out", str(out), "--model", "none", "--only", "getReg"], capsys, 2,
          f"--only needs a previous run in {out} (no functions.json)")
    assert not out.exists()  # refused in the --out checks, before describe, the corpus and generation


@needs_llvm
def test_bootstrap_td_missing(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["bootstrap", "--td", str(tmp_path / "Nope.td"), "--out", str(tmp_path / "out"), "--model", "none"],
          capsys, 2, f"{tmp_path / 'Nope.td'}: no such .td file")
    assert not (tmp_path / "out").exists()


def test_bootstrap_model_folder_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["bootstrap", "--td", "X.td", "--out", str(tmp_path / "o"), "--model", str(tmp_path / "nope")], capsys, 2,
          f"--model {tmp_path / 'nope'}: no such checkpoint folder")
    assert list(tmp_path.iterdir()) == []


def test_bootstrap_model_and_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["bootstrap", "--td", "X.td", "--out", str(tmp_path / "o"), "--model", "m", "--results", "r.jsonl"], capsys,
          2, "give either --model or --results, not both")
    assert list(tmp_path.iterdir()) == []


# --- option values ----------------------------------------------------------------------------------------------


def test_negative_candidates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["generate", "--target", "XCore", "--candidates", "-1", "--out", str(tmp_path / "r.jsonl")], capsys, 2,
          "--candidates -1: at least 1")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "fragment"), [
    (["generate", "--target", "XCore", "--strategy", "best"], "Invalid value for '--strategy'"),
    (["bootstrap", "--td", "X.td", "--out", "o", "--mode", "fast"], "'fast' is not one of 'scratch', 'swap'"),
    (["test", "--target", "XCore", "--suite", "asm"], "'asm' is not one of 'codegen', 'mc', 'disassembler'"),
    (["generate", "--target", "XCore", "--candidates", "three"], "Invalid value for '--candidates'"),
    (["nosuch"], "No such command 'nosuch'"),
])
def test_usage_errors_are_one_line(argv: list[str], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    line = fails(argv, capsys, 2, fragment)
    assert line.endswith("--help`)")
    assert list(tmp_path.iterdir()) == []


def test_unknown_preset_and_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["train", "--out", str(tmp_path / "m"), "--preset", "huge"], capsys, 2,
          "unknown preset 'huge': choose one of tiny, default, unixcoder")
    fails(["train", "--out", str(tmp_path / "m"), "--preset", "tiny", "--set", "model.layer=3"], capsys, 2,
          "unknown setting 'model.layer'")
    assert list(tmp_path.iterdir()) == []


# --- the judge: an llc that dies of a signal --------------------------------------------------------------------


@needs_llvm
def test_llc_killed_by_a_signal_fails_its_test(tmp_path: Path) -> None:
    """An llc that crashes (SIGSEGV) fails the lit test that ran it; lit itself goes on and reports."""
    from vega_llvm.littest.runner import run_tests

    crash = tmp_path / "llc"
    crash.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crash.chmod(crash.stat().st_mode | stat.S_IXUSR)
    report = run_tests("XCore", llc=crash, llvm_mc=crash, run_dir=tmp_path / "run",
                       filter_regex=r"CodeGen/XCore/addsub64\.ll", test_timeout=30)
    assert report.tests == {"CodeGen/XCore/addsub64.ll": "FAIL"}
    assert report.failed == ["CodeGen/XCore/addsub64.ll"]


def test_generate_unknown_target_is_refused_before_any_input_is_built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vega_llvm.paths import cache_root

    before = sorted(p.name for p in cache_root().iterdir()) if cache_root().is_dir() else []
    fails(["generate", "--target", "Nope", "--model", str(SHIPPED), "--out", str(tmp_path / "r.jsonl")], capsys, 2,
          "Nope was not held out when it was trained (held out: RISCV, XCore)")
    after = sorted(p.name for p in cache_root().iterdir()) if cache_root().is_dir() else []
    assert after == before and not (tmp_path / "r.jsonl").exists()  # no templates, features or output built
