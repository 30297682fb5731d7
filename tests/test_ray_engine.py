"""The Ray engine on a local Ray of 2 CPUs: the same claims, pairs, labels and scores as the local engine, and jobs' state."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from contradict.cli import app
from contradict.errors import EngineError, UsageError
from contradict.jobs.config import load_jobs
from contradict.jobs.runner import run_job
from contradict.pairing.candidates import PairingOptions
from contradict.pipeline import ScanOptions, scan
from contradict.ray_engine import ModelSpec, RayEngine, RayOptions, check_engine, connect
from contradict.report import Report
from contradict.scoring.nli import BatchOptions
from tests.conftest import FLOOD_CORPUS as DOCUMENTS

runner = CliRunner()
TOLERANCE = 1e-5



@pytest.fixture(scope="module")
def ray_local():
    """A local Ray of 2 CPUs for this module, shut down at its end."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, log_to_driver=False, include_dashboard=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    for name, text in DOCUMENTS.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def options(tiny_nli_dir: Path, tiny_encoder_dir: Path, engine: str) -> ScanOptions:
    return ScanOptions(
        pairing=PairingOptions(min_similarity=-1.0, top_k=3), model=str(tiny_nli_dir), device="cpu",
        encoder=str(tiny_encoder_dir), batch=BatchOptions(max_tokens=256, max_batch_size=4), engine=engine,
        ray=RayOptions(batch_size=5),  # several Ray batches of directions, each batched again by the token budget
    )


def assert_same_findings(local: Report, ray: Report) -> None:
    assert [(c.id, c.statement, c.doc_id) for c in ray.claims] == [(c.id, c.statement, c.doc_id) for c in local.claims]
    assert ray.pairs, "the test needs scored pairs"
    assert [(p.id, p.label, p.kind) for p in ray.pairs] == [(p.id, p.label, p.kind) for p in local.pairs]
    for mine, theirs in zip(ray.pairs, local.pairs, strict=True):
        assert abs(mine.similarity - theirs.similarity) <= TOLERANCE
        assert abs(mine.contradiction_score - theirs.contradiction_score) <= TOLERANCE
        assert abs(mine.confidence - theirs.confidence) <= TOLERANCE
        for a, b in zip(mine.directions, theirs.directions, strict=True):
            assert (a.premise, a.hypothesis, a.prediction.label) == (b.premise, b.hypothesis, b.prediction.label)
            for x, y in zip(a.prediction.raw, b.prediction.raw, strict=True):
                assert abs(x - y) <= TOLERANCE


def test_scan_on_ray_gives_the_local_engines_claims_labels_and_scores(ray_local, folder, tiny_nli_dir, tiny_encoder_dir):
    local = scan(folder, options(tiny_nli_dir, tiny_encoder_dir, "local"))
    on_ray = scan(folder, options(tiny_nli_dir, tiny_encoder_dir, "ray"))
    assert_same_findings(local, on_ray)
    assert on_ray.model == local.model and on_ray.encoder == local.encoder
    assert on_ray.pair_counts == local.pair_counts
    assert sum(b.size for b in on_ray.batches) == 2 * len(on_ray.pairs)  # the actors' own batches, all directions
    assert max(b.padded_tokens for b in on_ray.batches) <= 256  # the token budget held inside the actors


def job_file(root: Path, docs: Path, tiny_nli_dir: Path, tiny_encoder_dir: Path, engine: str, state: str) -> Path:
    job = {
        "engine": engine,
        "inputs": {"folders": [str(docs)]},
        "pairing": {"min_similarity": -1.0, "top_k": 3, "encoder": str(tiny_encoder_dir)},
        "model": {"id": str(tiny_nli_dir), "device": "cpu", "max_tokens": 256, "batch_size": 4},
        "alerts": {"labels": ["contradiction", "entailment", "neutral"], "min_score": 0.0},
        "outputs": {"alerts": "out/alerts.jsonl"},
        "state": {"path": state},
    }
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{engine}.yaml"
    path.write_text(yaml.safe_dump({"jobs": {"news": job}}), encoding="utf-8")
    return path


def test_jobs_on_ray_keep_the_state_a_rerun_scores_nothing(ray_local, tmp_path, folder, tiny_nli_dir, tiny_encoder_dir):
    local = run_job(load_jobs(job_file(tmp_path / "local", folder, tiny_nli_dir, tiny_encoder_dir, "local", "local.sqlite")), "news")
    jobs = load_jobs(job_file(tmp_path / "shared", folder, tiny_nli_dir, tiny_encoder_dir, "ray", "news.sqlite"))

    first = run_job(jobs, "news")
    assert first.directions_scored == 2 * len(first.report.pairs) > 0 and first.documents_extracted == len(DOCUMENTS)
    assert_same_findings(local.report, first.report)
    assert len(first.alerts) == len(local.alerts)

    second = run_job(jobs, "news")
    assert second.directions_scored == 0 and second.documents_extracted == 0 and second.alerts == ()
    assert second.directions_cached == first.directions_scored

    either = run_job(load_jobs(job_file(tmp_path / "shared", folder, tiny_nli_dir, tiny_encoder_dir, "local", "news.sqlite")), "news")
    assert either.directions_scored == 0 and either.alerts == ()  # one cache, whichever engine filled it


class DiesAfterOneBatch(RayEngine):
    """A cluster whose scoring fails after its first batch, as when a worker dies for good."""

    def score(self, spec, pairs):
        for done, item in enumerate(super().score(spec, pairs)):
            if done == 1:
                raise EngineError("the Ray engine failed while scoring pairs: ActorDiedError: the actor died")
            yield item


def test_a_job_that_fails_mid_scoring_keeps_each_finished_batch(ray_local, tmp_path, folder, tiny_nli_dir, tiny_encoder_dir):
    jobs = load_jobs(job_file(tmp_path, folder, tiny_nli_dir, tiny_encoder_dir, "ray", "news.sqlite"))
    dying = DiesAfterOneBatch(ray_local, RayOptions(batch_size=4))
    model = dying.model(ModelSpec(str(tiny_nli_dir), device="cpu", batch=BatchOptions(max_tokens=256, max_batch_size=4)))
    with pytest.raises(EngineError, match="actor died"):
        run_job(jobs, "news", model=model, encoder=dying.encoder(str(tiny_encoder_dir)))

    rerun = run_job(jobs, "news")  # the job's own engine: scores only what the failed run did not cache
    total = 2 * len(rerun.report.pairs)
    assert rerun.directions_cached == 4 and rerun.directions_scored == total - 4 > 0


def test_a_cluster_that_cannot_be_reached_fails_fast_with_exit_1(ray_local, folder):
    with pytest.raises(EngineError, match="cannot reach the Ray cluster at 127.0.0.1:1"):
        connect(RayOptions(address="127.0.0.1:1", connect_timeout_s=2))
    result = runner.invoke(app, ["scan", str(folder), "--engine", "ray", "--ray-address", "127.0.0.1:1", "-o", "-"])
    assert result.exit_code == 1 and "cannot reach the Ray cluster" in result.output


def test_a_model_that_cannot_load_on_the_cluster_is_a_model_error(ray_local, folder, tiny_encoder_dir, tmp_path):
    from contradict.errors import ModelLoadError

    bad = ScanOptions(model=str(tmp_path / "no-such-model"), device="cpu", encoder=str(tiny_encoder_dir), engine="ray")
    with pytest.raises(ModelLoadError, match="no-such-model") as raised:
        scan(folder, bad)
    assert type(raised.value) is ModelLoadError  # the error itself, not Ray's wrapper with a remote traceback
    result = runner.invoke(app, ["scan", str(folder), "--engine", "ray", "--model", str(tmp_path / "no-such-model"),
                                 "--encoder", str(tiny_encoder_dir), "-o", "-"])
    assert result.exit_code == 1 and "cannot load NLI model" in result.output and "Traceback" not in result.output


@pytest.fixture
def no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ray not installed: every ``import ray`` fails."""
    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)


def test_engine_ray_without_ray_is_a_one_line_usage_error(no_ray, folder, tmp_path, tiny_nli_dir, tiny_encoder_dir):
    with pytest.raises(UsageError, match=r"pip install 'contradict\[ray\]'"):
        check_engine("ray")
    check_engine("local")  # the local engine needs no Ray
    result = runner.invoke(app, ["scan", str(folder), "--engine", "ray", "-o", "-"])
    assert result.exit_code == 2 and "needs Ray" in result.output and len(result.output.strip().splitlines()) == 1
    path = job_file(tmp_path, folder, tiny_nli_dir, tiny_encoder_dir, "ray", "news.sqlite")
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2 and "needs Ray" in result.output


def test_an_unknown_engine_is_refused(folder, tmp_path, tiny_nli_dir, tiny_encoder_dir):
    result = runner.invoke(app, ["scan", str(folder), "--engine", "spark", "-o", "-"])
    assert result.exit_code == 2 and "unknown engine 'spark'" in result.output
    path = job_file(tmp_path, folder, tiny_nli_dir, tiny_encoder_dir, "spark", "news.sqlite")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "engine" in result.output

