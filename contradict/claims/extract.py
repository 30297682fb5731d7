"""Extract claims from documents: split sentences, drop page furniture, find who said what."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from contradict.claims.context import DocumentContext, speaker_key
from contradict.claims.normalize import _number_text, content_words, find_dates, find_quantities, normalize
from contradict.claims.parse import (
    DEFAULT_SPACY_MODEL,
    ENTITY_LABELS,
    atomic_clauses,
    clause_entities,
    side_facts,
    entity_value,
    load_parser,
    parse_attribution,
    parse_sentences,
)
from contradict.errors import UsageError
from contradict.records import Claim, Document, EntityMention

log = logging.getLogger(__name__)

__all__ = [
    "NOISE_RULES",
    "SENTENCE_NOISE_RULES",
    "CHECKWORTHY_RULES",
    "Attribution",
    "DocumentClaims",
    "Dropped",
    "ExtractOptions",
    "checkworthiness",
    "detect_language",
    "extract_claims",
    "extract_many",
    "find_attribution",
    "noise_reason",
    "other_language",
    "split_sentences",
]


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How claims are extracted."""

    min_words: int = 4
    max_words: int = 80
    language: str | None = None
    drop_other_languages: bool = True
    min_checkworthiness: float = -1.0
    spacy_model: str | None = DEFAULT_SPACY_MODEL

    def __post_init__(self) -> None:
        """Reject option values that cannot work, saying which to fix."""
        if self.min_words < 1 or self.max_words < self.min_words:
            raise UsageError(
                f"claim length limits min_words={self.min_words}, max_words={self.max_words} are "
                "invalid: use 1 <= min_words <= max_words"
            )
        if self.language is not None and not re.fullmatch(r"[a-z]{2}(?:-[a-z]{2})?", self.language):
            raise UsageError(f"language {self.language!r} is not an ISO 639-1 code such as 'en'")
        if self.spacy_model is not None and self.spacy_model.lower() in ("", "none", "off"):
            object.__setattr__(self, "spacy_model", None)  # rules only, no parser


@dataclass(frozen=True, slots=True)
class Dropped:
    """A span of a document that was not made a claim, why, and a detail (the language, for one)."""

    doc_id: str
    span: tuple[int, int]
    reason: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentClaims:
    """The claims of one document, the document's detected language, and what was dropped."""

    doc_id: str
    language: str | None
    claims: tuple[Claim, ...]
    dropped: tuple[Dropped, ...]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Reported speech in a sentence: who, the reporting verb, and the content's span(s) in it.

    ``continuation`` is the second part of a split quote ('"We will not," he said, "send troops."')
    or of content broken by a parenthetical ('The troops, he said, were tired.').
    """

    speaker: str
    verb: str
    content_span: tuple[int, int]
    continuation: tuple[int, int] | None = None


# ---------------------------------------------------------------- segmentation

_TITLES = (
    "Gen|Gens|Adm|Lt|Col|Sgt|Maj|Capt|Cpl|Pvt|Brig|Cmdr|Cdr|Mr|Mrs|Ms|Messrs|Dr|Sen|Sens|Rep|Reps"
    "|Gov|Pres|Prof|Rev|Hon|Amb|Supt|Insp"
)
_ENDS_WITH_TITLE = re.compile(rf"(?:^|[\s(\"“‘])(?:{_TITLES})\.$")
_CONTINUATION_START = re.compile(r"[,;:)\]}%]|[a-z]")
_ENDS_WITH_TIME = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_TIME_FOLLOWER = re.compile(
    rf"(?:{_WEEKDAY}|ET|EST|EDT|CET|CEST|GMT|UTC|BST|PT|PST|PDT|local time)\b"
)
_MISSED_SPLIT = re.compile(r"(?<=[.!?][”’\"»])\s+(?=[“‘\"«]?[A-Z])")
_LINE = re.compile(r"[^\r\n]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_UNFINISHED = re.compile(r"[^.!?:\"”’…]\s*$")


def _find_spans(text: str, sentences: list[str]) -> list[tuple[str, int, int]]:
    """(sentence with the whitespace after it, start, end) of each sentence found in text, in order.

    What pysbd's ``Segmenter.sentences_with_char_spans`` returns, found with ``str.find``: each
    sentence's first occurrence (with the whitespace after it) that ends after the previous
    one's; a sentence not found is left out. pysbd builds a regular expression for every sentence
    (``re.escape(sent) + r"\\s*"``), which compiles anew each time and pushes the patterns that
    repeat out of ``re``'s cache: a quarter of sentence splitting's time.
    """
    out: list[tuple[str, int, int]] = []
    prior = 0
    for sentence in sentences:
        position = 0
        while (found := text.find(sentence, position)) >= 0:
            end = found + len(sentence)
            while end < len(text) and text[end].isspace():  # what the pattern's \s* takes
                end += 1
            if end > prior:
                out.append((text[found:end], found, end))
                prior = end
                break
            position = end  # matches do not overlap: the next is looked for after this one
    return out


@functools.lru_cache(maxsize=1)
def _segmenter() -> Any:
    """The pysbd English segmenter (slow to build, so built once), locating sentences by :func:`_find_spans`."""
    import pysbd
    from pysbd.utils import TextSpan

    class Segmenter(pysbd.Segmenter):
        def sentences_with_char_spans(self, sentences: list[str]) -> list[Any]:
            if any(not sentence for sentence in sentences):  # an empty pattern matches anywhere: pysbd's own way
                return super().sentences_with_char_spans(sentences)
            return [TextSpan(*found) for found in _find_spans(self.original_text, sentences)]

    return Segmenter(language="en", clean=False, char_span=True)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: one per line, except hard-wrapped lines that continue in lower case."""
    spans: list[tuple[int, int]] = []
    for match in _LINE.finditer(text):
        start, end = _strip_span(text, match.start(), match.end())
        if start == end:
            continue
        if spans:
            prev_start, prev_end = spans[-1]
            adjacent = len(_LINE_BREAK.findall(text, prev_end, start)) == 1
            if adjacent and text[start].islower() and _UNFINISHED.search(text[prev_start:prev_end]):
                spans[-1] = (prev_start, end)
                continue
        spans.append((start, end))
    return spans


def _split_missed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split where pysbd kept sentences together after a closing quote ('"Yes." "No." He left.')."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        for gap in _MISSED_SPLIT.finditer(text, start, end):
            out.append((start, gap.start()))
            start = gap.end()
        out.append((start, end))
    return out


def _repair(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo pysbd splits after a title ('Pres.'), before a continuation, or at 'a.m. Monday'."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev = text[out[-1][0] : out[-1][1]]
            piece = text[start:end]
            if (
                _ENDS_WITH_TITLE.search(prev)
                or _CONTINUATION_START.match(piece)
                or (_ENDS_WITH_TIME.search(prev) and _TIME_FOLLOWER.match(piece))
            ):
                out[-1] = (out[-1][0], end)
                continue
        out.append((start, end))
    return out


def _segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans (offsets into text) of the paragraph text[start:end]."""
    flat = text[start:end].replace("\r", " ").replace("\n", " ")
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(flat):
        sentence = getattr(piece, "sent", piece)
        found = flat.find(sentence, cursor)
        if found < 0:
            log.debug("pysbd returned text not in the paragraph at %d; kept it whole", start)
            return [(start, end)]
        cursor = found + len(sentence)
        s, e = _strip_span(flat, found, cursor)
        if s < e:
            spans.append((start + s, start + e))
    return _repair(text, _split_missed(text, spans))


# The longest piece of text handed to the sentence splitter at once. pysbd's time grows faster
# than linearly with a paragraph that has no sentence end (a 1 MB one ran for over 10 minutes);
# cutting longer paragraphs first, at a sentence end or a space, keeps extraction linear.
MAX_UNIT_CHARS = 2_000


def _units(text: str, start: int, end: int, limit: int = MAX_UNIT_CHARS) -> list[tuple[int, int]]:
    """``text[start:end]`` cut into pieces of at most ``limit`` characters, preferably after '. ', else at a space."""
    units: list[tuple[int, int]] = []
    while end - start > limit:
        window_end = start + limit
        cut = text.rfind(". ", start, window_end)
        if cut > start:
            cut += 1
        else:
            cut = text.rfind(" ", start, window_end)
            cut = cut if cut > start else window_end
        units.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        units.append((start, end))
    return units


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans into text, paragraph by paragraph, stripped of surrounding whitespace.

    A paragraph longer than :data:`MAX_UNIT_CHARS` is cut first (see :func:`_units`), so the time
    grows about linearly with the text whatever its shape.
    """
    return [
        span
        for p_start, p_end in _paragraphs(text)
        for u_start, u_end in _units(text, p_start, p_end)
        for span in _segment(text, u_start, u_end)
    ]


# ---------------------------------------------------------------- noise rules

_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into of on or over the to up via vs with".split()
)
_MARKDOWN_HEADING = re.compile(r"#{1,6}\s")
_TERMINAL_END = re.compile(r"[.!?\"”’'»…]$")
_SLUG_PREFIX = re.compile(r"slug\s*:", re.IGNORECASE)
_CAPS_SLUG = re.compile(
    r"[A-Z0-9]{2,}(?:[-/_][A-Z0-9]+)+(?:\s+(?:[A-Z0-9]+(?:[-/_][A-Z0-9]+)*|\([^)]*\)))*"
)
_URL_SLUG = re.compile(r"https?://\S+|(?:[a-z0-9]+/)*[a-z0-9]+(?:-[a-z0-9]+){2,}/?(?:\.html?)?")
_CREDIT_BY = re.compile(
    r"\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|written|edited|produced|research"
    r"|graphics|video|photos?)(?:\s+and\s+\w+)?\s+by\b",
    re.IGNORECASE,
)
_BYLINE_WORDS = frozenset(
    "and & in of the de van von der al bin at | - — · • am pm a.m. p.m.".split()
)
_PHOTO = re.compile(
    r"^(?:photo(?:graph)?s?|image|picture|pictured|caption|credit|photo credit|video|image (?:caption|source)"
    r"|(?:top|above|below|left|right|main|header|lead) (?:photo|image|picture)|illustration|gallery)\s*[:,]"
    r"|\((?:photo|image|picture)s?\s+(?:by|:)[^)]*\)|\bAP Photo/|\b(?:REUTERS|AFP|EPA|XINHUA)/\S"
    r"|/\s*(?:Reuters|AP|AFP|EPA|Getty Images|Bloomberg|Shutterstock|Alamy)\.?\)?$"
    r"|\bGetty Images\.?\)?$|\bvia Getty\b|\bfile (?:photo|picture|image)\b",
    re.IGNORECASE,
)
_SHARE_WORDS = frozenset(
    "share this article story page post on via facebook twitter x linkedin whatsapp telegram "
    "reddit pinterest email e-mail mail tweet copy copied link url print save follow us messenger "
    "flipboard bluesky threads instagram youtube tiktok gift bookmark".split()
)
_SHARE_CORE = frozenset(
    "share tweet email e-mail print copy follow facebook twitter linkedin whatsapp".split()
)
_FOLLOW_US = re.compile(r"follow us (?:on|at)\b", re.IGNORECASE)
_COMMENT = re.compile(
    r"^leave a (?:comment|reply)|^comments?\s*(?:\(\d+\))?$|^\d+\s+comments?$|join the conversation"
    r"|\bin the comments\b|\bcomments? below\b|^(?:sign|log) (?:in|up) to (?:comment|reply|join)"
    r"|subscribe to (?:our|the) (?:\w+ )?newsletter|^(?:sign up for|get) our (?:\w+ )?newsletter"
    r"|^(?:view|show|load|see|read) (?:all )?(?:\d+ )?comments|^what do you think\?",
    re.IGNORECASE,
)
_NAV_SEPARATOR = re.compile(r"\s*(?:\||›|»|·|•|>)\s*")
_NAV_PREFIX = re.compile(
    r"^(?:related(?: articles?| stories| coverage| content| news| topics| links)?|read more"
    r"|read also|see also|also read|more on this(?: story)?|more from [\w ]{1,30}"
    r"|recommended(?: for you)?"
    r"|most (?:read|popular|viewed|shared)|trending(?: now)?|top stories|latest(?: news)?"
    r"|you may also like|don['’]t miss|watch|listen|advertisement|sponsored(?: content)?"
    r"|skip to (?:main )?(?:content|navigation)|back to top|sign in|log in|subscribe|menu|home"
    r"|topics?|tags?)\s*(?:[:»›–—-]|$)",
    re.IGNORECASE,
)
_COOKIES = re.compile(
    r"\bwe use cookies\b|\buses cookies\b|\baccept (?:all )?cookies\b"
    r"|\bcookie (?:policy|settings|preferences|consent)\b|\bmanage (?:your )?cookies\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:copyright\b|©|\(c\)\s)|\ball rights reserved\b"
    r"|\bmay not be (?:published|reproduced|redistributed)\b",
    re.IGNORECASE,
)
_DATE_TOKEN = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]\.?)*|\d{1,2}:\d{2}|\d+(?:st|nd|rd|th)?")
_DATE_WORDS = frozenset(
    (
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
        "saturday sunday mon tue tues wed thu thurs fri sat sun am pm a.m. p.m. a.m p.m gmt utc "
        "et est edt bst cet cest at on of the hours hour ago min mins minutes read"
    ).split()
)
_DATE_ANCHOR = re.compile(rf"\d|\b{_MONTH}|\b{_WEEKDAY}", re.IGNORECASE)
_PUBLISHED = re.compile(
    rf"(?:(?:first |last )?(?:published|updated|posted|modified)|date)(?:\s*:|\s+(?:on|at)\b"
    rf"|\s+(?=\d|{_MONTH}|{_WEEKDAY}))",
    re.IGNORECASE,
)


def _is_title_case(words: list[str]) -> bool:
    """Whether a short line capitalises every word except small function words."""
    letters = [w.strip("\"'“”‘’()[],.:;!?-") for w in words]
    letters = [w for w in letters if w and w[0].isalpha()]
    if len(letters) < 3:
        return False
    return all(w[0].isupper() for w in letters if w.lower() not in _SMALL_WORDS)


def _is_heading(line: str) -> bool:
    """A markdown heading, a short line without final punctuation, or a short Title Case line."""
    if _MARKDOWN_HEADING.match(line):
        return True
    words = line.split()
    if len(words) > 12:
        return False
    return not _TERMINAL_END.search(line) or _is_title_case(words)


def _is_slug(line: str) -> bool:
    """A wire slug (UKRAINE-CRISIS/TROOPS, SLUG: ...) or a URL slug (ukraine-troops-2026-03-04)."""
    return bool(_SLUG_PREFIX.match(line) or _CAPS_SLUG.fullmatch(line) or _URL_SLUG.fullmatch(line))


def _is_byline(line: str) -> bool:
    """'By Jane Doe and John Roe, Reuters' or a 'Reporting by ...; Editing by ...' credit."""
    if _CREDIT_BY.match(line):
        return True
    words = line.split()
    if len(words) < 2 or len(words) > 16 or words[0] not in ("By", "BY"):
        return False
    for word in words[1:]:
        token = word.strip(",;:()")
        ok = not token or token[0].isupper() or token[0].isdigit() or token.lower() in _BYLINE_WORDS
        if not ok:
            return False
    return True


def _is_photo_credit(line: str) -> bool:
    """A photo caption or credit: 'Photo: ...', '(Photo by X/Getty Images)', '... /Reuters'."""
    return bool(_PHOTO.search(line))


_LETTER_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_DIGIT = re.compile(r"\d")


def _is_share_prompt(line: str) -> bool:
    """A row of sharing links: 'Share this article | Tweet | Email | Print', 'Follow us on X'."""
    if _FOLLOW_US.match(line) and len(line.split()) <= 10:
        return True
    tokens = [t.lower() for t in _LETTER_WORD.findall(line)]
    if not tokens or len(tokens) > 12 or _DIGIT.search(line):
        return False
    return all(t in _SHARE_WORDS for t in tokens) and any(t in _SHARE_CORE for t in tokens)


def _is_comment_prompt(line: str) -> bool:
    """An invitation to comment or subscribe: 'Leave a comment', 'Comments (12)'."""
    return bool(_COMMENT.search(line))


def _is_navigation(line: str) -> bool:
    """A menu, breadcrumb or related-links block, an ad marker, or a cookie banner."""
    if _NAV_PREFIX.match(line) or _COOKIES.search(line):
        return True
    items = _NAV_SEPARATOR.split(line.strip("|›»·•> "))
    return len(items) >= 2 and all(
        item and len(item.split()) <= 4 and not item.endswith(".") for item in items
    )


_SOURCE_LINE = re.compile(
    r"^\(?(?:sources?|data|figures|chart|graphic|map|table)\s*:"
    r"|^via\s+[\w .&@/-]{1,40}\)?\.?$"
    r"|^(?:originally (?:published|posted|appeared)|this (?:article|story|report|piece) (?:was |first |originally "
    r"|has been |is )*(?:published|appeared|posted|republished|adapted|updated|syndicated))\b"
    r"|^\(?with (?:additional )?(?:reporting|input|files|information|contributions?) (?:from|by)\b"
    r"|\b(?:contributed|contributing) (?:reporting )?to (?:this|the) (?:report|story|article)\.?\)?$"
    r"|^\(?(?:Reuters|AP|AFP|dpa|EFE|Bloomberg|Xinhua|TASS|ANSA|PA Media|UPI|Wire)\)?\.?$",
    re.IGNORECASE,
)
_EDITOR_NOTE = re.compile(
    r"^(?:editor['’]?s?\s+note|correction|clarification|disclosure|disclaimer|note to readers)\s*[:—–-]",
    re.IGNORECASE,
)


def _is_source_line(line: str) -> bool:
    """A source or syndication line: 'Source: Reuters', 'via AFP', 'Reuters contributed to this report.'"""
    return bool(_SOURCE_LINE.search(line))


def _is_editor_note(line: str) -> bool:
    """An editor's note, correction or disclaimer about the article rather than the news."""
    return bool(_EDITOR_NOTE.match(line))


def _is_copyright(line: str) -> bool:
    """A copyright or rights notice: 'Copyright 2026 The Associated Press. All rights reserved.'"""
    return bool(_COPYRIGHT.search(line))


def _is_dateline_only(line: str) -> bool:
    """'Published March 4, 2026', 'Updated: 10:30 GMT', or a line that is only a date or time."""
    if len(line.split()) > 15 or not _DATE_ANCHOR.search(line):
        return False
    if _PUBLISHED.match(line):
        return True
    return all(t.lower() in _DATE_WORDS or t[0].isdigit() for t in _DATE_TOKEN.findall(line))


NoiseRule = tuple[str, Callable[[str], bool]]

#: Rules tried in order on each paragraph; the first that matches names the drop reason.
NOISE_RULES: tuple[NoiseRule, ...] = (
    ("slug", _is_slug),
    ("byline", _is_byline),
    ("photo_credit", _is_photo_credit),
    ("source_line", _is_source_line),
    ("editor_note", _is_editor_note),
    ("share_prompt", _is_share_prompt),
    ("comment_prompt", _is_comment_prompt),
    ("navigation", _is_navigation),
    ("copyright", _is_copyright),
    ("dateline_only", _is_dateline_only),
    ("heading", _is_heading),
)
#: Rules also tried on each sentence of a kept paragraph (layout rules only make sense per line).
SENTENCE_NOISE_RULES: tuple[NoiseRule, ...] = tuple(
    rule for rule in NOISE_RULES if rule[0] not in ("slug", "heading")
)


def noise_reason(text: str, rules: tuple[NoiseRule, ...] = NOISE_RULES) -> str | None:
    """The reason code of the first rule that calls text noise, or None."""
    line = " ".join(text.split())
    return next((reason for reason, predicate in rules if predicate(line)), None)


# A "related content" block: a header line alone ('Related coverage', 'Most read', 'More on this
# story'), then link-like lines (headlines, bullets) until the first paragraph that reads as text.
_RELATED_HEADER = re.compile(
    r"^(?:related(?: content| coverage| stories| articles?| news| reading| links| topics| posts)?|read more"
    r"|more on this(?: story| topic)?|more (?:from|in|on|about) [\w'’ ]{1,30}|recommended(?: for you| reading| stories)?"
    r"|most (?:read|popular|viewed|shared|watched)|trending(?: now| stories)?|top stories|(?:you|we think you) (?:may|might)"
    r" also like|also read|see also|further reading|more stories|latest(?: news| stories| headlines)?"
    r"|what to read next|popular now|in other news|editor['’]s picks|don['’]t miss|in case you missed it"
    r"|more coverage|elsewhere on [\w ]{1,30}|more headlines|related video|watch next|up next)\s*[:»›]?$",
    re.IGNORECASE,
)
_LINK_ITEM = re.compile(r"^(?:[-*•·▪►>–—]|\d{1,2}[.)])\s+")


_EMPHASIS = re.compile(r"[*_#]+")


def _is_related_header(line: str) -> bool:
    """A header that opens a block of links to other articles."""
    return bool(_RELATED_HEADER.match(" ".join(_EMPHASIS.sub(" ", line).split())))


def _is_link_item(line: str) -> bool:
    """A line that reads as a link in a list: a bullet, a headline, a title, a short question."""
    line = " ".join(line.split())
    words = line.split()
    if len(words) > 20:
        return False
    return bool(
        _LINK_ITEM.match(line) or not _TERMINAL_END.search(line) or _is_title_case(words)
        or line.endswith("?") or "|" in line
    )


# ---------------------------------------------------------------- language

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_FUNCTION_WORDS = {
    "en": frozenset(
        "the and of said were has had would that with from this which they their been after says "
        "told is are to for at by was be have will not it its he she than".split()
    ),
}


@functools.lru_cache(maxsize=1)
def _langdetect() -> Any:
    """The langdetect module, seeded once so that results are reproducible."""
    import langdetect

    langdetect.DetectorFactory.seed = 0
    return langdetect


def _language_probs(text: str) -> dict[str, float]:
    """langdetect's language probabilities for text; empty when it finds nothing to go on."""
    langdetect = _langdetect()
    try:
        return {guess.lang: guess.prob for guess in langdetect.detect_langs(text)}
    except langdetect.LangDetectException:
        return {}


#: A text of at least this many lowercase words, this share of them one language's commonest
#: function words (:data:`_FUNCTION_WORDS`), is in that language without asking langdetect: about
#: 14 ms for an 800-word article, about 8% of extraction's time. Of the 1,627 FNC-1 train bodies
#: with 20 such words, 95% are at 0.25 or more, and langdetect says "en" for all 1,625 at 0.15 or more.
FUNCTION_WORD_SHARE = 0.15
FUNCTION_WORD_MIN = 20


def _by_function_words(text: str) -> str | None:
    lower = [w.lower() for w in _WORD.findall(text) if w[0].islower()]
    if len(lower) < FUNCTION_WORD_MIN:
        return None
    for language, words in _FUNCTION_WORDS.items():
        if sum(w in words for w in lower) >= FUNCTION_WORD_SHARE * len(lower):
            return language
    return None


def detect_language(text: str) -> str | None:
    """The ISO 639-1 language of text, or None when it cannot be told.

    A text dense in one language's function words is in that language (:data:`FUNCTION_WORD_SHARE`);
    any other gets langdetect's most probable language.
    """
    by_words = _by_function_words(text)
    if by_words is not None:
        return by_words
    probs = _language_probs(text)
    return max(probs, key=probs.__getitem__) if probs else None


def other_language(paragraph: str, language: str) -> str | None:
    """The language a paragraph is confidently in when that is not the given one, else None."""
    if len(paragraph.split()) < 6:
        return None
    lower = [w.lower() for w in _WORD.findall(paragraph) if w[0].islower()]
    if len(lower) < 4:  # mostly names and numbers: langdetect guesses wildly on these
        return None
    if sum(w in _FUNCTION_WORDS.get(language, ()) for w in lower) >= 2:
        return None
    probs = _language_probs(paragraph)
    if not probs:
        return None
    top = max(probs, key=probs.__getitem__)
    return top if top != language and probs[top] >= 0.9 and probs.get(language, 0.0) < 0.1 else None


# ---------------------------------------------------------------- attribution

_PRONOUN = r"(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Ww]e|I)"
_STOP_CAP = (
    r"(?:The|A|An|This|That|These|Those|It|Its|In|On|At|By|For|From|To|With|But|And|Or|If|When|While"
    r"|As|After|Before|Since|Because|Although|Though|So|Then|There|Here|Their|His|Her|Our|My|Your|We"
    r"|They|He|She|I|What|Why|How|Who|Where|According|Meanwhile|However|Asked|Yes|No)"
)
_CAPW = rf"(?!{_STOP_CAP}\b)[A-Z][\w'’&-]*(?:\.[\w'’&-]+)*(?:\.(?![\s\"”]*$))?"
_NAME_LINK = r"(?:of|the|for|and|de|van|von|der|al|bin|da|del|du|la|le)"
_CAP_NP = rf"{_CAPW}(?:\s+(?:{_NAME_LINK}\s+){{0,2}}{_CAPW}){{0,7}}"
_HEAD = (
    r"(?i:officials?|ministry|ministries|spokes(?:person|man|woman|people)|government|military|army"
    r"|navy|police|authorities|president|(?:prime\s+)?minister|sources?|analysts?|experts?"
    r"|witness(?:es)?|residents?|diplomats?|lawmakers?|commanders?|company|agency|office|embassy"
    r"|prosecutors?|court|investigators?|statement|report|aides?|advis[eo]rs?|leaders?|governor|mayor"
    r"|department|council|committee|regulators?|administration|campaign|group|organi[sz]ation|people"
    r"|person|doctors?|medics?|officers?|soldiers?|chief|secretary|general|firm|board|union|party"
    r"|coalition|family|lawyers?|attorneys?|negotiators?|observers?|monitors?|mission|staff|service)\b"
)
_ADJ = (
    r"(?i:the|a|an|one|two|three|four|five|several|some|many|other|both|senior|junior|top|local"
    r"|military|defen[cs]e|foreign|government|state|unnamed|anonymous|security|intelligence|health"
    r"|border|press|former|regional|federal|western|interior|finance|justice|emergency|rescue|aid"
    r"|central|national|city|provincial|district|army|police|company|ministry|news)\b"
)
_COMMON_NP = (
    rf"(?:(?:{_ADJ}|{_CAPW})\s+){{0,4}}{_HEAD}"
    rf"(?:\s+(?:for|of|at|in|from|with)\s+(?:the\s+)?(?:{_CAP_NP}|(?:{_ADJ}\s+)?{_HEAD}))?"
)
_SPEAKER = rf"(?:{_COMMON_NP}|(?:[Tt]he\s+)?{_CAP_NP}|{_PRONOUN})"
_TELL = r"(?:told|tells|tell)"
_SAY = r"(?:said|says|say|added|adds|insisted|insists|argued|argues)"
_OTHER = (
    r"(?:stated|states|announced|announces|claimed|claims|warned|warns|denied|denies|declared"
    r"|declares|confirmed|confirms|noted|notes|stressed|stresses|reported|reports|wrote|writes"
    r"|tweeted|tweets|posted|posts|acknowledged|acknowledges|admitted|admits|explained|explains"
    r"|asked|asks)"
)
_VERB = rf"(?:{_TELL}|{_SAY}|{_OTHER})"
_OBJ = (
    r"(?:(?:the|a|an)\s+)?(?:(?:state|local|national|public|foreign|regional|news|press|private"
    rf"|parliamentary|{_CAPW})\s+)?(?:(?i:reporters|journalists|lawmakers|legislators|parliament"
    r"|senators|supporters|conference|briefing|interview|television|tv|radio|newspaper|broadcaster"
    r"|agency|audience|crowd|him|her|them|us|me|allies|colleagues|students|troops|soldiers|residents"
    rf"|officials|diplomats|investors|analysts|media)\b|{_CAP_NP})"
)
_WHEN = (
    rf"(?:(?:on|late|early|last|this|next)\s+)?(?:{_WEEKDAY}|{_MONTH}\s+\d{{1,2}})"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?:yesterday|today|tonight|overnight|earlier|later|recently|previously|again|also)\b"
    r"|last\s+(?:week|month|year|night)\b|this\s+(?:week|month|year|morning|afternoon|evening)\b"
)
_MEDIUM = (
    r"in\s+(?:a|an|the|its|his|her|their)\s+(?:[\w-]+\s+){0,2}?(?:statement|interview|post|speech"
    r"|briefing|letter|report|address|message|video|tweet|broadcast|email|note|filing)\b"
    r"|at\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:conference|briefing|summit|meeting|rally|hearing"
    r"|event|forum)\b|on\s+(?:Twitter|X|Facebook|Telegram|Instagram|social\s+media|Truth\s+Social"
    r"|television|TV|state\s+(?:TV|television|media))\b"
)
_CIRCS = rf"(?:,?\s+(?:{_WHEN}|{_MEDIUM}|(?:in|from|at)\s+(?:the\s+)?{_CAP_NP}))*"
_PRE_VERB = (
    r"(?:\s+(?:also|later|earlier|previously|again|has|have|had|repeatedly|publicly|then|now"
    rf"|{_WHEN}))*"
)
_APPOSITIVE = r"(?:(?:,\s+[^,\"“”]{1,80}){1,2},)?"
_TAIL = (
    r"(?:,\s+(?:adding|citing|referring|speaking|noting|saying|calling|explaining|stressing|warning"
    r"|insisting|who|which|whose|as|in|on|at|after|before|during|without|but|while|when|the|a|an"
    r"|one|his|her|their|its|[a-z]+ing)\b[^\"“”]*"
    r"|\s+(?:posted|published|broadcast|released|aired|shared|issued|uploaded|filmed|recorded)\b[^\"“”]*)?"
)
_END = r"\s*[.!]?\s*$"
_LEAD_IN = (
    r"(?:(?:But|And|Yet|Still|Meanwhile|However|Separately|Also|Now|In\s+addition)\s*,?\s+"
    r"|(?:On|In|At|During|After|Before|Late|Early|Last|This|Speaking|Asked|Earlier|Later)\b"
    r"[^,\"“”]{0,60},\s+)?"
)
_SPEAKER_THEN_VERB = (
    rf"(?P<speaker>{_SPEAKER}){_APPOSITIVE}{_PRE_VERB}\s+(?P<verb>{_VERB})(?:\s+{_OBJ})?"
)
_VERB_THEN_SPEAKER = rf"(?P<verb2>{_SAY}|{_OTHER})\s+(?P<speaker2>{_SPEAKER})"
_QUOTE_FIRST = re.compile(
    rf"^[“\"](?P<content>[^“”\"]+)[”\"],?\s+(?:{_SPEAKER_THEN_VERB}|{_VERB_THEN_SPEAKER}){_CIRCS}{_TAIL}{_END}"
)
_CONTENT_FIRST = re.compile(
    rf"^(?P<content>[^“”\"\s][^“”\"]*?),\s+(?:{_SPEAKER_THEN_VERB}|{_VERB_THEN_SPEAKER}){_CIRCS}{_TAIL}{_END}"
)
_SPEAKER_FIRST = re.compile(
    rf"^{_LEAD_IN}(?P<speaker>{_SPEAKER}){_APPOSITIVE}{_PRE_VERB}\s+(?:"
    rf"(?P<tell>{_TELL})\s+{_OBJ}{_CIRCS}(?:\s*:\s*|,?\s+that\s+|,?\s+)"
    rf"|(?P<say>{_SAY}){_CIRCS}(?:\s*:\s*|,?\s+that\s+|,?\s+)"
    rf"|(?P<other>{_OTHER}){_CIRCS}(?:\s*:\s*|,?\s+that\s+|,?\s+(?=[“\"])))"
    r"(?P<content>\S.*)$"
)
_ACCORDING_FIRST = re.compile(
    r"^According\s+to\s+(?P<speaker>[^,\"“”]{2,100}?),\s+(?P<content>\S.*)$"
)
_ACCORDING_LAST = re.compile(
    r"^(?P<content>[^\s].*?),?\s+according\s+to\s+(?P<speaker>[^,\"“”]{2,100}?)(?:,\s+[^\"“”]*)?\s*[.!]?$"
)
_SPLIT_QUOTE = re.compile(
    rf"^[“\"](?P<content>[^“”\"]+?),?[”\"],?\s+(?:{_SPEAKER_THEN_VERB}|{_VERB_THEN_SPEAKER}){_CIRCS},\s*"
    rf"[“\"](?P<rest>[^“”\"]+)[”\"]\s*$"
)
_PARENTHETICAL = re.compile(
    rf"^(?P<content>[^,“”\"]+?),\s+(?:(?P<speaker>{_SPEAKER})\s+(?P<verb>{_SAY}|{_OTHER})"
    rf"|(?P<verb2>{_SAY})\s+(?P<speaker2>{_SPEAKER})){_CIRCS},\s+(?P<rest>[a-z][^“”\"]*?)\s*$"
)
# A speaker that is any short noun phrase ('Engineers at the national water authority'): the
# phrase is checked word by word in _plain_noun_phrase, so that clauses do not pass for speakers.
_PHRASE = r"[A-Za-z][\w'’.&-]*(?:\s+[\w'’.&-]+){0,11}?"
_GENERIC_FIRST = re.compile(
    rf"^{_LEAD_IN}(?P<speaker>{_PHRASE})\s+(?:"
    rf"(?P<tell>{_TELL})\s+{_OBJ}{_CIRCS}(?:\s*:\s*|,?\s+that\s+|,?\s+)"
    rf"|(?P<say>{_SAY}){_CIRCS}(?:\s*:\s*|,?\s+that\s+|,?\s+)"
    rf"|(?P<other>{_OTHER}){_CIRCS}(?:\s*:\s*|,?\s+that\s+|,?\s+(?=[“\"])))"
    r"(?P<content>\S.*)$"
)
_GENERIC_LAST = re.compile(
    rf"^(?P<content>[^“”\"\s][^“”\"]*?),\s+(?P<speaker>[a-z][\w'’.&-]*(?:\s+[\w'’.&-]+){{0,9}}?)\s+"
    rf"(?P<verb>{_SAY}|{_TELL}|{_OTHER}){_CIRCS}{_TAIL}{_END}"
)
# 'The minister denied reports that ...', 'Yorkville Endoscopy issued a statement denying reports that
# ...': the speaker denies the content. Without this the word 'reports' (or 'claims') reads as the
# reporting verb and 'The minister denied' as its speaker.
_DENY_WORD = r"(?P<deny>denied|denies|deny|denying|rejected|rejects|rejecting|dismissed|dismisses|dismissing)"
_DENIES_REPORTS = re.compile(
    rf"^{_LEAD_IN}(?P<speaker>{_PHRASE}){_APPOSITIVE}{_PRE_VERB}"
    rf"(?:\s+(?:issued|released|put\s+out|published|sent)\s+(?:a|an)\s+(?:[\w-]+\s+)?statement{_CIRCS},?)?"
    rf"\s+{_DENY_WORD}\s+(?:(?:the|those|these|any|all)\s+)?(?:(?:media|news|press|recent|earlier|online|initial"
    r"|widespread|unconfirmed)\s+)?(?:reports?|claims?|allegations?|rumou?rs?|suggestions?|accusations?|speculation"
    r"|stories|story|assertions?)\s+that\s+(?P<content>\S.*)$"
)
_DENY_FORMS = {"denying": "denied", "rejecting": "rejected", "dismissing": "dismissed", "rejects": "rejected",
               "dismisses": "dismissed"}  # fmt: skip
_NOT_IN_SPEAKER = frozenset(
    (
        "is are was were be been being has have had will would can could should may might must did does do "
        "not also that who which whom whose when while after before because since if although though until "
        "unless once where as than it he she they we i you him her them us me its their his our my your this "
        "these those there here what why how left went came took made got gave met saw found thought knew kept "
        "held fled ran began brought caught felt heard led lost paid sent spent stood won wrote sat fell rose "
        "grew drove flew hit cut put set let shut spread struck tore threw broke spoke chose froze woke "
        "says said tells told adds added but and or so yet nor"
    ).split()
)
_SPEAKER_HEAD_BAD = re.compile(r"(?:ly|ing|ed)$")
_PARTICIPLE = re.compile(r"(?:ing|ed)$")
_PLACE_PHRASE = re.compile(r"\s+(?:at|of|for|from|in|with|on|near|inside|across)\s+")


_RELATIVE = re.compile(r"^(?P<np>.+?)\s+who\s+(?P<clause>[a-z][\w'’-]*(?:\s+[\w'’-]+){0,5})$")


def _plain_noun_phrase(phrase: str) -> bool:
    """Whether a phrase can be a speaker: a noun phrase with no verb, clause word or pronoun in it.

    One relative clause is allowed after it: 'Residents who stayed behind'.
    """
    relative = _RELATIVE.match(phrase)
    if relative:
        clause = relative["clause"].split()
        if any(w in ("that", "who", "which", "said", "says", "and", "but") for w in clause):
            return False
        phrase = relative["np"]
    words = phrase.split()
    if not words or len(words) > 12 or any(w.lower().strip(",.") in _NOT_IN_SPEAKER for w in words):
        return False
    if "," in phrase or any(c in phrase for c in "\"“”():;"):
        return False
    head = _PLACE_PHRASE.split(phrase, maxsplit=1)[0].split()
    cut = next((i for i, w in enumerate(head) if i and _PARTICIPLE.search(w.lower())), len(head))
    head = head[:cut]
    return not _SPEAKER_HEAD_BAD.search(head[-1].lower()) and head[-1].lower() not in _SMALL_WORDS


_TRAILING_CIRC = re.compile(rf"(?:,?\s+(?:{_WHEN}|{_MEDIUM}))+$")
_MAX_ATTRIBUTION_CHARS = 2000
_NOT_CONTENT = re.compile(r"(?i:nothing|little|goodbye|otherwise)\b|(?i:yes|no)\b(?:\s*[,.!;]|\s+to\b|\s*$)")


def _clean_speaker(speaker: str) -> str:
    """The speaker with whitespace collapsed and trailing time or medium phrases removed."""
    speaker = _normalise(speaker)
    return _TRAILING_CIRC.sub("", speaker).strip(" ,") or speaker


def _attribution(match: re.Match[str], speaker: str | None, verb: str | None) -> Attribution | None:
    """An Attribution from a pattern match, or None when its content is not a clause."""
    start, end = match.span("content")
    content = match.string[start:end]
    if not speaker or not verb or len(content.split()) < 2 or _NOT_CONTENT.match(content):
        return None
    rest = match.span("rest") if "rest" in match.groupdict() and match["rest"] else None
    return Attribution(_clean_speaker(speaker), " ".join(verb.lower().split()), (start, end), rest)


def find_attribution(sentence: str) -> Attribution | None:
    """The reported speech in a sentence (speaker, verb, content span), or None."""
    if len(sentence) > _MAX_ATTRIBUTION_CHARS:  # far beyond a claim; spare the regexes
        return None
    for pattern in (
        _SPLIT_QUOTE,
        _QUOTE_FIRST,
        _ACCORDING_FIRST,
        _DENIES_REPORTS,
        _SPEAKER_FIRST,
        _PARENTHETICAL,
        _ACCORDING_LAST,
        _CONTENT_FIRST,
        _GENERIC_FIRST,
        _GENERIC_LAST,
    ):
        match = pattern.match(sentence)
        if not match:
            continue
        groups = match.groupdict()
        if pattern in (_GENERIC_FIRST, _GENERIC_LAST, _DENIES_REPORTS) and not _plain_noun_phrase(groups["speaker"]):
            continue
        if pattern in (_ACCORDING_FIRST, _ACCORDING_LAST):
            verb = "according to"
        elif pattern is _DENIES_REPORTS:
            verb = _DENY_FORMS.get(groups["deny"].lower(), groups["deny"].lower())
        else:
            verb = (
                groups.get("verb") or groups.get("verb2") or groups.get("tell") or groups.get("say")
            )
            verb = verb or groups.get("other")
        found = _attribution(match, groups.get("speaker") or groups.get("speaker2"), verb)
        if found:
            return found
    return None


# ---------------------------------------------------------------- statements

_WHOLE_QUOTE = re.compile(r"^[“\"](?P<content>[^“”\"]+)[”\"]$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_AGENCY = r"[A-Z][\w.&'’ -]{0,30}"  # (Reuters), (AP), (Wire): a capitalised name in brackets
_DATELINE = re.compile(
    rf"^(?:(?P<place>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){{0,3}})"
    rf"(?:,\s+(?P<region>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){{0,3}}))?"
    rf"(?:,?\s+(?P<date>{_MONTH}\s+\d{{1,2}}(?:,\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?))?"
    rf"\s*)?(?:\((?P<agency>{_AGENCY})\))?\s*(?:--?|–|—)\s+(?=[A-Z\"“‘'])"
)


def _normalise(text: str) -> str:
    """Straight quotes and single spaces."""
    return " ".join(text.translate(_QUOTES).split())


def _strip_dateline(sentence: str) -> str:
    """The sentence without a leading wire dateline such as 'KYIV, March 4 (Reuters) - '."""
    match = _DATELINE.match(sentence)
    if not match or match.end() >= len(sentence):
        return sentence
    place = match["place"] or ""
    if match["agency"] or match["date"] or (place and place.replace(".", "").isupper()):
        return sentence[match.end() :]
    return sentence


def _content_statement(content: str) -> str:
    """Reported content as a statement: no outer quotes, capitalised, ending in a full stop."""
    text = _normalise(content).rstrip(" ,;:-–—")
    if text.startswith('"') and text.rstrip(".!?").endswith('"') and text.count('"') == 2:
        text = text[1:].replace('"', "")
    text = text.strip(" ,;:-–—")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.rstrip("\"'").endswith((".", "!", "?")) else text + "."


def _statement_reason(statement: str, options: ExtractOptions) -> str | None:
    """Why a statement is not a claim (question, too short, too long), or None."""
    if statement.rstrip("\"' )").endswith("?"):
        return "question"
    words = len(statement.split())
    if words < options.min_words:
        return "too_short"
    if words > options.max_words:
        return "too_long"
    return None


@dataclass(frozen=True, slots=True)
class _Sentence:
    """One sentence read for a claim: its statement, attribution, and whether the content is quoted."""

    reason: str | None
    statement: str
    attribution: Attribution | None
    quoted: bool
    body: str


def _sentence_claim(
    sentence: str, first: bool, previous: Attribution | None, options: ExtractOptions
) -> _Sentence:
    """The statement, attribution and drop reason (or None) of one sentence.

    A sentence that is only a quotation continues the quoted speech of ``previous``.
    """
    reason = noise_reason(sentence, SENTENCE_NOISE_RULES)
    if reason:
        return _Sentence(reason, "", None, False, sentence)
    body = _strip_dateline(sentence) if first else sentence
    attribution = find_attribution(body)
    whole_quote = _WHOLE_QUOTE.match(body)
    if attribution is None and previous is not None and whole_quote:
        attribution = Attribution(previous.speaker, previous.verb, whole_quote.span("content"))
    return _read_body(body, attribution, options)


def _read_body(body: str, attribution: Attribution | None, options: ExtractOptions) -> _Sentence:
    """A sentence's statement (the reported content when attributed) and drop reason."""
    quoted = False
    if attribution:
        start, end = attribution.content_span
        content = body[start:end]
        if attribution.continuation:
            content = content.rstrip(" ,") + " " + body[slice(*attribution.continuation)]
        statement = _content_statement(content)
        quoted = body[max(0, start - 1) : start + 1].strip()[:1] in ('"', "“") or body[end : end + 2].strip(" ,")[:1] in ('"', "”")
    else:
        statement = _normalise(body)
    return _Sentence(_statement_reason(statement, options), statement, attribution, quoted, body)


# ---------------------------------------------------------------- check-worthiness

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million|billion|trillion|dozen|half"
)
CheckRule = tuple[str, float, re.Pattern[str]]

#: Weighted cues of a check-worthy statement (facts, figures, named actors) and of talk that is
#: not (opinions, obligations, forms of address). Weights were set on the train part of the
#: ClaimBuster data (see benchmarks/checkworthiness.py), never on its test part.
CHECKWORTHY_RULES: tuple[CheckRule, ...] = (
    ("number", 2.0, re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b|%|\bper\s?cent\b", re.IGNORECASE)),
    (
        "event_or_statistic",
        1.0,
        re.compile(
            r"\b(?:rate|record|highest|lowest|largest|biggest|smallest|average|majority|doubled|tripled|increased?"
            r"|decreased?|rose|fell|risen|fallen|cut|raised|budget|deficit|debt|tax(?:es)?|jobs?|unemployment"
            r"|inflation|spending|spent|cost|costs|paid|voted|vote|passed|signed|killed|died|dead|arrested"
            r"|evacuated|collapsed|built|inspected|deployed|sent|reached)\b",
            re.IGNORECASE,
        ),
    ),
    ("past_tense", 0.5, re.compile(r"\b(?:was|were|had|did|has been|have been)\b|\b[a-z]{3,}ed\b")),
    ("named", 1.0, re.compile(r"(?<!^)(?<![.!?]\s)\b(?!I\b)[A-Z][a-z]+")),
    (
        "opinion",
        -1.5,
        re.compile(
            r"\b(?:I|we)\s+(?:really\s+|just\s+|do\s+|don't\s+)?(?:think|believe|feel|hope|guess|suppose|want|wish"
            r"|like|love|know|agree|disagree|mean)\b|\bin my (?:view|opinion)\b"
            r"|\bI'm (?:sure|convinced|proud|glad|delighted|pleased|confident)\b",
            re.IGNORECASE,
        ),
    ),
    ("obligation", -1.0, re.compile(r"\b(?:should|must|ought to|need to|needs to|have to|has to|got to|gotta)\b", re.I)),
    ("intention", -0.5, re.compile(r"\b(?:I|we)(?:'ll|\s+will|'m going to|\s+am going to|'re going to|\s+are going to|\s+would)\b", re.I)),
    (
        "address",
        -2.0,
        re.compile(
            r"^(?:thank you|thanks|good (?:evening|morning|night)|ladies and gentlemen|let me|let's)\b"
            r"|^(?:well|look|listen|yes|no|okay|ok|now|sure)\b[,.!]|\b(?:my friends|folks)\b|\bgood question\b"
            r"|\byour question\b",
            re.IGNORECASE,
        ),
    ),
    ("conditional", -0.5, re.compile(r"^(?:if|unless)\b", re.IGNORECASE)),
    ("vague", -0.5, re.compile(r"\b(?:everybody|everyone|somebody|something|things?|stuff|a lot|kind of|sort of)\b", re.I)),
    ("second_person", -0.5, re.compile(r"\byou\b", re.IGNORECASE)),
)
_ATTRIBUTED_WEIGHT = 1.0
_SHORT_WORDS, _SHORT_WEIGHT = 8, -1.0


def checkworthiness(statement: str, attributed: bool = False) -> float:
    """A rule score for whether a statement is worth checking: above 0 reads as a claim.

    The sum of the weights of the ``CHECKWORTHY_RULES`` whose cue appears, plus 1 when someone is
    quoted as saying it, less 1 when it is shorter than 8 words.
    """
    score = sum(weight for _, weight, pattern in CHECKWORTHY_RULES if pattern.search(statement))
    if attributed:
        score += _ATTRIBUTED_WEIGHT
    if len(statement.split()) < _SHORT_WORDS:
        score += _SHORT_WEIGHT
    return score


# ---------------------------------------------------------------- documents

_DUPLICATE_JACCARD = 0.8
_DAY_OR_MONTH = re.compile(rf"\b(?:{_WEEKDAY}|{_MONTH})", re.IGNORECASE)
_REPORTING_TAIL = re.compile(r",\s+(?:[a-z]+ing|who|which|whose|as|after|before|while)\b.*$", re.DOTALL)


def _said_on(sentence: _Sentence, today: dt.date | None) -> dt.date | None:
    """The day a statement was made: a date in its reporting clause, else the document's date."""
    attribution = sentence.attribution
    if attribution is None:
        return today
    spans = [attribution.content_span, *([attribution.continuation] if attribution.continuation else [])]
    reporting = sentence.body
    for start, end in sorted(spans, reverse=True):
        reporting = reporting[:start] + " " + reporting[end:]
    reporting = _REPORTING_TAIL.sub("", reporting)
    for ref in find_dates(reporting, today):
        if ref.iso and len(ref.iso) == 10:
            return dt.date.fromisoformat(ref.iso)
    return today


@dataclass(frozen=True, slots=True)
class _Piece:
    """One claim to make from a sentence: the statement read, its spans in the document, its parsed tokens."""

    read: _Sentence
    span: tuple[int, int]
    spans: tuple[tuple[int, int], ...]
    token_ids: tuple[int, ...] | None = None


def _entity(label: str, text: str, span: tuple[int, int] | None, context: DocumentContext, today: dt.date | None) -> EntityMention:
    """An entity with its normalised value (see :class:`~contradict.records.EntityMention`)."""
    label = ENTITY_LABELS[label]
    value = entity_value(label, text)
    if label == "PERSON":
        person = context.entities.get(value.split()[-1].lower()) if value.split() else None
        if person is not None and person.kind == "person":
            name = person.mention
            if person.title and name.startswith(person.title + " "):
                name = name[len(person.title) + 1 :]
            value = name
    elif label == "DATE":
        refs = [ref.iso for ref in find_dates(text, today) if ref.iso]
        value = refs[0] if refs else value
    elif label in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT"):
        found = find_quantities(text)
        if found:
            quantity = found[0][1]
            value = _number_text(quantity.value) + (f" {quantity.unit}" if quantity.unit else "")
    return EntityMention(label, " ".join(text.split()), value, span)


def _claim_entities(
    doc: Any, piece: _Piece, offset: int, context: DocumentContext, today: dt.date | None, antecedent: Any
) -> tuple[EntityMention, ...]:
    """The named entities of a claim's statement: from the parse, plus the person a pronoun resolved to."""
    found: list[EntityMention] = []
    if antecedent is not None and antecedent.kind == "person":
        found.append(_entity("PERSON", antecedent.mention, None, context, today))
    if doc is not None and piece.token_ids is not None:
        for ent in clause_entities(doc, piece.token_ids):
            span = (offset + ent.start_char, offset + ent.end_char)
            found.append(_entity(ent.label_, ent.text, span, context, today))
    return tuple(dict.fromkeys(found))


def _make_claim(
    document: Document,
    index: int,
    piece: _Piece,
    context: DocumentContext,
    doc: Any = None,
    offset: int = 0,
    sentence_span: tuple[int, int] | None = None,
) -> Claim:
    """A Claim from one read piece of a sentence: references resolved, then normalised, with its entities."""
    sentence = piece.read
    span = piece.span
    attribution = sentence.attribution
    speaker = attribution.speaker if attribution else None
    verb = attribution.verb if attribution else None
    resolved = context.resolve(
        sentence.statement, speaker, quoted=sentence.quoted, attributed=attribution is not None
    )
    normal = normalize(resolved.statement, document.date, verb)
    flags = list(resolved.flags)
    if normal.unresolved_dates:
        flags.append("relative_date_unresolved")
    sentence_span = sentence_span or span
    return Claim(
        id=f"{document.id}:c{index}",
        doc_id=document.id,
        text=document.text[span[0] : span[1]],
        span=span,
        statement=resolved.statement,
        speaker=speaker,
        reporting_verb=verb,
        speaker_resolved=resolved.speaker_resolved,
        normalized=normal.text,
        modality=normal.modality,
        polarity=normal.polarity,
        hedges=normal.hedges,
        quantities=normal.quantities,
        dates=normal.dates,
        said_on=_said_on(sentence, document.date),
        checkworthiness=checkworthiness(resolved.statement, attribution is not None),
        flags=tuple(flags),
        entities=_claim_entities(doc, piece, offset, context, document.date, resolved.antecedent),
        spans=piece.spans,
        context=document.text[sentence_span[0] : sentence_span[1]],
        context_span=sentence_span,
    )


_OPEN_QUOTES = ('"', "“")
_QUOTE_CHARS = re.compile(r"[\"“”]")


def _continue_quotes(entries: list[Any], reads: dict[int, _Sentence], options: ExtractOptions) -> None:
    """Quoted speech across the sentences of a paragraph, in place.

    A quotation opened in one sentence and closed, with its speaker, in the next ('"The levee will
    hold. We have reinforced it," Costa said.') gives the first sentence that speaker; a sentence
    that is only a quotation after a quoted attribution (found by the patterns or the parse)
    keeps that speaker.
    """
    numbers = [n for n, e in enumerate(entries) if isinstance(e, tuple)]
    pairs = [(a, b) for a, b in zip(numbers, numbers[1:]) if entries[a][3] == entries[b][3]]
    for a, b in reversed(pairs):
        first, second = reads[a], reads[b]
        if first.attribution is None and second.attribution is not None and first.reason is None:
            opens = first.body.startswith(_OPEN_QUOTES) and len(_QUOTE_CHARS.findall(first.body)) == 1
            closes = not second.body.startswith(_OPEN_QUOTES) and len(_QUOTE_CHARS.findall(second.body)) == 1
            if opens and closes:
                said = second.attribution
                again = _read_body(first.body, Attribution(said.speaker, said.verb, (1, len(first.body))), options)
                reads[a] = replace(again, quoted=True)
    for a, b in pairs:
        first, second = reads[a], reads[b]
        whole = _WHOLE_QUOTE.match(second.body)
        if second.attribution is None and first.attribution is not None and first.quoted and whole:
            said = first.attribution
            reads[b] = _read_body(second.body, Attribution(said.speaker, said.verb, whole.span("content")), options)


def _parseable(read: _Sentence) -> bool:
    """Whether a sentence is worth parsing: kept, too long (it may split), or too short only by the patterns' reading."""
    return read.reason in (None, "too_long") or (read.reason == "too_short" and read.attribution is not None)


def _parser_for(options: ExtractOptions, language: str | None) -> Any:
    """The spaCy pipeline to parse with, or None: parsing is off, or the text is not English."""
    if not options.spacy_model or (language or "en") != "en":
        return None
    return load_parser(options.spacy_model)


def _parsed_attribution(read: _Sentence, doc: Any, options: ExtractOptions) -> _Sentence:
    """The sentence read again with the speaker the parse found, when the patterns found none."""
    if doc is None or (read.attribution is not None and read.reason != "too_short"):
        return read
    found = parse_attribution(doc)
    if found is None:
        return read
    spans = found.content_spans
    continuation = (spans[1][0], spans[-1][1]) if len(spans) > 1 else None
    again = _read_body(read.body, Attribution(found.speaker, found.verb, spans[0], continuation), options)
    if read.attribution is not None and again.reason:
        return read  # the patterns' reading stands unless the parse finds a usable statement
    return again if again.statement else read


def _content_tokens(doc: Any, attribution: Attribution | None) -> list[int]:
    """Token indices of a parsed sentence inside the reported content (all tokens when not attributed)."""
    if attribution is None:
        return [t.i for t in doc]
    spans = [attribution.content_span, *([attribution.continuation] if attribution.continuation else [])]
    return [t.i for t in doc if any(s <= t.idx and t.idx + len(t.text) <= e for s, e in spans)]


_MAX_CLAUSES = 5  # more atomic clauses than this in one sentence: a run-on the parse is unsure of


def _pieces(
    read: _Sentence, doc: Any, span: tuple[int, int], offset: int, options: ExtractOptions
) -> list[_Piece]:
    """The claims one sentence gives: its atomic clauses when the parse splits it, else the sentence whole."""
    whole = _Piece(read, span, (span,), None)
    if doc is None:
        return [whole]
    allowed = _content_tokens(doc, read.attribution)
    whole = _Piece(read, span, (span,), tuple(allowed))
    if read.reason not in (None, "too_long"):
        return [whole]
    clauses = atomic_clauses(doc, allowed, read.attribution.speaker if read.attribution else None)
    if read.attribution is not None and clauses:
        clauses = sorted([*clauses, *side_facts(doc, allowed)], key=lambda c: min(c.token_ids, default=0))
    if not 2 <= len(clauses) <= _MAX_CLAUSES or any(
        not options.min_words <= len(c.statement.split()) <= options.max_words for c in clauses
    ):
        return [whole]  # the parse cannot split it into claims of a usable length
    pieces = []
    for clause in clauses:
        attribution = None if clause.narrated and not clause.speaker else read.attribution
        if clause.speaker:
            attribution = Attribution(clause.speaker, clause.verb or "said", clause.spans[0])
        statement = clause.statement
        sub = _Sentence(_statement_reason(statement, options), statement, attribution, read.quoted, read.body)
        spans = tuple((offset + s, offset + e) for s, e in clause.spans)
        pieces.append(_Piece(sub, (spans[0][0], spans[-1][1]), spans, clause.token_ids))
    return pieces


def _full_name(ent: Any) -> bool:
    """A PERSON the recogniser found with a first and a last name: single words are too often places."""
    names = [t for t in ent if t.tag_ == "NNP" and t.text[:1].isupper()]
    return ent.label_ == "PERSON" and len(names) >= 2


def _noun_phrases(doc: Any) -> list[tuple[str, str]]:
    """(head lemma, phrase) of the common-noun phrases in a parsed sentence, for 'this plan' later."""
    out = []
    for token in doc:
        if token.tag_ not in ("NN", "NNS") or token.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos"):
            continue
        words = [t for t in token.subtree if t.dep_ not in ("relcl", "punct")]
        if len(words) > 8:
            words = [t for t in token.subtree if t.i <= token.i]
        out.append((token.lower_, " ".join(t.text for t in words)))
    return out


def _duplicate_of(claim: Claim, earlier: list[tuple[Claim, frozenset[str]]], words: frozenset[str]) -> int | None:
    """The index in ``earlier`` of a near-duplicate of claim (same words, speaker, numbers, polarity)."""
    key = speaker_key(claim.speaker_resolved or claim.speaker)
    for index, (other, other_words) in enumerate(earlier):
        if not words or not other_words or claim.polarity != other.polarity:
            continue
        other_key = speaker_key(other.speaker_resolved or other.speaker)
        if key and other_key and key != other_key:
            continue
        if len(words & other_words) / len(words | other_words) >= _DUPLICATE_JACCARD:
            return index
    return None


@dataclass(frozen=True, slots=True)
class _Read:
    """A document read up to the parse: its language, and each paragraph dropped or each sentence read."""

    document: Document
    language: str | None
    target: str | None
    entries: list[Dropped | tuple[int, int, _Sentence, int]]

    def parseable(self) -> list[int]:
        """The numbers of the entries whose sentence is worth parsing."""
        return [i for i, e in enumerate(self.entries) if isinstance(e, tuple) and _parseable(e[2])]


def _read(document: Document, options: ExtractOptions) -> _Read:
    """Paragraphs dropped as noise or another language; the sentences of the others read by the patterns."""
    text = document.text
    language = detect_language(text) if text.strip() else None
    target = options.language or language
    in_related = False
    entries: list[Dropped | tuple[int, int, _Sentence, int]] = []
    for paragraph_number, (p_start, p_end) in enumerate(_paragraphs(text)):
        paragraph = text[p_start:p_end]
        detail: str | None = None
        if _is_related_header(paragraph):
            in_related, reason = True, "related_content"
        elif in_related and _is_link_item(paragraph):
            reason = "related_content"
        else:
            in_related = False
            reason = noise_reason(paragraph)
        if reason is None and options.drop_other_languages and target:
            detail = other_language(paragraph, target)
            reason = "other_language" if detail else None
        if reason:
            entries.append(Dropped(document.id, (p_start, p_end), reason, detail))
            continue
        previous: Attribution | None = None
        sentences = (span for u_start, u_end in _units(text, p_start, p_end) for span in _segment(text, u_start, u_end))
        for index, (start, end) in enumerate(sentences):
            read = _sentence_claim(text[start:end], index == 0, previous, options)
            previous = read.attribution if read.attribution is not None and read.quoted else None
            entries.append((start, end, read, paragraph_number))
    return _Read(document, language, target, entries)


def _finish(read_document: _Read, parsed: dict[int, Any], options: ExtractOptions) -> DocumentClaims:
    """The claims of a read document, given the parse of its parseable sentences (by entry number; empty without a parser)."""
    document, entries = read_document.document, read_document.entries
    kept: list[tuple[Claim, frozenset[str]]] = []
    dropped: list[Dropped] = []
    context = DocumentContext()
    reads = {n: _parsed_attribution(e[2], parsed.get(n), options) for n, e in enumerate(entries) if isinstance(e, tuple)}
    _continue_quotes(entries, reads, options)
    for number, entry in enumerate(entries):
        if isinstance(entry, Dropped):
            dropped.append(entry)
            continue
        start, end, _, _ = entry
        doc = parsed.get(number)
        read = reads[number]
        offset = start + (end - start - len(read.body))
        pieces = _pieces(read, doc, (start, end), offset, options)
        if all(p.read.reason for p in pieces):
            for piece in pieces[:1]:
                dropped.append(Dropped(document.id, (start, end), piece.read.reason or ""))
            if read.reason in ("question", "too_short", "too_long"):
                context.observe(read.body)
            continue
        first_speaker: str | None = None
        last_statement: str | None = None
        for piece in pieces:
            if piece.read.reason:
                dropped.append(Dropped(document.id, piece.span, piece.read.reason))
                continue
            claim = _make_claim(document, len(kept) + 1, piece, context, doc, offset, (start, end))
            first_speaker = first_speaker or claim.speaker
            last_statement = claim.statement
            context.note(claim.statement if not claim.speaker else f"{claim.speaker} said. {claim.statement}")
            for ent in clause_entities(doc, piece.token_ids or ()) if doc is not None else ():
                if _full_name(ent):
                    context.add_person(ent.text)
            words = content_words(claim.normalized or claim.statement, numbers=True) | frozenset(
                w.lower() for w in _DAY_OR_MONTH.findall(claim.normalized or claim.statement)
            )
            reason = None
            if claim.checkworthiness is not None and claim.checkworthiness < options.min_checkworthiness:
                reason = "not_checkworthy"
            elif (twin := _duplicate_of(claim, kept, words)) is not None:
                reason = "duplicate"
                first, first_words = kept[twin]
                kept[twin] = (replace(first, merged_spans=(*first.merged_spans, piece.span)), first_words)
            if reason:
                dropped.append(Dropped(document.id, piece.span, reason))
                continue
            kept.append((claim, words))
        if doc is not None:
            for ent in doc.ents:
                if _full_name(ent):
                    context.add_person(ent.text)
            context.add_nouns(_noun_phrases(doc))
        context.observe(read.body, first_speaker, last_statement if len(pieces) == 1 else pieces[0].read.statement)
    claims = tuple(claim for claim, _ in kept)
    log.debug(
        "document %s: language %s, %d claims, %d spans dropped",
        document.id,
        read_document.language,
        len(claims),
        len(dropped),
    )
    return DocumentClaims(document.id, read_document.language, claims, tuple(dropped))


def _extract_batch(documents: Sequence[Document], options: ExtractOptions) -> list[DocumentClaims]:
    """The claims of a few documents, the sentences of those the parser reads parsed in one ``nlp.pipe``."""
    reads = [_read(document, options) for document in documents]
    todo = [(n, i) for n, r in enumerate(reads) if _parser_for(options, r.target) is not None for i in r.parseable()]
    parsed: list[dict[int, Any]] = [{} for _ in reads]
    if todo:
        parser = _parser_for(options, "en")
        docs = parse_sentences(parser, [reads[n].entries[i][2].body for n, i in todo])
        for (n, i), doc in zip(todo, docs, strict=True):
            parsed[n][i] = doc
    return [_finish(r, p, options) for r, p in zip(reads, parsed, strict=True)]


def extract_claims(document: Document, options: ExtractOptions = ExtractOptions()) -> DocumentClaims:
    """The claims of one document, in document order, with everything dropped and why.

    With a spaCy pipeline (``options.spacy_model``; English text only) the sentences kept are
    parsed in one ``nlp.pipe`` call: the parse finds speakers the patterns miss, splits each
    sentence into atomic claims and names the entities in each. For many documents
    :func:`extract_many` gives the same results, faster.
    """
    return _extract_batch([document], options)[0]


#: Documents read before their sentences go to the parser together (and handed to a worker at once).
BATCH_DOCUMENTS = 8


def extract_many(
    documents: Iterable[Document], options: ExtractOptions = ExtractOptions(), *, processes: int = 1
) -> Iterator[DocumentClaims]:
    """The claims of each document, in the order given: what :func:`extract_claims` returns for each.

    Documents go in batches of :data:`BATCH_DOCUMENTS`, the sentences of a batch parsed in one
    ``nlp.pipe`` call. With ``processes`` above 1 the batches are shared out among that many
    worker processes (forked where the platform can, so that they share the loaded pipeline;
    else started afresh, which costs each a few seconds), a way to use more cores: worth it for
    more documents than a few batches; the last documents go in one smaller batch per worker,
    so that the workers finish together (see :func:`_batches`). A batch's results do not depend
    on the other documents in it, nor on the process that extracts it.
    """
    if processes < 1:
        raise UsageError(f"processes={processes}: use 1 or more")
    return _extract_many(_batches(documents, BATCH_DOCUMENTS, processes), options, processes)


def _extract_many(batches: Iterator[list[Document]], options: ExtractOptions, processes: int) -> Iterator[DocumentClaims]:
    """:func:`extract_many` once its arguments are checked."""
    head = list(itertools.islice(batches, 2 if processes > 1 else 0))
    if processes == 1 or len(head) < 2:  # one batch: no gain from another process
        for batch in itertools.chain(head, batches):
            yield from _extract_batch(batch, options)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if options.spacy_model:
        load_parser(options.spacy_model)  # checked here, and shared with forked workers
    _language_probs("")  # langdetect's profiles load here once, not in each worker
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context(method)) as pool:
        for results in pool.map(_extract_batch, itertools.chain(head, batches), itertools.repeat(options)):
            yield from results


def _batches(documents: Iterable[Document], size: int, processes: int = 1) -> Iterator[list[Document]]:
    """Consecutive lists of up to ``size`` documents; with ``processes`` above 1, the last ones shared evenly.

    The documents are read ``processes * size`` ahead. When they end within that, the ones not
    yet handed out (when more than ``size``) go in a multiple of ``processes`` lists of nearly
    equal lengths (longer first) instead of full lists and a short one: 20 documents in lists of 8
    for 2 processes go 5, 5, 5, 5, so that each worker extracts 10, not 8 + 4 and 8. In one
    process, or with no more than ``size`` documents in all, the lists are consecutive pieces of
    ``size``.
    """
    iterator = iter(documents)
    window = size * processes
    pending = list(itertools.islice(iterator, window))
    while pending:
        ahead = list(itertools.islice(iterator, window))
        tail = pending + ahead
        if len(ahead) == window or processes == 1 or len(tail) <= size:
            for start in range(0, len(pending), size):
                yield pending[start : start + size]
            pending = ahead
            continue
        parts = processes * -(-len(tail) // window)
        short, longer = divmod(len(tail), parts)
        start = 0
        for part in range(parts):
            length = short + (part < longer)
            yield tail[start : start + length]
            start += length
        return
