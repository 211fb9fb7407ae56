"""CodeBE in UniXcoder's manner: one RoBERTa stack that is both encoder and decoder, plus a confidence head.

Why shared weights: UniXcoder (and VEGA's CodeBE on top of it) runs encoder and decoder through the *same*
``RobertaModel``; only the attention mask differs. The sequence is ``[source ; decoder input]``:

- source tokens attend to every (non-pad) source token (bidirectional: the "prefix"),
- decoder tokens attend to the whole source and causally to the decoder tokens before them,
- nothing in the source attends to the decoder.

We pass that mask as a ready 4D additive mask, and position ids explicitly (decoder positions continue right after each
row's real source length), so right-padded sources work and generation can reuse the source's key/value cache
(``config.is_decoder = True`` makes ``RobertaModel`` keep one). The LM head is tied to the word embeddings, as in
UniXcoder; the confidence head reads the ``<s>`` state of the source.

Loss (VEGA): ``w_mse * MSE(sigmoid(confidence), present) + w_ce * CE(tokens)``, defaults 0.9 / 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from transformers import RobertaConfig, RobertaModel
from transformers.models.roberta.modeling_roberta import RobertaPreTrainedModel


def _cache_kw() -> str:
    """transformers 5.x renamed ``past_key_values`` to ``cache`` (the old name now warns): use what is installed."""
    import inspect

    return "cache" if "cache" in inspect.signature(RobertaModel.forward).parameters else "past_key_values"


_CACHE = _cache_kw()


def _cache_of(out: Any) -> Any:
    return getattr(out, _CACHE, None)


class VegaConfig(RobertaConfig):
    """``RobertaConfig`` plus what the seq2seq wrapper needs (saved in ``config.json``)."""

    model_type = "vega-codebe"

    def __init__(
        self,
        w_mse: float = 0.9,
        w_ce: float = 0.1,
        max_source: int = 128,
        max_target: int = 24,
        decoder_start_token_id: int = 4,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("is_decoder", True)  # keeps a key/value cache; the mask itself is ours
        super().__init__(**kwargs)
        self.w_mse = w_mse
        self.w_ce = w_ce
        self.max_source = max_source
        self.max_target = max_target
        self.decoder_start_token_id = decoder_start_token_id


@dataclass
class Seq2SeqOutput:
    loss: torch.Tensor | None
    confidence: torch.Tensor  # (B,) in [0, 1]
    logits: torch.Tensor | None  # (B, L, V) over the decoder positions
    mse: torch.Tensor | None = None
    ce: torch.Tensor | None = None


def _neg(dtype: torch.dtype) -> float:
    return torch.finfo(dtype).min


class VegaModel(RobertaPreTrainedModel):
    """Shared-weight encoder-decoder with a confidence head (see the module docstring)."""

    config_class = VegaConfig

    def __init__(self, config: VegaConfig) -> None:
        super().__init__(config)
        self.roberta = RobertaModel(config, add_pooling_layer=False)
        h = config.hidden_size
        self.lm_dense = nn.Linear(h, h)
        self.lm_norm = nn.LayerNorm(h, eps=config.layer_norm_eps)
        self.lm_bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.conf_head = nn.Sequential(nn.Linear(h, h), nn.Tanh(), nn.Dropout(config.hidden_dropout_prob), nn.Linear(h, 1))
        self.post_init()

    # -- layout -------------------------------------------------------------------------------------------------
    def _positions(self, source_mask: torch.Tensor, dec_len: int, start: int = 0, with_source: bool = True) -> torch.Tensor:
        pad = self.config.pad_token_id
        src_pos = torch.where(source_mask.bool(), torch.cumsum(source_mask, 1) + pad, torch.full_like(source_mask, pad))
        if dec_len == 0:
            return src_pos
        lens = source_mask.sum(1, keepdim=True)
        dec = lens + pad + 1 + start + torch.arange(dec_len, device=source_mask.device).unsqueeze(0)
        return torch.cat([src_pos, dec], 1) if with_source else dec

    def _mask(self, source_mask: torch.Tensor, dec_len: int, dtype: torch.dtype) -> torch.Tensor:
        """Additive (B, 1, S+L, S+L) mask: bidirectional source prefix, causal decoder."""
        b, s = source_mask.shape
        n = s + dec_len
        dev = source_mask.device
        allowed = source_mask.bool()[:, None, :].expand(b, n, s)  # every query sees the real source tokens
        if dec_len:
            causal = torch.ones(dec_len, dec_len, dtype=torch.bool, device=dev).tril()
            dec_keys = torch.zeros(b, n, dec_len, dtype=torch.bool, device=dev)
            dec_keys[:, s:, :] = causal
            allowed = torch.cat([allowed, dec_keys], 2)
        mask = torch.zeros(b, 1, n, n, dtype=dtype, device=dev)
        return mask.masked_fill(~allowed[:, None], _neg(dtype))

    def _lm(self, hidden: torch.Tensor) -> torch.Tensor:
        x = self.lm_norm(F.gelu(self.lm_dense(hidden)))
        return F.linear(x, self.roberta.embeddings.word_embeddings.weight, self.lm_bias)

    def _confidence(self, hidden: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.conf_head(hidden[:, 0]).squeeze(-1).float())

    # -- training -----------------------------------------------------------------------------------------------
    def forward(
        self,
        source_ids: torch.Tensor,
        source_mask: torch.Tensor,
        target_ids: torch.Tensor | None = None,
        present: torch.Tensor | None = None,
    ) -> Seq2SeqOutput:
        """Teacher-forced pass. ``target_ids`` (B, L): the tokens to produce, pad = ``pad_token_id`` (no loss there);
        ``present`` (B,): confidence targets. Either may be omitted (pre-training has no confidence target)."""
        cfg = self.config
        dec_len = 0 if target_ids is None else target_ids.shape[1]
        ids = source_ids
        if dec_len:
            start = torch.full_like(target_ids[:, :1], cfg.decoder_start_token_id)
            dec_in = torch.cat([start, target_ids[:, :-1]], 1)
            dec_in = dec_in.masked_fill(dec_in == cfg.pad_token_id, cfg.decoder_start_token_id)  # inert, masked below
            ids = torch.cat([source_ids, dec_in], 1)
        dtype = self.roberta.embeddings.word_embeddings.weight.dtype
        out = self.roberta(
            input_ids=ids,
            token_type_ids=torch.zeros_like(ids),
            attention_mask=self._mask(source_mask, dec_len, dtype),
            position_ids=self._positions(source_mask, dec_len),
            use_cache=False,
        )
        hidden = out.last_hidden_state
        conf = self._confidence(hidden)
        logits = None
        ce = mse = None
        loss = None
        parts = []
        if dec_len:
            logits = self._lm(hidden[:, source_ids.shape[1] :])
            labels = target_ids.masked_fill(target_ids == cfg.pad_token_id, -100)
            if (labels != -100).any():
                ce = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
                parts.append(cfg.w_ce * ce if present is not None else ce)
        if present is not None:
            mse = F.mse_loss(conf, present.float())
            parts.append(cfg.w_mse * mse)
        if parts:
            loss = sum(parts[1:], parts[0])
        return Seq2SeqOutput(loss=loss, confidence=conf, logits=logits, mse=mse, ce=ce)

    # -- inference ----------------------------------------------------------------------------------------------
    @torch.no_grad()
    def confidence(self, source_ids: torch.Tensor, source_mask: torch.Tensor) -> torch.Tensor:
        return self.forward(source_ids, source_mask).confidence

    @torch.no_grad()
    def generate(
        self,
        source_ids: torch.Tensor,
        source_mask: torch.Tensor,
        max_len: int,
        eos_id: int,
        allowed: Any = None,
    ) -> tuple[torch.Tensor, list[list[int]]]:
        """Greedy decoding with the source's key/value cache. Returns (confidence, token ids per row, eos cut).

        ``allowed(row, prefix) -> list[int] | None`` constrains each step to some token ids (a trie over the target's
        candidate values); ``None`` leaves the step free.
        """
        cfg = self.config
        dtype = self.roberta.embeddings.word_embeddings.weight.dtype
        b, s = source_ids.shape
        out = self.roberta(
            input_ids=source_ids,
            token_type_ids=torch.zeros_like(source_ids),
            attention_mask=self._mask(source_mask, 0, dtype),
            position_ids=self._positions(source_mask, 0),
            use_cache=True,
        )
        conf = self._confidence(out.last_hidden_state)
        cache = _cache_of(out)
        key_ok = source_mask.bool()
        tok = torch.full((b, 1), cfg.decoder_start_token_id, dtype=torch.long, device=source_ids.device)
        seqs: list[list[int]] = [[] for _ in range(b)]
        done = [False] * b
        for t in range(max_len):
            key_ok = torch.cat([key_ok, torch.ones(b, 1, dtype=torch.bool, device=key_ok.device)], 1)
            mask = torch.zeros(b, 1, 1, key_ok.shape[1], dtype=dtype, device=key_ok.device).masked_fill(
                ~key_ok[:, None, None, :], _neg(dtype)
            )
            step = self.roberta(
                input_ids=tok,
                token_type_ids=torch.zeros_like(tok),
                attention_mask=mask,
                position_ids=self._positions(source_mask, 1, start=t, with_source=False),
                use_cache=True,
                **{_CACHE: cache},
            )
            cache = _cache_of(step)
            logits = self._lm(step.last_hidden_state[:, -1]).float()
            nxt = []
            for i in range(b):
                if done[i]:
                    nxt.append(eos_id)
                    continue
                choices = allowed(i, seqs[i]) if allowed is not None else None
                if choices:
                    row = logits[i, choices]
                    k = choices[int(torch.argmax(row))]
                else:
                    k = int(torch.argmax(logits[i]))
                nxt.append(k)
                if k == eos_id:
                    done[i] = True
                else:
                    seqs[i].append(k)
            if all(done):
                break
            tok = torch.tensor(nxt, dtype=torch.long, device=source_ids.device).unsqueeze(1)
        return conf, seqs


def new_model(vocab_size: int, mc: Any, pad_id: int, bos_id: int, eos_id: int, start_id: int) -> VegaModel:
    """A freshly initialised model of ``ModelConfig`` size for our own tokenizer."""
    cfg = VegaConfig(
        vocab_size=vocab_size,
        hidden_size=mc.hidden,
        num_hidden_layers=mc.layers,
        num_attention_heads=mc.heads,
        intermediate_size=mc.intermediate,
        hidden_dropout_prob=mc.dropout,
        attention_probs_dropout_prob=mc.dropout,
        max_position_embeddings=mc.max_source + max(mc.max_target, 64) + 4,  # room for long constrained values
        type_vocab_size=1,
        pad_token_id=pad_id,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        decoder_start_token_id=start_id,
        max_source=mc.max_source,
        max_target=mc.max_target,
    )
    return VegaModel(cfg)


def from_roberta(path: str, tok_len: int, mc: Any, start_id: int) -> VegaModel:
    """Wrap a RoBERTa checkpoint (``microsoft/unixcoder-base-nine`` or a local copy) as our model."""
    from ..errors import CheckpointError

    try:
        base = RobertaModel.from_pretrained(path, add_pooling_layer=False)
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a loadable RoBERTa checkpoint ({str(exc).splitlines()[0]})") from None
    d = base.config.to_dict()
    for k in ("model_type", "architectures", "transformers_version", "is_decoder"):
        d.pop(k, None)
    cfg = VegaConfig(max_source=mc.max_source, max_target=mc.max_target, decoder_start_token_id=start_id, **d)
    model = VegaModel(cfg)
    missing = model.roberta.load_state_dict(base.state_dict(), strict=False)
    if missing.unexpected_keys:
        raise CheckpointError(f"{path}: unexpected weights {missing.unexpected_keys[:3]}")
    if tok_len != cfg.vocab_size:
        model.resize_token_embeddings(tok_len)
        model.lm_bias = nn.Parameter(torch.zeros(tok_len))
        model.config.vocab_size = tok_len
    return model
