"""Configuration dataclasses for the model stage, with presets and dotted overrides that reject unknown keys.

Why dataclasses and not free dicts: every run writes the resolved configuration into its checkpoint's metadata, and a
checkpoint must be rebuilt exactly from it (``TrainConfig.from_dict``); a typo in an override must fail loudly rather
than silently train the default.

Presets (``PRESETS``):

- ``tiny``: 2 layers, 64 wide, a 2k vocabulary; the tests train it for a few steps in seconds.
- ``default``: the offline default shipped in ``checkpoints/default``: 2 layers, 128 wide, 8k vocabulary, source 128 /
  target 24 tokens (the speed MODEL.md measured on the 2-core machine: ~124 training examples/s at 128+32).
- ``unixcoder``: UniXcoder size (12 layers, 768 hidden, 12 heads); for a GPU (``benchmarks/gpu_unixcoder.sh``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..errors import ConfigError


@dataclass
class ModelConfig:
    """Architecture of the shared-weight encoder-decoder (a RoBERTa encoder stack used with a prefix/causal mask)."""

    layers: int = 2
    hidden: int = 128
    heads: int = 4
    intermediate: int = 512
    vocab_size: int = 8000  # our own tokenizer's size; ignored when loading a pre-trained checkpoint
    max_source: int = 128  # tokens of the feature vector the model reads
    max_target: int = 24  # tokens it writes (slot values, not whole statements)
    dropout: float = 0.1
    init_from: str = ""  # a RoBERTa checkpoint (Hub id or local path), e.g. microsoft/unixcoder-base-nine


@dataclass
class PretrainConfig:
    """Denoising pre-training on the training targets' backend C++ (span corruption in the seq2seq layout)."""

    steps: int = 1500
    batch_size: int = 32
    lr: float = 1e-3
    warmup: int = 100
    mask_ratio: float = 0.15
    mean_span: float = 3.0
    max_functions: int = 0  # 0 = every training-target function of the corpus


@dataclass
class FinetuneConfig:
    """Fine-tuning on the feature vectors: confidence (MSE on presence) + tokens (CE on the slot values)."""

    steps: int = 5000
    batch_size: int = 32
    lr: float = 1e-3
    warmup: int = 100
    w_mse: float = 0.9  # VEGA's weights
    w_ce: float = 0.1
    max_rows: int = 0  # 0 = all (deduplicated) training rows
    min_targets: int = 2  # templates implemented by fewer training targets carry no cross-target signal


@dataclass
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    seed: int = 0
    # torch intra-op threads. 1 by default: on the shared 2-core machine, 2 OpenMP threads that lose their core to
    # other jobs spin-wait and run 10-20x slower (measured: 187 vs 9 examples/s); 0 = torch's default (GPU runs).
    threads: int = 1
    bf16: bool = True  # autocast on CPU (native bf16 here) or GPU
    save_every: int = 250  # steps between resumable checkpoints
    tokenizer_functions: int = 0  # corpus functions used to train the BPE (0 = all training-target functions)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TrainConfig":
        cfg = cls()
        for k, v in _flatten(d).items():
            set_override(cfg, k, v, parse=False)
        return cfg


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def tiny() -> TrainConfig:
    """A model the tests can train in seconds: the whole pipeline at toy size."""
    return TrainConfig(
        model=ModelConfig(layers=2, hidden=64, heads=2, intermediate=128, vocab_size=2000, max_source=96, max_target=16),
        pretrain=PretrainConfig(steps=20, batch_size=8, lr=3e-3, warmup=2, max_functions=400),
        finetune=FinetuneConfig(steps=40, batch_size=8, lr=3e-3, warmup=2, max_rows=2000),
        save_every=10,
        tokenizer_functions=400,
    )


def default() -> TrainConfig:
    """The shipped offline default, sized from measurements on the 2-core machine (docs/BENCHMARKS.md)."""
    return TrainConfig()


def unixcoder() -> TrainConfig:
    """UniXcoder size (12 x 768): for one GPU; ``model.init_from`` may name the real checkpoint."""
    return TrainConfig(
        model=ModelConfig(layers=12, hidden=768, heads=12, intermediate=3072, vocab_size=16000, max_source=256, max_target=32),
        pretrain=PretrainConfig(steps=4000, batch_size=64, lr=3e-4, warmup=300),
        finetune=FinetuneConfig(steps=6000, batch_size=64, lr=6e-5, warmup=300),
        save_every=1000,
        threads=0,
    )


PRESETS = {"tiny": tiny, "default": default, "unixcoder": unixcoder}


def preset(name: str) -> TrainConfig:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
    return PRESETS[name]()


def _coerce(value: str, typ: type) -> Any:
    if typ is bool:
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(value)
    return typ(value)


def set_override(cfg: TrainConfig, key: str, value: Any, parse: bool = True) -> None:
    """Set ``section.field`` (or a top-level field) on ``cfg``; unknown keys and values of the wrong type raise."""
    obj: Any = cfg
    parts = key.split(".")
    for p in parts[:-1]:
        if not dataclasses.is_dataclass(obj) or p not in {f.name for f in fields(obj)}:
            raise ConfigError(f"unknown setting {key!r}: sections are model, pretrain, finetune")
        obj = getattr(obj, p)
    types = {f.name: f.type for f in fields(obj)} if dataclasses.is_dataclass(obj) else {}
    name = parts[-1]
    if name not in types or dataclasses.is_dataclass(getattr(obj, name)):
        known = ", ".join(sorted(types))
        raise ConfigError(f"unknown setting {key!r}: known here: {known}")
    typ = type(getattr(obj, name))
    try:
        val = _coerce(str(value), typ) if parse else (typ(value) if typ is float and isinstance(value, int) else value)
    except ValueError:
        raise ConfigError(f"setting {key}={value!r}: expected {typ.__name__}") from None
    if not isinstance(val, typ):
        raise ConfigError(f"setting {key}={value!r}: expected {typ.__name__}")
    setattr(obj, name, val)


def apply_overrides(cfg: TrainConfig, overrides: list[str]) -> TrainConfig:
    """Apply ``key=value`` strings (``model.layers=4``)."""
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r}: expected key=value, e.g. model.layers=4")
        k, v = item.split("=", 1)
        set_override(cfg, k.strip(), v.strip())
    return cfg
