"""Training the three-way head: fitting, calibration, and building the shipped checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contradict.training.heads import TrainConfig, fit_head, fit_temperature, head_logits


def init_head(dim: int):
    import torch

    torch.manual_seed(1)
    return {
        "pooler.dense.weight": torch.eye(dim),
        "pooler.dense.bias": torch.zeros(dim),
        "classifier.weight": 0.01 * torch.randn(2, dim),
        "classifier.bias": torch.zeros(2),
    }


def test_fit_head_learns_separable_classes():
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((3, 16)).astype(np.float32) * 3
    y = rng.integers(0, 3, 600)
    x = (centers[y] + 0.3 * rng.standard_normal((600, 16))).astype(np.float32)
    dense, classifier = fit_head(x[:500], y[:500], init_head(16), TrainConfig(epochs=30, batch_size=64, lr=1e-2))
    accuracy = (head_logits(dense, classifier, x[500:]).argmax(1) == y[500:]).mean()
    assert accuracy > 0.95


@pytest.mark.parametrize("true_t", [0.7, 1.0, 2.0, 3.5])
def test_fit_temperature_recovers_scale(true_t):
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((20000, 3)) * 3
    p = np.exp(logits / true_t)
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    assert fit_temperature(logits, y) == pytest.approx(true_t, abs=0.15)


@pytest.mark.integration
def test_head_file_builds_a_three_way_checkpoint(tmp_path: Path):
    import torch
    from safetensors.torch import save_file

    from contradict.scoring.nli import load_model
    from contradict.scoring.offline_model import ensure_with_head

    torch.manual_seed(0)
    head = {
        "pooler.dense.weight": torch.randn(384, 384) * 0.05, "pooler.dense.bias": torch.zeros(384),
        "classifier.weight": torch.randn(3, 384), "classifier.bias": torch.zeros(3),
    }
    path = tmp_path / "head.safetensors"
    save_file(head, str(path), metadata={"labels": "entailment,neutral,contradiction"})
    folder = ensure_with_head(path)
    assert folder == ensure_with_head(path)  # built once, then reused
    card = tmp_path / "card.yaml"
    card.write_text(
        "id: test-head\nid2label: {0: entailment, 1: neutral, 2: contradiction}\nmax_length: 160\nkind: three_way\n"
        "labels: {entailment: entailment, neutral: neutral, contradiction: contradiction}\n"
    )
    from safetensors.torch import load_file

    saved = load_file(str(folder / "model.safetensors"))
    for key, tensor in head.items():
        assert torch.equal(saved[key], tensor), key
    model = load_model(str(folder), device="cpu", card_path=card)
    prediction = model.predict([("The dam collapsed.", "The dam is intact.")])[0]
    assert len(prediction.raw) == 3 and model.card.id == "test-head"
    bad = tmp_path / "bad.safetensors"
    save_file(head, str(bad), metadata={"labels": "entailment,contradiction"})
    from contradict.errors import ModelLoadError

    with pytest.raises(ModelLoadError, match="label list"):
        ensure_with_head(bad)


def test_training_mix_prefixes_are_balanced():
    from collections import Counter

    from contradict.training.heads import DATA, read_training_examples
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "MANIFEST.md").is_file():
        pytest.skip("../shared/data is not present")
    rows = read_training_examples(SHARED_DATA)
    caps = {name: cap for source in DATA for name, cap in source.caps}
    counts = Counter(name for name, _ in rows)
    assert all(counts[name] <= cap for name, cap in caps.items())
    total = len(rows)
    prefix = Counter(name for name, _ in rows[:5000])
    for name, n in counts.items():
        assert abs(prefix[name] / 5000 - n / total) < 0.01, name
    assert rows == read_training_examples(SHARED_DATA)  # deterministic
