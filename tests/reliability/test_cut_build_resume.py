"""A rebuild cut short in the cache lesson can be done again, and its step passes.

Found by the hundred-kill run: the tutor killed (or the build cancelled)
while rebuilding in the cache lesson has already made the COPY step's image;
the engine keeps it as cache, and after a kill it even finishes the build
its client left, so the rebuild after the restart takes COPY, and maybe
everything after it, "from the cache". The step, which shows the price of
COPY on top (every step after ``FROM`` rebuilt), could never pass. A step
image made after the learner's last change counts as built
(``tutor.course.cache_steps``), whichever build made it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import docker
import pytest

from tests.reliability.play import course_with, play, session
from tutor.course.actions import ActionDone, ActionFailed
from tutor.course.journal import reference_key
from tutor.engine.build_events import StepFinished
from tutor.engine.connection import Engine


@pytest.mark.parametrize("engine_goes_on", [False, True], ids=["stopped", "finished-by-engine"])
def test_a_rebuild_cut_short_can_be_done_again_and_passes(
    engine_goes_on: bool,
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    course = course_with(fixture_images)
    runner, _ = session(engine, course, namespace, tmp_path)
    assert play(runner, ["the-app", "build"]).failures == []
    cache = next(lesson for lesson in course.lessons if lesson.id == "cache")
    runner.prepare(cache)
    steps = {step.id: step for step in cache.steps}
    for step_id in ("change-the-text", "rebuild", "move-copy-up", "rebuild-moved", "change-again"):
        events = list(runner.perform(cache, steps[step_id]))
        assert runner.check(cache, steps[step_id]).passed, (step_id, events[-1])

    cancel = threading.Event()
    made: list[str] = []
    for event in runner.perform(cache, steps["rebuild-again"], cancel):
        if isinstance(event, StepFinished) and not event.cached and event.image_id:
            made.append(event.image_id)  # COPY, rebuilt: then the tutor "dies"
            cancel.set()
    assert made and isinstance(event, ActionFailed)
    assert docker_client.images.get(made[0])  # the engine keeps it as cache
    if engine_goes_on:  # as after a SIGKILL: the engine builds the rest, untagged
        folder = runner.workspace.folder(cache.id)
        list(docker_client.api.build(path=str(folder), rm=True, decode=True))

    again, _ = session(engine, course, namespace, tmp_path)  # the restart: journal from disk
    assert made[0][:12] in {i[:12] for i in again.journal.step_images}
    events = list(again.perform(cache, steps["rebuild-again"]))
    assert isinstance(events[-1], ActionDone), events[-1]
    if engine_goes_on:  # the build the learner sees took every step from the cache
        record = again.journal.builds[reference_key(str(again.params["image"]))]
        assert [s["cached"] for s in record.steps][:4] == [True, True, True, True]
    result = again.check(cache, steps["rebuild-again"])
    assert result.passed, (result.detail, events[-1])
