"""The tutor never touches what is not its own, even under the course's exact names.

A learner who followed the lesson in a terminal before opening the tutor
already has a container ``python-hello-world`` and images with the course's
names, without the tutor's labels. The tutor must pick names of its own for
this learner and say so, play the lessons with them, and leave the learner's
objects exactly as they were through the clean-up.

These exact names may be used by other runs on this engine: only this test
uses them, it looks first and skips when someone else holds one, and it
removes only what it made itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from tests.reliability.play import course_with, play, session
from tutor.course.params import namespaced
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.labels import is_ours

#: Course parameter -> the exact name a learner's own object has.
IMAGES = {
    "image": "python-hello-world",
    "image2": "python-hello-world-2",
    "base": "python-hello-base",
}
CONTAINER = "python-hello-world"


class LookAlikes:
    """The learner's own unlabelled objects with the course's names; made and removed here."""

    def __init__(self, client: docker.DockerClient, busybox: str) -> None:
        self.client = client
        self.busybox_id = str(client.images.get(busybox).id)
        self.container_id = ""
        self.tagged: list[str] = []

    def foreign(self) -> list[str]:
        """The course names that something not made by this test holds already."""
        held = [f"container {CONTAINER}"] if self._container(CONTAINER) else []
        for name in IMAGES.values():
            with contextlib.suppress(docker.errors.ImageNotFound):
                self.client.images.get(f"{name}:latest")
                held.append(f"image {name}:latest")
        return held

    def make(self, busybox: str) -> None:
        for name in IMAGES.values():
            self.client.api.tag(self.busybox_id, name, "latest")
            self.tagged.append(f"{name}:latest")
        box = self.client.containers.run(busybox, ["sleep", "3600"], name=CONTAINER, detach=True)
        self.container_id = str(box.id)

    def remove(self) -> None:
        if self.container_id:
            with contextlib.suppress(docker.errors.NotFound):
                self.client.api.remove_container(self.container_id, force=True)
        for ref in self.tagged:  # untag only while the name is still on our busybox
            with contextlib.suppress(docker.errors.NotFound):
                if self.client.api.inspect_image(ref)["Id"] == self.busybox_id:
                    self.client.api.remove_image(ref)

    def _container(self, name: str) -> dict[str, object] | None:
        rows = self.client.api.containers(all=True, filters={"name": name})
        return next((r for r in rows if f"/{name}" in (r.get("Names") or [])), None)


@pytest.fixture
def look_alikes(
    docker_client: docker.DockerClient, fixture_images: dict[str, str]
) -> Iterator[LookAlikes]:
    made = LookAlikes(docker_client, fixture_images["busybox"])
    held = made.foreign()
    if held:
        pytest.skip(f"someone else holds course names on this engine: {', '.join(held)}")
    try:
        try:
            made.make(fixture_images["busybox"])
        except docker.errors.APIError as exc:  # the container name was taken just now
            pytest.skip(f"a course name was taken while this test made its own: {exc}")
        yield made
    finally:
        made.remove()


@pytest.mark.slow
def test_a_learners_own_objects_with_the_course_names_survive_the_lessons_and_clean(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    tmp_path: Path,
    fixture_images: dict[str, str],
    look_alikes: LookAlikes,
) -> None:
    course = course_with(fixture_images)
    runner, resolved = session(engine, course, namespace, tmp_path)
    mine = {key: namespaced(name, namespace) for key, name in IMAGES.items()}
    mine["container"] = namespaced(CONTAINER, namespace)
    for key, name in mine.items():
        assert runner.params[key] == name, key
        theirs = IMAGES.get(key, CONTAINER)
        assert any(theirs in note and name in note for note in resolved.notes), (key, resolved)

    played = play(runner, ["the-app", "build", "run"])
    assert played.failures == []
    assert f"docker image build -t {mine['image']} ." in played.commands
    assert any(f"--name {mine['container']} {mine['image']}" in c for c in played.commands)
    built = docker_client.images.get(mine["image"])
    assert is_ours(built.labels, namespace)
    running = docker_client.containers.get(mine["container"])
    assert is_ours(running.labels, namespace) and running.status == "running"

    report = clean(engine, namespace)
    assert mine["container"] in report.containers
    assert f"{mine['image']}:latest" in report.images
    assert report.kept == []
    # The learner's own: same ids, same state, same names.
    box = docker_client.containers.get(CONTAINER)
    assert box.id == look_alikes.container_id and box.status == "running"
    for ref in look_alikes.tagged:
        assert docker_client.images.get(ref).id == look_alikes.busybox_id
    with pytest.raises(docker.errors.NotFound):
        docker_client.images.get(mine["image"])
