"""Build hook: ship the repository's ``lessons/`` inside the wheel as ``tutor/_lessons``.

The course lives at the top of the repository, where teachers find it. A
wheel must carry it inside the package. Hatch's ``force-include`` would do
that, but it also applies to editable installs, where it creates a
``tutor/`` folder in site-packages that hides the source package
(``No module named tutor.cli``). So the lessons are added here, for
standard wheels only; an editable install reads ``lessons/`` next to the
package (see ``tutor.course.loader.default_course_root``). Python caches
and editor droppings are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SKIPPED_PARTS = {"__pycache__", ".DS_Store"}
SKIPPED_SUFFIXES = {".pyc", ".pyo", ".swp", ".orig", ".rej"}


class LessonsHook(BuildHookInterface):  # type: ignore[misc]
    """Adds every course file to standard wheels."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Map ``lessons/...`` to ``tutor/_lessons/...`` file by file."""
        if self.target_name != "wheel" or version != "standard":
            return
        lessons = Path(self.root) / "lessons"
        for path in sorted(lessons.rglob("*")):
            relative = path.relative_to(lessons)
            if not path.is_file() or SKIPPED_PARTS & set(relative.parts):
                continue
            if path.suffix in SKIPPED_SUFFIXES or path.name.endswith("~"):
                continue
            build_data["force_include"][str(path)] = f"tutor/_lessons/{relative.as_posix()}"
