"""The ``vega-llvm`` command line: thin subcommands that parse arguments and call the stage libraries.

Each stage module exposes ``register(app)``; this file only wires them together and turns ``VegaError`` into a
one-line message and a non-zero exit code.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys

import typer

from . import __version__
from .errors import VegaError

app = typer.Typer(
    name="vega-llvm",
    help="Generate LLVM backends from TableGen descriptions and judge them with LLVM's own regression tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: an on/off flag shows no value placeholder (typer's rich panels print `<bool>` after each) and
    # a choice lists its values (`--mode <scratch|swap>`). Sub-apps (`llvm`) set the same.
    rich_markup_mode=None,
)

# Stage modules that contribute commands, in pipeline order. Each has ``register(app: typer.Typer) -> None``.
STAGE_COMMANDS = [
    "vega_llvm.llvm.commands",
    "vega_llvm.llvm_patch.commands",
    "vega_llvm.corpus.commands",
    "vega_llvm.templates.commands",
    "vega_llvm.describe.commands",
    "vega_llvm.features.commands",
    "vega_llvm.model.commands",
    "vega_llvm.generate.commands",
    "vega_llvm.backend_build.commands",
    "vega_llvm.littest.commands",
    "vega_llvm.bootstrap.commands",
    "vega_llvm.evaluate.commands",
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vega-llvm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """vega-llvm: LLVM backend generation."""


for _name in STAGE_COMMANDS:
    importlib.import_module(_name).register(app)


def _fixed_hash_seed() -> None:
    """Run under PYTHONHASHSEED=0 (re-executing once when it is unset), so that whatever iterates a set of
    strings does so in the same order in every run: outputs must be byte-identical to be checked by hash."""
    if os.environ.get("PYTHONHASHSEED") is None:
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, "-m", "vega_llvm.cli", *sys.argv[1:]])


# Failures of the file system under an output (read-only, full, over quota, not ours): the user's to fix, so one
# line naming the path, never a traceback. Writers stage into a temporary and rename, so nothing half-written stays.
_FS_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _fs_message(exc: OSError, argv: list[str]) -> str:
    what = exc.strerror or str(exc)
    if exc.filename:
        name = str(exc.filename)
        base = os.path.basename(name)
        if base.startswith(".") and base.endswith(".tmp"):  # a writer's staging file: the folder is what to fix
            return f"{os.path.dirname(name) or '.'}: {what} (nothing written; choose another --out)"
        return f"{name}: {what}"
    out = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--out"), None)
    out = out or next((a.split("=", 1)[1] for a in argv if a.startswith("--out=")), None)
    return f"writing {out or 'the output'}: {what}; free space there or choose another --out"


def _exit_on_signals() -> None:
    """SIGTERM and SIGHUP end the run as Ctrl-C does: as an exception, so that every ``finally`` runs, temporaries
    are removed and the tools we started (each in its own session, so a signal to us does not reach them) are
    killed by ``proc.run`` instead of running on after us. Exit status 128 + the signal, as a shell reports it."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def _forked_children_die_with_us() -> None:
    """Every Python child this process forks (the parser pools of ``corpus`` and ``templates``) gets SIGKILL when
    we end, even by SIGKILL: orphaned ``ProcessPoolExecutor`` workers wait on their task pipe for ever (measured: a
    ``kill -9`` of the parent left both workers asleep until killed by hand). External tools are covered by
    ``proc.run``'s guard (``vega_llvm.toolguard``)."""
    from .toolguard import die_with_parent

    os.register_at_fork(after_in_child=die_with_parent)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        _fixed_hash_seed()
        _exit_on_signals()
        _forked_children_die_with_us()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=argv, standalone_mode=False)
    except VegaError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors (unknown option, bad choice, missing value): one line, exit 2
        message = getattr(exc, "format_message", lambda: str(exc))()
        ctx = getattr(exc, "ctx", None)
        where = f"vega-llvm {ctx.info_name} --help" if ctx is not None and ctx.parent is not None else "vega-llvm --help"
        typer.echo(f"error: {' '.join(message.split())} (see `{where}`)", err=True)
        return int(getattr(exc, "exit_code", 2))
    except OSError as exc:
        if exc.errno not in _FS_ERRNOS:
            raise
        typer.secho(f"error: {_fs_message(exc, args)}", err=True, fg=typer.colors.RED)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
