"""Building the real tutor app for Pilot tests: the same factory as ``python -m tutor``.

Without an engine the app is built with a connector that raises
:class:`EngineUnreachable` - a state the tutor really has to handle, not a
stand-in for Docker. Progress and the learner's files go to ``tmp_path``.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Markdown
from textual.worker import WorkerCancelled

from tutor.app import TutorApp
from tutor.course.loader import default_course_root
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineUnreachable
from tutor.launch import make_app

DOWN_MESSAGE = "No Docker engine answers at unix:///var/run/docker.sock."
DOWN_HINT = "Start Docker, then press r to retry."


class DownEngine:
    """An engine connector for a machine where Docker is not running; counts the attempts."""

    def __init__(self) -> None:
        self.attempts = 0

    def __call__(self) -> Engine:
        self.attempts += 1
        raise EngineUnreachable(DOWN_MESSAGE, DOWN_HINT)


MakeTutor = Callable[..., TutorApp]


@pytest.fixture
def down_engine() -> DownEngine:
    """A connector that always finds no engine."""
    return DownEngine()


@pytest.fixture
def progress_root(tmp_path: Path) -> Path:
    """Where this test's progress files go."""
    return tmp_path / "progress"


@pytest.fixture
def colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A true-colour terminal, so the app's theme (and every snapshot) is the same
    wherever the tests run; the app picks a 16-colour theme from ``TERM``."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    for name in ("TEXTUAL_COLOR_SYSTEM", "NO_COLOR", "TEXTUAL_THEME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_tutor(
    tmp_path: Path, progress_root: Path, down_engine: DownEngine, colour_terminal: None
) -> MakeTutor:
    """Build the tutor with this test's folders; keyword arguments go to ``make_app``."""

    def build(**options: Any) -> TutorApp:
        settings: dict[str, Any] = {
            "connect_engine": down_engine,
            "progress_root": progress_root,
            "workspace_root": tmp_path / "workspace",
            "namespace": "learner",
            "language": "en",
        }
        settings.update(options)
        return make_app(**settings)

    return build


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the built-in course that a test may break."""
    target = tmp_path / "course"
    shutil.copytree(default_course_root(), target)
    return target


async def settle(app: App[Any], pilot: Pilot[Any]) -> None:
    """Let every worker finish and every message be handled, until nothing new starts.

    The lesson screen's engine-events worker follows the engine for as long
    as the lesson is open; it never completes, so it is not waited for.
    A Markdown widget parses its text in a thread and mounts the blocks
    later, holding its lock meanwhile: that is waited for too, on every
    screen of the stack (a modal's background shows what was drawn before).
    """
    for _ in range(100):
        busy = [w for w in app.workers if w.group != "events" and not w.is_finished]
        if not busy:
            await pilot.pause()
            if not _busy(app):
                return
            continue
        with contextlib.suppress(WorkerCancelled):  # replaced by a newer one: fine
            await app.workers.wait_for_complete(busy)
        await pilot.pause()


def _busy(app: App[Any]) -> bool:
    """A worker still runs, or a Markdown is still parsing or mounting its blocks."""
    if [w for w in app.workers if w.group != "events" and not w.is_finished]:
        return True
    # Textual's RLock has no locked(); its inner asyncio lock does (Textual is pinned).
    return any(
        markdown.lock._lock.locked()
        for screen in app.screen_stack
        for markdown in screen.query(Markdown)
    )


def screen_text(app: App[Any]) -> str:
    """The characters on the terminal, line by line, as the learner sees them."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def stop_blinking(app: App[Any]) -> None:
    """Turn every input's blinking cursor off, for stable snapshots."""
    for node in app.screen.query(Input):
        node.cursor_blink = False
