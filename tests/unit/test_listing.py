"""``docker image ls``'s rows as the tutor lists them: the same order at every read."""

from __future__ import annotations

import itertools

from tutor.course.listing import ImageLine, lines_of
from tutor.engine.inventory import ImageRow


def row(image_id: str, created: int, *tags: str) -> ImageRow:
    return ImageRow(id=image_id, tags=tags, created=created, size=1_000, labels={})


def test_images_of_the_same_second_come_in_one_order_whatever_the_engine_said() -> None:
    rows = [
        row("sha256:bb", 100, "web:2", "web:1"),
        row("sha256:aa", 100),
        row("sha256:cc", 90, "python:3.8-alpine"),
        row("sha256:dd", 120, "python-hello-world:latest"),
    ]
    orders = {lines_of(order, ["python-hello-world"]) for order in itertools.permutations(rows)}
    assert len(orders) == 1
    (lines,) = orders
    assert [(line.repository, line.tag) for line in lines] == [
        ("python-hello-world", "latest"),
        ("<none>", "<none>"),
        ("web", "1"),
        ("web", "2"),
        ("python", "3.8-alpine"),
    ]
    assert lines[0] == ImageLine("python-hello-world", "latest", "dd", 120, 1_000, named=True)
    assert not any(line.named for line in lines[1:])
