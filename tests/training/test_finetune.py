"""LoRA fine-tuning of the offline backbone: batch plans, loss, schedule, training, resume, merge."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from contradict.training.finetune import (
    LABEL_ORDER,
    FinetuneConfig,
    Row,
    interleave,
    lr_factor,
    plan_epoch,
    split_holdout,
)

pytest.importorskip("peft")


@pytest.mark.parametrize(
    ("lengths", "batch_size"),
    [([], 4), ([5], 4), ([3, 1, 2], 4), (list(range(50, 0, -1)), 8), ([7] * 33, 32)],
)
def test_plan_epoch_covers_every_row_once(lengths, batch_size):
    batches = plan_epoch(lengths, batch_size, seed=1, epoch=0, bucket_factor=2)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert all(0 < len(b) <= batch_size for b in batches)
    assert batches == plan_epoch(lengths, batch_size, seed=1, epoch=0, bucket_factor=2)


def test_plan_epoch_buckets_by_length_and_reshuffles_each_epoch():
    lengths = [(i * 37) % 100 for i in range(400)]
    first = plan_epoch(lengths, 8, seed=3, epoch=0, bucket_factor=50)  # one group: fully sorted
    spans = [max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in first]
    assert max(spans) <= 3
    assert plan_epoch(lengths, 8, seed=3, epoch=1, bucket_factor=50) != first


def test_lr_factor_warms_up_then_decays_to_zero():
    total = 100
    values = [lr_factor(s, total, 0.1) for s in range(total)]
    assert values[0] == pytest.approx(0.1) and values[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(values[9:], values[10:], strict=False))
    assert values[-1] == pytest.approx(1 / 90)
    assert lr_factor(total, total, 0.1) == 0.0


def test_set_loss_is_cross_entropy_for_one_label_and_allowed_mass_for_a_set():
    import torch

    from contradict.training.finetune import set_loss

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    one = torch.tensor([[True, False, False], [False, False, True]])
    assert set_loss(logits, one).item() == pytest.approx(torch.nn.functional.cross_entropy(logits, torch.tensor([0, 2])).item(), abs=1e-6)
    pair = torch.tensor([[False, True, True]])
    p = torch.softmax(logits[:1], -1)[0]
    assert set_loss(logits[:1], pair).item() == pytest.approx(-math.log(p[1] + p[2]), abs=1e-6)


def _row(source: str, i: int, label: str = "entailment") -> Row:
    allowed = {"entailment": (True, False, False), "neutral": (False, True, False), "contradiction": (False, False, True),
               "not_entailment": (False, True, True)}[label]
    return Row(source, f"p{i}", f"h{i}", allowed)


def test_interleave_keeps_shares_and_holdout_takes_single_labels():
    rows = interleave({"a": [_row("a", i) for i in range(30)], "b": [_row("b", i, "not_entailment") for i in range(10)]})
    assert len(rows) == 40 and [r.source for r in rows[:4]].count("b") == 1
    train, held = split_holdout(rows, 5)
    assert len(held) == 5 and all(r.label is not None for r in held)
    assert len(train) == 35 and not set(train) & set(held)


# ----------------------------------------------------------------------------- tiny model


def _toy_rows(n: int = 48) -> list[Row]:
    """Pairs whose label follows from a word in the hypothesis (learnable in a few steps)."""
    words = {"yes": "entailment", "maybe": "neutral", "no": "contradiction"}
    return [
        Row("toy", f"The sky is blue {i}.", f"{word} {word} sky", _row("toy", i, words[word]).allowed)
        for i, word in ((i, list(words)[i % 3]) for i in range(n))
    ]


@pytest.fixture
def tiny_setup(tiny_nli_dir: Path):
    from transformers import AutoTokenizer

    from contradict.training.finetune import prepare

    cfg = FinetuneConfig(steps=6, batch_size=8, max_length=32, lr=1e-2, head_lr=1e-2, lora_rank=4, lora_alpha=8,
                         holdout=6, eval_rows=6, checkpoint_every_s=1e9, log_every=2, warmup=0.2, bf16=False)
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_nli_dir))
    return cfg, prepare(_toy_rows(), tokenizer, cfg)


def _mean_loss(model, enc, pad_id):
    import torch

    from contradict.training.finetune import collate, set_loss

    model.eval()
    with torch.no_grad():
        ids, mask, allowed = collate(enc, list(range(len(enc.ids))), pad_id, torch.device("cpu"))
        return set_loss(model(input_ids=ids, attention_mask=mask).logits, allowed).item()


def test_a_few_steps_reduce_the_loss_and_train_only_adapters_norms_and_head(tiny_nli_dir, tiny_setup, tmp_path):
    import torch

    from contradict.training.finetune import build_model, train

    cfg, data = tiny_setup
    cfg = replace(cfg, steps=20)
    model = build_model(tiny_nli_dir, None, cfg)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    loss_before = _mean_loss(model, data.train, 0)
    assert train(tmp_path / "run", model, data, cfg) == 20
    loss_after = _mean_loss(model, data.train, 0)
    assert loss_after < loss_before - 0.1
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert any("lora_B" in n for n in changed) and any("classifier" in n for n in changed) and any("LayerNorm" in n for n in changed)
    frozen = [n for n in changed if "lora_" not in n and "LayerNorm" not in n and "classifier" not in n and "pooler" not in n]
    assert not frozen, frozen
    assert not any("word_embeddings" in n for n in changed)
    adapted = {n.split(".lora_A")[0] for n, _ in model.named_parameters() if ".lora_A" in n}
    assert len(adapted) == 2 * 6  # 2 layers x (query, key, value, attention output, intermediate, output)
    assert (tmp_path / "run" / "history.jsonl").is_file()


def test_resume_from_a_checkpoint_reaches_the_same_state(tiny_nli_dir, tiny_setup, tmp_path):
    import torch

    from contradict.training.finetune import build_model, checkpoints, train, trainable_state

    cfg, data = tiny_setup
    cfg = replace(cfg, bf16=True)  # as the real runs: bfloat16 autocast
    straight = build_model(tiny_nli_dir, None, cfg)
    train(tmp_path / "a", straight, data, cfg)
    split = build_model(tiny_nli_dir, None, cfg)
    assert train(tmp_path / "b", split, data, cfg, stop_after=3) == 3
    assert [p.name for p in checkpoints(tmp_path / "b")] == ["checkpoint-000003.pt"]
    resumed = build_model(tiny_nli_dir, None, cfg)  # a fresh process: new model, state from disk
    assert train(tmp_path / "b", resumed, data, cfg) == 6
    a, b = trainable_state(straight), trainable_state(resumed)
    assert a.keys() == b.keys()
    for name in a:
        assert torch.allclose(a[name], b[name], atol=1e-6), name


def test_init_starts_a_new_run_from_another_runs_tensors_but_never_overrides_a_resume(tiny_nli_dir, tiny_setup, tmp_path):
    import torch

    from contradict.training.finetune import build_model, checkpoints, start_from, train, trainable_state

    cfg, data = tiny_setup
    first = build_model(tiny_nli_dir, None, cfg)
    assert train(tmp_path / "first", first, data, cfg, stop_after=3) == 3
    checkpoint = checkpoints(tmp_path / "first")[-1]
    fresh = build_model(tiny_nli_dir, None, cfg)
    assert start_from(tmp_path / "second", fresh, "") is None  # no --init: the model as built
    assert start_from(tmp_path / "second", fresh, str(checkpoint)) == 3
    for name, tensor in trainable_state(first).items():
        assert torch.equal(trainable_state(fresh)[name], tensor), name
    # the new run trains on from there, and once it has a checkpoint of its own, --init is ignored
    assert train(tmp_path / "second", fresh, data, cfg, stop_after=2) == 2
    again = build_model(tiny_nli_dir, None, cfg)
    assert start_from(tmp_path / "second", again, str(checkpoint)) is None
    untouched = build_model(tiny_nli_dir, None, cfg)
    for name, tensor in trainable_state(untouched).items():
        assert torch.equal(trainable_state(again)[name], tensor), name


def test_merged_adapter_gives_the_peft_models_logits(tiny_nli_dir, tiny_setup):
    import torch
    from transformers import AutoModelForSequenceClassification

    from contradict.scoring.attention import speed_up
    from contradict.scoring.offline_model import merge_adapter
    from contradict.training.finetune import adapter_tensors, build_model, collate

    cfg, data = tiny_setup
    model = build_model(tiny_nli_dir, None, cfg)
    torch.manual_seed(5)
    with torch.no_grad():  # a trained-looking adapter: B is zero at init; LoRA weights on the float16 grid
        for name, param in model.named_parameters():
            if "lora_" in name:
                param.copy_((torch.randn_like(param) * 0.2).half().float())
            elif param.requires_grad:
                param.add_(torch.randn_like(param) * 0.05)
    model.eval()
    ids, mask, _ = collate(data.held, list(range(len(data.held.ids))), 0, torch.device("cpu"))
    with torch.no_grad():
        expected = model(input_ids=ids, attention_mask=mask).logits
    for temperature in (1.0, 2.0):
        tensors, metadata = adapter_tensors(model, temperature)
        assert all(t.dtype == torch.float16 for k, t in tensors.items() if ".lora_" in k)
        plain = AutoModelForSequenceClassification.from_pretrained(str(tiny_nli_dir)).eval()
        merge_adapter(plain, tensors, metadata)
        speed_up(plain)  # scoring fuses q/k/v from the merged weights
        with torch.no_grad():
            merged = plain(input_ids=ids, attention_mask=mask).logits
        assert torch.allclose(merged, expected / temperature, atol=1e-4), (merged - expected / temperature).abs().max()


def test_merge_rejects_foreign_artefacts(tiny_nli_dir):
    import torch
    from transformers import AutoModelForSequenceClassification

    from contradict.errors import ModelLoadError
    from contradict.scoring.offline_model import ADAPTER_FORMAT, merge_adapter

    plain = AutoModelForSequenceClassification.from_pretrained(str(tiny_nli_dir))
    with pytest.raises(ModelLoadError, match="format"):
        merge_adapter(plain, {}, {"format": "other"})
    with pytest.raises(ModelLoadError, match="lacks"):
        merge_adapter(plain, {"nope.weight": torch.zeros(1)}, {"format": ADAPTER_FORMAT, "scaling": "1.0"})


@pytest.mark.parametrize("name", ["aegis-policy-nli-ft", "aegis-policy-nli-ft-news"])
def test_label_order_matches_the_shipped_card(name):
    from contradict.scoring.cards import find_card

    card = find_card(name)
    assert card is not None, f"{name} is shipped in models/"
    assert tuple(card.id2label[i] for i in range(3)) == LABEL_ORDER


def test_top_layers_only_adapts_and_trains_just_those(tiny_nli_dir, tiny_setup):
    from contradict.training.finetune import build_model

    cfg, _ = tiny_setup
    model = build_model(tiny_nli_dir, None, replace(cfg, train_layers=1))
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and not any("layer.0." in n for n in trainable)
    assert any("layer.1." in n and "lora_A" in n for n in trainable)
    assert not any(n.endswith(("embeddings.LayerNorm.weight", "encoder.LayerNorm.weight")) for n in trainable)


@pytest.mark.integration
@pytest.mark.parametrize("name", ["aegis-policy-nli-ft", "aegis-policy-nli-ft-news"])
def test_shipped_fine_tuned_card_loads_and_scores_sensibly(name):
    from contradict.scoring.cards import cards_dir, find_card
    from contradict.scoring.nli import load_model

    card = find_card(name)
    assert card is not None, f"{name} is shipped in models/"
    assert card.build == "offline-lora" and card.adapter_file
    assert (cards_dir() / card.adapter_file).stat().st_size < 5_000_000
    model = load_model(name, device="cpu", backend="torch")
    assert "adapter-sha256:" in model.info.revision
    premise = "A man is playing a guitar on a stage in front of a crowd."
    pairs = [
        (premise, "A man is playing an instrument."),
        (premise, "Nobody is playing music."),
        (premise, "The man is a famous professional musician."),
        ("The company reported a profit of 12 million dollars in 2025.", "The company lost money in 2025."),
    ]
    labels = [p.label for p in model.predict(pairs)]
    assert labels == ["entailment", "contradiction", "neutral", "contradiction"]


def test_reschedule_changes_only_the_number_of_steps_and_records_it(tmp_path):
    import json
    from dataclasses import asdict

    from contradict.training.finetune import check_run_config

    cfg = FinetuneConfig(steps=100)
    (tmp_path / "run.json").write_text(json.dumps({"config": json.loads(json.dumps(asdict(cfg)))}))
    (tmp_path / "checkpoint-000040.pt").write_bytes(b"")
    check_run_config(tmp_path, cfg)  # same configuration: fine
    with pytest.raises(ValueError, match="another configuration"):
        check_run_config(tmp_path, replace(cfg, steps=200))
    with pytest.raises(ValueError, match="another configuration"):
        check_run_config(tmp_path, replace(cfg, steps=200, lr=1e-3), reschedule=True)
    with pytest.raises(ValueError, match="past the new total"):
        check_run_config(tmp_path, replace(cfg, steps=30), reschedule=True)
    check_run_config(tmp_path, replace(cfg, steps=200), reschedule=True)
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["config"]["steps"] == 200
    assert meta["reschedules"] == [{"at_step": 40, "from_steps": 100, "to_steps": 200}]
    check_run_config(tmp_path, replace(cfg, steps=200))  # the recorded run now has 200 steps


def test_a_run_recorded_before_a_config_field_existed_resumes_with_its_default(tmp_path):
    import json
    from dataclasses import asdict

    from contradict.training.finetune import check_run_config

    cfg = FinetuneConfig(steps=100)
    old = {k: v for k, v in json.loads(json.dumps(asdict(cfg))).items() if k not in ("news_pairs", "init_from")}
    (tmp_path / "run.json").write_text(json.dumps({"config": old}))
    (tmp_path / "checkpoint-000040.pt").write_bytes(b"")
    check_run_config(tmp_path, cfg)  # the missing fields are read as their defaults
    with pytest.raises(ValueError, match="another configuration"):
        check_run_config(tmp_path, replace(cfg, news_pairs="news.jsonl"))  # not as anything else
    check_run_config(tmp_path, replace(cfg, steps=200), reschedule=True)
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["config"] == json.loads(json.dumps(asdict(replace(cfg, steps=200))))  # written back whole


def test_news_rows_join_training_only_and_read_as_not_contradiction(tmp_path):
    import json

    from contradict.training.finetune import Row, news_source, prepare, read_rows

    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"premise": f"p{i}", "hypothesis": f"h{i}", "label": "not_contradiction"}) + "\n"
                            for i in range(12)), encoding="utf-8")  # fmt: skip
    news = read_rows(tmp_path, [news_source(path, 10)], seed=1)
    assert len(news) == 10 and {r.allowed for r in news} == {(True, True, False)} and {r.label for r in news} == {None}

    class _Tok:  # counts characters as tokens: enough for prepare's bookkeeping
        def __call__(self, a, b, **_):
            return {"input_ids": [[1] * (len(x) + len(y)) for x, y in zip(a, b, strict=True)]}

    nli = [Row("toy", f"premise {i}", f"hyp {i}", (i % 3 == 0, i % 3 == 1, i % 3 == 2)) for i in range(20)]
    cfg = FinetuneConfig(holdout=5)
    plain, mixed = prepare(nli, _Tok(), cfg), prepare(nli, _Tok(), cfg, news)
    assert mixed.held_rows == plain.held_rows  # adding rows never changes what is held out
    assert len(mixed.train_rows) == len(plain.train_rows) + 10 and set(news) <= set(mixed.train_rows)
