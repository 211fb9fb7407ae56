"""How often a held-out target's real parameter names are the nearest training target's, or the majority's
(docs/RESULTS.md, ``parameters.majority_parameter_names``).

    .venv/bin/python benchmarks/parameter_names.py TARGET TEMPLATES_DIR
    .venv/bin/python benchmarks/parameter_names.py XCore ~/.cache/vega-llvm/templates-holdout-RISCV-XCore

Over TARGET's real functions (first definitions, read from the corpus only to measure) that have a template group
and that its description's headers do not declare: the training versions with the real function's parameter types
(all versions of its arity where none has them), the nearest training target's names (by description,
``baseline.rank_targets``) and, at each position, the most common name. Prints functions and parameters named right.
"""

from __future__ import annotations

import sys
from collections import Counter


def main() -> int:
    from vega_llvm.describe.describe import describe_dir
    from vega_llvm.features.data import load_tables
    from vega_llvm.generate.baseline import rank_targets
    from vega_llvm.generate.groundtruth import ground_truth
    from vega_llvm.generate.parameters import parameters
    from vega_llvm.paths import cache_root
    from vega_llvm.templates import instantiate

    from heldout_templates import held_out_templates

    args = held_out_templates(sys.argv, __doc__ or "")
    if args is None:
        return 2
    target, _tdir, templates = args
    train = {m.target for t in templates for m in t.members}
    tables = {k: v.table for k, v in load_tables(describe_dir(), train | {target}, describe_missing=False).items()}
    mine = tables[target]
    ranking = [n for n, _ in rank_targets(mine, {k: v for k, v in tables.items() if k != target})]
    declared = {q.rpartition("::")[2] for k in ("decl.method", "decl.function") for q in mine.values.get(k, [])}
    spelling = mine.namespace or target
    truth = ground_truth(cache_root() / "corpus", target)
    count: Counter[str] = Counter()
    for t in templates:
        gt = truth.get((t.file, t.qname))
        real = parameters(gt.signature) if gt is not None else None
        if not real or t.qname.rpartition("::")[2].replace("<T>", spelling) in declared:
            continue
        types, names = tuple(x for x, _ in real), [n for _, n in real]
        versions = []
        for m in t.members:
            p = parameters(instantiate(t, m).partition("\n")[0])
            if p and len(p) == len(real):
                versions.append((m.target, tuple(x for x, _ in p), [n for _, n in p]))
        if not versions:
            continue
        same = [v for v in versions if v[1] == types] or versions
        nearest = min(same, key=lambda v: ranking.index(v[0]) if v[0] in ranking else len(ranking))[2]
        majority = [Counter(v[2][i] for v in same).most_common(1)[0][0] for i in range(len(real))]
        count["functions"] += 1
        count["parameters"] += len(names)
        count["nearest, function"] += nearest == names
        count["majority, function"] += majority == names
        count["nearest, parameter"] += sum(a == b for a, b in zip(nearest, names))
        count["majority, parameter"] += sum(a == b for a, b in zip(majority, names))
    print(f"{target}: " + ", ".join(f"{k} {v}" for k, v in count.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
