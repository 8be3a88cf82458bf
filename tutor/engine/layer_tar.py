"""Reading a ``docker save`` stream: which files each layer tar holds.

The engine lists a layer's files only through ``docker save``, so we stream that
archive once and read each layer tar's member names as it passes by, never
holding a layer in memory. A layer is named by hashing its uncompressed bytes:
that sha256 IS its diff-id, so neither the legacy ``<id>/layer.tar`` nor the OCI
``blobs/sha256/<digest>`` layout needs ``manifest.json`` (which may come after
the layers). Everything here is pure: it reads bytes and never talks to Docker.
"""

from __future__ import annotations

import gzip
import hashlib
import posixpath
import tarfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

CHUNK_SIZE = 1 << 20  # read the save stream in 1 MiB pieces
_OPAQUE = ".wh..wh..opq"


class IndexCancelled(Exception):
    """Indexing stopped because the caller set its ``cancel`` event."""


@dataclass(frozen=True)
class LayerFiles:
    """The file list of one layer tar.

    Attributes:
        diff_id: ``sha256:`` of the uncompressed layer tar.
        paths: Every path the layer holds (``/abs/path``), parents included.
        whiteouts: Paths this layer deletes from the layers below (``.wh.NAME``).
        opaque_dirs: Directories whose lower content this layer hides.
        readable: False for a layer we could not read (then "unknown").
    """

    diff_id: str
    paths: frozenset[str]
    whiteouts: frozenset[str] = frozenset()
    opaque_dirs: frozenset[str] = frozenset()
    readable: bool = True


def layer_files(diff_id: str, names: Iterable[str]) -> LayerFiles:
    """Sort a layer tar's member names into held paths, whiteouts and opaque dirs.

    Args:
        diff_id: The layer's diff-id.
        names: Member names as stored in the tar (``etc/passwd``, ``./usr/``).

    Returns:
        The layer's :class:`LayerFiles`.
    """
    paths: set[str] = set()
    whiteouts: set[str] = set()
    opaque: set[str] = set()
    for name in names:
        path = posixpath.normpath("/" + name.lstrip("/"))
        parent, base = posixpath.split(path)
        if base == _OPAQUE:
            opaque.add(parent)
        elif base.startswith(".wh..wh."):
            continue  # aufs bookkeeping (.wh..wh.plnk), not a path
        elif base.startswith(".wh."):
            whiteouts.add(posixpath.join(parent, base[4:]))
        else:
            paths.add(path)
        while parent != "/" and parent not in paths:  # a file implies its folders
            paths.add(parent)
            parent = posixpath.dirname(parent)
    paths.discard("/")
    return LayerFiles(diff_id, frozenset(paths), frozenset(whiteouts), frozenset(opaque))


class CancellableChunks:
    """A file-like reader over docker-py's chunk generator that honours ``cancel``.

    The cancel check sits in ``read`` because ``tarfile`` reads a save stream in
    a loop we do not own: raising there is how a long index stops promptly.

    Args:
        chunks: The save stream's chunks (``APIClient.get_image``).
        cancel: When set, the next read raises :class:`IndexCancelled`.
    """

    def __init__(self, chunks: Iterator[bytes], cancel: threading.Event | None) -> None:
        self._chunks, self._cancel, self._buf = chunks, cancel, bytearray()

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative); b"" at the end.

        Raises:
            IndexCancelled: ``cancel`` was set.
        """
        if self._cancel is not None and self._cancel.is_set():
            raise IndexCancelled
        while size < 0 or len(self._buf) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buf += chunk
        size = len(self._buf) if size < 0 else size
        out = bytes(self._buf[:size])
        del self._buf[:size]
        return out


class _Hashing:
    """Passes reads through while hashing them: the hash of a layer tar is its diff-id."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha = raw, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        return data

    def diff_id(self) -> str:
        while self.read(CHUNK_SIZE):  # the tar's end padding counts too
            pass
        return "sha256:" + self.sha.hexdigest()


def read_layer_tar(fileobj: IO[bytes]) -> LayerFiles | None:
    """Read one layer tar (plain or gzip) as a stream; None when it is not a tar.

    Args:
        fileobj: The layer's bytes, read sequentially once.

    Returns:
        Its :class:`LayerFiles`, named by the sha256 of the uncompressed tar.
    """
    head = fileobj.peek(2)[:2] if hasattr(fileobj, "peek") else b""
    if head[:1] in (b"{", b"["):
        return None  # a config or manifest blob in the OCI layout
    raw: Any = gzip.GzipFile(fileobj=fileobj) if head == b"\x1f\x8b" else fileobj
    hashing: Any = _Hashing(raw)  # tarfile only calls read()
    names: list[str] = []
    try:
        with tarfile.open(fileobj=hashing, mode="r|", bufsize=CHUNK_SIZE) as tar:
            while (member := tar.next()) is not None:
                names.append(member.name)
                tar.members.clear()  # type: ignore[attr-defined]  # stream mode keeps all
    except (tarfile.ReadError, gzip.BadGzipFile, EOFError):
        return None  # zstd or not a layer: the caller marks it unknown
    return layer_files(hashing.diff_id(), names)


def read_saved_image(stream: IO[bytes] | Any) -> Iterator[LayerFiles]:
    """Yield the file list of each layer in a ``docker save`` stream, in stream order.

    Args:
        stream: The save archive (legacy or OCI layout), read sequentially once.

    Returns:
        An iterator of :class:`LayerFiles`.
    """
    with tarfile.open(fileobj=stream, mode="r|", bufsize=CHUNK_SIZE) as outer:
        while (member := outer.next()) is not None:
            outer.members.clear()  # type: ignore[attr-defined]
            name = member.name.removeprefix("./")
            if member.isfile() and (name.endswith("layer.tar") or name.startswith("blobs/")):
                blob = outer.extractfile(member)
                files = read_layer_tar(blob) if blob is not None else None
                if files is not None:
                    yield files
