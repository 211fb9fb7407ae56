"""Target-name spellings, found from each target's own files, and their abstraction to ``<T>``.

A backend spells its own name in several ways: PowerPC writes ``PPC``, AMDGPU writes ``AMDGPU``, ``SI``, ``R600`` and
``GCN``, Hexagon appends ``HVX`` to its vector files, ARM has ``Thumb1``/``Thumb2`` variants. A hand table per target
would go stale and would not exist for a new target, so the spellings are derived from evidence every backend carries:

1. the directory name and the ``def X : Target`` records of the target's ``.td`` files (``PPC`` in ``PPC.td``,
   ``R600`` in ``R600.td``);
2. file-name prefixes: a file stem ``P + S`` where ``S`` is a *common suffix* (a remainder such as ``InstrInfo`` or
   ``Subtarget`` that at least ``min_targets`` backends put after their own name) makes ``P`` a spelling
   (``SIInstrInfo.h`` -> ``SI``, ``GCNSubtarget.h`` -> ``GCN``);
3. variant suffixes: a stem ``S + V`` where ``S`` is another stem of the same target and ``V`` is an all-caps word
   (``HexagonISelLoweringHVX.cpp`` next to ``HexagonISelLowering.cpp`` -> ``HVX``), unless ``V`` also occurs in other
   targets' file names (``ARMAsmBackendELF`` does not make ``ELF`` a name of ARM);
4. namespaces the target alone declares (``namespace PPC {``) that are not already prefixed by a spelling and are the
   prefix of one of its file stems or of another of its namespaces (``SIInstrFlags`` -> ``SI``).

Abstraction replaces a spelling inside an identifier at a word boundary only (not preceded by an upper-case letter,
not followed by a lower-case one), so ``VE`` abstracts ``VEInstrInfo`` and ``createVEInstrInfo`` but not ``MOVE``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

T = "<T>"

_TARGET_DEF = re.compile(r"^\s*def\s+(\w+)\s*:\s*Target\s*[{<]", re.M)


@dataclass
class TargetNames:
    """Every spelling of one target, with the evidence for each (for the report)."""

    target: str  # the directory name under lib/Target
    primary: str  # the spelling used most in its file names (PPC for PowerPC)
    spellings: list[str]  # longest first, so that abstraction prefers ``AMDGPU`` over a shorter overlap
    evidence: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"target": self.target, "primary": self.primary, "spellings": self.spellings, "evidence": self.evidence}


def target_records(target_dir: Path) -> list[str]:
    """Names of the ``def X : Target`` records in the target's top-level ``.td`` files (TableGen, not C++)."""
    names: list[str] = []
    for td in sorted(target_dir.glob("*.td")):
        try:
            text = td.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        names.extend(m.group(1) for m in _TARGET_DEF.finditer(text))
    return names


def _spelling_regex(spellings: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<![A-Z])(?:{alts})(?![a-z])")


def _starts_with_any(stem: str, spellings: set[str]) -> str | None:
    best = None
    for s in spellings:
        if stem.startswith(s) and (best is None or len(s) > len(best)):
            rest = stem[len(s) :]
            if not rest or not rest[0].islower():
                best = s
    return best


def derive_names(
    stems: dict[str, list[str]],
    namespaces: dict[str, set[str]],
    records: dict[str, list[str]],
    min_targets: int = 3,
) -> dict[str, TargetNames]:
    """Spellings of every target from its file stems, namespaces and ``Target`` records (see module docstring)."""
    base: dict[str, set[str]] = {t: {t, *records.get(t, [])} for t in stems}
    evidence: dict[str, dict[str, list[str]]] = {t: defaultdict(list) for t in stems}
    for t in stems:
        evidence[t][t].append("directory")
        for r in records.get(t, []):
            evidence[t][r].append("td Target record")

    suffix_targets: dict[str, set[str]] = defaultdict(set)
    for t, ss in stems.items():
        for stem in ss:
            sp = _starts_with_any(stem, base[t])
            if sp and len(stem) > len(sp):
                suffix_targets[stem[len(sp) :]].add(t)
    common = {s for s, ts in suffix_targets.items() if len(ts) >= min_targets}

    found: dict[str, set[str]] = {t: set(base[t]) for t in stems}
    for t, ss in stems.items():
        prefixes: dict[str, set[str]] = defaultdict(set)
        for stem in ss:
            if _starts_with_any(stem, base[t]):
                continue
            for suf in common:
                if stem.endswith(suf) and len(stem) > len(suf):
                    p = stem[: -len(suf)]
                    if p[0].isupper() and p.isalnum():
                        prefixes[p].add(stem)
        for p, where in sorted(prefixes.items()):
            if not _starts_with_any(p, set(prefixes) - {p}):  # SIPreEmit(Peephole) is SI + PreEmit, not a name
                found[t].add(p)
                evidence[t][p].extend(f"file prefix ({w})" for w in sorted(where))
    for t, ss in stems.items():
        elsewhere = {s for o, oss in stems.items() if o != t for s in oss}
        stemset = set(ss) - found[t]
        for stem in ss:
            for other in stemset:
                if stem != other and stem.startswith(other):
                    v = stem[len(other) :]
                    if len(v) >= 2 and v.isupper() and v.isalpha() and not any(v in s for s in elsewhere):
                        found[t].add(v)
                        evidence[t][v].append(f"variant suffix ({stem})")

    ns_owners: dict[str, set[str]] = defaultdict(set)
    for t, nss in namespaces.items():
        for n in nss:
            ns_owners[n].add(t)
    for t, nss in namespaces.items():
        own = sorted(n for n in nss if ns_owners[n] == {t})
        for n in own:
            if not n[:1].isupper() or _starts_with_any(n, found[t]):
                continue
            if any(s != n and s.startswith(n) and not s[len(n)].islower() for s in list(stems.get(t, [])) + own):
                found[t].add(n)
                evidence[t][n].append("namespace")

    out: dict[str, TargetNames] = {}
    for t in stems:
        counts = Counter(_starts_with_any(s, found[t]) for s in stems[t])
        counts.pop(None, None)
        candidates = sorted(base[t], key=lambda s: (-counts.get(s, 0), s != t))
        out[t] = TargetNames(
            target=t,
            primary=candidates[0],
            spellings=sorted(found[t], key=lambda s: (-len(s), s)),
            evidence={k: v for k, v in sorted(evidence[t].items())},
        )
    return out


class Abstractor:
    """Replaces a target's spellings by ``<T>`` in names and identifiers, and picks a function's own spelling."""

    def __init__(self, names: TargetNames):
        self.names = names
        self._re = _spelling_regex(names.spellings)

    def abstract(self, text: str) -> str:
        return self._re.sub(T, text)

    def abstract_file(self, stem_with_ext: str) -> str:
        """``RISCVAsmBackend.cpp`` -> ``AsmBackend.cpp`` (the key drops the leading spelling); ``RISCV.h`` -> ``<T>.h``."""
        m = self._re.match(stem_with_ext)
        if m:
            rest = stem_with_ext[m.end() :]
            return rest if rest and not rest.startswith(".") else T + rest
        return stem_with_ext

    def dominant(self, qualified_name: str, identifiers: list[str]) -> str:
        """The spelling a function uses for its own target: the one in its name, else its most frequent one."""
        m = self._re.search(qualified_name)
        if m:
            return m.group(0)
        counts: Counter[str] = Counter()
        for tok in identifiers:
            for mm in self._re.finditer(tok):
                counts[mm.group(0)] += 1
        if counts:
            return max(sorted(counts), key=lambda s: counts[s])
        return self.names.primary


def abstract_token(token: str, spelling: str) -> str:
    """Replace one spelling (a function's dominant one) at word boundaries; the inverse is ``str.replace(T, s)``."""
    if spelling not in token:
        return token
    return re.sub(rf"(?<![A-Z]){re.escape(spelling)}(?![a-z])", T, token)


def abstract_spellings(text: str, spellings: Iterable[str]) -> str:
    """Replace a target's spellings with ``<T>`` at the corpus's identifier boundaries (``CC_RISCV`` -> ``CC_<T>``,
    not the ``Mips`` of ``isMipsel``'s lower-case tail): the one abstraction every stage uses."""
    spellings = [s for s in set(spellings) if s]
    return _spelling_regex(spellings).sub(T, text) if spellings else text


def respell(text: str, old: Iterable[str], new: str) -> str:
    """Rename one target's code for another, the one renamer of the tool (ForkFlow, scratch fallbacks, baselines).

    Each old spelling is replaced where the corpus abstracts it (``MipsInstrInfo``, ``CC_Mips``), and so are its
    upper-case form (``R_MIPS_32`` -> ``R_XCORE_32``, ``MIPS_ABI``) and its lower-case form as a word or followed by a
    width (``Triple::mips``, ``"loongarch64"``), each by the same case of the new name; longest spelling first, in
    one pass, so a replacement is never renamed again."""
    repl: dict[str, str] = {}
    alts: list[tuple[int, str]] = []
    for s in sorted({s for s in old if s}, key=len, reverse=True):
        if s not in repl:
            repl[s] = new
            alts.append((len(s), rf"(?<![A-Z]){re.escape(s)}(?![a-z])"))
        up, low = s.upper(), s.lower()
        if up != s and up not in repl:
            repl[up] = new.upper()
            alts.append((len(up), rf"(?<![A-Z]){re.escape(up)}(?![A-Z])"))
        if low != s and low not in repl:
            repl[low] = new.lower()
            alts.append((len(low), rf"(?<![a-z]){re.escape(low)}(?=\d*(?![a-z]))"))
    if not alts:
        return text
    rx = re.compile("|".join(a for _, a in sorted(alts, key=lambda x: -x[0])))
    return rx.sub(lambda m: repl[m.group(0)], text)
