"""Resolve what a claim leans on from earlier in its document: pronouns and short references.

"He said it will not work" cannot be checked on its own. While claims are extracted, a
:class:`DocumentContext` follows the people and organisations a document names, in reading
order; a pronoun ("he", "she", "it") or a short reference ("the president", "the Russian
leader", "the agency") is replaced by the entity it stands for when the evidence is clear
(exactly one candidate), and is otherwise kept and flagged. Rules, not a model: see
``PERSON_HEADS``, ``GROUP_HEADS`` and :meth:`DocumentContext.resolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "GROUP_HEADS",
    "PERSON_HEADS",
    "DocumentContext",
    "Entity",
    "Resolved",
    "find_people",
    "is_expletive",
    "speaker_key",
]


@dataclass(frozen=True, slots=True)
class Entity:
    """Someone or something a document names: its fullest mention, name, title, kind and gender."""

    key: str
    mention: str
    title: str
    kind: str  # "person" or "group"
    gender: str | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    """A statement with its references resolved, who its speaker is, and what stayed unresolved."""

    statement: str
    speaker_resolved: str | None
    flags: tuple[str, ...]
    antecedent: Entity | None = None


# ---------------------------------------------------------------- lexicon

_TITLE = (
    r"(?:Vice\s+President|President|Deputy\s+Prime\s+Minister|Prime\s+Minister|Minister(?:\s+of\s+[A-Z]\w+(?:\s+and\s+[A-Z]\w+)?)?"
    r"|Chancellor|Secretary(?:\s+of\s+State|\s+General|\s+of\s+[A-Z]\w+)?|Governor|Mayor|Senator|Sen\.|Rep\.|Representative"
    r"|General|Gen\.|Lt\.\s+Gen\.|Maj\.\s+Gen\.|Admiral|Adm\.|Colonel|Col\.|Major|Maj\.|Captain|Capt\.|Sgt\.|Sergeant"
    r"|Judge|Justice|Spokes(?:man|woman|person)|Director(?:\s+General)?|Commissioner|Ambassador|King|Queen|Prince|Princess"
    r"|Pope|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Prof\.?|Professor|Chair(?:man|woman)?|Chief\s+Executive|CEO|Premier|Envoy"
    r"|Commander|Sheriff|Chief|Speaker|Leader|Head|Inspector|Superintendent|Engineer|Mayor)"
)
_NAME_WORD = r"[A-Z][a-zà-ÿ'’-]+"
_PARTICLE = r"(?:van|von|de|der|den|al|bin|da|del|la|le|di|du)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,2}}"
_MOD = r"(?:[A-Z][\w.'’-]*|U\.S\.|of|for|and)"
_TITLED = re.compile(rf"(?P<mods>(?:{_MOD}\s+){{0,4}}?)(?P<title>{_TITLE})\s+(?P<name>{_NAME})")
_APPOSITION = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,2}}),\s+(?:the|a|an)\s+"
    r"(?P<title>(?:[\w-]+\s+){0,3}?(?:minister|president|premier|chancellor|leader|spokes(?:man|woman|person)|general"
    r"|senator|governor|mayor|secretary|ambassador|director|chief|commander|head|chair(?:man|woman)?|engineer|judge))\b"
)
_STOP_MODS = frozenset(
    "The A An This That These Those It Its In On At By For From To With But And Or If When While As After Before "
    "Since Because Although Though So Then There Here Their His Her Our My Your We They He She I What Why How Who "
    "Where According Meanwhile However Asked Yes No Earlier Later Former Late Acting of for and".split()
)
_MALE = frozenset("mr mr. king prince sir spokesman chairman lord father brother".split())
_FEMALE = frozenset("mrs mrs. ms ms. miss queen princess lady spokeswoman chairwoman mother sister".split())

#: Short person references and the title words they may stand for.
PERSON_HEADS: dict[str, tuple[str, ...]] = {
    "president": ("president",),
    "prime minister": ("prime minister", "premier"),
    "premier": ("premier", "prime minister"),
    "minister": ("minister",),
    "chancellor": ("chancellor",),
    "leader": ("president", "prime minister", "premier", "chancellor", "king", "queen", "leader"),
    "general": ("general", "gen."),
    "senator": ("senator", "sen."),
    "governor": ("governor",),
    "mayor": ("mayor",),
    "secretary": ("secretary",),
    "ambassador": ("ambassador",),
    "spokesman": ("spokesman", "spokesperson"),
    "spokeswoman": ("spokeswoman", "spokesperson"),
    "spokesperson": ("spokesman", "spokeswoman", "spokesperson"),
    "commander": ("commander", "general", "admiral"),
    "chief": ("chief", "head", "director"),
    "judge": ("judge", "justice"),
    "king": ("king",),
    "queen": ("queen",),
}
#: Head nouns of organisations that a short reference ("the agency") may stand for.
GROUP_HEADS = frozenset(
    "agency ministry government authority company council committee police army military office department "
    "court commission union party firm operator utility embassy administration service regulator".split()
)
_PERSON_HEAD_RE = "|".join(sorted(PERSON_HEADS, key=len, reverse=True))
_GROUP_HEAD_RE = "|".join(sorted(GROUP_HEADS, key=len, reverse=True))
_REFERENCE = re.compile(
    rf"^(?P<det>[Tt]he)\s+(?P<adjs>(?:(?!(?:{_PERSON_HEAD_RE}|{_GROUP_HEAD_RE})\b)[A-Za-z.'’-]+\s+){{0,3}}?)"
    rf"(?P<head>{_PERSON_HEAD_RE}|{_GROUP_HEAD_RE})(?P<poss>['’]s)?(?=$|\s|,)"
)
_PRONOUN = re.compile(r"^(?P<p>He|She|It|They|His|Her|Its|Their)\b(?P<poss>)")
_SUBJECT_PRONOUNS = {"he": "person", "she": "person", "his": "person", "her": "person",
                     "it": "group", "its": "group", "they": "plural", "their": "plural"}  # fmt: skip
_EXPLETIVE = re.compile(
    r"^It\s+(?:is|was|remains|remained|seems|seemed|appears|appeared|has\s+been|had\s+been|will\s+be|would\s+be)"
    r"\s+(?:\w+\s+){0,3}?(?:that|whether|if|to|how|when|why|what|who)\b"
    r"|^It\s+(?:is|was)\s+(?:raining|snowing|unclear|not\s+clear|too\s+early)\b",
)


def is_expletive(statement: str) -> bool:
    """Whether a statement opens with an expletive "it", which refers to nothing: "It was unclear whether ..."."""
    return bool(_EXPLETIVE.match(statement))


_DEMONSTRATIVE = re.compile(
    r"^(?:This|That|These|Those)\s+(?:is|was|are|were|will|would|has|have|had|means|meant|could|may|might|shows|showed)\b"
)
_DEMONSTRATIVE_NOUN = re.compile(
    r"^(?:This|That|These|Those)\s+(?!(?:week|weekend|month|year|morning|afternoon|evening|night|time|season|summer"
    r"|winter|spring|autumn|fall|quarter|decade|century|days|weeks|months|years)\b)(?P<noun>[a-z][\w-]*)\b"
)
_LEADING_REFERENCE = re.compile(r"^(?P<w>He|She|It|They|His|Her|Its|Their|Him|Them|This|That|These|Those)\b")
_REFERENCE_FLAGS = ("unresolved_pronoun", "unresolved_reference", "vague_reference", "unresolved_speaker")
_DEMONSTRATIVE_OBJECT = re.compile(r"\s(?:that|this|it)[.!]?[\"']?$")
_MID_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him|his|her|hers)\b")
_SUBJECT_NP = re.compile(
    r"^(?P<np>The\s+(?:[A-Z][\w'’-]*\s+|[a-z][\w'’-]*\s+){0,3}?[A-Za-z][\w'’-]*)\s+"
    r"(?=(?:was|is|has|had|will|would|can|could|collapsed|remains|holds|held|broke|failed|[a-z]+ed)\b)"
)
_PRONOUN_SPEAKERS = frozenset("he she they it we i".split())
_ORGANISATION_WORDS = frozenset(
    "agency ministry government authority authorities company council committee police army military office "
    "department court commission union party firm operator utility embassy administration service officials "
    "official spokesperson spokesman spokeswoman sources source residents engineers experts analysts group "
    "organisation organization people witnesses diplomats lawmakers kremlin pentagon house bank".split()
)


# Compiled once: pysbd's patterns keep re's own cache of 512 full.
_TITLE_WORD = re.compile(_TITLE)
_ENDS_WITH_TITLE = re.compile(_TITLE + "$")
_WORDS = re.compile(r"[\w.'’-]+")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"['’]s$")
_TWO_NAME_WORDS = re.compile(rf"\b{_NAME_WORD}\s+{_NAME_WORD}\b")
_DETERMINER = re.compile(r"^(?:a|an|the|this|that|these|those|its|their|his|her)\s+", re.IGNORECASE)
_OF_PHRASE = re.compile(r"\s+(?:of|for|at|in|from)\s+")


def _collapse(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join(text.split())


def _gender(title: str) -> str | None:
    """'m' or 'f' when a title says so ('Mrs', 'spokesman'), else None."""
    words = set(title.lower().split())
    if words & _MALE:
        return "m"
    if words & _FEMALE:
        return "f"
    return None


_BARE_NAME = re.compile(
    rf"(?:(?<=\bmet\s)|(?<=\bwith\s)|(?<=\band\s)|(?<=^)|(?<=,\s))(?P<name>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,2}})"
    r"(?=\s+(?:said|says|told|met|visited|ordered|arrived|added|has|had|was|is|will|would|and|[a-z]+ed)\b|[,.]|$)"
)
_NOT_PERSON_FIRST = frozenset(
    "The A An This That In On At By For From To With But And Or If When While As After Before Since Santa San Sao "
    "Saint St New North South East West Upper Lower Port Mount Lake River Fort Cape Los Las El Le La Al Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December".split()
)
_NOT_PERSON_LAST = frozenset(
    "Energy Power Valley River Agency Ministry Party Council Street Road Airport Bank Group Company University "
    "Hospital Times Post News Service Authority Office House Union Commission Court Department Government "
    "Police Army Forces Republic Kingdom States Nations Region Province District City Town County Dam Bridge "
    "Square Park Station Mechanism Fund Association Institute Centre Center Network Agency Reuters".split()
)


def find_people(sentence: str) -> list[Entity]:
    """People named with a title in a sentence: 'Defence Minister Tomas Reyes', 'Reyes, the minister'."""
    people: list[Entity] = []
    for match in _TITLED.finditer(sentence):
        mods = match["mods"].split()
        while mods and mods[0] in _STOP_MODS:
            mods.pop(0)
        while mods and mods[-1] in ("of", "for", "and"):
            mods.pop()
        title = _collapse(" ".join([*mods, match["title"]]))
        name = _collapse(match["name"])
        mention = f"{title} {name}"
        people.append(Entity(name.split()[-1].lower(), mention, title, "person", _gender(title)))
    for match in _APPOSITION.finditer(sentence):
        name = _collapse(match["name"])
        title = _collapse(match["title"])
        people.append(Entity(name.split()[-1].lower(), name, title, "person", _gender(title)))
    titled = {p.key for p in people}
    for match in _BARE_NAME.finditer(sentence):
        words = match["name"].split()
        if words[0] in _NOT_PERSON_FIRST or words[-1] in _NOT_PERSON_LAST or _TITLE_WORD.fullmatch(words[0]):
            continue
        key = words[-1].lower()
        if key not in titled:
            people.append(Entity(key, _collapse(match["name"]), "", "person"))
    return people


def speaker_key(speaker: str | None) -> str | None:
    """A key under which two spellings of one speaker meet ('Defence Minister Tomas Reyes', 'Reyes')."""
    if not speaker:
        return None
    text = _collapse(speaker)
    words = _WORDS.findall(text)
    if not words or text.lower() in _PRONOUN_SPEAKERS:
        return None
    last = words[-1].strip(".'’")
    if last[:1].isupper() and last.lower() not in _ORGANISATION_WORDS and not _ENDS_WITH_TITLE.search(text):
        return last.lower()  # a person or a named body: the last name carries it
    return _ARTICLE.sub("", text.lower())


@dataclass(slots=True)
class _Mention:
    """One sighting of an entity: the sentence it was in."""

    sentence: int
    key: str


_PRONOUN_GENDER = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}


@dataclass(slots=True)
class DocumentContext:
    """What a document has named so far, in reading order (one per document, mutable)."""

    window: int = 3
    entities: dict[str, Entity] = field(default_factory=dict)
    mentions: list[_Mention] = field(default_factory=list)
    sentence: int = 0
    last_subject: tuple[int, str] | None = None
    nouns: list[tuple[int, str, str]] = field(default_factory=list)

    # ------------------------------------------------------------ observing

    def _add(self, entity: Entity) -> None:
        """Record a sighting, keeping the fullest mention and any known gender."""
        old = self.entities.get(entity.key)
        if old is not None:
            longer = entity if len(entity.mention) > len(old.mention) else old
            title = entity.title if len(entity.title) > len(old.title) else old.title
            kind = "person" if "person" in (old.kind, entity.kind) else old.kind  # a name seen with a title or by the parser
            entity = Entity(old.key, longer.mention, title, kind, old.gender or entity.gender)
        self.entities[entity.key] = entity
        self.mentions.append(_Mention(self.sentence, entity.key))

    def add_person(self, name: str) -> None:
        """Note a person the parser's entity recogniser found ('Reyes', 'Anna Berg') in the current sentence."""
        words = _WORDS.findall(name)
        if not words or words[-1].lower() in _PRONOUN_SPEAKERS:
            return
        key = words[-1].strip(".'’").lower()
        if key.endswith("'s"):
            key = key[:-2]
        self._add(Entity(key, _collapse(_POSSESSIVE.sub("", name)), "", "person"))

    def add_nouns(self, phrases: list[tuple[str, str]]) -> None:
        """Note the common-noun phrases of the current sentence as (head lemma, phrase), for 'this plan'."""
        self.nouns.extend((self.sentence, head, phrase) for head, phrase in phrases)

    def note(self, sentence: str) -> None:
        """Note the people named in part of the current sentence (an earlier clause of it), staying on it."""
        known = {(m.sentence, m.key) for m in self.mentions}
        for person in find_people(sentence):
            if (self.sentence, person.key) not in known:
                self._add(person)

    def observe(self, sentence: str, speaker: str | None = None, statement: str | None = None) -> None:
        """Note the people, organisations and subject of one sentence, then move to the next."""
        for person in find_people(sentence):
            self._add(person)
        if speaker and speaker.lower() not in _PRONOUN_SPEAKERS:
            key = speaker_key(speaker)
            if key and key not in self.entities:
                kind = "person" if _names_a_person(speaker) else "group"
                self._add(Entity(key, _collapse(speaker), "", kind))
            elif key:
                self.mentions.append(_Mention(self.sentence, key))
        if statement:
            match = _SUBJECT_NP.match(statement)
            if match and not _REFERENCE.match(statement):
                self.last_subject = (self.sentence, match["np"])
        self.sentence += 1

    # ------------------------------------------------------------ resolving

    def _recent(self, kinds: tuple[str, ...], exclude: str | None = None) -> list[Entity]:
        """Distinct entities of the given kinds seen in the last ``window`` sentences, latest first."""
        seen: dict[str, Entity] = {}
        for mention in reversed(self.mentions):
            if mention.sentence < self.sentence - self.window:
                break
            entity = self.entities[mention.key]
            if entity.kind in kinds and mention.key != exclude:
                seen.setdefault(mention.key, entity)
        return list(seen.values())

    def pronoun(self, word: str, exclude: str | None = None) -> Entity | None:
        """The one person a 'he'/'she' can stand for, or None.

        The nearest sentence (this one, then each earlier one within ``window``) that names a
        compatible person decides: exactly one there resolves it, two or more leave it open.
        Gender counts only where a title states it ('Mrs', 'spokesman').
        """
        gender = _PRONOUN_GENDER.get(word.lower())
        by_sentence: dict[int, dict[str, Entity]] = {}
        for mention in reversed(self.mentions):
            if mention.sentence < self.sentence - self.window:
                break
            entity = self.entities[mention.key]
            if entity.kind == "person" and mention.key != exclude and entity.gender in (None, gender):
                by_sentence.setdefault(mention.sentence, {})[mention.key] = entity
        if not by_sentence:
            return None
        nearest = by_sentence[max(by_sentence)]
        return next(iter(nearest.values())) if len(nearest) == 1 else None

    def _other_gender(self, word: str, key: str | None) -> bool:
        """Whether a title gives the entity ``key`` the other gender than the pronoun ('Mr Machnouk' and 'she')."""
        gender = _PRONOUN_GENDER.get(word.lower())
        entity = self.entities.get(key) if key else None
        return bool(gender and entity is not None and entity.gender and entity.gender != gender)

    def group_pronoun(self, plural: bool) -> Entity | None:
        """The one body an 'it'/'they' speaker can stand for: the nearest sentence naming bodies decides, as for people.

        'it' takes only a body named in the singular ('the agency', not 'officials' or 'the
        authority and the agency'); 'they' takes either.
        """
        by_sentence: dict[int, dict[str, Entity]] = {}
        for mention in reversed(self.mentions):
            if mention.sentence < self.sentence - self.window:
                break
            entity = self.entities[mention.key]
            if entity.kind == "group" and (plural or not _plural(entity.mention)):
                by_sentence.setdefault(mention.sentence, {})[mention.key] = entity
        if not by_sentence:
            return None
        nearest = by_sentence[max(by_sentence)]
        return next(iter(nearest.values())) if len(nearest) == 1 else None

    def reference(self, adjs: str, head: str) -> tuple[Entity | None, bool]:
        """(the one entity 'the <adjs> <head>' stands for, whether it needs resolving at all)."""
        head = head.lower()
        adjectives = [a.lower().strip(".") for a in adjs.split()]
        if head in PERSON_HEADS:
            titles = PERSON_HEADS[head]
            candidates = [
                e for e in self.entities.values()
                if e.kind == "person" and any(t in e.title.lower() for t in titles)
                and all(a in e.title.lower() or a in e.mention.lower() for a in adjectives)
            ]  # fmt: skip
            needs = True
        else:
            candidates = [
                e for e in self.entities.values()
                if e.kind == "group" and e.mention.lower().rstrip("s").endswith(head.rstrip("s"))
                and all(a in e.mention.lower() for a in adjectives)
            ]  # fmt: skip
            needs = not adjectives
        return (candidates[0] if len(candidates) == 1 else None), needs

    def resolve_speaker(self, speaker: str | None) -> tuple[Entity | None, tuple[str, ...]]:
        """(the entity a speaker is, or None; flags) for a pronoun, short reference or surname speaker."""
        if not speaker:
            return None, ()
        low = speaker.lower()
        if low in ("he", "she"):
            found = self.pronoun(low)
            return found, () if found else ("unresolved_speaker",)
        if low in ("it", "they"):
            found = self.group_pronoun(plural=low == "they")
            return found, () if found else ("unresolved_speaker",)
        if low in ("i", "we"):
            return None, ()
        match = _REFERENCE.fullmatch(speaker)
        if match:
            found, needs = self.reference(match["adjs"], match["head"])
            return found, () if found or not needs else ("unresolved_speaker",)
        key = speaker_key(speaker)
        entity = self.entities.get(key) if key else None
        if entity is not None and entity.mention != _collapse(speaker) and entity.kind == "person":
            return entity, ()
        return None, ()

    def resolve(
        self, statement: str, speaker: str | None, *, quoted: bool, attributed: bool
    ) -> Resolved:
        """Resolve a statement's leading reference and its speaker against what came before."""
        speaker_entity, flags = self.resolve_speaker(speaker)
        flags_list = list(flags)
        speaker_name = speaker_entity.mention if speaker_entity else speaker
        speaker_self = speaker_key(speaker_name) if speaker_name else None
        speaker_is_person = bool(
            (speaker_entity and speaker_entity.kind == "person")
            or (speaker and speaker.lower() in ("he", "she"))
            or (speaker_self and self.entities.get(speaker_self, Entity("", "", "", "group")).kind == "person")
        )
        text = statement
        pronoun = _PRONOUN.match(text)
        reference = _REFERENCE.match(text)
        if pronoun:
            word = pronoun["p"].lower()
            role = _SUBJECT_PRONOUNS[word]
            possessive = word in ("his", "her", "its", "their")
            replacement: str | None = None
            ambiguous = False
            if attributed and not quoted and speaker_name and speaker_name.lower() not in _PRONOUN_SPEAKERS:
                if (role == "person") == speaker_is_person and not self._other_gender(word, speaker_self):
                    # indirect speech: 'Russia said it would' -> 'Russia would'; but 'Trump said
                    # she was ...' after a sentence naming Le Pen has two candidates: flag, don't guess
                    ambiguous = role == "person" and self.pronoun(word, speaker_self) is not None
                    replacement = None if ambiguous else speaker_name
            if ambiguous:
                flags_list.append("unresolved_pronoun")
            elif replacement is None and speaker and speaker.lower() in ("he", "she") and not quoted and role == "person":
                replacement = None if speaker_entity is None else speaker_entity.mention
                if replacement is None:
                    flags_list = [f for f in flags_list if f != "unresolved_speaker"] + ["unresolved_pronoun"]
            elif replacement is None and role == "person":
                exclude = speaker_self if quoted else None
                found = self.pronoun(word, exclude)
                if found is not None:
                    replacement = found.mention
                else:
                    flags_list.append("unresolved_pronoun")
            elif replacement is None and word == "it" and _EXPLETIVE.match(text):
                pass
            elif replacement is None and word in ("it", "its") and self.last_subject and not quoted:
                sentence, subject = self.last_subject
                if sentence >= self.sentence - 1:
                    replacement = subject
                else:
                    flags_list.append("unresolved_pronoun")
            elif replacement is None:
                flags_list.append("unresolved_pronoun")
            if replacement:
                if possessive:
                    replacement += "'" if replacement.endswith("s") else "'s"
                text = _capitalise(replacement) + text[pronoun.end() :]
        elif reference and not (attributed and not quoted and reference.group(0).lower() == (speaker or "").lower()):
            found, needs = self.reference(reference["adjs"], reference["head"])
            if found is not None and found.kind == "person":
                text = found.mention + (reference["poss"] or "") + text[reference.end() :]
            elif found is None and needs and reference["head"].lower() in PERSON_HEADS:
                flags_list.append("unresolved_reference")
        elif _DEMONSTRATIVE.match(text):
            flags_list.append("vague_reference")
        elif (demonstrative := _DEMONSTRATIVE_NOUN.match(text)) and not quoted:
            phrase = self.noun_antecedent(demonstrative["noun"])
            if phrase is None:
                flags_list.append("vague_reference")
            else:
                text = _capitalise(phrase) + text[demonstrative.end() :]
        elif _DEMONSTRATIVE_NOUN.match(text):
            flags_list.append("vague_reference")
        if _DEMONSTRATIVE_OBJECT.search(text) and "vague_reference" not in flags_list:
            flags_list.append("vague_reference")
        if not quoted and "unresolved_pronoun" not in flags_list:
            rest = text[pronoun.end() :] if pronoun else text
            if _MID_PERSON_PRONOUN.search(rest) and not speaker_is_person and not find_people(text):
                if not _TWO_NAME_WORDS.search(text):
                    flags_list.append("unresolved_pronoun")
        if not any(f in flags_list for f in _REFERENCE_FLAGS) and _LEADING_REFERENCE.match(text):
            if not _EXPLETIVE.match(text):
                flags_list.append("vague_reference" if _LEADING_REFERENCE.match(text)["w"].lower()
                                  in ("this", "that", "these", "those") else "unresolved_pronoun")
        resolved_speaker = speaker_entity.mention if speaker_entity else None
        antecedent = None
        if pronoun and text != statement:
            antecedent = next((e for e in self.entities.values() if text.startswith(_capitalise(e.mention))), None)
        return Resolved(text, resolved_speaker, tuple(dict.fromkeys(flags_list)), antecedent)

    def noun_antecedent(self, noun: str) -> str | None:
        """The one earlier noun phrase (last few sentences) whose head is ``noun``, with 'the', or None."""
        noun = noun.lower()
        stem = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
        phrases = {
            phrase for sentence, head, phrase in self.nouns
            if sentence >= self.sentence - self.window and head in (noun, stem)
        }  # fmt: skip
        if len(phrases) != 1:
            return None
        phrase = phrases.pop()
        return _DETERMINER.sub("the ", phrase)


def _names_a_person(speaker: str) -> bool:
    """Whether a speaker ends in a person's name: 'Reyes', 'Defence Minister Tomas Reyes', not 'the RCMP'
    or 'a biography distributed on forums that says he studied in Baghdad'."""
    words = _collapse(speaker).split()
    if not words or len(words) > 8 or any(w.lower() in ("that", "who", "which", "whose") for w in words):
        return False
    if not words[-1][:1].isupper() or words[-1].lower() in _ORGANISATION_WORDS or words[-1].isupper():
        return False
    return len(words) == 1 or words[-2][:1].isupper() or words[-2].lower() in _PARTICLE_WORDS


_PARTICLE_WORDS = frozenset("van von de der den al bin da del la le di du".split())


def _plural(mention: str) -> bool:
    """Whether a body is named in the plural: coordinated, or a plural head ('officials', 'authorities')."""
    words = mention.lower().split()
    head = _OF_PHRASE.split(mention.lower())[0].split()[-1:] or words[-1:]
    return " and " in f" {mention.lower()} " or bool(head and head[0].endswith("s") and not head[0].endswith(("ss", "us")))


def _capitalise(text: str) -> str:
    """text with its first letter upper case ('the agency' -> 'The agency')."""
    return text[:1].upper() + text[1:]
