"""Reading a ``docker save`` stream: which files each layer tar holds.

The engine lists a layer's files only through ``docker save``, so we stream that
archive once and read each layer tar's member headers as it passes by
(:mod:`tutor.engine.tar_blocks`), stepping over file bodies without copying
them and never holding a layer in memory. Which diff-id a layer tar is, the
archive says itself: ``manifest.json`` lists each image's layer files in
order and its config's ``rootfs.diff_ids`` names them, in both the legacy
``<id>/layer.tar`` and the OCI ``blobs/sha256/<digest>`` layouts. Both come
after the layers (the archive is sorted by name), so the lists are named at
the end; an uncompressed OCI blob is named at once by its digest, which is
its diff-id. Nothing is hashed. Everything here is pure: it reads bytes and
never talks to Docker.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import threading
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from tutor.engine.tar_blocks import Blocks, NotATar, gunzip, member_names, members, padded

CHUNK_SIZE = 1 << 20  # ask docker-py for the save stream in pieces up to 1 MiB
_OPAQUE = ".wh..wh..opq"
#: Largest JSON member kept (configs and manifests are a few KiB).
_MAX_JSON = 16 * 1024 * 1024
_GZIP, _ZSTD = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"
_SYMLINK = ord("2")


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
        path = "/" + name.strip("/")
        if "/." in path or "//" in path:  # "./x", "a/../b", dotfiles, whiteouts: the slow way
            path = posixpath.normpath(path)
        parent, _, base = path.rpartition("/")  # parent "" is the root
        if base.startswith(".wh."):
            if base == _OPAQUE:
                opaque.add(parent or "/")
            elif base.startswith(".wh..wh."):
                continue  # aufs bookkeeping (.wh..wh.plnk), not a path
            else:
                whiteouts.add(f"{parent}/{base[4:]}")
        else:
            paths.add(path)
        while parent and parent not in paths:  # a file implies its folders
            paths.add(parent)
            parent = parent.rpartition("/")[0]
    paths.discard("/")
    return LayerFiles(diff_id, frozenset(paths), frozenset(whiteouts), frozenset(opaque))


def cancellable(chunks: Iterable[bytes], cancel: threading.Event | None) -> Iterator[bytes]:
    """The chunks, raising :class:`IndexCancelled` before the next one once ``cancel`` is set.

    The check sits between chunks because the reader runs a loop we cannot
    interrupt otherwise: raising there is how a long index stops promptly.
    """
    for chunk in chunks:
        if cancel is not None and cancel.is_set():
            raise IndexCancelled
        yield chunk
    if cancel is not None and cancel.is_set():
        raise IndexCancelled


def layer_names(blocks: Blocks, size: int) -> tuple[list[str] | None, bool]:
    """The member names of the layer tar (plain or gzip) that is the next ``size`` bytes.

    Returns:
        The names (None when it is no tar we can read: zstd, a JSON blob,
        damage) and whether it was compressed. The stream is past the member
        either way.

    Raises:
        NotATar: The layer ran past its member: the archive itself is damaged.
    """
    start = blocks.offset
    head = blocks.peek(4)
    names: list[str] | None = None
    compressed = head[:2] == _GZIP
    try:
        if compressed:
            names = list(member_names(Blocks(gunzip(blocks.region(size)))))
        elif head[:4] != _ZSTD and head[:1] not in (b"{", b"["):
            names = list(member_names(blocks, start + size))
    except NotATar:
        names = None
    rest = padded(size) - (blocks.offset - start)
    if rest < 0:
        raise NotATar("a layer tar ran past its member")
    blocks.skip(rest)
    return names, compressed


def _member_path(name: str) -> str:
    return posixpath.normpath("/" + name).lstrip("/")


def _config_diff_ids(config: object) -> list[str] | None:
    rootfs = config.get("rootfs") if isinstance(config, dict) else None
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return [str(d) for d in diff_ids] if isinstance(diff_ids, list) else None


class _Archive:
    """What the save archive said so far: layer names by member path, JSON members, links."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.json: dict[str, object] = {}
        self.links: dict[str, str] = {}

    def keep_json(self, blocks: Blocks, path: str, size: int) -> None:
        """Read a small JSON member (a manifest or a config); skip anything else."""
        if size > _MAX_JSON:
            blocks.skip(padded(size))
            return
        data = blocks.read(size)
        blocks.skip(padded(size) - size)
        with contextlib.suppress(ValueError, RecursionError):  # not JSON after all: not needed
            self.json[path] = json.loads(data)

    def resolve(self, path: str) -> str:
        for _ in range(8):  # a layer.tar may be a link to another copy of that layer
            if path not in self.links:
                break
            path = self.links[path]
        return path

    def named_layers(self) -> Iterator[tuple[str, str]]:
        """(diff-id, member path) of every layer ``manifest.json`` and its configs name."""
        manifest = self.json.get("manifest.json")
        for entry in manifest if isinstance(manifest, list) else []:
            if not isinstance(entry, dict):
                continue
            diff_ids = _config_diff_ids(self.json.get(_member_path(str(entry.get("Config")))))
            paths = entry.get("Layers")
            if diff_ids is not None and isinstance(paths, list):
                for diff_id, path in zip(diff_ids, paths, strict=False):
                    yield diff_id, self.resolve(_member_path(str(path)))


def read_saved_image(
    chunks: Iterable[bytes], known: Collection[str] = frozenset()
) -> Iterator[LayerFiles]:
    """Yield the file list of each layer in a ``docker save`` stream.

    Args:
        chunks: The save archive (legacy or OCI layout), as docker-py streams it.
        known: Diff-ids not to read again: an OCI blob named by one is stepped
            over unread (a legacy layer is named only at the end, so it is read).

    Returns:
        An iterator of :class:`LayerFiles`, each diff-id once: uncompressed OCI
        blobs as they pass, the others once ``manifest.json`` has named them.
        A layer the archive does not name, or that cannot be read (zstd), is
        left out.

    Raises:
        NotATar: The stream is not a tar archive, or is cut short.
    """
    blocks = Blocks(chunks)
    archive = _Archive()
    given: set[str] = set()
    for member in members(blocks):
        path = _member_path(member.name)
        size = member.size
        if member.kind == _SYMLINK:
            target = posixpath.join(posixpath.dirname(path), member.linkname)
            archive.links[path] = _member_path(target)
            continue
        if not size:
            continue
        _, blob, digest = path.partition("blobs/sha256/")
        digest = f"sha256:{digest}" if blob and not _ else ""
        if digest and digest in known:
            blocks.skip(padded(size))
        elif path.endswith("layer.tar") or (path.startswith("blobs/") and blocks.peek(1) != b"{"):
            names, compressed = layer_names(blocks, size)
            if names is None:
                continue
            archive.names[path] = names
            if digest and not compressed:  # a plain blob's digest is its diff-id
                given.add(digest)
                yield layer_files(digest, names)
        elif path.endswith(".json") or path.startswith("blobs/"):
            archive.keep_json(blocks, path, size)
        else:
            blocks.skip(padded(size))
    for diff_id, path in archive.named_layers():
        names = archive.names.get(path)
        if names is not None and diff_id not in given:
            given.add(diff_id)
            yield layer_files(diff_id, names)
