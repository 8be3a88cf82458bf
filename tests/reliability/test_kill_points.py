"""Killing the real tutor at its worst moments leaves nothing that ``clean`` cannot find.

The tutor runs as a learner runs it (``python -m tutor`` in an 80x24
terminal), is brought to a lesson step by the learner's own progress file,
is asked to do the step (key t), and is killed (SIGKILL: no clean-up code can
run) while it builds, starts a container, reads a container's diff or
pushes. Afterwards only objects with the learner's labels may remain, and
``python -m tutor --namespace NS clean`` must remove every one of them.

Leaks are counted two ways: among what grew from the test's own base image
(exact, even with other runs on the engine), and as every new unlabelled
container and image id on the engine (an upper bound: other runs add theirs).
The figures are printed (``-s``) for the report.

SIGTERM and SIGHUP (the terminal closing, as when an SSH session drops) are
not crashes: the tutor exits on them and removes the containers it started
on its way out, like quitting with q.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator

import docker
import docker.errors
import pytest

from tests.reliability.engine_state import descendants, leftovers, wait_until
from tests.reliability.kill_setup import (
    Learner,
    build_running,
    container_running,
    diff_shows,
    snapshot,
    tagged,
    unlabelled_new,
)
from tests.reliability.tty import ROOT, Tutor
from tutor.course.params import fill
from tutor.engine.connection import Engine
from tutor.engine.labels import label_filters
from tutor.engine.registry import registry_tags


@pytest.fixture
def tutor(learner: Learner) -> Iterator[Callable[[], Tutor]]:
    started: list[Tutor] = []

    def start() -> Tutor:
        started.append(Tutor(learner.args, learner.env))
        return started[-1]

    yield start
    for each in started:
        each.close()


#: kill point -> (steps done before, lesson and step the tutor resumes at)
POINTS = {
    "mid-build": ([], ("build", "build")),
    "starting-a-container": ([("build", "build")], ("run", "run")),
    "polling-the-diff": (
        [("build", "build"), ("copy-on-write", "start")],
        ("copy-on-write", "change-a-file"),
    ),
    "mid-push": ([("push", "start-a-registry"), ("push", "build")], ("push", "push-v1")),
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_at_a_kill_point_leaves_only_labelled_objects_that_clean_removes(
    point: str,
    learner: Learner,
    engine: Engine,
    docker_client: docker.DockerClient,
    tutor: Callable[[], Tutor],
) -> None:
    before, (lesson_id, step_id) = POINTS[point]
    runner = learner.runner(engine)
    for done_lesson, done_step in before:
        learner.do(runner, done_lesson, done_step)
    learner.resume_at(lesson_id, step_id)
    params = runner.params
    busy = {
        "mid-build": build_running(docker_client, learner),
        "starting-a-container": container_running(docker_client, str(params["container"])),
        "polling-the-diff": diff_shows(docker_client, f"{params['container']}-cow", "/app.py"),
        "mid-push": tagged(docker_client, fill("{repository}:v1", params)),
    }[point]
    start = snapshot(docker_client)

    app = tutor()
    app.wait_for("Press c to continue")
    app.keys("c")
    app.wait_for("Waiting for you to do it", timeout=60)
    # The step shows before the lesson's files are copied; a t pressed then makes a
    # build without a Dockerfile (an app race, see the report): wait for the files.
    wait_until(learner.files_ready(lesson_id), 30, "the lesson's files")
    app.keys("t")
    try:
        wait_until(busy, 120, f"the tutor to be {point}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the screen:\n{app.screen()}") from None
    assert app.signal(signal.SIGKILL) is not None
    if point == "mid-push":  # did the kill really come before the push ended?
        address, name = fill("{repository}", params).split("/", 1)
        print(f"\nmid-push: the registry holds tags {registry_tags(address, name)} after the kill")

    # The engine may still be stopping a build whose client vanished: let it settle.
    settle = lambda: leftovers(docker_client, learner.base_id, learner.namespace)  # noqa: E731
    wait_until(lambda: settle().unlabelled_containers == (), 30, "build containers to go")
    left = settle()
    end = snapshot(docker_client)
    raw = unlabelled_new(docker_client, start, end, learner.namespace)
    cleaned = subprocess.run(
        [sys.executable, "-m", "tutor", "--namespace", learner.namespace, "clean"],
        cwd=ROOT, env={**os.environ, **learner.env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cleaned.returncode == 0, cleaned.stderr
    after = leftovers(docker_client, learner.base_id, learner.namespace)
    remaining = descendants(docker_client, learner.base_id)
    print(
        f"\nkill point {point}: before clean {len(left.labelled)} labelled, leaks "
        f"{len(left.unlabelled_images)} images + {len(left.unlabelled_containers)} containers; "
        f"new unlabelled ids on the whole engine (other runs included): {raw[0]} containers, "
        f"{raw[1]} images; `clean`: {cleaned.stdout.splitlines()[0]}; "
        f"left after clean: {len(remaining)} images"
    )
    # Mid-build nothing is labelled yet (the labels are the build's last step).
    assert bool(left.labelled) is (point != "mid-build"), left
    assert after.labelled == ()
    mine = {"label": label_filters(learner.namespace)}
    assert docker_client.containers.list(all=True, filters=mine) == []
    assert docker_client.images.list(filters=mine) == []
    assert left.leaks == 0, left
    assert remaining == []  # nothing built on our base survives the clean-up


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_terminate_or_hang_up_removes_the_sessions_containers_and_clean_the_rest(
    how: str,
    learner: Learner,
    engine: Engine,
    docker_client: docker.DockerClient,
    tutor: Callable[[], Tutor],
) -> None:
    runner = learner.runner(engine)
    learner.do(runner, "build", "build")
    learner.resume_at("run", "run")
    name = str(runner.params["container"])
    app = tutor()
    app.wait_for("Press c to continue")
    app.keys("c")
    app.wait_for("Waiting for you to do it", timeout=60)
    wait_until(learner.files_ready("run"), 30, "the lesson's files")
    app.keys("t")
    wait_until(container_running(docker_client, name), 60, "the container to run")
    app.wait_for("Step 2 of 4", timeout=30)  # the run step passed: the tutor is idle again
    # SIGHUP is what the tutor gets when the terminal closes (a dropped SSH session).
    gone_after = app.signal(signal.SIGTERM) if how == "SIGTERM" else app.hang_up()
    mine = {"label": label_filters(learner.namespace)}
    kept = [c.name for c in docker_client.containers.list(all=True, filters=mine)]
    print(f"\n{how}: the tutor was gone after {gone_after} s; its containers left: {kept}")
    assert gone_after is not None, f"the tutor still runs 15 s after {how}"
    assert kept == [], f"the containers started in the session outlived {how}"
    cleaned = subprocess.run(
        [sys.executable, "-m", "tutor", "--namespace", learner.namespace, "clean"],
        cwd=ROOT, env={**os.environ, **learner.env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cleaned.returncode == 0, cleaned.stderr
    assert docker_client.containers.list(all=True, filters=mine) == []
    assert docker_client.images.list(filters=mine) == []
