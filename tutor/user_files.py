"""Reading and writing a file the learner's machine keeps for the tutor, whatever it holds.

The progress file, the journal and the settings file live in the learner's
data folder, where a crash mid-write, a disk hiccup, a sync tool or a curious
learner can leave anything in their place: random bytes, text that is not
UTF-8, a 100 MB file, an empty one, a folder, a file without read permission,
a named pipe, a symlink loop. None of that may stop the tutor. Every reader
goes through :func:`read_text`, which never raises for the file's content or
kind, and a reader that cannot use what it got hands the file to
:func:`set_aside`, which keeps it as ``<name>.corrupt-<time>`` for a teacher to
look at, so a fresh file can take its place and nothing is deleted.

Reasons are short codes (:data:`REASONS`), not sentences, so the app can say
them in the learner's language. Nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: Largest user file read (bytes). The tutor's own files stay under a few
#: hundred KB; anything larger is not one of them, and reading 100 MB into
#: memory to find that out would stall the start.
MAX_BYTES = 4 * 1024 * 1024

#: Why a file could not be used; the app words each one per language.
REASONS = (
    "not-a-file",  # a folder, a pipe or a device where the file should be
    "unreadable",  # no read permission, or an I/O error
    "symlink-loop",  # a symbolic link that leads back to itself
    "too-large",  # more than MAX_BYTES
    "not-text",  # not UTF-8 (random bytes, another encoding)
    "wrong-content",  # text, but not what the file must hold (the reader says why)
)


@dataclass(frozen=True)
class Damage:
    """A user file that could not be used, and where it was kept.

    Attributes:
        path: The file as the tutor looks for it.
        reason: One of :data:`REASONS`.
        detail: What exactly was wrong, in English (a line number, an error).
        backup: Where the file was set aside, or None when it could not be
            moved (it is left where it is; the tutor goes on without it).
    """

    path: Path
    reason: str
    detail: str = ""
    backup: Path | None = None


@dataclass(frozen=True)
class ReadResult:
    """What :func:`read_text` found.

    Attributes:
        text: The file's text, or None when it is missing or cannot be used.
        reason: None when the text is there or the file is simply missing;
            otherwise one of :data:`REASONS`.
        detail: The error behind ``reason``, in English.
    """

    text: str | None
    reason: str | None = None
    detail: str = ""

    @property
    def missing(self) -> bool:
        """No file there at all (a first start): not damage."""
        return self.text is None and self.reason is None


def read_text(path: Path, *, limit: int = MAX_BYTES) -> ReadResult:
    """Read a small UTF-8 user file without ever raising for what is in its place.

    The file is opened without following it into a pipe or a device (a FIFO
    would block the start forever), checked to be a regular file, and read up
    to ``limit`` bytes.

    Args:
        path: The file.
        limit: The most bytes a usable file may have.

    Returns:
        The text; or no text and no reason when nothing is there; or no text
        and the reason (see :data:`REASONS`).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return ReadResult(None)  # a dangling symlink reads as missing too
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ReadResult(None, "symlink-loop", str(exc))
        if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.ENXIO):
            return ReadResult(None, "not-a-file", str(exc))
        return ReadResult(None, "unreadable", str(exc))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ReadResult(None, "not-a-file", f"{stat.filemode(info.st_mode)} in its place")
        if info.st_size > limit:
            return ReadResult(None, "too-large", f"{info.st_size} bytes")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return ReadResult(None, "unreadable", str(exc))
    finally:
        os.close(fd)
    if size > limit:  # it grew while being read
        return ReadResult(None, "too-large", f"more than {limit} bytes")
    data = b"".join(chunks)
    try:
        return ReadResult(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return ReadResult(None, "not-text", f"byte 0x{data[exc.start]:02x} at {exc.start}")


def set_aside(path: Path, reason: str, detail: str = "") -> Damage:
    """Keep a damaged file as ``<name>.corrupt-<time>`` so a fresh one can be written.

    The file (or folder, or link) is renamed in its own folder, never copied
    or deleted. When it cannot be moved, it stays where it is.

    Args:
        path: The damaged file.
        reason: One of :data:`REASONS`.
        detail: What was wrong, for the record.

    Returns:
        The damage, with the backup's path when the move worked.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while os.path.lexists(backup):
        n += 1
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(path, backup)
    except OSError:
        return Damage(path, reason, detail, None)
    return Damage(path, reason, detail, backup)


def _read_umask() -> int:
    # Read once at import: os.umask() can only be read by setting it, which is
    # not safe once worker threads create files.
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _read_umask()


def write_atomic(path: Path, data: str | bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one.

    The one way the tutor writes the learner's files (progress, journal,
    settings, lesson files): a temporary file in the same folder, flushed to
    disk, renamed over the old one, then the rename itself flushed. On a full
    disk the temporary file is removed and the old file stays whole.

    Args:
        path: The file to write; its folder is created when missing.
        data: The whole new content (text is written as UTF-8, newlines as given).
        mode: Permission bits for the file (default: what the umask gives a
            new file, so the learner's editor treats it like any other).

    Raises:
        OSError: the folder cannot be written; the previous file is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None:
        mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk where the platform allows it (POSIX)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
