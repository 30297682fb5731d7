"""Backends on the tiny model: torch, ONNX and OpenVINO float32 agree, the int8 graphs are batch-independent, rules for choosing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contradict.errors import DeviceError, ModelLoadError
from contradict.scoring import backends
from contradict.scoring.nli import BatchOptions, cpu_has_bf16, load_model, pick_backend

from .test_nli import PAIRS

TINY_BATCH = BatchOptions(max_tokens=256, max_batch_size=4)


def _tiny(tiny_nli_dir: Path, backend: str):
    return load_model(str(tiny_nli_dir), device="cpu", backend=backend, batch=TINY_BATCH, threads=1)


@pytest.fixture(scope="module")
def tiny_torch(tiny_nli_dir: Path):
    return _tiny(tiny_nli_dir, "torch")


@pytest.fixture(scope="module")
def tiny_onnx(tiny_nli_dir: Path):
    return _tiny(tiny_nli_dir, "onnx")


@pytest.fixture(scope="module")
def tiny_int8(tiny_nli_dir: Path):
    return _tiny(tiny_nli_dir, "onnx-int8")


@pytest.fixture(scope="module")
def tiny_int8_static(tiny_nli_dir: Path):
    return _tiny(tiny_nli_dir, "onnx-int8-static")


@pytest.fixture(scope="module")
def tiny_openvino(tiny_nli_dir: Path):
    return _tiny(tiny_nli_dir, "openvino")


@pytest.fixture(scope="module")
def tiny_openvino_bf16(tiny_nli_dir: Path):
    return _tiny(tiny_nli_dir, "openvino-bf16")


needs_cpu_bf16 = pytest.mark.skipif(not cpu_has_bf16(), reason="this CPU has no avx512_bf16 or AMX")


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
        ("cpu", "onnx-int8-static", True, False, ("onnx-int8-static", "int8-static")),
        ("cpu", "openvino", True, False, ("openvino", "float32")),
        ("cpu", "openvino-bf16", True, True, ("openvino-bf16", "bfloat16")),
    ],
)
def test_backend_rules(device, backend, onnx, bf16, expected):
    assert pick_backend(device, backend, onnx_available=onnx, bf16_supported=bf16, openvino_available=True) == expected


@pytest.mark.parametrize(
    ("device", "backend", "onnx", "bf16", "message"),
    [
        ("cuda", "onnx", True, True, "CPU only"),
        ("cuda", "onnx-int8", True, True, "CPU only"),
        ("cuda", "onnx-int8-static", True, True, "CPU only"),
        ("cpu", "onnx", False, False, "needs onnxruntime"),
        ("cpu", "torch-fp16", True, False, "needs a GPU"),
        ("cuda", "torch-bf16", True, False, "no bfloat16"),
        ("cpu", "tensorrt", True, False, "unknown backend"),
        ("cuda", "openvino", True, True, "CPU only"),
        ("cpu", "openvino-bf16", True, False, "avx512_bf16 or AMX"),
        ("cpu", "openvino", False, False, "needs onnxruntime"),
    ],
)
def test_backend_rules_refuse(device, backend, onnx, bf16, message):
    with pytest.raises(DeviceError, match=message):
        pick_backend(device, backend, onnx_available=onnx, bf16_supported=bf16, openvino_available=True)


@pytest.mark.parametrize("backend", ["openvino", "openvino-bf16"])
def test_openvino_backends_need_openvino(backend):
    with pytest.raises(DeviceError, match="pip install openvino"):
        pick_backend("cpu", backend, onnx_available=True, bf16_supported=True, openvino_available=False)
    # auto never picks a backend that is not installed
    assert pick_backend("cpu", "auto", onnx_available=True, bf16_supported=True, openvino_available=False) == ("onnx", "float32")


def test_info_names_the_backend(tiny_torch, tiny_onnx, tiny_int8, tiny_int8_static, tiny_openvino):
    assert (tiny_torch.info.backend, tiny_torch.info.dtype) == ("torch", "float32")
    assert (tiny_openvino.info.backend, tiny_openvino.info.dtype) == ("openvino", "float32")
    assert tiny_openvino.backend.precision == "f32"  # OpenVINO kept float32 (it may pick bf16 itself on AMX)
    assert (tiny_onnx.info.backend, tiny_onnx.info.dtype) == ("onnx", "float32")
    assert (tiny_int8.info.backend, tiny_int8.info.dtype) == ("onnx-int8", "int8")
    assert (tiny_int8_static.info.backend, tiny_int8_static.info.dtype) == ("onnx-int8-static", "int8-static")
    tiny_int8.batch_stats.clear()
    tiny_int8.predict(PAIRS[:2])
    assert {b.backend for b in tiny_int8.batch_stats} == {"onnx-int8"}


@pytest.mark.parametrize("name", ["tiny_onnx", "tiny_openvino"])
def test_float32_backends_match_torch(tiny_torch, name, request):
    model = request.getfixturevalue(name)
    mixed = PAIRS * 2
    for a, b in zip(tiny_torch.predict(mixed), model.predict(mixed), strict=True):
        assert a.raw == pytest.approx(b.raw, abs=1e-5)


@pytest.mark.parametrize("name", ["tiny_torch", "tiny_onnx", "tiny_openvino"])
def test_float32_scores_do_not_depend_on_batch_or_order(name, request):
    model = request.getfixturevalue(name)
    alone = {pair: model.predict([pair])[0].raw for pair in PAIRS}
    rng = random.Random(1)
    for _ in range(3):
        mixed = PAIRS * 3
        rng.shuffle(mixed)
        for pair, prediction in zip(mixed, model.predict(mixed), strict=True):
            assert prediction.raw == pytest.approx(alone[pair], abs=1e-5)


# onnx-int8: each token row has its own activation scale and integer products are exact, so a
# pair's scores are the same alone, padded in any batch, in any order. onnx-int8-static: the
# scales are fixed at calibration, but float32 rounding inside the graph can still tip a value
# over a quantization step.
@pytest.mark.parametrize(("name", "tolerance"), [("tiny_int8", 1e-5), ("tiny_int8_static", 1e-3)])
def test_int8_is_batch_independent(name, tolerance, request):
    model = request.getfixturevalue(name)
    alone = {pair: model.predict([pair])[0].raw for pair in PAIRS}
    rng = random.Random(3)
    for _ in range(3):
        mixed = PAIRS * 3
        rng.shuffle(mixed)
        for pair, prediction in zip(mixed, model.predict(mixed), strict=True):
            assert prediction.raw == pytest.approx(alone[pair], abs=tolerance)


@pytest.mark.parametrize("name", ["tiny_int8", "tiny_int8_static"])
def test_int8_stays_close_to_float32(tiny_torch, name, request):
    # The random tiny model is not the real one: this only guards against a broken graph.
    model = request.getfixturevalue(name)
    for a, b in zip(tiny_torch.predict(PAIRS), model.predict(PAIRS), strict=True):
        assert b.raw == pytest.approx(a.raw, abs=0.15)


@needs_cpu_bf16
def test_openvino_bf16_runs_bfloat16_close_to_float32(tiny_torch, tiny_openvino_bf16):
    assert (tiny_openvino_bf16.info.backend, tiny_openvino_bf16.info.dtype) == ("openvino-bf16", "bfloat16")
    assert tiny_openvino_bf16.backend.precision == "bf16"
    exact = 0
    for a, b in zip(tiny_torch.predict(PAIRS), tiny_openvino_bf16.predict(PAIRS), strict=True):
        assert b.raw == pytest.approx(a.raw, abs=0.05)
        exact += b.raw == pytest.approx(a.raw, abs=1e-6)
    assert exact < len(PAIRS), "bfloat16 scores identical to float32: the precision hint was not applied"


def test_openvino_refuses_a_broken_graph(tmp_path):
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not an onnx graph")
    with pytest.raises(ModelLoadError, match="OpenVINO"):
        backends.OpenVinoBackend(broken, name="openvino", dtype="float32", precision="f32", threads=1)


def test_int8_graph_uses_integer_products(tiny_int8):
    import onnx

    graph = onnx.load(str(tiny_int8.backend.path)).graph
    ops = [n.op_type for n in graph.node]
    # tiny model: 2 layers x (fused QKV, attention output, FFN in, FFN out, 2 position
    # projections) = 12 products with a constant weight, plus the pooler (inner size 32)
    assert ops.count("MatMulInteger") >= 12
    constants = {t.name for t in graph.initializer} | {o for n in graph.node if n.op_type == "Constant" for o in n.output}
    left = [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in constants]
    assert not left, f"weight products left in float32: {left}"
    assert "DynamicQuantizeLinear" not in ops, "per-tensor dynamic scales would make scores depend on the batch"


def test_quantize_rows_matches_a_numpy_reference(tmp_path: Path):
    # One MatMul graph, rewritten; the result equals per-row / per-column int8 arithmetic done by hand.
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w = rng.normal(size=(32, 8)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "t", 8])],
        [numpy_helper.from_array(w, "w")],
    )
    src, dst = tmp_path / "mm.onnx", tmp_path / "mm-int8.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(src))
    assert backends.quantize_rows(src, dst) == 1
    x = rng.normal(size=(3, 5, 32)).astype(np.float32)
    x[1, 2] = 0.0  # an all-zero row must not divide by zero
    got = ort.InferenceSession(str(dst), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    rows = x.reshape(-1, 32)
    s = np.maximum(np.abs(rows).max(axis=1), 1e-12) / 127
    q = np.round(rows / s[:, None]).astype(np.int64)
    c = np.abs(w).max(axis=0) / 127
    wq = np.round(w / c).astype(np.int64)
    want = ((q @ wq) * s[:, None] * c[None, :]).reshape(3, 5, 8)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    exact = x @ w  # and it is close to the float product
    assert np.abs(got - exact).max() < 0.03 * np.abs(exact).max()


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


@pytest.mark.parametrize(
    ("flags", "expected"),
    [("fpu avx2 fma", False), ("fpu avx512f avx512_bf16", True), ("fpu amx_bf16 amx_tile", True), ("", False)],
)
def test_cpu_bf16_detection(flags, expected):
    from contradict.scoring.nli import cpu_has_bf16

    assert cpu_has_bf16(f"processor\t: 0\nflags\t\t: {flags}\n") is expected
