"""A push stopped half-way, and a connection that goes silent under a build or a push.

Stopped by the cancel event, by the connection closing under the client, and
by the connection going silent (nothing passes, nothing is closed: a
suspended laptop, a dead SSH tunnel). No container is left, the next push
works, and nothing but EngineUnreachable reaches the caller.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import docker
import pytest

from tests.engine.relay import Forwarder
from tests.reliability.builds import base_id, dockerfile, folder, made
from tests.reliability.engine_state import (
    containers_on,
    descendants,
    leftovers,
    wait_until,
)
from tests.reliability.silent_relay import SilentRelay
from tutor.engine.build import build
from tutor.engine.build_events import BuildEvent, OutputLine
from tutor.engine.build_leftovers import forget_intermediates
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine, connect
from tutor.engine.errors import EngineUnreachable
from tutor.engine.labels import label_filters, labels_for
from tutor.engine.push import push
from tutor.engine.push_stream import PushDone, PushError, PushEvent, PushProgress
from tutor.engine.registry import Registry, registry_tags, start_registry


@pytest.fixture
def big_image(docker_client: docker.DockerClient, busybox_base: str, namespace: str) -> str:
    """A labelled image with a 60 MB layer: its push takes long enough to be stopped."""
    text = f"FROM {busybox_base}\nRUN head -c 60000000 /dev/urandom > /big\n".encode()
    tag = f"lt-rel-big-{namespace}:1"
    for event in docker_client.api.build(
        fileobj=io.BytesIO(text), tag=tag, labels=labels_for(namespace, "push"), decode=True,
        rm=True, forcerm=True,
    ):  # fmt: skip
        assert "errorDetail" not in event, event
    return tag


@pytest.fixture
def registry(engine: Engine, fixture_images: dict[str, str], namespace: str) -> Registry:
    return start_registry(engine, namespace=namespace, image=fixture_images["registry"])


def pushing(event: PushEvent) -> bool:
    return isinstance(event, PushProgress) and event.status == "pushing"


def test_a_push_stopped_half_way_leaves_no_container_and_the_next_push_works(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    busybox_base: str,
    big_image: str,
    registry: Registry,
    relay: Forwarder,
) -> None:
    base = base_id(docker_client, busybox_base)
    repository = registry.repository(f"{namespace}/big")
    cancel = threading.Event()
    seen: list[PushEvent] = []
    for event in push(engine, big_image, repository, "v1", cancel=cancel):
        seen.append(event)
        if pushing(event):
            cancel.set()
    assert cancel.is_set() and not any(isinstance(e, (PushDone, PushError)) for e in seen)

    far = connect({"DOCKER_HOST": relay.host})
    seen = []
    try:
        with pytest.raises(EngineUnreachable) as caught:
            for event in push(far, big_image, repository, "v2"):
                seen.append(event)
                if pushing(event):
                    relay.close()
    finally:
        far.close()
    assert caught.value.hint
    assert any(pushing(e) for e in seen) and not any(isinstance(e, PushDone) for e in seen)

    # A push makes no container; only the learner's labelled registry runs.
    assert containers_on(docker_client, {base, *descendants(docker_client, base)}) == []
    mine = docker_client.containers.list(all=True, filters={"label": label_filters(namespace)})
    assert [c.name for c in mine] == [registry.container]
    done = list(push(engine, big_image, repository, "v3"))
    assert isinstance(done[-1], PushDone)
    assert registry_tags(registry.address, f"{namespace}/big") == ["v3"]
    report = clean(engine, namespace)
    assert f"{repository}:v1" in report.images and f"{repository}:v2" in report.images
    assert descendants(docker_client, base) == []


#: The client's read timeout in the silent tests (the tutor's own is 120 s).
READ_TIMEOUT = 3


@pytest.mark.slow
def test_a_connection_gone_silent_mid_build_or_mid_push_is_engine_unreachable(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    busybox_base: str,
    big_image: str,
    registry: Registry,
    tmp_path: Path,
    silent_relay: SilentRelay,  # after the base: closed (the engine stops the build) before it
) -> None:
    base = base_id(docker_client, busybox_base)
    far = connect({"DOCKER_HOST": silent_relay.host})
    far.api.timeout = READ_TIMEOUT
    text = dockerfile(busybox_base, namespace, "RUN echo started && sleep 60")
    events: list[BuildEvent] = []
    try:
        with pytest.raises(EngineUnreachable) as built:
            for event in build(
                far, folder(tmp_path, text), f"lt-rel-{namespace}:1", labels=labels_for(namespace)
            ):
                events.append(event)
                if isinstance(event, OutputLine) and event.text == "started":
                    silent_relay.go_silent()
    finally:
        far.close()
    assert built.value.hint and len(made(events)) == 2

    relay2 = SilentRelay(silent_relay.target)
    far = connect({"DOCKER_HOST": relay2.host})
    far.api.timeout = READ_TIMEOUT
    seen: list[PushEvent] = []
    try:
        with pytest.raises(EngineUnreachable) as pushed:
            for step in push(far, big_image, registry.repository(f"{namespace}/big"), "v1"):
                seen.append(step)
                if pushing(step):
                    relay2.go_silent()
    finally:
        far.close()
        relay2.close()
    assert pushed.value.hint and not any(isinstance(e, PushDone) for e in seen)
    silent_relay.close()  # now the engine sees its client go, and stops the build
    wait_until(
        lambda: leftovers(docker_client, base, namespace).unlabelled_containers == (),
        30,
        "the engine to remove the build container",
    )
    forget_intermediates(engine, made(events), namespace=namespace)
