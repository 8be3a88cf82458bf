"""Builds on a real engine: cache hits and misses with their reasons, failures, cancel."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest

from tutor.engine.build import build
from tutor.engine.build_events import (
    BuildDone,
    BuildError,
    BuildEvent,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.cache_miss import (
    BUILD_ARG_CHANGED,
    EARLIER_STEP_REBUILT,
    FILE_CHANGED,
    INSTRUCTION_CHANGED,
    NEW_AFTER_PARENT,
)
from tutor.engine.connection import Engine
from tutor.engine.dockerfile_steps import DockerfileError
from tutor.engine.errors import BuildFailed
from tutor.engine.labels import is_ours, labels_for
from tutor.i18n import say
from tutor.widgets.build_log import MISS_WORDS, miss_text

DOCKERFILE = """\
FROM {base}
ENV NS={ns}
WORKDIR /app
COPY a.txt /app/a.txt
RUN cat /app/a.txt && \\
    echo built
CMD ["sh"]
"""


def context(tmp_path: Path, dockerfile: str, **files: str) -> Path:
    """A build folder with the Dockerfile and the given files."""
    (tmp_path / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def run(engine: Engine, folder: Path, tag: str, ns: str, **kw: Any) -> list[BuildEvent]:
    return list(build(engine, folder, tag, labels=labels_for(ns, "test"), **kw))


def finished(events: list[BuildEvent]) -> list[StepFinished]:
    return [e for e in events if isinstance(e, StepFinished)]


def running_in(events: list[BuildEvent]) -> list[str]:
    """The intermediate containers the build announced."""
    return [
        e.text.split("Running in ", 1)[1]
        for e in events
        if isinstance(e, OutputLine) and "---> Running in " in e.text
    ]


def gone(client: docker.DockerClient, container_ids: list[str]) -> bool:
    for container_id in container_ids:
        try:
            client.api.inspect_container(container_id)
        except docker.errors.NotFound:
            continue
        return False
    return True


@pytest.fixture
def step_images(docker_client: docker.DockerClient) -> Iterator[list[str]]:
    """Step images a stopped build leaves behind: unlabelled, so removed here by id."""
    left: list[str] = []
    yield left
    for image_id in left:
        with contextlib.suppress(docker.errors.APIError):
            docker_client.images.remove(image_id)


def test_second_build_takes_every_step_from_cache(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    folder = context(
        tmp_path,
        DOCKERFILE.format(base=fixture_images["busybox"], ns=namespace),
        **{"a.txt": "one\n"},
    )
    tag = f"{namespace}/cache:1"
    first = run(engine, folder, tag, namespace)
    image = docker_client.images.get(tag)
    assert first[-1] == BuildDone(image.id, tag)
    assert is_ours(image.labels, namespace)
    started = [e for e in first if isinstance(e, StepStarted)]
    assert [(e.number, e.instruction, e.start_line, e.end_line) for e in started[:6]] == [
        (1, f"FROM {fixture_images['busybox']}", 1, 1),
        (2, f"ENV NS={namespace}", 2, 2),
        (3, "WORKDIR /app", 3, 3),
        (4, "COPY a.txt /app/a.txt", 4, 4),
        (5, "RUN cat /app/a.txt &&     echo built", 5, 6),
        (6, 'CMD ["sh"]', 7, 7),
    ]
    # The engine appends the build's labels as LABEL step(s) that are not in the file.
    assert all(e.instruction.startswith("LABEL ") and e.start_line == 0 for e in started[6:])
    assert started[0].total == len(started) > 6
    assert [e.text for e in first if isinstance(e, OutputLine) and e.step == 5][1:3] == [
        "one",
        "built",
    ]
    done = finished(first)
    assert [e.cached for e in done[:3]] == [True, False, False]
    assert done[-1].image_id is not None and image.id.startswith(f"sha256:{done[-1].image_id}")
    assert gone(docker_client, running_in(first))

    second = run(engine, folder, tag, namespace)
    again = finished(second)
    assert len(again) == len(done)
    assert all(e.cached and e.miss_reason is None for e in again)
    assert [e.image_id for e in again] == [e.image_id for e in done]
    assert second[-1] == BuildDone(image.id, tag)
    assert running_in(second) == []


def test_changed_copied_file_rebuilds_exactly_the_later_steps(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    folder = context(
        tmp_path,
        DOCKERFILE.format(base=fixture_images["busybox"], ns=namespace),
        **{"a.txt": "one\n"},
    )
    tag = f"{namespace}/copy:1"
    before = finished(run(engine, folder, tag, namespace))
    (folder / "a.txt").write_text("two\n")
    events = run(engine, folder, tag, namespace)
    after = finished(events)
    assert [e.cached for e in after] == [True, True, True] + [False] * (len(after) - 3)
    assert after[3].miss_reason == FILE_CHANGED
    assert all(e.miss_reason == EARLIER_STEP_REBUILT for e in after[4:])
    assert [e.image_id for e in after[:3]] == [e.image_id for e in before[:3]]
    assert after[3].image_id != before[3].image_id
    assert "two" in [e.text for e in events if isinstance(e, OutputLine) and e.step == 5]
    assert docker_client.images.get(tag).id == events[-1].image_id  # type: ignore[union-attr]


def test_changed_build_arg_and_changed_instruction_are_told_apart(
    engine: Engine, namespace: str, fixture_images: dict[str, str], tmp_path: Path
) -> None:
    text = f"FROM {fixture_images['busybox']}\nENV NS={namespace}\nARG V=1\nRUN echo $V > /v\n"
    folder = context(tmp_path, text)
    tag = f"{namespace}/args:1"
    run(engine, folder, tag, namespace, buildargs={"V": "1"})
    with_new_arg = finished(run(engine, folder, tag, namespace, buildargs={"V": "2"}))
    assert [e.cached for e in with_new_arg[:3]] == [True, True, True]
    assert not with_new_arg[3].cached
    assert with_new_arg[3].miss_reason == BUILD_ARG_CHANGED
    (folder / "Dockerfile").write_text(text.replace("> /v", "> /w"))
    with_new_run = finished(run(engine, folder, tag, namespace, buildargs={"V": "2"}))
    assert with_new_run[3].miss_reason == INSTRUCTION_CHANGED
    assert all(e.miss_reason == EARLIER_STEP_REBUILT for e in with_new_run[4:])


@pytest.mark.engine_differs(
    "containerd_store", reason="no image per step: the cache's entries cannot be listed"
)
def test_a_first_miss_after_cached_steps_says_why_in_both_languages(
    engine: Engine, namespace: str, fixture_images: dict[str, str], tmp_path: Path
) -> None:
    """Issue 12, finding 11: lesson 5's last build and lesson 9's base build.

    In both, the first rebuilt step follows steps taken from an older build
    (or starts a new tag), so the image the tag named before cannot say why:
    the Build panel showed ``BUILT`` with no reason.
    """
    head = f"FROM {fixture_images['busybox']}\nENV NS={namespace}\n"
    run_cmd, copy = 'RUN echo built > /made\nCMD ["sh"]\n', "COPY a.txt /a.txt\n"
    folder = context(tmp_path, head + run_cmd + copy, **{"a.txt": "one\n"})
    tag = f"{namespace}/order:1"
    run(engine, folder, tag, namespace)
    # Lesson 5's experiment: COPY moved before RUN, the file changed, then the order back.
    (folder / "Dockerfile").write_text(head + copy + run_cmd)
    (folder / "a.txt").write_text("two\n")
    run(engine, folder, tag, namespace)
    (folder / "Dockerfile").write_text(head + run_cmd + copy)
    restored = finished(run(engine, folder, tag, namespace))
    assert [e.cached for e in restored[:5]] == [True, True, True, True, False]
    assert restored[4].miss_reason == FILE_CHANGED
    assert all(e.miss_reason == EARLIER_STEP_REBUILT for e in restored[5:])

    # Lesson 9's base: a new tag whose RUN comes from the cache, labelled for another lesson.
    (folder / "Dockerfile").write_text(head + "RUN echo built > /made\n")
    events = build(engine, folder, f"{namespace}/base:1", labels=labels_for(namespace, "base"))
    base = finished(list(events))
    assert [e.cached for e in base[:4]] == [True, True, True, False]
    assert base[3].instruction.startswith("LABEL ")
    assert base[3].miss_reason == NEW_AFTER_PARENT

    for reason in (FILE_CHANGED, NEW_AFTER_PARENT, EARLIER_STEP_REBUILT):
        english, portuguese = miss_text(reason, "en"), miss_text(reason, "pt-BR")
        assert english == reason == say("en", MISS_WORDS[reason])
        assert portuguese == say("pt-BR", MISS_WORDS[reason]) != english


def test_failing_run_reports_step_and_message_and_leaves_no_container(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
    step_images: list[str],
) -> None:
    text = f"FROM {fixture_images['busybox']}\nENV NS={namespace}\nRUN echo start && exit 3\n"
    tag = f"{namespace}/fails:1"
    events = run(engine, context(tmp_path, text), tag, namespace)
    error = events[-1]
    assert isinstance(error, BuildError)
    assert (error.step, error.instruction) == (3, "RUN echo start && exit 3")
    assert "returned a non-zero code: 3" in error.message
    assert not any(isinstance(e, BuildDone) for e in events)
    assert "start" in [e.text for e in events if isinstance(e, OutputLine) and e.step == 3]
    parent = finished(events)[1].image_id
    assert parent is not None
    step_images.append(parent)
    assert docker_client.containers.list(all=True, filters={"ancestor": parent}) == []
    assert len(running_in(events)) == 2 and gone(docker_client, running_in(events))  # ENV, RUN
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(tag)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("COPY onlyone", "COPY requires at least two arguments"),  # refused by the engine
        ("FOO bar", "unknown instruction: FOO"),  # refused before the upload
    ],
)
def test_dockerfile_syntax_error_raises_build_failed_before_any_event(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
    line: str,
    words: str,
) -> None:
    folder = context(tmp_path, f"FROM {fixture_images['busybox']}\n{line}\n")
    tag = f"{namespace}/syntax:1"
    seen: list[BuildEvent] = []
    with pytest.raises(DockerfileError) as caught:
        seen.extend(build(engine, folder, tag, labels=labels_for(namespace, "test")))
    assert seen == []
    assert isinstance(caught.value, BuildFailed)
    assert caught.value.line == 2
    assert words in caught.value.message
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(tag)


def test_missing_folder_or_dockerfile_is_build_failed(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(BuildFailed, match="does not exist"):
        list(build(engine, tmp_path / "nope", "x:1", labels={}))
    with pytest.raises(BuildFailed, match="Cannot read the Dockerfile"):
        list(build(engine, tmp_path, "x:1", labels={}))
    context(tmp_path, "FROM scratch\n")
    with pytest.raises(BuildFailed, match="invalid tag") as caught:
        list(build(engine, tmp_path, "Not A Tag", labels={}))
    assert caught.value.hint


def test_cancel_mid_build_stops_promptly_and_leaves_no_container(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
    step_images: list[str],
) -> None:
    text = f"FROM {fixture_images['busybox']}\nENV NS={namespace}\n"
    text += "RUN echo started && sleep 60 && echo never\n"
    tag = f"{namespace}/cancel:1"
    cancel = threading.Event()
    events: list[BuildEvent] = []
    cancelled_at = 0.0
    for event in build(
        engine, context(tmp_path, text), tag, labels=labels_for(namespace, "test"), cancel=cancel
    ):
        events.append(event)
        if isinstance(event, OutputLine) and event.text == "started":
            cancel.set()  # the next read blocks on a silent `sleep`: only a shutdown frees it
            cancelled_at = time.monotonic()
    assert cancelled_at and time.monotonic() - cancelled_at < 15
    assert not any(isinstance(e, (BuildDone, BuildError)) for e in events)
    containers = running_in(events)
    assert len(containers) == 2  # ENV and RUN
    assert gone(docker_client, containers)
    parent = finished(events)[1].image_id
    assert parent is not None
    step_images.append(parent)
    assert docker_client.containers.list(all=True, filters={"ancestor": parent}) == []
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(tag)
