"""On a shared engine, another learner's build can make a learner's CMD miss the cache.

Found by the twenty-learner run (``test_classroom.py``): a few learners' rebuilds
in the cache lesson reported "step 3 ran again". For a cached step the classic
builder takes the *newest* image with the same parent and instruction; with
twenty learners building the same ``RUN pip install flask`` on the same base,
that is often the one another learner's build committed a moment ago, whose
``CMD`` step is not committed yet. The learner's ``CMD`` then misses the
cache although nothing they did touched it. Here the other learner's build is
made to leave exactly that (a ``RUN`` made anew, nothing after it), so it
happens every time; the check must still pass, and must still refuse a ``CMD``
the learner changed.
"""

from __future__ import annotations

import io
from pathlib import Path

import docker

from tests.reliability.play import course_with, play, session
from tutor.course.actions import ActionDone
from tutor.course.journal import reference_key
from tutor.engine.connection import Engine


def test_a_cmd_another_learners_build_made_miss_still_counts_as_cached(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    python_base: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    course = course_with({**fixture_images, "python": python_base})
    runner, _ = session(engine, course, namespace, tmp_path)
    assert play(runner, ["the-app", "build"]).failures == []
    cache = next(lesson for lesson in course.lessons if lesson.id == "cache")
    runner.prepare(cache)
    steps = {step.id: step for step in cache.steps}
    assert isinstance(list(runner.perform(cache, steps["change-the-text"]))[-1], ActionDone)

    # Another learner's build, just now: the same RUN on the same base, nothing after it.
    other = f"FROM {python_base}\nRUN pip install flask\n".encode()
    for line in docker_client.api.build(fileobj=io.BytesIO(other), nocache=True, decode=True):
        assert "errorDetail" not in line, line

    events = list(runner.perform(cache, steps["rebuild"]))
    assert isinstance(events[-1], ActionDone), events[-1]
    image = str(runner.params["image"])
    record = runner.journal.builds[reference_key(image)]
    assert [s["cached"] for s in record.steps][:4] == [True, True, False, False]  # CMD missed
    result = runner.check(cache, steps["rebuild"])
    assert result.passed, result.detail

    # A CMD the learner changed is theirs: that miss still counts.
    dockerfile = runner.workspace.folder(cache.id) / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace('"app.py"]', '"/app.py"]'))
    (runner.workspace.folder(cache.id) / "app.py").write_text("print('changed')\n")
    assert isinstance(list(runner.perform(cache, steps["rebuild"]))[-1], ActionDone)
    result = runner.check(cache, steps["rebuild"])
    assert not result.passed and "step 3 ran again" in result.detail, result.detail
