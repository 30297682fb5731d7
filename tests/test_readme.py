"""The README's Python API example runs as written: with the tiny test models, and with the real ones (integration)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import REPO


def readme_example() -> str:
    """The first python code block under the README's "## Python API" heading."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's Python API section has no python block"
    return match.group(1)


def run_example(capsys: pytest.CaptureFixture[str]) -> str:
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(readme_example(), "README.md (Python API)", "exec"), namespace)  # noqa: S102 - our own README
    out = capsys.readouterr().out
    from contradict.report import Report

    assert isinstance(namespace["result"], Report) and isinstance(namespace["data"], dict)
    return out


def test_the_example_runs_with_the_tiny_models(tiny_nli, tiny_encoder_dir, monkeypatch: pytest.MonkeyPatch, capsys):
    from contradict.pairing import load_encoder

    encoder = load_encoder(str(tiny_encoder_dir))
    monkeypatch.setattr("contradict.scoring.load_model", lambda *args, **kwargs: tiny_nli)
    monkeypatch.setattr("contradict.pairing.load_encoder", lambda *args, **kwargs: encoder)
    out = run_example(capsys)
    assert "'wire'" not in out and "(wire) vs" in out and "(herald)" in out  # each pair printed with its documents
    header = next(line for line in out.splitlines() if line.startswith("id,label,kind"))
    assert next(csv.reader(io.StringIO(header)))[0] == "id"
    assert re.search(r"^(contradiction|entailment|neutral) [01]\.\d+$", out, re.M)  # the direct prediction


@pytest.mark.integration
def test_the_example_finds_the_planted_contradiction_with_the_real_models(capsys):
    out = run_example(capsys)
    assert "contradiction factual" in out and "15,000" in out and "40,000" in out, out
    assert re.search(r"^contradiction [01]\.\d+$", out, re.M), out  # ruled out vs on the table
