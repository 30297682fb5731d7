"""How each stage grows with the number of claims: load, extract, embed, index, pair, score.

Corpora of growing size (default 1,000, 10,000 and 100,000 claims) are prefixes of one seeded
stream of real documents from ``../shared/data``, used only as text for timing: FNC-1 training
bodies (``fnc1/train_bodies.csv``), Climate-FEVER evidence sentences grouped by the Wikipedia
article they come from (``climate-fever/climate-fever.jsonl``), and, because those two give
fewer than 100,000 claims, the premises of two training-role NLI files (FEVER premises of
``fever_nli_binary_docnli/dev.txt``, one document each, and the natural-text premises of
``train/nli3_train_combined.jsonl.gz``, ten to a document); after them (shuffled apart, so that
the shorter corpora stay as they were), because all of that gives about 82,500 claims, ConTRoL
dev passages, ClaimBuster training sentences and XNLI English premises, and after those RTE-3 dev
premises, the FEVER claims of DocNLI's dev file and SICK training sentences (all train-role files).
The corpus of N claims is the first N claims of that stream.

Per stage and size: wall time, CPU time of this process, the peak RSS while the stage ran and
the RSS it left behind, and pairs per claim; then the fitted growth exponent of each stage
(the slope of log time over log claims). Extraction and embedding run once over the largest
corpus with a clock at each size (a prefix costs what it costs inside the larger run), and are
cached with their timings in ``--cache`` so the later stages can be re-run; index, pair and
score run afresh per size. Scoring every pair at 100,000 claims is too slow on a small CPU, so
a fixed seeded sample of ``--score-sample`` pairs is scored with the real default model and the
per-pair cost is multiplied out (the output says so).

    python benchmarks/growth.py --data ../shared/data --cache /work/growth-cache --out benchmarks/results/growth
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import os
import pickle
import platform
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from contradict.claims.extract import DEFAULT_SPACY_MODEL, ExtractOptions, extract_claims  # noqa: E402
from contradict.records import Claim, Document  # noqa: E402

#: the sources of nli3_train_combined whose premises are natural text (not synthetic fragments)
NLI3_SOURCES = ("lingnli_train", "vania2020_base_news_train", "vania2020_base_wiki_train", "vania2020_sim_news_train",
                "vania2020_sim_wiki_train", "vania2020_translate_wiki_train", "conjnli_adv_train", "healthver_dev",
                "snli_cad_train")
PREMISES_PER_DOCUMENT = 10


# ---------------------------------------------------------------------------------------------
# measuring


def _status_kb(field_name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


@dataclass(slots=True)
class Stage:
    """What one stage cost at one size."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    rss_added_mb: float = 0.0
    note: str = ""
    extra: dict = field(default_factory=dict)


@contextmanager
def measured(stage: Stage) -> Iterator[Stage]:
    """Time a block and record the peak RSS while it ran (VmHWM reset before it) and the RSS it added."""
    _reset_peak()
    rss0 = _status_kb("VmRSS")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    yield stage
    stage.wall_s += time.perf_counter() - wall0
    stage.cpu_s += time.process_time() - cpu0
    stage.peak_rss_mb = max(stage.peak_rss_mb, _status_kb("VmHWM") / 1024)
    stage.rss_added_mb += (_status_kb("VmRSS") - rss0) / 1024


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


# ---------------------------------------------------------------------------------------------
# the corpus


def _document(doc_id: str, text: str) -> Document:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(id=doc_id, path=doc_id, title="", date=None, text=text, content_hash=f"sha256:{digest}")


def read_documents(data: Path, seed: int = 0) -> list[Document]:
    """Every document of the four sources, in one seeded order (sources mixed)."""
    csv.field_size_limit(sys.maxsize)
    docs: list[Document] = []
    with (data / "fnc1" / "train_bodies.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            docs.append(_document(f"fnc1-{row['Body ID']}", row["articleBody"]))
    articles: dict[str, list[str]] = {}
    with (data / "climate-fever" / "climate-fever.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            for evidence in json.loads(line)["evidences"]:
                sentences = articles.setdefault(evidence["article"], [])
                if evidence["evidence"] not in sentences:
                    sentences.append(evidence["evidence"])
    docs.extend(_document(f"cf-{title}", " ".join(s)) for title, s in articles.items())
    seen: set[str] = set()
    with (data / "fever_nli_binary_docnli" / "dev.txt").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and parts[1] not in seen:
                seen.add(parts[1])
                docs.append(_document(f"fever-{len(seen)}", parts[1]))
    by_source: dict[str, list[str]] = {s: [] for s in NLI3_SOURCES}
    with gzip.open(data / "train" / "nli3_train_combined.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["source"] in by_source and row["premise"] not in seen:
                seen.add(row["premise"])
                by_source[row["source"]].append(row["premise"])
    for source, premises in by_source.items():
        for start in range(0, len(premises), PREMISES_PER_DOCUMENT):
            chunk = premises[start : start + PREMISES_PER_DOCUMENT]
            docs.append(_document(f"{source}-{start // PREMISES_PER_DOCUMENT}", " ".join(chunk)))
    random.Random(seed).shuffle(docs)
    docs.extend(_tail_documents(data, seed, seen))
    docs.extend(_second_tail(data, seed, seen))
    return docs


def _tail_documents(data: Path, seed: int, seen: set[str]) -> list[Document]:
    """More real text (train-role files), shuffled apart and put after the stream so its prefixes stay as they were.

    The four sources above give about 82,500 claims with rules-only extraction; these bring it to
    about 94,500: ConTRoL dev passages (one document each), ClaimBuster's training
    sentences (US election debates) and XNLI's English premises, ten to a document.
    """
    docs: list[Document] = []
    with (data / "control" / "data_dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            premise = json.loads(line)["premise"]
            if premise not in seen:
                seen.add(premise)
                docs.append(_document(f"control-{len(docs)}", premise))
    grouped: dict[str, list[str]] = {"claimbuster": [], "xnli": []}
    for row in json.loads((data / "claimbuster" / "kfold_25ncs.json").read_text(encoding="utf-8")):
        if row["text"] not in seen:
            seen.add(row["text"])
            grouped["claimbuster"].append(row["text"])
    for name in ("xnli_validation_en.tsv", "xnli_test_en.tsv"):
        with (data / "xnli" / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row["premise"] not in seen:
                    seen.add(row["premise"])
                    grouped["xnli"].append(row["premise"])
    for source, texts in grouped.items():
        for start in range(0, len(texts), PREMISES_PER_DOCUMENT):
            docs.append(_document(f"{source}-{start // PREMISES_PER_DOCUMENT}", " ".join(texts[start : start + PREMISES_PER_DOCUMENT])))
    random.Random(seed).shuffle(docs)
    return docs


def _second_tail(data: Path, seed: int, seen: set[str]) -> list[Document]:
    """And after those (shuffled apart again): RTE-3 dev premises, FEVER claims of DocNLI's dev file, SICK train sentences.

    Ten to a document; these bring the stream past 100,000 claims.
    """
    grouped: dict[str, list[str]] = {"rte3": [], "fever-claims": [], "sick": []}

    def add(source: str, text: str) -> None:
        if text and text not in seen:
            seen.add(text)
            grouped[source].append(text)

    with (data / "rte3" / "rte3_dev_3way_en.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            add("rte3", json.loads(line)["premise"])
    with (data / "fever_nli_binary_docnli" / "dev.txt").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                add("fever-claims", parts[2])
    with (data / "sick" / "SICK.txt").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["SemEval_set"] in ("TRAIN", "TRIAL"):
                add("sick", row["sentence_A"])
                add("sick", row["sentence_B"])
    docs = [_document(f"{source}-{start // PREMISES_PER_DOCUMENT}", " ".join(texts[start : start + PREMISES_PER_DOCUMENT]))
            for source, texts in grouped.items() for start in range(0, len(texts), PREMISES_PER_DOCUMENT)]
    random.Random(seed).shuffle(docs)
    return docs


@dataclass(frozen=True, slots=True)
class Prepared:
    """The claims of the largest corpus, their embeddings, and the clock of extraction and embedding per size."""

    claims: tuple[Claim, ...]
    embeddings: np.ndarray
    documents_at: dict[int, int]
    extract: dict[int, Stage]
    embed: dict[int, Stage]


def _worker(data: Path, seed: int, part: int, parts: int, claims_wanted: int, encoder_name: str | None, out: Path,
            spacy_model: str | None) -> None:
    """Extract and embed every ``parts``-th document (from ``part``) until this share of claims is reached.

    Each document's extraction clock and each claim's share of its embedding batch's clock are
    kept, so the cost of any prefix of the stream is a sum, whichever worker did the work.
    Written in chunks (``out``-NNNNN.pkl) as it goes, so a merge can use what is done so far, and a
    later run skips the documents those chunks hold (they are the same documents at the same
    places of the stream).
    """
    from contradict.pairing.candidates import load_encoder  # noqa: PLC0415

    docs = read_documents(data, seed)
    options = ExtractOptions(spacy_model=spacy_model)
    extract_claims(_document("warm", "The river rose by two metres on Tuesday, the agency said."), options)
    encoder = load_encoder(encoder_name)
    encoder.encode(["warm up"])
    # resume: the documents in this worker's chunks from an earlier (stopped or shorter) run are done
    earlier = sorted(out.parent.glob(f"{out.name}-*.pkl"))
    finished: set[int] = set()
    total = 0
    for chunk in earlier:
        with chunk.open("rb") as fh:
            for index, found, _, _ in pickle.load(fh)["docs"]:
                finished.add(index)
                total += len(found)
    chunk_no = len(earlier)
    if total >= claims_wanted:
        return
    done: list[tuple[int, tuple[Claim, ...], float, float]] = []
    indices = [i for i in range(part, len(docs), parts) if i not in finished]
    for position, index in enumerate(indices):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        found = tuple(extract_claims(docs[index], options).claims)
        done.append((index, found, time.perf_counter() - wall0, time.process_time() - cpu0))
        total += len(found)
        flat = [c for _, f, _, _ in done for c in f]
        if len(flat) < 1000 and total < claims_wanted and position < len(indices) - 1:
            continue
        wall0, cpu0 = time.perf_counter(), time.process_time()
        emb = encoder.encode([c.statement for c in flat]) if flat else np.zeros((0, 384), dtype=np.float32)
        per_wall = (time.perf_counter() - wall0) / max(len(flat), 1)
        per_cpu = (time.process_time() - cpu0) / max(len(flat), 1)
        tmp = out.with_name(f"{out.name}-{chunk_no:05d}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump({"docs": done, "embeddings": emb, "embed_wall": np.full(len(flat), per_wall),
                         "embed_cpu": np.full(len(flat), per_cpu), "rss_mb": _status_kb("VmRSS") / 1024,
                         "peak_mb": _status_kb("VmHWM") / 1024, "load_average": _load_average()}, fh)
        tmp.replace(tmp.with_suffix(".pkl"))
        chunk_no += 1
        done = []
        if total >= claims_wanted:
            break


def _merge(chunks: list[Path], sizes: list[int], workers: int):  # noqa: ANN202
    parts = []
    for chunk in chunks:
        with chunk.open("rb") as fh:
            parts.append(pickle.load(fh))
    by_doc: dict[int, tuple] = {}
    for part in parts:
        offset = 0
        for index, found, wall, cpu in part["docs"]:
            rows = slice(offset, offset + len(found))
            by_doc[index] = (found, wall, cpu, part["embeddings"][rows], part["embed_wall"][rows], part["embed_cpu"][rows])
            offset += len(found)
    peak = max((p["peak_mb"] for p in parts), default=0.0)
    claims: list[Claim] = []
    vectors, embed_wall, embed_cpu = [], [], []
    extract_wall = extract_cpu = 0.0
    extract: dict[int, Stage] = {}
    embed: dict[int, Stage] = {}
    documents_at: dict[int, int] = {}
    pending = sorted(sizes)
    note = (f"{workers} worker processes, each document's clock summed; peak RSS: the largest worker's "
            f"(each held 1/{workers} of the claims)")
    index = 0
    while index in by_doc and pending:
        found, wall, cpu, emb, e_wall, e_cpu = by_doc[index]
        claims.extend(found)
        vectors.append(emb)
        embed_wall.extend(e_wall.tolist())
        embed_cpu.extend(e_cpu.tolist())
        extract_wall += wall
        extract_cpu += cpu
        while pending and len(claims) >= pending[0]:
            size = pending.pop(0)
            documents_at[size] = index + 1
            extract[size] = Stage(wall_s=extract_wall, cpu_s=extract_cpu, peak_rss_mb=peak,
                                  note=f"{index + 1} documents (the last one cut); {note}")
            embed[size] = Stage(wall_s=float(sum(embed_wall[:size])), cpu_s=float(sum(embed_cpu[:size])), peak_rss_mb=peak,
                                note=f"each claim's share of its batch's clock summed; {note}")
            print(f"{size} claims: {index + 1} documents, extract {extract_wall:.0f} s, embed {embed[size].wall_s:.0f} s",
                  file=sys.stderr)
        index += 1
    return claims, vectors, documents_at, extract, embed, pending


def prepare(data: Path, sizes: list[int], cache: Path, seed: int, encoder_name: str | None,
            workers: int = 2, spacy_model: str | None = DEFAULT_SPACY_MODEL, merge_only: bool = False) -> Prepared:
    """Extract and embed the largest corpus once (in ``workers`` processes), with a clock at each size; cached.

    ``merge_only``: start no worker, use the chunks the workers have written so far.
    """
    import subprocess  # noqa: PLC0415

    target = max(sizes)
    name = f"seed{seed}-{spacy_model or 'none'}"
    path = cache / f"prepared-{target}-{name}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            stored = pickle.load(fh)
        print(f"using extraction and embeddings cached in {path} (their timings are from that run)", file=sys.stderr)
        return Prepared(claims=stored["claims"], embeddings=np.load(path.with_suffix(".npy")),
                        documents_at=stored["documents_at"],
                        extract={k: Stage(**v) for k, v in stored["extract"].items()},
                        embed={k: Stage(**v) for k, v in stored["embed"].items()})
    work = cache / f"chunks-{name}"
    work.mkdir(parents=True, exist_ok=True)
    if not merge_only:
        wanted = int(target * 1.02 / workers) + 200
        procs = [subprocess.Popen([sys.executable, __file__, "--data", str(data), "--seed", str(seed), "--worker",
                                   f"{k}/{workers}/{wanted}/{work / f'worker-{k}'}", "--spacy-model", spacy_model or "none"]
                                  + (["--encoder", encoder_name] if encoder_name else []))
                 for k in range(workers)]
        if any(p.wait() for p in procs):
            raise SystemExit("a preparation worker failed")
    claims, vectors, documents_at, extract, embed, pending = _merge(sorted(work.glob("worker-*.pkl")), sizes, workers)
    if pending:
        raise SystemExit(f"the documents done so far give {len(claims)} claims in order, fewer than {pending[0]}: "
                         f"use --sizes up to {len(claims)}")
    prepared = Prepared(claims=tuple(claims[:target]), embeddings=np.concatenate(vectors)[:target].astype(np.float32),
                        documents_at=documents_at, extract=extract, embed=embed)
    np.save(path.with_suffix(".npy"), prepared.embeddings)
    tmp_path = path.with_suffix(".tmp")
    with tmp_path.open("wb") as fh:
        pickle.dump({"claims": prepared.claims, "documents_at": documents_at,
                     "extract": {k: asdict(v) for k, v in extract.items()},
                     "embed": {k: asdict(v) for k, v in embed.items()}}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp_path.replace(path)
    return prepared


def _write_folder(docs: list[Document], claims_at: int, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(docs):
        (folder / f"{i:06d}.txt").write_text(doc.text, encoding="utf-8")
    return folder


def _pair_set(pairs, kinds: set[str]) -> set[tuple[str, str]]:  # noqa: ANN001
    return {(p.claim_a, p.claim_b) for p in pairs if kinds & set(p.sources)}


def _exact_neighbour_pairs(claims, emb: np.ndarray, top_k: int, floor: float) -> set[tuple[str, str]]:  # noqa: ANN001
    from contradict.pairing.index import exact_neighbours  # noqa: PLC0415

    found = exact_neighbours(emb, [c.doc_id for c in claims], top_k)
    out = set()
    for i, (ids, sims) in enumerate(zip(found.ids.tolist(), found.sims.tolist(), strict=True)):
        for j, sim in zip(ids, sims, strict=True):
            if j >= 0 and sim >= floor:
                a, b = min(i, j), max(i, j)
                out.add((claims[a].id, claims[b].id))
    return out


def run_size(size: int, prepared: Prepared, docs: list[Document], args: argparse.Namespace, model, work: Path) -> dict:  # noqa: ANN001
    """Every stage at one size; returns the row of the results."""
    from contradict.ingest.loading import load_folder  # noqa: PLC0415
    from contradict.pairing.candidates import PairingOptions, choose_pairs  # noqa: PLC0415
    from contradict.pairing.cues import cue_pairs  # noqa: PLC0415
    from contradict.pairing.index import IndexOptions, build_hnsw  # noqa: PLC0415
    from contradict.scoring.directions import score_pairs  # noqa: PLC0415

    claims = list(prepared.claims[:size])
    emb = prepared.embeddings[:size]
    stages: dict[str, Stage] = {}
    folder = _write_folder(docs[: prepared.documents_at[size]], size, work / f"corpus-{size}")
    with measured(stages.setdefault("load", Stage())) as st:
        loaded = load_folder(folder)
    st.note = f"{len(loaded.documents)} .txt files through load_folder"
    stages["extract"] = prepared.extract[size]
    stages["embed"] = prepared.embed[size]
    options = PairingOptions(index=IndexOptions(method="ann", threads=args.threads))
    with measured(stages.setdefault("index", Stage())) as st:
        graph = build_hnsw(emb, options.index)
    st.note = f"faiss HNSW M={options.index.hnsw_m}, efConstruction={options.index.ef_construction}"
    with measured(stages.setdefault("pair", Stage())) as st:
        result = choose_pairs(claims, emb, options, graph=graph)
    pairs = result.pairs
    st.note = (f"ANN top-{options.top_k} (efSearch {options.index.ef_search}) + indexed cues; "
               f"{len(pairs)} pairs, {result.from_cues} added by cues")
    row: dict = {"claims": size, "documents": prepared.documents_at[size], "pairs": len(pairs),
                 "pairs_per_claim": round(len(pairs) / size, 3), "from_cues": result.from_cues}
    # recall of the chosen pairs against exact search on the same claims (timed apart, not a stage)
    started = time.perf_counter()
    exact = _exact_neighbour_pairs(claims, emb, options.top_k, options.min_similarity)
    exact_s = time.perf_counter() - started
    chosen = _pair_set(pairs, {"neighbour"})
    row["neighbour_recall"] = round(len(exact & chosen) / max(len(exact), 1), 4)
    row["exact_neighbour_search_s"] = round(exact_s, 1)
    if size <= args.exact_cues_up_to:
        started = time.perf_counter()
        reference = cue_pairs(claims, emb, options.cue)
        row["all_words_cue_pairs_s"] = round(time.perf_counter() - started, 1)
        ref_cued = {(claims[i].id, claims[j].id) for (i, j), (_, c) in reference.items() if set(c) - {"truth"}}
        ref_truth = {(claims[i].id, claims[j].id) for (i, j), (_, c) in reference.items() if "truth" in c}
        got_cued = _pair_set(pairs, {"quantity", "date", "polarity"})
        got_truth = _pair_set(pairs, {"truth"})
        row["cue_recall"] = round(len(ref_cued & got_cued) / len(ref_cued), 4) if ref_cued else None
        row["truth_pairs_exact_vs_ann"] = [len(ref_truth), len(got_truth), len(ref_truth & got_truth)]
    # score: a fixed seeded sample of the pairs, per-pair cost multiplied out
    sample = random.Random(args.seed).sample(list(pairs), min(args.score_sample, len(pairs)))
    by_id = {c.id: c for c in claims}
    with measured(stages.setdefault("score", Stage())) as st:
        score_pairs(sample, by_id, model)
    per_pair = st.wall_s / max(len(sample), 1)
    row["score_sample"] = len(sample)
    row["score_per_pair_s"] = round(per_pair, 5)
    st.note = (f"{len(sample)} sampled pairs scored both ways ({st.wall_s:.1f} s); time = per-pair x {len(pairs)} pairs")
    st.extra = {"measured_wall_s": round(st.wall_s, 2), "measured_cpu_s": round(st.cpu_s, 2)}
    scale = len(pairs) / max(len(sample), 1)
    st.wall_s, st.cpu_s = st.wall_s * scale, st.cpu_s * scale
    row["stages"] = {name: {**asdict(stage), "wall_s": round(stage.wall_s, 2), "cpu_s": round(stage.cpu_s, 2),
                            "peak_rss_mb": round(stage.peak_rss_mb), "rss_added_mb": round(stage.rss_added_mb)}
                     for name, stage in stages.items()}
    row["load_average"] = round(_load_average(), 1)
    return row


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log y over log x (the growth exponent); None with fewer than two points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


STAGES = ("load", "extract", "embed", "index", "pair", "score")


def synthetic_index(sizes: list[int], threads: int, seed: int, queries: int = 1000) -> list[dict]:
    """Index and neighbour search alone on clustered random unit vectors (no claims): the graph beyond the real corpus.

    Recall is against exact search for ``queries`` sampled rows (exact search of every row is
    itself quadratic). Rows come in documents of 12, like a document's claims.
    """
    from contradict.pairing.index import IndexOptions, ann_neighbours, build_hnsw  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((2000, 384)).astype(np.float32)
    out = []
    for n in sizes:
        rows = centres[rng.integers(0, len(centres), n)] + 1.2 * rng.standard_normal((n, 384)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        docs = [f"d{i // 12}" for i in range(n)]
        options = IndexOptions(method="ann", threads=threads)
        build, search = Stage(), Stage()
        with measured(build):
            graph = build_hnsw(rows, options)
        with measured(search):
            found = ann_neighbours(rows, docs, 5, options, index=graph)
        sample = rng.choice(n, size=min(queries, n), replace=False)
        sims = rows[sample] @ rows.T
        own = np.arange(n)[None, :] // 12 == sample[:, None] // 12
        sims[own] = -np.inf
        truth = np.argpartition(-sims, 5, axis=1)[:, :5]
        hits = sum(len(set(found.ids[q].tolist()) & set(t.tolist())) for q, t in zip(sample, truth, strict=True))
        out.append({"rows": n, "build_cpu_s": round(build.cpu_s, 2), "search_cpu_s": round(search.cpu_s, 2),
                    "build_wall_s": round(build.wall_s, 2), "search_wall_s": round(search.wall_s, 2),
                    "peak_rss_mb": round(max(build.peak_rss_mb, search.peak_rss_mb)),
                    "recall_at_5": round(hits / (5 * len(sample)), 4)})
        print(json.dumps(out[-1]), file=sys.stderr)
    return out


def markdown(result: dict) -> str:
    """The tables of growth.md."""
    rows = result["rows"]
    head = ("| stage | " + " | ".join(f"{r['claims']:,} claims: wall s (CPU s), peak RSS MB" for r in rows)
            + " | growth exponent: CPU (wall) |")
    lines = [head, "|---" * (len(rows) + 2) + "|"]
    for name in STAGES:
        cells = []
        for r in rows:
            st = r["stages"][name]
            cells.append(f"{st['wall_s']:,} ({st['cpu_s']:,}), {st['peak_rss_mb']:,}")
        exp = result["exponents"][name]
        lines.append(f"| {name}{' (extrapolated)' if name == 'score' else ''} | " + " | ".join(cells)
                     + f" | {exp['cpu_s']} ({exp['wall_s']}) |")
    lines += ["", "| claims | documents | pairs | pairs per claim | added by cues | neighbour recall vs exact top-k | "
              "cue recall vs all-words cues | truth pairs: all-documents / ANN / both | exact search s (not a stage) | "
              "score s per pair (sample) |", "|---" * 10 + "|"]
    for r in rows:
        truth = r.get("truth_pairs_exact_vs_ann")
        lines.append(f"| {r['claims']:,} | {r['documents']:,} | {r['pairs']:,} | {r['pairs_per_claim']} | {r['from_cues']:,} | "
                     f"{r['neighbour_recall']} | {r.get('cue_recall', 'not run') or 'none to find'} | "
                     f"{' / '.join(map(str, truth)) if truth else 'not run'} | {r['exact_neighbour_search_s']} | "
                     f"{r['score_per_pair_s']} ({r['score_sample']}) |")
    lines += ["", "Notes per stage (largest size):", ""]
    for name in STAGES:
        lines.append(f"- {name}: {result['rows'][-1]['stages'][name]['note']}")
    lines += ["", f"Machine: {result['machine']}. Command: `{result['command']}`."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="the shared data folder")
    parser.add_argument("--sizes", default="1000,10000,100000", help="claims per corpus, comma-separated")
    parser.add_argument("--cache", type=Path, default=Path("growth-cache"), help="keep extracted claims and embeddings (with their timings) here (default: ./growth-cache)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoder", default=None)
    parser.add_argument("--threads", type=int, default=1, help="threads for faiss and the NLI model")
    parser.add_argument("--score-sample", type=int, default=200, help="pairs scored per size; the rest is multiplied out")
    parser.add_argument("--exact-cues-up-to", type=int, default=10000,
                        help="compare with the all-words cue pairs up to this size (they grow quadratically)")
    parser.add_argument("--spacy-model", default=DEFAULT_SPACY_MODEL,
                        help="extraction's spaCy pipeline; 'none': rules only (about 4x faster per claim)")
    parser.add_argument("--workers", type=int, default=2, help="processes that extract and embed (their clocks are summed)")
    parser.add_argument("--prepare-only", action="store_true", help="extract and embed into --cache, then stop")
    parser.add_argument("--merge-only", action="store_true", help="start no worker: use the chunks in --cache done so far")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--synthetic", help="only index and search clustered random vectors of these sizes (comma-separated)")
    parser.add_argument("--out", type=Path, help="write OUT.json and OUT.md")
    args = parser.parse_args(argv)
    if args.synthetic:
        rows = synthetic_index([int(n) for n in args.synthetic.split(",")], args.threads, args.seed)
        lines = ["| rows | build CPU s | search CPU s (top-5, other documents) | peak RSS MB | recall@5 (1,000 sampled rows vs exact) |",
                 "|---|---|---|---|---|"]
        lines += [f"| {r['rows']:,} | {r['build_cpu_s']} | {r['search_cpu_s']} | {r['peak_rss_mb']:,} | {r['recall_at_5']} |" for r in rows]
        for name, key in (("build", "build_cpu_s"), ("search", "search_cpu_s")):
            e = slope([r["rows"] for r in rows], [r[key] for r in rows])
            lines.append(f"\n{name} growth exponent (CPU): {round(e, 2) if e is not None else ''}")
        text = "\n".join(lines) + "\n"
        print(text)
        if args.out:
            args.out.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
            args.out.with_suffix(".md").write_text(text, encoding="utf-8")
        return
    spacy_model = None if args.spacy_model == "none" else args.spacy_model
    if args.worker:
        part, parts, wanted, out = args.worker.split("/", 3)
        _worker(args.data, args.seed, int(part), int(parts), int(wanted), args.encoder, Path(out), spacy_model)
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    prepared = prepare(args.data, sizes, args.cache, args.seed, args.encoder, args.workers, spacy_model, args.merge_only)
    if args.prepare_only:
        return
    import tempfile  # noqa: PLC0415

    from contradict.scoring.nli import load_model  # noqa: PLC0415

    docs = read_documents(args.data, args.seed)
    model = load_model(None, threads=args.threads)
    model.predict([("The dam held.", "The dam burst.")])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            rows.append(run_size(size, prepared, docs, args, model, Path(tmp)))
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "stages"}), file=sys.stderr)
    exponents = {}
    for clock in ("wall_s", "cpu_s"):
        for name in STAGES:
            e = slope([r["claims"] for r in rows], [r["stages"][name][clock] for r in rows])
            exponents.setdefault(name, {})[clock] = round(e, 2) if e is not None else None
    result = {
        "command": "python benchmarks/growth.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": f"{_cpu_name()}, {os.cpu_count()} cores (shared), "
                   f"load average {_load_average():.1f} at the end; {args.threads} thread(s) for faiss and the model",
        "sizes": sizes, "rows": rows, "exponents": exponents,
        "notes": ["extract and embed: one run over the largest corpus with a clock at each size (cached with --cache)",
                  f"score: {args.score_sample} seeded sampled pairs per size, per-pair time multiplied by the pairs chosen"],
    }
    text = markdown(result)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        args.out.with_suffix(".md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
