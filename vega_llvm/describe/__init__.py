"""describe: a target's description files -> its property table (VEGA's target-independent and target-specific
properties), read with the real ``llvm-tblgen --dump-json``.

Usage::

    vega-llvm describe --td llvm/lib/Target/XCore/XCore.td [--fixups H] [--relocs DEF] [--out F] [--no-cache]
    vega-llvm describe --all            # every backend in the LLVM tree; summary.json lists failures with reasons

Output (``<cache>/describe/<Target>.json``, written atomically; schema in ``properties.PropertyTable``)::

    {"schema": 1, "target": "XCore", "namespace": "XCore",
     "values":  {"register": [...], "register_class": [...], "instruction": [...], "fixup": [...], ...},
     "flags":   {"instr.hasDelaySlot": false, "has.fixup": false, "describes.asm_parser": false, ...},
     "details": {"registers": [{name, asm, aliases, sub_regs, dwarf, encoding, size}], "register_classes": [...],
                 "instructions": [{name, mnemonic, formats, outs, ins, flags, size, ...}], "operands": [...],
                 "callee_saved": [...], "features": [...], "processors": [...], "sched_models": [...],
                 "instr_info": [...], "asm": [...], "fixups": [...], "relocations": [...]},
     "absent":  {"fixups": "why not found", ...},
     "meta":    {"llvm_version", "td", "inputs": [{path, sha256}], "tblgen_seconds", "cache_key", ...}}

Modules: ``tblgen`` (the only caller of llvm-tblgen), ``properties`` (extraction, pure), ``cxx_inputs`` (fixup
header via tree-sitter-cpp, ELFRelocs .def), ``describe`` (inputs, cache, all-targets run), ``commands`` (CLI).
"""
