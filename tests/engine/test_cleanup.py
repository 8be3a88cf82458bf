"""clean() removes exactly the tutor's labelled objects and nothing a learner made."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

import docker
import docker.errors
import pytest

from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.labels import TOOL_LABEL, labels_for


def _build(
    client: docker.DockerClient, base: str, tag: str, labels: dict[str, str], run: str
) -> Any:
    dockerfile = f"FROM {base}\nRUN {run}\n".encode()
    for event in client.api.build(
        fileobj=io.BytesIO(dockerfile), tag=tag, labels=labels, rm=True, forcerm=True, decode=True
    ):
        assert "errorDetail" not in event, event
    return client.images.get(tag)


class Strangers:
    """Unlabelled objects a learner made by hand; removed by the test, by id, at the end."""

    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client
        self.containers: list[Any] = []
        self.images: list[str] = []

    def remove_all(self) -> None:
        for c in self.containers:
            with contextlib.suppress(docker.errors.APIError):
                c.remove(force=True)
        for ref in self.images:
            with contextlib.suppress(docker.errors.APIError):
                self.client.api.remove_image(ref)


@pytest.fixture
def strangers(docker_client: docker.DockerClient) -> Iterator[Strangers]:
    made = Strangers(docker_client)
    try:
        yield made
    finally:
        made.remove_all()


def _exists(fn: Any, ref: str) -> bool:
    try:
        fn(ref)
    except docker.errors.NotFound:
        return False
    return True


def _make_ours(
    client: docker.DockerClient, busybox: str, namespace: str, stem: str
) -> dict[str, Any]:
    labels = labels_for(namespace, "clean")
    image = _build(client, busybox, f"{stem}-{namespace}", labels, f"echo {namespace} > /ns")
    container = client.containers.create(
        image.id, ["true"], name=f"{stem}-{namespace}", labels=labels
    )
    network = client.networks.create(f"{stem}-net-{namespace}", labels=labels)
    volume = client.volumes.create(f"{stem}-vol-{namespace}", labels=labels)
    return {"image": image, "container": container, "network": network, "volume": volume}


def test_clean_removes_ours_and_keeps_a_learners_look_alikes(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    strangers: Strangers,
) -> None:
    ours = _make_ours(docker_client, fixture_images["busybox"], namespace, "python-hello-world")
    # The learner's own, made by hand with the course's names (plus our namespace,
    # so parallel runs never collide): no labels.
    theirs_tag = f"python-hello-world-{namespace}-mine"
    theirs = _build(docker_client, fixture_images["busybox"], theirs_tag, {"by": "learner"}, "true")
    strangers.images.append(theirs_tag)
    box = docker_client.containers.create(
        theirs_tag, ["true"], name=f"python-hello-world-{namespace}-mine"
    )
    strangers.containers.append(box)

    report = clean(engine, namespace)

    assert report.containers == [f"python-hello-world-{namespace}"]
    assert report.images == [f"python-hello-world-{namespace}:latest"]
    assert report.networks == [f"python-hello-world-net-{namespace}"]
    assert report.volumes == [f"python-hello-world-vol-{namespace}"]
    assert report.kept == []
    assert report.total == 4
    assert not _exists(docker_client.containers.get, ours["container"].id)
    assert not _exists(docker_client.images.get, ours["image"].id)
    assert not _exists(docker_client.networks.get, ours["network"].id)
    assert not _exists(docker_client.volumes.get, ours["volume"].name)
    assert docker_client.containers.get(box.id).name == f"python-hello-world-{namespace}-mine"
    assert docker_client.images.get(theirs_tag).id == theirs.id

    again = clean(engine, namespace)  # everything already gone: nothing to do, no error
    assert again.total == 0 and again.kept == []


def test_exact_course_names_made_by_hand_survive(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    strangers: Strangers,
) -> None:
    name = "python-hello-world"
    if not _exists(docker_client.images.get, name):
        _build(docker_client, fixture_images["busybox"], name, {"by": "learner"}, "true")
        strangers.images.append(name)
    if not _exists(docker_client.containers.get, name):
        strangers.containers.append(docker_client.containers.create(name, ["true"], name=name))
    image_id = docker_client.images.get(name).id
    container_id = docker_client.containers.get(name).id
    assert TOOL_LABEL not in (docker_client.images.get(name).labels or {})
    _make_ours(docker_client, fixture_images["busybox"], namespace, "lesson1")

    report = clean(engine, namespace)

    assert len(report.containers) == 1 and report.total == 4
    assert name not in report.containers and f"{name}:latest" not in report.images
    assert docker_client.images.get(name).id == image_id
    assert docker_client.containers.get(name).id == container_id


def test_children_go_before_parents_and_our_stopped_containers_do_not_block(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
) -> None:
    labels = labels_for(namespace, "layers")
    base = _build(
        docker_client, fixture_images["busybox"], f"base-{namespace}", labels, "echo b > /b"
    )
    child = _build(docker_client, base.id, f"child-{namespace}", labels, "echo c > /c")
    docker_client.api.tag(base.id, f"base-{namespace}", "v2")  # a second tag on the parent
    stopped = docker_client.containers.run(base.id, ["true"], detach=True, labels=labels)
    stopped.wait()

    report = clean(engine, namespace)

    assert sorted(report.images) == sorted(
        [f"child-{namespace}:latest", f"base-{namespace}:latest", f"base-{namespace}:v2"]
    )
    assert report.kept == []
    assert report.containers == [stopped.name]
    for image in (base, child):
        assert not _exists(docker_client.images.get, image.id)


def test_an_image_held_by_a_learners_container_is_kept_with_the_reason(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    strangers: Strangers,
) -> None:
    labels = labels_for(namespace, "held")
    image = _build(docker_client, fixture_images["busybox"], f"held-{namespace}", labels, "true")
    # Containers inherit image labels; the learner's own one says it is not the tutor's.
    theirs = docker_client.containers.create(image.id, ["true"], labels={TOOL_LABEL: "learner"})
    strangers.containers.append(theirs)
    network = docker_client.networks.create(f"held-net-{namespace}", labels=labels)
    network.connect(theirs)

    report = clean(engine, namespace)

    assert report.containers == []
    assert docker_client.containers.get(theirs.id).id == theirs.id
    assert _exists(docker_client.images.get, image.id)
    assert any(f"held-{namespace}" in why for why in report.kept)
    assert any(f"held-net-{namespace}" in why for why in report.kept)
    theirs.remove(force=True)  # the learner removes theirs; then ours can go
    later = clean(engine, namespace)
    assert later.kept == []
    assert not _exists(docker_client.images.get, image.id)


def test_dry_run_for_every_learner_lists_all_namespaces_and_removes_nothing(
    engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    strangers: Strangers,
) -> None:
    other = f"{namespace}b"
    mine = _make_ours(docker_client, fixture_images["busybox"], namespace, "dry")
    try:
        _make_ours(docker_client, fixture_images["busybox"], other, "dry")
        box = docker_client.containers.create(
            fixture_images["busybox"], ["true"], name=f"dry-{namespace}-x"
        )
        strangers.containers.append(box)

        everyone = clean(engine, None, dry_run=True)
        assert {f"dry-{namespace}", f"dry-{other}"} <= set(everyone.containers)
        assert f"dry-{namespace}-x" not in everyone.containers
        assert {f"dry-{namespace}:latest", f"dry-{other}:latest"} <= set(everyone.images)
        assert not any(tag.startswith("layers-tutor-test/") for tag in everyone.images)
        assert {f"dry-vol-{namespace}", f"dry-vol-{other}"} <= set(everyone.volumes)
        assert _exists(docker_client.containers.get, mine["container"].id)

        only_other = clean(engine, other)
        assert only_other.containers == [f"dry-{other}"]
        assert _exists(docker_client.containers.get, mine["container"].id)
    finally:
        clean(engine, other)
