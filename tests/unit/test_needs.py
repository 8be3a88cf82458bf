"""Which images a course needs before class (tutor.prepare.needs), read from the course."""

from __future__ import annotations

import shutil
from pathlib import Path

from tutor.course.filling import merge
from tutor.course.loader import default_course_root, load_course
from tutor.prepare.needs import NeededImage, images_needed


def test_the_built_in_course_needs_its_base_and_its_registry_image() -> None:
    course = load_course(default_course_root())
    needed = images_needed(course, merge(course.params, {}))
    assert needed == [
        NeededImage("python:3.8-alpine", "base_image", "base"),
        NeededImage("registry:2", "registry_image", "registry"),
    ]


def test_overrides_are_followed_and_a_teachers_registry_needs_no_image() -> None:
    course = load_course(default_course_root())
    params = merge(course.params, {"base_image": "python:3.12-alpine", "registry": "lab:5050"})
    assert images_needed(course, params) == [
        NeededImage("python:3.12-alpine", "base_image", "base")
    ]


def test_a_literal_from_line_in_a_lesson_file_is_needed_too(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(default_course_root(), root)
    dockerfile = root / "01-the-app" / "files" / "Dockerfile"
    dockerfile.write_text(
        "FROM --platform=linux/amd64 debian:bookworm-slim\n" + dockerfile.read_text()
    )
    course = load_course(root)
    images = [n.image for n in images_needed(course, merge(course.params, {}))]
    assert images[0] == "debian:bookworm-slim"
    assert "python:3.8-alpine" in images
