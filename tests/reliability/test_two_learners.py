"""Two learners on one engine at once, with the course's default names: no collisions.

A classroom host: two learners open the tutor at the same moment (their
sessions resolve the course's parameters together, before either has made
anything) and play the same lessons at the same time, each in a thread with
a runner and a workspace of their own. Neither may take the other's image or
container name, host port or registry repository; both must pass every
check; and each clean-up removes only that learner's objects.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from tests.conftest import sweep_namespace
from tests.reliability.play import Played, course_with, play, session
from tutor.course.model import Course
from tutor.course.params import ResolvedParams
from tutor.course.runner import LessonRunner
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.labels import is_ours, label_filters

LESSONS = ["the-app", "build", "run", "push"]


@dataclass
class Learner:
    namespace: str
    runner: LessonRunner
    resolved: ResolvedParams
    played: Played | None = None


@pytest.fixture
def second_namespace(namespace: str, docker_client: docker.DockerClient) -> Iterator[str]:
    """Another learner's namespace, swept afterwards like ``namespace``."""
    other = f"{namespace}b"
    yield other
    sweep_namespace(docker_client, other)


def start_together(
    engine: Engine, course: Course, namespaces: list[str], tmp_path: Path
) -> list[Learner]:
    """Open the tutor for every learner at the same moment (sessions resolve together)."""
    barrier = threading.Barrier(len(namespaces))

    def open_tutor(ns: str) -> Learner:
        barrier.wait(10)
        runner, resolved = session(engine, course, ns, tmp_path / ns)
        return Learner(ns, runner, resolved)

    with ThreadPoolExecutor(len(namespaces)) as pool:
        return list(pool.map(open_tutor, namespaces))


def published_ports(client: docker.DockerClient, namespace: str) -> set[int]:
    ports = set()
    for row in client.api.containers(filters={"label": label_filters(namespace)}):
        ports |= {int(p["PublicPort"]) for p in row.get("Ports") or [] if p.get("PublicPort")}
    return ports


def assert_apart(client: docker.DockerClient, ana: Learner, bia: Learner) -> None:
    """Each learner's objects are their own: labels, ports and registries."""
    failures = {x.namespace: x.played.failures for x in (ana, bia) if x.played}
    for me in (ana, bia):
        image = client.images.get(str(me.runner.params["image"]))
        container = client.containers.get(str(me.runner.params["container"]))
        assert is_ours(image.labels, me.namespace), (me.namespace, failures)
        assert is_ours(container.labels, me.namespace), (me.namespace, failures)
    assert not published_ports(client, ana.namespace) & published_ports(client, bia.namespace)
    assert ana.runner.params["registry"] != bia.runner.params["registry"]
    assert failures == {ana.namespace: [], bia.namespace: []}


def assert_each_clean_removes_only_its_own(
    engine: Engine, client: docker.DockerClient, ana: Learner, bia: Learner
) -> None:
    def mine(learner: Learner) -> dict[str, list[str]]:
        return {"label": label_filters(learner.namespace)}

    bia_before = {c.id for c in client.containers.list(all=True, filters=mine(bia))}
    clean(engine, ana.namespace)
    assert client.containers.list(all=True, filters=mine(ana)) == []
    assert client.images.list(filters=mine(ana)) == []
    bia_after = {c.id for c in client.containers.list(all=True, filters=mine(bia))}
    assert bia_after == bia_before and len(bia_before) >= 2  # the app and its registry
    assert client.images.get(str(bia.runner.params["image"]))
    clean(engine, bia.namespace)
    assert client.containers.list(all=True, filters=mine(bia)) == []
    assert client.images.list(filters=mine(bia)) == []


def play_together(plan: list[tuple[Learner, list[str]]]) -> None:
    with ThreadPoolExecutor(len(plan)) as pool:
        for learner, played in zip(
            (x for x, _ in plan), pool.map(lambda p: play(p[0].runner, p[1]), plan), strict=True
        ):
            learner.played = played


@pytest.mark.slow
def test_two_learners_at_once_with_default_names_never_collide(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    second_namespace: str,
    tmp_path: Path,
    fixture_images: dict[str, str],
) -> None:
    course = course_with(fixture_images)
    ana, bia = start_together(engine, course, [namespace, second_namespace], tmp_path)
    names = ("image", "image2", "base", "container", "container2", "port")
    same = [k for k in names if ana.runner.params[k] == bia.runner.params[k]]
    play_together([(ana, LESSONS), (bia, LESSONS)])
    assert same == [], f"both learners were given the same {same}"
    assert_apart(docker_client, ana, bia)
    assert_each_clean_removes_only_its_own(engine, docker_client, ana, bia)


@pytest.mark.slow
def test_a_learner_who_starts_while_another_works_gets_names_and_a_port_of_their_own(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    second_namespace: str,
    tmp_path: Path,
    fixture_images: dict[str, str],
) -> None:
    course = course_with(fixture_images)
    (ana,) = start_together(engine, course, [namespace], tmp_path)
    early = play(ana.runner, LESSONS[:3])  # ana's app runs on the default port already
    assert early.failures == []
    (bia,) = start_together(engine, course, [second_namespace], tmp_path)
    for key in ("image", "container"):
        assert bia.runner.params[key] != ana.runner.params[key], key
        assert str(bia.runner.params[key]).endswith(f"-{bia.namespace}"), key
    assert bia.runner.params["port"] != ana.runner.params["port"]
    assert any(f"Port {ana.runner.params['port']} is busy" in n for n in bia.resolved.notes)
    play_together([(ana, LESSONS[3:]), (bia, LESSONS)])  # both at once from here on
    assert_apart(docker_client, ana, bia)
    assert_each_clean_removes_only_its_own(engine, docker_client, ana, bia)
