"""SVG snapshots of every screen at 80x24 and 160x48, in a recorded state.

The engine's answers shown in the lesson's panels are recorded here (fixed
ids, sizes and times), so the pictures never change with the engine; the
same behaviour is proven on a real engine in test_app_engine.py. The app
itself is the real one, built by ``make_app`` with no engine.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import MakeTutor, settle, stop_blinking
from tutor.app import TutorApp
from tutor.course.loader import load_course
from tutor.engine.build_events import BuildDone, BuildEvent, OutputLine, StepFinished, StepStarted
from tutor.engine.connection import Engine
from tutor.engine.container_info import ContainerInfo
from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange
from tutor.engine.errors import EngineUnreachable
from tutor.engine.layers import Layer, LayerStack
from tutor.engine.published import PortMapping
from tutor.progress_store import ProgressStore
from tutor.screens.lesson import LessonScreen
from tutor.screens.prediction import OutcomeScreen
from tutor.widgets import BuildLog, ContainersPanel, DiffView, HistoryTable
from tutor.widgets import LayerStack as LayerStackView
from tutor.widgets.engine_banner import EngineBanner
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


# -- a fixed course, so that edits to the real lessons never move the pictures --

COURSE_TOML = """
[course]
id = "image-layers"
languages = ["pt-BR", "en"]
default_language = "en"

[course.title]
pt-BR = "As layers de uma imagem Docker"
en = "Docker image layers"

[params]
base_image = "python:3.8-alpine"
image = "python-hello-world"
container = "python-hello-world"

[[lessons]]
id = "the-app"
folder = "01-the-app"
title = { pt-BR = "O app e o Dockerfile", en = "The app and its Dockerfile" }

[[lessons]]
id = "build"
folder = "02-build"
title = { pt-BR = "Construir a imagem", en = "Build the image" }

[[lessons]]
id = "copy-on-write"
folder = "03-copy-on-write"
title = { pt-BR = "Copy-on-write no container", en = "Copy-on-write in a container" }

[[lessons]]
id = "push"
folder = "04-push"
title = { pt-BR = "Enviar para um registry", en = "Push to a registry" }
"""

THE_APP_TOML = """
[lesson]
id = "the-app"
files = ["app.py", "Dockerfile"]

[[steps]]
id = "write-files"
action = { kind = "write_files" }
check = { kind = "files_written", files = ["app.py", "Dockerfile"] }
[steps.text.en]
title = "Create the app's files"
body = "The tutor writes `app.py` and the `Dockerfile` into this lesson's folder."
[steps.text.pt-BR]
title = "Crie os arquivos do app"
body = "O tutor escreve `app.py` e o `Dockerfile` na pasta desta lição."

[[steps]]
id = "which-lines"
check = { kind = "answered" }
[steps.prediction]
answer = 1
[steps.text.en]
title = "Which lines make layers of files?"
body = "Some instructions write files into a new layer; others only set configuration."
question = "Of the four lines, which add a layer holding files of yours?"
choices = ["All four.", "`RUN pip install flask` and `COPY app.py /app.py`.", "Only `COPY`."]
explanation = "`RUN` and `COPY` write files; `FROM` borrows layers, `CMD` is metadata."
[steps.text.pt-BR]
title = "Quais linhas criam layers com arquivos?"
body = "Algumas instruções gravam arquivos numa layer nova; outras só configuram."
question = "Das quatro linhas, quais acrescentam uma layer com arquivos seus?"
choices = ["As quatro.", "`RUN pip install flask` e `COPY app.py /app.py`.", "Só o `COPY`."]
explanation = "`RUN` e `COPY` gravam arquivos; `FROM` empresta layers, `CMD` é metadado."
"""

COW_TOML = """
[lesson]
id = "copy-on-write"
files = ["app.py", "Dockerfile"]

[[steps]]
id = "start"
command = "docker run -d --name {container}-cow {image}"
action = { kind = "run", image = "{image}", name = "{container}-cow" }
check = { kind = "container_running", name = "{container}-cow" }
[steps.text.en]
title = "Run a container to experiment on"
[steps.text.pt-BR]
title = "Rode um container para experimentos"

[[steps]]
id = "add-a-file"
command = "docker exec {container}-cow touch /notes.txt"
action = { kind = "exec", container = "{container}-cow", command = "touch /notes.txt" }
check = { kind = "diff_has", container = "{container}-cow", path = "/notes.txt", change = "A" }
[steps.text.en]
title = "Create a new file"
body = "Now a file that exists in none of the image's layers: `/notes.txt`."
hints = ["`touch` creates an empty file."]
[steps.text.pt-BR]
title = "Crie um arquivo novo"
body = "Agora um arquivo que não existe em nenhuma layer da imagem: `/notes.txt`."
hints = ["O `touch` cria um arquivo vazio."]
"""

PROSE = {
    "en": "# {title}\n\nAn image is a stack of **layers**; a container adds one writable "
    "layer on top.\n\n## What you will do\n\nRun `{image}`, change its files, and read "
    "`docker diff`.\n",
    "pt-BR": "# {title}\n\nUma imagem é uma pilha de **layers**; um container acrescenta "
    "uma layer gravável.\n\n## O que você vai fazer\n\nRodar `{image}`, mudar os "
    "arquivos dele e ler o `docker diff`.\n",
}
FILES = {
    "app.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
    'def hello():\n    return "hello world!"\n',
    "Dockerfile": 'FROM {base_image}\nRUN pip install flask\nCMD ["python","app.py"]\n'
    "COPY app.py /app.py\n",
}


def write_lesson(root: Path, folder: str, toml: str, title: str) -> None:
    lesson = root / folder
    (lesson / "files").mkdir(parents=True)
    (lesson / "lesson.toml").write_text(toml, encoding="utf-8")
    for language, text in PROSE.items():
        prose = text.replace("{title}", title)
        (lesson / f"{language}.md").write_text(prose, encoding="utf-8")
    for name, text in FILES.items():
        (lesson / "files" / name).write_text(text, encoding="utf-8")


@pytest.fixture
def fixed_course(tmp_path: Path) -> Path:
    """Three good lessons and one whose step names an action that does not exist."""
    return write_fixed_course(tmp_path / "course")


def write_fixed_course(root: Path) -> Path:
    """The fixed course in ``root`` (also used by ``assets/screenshots.py``)."""
    root.mkdir()
    (root / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    write_lesson(root, "01-the-app", THE_APP_TOML, "The app")
    build = THE_APP_TOML.replace('"the-app"', '"build"').replace("write_files", "build_it")
    write_lesson(root, "02-build", build, "Build")
    write_lesson(root, "03-copy-on-write", COW_TOML, "Copy-on-write")
    write_lesson(root, "04-push", COW_TOML.replace('"copy-on-write"', '"push"'), "Push")
    course = load_course(root)
    assert [bool(e.problems) for e in course.entries] == [False, True, False, False], [
        str(p) for p in course.all_problems
    ]
    return root


def save_progress(
    course_root: Path,
    root: Path,
    steps: dict[str, list[str]],
    answers: dict[str, int],
    at: str = "",
) -> None:
    """A learner part-way through the course (what the snapshots show).

    Args:
        course_root: The course.
        root: The progress folder.
        steps: Lesson id -> the steps done in it.
        answers: ``lesson/step`` -> the prediction given.
        at: ``lesson/step`` where the learner left off.
    """
    course = load_course(course_root)
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
        # A tab's underline slides to its place after a timer of its own (20 ms), which
        # wait_for_scheduled_animations does not see: one picture in three caught it
        # before it moved. Still, the underline is in place at once.
        app.animation_level = "none"
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
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await settle(app, pilot)

    return run_before


#: Where the pictures say the learner's files are: the same on every machine. Nothing is
#: written there: without an engine the tutor copies no lesson files.
SHOWN_WORKSPACE = Path("/home/learner/.local/share/layers-tutor/workspace/learner")


@pytest.fixture
def tutor(make_tutor: MakeTutor, fixed_course: Path) -> Callable[[], TutorApp]:
    """The app on the fixed course, with no engine."""
    return lambda: make_tutor(course_root=fixed_course, workspace_root=SHOWN_WORKSPACE)


@pytest.fixture
def midway(fixed_course: Path, progress_root: Path) -> None:
    """The first lesson done, the third begun."""
    save_midway(fixed_course, progress_root)


def save_midway(fixed_course: Path, progress_root: Path) -> None:
    """The first lesson done, the third begun (also used by ``assets/screenshots.py``)."""
    save_progress(
        fixed_course,
        progress_root,
        {"the-app": ["write-files", "which-lines"], "copy-on-write": ["start"]},
        {"the-app/which-lines": 1},
        at="copy-on-write/add-a-file",
    )


@pytest.mark.parametrize("size", SIZES)
def test_course_screen(
    snap_compare: SnapCompare, tutor: Callable[[], TutorApp], midway: None, size: tuple[int, int]
) -> None:
    assert snap_compare(tutor(), terminal_size=size, run_before=prepared())


@pytest.mark.parametrize("size", SIZES)
def test_course_screen_with_the_engine_banner(
    snap_compare: SnapCompare, tutor: Callable[[], TutorApp], midway: None, size: tuple[int, int]
) -> None:
    assert snap_compare(tutor(), terminal_size=size, run_before=prepared(up=False))


@pytest.mark.parametrize("size", SIZES)
def test_course_screen_while_the_engine_connects(
    snap_compare: SnapCompare,
    make_tutor: MakeTutor,
    fixed_course: Path,
    midway: None,
    size: tuple[int, int],
) -> None:
    apps: list[TutorApp] = []

    def slow_engine() -> Engine:
        # Answers "no engine" once the picture is taken and the app closes.
        while apps[0].is_running:
            time.sleep(0.05)
        raise EngineUnreachable("No Docker engine answers.", "Start Docker.")

    async def connecting(pilot: Pilot[Any]) -> None:
        app = pilot.app
        for _ in range(200):  # not settle(): it would wait for the connection
            await pilot.pause()
            if app.screen.query(EngineBanner) and app.screen.query_one(EngineBanner).display:
                break
        await pilot.pause()

    apps.append(
        make_tutor(
            course_root=fixed_course, workspace_root=SHOWN_WORKSPACE, connect_engine=slow_engine
        )
    )
    assert snap_compare(apps[0], terminal_size=size, run_before=connecting)


@pytest.mark.parametrize("size", SIZES)
def test_lesson_screen(
    snap_compare: SnapCompare, tutor: Callable[[], TutorApp], midway: None, size: tuple[int, int]
) -> None:
    run_before = prepared(show_recording, keys=("c", "6"))
    assert snap_compare(tutor(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(
    snap_compare: SnapCompare, tutor: Callable[[], TutorApp], midway: None, size: tuple[int, int]
) -> None:
    run_before = prepared(keys=("question_mark",))
    assert snap_compare(tutor(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_prediction_screen(
    snap_compare: SnapCompare,
    tutor: Callable[[], TutorApp],
    fixed_course: Path,
    progress_root: Path,
    size: tuple[int, int],
) -> None:
    save_progress(fixed_course, progress_root, {"the-app": ["write-files"]}, {}, at="the-app")
    run_before = prepared(keys=("c",))
    assert snap_compare(tutor(), terminal_size=size, run_before=run_before)


def notice_pending(app: TutorApp) -> None:
    """The previous step's explanation, raised just as the question opens."""
    app.notify("`RUN` and `COPY` write files.", title="✔ Build", timeout=30, markup=False)


@pytest.mark.parametrize("size", SIZES)
def test_prediction_screen_with_a_notice_pending(
    snap_compare: SnapCompare,
    tutor: Callable[[], TutorApp],
    fixed_course: Path,
    progress_root: Path,
    size: tuple[int, int],
) -> None:
    # The notice waits: the question's choices stay whole (it shows once the dialog closes).
    save_progress(fixed_course, progress_root, {"the-app": ["write-files"]}, {}, at="the-app")
    run_before = prepared(notice_pending, keys=("c",))
    assert snap_compare(tutor(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_reset_confirmation_screen(
    snap_compare: SnapCompare, tutor: Callable[[], TutorApp], midway: None, size: tuple[int, int]
) -> None:
    run_before = prepared(keys=("x",))
    assert snap_compare(tutor(), terminal_size=size, run_before=run_before)


def show_outcome(app: TutorApp) -> None:
    """The screen after a prediction step: what the learner said, what happened, why."""
    app.push_screen(
        OutcomeScreen(
            "Which steps will come from the **cache**?",
            ["None of them", "Steps 1 to 3", "All four"],
            chosen=2,
            answer=1,
            explanation="Only `COPY app.py` saw a changed file, so it and what follows ran again.",
            happened="Steps 1-3 came from the cache; step 4 was built.",
            language=app.language,
        )
    )


@pytest.mark.parametrize("size", SIZES)
def test_outcome_screen(
    snap_compare: SnapCompare, tutor: Callable[[], TutorApp], midway: None, size: tuple[int, int]
) -> None:
    assert snap_compare(tutor(), terminal_size=size, run_before=prepared(show_outcome))


@pytest.mark.parametrize("size", SIZES)
def test_lesson_screen_in_portuguese(
    snap_compare: SnapCompare, tutor: Callable[[], TutorApp], midway: None, size: tuple[int, int]
) -> None:
    # The prose, the screens' words and the footer's keys all switch with l.
    run_before = prepared(show_recording, keys=("l", "c", "3"))
    assert snap_compare(tutor(), terminal_size=size, run_before=run_before)
