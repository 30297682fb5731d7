"""Third-party chatter turned down at its source: what transformers, Hugging Face, sentence-transformers
and torch would print while models load.

What a scan at a terminal showed before this (``contradict scan examples/news``): a ``Loading
weights`` progress bar from transformers for each checkpoint loaded (two more while the
three-way model is first built), and the INFO lines of sentence-transformers ("Loading
SentenceTransformer model from ...", "No modules.json found ..."). :func:`quiet_third_party`
turns off the bars (transformers and huggingface_hub), sets those libraries' loggers to errors
only, and shows a UserWarning (torch's and transformers' warnings at load) once per process,
not once per call; FutureWarning and DeprecationWarning, which are for developers of contradict,
are not shown. The command line calls it unless ``-vv`` asks for everything.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

THIRD_PARTY_LOGGERS = ("transformers", "huggingface_hub", "sentence_transformers", "torch", "onnxruntime", "optimum")


def quiet_third_party() -> None:
    """Progress bars off, third-party loggers at ERROR, a UserWarning shown once, deprecations not at all."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # read by huggingface_hub and transformers at import
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if "huggingface_hub" in sys.modules:  # imported already: the variable came too late
        from huggingface_hub.utils import disable_progress_bars  # noqa: PLC0415

        disable_progress_bars()
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging  # noqa: PLC0415

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("once", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
