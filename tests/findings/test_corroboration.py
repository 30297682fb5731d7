"""Tests for corroboration groups: equal statements and entailing pairs across documents."""

from __future__ import annotations

from contradict.findings.corroboration import group_claims

from .test_kinds import claim, contradiction


def test_same_statement_in_two_documents_is_a_group_without_a_pair() -> None:
    a = claim("Relief convoys reached the town of Orna on Thursday.", doc="a")
    b = claim("Relief convoys reached the town of Orna on Thursday.", doc="b")
    (group,) = group_claims([a, b], [])
    assert (group.id, group.claims, group.documents, group.basis) == ("g1", (a.id, b.id), ("a", "b"), ("same_statement",))


def test_entailing_pair_on_the_same_topic_is_a_group() -> None:
    a = claim("Interior Minister Anna Berg said the dam passed a full inspection.", doc="a")
    b = claim("The dam had been inspected, Berg said.", doc="b")
    (group,) = group_claims([a, b], [contradiction(a, b, "entailment")])
    assert group.basis == ("entailment",)


def test_no_group_across_conflicts_or_within_one_document() -> None:
    a = claim("About 15,000 residents were evacuated from the valley.", doc="a")
    b = claim("More than 40,000 residents were evacuated from the valley.", doc="b")
    c = claim("About 15,000 residents were evacuated from the valley.", doc="a")
    negated = claim("The dam had not been inspected.", doc="b")
    positive = claim("The dam had been inspected.", doc="a")
    assert group_claims([a, b, c], [contradiction(a, b, "entailment")]) == ()
    assert group_claims([positive, negated], [contradiction(positive, negated, "entailment")]) == ()


def test_contradictions_never_join_groups() -> None:
    a = claim("The Kessel dam collapsed on Tuesday after heavy rain.", doc="a")
    b = claim("The Kessel dam collapsed on Tuesday after heavy rain.", doc="b")
    # equal statements still group on their own; the contradiction label adds nothing
    (group,) = group_claims([a, b], [contradiction(a, b)])
    assert group.basis == ("same_statement",)


def test_empty() -> None:
    assert group_claims([], []) == ()
