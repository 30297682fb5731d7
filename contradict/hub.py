"""Model hub ids: fail in seconds, not minutes, when the hub cannot be reached.

``from_pretrained("owner/name")`` retries for about a minute per file when there is no network.
Before a hub id is handed to transformers or sentence-transformers, :func:`check_hub_id` says
whether the files can come from the local Hugging Face cache, honours ``HF_HUB_OFFLINE``, and
otherwise opens one TCP connection to the hub (a few seconds at most). Only a hub id the user
gave ever leads here: local folders and the offline default never touch the network.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

from contradict.errors import ModelLoadError

CONNECT_TIMEOUT_S = 3.0
_TRUE = {"1", "true", "yes", "on"}


def _offline() -> bool:
    return any(os.environ.get(name, "").strip().lower() in _TRUE for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _cached(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415

        found = try_to_load_from_cache(repo_id, "config.json")
    except Exception:  # noqa: BLE001 - a malformed id or a cache layout this version does not know: not cached
        return False
    return isinstance(found, str)


def _reachable(endpoint: str, timeout_s: float) -> str | None:
    """None when a TCP connection to the hub opens within the timeout, else the reason."""
    parts = urlsplit(endpoint)
    host = parts.hostname or "huggingface.co"
    port = parts.port or (443 if parts.scheme != "http" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__


def check_hub_id(repo_id: str, what: str, option: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> bool:
    """Return ``local_files_only`` for loading ``repo_id``, or raise ModelLoadError at once.

    True when the files are in the local cache (so nothing is fetched); False when the hub is
    reachable. ``what`` and ``option`` name the model and the option for the message.
    """
    if _cached(repo_id):
        return True
    fix = (f"pass a local folder to {option}, omit {option} for the offline default, or download it on a machine "
           "with network access (it is then read from the Hugging Face cache)")
    if _offline():
        raise ModelLoadError(f"{what} {repo_id!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set: {fix}")
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    reason = _reachable(endpoint, timeout_s)
    if reason is not None:
        raise ModelLoadError(f"{what} {repo_id!r} needs the model hub, and {urlsplit(endpoint).hostname} cannot be "
                             f"reached ({reason}): {fix}")
    return False
