"""The real offline models on a few pairs and on examples/ (slower, run in CI)."""

from __future__ import annotations

import json
import random

import pytest

from contradict import report as report_io
from contradict.pipeline import ScanOptions, scan

from .conftest import EXAMPLES

pytestmark = pytest.mark.integration

TROOPS = "The president ruled out sending US troops to Ukraine."


def test_ruled_out_vs_on_the_table_is_a_contradiction(real_nli):
    prediction = real_nli.predict([(TROOPS, "Sending US troops to Ukraine remains on the table.")])[0]
    assert prediction.label == "contradiction"


@pytest.mark.parametrize(
    "paraphrase",
    [
        "The president said US troops would not be sent to Ukraine.",
        "The president ruled out deploying American troops to Ukraine.",
    ],
)
def test_paraphrase_is_not_a_contradiction(real_nli, paraphrase):
    for premise, hypothesis in [(TROOPS, paraphrase), (paraphrase, TROOPS)]:
        assert real_nli.predict([(premise, hypothesis)])[0].label != "contradiction"


def test_unrelated_pair_is_neutral(real_nli):
    prediction = real_nli.predict([(TROOPS, "The stock market fell sharply on Tuesday.")])[0]
    assert prediction.label == "neutral"


def test_unrelated_pair_is_not_scored(real_encoder):
    from contradict.pairing import PairingOptions, choose_pairs
    from contradict.records import Claim

    texts = [("a", TROOPS), ("b", "The stock market fell sharply on Tuesday."), ("b", "Sending US troops to Ukraine remains on the table.")]
    claims = [Claim(id=f"{d}:c{i}", doc_id=d, text=t, span=(0, len(t)), statement=t) for i, (d, t) in enumerate(texts)]
    result = choose_pairs(claims, real_encoder.encode([c.statement for c in claims]), PairingOptions())
    assert [(p.claim_a, p.claim_b) for p in result.pairs] == [("a:c0", "b:c2")]


def test_real_model_scores_do_not_depend_on_batch(real_nli):
    pairs = [
        (TROOPS, "Sending US troops to Ukraine remains on the table."),
        ("Three people died in the fire.", "Five people died in the fire."),
        ("A man plays the guitar on a stage in front of a large crowd at night.", "A man is performing music."),
        ("The dam was inspected last year.", "The dam had not been inspected for ten years."),
    ]
    alone = [real_nli.predict([p])[0].raw for p in pairs]
    mixed = pairs * 2
    random.Random(0).shuffle(mixed)
    together = dict(zip(mixed, (p.raw for p in real_nli.predict(mixed)), strict=True))
    for pair, raw in zip(pairs, alone, strict=True):
        assert together[pair] == pytest.approx(raw, abs=1e-5)


PLANTED = [
    # (words in one claim, words in the other): the contradictions planted in examples/news
    ("15,000 residents", "40,000 residents"),
    ("will not send army troops", "remains on the table"),
    ("inspected last year", "not been inspected for ten years"),
    ("pay for the reconstruction of every damaged home", "would not pay for rebuilding private homes"),
]
NOISE = [
    "VALDORA-DAM", "By Mara Lind", "Photo:", "Share this", "Facebook", "Leave a comment", "Stadtverwaltung",
    "Home | World", "Related:", "Advertisement", "Join the conversation", "Tell us in the comments", "Gazette staff",
    "Published", "Copy link", "window.trackPageView", ".nav",
]


@pytest.fixture(scope="module")
def example_report(real_nli, real_encoder):
    return report_io.to_dict(scan(EXAMPLES, ScanOptions(), model=real_nli, encoder=real_encoder))


def test_examples_planted_contradictions_are_the_top_pairs(example_report):
    report_io.validate(example_report)
    claims = {c["id"]: c["statement"] for c in example_report["claims"]}
    top = example_report["pairs"][: len(PLANTED)]
    assert all(p["label"] == "contradiction" for p in top)
    found = set()
    for pair in top:
        a, b = claims[pair["claim_a"]], claims[pair["claim_b"]]
        for index, (x, y) in enumerate(PLANTED):
            if (x in a and y in b) or (x in b and y in a):
                found.add(index)
    assert found == set(range(len(PLANTED))), json.dumps([(claims[p["claim_a"]], claims[p["claim_b"]]) for p in top], indent=1)


def test_examples_no_noise_became_a_claim(example_report):
    for claim in example_report["claims"]:
        for noise in NOISE:
            assert noise not in claim["text"], (noise, claim["text"])


def test_examples_documents_titles_and_dates(example_report):
    docs = {d["path"]: d for d in example_report["documents"] if "#" not in d["id"]}
    assert docs["wire-2026-03-04.txt"]["date"] == "2026-03-04"
    assert docs["herald-2026-03-06.html"]["date"] == "2026-03-06"
    assert docs["herald-2026-03-06.html"]["title"] == "Valdora weighs sending troops as flood toll rises"
    assert docs["gazette-2026-03-05.md"]["date"] == "2026-03-05"
    assert all(d["language"] == "en" for d in example_report["documents"])
