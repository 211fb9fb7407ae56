"""Which VEGA function module a backend file belongs to.

VEGA reports results per module: SEL (instruction selection), REG (register allocation), OPT (optimisation), SCH
(scheduling), EMI (code emission), ASS (assembler), DIS (disassembler). The paper gives no file list, so this is our
documented reading of it, applied to the file path relative to ``lib/Target/<X>/`` with the target's spelling already
removed from the file name (``MCTargetDesc/AsmBackend.cpp``). The first matching rule wins; ``other`` is what none
claims (target registration, utilities, analyses).

| module | files |
|---|---|
| DIS | ``Disassembler/*`` |
| ASS | ``AsmParser/*``; ``AsmBackend``, ``ELFObjectWriter``/``*ObjectWriter``, ``FixupKinds``, ``MCExpr``, ``ELFStreamer``, ``TargetStreamer``, ``AsmStreamer`` |
| EMI | ``AsmPrinter``, ``MCInstLower``, ``InstPrinter``, ``MCCodeEmitter``, ``MCAsmInfo``, ``TargetObjectFile``, ``MCTargetDesc``, ``BaseInfo``, other ``MCTargetDesc/*`` |
| SCH | ``InstrInfo``, ``Subtarget``, ``Sched*``, ``*Scheduler*``, ``HazardRecognizer``, ``MacroFusion``, ``MCA/*``, ``*Packetizer*`` |
| REG | ``RegisterInfo``, ``FrameLowering``, ``MachineFunctionInfo``/``MachineFunction``, ``RegisterBankInfo``, ``*RegAlloc*``, ``CallingConv``, ``RegPressure``, ``*Spill*`` |
| SEL | ``ISelLowering``, ``ISelDAGToDAG``, ``SelectionDAGInfo``, ``CallLowering``, ``InstructionSelector``, ``LegalizerInfo``, ``GISel/*``, ``TargetMachine`` |
| OPT | ``TargetTransformInfo`` and every other top-level ``.cpp``/``.h`` that defines a pass (``*Pass*``, ``*Opt*``, ``*Expand*``, ``*Combine*``, ``*Peephole*``, ``*Lower*``, ``*Branch*``, ...): the machine passes a backend adds |
| other | ``TargetInfo/*``, ``Utils/*``, the target's top-level header (``<T>.h``) and what nothing above claims |
"""

from __future__ import annotations

import re

MODULES = ("SEL", "REG", "OPT", "SCH", "EMI", "ASS", "DIS", "other")

# (module, regex over "dir/abstracted-file"), first match wins.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (m, re.compile(p))
    for m, p in [
        ("DIS", r"^Disassembler/"),
        ("ASS", r"^AsmParser/"),
        ("ASS", r"(AsmBackend|ObjectWriter|FixupKinds|MCExpr|ELFStreamer|TargetStreamer|AsmStreamer|WinCOFFStreamer)"),
        ("other", r"^(TargetInfo|Utils)/"),
        ("SCH", r"^MCA/"),
        ("EMI", r"(AsmPrinter|MCInstLower|InstPrinter|MCCodeEmitter|MCAsmInfo|TargetObjectFile|MCTargetDesc|BaseInfo)"),
        ("EMI", r"^MCTargetDesc/"),
        ("SEL", r"(ISelLowering|ISelDAGToDAG|SelectionDAGInfo|CallLowering|InstructionSelector|LegalizerInfo)"),
        ("REG", r"(RegisterInfo|FrameLowering|MachineFunctionInfo|MachineFunction\.|RegisterBank|RegAlloc|CallingConv|RegPressure|Spill)"),
        ("SCH", r"(InstrInfo|Subtarget|Sched|Scheduler|HazardRecognizer|MacroFusion|Packetizer|ILPSched)"),
        ("SEL", r"^GISel/|TargetMachine"),
        ("OPT", r"TargetTransformInfo"),
        ("other", r"^[^/]*/"),  # any other subdirectory (DirectX writers, ...)
        ("other", r"^<T>\.(h|cpp)$"),  # the target's top-level header
        ("OPT", r"\.(cpp|h)$"),
    ]
]


def module_of(rel_dir: str, abstract_file: str) -> str:
    """VEGA module of a file, from its directory under ``lib/Target/<X>`` (``""`` at top level) and abstracted name."""
    key = f"{rel_dir}/{abstract_file}" if rel_dir else abstract_file
    for module, rx in _RULES:
        if rx.search(key):
            return module
    return "other"
