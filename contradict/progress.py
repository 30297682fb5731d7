"""Progress of a scan's stages as a plain callback, for whoever wants to show it (no terminal code here).

A :data:`ProgressFn` is called as ``progress(stage, done, total)``: first with ``done == 0``
when a stage starts, then as work is done, and with ``done == total`` when it ends. ``total``
is the number of items of the stage (files, documents, claims, pair directions). The command
line draws it with :class:`contradict.terminal.StageProgress`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

ProgressFn = Callable[[str, int, "int | None"], None]

STAGES = {
    "load": "reading files",
    "extract": "extracting claims",
    "pair": "embedding claims",
    "score": "scoring pair directions",
}
"""The stages a scan reports, in order, and how a reader sees them."""


def no_progress(stage: str, done: int, total: int | None) -> None:
    """A :data:`ProgressFn` that shows nothing."""


def takes_progress(method: Callable[..., object]) -> bool:
    """Whether a scorer's or encoder's method accepts a ``progress`` keyword (test fakes need not)."""
    try:
        return "progress" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
