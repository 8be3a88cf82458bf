"""Reading the shared engine's state for reliability tests: what a test made, what leaked.

Other test runs use the same engine at the same time, so "what changed since
the start" is not enough to blame the tutor. A test that counts leaks builds
from a base image of its own (:func:`own_base`: the fixture image plus one
``ENV`` naming the test's namespace, so its id is unique); every image the
tutor then builds descends from it, and every build container runs on one of
those images. Leaks are counted among those only.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors

from tutor.engine.labels import is_ours


def own_base(client: docker.DockerClient, source: str, namespace: str) -> str:
    """Tag and return ``lt-rel-base-<namespace>:1``: ``source`` plus one ENV, a unique id.

    It carries no tutor labels (a base image with them would give every step
    image the labels too, and hide the very leaks the tests look for).
    """
    tag = f"lt-rel-base-{namespace}:1"
    dockerfile = f"FROM {source}\nENV LT_RELIABILITY={namespace}\n".encode()
    for event in client.api.build(
        fileobj=io.BytesIO(dockerfile), tag=tag, rm=True, forcerm=True, decode=True
    ):
        assert "errorDetail" not in event, event
    return tag


def descendants(client: docker.DockerClient, image_id: str) -> list[str]:
    """Every image built on ``image_id`` (children, grandchildren...), children first."""
    children: dict[str, list[str]] = {}
    for row in client.api.images(all=True):
        children.setdefault(row.get("ParentId") or "", []).append(row["Id"])
    found: list[str] = []
    todo = [image_id]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return list(reversed(found))  # deepest last found first: children before parents


def containers_on(client: docker.DockerClient, image_ids: set[str]) -> list[dict[str, Any]]:
    """Containers (any state) whose image is one of ``image_ids``."""
    return [row for row in client.api.containers(all=True) if row.get("ImageID") in image_ids]


@dataclass(frozen=True)
class Leftovers:
    """What remains on the engine that grew from a test's own base image.

    Attributes:
        labelled: Ids of images and containers with the namespace's labels.
        unlabelled_images: Ids of images without them that no labelled image is
            built on (a labelled image's own step images are its parents, and
            go with it): step images of stopped builds.
        unlabelled_containers: Ids of containers without them (build containers).
    """

    labelled: tuple[str, ...]
    unlabelled_images: tuple[str, ...]
    unlabelled_containers: tuple[str, ...]

    @property
    def leaks(self) -> int:
        """Unlabelled objects: ``clean`` can never find these."""
        return len(self.unlabelled_images) + len(self.unlabelled_containers)


def leftovers(client: docker.DockerClient, base_id: str, namespace: str) -> Leftovers:
    """Images built on ``base_id`` and containers made from them (or from it), by labels."""
    parent = {row["Id"]: row.get("ParentId") or "" for row in client.api.images(all=True)}
    images = descendants(client, base_id)
    labelled: list[str] = []
    bare_images: list[str] = []
    for image_id in images:
        try:
            labels = client.api.inspect_image(image_id)["Config"].get("Labels")
        except docker.errors.NotFound:
            continue
        (labelled if is_ours(labels, namespace) else bare_images).append(image_id)
    held: set[str] = set()  # parents of our labelled images: they go with them
    for image_id in labelled:
        below = parent.get(image_id, "")
        while below and below not in held:
            held.add(below)
            below = parent.get(below, "")
    bare_containers: list[str] = []
    for row in containers_on(client, {base_id, *images}):
        (labelled if is_ours(row.get("Labels"), namespace) else bare_containers).append(row["Id"])
    dangling = tuple(i for i in bare_images if i not in held)
    return Leftovers(tuple(labelled), dangling, tuple(bare_containers))


def remove_tree(client: docker.DockerClient, base_id: str) -> None:
    """Remove ``base_id``, everything built on it and every container made from them.

    Only for a test's own base (:func:`own_base`): all of it was made by the test.
    """
    images = descendants(client, base_id)
    for row in containers_on(client, {base_id, *images}):
        with contextlib.suppress(docker.errors.APIError):
            client.api.remove_container(row["Id"], force=True, v=True)
    for image_id in [*images, base_id]:
        with contextlib.suppress(docker.errors.APIError):
            client.api.remove_image(image_id, force=True, noprune=True)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 0.1 s until it holds; fail the test after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def exists(client: docker.DockerClient, image_id: str) -> bool:
    """Whether an image (by id or prefix) is still on the engine."""
    try:
        client.api.inspect_image(image_id)
    except docker.errors.NotFound:
        return False
    return True
