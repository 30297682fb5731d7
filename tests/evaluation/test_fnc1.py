"""FNC-1 topics as folders of documents with stances; measure topics are refused."""

from __future__ import annotations

import pytest

from contradict.evaluation.fnc1 import read_topics
from tests.conftest import SHARED_DATA

FNC1 = SHARED_DATA / "fnc1"


def test_measure_topics_are_refused(tmp_path):
    with pytest.raises(ValueError, match="measure topics are held out"):
        read_topics(tmp_path, ("train", "measure"), max_docs=8)


@pytest.mark.skipif(not (FNC1 / "topics.jsonl").is_file(), reason="../shared/data/fnc1 is not here")
def test_train_topics_are_folders_that_keep_an_agree_and_a_disagree_body():
    topics = read_topics(FNC1, ("train",), max_docs=4, seed=3)
    whole = {t.id: t for t in read_topics(FNC1, ("train",), max_docs=10_000)}
    assert topics and {t.role for t in topics} == {"train"}
    for topic in topics:
        assert 2 <= len(topic.documents) <= 4 and set(topic.stance) == {d.id for d in topic.documents}
        assert {"agree", "disagree"} & set(whole[topic.id].stance.values()) <= set(topic.stance.values())
        assert all(d.text.strip() for d in topic.documents)
    assert read_topics(FNC1, ("train",), max_docs=4, seed=3) == topics  # seeded
