"""Listings shaped like the docker command's, so the learner recognises them later.

The ``list_images``, ``list_containers`` and ``history`` actions show these
tables: the same columns, the same short IDs, the same "3 minutes ago" and the
same decimal sizes as ``docker image ls``, ``docker ps`` and ``docker image
history``. When the learner later types those commands, what they see is
already familiar.
"""

from __future__ import annotations

import time
from typing import Any

import docker.errors

from tutor.course.params import split_tag
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import EngineError


def image_table(engine: Engine) -> list[str]:
    """``docker image ls``: one row per tag, newest first.

    Args:
        engine: The learner's engine.

    Returns:
        The table's lines, header first, columns aligned.

    Raises:
        EngineError: the engine cannot be asked.
    """
    with engine_errors(engine.host):
        rows = sorted(engine.api.images(), key=lambda r: -int(r.get("Created") or 0))
    table = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    for row in rows:
        for ref in row.get("RepoTags") or ["<none>:<none>"]:
            repository, tag = split_tag(ref)
            table.append(
                [
                    repository,
                    tag,
                    _short(row["Id"]),
                    _ago(row.get("Created")),
                    human_size(row.get("Size")),
                ]
            )
    return _aligned(table)


def container_table(engine: Engine) -> list[str]:
    """``docker ps``: the running containers with their published ports.

    Args:
        engine: The learner's engine.

    Returns:
        The table's lines, header first, columns aligned.

    Raises:
        EngineError: the engine cannot be asked.
    """
    with engine_errors(engine.host):
        rows = engine.api.containers()
    table = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
    for row in rows:
        ports = ", ".join(
            f"{p.get('IP', '')}:{p['PublicPort']}->{p['PrivatePort']}/{p.get('Type', 'tcp')}"
            if p.get("PublicPort")
            else f"{p['PrivatePort']}/{p.get('Type', 'tcp')}"
            for p in row.get("Ports") or []
        )
        command = f'"{_cut(str(row.get("Command") or ""), 20)}"'
        names = ",".join(n.lstrip("/") for n in row.get("Names") or [])
        table.append(
            [
                row["Id"][:12],
                str(row.get("Image")),
                command,
                _ago(row.get("Created")),
                str(row.get("Status")),
                ports,
                names,
            ]
        )
    return _aligned(table)


def history_table(engine: Engine, image: str) -> list[str]:
    """``docker image history``: newest step first, ``<missing>`` where no image backs a row.

    Args:
        engine: The learner's engine.
        image: The image whose steps to list.

    Returns:
        The table's lines, header first, columns aligned.

    Raises:
        EngineError: the image does not exist (said so the learner knows to
            build it), or the engine cannot be asked.
    """
    with engine_errors(engine.host):
        try:
            rows = engine.api.history(image) or []
        except docker.errors.ImageNotFound as exc:
            raise EngineError(f"There is no image {image!r} yet.", "Build it first.") from exc
    table = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
    for row in rows:
        rid = str(row.get("Id") or "<missing>")
        table.append(
            [
                rid if rid == "<missing>" else _short(rid),
                _ago(row.get("Created")),
                _cut(str(row.get("CreatedBy") or ""), 45),
                human_size(row.get("Size")),
                str(row.get("Comment") or ""),
            ]
        )
    return _aligned(table)


def human_size(size: Any) -> str:
    """Bytes the way docker prints them: decimal units, three significant digits.

    Args:
        size: A byte count (``None`` counts as 0).

    Returns:
        e.g. ``"364B"``, ``"52.4MB"``.
    """
    value = float(size or 0)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.3g}{unit}"
        value /= 1000
    return f"{value:.3g}TB"  # pragma: no cover - the loop always returns


#: (below this many seconds, count in units of, unit) for "N units ago".
_AGES = (
    (120, 1, "second"),
    (7200, 60, "minute"),
    (172800, 3600, "hour"),
    (1209600, 86400, "day"),
    (5e7, 604800, "week"),
    (float("inf"), 31536000, "year"),
)


def _ago(created: Any) -> str:
    seconds = max(0.0, time.time() - float(created or 0))
    if seconds < 1:
        return "Less than a second ago"
    _limit, size, unit = next(row for row in _AGES if seconds < row[0])
    return f"{int(seconds // size)} {unit}s ago"


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _aligned(table: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
