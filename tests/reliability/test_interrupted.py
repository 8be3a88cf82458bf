"""A build stopped half-way leaves nothing the tutor cannot clean, and the next one works.

Stopped three ways: the cancel event (the learner leaves the step), the
connection closing under the client (a relay that the test shuts; to the
client the engine is gone, while the daemon sees its client vanish), and a
failing step. Every build here starts from a base image of the test's own, so
what it leaves can be counted even while other runs share the engine. Pushes
are in ``test_interrupted_push``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import docker
import pytest

from tests.engine.relay import Forwarder
from tests.reliability.builds import base_id, dockerfile, folder, made
from tests.reliability.engine_state import (
    containers_on,
    descendants,
    exists,
    leftovers,
    wait_until,
)
from tests.reliability.play import course_with, session
from tutor.course.runner import ActionDone, ActionFailed
from tutor.engine.build import build
from tutor.engine.build_events import BuildDone, BuildError, BuildEvent, OutputLine, StepFinished
from tutor.engine.build_leftovers import forget_intermediates
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine, connect
from tutor.engine.errors import EngineUnreachable
from tutor.engine.labels import NAMESPACE_LABEL, TOOL_LABEL, TOOL_NAME, labels_for


def test_cancel_mid_build_reports_its_step_images_and_clean_leaves_nothing(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    busybox_base: str,
    tmp_path: Path,
) -> None:
    base = base_id(docker_client, busybox_base)
    text = dockerfile(busybox_base, namespace, "RUN echo started && sleep 60")
    cancel = threading.Event()
    events: list[BuildEvent] = []
    labels = labels_for(namespace, "interrupted")
    tag = f"lt-rel-{namespace}:1"
    for event in build(engine, folder(tmp_path, text), tag, labels=labels, cancel=cancel):
        events.append(event)
        if isinstance(event, OutputLine) and event.text == "started":
            cancel.set()
    assert not any(isinstance(e, (BuildDone, BuildError)) for e in events)
    ids = made(events)
    assert len(ids) == 2  # ENV and RUN echo one: finished before the cancel
    # No container of the build is left; its finished steps stay as unlabelled cache.
    left = leftovers(docker_client, base, namespace)
    assert left.unlabelled_containers == ()
    assert left.labelled == ()
    assert sorted(i.removeprefix("sha256:")[:12] for i in left.unlabelled_images) == sorted(ids)

    # The next build succeeds, and its first steps come from that cache.
    (tmp_path / "Dockerfile").write_text(dockerfile(busybox_base, namespace, "RUN echo done"))
    again = list(build(engine, tmp_path, tag, labels=labels))
    assert isinstance(again[-1], BuildDone)
    reused = [e.image_id for e in again if isinstance(e, StepFinished) and e.cached]
    assert set(ids) <= set(reused)
    # While the new image is built on them, forgetting them removes nothing.
    assert forget_intermediates(engine, ids, namespace=namespace) == []
    assert all(exists(docker_client, i) for i in ids)

    clean(engine, namespace)
    assert forget_intermediates(engine, ids + made(again), namespace=namespace) == []
    assert descendants(docker_client, base) == []  # clean removed the chain with the image


def test_failed_build_lists_its_step_images_and_forgetting_them_leaves_nothing(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    busybox_base: str,
    tmp_path: Path,
) -> None:
    base = base_id(docker_client, busybox_base)
    text = dockerfile(busybox_base, namespace, "RUN echo started && exit 3")
    tag = f"lt-rel-{namespace}:1"
    events = list(build(engine, folder(tmp_path, text), tag, labels=labels_for(namespace, "x")))
    error = events[-1]
    assert isinstance(error, BuildError)
    assert error.step == 4 and "non-zero code: 3" in error.message
    assert list(error.intermediates) == made(events)
    assert len(error.intermediates) == 2
    left = leftovers(docker_client, base, namespace)
    assert (left.labelled, left.unlabelled_containers) == ((), ())
    assert len(left.unlabelled_images) == 2

    clean(engine, namespace)  # labels cannot find them ...
    assert len(leftovers(docker_client, base, namespace).unlabelled_images) == 2
    removed = forget_intermediates(engine, error.intermediates, namespace=namespace)
    assert sorted(removed) == sorted(left.unlabelled_images)  # ... the recorded ids can
    assert descendants(docker_client, base) == []
    assert exists(docker_client, base)  # the parent was not pruned along
    assert forget_intermediates(engine, error.intermediates) == []  # already gone: fine


def test_forget_keeps_tagged_used_and_other_learners_images(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    busybox_base: str,
    tmp_path: Path,
) -> None:
    base = base_id(docker_client, busybox_base)
    text = dockerfile(busybox_base, namespace, "RUN exit 3")
    error = list(build(engine, folder(tmp_path, text), f"lt-rel-{namespace}:1", labels={}))[-1]
    assert isinstance(error, BuildError) and len(error.intermediates) == 2
    env_step, run_step = error.intermediates
    env_id = str(docker_client.api.inspect_image(env_step)["Id"])
    # A learner tags one by hand, and makes a container from the other.
    docker_client.api.tag(run_step, f"mine-{namespace}", "kept")
    box = docker_client.containers.create(env_step, ["true"], name=f"mine-{namespace}")
    try:
        assert forget_intermediates(engine, error.intermediates) == []
        assert exists(docker_client, env_step) and exists(docker_client, run_step)
        # An untagged, unused image with another learner's tutor labels stays too.
        changes = [f"LABEL {TOOL_LABEL}={TOOL_NAME} {NAMESPACE_LABEL}=someone-else"]
        theirs = str(docker_client.api.commit(box.id, changes=changes)["Id"])
        try:
            assert forget_intermediates(engine, [theirs], namespace=namespace) == []
            assert exists(docker_client, theirs)
        finally:
            docker_client.api.remove_image(theirs)
    finally:
        box.remove(force=True)
        docker_client.api.remove_image(f"mine-{namespace}:kept", noprune=True)  # run_step too
    # Untagged and unused again: now it goes, and not its parent.
    assert forget_intermediates(engine, error.intermediates, namespace=namespace) == [env_id]
    assert not any(exists(docker_client, i) for i in error.intermediates)
    assert exists(docker_client, base)


def test_closing_the_connection_mid_build_is_engine_unreachable_and_leaves_no_container(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    busybox_base: str,
    relay: Forwarder,  # after the base: closed (the engine stops the build) before it goes
    tmp_path: Path,
) -> None:
    base = base_id(docker_client, busybox_base)
    text = dockerfile(busybox_base, namespace, "RUN echo started && sleep 60")
    far = connect({"DOCKER_HOST": relay.host})
    events: list[BuildEvent] = []
    try:
        with pytest.raises(EngineUnreachable) as caught:
            for event in build(
                far, folder(tmp_path, text), f"lt-rel-{namespace}:1", labels=labels_for(namespace)
            ):
                events.append(event)
                if isinstance(event, OutputLine) and event.text == "started":
                    relay.close()
    finally:
        far.close()
    assert caught.value.hint
    assert not any(isinstance(e, (BuildDone, BuildError)) for e in events)
    ids = made(events)
    assert len(ids) == 2
    # The daemon saw its client go and removed the running step's container itself.
    wait_until(
        lambda: leftovers(docker_client, base, namespace).unlabelled_containers == (),
        30,
        "the engine to remove the build container",
    )
    (tmp_path / "Dockerfile").write_text(dockerfile(busybox_base, namespace, "RUN echo done"))
    again = list(build(engine, tmp_path, f"lt-rel-{namespace}:1", labels=labels_for(namespace)))
    assert isinstance(again[-1], BuildDone)
    clean(engine, namespace)
    forget_intermediates(engine, ids, namespace=namespace)
    assert descendants(docker_client, base) == []
    assert containers_on(docker_client, {base}) == []


@pytest.mark.slow
def test_a_failed_build_in_a_lesson_leaves_nothing_after_the_clean_up_lesson(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    python_base: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    base = base_id(docker_client, python_base)
    course = course_with({**fixture_images, "python": python_base})
    runner, _resolved = session(engine, course, namespace, tmp_path)
    lessons = {lesson.id: lesson for lesson in course.lessons}
    build_lesson = lessons["build"]
    runner.prepare(build_lesson)
    dockerfile_path = runner.workspace.folder("build") / "Dockerfile"
    dockerfile_path.write_text(dockerfile_path.read_text() + "RUN exit 1\n")  # the learner's typo
    events = list(runner.perform(build_lesson, build_lesson.steps[0]))
    assert isinstance(events[-1], ActionFailed)
    errors = [e for e in events if isinstance(e, BuildError)]
    assert errors and len(errors[0].intermediates) >= 3  # RUN pip, CMD, COPY
    assert len(leftovers(docker_client, base, namespace).unlabelled_images) >= 1

    clean_up = lessons["clean-up"]
    done = list(runner.perform(clean_up, clean_up.steps[0]))
    assert isinstance(done[-1], ActionDone)
    assert descendants(docker_client, base) == [], "step images of the failed build are left"
