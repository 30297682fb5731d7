"""Model backends: run one padded batch and return its logits, behind one small interface.

A :class:`Backend` turns a padded batch (``input_ids``, ``attention_mask`` and, for models
that use them, ``token_type_ids``, as int64 numpy arrays) into float32 logits. ``prepare``
runs on the tokenizer thread (it may pin host memory for a GPU), ``run`` on the scoring
thread. Backends here all pad (``pads = True``): a batch is a rectangle. ``shape_multiple`` is
the multiple a backend wants padded lengths rounded up to: 16 where kernels are compiled or
cached per input shape (OpenVINO; bfloat16 and float16 under torch, whose oneDNN kernels on a
CPU are built per shape), 1 (no rounding) where they are not.

- ``torch``: the transformers network; float32 on the CPU (the reference), float16 or
  bfloat16 on a GPU, with pinned host memory and non-blocking copies.
- ``onnx``: an ONNX Runtime float32 export of the same network (dynamic batch and length).
- ``onnx-int8``: that export with int8 weights (one scale per output channel) and int8
  activations quantized *per token* as they flow: each row of a matrix product gets its own
  scale, so a pair's scores do not depend on the rest of its batch, and no calibration data
  is needed. ONNX Runtime's integer kernels do the products (``MatMulInteger``).
- ``onnx-int8-static``: the export with int8 weights and *static* activation scales calibrated
  once on a fixed set of pairs (slower and less exact than ``onnx-int8``; kept for comparison).
- ``openvino``: the same float32 export compiled by OpenVINO for the CPU (float32 inference
  precision: the scores of torch float32); ``openvino-bf16``: compiled with bfloat16 inference
  precision, for CPUs with avx512_bf16 or AMX.

Exports and quantized graphs are built once into the cache folder (never committed).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import random
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from contradict.errors import ModelLoadError
from contradict.scoring.offline_model import cache_root

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

# 2: DeBERTa's relative attention on distances only (contradict.scoring.attention), fused QKV projection.
EXPORT_VERSION = 2
QUANTIZE_VERSION = 3
ROWS_VERSION = 1
OPSET = 17
# Padded lengths are rounded up to this for backends that build kernels per input shape.
SHAPE_MULTIPLE = 16
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
# Calibration: how many pairs set the activation scales, and where they come from by default.
CALIBRATION_PAIRS = 128
EXAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "examples"


class Backend(Protocol):
    """Runs padded batches: ``prepare`` on the tokenizer thread, ``run`` on the scoring thread."""

    name: str
    dtype: str
    device: str
    pads: bool
    shape_multiple: int

    def prepare(self, batch: dict[str, "np.ndarray"]) -> Any:
        """Make a padded batch ready to run (select inputs, pin memory); cheap, thread-safe."""
        ...

    def run(self, prepared: Any) -> "np.ndarray":
        """Logits for a prepared batch, float32, shape (batch, labels)."""
        ...


class TorchBackend:
    """A transformers network on one device, in float32, float16 or bfloat16."""

    pads = True

    def __init__(self, network: Any, device: "Any", dtype: str, input_names: Sequence[str]) -> None:
        import torch  # noqa: PLC0415

        self.name = "torch"
        self.dtype = dtype
        self.device = str(device)
        self._torch = torch
        self._device = device
        self._inputs = tuple(input_names)
        self._pin = device.type == "cuda"
        self.shape_multiple = 1 if dtype == "float32" else SHAPE_MULTIPLE
        wanted = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]
        self.network = network.to(device=device, dtype=wanted).eval()

    def prepare(self, batch: dict[str, "np.ndarray"]) -> dict[str, Any]:
        """CPU tensors sharing the numpy buffers; page-locked when they go to a GPU."""
        tensors = {k: self._torch.from_numpy(batch[k]) for k in self._inputs if k in batch}
        if self._pin:
            tensors = {k: v.pin_memory() for k, v in tensors.items()}
        return tensors

    def run(self, prepared: dict[str, Any]) -> "np.ndarray":
        torch = self._torch
        with torch.inference_mode():
            inputs = {k: v.to(self._device, non_blocking=True) for k, v in prepared.items()}
            logits = self.network(**inputs).logits
            return logits.float().cpu().numpy()


class OnnxBackend:
    """An ONNX Runtime session on the CPU with a fixed number of threads."""

    pads = True
    device = "cpu"
    shape_multiple = 1

    def __init__(self, path: Path, *, name: str, dtype: str, threads: int) -> None:
        import onnxruntime as ort  # noqa: PLC0415

        from contradict.privacy import disable_onnxruntime_events  # noqa: PLC0415

        disable_onnxruntime_events(ort)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelLoadError(f"cannot open {path} with ONNX Runtime: {exc}") from exc
        self.name = name
        self.dtype = dtype
        self.path = path
        self._inputs = tuple(i.name for i in self.session.get_inputs())
        self._output = self.session.get_outputs()[0].name

    def prepare(self, batch: dict[str, "np.ndarray"]) -> dict[str, "np.ndarray"]:
        """Only the inputs the graph declares (an export drops the ones the model ignores)."""
        return {k: batch[k] for k in self._inputs}

    def run(self, prepared: dict[str, "np.ndarray"]) -> "np.ndarray":
        return self.session.run([self._output], prepared)[0]


class OpenVinoBackend:
    """The float32 ONNX export compiled by OpenVINO for the CPU, in one inference stream.

    ``precision`` is OpenVINO's inference precision hint: ``f32`` keeps every operation in float32
    (OpenVINO would otherwise pick bfloat16 by itself on a CPU with AMX), ``bf16`` runs the matrix
    products in bfloat16. Compilation takes a few seconds per load; shapes are dynamic, and
    kernels are built (and cached) per input shape, so padded lengths are rounded to 16."""

    pads = True
    device = "cpu"
    shape_multiple = SHAPE_MULTIPLE

    def __init__(self, path: Path, *, name: str, dtype: str, precision: str, threads: int) -> None:
        try:
            import openvino as ov  # noqa: PLC0415
        except ImportError as exc:
            raise ModelLoadError(f"backend {name!r} needs OpenVINO: pip install openvino") from exc
        config = {
            "INFERENCE_PRECISION_HINT": precision,
            "INFERENCE_NUM_THREADS": threads,
            "NUM_STREAMS": 1,
            "PERFORMANCE_HINT": "LATENCY",
            # the tokenizer thread shares these cores: do not pin the inference threads to them
            "ENABLE_CPU_PINNING": False,
        }
        try:
            compiled = ov.Core().compile_model(str(path), "CPU", config)
        except Exception as exc:  # OpenVINO raises RuntimeError and its own types
            raise ModelLoadError(f"cannot compile {path} with OpenVINO: {exc.__class__.__name__}: {exc}") from exc
        self.name = name
        self.dtype = dtype
        self.path = path
        self.precision = compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()  # "f32" or "bf16"
        self._inputs = tuple(port.get_any_name() for port in compiled.inputs)
        self._request = compiled.create_infer_request()

    def prepare(self, batch: dict[str, "np.ndarray"]) -> dict[str, "np.ndarray"]:
        """Only the inputs the graph declares (an export drops the ones the model ignores)."""
        return {k: batch[k] for k in self._inputs}

    def run(self, prepared: dict[str, "np.ndarray"]) -> "np.ndarray":
        # one request, used by the scoring thread only; the result is copied out of its buffer
        return self._request.infer(prepared, share_inputs=True, share_outputs=False)[0]


# ----------------------------------------------------------------------------- export


def onnx_cache_dir(revision: str) -> Path:
    """Where exports of one checkpoint (named by its revision) are kept."""
    key = hashlib.sha256(f"{revision}\x00export-v{EXPORT_VERSION}".encode()).hexdigest()[:16]
    return cache_root() / "onnx" / key


def ensure_onnx(revision: str, load_network: Any, tokenizer: Any) -> Path:
    """The float32 ONNX export of a checkpoint, exported and checked once (``load_network()`` gives it)."""
    folder = onnx_cache_dir(revision)
    target = folder / "model.onnx"
    if target.is_file():
        return target
    log.info("exporting the NLI model to ONNX into %s (once)", folder)
    folder.mkdir(parents=True, exist_ok=True)
    network = load_network()
    with tempfile.TemporaryDirectory(dir=folder, prefix=".export-") as tmp:
        staging = Path(tmp) / "model.onnx"
        export_onnx(network, tokenizer, staging)
        check_export(network, tokenizer, staging)
        os.replace(staging, target)
    (folder / "export.json").write_text(json.dumps({"revision": revision, "opset": OPSET, "version": EXPORT_VERSION}))
    return target


def _probe(tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> dict[str, "np.ndarray"]:
    import numpy as np  # noqa: PLC0415

    encoded = tokenizer([p for p, _ in pairs], [h for _, h in pairs], padding=True, truncation=True, max_length=128, return_tensors="np")
    return {k: np.asarray(encoded[k], dtype=np.int64) for k in INPUT_NAMES if k in encoded}


def export_onnx(network: Any, tokenizer: Any, path: Path) -> None:
    """Export logits as a function of the tokenizer's inputs, with dynamic batch and sequence axes."""
    import torch  # noqa: PLC0415

    batch = _probe(tokenizer, [("A man plays a guitar on stage.", "A man plays music."), ("It rained.", "The ground is dry.")])
    names = list(batch)

    class Logits(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *tensors: "torch.Tensor") -> "torch.Tensor":
            return self.inner(**dict(zip(names, tensors, strict=True))).logits

    wrapper = Logits(network.float().cpu().eval()).eval()
    args = tuple(torch.from_numpy(batch[k]) for k in names)
    axes = {k: {0: "batch", 1: "sequence"} for k in names} | {"logits": {0: "batch"}}
    try:
        import warnings  # noqa: PLC0415

        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper, args, str(path), input_names=names, output_names=["logits"],
                dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, dynamo=False,
            )
    except Exception as exc:  # the exporter raises many kinds
        raise ModelLoadError(f"could not export the NLI model to ONNX: {exc.__class__.__name__}: {exc}") from exc


def check_export(network: Any, tokenizer: Any, path: Path, tolerance: float = 1e-3) -> None:
    """Compare the export with the network on a batch of another shape than the one it was traced with."""
    import numpy as np  # noqa: PLC0415
    import torch  # noqa: PLC0415

    batch = _probe(
        tokenizer,
        [
            ("The committee approved the budget for the new bridge after a long debate on Tuesday.", "The budget was rejected."),
            ("Prices rose.", "Prices fell sharply in March."),
            ("x", "y"),
        ],
    )
    backend = OnnxBackend(path, name="onnx", dtype="float32", threads=1)
    got = backend.run(backend.prepare(batch))
    with torch.inference_mode():
        want = network(**{k: torch.from_numpy(v) for k, v in batch.items()}).logits.float().numpy()
    diff = float(np.abs(got - want).max())
    if not diff <= tolerance:
        raise ModelLoadError(f"the ONNX export disagrees with the network by {diff:.2e} (> {tolerance}); use --backend torch")


# ----------------------------------------------------------------------------- int8, per-token scales


@dataclass(frozen=True, slots=True)
class RowQuantOptions:
    """How the per-token int8 graph is built: weight bits (8: one symmetric scale per output
    channel) and the smallest inner dimension worth an integer product."""

    weight_bits: int = 8
    min_inner: int = 16


def ensure_int8_rows(fp32_path: Path, options: RowQuantOptions = RowQuantOptions()) -> Path:
    """The per-token int8 graph of a float32 export, built once beside it."""
    target = fp32_path.parent / f"model-int8-rows-v{ROWS_VERSION}-w{options.weight_bits}.onnx"
    if target.is_file():
        return target
    log.info("quantizing the NLI model to int8 with per-token activation scales (once)")
    with tempfile.TemporaryDirectory(dir=fp32_path.parent, prefix=".quantize-") as tmp:
        staging = Path(tmp) / target.name
        count = quantize_rows(fp32_path, staging, options)
        if count == 0:
            raise ModelLoadError("no weight MatMul found to quantize in the exported graph; use --backend onnx")
        os.replace(staging, target)
    return target


def quantize_rows(fp32_path: Path, out_path: Path, options: RowQuantOptions = RowQuantOptions()) -> int:
    """Rewrite every ``MatMul(x, W)`` with a constant 2-D ``W`` as an integer product; return how many.

    For ``x`` of shape (..., K) and ``W`` (K, N): ``x`` is flattened to rows (M, K); each row gets
    the scale ``s = max|row| / 127`` and is rounded to uint8 around 128 (``QuantizeLinear`` along
    axis 0); ``MatMulInteger`` multiplies it with ``W`` rounded to int8 with one scale per output
    column; the int32 result is scaled back by ``s`` per row (``DequantizeLinear`` along axis 0)
    and by the column scales, then reshaped to (..., N). A row's result depends on that row
    alone, so a pair's scores are the same in any batch. Products that share an input share its
    quantization.
    """
    import numpy as np  # noqa: PLC0415
    import onnx  # noqa: PLC0415
    from onnx import TensorProto, helper, numpy_helper  # noqa: PLC0415

    model = onnx.load(str(fp32_path))
    graph = model.graph
    weights: dict[str, Any] = {t.name: t for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            weights[node.output[0]] = node.attribute[0].t
    qmax = 2 ** (options.weight_bits - 1) - 1
    extra: list[Any] = []

    def const(name: str, value: "np.ndarray") -> str:
        extra.append(numpy_helper.from_array(value, name))
        return name

    const("rows/inv127", np.array(1.0 / 127.0, np.float32))
    const("rows/eps", np.array(1e-12, np.float32))
    const("rows/zero", np.array(0.0, np.float32))
    const("rows/128f", np.array(128.0, np.float32))
    const("rows/zp", np.array(128, np.uint8))
    const("rows/start", np.array([0], np.int64))
    const("rows/last", np.array([-1], np.int64))
    nodes: list[Any] = []
    quantized: dict[tuple[str, int], tuple[str, str]] = {}  # (input, inner size) -> (uint8 rows, row scales)
    count = 0
    for node in graph.node:
        tensor = weights.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        w = numpy_helper.to_array(tensor) if tensor is not None else None
        if w is None or w.ndim != 2 or w.dtype != np.float32 or w.shape[0] < options.min_inner:
            nodes.append(node)
            continue
        inner, outer = w.shape
        x = node.input[0]
        p = f"rows{count}/"
        count += 1
        if (x, inner) not in quantized:
            q = f"rows/in{len(quantized)}/"
            nodes += [
                helper.make_node("Reshape", [x, const(q + "flat", np.array([-1, inner], np.int64))], [q + "x"]),
                helper.make_node("Abs", [q + "x"], [q + "abs"]),
                helper.make_node("ReduceMax", [q + "abs"], [q + "max"], axes=[1], keepdims=0),
                helper.make_node("Max", [q + "max", "rows/eps"], [q + "max1"]),
                helper.make_node("Mul", [q + "max1", "rows/inv127"], [q + "scale"]),
                # a uint8 zero point of 128 for each row (QuantizeLinear wants one per scale)
                helper.make_node("Mul", [q + "scale", "rows/zero"], [q + "z0"]),
                helper.make_node("Add", [q + "z0", "rows/128f"], [q + "z1"]),
                helper.make_node("Cast", [q + "z1"], [q + "zp"], to=TensorProto.UINT8),
                helper.make_node("QuantizeLinear", [q + "x", q + "scale", q + "zp"], [q + "q"], axis=0),
            ]
            quantized[(x, inner)] = (q + "q", q + "scale")
        rows, scale = quantized[(x, inner)]
        column = np.maximum(np.abs(w).max(axis=0), 1e-12) / qmax
        wq = np.clip(np.round(w / column), -qmax, qmax).astype(np.int8)
        nodes += [
            helper.make_node("Shape", [x], [p + "shape"]),
            helper.make_node("Slice", [p + "shape", "rows/start", "rows/last"], [p + "lead"]),
            helper.make_node("Concat", [p + "lead", const(p + "n", np.array([outer], np.int64))], [p + "out_shape"], axis=0),
            helper.make_node("MatMulInteger", [rows, const(p + "w", wq), "rows/zp"], [p + "acc"]),
            helper.make_node("DequantizeLinear", [p + "acc", scale], [p + "y0"], axis=0),
            helper.make_node("Mul", [p + "y0", const(p + "wscale", column.astype(np.float32))], [p + "y"]),
            helper.make_node("Reshape", [p + "y", p + "out_shape"], [node.output[0]]),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for n in graph.node for name in n.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + extra)
    onnx.save(model, str(out_path))
    return count


# ----------------------------------------------------------------------------- static int8


def calibration_pairs(source: Path | str | None = None, n: int = CALIBRATION_PAIRS, seed: int = 0) -> list[tuple[str, str]]:
    """A fixed calibration set of premise/hypothesis pairs.

    ``source`` is a JSON-lines file (optionally gzipped) with ``premise``/``hypothesis`` or
    ``sentence1``/``sentence2`` fields: use training data, never data you measure on. Without
    one, pairs are made from the sentences of ``examples/`` (a source checkout): every ordered
    pair of sentences from different documents, and some paragraph-long premises.
    """
    if source is None:
        source = os.environ.get("CONTRADICT_CALIBRATION") or None
    rng = random.Random(seed)
    if source is not None:
        pairs = list(_pairs_from_file(Path(source)))
        if not pairs:
            raise ModelLoadError(f"{source}: no premise/hypothesis pairs found for calibration")
    else:
        pairs = _pairs_from_examples(rng)
    rng.shuffle(pairs)
    return pairs[:n]


def _pairs_from_file(path: Path) -> Iterator[tuple[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            for number, line in enumerate(fh):
                if number >= 200_000:
                    break
                if not line.strip():
                    continue
                row = json.loads(line)
                premise = row.get("premise", row.get("sentence1"))
                hypothesis = row.get("hypothesis", row.get("sentence2"))
                if isinstance(premise, str) and isinstance(hypothesis, str) and premise.strip() and hypothesis.strip():
                    yield premise, hypothesis
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{path}: cannot read calibration pairs: {exc}") from exc


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TAG = re.compile(r"<[^>]+>")


def _pairs_from_examples(rng: random.Random) -> list[tuple[str, str]]:
    folder = EXAMPLES_DIR
    if not folder.is_dir():
        raise ModelLoadError(
            "the int8 backend needs calibration pairs: set CONTRADICT_CALIBRATION to a JSON-lines file of "
            "premise/hypothesis training pairs (examples/ is only in a source checkout)"
        )
    docs: list[list[str]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix in (".json", ".jsonl"):
            text = " ".join(json.loads(line).get("text", "") for line in text.splitlines() if line.strip())
        text = _TAG.sub(" ", text)
        sentences = [" ".join(s.split()) for s in _SENTENCE.split(text)]
        docs.append([s for s in sentences if 4 <= len(s.split()) <= 60])
    pairs = [(a, b) for i, doc in enumerate(docs) for a in doc for j, other in enumerate(docs) if i != j for b in other]
    sentences = [s for doc in docs for s in doc]
    for _ in range(max(len(pairs) // 8, 1)):
        start = rng.randrange(len(sentences))
        paragraph = " ".join(sentences[start : start + rng.randint(4, 8)])
        pairs.append((paragraph, rng.choice(sentences)))
    return pairs


def ensure_int8(fp32_path: Path, tokenizer: Any, max_length: int, calibration: Sequence[tuple[str, str]]) -> Path:
    """The statically quantized int8 graph for an export and a calibration set, built once."""
    digest = hashlib.sha256(json.dumps([QUANTIZE_VERSION, max_length, list(calibration)]).encode()).hexdigest()[:12]
    target = fp32_path.parent / f"model-int8-static-{digest}.onnx"
    if target.is_file():
        return target
    log.info("quantizing the NLI model to int8 with static scales from %d calibration pairs (once)", len(calibration))
    with tempfile.TemporaryDirectory(dir=fp32_path.parent, prefix=".quantize-") as tmp:
        staging = Path(tmp) / target.name
        quantize_int8(fp32_path, staging, tokenizer, max_length, calibration, Path(tmp))
        os.replace(staging, target)
    return target


@dataclass(frozen=True, slots=True)
class QuantizeOptions:
    """How the int8 graph is built. Defaults: the weight MatMuls only (not attention's), except
    the feed-forward output projections (``keep_float``: their GELU inputs have outliers that
    one static scale serves badly; quantizing them too doubles the error), weight scales per
    output channel, 7-bit weights (``reduce_range``: AVX2 CPUs without VNNI multiply u8 x s8
    pairs into saturating int16, which full 8-bit per-channel weights overflow)."""

    per_channel: bool = True
    linear_only: bool = True
    reduce_range: bool = True
    keep_float: str = r"layer\.\d+/output/dense/"


def quantize_int8(
    fp32_path: Path,
    out_path: Path,
    tokenizer: Any,
    max_length: int,
    calibration: Sequence[tuple[str, str]],
    workdir: Path,
    options: QuantizeOptions = QuantizeOptions(),
) -> None:
    """Quantize the weight MatMuls to int8 (QDQ), activation scales fixed by min/max calibration."""
    import numpy as np  # noqa: PLC0415
    import onnx  # noqa: PLC0415
    from onnxruntime.quantization import (  # noqa: PLC0415
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process  # noqa: PLC0415

    prepared = workdir / "pre.onnx"
    quant_pre_process(str(fp32_path), str(prepared), skip_symbolic_shape=True)
    graph = onnx.load(str(prepared), load_external_data=False).graph
    weights = {t.name for t in graph.initializer}
    nodes = [
        n.name
        for n in graph.node
        if n.op_type == "MatMul"
        and (not options.linear_only or any(i in weights for i in n.input))
        and not (options.keep_float and re.search(options.keep_float, n.name))
    ]
    if not nodes:
        raise ModelLoadError("no weight MatMul found to quantize in the exported graph; use --backend onnx")
    ordered = sorted(calibration, key=lambda p: len(p[0]) + len(p[1]))

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._chunks = iter([ordered[i : i + 8] for i in range(0, len(ordered), 8)])

        def get_next(self) -> dict[str, "np.ndarray"] | None:
            chunk = next(self._chunks, None)
            if chunk is None:
                return None
            encoded = tokenizer([p for p, _ in chunk], [h for _, h in chunk], padding=True, truncation=True, max_length=max_length, return_tensors="np")
            names = {i.name for i in graph.input}
            return {k: np.asarray(encoded[k], dtype=np.int64) for k in INPUT_NAMES if k in names}

    try:
        quantize_static(
            str(prepared), str(out_path), Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=options.per_channel,
            reduce_range=options.reduce_range,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            nodes_to_quantize=nodes,
            calibrate_method=CalibrationMethod.MinMax,
            extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
        )
    except Exception as exc:  # onnxruntime's quantizer raises many kinds
        raise ModelLoadError(f"could not quantize the NLI model to int8: {exc.__class__.__name__}: {exc}") from exc
