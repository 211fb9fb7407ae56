"""Generate every template function for one target: statements with confidences, function confidence, JSONL.

Pipeline for a target:

1. feature vectors (``infer`` rows): from the model's own features folder when the target was held out there,
   else built now (``vega-llvm features`` machinery) from its property table (``--td``: described first);
2. confidence of every distinct feature vector (encoder pass only, batched by length);
3. for the statements kept (confidence >= threshold, parent kept) that have placeholders: the slot values, by greedy
   decoding with the source's key/value cache, constrained by default to a trie of candidates per slot (the target's
   described values that the features list and the values training members used there, the empty span among them
   only where a member left the slot empty), so every value is a real name of the target or a known constant;
4. each function instantiated from its template (``templates.instantiate``); compared with the target's real
   function when the corpus has it.

Output rows (``result.jsonl``), VEGA's fields first: ``Target``, ``Module``, ``File``, ``Func``, ``vega_code``
(generated), ``ans_code`` (ground truth or null), ``Confidence`` (function), then ``template``, ``statements`` (id,
code, confidence, kept), ``exact_match``/``stmt_correct``/``stmt_total`` (with ground truth), ``nn_*`` (the
nearest-neighbour baseline on the same function) and ``provenance``. A ``summary.json`` beside it aggregates.

Function confidence = the least certain keep/drop decision of the function: min over statements of ``c`` if kept
else ``1 - c``; 1.0 means every statement was decided with certainty.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .. import LLVM_VERSION, __version__
from ..atomic import staged_text
from ..errors import ConfigError
from ..evaluate.metrics import Comparison, compare, extract_body
from ..evaluate.swap import bracket_error
from ..jsonl import target_rows
from .adapt import own_allocatable, own_classes, own_conventions, scoped_enumerators
from .macros import function_like_heads, without_directives
from .operands import supplied_operands
from .overloads import donor_of
from .parameters import (
    arity_mismatch,
    callable_arities,
    coherent_parameters,
    declared_arities,
    declared_function_arities,
    declared_head,
    declared_parameters,
    declared_signatures,
    majority_parameter_names,
    member_parameter_positions,
    mismatched_calls,
    parameter_names,
    parameters,
)
from .prune import duplicate_cases, with_bodies
from .returns import falls_off, illegal_returned_types, legal_types
from .roles import RecordRoles


@dataclass
class GenerateResult:
    out: Path
    summary: dict[str, Any]


def _infer_rows(path: Path, target: str) -> Iterator[dict[str, Any]]:
    """The target's inference rows of a features file (a held-out target has no others, a new one neither)."""
    return (r for r in target_rows(path, target) if r.get("split") == "infer")


def _features_for(model_dir: Path, meta: dict[str, Any], target: str | None, td: Path | None, features: Path | None,
                  describe_dir: Path | None) -> tuple[Path, Path, str, Any]:
    """(features folder with infer rows for the target, the model's templates, target folder name, its table).

    A target the model held out is read from exactly the feature rows it was trained beside (found in the cache or
    rebuilt from committed code, then checked against the checkpoint's hashes; refused when they differ). A new
    target (``--td``) gets rows made from the model's templates by the same features code."""
    from ..describe.properties import PropertyTable
    from ..features.build import build_features
    from ..features.data import table_folder
    from ..features.inputs import _matches, checkpoint_features
    from ..paths import cache_root
    from ..provenance import code_digest

    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    held = meta.get("held_out") or []
    if td is None and target not in held:  # before any input is built: a wrong name costs nothing
        raise ConfigError(
            f"{model_dir}: {target} was not held out when it was trained (held out: {', '.join(held) or 'none'}); "
            f"give its description with --td to generate it as a new target"
        )
    inputs = checkpoint_features(model_dir, _in_this_cache(meta), log)
    ddir = describe_dir or inputs.describe_dir
    if features is not None:
        if not _matches(Path(features), meta["inputs"]):
            raise ConfigError(f"{features}: not the feature rows {model_dir} was trained beside (see its vega_meta.json inputs)")
        inputs.features = Path(features)
    if td is None:
        assert target is not None
        man = json.loads((inputs.features / "manifest.json").read_text())
        if target not in man.get("infer_targets", []):
            raise ConfigError(
                f"{model_dir}: {target} was not held out when it was trained (held out: {', '.join(man.get('infer_targets', [])) or 'none'}); "
                f"give its description with --td to generate it as a new target"
            )
        table_file = ddir / f"{target}.json"
        return inputs.features, inputs.templates, target, PropertyTable.load(table_file) if table_file.is_file() else None
    from ..describe.describe import describe

    table, table_path = describe(Path(td))
    target = table_folder(table)
    rec_prov = (meta["inputs"]["features"].get("provenance") or {})
    if rec_prov.get("code") != code_digest("features"):
        raise ConfigError(f"{model_dir}: trained beside features made by other code ({rec_prov.get('code')}, now {code_digest('features')}); retrain it")
    out = cache_root() / "features" / f"generate-{target}-{table.fingerprint()[:10]}-{meta['inputs']['templates_sha256'][:10]}"
    if _built_from(out, inputs.templates, ddir, table):
        log(f"feature rows of {target}: {out} (made from these inputs by this code)")
    else:
        build_features(inputs.templates, out, ddir, [], [table_path])
    return out, inputs.templates, target, table


def _built_from(out: Path, templates: Path, describe_dir: Path, table: Any) -> bool:
    """Whether ``out`` holds the rows ``build_features`` would write now for ``table`` as a new target: its
    manifest's stamp is the one these inputs give (features code, templates, every table's fingerprint, the limits)
    and its infer rows are the ones it recorded. Rows of a new target take minutes to make (every template's
    statements against every training target), and ``bootstrap`` and ``generate`` ask for them on every run."""
    from ..features.build import features_stamp
    from ..features.data import load_tables, table_folder
    from ..features.learn import TargetData
    from ..provenance import file_digest

    manifest, infer = out / "manifest.json", out / "infer.jsonl"
    if not (manifest.is_file() and infer.is_file()):
        return False
    try:
        made = json.loads(manifest.read_text())
    except ValueError:
        return False
    # the templates' members are the training targets (the templates' digest is in the stamp): their tables as
    # stored now, and the new target's
    names = set(made.get("train_targets", []))
    data = load_tables(describe_dir, names, describe_missing=False)
    if set(data) != names:
        return False
    name = table_folder(table)
    data[name] = TargetData(name=name, table=table)
    wanted = features_stamp(templates, data, [name], made.get("max_values", 8), made.get("min_targets", 2))
    return made.get("provenance") == wanted and file_digest(infer) == made.get("infer_sha256")


STRATEGIES = ("adapt", "statements")


def _in_this_cache(meta: dict[str, Any]) -> dict[str, Any]:
    """The checkpoint's metadata with its features and templates looked up in this machine's cache, by folder name:
    the absolute paths it recorded are those of the machine it was trained on, and reading another cache's folders
    (even one that matches by hash) would hide whether this cache can rebuild them."""
    from ..paths import cache_root

    meta = dict(meta)
    if "features" in meta:
        meta["features"] = dict(meta["features"], path=str(cache_root() / "features" / Path(meta["features"]["path"]).name))
    if "templates" in meta:
        meta["templates"] = dict(meta["templates"], path=str(cache_root() / Path(meta["templates"]["path"]).name))
    return meta


def _training_tables(table: Any, meta: dict[str, Any], describe_dir: Path | None) -> dict[str, Any]:
    """The property tables of the model's training targets (none without the new target's own table)."""
    from ..describe.describe import describe_dir as default_ddir
    from ..features.data import load_tables

    if table is None:
        return {}
    found = load_tables(describe_dir or default_ddir(), set(meta.get("train_targets", [])), describe_missing=False)
    return {k: v.table for k, v in found.items()}


def _adapted(templates: dict[str, Any], tpl_ids: list[str], rows_by_tpl: dict[str, dict[int, dict[str, Any]]],
             conf: dict[str, float], similarity: dict[str, float], donors: dict[str, set[str]], mine: set[str],
             namespaces: dict[str, str], enumerators: dict[str, list[str]] | None = None,
             roles: Any = None) -> dict[str, list[Any]]:
    """Per template, all its member candidates for the target, best first (``adapt.member_candidates``).

    All, not the ``--candidates`` best: a candidate that does not parse or names an identifier the target cannot see
    cannot compile (on XCore every such one failed), so the first clean one is taken whatever its rank, and the
    ``--candidates`` written out are counted after that reordering (``_parsing_first``)."""
    from .adapt import member_candidates

    out = {}
    for t in tpl_ids:
        rows = rows_by_tpl[t]

        def confidence(sid: int, rows: dict[int, dict[str, Any]] = rows) -> float | None:
            return conf.get(rows[sid]["input"]) if sid in rows else None

        out[t] = member_candidates(templates[t], confidence, donors, mine, similarity, namespaces, enumerators,
                                   roles)
    return out


# How much each training target's way of writing a function counts, from its description similarity to the new
# target (``rank_targets``: Jaccard, best first). Rank-based weights, not the Jaccard value itself: description
# overlap orders targets well but its size says little about how alike their code is (RISCV's nearest, LoongArch,
# is a near-copy at Jaccard 0.02). Chosen on held-out targets that are not the evaluation's (benchmarks/
# choose_weighting.sh, docs/RESULTS.md).
WEIGHTINGS = {
    "rank": lambda i, _j: 1.0 / (1 + i),
    "rank2": lambda i, _j: 1.0 / (1 + i) ** 2,
    "halving": lambda i, _j: 0.5 ** i,
    "jaccard": lambda _i, j: j,
}


def target_weights(similar: list[tuple[str, float]], weighting: str = "rank") -> dict[str, float]:
    f = WEIGHTINGS[weighting]
    return {n: f(i, j) for i, (n, j) in enumerate(similar)}


def single_donor_templates(templates: Iterable[Any], with_rows: set[str], donors: list[str],
                           functions: set[tuple[str, str]] | None = None) -> list[str]:
    """Templates whose members all come from one training target, one of ``donors`` (or any, for the groups in
    ``functions``), and that have no feature rows.

    Feature rows exist only for templates of at least two training targets (``features.vectors``): one backend's
    function teaches nothing across targets. But a new target often shares such a function with its nearest
    neighbour alone (RISCV and LoongArch), and leaving it out leaves it unwritten."""
    wanted = set(donors)
    out = []
    for tpl in templates:
        owners = {m.target for m in tpl.members}
        if tpl.id not in with_rows and len(owners) == 1 and (owners <= wanted or (tpl.file, tpl.qname) in (functions or ())):
            out.append(tpl.id)
    return sorted(out)


class Trie:
    """Allowed next tokens of a ``v0 <sep> v1 ... </s>`` output, one candidate set per slot."""

    def __init__(self, slots: list[list[list[int]]], sep: int, eos: int):
        self.slots = slots
        self.sep = sep
        self.eos = eos

    def __call__(self, prefix: list[int]) -> list[int]:
        k = prefix.count(self.sep)
        if k >= len(self.slots):
            return [self.eos]
        last = len(prefix) - 1 - prefix[::-1].index(self.sep) if self.sep in prefix else -1
        part = prefix[last + 1 :]
        n = len(part)
        nxt = {c[n] for c in self.slots[k] if len(c) > n and c[:n] == part}
        if any(c == part for c in self.slots[k]):
            nxt.add(self.sep if k < len(self.slots) - 1 else self.eos)
        return sorted(nxt) or [self.eos]


def generate(
    model_dir: Path,
    target: str | None = None,
    td: Path | None = None,
    out: Path | None = None,
    features: Path | None = None,
    corpus: Path | None = None,
    describe_dir: Path | None = None,
    batch_size: int = 128,
    threshold: float = 0.5,
    decode: str = "constrained",
    limit: int = 0,
    progress: bool = True,
    threads: int = 1,
    strategy: str = "adapt",
    candidates: int = 3,
    single_donors: int = 3,
    functions: set[tuple[str, str]] | None = None,
    weighting: str = "rank",
    check_identifiers: bool = True,
    only: set[tuple[str, str]] | None = None,
) -> GenerateResult:
    """Write ``result.jsonl`` for a held-out or new target (see the module docstring).

    ``single_donors``: functions that only one training target has are written too (adapted from it) when that
    target is among this many most similar by description; 0 writes only the templates the model has rows for.
    ``functions``: (file, qualified name) groups, ``<T>`` for the target, that the target is known to have (an
    evaluation knows which functions it fills in, as the nearest-copy baseline does): their single-donor templates
    are written whatever the donor's rank.
    ``only``: the (file stem, qualified name) groups to write, ``<T>`` for the target, and nothing else: a scratch
    backend is a few hundred of the thousands of groups (``emit.sources.scratch_groups``), and writing the rest took
    most of the time. What each function may call is still every group, as without it (TableGen writes for every
    target what some targets define by hand, ``MatchRegisterName``; a method the description's class lacks is still
    one the target is not known to have: taking the set's methods as declared ranked BPF's ``LowerOperation``,
    which dispatches to lowerings XCore does not have, above Lanai's, and XCore's scratch tests stopped passing)."""
    import torch

    from ..model.checkpoint import load_checkpoint
    from ..model.data import Example, collate, frame_source
    from ..paths import cache_root
    from ..templates import instantiate, load_templates
    from .adapt import member_candidates, record_names
    from .baseline import rank_targets
    from .groundtruth import ground_truth

    if (target is None) == (td is None):
        raise ConfigError("give exactly one of --target NAME or --td FILE")
    if decode not in ("constrained", "free"):
        raise ConfigError(f"--decode {decode!r}: choose constrained or free")
    if strategy not in STRATEGIES:
        raise ConfigError(f"--strategy {strategy!r}: choose {' or '.join(STRATEGIES)}")
    if weighting not in WEIGHTINGS:
        raise ConfigError(f"--weighting {weighting!r}: choose {', '.join(WEIGHTINGS)}")
    if candidates < 1:
        raise ConfigError(f"--candidates {candidates}: at least 1")
    if threads:
        torch.set_num_threads(threads)
    t0 = time.perf_counter()
    model, tok, meta = load_checkpoint(model_dir)
    fdir, templates_path, target, table = _features_for(model_dir, meta, target, td, features, describe_dir)
    if target in meta.get("train_targets", []):
        note = f"{target} was a training target of this model: its scores are not held-out scores"
    else:
        note = ""
    templates = {t.id: t for t in load_templates(templates_path)}
    rows_by_tpl: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in _infer_rows(fdir / "infer.jsonl", target):
        rows_by_tpl[r["template"]][r["statement"]] = r
    if not rows_by_tpl:
        raise ConfigError(f"{fdir}/infer.jsonl has no rows for {target}")
    every_id = sorted(rows_by_tpl)[:limit] if limit else sorted(rows_by_tpl)
    tpl_ids = [t for t in every_id if only is None or _group(templates[t]) in only]
    mc_src = int(model.config.max_source)
    mc_tgt = int(model.config.max_target)
    use_bf16 = meta.get("config", {}).get("bf16", True)
    from ..model.loop import _cpu_bf16

    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=bool(use_bf16 and _cpu_bf16()))

    # 1) confidence of every distinct input
    inputs = sorted({r["input"] for t in tpl_ids for r in rows_by_tpl[t].values()})
    ids = dict(zip(inputs, tok.encode_batch(inputs)))
    order = sorted(inputs, key=lambda s: len(ids[s]))
    conf: dict[str, float] = {}
    bar = _bar(progress, len(order), f"confidence {target}")
    with torch.inference_mode(), autocast:
        for i in range(0, len(order), batch_size):
            chunk = order[i : i + batch_size]
            b = collate([Example(frame_source(ids[s], tok, mc_src), [], 0.0) for s in chunk], tok.pad, with_target=False)
            c = model.confidence(b["source_ids"], b["source_mask"])
            conf.update(zip(chunk, c.float().tolist()))
            bar.update(len(chunk))
    bar.close()

    # 2) keep/drop per statement (a statement inside a dropped one is dropped)
    kept: dict[tuple[str, int], bool] = {}
    for t in tpl_ids:
        tpl = templates[t]
        for st in tpl.statements:
            r = rows_by_tpl[t].get(st.id)
            c = conf.get(r["input"], 0.0) if r else 0.0
            parent_ok = st.parent is None or kept.get((t, st.parent), False)
            kept[(t, st.id)] = parent_ok and c >= threshold

    # 2b) adapted candidates: the template's training members, best first for this target (see adapt.py)
    train_tables = _training_tables(table, meta, describe_dir)
    similar = rank_targets(table, train_tables) if table is not None else []
    ranking = [n for n, _ in similar]
    weights = target_weights(similar, weighting)
    donor_names = {n: record_names(t) for n, t in train_tables.items()}
    namespaces = {n: t.namespace for n, t in train_tables.items()}
    own_names = record_names(table) if table is not None else set()
    own_enums = scoped_enumerators(table) if table is not None else {}
    adapt = strategy == "adapt" and table is not None
    roles = RecordRoles(table, train_tables) if adapt else None
    adapted = _adapted(templates, tpl_ids, rows_by_tpl, conf, weights, donor_names, own_names, namespaces, own_enums,
                       roles) if adapt else {}
    extra_ids = single_donor_templates(templates.values(), set(rows_by_tpl), ranking[:single_donors], functions) \
        if adapt and not limit else []
    every_extra, extra_ids = extra_ids, [t for t in extra_ids if only is None or _group(templates[t]) in only]

    # 3) slot values of the kept statements, and of the candidates' statements whose member values name records
    # the target lacks, with placeholders (deduplicated by input + candidates)
    jobs: dict[tuple[str, str], tuple[list[int], Trie | None, int]] = {}
    row_job: dict[tuple[Any, ...], tuple[str, str]] = {}  # (template, statement[, narrowing]) -> job
    for t in tpl_ids:
        tpl = templates[t]
        redo = {sid for a in adapted.get(t, []) for sid in a.retranslate}
        for r in rows_by_tpl[t].values():
            if not r["slots"] or not (kept.get((t, r["statement"])) or r["statement"] in redo):
                continue
            # The empty span is a candidate only where a training member left the slot empty: offered
            # everywhere, greedy decoding takes it whenever <sep> outscores the first token of each real value.
            offered = [list(dict.fromkeys([*s["values"], *_member_values(tpl, s["name"])])) or [""]
                       for s in r["slots"]]
            # one job for the slots as offered, one for each candidate whose donor instruction narrows them
            narrowed = {_narrowing(a, r["slots"]) for a in adapted.get(t, []) if r["statement"] in a.retranslate}
            for narrow in sorted(narrowed | {""}):
                fits = json.loads(narrow) if narrow else {}
                cand_text = [fits.get(s["name"], vals) for s, vals in zip(r["slots"], offered)]
                key = (r["input"], json.dumps(cand_text))
                row_job[(t, r["statement"], narrow) if narrow else (t, r["statement"])] = key
                if key in jobs:
                    continue
                if decode == "constrained":
                    flat = sorted({v for vs in cand_text for v in vs})
                    enc = dict(zip(flat, tok.encode_batch(flat)))
                    trie: Trie | None = Trie([[enc[v] for v in vs] for vs in cand_text], tok.sep, tok.eos)
                    longest = sum(max(len(enc[v]) for v in vs) for vs in cand_text) + len(cand_text)
                else:
                    trie, longest = None, mc_tgt
                jobs[key] = (frame_source(ids[r["input"]], tok, mc_src), trie, min(max(longest, 1), 96))
    decoded: dict[tuple[str, str], list[str]] = {}
    keys = sorted(jobs, key=lambda k: (len(jobs[k][0]), k))
    bar = _bar(progress, len(keys), f"values {target}")
    with torch.inference_mode(), autocast:
        for i in range(0, len(keys), batch_size):
            chunk = keys[i : i + batch_size]
            b = collate([Example(jobs[k][0], [], 0.0) for k in chunk], tok.pad, with_target=False)
            tries = [jobs[k][1] for k in chunk]
            allowed = (lambda row, prefix: tries[row](prefix)) if decode == "constrained" else None
            room = int(model.config.max_position_embeddings) - b["source_ids"].shape[1] - 3
            steps = min(max(jobs[k][2] for k in chunk), room)
            _, seqs = model.generate(b["source_ids"], b["source_mask"], steps, tok.eos, allowed)
            for k, seq in zip(chunk, seqs):
                decoded[k] = _split(seq, tok)
            bar.update(len(chunk))
    bar.close()

    # 4) functions, ground truth, baseline
    corpus_dir = corpus or cache_root() / "corpus"
    truth = ground_truth(corpus_dir, target)
    spelling = _spelling(table, target)
    # with ``only`` too, the functions taken to be written beside are those the whole run would write (a name some
    # training target defines by hand, such as ``MatchRegisterName``, is often one TableGen writes for the others)
    vis = _visibility(table, spelling, [templates[t].qname for t in (*every_id, *every_extra)],
                      {q for _, q in functions} if functions is not None else None, templates.values(), train_tables) \
        if check_identifiers else None
    prov = {
        "model": str(Path(model_dir).resolve()),
        "model_command": meta.get("command"),
        "held_out": meta.get("held_out"),
        "features": str(fdir),
        "templates_sha256": meta["inputs"]["templates_sha256"],
        "features_sha256": meta["inputs"]["features"].get("infer_sha256"),
        "llvm_version": LLVM_VERSION,
        "tool_version": __version__,
        # whether the target's description included its headers' declarations (describe/declarations.py)
        "declarations": bool(table is not None and table.meta.get("declarations", {}).get("used")),
        "decode": decode,
        "threshold": threshold,
        "strategy": strategy,
        "weighting": weighting,
        "single_donors": single_donors,
        "check_identifiers": check_identifiers,
        "only_groups": len(only) if only is not None else None,
    }
    out = out or cache_root() / "generate" / f"{target}-{Path(model_dir).name}" / "result.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    agg = _Agg()
    overload_rows = single_overloads = 0  # rows of further overloads (``_overload_records``), beside each group's
    with staged_text(out) as fh:
        for t in tpl_ids:
            tpl = templates[t]
            stmts = []
            values: dict[str, str] = {}
            fconf = 1.0
            for st in tpl.statements:
                r = _row_of(rows_by_tpl[t], st.id)
                c = conf.get(r["input"], 0.0) if r else 0.0
                k = kept[(t, st.id)]
                if k and r and r["slots"]:
                    vals = decoded.get(row_job[(t, st.id)], [])
                    for j, s in enumerate(r["slots"]):
                        values[s["name"]] = vals[j] if j < len(vals) else ""
                fconf = min(fconf, c if k else 1.0 - c)
                stmts.append({"id": st.id, "confidence": round(c, 4), "kept": k})
            for ph in (p for st in tpl.statements for p in st.placeholders):
                values.setdefault(ph.name, "")
            keep_ids = with_bodies(tpl, [s["id"] for s in stmts if s["kept"]])
            code = instantiate(tpl, {"statements": keep_ids, "values": values, "spelling": spelling})
            model_cand = _Written("model", keep_ids, values, code, fconf)
            ranked = [_written(tpl, a, rows_by_tpl[t], row_job, decoded, spelling, roles) for a in adapted.get(t, [])]
            ranked = _parsing_first(tpl, [*ranked, model_cand], vis, table, spelling, roles)
            best = ranked[0]
            if strategy == "adapt":
                for c in ranked:
                    c.confidence = _confidence(tpl, c, spelling)
            keep_set = set(best.statements)
            for s in stmts:
                s["kept"] = s["id"] in keep_set
            further = _further_overloads(tpl, ranked, table, spelling, vis, roles)
            ranked = _without(ranked, further)
            rec = _record(tpl, target, best, ranked[:candidates], stmts, spelling, truth, ranking, agg)
            rec["provenance"] = prov
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            for rec in _overload_records(tpl, target, further, stmts, spelling, candidates, ranking, agg):
                rec["provenance"] = prov
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                overload_rows += 1
        # 5) functions only one training target has (no feature rows: nothing to learn across targets), where that
        # target is among the most similar: its function adapted as above, at most half confident (``consensus``)
        for t in extra_ids:
            tpl = templates[t]
            ranked = [_written(tpl, a, {}, row_job, decoded, spelling, roles)
                      for a in member_candidates(tpl, lambda sid: None, donor_names, own_names, weights, namespaces, own_enums,
                                                 roles)]
            ranked = _parsing_first(tpl, ranked, vis, table, spelling, roles)
            for c in ranked:
                c.confidence = _confidence(tpl, c, spelling)
            best = ranked[0]
            keep_set = set(best.statements)
            stmts = [{"id": st.id, "confidence": round(best.confidence, 4), "kept": st.id in keep_set}
                     for st in tpl.statements]
            further = _further_overloads(tpl, ranked, table, spelling, vis, roles)
            ranked = _without(ranked, further)
            rec = _record(tpl, target, best, ranked[:candidates], stmts, spelling, truth, ranking, agg)
            rec["single_donor"] = True
            rec["provenance"] = prov
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            for rec in _overload_records(tpl, target, further, stmts, spelling, candidates, ranking, agg):
                rec.update(single_donor=True, provenance=prov)
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                overload_rows += 1
                single_overloads += 1
    summary = {
        "target": target,
        "functions": len(tpl_ids) + len(extra_ids) + overload_rows,
        "single_donor_functions": len(extra_ids) + single_overloads,
        "overload_functions": overload_rows,
        "statements": sum(len(rows_by_tpl[t]) for t in tpl_ids),
        "distinct_inputs": len(inputs),
        "decoded": len(keys),
        "seconds": round(time.perf_counter() - t0, 1),
        "with_ground_truth": agg.summary(),
        "note": note,
        "nn_ranking": ranking[:5],
        **prov,
    }
    (out.parent / "summary.json").write_text(json.dumps(summary, indent=1))
    return GenerateResult(out, summary)


def _confidence(tpl: Any, cand: "_Written", spelling: str) -> float:
    """The function confidence of a candidate: the training targets' agreement (``adapt.consensus``), but 0 for code
    that names an identifier declared nowhere the target can see: it cannot compile, however many targets wrote it
    (on XCore every such function failed to compile, docs/RESULTS.md); and 0 for one that returns nothing where it
    promises a value (``returns.falls_off``)."""
    from .adapt import consensus

    return 0.0 if cand.undeclared or cand.falls_off else consensus(tpl, cand.code, spelling)


def _visibility(table: Any, spelling: str, qnames: list[str], known: set[str] | None = None,
                templates: Iterable[Any] = (), donors: dict[str, Any] | None = None) -> Any:
    """What the target's functions may name (``visible.Visibility``); None without a description to check against.

    ``qnames``: the functions written beside each one. ``known``: the target's functions where they are known (an
    evaluation puts each function into the target's real backend): only those of ``qnames`` are there to call. The
    templates hold every training target's groups (``create<T>MCCodeEmitter``), and XCore's backend has none of
    that name; a new target's backend has every function generated for it. ``templates``: the training templates,
    whose versions tell which of LLVM's class-scope names each class's functions use (``Visibility.in_scope``).
    ``donors``: the training targets' descriptions, whose classes' declarations tell which names their versions
    inherit (``Visibility.other_class_members``)."""
    if table is None:
        return None
    from ..llvm.toolchain import find_toolchain
    from .visible import Visibility

    # the functions and the classes (or namespaces) that own them: generated together, ``<T>AsmPrinter`` is declared
    # where ``<T>AsmPrinter::emitInstruction`` is (XCore: 7 of its real functions named their own class). A method
    # of a class the description declares is visible only if the description declares it too: the groups hold
    # every training target's methods (PowerPC's ``<T>Subtarget::isAIXABI``), and the target's header says which
    # of them its class has
    classes = {c.rpartition("::")[2] for c in table.values.get("decl.class", [])}
    members = {"::".join(q.split("::")[-2:]) for kind in ("decl.method", "decl.field") for q in table.values.get(kind, [])}
    names: set[str] = set()
    for q in (q for q in qnames if known is None or q in known):
        parts = [p for p in q.split("::") if p]
        owner, member = (parts[-2].replace("<T>", spelling), parts[-1].replace("<T>", spelling)) if len(parts) > 1 else ("", "")
        if owner in classes and f"{owner}::{member}" not in members:
            parts = parts[:-1]
        names.update(parts)
    return Visibility(table, spelling, find_toolchain().includedir, names, templates, donors)


def _record(tpl: Any, target: str, best: "_Written", ranked: list["_Written"], stmts: list[dict[str, Any]],
            spelling: str, truth: dict[Any, Any], ranking: list[str], agg: "_Agg") -> dict[str, Any]:
    """One ``result.jsonl`` row: the chosen code, its statements, the ranked alternatives, and (when the target's
    real function is known) its scores beside the nearest-neighbour copy's."""
    from ..templates import instantiate
    from .baseline import nearest_member

    lines = {s.id: _statement_code(s, best.values, spelling) for s in tpl.statements}
    for s in stmts:
        s["code"] = lines[s["id"]]
    rec: dict[str, Any] = {
        "Target": target,
        "Module": tpl.module,
        "File": tpl.file.replace("<T>", spelling),
        "Func": tpl.qname.replace("<T>", spelling),
        "vega_code": best.code,
        "ans_code": None,
        "Confidence": round(best.confidence, 4),
        "template": tpl.id,
        "source": best.source,
        "statements": stmts,
        "undeclared": best.undeclared,
        "candidates": [{"source": c.source, "code": c.code, "confidence": round(c.confidence, 4), "parses": c.parses,
                        "undeclared": c.undeclared, "falls_off": c.falls_off} for c in ranked],
    }
    # a function template's ``template <...>`` clause, which the corpus does not keep: beside the code, which stays
    # as the templates write it (the evaluation compares it token for token with the corpus's function)
    clauses = _template_clauses(tpl, [best, *ranked])
    if clauses.get(id(best)):
        rec["template_clause"] = clauses[id(best)]
    for c, row in zip(ranked, rec["candidates"]):
        if clauses.get(id(c)):
            row["template_clause"] = clauses[id(c)]
    gt = truth.get((tpl.file, tpl.qname))
    if gt is not None:
        sc = compare(extract_body(best.code), gt.body, gt.signature)  # the body, as eval scores it
        rec.update(ans_code=f"{gt.signature}\n{gt.body}", exact_match=sc.exact,
                   stmt_correct=sc.accurate_statements, stmt_total=sc.truth_statements)
        nn = nearest_member(tpl, ranking)
        nsc = None
        if nn is not None:
            nn_code = instantiate(tpl, {"statements": nn.statements, "values": nn.values, "spelling": spelling})
            nsc = compare(extract_body(nn_code), gt.body, gt.signature)
            rec.update(nn_source=nn.member, nn_exact_match=nsc.exact, nn_stmt_correct=nsc.accurate_statements)
        agg.add(tpl.module, sc, nsc, best.confidence)
    return rec


def _template_clauses(tpl: Any, cands: list["_Written"]) -> dict[int, str]:
    """``id(candidate)`` -> the ``template <...>`` clause of the training function it was adapted from
    (``template_clauses.clause_before``), where its code uses every parameter the clause declares; a candidate of
    the model's own takes the clause of a donor candidate that it fits. Only the donors' own records are read."""
    from ..paths import llvm_dir
    from ..template_clauses import clause_before, fits

    src = llvm_dir(required=False)
    if src is None:
        return {}
    root = src / "lib" / "Target"
    out: dict[int, str] = {}
    found: list[str] = []
    for c in cands:
        donor = (donor_of(c.source.split("-")[0]) or "")
        if not donor:
            continue
        for m in tpl.members:
            clause = clause_before(m.function, root) if m.target == donor else ""
            if clause and fits(clause, c.code):
                out[id(c)] = clause
                found.append(clause)
                break
    for c in cands:
        if id(c) not in out and not donor_of(c.source.split("-")[0]):
            clause = next((cl for cl in found if fits(cl, c.code)), "")
            if clause:
                out[id(c)] = clause
    return out


def _further_overloads(tpl: Any, ranked: list["_Written"], table: Any, spelling: str,
                       vis: Any = None, roles: Any = None) -> list[list["_Written"]]:
    """The candidates of each further overload of the function the target is taken to have
    (``overloads.further_overloads``): each makes a row of its own, and none stays an alternative of the chosen
    row's, whose function it does not define. An overload found only among the candidates' variants (the same
    statements as each writer wrote them) is put through the same checks and ranking as any candidate."""
    from .overloads import further_overloads

    declared = declared_signatures(table, tpl.qname.replace("<T>", spelling)) if table is not None else []
    listed = {id(c) for c in ranked}

    def variants() -> list[_Written]:
        return [v for c in ranked if c.variants is not None for v in c.variants()]

    out = []
    for found in further_overloads(ranked, lambda c: c.code, lambda c: c.source, tpl.members,
                                   _member_codes(tpl, spelling), declared, variants):
        if any(id(c) not in listed for c in found):
            found = _parsing_first(tpl, found, vis, table, spelling, roles)
            for c in found:
                c.confidence = _confidence(tpl, c, spelling)
        out.append(found)
    return out


def _without(ranked: list["_Written"], further: list[list["_Written"]]) -> list["_Written"]:
    taken = {id(c) for found in further for c in found}
    return [c for c in ranked if id(c) not in taken]


def _overload_records(tpl: Any, target: str, further: list[list["_Written"]], stmts: list[dict[str, Any]],
                      spelling: str, candidates: int, ranking: list[str], agg: "_Agg") -> list[dict[str, Any]]:
    """One row per further overload (``_further_overloads``), marked ``overload``: its best candidate, the
    statements' confidences as the chosen row's. Not scored against the group's ground truth (the first definition,
    the chosen row's); ``eval`` matches each row to the target's overload whose parameter types it defines."""
    out = []
    for found in further:
        keep = set(found[0].statements)
        own = [{**s, "kept": s["id"] in keep} for s in stmts]
        rec = _record(tpl, target, found[0], found[:candidates], own, spelling, {}, ranking, agg)
        rec["overload"] = True
        out.append(rec)
    return out


@dataclass
class _Written:
    """One candidate function as code: where it came from, its statements and values, and its confidence."""

    source: str
    statements: list[int]
    values: dict[str, str]
    code: str
    confidence: float
    parses: bool = True
    undeclared: list[str] = field(default_factory=list)  # identifiers declared nowhere the target can see
    falls_off: bool = False  # returns a value but has no return (``returns.falls_off``)
    variants: Callable[[], list["_Written"]] | None = None  # the same statements as other targets wrote them


def _written(tpl: Any, a: Any, rows: dict[int, dict[str, Any]], row_job: dict[tuple[Any, ...], tuple[str, str]],
             decoded: dict[tuple[str, str], list[str]], spelling: str, roles: Any = None) -> _Written:
    """An adapted member as code: its own values, but the model's where they named records the target lacks.

    ``roles`` (``roles.RecordRoles``): the statements' own tokens, not only their values, translated from the
    candidate's donor: a statement only one training target writes has no placeholder (nothing varies), so its
    donor's names stay in its tokens (LoongArch's ``Subtarget.getGRLen()`` in ``lowerShiftLeftParts``, which no
    other target writes)."""
    import math

    values = dict(a.values)
    for sid in sorted(a.retranslate):
        r = rows.get(sid)
        narrow = _narrowing(a, r["slots"]) if r else ""
        key = row_job.get((tpl.id, sid, narrow) if narrow else (tpl.id, sid))
        if not r or not r["slots"] or key is None:
            continue
        got = decoded.get(key, [])
        for j, s in enumerate(r["slots"]):
            values[s["name"]] = got[j] if j < len(got) else ""
    for ph in (p for st in tpl.statements for p in st.placeholders):
        values.setdefault(ph.name, "")
    statements = with_bodies(tpl, list(a.statements))
    code = _code_of(tpl, statements, values, spelling, roles, donor_of(a.source))
    out = _Written(a.source, statements, values, code, math.exp(a.score))
    if getattr(a, "variants", None):  # written only where asked for (``_revalued``)
        out.variants = lambda: [_written(tpl, v, rows, row_job, decoded, spelling, roles) for v in a.variants]
    return out


def _narrowing(a: Any, slots: list[dict[str, Any]]) -> str:
    """The values a candidate's donor instructions leave for the model in a statement's slots
    (``adapt.Adapted.choices``), as a key (JSON, slot name -> values); empty where it leaves all that are offered."""
    narrow = {s["name"]: a.choices[s["name"]] for s in slots if s["name"] in getattr(a, "choices", {})}
    return json.dumps(narrow, sort_keys=True) if narrow else ""


def _code_of(tpl: Any, statements: list[int], values: dict[str, str], spelling: str, roles: Any = None,
             donor: str | None = None) -> str:
    """A statement set with ``values`` as the new target's code: the donor's own tokens translated (``roles``,
    ``_written``), every training target's spelling in the new target's, and the immediate operands that a node
    translated from the donor's needs supplied (``operands.supplied_operands``)."""
    from ..templates import instantiate
    from .adapt import respelled

    code = instantiate(tpl, {"statements": statements, "values": values, "spelling": spelling})
    if roles is not None and donor:
        code = roles.translate(donor, code)
    code = respelled(tpl, code, spelling)
    if roles is not None and donor:
        code = supplied_operands(code, roles.nodes(None), lambda: roles.stood_for(donor))
    return code


def _in_own_names(tpl: Any, cands: list[_Written], table: Any, spelling: str) -> None:
    """Each candidate's code in the new target's own names, from its description (``table``): its calling
    conventions where it names another target's (``adapt.own_conventions``: ``RetCC_XCore32``, Lanai's respelled,
    is ``RetCC_XCore``), its declared class of the same role where it names a class of the target's spelling that
    the description does not declare (``adapt.own_classes``), an allocatable register class where it makes virtual
    registers of one that is not (``adapt.own_allocatable``), and one name per parameter, the description's where
    its headers declare the function, else the one most training targets give it (``parameters.coherent_parameters``,
    ``parameters.majority_parameter_names``); and where every candidate defines another overload than the
    description declares, the declared parameter list, if that has a place for every parameter the candidate uses
    (``parameters.declared_head``)."""
    member_codes = _member_codes(tpl, spelling)
    qname = tpl.qname.replace("<T>", spelling)
    positions: dict[tuple[str, ...], dict[str, int]] = {}
    majority: dict[tuple[str, ...], list[str] | None] = {}
    signatures = declared_signatures(table, qname) if table is not None else []
    arities = declared_arities(table, qname) if table is not None else []
    for c in cands:
        c.code = function_like_heads(c.code)
        if table is not None:
            c.code = own_allocatable(own_classes(own_conventions(c.code, table), table, spelling, qname.split("::")), table)
        params = parameters(c.code.partition("\n")[0]) or []
        if params:
            types = tuple(t for t, _ in params)
            if types not in positions:
                positions[types] = member_parameter_positions(member_codes, list(types))
            declared = declared_parameters(table, qname, len(params), list(types))
            if types not in majority:
                majority[types] = majority_parameter_names(member_codes, list(types))
            c.code = coherent_parameters(c.code, positions[types], declared[0] if declared else majority[types])
    # where every candidate defines another overload than the description declares (and not a file-local function
    # of the same name), the declared one
    if arities and all(arity_mismatch(c.code, arities) for c in cands):
        for c in cands:
            if not c.code.lstrip().startswith("static"):
                c.code = declared_head(c.code, signatures) or c.code


_MEMBER_CODES: list[tuple[Any, str, list[str]]] = []


def _member_codes(tpl: Any, spelling: str) -> list[str]:
    """The template's training members as code in the new target's spelling, made once per template: every
    candidate, variant and pruned candidate of the function is put into its own names against them."""
    from ..templates import instantiate

    if not _MEMBER_CODES or _MEMBER_CODES[0][0] is not tpl or _MEMBER_CODES[0][1] != spelling:
        codes = [instantiate(tpl, {"statements": m.statements, "values": m.values, "spelling": spelling})
                 for m in tpl.members]
        _MEMBER_CODES[:] = [(tpl, spelling, codes)]
    return _MEMBER_CODES[0][2]


def _parsing_first(tpl: Any, cands: list[_Written], vis: Any = None, table: Any = None,
                   spelling: str = "", roles: Any = None) -> list[_Written]:
    """The candidates, in the target's own names (``_in_own_names``), in their order, those that parse ahead of the
    others, and of those, the ones that name only identifiers declared where the target can see them
    (``visible.Visibility``) ahead of the others. A candidate whose parameters, or whose call of one of the
    description's functions, match no declaration of the description counts as naming something undeclared
    (``name/arity``: another overload). Where no candidate both parses and names only visible things, the best
    ones as another training target wrote the same statements come first (``_revalued``), or where none of those
    is clean either, the best ones without the statements naming the rest (``_pruned``): code naming an undeclared
    identifier cannot compile, so it is emitted only where no way around it was found. A candidate that promises a
    value and has no ``return`` (``returns.falls_off``) ranks below every other that parses, and no pruned variant
    may be one.

    A candidate parses when it is not empty and tree-sitter finds no more errors in it than in the cleanest of the
    training members' own functions (macros such as ``LLVM_EXTERNAL_VISIBILITY`` confuse tree-sitter in real
    code too; an error the members do not have is ours)."""
    from ..templates import instantiate

    _in_own_names(tpl, cands, table, spelling)
    allowed = min((_errors(instantiate(tpl, m)) for m in tpl.members), default=0)
    conventions = vis.conventions(tpl) if vis is not None else set()
    local_names = vis.template_locals(tpl) if vis is not None else set()
    in_scope = vis.in_scope(tpl) if vis is not None and vis.owned else None
    qname = tpl.qname.replace("<T>", spelling)
    # the description's declarations of this name, when one of the candidates defines one of them: a file-local
    # function of the same name with other parameters (RISC-V's static ``createRISCVELFStreamer`` of
    # ``RISCVMCTargetDesc.cpp`` beside the declared one of ``RISCVELFStreamer.cpp``) is not held to them
    own_arities = declared_arities(table, qname) if table is not None else []
    if not any(not arity_mismatch(c.code, own_arities) for c in cands):
        own_arities = []

    legal = legal_types(table) if table is not None else None

    def check(c: _Written) -> None:
        # tree-sitter recovers from an unmatched ``)`` inside a macro-laden function as it does in the members' own
        # code, so the brackets are checked apart: they must pair up (4 of RISC-V's chosen functions did not)
        c.parses = bool(c.code.strip()) and _errors(c.code) <= allowed and bracket_error(extract_body(c.code)) is None
        c.falls_off = c.parses and falls_off(c.code)
        c.undeclared = [*vis.unknown(c.code, conventions, local_names, in_scope),
                        *vis.other_class_members(c.code, tpl)] if vis is not None else []
        if table is not None:  # a signature or a call no declaration of the description takes
            arity = len(parameter_names(c.code.partition("\n")[0]) or [])
            own = [f"{qname}/{arity}"] if arity_mismatch(c.code, own_arities) else []
            calls = mismatched_calls(c.code, callable_arities(_function_arities(table), qname))
            c.undeclared = sorted({*c.undeclared, *own, *calls})
        # a case value twice in one switch does not compile either; reported as ``value/case`` so that pruning
        # drops both cases (``prune.offending_names``)
        c.undeclared = sorted({*c.undeclared, *(f"{v}/case" for v in duplicate_cases(c.code))})
        # a value type the target's registers cannot hold, returned by a hook the legalizer asks (``returns``)
        c.undeclared = sorted({*c.undeclared, *illegal_returned_types(c.code, legal)})

    for c in cands:
        check(c)
    ranked = sorted(cands, key=lambda c: (not c.parses, c.falls_off, bool(c.undeclared)))  # stable: ties keep their order
    if vis is not None and not any(_clean(c) for c in ranked):
        best = [c for c in ranked if c.parses][:_PRUNED]
        ranked = [*(_revalued(tpl, best, check, table, spelling)
                    or _pruned(tpl, best, check, table, spelling, roles)), *ranked]
    if vis is not None and not any(_clean(c) for c in ranked):
        default = _llvm_default(tpl, ranked, vis, spelling, qname)
        if default is not None:
            check(default)
            if _clean(default):
                ranked = [default, *ranked]
    return ranked


def _llvm_default(tpl: Any, ranked: list[_Written], vis: Any, spelling: str, qname: str) -> _Written | None:
    """The hook as a call of the LLVM base class's version (``defaults.llvm_default``), under the head of the
    best candidate whose head the description's declarations take; None where there is none."""
    from .defaults import LLVM_DEFAULT, llvm_default

    for c in ranked:
        if c.parses and not any(u.startswith(f"{qname}/") for u in c.undeclared):
            code = llvm_default(tpl, c.code.partition("\n")[0], spelling, vis)
            return _Written(LLVM_DEFAULT, [], {}, code, 0.0) if code else None
    return None


def _clean(c: "_Written") -> bool:
    """Whether a candidate parses, returns what it promises and names only what the target can see."""
    return c.parses and not c.falls_off and not c.undeclared


def _revalued(tpl: Any, cands: list[_Written], check: Any, table: Any, spelling: str) -> list[_Written]:
    """For each candidate, its statements as each other training target that wrote them wrote them
    (``adapt.Adapted.variants``): the clean ones, in their candidates' order and then by similarity. Used only
    where no candidate is clean (``_parsing_first``), and before pruning: the same statements with other values
    take nothing away from the function."""
    out: list[_Written] = []
    seen = {c.code for c in cands}
    for c in cands:
        for v in (c.variants() if c.variants is not None else []):
            _in_own_names(tpl, [v], table, spelling)
            if v.code in seen:
                continue
            seen.add(v.code)
            check(v)
            if _clean(v):
                out.append(v)
    return out


# how many of a function's best candidates get a variant without their undeclared statements (``_pruned``)
_PRUNED = 3


def _pruned(tpl: Any, cands: list[_Written], check: Any, table: Any, spelling: str,
            roles: Any = None) -> list[_Written]:
    """For each candidate, the same statement set without the statements that name what the target's description
    and LLVM's headers do not declare (``prune.without_statements``), repeated while that leaves another name
    undeclared (a local or parameter the candidate declared in a dropped statement): the variants that parse and
    name only visible things, in their candidates' order. Used only where no candidate does (``_parsing_first``)."""
    from .adapt import respelled
    from .prune import offending_names, without_statements
    from .visible import declared_in, plain_names

    qname = tpl.qname.replace("<T>", spelling).split("::")

    def line(values: dict[str, str]) -> Any:
        def head(st: Any) -> str:
            text = respelled(tpl, _statement_code(st, values, spelling), spelling)
            return own_classes(own_conventions(text, table), table, spelling, qname) if table is not None else text
        return head

    out: list[_Written] = []
    seen = {c.code for c in cands}
    for c in cands:
        cur = c
        own_locals = declared_in(c.code)  # what the whole candidate declares, parsed once for its pruned variants
        for _ in range(3):
            keep = without_statements(tpl, cur.statements, offending_names(cur.undeclared), line(cur.values))
            if keep is None:
                break
            keep = with_bodies(tpl, keep)
            code = _code_of(tpl, keep, cur.values, spelling, roles, donor_of(c.source))
            cur = _Written(f"{c.source}-pruned", keep, cur.values, code, c.confidence)
            _in_own_names(tpl, [cur], table, spelling)
            check(cur)
            # a local or parameter the candidate declared in a statement that went, still used by one that stayed
            # (Mips's ``lowerFRAMEADDR`` without its ``MachineFunction &MF = ...`` line): the check reads LLVM's
            # headers as a bag of words, in which ``MF`` is declared, so only the candidate itself can tell
            lost = plain_names(cur.code) & (own_locals - declared_in(cur.code))
            cur.undeclared = sorted({*cur.undeclared, *lost})
            if not cur.undeclared:
                break
        if cur is not c and _clean(cur) and cur.code not in seen:
            seen.add(cur.code)
            out.append(cur)
    return out


_ARITIES: list[tuple[Any, dict[str, list[tuple[int, float]]]]] = []


def _function_arities(table: Any) -> dict[str, list[tuple[int, float]]]:
    """``parameters.declared_function_arities`` of the table, computed once per generation run."""
    if not _ARITIES or _ARITIES[0][0] is not table:
        _ARITIES[:] = [(table, declared_function_arities(table))]
    return _ARITIES[0][1]


def _errors(code: str) -> int:
    """ERROR and MISSING nodes tree-sitter puts in the code's tree, its preprocessor directives left out
    (``macros.without_directives``)."""
    from .visible import syntax_tree

    n, stack = 0, [syntax_tree(without_directives(code))]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            n += 1
        if node.has_error:
            stack.extend(node.children)
    return n


class _Agg:
    """Exact match and statement accuracy of the model and of the nearest-neighbour copy, per module and overall.

    Every function with ground truth counts for both systems (a function the baseline has no member for is a miss
    for it, not left out), so the two figures share one denominator."""

    def __init__(self) -> None:
        self.by: dict[str, list[float]] = defaultdict(lambda: [0.0] * 7)

    def add(self, module: str, sc: Comparison, nsc: Comparison | None, fconf: float) -> None:
        for key in (module, "all"):
            a = self.by[key]
            a[0] += 1
            a[1] += sc.exact
            a[2] += sc.accurate_statements
            a[3] += sc.truth_statements
            a[4] += bool(nsc and nsc.exact)
            a[5] += nsc.accurate_statements if nsc else 0
            a[6] += sc.exact and fconf > 0.99

    def summary(self) -> dict[str, Any]:
        out = {}
        for k, a in sorted(self.by.items()):
            n, tot = a[0], a[3]
            out[k] = {
                "functions": int(n),
                "exact_match": round(100 * a[1] / n, 1) if n else None,
                "stmt_accuracy": round(100 * a[2] / tot, 1) if tot else None,
                "nn_exact_match": round(100 * a[4] / n, 1) if n else None,
                "nn_stmt_accuracy": round(100 * a[5] / tot, 1) if tot else None,
                "exact_with_confidence_gt_0.99": int(a[6]),
            }
        return out


def _row_of(rows: dict[int, dict[str, Any]], sid: int) -> dict[str, Any] | None:
    return rows.get(sid)


def _member_values(tpl: Any, name: str, cap: int = 16) -> list[str]:
    from collections import Counter

    c = Counter(m.values.get(name, "") for m in tpl.members if name in m.values)
    return [v for v, _ in c.most_common(cap)]


def _split(seq: list[int], tok: Any) -> list[str]:
    parts: list[list[int]] = [[]]
    for x in seq:
        if x == tok.sep:
            parts.append([])
        else:
            parts[-1].append(x)
    return [" ".join(tok.decode(p).split()) for p in parts]


def _statement_code(st: Any, values: dict[str, str], spelling: str) -> str:
    from ..corpus.naming import T

    out = []
    for tok in st.tokens:
        if tok.startswith("<SV") and tok.endswith(">"):
            v = values.get(tok[1:-1], "")
            if v:
                out.append(v.replace(T, spelling))
        else:
            out.append(tok.replace(T, spelling))
    return " ".join(out)


def _group(tpl: Any) -> tuple[str, str]:
    """A template's group as the function set names it: (file stem without the target, qualified name)."""
    return Path(tpl.file).stem.replace("<T>", ""), tpl.qname


def _spelling(table: Any, target: str) -> str:
    """How the new target writes its own name in code: the namespace its description declares, else its folder
    name. Never read from the target's real functions (those are what generation is judged against)."""
    if table is not None and table.namespace:
        return table.namespace
    return target


def _bar(progress: bool, total: int, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="row", disable=not progress, dynamic_ncols=True)
