"""features: template statements + property tables -> the feature vectors the model reads (VEGA's FV_k = T_k (+) V_k).

Usage::

    vega-llvm features --templates <templates dir|jsonl> --holdout RISCV --holdout XCore [--table New.json] [--out D]
    vega-llvm value-recall --templates <templates built without holdout> --target RISCV --target XCore

Which property each placeholder and statement depends on is learned from the training targets (``learn``): a
placeholder depends on the property kinds its values come from in the training targets' own descriptions
(``values.ValueIndex``), a statement on the booleans that predict its presence. Outputs in the folder:
``dependencies.jsonl`` (the learned mapping), ``train.jsonl`` (training members, real statements as labels),
``infer.jsonl`` (held-out or new targets, no labels), ``manifest.json``. Row format: see ``vectors``.
"""
