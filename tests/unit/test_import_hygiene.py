"""The engine layer, the lesson model and the progress store never import Textual.

Checked in a fresh interpreter, so that a test that imported Textual earlier
cannot hide an import: each module is imported alone and ``sys.modules`` is
inspected afterwards.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import tutor.course
import tutor.engine


def _modules(package: object) -> list[str]:
    path = package.__path__  # type: ignore[attr-defined]
    prefix = package.__name__ + "."  # type: ignore[attr-defined]
    return sorted(m.name for m in pkgutil.iter_modules(path, prefix))


CORE = [
    "tutor.engine",
    *_modules(tutor.engine),
    "tutor.course",
    *_modules(tutor.course),
    "tutor.progress",
    "tutor.progress_format",
    "tutor.progress_store",
    "tutor.session_end",
    "tutor.i18n",  # the words, for the command line and the course too
    "tutor.settings",
    "tutor.prepare",
    "tutor.prepare.needs",
    "tutor.prepare.plan",
    "tutor.prepare.stand_ins",
    "tutor.prepare.command",
    "tutor.report",
    "tutor.doctor",
    "tutor.cli",  # the command line starts without loading Textual
]


def test_core_modules_are_found() -> None:
    assert "tutor.engine.connection" in CORE
    assert "tutor.course.model" in CORE


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0 and "No module named 'tutor.progress'" in out.stderr:
        pytest.fail("tutor.progress is missing")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"


# What `python -m tutor layers` and `diff` load (issue 13: near the docker-py floor).
COMMAND_MODULES = {
    "layers": ["tutor.cli", "tutor.report", "tutor.engine.connection", "tutor.engine.layers"],
    "diff": ["tutor.cli", "tutor.report", "tutor.engine.diff", "tutor.engine.layer_index"],
}
NOT_FOR_COMMANDS = ["textual", "pygments", "tutor.course", "tutor.i18n"]
NOT_FOR_LAYERS = ["tutor.engine.diff", "tutor.engine.layer_index", "tutor.engine.image_config"]


@pytest.mark.parametrize("command", sorted(COMMAND_MODULES))
def test_engine_commands_import_only_what_they_run(command: str) -> None:
    unwanted = NOT_FOR_COMMANDS + (NOT_FOR_LAYERS if command == "layers" else [])
    code = (
        "import importlib, sys\n"
        f"for name in {COMMAND_MODULES[command]!r}: importlib.import_module(name)\n"
        f"print(','.join(m for m in {unwanted!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"`tutor {command}` imports {out.stdout.strip()}"


def test_the_course_screen_starts_without_what_only_a_lesson_needs() -> None:
    """``python -m tutor`` draws the course screen before docker-py, the lesson screen,
    its panels and pygments are imported (the app loads them in a thread afterwards)."""
    code = (
        "import sys\n"
        "import tutor.launch, tutor.screens.course\n"
        "later = ('docker', 'requests', 'pygments', 'markdown_it', 'tutor.screens.lesson',"
        " 'tutor.widgets.diff_view', 'tutor.widgets.build_log', 'tutor.course.runner')\n"
        "print(','.join(sorted(m for m in later if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
