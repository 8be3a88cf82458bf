"""A learner walks lessons 1 to 7 with the keys, on a real Docker engine.

The tutor runs steps for the learner (t), asks the predictions (1-4,
enter), and follows the engine: a step done straight through docker-py, as
if typed in another terminal, advances too. The panels are checked against
what the engine did: cache hits on the rebuild, the shared base layers, the
page the app serves, the container's diff as files change.
"""

from __future__ import annotations

import gc
import io
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import docker
import pytest
from textual.binding import BindingType
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Markdown, Static, Tab

from tests import provision
from tests.app.conftest import screen_text, settle
from tutor.app import TutorApp
from tutor.course.model import Lesson
from tutor.course.panel_data import PanelTargets
from tutor.course.runner import LessonRunner
from tutor.engine import containers
from tutor.engine.connection import Engine, connect
from tutor.engine.diff import ChangeKind
from tutor.engine.errors import EngineUnreachable
from tutor.engine.labels import label_filters, labels_for
from tutor.engine.ports import free_port
from tutor.launch import make_app
from tutor.screens import panels
from tutor.screens.course import CourseScreen
from tutor.screens.lesson import LessonScreen
from tutor.screens.panel_deck import DIFF_POLL
from tutor.screens.panels import Panel
from tutor.screens.prediction import OutcomeScreen, PredictionScreen
from tutor.widgets import (
    BuildLog,
    ContainersPanel,
    DiffView,
    ExecInput,
    FilesView,
    HistoryTable,
)
from tutor.widgets.engine_banner import EngineBanner
from tutor.widgets.step_panel import StepPanel, StepState

pytestmark = pytest.mark.slow

PREDICT = StepState.PREDICT_FIRST
#: Upper bound of pilot pauses while waiting for the engine's events to arrive.
EVENT_PATIENCE = 400


@pytest.fixture
def tutor_params(namespace: str, fixture_images: dict[str, str]) -> dict[str, Any]:
    """Course parameters that keep this test's names and port to itself."""
    return {
        "base_image": fixture_images["python"],
        "registry_image": fixture_images["registry"],
        "port": free_port(18000 + int(namespace[1:5], 16) % 2000),
        "image": f"{namespace}-hello",
        "image2": f"{namespace}-hello-2",
        "base": f"{namespace}-base",
        "container": f"{namespace}-hello",
        "container2": f"{namespace}-hello-2",
    }


@pytest.fixture
def real_tutor(
    tmp_path: Path, namespace: str, tutor_params: dict[str, Any], engine: Engine
) -> Callable[..., TutorApp]:
    """The tutor on the real engine, with this test's folders and names."""

    def build(**options: Any) -> TutorApp:
        settings: dict[str, Any] = {
            "connect_engine": connect,
            "progress_root": tmp_path / "progress",
            "workspace_root": tmp_path / "workspace",
            "namespace": namespace,
            "params": tutor_params,
            "language": "en",
        }
        settings.update(options)
        return make_app(**settings)

    return build


class Learner:
    """Presses the keys a learner would: answers, lets the tutor run steps, goes on."""

    def __init__(self, app: TutorApp, pilot: Pilot[Any]) -> None:
        self.app = app
        self.pilot = pilot

    @property
    def lesson(self) -> LessonScreen:
        screen = next(s for s in reversed(self.app.screen_stack) if isinstance(s, LessonScreen))
        return screen

    def at(self) -> tuple[str, str | None]:
        step = self.lesson.steps.step
        return self.lesson.lesson.id, step.id if step else None

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.app, self.pilot)

    async def one_move(self) -> None:
        """Whatever the learner would do next on the screen in front of them."""
        screen: Screen[Any] = self.app.screen
        if isinstance(screen, PredictionScreen):
            await self.press("1")
        elif isinstance(screen, OutcomeScreen):
            await self.press("enter")
        elif isinstance(screen, LessonScreen) and screen.steps.step is None:
            await self.press("n")
        elif isinstance(screen, LessonScreen) and screen.query_one(StepPanel).state is PREDICT:
            await self.press("p")
        elif isinstance(screen, LessonScreen):
            await self.press("t")
        else:
            raise AssertionError(f"unexpected screen {screen!r}")

    async def walk_to(self, lesson: str, step: str | None, *, limit: int = 60) -> None:
        """Move on until that step of that lesson is the current one (its prediction,
        if it has one, may be open in front of it)."""
        for _ in range(limit):
            if self.at() == (lesson, step):
                return
            await self.one_move()
        raise AssertionError(f"never reached {lesson}/{step}; at {self.at()}")

    async def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Let engine events arrive until ``condition`` holds (bounded, no sleeps)."""
        for _ in range(EVENT_PATIENCE):
            if condition():
                return
            await self.pilot.pause(0.05)
            await settle(self.app, self.pilot)
        raise AssertionError(f"timed out waiting for {what}")


def static_text(screen: Screen[Any], selector: str) -> str:
    return " ".join(str(w.render()) for w in screen.query(selector).results(Static))


async def test_a_learner_walks_lessons_1_to_7(
    real_tutor: Callable[..., TutorApp],
    docker_client: docker.DockerClient,
    namespace: str,
    tutor_params: dict[str, Any],
) -> None:
    app = real_tutor()
    container, cow = tutor_params["container"], f"{tutor_params['container']}-cow"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.engine is not None and app.engine_error is None
        assert not app.screen.query_one(EngineBanner).has_class("-shown")
        me = Learner(app, pilot)
        await me.press("enter")

        # Lessons 1-2: files written, the image built; the build log shows its steps.
        await me.walk_to("build", "list-images")
        built = me.lesson.query_one(BuildLog).steps
        words = [built[n].instruction.split()[0] for n in sorted(built)]
        assert words[:4] == ["FROM", "RUN", "CMD", "COPY"]
        assert app.runner is not None
        assert (app.runner.workspace.folder("the-app") / "Dockerfile").is_file()

        # Lesson 3: the app runs; the page it serves is fetched through its port.
        await me.walk_to("run", "visit")
        await me.press("t")
        assert "hello world" in static_text(me.lesson, "ContainersPanel #output-text")
        assert me.at() == ("run", "list-containers")
        page_panel = me.lesson.query_one(ContainersPanel)
        assert container in [info.name for info in page_panel.containers]

        # Lesson 5: after a change to app.py only the COPY step is rebuilt. The
        # engine's build cache is shared with every earlier run, so this run's
        # app.py gets a line of its own, as a learner's own edit would.
        await me.walk_to("cache", "change-the-text")
        app_py = app.runner.workspace.folder("cache") / "app.py"
        app_py.write_text(app_py.read_text() + f"# {namespace}\n")
        await me.walk_to("cache", "rebuild")
        assert isinstance(app.screen, PredictionScreen)  # asked before the step
        await me.press("1")
        await me.press("t")
        panel = me.lesson.query_one(StepPanel)
        assert isinstance(app.screen, OutcomeScreen), (panel.state, panel.detail, me.at())
        steps = me.lesson.query_one(BuildLog).steps
        assert [steps[n].cached for n in (2, 3, 4)] == [True, True, False]
        assert "BUILT" in static_text(me.lesson, "BuildLog #status")
        # Switched to Portuguese, the log says the same build again in the learner's
        # words, the engine's reason for the miss too; then back to English.
        app.language = "pt-BR"
        await settle(app, pilot)
        written = "\n".join(line.text for line in me.lesson.query_one(BuildLog).log_view.lines)
        assert "BUILT  passo 4 em" in written and "cache miss" not in written
        assert "sem cache: um arquivo copiado por COPY/ADD mudou" in written
        assert "✓ Build de" in static_text(me.lesson, "BuildLog #status")
        app.language = "en"
        await settle(app, pilot)

        # Lesson 6: the second app shares the base and the pip layer with the first.
        await me.walk_to("sharing", "what-it-costs")
        if isinstance(app.screen, PredictionScreen):
            await me.press("escape")  # decide later: look at the layers first
        await me.press("3")
        shared_by = f"shared by {tutor_params['image']} and {tutor_params['image2']}"
        assert shared_by in static_text(me.lesson, "LayerStack .base-title"), screen_text(app)
        sharing = me.lesson.deck.shown.sharing
        assert sharing is not None
        assert len(sharing.shared_chain_ids) >= 2 and sharing.bytes_saved > 0

        # Lesson 7: copy-on-write, seen in the diff as files change in the container.
        await me.walk_to("copy-on-write", "add-a-file")
        await me.press("6")  # the diff panel
        diff_view = me.lesson.query_one(DiffView)
        assert diff_view.diff is not None
        assert ("/app.py", ChangeKind.CHANGED) in {(c.path, c.kind) for c in diff_view.diff.changes}
        # Done outside the app, as in another terminal: the engine's events tell the tutor.
        docker_client.containers.get(cow).exec_run(["sh", "-c", "echo 'a note' > /notes.txt"])
        await me.wait_for(lambda: me.at()[1] != "add-a-file", "the step done outside to pass")
        assert me.at() == ("copy-on-write", "delete-a-file")
        assert diff_view.diff is not None
        assert "/notes.txt" in {c.path for c in diff_view.diff.changes}
        # Through the diff panel's command line.
        me.lesson.query_one(ExecInput).focus()
        await pilot.press(*"rm /usr/local/bin/flask", "enter")
        await me.wait_for(lambda: me.at()[1] != "delete-a-file", "the exec to delete the file")
        deleted = {(c.path, c.kind) for c in diff_view.diff.changes}
        assert ("/usr/local/bin/flask", ChangeKind.DELETED) in deleted
        assert "exit 0" in static_text(me.lesson, "DiffView #exec-result")
        # A file a process in the container writes later makes no engine event (the
        # exec that started it is over at once): the diff panel's poll shows it anyway.
        later = ["sh", "-c", "(sleep 2; echo late > /late.txt) >/dev/null 2>&1 &"]
        docker_client.containers.get(cow).exec_run(later)
        await me.wait_for(
            lambda: (
                diff_view.diff is not None
                and ("/late.txt", ChangeKind.ADDED)
                in {(c.path, c.kind) for c in diff_view.diff.changes}
            ),
            "the poll to show a file no event announced",
        )
        if isinstance(app.screen, PredictionScreen):
            await me.press("escape")  # decide later
        await me.press("escape")  # out of the command line: the keys are the tutor's again
        await me.walk_to("push", "start-a-registry")
        assert app.progress.status("copy-on-write").value == "done"

        ours = docker_client.containers.list(all=True, filters={"label": label_filters(namespace)})
        assert {c.name for c in ours} >= {container, cow}
        await pilot.press("q")
        await me.wait_for(lambda: not app.is_running, "quitting")
    left = docker_client.containers.list(all=True, filters={"label": label_filters(namespace)})
    assert left == []  # the containers started in this session are gone


async def test_the_banner_goes_away_when_the_engine_answers_again(
    real_tutor: Callable[..., TutorApp],
) -> None:
    attempts: list[str] = []

    def first_down_then_up() -> Engine:
        attempts.append("try")
        if len(attempts) == 1:
            raise EngineUnreachable("No Docker engine answers yet.", "Start Docker, press r.")
        return connect()

    app = real_tutor(connect_engine=first_down_then_up)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one(EngineBanner).has_class("-shown")
        assert "No Docker engine answers yet." in screen_text(app)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, CourseScreen)
        assert app.engine is not None and app.runner is not None
        assert not app.screen.query_one(EngineBanner).has_class("-shown")
        assert "No Docker engine answers yet." not in screen_text(app)


async def test_the_course_is_drawn_while_the_engine_connects_then_the_banner_goes(
    real_tutor: Callable[..., TutorApp],
) -> None:
    """The course screen does not wait for the engine: it says it connects, then it is ready."""
    answer = threading.Event()

    def slow_engine() -> Engine:
        answer.wait(60)  # an engine that takes its time (a remote one, a busy machine)
        return connect()

    app = real_tutor(connect_engine=slow_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            for _ in range(200):  # no settle: it would wait for the connection
                await pilot.pause()
                if isinstance(app.screen, CourseScreen) and "Clean up" in screen_text(app):
                    break
            shown = screen_text(app)
            assert "Connecting to the Docker engine" in shown
            assert "Clean up" in shown  # lesson 10, drawn from the lesson files alone
            assert app.connecting and app.runner is None
            assert app.screen.query_one(EngineBanner).has_class("-connecting")
        finally:
            answer.set()
        await settle(app, pilot)
        assert app.runner is not None and not app.connecting
        assert not app.screen.query_one(EngineBanner).has_class("-shown")
        assert "Connecting" not in screen_text(app)
        app.open_lesson(app.course.lessons[0].id)  # a lesson opens on the engine now
        await settle(app, pilot)
        assert "Connecting" not in screen_text(app)


async def test_leaving_a_lesson_while_its_file_tabs_are_made_is_safe(
    real_tutor: Callable[..., TutorApp],
) -> None:
    """Escape pressed while the files panel still adds its tabs (the engine's
    answer arrives just then) once crashed the app with "No Tab with id"."""
    app = real_tutor()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        lesson_id = app.course.lessons[6].id
        for _ in range(3):
            for delay in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5):
                app.open_lesson(lesson_id)
                await pilot.pause(delay)
                await pilot.press("escape")
                await pilot.pause(0.05)
        await settle(app, pilot)
        assert app._exception is None
        assert isinstance(app.screen, CourseScreen)
        app.open_lesson(lesson_id)
        await settle(app, pilot)
        files = app.screen.query_one(FilesView)
        assert files.query(Tab) and "Dockerfile" in [str(tab.label) for tab in files.query(Tab)]


async def test_a_lesson_left_after_its_engine_work_is_freed(
    real_tutor: Callable[..., TutorApp],
) -> None:
    """The lesson's thread workers (check, diff poll, engine events) ran for it;
    the threads outlive them and once kept the last screen each had worked for."""
    app = real_tutor()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        app.open_lesson(app.course.lessons[6].id)
        await settle(app, pilot)
        await pilot.pause(DIFF_POLL * 1.5)  # a diff poll or two ran in a thread too
        await settle(app, pilot)
        lesson = weakref.ref(next(s for s in app.screen_stack if isinstance(s, LessonScreen)))
        while not isinstance(app.screen, CourseScreen):
            await pilot.press("escape")
            await settle(app, pilot)
        for _ in range(EVENT_PATIENCE):  # the events thread notices its cancel in time
            gc.collect()
            if lesson() is None:
                break
            await pilot.pause(0.05)
        assert lesson() is None


async def test_an_engine_gone_mid_lesson_shows_the_banner_until_retry(
    private_engine: provision.PrivateEngine, tmp_path: Path, namespace: str
) -> None:
    env = {"DOCKER_HOST": private_engine.host}
    app = make_app(
        connect_engine=lambda: connect(env),
        progress_root=tmp_path / "progress",
        workspace_root=tmp_path / "workspace",
        namespace=namespace,
        params={"base_image": provision.BUSYBOX},
        language="en",
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        me = Learner(app, pilot)
        await me.press("enter")
        assert me.at() == ("the-app", "write-files")
        lesson = me.lesson
        assert not lesson.query_one(EngineBanner).has_class("-shown")
        private_engine.stop()
        banner = lesson.query_one(EngineBanner)
        await me.wait_for(lambda: banner.has_class("-shown"), "the banner")
        assert "No Docker engine answers" in screen_text(app)
        assert "Welcome!" in lesson.query_one("#prose-text", Markdown).source  # still readable
        private_engine.start()
        await me.press("r")
        await me.wait_for(lambda: not banner.has_class("-shown"), "the banner to go")
        await me.press("t")
        assert me.at() == ("the-app", "which-lines-add-files")


def start_sleeper(engine: Engine, image: str, name: str, namespace: str) -> str:
    """A labelled container of the learner's, as a lesson step would start one."""
    return containers.run(
        engine, image, name=name, namespace=namespace, lesson="run", command=["sleep", "300"]
    ).id


@pytest.mark.parametrize("keep", [False, True], ids=["cleaned", "kept"])
async def test_quitting_removes_only_this_sessions_containers_unless_kept(
    real_tutor: Callable[..., TutorApp],
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    keep: bool,
) -> None:
    busybox = fixture_images["busybox"]
    before = start_sleeper(engine, busybox, f"{namespace}-before", namespace)
    app = real_tutor(keep_containers=keep)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.engine is not None
        during = start_sleeper(engine, busybox, f"{namespace}-during", namespace)
        await pilot.press("q")
        for _ in range(EVENT_PATIENCE):
            if not app.is_running:
                break
            await pilot.pause(0.05)
    left = {c.id for c in docker_client.containers.list(all=True)}
    assert before in left  # there before the session: not the tutor's to remove now
    assert (during in left) is keep


class ContainerCount(Static):
    """A panel a course author might add: how many containers the learner has now."""

    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__("…", id=id, markup=False)

    def set_language(self, language: str) -> None:
        """Its words are the engine's count only."""

    def show_value(self, value: object) -> None:
        """Draw what the registry entry's reader read."""
        self.update(f"containers of yours: {value}")


def count_containers(
    runner: LessonRunner, lesson: Lesson, targets: PanelTargets, cancel: threading.Event
) -> int:
    """The new panel's reader: an engine function, in the deck's worker."""
    return len(containers.ours(runner.engine, runner.namespace))


async def test_a_panel_is_added_with_its_widget_and_one_registry_entry(
    real_tutor: Callable[..., TutorApp],
    monkeypatch: pytest.MonkeyPatch,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    entry = Panel("count", "panel.count", ContainerCount, reads=count_containers)
    # In the ninth place (the last number key), where the Images panel is.
    monkeypatch.setattr(panels, "PANELS", (*panels.PANELS[:8], entry))
    app = real_tutor()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.open_lesson(app.course.lessons[2].id)
        await settle(app, pilot)
        await pilot.press("9")  # the ninth panel's number key, from the registry
        await settle(app, pilot)
        shown = app.screen.query_one("#count", ContainerCount)
        assert shown.region.height > 0 and "containers of yours: 0" in screen_text(app)
        labels = labels_for(namespace, "run")
        docker_client.containers.run(fixture_images["busybox"], ["sleep", "30"], detach=True,
                                     labels=labels, name=f"{namespace}-count")  # fmt: skip
        for _ in range(EVENT_PATIENCE):  # the engine's event makes the deck read again
            if "containers of yours: 1" in screen_text(app):
                break
            await pilot.pause(0.05)
        assert "containers of yours: 1" in screen_text(app)


async def test_c_on_a_history_step_shows_the_history_as_it_passes(
    real_tutor: Callable[..., TutorApp],
    fixture_images: dict[str, str],
    tutor_params: dict[str, Any],
    docker_client: docker.DockerClient,
    namespace: str,
) -> None:
    # A learner who typed `docker image history` in their own terminal presses c: the
    # step passes, and the History panel shows what they saw (it was never shown).
    # The learner's image, as lesson 2 leaves it: theirs by its labels.
    dockerfile = io.BytesIO(f"FROM {fixture_images['busybox']}\nRUN touch /app.py\n".encode())
    docker_client.images.build(fileobj=dockerfile, tag=tutor_params["image"], rm=True,
                               labels=labels_for(namespace, "build"))  # fmt: skip
    app = real_tutor()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.open_lesson("history")
        await settle(app, pilot)
        if isinstance(app.screen, PredictionScreen):
            await pilot.press("1")
            await settle(app, pilot)
        lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
        first = lesson.lesson.steps[0].id
        assert lesson.steps.step is not None and lesson.steps.step.id == first
        await pilot.press("c")
        for _ in range(EVENT_PATIENCE):
            if first in lesson.steps.passed:
                break
            await pilot.pause(0.05)
            await settle(app, pilot)
        assert first in lesson.steps.passed and first in lesson.steps.ran
        # The History panel was brought forward and shows the image's rows.
        assert lesson.deck.active == "pane-history"
        table = lesson.query_one(HistoryTable)
        for _ in range(EVENT_PATIENCE):
            if table.table.row_count:
                break
            await pilot.pause(0.05)
        assert table.table.row_count >= 3  # busybox's COPY, RUN and CMD


async def test_a_command_in_the_diff_panel_shows_it_runs_and_is_stopped(
    real_tutor: Callable[..., TutorApp],
    engine: Engine,
    fixture_images: dict[str, str],
    tutor_params: dict[str, Any],
    namespace: str,
) -> None:
    # `sleep 30` typed in the Diff panel: it says the command runs, ctrl+t stops it in
    # the container (which keeps running), and the exit status shows (issue 12, #14).
    cow = f"{tutor_params['container']}-cow"
    start_sleeper(engine, fixture_images["busybox"], cow, namespace)
    app = real_tutor()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        app.open_lesson("copy-on-write")
        await settle(app, pilot)
        lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
        view = lesson.query_one(DiffView)
        for _ in range(EVENT_PATIENCE):  # the deck reads the container's diff
            if isinstance(app.screen, PredictionScreen):
                await pilot.press("escape")  # decide later
            if view.container is not None and app.screen is lesson:
                break
            await pilot.pause(0.05)
            await settle(app, pilot)
        lesson.query_one(ExecInput).focus()
        await pilot.press(*"sleep 30; echo $((6*7))", "enter")
        await pilot.pause()
        assert "running… ctrl+t stops it" in static_text(lesson, "DiffView #exec-result")
        for _ in range(EVENT_PATIENCE):  # until the command runs in the container
            if "sleep 30" in containers.exec_in(engine, cow, "ps -o args").output:
                break
            await pilot.pause(0.05)
        await pilot.press("ctrl+t")
        for _ in range(EVENT_PATIENCE):
            if view.running is None:
                break
            await pilot.pause(0.05)
        shown = static_text(lesson, "DiffView #exec-result")
        assert "(stopped, exit 143)" in shown and "42" not in shown
        info = containers.container_info(engine, cow)
        assert info is not None and info.status == "running"


async def test_c_on_lesson_2s_image_list_step_shows_the_images_panel(
    real_tutor: Callable[..., TutorApp],
    fixture_images: dict[str, str],
    tutor_params: dict[str, Any],
) -> None:
    # Lesson 2 step 2 asks which image shows up in `docker image ls` beside the
    # learner's: the list must be on screen, and stay there (issue 12, finding 5).
    app = real_tutor()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        lesson_2 = app.course.lesson("build")
        assert lesson_2 is not None
        app.progress.mark_step_done("build", "build", [s.id for s in lesson_2.steps])
        app.open_lesson("build")
        await settle(app, pilot)
        assert isinstance(app.screen, PredictionScreen)
        await pilot.press("3")
        await settle(app, pilot)
        lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
        assert lesson.steps.step is not None and lesson.steps.step.id == "list-images"
        await pilot.press("c")
        base = fixture_images["python"].rsplit(":", 1)[0]
        for _ in range(EVENT_PATIENCE):
            if base in screen_text(app):
                break
            await pilot.pause(0.05)
            await settle(app, pilot)
        assert lesson.deck.active == "pane-images"
        assert base in screen_text(app) and "REPOSITORY" in screen_text(app)
