"""Pushing to a local registry on the real engine: what travels and what is already there."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import docker
import docker.errors
import pytest
import requests

from tests.engine.labelled import build_labelled
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.errors import ImageNotFound, NameTaken, NotOurs
from tutor.engine.profile import EngineProfile
from tutor.engine.push import push
from tutor.engine.push_stream import PushDone, PushError, PushEvent, PushProgress
from tutor.engine.registry import (
    PREFERRED_HOST_PORT,
    Registry,
    registry_container_name,
    registry_manifest_layers,
    registry_tags,
    start_registry,
)


def _final(events: list[PushEvent]) -> dict[str, PushProgress]:
    last: dict[str, PushProgress] = {}
    for event in events:
        if isinstance(event, PushProgress):
            last[event.diff_id or event.layer] = event
    return last


@pytest.fixture
def registry(engine: Engine, fixture_images: dict[str, str], namespace: str) -> Registry:
    return start_registry(engine, namespace=namespace, image=fixture_images["registry"])


def test_start_registry_answers_and_is_reused(
    engine: Engine, fixture_images: dict[str, str], namespace: str, registry: Registry
) -> None:
    assert registry.address.startswith("127.0.0.1:")
    assert registry.container == registry_container_name(namespace)
    resp = requests.get(f"http://{registry.address}/v2/", timeout=5)
    assert resp.status_code == 200
    assert registry_tags(registry.address, "nothing-here") == []
    again = start_registry(engine, namespace=namespace, image=fixture_images["registry"])
    assert again == registry
    attrs = engine.api.inspect_container(registry.container)
    bindings = attrs["NetworkSettings"]["Ports"]["5000/tcp"]
    assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}  # never on the network


def test_a_learners_registry_prefers_port_5050_not_airplays_5000(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    with socket.socket() as probe:
        free = probe.connect_ex(("127.0.0.1", PREFERRED_HOST_PORT)) != 0
    try:
        registry = start_registry(engine, namespace=namespace, image=fixture_images["registry"])
        port = int(registry.address.rsplit(":", 1)[1])
        if free:
            assert port == PREFERRED_HOST_PORT == 5050
        else:  # someone else's: another free port, and it answers
            assert port != PREFERRED_HOST_PORT
        assert requests.get(f"http://{registry.address}/v2/", timeout=5).status_code == 200
    finally:
        clean(engine, namespace)


def _pushed_ids(
    engine_profile: EngineProfile, registry: Registry, name: str, tag: str, diff_ids: list[str]
) -> list[str]:
    """The ids push events name for an image's layers, oldest first.

    Diff-ids where the engine ties them (classic store); under the containerd
    store the short digests of the compressed blobs, as the registry lists them.
    """
    if not engine_profile.push_ids_are_blob_digests:
        return list(diff_ids)
    blobs = registry_manifest_layers(registry.address, name, tag)
    assert len(blobs) == len(diff_ids)
    return [blob.removeprefix("sha256:")[:12] for blob in blobs]


def test_push_then_push_again_then_share_the_base(
    engine: Engine,
    engine_profile: EngineProfile,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    registry: Registry,
) -> None:
    app = build_labelled(
        docker_client, fixture_images["busybox"], f"app-{namespace}", namespace, "echo 1 > /one"
    )
    diff_ids = app.attrs["RootFS"]["Layers"]
    repo = registry.repository(f"{namespace}/app")
    name = f"{namespace}/app"

    first = list(push(engine, app.tags[0], repo))
    final = _final(first)
    ids = _pushed_ids(engine_profile, registry, name, "latest", diff_ids)
    assert set(final) == set(ids)  # every layer, tied to its diff-id where the engine can
    assert {e.status for e in final.values()} == {"pushed"}
    if engine_profile.push_reports_progress:
        assert any(
            isinstance(e, PushProgress) and e.status == "pushing" and e.current for e in first
        )
    else:  # blobs are reported when pushed; "pushing" only now and then
        # (Docker 26 may also say a blob is "waiting" while another one goes;
        # on a first push nothing is "exists" or "mounted".)
        statuses = {e.status for e in first if isinstance(e, PushProgress)}
        assert statuses <= {"preparing", "waiting", "pushing", "pushed"}
    done = first[-1]
    assert isinstance(done, PushDone)
    assert done.reference == f"{repo}:latest"
    assert done.digest.startswith("sha256:")
    assert registry_tags(registry.address, name) == ["latest"]
    assert len(registry_manifest_layers(registry.address, name, "latest")) == len(diff_ids)
    assert f"{repo}:latest" in docker_client.images.get(app.id).tags

    second = list(push(engine, app.tags[0], repo))
    assert {e.status for e in _final(second).values()} == {"exists"}
    assert set(_final(second)) == set(ids)
    assert isinstance(second[-1], PushDone) and second[-1].digest == done.digest

    child = build_labelled(
        docker_client, app.tags[0], f"app2-{namespace}", namespace, "echo 2 > /two"
    )
    child_diff_ids = child.attrs["RootFS"]["Layers"]
    assert child_diff_ids[: len(diff_ids)] == diff_ids
    third = _final(list(push(engine, child.tags[0], repo, "v2")))
    child_ids = _pushed_ids(engine_profile, registry, name, "v2", child_diff_ids)
    assert child_ids[: len(ids)] == ids  # the same layers travel as the same blobs
    assert {d: third[d].status for d in ids} == dict.fromkeys(ids, "exists")
    assert third[child_ids[-1]].status == "pushed"
    assert registry_tags(registry.address, name) == ["latest", "v2"]

    # Another repository in the same registry: the registry mounts shared blobs.
    other = _final(list(push(engine, child.tags[0], registry.repository(f"{namespace}/other"))))
    assert {other[d].status for d in child_ids} == {"mounted"}
    assert {other[d].mounted_from for d in child_ids} == {name}


def test_push_to_a_registry_that_does_not_answer_is_a_push_error(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    app = build_labelled(
        docker_client, fixture_images["busybox"], f"lost-{namespace}", namespace, "true"
    )
    events = list(push(engine, app.id, f"127.0.0.1:1/{namespace}/lost"))
    # Newer engines report each layer waiting before they find out; none gets sent.
    assert isinstance(events[-1], PushError)
    assert "127.0.0.1:1" in events[-1].message
    assert [e.status for e in events[:-1] if isinstance(e, PushProgress)] == ["waiting"] * (
        len(events) - 1
    )


def test_push_refuses_images_that_are_not_ours(
    engine: Engine, fixture_images: dict[str, str], namespace: str, registry: Registry
) -> None:
    with pytest.raises(NotOurs):
        list(push(engine, fixture_images["busybox"], registry.repository(namespace)))
    with pytest.raises(ImageNotFound):
        list(push(engine, f"absent-{namespace}:1", registry.repository(namespace)))


def test_push_will_not_move_a_tag_that_names_someone_elses_image(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    app = build_labelled(
        docker_client, fixture_images["busybox"], f"mine-{namespace}", namespace, "true"
    )
    theirs = f"127.0.0.1:1/{namespace}/theirs"
    docker_client.api.tag(fixture_images["busybox"], theirs, "latest")
    try:
        with pytest.raises(NameTaken):
            list(push(engine, app.id, theirs))
        assert (
            docker_client.images.get(f"{theirs}:latest").id
            == docker_client.images.get(fixture_images["busybox"]).id
        )
    finally:
        docker_client.api.remove_image(f"{theirs}:latest")


def test_cancel_stops_a_push_promptly(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    registry: Registry,
) -> None:
    big = build_labelled(
        docker_client, fixture_images["busybox"], f"big-{namespace}", namespace,
        "head -c 200000000 /dev/urandom > /big",
    )  # fmt: skip
    cancel = threading.Event()
    seen: list[PushEvent] = []
    started = time.monotonic()
    cancelled_at = 0.0
    for event in push(engine, big.id, registry.repository(f"{namespace}/big"), cancel=cancel):
        seen.append(event)
        if isinstance(event, PushProgress) and event.status == "pushing" and not cancel.is_set():
            cancel.set()
            cancelled_at = time.monotonic()
    assert cancel.is_set()
    assert time.monotonic() - cancelled_at < 2.0
    assert not any(isinstance(e, PushDone) for e in seen)
    assert time.monotonic() - started < 30


def test_cancel_before_any_event_closes_the_stream(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    app = build_labelled(
        docker_client, fixture_images["busybox"], f"early-{namespace}", namespace, "true"
    )
    cancel = threading.Event()
    cancel.set()
    events = list(push(engine, app.id, f"127.0.0.1:1/{namespace}/early", cancel=cancel))
    assert events == []


def test_registry_image_absent_says_which_image_to_provide(engine: Engine, namespace: str) -> None:
    absent = "127.0.0.1:1/layers-tutor-absent/registry:2"  # never reaches the internet
    with pytest.raises(ImageNotFound) as caught:
        start_registry(engine, namespace=namespace, image=absent)
    assert absent in caught.value.hint
    assert (
        engine.client.containers.list(
            all=True, filters={"name": registry_container_name(namespace)}
        )
        == []
    )


def test_registry_name_taken_by_a_stranger(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    name = registry_container_name(namespace)
    stranger = docker_client.containers.create(fixture_images["busybox"], ["true"], name=name)
    try:
        with pytest.raises(NameTaken):
            start_registry(engine, namespace=namespace, image=fixture_images["registry"])
        stranger.reload()
        assert stranger.status == "created"
    finally:
        with contextlib.suppress(docker.errors.APIError):
            stranger.remove(force=True)


def test_cancel_while_the_engine_waits_on_a_silent_registry(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    app = build_labelled(
        docker_client, fixture_images["busybox"], f"wait-{namespace}", namespace, "true"
    )
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        repo = f"127.0.0.1:{silent.getsockname()[1]}/{namespace}/wait"
        cancel = threading.Event()
        timer = threading.Timer(1.0, cancel.set)
        timer.start()
        started = time.monotonic()
        events = list(push(engine, app.id, repo, cancel=cancel))
        elapsed = time.monotonic() - started
        timer.cancel()
    assert cancel.is_set()
    assert 0.9 < elapsed < 3.0  # blocked in a read until cancel closed the stream
    assert not any(isinstance(e, PushDone) for e in events)


def test_a_stopped_registry_starts_again_with_what_was_pushed(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    registry: Registry,
) -> None:
    app = build_labelled(
        docker_client, fixture_images["busybox"], f"kept-{namespace}", namespace, "true"
    )
    events = list(push(engine, app.id, registry.repository(f"{namespace}/kept")))
    assert isinstance(events[-1], PushDone)
    docker_client.containers.get(registry.container).stop(timeout=1)
    again = start_registry(engine, namespace=namespace, image=fixture_images["registry"])
    assert again.container == registry.container
    assert registry_tags(again.address, f"{namespace}/kept") == ["latest"]


def test_a_registry_image_that_cannot_be_had_says_how_to_get_it(
    engine: Engine, namespace: str
) -> None:
    absent = f"layers-tutor-test/absent-registry-{namespace}:2"
    try:
        with pytest.raises(ImageNotFound) as raised:
            start_registry(engine, namespace=namespace, image=absent)
        assert raised.value.message.startswith(f"The registry image {absent!r} is not on")
        assert "could not be pulled" in raised.value.message
        assert "python -m tutor prepare" in raised.value.hint
    finally:
        clean(engine, namespace)


def test_learners_whose_5050_is_taken_all_get_a_registry_at_once(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    """With 5050 taken, every learner's registry looked at 5000, saw it free and took it;
    all but one lost it and were told the port was in use (the twenty-learners run)."""
    learners = [f"{namespace}r{i}" for i in range(6)]
    start = threading.Barrier(len(learners))
    found: dict[str, object] = {}

    def start_one(who: str) -> None:
        start.wait(30)
        try:
            found[who] = start_registry(engine, namespace=who, image=fixture_images["registry"])
        except Exception as exc:  # the failure is what the test reports
            found[who] = exc

    holder = socket.socket()
    with contextlib.suppress(OSError):  # already taken by someone: as good
        holder.bind(("127.0.0.1", PREFERRED_HOST_PORT))
        holder.listen()
    try:
        threads = [threading.Thread(target=start_one, args=(who,)) for who in learners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        registries = [found.get(who) for who in learners]
        assert all(isinstance(r, Registry) for r in registries), registries
        addresses = [r.address for r in registries if isinstance(r, Registry)]
        assert len(set(addresses)) == len(learners)
    finally:
        holder.close()
        for who in learners:
            clean(engine, who)
