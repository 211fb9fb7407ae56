"""The target directory a bootstrap writes, in either mode: which functions it holds, how they are written out, and
what a build's errors say about each of them (``Charged``, for the repair ladder).

``ScratchTree`` renders the chosen function set of a new target from the layout's templates; ``SwapTree`` is the real
target's directory with generated bodies put in place of its own. Both answer the same questions, so the build loop
(``pipeline.run``) is one loop for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..evaluate.swap import AppliedEdit, FunctionEdit, apply_to_text, bracket_error
from ..emit.backends import BackendLayout
from ..emit.coherence import creators_registered, custom_lowering_agrees, node_names_agree
from ..emit.functions import EmitFunction, parse_signature
from ..emit.includes import description_words
from ..emit.asm_operands import target_checks
from ..emit.constants import constants_in, declares, names_in, needed_constants, training_constants
from ..emit.layout import description_scopes, described_types, llvm_knows, isd_opcodes, make_plan
from ..emit.options import needed_options, training_options
from ..emit.patterns import donor_selector, target_patterns
from ..emit.render import copy_description, declaration_lines, defining_headers, function_ranges, render_plan
from ..emit.required import (declared_member_stubs, hook_stubs, incomplete_classes, operand_stubs, plain_operand_method,
                             pure_virtual_stubs, subtarget_fields)
from ..emit.selectable import td_selected_operations
from ..llvm.toolchain import find_toolchain
from ..paths import llvm_dir
from .repair import SCRATCH, SWAP, Charged, RepairState, Step, comment_out, stub_function

OPTIONAL = {"AsmParser": "asm_parser", "Disassembler": "disassembler"}  # libraries the backend links without
_ABSTRACT = re.compile(r"abstract (?:class )?type ‘(?:const )?(?:llvm::)?(?P<cls>\w+)’")


def code_donor(fn: EmitFunction) -> str:
    """The training target whose code ``fn`` is: a taken-over body's donor (``fallback:Lanai``), the target a
    generated candidate's statements are (``member:LoongArch``, pruned or not); "" where unknown."""
    for source in (fn.source, fn.origin):
        m = re.match(r"(?:fallback|member):([A-Za-z0-9_]+)", source)
        if m:
            return m.group(1)
    return ""


def waits_for_completion(error: str, completed: set[str]) -> bool:
    """Whether ``error`` only says that a function makes an object of an abstract class of ours that the round's
    required overrides complete (``invalid new-expression of abstract class type ‘llvm::RISCVELFObjectWriter’``
    after its ``getRelocType`` was left out): the function is sound, and moving it on the ladder for the class's
    fault had made RISC-V's object-writer factory, then its constructor, a stub."""
    m = _ABSTRACT.search(error)
    return bool(m) and m["cls"] in completed


PROBE = "@candidate"  # the key of a candidate written beside its function for one build: "<key>@candidate<n>"
_NO_PROBE = re.compile(r"^(?:~|operator\b)")


def probe_copies(fns: list[EmitFunction], state: RepairState) -> list[EmitFunction]:
    """Each later candidate of each model function, as a function of its own: the same class and file, named
    ``<name>__vega_candidate<n>``, neither virtual nor an override (so nothing calls it and it overrides nothing).
    Not for constructors, destructors, operators or templates (a renamed one is not the same kind of function), nor
    candidates that cannot compile as text (``repair.next_candidate`` passes them over anyway).

    The loop used to learn that a candidate does not compile one build round at a time (XCore: 70 later candidates
    tried over 6 rounds, 16 failing on the very name the one before had); one build of them all tells
    ``next_candidate`` which to pass over."""
    out = []
    for f in fns:
        if f.source != "model" or not f.alternatives:
            continue
        tried = {" ".join(f.body.split())}
        for i in range(state.candidate.get(f.key, 0), len(f.alternatives)):
            sig_text, body = f.alternatives[i].signature_and_body()
            if not body.strip() or " ".join(body.split()) in tried or bracket_error(body):
                continue
            try:
                sig = parse_signature(sig_text)
            except ConfigError:
                continue
            cls = sig.qualifier.split("::")[-1]
            if (_NO_PROBE.match(sig.name) or sig.name == cls or "template" in sig.prefix.split("<")[0]
                    or "<" in sig.name):
                continue
            tried.add(" ".join(body.split()))
            renamed = replace(sig, prefix=" ".join(w for w in sig.prefix.split() if w != "virtual"),
                              name=f"{sig.name}__vega_candidate{i + 1}", inits="",
                              suffix=" ".join(w for w in sig.suffix.split() if w not in ("override", "final")))
            head = renamed.definition_head(sig.qualifier) if sig.qualifier else renamed.free_head()
            if "static" in sig.prefix.split() and sig.qualifier:
                head = "static " + head
            out.append(replace(f, key=f"{f.key}{PROBE}{i + 1}", signature=head, body=body, alternatives=[],
                               statements=[], source="probe"))
    return out


@dataclass
class Emitted:
    """One writing of the target directory."""

    files: dict[str, str | bytes]  # path in the target directory -> text
    applied: list[AppliedEdit]  # where each function (and declaration) landed: what errors are charged against
    functions: dict[str, EmitFunction]  # report key -> the function as chosen (before a stub or removed lines)
    file_of: dict[str, str]  # report key -> its file
    decl_sites: dict[tuple[str, int], str] = field(default_factory=dict)  # (resolved file, line) -> key: heads, declarations

    @property
    def sources(self) -> list[str]:
        return [rel for rel in self.files if rel.endswith(".cpp")]


class ScratchTree:
    """A new target's directory rendered from the chosen functions (``emit.layout``/``emit.render``)."""

    ladder: list[Step] = SCRATCH

    def __init__(self, table: Any, td: Path, target_dir: Path, chosen: list[EmitFunction],
                 layout: BackendLayout | None = None, prefer: list[str] | None = None) -> None:
        self.table, self.td, self.target_dir = table, td, target_dir
        self.chosen = chosen  # the functions to write, as the ladder left them (stubs and removals apply on writing)
        self.probe_first = any(f.source == "model" and f.alternatives for f in chosen)  # the first build probes them
        self.origins = {f.key: f for f in chosen}  # as chosen, before any repair (what a rerun compares)
        self.layout = layout  # the training targets' file kinds and class shapes (``emit.backends``)
        self.prefer = list(prefer or [])  # training targets, most similar first: whose class declarations to take
        self.left_out: list[str] = []  # optional libraries left out (``OPTIONAL``'s values)
        self.subtarget_members: list[str] = []  # fields the tblgen feature parser sets (``emit.required``)
        self.includes: dict[str, list[str]] = {}  # file (relative) -> LLVM headers a build found it needs (``require``)
        self.completed: set[str] = set()  # classes of ours this round's pure virtual overrides make concrete
        self.unplaced: list[str] = []  # functions with no file template
        self.without_library: list[str] = []  # functions of a library the description lacks or the build left out
        self.body_at: dict[str, tuple[str, int, int, list[str]]] = {}  # key -> resolved file, first/last line, lines
        self.heads: dict[str, tuple[str, int, str]] = {}  # key -> (resolved file, line, text) of its definition head
        self.bases: dict[str, str] = {}  # class name -> its base class
        self.class_stems: dict[str, str] = {}  # class name -> the file stem that declares it
        self.expanded: list[str] = []  # ISD operations made Legal or Expand: Custom, but no lowering case (``emit.coherence``)
        self._selected: set[str] | None = None  # ISD operations the .td's patterns select (read once: ``emit.selectable``)
        self.registered: list[str] = []  # static creators the initializer registers: nothing else did (same module)
        self.misnamed = 0  # nodes of the ISD enum the chosen getTargetNodeName did not name (``emit.coherence``)
        # the training targets (``emit.sources.Donor``, nearest first) and the corpus: where a required select
        # function is taken from (``emit.patterns``); no donors on a rerun, whose required functions are remembered
        self.donors: list[Any] = []
        self.corpus: Path | None = None
        self._patterns: list[Any] | None = None  # the description's ComplexPatterns (read once)
        self._taken: dict[str, Any] = {}  # donor -> how its code reads as the target's (``sources.DonorCode``)
        self._reranked: list[Any] | None = None  # a rerun's training targets, ranked again (``_ranked_donors``)
        self._described: set[str] | None = None  # the names the description gives (``_constants``, read once)

    def functions(self) -> dict[str, EmitFunction]:
        return {f.key: f for f in self.chosen}

    def put(self, key: str, fn: EmitFunction) -> None:
        self.chosen[:] = [fn if f.key == key else f for f in self.chosen]

    def unbuildable(self) -> list[Charged]:
        """Generated functions whose text cannot compile: brackets that do not pair up (the compiler would report
        them after the body, in whatever follows, and charge the wrong functions), a signature that does not parse,
        a member function named as one of the target's classes (its head is at fault: RISC-V's model wrote
        ``RISCVTargetMachine::RISCVSubtarget() const`` for a ``getSubtargetImpl``, and the declaration hid the
        class inside the target machine, so that ``std::make_unique<RISCVSubtarget>`` in the real one failed)."""
        out = []
        target = getattr(self.table, "target", "") or self.td.stem
        classes = description_scopes(self.table) | {q.rpartition("::")[2] for f in self.chosen
                                                    if (q := f.key.rpartition("::")[0].replace("<T>", target))}
        for f in self.chosen:
            if f.source != "model":
                continue
            why = bracket_error(f.body)
            if why:
                out.append(Charged(f.key, f"the body's brackets: {why}"))
                continue
            try:
                sig = parse_signature(f.signature)
            except ConfigError as exc:
                out.append(Charged(f.key, f"the signature: {exc}"))
                continue
            own = sig.qualifier.rpartition("::")[2]
            if own and sig.name != own and sig.name.lstrip("~") != own and sig.name in classes:
                out.append(Charged(f.key, f"the signature: a member function named as the class {sig.name}",
                                   at_head=True))
        return out

    def drafts(self, state: RepairState) -> dict[str, list[str]]:
        """Every text the ladder may write for each constructor: generate's candidates and the donor's code
        (``make_plan``'s ``drafts``)."""
        out: dict[str, list[str]] = {}
        for f in self.chosen:
            cls, _, name = f.key.rpartition("::")
            if cls and cls.rpartition("::")[2] == name:
                donor = state.alternates.get(f.key)
                out[f.key] = [c.code for c in f.alternatives] + ([f"{donor.signature}\n{donor.body}"] if donor else [])
        return out

    def emit(self, state: RepairState, probes: bool = False) -> Emitted:
        """The directory as the ladder has left the functions; with ``probes``, each model function's later
        candidates are written beside it under names of their own (``probe_copies``), so that one build says which
        of them compile (``pipeline._read_probes``: ``RepairState.probe_failed``)."""
        T = self.table.target
        self.completed = set()  # what the last build's required overrides completed is written now
        fns = [stub_function(f) if f.key in state.replaced else comment_out(f, state.removed.get(f.key, set()))
               for f in self.chosen if f.key not in state.dropped]
        if self._selected is None:
            self._selected = td_selected_operations(self.td) or set()
        fns, self.expanded = custom_lowering_agrees(fns, self._selected)
        fns, self.registered = creators_registered(fns, find_toolchain().includedir)
        fns, self.misnamed = node_names_agree(fns, isd_opcodes(self.table), self.table.namespace or self.table.target)
        if probes:
            fns += probe_copies(fns, state)
        plan = make_plan(self.table, fns, T, without=self.left_out, members={"<T>Subtarget": self.subtarget_members},
                         layout=self.layout, prefer=self.prefer, drafts=self.drafts(state))
        self.unplaced = [f.key for f in plan.unplaced]
        self.without_library = [f.key for f in plan.left_out]
        self._declare_options(plan)
        self._declare_constants(plan)
        for pf in plan.files:
            pf.includes = self.includes.get(pf.kind.path(T, "cpp"), []) if pf.kind.cpp else []
            pf.header_includes = self.includes.get(pf.kind.path(T, "h"), []) if pf.kind.header else []
        rendered = render_plan(plan, self.td.name, description_words(str(self.td.parent)))
        out = Emitted({**copy_description(self.td), **rendered.files}, [], {}, {})
        for rel, text in rendered.files.items():
            where = str((self.target_dir / rel).resolve())
            lines = text.splitlines()
            for key, first, last in function_ranges(text):
                out.file_of[key] = rel
                self.body_at[key] = (where, first + 2, last, lines[first + 1 : last])
                self.heads[key] = (where, first + 1, lines[first] if first < len(lines) else "")
                out.applied.append(AppliedEdit(FunctionEdit(key, rel, first, "", ""), first, last))
                out.decl_sites[(where, first + 1)] = key  # the line after the "// vega:" marker: its head
            for key, line in declaration_lines(text):
                out.applied.append(AppliedEdit(FunctionEdit(key, rel, line, "", ""), line, line))
                out.decl_sites[(where, line)] = key
        self.class_stems = {c.name: f.kind.stem for f in plan.files for c in f.classes}
        self.bases.update({c.name: c.base for f in plan.files for c in f.classes})
        chosen = self.functions()
        out.functions = {p.fn.key: chosen.get(p.fn.key, p.fn) for p in plan.functions if PROBE not in p.fn.key}
        return out

    def _declare_options(self, plan: Any) -> None:
        """Each file gets the command-line options its code reads, as the nearest donor declaring them does
        (``emit.options``)."""
        if not self.prefer:
            return
        root = llvm_dir() / "lib" / "Target"
        declared = training_options(str(root), tuple(t for t in self.prefer if (root / t).is_dir()))
        code = {pf.kind.stem: "\n".join(p.fn.body for p in pf.functions) for pf in plan.files if pf.kind.cpp}
        found = needed_options(code, self.table.target, self.prefer, declared, llvm_knows())
        for pf in plan.files:
            pf.options = found.get(pf.kind.stem, [])

    def _ranked_donors(self) -> list[Any]:
        """The training targets, nearest first, with their tables: the first run's, or on a rerun (which keeps
        only their names) ranked again from the cached descriptions."""
        if self.donors or self.corpus is None:
            return self.donors
        if self._reranked is None:
            from ..describe.describe import describe_dir
            from ..emit.sources import rank_donors

            self._reranked = rank_donors(self.table, describe_dir(), self.corpus,
                                         {self.table.target, self.td.parent.name})
        return self._reranked

    def _constants(self, code_by_file: dict[str, str], defined: set[str],
                   writers: dict[str, dict[str, set[str]]] | None = None) -> dict[str, list[str]]:
        """``emit.constants.needed_constants`` for the emitted code ``code_by_file``, from the training targets
        nearest first, translated to the target's records; ``defined``: the names the emitted files define
        themselves (their functions and classes); ``writers``: by file, the training targets whose code there
        reads each name (``code_donor``)."""
        donors = {d.target: d for d in self._ranked_donors()}
        if not donors:
            return {}
        from ..emit.sources import DonorCode
        from ..generate.adapt import record_names

        T = self.table.target
        root = str(llvm_dir() / "lib" / "Target")
        known = llvm_knows()
        if self._described is None:  # every round and every pruned candidate asks: the description is read once
            self._described = ({T, self.table.namespace or T} | record_names(self.table)
                               | description_scopes(self.table) | described_types(self.table))
        own = self._described | defined

        def translate(decl: Any) -> str:
            if decl.target not in self._taken:
                self._taken[decl.target] = DonorCode(donors[decl.target], T, self.table)
            return self._taken[decl.target].code(decl.text)

        return needed_constants(code_by_file, T, [t for t in donors if (Path(root) / t).is_dir()],
                                lambda t, n: training_constants(root, t).get(n, ()), translate,
                                lambda n: n in own or known(n),
                                lambda f, n: sorted((writers or {}).get(f, {}).get(n, ())))

    def _declare_constants(self, plan: Any) -> None:
        """Each file gets the file-scope constants its code reads, as the nearest donor declaring them writes
        them, translated to the target's records (``emit.constants``)."""
        code = {pf.kind.stem: "\n".join(p.fn.body for p in pf.functions) for pf in plan.files if pf.kind.cpp}
        defined = {p.sig.name for pf in plan.files for p in pf.functions} | {c.name for pf in plan.files
                                                                            for c in pf.classes}
        writers: dict[str, dict[str, set[str]]] = {}
        for pf in plan.files:
            for p in pf.functions:
                donor = code_donor(p.fn)
                if donor:
                    for n in names_in(p.fn.body):
                        writers.setdefault(pf.kind.stem, {}).setdefault(n, set()).add(donor)
        found = self._constants(code, defined, writers)
        for pf in plan.files:
            pf.constants = found.get(pf.kind.stem, [])

    def declared_twins(self) -> list[Charged]:
        """Generated functions whose first candidate is another one pruned (``generate.prune``: its statements
        naming what the target's description and LLVM do not declare taken out) where that other candidate, as
        written, names nothing the backend does not declare once the donors' file-scope constants it reads are
        carried (``emit.constants``): each is charged with the candidate to move to. LoongArch's calling
        convention, generated for RISC-V, lost every ``Reg = State.AllocateReg(ArgGPRs)``: left with no register
        to give, it put every return value on the stack, and 277 CodeGen tests stopped in ``LowerReturn``."""
        if not self._ranked_donors():
            return []
        T = self.table.target
        names = {f.key.split("#")[0].rpartition("::")[2].replace("<T>", T) for f in self.chosen}
        names |= {q.rpartition("::")[2].replace("<T>", T) for f in self.chosen if (q := f.key.rpartition("::")[0])}
        known = llvm_knows()
        out = []
        for f in self.chosen:
            if f.source != "model" or not f.origin.endswith("-pruned"):
                continue
            whole = f.origin[: -len("-pruned")]
            i = next((i for i, c in enumerate(f.alternatives) if c.source == whole), None)
            if i is None:
                continue
            sig, body = f.alternatives[i].signature_and_body()
            if not body.strip() or bracket_error(body):
                continue
            try:
                parse_signature(sig)
            except ConfigError:
                continue
            extra = {n for n in names_in(f"{sig}\n{body}") - names_in(f"{f.signature}\n{f.body}")
                     if not known(n) and n not in names and not declares(body, n)}
            donor = code_donor(replace(f, origin=whole))
            found = self._constants({"twin": " ".join(sorted(extra))}, names,
                                    {"twin": {n: {donor} for n in extra}} if donor else None).get("twin", []) if extra else []
            carried = {n for text in found for n, _ in constants_in(text)}
            if extra and extra <= carried:
                out.append(Charged(f.key, "pruned for names this backend declares: " + ", ".join(sorted(extra))
                                   + " (file-scope constants of the donors, emit.constants)", candidate=i + 1))
        return out

    def charged(self, charge: Any, state: RepairState) -> list[Charged]:
        """A build's answer about each function its errors were charged to; not a function whose only fault is to
        make an object of a class that this round's required stubs complete (``waits_for_completion``)."""
        out = []
        for k, msg in charge.blamed.items():
            if waits_for_completion(msg, self.completed):
                continue
            head = self.heads.get(k)
            base = ""
            if head is not None:
                try:
                    base = self.bases.get(parse_signature(head[2]).qualifier, "")
                except ConfigError:
                    pass
            out.append(Charged(k, charge.at_decl.get(k, msg), at_head=k in charge.at_decl, located=charge.located,
                               body_at=self.body_at.get(k), head_at=head, base=base,
                               head_columns=charge.columns.get((head[0], head[1]), set()) if head else set(),
                               argument_fixes=charge.fixes))
        return out

    def require(self, log_text: str, build_dir: Path, state: RepairState | None = None) -> int:
        """Add what the build says the tblgen tables and LLVM's base classes need and nothing defines: stubs of the
        functions they call, the subtarget members the feature parser sets (``emit.required``); a select function
        of a ComplexPattern as a donor wrote it where one has a pattern of its shape, its stub behind it on the
        ladder (``state.alternates``). How many."""
        T = self.table.target
        known = {f.key for f in self.chosen}
        declared = (getattr(self.table, "details", None) or {}).get("declarations", [])
        checks = target_checks(self.td) if "GenAsmMatcher.inc" in log_text else {}
        overrides = pure_virtual_stubs(log_text, T, self.class_stems)
        found = (hook_stubs(log_text, build_dir, T, declared) + operand_stubs(log_text, T, checks) + overrides
                 + declared_member_stubs(log_text, T, declared, self.class_stems))
        stubs: dict[str, EmitFunction] = {}
        for f in found:
            if f.key not in known:
                stubs.setdefault(f.key, f)  # one per key: two readers of one error line may both make it
        self.completed = {parse_signature(f.signature).qualifier for f in overrides if f.key in stubs}
        if state is not None:
            stubs = self._donor_selectors(stubs, state)
            for k, f in stubs.items():  # an operand method that takes the class's getImm() falls back to one without
                method = f.key.split("#")[0].split("::")[-1]
                plain = plain_operand_method(T, method) if f.file_stem == "AsmParser" and "getImm()" in f.body else None
                if plain is not None:
                    state.alternates[k] = plain
        members = [m for m in subtarget_fields(log_text, build_dir, self.table.namespace or T) if m not in self.subtarget_members]
        self.chosen += stubs.values()
        self.origins.update(stubs)
        self.subtarget_members += members
        return len(stubs) + len(members) + self._include_incomplete(log_text, build_dir)

    def _include_incomplete(self, log_text: str, build_dir: Path) -> int:
        """Each file of ours where the build found an LLVM class incomplete includes the header defining it from
        the next round on; how many headers were added."""
        root = self.target_dir.resolve()
        added = 0
        for file, classes in incomplete_classes(log_text).items():
            path = (Path(file) if Path(file).is_absolute() else build_dir / file).resolve()
            if not path.is_relative_to(root):
                continue
            have = self.includes.setdefault(str(path.relative_to(root)), [])
            new = [h for h in defining_headers(classes) if h not in have]
            have += new
            added += len(new)
        return added

    def _donor_selectors(self, stubs: dict[str, EmitFunction], state: RepairState) -> dict[str, EmitFunction]:
        """``stubs`` with each select function that a donor's pattern of the same shape has (``emit.patterns``)
        as that donor wrote it; the stub becomes its alternate (``repair.donor_code``), should it not compile."""
        if not self.donors or self.corpus is None:
            return stubs
        out = {}
        for k, f in stubs.items():
            taken = None
            if f.file_stem == "ISelDAGToDAG":
                if self._patterns is None:
                    self._patterns = target_patterns(self.td)
                taken = donor_selector(f, self._patterns, self.donors, self.corpus, self.table.target, self.table)
            if taken is not None:
                state.alternates[k] = f
            out[k] = taken or f
        return out

    def finals(self) -> dict[str, EmitFunction]:
        """Every function as the tree holds it (left-out ones too): what a rerun restores."""
        return self.functions()

    def snapshot(self) -> Any:
        """What ``restore`` puts back: the functions, the libraries left out, the subtarget members."""
        return list(self.chosen), list(self.left_out), list(self.subtarget_members)

    def restore(self, snap: Any) -> None:
        self.chosen[:], self.left_out[:], self.subtarget_members[:] = (list(x) for x in snap)

    def add(self, fn: EmitFunction) -> None:
        """One more function (a rerun's remembered required stub)."""
        if fn.key not in self.origins:
            self.chosen.append(fn)
            self.origins[fn.key] = fn

    def leave_out(self, failed: set[str]) -> list[str]:
        """Leave out the optional libraries (asm parser, disassembler) with a source among ``failed``; which."""
        more = sorted({OPTIONAL[f.split("/")[0]] for f in failed if f.split("/")[0] in OPTIONAL} - set(self.left_out))
        self.left_out += more
        return more

    def dropped(self, state: RepairState) -> dict[str, EmitFunction]:
        """The functions the ladder left out, as they were chosen."""
        chosen = self.functions()
        return {k: chosen[k] for k in state.dropped if k in chosen}


class SwapTree:
    """The real target's directory with generated bodies in place of its own (``emit.sources.swap_edits``)."""

    ladder: list[Step] = SWAP

    def __init__(self, real_dir: Path, edits: list[FunctionEdit], by_record: dict[str, EmitFunction],
                 unplaced: list[str]) -> None:
        self.real_dir = real_dir
        self.edits = edits
        self.by_record = by_record  # corpus record id of the real function -> the generated function in its place
        self.left_out: list[str] = []
        self.unplaced = unplaced  # generated functions the real target has no counterpart for
        self.without_library: list[str] = []
        self.origins = dict(by_record)  # as generated, before any repair
        self.subtarget_members: list[str] = []
        self.prefer: list[str] = []
        self.probe_first = False  # every generated body has the real one behind it: nothing to probe

    def functions(self) -> dict[str, EmitFunction]:
        return self.by_record

    def put(self, key: str, fn: EmitFunction) -> None:
        self.by_record[key] = fn
        self.edits[:] = [replace(e, new_body=fn.body.strip()) if e.id == key else e for e in self.edits]

    def unbuildable(self) -> list[Charged]:
        """Generated bodies whose brackets do not pair up (where the real ones do)."""
        return [Charged(e.id, f"{e.path}: the body's brackets: {why}")
                for e in self.edits if (why := bracket_error(e.new_body)) and not bracket_error(e.original_body)]

    def emit(self, state: RepairState) -> Emitted:
        out = Emitted({}, [], dict(self.by_record), {})
        by_file: dict[str, list[FunctionEdit]] = {}
        for e in self.edits:
            out.file_of[e.id] = e.path
            if e.id not in state.replaced:
                by_file.setdefault(e.path, []).append(e)
        for p in sorted(self.real_dir.rglob("*")):
            if p.is_file():
                rel = str(p.relative_to(self.real_dir))
                if rel in by_file:
                    text, done = apply_to_text(p.read_text(encoding="utf-8"), by_file[rel])
                    out.files[rel] = text
                    out.applied.extend(done)
                else:
                    out.files[rel] = p.read_bytes()
        return out

    def charged(self, charge: Any, state: RepairState) -> list[Charged]:
        """The functions the errors were charged to that still have a generated body."""
        return [Charged(k, msg) for k, msg in charge.blamed.items() if k not in state.replaced]

    def require(self, log_text: str, build_dir: Path, state: RepairState | None = None) -> int:
        return 0  # the real target has everything its tables need

    def leave_out(self, failed: set[str]) -> list[str]:
        return []

    def dropped(self, state: RepairState) -> dict[str, EmitFunction]:
        return {}

    def finals(self) -> dict[str, EmitFunction]:
        return dict(self.by_record)

    def snapshot(self) -> Any:
        return dict(self.by_record), list(self.edits)

    def restore(self, snap: Any) -> None:
        self.by_record, self.edits = dict(snap[0]), list(snap[1])

    def add(self, fn: EmitFunction) -> None:
        pass  # the real target has every function its build needs


Tree = ScratchTree | SwapTree
