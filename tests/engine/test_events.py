"""Following engine events: what the app sees when a container starts, and stopping promptly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import docker
import pytest

from tests import provision
from tests.engine.relay import Forwarder, relay_to_engine
from tutor.engine import containers
from tutor.engine.connection import Engine, connect
from tutor.engine.errors import EngineUnreachable
from tutor.engine.events import EngineEvent, parse_event, watch
from tutor.engine.labels import NAMESPACE_LABEL


@pytest.fixture
def engine_address(docker_client: docker.DockerClient) -> Iterator[Forwarder]:
    """See :func:`relay_to_engine`."""
    yield from relay_to_engine()


@dataclass
class Watcher:
    """``watch()`` running in a thread, as the app runs it in a worker."""

    engine: Engine
    since: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    events: list[EngineEvent] = field(default_factory=list)
    error: BaseException | None = None
    thread: threading.Thread | None = None

    def start(self) -> Watcher:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            for event in watch(self.engine, cancel=self.cancel, since=self.since):
                self.events.append(event)
        except BaseException as exc:
            self.error = exc

    def wait_for(self, test: Callable[[EngineEvent], bool], timeout: float = 10) -> EngineEvent:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((e for e in list(self.events) if test(e)), None)
            if found is not None:
                return found
            if self.error is not None:
                raise AssertionError(f"watch failed: {self.error!r}")
            time.sleep(0.05)
        raise AssertionError(
            f"no such event; saw {[(e.kind, e.action, e.name) for e in self.events]}"
        )

    def stop(self) -> float:
        """Cancel and return how long the generator took to end."""
        started = time.monotonic()
        self.cancel.set()
        assert self.thread is not None
        self.thread.join(timeout=5)
        return time.monotonic() - started


def _ready(watcher: Watcher, client: docker.DockerClient, image: str, tag: str) -> None:
    """Wait until the stream is really open: make an event and see it arrive."""
    deadline = time.monotonic() + 10
    while not any(
        e.kind == "image" and e.action == "tag" and tag in e.name for e in watcher.events
    ):
        client.api.tag(image, tag, "ready")
        time.sleep(0.2)
        assert time.monotonic() < deadline, "the event stream never opened"
    client.api.remove_image(f"{tag}:ready")


def test_running_a_labelled_container_shows_create_and_start(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    watcher = Watcher(engine).start()
    try:
        _ready(watcher, docker_client, fixture_images["busybox"], f"ready-{namespace}")
        info = containers.run(
            engine, fixture_images["busybox"], name=f"seen-{namespace}", namespace=namespace,
            command=["sleep", "300"],
        )  # fmt: skip
        created = watcher.wait_for(lambda e: e.id == info.id and e.action == "create")
        started = watcher.wait_for(lambda e: e.id == info.id and e.action == "start")
        for event in (created, started):
            assert event.kind == "container"
            assert event.name == f"seen-{namespace}"
            assert event.attributes[NAMESPACE_LABEL] == namespace
            assert event.attributes["image"] == fixture_images["busybox"]
        assert created.time <= started.time
        assert abs(started.time - time.time()) < 60
        kinds = {e.kind for e in watcher.events}
        assert kinds <= {"container", "image", "network"}
    finally:
        assert watcher.stop() < 1.0
    assert watcher.error is None


def test_cancel_ends_a_quiet_stream_promptly(engine: Engine) -> None:
    watcher = Watcher(engine).start()
    time.sleep(0.5)  # blocked waiting for an event that does not come
    assert watcher.stop() < 1.0
    assert watcher.thread is not None and not watcher.thread.is_alive()
    assert watcher.error is None


def test_since_replays_what_happened_before_watching(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    before = time.time() - 1
    info = containers.run(
        engine, fixture_images["busybox"], name=f"past-{namespace}", namespace=namespace,
        command=["sleep", "300"],
    )  # fmt: skip
    watcher = Watcher(engine, since=before).start()
    try:
        event = watcher.wait_for(lambda e: e.id == info.id and e.action == "start")
        assert event.name == f"past-{namespace}"
        assert len([e for e in watcher.events if e.id == info.id and e.action == "start"]) == 1
    finally:
        watcher.stop()


def test_engine_going_away_raises_engine_unreachable(engine_address: Forwarder) -> None:
    engine = connect({"DOCKER_HOST": engine_address.host})
    client = docker.DockerClient(base_url=engine_address.host, timeout=10)
    watcher = Watcher(engine).start()
    try:
        _ready(watcher, client, provision.BUSYBOX, f"going-away-{engine_address.port}")
        engine_address.close()  # the engine "goes away": its address stops answering
        assert watcher.thread is not None
        watcher.thread.join(timeout=15)
        assert not watcher.thread.is_alive()
        assert isinstance(watcher.error, EngineUnreachable)
        assert engine_address.host in str(watcher.error)
        assert watcher.error.hint
    finally:
        watcher.cancel.set()
        client.close()
        engine.close()


def test_cancel_is_prompt_over_tcp_too(engine_address: Forwarder) -> None:
    engine = connect({"DOCKER_HOST": engine_address.host})
    try:
        watcher = Watcher(engine).start()
        time.sleep(0.5)
        assert watcher.stop() < 1.0
        assert watcher.error is None
    finally:
        engine.close()


def test_parse_event_shapes() -> None:
    raw = {
        "Type": "container",
        "Action": "exec_start: sh -c echo hi",
        "Actor": {"ID": "abc123", "Attributes": {"name": "web", "image": "busybox"}},
        "time": 1700000000,
        "timeNano": 1700000000123456789,
    }
    event = parse_event(raw)
    assert event is not None
    assert (event.kind, event.action, event.id, event.name) == (
        "container",
        "exec_start",
        "abc123",
        "web",
    )
    assert event.attributes == {"name": "web", "image": "busybox"}
    assert event.time == pytest.approx(1700000000.123456789)
    assert parse_event({"status": "x"}) is None
