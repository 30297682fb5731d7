"""FNC-1 as folders of real news: each topic's article bodies and their stances (document-level gold).

``../shared/data/fnc1`` (its README and the data MANIFEST): ``topics.jsonl`` groups the
article bodies of the FNC-1 train and competition-test files into topics about one story, each
body with its stance towards the topic's main headline (agree / disagree / discuss), and gives
every topic a role. ``train`` topics are for fitting, ``tune`` topics for choosing settings
and reporting; ``measure`` topics are held out, and :func:`read_topics` refuses them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contradict.records import Document

__all__ = ["ROLES", "Topic", "read_topics"]

ROLES = ("train", "tune")
BODY_FILES = {"test": "competition_test_bodies.csv", "train": "train_bodies.csv"}


@dataclass(frozen=True, slots=True)
class Topic:
    """One FNC-1 topic as a folder: its documents and each document's stance to the main headline."""

    id: str
    role: str
    headline: str
    documents: tuple[Document, ...]
    stance: dict[str, str]


def read_topics(data: Path, roles: Sequence[str], max_docs: int, seed: int = 0, only: Sequence[str] = ()) -> list[Topic]:
    """The topics of the given roles, each subsampled to ``max_docs`` documents."""
    bad = set(roles) - set(ROLES)
    if bad:
        raise ValueError(f"roles {sorted(bad)} refused: only {ROLES} (measure topics are held out)")
    csv.field_size_limit(1 << 30)
    bodies: dict[tuple[str, str], str] = {}
    for split, name in BODY_FILES.items():
        with (data / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                bodies[(split, row["Body ID"])] = row["articleBody"]
    topics = []
    for line in (data / "topics.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["role"] not in roles or (only and row["topic_id"] not in only):
            continue
        rng = random.Random(f"{seed}:{row['topic_id']}")
        ids = sorted(row["bodies"], key=int)
        rng.shuffle(ids)
        keep: list[str] = []
        for wanted in ("agree", "disagree"):
            keep += [i for i in ids if row["bodies"][i] == wanted][:1]
        keep += [i for i in ids if i not in keep][: max(max_docs - len(keep), 0)]
        keep = sorted(keep, key=int)
        docs = tuple(
            Document(id=f"body-{i}", path=f"{row['topic_id']}/body-{i}.txt", title="", date=None,
                     text=bodies[(row["split"], i)], content_hash=hashlib.sha256(bodies[(row["split"], i)].encode()).hexdigest())
            for i in keep
        )  # fmt: skip
        topics.append(Topic(row["topic_id"], row["role"], row["main_headline"], docs,
                            {f"body-{i}": row["bodies"][i] for i in keep}))
    return topics
