"""POST alerts to a webhook with retries and backoff; secrets never reach a log line or a message.

Each alert is sent as its JSON, with its ``alert_id`` also in the ``Idempotency-Key``
header so that a receiver can drop a resend (contradict resends alerts whose delivery was
not recorded, e.g. after a crash between send and record). Timeouts, connection errors,
408/425/429 and 5xx are retried, waiting ``backoff_s`` and then twice as long each time
(at most ``max_backoff_s``, or what a numeric ``Retry-After`` asks for, within that cap);
other answers are final. One attempt (connect, send, the whole answer) is bounded by
``timeout_s`` in all, so a receiver that trickles its answer cannot hold a job. A URL with
``user:password@`` sends those as basic auth. The URL and header values are treated as
secrets: logs and errors name the target only by scheme, host and port.
"""

from __future__ import annotations

import base64
import http.client
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

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


class _Deadline:
    """Bounds one whole attempt: when the time is up, the attempt's sockets are shut down.

    A socket timeout only bounds each read; a receiver that trickles a byte at a time would
    otherwise hold a job (and its lock) for as long as it likes.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def connection_class(self, http_class: Any) -> Any:
        """``http_class`` with its sockets recorded as they connect (urllib drops ``conn.sock`` before the body)."""
        deadline = self

        class Cut(http_class):  # type: ignore[misc, valid-type]
            def connect(self) -> None:
                super().connect()
                with deadline._lock:
                    deadline._sockets.append(self.sock)
                    expired = deadline.expired
                if expired:
                    deadline._shutdown(self.sock)

        return Cut

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shutdown(sock)

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _handlers(deadline: _Deadline) -> list[Any]:
    """urllib handlers whose connections the deadline can cut (proxies from the environment still apply)."""

    class Http(urllib.request.HTTPHandler):
        def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            return super().do_open(deadline.connection_class(http_class), req, **kwargs)

    class Https(urllib.request.HTTPSHandler):
        def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            return super().do_open(deadline.connection_class(http_class), req, **kwargs)

    return [_NoRedirect, Http, Https]


def _split_credentials(url: str) -> tuple[str, str | None]:
    """The URL without ``user:password@``, and the basic-auth header value those stood for."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=netloc)), f"Basic {token}"


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    return float(value) if value and value.strip().isdigit() else None


def _attempt(target: WebhookTarget, alert_id: str, body: bytes) -> tuple[int | None, str | None, bool, float | None]:
    """One POST within ``timeout_s`` in all: (status, error, retryable, retry-after seconds); error is None on 2xx."""
    url, basic = _split_credentials(target.url)
    headers = {
        **({"Authorization": basic} if basic is not None else {}),
        **target.headers,
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": alert_id,
        "User-Agent": f"contradict/{__version__}",
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with _Deadline(target.timeout_s) as deadline:
        status, error, retryable, retry_after = _send(urllib.request.build_opener(*_handlers(deadline)), request, target)
    if deadline.expired and error is not None:
        return status, f"timed out (the whole attempt took over {target.timeout_s:g} s)", True, None
    return status, error, retryable, retry_after


def _send(opener: urllib.request.OpenerDirector, request: urllib.request.Request, target: WebhookTarget) -> tuple[int | None, str | None, bool, float | None]:
    try:
        with opener.open(request, timeout=target.timeout_s) as response:
            try:
                response.read(_BODY_LIMIT)
            except (OSError, http.client.HTTPException):
                pass  # the status line said 2xx: the alert was accepted, whatever happens to the body
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
    body = payload.encode("utf-8")
    where = target.describe()
    attempts = 1 + target.retries
    status: int | None = None
    error: str | None = None
    for attempt in range(1, attempts + 1):
        status, error, retryable, retry_after = _attempt(target, alert_id, body)
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
