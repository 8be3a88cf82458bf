"""Where the built-in course is, known without importing the course reader.

The app's start asks for it before anything else, and the loader (with the
TOML parser and the validator's helpers) is imported only when the course
must be read from its files (see :mod:`tutor.course.course_cache`).
"""

from __future__ import annotations

from pathlib import Path

#: The course index inside a course folder.
COURSE_FILE = "course.toml"


def default_course_root() -> Path:
    """The course that ships with the tutor.

    Returns:
        ``tutor/_lessons`` inside an installed wheel (pyproject force-includes
        the repository's ``lessons/`` there), else ``lessons/`` next to the
        package in a checkout.
    """
    package = Path(__file__).resolve().parent.parent
    installed = package / "_lessons"
    if (installed / COURSE_FILE).is_file():
        return installed
    return package.parent / "lessons"
