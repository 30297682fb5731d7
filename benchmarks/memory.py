"""Peak memory of `contradict score-pairs` over long streams: does RSS stay flat however many pairs?

Two measurements, each a real `python -m contradict.cli score-pairs FILE --out FILE` process,
its RSS sampled every half second against how far it has read its input (from
/proc/PID/fdinfo), and its peak RSS taken from the kernel (wait4 ru_maxrss):

1. ``--tiny-pairs`` (default 1,000,000) pairs through a tiny random DeBERTa-v2 (2 layers,
   hidden 32, the real 128k vocabulary and tokenizer): every per-pair part of the pipeline
   (reading, parsing, tokenizing, batching, the queue, writing) at full length, at a speed
   where a million pairs take minutes instead of hours.
2. ``--real-pairs`` (default 3,000) pairs through the real offline model, per backend: the
   model's own memory, which does not grow with the number of pairs.

    python benchmarks/memory.py --data ../shared/data/train/nli3_train_combined.jsonl.gz
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pairs import REPO, make_pairs

RESULTS = Path(__file__).resolve().parent / "results"


def tiny_model(folder: Path) -> Path:
    """A 2-layer DeBERTa-v2 NLI classifier with random weights and the offline model's tokenizer."""
    import torch
    from transformers import AutoTokenizer, DebertaV2Config, DebertaV2ForSequenceClassification

    from contradict.scoring.offline_model import find_package

    torch.manual_seed(0)
    config = DebertaV2Config(
        vocab_size=128100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=512, type_vocab_size=0, relative_attention=True, position_buckets=64,
        max_relative_positions=-1, norm_rel_ebd="layer_norm", share_att_key=True, pos_att_type=["p2c", "c2p"],
        position_biased_input=False, pooler_hidden_size=32, pad_token_id=0,
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    DebertaV2ForSequenceClassification(config).eval().save_pretrained(folder)
    AutoTokenizer.from_pretrained(str(find_package().tokenizer_dir)).save_pretrained(folder)
    return folder


def write_input(path: Path, base: list[tuple[str, str]], n: int) -> None:
    """n JSON lines cycling through the base pairs (numbered, so no two lines are the same)."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            p, h = base[i % len(base)]
            fh.write(json.dumps({"id": i, "premise": p, "hypothesis": f"{h} ({i})"}) + "\n")


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _read_pos(pid: int, target: Path) -> int | None:
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(target):
                for line in Path(f"/proc/{pid}/fdinfo/{fd}").read_text().splitlines():
                    if line.startswith("pos:"):
                        return int(line.split()[1])
    except OSError:
        return None
    return None


def measure(input_path: Path, args: list[str], threads: int) -> dict:
    """Run score-pairs on a file; sample RSS against input progress; return peak RSS and the curve."""
    out = input_path.with_suffix(".out.jsonl")
    cmd = [sys.executable, "-m", "contradict.cli", "-q", "score-pairs", str(input_path), "--out", str(out),
           "--device", "cpu", "--threads", str(threads), *args]
    size = input_path.stat().st_size
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO)
    samples = []
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        rss, pos = _rss_kb(proc.pid), _read_pos(proc.pid, input_path.resolve())
        if rss is not None and pos is not None:
            samples.append((round(time.perf_counter() - started, 1), round(pos / size, 4), rss))
        time.sleep(0.5)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"score-pairs failed: {' '.join(cmd)}")
    lines = sum(1 for _ in out.open(encoding="utf-8"))
    out.unlink()

    def at(fraction: float) -> int | None:
        later = [s[2] for s in samples if s[1] >= fraction]
        return later[0] if later else None

    curve = {f"{int(f * 100)}%": round(at(f) / 1024, 1) if at(f) else None for f in (0.1, 0.25, 0.5, 0.75, 0.9)}
    return {
        "command": " ".join(["contradict", *cmd[3:]]),
        "pairs_out": lines,
        "wall_s": round(wall, 1),
        "pairs_per_s": round(lines / wall, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rss_mb_at_input_read": curve,
        "samples": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="training-role JSON lines to draw pairs from (default: examples/)")
    parser.add_argument("--tiny-pairs", type=int, default=1_000_000)
    parser.add_argument("--real-pairs", type=int, default=3_000)
    parser.add_argument("--real-backends", default="onnx,onnx-int8")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--out", type=Path, default=RESULTS / "memory")
    args = parser.parse_args()
    base = make_pairs(5000, args.data, seed=1)
    result: dict = {
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, {platform.python_version()}",
        "source": str(args.data) if args.data else "examples/",
        "threads": args.threads,
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="contradict-memory-") as tmp:
        root = Path(tmp)
        tiny = tiny_model(root / "tiny")
        for label, n, extra in [("tiny model", args.tiny_pairs, ["--model", str(tiny)])] + [
            (f"real model, {b}", args.real_pairs, ["--backend", b]) for b in args.real_backends.split(",") if b
        ]:
            if n <= 0:
                continue
            path = root / f"in-{n}.jsonl"
            if not path.exists():
                write_input(path, base, n)
            run = {"run": label, "pairs_in": n, **measure(path, extra, args.threads)}
            print(json.dumps(run), flush=True)
            result["runs"].append(run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    rows = ["| run | pairs | wall s | pairs/s | RSS at 10% / 50% / 90% of input (MB) | peak RSS (MB) |", "|---|---|---|---|---|---|"]
    for r in result["runs"]:
        c = r["rss_mb_at_input_read"]
        rows.append(f"| {r['run']} | {r['pairs_out']:,} | {r['wall_s']} | {r['pairs_per_s']} | {c['10%']} / {c['50%']} / {c['90%']} | {r['peak_rss_mb']} |")
    args.out.with_suffix(".md").write_text("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
