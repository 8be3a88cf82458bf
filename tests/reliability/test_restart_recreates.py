"""A lesson goes on when the container an earlier, saved step started is gone.

Issue 16. The progress file can say a ``run`` step is done while its
container is gone: quitting (q, SIGTERM, a hang-up) removes the containers
the session started, and a learner may ``docker rm`` one by hand. The next
step of that lesson (visit the page, exec in it, read its diff) then failed
with "no such container", again on every t, so the lesson could not go on.
The runner now does the run step again first, as the learner would, and says
so; the step then passes. A container that is there is never replaced.
"""

from __future__ import annotations

import docker
import pytest

from tests.reliability.kill_setup import Learner
from tutor.course.context import ActionDone, ActionOutput
from tutor.engine.connection import Engine
from tutor.sentence import said


def _step(learner: Learner, lesson_id: str, step_id: str):  # type: ignore[no-untyped-def]
    lesson = next(x for x in learner.course.lessons if x.id == lesson_id)
    return lesson, next(s for s in lesson.steps if s.id == step_id)


@pytest.mark.parametrize("how", ["removed", "stopped"])
def test_the_visit_step_starts_the_run_steps_container_again_when_it_is_gone(
    how: str, learner: Learner, engine: Engine, docker_client: docker.DockerClient
) -> None:
    runner = learner.runner(engine)
    learner.do(runner, "build", "build")
    learner.do(runner, "run", "run")
    name = str(runner.params["container"])
    first = docker_client.containers.get(name)
    if how == "removed":  # what quitting does to the session's containers
        first.remove(force=True)
    else:
        first.stop(timeout=1)
    lesson, visit = _step(learner, "run", "visit")
    events = list(runner.perform(lesson, visit))
    assert isinstance(events[-1], ActionDone), events[-1]
    words = [said(e.text, "en") for e in events if isinstance(e, ActionOutput)]
    assert any(f"{name} was gone" in w for w in words), words
    again = docker_client.containers.get(name)
    assert again.status == "running" and again.id != first.id
    assert runner.check(lesson, visit).passed


def test_a_container_that_is_there_is_not_replaced(
    learner: Learner, engine: Engine, docker_client: docker.DockerClient
) -> None:
    runner = learner.runner(engine)
    learner.do(runner, "build", "build")
    learner.do(runner, "run", "run")
    name = str(runner.params["container"])
    before = docker_client.containers.get(name).id
    lesson, visit = _step(learner, "run", "visit")
    events = list(runner.perform(lesson, visit))
    assert isinstance(events[-1], ActionDone), events[-1]
    assert docker_client.containers.get(name).id == before
