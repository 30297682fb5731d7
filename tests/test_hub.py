"""A hub id without a network fails in seconds with a message that says what to do instead."""

from __future__ import annotations

import socket

import pytest

from contradict.errors import ModelLoadError
from contradict.hub import check_hub_id
from contradict.pairing.candidates import load_encoder
from contradict.scoring.nli import load_model


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when this returns: connecting is refused


@pytest.fixture()
def no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub endpoint is a closed port on this machine: what a machine without network sees, without leaving it."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")


def test_an_unreachable_hub_is_reported_at_once(no_hub):
    with pytest.raises(ModelLoadError) as caught:
        check_hub_id("someone/nli-model-x", "NLI model", "--model")
    message = str(caught.value)
    assert "cannot be reached" in message and "--model" in message and "offline default" in message


def test_hf_hub_offline_is_honoured(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE is set"):
        check_hub_id("someone/nli-model-x", "NLI model", "--model")


def test_load_model_and_load_encoder_fail_fast_for_a_hub_id(no_hub):
    with pytest.raises(ModelLoadError, match="NLI model 'someone/nli-model-x' needs the model hub"):
        load_model("someone/nli-model-x", device="cpu")
    with pytest.raises(ModelLoadError, match="sentence encoder 'someone/encoder-x' needs the model hub"):
        load_encoder("someone/encoder-x")


def test_a_local_folder_never_asks_the_hub(no_hub, tiny_nli_dir):
    model = load_model(str(tiny_nli_dir), device="cpu")  # the endpoint is closed: any hub call would fail
    assert model.predict([("A dog runs.", "An animal moves.")])
