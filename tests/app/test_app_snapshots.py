"""SVG snapshots of every screen at 80x24 and 160x48, in a recorded state.

The engine's answers shown in the lesson's panels are recorded here (fixed
ids, sizes and times), so the pictures never change with the engine; the
same behaviour is proven on a real engine in test_app_engine.py. The app
itself is the real one, built by ``make_app`` with no engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import MakeTutor, settle, stop_blinking
from tutor.app import TutorApp
from tutor.course.loader import default_course_root, load_course
from tutor.engine.build import BuildDone, BuildEvent, OutputLine, StepFinished, StepStarted
from tutor.engine.containers import ContainerInfo, PortMapping
from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange
from tutor.engine.layers import Layer, LayerStack
from tutor.progress import ProgressStore
from tutor.screens.lesson import LessonScreen
from tutor.widgets import BuildLog, ContainersPanel, DiffView, HistoryTable
from tutor.widgets import LayerStack as LayerStackView
from tutor.widgets.step_panel import StepPanel, StepState

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
IMAGE = "python-hello-world"
CONTAINER = "python-hello-world-cow"
SnapCompare = Callable[..., bool]


def row(index: int, instruction: str, size: int, *, files: bool = True) -> Layer:
    """One recorded history row; the base's own rows came finished (<missing>)."""
    base = index < 2
    return Layer(
        index=index,
        image_id=None if base else f"sha256:{index:02d}" + "ab" * 31,
        created_by=f"/bin/sh -c #(nop) {instruction}",
        instruction=instruction,
        size=size,
        created=1_767_225_600.0 + 60 * index,
        is_filesystem=files,
        diff_id=f"sha256:{index:02d}" + "cd" * 31 if files else None,
        chain_id=f"sha256:{index:02d}" + "ef" * 31 if files else None,
        missing_reason="the base image was loaded finished, not built here" if base else None,
        tags=(f"{IMAGE}:latest",) if index == 4 else (),
        comment="",
    )


STACK = LayerStack(
    image=IMAGE,
    image_id="sha256:04" + "ab" * 31,
    layers=(
        row(0, "ADD rootfs.tar /", 189_712_384),
        row(1, 'CMD ["python3"]', 0, files=False),
        row(2, "RUN pip install flask", 5_234_688),
        row(3, 'CMD ["python","app.py"]', 0, files=False),
        row(4, "COPY app.py /app.py", 364),
    ),
    containerd_store=False,
)

BUILD: list[BuildEvent] = [
    StepStarted(1, 4, "FROM python:3.8-alpine", 1, 1),
    StepFinished(1, "FROM python:3.8-alpine", True, 0.0, "sha256:01" + "ab" * 31, None),
    StepStarted(2, 4, "RUN pip install flask", 2, 2),
    StepFinished(2, "RUN pip install flask", True, 0.0, "sha256:02" + "ab" * 31, None),
    StepStarted(3, 4, 'CMD ["python","app.py"]', 3, 3),
    StepFinished(3, 'CMD ["python","app.py"]', True, 0.0, "sha256:03" + "ab" * 31, None),
    StepStarted(4, 4, "COPY app.py /app.py", 4, 4),
    OutputLine(4, " ---> 5f0c3a9e21d4"),
    StepFinished(4, "COPY app.py /app.py", False, 0.3, "sha256:04" + "ab" * 31, "app.py changed"),
    BuildDone("sha256:04" + "ab" * 31, f"{IMAGE}:latest"),
]

CONTAINERS = [
    ContainerInfo(
        id="c0" * 32,
        name=CONTAINER,
        image=IMAGE,
        status="running",
        ports=(),
        labels={},
        lesson="copy-on-write",
    ),
    ContainerInfo(
        id="c1" * 32,
        name="python-hello-world",
        image=IMAGE,
        status="exited",
        ports=(PortMapping(5000, "0.0.0.0", 5001),),
        labels={},
        lesson="run",
    ),
]

DIFF = ContainerDiff(
    container="c0" * 32,
    changes=(
        PathChange("/app.py", ChangeKind.CHANGED, 4, "COPY app.py /app.py"),
        PathChange("/notes.txt", ChangeKind.ADDED),
        PathChange("/root", ChangeKind.CHANGED, 0, "ADD rootfs.tar /"),
        PathChange("/root/.ash_history", ChangeKind.ADDED),
    ),
    rw_size=4_096,
    image_id=STACK.image_id,
)


def save_progress(
    root: Path, steps: dict[str, list[str]], answers: dict[str, int], at: str = ""
) -> None:
    """A learner part-way through the course (what the snapshots show).

    Args:
        root: The progress folder.
        steps: Lesson id -> the steps done in it.
        answers: ``lesson/step`` -> the prediction given.
        at: ``lesson/step`` where the learner left off.
    """
    course = load_course(default_course_root())
    store = ProgressStore(course.id, "learner", root=root)
    progress = store.fresh()
    for lesson_id, done in steps.items():
        lesson = course.lesson(lesson_id)
        assert lesson is not None
        for step in done:
            progress.mark_step_done(lesson_id, step, [s.id for s in lesson.steps])
    for key, choice in answers.items():
        lesson_id, step = key.split("/")
        progress.record_answer(lesson_id, step, choice)
    if at:
        progress.move_to(*at.split("/"))
    store.save(progress)


def engine_up(app: TutorApp) -> None:
    """Hide the banner as if the engine answered (what is shown comes from the recording)."""
    app.engine_error = None


def show_recording(app: TutorApp) -> None:
    """Fill the lesson's panels with the recorded engine answers."""
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    screen.query_one(StepPanel).set_state(StepState.WAITING)
    screen.query_one(LayerStackView).show_image(STACK, container=CONTAINER, rw_size=4_096)
    build = screen.query_one(BuildLog)
    for event in BUILD:
        build.add_event(event)
    screen.query_one(ContainersPanel).update(CONTAINERS)
    screen.query_one(DiffView).update(DIFF, name=CONTAINER)
    screen.query_one(HistoryTable).show(STACK)


def prepared(
    *after: Callable[[TutorApp], None], keys: tuple[str, ...] = (), up: bool = True
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """What to do before the picture: the engine "answers" (unless ``up`` is False),
    the keys are pressed, then the app is changed by ``after``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TutorApp)
        await settle(app, pilot)
        if up:
            engine_up(app)
            await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        for change in after:
            change(app)
            await settle(app, pilot)
        stop_blinking(app)
        await settle(app, pilot)

    return run_before


@pytest.fixture
def midway(progress_root: Path) -> None:
    """Two lessons done, the third begun."""
    save_progress(
        progress_root,
        {
            "the-app": ["write-files", "which-lines-add-files", "why-cmd-first"],
            "build": ["build", "list-images"],
            "run": ["run"],
        },
        {"the-app/which-lines-add-files": 2, "the-app/why-cmd-first": 1, "build/build": 2},
    )


@pytest.mark.parametrize("size", SIZES)
def test_course_screen(
    snap_compare: SnapCompare, make_tutor: MakeTutor, midway: None, size: tuple[int, int]
) -> None:
    app = make_tutor()
    assert snap_compare(app, terminal_size=size, run_before=prepared())


@pytest.mark.parametrize("size", SIZES)
def test_course_screen_with_the_engine_banner(
    snap_compare: SnapCompare, make_tutor: MakeTutor, midway: None, size: tuple[int, int]
) -> None:
    app = make_tutor()
    assert snap_compare(app, terminal_size=size, run_before=prepared(up=False))


@pytest.mark.parametrize("size", SIZES)
def test_lesson_screen(
    snap_compare: SnapCompare, make_tutor: MakeTutor, progress_root: Path, size: tuple[int, int]
) -> None:
    save_progress(
        progress_root,
        {"copy-on-write": ["start", "change-a-file"]},
        {"copy-on-write/change-a-file": 2},
        at="copy-on-write/add-a-file",
    )
    app = make_tutor()
    run_before = prepared(show_recording, keys=("c", "6"))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(
    snap_compare: SnapCompare, make_tutor: MakeTutor, midway: None, size: tuple[int, int]
) -> None:
    app = make_tutor()
    run_before = prepared(keys=("question_mark",))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_prediction_screen(
    snap_compare: SnapCompare, make_tutor: MakeTutor, progress_root: Path, size: tuple[int, int]
) -> None:
    save_progress(progress_root, {"the-app": ["write-files"]}, {})
    app = make_tutor()
    run_before = prepared(keys=("c",))
    assert snap_compare(app, terminal_size=size, run_before=run_before)
