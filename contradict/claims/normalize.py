"""Normalise what a statement says: numbers and quantities, dates against the document's date, modality.

Everything here is a pure function of a statement's text (and the document's date), so that
two claims can be compared on what they state rather than on how they spell it: "three towns"
and "3 towns" normalise alike, "15,000 residents" and "40,000 residents" do not.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

__all__ = [
    "MODALITY_RULES",
    "DateRef",
    "Normalized",
    "Quantity",
    "date_range",
    "denying_verb",
    "find_dates",
    "content_words",
    "find_quantities",
    "modality",
    "normalize",
    "parse_number_words",
]


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number a statement gives: its value, what it counts, and how exact it claims to be."""

    text: str
    value: float
    unit: str | None = None
    qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class DateRef:
    """A date or period a text names, as ISO text ('2026-03-03', '2026-03', '2025', 'a/b'), or None."""

    text: str
    span: tuple[int, int]
    iso: str | None
    relative: bool


@dataclass(frozen=True, slots=True)
class Normalized:
    """A statement normalised: digits for numbers, ISO dates, and what it asserts and how."""

    text: str
    quantities: tuple[Quantity, ...]
    dates: tuple[str, ...]
    modality: str
    polarity: str
    hedges: tuple[str, ...]
    unresolved_dates: tuple[str, ...]


# ---------------------------------------------------------------- numbers

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "dozen": 12,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000}  # fmt: skip
_ABBREVIATED_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
_NUMBER_WORD = "|".join(sorted([*_SMALL, *_SCALES], key=len, reverse=True))
# Compiled once: pysbd's patterns keep re's own cache of 512 full.
_SPACE_OR_HYPHEN = re.compile(r"[\s-]+")
_WORD_OR_SIGN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\S")
_NONE_BEFORE = re.compile(r"\b(?:no|any|every|some)\s*$", re.IGNORECASE)
_WORD_THEN_SPACE = re.compile(r"[A-Za-z]+-?\s")
_PLURAL_AFTER = re.compile(r"\s*[a-z]+s\b")
_WORDS_NUMBER = re.compile(
    rf"(?<![\w-])(?:(?:a|an)\s+(?=(?:dozen|hundred|thousand|million|billion)\b))?"
    rf"(?:{_NUMBER_WORD})(?:(?:[\s-]+(?:and[\s-]+)?)(?:{_NUMBER_WORD}))*(?![\w-])",
    re.IGNORECASE,
)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CURRENCY = {"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy", "us$": "usd"}
_CURRENCY_WORDS = {
    "dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur", "pound": "gbp", "pounds": "gbp",
    "yen": "jpy", "yuan": "cny", "rouble": "rub", "roubles": "rub", "ruble": "rub", "rubles": "rub",
}  # fmt: skip
_NUMBER = re.compile(
    rf"(?P<cur>US\$|[$€£¥])?\s?(?P<num>(?<![\w.,/-])(?:{_DIGITS})(?![\w/-]|[.,]\d)"
    rf"|{_WORDS_NUMBER.pattern})"
    rf"(?:\s*(?P<scale>(?i:hundred|thousand|million|billion|trillion|bn|mn|m|k))\b)?"
    rf"(?P<pct>\s*(?:%|per\s*cent\b|percent\b))?",
    re.IGNORECASE,
)
_QUALIFIERS = (
    ("about", r"about|around|approximately|roughly|some|nearly|almost|an estimated|estimated|close to"),
    ("more than", r"more than|over|above|in excess of|upwards of"),
    ("at least", r"at least|no fewer than|no less than|a minimum of"),
    ("fewer than", r"fewer than|less than|under|below"),
    ("up to", r"up to|as many as|as much as|at most|a maximum of|no more than"),
)
_QUALIFIER = re.compile(
    r"(?:" + "|".join(f"(?P<q{i}>\\b(?:{p}))" for i, (_, p) in enumerate(_QUALIFIERS)) + r")\s+$",
    re.IGNORECASE,
)
_UNIT_SKIP = frozenset(
    "more than of the a an additional new other extra further some more fewer less own "
    "million billion thousand hundred".split()
)
_NOT_UNIT = frozenset(
    "and or but to in on at by for from with as than that which who were was is are have has "
    "had will would be been said says told per a an the of left fled went came ran fell rose got lost remain "
    "remains stay stays live lives died die can could may might must should do did does".split()
)
_YEAR = re.compile(r"^(?:1[89]\d{2}|20\d{2})$")


# How far a quantity reaches: 'about 15,000' stands for 13,500-16,500; a plain number for itself
# within rounding.
ABOUT_TOLERANCE = 0.1
EXACT_TOLERANCE = 0.005


def quantity_interval(quantity: Quantity) -> tuple[float, float]:
    """The values a quantity allows, given its qualifier ('more than 40,000' -> (40000, inf))."""
    value, qualifier = quantity.value, quantity.qualifier
    if qualifier == "about":
        return value * (1 - ABOUT_TOLERANCE), value * (1 + ABOUT_TOLERANCE)
    if qualifier in ("more than", "at least"):
        return value, math.inf
    if qualifier in ("fewer than", "up to"):
        return 0.0, value
    return value * (1 - EXACT_TOLERANCE), value * (1 + EXACT_TOLERANCE)


def parse_number_words(text: str) -> float | None:
    """The value of an English number phrase ('three', 'twenty-five', 'a dozen', 'two million')."""
    total = current = 0.0
    seen = False
    for word in _SPACE_OR_HYPHEN.split(text.lower()):
        if word in ("and", "a", "an", ""):
            if word in ("a", "an"):
                current = current or 1
            continue
        if word in ("hundred", "dozen"):
            current = (current or 1) * (100 if word == "hundred" else 12)
        elif word in _SMALL:
            current += _SMALL[word]
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _singular(word: str) -> str:
    """A crude singular: 'residents' -> 'resident', 'bodies' -> 'body', 'people' stays."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _unit_after(text: str, end: int) -> str | None:
    """The word a number counts: the last noun of the phrase after it ('three army brigades' -> 'brigade')."""
    phrase: list[str] = []
    for match in _WORD_OR_SIGN.finditer(text[end : end + 60]):
        word = match.group(0)
        low = word.lower()
        if not word[0].isalpha() or low in _NOT_UNIT or len(phrase) == 3:
            break
        if low in _CURRENCY_WORDS:
            return _CURRENCY_WORDS[low]
        if low in _UNIT_SKIP and not phrase:
            continue
        if phrase and (low.endswith("ed") or low.endswith("ing")) and not phrase[-1].endswith("-"):
            break  # 'people killed', 'troops arriving'
        phrase.append(low)
    return _singular(phrase[-1]) if phrase else None


def find_quantities(text: str, skip: tuple[tuple[int, int], ...] = ()) -> list[tuple[tuple[int, int], Quantity]]:
    """The quantities in text with their spans, ignoring spans in ``skip`` (dates, years)."""
    found: list[tuple[tuple[int, int], Quantity]] = []
    for match in _NUMBER.finditer(text):
        start, end = match.start("cur") if match["cur"] else match.start("num"), match.end()
        if any(s < end and start < e for s, e in skip):
            continue
        raw = match["num"]
        if raw[0].isdigit():
            value = float(raw.replace(",", ""))
            if _YEAR.match(raw) and not match["cur"] and not match["pct"] and not match["scale"]:
                continue  # a year: dates handle it
        else:
            if raw.lower() in ("one",) and _NONE_BEFORE.search(text[:start]):
                continue  # 'no one', 'any one'
            parsed = parse_number_words(raw)
            if parsed is None:
                continue
            value = parsed
        scale = (match["scale"] or "").lower()
        value *= _SCALES.get(scale) or _ABBREVIATED_SCALES.get(scale) or 1
        if match["pct"]:
            unit: str | None = "percent"
        elif match["cur"]:
            unit = _CURRENCY[match["cur"].lower()]
        else:
            unit = _unit_after(text, end)
        qualifier_match = _QUALIFIER.search(text[max(0, start - 25) : start])
        qualifier = None
        if qualifier_match:
            index = next(i for i, v in enumerate(qualifier_match.groups()) if v)
            qualifier = _QUALIFIERS[index][0]
        found.append(((start, end), Quantity(text[start:end].strip(), value, unit, qualifier)))
    return found


def _number_text(value: float) -> str:
    """A value as digits without separators: 15000, 2.5."""
    return str(int(value)) if value == int(value) else f"{value:g}"


# ---------------------------------------------------------------- dates

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(_MONTHS)} | {"sept": 9}
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PERIOD_WORD = r"(?:week|month|year|weekend)"
_COUNT = rf"(?:\d+|{_NUMBER_WORD}|a|an)"
_FUTURE = re.compile(
    r"\b(?:will|shall|won't|is to|are to|(?:is|are) due to|(?:is|are) expected to|plans? to|"
    r"(?:is|are) scheduled|(?:is|are) set to|intends? to|expects?|forecasts?|next|(?:may|might|could)\s+(?!have\b))\b",
    re.IGNORECASE,
)

_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE if name not in ("month_day", "day_month", "month_year") else 0))
    for name, pattern in (
        ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
        ("month_day", rf"\b(?P<mon>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?"),
        ("day_month", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_RE})(?:,?\s+(?P<y>\d{{4}})\b)?"),
        ("month_year", rf"\b(?:(?i:in|since|by|until|from|during|early|late|mid-?)\s+)?(?P<mon>{_MONTH_RE})(?:\s+(?P<y>\d{{4}})\b)?(?!\s+\d)"),
        ("year", r"\b(?:(?:in|since|by|until|from|during|before|after|of|early|late|mid-?)\s+)(?P<y>1[89]\d{2}|20\d{2})\b(?![,.]?\d)"),
        ("bare_year", r"(?<![\d,.$€£])\b(?P<y>1[89]\d{2}|20\d{2})\b(?![,.]?\d|\s*(?:%|percent))"),
        ("ago", rf"\b(?P<n>{_COUNT})\s+(?P<unit>day|week|month|year)s?\s+ago\b"),
        ("weekday", rf"\b(?:(?P<rel>last|this|next|on|early|late)\s+)?(?P<wd>{_WEEKDAY_RE})\b(?:\s+(?:morning|afternoon|evening|night))?"),
        ("day_word", r"\b(?P<w>today|tonight|yesterday|tomorrow|overnight|last\s+night|this\s+(?:morning|afternoon|evening))\b"),
        ("period", rf"\b(?:(?P<edge>earlier|later)\s+)?(?P<rel>this|last|next|past)\s+(?P<per>{_PERIOD_WORD})\b"),
    )
)


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by delta months."""
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def _iso_range(start: dt.date, end: dt.date) -> str:
    """One day as 'YYYY-MM-DD', else 'start/end'."""
    return start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"


def _month_number(name: str) -> int:
    """1-12 for a month name or abbreviation."""
    return _MONTH_ABBR[name.lower().rstrip(".")[:4] if name.lower().startswith("sept") else name.lower()[:3]]


def _resolve(name: str, match: re.Match[str], today: dt.date | None, future: bool) -> tuple[str | None, bool]:
    """(ISO text or None, whether the expression is relative to the document's date)."""
    groups = match.groupdict()
    if name == "iso":
        try:
            return dt.date(int(groups["y"]), int(groups["m"]), int(groups["d"])).isoformat(), False
        except ValueError:
            return None, False
    if name in ("month_day", "day_month"):
        year = int(groups["y"]) if groups.get("y") else (today.year if today else None)
        if year is None:
            return None, True
        try:
            return dt.date(year, _month_number(groups["mon"]), int(groups["d"])).isoformat(), not groups.get("y")
        except ValueError:
            return None, False
    if name == "month_year":
        bare = not groups.get("y") and not _WORD_THEN_SPACE.match(match.group(0))
        if groups["mon"].rstrip(".") in ("May", "Mar") and bare:
            return None, False  # the modal 'may', and 'Mar' alone, are too ambiguous
        year = int(groups["y"]) if groups.get("y") else (today.year if today else None)
        if year is None:
            return None, True
        return f"{year:04d}-{_month_number(groups['mon']):02d}", not groups.get("y")
    if name in ("year", "bare_year"):
        return groups["y"], False
    if today is None:
        return None, True
    if name == "ago":
        count = groups["n"].lower()
        n = 1 if count in ("a", "an") else int(count) if count.isdigit() else int(parse_number_words(count) or 0)
        unit = groups["unit"].lower()
        if unit == "day":
            return (today - dt.timedelta(days=n)).isoformat(), True
        if unit == "week":
            day = today - dt.timedelta(weeks=n)
            return _iso_range(day - dt.timedelta(days=day.weekday()), day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=6)), True
        if unit == "month":
            y, m = _shift_month(today.year, today.month, -n)
            return f"{y:04d}-{m:02d}", True
        return f"{today.year - n:04d}", True
    if name == "weekday":
        target = _WEEKDAYS.index(groups["wd"].lower())
        rel = (groups.get("rel") or "").lower()
        back = (today.weekday() - target) % 7
        ahead = (target - today.weekday()) % 7
        if rel == "last":
            day = today - dt.timedelta(days=back or 7)
        elif rel == "next":
            day = today + dt.timedelta(days=ahead or 7)
        elif rel == "this":
            day = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=target)
        else:
            day = today + dt.timedelta(days=ahead) if future else today - dt.timedelta(days=back)
        return day.isoformat(), True
    if name == "day_word":
        word = " ".join(groups["w"].lower().split())
        if word in ("yesterday", "last night"):
            return (today - dt.timedelta(days=1)).isoformat(), True
        if word == "tomorrow":
            return (today + dt.timedelta(days=1)).isoformat(), True
        if word == "overnight":
            return _iso_range(today - dt.timedelta(days=1), today), True
        return today.isoformat(), True
    # period: this/last/next/past week|month|year, with 'earlier'/'later'
    rel, period, edge = groups["rel"].lower(), groups["per"].lower(), (groups.get("edge") or "").lower()
    delta = {"this": 0, "last": -1, "past": -1, "next": 1}[rel]
    if period in ("week", "weekend"):
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=delta)
        if rel == "past":
            start, end = today - dt.timedelta(days=7), today
        elif period == "weekend":
            start, end = monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
        else:
            start, end = monday, monday + dt.timedelta(days=6)
    elif period == "month":
        y, m = _shift_month(today.year, today.month, delta)
        start = dt.date(y, m, 1)
        ny, nm = _shift_month(y, m, 1)
        end = dt.date(ny, nm, 1) - dt.timedelta(days=1)
        if rel == "past":
            start, end = today - dt.timedelta(days=30), today
    else:
        start, end = dt.date(today.year + delta, 1, 1), dt.date(today.year + delta, 12, 31)
        if rel == "past":
            start, end = today - dt.timedelta(days=365), today
        elif not edge and rel != "this":
            return f"{today.year + delta:04d}", True
    if rel == "this" and edge == "earlier":
        end = min(end, today)
    elif rel == "this" and edge == "later":
        start = max(start, today)
    return _iso_range(start, end), True


def find_dates(text: str, today: dt.date | None) -> list[DateRef]:
    """The dates and periods in text, left to right, resolved against ``today`` (the document's date)."""
    future = bool(_FUTURE.search(text))
    taken: list[tuple[int, int]] = []
    found: list[DateRef] = []
    for name, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            if name == "weekday" and (match["rel"] or "").lower() in ("on", "early", "late"):
                start = match.start("wd")
            elif name == "year":
                start = match.start("y")
            elif name == "month_year":
                start = match.start("mon")
            iso, relative = _resolve(name, match, today, future)
            if iso is None and not relative:
                continue
            if name == "bare_year" and _PLURAL_AFTER.match(text[end : end + 20]):
                continue  # '2000 troops' counts troops
            taken.append((start, end))
            found.append(DateRef(text[start:end], (start, end), iso, relative))
    found.sort(key=lambda ref: ref.span)
    return found


def date_range(iso: str) -> tuple[dt.date, dt.date]:
    """The first and last day of an ISO date, month, year or 'start/end' period."""
    if "/" in iso:
        first, last = iso.split("/", 1)
        return date_range(first)[0], date_range(last)[1]
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day
    if len(parts) == 2:
        ny, nm = _shift_month(parts[0], parts[1], 1)
        return dt.date(parts[0], parts[1], 1), dt.date(ny, nm, 1) - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


# ---------------------------------------------------------------- modality

_NOT_RULED_OUT = r"(?:not|never|n't)\s+(?:be\s+|been\s+|yet\s+)?(?:rul(?:ed|e|ing)\s+out)|(?:refused|declined)\s+to\s+rule\s+out"
_NOT_RULED_OUT_RE = re.compile(_NOT_RULED_OUT, re.IGNORECASE)

#: (modality, cue pattern), tried in order; the first that matches names the statement's modality.
MODALITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("possible", rf"\b(?:{_NOT_RULED_OUT}|remains?\s+on\s+the\s+table|on\s+the\s+table|an\s+option|"
                     r"(?:is|are|was|were)\s+(?:considering|weighing|mulling|exploring|studying)|"
                     r"weighs|weighing|considers|open\s+to|not\s+excluded)\b"),
        ("ruled_out", r"\b(?:rul(?:ed|es|e|ing)\s+out|(?:will|would|shall|could|can)\s+not|won't|wouldn't|"
                      r"cannot|can't|refus(?:ed|es|e)\s+to|no\s+(?:plans?|intention)\s+to|"
                      r"not\s+(?:going|planning|intending)\s+to|(?:will|would)\s+never|"
                      r"out\s+of\s+the\s+question|off\s+the\s+table)\b"),
        ("denied", r"\b(?:den(?:y|ies|ied|ying)|(?:rejected|dismissed)\s+(?:the\s+)?(?:claims?|reports?|allegations?|"
                   r"accusations?|suggestions?)|untrue|baseless|fake\s+news)\b"),
        ("hedged", r"\b(?:may|might|could|possibly|probably|likely|unlikely|perhaps|reportedly|allegedly|"
                   r"apparently|appears?\s+to|seems?\s+to|suspected|believed\s+to|thought\s+to|unconfirmed|"
                   r"i\s+think|we\s+think|i\s+believe|we\s+believe)\b"),
        ("expected", r"\b(?:expects?|expected\s+to|will|would|shall|plans?\s+to|planned\s+to|intends?\s+to|"
                     r"aims?\s+to|(?:is|are)\s+set\s+to|(?:is|are)\s+due\s+to|promised?|pledged?|vowed?|"
                     r"forecasts?|projected\s+to|going\s+to|committed\s+to)\b"),
    )
)  # fmt: skip
_NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without)\b|n't\b", re.IGNORECASE)
_DENYING_VERBS = frozenset(("denied", "denies", "deny", "rejected", "dismissed"))


def denying_verb(verb: str | None) -> bool:
    """Whether a reporting verb denies what it reports ('denied', 'rejected', ...): the reported
    statement is then what the speaker says is *not* so."""
    return bool(verb) and verb.lower() in _DENYING_VERBS  # type: ignore[union-attr]


def modality(statement: str, verb: str | None = None) -> tuple[str, str, tuple[str, ...]]:
    """(modality, polarity, cue words) of a statement; ``verb`` is its reporting verb if any.

    Modality is one of ``asserted``, ``possible``, ``ruled_out``, ``denied``, ``hedged``,
    ``expected``; polarity is ``negative`` when the statement is negated (a ruled-out or denied
    statement is negative; 'not ruled out' is positive).
    """
    cues: list[str] = []
    label = "asserted"
    for name, pattern in MODALITY_RULES:
        match = pattern.search(statement)
        if match:
            cue = " ".join(match.group(0).lower().split())
            if not any(cue in seen for seen in cues):
                cues.append(cue)
            if label == "asserted":
                label = name
    if denying_verb(verb):
        label = "denied"
        cues.insert(0, verb.lower())
    negated = bool(_NEGATION.search(statement))
    if label == "possible" and _NOT_RULED_OUT_RE.search(statement):
        negated = bool(_NEGATION.search(_NOT_RULED_OUT_RE.sub("", statement)))
    polarity = "negative" if negated or label in ("ruled_out", "denied") else "positive"
    return label, polarity, tuple(dict.fromkeys(cues))


# ---------------------------------------------------------------- statements


def _replace(text: str, edits: list[tuple[tuple[int, int], str]]) -> str:
    """text with each (span, replacement) applied; spans must not overlap."""
    out: list[str] = []
    cursor = 0
    for (start, end), replacement in sorted(edits):
        out.append(text[cursor:start])
        out.append(replacement)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def normalize(statement: str, today: dt.date | None = None, verb: str | None = None) -> Normalized:
    """A statement's normalised text, quantities, dates, modality, polarity and hedge words."""
    dates = find_dates(statement, today)
    spans = tuple(ref.span for ref in dates)
    quantities = find_quantities(statement, spans)
    edits: list[tuple[tuple[int, int], str]] = [(ref.span, ref.iso) for ref in dates if ref.iso]
    for (start, end), quantity in quantities:
        text = statement[start:end]
        lead = len(text) - len(text.lstrip())
        digits = _number_text(quantity.value)
        if quantity.unit == "percent":
            digits += "%"
        elif text.lstrip()[:1] in "$€£¥" or text.lstrip().startswith("US$"):
            digits = f"{digits} {(quantity.unit or '').upper()}"
        edits.append(((start + lead, end), digits))
    text = _replace(statement, edits)
    label, polarity, cues = modality(_replace(statement, [(ref.span, "DATE") for ref in dates]), verb)
    return Normalized(
        text=text,
        quantities=tuple(q for _, q in quantities),
        dates=tuple(dict.fromkeys(ref.iso for ref in dates if ref.iso)),
        modality=label,
        polarity=polarity,
        hedges=cues,
        unresolved_dates=tuple(ref.text for ref in dates if ref.iso is None),
    )



# ---------------------------------------------------------------- comparing statements

_STOPWORDS = frozenset(
    "a an the of to in on at by for from with and or but as is are was were be been being has have had do does "
    "did will would shall should can could may might must that this these those it its he she they them their "
    "his her we our us i me my you your there here which who whom whose what when where why how than then so "
    "not no nor also about after before over under into out up down more most some any all each every other "
    "such only own same very just said says say told tell according added early late earlier later "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow overnight week month "
    "year years night morning evening afternoon january february march april june july august september "
    "october november december last next this past".split()
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d.,/-]*")


def _stem(word: str) -> str:
    """A crude stem, enough to meet 'inspected'/'inspection'/'inspect' and 'homes'/'home'."""
    stem = word
    for suffix in ("ations", "ation", "ings", "ing", "ions", "ion", "ies", "ied", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            stem = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return stem[:-1] if stem.endswith("e") and len(stem) > 3 else stem


def content_words(text: str, numbers: bool = False) -> frozenset[str]:
    """The stems of a text's content words (no function words, dates or, unless asked, numbers)."""
    out: set[str] = set()
    for token in _TOKEN.findall(text):
        if token[0].isdigit():
            if numbers:
                out.add(token.rstrip(".,").replace(",", ""))
            continue
        low = token.lower().replace("’", "'")
        if low.endswith("'s"):
            low = low[:-2]
        if low in _STOPWORDS or len(low) < 2:
            continue
        if low in _SMALL or low in _SCALES:
            if numbers:
                out.add(_number_text(parse_number_words(low) or 0))
            continue
        out.add(_stem(low))
    return frozenset(out)
