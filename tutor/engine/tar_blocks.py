"""A tar reader that reads only the 512-byte headers and steps over file bodies.

Indexing an image's layers needs the member names of every layer tar in a
``docker save`` stream, never a file's content. ``tarfile`` in stream mode
copies every body through Python buffers to skip it (most of the time the
tutor spent on a 190 MB image); here a body is skipped by moving an offset
over the chunks docker-py already received, and only headers are sliced out.
A layer tar nested in the save archive is read in place, inside its outer
member's bounds. Everything here is pure: it reads bytes, never Docker.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import NamedTuple

BLOCK = 512
_ZERO = bytes(BLOCK)
_USTAR = b"ustar\x00"
#: Types whose header is followed by a body to step over (as ``tarfile`` does:
#: regular files, and any type it does not know).
_NO_BODY = frozenset(b"123456")
_LONG_NAME, _LONG_LINK, _PAX, _PAX_GLOBAL, _SOLARIS_PAX, _SPARSE = b"LKxgXS"
_FOLDER = ord("5")
#: Longest GNU long name or pax header body we accept: beyond it, not a layer.
_MAX_META = 1 << 20


class NotATar(ValueError):
    """The bytes are not a tar archive (a bad header, or cut short)."""


class Blocks:
    """Reads a stream of byte chunks by offset: headers sliced out, bodies skipped.

    Args:
        chunks: The stream's pieces, of any sizes (docker-py's HTTP chunks).

    Attributes:
        offset: Bytes consumed so far.
    """

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = b""
        self._pos = 0
        self.offset = 0

    def _gather(self, size: int) -> None:
        """Make ``size`` bytes (or all that are left) contiguous in the buffer."""
        parts = [self._buf[self._pos :]]
        have = len(parts[0])
        while have < size:
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        self._buf, self._pos = b"".join(parts), 0

    def peek(self, size: int) -> bytes:
        """Up to ``size`` next bytes, without consuming them (fewer at the end)."""
        if self._pos + size > len(self._buf):
            self._gather(size)
        return self._buf[self._pos : self._pos + size]

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer only at the end of the stream)."""
        end = self._pos + size
        if end > len(self._buf):
            self._gather(size)
            end = min(size, len(self._buf))
        out = self._buf[self._pos : end]
        self.offset += end - self._pos
        self._pos = end
        return out

    def skip(self, size: int) -> None:
        """Step over ``size`` bytes without copying them.

        Raises:
            NotATar: The stream ended first.
        """
        left = len(self._buf) - self._pos
        while size > left:
            size -= left
            self.offset += left
            self._buf, self._pos = next(self._chunks, b""), 0
            left = len(self._buf)
            if not left:
                raise NotATar("the stream ended inside a member")
        self._pos += size
        self.offset += size

    def region(self, size: int) -> Iterator[memoryview]:
        """The next ``size`` bytes as views of the chunks, consumed as they are yielded."""
        while size > 0:
            if self._pos >= len(self._buf):
                self._buf, self._pos = next(self._chunks, b""), 0
                if not self._buf:
                    return
            piece = memoryview(self._buf)[self._pos : self._pos + size]
            self._pos += len(piece)
            self.offset += len(piece)
            size -= len(piece)
            yield piece


def padded(size: int) -> int:
    """``size`` rounded up to whole blocks: the room a body takes in a tar."""
    return -(-size // BLOCK) * BLOCK


def _number(field: bytes) -> int:
    """A numeric header field: octal text, or GNU base-256 for large values."""
    if field[:1] in (b"\x80", b"\xff"):
        value = int.from_bytes(field[1:], "big")
        return value - 256 ** (len(field) - 1) if field[0] == 0xFF else value
    try:  # octal text ended by NULs or spaces, as Go and GNU tar write it
        return int(field.rstrip(b"\0 ") or b"0", 8)
    except ValueError:
        pass
    try:
        return int(field.split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        raise NotATar(f"bad number field {field!r}") from None


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def is_tar_header(block: bytes) -> bool:
    """Whether ``block`` is a tar header with a right checksum (or the end-of-archive block)."""
    if len(block) < BLOCK:
        return False
    if block == _ZERO:
        return True
    try:
        stored = _number(block[148:156])
    except NotATar:
        return False
    unsigned = 256 + sum(block[:148]) + sum(block[156:])
    signed = 256 + sum(struct.unpack_from("148b8x356b", block))
    return stored in (unsigned, signed)


def _pax_records(body: bytes) -> dict[bytes, bytes]:
    """A pax extended header's ``length key=value\\n`` records."""
    records: dict[bytes, bytes] = {}
    pos = 0
    while pos < len(body):
        space = body.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(body[pos:space])
        except ValueError:
            raise NotATar("bad pax record") from None
        if length <= 0:
            break
        key, _, value = body[space + 1 : pos + length - 1].partition(b"=")
        records[key] = value
        pos += length
    return records


class Member(NamedTuple):
    """One tar member's header: what a layer index needs of it."""

    name: str
    kind: int  # the type byte: ord("0") a file, ord("2") a symlink, ord("5") a folder...
    size: int  # bytes of body that follow (0 for types without one)
    linkname: str


def members(blocks: Blocks, end: float = float("inf")) -> Iterator[Member]:
    """Each member of the tar that starts at ``blocks.offset``, as it is read.

    GNU long names and pax ``path``/``linkpath``/``size`` records are applied,
    as ``tarfile`` does. The caller consumes each member's body (``padded(size)``
    bytes) before asking for the next. Reading stops at the end-of-archive
    block, at the end of the stream or at ``end`` (the enclosing member's bounds).

    Args:
        blocks: The stream, at the tar's first header.
        end: Offset the tar must not read past.

    Raises:
        NotATar: A header is damaged or cut short.
    """
    long_name: str | None = None
    long_link: str | None = None
    pax: dict[bytes, bytes] = {}
    checked = False
    while blocks.offset + BLOCK <= end:
        header = blocks.read(BLOCK)
        if len(header) < BLOCK:
            raise NotATar("the stream ended inside a header")
        if header == _ZERO:
            return
        if not checked:  # the first header says whether this is a tar at all
            if not is_tar_header(header):
                raise NotATar("not a tar header")
            checked = True
        kind = header[156]
        size = _number(header[124:136])
        if kind in (_LONG_NAME, _LONG_LINK, _PAX, _SOLARIS_PAX, _PAX_GLOBAL):
            if not 0 <= size <= _MAX_META:
                raise NotATar("oversized metadata member")
            body = blocks.read(size)
            blocks.skip(padded(size) - size)
            if kind == _LONG_NAME:
                long_name = _text(body)
            elif kind == _LONG_LINK:
                long_link = _text(body)
            elif kind != _PAX_GLOBAL:
                pax.update(_pax_records(body))
            continue
        name = _text(header[:100])
        if header[257:263] == _USTAR and header[345] and kind != _SPARSE:
            name = f"{_text(header[345:500])}/{name}"
        if kind == 0 and name.endswith("/"):
            kind = _FOLDER  # old tars mark a folder as a file ending in "/"
        name = long_name if long_name is not None else name
        link = long_link if long_link is not None else _text(header[157:257])
        if pax:
            name = _text(pax[b"path"]) if b"path" in pax else name
            link = _text(pax[b"linkpath"]) if b"linkpath" in pax else link
            size = int(pax.get(b"size", size))
        if kind == _SPARSE and header[482]:  # GNU sparse map continues in more blocks
            while blocks.read(BLOCK)[504:505] not in (b"\0", b""):
                pass
        yield Member(name, kind, 0 if kind in _NO_BODY else size, link)
        long_name = long_link = None
        pax = {}


def member_names(blocks: Blocks, end: float = float("inf")) -> Iterator[str]:
    """The names of the tar's members (see :func:`members`), bodies skipped unread."""
    for member in members(blocks, end):
        yield member.name
        if member.size:
            blocks.skip(padded(member.size))


def gunzip(pieces: Iterable[memoryview | bytes]) -> Iterator[bytes]:
    """Decompress a gzip stream (one or more members) as it is read.

    Raises:
        NotATar: The data is not gzip.
    """
    inflate = zlib.decompressobj(31)
    try:
        for piece in pieces:
            data = piece
            while data:
                out = inflate.decompress(data)
                if out:
                    yield out
                data = inflate.unused_data
                if data:  # a concatenated gzip member starts here
                    inflate = zlib.decompressobj(31)
        tail = inflate.flush()
    except zlib.error as exc:
        raise NotATar(f"bad gzip data: {exc}") from None
    if tail:
        yield tail
