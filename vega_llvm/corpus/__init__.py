"""The corpus: every function definition of every LLVM backend, parsed with tree-sitter-cpp.

``vega-llvm corpus [--out DIR] [--target X ...] [--jobs N]`` parses each ``.cpp``/``.h`` under
``llvm/lib/Target/<X>/`` (``parse.py``), derives each target's name spellings from its own files (``naming.py``),
maps files to VEGA modules (``modules.py``) and writes, in ``DIR`` (default ``$VEGA_LLVM_CACHE/corpus``):

- ``functions.jsonl``: one ``records.FunctionRecord`` per line::

      id         "RISCV/MCTargetDesc/RISCVELFObjectWriter.cpp:48"
      target     "RISCV"                         directory under lib/Target
      path       "MCTargetDesc/RISCVELFObjectWriter.cpp"
      file       "ELFObjectWriter.cpp"           target spelling dropped (``<T>.h`` for the target's own header)
      qname      "<T>ELFObjectWriter::getRelocType"   every spelling of the target abstracted to <T>
      name       "RISCVELFObjectWriter::getRelocType" as written, enclosing classes/namespaces added, llvm:: dropped
      module     "ASS"                           SEL REG OPT SCH EMI ASS DIS other (modules.py documents the mapping)
      spelling   "RISCV"                         the spelling this function uses for its target
      line       48
      signature  "unsigned RISCVELFObjectWriter::getRelocType(...) const"   whitespace-normalised
      body       "{ ... }"                       source text of the body, comments included
      has_error  false                           tree-sitter put ERROR/MISSING nodes inside (macros it cannot see
                                                 through, e.g. LLVM_EXTERNAL_VISIBILITY); the tokens are still exact
      tree       statement tree: {"k": kind, "h": head tokens, "ht": head token types, "c": children,
                 "t": tail tokens, "tt": tail types}; see parse.py. Joining its tokens gives the function back
                 without comments.

- ``targets.json``: per target its primary spelling, all spellings and the evidence for each;
- ``stats.json``: functions per target and module; ``problems.json``: files skipped as unparsable (unreadable, not
  UTF-8, or mostly ERROR nodes) and files with local parse errors (line numbers);
- ``meta.json``: LLVM version, source root, tool version, counts, seconds;
- ``cache/``: the parse of each source file, keyed on size, mtime and tool version, so reruns skip unchanged files.

``check.overlapping`` finds records whose body is not exactly their function's (running past its ``}`` into the next
definitions, stopping before it, or overlapping another record); ``vega-llvm corpus`` prints their count, 0 over the
LLVM 16 backends since ``parse.py`` repairs definitions that tree-sitter's error recovery confused.
"""

from .records import FunctionRecord, load_corpus

__all__ = ["FunctionRecord", "load_corpus"]
