"""Webhook delivery against a real HTTP server on 127.0.0.1: retries, backoff, final answers, secrets."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from contradict.jobs.webhooks import WebhookTarget, post

SECRET_TOKEN = "tok-3f9c2a71e5"
SECRET_PATH = "hooks/T0KEN-in-the-path-77"


class Receiver:
    """A real HTTP server on 127.0.0.1 (port 0, own thread) that plays a script of answers.

    Each POST takes the next answer from ``script`` (then ``default``): "ok" (store the alert
    under its Idempotency-Key, as a deduplicating receiver does, and answer 200), an HTTP status
    (int, or (int, headers)), "timeout" (answer only after ``slow_s``), "redirect", or "kill"
    (store it, then call ``on_kill`` before answering: the sender crashes between send and record).
    """

    def __init__(self, script: list[Any] | None = None, default: Any = "ok", slow_s: float = 1.0) -> None:
        self.script = list(script or [])
        self.default = default
        self.slow_s = slow_s
        self.requests: list[tuple[dict[str, str], bytes, Any]] = []
        self.accepted: dict[str, bytes] = {}
        self.on_kill: Callable[[], None] | None = None
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    answer = receiver.script.pop(0) if receiver.script else receiver.default
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body, answer))
                    if answer in ("ok", "kill"):
                        receiver.accepted.setdefault(self.headers["Idempotency-Key"], body)
                try:
                    if answer == "kill" and receiver.on_kill is not None:
                        receiver.on_kill()
                    if answer == "timeout":
                        time.sleep(receiver.slow_s)
                    status, headers = (200, {}) if answer in ("ok", "kill", "timeout") else (
                        (302, {"Location": "http://127.0.0.1:9/elsewhere"}) if answer == "redirect"
                        else answer if isinstance(answer, tuple) else (answer, {}))
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{SECRET_PATH}"

    def keys(self) -> list[str]:
        """The Idempotency-Key of every request received, in order."""
        return [headers["idempotency-key"] for headers, _, _ in self.requests]

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def target(url: str, **options: Any) -> WebhookTarget:
    options = {"timeout_s": 2.0, "retries": 3, "backoff_s": 0.01, "max_backoff_s": 0.5, **options}
    return WebhookTarget(url=url, headers={"Authorization": f"Bearer {SECRET_TOKEN}", "X-Team": "desk"}, **options)


PAYLOAD = json.dumps({"alert_id": "0123456789abcdef0123456789abcdef", "label": "contradiction"})
ALERT_ID = "0123456789abcdef0123456789abcdef"


def recording_sleep(waits: list[float]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    return sleep


def test_delivers_the_alert_json_with_its_idempotency_key(receiver: Receiver):
    outcome = post(target(receiver.url), ALERT_ID, PAYLOAD)
    assert (outcome.delivered, outcome.attempts, outcome.status, outcome.error) == (True, 1, 200, None)
    [(headers, body, _)] = receiver.requests
    assert body.decode() == PAYLOAD
    assert headers["idempotency-key"] == ALERT_ID
    assert headers["authorization"] == f"Bearer {SECRET_TOKEN}" and headers["x-team"] == "desk"
    assert headers["content-type"].startswith("application/json")


def test_fails_twice_then_accepts(caplog: pytest.LogCaptureFixture):
    waits: list[float] = []
    with Receiver([500, "timeout"], slow_s=1.5) as receiver:
        outcome = post(target(receiver.url, timeout_s=0.3), ALERT_ID, PAYLOAD, sleep=recording_sleep(waits))
        assert outcome.delivered and outcome.attempts == 3
        assert [answer for _, _, answer in receiver.requests] == [500, "timeout", "ok"]
        assert receiver.keys() == [ALERT_ID] * 3
        assert {body for _, body, _ in receiver.requests} == {PAYLOAD.encode()}
        assert list(receiver.accepted) == [ALERT_ID]
    assert waits == [0.01, 0.02]  # backoff doubles
    assert "HTTP 500" in caplog.text and "timed out" in caplog.text


@pytest.mark.parametrize(
    ("script", "retries", "attempts", "delivered", "status"),
    [
        ([503] * 9, 2, 3, False, 503),
        ([502, 504, 429, 408], 4, 5, True, 200),
        ([400], 3, 1, False, 400),
        ([401], 3, 1, False, 401),
        (["redirect"], 3, 1, False, 302),
        ([500], 0, 1, False, 500),
    ],
)
def test_what_is_retried(script: list[Any], retries: int, attempts: int, delivered: bool, status: int):
    with Receiver(script) as receiver:
        outcome = post(target(receiver.url, retries=retries), ALERT_ID, PAYLOAD)
        assert (outcome.delivered, outcome.attempts, outcome.status) == (delivered, attempts, status)
        assert len(receiver.requests) == attempts
        assert (outcome.error is None) is delivered


def test_retry_after_is_honoured_within_the_cap():
    waits: list[float] = []
    with Receiver([(429, {"Retry-After": "3"}), (503, {"Retry-After": "0"})]) as receiver:
        outcome = post(target(receiver.url, backoff_s=0.01, max_backoff_s=0.2), ALERT_ID, PAYLOAD, sleep=recording_sleep(waits))
    assert outcome.delivered and outcome.attempts == 3
    assert waits == [0.2, 0.02]


def test_connection_refused_is_retried_then_reported():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = post(target(f"http://127.0.0.1:{port}/x", retries=2), ALERT_ID, PAYLOAD)
    assert (outcome.delivered, outcome.attempts, outcome.status) == (False, 3, None)
    assert outcome.error and "refused" in outcome.error.lower()


def test_secrets_stay_out_of_logs_errors_and_repr(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    with Receiver([], default=500) as receiver:
        hook = target(receiver.url, retries=2)
        outcome = post(hook, ALERT_ID, PAYLOAD)
    assert not outcome.delivered and outcome.attempts == 3
    texts = [caplog.text, outcome.error or "", repr(hook), hook.describe(), repr(outcome)]
    for text in texts:
        assert SECRET_TOKEN not in text and SECRET_PATH not in text and "T0KEN" not in text
    assert hook.describe() == f"http://127.0.0.1:{receiver.server.server_address[1]}"
    assert hook.describe() in caplog.text
    assert hook.redact(f"GET {receiver.url} with Bearer {SECRET_TOKEN}") == "GET *** with ***"


class Trickler:
    """A raw TCP receiver that trickles its answer, one byte every ``every_s``, never finishing.

    ``where`` is "headers" (the status line and headers trickle) or "body" (a 200 with its
    headers at once, then the body trickles).
    """

    def __init__(self, where: str, every_s: float = 0.5) -> None:
        self.where, self.every_s = where, every_s
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.stop = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n" + b"X-Pad: " + b"p" * 1000 + b"\r\n\r\n"
        with conn:
            try:
                conn.recv(65536)
                if self.where == "body":
                    conn.sendall(head)
                for byte in (head if self.where == "headers" else b"x" * 1000):
                    if self.stop.wait(self.every_s):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/{SECRET_PATH}"

    def __enter__(self) -> "Trickler":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


def test_a_receiver_trickling_its_headers_cannot_outlast_the_deadline():
    """A byte every half second: each read is quick, but each attempt ends at timeout_s and is retried."""
    with Trickler("headers") as trickler:
        started = time.monotonic()
        outcome = post(target(trickler.url, timeout_s=1.0, retries=1, backoff_s=0.0), ALERT_ID, PAYLOAD)
        elapsed = time.monotonic() - started
    assert not outcome.delivered and outcome.attempts == 2 and trickler.connections == 2
    assert outcome.error is not None and "timed out" in outcome.error
    assert elapsed < 30, f"two 1 s attempts took {elapsed:.1f} s"  # unbounded, it would take 500 s each


def test_a_receiver_trickling_its_body_after_a_200_counts_as_delivered_at_the_deadline():
    with Trickler("body") as trickler:
        started = time.monotonic()
        outcome = post(target(trickler.url, timeout_s=1.0, retries=1, backoff_s=0.0), ALERT_ID, PAYLOAD)
        elapsed = time.monotonic() - started
    assert outcome.delivered and outcome.attempts == 1 and outcome.status == 200
    assert elapsed < 30, f"a 1 s attempt took {elapsed:.1f} s"


def test_user_and_password_in_the_url_are_sent_as_basic_auth(receiver: Receiver):
    port = receiver.server.server_address[1]
    hook = WebhookTarget(url=f"http://desk:p%40ss-9f1@127.0.0.1:{port}/{SECRET_PATH}", timeout_s=2.0)
    outcome = post(hook, ALERT_ID, PAYLOAD)
    assert outcome.delivered, outcome.error
    headers = receiver.requests[0][0]
    assert headers["authorization"] == "Basic " + __import__("base64").b64encode(b"desk:p@ss-9f1").decode()
    assert "p%40ss-9f1" not in hook.describe() and "p%40ss-9f1" not in repr(hook)
