"""Running, looking into and removing containers on the real engine."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator

import docker
import docker.errors
import pytest
from docker.models.containers import Container

from tutor.engine import containers
from tutor.engine.connection import Engine
from tutor.engine.errors import (
    ContainerNotFound,
    EngineError,
    ImageNotFound,
    NameTaken,
    NotOurs,
    PortInUse,
)
from tutor.engine.labels import LESSON_LABEL, NAMESPACE_LABEL, TOOL_LABEL
from tutor.engine.ports import parse_port_error


def _httpd(text: str) -> list[str]:
    return ["sh", "-c", f"echo '{text}' > /index.html && exec httpd -f -p 5000 -h /"]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A host port that a program of ours listens on."""
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def stranger(
    docker_client: docker.DockerClient, fixture_images: dict[str, str], namespace: str
) -> Iterator[Container]:
    """An unlabelled running container, as a learner would make with `docker run`."""
    c = docker_client.containers.run(
        fixture_images["busybox"], ["sleep", "300"], name=f"stranger-{namespace}", detach=True
    )
    try:
        yield c
    finally:
        with contextlib.suppress(docker.errors.APIError):
            c.remove(force=True)


def test_run_serves_a_page_and_exec_logs_stop_remove(
    engine: Engine,
    fixture_images: dict[str, str],
    namespace: str,
    docker_client: docker.DockerClient,
) -> None:
    name = f"web-{namespace}"
    info = containers.run(
        engine, fixture_images["busybox"], name=name, namespace=namespace, lesson="first-run",
        ports={5000: None}, command=_httpd(f"hello from {namespace}"),
    )  # fmt: skip
    assert info.name == name
    assert info.status == "running"
    assert info.lesson == "first-run"
    assert info.labels[TOOL_LABEL] == "layers-tutor"
    assert info.labels[NAMESPACE_LABEL] == namespace
    assert info.labels[LESSON_LABEL] == "first-run"
    host_port = info.host_port(5000)
    assert host_port is not None
    published = docker_client.containers.get(name).attrs["NetworkSettings"]["Ports"]["5000/tcp"]
    assert {p["HostIp"] for p in published} >= {"0.0.0.0"}  # all interfaces, like -p 5000:5000
    assert {int(p["HostPort"]) for p in published} == {host_port}

    assert containers.fetch_page(engine, name).strip() == f"hello from {namespace}"

    result = containers.exec_in(engine, name, "echo inside; cat /index.html; exit 3")
    assert result.exit_code == 3
    assert result.output == f"inside\nhello from {namespace}\n"
    listed = containers.exec_in(engine, name, ["ls", "/index.html"])
    assert (listed.exit_code, listed.output) == (0, "/index.html\n")

    assert [c.name for c in containers.ours(engine, namespace)] == [name]
    assert containers.ours(engine, f"{namespace}-other") == []

    containers.stop(engine, name, timeout=1)
    assert docker_client.containers.get(name).status == "exited"
    with pytest.raises(EngineError):
        containers.exec_in(engine, name, "true")
    with pytest.raises(EngineError, match="exited"):
        containers.fetch_page(engine, name, wait=1)
    containers.remove(engine, name)
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(name)
    with pytest.raises(ContainerNotFound):
        containers.remove(engine, name)


def test_exec_runs_inside_the_container_never_on_the_host(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    info = containers.run(
        engine, fixture_images["busybox"], name=f"box-{namespace}", namespace=namespace,
        command=["sleep", "300"],
    )  # fmt: skip
    with tempfile.NamedTemporaryFile(prefix="only-on-host-") as marker:
        assert os.path.exists(marker.name)
        result = containers.exec_in(engine, info.name, f"test -e {marker.name}")
        assert result.exit_code == 1
    assert containers.exec_in(engine, info.name, "hostname").output.strip() == info.id[:12]


def test_logs_return_what_the_container_wrote(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    info = containers.run(
        engine, fixture_images["busybox"], name=f"talk-{namespace}", namespace=namespace,
        command=["sh", "-c", "echo one; sleep 0.3; echo two >&2; sleep 300"],
    )  # fmt: skip
    for _ in range(50):
        text = containers.logs(engine, info.name)
        if "two" in text:
            break
        time.sleep(0.1)
    assert text.splitlines() == ["one", "two"]
    assert containers.logs(engine, info.name, tail=1).splitlines() == ["two"]


def test_published_on_one_address_when_asked(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    info = containers.run(
        engine, fixture_images["busybox"], name=f"local-{namespace}", namespace=namespace,
        ports={5000: None}, host_ip="127.0.0.1", command=_httpd("only here"),
    )  # fmt: skip
    assert [(p.host_ip, p.container_port) for p in info.ports] == [("127.0.0.1", 5000)]
    assert containers.fetch_page(engine, info.name).strip() == "only here"


def test_busy_port_found_before_running(
    engine: Engine, fixture_images: dict[str, str], namespace: str, busy_port: int
) -> None:
    name = f"busy-{namespace}"
    with pytest.raises(PortInUse) as caught:
        containers.run(
            engine, fixture_images["busybox"], name=name, namespace=namespace,
            ports={5000: busy_port}, command=_httpd("x"),
        )  # fmt: skip
    assert caught.value.port == busy_port
    assert str(busy_port) in str(caught.value)
    assert caught.value.hint
    assert containers.container_info(engine, name) is None  # nothing left behind


def test_busy_port_refused_by_the_engine_is_port_in_use(
    engine: Engine, fixture_images: dict[str, str], namespace: str, busy_port: int
) -> None:
    name = f"busy2-{namespace}"
    with pytest.raises(PortInUse) as caught:
        containers.run(
            engine, fixture_images["busybox"], name=name, namespace=namespace,
            ports={5000: busy_port}, command=_httpd("x"), check_ports=False,
        )  # fmt: skip
    assert caught.value.port == busy_port
    assert parse_port_error(str(caught.value.__cause__)) == busy_port
    assert containers.container_info(engine, name) is None  # the created one was removed


def test_port_held_by_another_container_is_port_in_use(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    first = containers.run(
        engine, fixture_images["busybox"], name=f"a-{namespace}", namespace=namespace,
        ports={5000: None}, command=_httpd("a"),
    )  # fmt: skip
    port = first.host_port(5000)
    assert port is not None
    for check in (True, False):
        with pytest.raises(PortInUse) as caught:
            containers.run(
                engine, fixture_images["busybox"], name=f"b-{namespace}", namespace=namespace,
                ports={5000: port}, command=_httpd("b"), check_ports=check,
            )  # fmt: skip
        assert caught.value.port == port


def test_a_busy_preferred_port_is_replaced_by_a_free_one(
    engine: Engine, fixture_images: dict[str, str], namespace: str, busy_port: int
) -> None:
    # The app listens on busy_port inside; that same number is taken outside.
    command = ["sh", "-c", f"echo auto > /index.html && exec httpd -f -p {busy_port} -h /"]
    info = containers.run(
        engine, fixture_images["busybox"], name=f"auto-{namespace}", namespace=namespace,
        ports={busy_port: None}, command=command,
    )  # fmt: skip
    chosen = info.host_port(busy_port)
    assert chosen is not None and chosen != busy_port
    assert containers.fetch_page(engine, info.name, busy_port).strip() == "auto"


def test_name_of_an_unlabelled_container_is_taken(
    engine: Engine, fixture_images: dict[str, str], namespace: str, stranger: Container
) -> None:
    with pytest.raises(NameTaken, match="not made by the tutor") as caught:
        containers.run(
            engine, fixture_images["busybox"], name=stranger.name, namespace=namespace,
            command=["true"], replace=True,
        )  # fmt: skip
    assert f"docker rm -f {stranger.name}" in caught.value.hint
    stranger.reload()
    assert stranger.status == "running"


def test_same_name_of_ours_needs_replace(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    kwargs = {"name": f"again-{namespace}", "namespace": namespace, "command": ["sleep", "300"]}
    first = containers.run(engine, fixture_images["busybox"], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NameTaken, match="earlier step"):
        containers.run(engine, fixture_images["busybox"], **kwargs)  # type: ignore[arg-type]
    second = containers.run(engine, fixture_images["busybox"], replace=True, **kwargs)  # type: ignore[arg-type]
    assert second.id != first.id
    assert containers.container_info(engine, first.id) is None


def test_another_learners_container_is_not_replaced(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    theirs = containers.run(
        engine, fixture_images["busybox"], name=f"shared-{namespace}", namespace=namespace,
        command=["sleep", "300"],
    )  # fmt: skip
    with pytest.raises(NameTaken, match="another learner"):
        containers.run(
            engine, fixture_images["busybox"], name=theirs.name, namespace=f"{namespace}x",
            command=["true"], replace=True,
        )  # fmt: skip
    with pytest.raises(NotOurs):
        containers.remove(engine, theirs.name, namespace=f"{namespace}x")
    assert containers.container_info(engine, theirs.id) is not None


def test_unlabelled_container_is_never_stopped_removed_or_exec_d(
    engine: Engine, stranger: Container
) -> None:
    with pytest.raises(NotOurs):
        containers.stop(engine, stranger.name)
    with pytest.raises(NotOurs):
        containers.remove(engine, stranger.name)
    with pytest.raises(NotOurs):
        containers.exec_in(engine, stranger.name, "touch /changed")
    stranger.reload()
    assert stranger.status == "running"
    # A read-only look is allowed when the caller says so.
    result = containers.exec_in(engine, stranger.name, "test -e /changed", require_ours=False)
    assert result.exit_code == 1
    info = containers.container_info(engine, stranger.name)
    assert info is not None and info.lesson is None


def test_missing_image_is_image_not_found(engine: Engine, namespace: str) -> None:
    with pytest.raises(ImageNotFound):
        containers.run(
            engine, f"layers-tutor-absent-{namespace}:1", name=f"none-{namespace}",
            namespace=namespace,
        )  # fmt: skip


def test_fetch_page_needs_a_published_port(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    info = containers.run(
        engine, fixture_images["busybox"], name=f"closed-{namespace}", namespace=namespace,
        command=_httpd("hidden"),
    )  # fmt: skip
    with pytest.raises(EngineError, match="does not publish port 5000") as caught:
        containers.fetch_page(engine, info.name)
    assert "-p" in caught.value.hint


def test_fetch_page_says_clearly_when_nothing_answers(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    info = containers.run(
        engine, fixture_images["busybox"], name=f"mute-{namespace}", namespace=namespace,
        ports={5000: None}, command=["sleep", "300"],
    )  # fmt: skip
    with pytest.raises(EngineError, match="Nothing answered") as caught:
        containers.fetch_page(engine, info.name, wait=1)
    assert "0.0.0.0" in caught.value.hint


def test_a_running_command_is_stopped_and_the_container_keeps_running(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    # The Diff panel's command line: `sleep 30` showed no way to end it (issue 12, #14).
    info = containers.run(
        engine, fixture_images["busybox"], name=f"long-{namespace}", namespace=namespace,
        command=["sleep", "300"],
    )  # fmt: skip
    token = containers.new_run_token()
    results: list[containers.ExecResult] = []
    command = "sleep 30; echo not stopped"
    runner = threading.Thread(
        target=lambda: results.append(containers.exec_in(engine, info.name, command, token=token))
    )
    runner.start()
    for _ in range(200):  # until the command runs in the container, as the learner sees it
        if "sleep 30" in containers.exec_in(engine, info.name, "ps -o args").output:
            break
        time.sleep(0.05)
    signalled = containers.stop_command(engine, info.name, token)
    runner.join(timeout=60)
    assert signalled >= 1
    [result] = results
    assert result.exit_code == 143  # killed by SIGTERM, as a shell says it
    assert "not stopped" not in result.output
    assert containers.container_info(engine, info.name).status == "running"  # type: ignore[union-attr]
    assert containers.stop_command(engine, info.name, token) == 0  # nothing left to stop
    other = containers.exec_in(
        engine, info.name, "echo still here", token=containers.new_run_token()
    )
    assert (other.exit_code, other.output.strip()) == (0, "still here")


def test_stopping_a_command_in_a_container_not_ours_is_refused(
    engine: Engine, stranger: Container
) -> None:
    with pytest.raises(NotOurs):
        containers.stop_command(engine, stranger.name, containers.new_run_token())


@pytest.mark.engine_differs(
    "history_size_is_disk_usage", reason="a fresh container's layer takes 4 KiB of snapshot blocks"
)
def test_ours_says_each_containers_size_as_docker_ps_s(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    # The Containers panel's SIZE column (lesson 6 step 5 asks about `docker ps -s`).
    info = containers.run(
        engine, fixture_images["busybox"], name=f"sized-{namespace}", namespace=namespace,
        command=["sleep", "300"],
    )  # fmt: skip
    [fresh] = containers.ours(engine, namespace, sizes=True)
    assert fresh.size_rw == 0 and fresh.size_virtual is not None and fresh.size_virtual > 0
    containers.exec_in(engine, info.name, "head -c 100000 /dev/zero > /written")
    [written] = containers.ours(engine, namespace, sizes=True)
    assert written.size_rw is not None and written.size_rw >= 100_000
    assert written.size_virtual > fresh.size_virtual  # type: ignore[operator]
    [unsized] = containers.ours(engine, namespace)
    assert unsized.size_rw is None  # only asked for where it is shown
