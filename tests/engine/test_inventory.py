"""Reading the engine as the tutor's own types, on the real engine.

``tutor.engine.inventory`` and the few engine functions the course's checks
and actions use instead of docker-py (``plain_changes``, ``remove_ours``,
``pull_lines``, ``engine_refusals``): each answer is compared with what
docker-py itself says about the same objects.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import docker
import docker.errors
import pytest
from docker.models.containers import Container
from docker.models.images import Image

from tests.engine.labelled import build_labelled
from tutor.engine import images, inventory
from tutor.engine.connection import Engine, engine_refusals
from tutor.engine.diff import ChangeKind, plain_changes
from tutor.engine.errors import (
    ContainerNotFound,
    EngineRejected,
    ImageNotFound,
    NotOurs,
    PullFailed,
)
from tutor.engine.labels import label_filters, labels_for
from tutor.engine.printed import short_id
from tutor.engine.profile import EngineProfile
from tutor.engine.push import push
from tutor.engine.push_stream import PushDone
from tutor.engine.registry import start_registry


@pytest.fixture
def built(
    docker_client: docker.DockerClient, fixture_images: dict[str, str], namespace: str
) -> Image:
    """A labelled image of the namespace: busybox plus one RUN layer."""
    return build_labelled(
        docker_client, fixture_images["busybox"], f"inventory-{namespace}:v1", namespace,
        "echo one > /one", lesson="inventory",
    )  # fmt: skip


@pytest.fixture
def running(
    docker_client: docker.DockerClient, built: Image, namespace: str
) -> Iterator[Container]:
    """A running labelled container of ``built`` that publishes port 5000 on a free host port."""
    c = docker_client.containers.run(
        built.id, ["sh", "-c", "rm /one && echo hi > /hello && exec sleep 300"],
        name=f"inv-{namespace}", labels=labels_for(namespace, "inventory"),
        ports={"5000/tcp": ("127.0.0.1", None)}, detach=True,
    )  # fmt: skip
    try:
        for _ in range(100):  # the shell has made its changes once /hello exists
            if c.exec_run(["test", "-e", "/hello"]).exit_code == 0:
                break
        yield c
    finally:
        with contextlib.suppress(docker.errors.APIError):
            c.remove(force=True)


def test_inspect_image_says_what_docker_py_says(
    engine: Engine, built: Image, namespace: str, docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
) -> None:  # fmt: skip
    facts = inventory.inspect_image(engine, built.tags[0])
    assert facts is not None
    assert facts.id == built.id
    assert facts.created == built.attrs["Created"]
    assert facts.labels == built.attrs["Config"]["Labels"]  # the base's labels too
    assert labels_for(namespace, "inventory").items() <= facts.labels.items()
    assert list(facts.layers) == built.attrs["RootFS"]["Layers"]
    base = docker_client.images.get(fixture_images["busybox"]).attrs["RootFS"]["Layers"]
    assert list(facts.layers[:-1]) == base  # the base's layers, then the RUN's
    assert inventory.inspect_image(engine, f"absent-{namespace}:1") is None
    with pytest.raises(EngineRejected) as caught:
        inventory.inspect_image(engine, "Bad Name!!")
    assert "invalid reference format" in caught.value.explanation


def test_image_history_is_newest_first_with_missing_rows_named(
    engine: Engine,
    built: Image,
    namespace: str,
    docker_client: docker.DockerClient,
    engine_profile: EngineProfile,
) -> None:
    rows = inventory.image_history(engine, built.id)
    raw = docker_client.api.history(built.id)
    assert [r.id for r in rows] == [str(r["Id"]) for r in raw]
    assert rows[0].id == built.id
    run = next(r for r in rows if "echo one > /one" in r.created_by)
    raw_run = next(r for r in raw if "echo one > /one" in str(r["CreatedBy"]))
    assert run.size == raw_run["Size"]  # the engine's own figure, whatever it measures
    if not engine_profile.history_size_is_disk_usage:
        assert run.size == 4  # "one\n": bytes on the classic store
    assert run.created > 0
    assert all(r.id.startswith("sha256:") or r.id == "<missing>" for r in rows)
    with pytest.raises(ImageNotFound):
        inventory.image_history(engine, f"absent-{namespace}:1")


def test_list_images_by_repository_and_by_labels(
    engine: Engine,
    built: Image,
    namespace: str,
    fixture_images: dict[str, str],
    docker_client: docker.DockerClient,
) -> None:
    mine = inventory.list_images(engine, labels=label_filters(namespace))
    assert [(r.id, r.tags) for r in mine] == [(built.id, (f"inventory-{namespace}:v1",))]
    # What `docker image ls` says (the containerd store counts the unpacked snapshot
    # there, unlike `inspect`'s Size): the listing's own figure.
    listed = docker_client.api.images(name=f"inventory-{namespace}")
    assert mine[0].size == listed[0]["Size"]
    assert mine[0].created > 0
    assert mine[0].labels == built.attrs["Config"]["Labels"]
    by_name = inventory.list_images(engine, repository=f"inventory-{namespace}")
    assert [r.id for r in by_name] == [built.id]
    everything = {r.id for r in inventory.list_images(engine)}
    assert built.id in everything
    assert len(everything) > 1  # the fixture images too
    try:  # Engine 20.10 answers "none"; others refuse the name
        refused = inventory.list_images(engine, repository="Bad Name!!")
    except EngineRejected:
        refused = []
    assert refused == []


def test_list_containers_rows_and_filters(
    engine: Engine, built: Image, running: Container, namespace: str
) -> None:
    rows = inventory.list_containers(engine, labels=label_filters(namespace))
    assert len(rows) == 1
    row = rows[0]
    assert row.id == running.id
    assert row.names == (f"inv-{namespace}",)
    assert row.image == built.id
    assert row.image_id == built.id
    assert row.command == "sh -c 'rm /one && echo hi > /hello && exec sleep 300'"
    assert row.status.startswith("Up")
    assert row.labels == running.labels
    assert labels_for(namespace, "inventory").items() <= row.labels.items()
    running.reload()
    host_port = int(running.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"])
    assert row.ports == (inventory.PortRow(5000, "tcp", "127.0.0.1", host_port),)
    assert [r.id for r in inventory.list_containers(engine, name=f"inv-{namespace}")] == [
        running.id
    ]
    assert running.id in {r.id for r in inventory.list_containers(engine, ancestor=built.id)}
    assert running.id in {r.id for r in inventory.list_containers(engine, status="running")}
    running.stop(timeout=0)
    running.wait(timeout=30)  # Docker 26 may list it as running a moment after stop returns
    assert inventory.list_containers(engine, labels=label_filters(namespace)) == []
    stopped = inventory.list_containers(
        engine, include_stopped=True, labels=label_filters(namespace)
    )
    assert [r.id for r in stopped] == [running.id]
    assert stopped[0].ports == ()  # a stopped container publishes nothing
    assert inventory.list_containers(engine, status="exited", name=f"inv-{namespace}") == stopped


def test_network_and_volume_names_by_labels(
    engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    labels = labels_for(namespace, "inventory")
    net = docker_client.networks.create(f"inv-net-{namespace}", labels=labels)
    vol = docker_client.volumes.create(f"inv-vol-{namespace}", labels=labels)
    stranger = docker_client.volumes.create(f"inv-stranger-{namespace}")
    try:
        assert inventory.network_names(engine, label_filters(namespace)) == [net.name]
        assert inventory.volume_names(engine, label_filters(namespace)) == [vol.name]
        assert stranger.name not in inventory.volume_names(engine, label_filters())
    finally:
        stranger.remove()


def test_plain_changes_of_a_container(engine: Engine, running: Container, namespace: str) -> None:
    changes = {c.path: c.kind for c in plain_changes(engine, running.name or "")}
    assert changes["/hello"] is ChangeKind.ADDED
    assert changes["/one"] is ChangeKind.DELETED
    assert all(c.source_layer is None for c in plain_changes(engine, running.id))
    with pytest.raises(ContainerNotFound):
        plain_changes(engine, f"absent-{namespace}")


def test_remove_ours_removes_only_the_learners_image(
    engine: Engine, built: Image, namespace: str, fixture_images: dict[str, str]
) -> None:
    other = f"inventory-{namespace}:v2"
    images.tag(engine, built.id, other)
    answer = images.remove_ours(engine, other, namespace)
    assert answer == [("Untagged", other)]  # v1 still names it: nothing deleted
    assert inventory.inspect_image(engine, other) is None
    with pytest.raises(NotOurs):
        images.remove_ours(engine, built.tags[0], f"{namespace}x")
    with pytest.raises(NotOurs):
        images.remove_ours(engine, fixture_images["busybox"], namespace)
    assert inventory.inspect_image(engine, fixture_images["busybox"]) is not None
    with pytest.raises(EngineRejected) as caught:
        images.remove_ours(engine, f"absent-{namespace}:1", namespace)
    assert "No such image" in caught.value.explanation
    answer = images.remove_ours(engine, built.tags[0], namespace)
    assert ("Untagged", built.tags[0]) in answer
    assert ("Deleted", built.id) in answer
    assert inventory.inspect_image(engine, built.id) is None


def test_pull_lines_from_the_learners_registry(
    engine: Engine, built: Image, namespace: str, fixture_images: dict[str, str]
) -> None:
    registry = start_registry(engine, namespace=namespace, image=fixture_images["registry"])
    repository = registry.repository(f"{namespace}/inv")
    events = list(push(engine, built.tags[0], repository, "v1"))
    assert isinstance(events[-1], PushDone)
    images.remove_ours(engine, f"{repository}:v1", namespace)
    lines = list(images.pull_lines(engine, repository, "v1"))
    assert lines[0] == "v1: Pulling from " + f"{namespace}/inv"
    assert any(line.startswith("Digest: sha256:") for line in lines)
    assert lines[-1] == f"Status: Downloaded newer image for {repository}:v1"
    pulled = inventory.inspect_image(engine, f"{repository}:v1")
    assert pulled is not None and pulled.id == built.id
    with pytest.raises((PullFailed, EngineRejected)) as caught:
        list(images.pull_lines(engine, repository, "never-pushed"))
    assert "never-pushed" in str(caught.value) or "not found" in str(caught.value)


def test_engine_refusals_turns_docker_py_errors_into_the_tutors(
    engine: Engine, namespace: str
) -> None:
    with pytest.raises(EngineRejected) as caught, engine_refusals():
        engine.api.inspect_container(f"absent-{namespace}")
    assert "No such container" in caught.value.explanation
    assert isinstance(caught.value.__cause__, docker.errors.NotFound)
    with pytest.raises(ValueError, match="left alone"), engine_refusals():
        raise ValueError("left alone")


def test_short_id_is_what_docker_prints(built: Image, running: Container) -> None:
    assert short_id(built.id) == built.short_id.removeprefix("sha256:")
    assert short_id(running.id) == running.short_id
    assert short_id("abc") == "abc"
