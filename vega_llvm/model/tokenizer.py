"""Our own byte-level BPE tokenizer, trained on the training targets' backend C++ only.

Why our own: no code model's tokenizer can be fetched offline here (MODEL.md), and a byte-level BPE trained on LLVM
code keeps ``::``, ``getKind`` and ``R_<T>_HI20`` whole at ~3 characters a token, which is what makes short sequences
(and so a fast model) possible. ``<T>`` (the target-name placeholder of the corpus and templates) is one special
token, so a template reads the same for every target.

The saved form is the Hugging Face layout (``tokenizer.json`` + ``tokenizer_config.json``), loadable with
``transformers.AutoTokenizer``; a RoBERTa checkpoint's own tokenizer (UniXcoder's) loads through the same ``Tok``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import CheckpointError

SPECIAL = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", "<T>", "<sep>"]
T_TOKEN = "<T>"
SEP_TOKEN = "<sep>"  # between slot values in the decoder's output


def abstract_code(text: str, spellings: Iterable[str]) -> str:
    """Spell a training function's own target name as ``<T>`` (``RISCV::ADDI`` -> ``<T>::ADDI``), as templates do."""
    for s in sorted({s for s in spellings if s}, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(s)}|{re.escape(s)}(?=[A-Z_:])", T_TOKEN, text)
    return text


def train_bpe(texts: Iterable[str], vocab_size: int) -> Any:
    """Train a byte-level BPE (``tokenizers``) and wrap it as a ``PreTrainedTokenizerFast``; deterministic."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        sep_token="</s>",
        cls_token="<s>",
        additional_special_tokens=[T_TOKEN, SEP_TOKEN],
    )


@dataclass
class Tok:
    """The few operations the model needs, over any HF fast tokenizer (ours or a RoBERTa checkpoint's)."""

    hf: Any

    @property
    def bos(self) -> int:
        return int(self.hf.convert_tokens_to_ids("<s>"))

    @property
    def eos(self) -> int:
        return int(self.hf.convert_tokens_to_ids("</s>"))

    @property
    def pad(self) -> int:
        return int(self.hf.convert_tokens_to_ids("<pad>"))

    @property
    def mask(self) -> int:
        return int(self.hf.convert_tokens_to_ids("<mask>"))

    @property
    def sep(self) -> int:
        return int(self.hf.convert_tokens_to_ids(SEP_TOKEN))

    def __len__(self) -> int:
        return len(self.hf)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Token ids without special tokens (the model adds its own framing)."""
        if not texts:
            return []
        return [e.ids for e in self.hf.backend_tokenizer.encode_batch(texts, add_special_tokens=False)]

    def decode(self, ids: list[int]) -> str:
        return self.hf.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)

    def save(self, path: Path) -> None:
        self.hf.save_pretrained(str(path))

    @classmethod
    def load(cls, path: str | Path) -> "Tok":
        from transformers import AutoTokenizer

        try:
            hf = AutoTokenizer.from_pretrained(str(path))
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"{path}: tokenizer cannot be loaded ({str(exc).splitlines()[0]})") from None
        if not getattr(hf, "is_fast", False):
            raise CheckpointError(f"{path}: tokenizer is not a fast (tokenizers) tokenizer")
        missing = [t for t in (T_TOKEN, SEP_TOKEN) if t not in hf.get_vocab()]
        if missing:  # a RoBERTa checkpoint's own tokenizer: add ours (the model's embeddings are resized to match)
            hf.add_special_tokens({"additional_special_tokens": missing})
        return cls(hf)


def training_texts(records: Iterable[Any], train_targets: set[str], limit: int = 0) -> Iterator[str]:
    """Signature + body of every training-target function, target name abstracted; held-out code never passes."""
    n = 0
    for r in records:
        if r.target not in train_targets:
            continue
        yield abstract_code(f"{r.signature} {r.body}", {r.spelling, r.target})
        n += 1
        if limit and n >= limit:
            return
