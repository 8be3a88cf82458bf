"""A cached step image removed in the middle of a build: the classroom race, made exact.

On a shared engine, learners whose Dockerfiles start with the same lines share
the classic builder's step images. One learner's clean-up can remove such an
image in the instant between the engine finding it in the cache and starting
the next step from it; the other learner's build then failed with ``No such
image`` (seen in the twenty-learners run). These tests open that instant on
purpose: the step after the cached one has an instruction longer than the
socket's buffer, and the engine writes a step's ``Step N/M`` header before it
starts the step, so it waits on that write until the test reads on. Removing
the cached image when its id is read therefore always lands in the window.

Docker 26's containerd image store keeps an image per classic-builder step too,
so the same race, and the same retry, happen there: these tests run on both.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from tutor.engine.build import LOST_CACHE_RETRIES, build
from tutor.engine.build_events import (
    BuildDone,
    BuildError,
    BuildEvent,
    BuildRetried,
    OutputLine,
    StepFinished,
)
from tutor.engine.connection import Engine
from tutor.engine.labels import labels_for

#: The cached step whose image goes: ``RUN echo ... > /token`` is step 3.
CACHED_STEP = 3
#: Words of the long CMD after it (10,000 characters each): more than a socket buffer holds.
LONG_WORDS = 40
#: The step's image id as the engine prints it after ``---> ``.
_IMAGE_ID = re.compile(r"[0-9a-f]{12}")


@pytest.fixture
def leftovers(docker_client: docker.DockerClient) -> Iterator[list[str]]:
    """Unlabelled step images the test's builds made, removed by id afterwards."""
    made: list[str] = []
    yield made
    for image_id in reversed(made):
        with contextlib.suppress(docker.errors.APIError):
            docker_client.api.remove_image(image_id, noprune=True)


def _cached_chain(
    engine: Engine,
    docker_client: docker.DockerClient,
    folder: Path,
    head: str,
    namespace: str,
    leftovers: list[str],
) -> str:
    """Build ``head`` once, then strip everything above its last step: that step's
    image is left as a childless, untagged cache entry, the state another
    learner's step image is in the moment before their clean-up forgets it."""
    (folder / "Dockerfile").write_text(head)
    tag = f"{namespace}/lost-cache:0"
    events = list(build(engine, folder, tag, labels=labels_for(namespace, "test")))
    assert isinstance(events[-1], BuildDone)
    made = [e for e in events if isinstance(e, StepFinished) and e.number == CACHED_STEP]
    assert made and made[0].image_id is not None
    cached = made[0].image_id
    leftovers.append(cached)
    for row in docker_client.api.history(tag):  # the LABEL steps above it, newest first
        if str(row["Id"]).removeprefix("sha256:").startswith(cached):
            break
        docker_client.api.remove_image(row["Id"], noprune=True)
    return cached


def _build_losing_its_cache(
    engine: Engine,
    docker_client: docker.DockerClient,
    folder: Path,
    namespace: str,
    times: int,
    leftovers: list[str],
) -> tuple[list[BuildEvent], list[str]]:
    """Build, removing step 3's image each time its id is read, ``times`` times at most."""
    events: list[BuildEvent] = []
    removed: list[str] = []
    tag = f"{namespace}/lost-cache:1"
    for event in build(engine, folder, tag, labels=labels_for(namespace, "test")):
        events.append(event)
        if isinstance(event, StepFinished) and not event.cached and event.image_id:
            leftovers.append(event.image_id)
        if not isinstance(event, OutputLine) or event.step != CACHED_STEP:
            continue
        said = event.text.strip().removeprefix("---> ")
        if _IMAGE_ID.fullmatch(said) and len(removed) < times:
            docker_client.api.remove_image(said, noprune=True)
            removed.append(said)
    return events, removed


@pytest.fixture
def cached_then_long(
    engine: Engine,
    docker_client: docker.DockerClient,
    tmp_path: Path,
    namespace: str,
    fixture_images: dict[str, str],
    leftovers: list[str],
) -> tuple[Path, str]:
    """A build folder whose steps 1 to 3 are cached, step 3's image childless, and
    whose Dockerfile goes on with the long CMD; and that cached image's id."""
    token = uuid.uuid4().hex[:12]
    head = f"FROM {fixture_images['busybox']}\nENV NS={namespace}\nRUN echo {token} > /token\n"
    cached = _cached_chain(engine, docker_client, tmp_path, head, namespace, leftovers)
    (tmp_path / "Dockerfile").write_text(head + _long_cmd())
    return tmp_path, cached


#: Builds the folder of :func:`cached_then_long`, removing step 3's image each time its
#: id is read, ``times`` times at most; gives the events, the ids removed and the cached id.
LoseCache = Callable[[int], tuple[list[BuildEvent], list[str], str]]


@pytest.fixture
def lose_cache(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    cached_then_long: tuple[Path, str],
    leftovers: list[str],
) -> LoseCache:
    folder, cached = cached_then_long

    def lose(times: int) -> tuple[list[BuildEvent], list[str], str]:
        events, removed = _build_losing_its_cache(
            engine, docker_client, folder, namespace, times, leftovers
        )
        return events, removed, cached

    return lose


def _long_cmd() -> str:
    """A CMD in JSON form, one word a line: the engine parses this form fast (a
    long quoted LABEL takes it minutes) and runs nothing for it."""
    words = ", \\\n".join(f'"{"a" * 10_000}"' for _ in range(LONG_WORDS))
    return f'CMD ["true", \\\n{words}]\n'


def test_a_build_that_loses_a_cached_step_image_starts_again_and_succeeds(
    lose_cache: LoseCache, docker_client: docker.DockerClient
) -> None:
    events, removed, cached = lose_cache(1)

    assert removed == [cached]
    assert not [e for e in events if isinstance(e, BuildError)]
    retried = [e for e in events if isinstance(e, BuildRetried)]
    assert retried == [BuildRetried(cached, ())]
    first, again = events[: events.index(retried[0])], events[events.index(retried[0]) + 1 :]
    cached_then = [e for e in first if isinstance(e, StepFinished) and e.number == CACHED_STEP]
    assert [e.cached for e in cached_then] == [True]
    rebuilt = [e for e in again if isinstance(e, StepFinished) and e.number == CACHED_STEP]
    assert [e.cached for e in rebuilt] == [False] and rebuilt[0].image_id != cached
    done = events[-1]
    assert isinstance(done, BuildDone)
    image = docker_client.images.get(done.image_id)
    assert image.attrs["Config"]["Cmd"][:2] == ["true", "a" * 10_000]
    assert len(image.attrs["Config"]["Cmd"]) == 1 + LONG_WORDS


def test_a_build_that_loses_its_cache_twice_still_succeeds(lose_cache: LoseCache) -> None:
    """Two learners' clean-ups, one after the other, in one build (seen with 40 learners)."""
    events, removed, cached = lose_cache(2)

    assert len(removed) == 2 and removed[0] == cached
    assert [e.lost_image for e in events if isinstance(e, BuildRetried)] == removed
    assert not [e for e in events if isinstance(e, BuildError)]
    assert isinstance(events[-1], BuildDone)


def test_a_build_gives_up_after_its_retries(lose_cache: LoseCache) -> None:
    losses = LOST_CACHE_RETRIES + 1  # the cached image, then each try's rebuilt one

    events, removed, cached = lose_cache(losses)

    assert len(removed) == losses and removed[0] == cached
    retried = [e for e in events if isinstance(e, BuildRetried)]
    assert [e.lost_image for e in retried] == removed[:-1]
    error = events[-1]
    assert isinstance(error, BuildError)
    assert removed[-1] in error.message
    assert not [e for e in events if isinstance(e, BuildDone)]
