"""False alarms of generation's identifier check on a held-out target's real functions (docs/RESULTS.md).

    .venv/bin/python benchmarks/visibility_false_alarms.py TARGET TEMPLATES_DIR
    .venv/bin/python benchmarks/visibility_false_alarms.py XCore ~/.cache/vega-llvm/templates-holdout-RISCV-XCore

Each real function of TARGET that has a template group (its first definition, read from the corpus only to measure
the check) goes through ``visible.Visibility.unknown`` as generation calls it, with and without the class-scope rule
(``in_scope``: names LLVM's headers declare only inside a class, a parameter list or a body), then through
``Visibility.other_class_members`` (a name the description declares only in another of the target's classes). A real function flagged
is a false alarm: it compiles in its backend. Prints the functions the class-scope rule adds and the counts.
"""

from __future__ import annotations

import sys


def main() -> int:
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.generate import _visibility
    from vega_llvm.generate.groundtruth import ground_truth
    from vega_llvm.paths import cache_root

    from heldout_templates import held_out_templates

    args = held_out_templates(sys.argv, __doc__ or "")
    if args is None:
        return 2
    target, _tdir, templates = args
    table = PropertyTable.load(cache_root() / "describe" / f"{target}.json")
    spelling = table.namespace or target
    truth = ground_truth(cache_root() / "corpus", target)
    from vega_llvm.describe.describe import describe_dir
    from vega_llvm.features.data import load_tables

    donors = {m.target for t in templates for m in t.members}
    tables = {k: v.table for k, v in load_tables(describe_dir(), donors, describe_missing=False).items()}
    vis = _visibility(table, spelling, [t.qname for t in templates], None, templates, tables)
    n = before = after = with_members = 0
    for t in templates:
        gt = truth.get((t.file, t.qname))
        if gt is None:
            continue
        code = f"{gt.signature}\n{gt.body}"
        conventions, local_names = vis.conventions(t), vis.template_locals(t)
        base = set(vis.unknown(code, conventions, local_names))
        full = set(vis.unknown(code, conventions, local_names, vis.in_scope(t)))
        members = set(vis.other_class_members(code, t))
        n += 1
        before += bool(base)
        after += bool(full)
        with_members += bool(full | members)
        if full - base:
            print(f"{t.qname}: {', '.join(sorted(full - base))}")
        if members - full:
            print(f"{t.qname}: other classes' members {', '.join(sorted(members - full))}")
    print(f"{target}: {n} real functions; flagged without the class-scope rule {before}, with it {after} "
          f"(added {after - before}), with the other-class-member rule too {with_members} "
          f"(added {with_members - after})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
