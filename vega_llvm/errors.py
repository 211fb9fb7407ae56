"""Error hierarchy. Every message names the file or value at fault and, where there is one, the next step.

The CLI turns any ``VegaError`` into a one-line ``error: ...`` on stderr and a non-zero exit, so library code raises
these instead of printing.
"""

from __future__ import annotations

from pathlib import Path


class VegaError(Exception):
    """Base class for every error the user can act on."""

    exit_code = 1


class ConfigError(VegaError, ValueError):
    """A bad argument or setting (unknown target, directory that is not a target, ...)."""

    exit_code = 2


class LLVMNotFoundError(VegaError, OSError):
    """The LLVM 16 toolchain or the llvm-project sources are missing."""

    exit_code = 3


class ToolError(VegaError):
    """An external tool failed or timed out."""


class ToolTimeoutError(ToolError):
    """An external tool ran past its time limit."""


class TableGenError(ToolError):
    """``llvm-tblgen`` rejected a ``.td`` file."""


class BuildError(ToolError):
    """The CMake configure or build of a target failed.

    Carries the log path and the first compiler errors so that the one-line message points at the culprit.
    """

    def __init__(
        self,
        message: str,
        log: Path | None = None,
        errors: list[str] | None = None,
        locations: list[tuple[str, int]] | None = None,
    ):
        self.log = log
        self.errors = errors or []
        self.locations = locations or []  # (absolute file, line) of each compiler error, for attribution
        super().__init__(message)


class LitRunError(ToolError):
    """lit could not run (bad configuration, missing tools), as opposed to tests that ran and failed."""


class CheckpointError(VegaError):
    """A model checkpoint is missing, corrupt or does not match the configuration."""


class TemplateRenderError(VegaError):
    """A Jinja template could not be rendered for a target."""
