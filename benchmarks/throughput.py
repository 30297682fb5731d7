"""Scoring throughput: contradict's core against what a user would otherwise write, in one run.

Same model (the offline default, rebuilt fp32 checkpoint), same pairs, same CPU threads:

  one-at-a-time   the transformers model called on one pair at a time
  pipeline        transformers pipeline("text-classification", batch_size=B)
  cross-encoder   sentence-transformers CrossEncoder.predict(batch_size=B)
  cross-encoder-bf16  the same with the model cast to bfloat16 (optional: --methods)
  core:<backend>  contradict.scoring.nli.load_model(backend=...).predict_stream (one per --backends)

Each method lives in its own worker process (so its peak RSS is its own); the parent runs the
repeats round-robin (method 1, 2, ..., then again), so load from other processes on a shared
machine falls on all methods alike, and reports the median pairs/s of the repeats, the ratio to
each baseline, peak RSS, achieved GFLOP/s against an estimate of the machine's peak, and how far
each method's contradiction probability is from the float32 reference on the same pairs.

Every round draws a fresh sample of pairs (the same sample for every method in that round),
after one untimed warm-up round on another sample. Repeating one sample would replay the same
batch shapes, which flatters backends that build kernels per input shape (OpenVINO, oneDNN's
bfloat16 kernels) far beyond what a stream of new pairs sees.

    python benchmarks/throughput.py --data ../shared/data/train/nli3_train_combined.jsonl.gz
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from pairs import describe, make_pairs

RESULTS = Path(__file__).resolve().parent / "results"
BASELINES = ("one-at-a-time", "pipeline", "cross-encoder")


def default_checkpoint() -> tuple[str, int, int]:
    """The offline default model's checkpoint folder, its maximum pair length, and the output index of contradiction."""
    from contradict.scoring.cards import find_card
    from contradict.scoring.nli import DEFAULT_MODEL
    from contradict.scoring.offline_model import build_offline

    card = find_card(DEFAULT_MODEL)
    assert card is not None
    folder, _ = build_offline(card)
    name = card.labels["contradiction"] if card.kind == "three_way" and card.labels else card.contradiction_label
    index = next(i for i, label in card.id2label.items() if label.lower() == str(name).lower())
    return str(folder), card.max_length, index


def _scorer(method: str, batch_size: int, threads: int, pad_multiple: int | None = None) -> tuple[Any, Any]:
    """Load one method; return (score(pairs) -> list of contradiction probabilities, tokenizer).

    Every method reads the same checkpoint and truncates pairs to the card's maximum length."""
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(threads)
    folder, max_length, index = default_checkpoint()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if method == "one-at-a-time":
        model = AutoModelForSequenceClassification.from_pretrained(folder).eval()

        def score(pairs):
            out = []
            with torch.inference_mode():
                for p, h in pairs:
                    enc = tokenizer(p, h, truncation=True, max_length=max_length, return_tensors="pt")
                    out.append(torch.softmax(model(**enc).logits.float(), -1)[0, index].item())
            return out

    elif method == "pipeline":
        from transformers import pipeline

        pipe = pipeline("text-classification", model=folder, tokenizer=folder, device="cpu", top_k=None, truncation=True, max_length=max_length)
        label = pipe.model.config.id2label[index]

        def score(pairs):
            results = pipe([{"text": p, "text_pair": h} for p, h in pairs], batch_size=batch_size)
            return [next(r["score"] for r in row if r["label"] == label) for row in results]

    elif method in ("cross-encoder", "cross-encoder-bf16"):
        from sentence_transformers import CrossEncoder

        # With more than one label, predict gives raw logits unless told to apply a softmax.
        encoder = CrossEncoder(folder, device="cpu", max_length=max_length)
        if method == "cross-encoder-bf16":  # what a user who knows the CPU has bfloat16 would write
            encoder.to(torch.bfloat16)

        def score(pairs):
            probs = encoder.predict(pairs, batch_size=batch_size, apply_softmax=True, show_progress_bar=False)
            return np.asarray(probs)[:, index].tolist()

    elif method.startswith("core:"):
        from contradict.scoring.nli import BatchOptions, load_model

        options = BatchOptions(max_batch_size=64, pad_multiple=pad_multiple)
        model = load_model(device="cpu", backend=method.split(":", 1)[1], threads=threads, batch=options)

        def score(pairs):
            return [p.raw[index] for p in model.predict_stream(iter(pairs))]

        score.pad_multiple = model.batch.pad_multiple  # type: ignore[attr-defined]

    else:
        raise SystemExit(f"unknown method {method}")
    return score, tokenizer


def _worker(method: str, batch_size: int, threads: int, pad_multiple: int | None, conn: Any) -> None:
    import resource

    score, _ = _scorer(method, batch_size, threads, pad_multiple)
    conn.send(("ready", getattr(score, "pad_multiple", None)))
    while True:
        command, pairs = conn.recv()
        if command == "run":
            started = time.perf_counter()
            scores = score(pairs)
            conn.send(("done", (time.perf_counter() - started, scores)))
        else:
            conn.send(("rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
            return


def pair_flops(lengths: list[int], hidden: int = 384, intermediate: int = 1536, layers: int = 12) -> float:
    """Useful floating-point operations for unpadded pairs: the linear layers (2 x tokens x
    weights) and attention with DeBERTa's two extra disentangled terms (~8 x L^2 x hidden)."""
    per_token_linear = 2 * (4 * hidden * hidden + 2 * hidden * intermediate)
    return float(sum(layers * (n * per_token_linear + 8 * n * n * hidden) for n in lengths))


def machine() -> dict[str, Any]:
    """CPU model, cores, clock and an fp32 peak estimate (AVX2: 2 FMA units x 8 lanes x 2 flops per cycle)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), platform.processor())
    mhz = [float(line.split(":", 1)[1]) for line in info.splitlines() if line.startswith("cpu MHz")]
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    cores = len(os.sched_getaffinity(0))
    ghz = (max(mhz) / 1000) if mhz else 2.0
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    return {
        "cpu": model,
        "cores": cores,
        "ghz": round(ghz, 2),
        "simd": "avx512" if lanes == 16 else "avx2" if lanes == 8 else "sse",
        "avx512_bf16": "avx512_bf16" in flags,
        "avx_vnni": "avx_vnni" in flags or "avx512_vnni" in flags,
        "peak_fp32_gflops": round(cores * ghz * 2 * lanes * 2, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="training-role JSON lines (default: sentences of examples/)")
    parser.add_argument("--pairs", type=int, default=256, help="pairs in each round's sample")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds, each on a fresh sample")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size of the pipeline and CrossEncoder baselines")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--methods", default=",".join(BASELINES), help="baselines to run")
    parser.add_argument("--pad-multiple", type=int, help="round the core's padded lengths to this (default: each backend's own)")
    parser.add_argument("--out", type=Path, default=RESULTS / "throughput")
    args = parser.parse_args()

    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warmup = make_pairs(args.pairs, args.data, seed=0)
    samples = [make_pairs(args.pairs, args.data, seed=1 + r) for r in range(args.repeats)]
    pairs = samples[0]  # scores are compared on the first sample
    methods = [m for m in args.methods.split(",") if m] + [f"core:{b}" for b in args.backends.split(",") if b]
    info = machine()

    from transformers import AutoTokenizer

    folder, max_length, _ = default_checkpoint()
    info["model"] = folder
    tokenizer = AutoTokenizer.from_pretrained(folder)

    def token_lengths(sample: list[tuple[str, str]]) -> list[int]:
        encoded = tokenizer([p for p, _ in sample], [h for _, h in sample], truncation=True, max_length=max_length)
        return [len(ids) for ids in encoded["input_ids"]]

    sample_lengths = [token_lengths(sample) for sample in samples]
    lengths = [n for sample in sample_lengths for n in sample]
    flops = [pair_flops(sample) for sample in sample_lengths]

    ctx = mp.get_context("spawn")
    workers = {}
    multiples: dict[str, int | None] = {}
    for method in methods:  # load one at a time (exports/quantization happen here, once)
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(method, args.batch_size, args.threads, args.pad_multiple, child), daemon=True)
        proc.start()
        _, multiples[method] = parent.recv()
        workers[method] = (proc, parent)
        print(f"loaded {method}", flush=True)

    for method, (_, conn) in workers.items():  # untimed warm-up round on its own sample
        conn.send(("run", warmup))
        conn.recv()
    times: dict[str, list[float]] = {m: [] for m in methods}
    scores: dict[str, list[float]] = {}
    for repeat, sample in enumerate(samples):
        for method, (_, conn) in workers.items():
            conn.send(("run", sample))
            _, (seconds, got) = conn.recv()
            times[method].append(seconds)
            scores.setdefault(method, got)
            print(f"repeat {repeat + 1}: {method}: {len(sample) / seconds:.1f} pairs/s", flush=True)
    rss = {}
    for method, (proc, conn) in workers.items():
        conn.send(("stop", None))
        rss[method] = conn.recv()[1]
        proc.join()
    info["load_average_at_end"] = os.getloadavg()

    reference = scores.get("one-at-a-time") or scores.get("core:torch")  # plain transformers float32
    rate = {m: len(pairs) / statistics.median(t) for m, t in times.items()}
    rows = []
    for method in methods:
        row = {
            "method": method,
            "batch": "1" if method == "one-at-a-time" else (
                f"<=64, 4096 tokens, lengths to x{multiples[method]}" if method.startswith("core:") else f"{args.batch_size}"
            ),
            "pad_multiple": multiples[method],
            "pairs_per_s_median": round(rate[method], 2),
            "pairs_per_s_repeats": [round(len(pairs) / t, 2) for t in times[method]],
            "gflops": round(statistics.median(f / 1e9 / t for f, t in zip(flops, times[method], strict=True)), 2),
            "peak_rss_mb": round(rss[method], 1),
            "max_abs_diff_vs_fp32": round(max(abs(a - b) for a, b in zip(scores[method], reference, strict=True)), 6) if reference else None,
        }
        for base in BASELINES:
            if base in rate:
                row[f"x_{base}"] = round(rate[method] / rate[base], 2)
                # the same ratio within each round (both ran minutes apart at most), then the median
                rounds = [b / a for a, b in zip(times[method], times[base], strict=True)]
                row[f"x_{base}_per_round"] = [round(x, 2) for x in rounds]
                row[f"x_{base}_round_median"] = round(statistics.median(rounds), 2)
        rows.append(row)
    result = {
        "command": "python benchmarks/throughput.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v is not None and k != "out"
        ),
        "machine": info,
        "threads": args.threads,
        "pairs": describe(pairs),
        "source": str(args.data) if args.data else "examples/",
        "tokens": {"real": sum(lengths), "mean": round(sum(lengths) / len(lengths), 1), "max": max(lengths)},
        "useful_gflop_per_round": [round(f / 1e9, 2) for f in flops],
        "repeats": args.repeats,
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    peak = info["peak_fp32_gflops"]
    header = (
        "| method | batch | pairs/s (median of %d) | x one-at-a-time | x pipeline | x CrossEncoder | GFLOP/s (%% of %.0f peak) "
        "| peak RSS MB | max abs diff p(contradiction) vs fp32 |" % (args.repeats, peak)
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|"]

    def ratio(r: dict, base: str) -> str:
        return f"{r[f'x_{base}']} ({r[f'x_{base}_round_median']})" if f"x_{base}" in r else ""

    for r in rows:
        lines.append(
            f"| {r['method']} | {r['batch']} | {r['pairs_per_s_median']} | {ratio(r, 'one-at-a-time')} | {ratio(r, 'pipeline')} | "
            f"{ratio(r, 'cross-encoder')} | {r['gflops']} ({100 * r['gflops'] / peak:.0f}%) | {r['peak_rss_mb']:.0f} | {r['max_abs_diff_vs_fp32']} |"
        )
    lines.append("")
    lines.append("Ratios: of the median rates, and in brackets the median of the ratios within each round.")
    pairs_note = result["pairs"]
    lines.append("")
    lines.append(
        f"{args.repeats} rounds of {pairs_note['pairs']} fresh pairs each, after a warm-up round (first round's sample: "
        f"{pairs_note['paragraph_premises']} with paragraph premises; all rounds: mean {result['tokens']['mean']} tokens, "
        f"max {result['tokens']['max']}) from {result['source']}; {args.threads} threads; {info['cpu']}, {info['cores']} cores "
        f"at {info['ghz']} GHz ({info['simd']}); load average {info['load_average_at_start'][0]:.1f} at start, "
        f"{info['load_average_at_end'][0]:.1f} at end."
    )
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
