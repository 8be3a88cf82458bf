"""The layers of an image, oldest first, as ``docker image history`` and ``inspect`` see them.

Which history rows add a filesystem layer is decided exactly, in two ways:

1. By counting (cheap, usually enough). Every row whose ``Id`` is not
   ``<missing>`` names a local image, and the engine gives it the history
   rows up to that one; its ``RootFS.Layers`` length is the number of layers
   up to that row. Between two such rows the number of layers is known, and
   rows with bytes always have one while metadata instructions never do. A
   locally built classic image names an image on every row, so it is exact.
2. From the image config (when counting leaves a choice, e.g. a ``<missing>``
   0-byte ``RUN`` next to a 0-byte ``WORKDIR``): see
   :mod:`tutor.engine.image_config`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from tutor.engine import docker_errors
from tutor.engine.background import Background
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import ImageNotFound
from tutor.engine.history_rows import (
    BUILDKIT_MARK,
    RowFacts,
    align_filesystem,
    chain_ids,
    guess_filesystem,
    instruction_of,
)
from tutor.engine.missing_rows import ITS_BASE_IMAGE, THIS_IMAGE, Anchor, MissingReason, why_missing
from tutor.engine.profile import profile
from tutor.sentence import Sentence

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
        missing_reason: Why the row has no image id (only for ``<missing>`` rows),
            one English sentence.
        tags: Tags of the image this row made.
        comment: The row's comment (``docker import`` and ``commit`` leave one).
        missing_why: The same reason as data, so a panel can say it in the
            learner's language (``None`` when not known, e.g. a recorded row).
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
    missing_why: MissingReason | None = None


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
    engine_facts = Background(engine.facts)  # /info answers while we read the image
    info = _inspect(engine, image)
    if info is None:
        raise ImageNotFound(
            Sentence("engine.no_image", image=image), Sentence("engine.no_image.check_name")
        )
    image_id = str(info["Id"])
    diff_ids = [str(d) for d in (info.get("RootFS") or {}).get("Layers") or []]
    with engine_errors(engine.host):
        rows: list[dict[str, Any]] = list(reversed(engine.api.history(image_id) or []))
    facts = [RowFacts(int(row.get("Size") or 0), str(row.get("CreatedBy") or "")) for row in rows]
    known = {i: row["Id"] for i, row in enumerate(rows) if row.get("Id") not in (None, _MISSING)}
    infos = _inspect_rows(engine, known, image_id, info)
    counts = {i: len((d.get("RootFS") or {}).get("Layers") or []) for i, d in infos.items() if d}
    flags = align_filesystem(facts, counts, len(diff_ids))
    if flags is None:  # rare: the config's history decides (it reads the image's save)
        from tutor.engine.image_config import saved_filesystem_flags

        flags = saved_filesystem_flags(engine, image_id, diff_ids, len(rows))
    if flags is None:
        flags = guess_filesystem(facts, len(diff_ids))
    containerd = engine_facts.result().containerd_store
    anchor = _anchor(engine, rows, infos, image_id) if len(known) < len(rows) else None
    layer_ids = iter(zip(diff_ids, chain_ids(diff_ids), strict=True))
    out: list[Layer] = []
    for index, (row, fact, is_fs) in enumerate(zip(rows, facts, flags, strict=True)):
        diff_id, chain_id = next(layer_ids, (None, None)) if is_fs else (None, None)
        missing = index not in known
        why = why_missing(fact.created_by, anchor, containerd) if missing and anchor else None
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
                missing_reason=why.text if why else None,
                tags=tuple(t for t in row.get("Tags") or () if t != "<none>:<none>"),
                comment=str(row.get("Comment") or ""),
                missing_why=why,
            )
        )
    return LayerStack(image, image_id, tuple(out), containerd)


#: Threads that inspect a stack's row images at once (docker-py keeps 10 connections).
INSPECTORS = 4


def _inspect_rows(
    engine: Engine, known: dict[int, Any], image_id: str, info: dict[str, Any]
) -> dict[int, dict[str, Any] | None]:
    """``inspect`` of each row's image, a few at a time: a round trip each, all waiting."""
    others = [(i, str(rid)) for i, rid in known.items() if rid != image_id]
    groups = [others[n::INSPECTORS] for n in range(INSPECTORS)]

    def inspect_all(group: list[tuple[int, str]]) -> list[tuple[int, dict[str, Any] | None]]:
        return [(i, _inspect(engine, rid)) for i, rid in group]

    asks = [Background(functools.partial(inspect_all, group)) for group in groups if group]
    found: dict[int, dict[str, Any] | None] = {
        i: info for i, rid in known.items() if rid == image_id
    }
    for ask in asks:
        found.update(ask.result())
    return dict(sorted(found.items()))


def _inspect(engine: Engine, image: str) -> dict[str, Any] | None:
    try:
        with engine_errors(engine.host):
            return dict(engine.api.inspect_image(image))
    except docker_errors.NotFound:
        return None


def _anchor(
    engine: Engine, rows: list[dict[str, Any]], infos: dict[int, Any], image_id: str
) -> Anchor:
    """Facts about the oldest row that names an image: where the id walk stopped."""
    oldest = min((i for i, d in infos.items() if d), default=len(rows) - 1)
    info = infos.get(oldest) or {}
    parent = str(info.get("Parent") or "")
    tags = [t for t in info.get("RepoTags") or [] if t != "<none>:<none>"]
    name = THIS_IMAGE if info.get("Id") == image_id else (tags[0] if tags else ITS_BASE_IMAGE)
    return Anchor(
        name=name,
        parent_id=parent,
        parent_exists=bool(parent) and _inspect(engine, parent) is not None,
        pulled=bool(info.get("RepoDigests")) and profile(engine).repo_digests_mean_pulled,
        buildkit=any(BUILDKIT_MARK in str(r.get("CreatedBy") or "") for r in rows[: oldest + 1]),
    )
