"""The Ray engine: extraction, embedding and NLI scoring as Ray Data stages; pairing stays in the driver.

``--engine ray`` (``engine: ray`` in a job) connects to a Ray cluster (:func:`connect`; a local
one when no address is given) and runs three stages, each ``ray.data.from_items(...)
.map_batches(...)`` over a pool of actors that load their model once:

1. claims: ``extract_claims`` per document (CPU actors; the spaCy parser loaded in ``__init__``);
2. embeddings: the sentence encoder's ``encode`` per batch of statements (one GPU per actor when
   the cluster has GPUs);
3. scores: the NLI model's ``predict`` per batch of (premise, hypothesis) directions, one GPU per
   actor when there are GPUs. Tokenisation and the token-budget batching happen inside each
   actor, in the model's own ``predict`` (its tokenizer thread feeds its batch planner).

:class:`RayEncoder` and :class:`RayModel` have the interfaces of a local encoder and model, so
``pipeline.analyse`` and the job runner use them unchanged: choosing pairs (which needs every
embedding), the findings and the job's SQLite state stay in the driver. :meth:`RayModel.predict_chunks`
yields each finished batch as it comes, so a job caches it at once and a re-run scores only what
is missing. Ray is imported only here, and only when the engine is asked for.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contradict.claims.extract import DocumentClaims, ExtractOptions, extract_claims
from contradict.errors import ContradictError, EngineError, UsageError
from contradict.pairing.candidates import DEFAULT_ENCODER, load_encoder
from contradict.records import BatchStats, Document, Prediction
from contradict.scoring.nli import BatchOptions, ModelInfo, load_model

log = logging.getLogger(__name__)

ENGINES = ("local", "ray")
INSTALL_HINT = "--engine ray needs Ray: pip install 'contradict[ray]' (or: pip install -c constraints.txt 'ray[data]==2.60.0')"


@dataclass(frozen=True, slots=True)
class RayOptions:
    """Where the Ray cluster is and how its stages are sized.

    ``address``: a cluster (``ray://host:10001`` or ``host:6379``); ``None`` starts a local Ray
    (or joins the one this process started). ``actors``: actors per model stage (default: one per
    GPU, else one per ``cores_per_actor`` CPUs); ``batch_size``: rows per Ray batch (documents,
    statements or directions; the model batches inside it by its own token budget).
    """

    address: str | None = None
    actors: int | None = None
    cores_per_actor: int = 4
    batch_size: int = 1024
    extract_batch_size: int = 8
    connect_timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """How each scoring actor loads its NLI model: the arguments of :func:`contradict.scoring.nli.load_model`."""

    name: str | None = None
    device: str = "auto"
    card_path: str | None = None
    batch: BatchOptions = field(default_factory=BatchOptions)
    backend: str = "auto"
    threads: int | None = None
    calibration: str | None = None

    def load(self) -> Any:
        """Load the model (in an actor, or in the driver's probe task)."""
        return load_model(self.name, device=self.device, card_path=self.card_path, batch=self.batch,
                          backend=self.backend, threads=self.threads, calibration=self.calibration)


def import_ray() -> Any:
    """The ``ray`` module, or a :class:`UsageError` (exit 2) saying how to install it."""
    try:
        import ray  # noqa: PLC0415
        import ray.data  # noqa: F401, PLC0415
    except ImportError as exc:
        raise UsageError(INSTALL_HINT) from exc
    return ray


def _contradict_cause(exc: BaseException) -> ContradictError | None:
    """The contradict error a Ray failure carries (a model that cannot load in an actor), if any."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ContradictError) and type(current).__module__.startswith("contradict"):
            return current  # not Ray's RayTaskError(ModelLoadError), whose message is a remote traceback
        stack += [current.__cause__, current.__context__, getattr(current, "cause", None)]
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class RayEngine:
    """A connection to a Ray cluster and the stages run on it."""

    def __init__(self, ray: Any, options: RayOptions) -> None:
        self.ray = ray
        self.options = options
        context = ray.data.DataContext.get_current()  # contradict's own progress and log lines, not Ray Data's
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        resources = ray.cluster_resources()
        self.gpus = int(resources.get("GPU", 0))
        self.cpus = max(1, int(resources.get("CPU", 1)))
        log.info("Ray cluster: %d CPUs, %d GPUs", self.cpus, self.gpus)

    # ------------------------------------------------------------ sizing

    def _model_stage(self) -> dict[str, Any]:
        """Resources of an actor pool that holds a model: one GPU each when there are GPUs."""
        if self.gpus:
            return {"concurrency": self.options.actors or self.gpus, "num_gpus": 1}
        return {"concurrency": self.options.actors or max(1, self.cpus // self.options.cores_per_actor), "num_cpus": 1}

    def _run(self, what: str, produce: Callable[[], Any]) -> Any:
        """Run a stage; a failure on the cluster becomes the contradict error it carries, or :class:`EngineError`."""
        try:
            return produce()
        except Exception as exc:  # noqa: BLE001 - Ray wraps what failed in actors in its own types
            cause = _contradict_cause(exc)
            if cause is not None:
                raise cause from exc
            raise EngineError(f"the Ray engine failed while {what}: {_first_line(exc)}") from exc

    # ------------------------------------------------------------ stages

    def extract(self, documents: Sequence[Document], options: ExtractOptions) -> list[DocumentClaims]:
        """Each document's claims, extracted by CPU actors; in the documents' order."""
        if not documents:
            return []
        items = [{"i": i, "document": pickle.dumps(d)} for i, d in enumerate(documents)]

        def produce() -> list[DocumentClaims]:
            rows = (
                self.ray.data.from_items(items)
                .map_batches(Extractor, fn_constructor_kwargs={"options": options}, batch_size=self.options.extract_batch_size,
                             concurrency=self.options.actors or self.cpus, num_cpus=1, batch_format="numpy")
                .take_all()
            )
            out: list[DocumentClaims | None] = [None] * len(documents)
            for row in rows:
                out[int(row["i"])] = pickle.loads(row["result"])
            return out  # type: ignore[return-value]

        return self._run("extracting claims", produce)

    def encoder(self, name: str | None = None) -> RayEncoder:
        """A sentence encoder whose ``encode`` runs on the cluster."""
        return RayEncoder(self, name)

    def model(self, spec: ModelSpec) -> RayModel:
        """An NLI model whose ``predict`` runs on the cluster; loaded once first to learn its identity (and fail early)."""
        resources = {"num_gpus": 1} if self.gpus else {"num_cpus": 1}
        probe = self.ray.remote(**resources)(describe_model)
        info, card = self._run("loading the NLI model", lambda: self.ray.get(probe.remote(spec)))
        return RayModel(self, spec, info, card)

    def embed(self, name: str | None, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text, embedded by the encoder actors; in the texts' order."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        items = [{"i": i, "text": t} for i, t in enumerate(texts)]
        device = "cuda" if self.gpus else "cpu"

        def produce() -> np.ndarray:
            rows = (
                self.ray.data.from_items(items)
                .map_batches(Embedder, fn_constructor_kwargs={"name": name, "device": device},
                             batch_size=self.options.batch_size, batch_format="numpy", **self._model_stage())
                .take_all()
            )
            out = np.zeros((len(texts), len(np.asarray(rows[0]["embedding"]))), dtype=np.float32)
            for row in rows:
                out[int(row["i"])] = row["embedding"]
            return out

        return self._run("embedding claims", produce)

    def score(self, spec: ModelSpec, pairs: Sequence[tuple[str, str]]) -> Iterator[tuple[list[int], list[Prediction], list[BatchStats]]]:
        """Score directions on the scoring actors, yielding (indices, predictions, batch stats) as each batch finishes."""
        if not pairs:
            return
        items = [{"i": i, "premise": p, "hypothesis": h} for i, (p, h) in enumerate(pairs)]
        dataset = self.ray.data.from_items(items).map_batches(
            Scorer, fn_constructor_kwargs={"spec": spec}, batch_size=self.options.batch_size,
            batch_format="numpy", **self._model_stage(),
        )
        batches = iter(dataset.iter_batches(batch_size=None, batch_format="numpy"))
        while True:
            batch = self._run("scoring pairs", lambda: next(batches, None))
            if batch is None:
                return
            stats = [s for blob in batch["stats"] if len(blob) for s in pickle.loads(blob)]
            yield [int(i) for i in batch["i"]], [pickle.loads(b) for b in batch["prediction"]], stats


class RayEncoder:
    """The :class:`~contradict.pairing.candidates.Encoder` interface over the Ray embedding stage."""

    def __init__(self, engine: RayEngine, name: str | None) -> None:
        self.engine = engine
        self.encoder = name
        self.name = name or DEFAULT_ENCODER

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts on the cluster: one L2-normalised float32 row per text."""
        return self.engine.embed(self.encoder, texts)


class RayModel:
    """The NLI model interface (``info``, ``card``, ``batch_stats``, ``predict``) over the Ray scoring stage."""

    def __init__(self, engine: RayEngine, spec: ModelSpec, info: ModelInfo, card: Any) -> None:
        self.engine = engine
        self.spec = spec
        self.info = info
        self.card = card
        self.batch_stats: list[BatchStats] = []

    def predict_chunks(self, pairs: Sequence[tuple[str, str]]) -> Iterator[tuple[list[tuple[str, str]], list[Prediction]]]:
        """Score pairs, yielding (pairs, predictions) for each Ray batch as it finishes (in no set order)."""
        for indices, predictions, stats in self.engine.score(self.spec, pairs):
            self.batch_stats += stats
            yield [pairs[i] for i in indices], predictions

    def predict(self, pairs: Sequence[tuple[str, str]], progress: Callable[[int], None] | None = None) -> list[Prediction]:
        """One prediction per (premise, hypothesis) pair, in input order; ``progress`` hears the number done."""
        out: list[Prediction | None] = [None] * len(pairs)
        done = 0
        for indices, predictions, stats in self.engine.score(self.spec, pairs):
            self.batch_stats += stats
            for index, prediction in zip(indices, predictions, strict=True):
                out[index] = prediction
            done += len(indices)
            if progress is not None:
                progress(done)
        return out  # type: ignore[return-value]


# ---------------------------------------------------------------- what runs on the cluster


def describe_model(spec: ModelSpec) -> tuple[ModelInfo, Any]:
    """Load the model where the actors will run and say who it is (its info and card)."""
    model = spec.load()
    return model.info, model.card


class Extractor:
    """A CPU actor: loads the spaCy parser once, then extracts the claims of each document it is given."""

    def __init__(self, options: ExtractOptions) -> None:
        from contradict.claims.parse import load_parser  # noqa: PLC0415

        if options.spacy_model:
            load_parser(options.spacy_model)
        self.options = options

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        results = [pickle.dumps(extract_claims(pickle.loads(blob), self.options)) for blob in batch["document"]]
        return {"i": batch["i"], "result": np.array(results, dtype=object)}


class Embedder:
    """An actor holding a sentence encoder (on its GPU when it has one)."""

    def __init__(self, name: str | None, device: str) -> None:
        self.encoder = load_encoder(name, device=device)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        return {"i": batch["i"], "embedding": self.encoder.encode([str(t) for t in batch["text"]])}


class Scorer:
    """An actor holding an NLI model: scores each batch of directions with the model's own token-budget batching."""

    def __init__(self, spec: ModelSpec) -> None:
        self.model = spec.load()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        first = len(self.model.batch_stats)
        predictions = self.model.predict([(str(p), str(h)) for p, h in zip(batch["premise"], batch["hypothesis"], strict=True)])
        stats = [pickle.dumps(self.model.batch_stats[first:])] + [b""] * (len(predictions) - 1)
        return {
            "i": batch["i"],
            "prediction": np.array([pickle.dumps(p) for p in predictions], dtype=object),
            "stats": np.array(stats, dtype=object),
        }


# ---------------------------------------------------------------- connecting


def probe_address(address: str, timeout_s: float) -> None:
    """Open a TCP connection to a cluster address (``host:port`` or ``ray://host:port``), or raise :class:`EngineError`.

    Ray itself retries an unreachable head for minutes; this answers in ``timeout_s`` at most.
    ``auto`` (the cluster this node belongs to) is left to Ray.
    """
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--ray-address {address!r}: give host:port (the head's GCS, e.g. 10.0.0.5:6379) or ray://host:10001")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        raise EngineError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or type(exc).__name__}. "
            "Start it (ray start --head) or check --ray-address / ray_address"
        ) from exc


def connect(options: RayOptions | None = None) -> RayEngine:
    """Join the Ray cluster at ``options.address`` (or start/join a local one); :class:`EngineError` if it cannot be reached.

    A process that has already called ``ray.init`` (a test, a notebook) keeps its Ray.
    """
    options = options or RayOptions()
    ray = import_ray()
    if options.address is not None:
        probe_address(options.address, options.connect_timeout_s)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reports (see contradict.privacy)
    if not ray.is_initialized():
        try:
            ray.init(address=options.address, log_to_driver=False, logging_level=logging.WARNING)
        except Exception as exc:  # noqa: BLE001 - ConnectionError, RuntimeError, ValueError for a bad address
            raise EngineError(
                f"cannot reach the Ray cluster at {options.address or 'a local Ray'}: {_first_line(exc)}. "
                "Start it (ray start --head) or check --ray-address / ray_address"
            ) from exc
    log.info("connected to Ray %s", options.address or "(local)")
    return RayEngine(ray, options)


def check_engine(name: str) -> None:
    """A :class:`UsageError` for an engine that does not exist, or for ``ray`` when Ray is not installed."""
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
    if name == "ray":
        import_ray()


def spec_path(path: Path | str | None) -> str | None:
    """A path argument as the string an actor can take across the cluster."""
    return None if path is None else str(path)
