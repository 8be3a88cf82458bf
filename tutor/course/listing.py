"""Listings shaped like the docker command's, so the learner recognises them later.

The ``list_images``, ``list_containers`` and ``history`` actions show these
tables: the same columns, the same short IDs, the same "3 minutes ago" and
decimal sizes as ``docker image ls``, ``docker ps`` and ``docker image
history`` (written ``52.4 MB``, as everywhere in the tutor). When the learner
later types those commands, what they see is already familiar.
"""

from __future__ import annotations

import time
from typing import Any

from tutor.course.params import split_tag
from tutor.engine import inventory
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineError, ImageNotFound
from tutor.engine.printed import human_size, short_id


def image_table(engine: Engine) -> list[str]:
    """``docker image ls``: one row per tag, newest first.

    Args:
        engine: The learner's engine.

    Returns:
        The table's lines, header first, columns aligned.

    Raises:
        EngineError: the engine cannot be asked.
    """
    rows = sorted(inventory.list_images(engine), key=lambda r: -r.created)
    table = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    for row in rows:
        for ref in row.tags or ("<none>:<none>",):
            repository, tag = split_tag(ref)
            table.append(
                [repository, tag, short_id(row.id), _ago(row.created), human_size(row.size)]
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
    rows = inventory.list_containers(engine)
    table = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
    for row in rows:
        ports = ", ".join(
            f"{p.host_ip}:{p.public_port}->{p.private_port}/{p.protocol}"
            if p.public_port
            else f"{p.private_port}/{p.protocol}"
            for p in row.ports
        )
        command = f'"{_cut(row.command, 20)}"'
        table.append(
            [
                short_id(row.id),
                row.image,
                command,
                _ago(row.created),
                row.status,
                ports,
                ",".join(row.names),
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
    try:
        rows = inventory.image_history(engine, image)
    except ImageNotFound as exc:
        raise EngineError(f"There is no image {image!r} yet.", "Build it first.") from exc
    table = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
    for row in rows:
        table.append(
            [
                row.id if row.id == "<missing>" else short_id(row.id),
                _ago(row.created),
                _cut(row.created_by, 45),
                human_size(row.size),
                row.comment,
            ]
        )
    return _aligned(table)


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


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _aligned(table: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
