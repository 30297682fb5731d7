"""The NLI loader and scorer on a tiny random checkpoint: order, batch independence, labels, errors."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from contradict.errors import DeviceError, ModelCardError, ModelLoadError
from contradict.scoring.nli import BatchOptions, load_model, resolve_device

PAIRS = [
    ("The president ruled out sending US troops to Ukraine.", "Sending US troops to Ukraine remains on the table."),
    ("A man plays a guitar.", "A man is performing music."),
    ("Three people died.", "Five people died in the fire at the chemical plant on the edge of town last night."),
    ("x", "y"),
    ("The ministry said " + "very " * 150 + "long sentences get truncated.", "Short."),
    ("Ünïcödé — “quotes” and emoji 🙂 work.", "Nothing breaks."),
]


def test_labels_come_from_checkpoint(tiny_nli):
    assert tiny_nli.card.kind == "three_way"
    assert tiny_nli.card.labels == {"entailment": "entailment", "neutral": "neutral", "contradiction": "contradiction"}
    assert tiny_nli.info.device == "cpu" and tiny_nli.info.revision.startswith("sha256:")


def test_predictions_are_distributions_in_input_order(tiny_nli):
    predictions = tiny_nli.predict(PAIRS)
    assert len(predictions) == len(PAIRS)
    for p in predictions:
        s = p.scores
        assert abs(s.contradiction + s.entailment + s.neutral - 1) < 1e-6
        assert p.label == s.label()
        # the raw row is in the checkpoint's order: entailment, neutral, contradiction
        assert p.raw == pytest.approx((s.entailment, s.neutral, s.contradiction))
    reversed_predictions = tiny_nli.predict(PAIRS[::-1])
    for a, b in zip(predictions, reversed_predictions[::-1], strict=True):
        assert a.raw == pytest.approx(b.raw, abs=1e-5)


def test_pair_scores_do_not_depend_on_batch(tiny_nli):
    alone = [tiny_nli.predict([pair])[0] for pair in PAIRS]
    rng = random.Random(0)
    for _ in range(3):
        mixed = PAIRS * 3
        rng.shuffle(mixed)
        together = dict(zip(mixed, tiny_nli.predict(mixed), strict=True))
        for pair, single in zip(PAIRS, alone, strict=True):
            assert together[pair].raw == pytest.approx(single.raw, abs=1e-5)


def test_long_pair_is_truncated_to_card_length(tiny_nli):
    tiny_nli.batch_stats.clear()
    tiny_nli.predict([PAIRS[4]])
    assert tiny_nli.batch_stats[0].tokens <= tiny_nli.card.max_length


def test_batches_follow_budget(tiny_nli):
    tiny_nli.batch_stats.clear()
    tiny_nli.predict(PAIRS * 4)
    assert sum(b.size for b in tiny_nli.batch_stats) == len(PAIRS) * 4
    for b in tiny_nli.batch_stats:
        assert b.size <= 4
        assert b.padded_tokens <= 256 or b.size == 1


def test_empty_input(tiny_nli):
    assert tiny_nli.predict([]) == []


def test_generic_labels_without_card_are_refused(tiny_nli_dir: Path, tmp_path: Path):
    folder = tmp_path / "generic"
    shutil.copytree(tiny_nli_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}
    config["label2id"] = {"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelCardError, match="--model-card"):
        load_model(str(folder), device="cpu")
    card = tmp_path / "card.yaml"
    card.write_text(
        "id: generic\nid2label: {0: LABEL_0, 1: LABEL_1, 2: LABEL_2}\nmax_length: 64\nkind: three_way\n"
        "labels: {entailment: LABEL_0, neutral: LABEL_1, contradiction: LABEL_2}\n"
    )
    model = load_model(str(folder), device="cpu", card_path=card)
    assert model.card.id == "generic" and len(model.predict(PAIRS[:2])) == 2


def test_card_that_disagrees_with_checkpoint_is_refused(tiny_nli_dir: Path, tmp_path: Path):
    card = tmp_path / "card.yaml"
    card.write_text(
        "id: wrong\nid2label: {0: contradiction, 1: entailment, 2: neutral}\nmax_length: 64\nkind: three_way\n"
        "labels: {entailment: entailment, neutral: neutral, contradiction: contradiction}\n"
    )
    with pytest.raises(ModelCardError, match="checkpoint says"):
        load_model(str(tiny_nli_dir), device="cpu", card_path=card)


def test_missing_model_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ModelLoadError, match="cannot load NLI model"):
        load_model(str(tmp_path / "no-such-model"), device="cpu")


@pytest.mark.parametrize("spec", ["tpu", "cuda:x", "gpu0"])
def test_unknown_device(spec):
    with pytest.raises(DeviceError):
        resolve_device(spec)


def test_cpu_device_and_auto():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda")


def test_cuda_without_gpu_is_a_clear_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(DeviceError, match="no CUDA GPU"):
        resolve_device("cuda")


@pytest.mark.skipif("not __import__('torch').cuda.is_available()", reason="needs a CUDA GPU")
def test_gpu_matches_cpu(tiny_nli_dir: Path):
    cpu = load_model(str(tiny_nli_dir), device="cpu")
    gpu = load_model(str(tiny_nli_dir), device="cuda", batch=BatchOptions(max_tokens=256, max_batch_size=4))
    for a, b in zip(cpu.predict(PAIRS), gpu.predict(PAIRS), strict=True):
        assert a.raw == pytest.approx(b.raw, abs=5e-3)


# ----------------------------------------------------------------------------- streaming


def _endless(counter: list[int]):
    i = 0
    while True:
        counter[0] += 1
        yield (f"Claim number {i} is true.", "It is false.")
        i += 1


def test_stream_keeps_input_order_across_windows(tiny_nli):
    pairs = PAIRS * 5
    whole = tiny_nli.predict(pairs)
    streamed = list(tiny_nli.predict_stream(iter(pairs), window=4))
    assert len(streamed) == len(pairs)
    for a, b in zip(whole, streamed, strict=True):
        assert a.raw == pytest.approx(b.raw, abs=1e-5)


def test_stream_reads_a_bounded_window_ahead(tiny_nli):
    import threading
    from itertools import islice

    pulled = [0]
    stream = tiny_nli.predict_stream(_endless(pulled), window=8)
    first = list(islice(stream, 10))
    stream.close()  # stops and joins the tokenizer thread
    assert len(first) == 10
    # an endless input is read at most a few windows ahead: the queue holds prefetch items
    assert pulled[0] <= 8 * (tiny_nli.batch.prefetch + 3)
    assert not any(t.name == "contradict-tokenize" and t.is_alive() for t in threading.enumerate())


def test_stream_raises_input_errors_after_earlier_windows(tiny_nli):
    def pairs():
        yield from PAIRS[:4]
        raise ValueError("bad line 5")

    got = []
    with pytest.raises(ValueError, match="bad line 5"):
        for prediction in tiny_nli.predict_stream(pairs(), window=2):
            got.append(prediction)
    assert len(got) == 4


def test_batches_are_accounted(tiny_nli):
    from contradict.report import scoring_stats

    tiny_nli.batch_stats.clear()
    tiny_nli.predict(PAIRS * 3)
    stats = tiny_nli.batch_stats
    assert sum(b.size for b in stats) == len(PAIRS) * 3
    for b in stats:
        assert 0 < b.tokens <= b.padded_tokens
        assert b.tokenize_s > 0 and b.model_s > 0 and b.queue_s >= 0
        assert b.backend == tiny_nli.info.backend
    totals = scoring_stats(stats)
    assert totals["directions_scored"] == len(PAIRS) * 3
    assert totals["padded_tokens"] == sum(b.padded_tokens for b in stats)
    assert totals["wall_s"] == pytest.approx(sum(b.model_s + b.queue_s for b in stats), abs=1e-3)
    assert totals["pairs_per_s"] > 0 and totals["tokens_per_s"] > 0 and totals["padding_overhead"] >= 0


@pytest.mark.parametrize(
    ("rows", "expected_ids", "expected_mask"),
    [
        ([[5, 6, 7], [8]], [[5, 6, 7], [8, 0, 0]], [[1, 1, 1], [1, 0, 0]]),
        ([[1], [2], [3]], [[1], [2], [3]], [[1], [1], [1]]),
        ([[4, 4]], [[4, 4]], [[1, 1]]),
    ],
)
def test_pad_batch(rows, expected_ids, expected_mask):
    from contradict.scoring.nli import pad_batch

    padded = pad_batch([{"input_ids": r, "attention_mask": [1] * len(r)} for r in rows], pad_id=0)
    assert padded["input_ids"].tolist() == expected_ids
    assert padded["attention_mask"].tolist() == expected_mask
    assert str(padded["input_ids"].dtype) == "int64"


def test_pad_batch_to_a_width():
    from contradict.scoring.nli import pad_batch

    rows = [{"input_ids": [5, 6, 7], "attention_mask": [1, 1, 1]}, {"input_ids": [8], "attention_mask": [1]}]
    padded = pad_batch(rows, pad_id=0, width=5)
    assert padded["input_ids"].tolist() == [[5, 6, 7, 0, 0], [8, 0, 0, 0, 0]]
    assert padded["attention_mask"].tolist() == [[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]]
    with pytest.raises(ValueError, match="shorter than the longest"):
        pad_batch(rows, pad_id=0, width=2)


def test_padded_lengths_follow_the_backend(tiny_nli_dir: Path):
    from contradict.scoring.nli import BatchOptions, load_model

    model = load_model(str(tiny_nli_dir), device="cpu", backend="torch-bf16", batch=BatchOptions(max_tokens=256, max_batch_size=4))
    assert model.batch.pad_multiple == 16  # bfloat16 kernels are built per shape: few shapes
    model.predict(PAIRS)
    assert all(b.padded_tokens % (16 * b.size) == 0 for b in model.batch_stats)
    exact = load_model(str(tiny_nli_dir), device="cpu", backend="torch", batch=BatchOptions(max_tokens=256, max_batch_size=4, pad_multiple=8))
    assert exact.batch.pad_multiple == 8  # asked for
    rounded = {p: r.raw for p, r in zip(PAIRS, exact.predict(PAIRS), strict=True)}
    plain = load_model(str(tiny_nli_dir), device="cpu", backend="torch", batch=BatchOptions(max_tokens=256, max_batch_size=4))
    assert plain.batch.pad_multiple == 1
    for pair, prediction in zip(PAIRS, plain.predict(PAIRS), strict=True):
        assert prediction.raw == pytest.approx(rounded[pair], abs=1e-5)  # more padding, same scores


def test_default_runtime_on_cpu(tiny_nli):
    assert tiny_nli.info.backend == "onnx" and tiny_nli.info.dtype == "float32"
    assert tiny_nli.batch.max_tokens == 256


def test_threads_are_set(tiny_nli_dir: Path):
    import torch

    from contradict.scoring.nli import choose_runtime, cpu_threads

    assert cpu_threads(3) == 3
    assert cpu_threads() >= 1
    runtime = choose_runtime("cpu", "torch", threads=1)
    assert runtime.threads == 1 and torch.get_num_threads() == 1
    torch.set_num_threads(cpu_threads())
    with pytest.raises(DeviceError, match="--threads"):
        cpu_threads(0)
