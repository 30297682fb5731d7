"""The report's JSON (schema 2.2: each pair carries both claims) and the pairs in jsonl, csv, markdown and table form."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import jsonschema
import pytest

from contradict import report as report_io
from contradict.records import Claim, DirectionScore, Document, Evidence, LabelScores, Prediction, ScoredPair
from contradict.report import PairCounts, Report
from contradict.scoring.nli import ModelInfo

# text a reader's tools must not choke on: a delimiter, quotes, a line break, markup, a pipe
AWKWARD = 'Officials said "15,000, not 40,000" | left\nhome <script>alert(1)</script> & more'


def _pair(pid: str, a: str, b: str, label: str, kind: str | None, confidence: float, evidence: tuple[Evidence, ...]) -> ScoredPair:
    scores = LabelScores(contradiction=0.9, entailment=0.05, neutral=0.05)
    prediction = Prediction(label="contradiction", scores=scores, raw=(0.9, 0.05, 0.05))
    return ScoredPair(
        id=pid, claim_a=a, claim_b=b, similarity=0.8, label=label, contradiction_score=0.9, scores=scores,  # type: ignore[arg-type]
        entailment_direction=None, directions=(DirectionScore(a, b, prediction), DirectionScore(b, a, prediction)),
        kind=kind, confidence=confidence, evidence=evidence, sources=("neighbour", "quantity"),  # type: ignore[arg-type]
    )


@pytest.fixture()
def small_report() -> Report:
    """Two documents, three claims, a contradiction (awkward text, a resolved speaker) and a corroboration."""
    docs = (
        Document(id="a.txt", path="news/a.txt", title="A", date=dt.date(2026, 3, 4), text="x" * 200, content_hash="sha256:a"),
        Document(id="b.txt", path="news/b.txt", title="B", date=None, text="y" * 200, content_hash="sha256:b"),
    )
    claims = (
        Claim(id="a.txt:c1", doc_id="a.txt", text=AWKWARD, span=(0, 10), statement=AWKWARD, speaker="she",
              speaker_resolved="Mayor Ana Osei", said_on=dt.date(2026, 3, 4)),
        Claim(id="a.txt:c2", doc_id="a.txt", text="The dam held.", span=(20, 33), statement="The dam held."),
        Claim(id="b.txt:c1", doc_id="b.txt", text="About 40,000 left, the agency said.", span=(0, 35),
              statement="About 40,000 left.", speaker="the agency"),
    )
    pairs = (
        _pair("p1", "a.txt:c1", "b.txt:c1", "contradiction", "factual", 0.91,
              (Evidence("model", "a->b: contradiction (contradiction 0.90, entailment 0.05, neutral 0.05)"),
               Evidence("quantity", "15,000 vs 40,000 (resident) | odd")))
        ,
        _pair("p2", "a.txt:c2", "b.txt:c1", "entailment", None, 0.7, (Evidence("model", "a->b: entailment"),)),
    )
    model = ModelInfo(id="tiny", revision="sha256:0", device="cpu", dtype="float32", card="tiny")
    return Report(input="news", model=model, encoder="enc", documents=docs, languages={"a.txt": "en", "b.txt": "en"},
                  skipped=(), claims=claims, dropped={}, pairs=pairs, pair_counts=PairCounts(possible=2, considered=2, scored=2),
                  batches=(), timings_s={"total": 1.0})


def test_each_pair_carries_both_claims_text_document_speaker_and_date(small_report: Report):
    data = report_io.to_dict(small_report)
    report_io.validate(data)
    assert data["schema_version"] == report_io.SCHEMA_VERSION == "2.3"
    first = data["pairs"][0]
    assert first["claim_a"] == first["a"]["claim"] == "a.txt:c1" and first["claim_b"] == first["b"]["claim"] == "b.txt:c1"
    assert first["a"] == {"claim": "a.txt:c1", "document": "a.txt", "path": "news/a.txt", "text": AWKWARD,
                          "statement": AWKWARD, "speaker": "Mayor Ana Osei", "said_on": "2026-03-04"}
    assert first["b"]["speaker"] == "the agency" and first["b"]["said_on"] is None
    assert first["b"]["text"] == "About 40,000 left, the agency said." and first["b"]["statement"] == "About 40,000 left."
    assert [c["id"] for c in data["claims"]] == ["a.txt:c1", "a.txt:c2", "b.txt:c1"]  # the claims list stays


def test_the_schema_rejects_a_pair_without_its_claims(small_report: Report):
    data = report_io.to_dict(small_report)
    del data["pairs"][0]["a"]
    with pytest.raises(jsonschema.ValidationError, match="'a' is a required property"):
        report_io.validate(data)
    data = report_io.to_dict(small_report)
    data["schema_version"] = "2.1"
    with pytest.raises(jsonschema.ValidationError):
        report_io.validate(data)


def test_jsonl_is_one_valid_pair_a_line_in_report_order(small_report: Report):
    text = report_io.render(small_report, "jsonl")
    lines = text.splitlines()
    assert len(lines) == 2 and text.endswith("\n")
    rows = [json.loads(line) for line in lines]
    for row in rows:
        report_io.validate(row, "pair")
    assert rows == report_io.to_dict(small_report)["pairs"]


def test_csv_parses_back_with_the_csv_module(small_report: Report):
    rows = list(csv.DictReader(io.StringIO(report_io.render(small_report, "csv"), newline="")))
    assert tuple(rows[0]) == report_io.CSV_FIELDS
    assert [r["id"] for r in rows] == ["p1", "p2"]
    first = rows[0]
    assert first["a_statement"] == AWKWARD  # commas, quotes, a line break and a pipe survive the round trip
    assert first["a_speaker"] == "Mayor Ana Osei" and first["a_said_on"] == "2026-03-04" and first["a_document"] == "a.txt"
    assert first["b_speaker"] == "the agency" and first["b_said_on"] == ""
    assert first["label"] == "contradiction" and first["kind"] == "factual" and float(first["confidence"]) == 0.91
    assert first["evidence"].startswith("model: a->b: contradiction") and "quantity: 15,000 vs 40,000 (resident) | odd" in first["evidence"]
    assert first["sources"] == "neighbour+quantity" and rows[1]["kind"] == ""


def _cells(line: str) -> list[str]:
    """Split a Markdown table row at its unescaped pipes."""
    cells, cell, escaped = [], "", False
    for ch in line.strip()[1:-1]:
        if ch == "|" and not escaped:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
        escaped = ch == "\\" and not escaped
    return [*cells, cell.strip()]


def test_markdown_is_a_table_whose_cells_text_cannot_break(small_report: Report):
    lines = report_io.render(small_report, "markdown").splitlines()
    assert len(lines) == 2 + 2  # header, rule, one row a pair: the line break in the claim did not start a row
    header = _cells(lines[0])
    assert len(header) == 9
    for line in lines[2:]:
        assert len(_cells(line)) == len(header)
    row = dict(zip(header, _cells(lines[2]), strict=True))
    assert row["label"] == "contradiction" and row["kind"] == "factual" and row["confidence"] == "0.91"
    assert "<script>" not in lines[2] and "&lt;script&gt;" in row["claim A"] and "\\|" in row["claim A"]
    assert row["speaker, date, document A"] == "Mayor Ana Osei, 2026-03-04, a.txt"
    assert row["speaker, date, document B"] == "the agency, b.txt"


def test_table_shows_both_claims_speakers_dates_documents_and_evidence(small_report: Report):
    text = report_io.render(small_report, "table", width=400)
    for expected in ("label / kind", "contradiction", "factual", "0.91", "About 40,000 left.", "Mayor Ana Osei · 2026-03-04 · a.txt",
                     "the agency · b.txt", "quantity: 15,000 vs 40,000 (resident) | odd", "model: a->b: contradiction", "entailment"):
        assert expected in text, expected
    assert "contradiction 0.90" not in text  # the model's verdict, not its numbers (they are in the report)
    assert "\x1b[" not in text  # plain text, no colour codes


def test_an_unknown_format_is_refused(small_report: Report):
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        report_io.render(small_report, "xml")
