"""model + generate: a tiny configuration trained on real corpus and feature data of four small LLVM backends
(Lanai, MSP430, ARC for training; XCore held out), save/load, deterministic generation, checkpoint errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from vega_llvm.paths import llvm_src_root

pytestmark = [
    pytest.mark.llvm,
    pytest.mark.skipif(
        llvm_src_root(required=False) is None,
        reason="llvm-project sources absent: run `vega-llvm llvm fetch` (CI has them)",
    ),
]

TRAIN = ("Lanai", "MSP430", "ARC")
HELD_OUT = "XCore"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real pipeline at small scale: corpus -> templates (XCore held out) -> describe -> features."""
    from vega_llvm.cli import main
    from vega_llvm.describe.describe import describe

    root = tmp_path_factory.mktemp("vega-model")
    mp = pytest.MonkeyPatch()
    mp.setenv("VEGA_LLVM_SRC", str(llvm_src_root()))
    mp.setenv("VEGA_LLVM_CACHE", str(root))
    targets = [*TRAIN, HELD_OUT]
    args = ["corpus", "--quiet", "--out", str(root / "corpus")]
    for t in targets:
        args += ["--target", t]
    assert main(args) == 0
    assert main(["templates", "--quiet", "--corpus", str(root / "corpus"), "--holdout", HELD_OUT, "--out", str(root / "templates")]) == 0
    tdir = llvm_src_root() / "llvm" / "lib" / "Target"  # type: ignore[operator]
    for t in targets:
        describe(tdir / t / f"{t}.td")
    assert main(["features", "--templates", str(root / "templates"), "--holdout", HELD_OUT, "--out", str(root / "features")]) == 0
    yield {"root": root, "corpus": root / "corpus", "features": root / "features"}
    mp.undo()


@pytest.fixture(scope="module")
def trained(env: dict[str, Path]) -> dict[str, object]:
    from vega_llvm.model.config import tiny
    from vega_llvm.model.train import run_train

    cfg = tiny()
    out = env["root"] / "ckpt"
    res = run_train(cfg, env["features"], env["corpus"], out, env["root"] / "work", progress=False, command="test")
    return {"out": out, "meta": res.meta, "cfg": cfg}


def _fixed_batch(env: dict[str, Path], tok, cfg):  # type: ignore[no-untyped-def]
    from vega_llvm.model.data import collate, finetune_examples, member_values, read_rows
    from vega_llvm.templates import load_templates

    tpls = load_templates(env["root"] / "templates")
    ex = finetune_examples(
        read_rows(env["features"] / "train.jsonl"), member_values(tpls), tok, cfg.model.max_source, cfg.model.max_target, set(TRAIN)
    )
    slotted = [e for e in ex if e.target][:16]
    return collate(slotted + [e for e in ex if not e.target][:16], tok.pad)


def test_tiny_model_learns_on_real_features(env: dict[str, Path], trained: dict[str, object]) -> None:
    import torch

    from vega_llvm.model.checkpoint import load_checkpoint
    from vega_llvm.model.modeling import new_model

    model, tok, meta = load_checkpoint(trained["out"])  # type: ignore[arg-type]
    cfg = trained["cfg"]
    batch = _fixed_batch(env, tok, cfg)
    torch.manual_seed(0)
    fresh = new_model(len(tok), cfg.model, tok.pad, tok.bos, tok.eos, tok.mask).eval()  # type: ignore[attr-defined]
    with torch.no_grad():
        before = float(fresh(**batch).loss)
        after = float(model(**batch).loss)
    assert after < 0.8 * before, (before, after)
    # provenance: held-out target, training targets, LLVM version, the command
    assert meta["held_out"] == [HELD_OUT] and HELD_OUT not in meta["train_targets"]
    assert meta["llvm_version"] == "16.0.6" and meta["command"] == "test"
    assert meta["phases"]["pretrain"]["steps"] == cfg.pretrain.steps  # type: ignore[attr-defined]


def _identifiers(text: str) -> set[str]:
    import re

    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]{5,}", text))


def test_held_out_target_never_reaches_the_tokenizer(env: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the BPE trainer nor pre-training sees held-out code. Every training function is used (no limit: the
    tiny preset's 400 could stop before XCore's rows whatever the filter does), and what they receive is checked
    against the corpus file itself: as many texts as it has training-target rows, none with an identifier that only
    XCore's code has."""
    from vega_llvm.model import pretrain as pretrain_module
    from vega_llvm.model import tokenizer
    from vega_llvm.model.config import apply_overrides, tiny
    from vega_llvm.model.train import run_train

    class Stop(Exception):
        pass

    seen: dict[str, list[str]] = {}
    real_bpe = tokenizer.train_bpe

    def bpe(texts, vocab_size):  # type: ignore[no-untyped-def]
        seen["tokenizer"] = list(texts)
        return real_bpe(seen["tokenizer"], vocab_size)

    def pretrain(model, function_ids, tok, cfg, work, progress=True):  # type: ignore[no-untyped-def]
        seen["pretrain"] = [tok.decode(ids) for ids in function_ids]
        raise Stop  # what fine-tuning reads is the features' train.jsonl, checked in test_features

    monkeypatch.setattr(tokenizer, "train_bpe", bpe)
    monkeypatch.setattr(pretrain_module, "pretrain", pretrain)
    cfg = apply_overrides(tiny(), ["tokenizer_functions=0", "pretrain.max_functions=0"])
    with pytest.raises(Stop):
        run_train(cfg, env["features"], env["corpus"], tmp_path / "ckpt", tmp_path / "work", progress=False)

    rows = [json.loads(line) for line in (env["corpus"] / "functions.jsonl").read_text().splitlines() if line.strip()]
    assert {r["target"] for r in rows} == {*TRAIN, HELD_OUT}
    train_ids = set().union(*(_identifiers(r["signature"] + r["body"]) for r in rows if r["target"] in TRAIN))
    held_only = {i for r in rows if r["target"] == HELD_OUT for i in _identifiers(r["signature"] + r["body"])
                 if i not in train_ids and "xcore" not in i.lower()}
    assert len(held_only) > 50  # e.g. XCore's instruction names: what a leak would bring in
    for phase in ("tokenizer", "pretrain"):
        texts = seen[phase]
        assert len(texts) == sum(r["target"] in TRAIN for r in rows), phase
        leaked = held_only & set().union(*map(_identifiers, texts))
        assert not leaked, (phase, sorted(leaked)[:10])


def test_save_load_round_trip_gives_identical_outputs(env: dict[str, Path], trained: dict[str, object], tmp_path: Path) -> None:
    import torch

    from vega_llvm.model.checkpoint import load_checkpoint, save_checkpoint

    model, tok, meta = load_checkpoint(trained["out"])  # type: ignore[arg-type]
    batch = _fixed_batch(env, tok, trained["cfg"])
    save_checkpoint(tmp_path / "copy", model, tok, {k: v for k, v in meta.items() if k not in ("format", "saved")})
    again, tok2, _ = load_checkpoint(tmp_path / "copy")
    assert tok2.encode_batch(["case <T> :: fixup_32 :"]) == tok.encode_batch(["case <T> :: fixup_32 :"])
    with torch.no_grad():
        a, b = model(**batch), again(**batch)
    assert torch.equal(a.confidence, b.confidence) and torch.equal(a.logits, b.logits)


def test_resume_picks_up_the_finished_state(env: dict[str, Path], trained: dict[str, object]) -> None:
    from vega_llvm.model.train import run_train

    res = run_train(trained["cfg"], env["features"], env["corpus"], env["root"] / "ckpt2", env["root"] / "work", progress=False)  # type: ignore[arg-type]
    for phase in ("pretrain", "finetune"):
        assert res.meta["phases"][phase]["resumed_from"] == res.meta["phases"][phase]["steps"]


def test_generation_is_deterministic_and_scored(env: dict[str, Path], trained: dict[str, object], tmp_path: Path) -> None:
    from vega_llvm.generate.generate import generate

    outs = []
    for i in range(2):
        res = generate(trained["out"], target=HELD_OUT, out=tmp_path / f"r{i}" / "result.jsonl", corpus=env["corpus"], progress=False)  # type: ignore[arg-type]
        rows = [json.loads(line) for line in res.out.read_text().splitlines()]
        outs.append([{k: v for k, v in r.items() if k != "provenance"} for r in rows])
    assert outs[0] == outs[1] and outs[0]
    row = outs[0][0]
    for key in ("Target", "Module", "File", "Func", "vega_code", "ans_code", "Confidence", "statements"):
        assert key in row
    assert all(0.0 <= s["confidence"] <= 1.0 for r in outs[0] for s in r["statements"])
    scored = [r for r in outs[0] if "stmt_total" in r]  # a real body of no statement (`{}`) is scored too
    assert scored, "XCore functions with a template must be compared with the real ones"
    assert res.summary["with_ground_truth"]["all"]["functions"] == len(scored)
    # every candidate says which identifiers it names that the target cannot see; those go after the clean ones
    for r in outs[0]:
        assert isinstance(r["undeclared"], list) and r["undeclared"] == r["candidates"][0]["undeclared"]
        parsing = [c for c in r["candidates"] if c["parses"]]
        flags = [bool(c["undeclared"]) for c in parsing]
        assert flags == sorted(flags), r["Func"]
        if r["undeclared"]:  # cannot compile: no confidence, whatever the training targets agree on
            assert r["Confidence"] == 0.0
    single = [r for r in outs[0] if r.get("single_donor")]
    assert res.summary["single_donor_functions"] == len(single)
    # a group's further overloads are rows (and functions) of their own
    assert res.summary["functions"] == len(outs[0])
    assert res.summary["overload_functions"] == sum(1 for r in outs[0] if r.get("overload"))
    assert all(r["Confidence"] <= 0.5 for r in single)  # one donor is a guess (adapt.consensus)


def test_generation_for_a_function_set_writes_its_groups_alone(env: dict[str, Path], trained: dict[str, object], tmp_path: Path) -> None:
    """``only`` (bootstrap's scratch set): the rows of those groups and no other, each the code the whole run writes
    for it."""
    from vega_llvm.generate.generate import generate

    full = generate(trained["out"], target=HELD_OUT, out=tmp_path / "all" / "result.jsonl", corpus=env["corpus"], progress=False)  # type: ignore[arg-type]
    rows = [json.loads(line) for line in full.out.read_text().splitlines()]
    group = lambda r: (Path(r["File"]).stem.replace("<T>", ""), r["Func"].replace(HELD_OUT, "<T>"))  # noqa: E731
    picked = {group(r) for r in rows[::3]}
    some = generate(trained["out"], target=HELD_OUT, out=tmp_path / "some" / "result.jsonl", corpus=env["corpus"],  # type: ignore[arg-type]
                    progress=False, only=picked)
    got = [json.loads(line) for line in some.out.read_text().splitlines()]
    assert got and {group(r) for r in got} == picked
    assert sorted((r["File"], r["Func"]) for r in got) == sorted((r["File"], r["Func"]) for r in rows if group(r) in picked)
    # the same functions as the whole run writes for them: what each may call is judged against the same set
    same = {(r["File"], r["Func"], r.get("overload", 0)): r["vega_code"] for r in rows if group(r) in picked}
    assert {(r["File"], r["Func"], r.get("overload", 0)): r["vega_code"] for r in got} == same
    assert some.summary["only_groups"] == len(picked) and full.summary["only_groups"] is None


def test_a_new_targets_feature_rows_are_made_once(env: dict[str, Path], trained: dict[str, object], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """``--td``: the feature rows of the new target are made on the first run and read on the next (their stamp and
    digest checked); rows that differ from what their manifest recorded are made again."""
    from vega_llvm.generate.generate import generate

    td = llvm_src_root() / "llvm" / "lib" / "Target" / HELD_OUT / f"{HELD_OUT}.td"  # type: ignore[operator]

    def rows(i: int) -> tuple[Path, list[dict[str, object]]]:
        res = generate(trained["out"], td=td, out=tmp_path / str(i) / "result.jsonl", corpus=env["corpus"], progress=False)  # type: ignore[arg-type]
        got = [json.loads(line) for line in res.out.read_text().splitlines()]
        return Path(res.summary["features"]), [{k: v for k, v in r.items() if k != "provenance"} for r in got]

    fdir, first = rows(0)
    made = (fdir / "manifest.json").stat().st_mtime_ns
    capsys.readouterr()
    again, second = rows(1)
    assert again == fdir and (fdir / "manifest.json").stat().st_mtime_ns == made and second == first and first
    assert "made from these inputs by this code" in capsys.readouterr().err
    with open(fdir / "infer.jsonl", "a") as fh:  # not the rows the manifest recorded
        fh.write("\n")
    _, third = rows(2)
    assert (fdir / "manifest.json").stat().st_mtime_ns != made and third == first


def test_corrupt_or_mismatched_checkpoint_is_a_checkpoint_error(trained: dict[str, object], tmp_path: Path) -> None:
    from vega_llvm.errors import CheckpointError
    from vega_llvm.model.checkpoint import load_checkpoint

    bad = tmp_path / "bad"
    shutil.copytree(trained["out"], bad)  # type: ignore[arg-type]
    weights = bad / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="model.safetensors"):
        load_checkpoint(bad)

    mism = tmp_path / "mism"
    shutil.copytree(trained["out"], mism)  # type: ignore[arg-type]
    cfg = json.loads((mism / "config.json").read_text())
    cfg["hidden_size"] *= 2
    cfg["intermediate_size"] *= 2
    (mism / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="model.safetensors"):
        load_checkpoint(mism)

    (mism / "vega_meta.json").unlink()
    with pytest.raises(CheckpointError, match="vega_meta.json"):
        load_checkpoint(mism)


def test_checkpoint_of_another_tool_version_is_refused(trained: dict[str, object], tmp_path: Path, capsys) -> None:
    """Same ``format`` but made by another vega-llvm: the files would load, the weights would mean something else."""
    from vega_llvm import __version__, cli
    from vega_llvm.errors import CheckpointError
    from vega_llvm.model.checkpoint import load_checkpoint

    other = tmp_path / "other"
    shutil.copytree(trained["out"], other)  # type: ignore[arg-type]
    meta = other / "vega_meta.json"
    data = json.loads(meta.read_text())
    assert data["tool_version"] == __version__
    data["tool_version"] = "9.0.0"
    meta.write_text(json.dumps(data))
    with pytest.raises(CheckpointError, match=rf"made by vega-llvm 9\.0\.0, this is {re.escape(__version__)}"):
        load_checkpoint(other)
    assert cli.main(["model-info", str(other)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {meta}: made by vega-llvm 9.0.0, this is {__version__}; train one with this version "
                   "(`vega-llvm train`)"]


def test_unknown_override_is_a_clear_error() -> None:
    from vega_llvm.errors import ConfigError
    from vega_llvm.model.config import apply_overrides, tiny

    assert apply_overrides(tiny(), ["model.layers=3"]).model.layers == 3
    with pytest.raises(ConfigError, match="model.layer"):
        apply_overrides(tiny(), ["model.layer=3"])
    with pytest.raises(ConfigError, match="expected int"):
        apply_overrides(tiny(), ["model.layers=three"])


def test_a_roberta_checkpoint_is_wrapped_with_shared_weights(trained: dict[str, object], tmp_path: Path) -> None:
    """``--init-from``: any RoBERTa checkpoint (here a small random one in save_pretrained layout, standing in for
    microsoft/unixcoder-base-nine) becomes the encoder-decoder, its tokenizer gaining our two special tokens. The
    checkpoint's weights are really loaded (not left at a fresh initialisation), the encoder is that RoBERTa, and the
    decoder and the LM head share its weights: a step on the token loss alone moves the encoder's output and the
    embedding of a token that appears only as an output."""
    import torch
    from transformers import RobertaConfig, RobertaModel

    from vega_llvm.model.modeling import from_roberta
    from vega_llvm.model.tokenizer import Tok

    tok = Tok.load(trained["out"])  # type: ignore[arg-type]
    base_dir = tmp_path / "roberta"
    torch.manual_seed(0)
    cfg = RobertaConfig(vocab_size=len(tok) - 2, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=260, pad_token_id=tok.pad)
    base = RobertaModel(cfg, add_pooling_layer=False).eval()
    base.save_pretrained(str(base_dir))
    torch.manual_seed(1)  # another seed: a weight that was not loaded differs from the checkpoint's
    model = from_roberta(str(base_dir), len(tok), trained["cfg"].model, tok.mask).eval()  # type: ignore[attr-defined]
    assert model.config.vocab_size == len(tok)

    ours = model.roberta.state_dict()
    for name, weight in base.state_dict().items():
        got = ours[name][: weight.shape[0]] if name.endswith("word_embeddings.weight") else ours[name]
        assert torch.equal(got, weight), name
    assert ours["embeddings.word_embeddings.weight"].shape[0] == len(tok)

    src = torch.tensor([[tok.bos, 10, 11, 12, tok.eos]])
    mask = torch.ones_like(src)
    with torch.no_grad():
        hidden = base(src).last_hidden_state
        expected = torch.sigmoid(model.conf_head(hidden[:, 0]).squeeze(-1))
        before = model.confidence(src, mask)
    assert torch.allclose(before, expected, atol=1e-5)  # the encoder is the checkpoint's RoBERTa

    only_output = 40  # in the target, never in the source or the decoder's input
    target = torch.tensor([[20, 21, only_output]])
    emb = model.roberta.embeddings.word_embeddings.weight
    row = emb[only_output].detach().clone()
    model.train()
    out = model(src, mask, target_ids=target)
    assert out.mse is None and out.ce is not None  # the token loss only: no gradient reaches the confidence head
    out.loss.backward()
    assert all(p.grad is None or not p.grad.any() for p in model.conf_head.parameters())
    with torch.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p -= 0.5 * p.grad
    model.eval()
    after = model.confidence(src, mask)
    assert not torch.allclose(after, before)  # the decoder's loss moved the encoder: one set of weights
    assert not torch.equal(emb[only_output], row)  # reached only through the LM head: tied to the embeddings
    conf, seqs = model.generate(src, mask, 4, tok.eos)
    assert conf.shape == (1,) and len(seqs) == 1


def test_training_is_deterministic(env: dict[str, Path], trained: dict[str, object], tmp_path: Path) -> None:
    """Same seed, same data, fresh work folder: bit-identical weights (batches are a function of seed and step)."""
    import torch
    from safetensors.torch import load_file

    from vega_llvm.model.train import run_train

    run_train(trained["cfg"], env["features"], env["corpus"], tmp_path / "again", tmp_path / "work", progress=False)  # type: ignore[arg-type]
    a = load_file(str(Path(trained["out"]) / "model.safetensors"))  # type: ignore[arg-type]
    b = load_file(str(tmp_path / "again" / "model.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_nothing_of_the_held_out_target_reaches_training(env: dict[str, Path], trained: dict[str, object]) -> None:
    """Canaries: identifiers that occur in XCore's code and in no training target's. None may appear in the
    templates, the training feature rows (inputs or labels), or the tokenizer's learned vocabulary."""
    import re

    from vega_llvm.corpus.records import load_corpus
    from vega_llvm.model.checkpoint import load_checkpoint

    ident = re.compile(r"[A-Za-z_][A-Za-z0-9_]{7,}")
    recs = load_corpus(env["corpus"])
    held = {w for r in recs if r.target == HELD_OUT for w in ident.findall(r.body)}
    train = {w for r in recs if r.target in TRAIN for w in ident.findall(r.body + " " + r.signature)}
    canaries = {w for w in held - train if HELD_OUT not in w}
    assert len(canaries) > 50

    tpl_text = (env["root"] / "templates" / "templates.jsonl").read_text()
    assert f'"target": "{HELD_OUT}"' not in tpl_text and f'"target":"{HELD_OUT}"' not in tpl_text
    assert not canaries & set(ident.findall(tpl_text))

    rows = [json.loads(line) for line in (env["features"] / "train.jsonl").read_text().splitlines() if line.strip()]
    assert rows and all(r["target"] != HELD_OUT for r in rows)
    train_text = " ".join(f"{r.get('input', '')} {r.get('label', '')}" for r in rows)
    assert not canaries & set(ident.findall(train_text))

    _model, tok, _meta = load_checkpoint(trained["out"])  # type: ignore[arg-type]
    vocab = {t.lstrip("Ġ") for t in tok.hf.get_vocab()}
    assert vocab
    # A BPE token may spell a canary only if it can be formed inside training text (e.g. "Increment" of "IncrementX").
    train_blob = " ".join(r.signature + " " + r.body for r in recs if r.target in TRAIN)
    leaked = {c for c in canaries & vocab if c not in train_blob}
    assert not leaked, sorted(leaked)[:20]
