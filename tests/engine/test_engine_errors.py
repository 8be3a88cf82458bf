"""Engines that cannot be reached or used give typed errors with a hint, never tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests import provision
from tests.engine.relay import Forwarder, relay_to_engine
from tutor.engine import cleanup, containers, events, ports, registry
from tutor.engine.connection import connect
from tutor.engine.errors import (
    BadDockerHost,
    EngineError,
    EnginePermissionDenied,
    EngineUnreachable,
)

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = os.name == "posix" and os.geteuid() == 0
AS_NOBODY = shutil.which("setpriv")

# Runs in a child process: connect, and print what came out as JSON.
PROBE = """
import json, sys
from tutor.engine.connection import connect
try:
    connect(env={"DOCKER_HOST": sys.argv[1]}, timeout=5).close()
    print(json.dumps({"type": None}))
except Exception as exc:
    print(json.dumps({"type": type(exc).__name__, "message": str(exc),
                      "hint": getattr(exc, "hint", "")}))
"""


@pytest.fixture
def engine_address(docker_client: docker.DockerClient) -> Iterator[Forwarder]:
    """The shared engine behind a relay that the test closes to make it "go away"."""
    yield from relay_to_engine()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="lt-sock-"))
    folder.chmod(0o755)  # others may reach the socket file; its own mode decides
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_unix_socket_that_does_not_exist(socket_dir: Path) -> None:
    host = f"unix://{socket_dir / 'no-engine-here.sock'}"
    with pytest.raises(EngineUnreachable) as caught:
        connect({"DOCKER_HOST": host}, timeout=3)
    assert host in str(caught.value)
    assert "Start Docker" in caught.value.hint
    assert caught.value.host == host  # the banner says it again in the learner's language


def test_stale_unix_socket_nobody_listens_on(socket_dir: Path) -> None:
    path = socket_dir / "stale.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # the file stays after close: a daemon that died
    assert path.is_socket()
    with pytest.raises(EngineUnreachable) as caught:
        connect({"DOCKER_HOST": f"unix://{path}"}, timeout=3)
    assert caught.value.hint


def test_tcp_to_a_closed_local_port() -> None:
    host = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(EngineUnreachable) as caught:
        connect({"DOCKER_HOST": host}, timeout=3)
    assert host in str(caught.value)
    assert "DOCKER_HOST" in caught.value.hint


@pytest.mark.parametrize("host", ["foo://bar", "tcp://127.0.0.1:99999", "tcp://:abc"])
def test_bad_docker_host(host: str) -> None:
    with pytest.raises(BadDockerHost) as caught:
        connect({"DOCKER_HOST": host}, timeout=3)
    assert "DOCKER_HOST" in caught.value.hint
    assert host in str(caught.value)


def _probe(host: str, *, as_nobody: bool) -> dict[str, str | None]:
    cmd = [sys.executable, "-c", PROBE, host]
    if as_nobody:
        assert AS_NOBODY is not None
        cmd = [AS_NOBODY, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "HOME": "/tmp"}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    result: dict[str, str | None] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.skipif(IS_ROOT and not AS_NOBODY, reason="root, and no setpriv to drop to nobody")
def test_socket_without_permission(socket_dir: Path) -> None:
    path = socket_dir / "locked.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen()
        path.chmod(0)  # root would ignore this, so the probe runs as nobody
        result = _probe(f"unix://{path}", as_nobody=IS_ROOT)
    assert result["type"] == "EnginePermissionDenied"
    assert "docker group" in str(result["hint"])
    assert str(path) in str(result["message"])


@pytest.mark.skipif(not (IS_ROOT and AS_NOBODY), reason="needs root and setpriv to become nobody")
def test_real_engine_socket_refuses_a_user_outside_the_docker_group() -> None:
    sock = Path("/var/run/docker.sock")
    if not sock.is_socket() or sock.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH):
        pytest.skip("the default socket is absent or open to everyone here")
    result = _probe(f"unix://{sock}", as_nobody=True)
    assert result["type"] == EnginePermissionDenied.__name__
    assert result["hint"]


def test_every_call_raises_a_typed_error_once_the_engine_is_gone(
    engine_address: Forwarder,
) -> None:
    engine = connect({"DOCKER_HOST": engine_address.host})
    try:
        assert containers.ours(engine, "nobody-here") == []
        engine_address.close()
        calls = {
            "ours": lambda: containers.ours(engine, "ns"),
            "run": lambda: containers.run(engine, provision.BUSYBOX, name="x", namespace="ns"),
            "remove": lambda: containers.remove(engine, "x"),
            "logs": lambda: containers.logs(engine, "x"),
            "free_port": lambda: ports.free_port(5000, engine),
            "clean": lambda: cleanup.clean(engine, "ns"),
            "registry": lambda: registry.start_registry(engine, namespace="ns"),
            "watch": lambda: next(events.watch(engine, cancel=threading.Event())),
        }
        for what, call in calls.items():
            with pytest.raises(EngineUnreachable) as caught:
                call()
            assert isinstance(caught.value, EngineError), what
            assert caught.value.hint, what
    finally:
        engine.close()
