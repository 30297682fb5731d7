"""Output files: checked before the work starts, written with the user's normal permissions.

- :func:`check_writable`: an output path that is a folder, or whose folder cannot be written,
  is a usage error before any model loads or any document is read.
- :func:`atomic_write`: a reader never sees half a file; a failed write leaves the old file.
- :class:`LazyOutput`: a stream that opens (and replaces) its file only when the first line is
  written, so an input error before any result leaves an earlier file as it was.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path
from typing import IO

from contradict.errors import OutputError, UsageError


def default_mode() -> int:
    """The mode a new file gets from the user's umask (0644 under the usual 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def check_writable(path: Path, what: str = "--out") -> None:
    """Raise UsageError unless ``path`` could be written: not a folder, and its folder writable."""
    if path.is_dir():
        raise UsageError(f"{what} {path} is a folder; give a file name such as {path / 'report.json'}")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise UsageError(f"{what} {path}: the file is not writable (check its permissions)")
        return
    folder = path.parent if str(path.parent) else Path(".")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{what} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{what} {path}: the folder {existing} is not writable")


def _reason(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def atomic_write(path: Path, text: str, what: str = "output") -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename; OutputError on failure.

    A new file gets the umask's permissions; an existing file keeps its own.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else default_mode()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write the {what} {path}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write the {what} {path}: {_reason(exc)}; the previous file, if any, is unchanged") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LazyOutput:
    """Lines to a file opened only at the first write (``None``: stdout); flushed line by line."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fh: IO[str] | None = sys.stdout if path is None else None
        self.lines = 0
        self._failed = False

    def write_line(self, line: str) -> None:
        """Write one line (opening the file first, if this is the first)."""
        try:
            if self._fh is None:
                assert self.path is not None
                self._fh = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
            self._fh.write(line + "\n")
            self._fh.flush()
        except OSError as exc:
            self._failed = True
            raise OutputError(f"cannot write {self.path or 'stdout'}: {_reason(exc)} (after {self.lines} lines)") from None
        self.lines += 1

    def close(self) -> None:
        """Flush and close (stdout is only flushed); after a failed write, close quietly."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            if fh is sys.stdout:
                fh.flush()
            else:
                fh.close()
        except OSError as exc:
            if not self._failed:
                raise OutputError(f"cannot write {self.path or 'stdout'}: {_reason(exc)}") from None
