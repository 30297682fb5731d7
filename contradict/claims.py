"""Extract claims from documents: split sentences, drop page furniture, find who said what."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contradict.errors import UsageError
from contradict.records import Claim, Document

log = logging.getLogger(__name__)

__all__ = [
    "NOISE_RULES",
    "SENTENCE_NOISE_RULES",
    "Attribution",
    "DocumentClaims",
    "Dropped",
    "ExtractOptions",
    "detect_language",
    "extract_claims",
    "find_attribution",
    "noise_reason",
    "split_sentences",
]


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How claims are extracted."""

    min_words: int = 4
    max_words: int = 80
    language: str | None = None
    drop_other_languages: bool = True

    def __post_init__(self) -> None:
        """Reject option values that cannot work, saying which to fix."""
        if self.min_words < 1 or self.max_words < self.min_words:
            raise UsageError(
                f"claim length limits min_words={self.min_words}, max_words={self.max_words} are "
                "invalid: use 1 <= min_words <= max_words"
            )
        if self.language is not None and not re.fullmatch(r"[a-z]{2}(?:-[a-z]{2})?", self.language):
            raise UsageError(f"language {self.language!r} is not an ISO 639-1 code such as 'en'")


@dataclass(frozen=True, slots=True)
class Dropped:
    """A span of a document that was not made a claim, and why (for debugging and tests)."""

    doc_id: str
    span: tuple[int, int]
    reason: str


@dataclass(frozen=True, slots=True)
class DocumentClaims:
    """The claims of one document, the document's detected language, and what was dropped."""

    doc_id: str
    language: str | None
    claims: tuple[Claim, ...]
    dropped: tuple[Dropped, ...]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Reported speech in a sentence: who, the reporting verb, and the content's span in it."""

    speaker: str
    verb: str
    content_span: tuple[int, int]


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


@functools.lru_cache(maxsize=1)
def _segmenter() -> Any:
    """The pysbd English segmenter (slow to build, so built once)."""
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


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


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans into text, paragraph by paragraph, stripped of surrounding whitespace."""
    return [span for p_start, p_end in _paragraphs(text) for span in _segment(text, p_start, p_end)]


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
    r"^(?:photo(?:graph)?s?|image|picture|pictured|caption|credit|photo credit|video)\s*:"
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


def _is_share_prompt(line: str) -> bool:
    """A row of sharing links: 'Share this article | Tweet | Email | Print', 'Follow us on X'."""
    if _FOLLOW_US.match(line) and len(line.split()) <= 10:
        return True
    tokens = [t.lower() for t in re.findall(r"[A-Za-z][A-Za-z-]*", line)]
    if not tokens or len(tokens) > 12 or re.search(r"\d", line):
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


# ---------------------------------------------------------------- language

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_FUNCTION_WORDS = {
    "en": frozenset(
        "the and of said were has had would that with from this which they their been after says "
        "told is are".split()
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


def detect_language(text: str) -> str | None:
    """The most probable ISO 639-1 language of text, or None when it cannot be told."""
    probs = _language_probs(text)
    return max(probs, key=probs.__getitem__) if probs else None


def _is_other_language(paragraph: str, language: str) -> bool:
    """Whether a paragraph is confidently in a language other than the given one."""
    if len(paragraph.split()) < 6:
        return False
    lower = [w.lower() for w in _WORD.findall(paragraph) if w[0].islower()]
    if len(lower) < 4:  # mostly names and numbers: langdetect guesses wildly on these
        return False
    if sum(w in _FUNCTION_WORDS.get(language, ()) for w in lower) >= 2:
        return False
    probs = _language_probs(paragraph)
    if not probs:
        return False
    top = max(probs, key=probs.__getitem__)
    return top != language and probs[top] >= 0.9 and probs.get(language, 0.0) < 0.1


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
    r"|one|his|her|their|its)\b[^\"“”]*)?"
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
_TRAILING_CIRC = re.compile(rf"(?:,?\s+(?:{_WHEN}|{_MEDIUM}))+$")
_MAX_ATTRIBUTION_CHARS = 2000
_NOT_CONTENT = re.compile(r"(?i:nothing|little|yes|no|goodbye|otherwise)\b")


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
    return Attribution(_clean_speaker(speaker), verb.lower(), (start, end))


def find_attribution(sentence: str) -> Attribution | None:
    """The reported speech in a sentence (speaker, verb, content span), or None."""
    if len(sentence) > _MAX_ATTRIBUTION_CHARS:  # far beyond a claim; spare the regexes
        return None
    for pattern in (
        _QUOTE_FIRST,
        _ACCORDING_FIRST,
        _SPEAKER_FIRST,
        _ACCORDING_LAST,
        _CONTENT_FIRST,
    ):
        match = pattern.match(sentence)
        if not match:
            continue
        groups = match.groupdict()
        if pattern in (_ACCORDING_FIRST, _ACCORDING_LAST):
            verb = "according to"
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


def _sentence_claim(
    sentence: str, first: bool, previous: Attribution | None, options: ExtractOptions
) -> tuple[str | None, str, Attribution | None]:
    """(drop reason or None, statement, attribution) for one sentence.

    A sentence that is only a quotation continues the quoted speech of ``previous``.
    """
    reason = noise_reason(sentence, SENTENCE_NOISE_RULES)
    if reason:
        return reason, "", None
    body = _strip_dateline(sentence) if first else sentence
    attribution = find_attribution(body)
    whole_quote = _WHOLE_QUOTE.match(body)
    if attribution is None and previous is not None and whole_quote:
        attribution = Attribution(previous.speaker, previous.verb, whole_quote.span("content"))
    if attribution:
        statement = _content_statement(body[slice(*attribution.content_span)])
    else:
        statement = _normalise(body)
    return _statement_reason(statement, options), statement, attribution


# ---------------------------------------------------------------- documents


def extract_claims(
    document: Document, options: ExtractOptions = ExtractOptions()
) -> DocumentClaims:
    """The claims of one document, in document order, with everything dropped and why."""
    text = document.text
    language = detect_language(text) if text.strip() else None
    target = options.language or language
    claims: list[Claim] = []
    dropped: list[Dropped] = []
    seen: set[str] = set()
    for p_start, p_end in _paragraphs(text):
        paragraph = text[p_start:p_end]
        reason = noise_reason(paragraph)
        if reason is None and options.drop_other_languages and target:
            reason = "other_language" if _is_other_language(paragraph, target) else None
        if reason:
            dropped.append(Dropped(document.id, (p_start, p_end), reason))
            continue
        previous: Attribution | None = None
        for index, (start, end) in enumerate(_segment(text, p_start, p_end)):
            sentence = text[start:end]
            reason, statement, attribution = _sentence_claim(
                sentence, index == 0, previous, options
            )
            quoted = attribution is not None and any(q in sentence for q in '"“”')
            previous = attribution if quoted else None
            key = statement.casefold().rstrip(".!")
            if reason is None and key in seen:
                reason = "duplicate"
            if reason:
                dropped.append(Dropped(document.id, (start, end), reason))
                continue
            seen.add(key)
            claims.append(
                Claim(
                    id=f"{document.id}:c{len(claims) + 1}",
                    doc_id=document.id,
                    text=sentence,
                    span=(start, end),
                    statement=statement,
                    speaker=attribution.speaker if attribution else None,
                    reporting_verb=attribution.verb if attribution else None,
                )
            )
    log.debug(
        "document %s: language %s, %d claims, %d spans dropped",
        document.id,
        language,
        len(claims),
        len(dropped),
    )
    return DocumentClaims(document.id, language, tuple(claims), tuple(dropped))
