"""A learner's tutor set-up for the kill-point tests, and the engine states they wait for."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from tests.reliability.engine_state import containers_on, descendants
from tutor.course.journal import Journal
from tutor.course.model import Course
from tutor.course.params import resolve
from tutor.course.runner import ActionDone, LessonRunner
from tutor.engine.connection import Engine
from tutor.engine.labels import label_filters
from tutor.progress_store import ProgressStore


@dataclass
class Learner:
    """One learner's tutor set-up: the same folders for the test and the tutor it starts."""

    namespace: str
    base: str
    base_id: str
    folder: Path
    course: Course
    overrides: dict[str, str]

    @property
    def env(self) -> dict[str, str]:
        return {
            "LAYERS_TUTOR_NAMESPACE": self.namespace,
            "XDG_DATA_HOME": str(self.folder / "data"),
            "XDG_CACHE_HOME": str(self.folder / "cache"),
            "DOCKER_HOST": os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"),
        }

    @property
    def args(self) -> list[str]:
        params = [a for k, v in self.overrides.items() for a in ("--param", f"{k}={v}")]
        return ["--lang", "en", "--workspace", str(self.folder / "ws"), *params]

    def files_ready(self, lesson_id: str) -> Callable[[], bool]:
        """Whether the tutor has copied the lesson's files into its folder."""
        return (self.folder / "ws" / lesson_id / "Dockerfile").exists

    def store(self) -> ProgressStore:
        return ProgressStore(self.course.id, self.namespace, self.folder / "data" / "layers-tutor")

    def runner(self, engine: Engine) -> LessonRunner:
        """A runner with the tutor's own journal, as ``make_app`` makes it."""
        journal = Journal.load(self.store().path.with_name("journal.json"))
        resolved = resolve(engine, self.course, namespace=self.namespace,
                           overrides=self.overrides, remembered=journal.params)  # fmt: skip
        return LessonRunner(engine, self.course, params=resolved.values,
                            workspace=self.folder / "ws", namespace=self.namespace,
                            journal=journal)  # fmt: skip

    def do(self, runner: LessonRunner, lesson_id: str, *step_ids: str) -> None:
        """Do steps before the tutor starts (as if done in an earlier session)."""
        lesson = next(x for x in self.course.lessons if x.id == lesson_id)
        runner.prepare(lesson)
        for step in (s for s in lesson.steps if s.id in step_ids):
            events = list(runner.perform(lesson, step))
            assert isinstance(events[-1], ActionDone), f"{lesson_id}/{step.id}: {events[-1]}"

    def resume_at(self, lesson_id: str, step_id: str) -> None:
        """The progress file of a learner who stopped at ``lesson_id/step_id``."""
        store = self.store()
        progress = store.fresh()
        progress.language = "en"
        for lesson in self.course.lessons:
            ids = [s.id for s in lesson.steps]
            for step in lesson.steps:
                if step.prediction is not None:
                    progress.record_answer(lesson.id, step.id, step.prediction.answer)
                if lesson.id == lesson_id and step.id == step_id:
                    break
                progress.mark_step_done(lesson.id, step.id, ids)
            if lesson.id == lesson_id:
                break
        progress.move_to(lesson_id, step_id)
        store.save(progress)


def snapshot(client: docker.DockerClient) -> tuple[set[str], set[str]]:
    containers = {row["Id"] for row in client.api.containers(all=True)}
    return containers, {row["Id"] for row in client.api.images(all=True)}


def build_running(client: docker.DockerClient, learner: Learner) -> Callable[[], bool]:
    tree = {learner.base_id, *descendants(client, learner.base_id)}
    return lambda: any(r.get("State") == "running" for r in containers_on(client, tree))


def container_running(client: docker.DockerClient, name: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return client.api.inspect_container(name)["State"]["Running"] is True
        except docker.errors.NotFound:
            return False

    return check


def diff_shows(client: docker.DockerClient, name: str, path: str) -> Callable[[], bool]:
    return lambda: any(e["Path"] == path for e in client.api.diff(name) or [])


def tagged(client: docker.DockerClient, reference: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            client.api.inspect_image(reference)
        except docker.errors.NotFound:
            return False
        return True

    return check


def unlabelled_new(
    client: docker.DockerClient,
    start: tuple[set[str], set[str]],
    end: tuple[set[str], set[str]],
    namespace: str,
) -> tuple[int, int]:
    mine = {"label": label_filters(namespace)}
    labelled_containers = {c.id for c in client.containers.list(all=True, filters=mine)}
    labelled_images = {i.id for i in client.images.list(all=True, filters=mine)}
    return (
        len(end[0] - start[0] - labelled_containers),
        len(end[1] - start[1] - labelled_images),
    )
