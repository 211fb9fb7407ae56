"""Stage ``test``: runs LLVM's own regression tests (``llvm/test/{CodeGen,MC,MC/Disassembler}/<X>``) with lit
against the tools of one target build.

Outputs, in the run directory: ``lit.site.cfg.py`` (from ``lit_tests/lit.site.cfg.py.in``), ``tools/`` (links to
the installed tools, with our ``llc``/``llvm-mc``), ``lit-results.json`` (lit's own JSON) and ``results.json``:
``{"target", "tools", "summary": {"PASS": n, ...}, "tests": {"CodeGen/XCore/foo.ll": "PASS", ...}}``.
"""
