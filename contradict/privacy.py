"""No telemetry: the runtimes contradict loads are told not to record or send usage data.

ONNX Runtime (1.2x and later on Linux and macOS) keeps a device id and queues usage events in
``~/.cache/Microsoft/DeveloperTools`` for upload unless ``ORT_DISABLE_TELEMETRY=1`` is set
before it starts; Hugging Face libraries send telemetry on hub calls unless
``HF_HUB_DISABLE_TELEMETRY=1``. OpenVINO's runtime sends nothing (its telemetry belongs to its
conversion tools, which contradict does not call). These are set when contradict is imported,
as defaults: a variable the user set already is left as it is.
"""

from __future__ import annotations

import os

TELEMETRY_OFF = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def disable_telemetry() -> None:
    """Set the opt-out variables (as defaults) before any runtime is imported."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)


def disable_onnxruntime_events(onnxruntime: object) -> None:
    """Also switch ONNX Runtime's event API off, for a process that imported it before contradict."""
    off = getattr(onnxruntime, "disable_telemetry_events", None)
    if callable(off):
        off()
