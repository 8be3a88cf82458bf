"""A read-only engine client over the local unix socket, with the standard library only.

``tutor layers`` and ``tutor diff`` make a few quick calls, yet importing
docker-py (requests, urllib3, charset-normalizer...) took 130 ms of a
200 ms ``layers`` and kept ``diff`` far from the ``docker`` CLI, whatever the
rest did. When the engine is the local socket (``DOCKER_HOST`` unset or
``unix://``, no TLS, the default CLI context) these commands speak HTTP/1.1
on the socket themselves, with the calls below and docker-py's own meaning:
the same URLs, the same negotiated API version, the same exceptions (docker-py
is imported to raise one, on an error path). Anything else (a call not here,
``tcp://``, ``ssh://``, TLS, another context) goes through docker-py, so a
missing method costs time, never correctness.
"""

from __future__ import annotations

import io
import json
import os
import socket
from collections.abc import Iterator, Mapping
from typing import Any, cast
from urllib.parse import quote, urlencode

DEFAULT_SOCKET = "/var/run/docker.sock"


def local_socket(env: Mapping[str, str]) -> str | None:
    """The unix socket path docker-py would use for ``env``, or None when it is not one.

    Args:
        env: The process environment (``DOCKER_HOST``, ``DOCKER_CONTEXT``...).

    Returns:
        The socket path, or None for anything that is not the plain local
        socket (then docker-py connects).
    """
    host = env.get("DOCKER_HOST", "")
    if env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_CONTEXT", "default") != "default":
        return None
    if host:
        return host[len("unix://") :] if host.startswith("unix://") and len(host) > 7 else None
    if _current_context(env) not in ("", "default"):
        return None
    return DEFAULT_SOCKET


def _current_context(env: Mapping[str, str]) -> str:
    """The CLI's ``currentContext`` ("" when none is set or the file cannot be read)."""
    folder = env.get("DOCKER_CONFIG") or os.path.join(env.get("HOME", "~"), ".docker")
    try:
        with open(os.path.join(os.path.expanduser(folder), "config.json"), "rb") as file:
            config = json.load(file)
    except (OSError, ValueError):
        return ""
    return str(config.get("currentContext") or "") if isinstance(config, dict) else "?"


class _Reply:
    """One HTTP response being read from its socket."""

    def __init__(self, sock: socket.socket, url: str) -> None:
        self.sock = sock
        self.url = url
        self.file = cast(io.BufferedReader, sock.makefile("rb", buffering=1 << 16))
        line = self.file.readline(65537).decode("latin-1")
        parts = line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ConnectionError(f"not an HTTP answer from the engine: {line[:80]!r}")
        self.status = int(parts[1])
        self.reason = parts[2].strip() if len(parts) > 2 else ""
        self.headers: dict[str, str] = {}
        while True:
            header = self.file.readline(65537).decode("latin-1")
            if header in ("\r\n", "\n", ""):
                break
            name, _, value = header.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def chunks(self, size: int) -> Iterator[bytes]:
        """The body in pieces of up to ``size`` bytes (chunked, sized or until the end)."""
        read = self.file.read1
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            while True:
                line = self.file.readline(1024)
                left = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if not left:
                    return
                while left:
                    piece = read(min(left, size))
                    if not piece:
                        raise ConnectionError("the engine's answer was cut short")
                    left -= len(piece)
                    yield piece
                self.file.readline(1024)
        elif "content-length" in self.headers:
            left = int(self.headers["content-length"])
            while left:
                piece = read(min(left, size))
                if not piece:
                    raise ConnectionError("the engine's answer was cut short")
                left -= len(piece)
                yield piece
        else:  # a hijacked stream (exec): until the engine closes it
            while piece := read(size):
                yield piece

    def body(self) -> bytes:
        return b"".join(self.chunks(1 << 20))

    def close(self) -> None:
        self.file.close()
        self.sock.close()


class SocketAPI:
    """The read-only subset of docker-py's ``APIClient`` the command line uses.

    Methods take docker-py's arguments and return what docker-py returns. Any
    other attribute is taken from a docker-py ``APIClient`` on the same
    socket, made on first use.

    Args:
        path: The engine's unix socket.
        timeout: Seconds to wait on any one read.
    """

    base_url = "http+docker://localhost"  # what docker-py names a unix socket's URL

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.hooks: dict[str, list[Any]] = {"response": []}  # nothing to hook: no requests
        self._version: dict[str, Any] | None = None
        self._api_version: str | None = None
        self._fallback: Any = None

    # -- the wire ---------------------------------------------------------------

    def _open(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> _Reply:
        """Send one request on a new connection; the reply's status is checked."""
        url = path if path in ("/version", "/_ping") else f"/v{self.api_version}{path}"
        if params:
            url += "?" + urlencode(params)
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {url} HTTP/1.1\r\nHost: docker\r\nUser-Agent: layers-tutor\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        if path.endswith("/start"):  # exec: the engine hijacks the connection
            head += "Connection: Upgrade\r\nUpgrade: tcp\r\n"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
            sock.sendall(head.encode("latin-1") + b"\r\n" + data)
            reply = _Reply(sock, self.base_url + url)
        except BaseException:
            sock.close()
            raise
        if reply.status >= 400:
            try:
                content = reply.body()
            finally:
                reply.close()
            _raise_api_error(reply, content)
        return reply

    def _json(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Any:
        reply = self._open(method, path, params, body)
        try:
            content = reply.body()
        finally:
            reply.close()
        return json.loads(content) if content.strip() else None

    # -- docker-py's calls --------------------------------------------------------

    def version(self) -> dict[str, Any]:
        """``GET /version``, asked once, and only when its answer is wanted."""
        if self._version is None:
            self._version = dict(self._json("GET", "/version"))
        return self._version

    @property
    def api_version(self) -> str:
        """The API version the engine offers, used in every URL (docker-py's "auto").

        docker-py reads it from ``GET /version``, which makes the engine ask
        containerd and run ``runc --version`` (10-70 ms here, on the path of
        every command). ``GET /_ping`` names the same version in its
        ``Api-Version`` header in a millisecond, as the docker CLI reads it;
        an engine whose ping lacks the header is asked ``/version``.
        """
        if self._api_version is None:
            self._api_version = self._ping_version() or str(
                self.version().get("ApiVersion") or "1.41"
            )
        return self._api_version

    def _ping_version(self) -> str | None:
        """The ``Api-Version`` header of ``GET /_ping`` (None when the engine sends none)."""
        reply = self._open("GET", "/_ping")
        try:
            reply.body()
        finally:
            reply.close()
        return reply.headers.get("api-version") or None

    def info(self) -> dict[str, Any]:
        return dict(self._json("GET", "/info"))

    def ping(self) -> bool:
        reply = self._open("GET", "/_ping")
        try:
            return reply.body() == b"OK"
        finally:
            reply.close()

    def inspect_image(self, image: str) -> dict[str, Any]:
        return dict(self._json("GET", f"/images/{_q(image)}/json"))

    def history(self, image: str) -> list[dict[str, Any]]:
        return list(self._json("GET", f"/images/{_q(image)}/history") or [])

    def inspect_container(self, container: str) -> dict[str, Any]:
        return dict(self._json("GET", f"/containers/{_q(container)}/json"))

    def diff(self, container: str) -> list[dict[str, Any]] | None:
        answer: list[dict[str, Any]] | None = self._json(
            "GET", f"/containers/{_q(container)}/changes"
        )
        return answer  # None when nothing changed, as the engine says it

    def containers(
        self, all: bool = False, size: bool = False, filters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        params = {"limit": -1, "all": int(all), "size": int(size), "trunc_cmd": 0}
        if filters:
            params["filters"] = json.dumps(  # type: ignore[assignment]
                {k: v if isinstance(v, list) else [v] for k, v in filters.items()}
            )
        return list(self._json("GET", "/containers/json", params) or [])

    def exec_create(self, container: str, cmd: list[str], workdir: str | None = None) -> Any:
        body = {
            "AttachStdin": False,
            "AttachStdout": True,
            "AttachStderr": True,
            "Tty": False,
            "Cmd": cmd,
            "Privileged": False,
            "User": "",
            "Env": None,
            "WorkingDir": workdir,
        }
        return self._json("POST", f"/containers/{_q(container)}/exec", body=body)

    def exec_start(self, exec_id: str) -> bytes:
        """Run an exec to its end: its stdout and stderr, demultiplexed, in order."""
        reply = self._open(
            "POST", f"/exec/{_q(exec_id)}/start", body={"Tty": False, "Detach": False}
        )
        try:
            raw = reply.body()
        finally:
            reply.close()
        out, pos = [], 0
        while pos + 8 <= len(raw):  # frames: stream byte, 3 zeros, big-endian length
            size = int.from_bytes(raw[pos + 4 : pos + 8], "big")
            out.append(raw[pos + 8 : pos + 8 + size])
            pos += 8 + size
        return b"".join(out)

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        return dict(self._json("GET", f"/exec/{_q(exec_id)}/json"))

    def get_image(self, image: str, chunk_size: int = 2 << 20) -> Iterator[bytes]:
        """``docker save`` of one image, streamed; closing the iterator closes the socket.

        Asked at once, as docker-py does: a missing image raises here.
        """
        reply = self._open("GET", f"/images/{_q(image)}/get")

        def stream() -> Iterator[bytes]:
            try:
                yield from reply.chunks(chunk_size)
            finally:
                reply.close()

        return stream()

    def close(self) -> None:
        if self._fallback is not None:
            self._fallback.close()

    def __getattr__(self, name: str) -> Any:
        return _fallback_attribute(self, name, "APIClient", self)


class SocketClient:
    """What ``Engine.client`` is for a :class:`SocketAPI`: its calls, and docker-py's for the rest.

    Args:
        path: The engine's unix socket.
        timeout: Seconds to wait on any one read.
    """

    def __init__(self, path: str, timeout: float) -> None:
        self.api = SocketAPI(path, timeout)
        self._fallback: Any = None

    def version(self) -> dict[str, Any]:
        return self.api.version()

    def info(self) -> dict[str, Any]:
        return self.api.info()

    def ping(self) -> bool:
        return self.api.ping()

    def close(self) -> None:
        self.api.close()

    def __getattr__(self, name: str) -> Any:
        return _fallback_attribute(self, name, "DockerClient", self.api)


def _fallback_attribute(owner: Any, name: str, kind: str, api: SocketAPI) -> Any:
    """docker-py's ``name`` for a call the socket client lacks; docker-py is made on first use.

    Both :class:`SocketAPI` (a ``docker.APIClient``) and :class:`SocketClient`
    (a ``docker.DockerClient``) fall back the same way, to the same socket and
    API version, so the rule lives here once.
    """
    if name.startswith("__") or name == "_fallback":
        raise AttributeError(name)  # no docker-py for copy/pickle probes, nor recursion in init
    if owner._fallback is None:
        import docker

        owner._fallback = getattr(docker, kind)(
            base_url=f"unix://{api.path}", version=api.api_version, timeout=api.timeout
        )
    return getattr(owner._fallback, name)


def _q(name: str) -> str:
    return quote(name, safe="/:")


def _raise_api_error(reply: _Reply, content: bytes) -> None:
    """Raise what docker-py raises for this status and body (its own classes)."""
    import requests
    from docker.errors import create_api_error_from_http_exception

    response = requests.Response()
    response.status_code = reply.status
    response.reason = reply.reason
    response.url = reply.url
    response._content = content
    response.headers.update(reply.headers)
    create_api_error_from_http_exception(requests.HTTPError(response=response))
