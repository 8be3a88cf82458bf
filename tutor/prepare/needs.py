"""Which images a course needs that it does not build itself.

Read from the course, not listed by hand: every lesson file's ``FROM`` line,
every action's ``image`` argument, and the registry image when the course
starts its own registry. Images the course creates (``{image}``, ``{base}``,
``{repository}:v1``) are left out: the lessons build, tag or pull them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tutor.course.filling import fill
from tutor.course.model import Course, Value
from tutor.course.params import created_params
from tutor.course.vocabulary import placeholders

_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", re.I | re.M)


@dataclass(frozen=True)
class NeededImage:
    """An image the course uses but does not build.

    Attributes:
        image: Its name, parameters filled in (``python:3.8-alpine``).
        param: The course parameter that names it (``base_image``), or "" when
            a lesson names it literally.
        role: ``base`` (built FROM), ``registry`` (started for pushes) or
            ``other`` (only looked at).
    """

    image: str
    param: str
    role: str


def images_needed(course: Course, params: Mapping[str, Value]) -> list[NeededImage]:
    """The images to have on the engine before the course starts, in lesson order.

    Args:
        course: The loaded course.
        params: The parameters in effect (defaults, settings and overrides).

    Returns:
        Each image once, the first role it is used in.
    """
    # Made by the course too: names made of other parameters (``{registry}/...``
    # is the learner's own repository, filled by a push).
    derived = {k for k, v in course.params.items() if isinstance(v, str) and placeholders(v)}
    created = set(created_params(course)) | derived | {"registry"}
    found: dict[str, NeededImage] = {}

    def add(template: str, role: str) -> None:
        names = placeholders(template)
        if any(n in created for n in names) or template.lower() == "scratch":
            return
        image = fill(template, params)
        param = names[0] if len(names) == 1 and template == f"{{{names[0]}}}" else ""
        if image and image not in found:
            found[image] = NeededImage(image, param, role)

    for lesson in course.lessons:
        for file in lesson.files:
            try:
                text = file.source.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # not a text file: no FROM in it
            if "Dockerfile" in file.name:
                for match in _FROM.finditer(text):
                    add(match.group(1), "base")
        for step in lesson.steps:
            if step.action is None:
                continue
            image = step.action.args.get("image")
            if isinstance(image, str):
                add(image, "other")
            if step.action.kind == "start_registry" and not params.get("registry"):
                add("{registry_image}" if "registry_image" in params else "registry:2", "registry")
    return list(found.values())
