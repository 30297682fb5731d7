"""POST alerts to a webhook with retries and backoff; secrets never reach a log line or a message.

Each alert is sent as its JSON, with its ``alert_id`` also in the ``Idempotency-Key``
header so that a receiver can drop a resend (contradict resends alerts whose delivery was
not recorded, e.g. after a crash between send and record). Timeouts, connection errors,
408/425/429 and 5xx are retried, waiting ``backoff_s`` and then twice as long each time
(at most ``max_backoff_s``, or what a numeric ``Retry-After`` asks for, within that cap);
other answers are final. The URL and header values are treated as secrets: logs and
errors name the target only by scheme, host and port.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from contradict import __version__
from contradict.jobs.config import Webhook

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 425, 429})
_BODY_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where and how to POST alerts: URL and headers (secrets), timeout, retries and backoff."""

    url: str = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout_s: float = 10.0
    retries: int = 3
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0

    @classmethod
    def from_config(cls, webhook: Webhook) -> "WebhookTarget":
        """The target a job's ``outputs.webhook`` describes."""
        return cls(
            url=webhook.url.get_secret_value(),
            headers={name: value.get_secret_value() for name, value in webhook.headers.items()},
            timeout_s=webhook.timeout_s,
            retries=webhook.retries,
            backoff_s=webhook.backoff_s,
            max_backoff_s=webhook.max_backoff_s,
        )

    def describe(self) -> str:
        """The target without secrets: scheme, host and port only."""
        parts = urlsplit(self.url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"

    def redact(self, text: str) -> str:
        """``text`` with the URL, its path, query and credentials, and every header value replaced by ***."""
        parts = urlsplit(self.url)
        secrets = [self.url, *self.headers.values(), parts.path, parts.query, parts.password or "", parts.username or ""]
        for secret in sorted({s for s in secrets if len(s) >= 3 and s != "/"}, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


@dataclass(frozen=True, slots=True)
class Delivery:
    """How sending one alert ended: accepted or not, after how many attempts, and the last error."""

    delivered: bool
    attempts: int
    status: int | None
    error: str | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: a POST must not silently become a GET somewhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    return float(value) if value and value.strip().isdigit() else None


def _attempt(opener: urllib.request.OpenerDirector, target: WebhookTarget, alert_id: str, body: bytes) -> tuple[int | None, str | None, bool, float | None]:
    """One POST: (status, error, retryable, retry-after seconds); error is None on a 2xx answer."""
    headers = {
        **target.headers,
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": alert_id,
        "User-Agent": f"contradict/{__version__}",
    }
    request = urllib.request.Request(target.url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=target.timeout_s) as response:
            response.read(_BODY_LIMIT)
            return response.status, None, False, None
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
        retryable = status in RETRY_STATUS or status >= 500
        return status, f"HTTP {status}", retryable, _retry_after(exc.headers)
    except urllib.error.URLError as exc:
        reason = exc.reason
        text = "timed out" if isinstance(reason, TimeoutError) else str(getattr(reason, "strerror", None) or reason)
        return None, text, True, None
    except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as exc:
        text = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
        return None, text, True, None


def post(
    target: WebhookTarget, alert_id: str, payload: str, *, sleep: Callable[[float], None] = time.sleep
) -> Delivery:
    """POST one alert's JSON, retrying timeouts, connection errors, 408/425/429 and 5xx with backoff."""
    opener = urllib.request.build_opener(_NoRedirect)
    body = payload.encode("utf-8")
    where = target.describe()
    attempts = 1 + target.retries
    status: int | None = None
    error: str | None = None
    for attempt in range(1, attempts + 1):
        status, error, retryable, retry_after = _attempt(opener, target, alert_id, body)
        if error is None:
            log.info("webhook %s: delivered alert %s (HTTP %s, attempt %d)", where, alert_id, status, attempt)
            return Delivery(True, attempt, status, None)
        error = target.redact(error)
        if not retryable or attempt == attempts:
            log.warning("webhook %s: alert %s not delivered after %d attempt(s): %s", where, alert_id, attempt, error)
            return Delivery(False, attempt, status, error)
        wait = min(target.backoff_s * 2 ** (attempt - 1), target.max_backoff_s)
        if retry_after is not None:
            wait = min(max(wait, retry_after), target.max_backoff_s)
        log.warning("webhook %s: attempt %d of %d for alert %s failed (%s); retrying in %.2f s",
                    where, attempt, attempts, alert_id, error, wait)
        sleep(wait)
    return Delivery(False, attempts, status, error)  # not reached: the loop returns
