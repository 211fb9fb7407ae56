"""generate: a model + a target's feature vectors -> every template function, statements with confidences.

Usage::

    vega-llvm generate --target RISCV --model checkpoints/default      # a backend of the fetched LLVM
    vega-llvm generate --td path/to/Foo/Foo.td --model checkpoints/default   # a new target

Writes ``result.jsonl`` (VEGA's fields + per-statement confidences + provenance) and ``summary.json`` (exact match and
statement accuracy against the corpus when the target is in it, next to the nearest-neighbour baseline). See
``generate.generate`` for the algorithm and the row format.
"""
