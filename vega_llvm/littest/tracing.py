"""A lit test format that gives every test its own ``VEGA_TRACE`` file.

An evaluation schema build (``vega_llvm.evaluate.schema``) appends the id of every schema function a process enters
to the file named by ``VEGA_TRACE``; pointing that at one file per test tells which tests execute which functions,
so a swapped function is judged on exactly the tests that can notice it. lit runs one test at a time per worker
process, so setting the variable on the test's configuration just before it runs is safe.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from lit.formats import ShTest


def trace_file_name(test_name: str) -> str:
    """File name (inside the trace directory) for a test named like ``CodeGen/XCore/addsub64.ll``."""
    return quote(test_name, safe="") + ".ids"


class TracingShTest(ShTest):
    """LLVM's ShTest, with ``VEGA_TRACE`` set per test."""

    trace_dir: str = ""

    @classmethod
    def wrapping(cls, inner: ShTest, trace_dir: str) -> "TracingShTest":
        if not isinstance(inner, ShTest):
            raise TypeError(f"cannot trace tests of format {type(inner).__name__}")
        fmt = cls(inner.execute_external, inner.extra_substitutions, inner.preamble_commands)
        fmt.trace_dir = trace_dir
        return fmt

    def execute(self, test, litConfig):  # type: ignore[no-untyped-def]
        name = "/".join(test.path_in_suite)
        test.config.environment["VEGA_TRACE"] = os.path.join(self.trace_dir, trace_file_name(name))
        return super().execute(test, litConfig)
