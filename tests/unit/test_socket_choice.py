"""Which engine addresses the command line reaches with its own socket client."""

from __future__ import annotations

import socketserver
import threading
from pathlib import Path

import pytest

from tutor.engine.socket_api import DEFAULT_SOCKET, SocketAPI, local_socket


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, DEFAULT_SOCKET),
        ({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, "/run/user/1000/docker.sock"),
        ({"DOCKER_HOST": "unix://"}, None),
        ({"DOCKER_HOST": "tcp://10.0.0.2:2375"}, None),
        ({"DOCKER_HOST": "ssh://teacher@lab"}, None),
        ({"DOCKER_HOST": "unix:///var/run/docker.sock", "DOCKER_TLS_VERIFY": "1"}, None),
        ({"DOCKER_CONTEXT": "desktop-linux"}, None),
        ({"DOCKER_CONTEXT": "default"}, DEFAULT_SOCKET),
    ],
)
def test_only_the_plain_local_socket(
    env: dict[str, str], expected: str | None, tmp_path: Path
) -> None:
    assert local_socket({"HOME": str(tmp_path), **env}) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('{"currentContext": "desktop-linux"}', None),
        ('{"currentContext": "default"}', DEFAULT_SOCKET),
        ('{"auths": {}}', DEFAULT_SOCKET),
        ("not json", DEFAULT_SOCKET),  # the CLI would fail on it; docker-py reads no context
        ('["a list"]', None),
    ],
)
def test_the_cli_context_in_the_config_file(
    config: str, expected: str | None, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text(config)
    assert local_socket({"DOCKER_CONFIG": str(tmp_path)}) == expected


class _Answers(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """An HTTP server on a unix socket answering ``/_ping`` and ``/version`` as told."""

    daemon_threads = True

    def __init__(self, path: str, ping_headers: str) -> None:
        self.asked: list[str] = []
        self.ping_headers = ping_headers
        super().__init__(path, _Answer)


class _Answer(socketserver.StreamRequestHandler):
    server: _Answers

    def handle(self) -> None:
        line = self.rfile.readline().decode()
        while self.rfile.readline() not in (b"\r\n", b""):
            pass
        path = line.split()[1]
        self.server.asked.append(path)
        headers, body = "", b"{}"
        if path == "/_ping":
            headers, body = self.server.ping_headers, b"OK"
        elif path == "/version":
            body = b'{"ApiVersion": "1.40", "Version": "20.10.0"}'
        self.wfile.write(
            f"HTTP/1.1 200 OK\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body
        )


@pytest.mark.parametrize(
    ("ping_headers", "version", "asked"),
    [
        ("Api-Version: 1.41\r\n", "1.41", ["/_ping"]),  # as Docker and Podman answer
        ("", "1.40", ["/_ping", "/version"]),  # an engine whose ping names no version
    ],
)
def test_the_api_version_comes_from_the_ping(
    ping_headers: str, version: str, asked: list[str], tmp_path: Path
) -> None:
    """``/version`` makes Docker ask containerd and runc (tens of ms): asked only as a fallback."""
    path = str(tmp_path / "engine.sock")
    server = _Answers(path, ping_headers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = SocketAPI(path, timeout=5)
        assert api.api_version == version
        assert api.api_version == version  # asked once
        assert server.asked == asked
        api.inspect_container("x")
        assert server.asked[-1] == f"/v{version}/containers/x/json"
    finally:
        server.shutdown()
        server.server_close()
