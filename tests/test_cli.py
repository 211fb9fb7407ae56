"""The command line: every subcommand has help, and errors become one line plus a non-zero exit."""

from __future__ import annotations

import re

import pytest

from vega_llvm import cli


def _subcommands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(cli.app)
    out: list[list[str]] = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            out += [[name, sub] for sub in subs]
        else:
            out.append([name])
    return out


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    names = _subcommands()
    assert ["llvm", "fetch"] in names and ["llvm", "doctor"] in names and ["build"] in names and ["test"] in names
    for argv in names:
        assert cli.main([*argv, "--help"]) == 0
        out = capsys.readouterr().out
        assert "Usage" in out and "--help" in out, argv


def test_help_shows_flags_plainly_and_lists_choices(capsys: pytest.CaptureFixture[str]) -> None:
    """On/off flags carry no value placeholder; an option with fixed values lists them."""
    for argv in _subcommands():
        assert cli.main([*argv, "--help"]) == 0
        assert "<bool>" not in capsys.readouterr().out, argv
    choices = {  # typer writes <a|b>, older typer/click [a|b]
        ("bootstrap",): r"--mode [<\[]scratch\|swap[>\]]",
        ("test",): r"--suite [<\[]codegen\|mc\|disassembler[>\]]",
        ("llvm", "patch"): r"--endian [<\[]little\|big[>\]]",
    }
    for argv, pattern in choices.items():
        assert cli.main([*argv, "--help"]) == 0
        out = capsys.readouterr().out
        assert re.search(pattern, out), (argv, out)
    assert cli.main(["bootstrap", "--help"]) == 0
    assert re.search(r"^  --no-repair +Stop", capsys.readouterr().out, re.M)  # a flag: no placeholder


def test_choices_match_what_the_stages_accept() -> None:
    from vega_llvm.bootstrap import commands as bootstrap_commands, pipeline
    from vega_llvm.littest import commands as test_commands, runner

    assert tuple(m.value for m in bootstrap_commands.Mode) == pipeline.MODES
    assert [s.value for s in test_commands.Suite] == list(runner.SUITES)
    from vega_llvm.generate import commands as generate_commands, generate

    assert tuple(s.value for s in generate_commands.Strategy) == generate.STRATEGIES


def test_a_value_outside_the_choices_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bootstrap", "--td", "X.td", "--out", "o", "--mode", "fast"]) == 2
    err = capsys.readouterr().err
    assert "'fast' is not one of 'scratch', 'swap'" in err and "Traceback" not in err


def test_not_a_target_directory_is_one_line_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README").write_text("not a target")
    code = cli.main(["build", "--target-dir", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and str(tmp_path) in err and "not a target directory" in err
    assert len(err.splitlines()) == 1


def test_missing_directory(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["test", "--target-dir", str(tmp_path / "Nope")])
    err = capsys.readouterr().err
    assert code == 2 and "no such directory" in err


def test_missing_llvm_sources(tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str], llvm_src) -> None:
    """With no llvm-project anywhere, stages that need it say how to get it."""
    monkeypatch.setenv("VEGA_LLVM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VEGA_LLVM_SRC", str(tmp_path / "nowhere"))
    code = cli.main(["test", "--target-dir", str(llvm_src / "lib" / "Target" / "XCore"), "--reference"])
    err = capsys.readouterr().err
    assert code == 3 and "vega-llvm llvm fetch" in err


def test_usage_error_is_a_message_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["build", "--no-such-option"])
    err = capsys.readouterr().err
    assert code == 2 and "No such option" in err and "Traceback" not in err
