"""Function templates: the implementations of one function group across backends, aligned statement by statement.

``vega-llvm templates [--holdout X] [--corpus DIR] [--out DIR]`` reads the corpus (``vega_llvm.corpus``), groups
its functions by abstracted (file, qualified name), aligns each group with GumTree-style AST matching
(``gumtree.py``: top-down isomorphic subtrees, bottom-up containers, order-preserving recovery), and writes one
template per group (``align.py``). A held-out target contributes nothing to any template; its coverage is measured
against the groups of the others (``stats.py``).

Python API::

    from vega_llvm.templates import load_templates, instantiate
    tpls = load_templates(out_dir)                   # list[Template]
    code = instantiate(tpl, tpl.member("RISCV"))     # RISCV's own function back (one statement per line)
    code = instantiate(tpl, {"statements": [...], "values": {"SV0": "..."}, "spelling": "Foo"})  # a new target

``templates.jsonl``: one JSON object per line (a ``schema.Template``)::

    id          "g02415"                       group id, stable for a given corpus and holdout
    file        "ELFObjectWriter.cpp"          abstracted file name (target spelling dropped)
    qname       "<T>ELFObjectWriter::getRelocType"
    module      "ASS"                          VEGA module (SEL REG OPT SCH EMI ASS DIS other), majority of members
    targets     ["ARM", "Mips", ...]           distinct training targets in the group
    statements  [ {                            ordered (preorder) template statements
        id            0..n-1                   index in this list
        parent        id | null                enclosing statement (null: the function itself, kind
                                               function_definition, whose head is the signature)
        depth         0..                      nesting depth
        kind          "case_statement"         tree-sitter-cpp node type
        tokens        ["case", "<SV4>", ":"]   head tokens; "<T>" = the target's spelling, "<SVn>" = placeholder n
        close         ["}"]                    tokens after the children (closing brace, "while (c);" of a do)
        text          "case <SV4> :"           tokens joined by spaces (convenience, = " ".join(tokens))
        label         "target-independent" | "target-specific"
                      target-independent: every member has the statement with the same tokens; otherwise
                      target-specific (differs, or only some targets have it)
        placeholders  [{"name": "SV4", "type": "target-enum"}]   types: register, target-enum, target-identifier,
                      enum-member, identifier, type, namespace, number, string, char, constant, expression
        presence      3                        how many members have the statement
      }, ...]
    members     [ {                            one per training implementation
        member      "AMDGPU#2"                 the target, "#n" for its further implementations in the group
        target      "AMDGPU"
        function    "AMDGPU/R600InstrInfo.cpp:123"   corpus record id
        spelling    "R600"                     what "<T>" stands for in this implementation
        statements  [0, 1, 4, ...]             ids of the statements it has, in order
        values      {"SV4": "<T> :: fixup_riscv_hi20", ...}  placeholder -> tokens joined by one space ("" = empty
                                               span); "<T>" inside values stands for ``spelling`` too
      }, ...]

Also written: ``roundtrip.json`` (per target: members checked, reproduced, misses), ``stats.json`` (groups by number
of targets, functions per target and module, coverage of the held-out target and leave-one-out coverage of every
target) and ``meta.json`` (LLVM version, source root, tool version, holdout, counts, seconds, cache key).
"""

from .instantiate import instantiate, normalise
from .schema import Member, Placeholder, Statement, Template, load_templates

__all__ = ["Member", "Placeholder", "Statement", "Template", "instantiate", "load_templates", "normalise"]
