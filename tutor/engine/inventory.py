"""What is on the engine, read without changing it, as the tutor's own types.

``docker image inspect``, ``docker image ls``, ``docker ps``, ``docker image
history``, and the networks and volumes carrying given labels. The course's
checks and listings read the engine only through these (and the other engine
modules), so that nothing outside ``tutor.engine`` knows docker-py's answers
or its exceptions: a refusal comes out as :class:`EngineRejected`, a missing
image as ``None`` or :class:`ImageNotFound`, a lost engine as the
connection's typed errors.

Fields are read defensively, as everywhere in the engine layer: they come and
go between Engine versions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import docker.errors

from tutor.engine.connection import Engine, engine_errors, engine_refusals
from tutor.engine.errors import ImageNotFound
from tutor.sentence import Sentence


@dataclass(frozen=True)
class ImageFacts:
    """What ``docker image inspect`` says about one image.

    Attributes:
        id: The image id (``sha256:...``).
        created: The engine's timestamp, e.g. ``2026-11-28T04:38:07.41775541Z``.
        labels: The image's labels (empty when it has none).
        layers: Its filesystem layers, oldest first, by content id (diff id).
    """

    id: str
    created: str
    labels: dict[str, str]
    layers: tuple[str, ...]


@dataclass(frozen=True)
class ImageRow:
    """One image of ``docker image ls``.

    Attributes:
        id: The image id.
        tags: Its ``repository:tag`` names (none for a dangling image).
        created: When it was made, in epoch seconds.
        size: Its size in bytes, base layers included.
        labels: Its labels.
    """

    id: str
    tags: tuple[str, ...]
    created: int
    size: int
    labels: dict[str, str]


@dataclass(frozen=True)
class PortRow:
    """One port of a ``docker ps`` row, published or only exposed.

    Attributes:
        private_port: The port inside the container.
        protocol: ``tcp`` or ``udp``.
        host_ip: The host address it is published on ("" when not published).
        public_port: The host port, or None when it is not published.
    """

    private_port: int
    protocol: str
    host_ip: str
    public_port: int | None


@dataclass(frozen=True)
class ContainerRow:
    """One container of ``docker ps``.

    Attributes:
        id: The container id.
        names: Its names, without the leading ``/``.
        image: The image as it was named when the container was made.
        image_id: The id of that image.
        command: The command it runs.
        created: When it was made, in epoch seconds.
        status: The engine's words, e.g. ``Up 3 minutes``.
        ports: Its ports.
        labels: Its labels.
    """

    id: str
    names: tuple[str, ...]
    image: str
    image_id: str
    command: str
    created: int
    status: str
    ports: tuple[PortRow, ...]
    labels: dict[str, str]


@dataclass(frozen=True)
class HistoryRow:
    """One row of ``docker image history``, newest first as the engine gives them.

    Attributes:
        id: The step image that backs the row, or ``<missing>`` when none does.
        created: When the step ran, in whole epoch seconds.
        created_by: The command that made it.
        size: Bytes the step added.
        comment: The row's comment (``buildkit.dockerfile.v0``...).
    """

    id: str
    created: int
    created_by: str
    size: int
    comment: str


def inspect_image(engine: Engine, image: str) -> ImageFacts | None:
    """The engine's description of ``image``, or None when there is no such image.

    Args:
        engine: The engine to ask.
        image: An image reference or id.

    Returns:
        The image's facts, or None.

    Raises:
        EngineRejected: the engine refused to answer (a malformed reference...).
        EngineError: the engine cannot be asked.
    """
    with engine_errors(engine.host), engine_refusals():
        try:
            info: dict[str, Any] = engine.api.inspect_image(image)
        except docker.errors.ImageNotFound:
            return None
    config = info.get("Config") or {}
    return ImageFacts(
        id=str(info["Id"]),
        created=str(info.get("Created") or ""),
        labels=dict(config.get("Labels") or {}),
        layers=tuple(str(d) for d in (info.get("RootFS") or {}).get("Layers") or []),
    )


def list_images(
    engine: Engine, *, repository: str | None = None, labels: Sequence[str] = ()
) -> list[ImageRow]:
    """``docker image ls``, in the engine's order.

    Args:
        engine: The engine to ask.
        repository: Only the images of this repository.
        labels: Only images with every one of these ``key=value`` labels.

    Returns:
        One row per image.

    Raises:
        EngineRejected: the engine refused (say, a repository name it cannot parse).
        EngineError: the engine cannot be asked.
    """
    filters = {"label": list(labels)} if labels else None
    with engine_errors(engine.host), engine_refusals():
        rows = engine.api.images(name=repository, filters=filters)
    return [
        ImageRow(
            id=str(row["Id"]),
            tags=tuple(str(t) for t in row.get("RepoTags") or ()),
            created=int(row.get("Created") or 0),
            size=int(row.get("Size") or 0),
            labels=dict(row.get("Labels") or {}),
        )
        for row in rows
    ]


def list_containers(
    engine: Engine,
    *,
    include_stopped: bool = False,
    status: str | None = None,
    name: str | None = None,
    ancestor: str | None = None,
    labels: Sequence[str] = (),
) -> list[ContainerRow]:
    """``docker ps``, in the engine's order.

    Args:
        engine: The engine to ask.
        include_stopped: Stopped containers too (``docker ps --all``).
        status: Only containers in this state (``running``, ``exited``...).
        name: Only containers whose name contains this.
        ancestor: Only containers made from this image (or one built on it).
        labels: Only containers with every one of these ``key=value`` labels.

    Returns:
        One row per container.

    Raises:
        EngineRejected: the engine refused (newer engines refuse an ``ancestor``
            naming an absent image).
        EngineError: the engine cannot be asked.
    """
    filters: dict[str, Any] = {}
    for key, value in (("status", status), ("name", name), ("ancestor", ancestor)):
        if value is not None:
            filters[key] = value
    if labels:
        filters["label"] = list(labels)
    with engine_errors(engine.host), engine_refusals():
        rows = engine.api.containers(all=include_stopped, filters=filters or None)
    return [_container_row(row) for row in rows]


def _container_row(row: Mapping[str, Any]) -> ContainerRow:
    ports = tuple(
        PortRow(
            private_port=int(p["PrivatePort"]),
            protocol=str(p.get("Type", "tcp")),
            host_ip=str(p.get("IP", "")),
            public_port=int(p["PublicPort"]) if p.get("PublicPort") else None,
        )
        for p in row.get("Ports") or []
    )
    return ContainerRow(
        id=str(row["Id"]),
        names=tuple(str(n).lstrip("/") for n in row.get("Names") or []),
        image=str(row.get("Image")),
        image_id=str(row.get("ImageID") or ""),
        command=str(row.get("Command") or ""),
        created=int(row.get("Created") or 0),
        status=str(row.get("Status")),
        ports=ports,
        labels=dict(row.get("Labels") or {}),
    )


def image_history(engine: Engine, image: str) -> list[HistoryRow]:
    """``docker image history``: the steps that made ``image``, newest first.

    Args:
        engine: The engine to ask.
        image: An image reference or id.

    Returns:
        One row per step.

    Raises:
        ImageNotFound: there is no such image.
        EngineRejected: the engine refused.
        EngineError: the engine cannot be asked.
    """
    with engine_errors(engine.host), engine_refusals():
        try:
            rows = engine.api.history(image) or []
        except docker.errors.ImageNotFound as exc:
            raise ImageNotFound(
                Sentence("engine.no_image", image=image), Sentence("engine.build_first")
            ) from exc
    return [
        HistoryRow(
            id=str(row.get("Id") or "<missing>"),
            created=int(row.get("Created") or 0),
            created_by=str(row.get("CreatedBy") or ""),
            size=int(row.get("Size") or 0),
            comment=str(row.get("Comment") or ""),
        )
        for row in rows
    ]


def network_names(engine: Engine, labels: Sequence[str]) -> list[str]:
    """The names of the networks with every one of these ``key=value`` labels.

    Raises:
        EngineRejected: the engine refused.
        EngineError: the engine cannot be asked.
    """
    return _names(engine, "networks", labels)


def volume_names(engine: Engine, labels: Sequence[str]) -> list[str]:
    """The names of the volumes with every one of these ``key=value`` labels.

    Raises:
        EngineRejected: the engine refused.
        EngineError: the engine cannot be asked.
    """
    return _names(engine, "volumes", labels)


def _names(engine: Engine, kind: str, labels: Sequence[str]) -> list[str]:
    with engine_errors(engine.host), engine_refusals():
        if kind == "networks":
            rows = engine.api.networks(filters={"label": list(labels)})
        else:  # the volumes answer wraps its list
            rows = (engine.api.volumes(filters={"label": list(labels)}) or {}).get("Volumes")
    return [str(row["Name"]) for row in rows or []]
