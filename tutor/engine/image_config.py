"""Reading an image's own config, whose ``history[].empty_layer`` says which rows have layers.

The API does not serve the config (``inspect`` has no history), so the image
is saved and the tar is read as a stream until a JSON file whose
``rootfs.diff_ids`` are this image's layers shows up. Matching by content
works for the legacy ``<id>.json`` layout and the OCI ``blobs/sha256/...``
layout alike, and the stream is closed as soon as the config is read (layer
bytes before it are skipped, never held in memory). It costs about a second
per 200 MB of layers before the config, so it is the fallback, not the rule.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from typing import IO, Any

import docker.errors

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.streams import ChunkReader, catch_response

#: A config JSON is small; bigger tar members are layers and are skipped.
_CONFIG_MAX = 8 * 1024 * 1024


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
            return config_flags(io.BufferedReader(ChunkReader(chunks)), diff_ids, row_count)
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
