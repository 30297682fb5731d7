"""The HTML report: one self-contained page (inline CSS and JS, nothing fetched) over a JSON report.

- :func:`page_data`: what the page shows, from a report's JSON: documents, each claim with its
  context as highlighted segments (the claim's spans inside its sentence, inside its paragraph
  when the document's text is at hand), and each pair with its label, kind, scores, evidence
  and triage decision. Claims are looked up by id in the report's ``claims``, or taken from
  the pair when it carries them inline.
- :func:`render`: the page. Document text is untrusted: the page's own markup is a jinja2
  template with autoescape, the data reach the script only as a ``<script
  type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, the script builds the
  page with ``textContent`` only, and a Content-Security-Policy lets only the page's own
  script and style (by hash) run.
- :func:`document_texts`: the texts of a report's documents, read again from its input folder
  and kept only where every claim's span still matches (paragraph context needs them).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from contradict import triage as triage_io
from contradict.outputs import atomic_write
from contradict.triage import pair_claims

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_PARAGRAPH = 1200  # longer paragraphs are cut to the sentence and this much around it
AROUND = 350
LABEL_ORDER = {"contradiction": 0, "entailment": 1, "neutral": 2}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LINE_BREAK = re.compile(r"\n")

# Segment levels: text of the paragraph around the sentence, of the sentence around the claim, of the claim.
PARAGRAPH, SENTENCE, CLAIM = 0, 1, 2


# ---------------------------------------------------------------- reading a report


def document_texts(data: Mapping[str, Any], root: Path | None = None) -> tuple[dict[str, str], str | None]:
    """Each document's text, read again from ``root`` (default: the report's ``input``), where it still matches.

    A document is kept only when every one of its claims' ``text`` is found at its ``span``, so
    an edited or moved file never gives wrong context. Returns the texts by document id and,
    when some could not be used, a note saying why.
    """
    from contradict.ingest.loading import LoadOptions, load_file  # noqa: PLC0415

    root = Path(root if root is not None else str(data.get("input") or "")).expanduser()
    documents = [d for d in data.get("documents") or [] if isinstance(d, Mapping)]
    if not documents:
        return {}, None
    if not str(root) or not root.exists():
        return {}, f"paragraphs are not shown: the documents are not at {root} (pass --documents FOLDER)"
    base = root.parent if root.is_file() else root
    claims_by_doc: dict[str, list[Mapping[str, Any]]] = {}
    for claim in data.get("claims") or []:
        claims_by_doc.setdefault(claim.get("doc_id"), []).append(claim)
    files = sorted({str(d.get("path") or "").split("#", 1)[0] for d in documents})
    loaded: dict[str, str] = {}
    for rel in files:
        path = root if root.is_file() else base / rel
        if not rel or not path.is_file() or (root.is_dir() and not path.resolve().is_relative_to(base.resolve())):
            continue
        for document in load_file(path, base, LoadOptions(), rel=rel)[0]:
            loaded[document.id] = document.text
    texts = {}
    for document in documents:
        text = loaded.get(document["id"])
        if text is not None and all(_matches(text, c) for c in claims_by_doc.get(document["id"], [])):
            texts[document["id"]] = text
    missing = len(documents) - len(texts)
    note = None
    if missing:
        note = (f"paragraphs are not shown for {missing} of {len(documents)} documents: "
                f"not found under {root}, or changed since the scan")
    return texts, note


def _matches(text: str, claim: Mapping[str, Any]) -> bool:
    span = claim.get("span")
    return isinstance(span, list) and len(span) == 2 and text[span[0] : span[1]] == claim.get("text")


# ---------------------------------------------------------------- context segments


def paragraph_bounds(text: str, start: int, end: int, breaks: Sequence[tuple[int, int]] | None = None) -> tuple[int, int]:
    """The paragraph (between blank lines) holding ``text[start:end]``; ``breaks`` as :func:`paragraph_breaks`."""
    breaks = paragraph_breaks(text) if breaks is None else breaks
    ends = [b for _, b in breaks]
    i = bisect.bisect_right(ends, start)
    para_start = breaks[i - 1][1] if i else 0
    j = i
    while j < len(breaks) and breaks[j][0] < end:
        j += 1
    para_end = breaks[j][0] if j < len(breaks) else len(text)
    return para_start, max(para_end, end)


def paragraph_breaks(text: str) -> list[tuple[int, int]]:
    """The paragraph breaks of a text, as (start, end) offsets in order: blank lines, or line ends in a text without any.

    Text files mark paragraphs with blank lines (and may wrap lines inside them); the text of a
    web page or a Word file has one paragraph per line.
    """
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)]
    return breaks or [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]


def segments(claim: Mapping[str, Any], text: str | None = None, breaks: Sequence[tuple[int, int]] | None = None) -> list[list[Any]]:
    """A claim's context as ``[text, level]`` pieces: PARAGRAPH, SENTENCE or CLAIM, in reading order.

    With the document's ``text``, the claim's paragraph (cut around the sentence when longer
    than MAX_PARAGRAPH); without it, the sentence (``context``); without that, the claim alone.
    """
    claim_text = str(claim.get("text") or claim.get("statement") or "")
    span = claim.get("span")
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)):
        return [[claim_text, CLAIM]]
    pieces = [tuple(s) for s in claim.get("spans") or [span] if isinstance(s, list) and len(s) == 2] or [tuple(span)]
    context_span = claim.get("context_span")
    context = claim.get("context")
    if not (isinstance(context_span, list) and len(context_span) == 2):
        context_span, context = list(span), claim_text
    if text is not None and text[span[0] : span[1]] == claim_text:
        sentence = (context_span[0], context_span[1])
        start, end = paragraph_bounds(text, *sentence, breaks)
        base, offset = text, 0
    elif isinstance(context, str) and len(context) == context_span[1] - context_span[0]:
        sentence = start, end = context_span[0], context_span[1]
        base, offset = context, context_span[0]
    else:
        return [[claim_text, CLAIM]]
    lead = trail = ""
    if end - start > MAX_PARAGRAPH:
        new_start = max(start, sentence[0] - AROUND)
        new_end = min(end, sentence[1] + AROUND)
        lead = "\u2026 " if new_start > start else ""
        trail = " \u2026" if new_end < end else ""
        start, end = _word_edge(base, new_start - offset, forward=True) + offset, _word_edge(base, new_end - offset, forward=False) + offset

    def level(position: int) -> int:
        if any(s <= position < e for s, e in pieces):
            return CLAIM
        return SENTENCE if sentence[0] <= position < sentence[1] else PARAGRAPH

    cuts = sorted({start, end, *(x for s in (sentence, *pieces) for x in s if start < x < end)})
    out: list[list[Any]] = [[lead, PARAGRAPH]] if lead else []
    for a, b in pairwise(cuts):
        piece, lvl = base[a - offset : b - offset], level(a)
        if out and out[-1][1] == lvl:
            out[-1][0] += piece
        else:
            out.append([piece, lvl])
    if trail and out and out[-1][1] == PARAGRAPH:
        out[-1][0] += trail
    elif trail:
        out.append([trail, PARAGRAPH])
    return [s for s in out if s[0]]


def _word_edge(text: str, index: int, *, forward: bool) -> int:
    """Move ``index`` to the nearest space (forward from a start, backward from an end), within 40 chars."""
    index = max(0, min(len(text), index))
    limit = 40
    if forward:
        found = text.find(" ", index, index + limit)
        return found + 1 if found != -1 else index
    found = text.rfind(" ", max(0, index - limit), index)
    return found if found != -1 else index


# ---------------------------------------------------------------- what the page shows


def _label_score(pair: Mapping[str, Any]) -> float:
    if pair.get("confidence") is not None:
        return float(pair["confidence"])
    if pair.get("label") == "contradiction":
        return float(pair.get("contradiction_score") or 0.0)
    return float((pair.get("scores") or {}).get(pair.get("label"), 0.0))


def page_data(data: Mapping[str, Any], texts: Mapping[str, str] | None = None, notes: Sequence[str] = ()) -> dict[str, Any]:
    """Everything the page's script reads, from a report's JSON (and the documents' texts, if at hand)."""
    texts = texts or {}
    claims_by_id = {c["id"]: c for c in data.get("claims") or [] if isinstance(c, Mapping) and "id" in c}
    documents = [
        {"id": d.get("id"), "title": d.get("title") or d.get("id"), "date": d.get("date"), "path": d.get("path"), "claims": d.get("claims")}
        for d in data.get("documents") or [] if isinstance(d, Mapping)
    ]
    known = {d["id"] for d in documents}
    breaks = {doc_id: paragraph_breaks(text) for doc_id, text in texts.items()}
    claims: dict[str, dict[str, Any]] = {}

    def claim_ref(pair: Mapping[str, Any], side: str, claim: Mapping[str, Any]) -> str:
        ref = claim.get("id") if isinstance(claim.get("id"), str) else f"{pair['id']}:{side}"
        if ref not in claims:
            document = claim.get("document")
            doc = claim.get("doc_id") or (document.get("id") if isinstance(document, Mapping) else document)
            doc = str(doc or "(unknown document)")
            if doc not in known:
                known.add(doc)
                documents.append({"id": doc, "title": doc, "date": None, "path": None, "claims": None})
            claims[ref] = {
                "doc": doc,
                "text": claim.get("text") or claim.get("statement") or "",
                "statement": claim.get("statement") or claim.get("text") or "",
                "speaker": claim.get("speaker"),
                "verb": claim.get("reporting_verb"),
                "resolved": claim.get("speaker_resolved"),
                "said_on": claim.get("said_on"),
                "modality": claim.get("modality"),
                "polarity": claim.get("polarity"),
                "flags": list(claim.get("flags") or []),
                "ctx": segments(claim, texts.get(doc), breaks.get(doc)),
            }
        return ref

    def pair_view(pair: Mapping[str, Any], triage: Mapping[str, Any] | None, dismissed: bool) -> dict[str, Any]:
        a, b = pair_claims(pair, claims_by_id)
        ref_a, ref_b = claim_ref(pair, "a", a), claim_ref(pair, "b", b)
        return {
            "id": pair["id"], "a": ref_a, "b": ref_b, "da": claims[ref_a]["doc"], "db": claims[ref_b]["doc"],
            "label": pair["label"], "kind": pair.get("kind"), "confidence": pair.get("confidence"),
            "score": round(_label_score(pair), 4), "contradiction_score": pair.get("contradiction_score"),
            "similarity": pair.get("similarity"), "scores": pair.get("scores") or {},
            "direction": pair.get("entailment_direction"),
            "evidence": [[str(e.get("type")), str(e.get("detail"))] for e in pair.get("evidence") or [] if isinstance(e, Mapping)],
            "sources": [str(s) for s in pair.get("sources") or []],
            "triage": None if triage is None else {k: triage.get(k) for k in ("decision", "note", "decided_at")},
            "dismissed": dismissed,
        }

    triage = data.get("triage") or {}
    confirmed = {c.get("pair_id"): c for c in triage.get("confirmed") or [] if isinstance(c, Mapping)}
    ranked = sorted(enumerate(data.get("pairs") or []), key=lambda ip: (LABEL_ORDER.get(ip[1].get("label"), 3), ip[0]))
    pairs = [pair_view(p, confirmed.get(p["id"]), False) for _, p in ranked]
    dismissed = [pair_view(d["pair"], d, True) for d in triage.get("dismissed") or [] if isinstance(d, Mapping) and "pair" in d]
    model = data.get("model") or {}
    return {
        "input": data.get("input"),
        "generated_at": data.get("generated_at"),
        "schema_version": data.get("schema_version"),
        "model": model.get("id") if isinstance(model, Mapping) else None,
        "documents": documents,
        "claims": claims,
        "pairs": pairs,
        "dismissed": dismissed,
        "triage_file": triage.get("file"),
        "notes": [*(str(n) for n in data.get("notes") or []), *notes],
        "paragraphs": bool(texts),
    }


# ---------------------------------------------------------------- the page


def json_for_script(value: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` block: ``<``, ``>``, ``&`` (and U+2028/9) escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=1)
def _template() -> Any:
    import jinja2  # noqa: PLC0415

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template("report.html")


def render(data: Mapping[str, Any], texts: Mapping[str, str] | None = None, notes: Sequence[str] = ()) -> str:
    """The self-contained HTML page for a report's JSON (see the module docstring for how it stays safe)."""
    view = page_data(data, texts, notes)
    style = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    import markupsafe  # noqa: PLC0415

    counts = {label: sum(p["label"] == label for p in view["pairs"]) for label in LABEL_ORDER}
    return _template().render(
        title=f"contradict: {view['input'] or 'report'}",
        view=view,
        counts=counts,
        csp=f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
            "img-src data:; base-uri 'none'; form-action 'none'",
        style=markupsafe.Markup(style),
        script=markupsafe.Markup(script),
        data_json=markupsafe.Markup(json_for_script(view)),
    )


def write(data: Mapping[str, Any], path: Path, texts: Mapping[str, str] | None = None, notes: Sequence[str] = ()) -> None:
    """Write the HTML page atomically (a reader never sees half a page; a failed write keeps the old one)."""
    atomic_write(path, render(data, texts, notes), "HTML report")


@dataclass(frozen=True, slots=True)
class HtmlWritten:
    """What :func:`report_to_html` wrote: the page, the pairs it lists and dismissed, the triage file read."""

    path: Path
    pairs: int
    dismissed: int
    paragraphs: bool
    triage: Path | None


def report_to_html(
    report_path: Path, out: Path, *, triage: Path | None = None, documents: Path | None = None
) -> HtmlWritten:
    """Write the HTML page of a JSON report file, with the decisions of its triage file applied.

    ``triage`` defaults to ``contradict-triage.json`` beside the report, when there is one;
    ``documents`` (the folder scanned; default: the report's ``input``) gives paragraph context.
    """
    from contradict import report as report_io  # noqa: PLC0415

    data = report_io.read(report_path)
    if triage is None and triage_io.default_path(report_path).is_file():
        triage = triage_io.default_path(report_path)
    if triage is not None:
        data = triage_io.apply_to_data(data, triage_io.load_triage(triage))
    if documents is None:  # the input as scanned, relative to where the scan ran or else to the report
        given = Path(str(data.get("input") or "")).expanduser()
        beside = report_path.parent / given
        documents = beside if str(given) and not given.is_absolute() and not given.exists() and beside.exists() else given
    texts, note = document_texts(data, documents)
    write(data, out, texts, [note] if note else [])
    dismissed = len((data.get("triage") or {}).get("dismissed") or [])
    return HtmlWritten(path=out, pairs=len(data["pairs"]), dismissed=dismissed, paragraphs=bool(texts), triage=triage)
