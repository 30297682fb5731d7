"""scan() and scan_texts(): texts in memory, documents read before any model loads, and progress callbacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from contradict import report as report_io
from contradict.errors import NoDocumentsError, UsageError
from contradict.claims.extract import ExtractOptions
from contradict.ingest import text_document
from contradict.pairing.candidates import PairingOptions, load_encoder
from contradict.pipeline import ScanOptions, scan, scan_texts
from tests.conftest import EXAMPLES

TEXTS = [
    "Officials said 15,000 residents were evacuated from the valley on Tuesday.",
    "More than 40,000 residents were evacuated from the valley, the agency said.",
]
OPTIONS = ScanOptions(pairing=PairingOptions(min_similarity=-1.0, top_k=2))


@pytest.fixture(scope="module")
def tiny_encoder(tiny_encoder_dir: Path):
    return load_encoder(str(tiny_encoder_dir))


class Recorder:
    """A ProgressFn that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        self.calls.append((stage, done, total))

    def stages(self) -> list[str]:
        return list(dict.fromkeys(stage for stage, _, _ in self.calls))

    def of(self, stage: str) -> list[tuple[int, int | None]]:
        return [(done, total) for s, done, total in self.calls if s == stage]


def test_scan_texts_gives_a_valid_report_of_texts_in_memory(tiny_nli, tiny_encoder):
    report = scan_texts(TEXTS, OPTIONS, model=tiny_nli, encoder=tiny_encoder)
    assert [d.id for d in report.documents] == ["text-1", "text-2"] and report.input == "(in memory)"
    assert report.claims and report.pairs
    for pair in report.pairs:
        assert pair.claim_a.split(":")[0] != pair.claim_b.split(":")[0]
    report_io.validate(report_io.to_dict(report))


def test_scan_texts_takes_a_mapping_or_documents(tiny_nli, tiny_encoder):
    by_id = scan_texts({"wire": TEXTS[0], "herald": TEXTS[1]}, OPTIONS, model=tiny_nli, encoder=tiny_encoder)
    assert [d.id for d in by_id.documents] == ["wire", "herald"]
    dated = [text_document(TEXTS[0], "wire", title="Wire", date=dt.date(2026, 3, 3)), text_document(TEXTS[1], "herald")]
    report = scan_texts(dated, OPTIONS, model=tiny_nli, encoder=tiny_encoder)
    assert report.documents[0].title == "Wire" and report.documents[0].date == dt.date(2026, 3, 3)
    said_on = {c.doc_id: c.said_on for c in report.claims}
    assert said_on["wire"] == dt.date(2026, 3, 3)
    # the same texts give the same pairs and scores however they are passed
    assert [(p.contradiction_score, p.label) for p in by_id.pairs] == [(p.contradiction_score, p.label) for p in report.pairs]


@pytest.mark.parametrize(("texts", "message"), [([], "no texts"), (["  "], "has no text"), ({"a": "A.", "b": ""}, "'b' has no text")])
def test_scan_texts_refuses_empty_input(texts, message):
    with pytest.raises(UsageError, match=message):
        scan_texts(texts, OPTIONS, model=object(), encoder=object())  # type: ignore[arg-type]


def test_scan_texts_refuses_duplicate_ids():
    docs = [text_document("A claim.", "same"), text_document("Another claim.", "same")]
    with pytest.raises(UsageError, match="given more than once: same"):
        scan_texts(docs, OPTIONS, model=object(), encoder=object())  # type: ignore[arg-type]


def test_a_folder_without_documents_fails_before_any_model_loads(tmp_path: Path):
    (tmp_path / "a.jsonl").write_text('{"body": "The dam held."}\n', encoding="utf-8")
    # the model does not exist: loading it first would raise ModelLoadError instead
    with pytest.raises(NoDocumentsError, match="--json-text-field"):
        scan(tmp_path, ScanOptions(model="/no/such/model"))


def test_progress_hears_every_stage_in_order_and_ends_complete(tiny_nli, tiny_encoder):
    progress = Recorder()
    report = scan(EXAMPLES, OPTIONS, model=tiny_nli, encoder=tiny_encoder, progress=progress)
    assert progress.stages() == ["load", "extract", "pair", "score"]
    for stage in progress.stages():
        calls = progress.of(stage)
        done = [d for d, _ in calls]
        assert done == sorted(done) and done[0] == 0, (stage, calls)
        assert calls[-1][0] == calls[-1][1], (stage, calls)  # ends with done == total
    assert progress.of("extract")[-1] == (len(report.documents), len(report.documents))
    assert progress.of("pair")[-1][1] == len(report.claims)
    assert progress.of("score")[-1][1] == 2 * report.pair_counts.scored
    assert len(progress.of("score")) > 2  # batch by batch, not only start and end (tiny model: 4 pairs a batch)


def test_progress_changes_no_result(tiny_nli, tiny_encoder):
    quiet = scan_texts(TEXTS, OPTIONS, model=tiny_nli, encoder=tiny_encoder)
    shown = scan_texts(TEXTS, OPTIONS, model=tiny_nli, encoder=tiny_encoder, progress=Recorder())
    assert [(p.id, p.contradiction_score, p.label) for p in quiet.pairs] == [(p.id, p.contradiction_score, p.label) for p in shown.pairs]


def test_model_progress_counts_pairs_batch_by_batch(tiny_nli):
    pairs = [(f"Claim {i} holds.", "It does not.") for i in range(10)]
    seen: list[int] = []
    with_progress = tiny_nli.predict(pairs, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 10 and len(seen) >= 3  # batches of at most 4
    assert [p.scores for p in with_progress] == [p.scores for p in tiny_nli.predict(pairs)]


def test_encoder_progress_by_chunks_gives_the_same_embeddings(tiny_encoder, monkeypatch: pytest.MonkeyPatch):
    texts = [f"Sentence number {i} is {'long ' * i}here." for i in range(5)]
    whole = tiny_encoder.encode(texts)
    monkeypatch.setattr("contradict.pairing.candidates.ENCODE_CHUNK", 2)
    seen: list[int] = []
    chunked = tiny_encoder.encode(texts, progress=seen.append)
    assert seen == [2, 4, 5]
    np.testing.assert_allclose(chunked, whole, atol=1e-5)


def test_a_missing_spacy_pipeline_fails_before_the_nli_model_loads():
    from contradict.errors import ParserLoadError

    with pytest.raises(ParserLoadError, match="no-such-pipeline"):
        scan_texts(TEXTS, ScanOptions(model="/no/such/model", extract=ExtractOptions(spacy_model="/tmp/no-such-pipeline")))


def test_a_missing_device_fails_before_the_spacy_pipeline_loads(monkeypatch: pytest.MonkeyPatch):
    import contradict.pipeline
    from contradict.errors import DeviceError

    def must_not_load(name: str):
        raise AssertionError("the spaCy pipeline loaded before the device was checked")

    monkeypatch.setattr(contradict.pipeline, "load_parser", must_not_load)
    with pytest.raises(DeviceError, match="unknown device"):
        scan_texts(TEXTS, ScanOptions(device="gpu"))
