"""Frozen-backbone features for training the three-way head: the last layer's [CLS] state.

Extraction is the only expensive step (one forward pass per pair); it appends chunks to a
folder so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from contradict.datasets import Example

log = logging.getLogger(__name__)


def cls_features(model, tokenizer, pairs: Sequence[tuple[str, str]], max_length: int, batch_size: int = 32) -> np.ndarray:
    """The last encoder layer's first-token state for each (premise, hypothesis), float32 [n, hidden]."""
    import torch  # noqa: PLC0415

    rows = []
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], truncation=True,
                            max_length=max_length, padding=True, return_tensors="pt")
            enc.pop("token_type_ids", None)
            hidden = model.deberta(**enc).last_hidden_state[:, 0]
            rows.append((idx, hidden.float().numpy()))
    out = np.zeros((len(pairs), rows[0][1].shape[1] if rows else 0), dtype=np.float32)
    for idx, block in rows:
        out[idx] = block
    return out


def extract_to(folder: Path, examples: Sequence[Example], model, tokenizer, max_length: int, chunk: int = 512) -> None:
    """Write features for ``examples`` as numbered chunk files, skipping chunks already written."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = ("entailment", "neutral", "contradiction")
    for number, start in enumerate(range(0, len(examples), chunk)):
        path = folder / f"chunk-{number:05d}.npz"
        if path.exists():
            continue
        part = examples[start : start + chunk]
        x = cls_features(model, tokenizer, [(e.premise, e.hypothesis) for e in part], max_length)
        y = np.array([labels.index(e.label) for e in part], dtype=np.int64)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, x=x, y=y)
        tmp.rename(path)
        log.info("features: %d/%d", min(start + chunk, len(examples)), len(examples))


def load_features(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """All chunks of a feature folder, in order."""
    xs, ys = [], []
    for path in sorted(folder.glob("chunk-*.npz")):
        if path.name.endswith(".tmp.npz"):
            continue
        data = np.load(path)
        xs.append(data["x"])
        ys.append(data["y"])
    if not xs:
        return np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64)
    return np.concatenate(xs), np.concatenate(ys)
