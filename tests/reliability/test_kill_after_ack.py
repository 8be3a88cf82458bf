"""A SIGKILL after a step that started a container was saved as done keeps that container.

Issue 16: in some hundred-kill runs a container that an acknowledged step had
made was gone after the restart, so the lesson could not go on. This is the
focused case: lesson 3's run step done and saved, the tutor SIGKILLed while
idle (nothing of its own can run then), started again from the progress file,
and the next step (visiting the page) done. The very same container (same id)
must still run, and the engine must report no kill, stop or removal of it
between the kill and the end; when it does, the events say who and when.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import docker
import pytest

from tests.reliability.engine_state import wait_until
from tests.reliability.kill_events import ContainerLog
from tests.reliability.kill_setup import Learner, container_running
from tests.reliability.tty import Tutor
from tutor.engine.connection import Engine


@pytest.fixture
def log(docker_client: docker.DockerClient, learner: Learner) -> Iterator[ContainerLog]:
    events = ContainerLog(docker_client, learner.namespace)
    yield events
    events.close()


def _done(learner: Learner, lesson_id: str, step_id: str) -> bool:
    loaded = learner.store().load()
    return loaded.progress.is_step_done(lesson_id, step_id)


def _run_step_saved_then(
    learner: Learner,
    engine: Engine,
    docker_client: docker.DockerClient,
    log: ContainerLog,
    number: signal.Signals,
) -> tuple[str, str]:
    """Lesson 3's run step done by the real tutor and saved, then the tutor sent
    ``number``; the container's name, and its id before the signal."""
    runner = learner.runner(engine)
    learner.do(runner, "build", "build")
    learner.resume_at("run", "run")
    name = str(runner.params["container"])
    first = Tutor(learner.args, learner.env)
    try:
        first.wait_for("Press c to continue")
        first.keys("c")
        first.wait_for("Waiting for you to do it", timeout=60)
        wait_until(learner.files_ready("run"), 30, "the lesson's files")
        first.keys("t")
        wait_until(lambda: _done(learner, "run", "run"), 60, "the run step saved as done")
        made = str(docker_client.containers.get(name).id)
        log.mark(number.name)
        assert first.signal(number) is not None
    finally:
        first.close()
    return name, made


@pytest.mark.slow
def test_a_sigkill_after_the_run_step_was_saved_keeps_the_container_through_the_restart(
    learner: Learner, engine: Engine, docker_client: docker.DockerClient, log: ContainerLog
) -> None:
    name, made = _run_step_saved_then(learner, engine, docker_client, log, signal.SIGKILL)

    again = Tutor(learner.args, learner.env)
    try:
        log.mark("tutor started again")
        again.wait_for("Press c to continue")
        again.keys("c")
        again.wait_for("Step 2 of 4", timeout=60)
        deadline = time.monotonic() + 60
        while not _done(learner, "run", "visit"):  # t until heard (the lesson may still settle)
            assert time.monotonic() < deadline, f"visit never passed:\n{again.screen()}"
            if "Press t, or type it" in again.screen() or "Waiting for you" in again.screen():
                again.keys("t")
            time.sleep(1)
    finally:
        again.close()
    assert container_running(docker_client, name)(), log.story()
    assert docker_client.containers.get(name).id == made, log.story()
    assert log.endings(name) == [], log.story()


@pytest.mark.slow
def test_after_sigterm_removed_the_container_the_restarted_lesson_starts_it_again(
    learner: Learner, engine: Engine, docker_client: docker.DockerClient, log: ContainerLog
) -> None:
    """SIGTERM (like q) removes the session's containers by design; the lesson goes on."""
    name, _ = _run_step_saved_then(learner, engine, docker_client, log, signal.SIGTERM)
    assert not container_running(docker_client, name)(), "SIGTERM kept the container"

    again = Tutor(learner.args, learner.env)
    try:
        again.wait_for("Press c to continue")
        again.keys("c")
        again.wait_for("Step 2 of 4", timeout=60)
        deadline = time.monotonic() + 90
        while not _done(learner, "run", "visit"):
            screen = again.screen()
            assert "It did not work" not in screen, screen
            assert time.monotonic() < deadline, f"visit never passed:\n{screen}"
            if "Press t, or type it" in screen or "Waiting for you" in screen:
                again.keys("t")
            time.sleep(1)
    finally:
        again.close()
    assert container_running(docker_client, name)(), log.story()
