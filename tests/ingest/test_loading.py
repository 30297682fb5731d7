"""Tests for contradict.ingest.loading: file types, encodings, symlinks, JSON records and header dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from pathlib import Path

import pytest

from contradict.errors import UsageError
from contradict.ingest.loading import LoadOptions, LoadResult, find_header_date, load_file, load_folder
from contradict.records import Document


def write(root: Path, rel: str, content: str | bytes) -> Path:
    """Write a fixture file under `root`, creating folders; text is written as UTF-8."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def symlink(link: Path, target: Path, *, is_dir: bool = False) -> None:
    """Make a symlink, or skip the test where the platform does not allow it."""
    try:
        link.symlink_to(target, target_is_directory=is_dir)
    except (OSError, NotImplementedError) as exc:
        pytest.skip(f"symlinks not available here: {exc}")


def reasons(result: LoadResult) -> dict[str, str]:
    """Skipped paths mapped to their reasons."""
    return {item.path: item.reason for item in result.skipped}


def only_document(root: Path, options: LoadOptions = LoadOptions()) -> Document:
    """Load `root` and return its single document, failing with the skip reasons otherwise."""
    result = load_folder(root, options)
    assert len(result.documents) == 1, reasons(result)
    return result.documents[0]


# --- every file type -------------------------------------------------------------------------

HTML_PAGE = """<!doctype html>
<html><head><title>  The   Page Title </title>
<style>body { color: red }</style>
<script>var secret = "script text";</script>
</head>
<body>
<nav><a href="/">Home</a><a href="/about">About</a></nav>
<h1>Main heading</h1>
<p>The first   paragraph has <b>bold</b> and <a href="#">a link</a>.</p>
<div>Second block<br>with a line break</div>
<noscript>noscript text</noscript>
<template><p>template text</p></template>
<!-- a comment -->
<ul><li>item one</li><li>item two</li></ul>
<script type="application/ld+json">{"json": "ld text"}</script>
</body></html>
"""

def _pdf(*pages: str) -> bytes:
    """A small PDF with one text line per page (Helvetica), written by hand: pypdf reads, it does not typeset."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        page_id, content_id = len(objects) + 1, len(objects) + 2
        kids.append(f"{page_id} 0 R")
        stream = f"BT /F1 11 Tf 40 700 Td ({text}) Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
                       "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_pdf_text_by_page(tmp_path: Path) -> None:
    write(tmp_path, "report.pdf", _pdf("Kessel dam report, March 4, 2026", "The dam was inspected in 2025."))
    document = only_document(tmp_path)
    assert document.text == "Kessel dam report, March 4, 2026\n\nThe dam was inspected in 2025."
    assert (document.title, document.date) == ("Kessel dam report, March 4, 2026", dt.date(2026, 3, 4))


def test_scanned_pdf_without_text_layer_is_skipped(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    with (tmp_path / "scan.pdf").open("wb") as handle:
        writer.write(handle)
    result = load_folder(tmp_path)
    assert [(s.path, s.reason) for s in result.skipped] == [("scan.pdf", "PDF has no text layer (1 pages; a scanned document?)")]


def test_broken_pdf_and_word_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "bad.pdf", b"%PDF-1.4 not really")
    write(tmp_path, "bad.docx", b"PK not a zip")
    result = load_folder(tmp_path)
    assert sorted(s.path for s in result.skipped) == ["bad.docx", "bad.pdf"]
    assert all(s.reason.startswith(("could not read PDF", "could not read Word")) for s in result.skipped)


def test_word_paragraphs_and_title(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.core_properties.title = "Flood briefing"
    word.add_paragraph("Prepared 5 March 2026")
    word.add_paragraph("")
    word.add_paragraph("The Kessel  dam collapsed on Tuesday.")
    word.save(str(tmp_path / "brief.docx"))
    document = only_document(tmp_path)
    assert document.text == "Prepared 5 March 2026\n\nThe Kessel dam collapsed on Tuesday."
    assert (document.title, document.date) == ("Flood briefing", dt.date(2026, 3, 5))


#: The visible-text walker (the fallback when trafilatura finds no article), tested on its own.
WALKER = LoadOptions(main_content=False)

ARTICLE_PAGE = """<!doctype html>
<html><head><title>Dam fails in Kessel | The Herald</title>
<meta property="article:published_time" content="2026-03-06T08:00:00Z"></head>
<body>
<div class="cookie-banner">We use cookies to personalise content. Accept all cookies</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="ticker">MARKETS: Index up 2% | Oil down 1%</div>
<main><article>
<h1>Dam fails in Kessel</h1>
<p>The Kessel dam collapsed early on Tuesday after days of heavy rain, flooding three villages in the valley below it.</p>
<p>More than 40,000 residents were evacuated from the Orna valley, according to the civil protection agency, which said the water was still rising.</p>
<p>Engineers at the national water authority said the dam had not been inspected for ten years and that its spillway gates had jammed.</p>
</article></main>
<aside class="newsletter"><h3>Newsletter</h3><p>Sign up for our morning briefing and get the news first.</p></aside>
<footer><p>Copyright 2026 The Herald. All rights reserved.</p><a href="/about">About us</a> <a href="/jobs">Jobs</a></footer>
</body></html>"""


def test_html_main_content_leaves_out_menus_tickers_newsletters_and_footers(tmp_path: Path) -> None:
    write(tmp_path, "herald.html", ARTICLE_PAGE)
    document = only_document(tmp_path)
    assert "The Kessel dam collapsed early on Tuesday" in document.text
    assert "had not been inspected for ten years" in document.text
    for furniture in ("cookies", "Sport", "MARKETS", "Sign up", "Copyright", "Jobs"):
        assert furniture not in document.text
    assert (document.title, document.date) == ("Dam fails in Kessel | The Herald", dt.date(2026, 3, 6))


def test_html_falls_back_to_visible_text_without_an_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    write(tmp_path, "page.html", HTML_PAGE)
    assert only_document(tmp_path).text == HTML_TEXT


HTML_TEXT = (
    "Home About\n\nMain heading\n\nThe first paragraph has bold and a link.\n\n"
    "Second block\nwith a line break\n\nitem one\n\nitem two"
)


@pytest.mark.parametrize(
    ("name", "content", "text", "title"),
    [  # text None: the file content, unchanged
        ("note.txt", "First line is the title\n\nBody text here.\n", None, "First line is the title"),
        ("note.md", "# Heading Title #\n\nSome *markdown* text.", None, "Heading Title"),
        ("note.markdown", "Preamble line\n\n## Second Level\n\nBody.", None, "Second Level"),
        ("page.html", HTML_PAGE, HTML_TEXT, "The Page Title"),
        ("page.htm", "<p>No title tag.</p><p>Second.</p>", "No title tag.\n\nSecond.", "No title tag."),
        ("one.json", json.dumps({"text": "Object text.", "title": "A title"}), "Object text.", "A title"),
        ("many.jsonl", json.dumps({"text": "Line text.\nMore."}) + "\n", "Line text.\nMore.", "Line text."),
    ],
)
def test_each_file_type(tmp_path: Path, name: str, content: str, text: str | None, title: str) -> None:
    write(tmp_path, name, content)
    document = only_document(tmp_path, WALKER)
    text = content if text is None else text
    assert (document.text, document.title, document.path) == (text, title, name)
    assert document.content_hash == "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_html_keeps_visible_text_only(tmp_path: Path) -> None:
    write(tmp_path, "page.html", HTML_PAGE)
    text = only_document(tmp_path, WALKER).text
    for hidden in ("script text", "color: red", "noscript text", "template text", "a comment", "ld text"):
        assert hidden not in text
    assert "Home About" in text  # navigation is kept here; the claims stage drops it


@pytest.mark.parametrize(
    ("markup", "title"),
    [
        ("<html><head><title>From title</title></head><body><h1>From h1</h1><p>x</p></body>", "From title"),
        ("<html><body><h1>From <i>h1</i></h1><p>x</p></body></html>", "From h1"),
        ("<html><body><svg><title>icon</title></svg><p>First paragraph</p></body></html>", "First paragraph"),
    ],
)
def test_html_title(tmp_path: Path, markup: str, title: str) -> None:
    write(tmp_path, "page.html", markup)
    assert only_document(tmp_path).title == title


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<head><meta property="article:published_time" content="2026-03-04T09:00:00Z"></head><p>x</p>',
         dt.date(2026, 3, 4)),
        ('<head><meta name="date" content="2025-12-31"></head><p>x</p>', dt.date(2025, 12, 31)),
        ('<p>By A. Writer <time datetime="2024-02-29">yesterday</time></p>', dt.date(2024, 2, 29)),
        ("<p>Published March 4, 2026</p><p>Body.</p>", dt.date(2026, 3, 4)),
        ("<p>No date at all.</p>", None),
    ],
)
def test_html_date(tmp_path: Path, markup: str, expected: dt.date | None) -> None:
    write(tmp_path, "page.html", f"<html>{markup}</html>")
    assert only_document(tmp_path).date == expected


def test_html_pre_keeps_lines_and_cells_get_spaces(tmp_path: Path) -> None:
    write(tmp_path, "t.html", "<pre>line  one\n  line two</pre><table><tr><td>a</td><td>b</td></tr></table>")
    assert only_document(tmp_path, WALKER).text == "line one\nline two\n\na b"


def test_markdown_title_only_from_an_early_heading(tmp_path: Path) -> None:
    body = "\n".join(f"Line {i}" for i in range(10)) + "\n# Late heading\n"
    write(tmp_path, "late.md", body)
    assert only_document(tmp_path).title == "Line 0"


def test_long_first_line_title_is_clipped(tmp_path: Path) -> None:
    write(tmp_path, "long.txt", "word " * 100)
    title = only_document(tmp_path).title
    assert len(title) <= 200 and title.startswith("word word")


# --- folders, order, ids ---------------------------------------------------------------------


def test_nested_folders_sorted_with_relative_posix_paths(tmp_path: Path) -> None:
    for rel in ("b/z.txt", "a/deep/er/y.md", "a.txt", "c.json"):
        write(tmp_path, rel, json.dumps({"text": "json"}) if rel.endswith(".json") else f"text of {rel}")
    write(tmp_path, ".hidden/secret.txt", "hidden")
    write(tmp_path, ".notes.txt", "hidden")
    write(tmp_path, "b/.git/config.txt", "hidden")
    result = load_folder(str(tmp_path))
    paths = [d.path for d in result.documents]
    assert paths == sorted(paths) == ["a.txt", "a/deep/er/y.md", "b/z.txt", "c.json"]
    assert [d.id for d in result.documents] == paths
    assert result.skipped == ()
    assert load_folder(tmp_path) == result  # deterministic


def test_single_file_as_root(tmp_path: Path) -> None:
    path = write(tmp_path, "sub/only.txt", "Just this one.")
    write(tmp_path, "sub/other.txt", "Not this one.")
    result = load_folder(path)
    assert [(d.id, d.text) for d in result.documents] == [("only.txt", "Just this one.")]


@pytest.mark.parametrize("make", ["missing", "fifo"])
def test_bad_root_raises_usage_error(tmp_path: Path, make: str) -> None:
    root = tmp_path / "nope"
    if make == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this platform")
        os.mkfifo(root)
    with pytest.raises(UsageError, match="nope"):
        load_folder(root)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("report.odt", "unsupported file type '.odt'"),
        ("IMAGE.PNG", "unsupported file type '.png'"),
        ("Makefile", "unsupported file type 'no extension'"),
    ],
)
def test_unsupported_type_listed(tmp_path: Path, name: str, reason: str) -> None:
    write(tmp_path, name, b"%PDF-1.7 whatever")
    write(tmp_path, "ok.txt", "fine")
    result = load_folder(tmp_path)
    assert reasons(result) == {name: reason}
    assert [d.path for d in result.documents] == ["ok.txt"]


def test_load_file_directly(tmp_path: Path) -> None:
    path = write(tmp_path, "dir/a.txt", "Hello.")
    documents, skipped = load_file(path, tmp_path)
    assert [d.id for d in documents] == ["dir/a.txt"] and skipped == []


def test_large_file_skipped(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", "x" * 101)
    write(tmp_path, "small.txt", "x" * 100)
    result = load_folder(tmp_path, LoadOptions(max_bytes=100))
    assert [d.path for d in result.documents] == ["small.txt"]
    assert "larger than max_bytes" in reasons(result)["big.txt"]


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.txt")
    assert reasons(load_folder(tmp_path)) == {"pipe.txt": "not a regular file"}


# --- encodings -------------------------------------------------------------------------------

CP1252_SENTENCE = "Over coffee at the café we felt a strange déjà vu, naïve as it sounds, about it."


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xef\xbb\xbfWith a UTF-8 BOM.", "With a UTF-8 BOM."),
        ("\ufeffUTF-16 LE, naïve.".encode("utf-16-le"), "UTF-16 LE, naïve."),
        ("\ufeffUTF-16 BE, naïve.".encode("utf-16-be"), "UTF-16 BE, naïve."),
        ("Plain UTF-8: déjà vu, 東京.".encode(), "Plain UTF-8: déjà vu, 東京."),
        (CP1252_SENTENCE.encode("cp1252"), CP1252_SENTENCE),
        ("Das Café an der Straße: Bär, Möwe, Grüße und Äpfel für alle Gäste.".encode("latin-1"),
         "Das Café an der Straße: Bär, Möwe, Grüße und Äpfel für alle Gäste."),
        (b"Windows\r\nline\rendings\r\n", "Windows\nline\nendings\n"),
    ],
    ids=["utf8-bom", "utf16-le", "utf16-be", "utf8", "cp1252", "latin1", "crlf"],
)
def test_decoding(tmp_path: Path, raw: bytes, text: str) -> None:
    write(tmp_path, "doc.txt", raw)
    assert only_document(tmp_path).text == text


def test_html_declared_charset(tmp_path: Path) -> None:
    markup = '<html><head><meta charset="windows-1252"></head><p>Caf\xe9 \x93quoted\x94</p></html>'
    write(tmp_path, "page.html", markup.encode("latin-1"))
    assert only_document(tmp_path).text == "Café “quoted”"


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)),
        b"text then a NUL \x00 byte",
        b"\xef\xbb\xbfBOM then invalid \xff\xfe UTF-8",
    ],
    ids=["png", "nul", "bad-after-bom"],
)
def test_undecodable_listed(tmp_path: Path, raw: bytes) -> None:
    write(tmp_path, "blob.txt", raw)
    result = load_folder(tmp_path)
    assert result.documents == ()
    assert reasons(result)["blob.txt"].startswith("could not decode as text (")


BLANKS = (b"", b" \r\n\t ", b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        *((name, blank) for name in ("e.txt", "e.md", "e.html", "e.htm") for blank in BLANKS),
        ("e.html", b"<html><head><title>Only a title</title></head><script>x()</script><p> </p></html>"),
    ],
)
def test_empty_document(tmp_path: Path, name: str, content: bytes) -> None:
    write(tmp_path, name, content)
    assert reasons(load_folder(tmp_path)) == {name: "empty document"}


# --- symlinks --------------------------------------------------------------------------------


def test_symlink_outside_root_not_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "in", tmp_path / "out"
    write(outside, "secret.txt", "outside file")
    write(root, "ok.txt", "inside file")
    symlink(root / "file_link.txt", outside / "secret.txt")
    symlink(root / "dir_link", outside, is_dir=True)
    result = load_folder(root)
    assert [d.path for d in result.documents] == ["ok.txt"]
    assert reasons(result) == {
        "dir_link": "symlink leads outside the input folder",
        "file_link.txt": "symlink leads outside the input folder",
    }


def test_symlink_inside_root_followed_once(tmp_path: Path) -> None:
    write(tmp_path, "real/doc.txt", "the real document")
    symlink(tmp_path / "a_link.txt", tmp_path / "real" / "doc.txt")
    symlink(tmp_path / "a_dir", tmp_path / "real", is_dir=True)
    symlink(tmp_path / "real" / "loop", tmp_path, is_dir=True)
    result = load_folder(tmp_path)
    assert [d.path for d in result.documents] == ["real/doc.txt"]
    assert reasons(result) == {
        "a_dir/doc.txt": "same file as real/doc.txt",
        "a_dir/loop": "symlink loops back to an enclosing folder",
        "a_link.txt": "same file as real/doc.txt",
        "real/loop": "symlink loops back to an enclosing folder",
    }


@pytest.mark.parametrize("target", ["missing.txt", "self.txt"])
def test_broken_symlink_listed(tmp_path: Path, target: str) -> None:
    write(tmp_path, "ok.txt", "fine")
    symlink(tmp_path / "self.txt", tmp_path / target)
    result = load_folder(tmp_path)
    assert [d.path for d in result.documents] == ["ok.txt"]
    assert reasons(result)["self.txt"].startswith("broken symlink (")


def test_symlinked_root_folder(tmp_path: Path) -> None:
    write(tmp_path, "real/doc.txt", "text")
    symlink(tmp_path / "alias", tmp_path / "real", is_dir=True)
    assert [d.id for d in load_folder(tmp_path / "alias").documents] == ["doc.txt"]


# --- JSON and JSON lines ---------------------------------------------------------------------


def test_jsonl_malformed_line_skipped_others_load(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "First record.", "title": "One"}),
        "",
        "{not json",
        json.dumps({"text": "Fourth line record."}),
        json.dumps({"body": "no text field"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": 42}),
        "   ",
    ]
    write(tmp_path, "data.jsonl", "\n".join(lines))
    result = load_folder(tmp_path)
    assert [(d.id, d.path, d.title) for d in result.documents] == [
        ("data.jsonl#L1", "data.jsonl", "One"),
        ("data.jsonl#L4", "data.jsonl", "Fourth line record."),
    ]
    skipped = reasons(result)
    assert list(skipped) == ["data.jsonl#L3", "data.jsonl#L5", "data.jsonl#L6", "data.jsonl#L7"]
    assert skipped["data.jsonl#L3"] == (
        "invalid JSON on line 3: Expecting property name enclosed in double quotes at column 2"
    )
    assert skipped["data.jsonl#L5"] == "line 5 has no 'text' field"
    assert skipped["data.jsonl#L6"] == "line 6 is a list, not a JSON object"
    assert skipped["data.jsonl#L7"] == "line 7: field 'text' is a number, not a string"


def test_json_list_with_missing_field(tmp_path: Path) -> None:
    records = [{"text": "Zero.", "date": "2026-01-02"}, {"title": "no text"}, {"text": " "}, {"text": "3"}]
    write(tmp_path, "list.json", json.dumps(records))
    result = load_folder(tmp_path)
    loaded = [(d.id, d.path, d.date) for d in result.documents]
    assert loaded == [("list.json#0", "list.json", dt.date(2026, 1, 2)), ("list.json#3", "list.json", None)]
    assert reasons(result) == {
        "list.json#1": "record 1 has no 'text' field",
        "list.json#2": "empty document (record 2 has an empty 'text')",
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"text": "a",\n  "title": }', "invalid JSON: Expecting value at line 2 column 12"),
        ('"just a string"', "expected a JSON object or a list of objects, found a string"),
        ("[]", "empty document (the JSON list has no records)"),
        ("", "invalid JSON: Expecting value at line 1 column 1"),
        ('{"title": "x"}', "the object has no 'text' field"),
    ],
)
def test_bad_json_file(tmp_path: Path, content: str, reason: str) -> None:
    write(tmp_path, "bad.json", content)
    assert reasons(load_folder(tmp_path)) == {"bad.json": reason}


@pytest.mark.parametrize(
    ("name", "content", "path"),
    [
        ("deep.json", "[" * 100_000, "deep.json"),
        ("deep.jsonl", '{"text": "fine"}\n' + "[" * 100_000, "deep.jsonl#L2"),
        ("deep.html", "<div>" * 5_000 + "deep text", None),
    ],
)
def test_deep_nesting_never_crashes(tmp_path: Path, name: str, content: str, path: str | None) -> None:
    write(tmp_path, name, content)
    result = load_folder(tmp_path)
    if path is None:
        assert [d.text for d in result.documents] == ["deep text"]
    else:
        assert reasons(result)[path].startswith("invalid JSON")


def test_configurable_json_fields(tmp_path: Path) -> None:
    record = {"body": "Body text.\nMore.", "headline": "The Headline", "published": "2026-03-04T10:00+02:00"}
    write(tmp_path, "a.jsonl", json.dumps(record) + "\n")
    options = LoadOptions(json_text_field="body", json_title_field="headline", json_date_field="published")
    document = load_folder(tmp_path, options).documents[0]
    assert (document.text, document.title) == ("Body text.\nMore.", "The Headline")
    assert document.date == dt.date(2026, 3, 4)
    assert reasons(load_folder(tmp_path)) == {"a.jsonl#L1": "line 1 has no 'text' field"}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"text": "x", "date": "2026-03-04"}, dt.date(2026, 3, 4)),
        ({"text": "x", "date": "2026-03-04T23:59:59Z"}, dt.date(2026, 3, 4)),
        ({"text": "x", "date": "March 4, 2026"}, dt.date(2026, 3, 4)),
        ({"text": "Published 5 May 2025\nBody.", "date": None}, dt.date(2025, 5, 5)),
        ({"text": "Published 5 May 2025\nBody."}, dt.date(2025, 5, 5)),
        ({"text": "Published 5 May 2025", "date": "someday"}, None),
        ({"text": "x", "date": "2026-02-30"}, None),
        ({"text": "x", "date": 20260304}, None),
    ],
)
def test_json_date_field(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, record: dict[str, object], expected: dt.date | None
) -> None:
    write(tmp_path, "d.json", json.dumps(record))
    with caplog.at_level(logging.WARNING, logger="contradict.ingest.loading"):
        assert only_document(tmp_path).date == expected
    warned = any("could not parse the date" in r.getMessage() for r in caplog.records)
    assert warned == (expected is None)


def test_json_text_is_normalised(tmp_path: Path) -> None:
    write(tmp_path, "a.json", json.dumps({"text": "one\r\ntwo\rthree \ud800 four"}))
    assert only_document(tmp_path).text == "one\ntwo\nthree \ufffd four"


# --- header dates ----------------------------------------------------------------------------

BODY = "\n".join(f"Paragraph {i} of the body says nothing in particular." for i in range(12))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-04", dt.date(2026, 3, 4)),
        ("Updated 2026-03-04T10:30:00Z", dt.date(2026, 3, 4)),
        ("Published: March 4, 2026", dt.date(2026, 3, 4)),
        ("Posted Mar. 4, 2026 at 9am", dt.date(2026, 3, 4)),
        ("Sept. 21st, 2025", dt.date(2025, 9, 21)),
        ("4 March 2026", dt.date(2026, 3, 4)),
        ("Monday, March 4, 2026", dt.date(2026, 3, 4)),
        ("Tuesday 4th of March 2026", dt.date(2026, 3, 4)),
        ("MARCH 4, 2026", dt.date(2026, 3, 4)),
        ("Title\n\nBy A. Reporter\nUpdated 4 March 2026, 10:02", dt.date(2026, 3, 4)),
        ("KYIV, March 4 (Reuters) - The 2026 budget was passed.", dt.date(2026, 3, 4)),
        ("KYIV, March 4 (Reuters) - The budget was passed.", None),
        ("Published February 30, 2026", None),
        ("Published February 30, 2026, corrected March 1, 2026", dt.date(2026, 3, 1)),
        ("They may 3 times in 2026 vote.", None),
        ("Budget 2026: a 1,200-page plan", None),
        ("Call 555-0123 or write to PO Box 12", None),
        ("", None),
        ("Headline\n" + BODY + "\nOn March 4, 2026 the minister said so.", None),
        ("Headline\n" + "x" * 700 + " March 4, 2026", None),
        ("First 2025-01-02 then 2026-03-04", dt.date(2025, 1, 2)),
    ],
)
def test_find_header_date(text: str, expected: dt.date | None) -> None:
    assert find_header_date(text) == expected


def test_document_date_from_text_header(tmp_path: Path) -> None:
    write(tmp_path, "news.md", "# Budget passes\n\n*Published 4 March 2026*\n\n" + BODY + "\nMay 5, 1999")
    assert only_document(tmp_path).date == dt.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("VALDORA-DAM/COLLAPSE\nKessel dam collapse floods towns\n\nBody.", "Kessel dam collapse floods towns"),
        ("ukraine-troops-2026-03-04\nTroops ruled out\n", "Troops ruled out"),
        ("US-CHINA\n", "US-CHINA"),
        ("Plain first line\nmore", "Plain first line"),
    ],
)
def test_slug_line_is_not_the_title(tmp_path, text, title):
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    assert load_folder(tmp_path).documents[0].title == title


def test_a_file_name_that_is_not_utf8_is_skipped_with_its_reason(tmp_path: Path):
    (tmp_path / "good.txt").write_text("The dam was inspected last year.\n", encoding="utf-8")
    with open(os.fsencode(tmp_path) + b"/bad\xff\xfename.txt", "wb") as fh:
        fh.write(b"The dam was never inspected.\n")
    result = load_folder(tmp_path)
    assert [d.path for d in result.documents] == ["good.txt"]
    assert [(s.path, s.reason) for s in result.skipped] == [("bad\ufffd\ufffdname.txt", "file name is not valid UTF-8; rename the file")]
    json.dumps([s.path for s in result.skipped], ensure_ascii=False).encode("utf-8")  # safe to write in a report


def test_a_path_longer_than_the_system_allows_is_skipped_with_its_reason(tmp_path: Path):
    (tmp_path / "good.txt").write_text("The dam was inspected last year.\n", encoding="utf-8")
    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        for i in range(22):  # 22 folders of 204-character names: past PATH_MAX (4096) from the root
            name = f"d{i:02d}" + "x" * 200
            os.mkdir(name)
            os.chdir(name)
        with open("deep.txt", "w", encoding="utf-8") as fh:
            fh.write("A deep file.\n")
    finally:
        os.chdir(here)
    result = load_folder(tmp_path)
    assert [d.path for d in result.documents] == ["good.txt"]
    assert result.skipped and all("too long" in s.reason.lower() for s in result.skipped), result.skipped
