"""Job files: strict schema, every error at once with its location, ${VAR}s, paths, and the CLI's validate."""

from __future__ import annotations

import dataclasses
import time
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from contradict.claims.extract import ExtractOptions
from contradict.cli import app
from contradict.ingest.loading import LoadOptions
from contradict.jobs.config import Backend, ConfigError, JobFile, load_jobs, parse_jobs
from contradict.pairing.candidates import PairingOptions
from contradict.scoring.nli import BACKENDS, BatchOptions
from tests.conftest import EXAMPLES, REPO

runner = CliRunner()
EXAMPLE = REPO / "configs" / "example.yaml"


def write(folder: Path, text: str, name: str = "jobs.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def minimal(folder: Path = EXAMPLES, extra: str = "") -> str:
    return f"jobs:\n  news:\n    inputs:\n      folders: [{folder}]\n{extra}"


def problems(exc: ConfigError) -> list[str]:
    """The [location] lines of a ConfigError message."""
    return [line for line in str(exc).splitlines() if line.startswith("[")]


def test_example_config_is_valid():
    jobs = load_jobs(EXAMPLE)
    assert list(jobs.jobs) == ["news"]
    news = jobs.jobs["news"]
    assert news.inputs.folders == [EXAMPLES]
    assert news.outputs.alerts is not None and news.outputs.alerts.is_relative_to(REPO / "out")
    assert jobs.state_path("news").is_relative_to(REPO / "out")


def test_defaults_match_the_library_defaults(tmp_path: Path):
    job = parse_jobs(minimal(), tmp_path / "jobs.yaml").jobs["news"]
    extract = ExtractOptions()
    assert set(job.extraction.model_fields) == {f.name for f in dataclasses.fields(ExtractOptions)}, (
        "every extraction option needs a config key (and the other way round)")
    for name, value in job.extraction.model_dump().items():
        assert value is None or value == getattr(extract, name), name
    pairing = PairingOptions()
    assert (job.pairing.min_similarity, job.pairing.top_k, job.pairing.max_pairs) == (
        pairing.min_similarity, pairing.top_k, pairing.max_pairs)
    batch = BatchOptions()
    assert (job.model.max_tokens, job.model.batch_size) == (batch.max_tokens, batch.max_batch_size)
    assert typing.get_args(Backend) == BACKENDS and job.model.backend == "auto"
    load = LoadOptions()
    assert (job.inputs.json_fields.text, job.inputs.json_fields.title, job.inputs.json_fields.date,
            job.inputs.max_bytes) == (load.json_text_field, load.json_title_field, load.json_date_field, load.max_bytes)


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for arg in [field.annotation, *typing.get_args(field.annotation)]:
            for inner in [arg, *typing.get_args(arg)]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    _models(inner, seen)


def test_every_field_has_a_title_and_unknown_keys_are_forbidden():
    seen: set[type[BaseModel]] = set()
    _models(JobFile, seen)
    assert len(seen) >= 10
    for model in seen:
        assert model.model_config.get("extra") == "forbid", model.__name__
        for name, field in model.model_fields.items():
            assert field.title, f"{model.__name__}.{name} has no title"


@pytest.mark.parametrize(
    ("extra", "location", "suggestion"),
    [
        ("    pairing: {top_kk: 3}\n", "[jobs.news.pairing.top_kk]", "top_k"),
        ("    modle: {}\n", "[jobs.news.modle]", "model"),
        ("    outputs: {webhook: {url: 'http://127.0.0.1/x', retrys: 2}}\n", "[jobs.news.outputs.webhook.retrys]", "retries"),
        ("    inputs2: {}\n", "[jobs.news.inputs2]", "inputs"),
        ("    alerts: {labels: [contradiction], min_scor: 0.5}\n", "[jobs.news.alerts.min_scor]", "min_score"),
    ],
)
def test_a_typo_is_reported_at_its_location(tmp_path: Path, extra: str, location: str, suggestion: str):
    with pytest.raises(ConfigError) as caught:
        parse_jobs(minimal(extra=extra), tmp_path / "jobs.yaml")
    [line] = problems(caught.value)
    assert line.startswith(location)
    assert f"did you mean {suggestion!r}" in line


@pytest.mark.parametrize("method", ["auto", "exact", "ann"])
def test_pairing_method_is_read(tmp_path: Path, method: str):
    [job] = parse_jobs(minimal(extra=f"    pairing: {{method: {method}}}\n"), tmp_path / "jobs.yaml").jobs.values()
    assert job.pairing.method == method


def test_a_bad_pairing_method_is_reported_at_its_location(tmp_path: Path):
    with pytest.raises(ConfigError) as caught:
        parse_jobs(minimal(extra="    pairing: {method: fast}\n"), tmp_path / "jobs.yaml")
    [line] = problems(caught.value)
    assert line.startswith("[jobs.news.pairing.method]") and "'ann'" in line


def test_all_problems_are_reported_at_once(tmp_path: Path):
    text = minimal(extra=(
        "    pairing: {top_k: 0, min_similarity: 2}\n"
        "    model: {device: gpu}\n"
        "    alerts: {labels: [contradicton]}\n"
        "  second:\n"
        "    inputs: {folders: [no/such/folder], file_types: [odt]}\n"
    ))
    with pytest.raises(ConfigError) as caught:
        parse_jobs(text, tmp_path / "jobs.yaml")
    lines = problems(caught.value)
    locations = sorted(line.split("]")[0] + "]" for line in lines)
    assert locations == sorted([
        "[jobs.news.pairing.top_k]", "[jobs.news.pairing.min_similarity]", "[jobs.news.model.device]",
        "[jobs.news.alerts.labels.0]", "[jobs.second.inputs.folders.0]", "[jobs.second.inputs.file_types.0]",
    ])
    assert "6 problems" in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("", "[jobs]"),
        ("jobs: {}\n", "[jobs]"),
        ("- a list\n", "[(top level)]"),
        ("version: 2\njobs: {}\n", "[version]"),
        ('jobs:\n  "two words":\n    inputs: {folders: [.]}\n', "[jobs.two words]"),
        ("jobs:\n  a:\n    description: x\n", "[jobs.a.inputs]"),
        ("jobs:\n  a:\n    inputs: {folders: []}\n", "[jobs.a.inputs.folders]"),
        ("jobs:\n  a:\n    inputs: {folders: [.]}\n    extraction: {min_words: 9, max_words: 3}\n", "[jobs.a.extraction]"),
        ("jobs:\n  a:\n    inputs: {folders: [.]}\n    outputs: {webhook: {url: 'ftp://x/y'}}\n", "[jobs.a.outputs.webhook.url]"),
        ("jobs:\n  a:\n    inputs: {folders: [.]}\n    outputs: {webhook: {url: 'http://x', headers: {Idempotency-Key: k}}}\n",
         "[jobs.a.outputs.webhook.headers]"),
        ("jobs:\n  a:\n    inputs: {folders: [.]}\n    model: {card: no-such-card.yaml}\n", "[jobs.a.model.card]"),
        ("jobs:\n  a:\n    inputs: {folders: [.]}\n    model: {bands: {contradiction: 0.3, entailment: 0.6}}\n", "[jobs.a.model.bands]"),
    ],
)
def test_invalid_files(tmp_path: Path, text: str, location: str):
    with pytest.raises(ConfigError) as caught:
        parse_jobs(text, tmp_path / "jobs.yaml")
    assert any(line.startswith(location) for line in problems(caught.value)), str(caught.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("jobs:\n  a:\n    inputs: {folders: [.]}\n    inputs: {folders: [..]}\n", "[line 4, column 5] found duplicate key 'inputs'"),
        ("jobs:\n  a: [\n", "[line 3, column 1]"),
        ("jobs:\n\ta: 1\n", "[line 2, column 1]"),
    ],
)
def test_yaml_errors_have_line_and_column(tmp_path: Path, text: str, where: str):
    with pytest.raises(ConfigError) as caught:
        parse_jobs(text, tmp_path / "jobs.yaml")
    assert where in str(caught.value)


def test_merge_keys_share_settings(tmp_path: Path):
    text = (
        f"jobs:\n  a: &base\n    inputs: {{folders: [{EXAMPLES}]}}\n    pairing: {{top_k: 2}}\n"
        "  b:\n    <<: *base\n    pairing: {top_k: 7}\n"
    )
    jobs = parse_jobs(text, tmp_path / "jobs.yaml").jobs
    assert (jobs["a"].pairing.top_k, jobs["b"].pairing.top_k) == (2, 7)
    assert jobs["b"].inputs == jobs["a"].inputs


def test_relative_paths_are_resolved_against_the_job_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "conf").mkdir()
    (tmp_path / "docs").mkdir()
    path = write(tmp_path / "conf", (
        "jobs:\n  a:\n    inputs: {folders: [../docs]}\n"
        "    outputs: {report: out/r.json, alerts: /abs/alerts.jsonl}\n"
    ))
    monkeypatch.chdir("/")
    jobs = load_jobs(path)
    job = jobs.jobs["a"]
    assert job.inputs.folders == [tmp_path / "docs"]
    assert job.outputs.report == tmp_path / "conf" / "out" / "r.json"
    assert job.outputs.alerts == Path("/abs/alerts.jsonl")
    assert jobs.state_path("a") == tmp_path / "conf" / ".contradict" / "a.sqlite"


def test_two_folders_with_one_name_are_refused(tmp_path: Path):
    for sub in ("x/news", "y/news"):
        (tmp_path / sub).mkdir(parents=True)
    with pytest.raises(ConfigError) as caught:
        parse_jobs("jobs:\n  a:\n    inputs: {folders: [x/news, y/news]}\n", tmp_path / "jobs.yaml")
    assert problems(caught.value)[0].startswith("[jobs.a.inputs]") and "'news'" in str(caught.value)


def test_variables_are_interpolated(tmp_path: Path):
    text = minimal(extra=(
        "    description: 'costs $$5 for ${WHO}'\n"
        "    outputs:\n      webhook:\n        url: 'http://127.0.0.1:9/${HOOK_PATH}'\n"
        "        headers: {Authorization: 'Bearer ${TOKEN}'}\n"
    ))
    env = {"WHO": "the desk", "HOOK_PATH": "hooks/abc", "TOKEN": "tok-123"}
    jobs = parse_jobs(text, tmp_path / "jobs.yaml", env)
    job = jobs.jobs["news"]
    assert job.description == "costs $5 for the desk"
    assert job.outputs.webhook is not None
    assert job.outputs.webhook.url.get_secret_value() == "http://127.0.0.1:9/hooks/abc"
    assert job.outputs.webhook.headers["Authorization"].get_secret_value() == "Bearer tok-123"
    assert "tok-123" not in repr(job) and "hooks/abc" not in repr(job)
    assert jobs.secrets == {"the desk", "hooks/abc", "tok-123"}


def test_unset_variables_are_all_reported_with_their_keys(tmp_path: Path):
    text = minimal(extra=(
        "    outputs:\n      webhook:\n        url: '${HOOK_URL}'\n"
        "        headers: {Authorization: 'Bearer ${TOKEN}', X-Bad: '${not a name}'}\n"
    ))
    with pytest.raises(ConfigError) as caught:
        parse_jobs(text, tmp_path / "jobs.yaml", {})
    lines = problems(caught.value)
    assert lines == [
        "[jobs.news.outputs.webhook.url] environment variable HOOK_URL is not set; export it before running the job",
        "[jobs.news.outputs.webhook.headers.Authorization] environment variable TOKEN is not set; export it before running the job",
        "[jobs.news.outputs.webhook.headers.X-Bad] ${not a name} is not a variable name (letters, digits, _); write $$ for a literal $",
    ]


@pytest.mark.parametrize(
    "extra",
    [
        "    outputs: {webhook: {url: 'http://127.0.0.1/x', timeout_s: '${SECRET}'}}\n",
        "    outputs: {webhook: {url: '${SECRET}'}}\n",
        "    pairing: {encoder: 1}\n    inputs2: '${SECRET}'\n",
        "  other:\n    inputs: {folders: ['/data/${SECRET}']}\n",
    ],
)
def test_secrets_never_appear_in_errors(tmp_path: Path, extra: str):
    secret = "hunter2-Secret-Token"
    with pytest.raises(ConfigError) as caught:
        parse_jobs(minimal(extra=extra), tmp_path / "jobs.yaml", {"SECRET": secret})
    assert problems(caught.value), str(caught.value)
    assert secret not in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_validate_command(tmp_path: Path):
    ok = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.stdout and "news" in ok.stdout
    bad = write(tmp_path, minimal(extra="    pairing: {top_kk: 3}\n    model: {device: tpu}\n"))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "[jobs.news.pairing.top_kk] unknown key 'top_kk'; did you mean 'top_k'?" in result.stderr
    assert "[jobs.news.model.device]" in result.stderr
    missing = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "no such job file" in missing.stderr


def test_validate_and_run_help_do_not_import_torch():
    code = (
        "import sys; from typer.testing import CliRunner; from contradict.cli import app; "
        f"r = CliRunner().invoke(app, ['validate', {str(EXAMPLE)!r}]); assert r.exit_code == 0, r.output; "
        "r = CliRunner().invoke(app, ['run', '--help']); assert r.exit_code == 0, r.output; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'heavy import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_run_with_an_unknown_job_is_a_usage_error(tmp_path: Path):
    path = write(tmp_path, minimal())
    result = runner.invoke(app, ["run", str(path), "--job", "nightly"])
    assert result.exit_code == 2
    assert "no job named 'nightly'" in result.stderr and "news" in result.stderr


def test_example_config_documents_every_key():
    """Every schema key appears in the commented example, so it stays the full reference."""
    data = yaml.safe_load(EXAMPLE.read_text())
    text = EXAMPLE.read_text()
    seen: set[type[BaseModel]] = set()
    _models(JobFile, seen)
    for model in seen:
        for name in model.model_fields:
            assert f"{name}:" in text, f"{model.__name__}.{name} is not in configs/example.yaml"
    assert data["version"] == 1


WEBHOOK = "    outputs:\n      webhook:\n        url: {url}\n{headers}"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.org:99999/hook", "port must be a number from 1 to 65535"),
        ("http://example.org:0/hook", "port must be a number from 1 to 65535"),
        ("http://example.org:http/hook", "port must be a number from 1 to 65535"),
        ("ftp://example.org/hook", "http:// or https://"),
    ],
)
def test_bad_webhook_urls_are_refused_at_load(tmp_path: Path, url: str, message: str):
    with pytest.raises(ConfigError) as caught:
        parse_jobs(minimal(extra=WEBHOOK.format(url=url, headers="")), tmp_path / "jobs.yaml")
    assert any("outputs.webhook.url" in line and message in line for line in problems(caught.value)), str(caught.value)


def test_a_webhook_url_with_credentials_is_accepted(tmp_path: Path):
    job = parse_jobs(minimal(extra=WEBHOOK.format(url="https://desk:secret-pw@example.org/hook", headers="")),
                     tmp_path / "jobs.yaml").jobs["news"]
    assert job.outputs.webhook is not None


def test_a_header_value_with_a_line_break_is_refused_without_echoing_it(tmp_path: Path):
    secret = "tok-6c1d-secret"
    text = minimal(extra=WEBHOOK.format(url="https://example.org/hook", headers="        headers:\n          Authorization: ${TOKEN}\n"))
    with pytest.raises(ConfigError) as caught:
        parse_jobs(text, tmp_path / "jobs.yaml", environ={"TOKEN": f"Bearer {secret}\n"})
    message = str(caught.value)
    assert "line break or control character" in message and "Authorization" in message
    assert secret not in message


BILLION_LAUGHS = "\n".join(
    [f'a0: &a0 [{", ".join(["lol"] * 9)}]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BILLION_LAUGHS, "expands to more than"),
        ("x: &x [1]\n" + "\n".join(f"k{i}: *x" for i in range(150)), "more than 100 aliases"),
        ("a: " + "[" * 20_000 + "]" * 20_000, "nested more than 64 levels"),
        ("a: " + "{b: " * 5_000 + "1" + "}" * 5_000, "nested more than 64 levels"),
    ],
    ids=["billion-laughs", "many-aliases", "deep-lists", "deep-maps"],
)
def test_yaml_bombs_are_refused_quickly(tmp_path: Path, text: str, message: str):
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        parse_jobs(text, tmp_path / "jobs.yaml")
    assert message in str(caught.value)
    assert time.monotonic() - started < 5


def test_an_oversized_job_file_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="at most 1,000,000 bytes"):
        parse_jobs(minimal() + "#" * 1_000_001, tmp_path / "jobs.yaml")


def test_validate_exits_2_on_a_yaml_bomb(tmp_path: Path):
    path = write(tmp_path, BILLION_LAUGHS)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "expands to more than" in result.output


@pytest.mark.parametrize("key", ["report", "alerts"])
def test_an_output_path_that_is_a_folder_is_refused_at_load(tmp_path: Path, key: str):
    (tmp_path / "out").mkdir()
    text = minimal(extra=f"    outputs:\n      {key}: out\n")
    with pytest.raises(ConfigError) as caught:
        parse_jobs(text, tmp_path / "jobs.yaml")
    assert any(f"outputs.{key}" in line and "is a folder" in line for line in problems(caught.value))
