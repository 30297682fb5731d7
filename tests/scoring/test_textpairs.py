"""score-pairs input parsing and streaming, on the tiny model."""

from __future__ import annotations

import json

import pytest

from contradict.errors import InputFormatError
from contradict.scoring.textpairs import read_pairs, score_stream, to_json_line


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"premise": "a"}', "'hypothesis' must be a non-empty string"),
        ('{"premise": "", "hypothesis": "b"}', "'premise' must be a non-empty string"),
        ('{"premise": "a", "hypothesis": 3}', "'hypothesis' must be"),
        ('{"premise": "a", "hypothesis": "b", "id": [1]}', "'id' must be"),
    ],
)
def test_malformed_lines_name_their_number(line, message):
    lines = ['{"premise": "a", "hypothesis": "b"}', "", line]
    with pytest.raises(InputFormatError, match=f"line 3: .*{message}"):
        list(read_pairs(lines))


def test_ids_default_to_line_numbers_and_blank_lines_skip():
    pairs = list(read_pairs(['{"premise": "a", "hypothesis": "b"}', "  ", '{"premise": "c", "hypothesis": "d", "id": "x"}']))
    assert [(p.id, p.line) for p in pairs] == [(1, 1), ("x", 3)]


def test_stream_keeps_order_and_results_before_an_error(tiny_nli):
    good = [json.dumps({"premise": f"Claim number {i} is true.", "hypothesis": "It is false.", "id": i}) for i in range(7)]
    out = []
    with pytest.raises(InputFormatError, match="line 8"):
        for pair, prediction in score_stream(read_pairs(good + ["oops"]), tiny_nli, window=3):
            out.append(json.loads(to_json_line(pair, prediction)))
    assert [o["id"] for o in out] == [0, 1, 2, 3, 4, 5, 6]  # every pair before the bad line, its window too
    assert set(out[0]) == {"id", "label", "scores"}
    whole = [json.loads(to_json_line(p, q)) for p, q in score_stream(read_pairs(good), tiny_nli, window=100)]
    for a, b in zip(out, whole, strict=False):
        assert a["scores"] == pytest.approx(b["scores"], abs=1e-5)


class _ListScorer:
    """A scorer without predict_stream: score_stream falls back to windows of predict()."""

    def __init__(self, tiny_nli):
        self.tiny = tiny_nli
        self.calls: list[int] = []

    def predict(self, pairs):
        self.calls.append(len(pairs))
        return self.tiny.predict(pairs)


def test_stream_with_a_list_scorer_and_the_streaming_model_agree(tiny_nli):
    lines = [json.dumps({"premise": f"Claim {i} holds for {'many ' * (i % 7)}people.", "hypothesis": "It does not.", "id": i}) for i in range(11)]
    scorer = _ListScorer(tiny_nli)
    listed = [(p.id, q.raw) for p, q in score_stream(read_pairs(lines), scorer, window=4)]
    assert scorer.calls == [4, 4, 3]
    streamed = [(p.id, q.raw) for p, q in score_stream(read_pairs(lines), tiny_nli, window=4)]
    assert [i for i, _ in listed] == [i for i, _ in streamed] == list(range(11))
    for (_, a), (_, b) in zip(listed, streamed, strict=True):
        assert a == pytest.approx(b, abs=1e-5)


@pytest.mark.parametrize("scorer", ["stream", "list"])
def test_every_pair_before_a_bad_line_is_scored_whatever_the_window(tiny_nli, scorer):
    good = [json.dumps({"premise": f"Claim {i} holds.", "hypothesis": "It does not.", "id": i}) for i in range(5)]
    model = tiny_nli if scorer == "stream" else _ListScorer(tiny_nli)
    out = []
    with pytest.raises(InputFormatError, match="line 6"):
        for pair, _prediction in score_stream(read_pairs(good + ["{not json"] + good), model, window=2048):
            out.append(pair.id)
    assert out == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"premise": "caf\xe9 au lait", "hypothesis": "Tea."}', "line 1: not UTF-8 text (byte 0xe9"),
        ('{"premise": "A \\ud800 b", "hypothesis": "Tea."}'.encode(), "'premise' holds a lone surrogate"),
        (('{"premise": "A", "hypothesis": "B", "id": ' + "9" * 5000 + "}").encode(), "line 1: not usable JSON (Exceeds the limit"),
        (('{"premise": "A", "hypothesis": "B", "id": ' + "9" * 30 + "}").encode(), "'id' must fit in 64 bits"),
        (("[" * 100_000 + "]" * 100_000).encode(), "line 1: not usable JSON (nested too deeply)"),
    ],
    ids=["latin-1", "lone-surrogate", "5000-digits", "huge-id", "deep-nesting"],
)
def test_hostile_lines_name_the_line_and_the_problem(line: bytes, message: str):
    with pytest.raises(InputFormatError) as caught:
        list(read_pairs([line]))
    assert message in str(caught.value)


def test_other_input_fields_pass_through_and_clashing_names_are_kept_apart(tiny_nli):
    line = json.dumps({"premise": "A dog runs.", "hypothesis": "An animal moves.", "id": "p1", "label": "entailment",
                       "source": "snli", "meta": {"split": "dev"}})
    [(pair, prediction)] = list(score_stream(read_pairs([line]), tiny_nli))
    out = json.loads(to_json_line(pair, prediction))
    assert out["id"] == "p1" and out["label"] == prediction.label and set(out["scores"]) == {"contradiction", "entailment", "neutral"}
    assert out["input_label"] == "entailment" and out["source"] == "snli" and out["meta"] == {"split": "dev"}
