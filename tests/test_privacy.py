"""The tool never touches the network unless asked: no telemetry files, no sockets, for a whole scan."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

STRACE = shutil.which("strace")
INET = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?\b")


def _scan_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "ORT_"))}
    env.update(HOME=str(tmp_path / "home"), CONTRADICT_CACHE_DIR=str(tmp_path / "cache"), XDG_CACHE_HOME=str(tmp_path / "home" / ".cache"))
    (tmp_path / "home").mkdir()
    return env


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_a_scan_writes_no_telemetry_and_opens_no_network_socket(tmp_path: Path, tiny_nli_dir: Path, tiny_encoder_dir: Path, backend: str):
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "contradict.cli", "-q", "scan", str(EXAMPLES), "--out", str(out), "--model", str(tiny_nli_dir),
               "--encoder", str(tiny_encoder_dir), "--device", "cpu", "--backend", backend, "--min-similarity", "-1"]
    trace = tmp_path / "strace.log"
    if STRACE:  # every connect() of every thread and child, e.g. a DNS lookup or an upload
        command = [STRACE, "-f", "-qq", "-e", "trace=connect", "-o", str(trace), *command]
    result = subprocess.run(command, env=_scan_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
    home_files = sorted(str(p.relative_to(tmp_path / "home")) for p in (tmp_path / "home").rglob("*") if p.is_file())
    assert not [f for f in home_files if "Microsoft" in f or "telemetry" in f.lower()], home_files
    if STRACE:
        network = [line for line in trace.read_text().splitlines() if INET.search(line)]
        assert not network, network[:5]


def test_telemetry_opt_outs_are_defaults_a_user_can_override(monkeypatch: pytest.MonkeyPatch):
    from contradict.privacy import TELEMETRY_OFF, disable_telemetry

    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "0")
    monkeypatch.delenv("ORT_DISABLE_TELEMETRY", raising=False)
    disable_telemetry()
    assert os.environ["ORT_DISABLE_TELEMETRY"] == TELEMETRY_OFF["ORT_DISABLE_TELEMETRY"]
    assert os.environ["HF_HUB_DISABLE_TELEMETRY"] == "0", "a value the user set is kept"
