"""Fixtures for the reliability tests: a closable relay, and base images of a test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.engine.relay import Forwarder, relay_to_engine
from tests.reliability.engine_state import own_base, remove_tree
from tests.reliability.kill_setup import Learner
from tests.reliability.silent_relay import SilentRelay, silent_relay_to_engine
from tutor.course.loader import default_course_root, load_course


@pytest.fixture
def relay(docker_client: docker.DockerClient) -> Iterator[Forwarder]:
    """The shared engine behind a relay the test closes to make it "go away"."""
    yield from relay_to_engine()


@pytest.fixture
def busybox_base(
    docker_client: docker.DockerClient, fixture_images: dict[str, str], namespace: str
) -> Iterator[str]:
    """A busybox base of this test's own; it and all built on it go afterwards."""
    tag = own_base(docker_client, fixture_images["busybox"], namespace)
    base_id = docker_client.images.get(tag).id
    yield tag
    remove_tree(docker_client, base_id)


@pytest.fixture
def python_base(
    docker_client: docker.DockerClient, fixture_images: dict[str, str], namespace: str
) -> Iterator[str]:
    """A Python base of this test's own; it and all built on it go afterwards."""
    tag = own_base(docker_client, fixture_images["python"], namespace)
    base_id = docker_client.images.get(tag).id
    yield tag
    remove_tree(docker_client, base_id)


@pytest.fixture
def silent_relay(docker_client: docker.DockerClient) -> Iterator[SilentRelay]:
    """The shared engine behind a relay the test makes silent."""
    yield from silent_relay_to_engine()


@pytest.fixture
def learner(
    namespace: str, python_base: str, docker_client: docker.DockerClient,
    fixture_images: dict[str, str], tmp_path: Path,
) -> Learner:  # fmt: skip
    """A learner of the built-in course on a Python base of the test's own."""
    overrides = {"base_image": python_base, "registry_image": fixture_images["registry"]}
    course = load_course(default_course_root(), overrides=overrides)
    base_id = str(docker_client.images.get(python_base).id)
    return Learner(namespace, python_base, base_id, tmp_path, course, overrides)
