"""Read a folder of text, Markdown, HTML, JSON and JSON-lines files into `Document` records."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import logging
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contradict.errors import UsageError
from contradict.progress import ProgressFn
from contradict.records import Document, Skipped

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
WORD_SUFFIXES = frozenset({".docx"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | WORD_SUFFIXES | {".json", ".jsonl"}

_TITLE_MAX = 200
_HEADER_LINES = 8
_HEADER_CHARS = 600
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CP1252_SLACK = 0.1  # how much messier (charset_normalizer's "chaos") windows-1252 may be than the best guess


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to read a folder."""

    json_text_field: str = "text"
    json_title_field: str = "title"
    json_date_field: str = "date"
    max_bytes: int = 20_000_000  # larger files are skipped with a reason
    main_content: bool = True  # HTML: the article by trafilatura; False: all visible text (the walker)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The documents read from a folder, and the files skipped with their reasons."""

    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]


class _Skip(Exception):
    """A file or record cannot be loaded; the message is the reason recorded in `Skipped`."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """A file found by the walk: its relative path, its real identity, and whether a symlink led to it."""

    rel: str
    key: tuple[int, int]
    via_link: bool


def load_folder(root: Path | str, options: LoadOptions = LoadOptions(), progress: ProgressFn | None = None) -> LoadResult:
    """Load every supported file under `root` (or `root` itself when it is a file).

    ``progress`` (see :mod:`contradict.progress`) hears of stage ``load`` after each file.
    """
    root = Path(root).expanduser()
    if root.is_file():
        documents, skipped = load_file(root, root.parent, options)
        return LoadResult(tuple(documents), tuple(skipped))
    if not root.exists():
        raise UsageError(f"input folder '{root}' does not exist; check the path and try again")
    if not root.is_dir():
        raise UsageError(f"'{root}' is neither a folder nor a regular file; pass a folder of documents")

    entries, walk_skipped = _walk(root)
    canonical: dict[tuple[int, int], _Entry] = {}
    for entry in sorted(entries, key=lambda e: (e.via_link, e.rel)):
        canonical.setdefault(entry.key, entry)  # prefer the path that involves no symlink

    outcomes: list[tuple[str, list[Document], list[Skipped]]] = [(s.path, [], [s]) for s in walk_skipped]
    if progress is not None:
        progress("load", 0, len(entries))
    for done, entry in enumerate(entries, start=1):
        first = canonical[entry.key]
        if first is not entry:
            outcomes.append((entry.rel, [], [Skipped(entry.rel, f"same file as {first.rel}")]))
        else:
            outcomes.append((entry.rel, *load_file(root / entry.rel, root, options, rel=entry.rel)))
        if progress is not None:
            progress("load", done, len(entries))
    outcomes.sort(key=lambda outcome: outcome[0])

    documents = tuple(d for _, docs, _ in outcomes for d in docs)
    skipped = tuple(s for _, _, skips in outcomes for s in skips)
    for item in skipped:
        logger.debug("skipped %s: %s", item.path, item.reason)
    logger.info("loaded %d documents from %s (%d skipped)", len(documents), root, len(skipped))
    return LoadResult(documents, skipped)


def _walk(root: Path) -> tuple[list[_Entry], list[Skipped]]:
    """Find the files under `root`: no hidden names, symlinks followed only inside `root`, no loops."""
    real_root = root.resolve()
    files: list[_Entry] = []
    skipped: list[Skipped] = []
    root_stat = root.stat()
    stack = [(root, "", False, frozenset({(root_stat.st_dev, root_stat.st_ino)}))]
    while stack:
        folder, prefix, via_link, ancestors = stack.pop()
        try:
            children = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            skipped.append(Skipped(prefix.rstrip("/") or ".", f"could not list folder ({_os_reason(exc)})"))
            continue
        for child in children:
            if child.name.startswith("."):
                continue
            rel = prefix + child.name
            if not _utf8(child.name):  # bytes that are not UTF-8 (Python keeps them as lone surrogates)
                skipped.append(Skipped(_printable(rel), "file name is not valid UTF-8; rename the file"))
                continue
            is_link = False
            try:
                is_link = child.is_symlink()
                if is_link and not child.resolve().is_relative_to(real_root):
                    skipped.append(Skipped(rel, "symlink leads outside the input folder"))
                    continue
                info = child.stat()
            except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, on Python < 3.13
                reason = "broken symlink" if is_link else "could not read"
                skipped.append(Skipped(rel, f"{reason} ({_os_reason(exc)})"))
                continue
            key = (info.st_dev, info.st_ino)
            if stat.S_ISDIR(info.st_mode):
                if key in ancestors:
                    skipped.append(Skipped(rel, "symlink loops back to an enclosing folder"))
                else:
                    stack.append((child, rel + "/", via_link or is_link, ancestors | {key}))
            else:
                files.append(_Entry(rel, key, via_link or is_link))
    return files, skipped


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    """A name with its undecodable bytes shown as U+FFFD, safe to print and to write as JSON."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _os_reason(exc: BaseException) -> str:
    """A short reason for an OS error, without the path (the `Skipped` entry has it)."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def load_file(
    path: Path, root: Path, options: LoadOptions = LoadOptions(), *, rel: str | None = None
) -> tuple[list[Document], list[Skipped]]:
    """Load one file: its documents (several for JSON lists and JSON lines) and what was skipped."""
    if rel is None:
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return [], [Skipped(rel, f"unsupported file type '{suffix or 'no extension'}'")]
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise _Skip("not a regular file")
        with path.open("rb") as handle:
            data = handle.read(options.max_bytes + 1)
        if len(data) > options.max_bytes:
            raise _Skip(f"file is larger than max_bytes ({options.max_bytes:,} bytes)")
        if suffix in PDF_SUFFIXES:
            return [_read_pdf(data, rel)], []
        if suffix in WORD_SUFFIXES:
            return [_read_docx(data, rel)], []
        text = _decode(data, html=suffix in HTML_SUFFIXES)
        if suffix == ".jsonl":
            return _read_jsonl(text, rel, options)
        if suffix == ".json":
            return _read_json(text, rel, options)
        if not text.strip():
            raise _Skip("empty document")
        if suffix in HTML_SUFFIXES:
            return [_read_html(text, rel, main_content=options.main_content)], []
        return [_document(rel, rel, _text_title(text), find_header_date(text), text)], []
    except _Skip as exc:
        return [], [Skipped(rel, str(exc))]
    except OSError as exc:
        return [], [Skipped(rel, f"could not read file ({_os_reason(exc)})")]
    except Exception as exc:  # one bad file must never stop the run
        logger.warning("unexpected error reading %s", rel, exc_info=True)
        return [], [Skipped(rel, f"could not parse file ({type(exc).__name__}: {exc})")]


def text_document(text: str, id: str, *, title: str | None = None, date: dt.date | None = None, path: str | None = None) -> Document:
    """A document from text in memory, read as a ``.txt`` file would be: without ``title`` or
    ``date``, its first line is the title and a date in its first lines is its date."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError(f"document {id!r} has no text")
    return _document(id, path if path is not None else id, _text_title(text) if title is None else title,
                     find_header_date(text) if date is None else date, text)


def _document(doc_id: str, rel: str, title: str, date: dt.date | None, text: str) -> Document:
    """Build a `Document`, hashing its text."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(id=doc_id, path=rel, title=title, date=date, text=text, content_hash=f"sha256:{digest}")


def _clean(text: str) -> str:
    """Normalise newlines to `\\n` and replace lone surrogates (possible in JSON) with U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _decode(data: bytes, *, html: bool = False) -> str:
    """Decode bytes as UTF-8 (or UTF-16 with a BOM), else the declared or best-guessed encoding."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _clean(data.decode(codec))
            except UnicodeDecodeError as exc:
                raise _Skip(f"could not decode as text (invalid {codec} after its BOM: {exc.reason})")
    if b"\x00" in data:
        raise _Skip("could not decode as text (contains NUL bytes; looks like a binary file)")
    try:
        return _clean(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if html:
        from bs4.dammit import EncodingDetector

        try:  # the encoding the page declares in <meta charset>, if any
            return _clean(data.decode(EncodingDetector.find_declared_encoding(data, is_html=True) or "utf-8"))
        except (LookupError, UnicodeDecodeError):
            pass
    if (guessed := _guess(data)) is None:
        raise _Skip("could not decode as text (not UTF-8, and no confident guess of its encoding)")
    return _clean(guessed)


def _guess(data: bytes) -> str | None:
    """Best-guess decoding by charset_normalizer; windows-1252 wins near-ties when its text is clean."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for match in matches:  # charset_normalizer often prefers a Baltic code page for short Western text
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + _CP1252_SLACK:
            text = data.decode("cp1252", errors="replace")
            if not _has_odd_chars(text):
                return text
    text = str(best)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return None if controls > len(text) // 100 else text


def _has_odd_chars(text: str) -> bool:
    """Whether a non-ASCII symbol or digit sits between two letters (a sign of the wrong code page)."""
    return any(
        not ch.isascii() and not ch.isalpha() and text[i - 1].isalpha() and text[i + 1].isalpha()
        for i, ch in enumerate(text[1:-1], start=1)
    )


_MD_HEADING = re.compile(r"#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?")
_WS = re.compile(r"\s+")


def _one_line(text: str) -> str:
    """Collapse whitespace and clip to the title length."""
    return _WS.sub(" ", text).strip()[:_TITLE_MAX].rstrip()


# A wire-service slug such as "VALDORA-DAM/COLLAPSE" or "ukraine-troops-2026": not a title.
_SLUG_LINE = re.compile(r"(?:[A-Z0-9]+(?:[-/_][A-Z0-9]+)+|[a-z0-9]+(?:-[a-z0-9]+){2,})")


def _first_line(text: str) -> str:
    """The first non-empty line with a letter or digit in it that is not a slug, as a title."""
    fallback = ""
    for line in text.split("\n"):
        if any(ch.isalnum() for ch in line):
            if _SLUG_LINE.fullmatch(line.strip()):
                fallback = fallback or _one_line(line)
                continue
            return _one_line(line)
    return fallback


def _text_title(text: str) -> str:
    """A Markdown heading among the first few non-empty lines, else the first line."""
    lines = (line.strip() for line in text.split("\n") if line.strip())
    for _, line in zip(range(5), lines):
        if heading := _MD_HEADING.fullmatch(line):
            return _one_line(heading.group(1))
    return _first_line(text)


_DROP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head", "object", "canvas"})
_BLOCKS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main nav ol p section summary "
    "table tbody tfoot thead tr ul".split()
)
_CELLS = frozenset({"td", "th"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_END_BLOCK, _SPACE, _SOFT = object(), object(), object()  # _SOFT: a space only between two words


def _read_pdf(data: bytes, rel: str) -> Document:
    """The text layer of a PDF (pypdf), page by page with a blank line between pages; spans point into it.

    A PDF without a text layer (a scan) or one that is encrypted is skipped with the reason.
    """
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _Skip("PDF is encrypted")
        pages = [_clean(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise _Skip(f"could not read PDF ({type(exc).__name__}: {exc})") from exc
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise _Skip(f"PDF has no text layer ({len(pages)} pages; a scanned document?)")
    title = _one_line(str((reader.metadata or {}).get("/Title") or "")) or _first_line(text)
    return _document(rel, rel, title, find_header_date(text), text)


def _read_docx(data: bytes, rel: str) -> Document:
    """The paragraphs of a Word file (python-docx), one per line; its title from its properties or first line."""
    import io
    import zipfile

    import docx

    try:
        word = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _Skip(f"could not read Word file ({type(exc).__name__}: {exc})") from exc
    paragraphs = [" ".join(p.text.split()) for p in word.paragraphs]
    text = _clean("\n\n".join(p for p in paragraphs if p))
    if not text.strip():
        raise _Skip("empty document")
    title = _one_line(word.core_properties.title or "") or _first_line(text)
    return _document(rel, rel, title, find_header_date(text), text)


def _main_content(markup: str, rel: str) -> str | None:
    """The article of a web page, one paragraph per line, by trafilatura (menus, tickers, footers left out).

    None when trafilatura finds no article (a tiny page, a list of links) or fails: then the
    walker's visible text is used instead.
    """
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a dependency; the walker still works
        return None
    try:
        text = trafilatura.extract(
            markup, output_format="txt", include_comments=False, include_tables=False, include_images=False,
            favor_precision=True, deduplicate=False,
        )
    except Exception:  # noqa: BLE001 - trafilatura on hostile markup: fall back, never fail the file
        logger.debug("%s: trafilatura failed; using the visible text", rel, exc_info=True)
        return None
    text = _clean(text or "").strip()
    return text or None


def _read_html(markup: str, rel: str, *, main_content: bool = True) -> Document:
    """The main content of an HTML page (trafilatura; else its visible text), one paragraph per line, with its title and date."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    text = (_main_content(markup, rel) if main_content else None) or _visible_text(soup)
    if not text:
        raise _Skip("empty document")
    title_tag = soup.find("title")
    if title_tag is None or title_tag.find_parent("svg"):  # an icon's <title> is not the page's
        title_tag = soup.find("h1")
    title = (_one_line(title_tag.get_text(" ")) if title_tag else "") or _first_line(text)
    return _document(rel, rel, title, _html_date(soup, rel) or find_header_date(text), text)


def _visible_text(soup: Any) -> str:
    """Walk the tree without recursion: blocks become paragraphs, `<br>` a line break."""
    from bs4.element import NavigableString, PreformattedString, Tag

    paragraphs: list[str] = []
    lines: list[str] = []
    pieces: list[Any] = []

    def end_line() -> None:
        joined: list[str] = []
        soft = False
        for piece in pieces:
            if piece is _SOFT:
                soft = True
            elif piece:
                if soft and joined and joined[-1][-1].isalnum() and piece[0].isalnum():
                    joined.append(" ")  # <a>Home</a><a>About</a> -> "Home About"; <b>world</b>! -> "world!"
                joined.append(piece)
                soft = False
        line = _WS.sub(" ", "".join(joined)).strip()
        pieces.clear()
        if line:
            lines.append(line)

    def end_block() -> None:
        end_line()
        if lines:
            paragraphs.append("\n".join(lines))
            lines.clear()

    stack: list[Any] = [soup]
    while stack:
        node = stack.pop()
        if node is _END_BLOCK:
            end_block()
        elif node is _SPACE or node is _SOFT:
            pieces.append(" " if node is _SPACE else _SOFT)
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                pieces.append(str(node))
        elif isinstance(node, Tag):
            if node.name in _DROP or node.has_attr("hidden") or _HIDDEN_STYLE.search(node.get("style") or ""):
                continue
            if node.name == "br":
                end_line()
            elif node.name == "pre":
                end_block()
                for line in node.get_text().split("\n"):
                    pieces.append(line)
                    end_line()
                end_block()
            else:
                if node.name in _BLOCKS:
                    end_block()
                    stack.append(_END_BLOCK)
                else:
                    separator = _SPACE if node.name in _CELLS else _SOFT
                    stack.append(separator)
                    pieces.append(" " if separator is _SPACE else _SOFT)
                stack.extend(reversed(node.contents))
    end_block()
    return "\n\n".join(paragraphs)


def _html_date(soup: Any, rel: str) -> dt.date | None:
    """The publication date from `<meta>` or the first `<time datetime>`, if any."""
    head = soup.head or soup
    tags = [head.find("meta", property="article:published_time"), head.find("meta", attrs={"name": "date"})]
    values = [tag.get("content") for tag in tags if tag]
    values.append((soup.find("time", datetime=True) or {}).get("datetime"))
    return next((date for value in values if value and (date := _parse_date_value(value, rel))), None)


def _read_json(text: str, rel: str, options: LoadOptions) -> tuple[list[Document], list[Skipped]]:
    """One JSON object, or a list of them, each a document."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Skip(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise _Skip(f"invalid JSON: {exc}") from None
    if isinstance(data, dict):
        records = [(rel, "the object", data)]
    elif isinstance(data, list):
        records = [(f"{rel}#{i}", f"record {i}", item) for i, item in enumerate(data)]
    else:
        raise _Skip(f"expected a JSON object or a list of objects, found {_json_kind(data)}")
    if not records:
        raise _Skip("empty document (the JSON list has no records)")
    return _split([_record(item, doc_id, where, rel, options) for doc_id, where, item in records])


def _read_jsonl(text: str, rel: str, options: LoadOptions) -> tuple[list[Document], list[Skipped]]:
    """One JSON object per line; blank lines are ignored and a bad line skips only itself."""
    outcomes: list[Document | Skipped] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        doc_id, where = f"{rel}#L{number}", f"line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            outcomes.append(Skipped(doc_id, f"invalid JSON on {where}: {exc.msg} at column {exc.colno}"))
        except (ValueError, RecursionError) as exc:
            outcomes.append(Skipped(doc_id, f"invalid JSON on {where}: {exc}"))
        else:
            outcomes.append(_record(item, doc_id, where, rel, options))
    if not outcomes:
        raise _Skip("empty document")
    return _split(outcomes)


def _split(outcomes: list[Document | Skipped]) -> tuple[list[Document], list[Skipped]]:
    """Split record outcomes into documents and skipped records, keeping their order."""
    return [o for o in outcomes if isinstance(o, Document)], [o for o in outcomes if isinstance(o, Skipped)]


def _record(item: Any, doc_id: str, where: str, rel: str, options: LoadOptions) -> Document | Skipped:
    """One JSON record as a document, or the reason it cannot be one."""
    field = options.json_text_field
    if not isinstance(item, dict):
        return Skipped(doc_id, f"{where} is {_json_kind(item)}, not a JSON object")
    if field not in item:
        return Skipped(doc_id, f"{where} has no '{field}' field")
    if not isinstance(item[field], str):
        return Skipped(doc_id, f"{where}: field '{field}' is {_json_kind(item[field])}, not a string")
    text = _clean(item[field])
    if not text.strip():
        return Skipped(doc_id, f"empty document ({where} has an empty '{field}')")
    title = item.get(options.json_title_field)
    title = _one_line(_clean(title)) if isinstance(title, str) else ""
    raw_date = item.get(options.json_date_field)
    date = find_header_date(text) if raw_date is None else _parse_date_value(raw_date, doc_id)
    return _document(doc_id, rel, title or _first_line(text), date, text)


def _json_kind(value: Any) -> str:
    """A JSON type name for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


_MONTH_NAMES = "january february march april may june july august september october november december"
_MONTHS = {n: i for i, m in enumerate(_MONTH_NAMES.split(), start=1) for n in (m, m[:3])} | {"sept": 9}
# Month names in title case or capitals only, so that "we may 3 times" is not a date.
_MONTH_SPELLINGS = sorted((f(m) for m in _MONTHS for f in (str.title, str.upper)), key=len, reverse=True)
_MONTH = r"\b(?P<m>{})\b\.?".format("|".join(_MONTH_SPELLINGS))
_DAY = r"(?<!\d)(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?P<y>[12]\d{3})(?!\d)"
_ISO_DATE = re.compile(r"(?<!\d)(?P<y>[12]\d{3})(?P<sep>[-/])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?!\d)")
_WITH_YEAR = (
    _ISO_DATE,
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}"),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"),
)
_NO_YEAR = (re.compile(rf"{_MONTH}\s+{_DAY}"), re.compile(rf"{_DAY}\s+{_MONTH}"))
_ANY_YEAR = re.compile(r"(?<!\d)[12]\d{3}(?!\d)")


def find_header_date(text: str) -> dt.date | None:
    """The first date stated in the header of a text (its first few non-empty lines), if any."""
    header = [line for line in text[:_HEADER_CHARS].split("\n") if line.strip()][:_HEADER_LINES]
    for line in header:
        found = [(m.start(), rank, m, m["y"]) for rank, p in enumerate(_WITH_YEAR) for m in p.finditer(line)]
        if line_year := _ANY_YEAR.search(line):  # a dateline ("KYIV, March 4 (Reuters) -") needs a year
            found += [(m.start(), 9, m, line_year.group()) for p in _NO_YEAR for m in p.finditer(line)]
        for _, _, match, year in sorted(found, key=lambda candidate: candidate[:2]):
            month = int(match["m"]) if match["m"].isdigit() else _MONTHS[match["m"].lower()]
            try:
                return dt.date(int(year), month, int(match["d"]))
            except ValueError:  # February 30
                continue
    return None


def _parse_date_value(value: Any, where: str) -> dt.date | None:
    """A date from a metadata value: an ISO date or datetime, or a written-out date."""
    if isinstance(value, str):
        if match := _ISO_DATE.match(value.strip()):
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                pass
        elif date := find_header_date(value.split("\n", 1)[0]):
            return date
    logger.warning("%s: could not parse the date %r; leaving the date empty", where, value)
    return None
