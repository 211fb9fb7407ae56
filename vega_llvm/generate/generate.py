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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .. import LLVM_VERSION, __version__
from ..errors import ConfigError
from ..evaluate.metrics import Comparison, compare
from ..jsonl import target_rows


@dataclass
class GenerateResult:
    out: Path
    summary: dict[str, Any]


def _infer_rows(path: Path, target: str) -> Iterator[dict[str, Any]]:
    """The target's inference rows of a features file (a held-out target has no others, a new one neither)."""
    return (r for r in target_rows(path, target) if r.get("split") == "infer")


def _features_for(meta: dict[str, Any], target: str | None, td: Path | None, features: Path | None, describe_dir: Path | None) -> tuple[Path, str, Any]:
    """(features folder with infer rows for the target, target folder name, its property table)."""
    from ..describe.properties import PropertyTable
    from ..features.build import build_features
    from ..features.data import table_folder
    from ..paths import cache_root

    ddir = describe_dir or cache_root() / "describe"
    templates = _templates_path(meta)
    table_path: Path | None = None
    if td is not None:
        from ..describe.describe import describe

        table, table_path = describe(Path(td))
        target = table_folder(table)
    assert target is not None
    recorded = Path(meta["features"]["path"])
    candidates = [features] if features else [recorded, cache_root() / "features" / recorded.name]
    for f in candidates:
        man = f / "manifest.json"
        if man.is_file() and target in json.loads(man.read_text()).get("infer_targets", []) and table_path is None:
            return f, target, PropertyTable.load(ddir / f"{target}.json") if (ddir / f"{target}.json").is_file() else None
    out = cache_root() / "features" / f"generate-{target}-{meta['templates']['sha256'][:10]}"
    if not (out / "manifest.json").is_file() or table_path is not None:
        if table_path is not None:
            build_features(templates, out, ddir, [], [table_path])
        else:
            build_features(templates, out, ddir, [target])
    table = PropertyTable.load(table_path) if table_path else PropertyTable.load(ddir / f"{target}.json")
    return out, target, table


def _templates_path(meta: dict[str, Any]) -> Path:
    """The model's templates, else the same folder name under this machine's cache (a shipped checkpoint), else
    rebuilt there from the corpus of the model's training targets (built first if missing).

    The model reads feature-vector text, not template ids, so templates rebuilt from the same corpus serve as well;
    only training targets go in, so a held-out target stays held out."""
    from ..paths import cache_root

    recorded = Path(meta["templates"]["path"])
    for p in (recorded, cache_root() / recorded.name):
        if (p / "templates.jsonl").is_file() or p.is_file():
            return p
    train_targets = sorted(meta.get("train_targets") or [])
    if not train_targets:
        raise ConfigError(
            f"{recorded}: the model's templates are missing; rebuild them with `{meta['templates'].get('rebuild', 'vega-llvm templates')}`"
        )
    from ..corpus.build import ensure_corpus
    from ..templates.build import build_templates

    corpus = ensure_corpus(log=lambda m: print(m, file=sys.stderr))
    out = cache_root() / recorded.name
    print(f"rebuilding the model's templates from its {len(train_targets)} training targets into {out}", file=sys.stderr)
    build_templates(corpus, out, targets=train_targets)
    return out


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
) -> GenerateResult:
    import torch

    from ..paths import cache_root
    from ..templates import instantiate, load_templates
    from ..model.checkpoint import load_checkpoint
    from ..model.data import Example, collate, frame_source
    from .baseline import nearest_member, rank_targets
    from .groundtruth import ground_truth

    if (target is None) == (td is None):
        raise ConfigError("give exactly one of --target NAME or --td FILE")
    if decode not in ("constrained", "free"):
        raise ConfigError(f"--decode {decode!r}: choose constrained or free")
    if threads:
        torch.set_num_threads(threads)
    t0 = time.perf_counter()
    model, tok, meta = load_checkpoint(model_dir)
    fdir, target, table = _features_for(meta, target, td, features, describe_dir)
    if target in meta.get("train_targets", []):
        note = f"{target} was a training target of this model: its scores are not held-out scores"
    else:
        note = ""
    templates = {t.id: t for t in load_templates(_templates_path(meta))}
    rows_by_tpl: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in _infer_rows(fdir / "infer.jsonl", target):
        rows_by_tpl[r["template"]][r["statement"]] = r
    if not rows_by_tpl:
        raise ConfigError(f"{fdir}/infer.jsonl has no rows for {target}")
    tpl_ids = sorted(rows_by_tpl)
    if limit:
        tpl_ids = tpl_ids[:limit]
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

    # 3) slot values of the kept statements with placeholders (deduplicated by input + candidates)
    jobs: dict[tuple[str, str], tuple[list[int], Trie | None, int]] = {}
    row_job: dict[tuple[str, int], tuple[str, str]] = {}
    for t in tpl_ids:
        tpl = templates[t]
        for r in rows_by_tpl[t].values():
            if not r["slots"] or not kept.get((t, r["statement"])):
                continue
            cand_text = []
            for s in r["slots"]:
                # The empty span is a candidate only where a training member left the slot empty: offered
                # everywhere, greedy decoding takes it whenever <sep> outscores the first token of each real value.
                vals = list(dict.fromkeys([*s["values"], *_member_values(tpl, s["name"])])) or [""]
                cand_text.append(vals)
            key = (r["input"], json.dumps(cand_text))
            row_job[(t, r["statement"])] = key
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
    from ..features.data import load_tables

    ranking: list[str] = []
    if table is not None:
        ddir = describe_dir or cache_root() / "describe"
        train_tables = {k: v.table for k, v in load_tables(ddir, set(meta.get("train_targets", [])), describe_missing=False).items()}
        ranking = [n for n, _ in rank_targets(table, train_tables)]
    spelling = _spelling(truth, table, target)
    prov = {
        "model": str(Path(model_dir).resolve()),
        "model_command": meta.get("command"),
        "held_out": meta.get("held_out"),
        "features": str(fdir),
        "templates_sha256": meta["templates"].get("sha256"),
        "llvm_version": LLVM_VERSION,
        "tool_version": __version__,
        "decode": decode,
        "threshold": threshold,
    }
    out = out or cache_root() / "generate" / f"{target}-{Path(model_dir).name}" / "result.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    agg = _Agg()
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
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
            keep_ids = [s["id"] for s in stmts if s["kept"]]
            code = instantiate(tpl, {"statements": keep_ids, "values": values, "spelling": spelling})
            lines = {s.id: _statement_code(s, values, spelling) for s in tpl.statements}
            for s in stmts:
                s["code"] = lines[s["id"]]
            rec: dict[str, Any] = {
                "Target": target,
                "Module": tpl.module,
                "File": tpl.file.replace("<T>", spelling),
                "Func": tpl.qname.replace("<T>", spelling),
                "vega_code": code,
                "ans_code": None,
                "Confidence": round(fconf, 4),
                "template": t,
                "statements": stmts,
            }
            gt = truth.get((tpl.file, tpl.qname))
            if gt is not None:
                sc = compare(code, gt.body, gt.signature)
                rec.update(ans_code=f"{gt.signature}\n{gt.body}", exact_match=sc.exact,
                           stmt_correct=sc.accurate_statements, stmt_total=sc.truth_statements)
                nn = nearest_member(tpl, ranking)
                nsc = None
                if nn is not None:
                    nn_code = instantiate(tpl, {"statements": nn.statements, "values": nn.values, "spelling": spelling})
                    nsc = compare(nn_code, gt.body, gt.signature)
                    rec.update(nn_source=nn.member, nn_exact_match=nsc.exact, nn_stmt_correct=nsc.accurate_statements)
                agg.add(tpl.module, sc, nsc, fconf)
            rec["provenance"] = prov
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(out)
    summary = {
        "target": target,
        "functions": len(tpl_ids),
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


def _spelling(truth: dict[Any, Any], table: Any, target: str) -> str:
    from collections import Counter

    if truth:
        return Counter(r.spelling for r in truth.values()).most_common(1)[0][0]
    if table is not None and table.namespace:
        return table.namespace
    return target


def _bar(progress: bool, total: int, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="row", disable=not progress, dynamic_ncols=True)
