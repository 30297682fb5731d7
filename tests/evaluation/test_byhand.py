"""The blind reading by hand (benchmarks/byhand.py): the items hide the runs, the score joins them back."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("byhand", ROOT / "benchmarks" / "byhand.py")
assert _spec and _spec.loader
byhand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(byhand)


def _row(topic, rank, a, b, stances=("agree", "disagree")):
    return {"topic": topic, "rank": rank, "a": a, "b": b, "stances": list(stances), "confidence": 0.9, "kind": "factual"}


RUNS = {
    "one": [_row("t1", 1, "x", "y"), _row("t1", 2, "p", "q", ("agree", "discuss")), _row("t1", 6, "late", "pair")],
    "two": [_row("t1", 1, "q", "p", ("agree", "discuss")), _row("t2", 1, "m", "n", ("agree", "agree"))],
}


def test_blind_items_merge_shared_pairs_and_hide_runs_ranks_and_stances():
    blind, mapping = byhand.blind_items(RUNS, {"t1": "Story one", "t2": "Story two"}, top=5)
    assert len(blind) == 3  # "p"/"q" is one item in both runs (either order); rank 6 is past the cut-off
    assert all(set(item) == {"id", "story", "a", "b"} for item in blind)
    shared = next(m for m in mapping if len(m["ranks"]) == 2)
    assert shared["ranks"] == {"one": 2, "two": 1}
    assert byhand.blind_items(RUNS, {}, top=5) == byhand.blind_items(RUNS, {}, top=5)  # seeded


def test_score_counts_real_ambiguous_and_the_proxy_per_run(tmp_path):
    _, mapping = byhand.blind_items(RUNS, {}, top=5)
    by_pair = {frozenset((b["a"], b["b"])): b["id"] for b in byhand.blind_items(RUNS, {}, top=5)[0]}
    labels_file = tmp_path / "labels.txt"
    labels_file.write_text(
        f"# reader's note\n{by_pair[frozenset('xy')]} N\n{by_pair[frozenset('pq')]} R\n{by_pair[frozenset('mn')]} ?\n"
    )
    labels = byhand.read_labels(labels_file, [m["id"] for m in mapping])
    result = byhand.score(mapping, labels, [5])
    one, two = result["one@5"], result["two@5"]
    assert (one["pairs"], one["real"], one["ambiguous"], one["proxy_share"]) == (2, 1, 0, 0.5)
    assert one["proxy_agrees_with_hand"] == 0  # the proxy is right where the reader says no, and wrong where yes
    assert (two["pairs"], two["real"], two["ambiguous"], two["real_share_ambiguous_half"]) == (2, 1, 1, 0.75)


def test_labels_must_cover_every_item_once_with_a_known_label(tmp_path):
    path = tmp_path / "labels.txt"
    path.write_text("0 R\n1 maybe\n")
    with pytest.raises(ValueError, match="expected 'ID R"):
        byhand.read_labels(path, [0, 1])
    path.write_text("0 R\n0 N\n")
    with pytest.raises(ValueError, match="labelled twice"):
        byhand.read_labels(path, [0])
    path.write_text("0 R\n")
    with pytest.raises(ValueError, match=r"missing \[1\]"):
        byhand.read_labels(path, [0, 1])


def test_the_command_writes_items_and_a_result_without_claim_text(tmp_path):
    fnc1 = tmp_path / "fnc1"
    fnc1.mkdir()
    (fnc1 / "topics.jsonl").write_text(json.dumps({"topic_id": "t1", "main_headline": "Story one"}) + "\n")
    paths = []
    for name, rows in RUNS.items():
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps({"top10": rows}))
    prefix = tmp_path / "work" / "read"
    assert byhand.main(["blind", *map(str, paths), "--fnc1", str(fnc1), "--out", str(prefix)]) == 0
    items = json.loads(Path(f"{prefix}.blind.json").read_text())
    Path(f"{prefix}.labels.txt").write_text("".join(f"{it['id']} N\n" for it in items))
    out = tmp_path / "result.json"
    assert byhand.main(["score", str(prefix), "--out", str(out), "--note", "test"]) == 0
    text = out.read_text()
    assert json.loads(text)["summary"]["one@5"]["pairs"] == 2
    assert '"x"' not in text and '"p"' not in text  # no claim text kept
    Path(f"{prefix}.labels.txt").write_text("0 N\n")
    assert byhand.main(["score", str(prefix)]) == 2  # labels that do not match the items: a clear error
