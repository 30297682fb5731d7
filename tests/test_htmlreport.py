"""The HTML report without a browser: context segments, escaping, page data, document texts, the command."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contradict import htmlreport
from contradict import report as report_io
from contradict.cli import app
from contradict.htmlreport import (
    CLAIM,
    PARAGRAPH,
    SENTENCE,
    json_for_script,
    page_data,
    paragraph_bounds,
    render,
    segments,
)
from tests.conftest import EXAMPLES
from tests.report_factory import PAYLOAD_CLOSE, PAYLOAD_IMG, PAYLOAD_SCRIPT, news_report

runner = CliRunner()

TEXT = "Title line\n\nFirst sentence here. The dam broke on Monday, officials said. Last one.\n\nNext paragraph."


def claim_in(text: str, sentence: str, part: str) -> dict:
    start = text.index(sentence)
    offset = start + sentence.index(part)
    return {"text": part, "span": [offset, offset + len(part)], "spans": [[offset, offset + len(part)]],
            "context": sentence, "context_span": [start, start + len(sentence)]}


def joined(pieces: list) -> str:
    return "".join(text for text, _ in pieces)


def test_a_claim_is_marked_inside_its_sentence_inside_its_paragraph():
    claim = claim_in(TEXT, "The dam broke on Monday, officials said.", "The dam broke on Monday")
    pieces = segments(claim, TEXT)
    assert pieces == [
        ["First sentence here. ", PARAGRAPH],
        ["The dam broke on Monday", CLAIM],
        [", officials said.", SENTENCE],
        [" Last one.", PARAGRAPH],
    ]


def test_without_the_document_text_the_sentence_is_the_context():
    claim = claim_in(TEXT, "The dam broke on Monday, officials said.", "The dam broke on Monday")
    assert segments(claim) == [["The dam broke on Monday", CLAIM], [", officials said.", SENTENCE]]
    edited = TEXT.replace("The dam", "A dam")  # the span no longer matches: the text is not used
    assert segments(claim, edited) == segments(claim)
    assert segments({"text": "Only text"}) == [["Only text", CLAIM]]


def test_an_atomic_claim_marks_only_its_pieces():
    sentence = "The storm cut power to 3,000 homes and the river burst its banks."
    start = TEXT.index("Last one.")
    text = TEXT[:start] + sentence + TEXT[start + len("Last one."):]
    s = text.index(sentence)
    first = text.index("The storm cut power")
    pieces = [[first, first + len("The storm")], [text.index("burst its banks"), text.index("burst its banks") + 15]]
    claim = {"text": text[pieces[0][0]:pieces[1][1]], "span": [pieces[0][0], pieces[1][1]], "spans": pieces,
             "context": sentence, "context_span": [s, s + len(sentence)]}
    marked = [t for t, level in segments(claim, text) if level == CLAIM]
    assert marked == ["The storm", "burst its banks"]


def test_a_long_paragraph_is_cut_around_the_sentence_at_word_edges():
    before, after = "word " * 400, " more" * 400
    sentence = "The dam broke on Monday."
    text = before + sentence + after
    pieces = segments(claim_in(text, sentence, sentence), text)
    assert pieces[0][0].startswith("\u2026 word") and pieces[-1][0].endswith("more \u2026")
    assert pieces[0][1] == pieces[-1][1] == PARAGRAPH
    assert [sentence, CLAIM] in pieces
    assert len(joined(pieces)) < htmlreport.MAX_PARAGRAPH
    assert joined(pieces)[2:].startswith("word ") and joined(pieces)[:-2].endswith("more")


@pytest.mark.parametrize(
    ("text", "sentence", "expected"),
    [
        ("A.\n\nB one. B two.\n\nC.", "B two.", "B one. B two."),
        ("A.\nB one. B two.\nC.", "B two.", "B one. B two."),  # no blank lines: one paragraph per line
        ("Only. One.", "One.", "Only. One."),
        ("A.\n  \nB.", "B.", "B."),
    ],
)
def test_paragraph_bounds(text: str, sentence: str, expected: str):
    start = text.index(sentence)
    a, b = paragraph_bounds(text, start, start + len(sentence))
    assert text[a:b] == expected


def test_script_json_cannot_close_its_block_and_reads_back_the_same():
    value = {"t": "</script><script>x()</script> & <!-- \u2028", "n": [1, 2]}
    text = json_for_script(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_hostile_document_text_never_becomes_markup():
    report, texts = news_report()
    report = replace(report, input=f"folder{PAYLOAD_IMG}", notes=(f"a note {PAYLOAD_SCRIPT}",))
    html = render(report_io.to_dict(report), texts)
    assert re.findall(r"<script\b[^>]*>", html, re.IGNORECASE) == ['<script type="application/json" id="report-data">', "<script>"]
    assert "<img" not in html.lower() and 'onerror="' not in html
    assert "a note &lt;script&gt;window.__pwned" in html  # the notes, the input and <title>: escaped by the template
    assert "<title>contradict: folder&lt;img src=x" in html
    for payload in (PAYLOAD_SCRIPT, PAYLOAD_IMG, PAYLOAD_CLOSE):
        assert payload not in html
    script = html.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = unescape(html.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0])
    assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp  # only the page's own script may run
    assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function", script)


def test_page_data_counts_pairs_by_label_and_keeps_dismissed_apart():
    report, texts = news_report()
    data = report_io.to_dict(report)
    data["triage"] = {"file": "t.json", "confirmed": [{"pair_id": "p0001", "key": "k", "decision": "confirmed", "note": None, "decided_at": "x"}],
                      "dismissed": [{"pair": data["pairs"].pop(0), "key": "k2", "decision": "dismissed", "note": "no", "decided_at": "y"}]}
    view = page_data(data, texts)
    assert [p["id"] for p in view["pairs"]] == ["p0001", "p0002", "p0003", "p0004", "p0005"]
    assert [p["id"] for p in view["dismissed"]] == ["p0000"] and view["dismissed"][0]["triage"]["note"] == "no"
    assert view["pairs"][0]["triage"]["decision"] == "confirmed"
    assert view["paragraphs"] is True
    wire = view["claims"]["wire.txt:c1"]
    assert [t for t, level in wire["ctx"] if level == CLAIM] == ["About 15,000 residents were evacuated overnight"]


def test_pairs_that_carry_their_claims_inline_render_without_the_claims_list():
    report, _ = news_report()
    data = report_io.to_dict(report)
    claims = {c["id"]: c for c in data.pop("claims")}
    data["claims"] = []
    for pair in data["pairs"]:
        pair["claim_a"], pair["claim_b"] = claims[pair["claim_a"]], claims[pair["claim_b"]]
    view = page_data(data)
    first = view["pairs"][0]
    assert view["claims"][first["a"]]["text"] == "About 15,000 residents were evacuated overnight"
    assert first["da"] == "wire.txt"
    sides = {"id": "py", "label": "entailment", "claim_a": "gone:c1", "claim_b": "gone:c2",  # schema 2.2's pair sides
             "a": {"claim": "gone:c1", "document": "d1", "text": "It rained.", "statement": "It rained.", "speaker": None},
             "b": {"claim": "gone:c2", "document": "d2", "text": "Rain fell.", "statement": "Rain fell.", "speaker": "Ann"}}
    view = page_data({"documents": [], "claims": [], "pairs": [sides]})
    assert view["pairs"][0]["da"] == "d1" and view["claims"]["gone:c2"]["speaker"] == "Ann"
    other = {"id": "px", "label": "contradiction", "text_a": "A said so.", "text_b": "B said not.", "doc_a": "x", "doc_b": "y"}
    view = page_data({"documents": [], "claims": [], "pairs": [other]})
    assert [d["id"] for d in view["documents"]] == ["x", "y"]
    assert view["claims"]["px:a"]["ctx"] == [["A said so.", CLAIM]]


def test_document_texts_are_kept_only_where_every_span_still_matches(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha.\n\nThe river rose on Monday.\n")
    (folder / "b.txt").write_text("Beta.\n\nThe river fell on Monday.\n")
    data = {"input": str(folder), "documents": [{"id": "a.txt", "path": "a.txt"}, {"id": "b.txt", "path": "b.txt"}],
            "claims": [{"id": "a:c1", "doc_id": "a.txt", "text": "The river rose on Monday.", "span": [8, 33]},
                       {"id": "b:c1", "doc_id": "b.txt", "text": "The river fell on Monday.", "span": [7, 32]}]}
    texts, note = htmlreport.document_texts(data)
    assert set(texts) == {"a.txt", "b.txt"} and note is None
    (folder / "b.txt").write_text("Beta, edited.\n\nThe river fell on Monday.\n")
    texts, note = htmlreport.document_texts(data)
    assert set(texts) == {"a.txt"} and "1 of 2 documents" in note
    texts, note = htmlreport.document_texts(data, tmp_path / "gone")
    assert texts == {} and "--documents" in note


def test_cli_report_writes_one_self_contained_page(tmp_path: Path, tiny_nli_dir: Path, tiny_encoder_dir: Path):
    out = tmp_path / "report.json"
    scan = runner.invoke(app, ["scan", str(EXAMPLES), "--out", str(out), "--model", str(tiny_nli_dir), "--encoder", str(tiny_encoder_dir),
                               "--device", "cpu", "--min-similarity", "-1", "--top-k", "2", "--spacy-model", "none"])
    assert scan.exit_code == 0, scan.output
    page = tmp_path / "html" / "report.html"
    result = runner.invoke(app, ["report", str(out), "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched
    data = json.loads(html.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    assert len(data["pairs"]) == len(json.loads(out.read_text())["pairs"])
    assert data["paragraphs"] is True  # examples/news was read again for paragraph context
    assert (page.stat().st_mode & 0o777) == 0o666 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such report"), ("{oops", "not JSON"), ('{"a": 1}', "not a contradict report"),
     (json.dumps({"schema_version": report_io.SCHEMA_VERSION, "documents": [], "claims": [], "pairs": []}),
      "does not follow the report schema")],
)
def test_cli_report_bad_input_is_one_line_and_exit_2(tmp_path: Path, content: str | None, message: str):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    result = runner.invoke(app, ["report", str(path), "--html", str(tmp_path / "x.html")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not (tmp_path / "x.html").exists()


def test_cli_report_applies_the_triage_file_beside_the_report(tmp_path: Path):
    report, _ = news_report()
    path = tmp_path / "report.json"
    report_io.write(report, path)
    assert runner.invoke(app, ["triage", str(path), "--dismiss", "p0001", "--note", "checked"]).exit_code == 0
    page = tmp_path / "r.html"
    result = runner.invoke(app, ["-v", "report", str(path), "--html", str(page)])
    assert result.exit_code == 0, result.output
    data = json.loads(page.read_text().split('id="report-data">', 1)[1].split("</script>", 1)[0])
    assert [p["id"] for p in data["dismissed"]] == ["p0001"]
    assert "p0001" not in [p["id"] for p in data["pairs"]]
    assert "1 dismissed" in result.stderr
    # changing one's mind puts it back, without scanning again
    assert runner.invoke(app, ["triage", str(path), "--confirm", "p0001"]).exit_code == 0
    assert runner.invoke(app, ["report", str(path), "--html", str(page)]).exit_code == 0
    data = json.loads(page.read_text().split('id="report-data">', 1)[1].split("</script>", 1)[0])
    assert data["dismissed"] == [] and "p0001" in [p["id"] for p in data["pairs"]]
