"""model: CodeBE in UniXcoder's manner (one RoBERTa stack as encoder and decoder, plus a confidence head).

Usage::

    vega-llvm train --holdout RISCV --holdout XCore --out checkpoints/default     # tokenizer, pre-train, fine-tune
    vega-llvm train ... --preset unixcoder --init-from microsoft/unixcoder-base-nine   # GPU, real UniXcoder
    vega-llvm model-info checkpoints/default

Modules: ``config`` (dataclass presets ``tiny``/``default``/``unixcoder``, dotted ``--set`` overrides),
``tokenizer`` (our byte-level BPE, training targets only), ``modeling`` (``VegaModel``: prefix/causal mask, key/value
cache generation, loss ``w_mse * MSE + w_ce * CE``), ``data`` (examples), ``pretrain`` (span denoising on backend C++),
``finetune`` (feature vectors), ``loop`` (seeded, resumable accelerate loop), ``checkpoint`` (``save_pretrained``
layout + tokenizer + ``vega_meta.json``; ``CheckpointError`` on anything wrong), ``train`` (the whole run).
"""
