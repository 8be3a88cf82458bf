"""A remote engine (``DOCKER_HOST=tcp://HOST:PORT``), made on this machine with a relay.

The test engine is put behind Debian's ``socat`` on an address of this machine
that is not a loopback one (added to ``lo`` for the test, removed afterwards),
so the tutor sees an engine on another host: published ports and the registry
must be reached at that host, never at 127.0.0.1, and ``doctor`` must say what
a remote engine changes. The relay only accepts connections from that address.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass

import docker
import pytest

from tests import provision
from tests.conftest import IN_CI
from tutor.course.checks import DECIDERS
from tutor.engine.connection import Engine, connect
from tutor.engine.container_info import fetch_page
from tutor.engine.containers import run
from tutor.engine.labels import labels_for
from tutor.engine.profile import profile
from tutor.engine.published import page_url
from tutor.engine.push import PushDone, push
from tutor.engine.registry import reachable_address, registry_tags, start_registry


@dataclass(frozen=True)
class Remote:
    """The relay: ``DOCKER_HOST`` for clients and the host it names."""

    docker_host: str
    address: str


def _free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def remote(engine_handle: provision.EngineHandle) -> Iterator[Remote]:
    """The test engine behind a TCP relay on a non-loopback address of this machine."""
    target = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if os.geteuid() != 0 or not target.startswith("unix://"):
        if IN_CI:
            pytest.fail("CI must run the remote-engine test (root and a unix socket engine)")
        pytest.skip("the relay needs root (an address on lo) and a unix socket engine")
    if not shutil.which("socat"):
        provision.apt_install("socat")
    address = f"10.254.{random.randint(1, 254)}.{random.randint(1, 254)}"
    subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True)
    relay = None
    try:
        port = _free_port(address)
        relay = subprocess.Popen(
            [
                "socat",
                f"TCP-LISTEN:{port},bind={address},fork,reuseaddr,range={address}/32",
                f"UNIX-CONNECT:{target.removeprefix('unix://')}",
            ],
            stdin=subprocess.DEVNULL,
        )
        docker_host = f"tcp://{address}:{port}"
        for _ in range(100):  # until socat listens
            try:
                docker.DockerClient(base_url=docker_host, timeout=5).ping()
                break
            except Exception:
                time.sleep(0.1)
        yield Remote(docker_host, address)
    finally:
        if relay is not None:
            relay.terminate()
            relay.wait(timeout=10)
        subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"], check=False)


@pytest.fixture
def remote_engine(remote: Remote) -> Iterator[Engine]:
    eng = connect(env={"DOCKER_HOST": remote.docker_host})
    yield eng
    eng.close()


def test_the_profile_and_doctor_say_the_engine_is_remote(remote: Remote) -> None:
    env = dict(os.environ, DOCKER_HOST=remote.docker_host)
    out = subprocess.run(
        [sys.executable, "-m", "tutor", "doctor", "--json"], capture_output=True, text=True, env=env
    )
    findings = {f["check"]: f for f in json.loads(out.stdout)}
    assert findings["engine"]["ok"] and remote.docker_host in findings["engine"]["detail"]
    detail = findings["remote engine"]["detail"]
    assert f"http://{remote.address}:PORT" in detail and "build context" in detail
    assert findings["remote engine"]["required"] is False
    eng = connect(env={"DOCKER_HOST": remote.docker_host})
    try:
        found = profile(eng)
    finally:
        eng.close()
    assert found.remote and found.port_host == remote.address


def test_the_app_page_is_fetched_at_the_engine_host(
    remote_engine: Engine, remote: Remote, fixture_images: dict[str, str], namespace: str
) -> None:
    info = run(
        remote_engine,
        fixture_images["busybox"],
        name=f"{namespace}-web",
        namespace=namespace,
        ports={8000: None},
        command=["sh", "-c", f"mkdir /www && echo page-{namespace} > /www/index.html && "
                 "httpd -f -p 8000 -h /www"],
    )  # fmt: skip
    # A port left to the engine can get one host port on 0.0.0.0 and another on ::.
    mapping = next(p for p in info.ports if ":" not in p.host_ip)
    assert page_url(remote_engine, mapping).startswith(f"http://{remote.address}:")
    assert fetch_page(remote_engine, info.id, 8000).strip() == f"page-{namespace}"


def test_the_registry_is_pushed_to_by_the_engine_and_read_at_its_host(
    remote_engine: Engine,
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    remote: Remote,
) -> None:
    registry = start_registry(remote_engine, namespace=namespace, image=fixture_images["registry"])
    assert registry.address.startswith("127.0.0.1:")  # the engine's own loopback: no TLS needed
    port = registry.address.rsplit(":", 1)[1]
    bindings = remote_engine.api.inspect_container(registry.container)["NetworkSettings"]["Ports"]
    # The IPv4 binding is the one the address names (:: may get a host port of its own).
    assert {b["HostPort"] for b in bindings["5000/tcp"] if ":" not in b["HostIp"]} == {port}
    reach = reachable_address(remote_engine, registry.address)
    assert reach == f"{remote.address}:{port}"

    ours = f"{namespace}/remote-app:1"
    dockerfile = f"FROM {fixture_images['busybox']}\nRUN echo {namespace} > /ns\n".encode()
    built = docker_client.api.build(
        fileobj=io.BytesIO(dockerfile), tag=ours, labels=labels_for(namespace, "push"),
        rm=True, forcerm=True, decode=True,
    )  # fmt: skip
    assert [e for e in built if "errorDetail" in e] == []
    events = list(push(remote_engine, ours, registry.repository(f"{namespace}/app")))
    assert isinstance(events[-1], PushDone), events[-1]
    assert registry_tags(reach, f"{namespace}/app") == ["latest"]
    ctx = types.SimpleNamespace(engine=remote_engine)
    args = {"repository": registry.repository(f"{namespace}/app"), "tag": "latest"}
    assert DECIDERS["registry_has"](ctx, None, args).passed  # type: ignore[arg-type]
