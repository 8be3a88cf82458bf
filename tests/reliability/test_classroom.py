"""Twenty learners on one engine at once, and two more in the real app (issue 16, item 5).

A classroom of twenty on one lab server: twenty namespaces open the tutor at
the same moment (their sessions resolve the course's names, ports and
registry together) and play the lessons from the app to the push at the same
time, each with a runner and a workspace of their own, through the same
runner the app uses (builds, runs with published ports, diffs, a registry and
a push each). Meanwhile two more learners play the first lessons in the real
tutor, in terminals. Asserted: no two learners share an image or container
name, a host port, a claim or a registry repository; every step of every
learner passes; each clean-up removes only its learner's objects.

This run found that the engine's build cache, shared by the class, can make a
learner's ``CMD`` miss the cache when another learner's build is half-way
(see ``tests/reliability/test_shared_cache.py``); the cache lesson's check
reads such a miss as the engine's, not the learner's.

Printed for the README (``-s``): how long each check took while all ran
(median, worst), and the memory of the engine (dockerd and containerd) and of
the machine, sampled every half second.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import docker
import pytest

from tests.conftest import sweep_namespace
from tests.reliability.kill_setup import Learner as AppLearner
from tests.reliability.play import course_with, session
from tests.reliability.test_hundred_kills import Course as AppCourse
from tutor.course.actions import ActionDone
from tutor.course.journal import reference_key
from tutor.course.model import Course, Step
from tutor.course.params import fill_value
from tutor.course.runner import LessonRunner
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.labels import NAMESPACE_LABEL, is_ours, label_filters

LEARNERS = 20
LESSONS = ["the-app", "build", "run", "history", "cache", "sharing", "copy-on-write", "push"]
APP_LEARNERS = 2
APP_LESSONS = ["the-app", "build", "run"]
CLAIM_PREFIX = "layers-tutor.claim."  # tutor.engine.claims names them so


@dataclass
class Seat:
    """One learner of the class and what playing did."""

    namespace: str
    runner: LessonRunner
    check_seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: Steps a passing build_cached check wanted from the cache that the engine rebuilt.
    engine_misses: list[str] = field(default_factory=list)


def play_timed(seat: Seat, lesson_ids: list[str]) -> None:
    """Every step as the app does it when t is pressed, timing each check."""
    runner = seat.runner
    lessons = {lesson.id: lesson for lesson in runner.course.lessons}
    for lesson_id in lesson_ids:
        lesson = lessons[lesson_id]
        runner.prepare(lesson)
        for step in lesson.steps:
            where = f"{lesson.id}/{step.id}"
            if step.prediction is not None:
                runner.record_answer(lesson, step, step.prediction.answer)
            if step.action is not None:
                events = list(runner.perform(lesson, step))
                if not isinstance(events[-1], ActionDone):
                    seat.failures.append(f"{where}: {events[-1]}")
                    continue
            started = time.monotonic()
            result = runner.check(lesson, step)
            seat.check_seconds.append(time.monotonic() - started)
            for _ in range(10):  # the app checks again as the engine's events come in
                if result.passed:
                    break
                time.sleep(1)
                result = runner.check(lesson, step)
            if not result.passed:
                seat.failures.append(f"{where}: {result.detail}")
            elif step.check.kind == "build_cached":
                seat.engine_misses += [f"{where} step {n}" for n in rebuilt(runner, step)]


def rebuilt(runner: LessonRunner, step: Step) -> list[int]:
    """The steps the check wants from the cache that the build's own report says ran."""
    image = fill_value(step.check.args["image"], runner.params)
    record = runner.journal.builds.get(reference_key(str(image)))
    wanted = set(cast("list[int]", step.check.args.get("cached") or []))
    steps = record.steps if record is not None else []
    return [int(s["number"]) for s in steps if s["number"] in wanted and not s["cached"]]


class Memory:
    """Samples the engine's and the machine's memory in a thread while the class plays."""

    def __init__(self) -> None:
        self.peak = {"dockerd": 0, "containerd": 0, "machine": 0}
        self.start = self.sample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def sample() -> dict[str, int]:
        found = {"dockerd": 0, "containerd": 0}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            name = status.split("\n", 1)[0].split()[-1]
            rss = [x for x in status.splitlines() if x.startswith("VmRSS:")]
            if name in found and rss:  # a process on its way out has no VmRSS line
                found[name] += int(rss[0].split()[1]) * 1024
        info = dict(
            (line.split(":")[0], int(line.split()[1]) * 1024)
            for line in Path("/proc/meminfo").read_text().splitlines()
        )
        found["machine"] = info["MemTotal"] - info["MemAvailable"]
        return found

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for key, value in self.sample().items():
                self.peak[key] = max(self.peak[key], value)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def classroom(namespace: str, docker_client: docker.DockerClient) -> Iterator[list[str]]:
    """Twenty learners' namespaces, each swept afterwards."""
    names = [f"{namespace}c{i:02d}" for i in range(LEARNERS)]
    yield names
    for ns in names:
        sweep_namespace(docker_client, ns)


@pytest.fixture
def app_learners(
    namespace: str, python_base: str, docker_client: docker.DockerClient,
    fixture_images: dict[str, str], tmp_path: Path,
) -> Iterator[list[AppLearner]]:  # fmt: skip
    overrides = {"base_image": python_base, "registry_image": fixture_images["registry"]}
    course = course_with({**fixture_images, "python": python_base})
    base_id = str(docker_client.images.get(python_base).id)
    made = []
    for i in range(APP_LEARNERS):
        ns, folder = f"{namespace}a{i}", tmp_path / f"app{i}"
        folder.mkdir()
        made.append(AppLearner(ns, python_base, base_id, folder, course, overrides))
    yield made
    for learner in made:
        sweep_namespace(docker_client, learner.namespace)


def play_in_the_app(learner: AppLearner) -> int:
    """The real tutor in a terminal plays APP_LESSONS; the steps it passed."""
    outside = learner.folder / "elsewhere"
    outside.mkdir()
    driver = AppCourse(learner, outside)
    progress = driver.store.fresh()
    progress.language = "en"
    steps = [(ls, st) for ls in learner.course.lessons if ls.id in APP_LESSONS for st in ls.steps]
    for lesson, step in steps:
        if step.prediction is not None:
            progress.record_answer(lesson.id, step.id, step.prediction.answer)
    driver.store.save(progress)
    try:
        for lesson, step in steps:
            driver.finish(lesson, step)
    finally:
        driver.close()
    return len(steps)


def claims_of(client: docker.DockerClient, namespace: str) -> set[str]:
    volumes = client.api.volumes(filters={"label": f"{NAMESPACE_LABEL}={namespace}"})
    return {v["Name"] for v in volumes.get("Volumes") or [] if v["Name"].startswith(CLAIM_PREFIX)}


def published_ports(client: docker.DockerClient, namespace: str) -> set[int]:
    ports = set()
    for row in client.api.containers(filters={"label": label_filters(namespace)}):
        ports |= {int(p["PublicPort"]) for p in row.get("Ports") or [] if p.get("PublicPort")}
    return ports


def distinct(values: list[object]) -> bool:
    return len(values) == len(set(values))


@pytest.mark.slow
def test_twenty_learners_on_one_engine(
    engine: Engine,
    docker_client: docker.DockerClient,
    classroom: list[str],
    app_learners: list[AppLearner],
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    course: Course = course_with(fixture_images)
    barrier = threading.Barrier(LEARNERS)

    def sit_down(ns: str) -> Seat:
        barrier.wait(30)  # every session resolves its names at the same moment
        runner, _ = session(engine, course, ns, tmp_path / ns)
        return Seat(ns, runner)

    with ThreadPoolExecutor(LEARNERS) as pool:
        seats = list(pool.map(sit_down, classroom))
    memory = Memory()
    started = time.monotonic()
    with ThreadPoolExecutor(LEARNERS + APP_LEARNERS) as pool:
        in_app = [pool.submit(play_in_the_app, learner) for learner in app_learners]
        list(pool.map(lambda seat: play_timed(seat, LESSONS), seats))
        app_steps = [done.result() for done in in_app]
    took = time.monotonic() - started
    memory.stop()

    checks = sorted(s for seat in seats for s in seat.check_seconds)
    mib = {k: v / 2**20 for k, v in memory.peak.items()}
    before = {k: v / 2**20 for k, v in memory.start.items()}
    print(
        f"\n{LEARNERS} learners x {len(LESSONS)} lessons (+{APP_LEARNERS} in the app: "
        f"{sum(app_steps)} steps) in {took:.0f} s; {len(checks)} checks: median "
        f"{statistics.median(checks):.3f} s, 95th {checks[int(len(checks) * 0.95)]:.3f} s, "
        f"worst {checks[-1]:.3f} s; memory peak (before): dockerd {mib['dockerd']:.0f} "
        f"({before['dockerd']:.0f}) MiB, containerd {mib['containerd']:.0f} "
        f"({before['containerd']:.0f}) MiB, machine in use {mib['machine']:.0f} "
        f"({before['machine']:.0f}) MiB"
    )

    params = [seat.runner.params for seat in seats]
    for key in ("image", "image2", "base", "container", "container2", "port", "registry"):
        assert distinct([p[key] for p in params]), f"two learners share a {key}"
    ports = [published_ports(docker_client, ns) for ns in classroom]
    assert all(ports) and distinct([p for each in ports for p in each])
    claims = [claims_of(docker_client, ns) for ns in classroom]
    assert all(claims) and distinct([c for each in claims for c in each])
    for seat in seats:
        image = docker_client.images.get(str(seat.runner.params["image"]))
        assert is_ours(image.labels, seat.namespace)

    first, *others = seats
    before_others = {
        s.namespace: {c.id for c in docker_client.containers.list(
            all=True, filters={"label": label_filters(s.namespace)})}
        for s in others
    }  # fmt: skip
    clean(engine, first.namespace)
    mine = {"label": label_filters(first.namespace)}
    assert docker_client.containers.list(all=True, filters=mine) == []
    for s in others:  # one learner's clean-up leaves the nineteen others whole
        theirs = {"label": label_filters(s.namespace)}
        assert {c.id for c in docker_client.containers.list(all=True, filters=theirs)} == (
            before_others[s.namespace]
        )
    for s in others:
        clean(engine, s.namespace)

    misses = [m for seat in seats for m in seat.engine_misses]
    print(
        f"CMD misses another learner's build caused, judged the engine's: {len(misses)}: {misses}"
    )
    failures = {seat.namespace: seat.failures for seat in seats}
    assert failures == {ns: [] for ns in classroom}
