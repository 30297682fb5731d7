"""The distance-indexed DeBERTa attention gives the transformers numbers (within 1e-5)."""

from __future__ import annotations

import copy

import pytest

from contradict.scoring.attention import distance_index, skew, speed_up, supports


def test_skew_reads_each_row_one_place_further_left():
    import torch

    length = 4
    scores = torch.arange(length * (2 * length - 1), dtype=torch.float32).reshape(length, 2 * length - 1)
    got = skew(scores, length)
    want = torch.tensor([[scores[i, length - 1 - i + k].item() for k in range(length)] for i in range(length)])
    assert torch.equal(got, want)
    assert skew(torch.ones(2, 3, 1, 1), 1).shape == (2, 3, 1, 1)


def test_distance_index_uses_the_log_buckets():
    # buckets 8 (mid 4), max position 64: distances beyond 4 are squeezed, then clamped to 0..15
    index = distance_index(20, 8, 64, 8, "cpu").tolist()
    assert len(index) == 39 and index[19] == 8  # distance 0 -> row span
    assert index[19 + 1] == 9 and index[19 - 1] == 7
    assert index == sorted(index) and min(index) >= 0 and max(index) <= 15
    plain = distance_index(5, -1, -1, 4, "cpu").tolist()
    assert plain == [0, 1, 2, 3, 4, 5, 6, 7, 7]  # no buckets: distance + span, clamped


@pytest.fixture(scope="module")
def pair_of_models(tiny_nli_dir):
    from transformers import AutoModelForSequenceClassification

    reference = AutoModelForSequenceClassification.from_pretrained(str(tiny_nli_dir)).eval()
    fast = copy.deepcopy(reference)
    assert speed_up(fast)
    assert not speed_up(fast), "a second call changes nothing"
    return reference, fast


# lengths below and above the tiny model's bucket midpoint (32), so log buckets are exercised
@pytest.mark.parametrize(("length", "batch"), [(1, 1), (2, 3), (7, 2), (33, 3), (70, 2), (150, 2)])
def test_same_logits_as_transformers(pair_of_models, length, batch):
    import torch

    reference, fast = pair_of_models
    generator = torch.Generator().manual_seed(length)
    ids = torch.randint(5, 5000, (batch, length), generator=generator)
    mask = torch.ones(batch, length, dtype=torch.long)
    for row in range(1, batch):  # right padding of different amounts
        mask[row, max(1, length - 3 * row) :] = 0
    with torch.inference_mode():
        want = reference(input_ids=ids, attention_mask=mask).logits
        got = fast(input_ids=ids, attention_mask=mask).logits
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


def test_attention_maps_fall_back_to_transformers(pair_of_models):
    import torch

    reference, fast = pair_of_models
    ids = torch.randint(5, 5000, (2, 9))
    with torch.inference_mode():
        want = reference(input_ids=ids, output_attentions=True)
        got = fast(input_ids=ids, output_attentions=True)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(want.attentions, got.attentions, strict=True))


def test_other_architectures_are_left_alone():
    from transformers import BertConfig, BertForSequenceClassification

    model = BertForSequenceClassification(BertConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32))
    assert not supports(model.config) and not speed_up(model)
