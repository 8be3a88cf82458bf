"""What the journal keeps, and how it reaches the disk without ever being half-written.

A :class:`BuildRecord` says what one build in the tutor did step by step (the
engine forgets which steps came from the cache); a :class:`PushRecord` says
how many layers one push sent and how many the registry already had. Builds
are remembered per tag under :func:`reference_key`. Every file the tutor
writes for the learner (the journal, the lesson files) goes through
:func:`write_atomic`, so a crash leaves the old file or the new one, never a
mix of both.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _read_umask() -> int:
    # Read once at import: os.umask() can only be read by setting it, which is
    # not safe once worker threads create files.
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _read_umask()


@dataclass
class BuildRecord:
    """What one build in the tutor did, step by step.

    Attributes:
        image_id: The image the build produced.
        lesson: The lesson that ran it.
        started: When it started (epoch seconds).
        finished: When it finished (epoch seconds).
        steps: ``{"number", "instruction", "cached"}`` per Dockerfile step.
    """

    image_id: str
    lesson: str = ""
    started: float = 0.0
    finished: float = 0.0
    steps: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PushRecord:
    """What one push sent to a registry.

    Attributes:
        reference: ``repository:tag`` as pushed.
        digest: The manifest digest the registry answered.
        pushed: Layers uploaded.
        existing: Layers the registry already had.
        mounted: Layers mounted from another repository of that registry.
        finished: When it finished (epoch seconds).
    """

    reference: str
    digest: str = ""
    pushed: int = 0
    existing: int = 0
    mounted: int = 0
    finished: float = 0.0


def write_atomic(path: Path, data: str | bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one.

    Args:
        path: The file to write; its folder is created when missing.
        data: The whole new content (text is written as UTF-8).
        mode: Permission bits for the file (default: what the umask gives a
            new file, so the learner's editor treats it like any other).

    Raises:
        OSError: the folder cannot be written.
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


def reference_key(reference: str) -> str:
    """``reference`` with its tag spelled out (``app`` -> ``app:latest``), the journal's key."""
    slash, colon = reference.rfind("/"), reference.rfind(":")
    return reference if colon > slash else f"{reference}:latest"
