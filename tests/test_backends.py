"""Backends on the tiny model: torch vs ONNX float32 agree, static int8 is batch-independent, rules for choosing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contradict import backends
from contradict.errors import DeviceError, ModelLoadError
from contradict.nli import BatchOptions, load_model, pick_backend

from .test_nli import PAIRS

TINY_BATCH = BatchOptions(max_tokens=256, max_batch_size=4)


@pytest.fixture(scope="module")
def tiny_torch(tiny_nli_dir: Path):
    return load_model(str(tiny_nli_dir), device="cpu", backend="torch", batch=TINY_BATCH, threads=1)


@pytest.fixture(scope="module")
def tiny_onnx(tiny_nli_dir: Path):
    return load_model(str(tiny_nli_dir), device="cpu", backend="onnx", batch=TINY_BATCH, threads=1)


@pytest.fixture(scope="module")
def tiny_int8(tiny_nli_dir: Path):
    return load_model(str(tiny_nli_dir), device="cpu", backend="onnx-int8", batch=TINY_BATCH, threads=1)


@pytest.mark.parametrize(
    ("device", "backend", "onnx", "bf16", "expected"),
    [
        ("cpu", "auto", True, False, ("onnx", "float32")),
        ("cpu", "auto", False, False, ("torch", "float32")),
        ("cuda", "auto", True, True, ("torch", "float16")),
        ("cuda", "auto", True, False, ("torch", "float16")),
        ("cpu", "torch", True, False, ("torch", "float32")),
        ("cuda", "torch", True, False, ("torch", "float32")),
        ("cuda", "torch-fp16", True, False, ("torch", "float16")),
        ("cuda", "torch-bf16", True, True, ("torch", "bfloat16")),
        ("cpu", "torch-bf16", True, False, ("torch", "bfloat16")),
        ("cpu", "onnx", True, False, ("onnx", "float32")),
        ("cpu", "onnx-int8", True, False, ("onnx-int8", "int8")),
    ],
)
def test_backend_rules(device, backend, onnx, bf16, expected):
    assert pick_backend(device, backend, onnx_available=onnx, bf16_supported=bf16) == expected


@pytest.mark.parametrize(
    ("device", "backend", "onnx", "bf16", "message"),
    [
        ("cuda", "onnx", True, True, "CPU only"),
        ("cuda", "onnx-int8", True, True, "CPU only"),
        ("cpu", "onnx", False, False, "needs onnxruntime"),
        ("cpu", "torch-fp16", True, False, "needs a GPU"),
        ("cuda", "torch-bf16", True, False, "no bfloat16"),
        ("cpu", "tensorrt", True, False, "unknown backend"),
    ],
)
def test_backend_rules_refuse(device, backend, onnx, bf16, message):
    with pytest.raises(DeviceError, match=message):
        pick_backend(device, backend, onnx_available=onnx, bf16_supported=bf16)


def test_info_names_the_backend(tiny_torch, tiny_onnx, tiny_int8):
    assert (tiny_torch.info.backend, tiny_torch.info.dtype) == ("torch", "float32")
    assert (tiny_onnx.info.backend, tiny_onnx.info.dtype) == ("onnx", "float32")
    assert (tiny_int8.info.backend, tiny_int8.info.dtype) == ("onnx-int8", "int8-static")
    tiny_int8.batch_stats.clear()
    tiny_int8.predict(PAIRS[:2])
    assert {b.backend for b in tiny_int8.batch_stats} == {"onnx-int8"}


def test_onnx_float32_matches_torch(tiny_torch, tiny_onnx):
    mixed = PAIRS * 2
    for a, b in zip(tiny_torch.predict(mixed), tiny_onnx.predict(mixed), strict=True):
        assert a.raw == pytest.approx(b.raw, abs=1e-5)


@pytest.mark.parametrize("name", ["tiny_torch", "tiny_onnx"])
def test_float32_scores_do_not_depend_on_batch_or_order(name, request):
    model = request.getfixturevalue(name)
    alone = {pair: model.predict([pair])[0].raw for pair in PAIRS}
    rng = random.Random(1)
    for _ in range(3):
        mixed = PAIRS * 3
        rng.shuffle(mixed)
        for pair, prediction in zip(mixed, model.predict(mixed), strict=True):
            assert prediction.raw == pytest.approx(alone[pair], abs=1e-5)


def test_static_int8_is_batch_independent(tiny_int8):
    # Activation scales are fixed at calibration, so a pair's int8 scores do not move with its
    # batch; float32 rounding inside the graph can still tip a value over a quantization step.
    alone = {pair: tiny_int8.predict([pair])[0].raw for pair in PAIRS}
    rng = random.Random(2)
    for _ in range(3):
        mixed = PAIRS * 3
        rng.shuffle(mixed)
        for pair, prediction in zip(mixed, tiny_int8.predict(mixed), strict=True):
            assert prediction.raw == pytest.approx(alone[pair], abs=1e-3)


def test_static_int8_stays_close_to_float32(tiny_torch, tiny_int8):
    # The random tiny model is not the real one: this only guards against a broken graph.
    for a, b in zip(tiny_torch.predict(PAIRS), tiny_int8.predict(PAIRS), strict=True):
        assert b.raw == pytest.approx(a.raw, abs=0.15)


def test_exports_are_cached(tiny_nli_dir: Path, tiny_onnx):
    path = backends.onnx_cache_dir(tiny_onnx.info.revision) / "model.onnx"
    assert path.is_file() and tiny_onnx.backend.path == path
    again = load_model(str(tiny_nli_dir), device="cpu", backend="onnx", threads=1)
    assert again.backend.path == path


def test_calibration_from_examples_is_fixed():
    first = backends.calibration_pairs(n=64)
    assert len(first) == 64 and first == backends.calibration_pairs(n=64)
    assert any(len(p.split()) > 60 for p, _ in first), "some paragraph-long premises"


def test_calibration_from_file(tmp_path: Path):
    source = tmp_path / "train.jsonl"
    source.write_text('{"premise": "A cat sat.", "hypothesis": "A cat is sitting."}\n\n{"sentence1": "Rain.", "sentence2": "Sun."}\n')
    assert sorted(backends.calibration_pairs(source)) == [("A cat sat.", "A cat is sitting."), ("Rain.", "Sun.")]
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"text": "no pairs"}\n')
    with pytest.raises(ModelLoadError, match="no premise/hypothesis pairs"):
        backends.calibration_pairs(empty)


@pytest.mark.skipif("not __import__('torch').cuda.is_available()", reason="needs a CUDA GPU")
@pytest.mark.parametrize("backend", ["torch-fp16", "torch-bf16"])
def test_gpu_half_precision_is_batch_independent(tiny_nli_dir: Path, backend):
    model = load_model(str(tiny_nli_dir), device="cuda", backend=backend, batch=TINY_BATCH)
    alone = {pair: model.predict([pair])[0].raw for pair in PAIRS}
    for pair, prediction in zip(PAIRS * 2, model.predict(PAIRS * 2), strict=True):
        assert prediction.raw == pytest.approx(alone[pair], abs=2e-2)
