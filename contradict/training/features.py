"""Frozen-backbone features for training the three-way head: the last layer's [CLS] state.

Extraction is the only expensive step (one forward pass per pair); it appends chunks to a
folder so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from contradict.evaluation.datasets import Example

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


def pair_key(premise: str, hypothesis: str) -> str:
    """A content key for a pair, so cached features survive any change of row order."""
    return hashlib.sha1(f"{premise}\x00{hypothesis}".encode()).hexdigest()


def load_features(folder: Path) -> dict[str, np.ndarray]:
    """Every cached feature row in a folder, by pair key."""
    table: dict[str, np.ndarray] = {}
    for path in sorted(folder.glob("chunk-*.npz")):
        if path.name.endswith(".tmp.npz"):
            continue
        data = np.load(path)
        table.update(zip(data["keys"].tolist(), data["x"], strict=True))
    return table


def extract_to(folder: Path, examples: Sequence[Example], model, tokenizer, max_length: int, chunk: int = 512) -> dict[str, np.ndarray]:
    """Extract features for the examples not cached yet, chunk by chunk (resumable); return all of them."""
    folder.mkdir(parents=True, exist_ok=True)
    table = load_features(folder)
    todo = [e for e in dict.fromkeys(examples) if pair_key(e.premise, e.hypothesis) not in table]
    log.info("features: %d cached, %d to extract", len(examples) - len(todo), len(todo))
    number = len(list(folder.glob("chunk-*.npz")))
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        keys = np.array([pair_key(e.premise, e.hypothesis) for e in part])
        x = cls_features(model, tokenizer, [(e.premise, e.hypothesis) for e in part], max_length)
        tmp = folder / f"chunk-{number:05d}.tmp.npz"
        np.savez(tmp, x=x, keys=keys)
        tmp.rename(folder / f"chunk-{number:05d}.npz")
        table.update(zip(keys.tolist(), x, strict=True))
        number += 1
        log.info("features: %d/%d extracted", min(start + chunk, len(todo)), len(todo))
    return table
