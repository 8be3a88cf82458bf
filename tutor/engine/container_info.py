"""Looking at containers without changing them: ``docker ps``, ``inspect``, ``logs``.

Reading works on any container, ours or the learner's own (then its
``lesson`` is None); changing one is :mod:`tutor.engine.containers`, which
refuses containers that are not ours. :func:`fetch_page` opens the page an app
in a container serves, through its published port, as the learner's browser would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import docker.errors

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import ContainerNotFound, EngineError
from tutor.engine.labels import LESSON_LABEL, is_ours, label_filters
from tutor.engine.published import (
    PortMapping,
    get_text,
    mappings_from_inspect,
    mappings_from_summary,
    page_url,
)
from tutor.sentence import Sentence


@dataclass(frozen=True)
class ContainerInfo:
    """What the tutor shows about a container.

    Attributes:
        status: The engine's state word: ``created``, ``running``, ``exited``...
        ports: Published ports (a stopped container has none).
        lesson: The lesson that made it; None for a container that is not ours.
        size_rw: Bytes in its read-write layer, as ``docker ps -s`` says (None: not read).
        size_virtual: That plus its image's layers, ``docker ps -s``'s "virtual".
    """

    id: str
    name: str
    image: str
    status: str
    ports: tuple[PortMapping, ...]
    labels: dict[str, str]
    lesson: str | None
    size_rw: int | None = None
    size_virtual: int | None = None

    def host_port(self, container_port: int) -> int | None:
        """The host port published for ``container_port``, if any."""
        return next((p.host_port for p in self.ports if p.container_port == container_port), None)


def ours(engine: Engine, namespace: str | None, *, sizes: bool = False) -> list[ContainerInfo]:
    """Every container the tutor made for ``namespace`` (None: anyone's), stopped ones too.

    With ``sizes``, their disk use too, as ``docker ps -s`` (the engine adds up each
    read-write layer, so only the panels that show it ask).
    """
    filters = {"label": label_filters(namespace)}
    with engine_errors(engine.host):
        rows = engine.api.containers(all=True, filters=filters, size=sizes)
    return [_from_summary(row) for row in rows]


def container_info(engine: Engine, container: str) -> ContainerInfo | None:
    """The container with this name or id, ours or not; None when there is none."""
    attrs = inspect_container(engine, container, missing_ok=True)
    return None if attrs is None else info_from_inspect(attrs)


#: Seconds a freshly started app gets to listen: Flask starts in about a second, but on
#: a lab server where a whole class starts theirs at once it took over ten.
PAGE_WAIT = 30.0


def fetch_page(
    engine: Engine,
    container: str,
    container_port: int = 5000,
    path: str = "/",
    *,
    wait: float = PAGE_WAIT,
) -> str:
    """GET a page from the app in a container, through its published port.

    Args:
        engine: The engine (its host is where published ports live).
        container: Name or id.
        container_port: The port the app listens on inside the container.
        path: The URL path.
        wait: Seconds to keep retrying while the app starts.

    Returns:
        The page's text.

    Raises:
        EngineError: the container is not running, does not publish the port,
            or nothing answered in time.
    """
    info = info_from_inspect(inspect_container(engine, container))
    mapping = next((p for p in info.ports if p.container_port == container_port), None)
    if info.status != "running":
        stopped = Sentence("engine.container_status", name=info.name, status=info.status)
        raise EngineError(stopped, Sentence("engine.see_logs"))
    if mapping is None:
        raise EngineError(
            Sentence("engine.no_publish", name=info.name, port=container_port),
            Sentence("engine.no_publish.hint", port=container_port),
        )
    try:
        return get_text(page_url(engine, mapping, path), wait=wait)
    except EngineError as exc:
        now = container_info(engine, info.id)
        if now is None or now.status == "running":
            raise
        tail = logs(engine, info.id, tail=5).strip()
        raise EngineError(
            Sentence("engine.stopped", name=info.name, status=now.status),
            Sentence("engine.log_ends", tail=tail),
        ) from exc


def logs(engine: Engine, container: str, tail: int = 200) -> str:
    """The last ``tail`` lines the container wrote, stdout and stderr (ContainerNotFound)."""
    attrs = inspect_container(engine, container)
    with engine_errors(engine.host):
        raw: bytes = engine.api.logs(attrs["Id"], stdout=True, stderr=True, tail=tail)
    return raw.decode("utf-8", "replace")


def inspect_container(engine: Engine, container: str, *, missing_ok: bool = False) -> Any:
    """``docker container inspect``: the engine's whole record of one container.

    Args:
        engine: The engine.
        container: Name or id (an id prefix matches too, as in the docker CLI).
        missing_ok: Return None, rather than raise, when there is no such container.

    Returns:
        The engine's attributes (``Id``, ``Name``, ``Config``, ``State``...).

    Raises:
        ContainerNotFound: no such container and ``missing_ok`` is False.
    """
    with engine_errors(engine.host):
        try:
            return engine.api.inspect_container(container)
        except docker.errors.NotFound as exc:
            if missing_ok:
                return None
            raise ContainerNotFound(
                Sentence("engine.no_container", container=container), Sentence("engine.run_first")
            ) from exc


def info_from_inspect(attrs: dict[str, Any]) -> ContainerInfo:
    """What the tutor shows of a container, from :func:`inspect_container`'s record.

    Args:
        attrs: The engine's attributes of one container.

    Returns:
        Its :class:`ContainerInfo`.
    """
    config = attrs.get("Config") or {}
    labels = config.get("Labels") or {}
    ports = mappings_from_inspect((attrs.get("NetworkSettings") or {}).get("Ports") or {})
    status = (attrs.get("State") or {}).get("Status", "")
    return ContainerInfo(
        attrs["Id"],
        attrs.get("Name", "").lstrip("/"),
        config.get("Image", ""),
        status,
        ports,
        dict(labels),
        labels.get(LESSON_LABEL, "") if is_ours(labels) else None,
    )


def _from_summary(row: dict[str, Any]) -> ContainerInfo:
    labels = row.get("Labels") or {}
    ports = mappings_from_summary(row.get("Ports") or [])
    name = (row.get("Names") or [""])[0].lstrip("/")
    return ContainerInfo(
        row["Id"],
        name,
        row.get("Image", ""),
        row.get("State", ""),
        ports,
        dict(labels),
        labels.get(LESSON_LABEL, "") if is_ours(labels) else None,
        *_sizes(row),
    )


def _sizes(row: dict[str, Any]) -> tuple[int | None, int | None]:
    """``SizeRw`` and ``SizeRootFs`` of a ``docker ps -s`` row; the engine leaves out a 0."""
    virtual = row.get("SizeRootFs")
    if not isinstance(virtual, (int, float)):
        return None, None
    rw = row.get("SizeRw")
    return (int(rw) if isinstance(rw, (int, float)) else 0), int(virtual)
