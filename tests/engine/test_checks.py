"""Every check kind on the real engine: it fails before its step and passes after.

Each step is done once by the runner (``perform``) and, where a learner could
do it in another terminal, once straight through docker-py, without the
tutor's labels or journal: the check must pass for both.
"""

from __future__ import annotations

import contextlib
import io
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

import docker
import docker.errors
import pytest

from tests.conftest import sweep_namespace
from tutor.course.actions import (
    PERFORMERS,
    ActionDone,
    ActionEvent,
    ActionFailed,
    ActionOutput,
)
from tutor.course.checks import DECIDERS, created_at
from tutor.course.journal import Journal
from tutor.course.model import Action, Check, Course, Lesson, LessonEntry, LessonFile, Step
from tutor.course.params import resolve
from tutor.course.runner import LessonRunner
from tutor.course.vocabulary import ACTIONS, CHECKS
from tutor.engine.connection import Engine
from tutor.engine.labels import labels_for
from tutor.i18n import say
from tutor.sentence import Sentence

DOCKERFILE = """FROM {base_image}
RUN echo built > /built.txt
CMD ["sh", "-c", "mkdir /www && cp /app.txt /www/index.html && httpd -f -v -p 8080 -h /www"]
COPY app.txt /app.txt
"""
FILES = {
    "Dockerfile": DOCKERFILE,
    "app.txt": "hello world!\n",
    "two/Dockerfile": "FROM {base_image}\nRUN echo built > /built.txt\nCOPY b.txt /b.txt\n",
    "two/b.txt": "second\n",
    "three/Dockerfile": "FROM {image}\nCOPY c.txt /c.txt\n",
    "three/c.txt": "third\n",
}


def step(sid: str, check: str, action: str | None = None, **args: object) -> Step:
    """A step whose check takes ``args`` named ``c_*`` and whose action takes the rest."""
    check_args = {k[2:]: v for k, v in args.items() if k.startswith("c_")}
    action_args = {k: v for k, v in args.items() if not k.startswith("c_")}
    act = Action(action, MappingProxyType(action_args)) if action else None
    return Step(sid, f"do {sid}", Check(check, MappingProxyType(check_args)), act)


def make_lesson(root: Path, lesson_id: str, steps: list[Step]) -> Lesson:
    files = []
    for name, text in FILES.items():
        source = root / lesson_id / "files" / name
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(text)
        files.append(LessonFile(name, source))
    return Lesson(lesson_id, root / lesson_id, {"en": lesson_id}, {"en": ""}, tuple(files),
                  tuple(steps))  # fmt: skip


class MakeRunner(Protocol):
    """The ``make_runner`` fixture: a runner for a course of ``lessons``."""

    def __call__(self, *lessons: Lesson) -> LessonRunner: ...


@pytest.fixture
def make_runner(
    engine: Engine, namespace: str, tmp_path: Path, fixture_images: dict[str, str]
) -> Iterator[MakeRunner]:
    def build(*lessons: Lesson) -> LessonRunner:
        course = Course("t", tmp_path, {"en": "t"}, ("en",), "en", {},
                        tuple(LessonEntry(x.id, {}, x) for x in lessons))  # fmt: skip
        params = {
            "base_image": fixture_images["busybox"],
            "image": f"lt-app-{namespace}",
            "image2": f"lt-two-{namespace}",
            "image3": f"lt-three-{namespace}",
            "container": f"lt-c-{namespace}",
            "registry": "",
            "registry_image": fixture_images["registry"],
            "repository": f"{{registry}}/lt-app-{namespace}",
        }
        journal = Journal.load(tmp_path / "journal.json")
        return LessonRunner(engine, course, params=params, workspace=tmp_path / "ws",
                            namespace=namespace, journal=journal)  # fmt: skip

    yield build


def do(runner: LessonRunner, lesson: Lesson, sid: str) -> list[ActionEvent]:
    """Check fails, perform succeeds, check passes; returns the action's events."""
    item = lesson.step(sid)
    assert item is not None
    before = runner.check(lesson, item)
    assert not before.passed, f"{sid}: passed before the step: {before.detail}"
    events = list(runner.perform(lesson, item))
    assert isinstance(events[-1], ActionDone), events[-1]
    after = runner.check(lesson, item)
    assert after.passed, f"{sid}: {after.detail}"
    return events


def test_every_kind_of_the_vocabulary_is_implemented() -> None:
    assert set(PERFORMERS) == set(ACTIONS)
    assert set(DECIDERS) == set(CHECKS)


def test_files_builds_and_the_cache(
    make_runner: MakeRunner, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    lesson = make_lesson(tmp_path / "course", "files", [
        step("write", "files_written", "write_files", c_files=("Dockerfile", "app.txt")),
        step("build", "image_exists", "build", tag="{image}", c_image="{image}", c_layers=3),
        step("edit", "file_contains", "edit", file="app.txt", find="hello world!",
             replace="hello again!", c_file="app.txt", c_text="hello again!"),
        step("rebuild", "build_cached", "build", tag="{image}", c_image="{image}",
             c_cached=(2, 3), c_built=(4,)),
        step("move", "file_contains", "move_line", file="Dockerfile", line="COPY app.txt /app.txt",
             before="RUN echo built > /built.txt", c_file="Dockerfile",
             c_text="COPY app.txt /app.txt\nRUN echo built"),
        step("rebuild-moved", "build_cached", "build", tag="{image}", c_image="{image}",
             c_built=(2, 3, 4)),
        step("remove", "image_absent", "remove_image", image="{image}", c_image="{image}"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    assert runner.prepare(lesson) == []  # write_files copies the files, not prepare
    for sid in ("write", "build", "edit"):
        do(runner, lesson, sid)
    rebuild = lesson.step("rebuild")
    assert rebuild is not None
    other = make_lesson(tmp_path / "course", "other", [rebuild])
    runner.prepare(other)  # its files are older than the rebuild below
    do(runner, lesson, "rebuild")
    # Built by the tutor in another lesson: not a build of this lesson's files.
    elsewhere = runner.check(other, rebuild)
    assert not elsewhere.passed and "was built in the lesson 'files'" in elsewhere.detail
    record = runner.journal.builds[f"lt-app-{runner.namespace}:latest"]
    assert [s["cached"] for s in record.steps][:4] == [True, True, True, False]

    # The same change built in another terminal: decided from the image history.
    folder = runner.workspace.folder("files")
    (folder / "app.txt").write_text("hello from the terminal!\n")
    tag = f"lt-app-{runner.namespace}"
    try:
        assert not runner.check(lesson, rebuild).passed  # built before the change
        list(docker_client.api.build(path=str(folder), tag=tag, rm=True, decode=True))
        assert runner.check(lesson, rebuild).passed, runner.check(lesson, rebuild).detail
        wrong = step("wrong", "build_cached", c_image="{image}", c_cached=(4,))
        result = runner.check(lesson, wrong)
        assert not result.passed and "step 4 ran again" in result.detail
    finally:
        with contextlib.suppress(docker.errors.APIError):
            docker_client.images.remove(tag)
    for sid in ("move", "rebuild-moved", "remove"):
        do(runner, lesson, sid)


def test_sharing_and_base_images(
    make_runner: MakeRunner, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    lesson = make_lesson(tmp_path / "course", "sharing", [
        step("one", "image_exists", "build", tag="{image}", c_image="{image}"),
        step("two", "images_share", "build", tag="{image2}", context="two",
             c_images=("{image}", "{image2}"), c_base="{base_image}", c_min_layers=1),
        step("three", "image_from", "build", tag="{image3}", context="three",
             c_image="{image3}", c_base="{image}"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    runner.prepare(lesson)
    for sid in ("one", "two", "three"):
        do(runner, lesson, sid)
    # Sharing only the base is not enough: min_layers counts above it.
    not_enough = step("x", "images_share", c_images=("{image}", "{image3}", "{image2}"),
                      c_base="{base_image}", c_min_layers=2)  # fmt: skip
    assert not runner.check(lesson, not_enough).passed


def test_containers_pages_logs_and_diff(
    make_runner: MakeRunner,
    tmp_path: Path,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
) -> None:
    lesson = make_lesson(tmp_path / "course", "run", [
        step("build", "image_exists", "build", tag="{image}", c_image="{image}"),
        step("run", "container_running", "run", image="{image}", name="{container}",
             container_port=8080, c_name="{container}"),
        step("page", "page_contains", "fetch", container="{container}",
             c_container="{container}", c_text="hello world!"),
        step("visit", "logs_contain", "fetch", container="{container}",
             c_container="{container}", c_text="response:200"),
        step("many", "containers_from_image", "run", image="{image}", name="{container}-n",
             count=2, c_image="{image}", c_count=3),
        step("change", "diff_has", "exec", container="{container}",
             command="sh -c 'echo more >> /app.txt'", c_container="{container}",
             c_path="/app.txt", c_change="C"),
        step("add", "diff_has", "exec", container="{container}", command="touch /added",
             c_container="{container}", c_path="/added", c_change="A"),
        step("look", "answered", "diff", container="{container}"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    runner.prepare(lesson)
    page = lesson.step("page")
    assert page is not None and not runner.check(lesson, page).passed
    for sid in ("build", "run", "visit"):
        do(runner, lesson, sid)
    assert runner.check(lesson, page).passed  # served since the run step
    for sid in ("many", "change", "add"):
        do(runner, lesson, sid)
    outputs = [e.text for e in runner.perform(lesson, page) if isinstance(e, ActionOutput)]
    assert outputs == ["hello world!"]
    # docker diff as the tutor runs it: a copied-up file names its layer, in either language.
    look = lesson.step("look")
    assert look is not None
    lines = [e.text for e in runner.perform(lesson, look) if isinstance(e, ActionOutput)]
    changed = next(line for line in lines if line.startswith("C /app.txt"))
    assert isinstance(changed, Sentence)
    assert re.fullmatch(r"C /app\.txt    \(from layer \d+: .+\)", changed)
    assert re.fullmatch(r"C /app\.txt    \(da layer \d+: .+\)", changed.said("pt-BR"))
    assert "A /added" in lines  # new in the container: no layer to name

    # The same steps done in another terminal, without the tutor's labels.
    name = f"lt-outside-{runner.namespace}"
    outside = step("o", "container_running", c_name=name)
    assert not runner.check(lesson, outside).passed
    container = docker_client.containers.run(f"lt-app-{runner.namespace}", name=name, detach=True)
    try:
        assert runner.check(lesson, outside).passed
        deleted = step("d", "diff_has", c_container=name, c_path="/built.txt", c_change="D")
        assert not runner.check(lesson, deleted).passed
        container.exec_run(["rm", "/built.txt"])
        assert runner.check(lesson, deleted).passed
        assert runner.check(lesson, outside).passed
    finally:
        container.remove(force=True)

    # The tutor never stops or execs in a container it did not make. (A container
    # run from the tutor's image inherits its labels, so take one that is not.)
    theirs = docker_client.containers.run(
        fixture_images["busybox"], ["sleep", "60"], name=f"{name}-theirs", detach=True
    )
    try:
        stop = step("s", "container_running", "stop", container=theirs.name, c_name=theirs.name)
        assert isinstance(list(runner.perform(lesson, stop))[-1], ActionFailed)
        run_in = step("e", "answered", "exec", container=theirs.name, command="touch /x")
        assert isinstance(list(runner.perform(lesson, run_in))[-1], ActionFailed)
        assert runner.check(lesson, stop).passed
        theirs.reload()
        assert theirs.status == "running"
    finally:
        theirs.remove(force=True)
    stop_ours = step("stop", "container_running", "stop", container="{container}",
                     c_name="{container}")  # fmt: skip
    list(runner.perform(lesson, stop_ours))
    assert not runner.check(lesson, stop_ours).passed


def test_exec_never_runs_on_this_machine(make_runner: MakeRunner, tmp_path: Path) -> None:
    marker = Path(f"/layers-tutor-marker-{time.time_ns()}")  # no /tmp in busybox
    lesson = make_lesson(tmp_path / "course", "exec", [
        step("build", "image_exists", "build", tag="{image}", c_image="{image}"),
        step("run", "container_running", "run", image="{image}", name="{container}",
             c_name="{container}"),
        step("touch", "diff_has", "exec", container="{container}", command=f"touch {marker}",
             c_container="{container}", c_path=str(marker), c_change="A"),
        step("host", "answered", "shell", command=f"touch {marker}"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    runner.prepare(lesson)
    for sid in ("build", "run", "touch"):
        do(runner, lesson, sid)
    assert not marker.exists()  # it was made inside the container only
    host = lesson.step("host")
    assert host is not None
    assert isinstance(list(runner.perform(lesson, host))[-1], ActionFailed)
    assert not marker.exists()


def test_registry_push_reuse_and_clean_up(
    make_runner: MakeRunner, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    lesson = make_lesson(tmp_path / "course", "push", [
        step("build", "image_exists", "build", tag="{image}", c_image="{image}"),
        step("registry", "registry_ready", "start_registry"),
        step("push", "registry_has", "push", image="{image}", repository="{repository}",
             c_repository="{repository}"),
        step("edit", "file_contains", "edit", file="app.txt", find="hello world!",
             replace="hello v2!", c_file="app.txt", c_text="hello v2!"),
        step("build2", "build_cached", "build", tag="{image}:v2", c_image="{image}:v2",
             c_cached=(2, 3), c_built=(4,)),
        step("push2", "push_reused", "push", image="{image}:v2", repository="{repository}",
             tag="v2", c_repository="{repository}", c_tag="v2", c_min_existing=2),
        step("pull", "image_exists", "pull", reference="{repository}:v2",
             c_image="{repository}:v2"),
        step("predict", "answered"),
        step("clean", "nothing_left", "clean"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    runner.prepare(lesson)
    for sid in ("build", "registry", "push", "edit", "build2", "push2"):
        do(runner, lesson, sid)
    repository = f"{runner.params['registry']}/lt-app-{runner.namespace}"
    assert runner.journal.pushes[repository].existing >= 2

    # Pulling needs the local copy gone first (remove_image refuses others' images).
    remove = step("rm", "image_absent", "remove_image", image="{repository}:v2",
                  c_image="{repository}:v2")  # fmt: skip
    assert isinstance(list(runner.perform(lesson, remove))[-1], ActionDone)
    assert runner.check(lesson, remove).passed
    do(runner, lesson, "pull")

    # Pushed from another terminal: the registry itself is asked.
    outside = step("o", "push_reused", c_repository="{repository}", c_tag="outside")
    assert not runner.check(lesson, outside).passed
    docker_client.api.tag(f"lt-app-{runner.namespace}:v2", repository, "outside")
    list(docker_client.api.push(repository, tag="outside", stream=True, decode=True))
    assert runner.check(lesson, outside).passed

    predict = lesson.step("predict")
    assert predict is not None and not runner.check(lesson, predict).passed
    runner.record_answer(lesson, predict, 1)
    assert runner.check(lesson, predict).passed
    assert runner.journal.path is not None
    assert Journal.load(runner.journal.path).answer("push", "predict") == 1

    do(runner, lesson, "clean")
    assert runner.params["registry"] == ""
    assert not runner.check(lesson, lesson.steps[1]).passed  # the registry is gone too


def test_an_engine_that_went_away_fails_the_check_with_its_message(tmp_path: Path) -> None:
    client = docker.DockerClient(base_url="unix:///nonexistent/docker.sock", version="1.41")
    engine = Engine(client, "unix:///nonexistent/docker.sock")
    lesson = make_lesson(tmp_path / "course", "gone", [
        step("build", "image_exists", "build", tag="app", c_image="app"),
    ])  # fmt: skip
    course = Course(
        "t", tmp_path, {"en": "t"}, ("en",), "en", {}, (LessonEntry("gone", {}, lesson),)
    )
    runner = LessonRunner(engine, course, params={"registry": ""}, workspace=tmp_path / "ws",
                          namespace="nobody", journal=Journal())  # fmt: skip
    result = runner.check(lesson, lesson.steps[0])
    assert not result.passed and "No Docker engine answers" in result.detail
    runner.prepare(lesson)
    events = list(runner.perform(lesson, lesson.steps[0]))
    assert isinstance(events[-1], ActionFailed) and "No Docker engine" in events[-1].message


def test_engine_timestamps_keep_their_fraction() -> None:
    assert created_at("2026-11-28T04:38:07.41775541Z") == pytest.approx(1795840687.417755)
    assert created_at("2026-11-28T04:38:07Z") == 1795840687.0
    assert created_at("") == 0.0


def test_params_make_room_on_a_shared_engine(
    engine: Engine,
    namespace: str,
    tmp_path: Path,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
) -> None:
    lesson = make_lesson(tmp_path / "course", "names", [
        step("build", "image_exists", "build", tag="{image}", c_image="{image}"),
        step("run", "container_running", "run", image="{image}", name="{container}",
             port="{port}", container_port=8080, c_name="{container}"),
    ])  # fmt: skip
    image, container = f"lt-{namespace}-theirs", f"lt-{namespace}-theirs-c"
    busy = socket.socket()
    busy.bind(("0.0.0.0", 0))
    busy.listen()
    port = busy.getsockname()[1]
    defaults = {"image": image, "container": container, "port": port, "base_image": "x"}
    course = Course("t", tmp_path, {"en": "t"}, ("en",), "en", MappingProxyType(defaults),
                    (LessonEntry("names", {}, lesson),))  # fmt: skip
    docker_client.images.get(fixture_images["busybox"]).tag(image)  # someone else's image
    theirs = docker_client.containers.run(
        fixture_images["busybox"], ["sleep", "60"], name=container, detach=True
    )
    try:
        session = resolve(engine, course, namespace=namespace)
        assert session.values["learner"] == namespace  # the tutor's, always
        assert session.values["image"] == f"{image}-{namespace}"
        assert session.values["container"] == f"{container}-{namespace}"
        assert session.values["port"] != port and isinstance(session.values["port"], int)
        assert session.values["base_image"] == "x"  # not a name the course creates
        assert len(session.notes) == 3 and all("instead" in n for n in session.notes)
        remembered = resolve(engine, course, namespace=namespace, remembered={"image": "kept"})
        assert remembered.values["image"] == "kept"
        # The learner's own running container keeps its port across sessions.
        runner = LessonRunner(engine, course, params={**session.values, "base_image":
                              fixture_images["busybox"]}, workspace=tmp_path / "ws",
                              namespace=namespace, journal=Journal())  # fmt: skip
        runner.prepare(lesson)
        for sid in ("build", "run"):
            do(runner, lesson, sid)
        own = MappingProxyType({**defaults, "port": session.values["port"]})
        course2 = Course("t", tmp_path, {"en": "t"}, ("en",), "en", own, course.entries)
        assert resolve(engine, course2, namespace=namespace).values["port"] == own["port"]
        # Nothing of theirs was touched.
        theirs.reload()
        assert theirs.status == "running"
        assert (
            docker_client.images.get(image).id
            == docker_client.images.get(fixture_images["busybox"]).id
        )
    finally:
        busy.close()
        theirs.remove(force=True)
        docker_client.images.remove(image)  # only our extra tag; the fixture image stays


def test_a_registry_started_in_a_terminal_is_found(
    make_runner: MakeRunner,
    tmp_path: Path,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
) -> None:
    lesson = make_lesson(tmp_path / "course", "own-registry", [
        step("registry", "registry_ready", "start_registry"),
        step("push", "registry_has", "push", image="{image}", repository="{repository}",
             c_repository="{repository}"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    ready = lesson.steps[0]
    assert not runner.check(lesson, ready).passed
    theirs = docker_client.containers.run(
        fixture_images["registry"], name=f"lt-{runner.namespace}-own-registry", detach=True,
        ports={"5000/tcp": ("127.0.0.1", None)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not (result := runner.check(lesson, ready)).passed and time.monotonic() < deadline:
            time.sleep(0.2)  # the registry needs a moment before it answers
        assert result.passed, result.detail
        theirs.reload()
        port = theirs.ports["5000/tcp"][0]["HostPort"]
        assert runner.params["registry"] == f"127.0.0.1:{port}"
        push = Step("p", "docker push {repository}", Check("registry_has"))
        assert runner.command_for(push) == f"docker push 127.0.0.1:{port}/lt-app-{runner.namespace}"
        # The tutor does not start a second registry: it uses the learner's.
        events = list(runner.perform(lesson, ready))
        assert isinstance(events[-1], ActionDone) and port in events[-1].summary
    finally:
        theirs.remove(force=True)


def test_run_on_a_busy_port_publishes_a_free_one(make_runner: MakeRunner, tmp_path: Path) -> None:
    busy = socket.socket()
    busy.bind(("0.0.0.0", 0))
    busy.listen()
    port = busy.getsockname()[1]
    lesson = make_lesson(tmp_path / "course", "busy", [
        step("build", "image_exists", "build", tag="{image}", c_image="{image}"),
        step("run", "page_contains", "run", image="{image}", name="{container}", port="{port}",
             container_port=8080, c_container="{container}", c_text="hello world!"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    runner.params["port"] = port
    runner.prepare(lesson)
    try:
        do(runner, lesson, "build")
        events = do(runner, lesson, "run")
        said = [e.text for e in events if isinstance(e, ActionOutput)]
        assert f"Port {port} is busy; publishing on port" in said[0]
        published = runner.engine.api.port(runner.params["container"], 8080)[0]["HostPort"]
        # Later steps ({port} in a command or a check) use the port now in use.
        assert runner.params["port"] == int(published) != port
        assert Journal.load(tmp_path / "journal.json").params["port"] == int(published)
    finally:
        busy.close()


def test_another_learners_image_and_container_never_pass_the_learners_steps(
    make_runner: MakeRunner,
    tmp_path: Path,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
) -> None:
    lesson = make_lesson(tmp_path / "course", "theirs", [
        step("build", "image_exists", c_image="{image}"),
        step("run", "container_running", c_name="{container}"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    other = f"{runner.namespace}x"
    image, name = str(runner.params["image"]), str(runner.params["container"])
    dockerfile = io.BytesIO(f"FROM {fixture_images['busybox']}\n".encode())
    list(docker_client.api.build(fileobj=dockerfile, tag=image, labels=labels_for(other),
                                 rm=True, decode=True))  # fmt: skip
    docker_client.containers.run(fixture_images["busybox"], ["sleep", "60"], name=name,
                                 labels=labels_for(other), detach=True)  # fmt: skip
    try:
        for sid, what in (("build", f"image {image}"), ("run", f"container {name}")):
            item = lesson.step(sid)
            assert item is not None
            result = runner.check(lesson, item)
            assert not result.passed
            assert f"The {what} is another learner's" in result.detail, result.detail
        # Unlabelled, the same image is the learner's own, made in a terminal: it passes.
        docker_client.images.get(fixture_images["busybox"]).tag(image)
        built = lesson.step("build")
        assert built is not None and runner.check(lesson, built).passed
    finally:
        sweep_namespace(docker_client, other)
        with contextlib.suppress(docker.errors.APIError):
            docker_client.images.remove(image)


def test_a_hand_built_image_counts_only_when_its_history_is_the_lessons_dockerfile(
    make_runner: MakeRunner,
    tmp_path: Path,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
) -> None:
    """Issue 12, finding 20: lesson 2's build step passed on any unlabelled
    image named like the course's, even one built from something unrelated."""
    lesson = make_lesson(tmp_path / "course", "build", [
        step("build", "image_exists", "build", tag="{image}", c_image="{image}",
             c_dockerfile="Dockerfile"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    runner.prepare(lesson)
    built = lesson.step("build")
    assert built is not None
    image, busybox = str(runner.params["image"]), fixture_images["busybox"]
    folder = runner.workspace.folder("build")

    def by_hand(**how: object) -> None:
        for event in docker_client.api.build(tag=image, rm=True, decode=True, **how):
            assert "error" not in event, event

    try:
        unrelated = f"FROM {busybox}\nRUN echo {runner.namespace} > /other.txt\n"
        by_hand(fileobj=io.BytesIO(unrelated.encode()))
        result = runner.check(lesson, built)
        assert not result.passed
        words = {"image": image, "dockerfile": "Dockerfile", "base": busybox, "number": 2,
                 "expected": "RUN echo built > /built.txt",
                 "found": f"RUN echo {runner.namespace} > /other.txt"}  # fmt: skip
        assert result.detail == say("en", "check.image.other_step", **words)
        portuguese = say("pt-BR", "check.image.other_step", **words)
        assert portuguese != result.detail and "não foi construída a partir do" in portuguese

        docker_client.images.get(busybox).tag(image)  # the base alone, under the course's name
        result = runner.check(lesson, built)
        assert not result.passed and "its history stops before step 2" in result.detail

        other_base = f"FROM {fixture_images['python']}\n" + DOCKERFILE.split("\n", 1)[1]
        (folder / "Other.Dockerfile").write_text(other_base)  # the right steps, another base
        by_hand(path=str(folder), dockerfile="Other.Dockerfile")
        result = runner.check(lesson, built)
        assert not result.passed
        assert result.detail == say("en", "check.image.other_base", **words)
        assert say("pt-BR", "check.image.other_base", **words) != result.detail

        by_hand(path=str(folder))  # built by hand from the learner's workspace copy
        result = runner.check(lesson, built)
        assert result.passed, result.detail
    finally:
        with contextlib.suppress(docker.errors.APIError):
            docker_client.images.remove(image, force=True)


def test_a_logs_check_waits_a_moment_for_a_running_containers_line(
    make_runner: MakeRunner,
    tmp_path: Path,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
) -> None:
    """A server writes its access line just after the response the learner's fetch
    got: the visit step's check, right after, once read the output too early (two
    learners at once on a busy machine). A running container is given a moment."""
    lesson = make_lesson(tmp_path / "course", "late", [
        step("late", "logs_contain", c_container="{container}", c_text="GET / HTTP"),
        step("never", "logs_contain", c_container="{container}", c_text="POST /"),
    ])  # fmt: skip
    runner = make_runner(lesson)
    name = str(runner.params["container"])
    docker_client.containers.run(
        fixture_images["busybox"], ["sh", "-c", "sleep 0.8; echo 'GET / HTTP/1.1 200'; sleep 60"],
        name=name, labels=labels_for(runner.namespace), detach=True,
    )  # fmt: skip
    late, never = lesson.step("late"), lesson.step("never")
    assert late is not None and never is not None
    result = runner.check(lesson, late)
    assert result.passed, result.detail
    result = runner.check(lesson, never)
    assert not result.passed
    assert result.detail == f"The output of {name} does not show 'POST /' yet."
    docker_client.containers.get(name).stop(timeout=0)
    # A stopped container prints nothing more: no wait, and still no line.
    assert not runner.check(lesson, never).passed
