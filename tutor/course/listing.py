"""Listings shaped like the docker command's, so the learner recognises them later.

The ``list_images``, ``list_containers`` and ``history`` actions show these
tables: the same columns, the same short IDs, the same "3 minutes ago" and
decimal sizes as ``docker image ls``, ``docker ps`` and ``docker image
history`` (written ``52.4 MB``, as everywhere in the tutor). When the learner
later types those commands, what they see is already familiar.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tutor.course.params import split_tag
from tutor.engine import inventory
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineError, ImageNotFound
from tutor.engine.printed import human_size, short_id
from tutor.sentence import Sentence


@dataclass(frozen=True)
class ImageLine:
    """One row of ``docker image ls``: one tag of an image (``<none>`` when it has none).

    Attributes:
        repository: The tag's repository, or ``<none>``.
        tag: The tag, or ``<none>``.
        image_id: The image's short id.
        created: When it was made, in epoch seconds.
        size: Its size in bytes, base layers included.
        named: The lesson names it (the learner's own image).
    """

    repository: str
    tag: str
    image_id: str
    created: int
    size: int
    named: bool = False


def image_lines(engine: Engine, named: Iterable[str] = ()) -> tuple[ImageLine, ...]:
    """``docker image ls``'s rows, newest first, one per tag.

    Args:
        engine: The learner's engine.
        named: Image references the lesson names (``python-hello-world``), marked.

    Returns:
        The rows (see :func:`lines_of`).

    Raises:
        EngineError: the engine cannot be asked.
    """
    return lines_of(inventory.list_images(engine), named)


def lines_of(
    rows: Iterable[inventory.ImageRow], named: Iterable[str] = ()
) -> tuple[ImageLine, ...]:
    """The engine's images as ``docker image ls`` rows: newest first, one per tag.

    Images made in the same second (a build's steps) come in the same order at
    every call: by id, their tags by name. The engine lists them in no fixed
    order, and the images panel, which reads the list at every engine event,
    took each new order for a new list and drew the table again (14 reads of 39
    in a 4-image ui_bench run, each a layout of the whole screen).
    """
    wanted = {ref if ":" in ref.rsplit("/", 1)[-1] else f"{ref}:latest" for ref in named}
    lines = []
    for row in sorted(rows, key=lambda r: (-r.created, r.id)):
        for ref in sorted(row.tags) or ("<none>:<none>",):
            repository, tag = split_tag(ref)
            line = ImageLine(
                repository, tag, short_id(row.id), row.created, row.size, ref in wanted
            )
            lines.append(line)
    return tuple(lines)


def image_table(engine: Engine) -> list[str]:
    """``docker image ls``: one row per tag, newest first.

    Args:
        engine: The learner's engine.

    Returns:
        The table's lines, header first, columns aligned.

    Raises:
        EngineError: the engine cannot be asked.
    """
    table = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    for line in image_lines(engine):
        table.append(
            [line.repository, line.tag, line.image_id, ago(line.created), human_size(line.size)]
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
                ago(row.created),
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
        missing = Sentence("listing.no_image", image=image)
        raise EngineError(missing, Sentence("listing.no_image.hint")) from exc
    table = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
    for row in rows:
        table.append(
            [
                row.id if row.id == "<missing>" else short_id(row.id),
                ago(row.created),
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


def ago(created: Any) -> str:
    """``docker``'s "3 minutes ago" for an epoch time."""
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
