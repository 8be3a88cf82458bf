"""The layers of an image, oldest first, as ``docker image history`` and ``inspect`` see them.

Which history rows add a filesystem layer is decided exactly, in two ways:

1. By counting (cheap, usually enough). Every row whose ``Id`` is not
   ``<missing>`` names a local image, and the engine gives it the history
   rows up to that one; its ``RootFS.Layers`` length is the number of layers
   up to that row. Between two such rows the number of layers is known, and
   rows with bytes always have one while metadata instructions never do. A
   locally built classic image names an image on every row, so it is exact.
2. From the image config (when counting leaves a choice, e.g. a ``<missing>``
   0-byte ``RUN`` next to a 0-byte ``WORKDIR``). Only the config's
   ``history[].empty_layer`` flags say it, and the API does not serve the
   config (``inspect`` has no history), so the image is saved and the tar is
   read as a stream until a JSON file whose ``rootfs.diff_ids`` are this
   image's layers shows up. Matching by content works for the legacy
   ``<id>.json`` layout and the OCI ``blobs/sha256/...`` layout alike, and the
   stream is closed as soon as the config is read (layer bytes before it are
   skipped, never held in memory).
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import docker.errors

from tutor.engine.build import catch_response
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import ImageNotFound
from tutor.engine.history_rows import (
    Anchor,
    RowFacts,
    align_filesystem,
    chain_ids,
    guess_filesystem,
    instruction_of,
    missing_reason,
)

#: A config JSON is small; bigger tar members are layers and are skipped.
_CONFIG_MAX = 8 * 1024 * 1024
_MISSING = "<missing>"


@dataclass(frozen=True)
class Layer:
    """One row of the image's history, i.e. one instruction that made the image.

    Attributes:
        index: 0 for the oldest row.
        image_id: The image this row made, ``None`` where history says ``<missing>``.
        created_by: The raw ``CreatedBy``.
        instruction: Its readable form, e.g. ``RUN pip install flask``.
        size: Bytes of its layer (0 for metadata rows and for empty folders).
        created: When it was made (epoch seconds).
        is_filesystem: It adds a filesystem layer (a 0-byte ``WORKDIR`` does).
        diff_id: The layer's content digest (``RootFS.Layers``), for filesystem rows.
        chain_id: The digest of the layer stack up to here, for filesystem rows.
        missing_reason: Why the row has no image id (only for ``<missing>`` rows).
        tags: Tags of the image this row made.
        comment: The row's comment (``docker import`` and ``commit`` leave one).
    """

    index: int
    image_id: str | None
    created_by: str
    instruction: str
    size: int
    created: float
    is_filesystem: bool
    diff_id: str | None
    chain_id: str | None
    missing_reason: str | None
    tags: tuple[str, ...]
    comment: str


@dataclass(frozen=True)
class LayerStack:
    """An image as a stack of layers, oldest first.

    Attributes:
        image: The name asked for.
        image_id: The image's id.
        layers: One :class:`Layer` per history row, oldest first.
        containerd_store: The engine keeps images in containerd's store
            (then most rows are ``<missing>`` and ids are manifest digests).
    """

    image: str
    image_id: str
    layers: tuple[Layer, ...]
    containerd_store: bool

    @property
    def filesystem_layers(self) -> tuple[Layer, ...]:
        """The rows that add a filesystem layer (``RootFS.Layers``, in order)."""
        return tuple(layer for layer in self.layers if layer.is_filesystem)

    @property
    def total_size(self) -> int:
        """Bytes of all layers together (what ``docker image ls`` calls SIZE)."""
        return sum(layer.size for layer in self.layers)


def layers(engine: Engine, image: str) -> LayerStack:
    """Read an image's layers, aligned exactly with ``RootFS.Layers``.

    Args:
        engine: The engine.
        image: A name, tag or id.

    Returns:
        The image's :class:`LayerStack`.

    Raises:
        ImageNotFound: there is no such image on this engine.
        EngineError: the engine went away.
    """
    info = _inspect(engine, image)
    if info is None:
        raise ImageNotFound(
            f"There is no image {image!r} on this engine.", "Build it first, or check the name."
        )
    image_id = str(info["Id"])
    diff_ids = [str(d) for d in (info.get("RootFS") or {}).get("Layers") or []]
    with engine_errors(engine.host):
        rows: list[dict[str, Any]] = list(reversed(engine.api.history(image_id) or []))
    facts = [RowFacts(int(row.get("Size") or 0), str(row.get("CreatedBy") or "")) for row in rows]
    known = {i: row["Id"] for i, row in enumerate(rows) if row.get("Id") not in (None, _MISSING)}
    infos = {i: info if rid == image_id else _inspect(engine, rid) for i, rid in known.items()}
    counts = {i: len((d.get("RootFS") or {}).get("Layers") or []) for i, d in infos.items() if d}
    flags = align_filesystem(facts, counts, len(diff_ids))
    if flags is None:
        flags = saved_filesystem_flags(engine, image_id, diff_ids, len(rows))
    if flags is None:
        flags = guess_filesystem(facts, len(diff_ids))
    containerd = engine.facts().containerd_store
    anchor = _anchor(engine, rows, infos, image_id) if len(known) < len(rows) else None
    layer_ids = iter(zip(diff_ids, chain_ids(diff_ids), strict=True))
    out: list[Layer] = []
    for index, (row, fact, is_fs) in enumerate(zip(rows, facts, flags, strict=True)):
        diff_id, chain_id = next(layer_ids, (None, None)) if is_fs else (None, None)
        missing = index not in known
        out.append(
            Layer(
                index=index,
                image_id=None if missing else str(row["Id"]),
                created_by=fact.created_by,
                instruction=instruction_of(fact.created_by, str(row.get("Comment") or "")),
                size=fact.size,
                created=float(row.get("Created") or 0),
                is_filesystem=is_fs,
                diff_id=diff_id,
                chain_id=chain_id,
                missing_reason=(
                    missing_reason(fact.created_by, anchor, containerd)
                    if missing and anchor
                    else None
                ),
                tags=tuple(t for t in row.get("Tags") or () if t != "<none>:<none>"),
                comment=str(row.get("Comment") or ""),
            )
        )
    return LayerStack(image, image_id, tuple(out), containerd)


def _inspect(engine: Engine, image: str) -> dict[str, Any] | None:
    try:
        with engine_errors(engine.host):
            return dict(engine.api.inspect_image(image))
    except docker.errors.NotFound:
        return None


def _anchor(
    engine: Engine, rows: list[dict[str, Any]], infos: dict[int, Any], image_id: str
) -> Anchor:
    """Facts about the oldest row that names an image: where the id walk stopped."""
    oldest = min((i for i, d in infos.items() if d), default=len(rows) - 1)
    info = infos.get(oldest) or {}
    parent = str(info.get("Parent") or "")
    tags = [t for t in info.get("RepoTags") or [] if t != "<none>:<none>"]
    name = "this image" if info.get("Id") == image_id else (tags[0] if tags else "its base image")
    return Anchor(
        name=name,
        parent_id=parent,
        parent_exists=bool(parent) and _inspect(engine, parent) is not None,
        pulled=bool(info.get("RepoDigests")),
        buildkit=any("# buildkit" in str(r.get("CreatedBy") or "") for r in rows[: oldest + 1]),
    )


def saved_filesystem_flags(
    engine: Engine, image_id: str, diff_ids: list[str], row_count: int
) -> tuple[bool, ...] | None:
    """Read ``not empty_layer`` per history entry from the image config in ``docker save``.

    Args:
        engine: The engine.
        image_id: The image.
        diff_ids: Its ``RootFS.Layers`` (identifies the config among the tar's files).
        row_count: Its number of history rows (the answer must have as many).

    Returns:
        One flag per history row, oldest first, or ``None`` if no fitting
        config was found.
    """
    with engine_errors(engine.host), catch_response(engine.api, "/get") as caught:
        try:
            chunks = engine.api.get_image(image_id, chunk_size=1024 * 1024)
            return config_flags(io.BufferedReader(_ChunkReader(chunks)), diff_ids, row_count)
        except docker.errors.APIError:
            return None
        finally:
            for response in caught:
                with contextlib.suppress(Exception):
                    response.close()  # stop the engine writing the rest of the tar


def config_flags(
    tar_stream: IO[bytes], diff_ids: list[str], row_count: int
) -> tuple[bool, ...] | None:
    """Find an image's config in a ``docker save`` tar stream and read its layer flags.

    The tar is read strictly in order and reading stops at the config, which
    is recognised by content (``rootfs.diff_ids`` equal to the image's), so
    the legacy (``<id>.json``) and OCI (``blobs/sha256/<digest>``) layouts
    both work.

    Args:
        tar_stream: The tar, readable front to back.
        diff_ids: The image's ``RootFS.Layers``.
        row_count: Its number of history rows.

    Returns:
        ``not empty_layer`` per history entry (oldest first), or ``None`` when
        no config fits.
    """
    try:
        with tarfile.open(fileobj=tar_stream, mode="r|") as tar:
            for member in tar:
                config = _config_in(tar, member)
                if config is None or config["rootfs"].get("diff_ids") != diff_ids:
                    continue
                flags = tuple(not h.get("empty_layer", False) for h in config["history"])
                ok = len(flags) == row_count and sum(flags) == len(diff_ids)
                return flags if ok else None
    except tarfile.TarError:
        return None
    return None


def _config_in(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict[str, Any] | None:
    """The member's JSON when it looks like an image config, else ``None``."""
    if not member.isfile() or member.size > _CONFIG_MAX:
        return None
    name = member.name.rsplit("/", 1)[-1]
    if not (name.endswith(".json") or member.name.startswith("blobs/")):
        return None
    handle = tar.extractfile(member)
    if handle is None or handle.read(1) != b"{":
        return None
    try:
        data = json.loads(b"{" + handle.read())
    except ValueError:
        return None
    ok = isinstance(data, dict) and isinstance(data.get("history"), list)
    return data if ok and isinstance(data.get("rootfs"), dict) else None


class _ChunkReader(io.RawIOBase):
    """A read-only raw file over an iterator of byte chunks, for ``tarfile`` stream mode."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._chunk = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._pos >= len(self._chunk):
            self._chunk, self._pos = next(self._chunks, b""), 0
            if not self._chunk:
                return 0
        size = min(len(buffer), len(self._chunk) - self._pos)
        buffer[:size] = self._chunk[self._pos : self._pos + size]
        self._pos += size
        return size
