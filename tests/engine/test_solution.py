"""The solution check: the real course, played by learners who do everything right.

Every lesson in order, on the real engine: before each step its check must
fail (a check that cannot fail teaches nothing), then the tutor performs the
step (predictions get the right answer), then the check must pass. After a
lesson, what its text says about the engine is asserted too
(``tests/engine/lesson_claims.py``). At the end the clean-up lesson must leave
nothing of the learner's namespace behind, including what the learner made by
hand from the course's images (it inherits their labels).

A second test plays the cache lesson for two learners on one engine, one
after the other: the build cache is shared, so each learner's app files carry
``{learner}`` and each must still see their own cache misses.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import docker
import docker.errors
import pytest

from tests.engine.lesson_claims import AFTER, HandMade
from tutor.course.actions import ActionDone
from tutor.course.journal import Journal
from tutor.course.loader import default_course_root, load_course
from tutor.course.model import Lesson, Value
from tutor.course.params import LEARNER, namespaced, resolve
from tutor.course.runner import LessonRunner
from tutor.engine.build_events import StepFinished
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.labels import NAMESPACE_LABEL, TOOL_LABEL, TOOL_NAME
from tutor.engine.ports import free_port

#: Course names that the test makes unique, so parallel runs never collide.
NAMES = ("image", "image2", "base", "container", "container2")


def learner(engine: Engine, namespace: str, folder: Path, images: dict[str, str]) -> LessonRunner:
    """The runner of one learner on the shared engine, with names of their own."""
    root = default_course_root()
    defaults = load_course(root).params
    overrides: dict[str, Value] = {
        "base_image": images["python"],
        "registry_image": images["registry"],
        "port": free_port(int(defaults["port"]), engine),
        **{name: namespaced(str(defaults[name]), namespace) for name in NAMES},
    }
    course = load_course(root, overrides=overrides)
    assert not course.all_problems, "\n".join(map(str, course.all_problems))
    session = resolve(engine, course, namespace=namespace)
    assert session.values[LEARNER] == namespace
    journal = Journal.load(folder / "journal.json")
    return LessonRunner(engine, course, params=session.values, workspace=folder / "ws",
                        namespace=namespace, journal=journal)  # fmt: skip


def play(
    runner: LessonRunner, lesson: Lesson, seen: dict[str, list[object]] | None = None
) -> dict[str, list[StepFinished]]:
    """Every step of ``lesson``: its check fails, the tutor does it, its check passes.

    Args:
        runner: The learner.
        lesson: The lesson to play.
        seen: When given, filled with step id -> every event its action yielded.

    Returns:
        Step id -> the build steps its action finished (for steps that build).
    """
    assert runner.prepare(lesson) == [], lesson.id
    builds: dict[str, list[StepFinished]] = {}
    for step in lesson.steps:
        where = f"{lesson.id}/{step.id}"
        before = runner.check(lesson, step)
        assert not before.passed, f"{where}: the check passes before the step"
        if step.prediction is not None:
            runner.record_answer(lesson, step, step.prediction.answer)
        if step.action is not None:
            events = list(runner.perform(lesson, step))
            assert isinstance(events[-1], ActionDone), f"{where}: {events[-1]}"
            builds[step.id] = [e for e in events if isinstance(e, StepFinished)]
            if seen is not None:
                seen[step.id] = list(events)
        after = runner.check(lesson, step)
        assert after.passed, f"{where}: {after.detail}"
    return builds


@pytest.mark.slow
def test_a_learner_who_does_everything_right_passes_every_step(
    engine: Engine,
    namespace: str,
    tmp_path: Path,
    fixture_images: dict[str, str],
    docker_client: docker.DockerClient,
) -> None:
    runner = learner(engine, namespace, tmp_path, fixture_images)
    assert len(runner.course.lessons) == len(runner.course.entries) == 10
    hand_made = HandMade(runner, docker_client)
    try:
        for lesson in runner.course.lessons:
            if lesson.id == "clean-up":
                hand_made.make()
            seen: dict[str, list[object]] = {}
            play(runner, lesson, seen)
            if lesson.id in AFTER:  # what the lesson says about the engine holds
                AFTER[lesson.id](runner, seen, docker_client)
        hand_made.check()
    finally:
        hand_made.remove()

    labels = {"label": [f"{TOOL_LABEL}={TOOL_NAME}", f"{NAMESPACE_LABEL}={namespace}"]}
    assert docker_client.containers.list(all=True, filters=labels) == []
    assert docker_client.images.list(filters=labels) == []
    assert docker_client.networks.list(filters=labels) == []
    assert docker_client.volumes.list(filters=labels) == []


@pytest.mark.slow
def test_two_learners_on_one_engine_each_see_their_own_cache_misses(
    engine: Engine,
    namespace: str,
    tmp_path: Path,
    fixture_images: dict[str, str],
    docker_client: docker.DockerClient,
) -> None:
    second = f"{namespace}-b"  # not swept by the fixture: cleaned below
    try:
        builds = {}
        for ns in (namespace, second):
            runner = learner(engine, ns, tmp_path / ns, fixture_images)
            first, cache = runner.course.lesson("build"), runner.course.lesson("cache")
            assert first is not None and cache is not None
            app_py = runner.workspace.folder("cache") / "app.py"
            builds[ns] = {**play(runner, first), **play(runner, cache)}
            assert f"# {ns}'s copy of the course app" in app_py.read_text()

        def cached(ns: str, step: str) -> list[bool]:
            return [s.cached for s in builds[ns][step][:4]]

        # The second learner builds the same Dockerfile on the same base as the
        # first, just before: RUN pip install flask is shared (steps 2 and 3
        # come from the cache), but app.py names its learner, so COPY is theirs.
        assert cached(second, "build") == [True, True, True, False]
        for ns in (namespace, second):  # and every rebuild missed where the lesson says
            assert cached(ns, "rebuild") == [True, True, True, False]
            assert cached(ns, "rebuild-moved") == [True, False, False, False]
            assert cached(ns, "rebuild-again") == [True, False, False, False]
            assert cached(ns, "rebuild-restored") == [True, True, True, False]
        assert builds[namespace]["rebuild"][3].image_id != builds[second]["rebuild"][3].image_id
    finally:
        clean(engine, second)
        labels = {"label": [f"{TOOL_LABEL}={TOOL_NAME}", f"{NAMESPACE_LABEL}={second}"]}
        for image in docker_client.images.list(filters=labels):
            with contextlib.suppress(docker.errors.APIError):
                docker_client.images.remove(image.id, force=True)
