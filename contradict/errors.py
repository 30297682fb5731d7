"""The exceptions contradict raises; the CLI turns each into a message and an exit code."""

from __future__ import annotations


class ContradictError(Exception):
    """Base class: something the user can fix; the message says what to do next."""

    exit_code = 1


class UsageError(ContradictError):
    """Bad arguments or input files (a missing folder, a malformed line)."""

    exit_code = 2


class InputFormatError(UsageError):
    """An input file does not follow its documented format."""


class NoDocumentsError(UsageError):
    """No document could be read from the input; the message names the skip reasons and what may help."""


class ModelLoadError(ContradictError):
    """An NLI or sentence-encoder checkpoint could not be found, loaded or converted."""


class ModelCardError(ModelLoadError):
    """A model card is missing, malformed, or disagrees with its checkpoint."""


class DeviceError(ContradictError):
    """The requested device is not available on this machine."""

    exit_code = 2


class ParserLoadError(ModelLoadError):
    """The spaCy pipeline for claims could not be loaded, or is not the one expected."""


class OutputError(ContradictError):
    """An output file cannot be written (disk full, permissions); what was written before is kept."""


class EngineError(ContradictError):
    """The Ray cluster cannot be reached, or a stage failed on it (a worker died); a job's scored pairs are kept."""
