"""Claims: the engine gives a course name or port to exactly one learner, even at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import docker
import docker.errors
import pytest

from tests.conftest import sweep_namespace
from tutor.course.shared_engine import name_for, port_for
from tutor.engine.claims import claim, claim_volume_name
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.ports import free_port


@pytest.fixture
def other(namespace: str, docker_client: docker.DockerClient) -> Iterator[str]:
    """A second learner's namespace, swept afterwards."""
    name = f"{namespace}o"
    yield name
    sweep_namespace(docker_client, name)


def test_learners_claiming_one_name_at_once_get_one_winner(
    engine: Engine, namespace: str, other: str
) -> None:
    name = f"lt-claimed-{namespace}"
    results: dict[str, list[bool]] = {namespace: [], other: []}
    start = threading.Barrier(16)

    def attempt(who: str) -> None:
        start.wait()
        results[who].append(claim(engine, "image", name, who))

    threads = [threading.Thread(target=attempt, args=(w,)) for w in [namespace, other] * 8]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [who for who, got in results.items() if any(got)]
    assert len(winners) == 1, results
    assert all(results[winners[0]]) and len(results[winners[0]]) == 8  # again and again theirs
    loser = other if winners[0] == namespace else namespace
    assert results[loser] == [False] * 8


def test_a_volume_named_like_a_claim_but_not_ours_is_never_claimed_nor_removed(
    engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    name = f"lt-taken-{namespace}"
    theirs = docker_client.volumes.create(claim_volume_name("container", name))
    try:
        assert claim(engine, "container", name, namespace) is False
        assert name_for(engine, "container", name, namespace) == f"{name}-{namespace}"
        clean(engine, namespace)
        # Every learner's clean-up (``clean --all``) would not take it either; asked as a
        # dry run, since for real it would also take what other tests on this engine made.
        assert theirs.name not in clean(engine, None, dry_run=True).volumes
        assert docker_client.volumes.get(theirs.name).attrs["Labels"] in (None, {})
    finally:
        theirs.remove(force=True)


def test_clean_frees_a_claimed_name_for_the_next_learner(
    engine: Engine, namespace: str, other: str
) -> None:
    name = f"lt-app/with:tag-{namespace}"  # characters a volume name cannot hold
    assert name_for(engine, "image", name, namespace) == name
    assert name_for(engine, "image", name, other) != name  # the first learner holds it
    assert claim_volume_name("image", name) in clean(engine, namespace).volumes
    assert name_for(engine, "image", name, other) == name


def test_a_port_another_learner_claimed_is_not_given_out_again(
    engine: Engine, namespace: str, other: str
) -> None:
    port = free_port(20000 + int(namespace[1:7], 16) % 20000)
    assert port_for(engine, port, namespace) == port
    assert port_for(engine, port, namespace) == port  # the same learner keeps it
    theirs = port_for(engine, port, other)
    assert theirs != port
    assert claim(engine, "port", str(theirs), other)


def test_the_last_of_a_large_class_still_gets_a_port_of_their_own(
    engine: Engine, namespace: str, other: str
) -> None:
    """Twenty learners and two more in the app, all from one course port: the
    twenty-second tried twenty ports, all claimed, and was handed the next one
    unclaimed (seen in the twenty-learners run). Now a port is only ever theirs."""
    start = free_port(20000 + int(namespace[1:7], 16) % 20000)
    class_ports: list[int] = []
    candidate = start
    while len(class_ports) < 25:
        if claim(engine, "port", str(candidate), other):
            class_ports.append(candidate)
        candidate = free_port(candidate + 1)
    mine = port_for(engine, start, namespace)
    assert mine not in class_ports
    assert claim(engine, "port", str(mine), namespace)
    assert not claim(engine, "port", str(mine), other)
