"""Host ports: which are free, which the engine refused, and how to reach them.

A published port lives on the engine's machine, not necessarily on ours: for a
local engine (unix socket, ``tcp://127.0.0.1``) that is this machine, for
``tcp://HOST`` or ``ssh://USER@HOST`` it is HOST. Everything here that opens a
socket or an HTTP connection goes to the address :func:`host_to_contact` names.
"""

from __future__ import annotations

import contextlib
import errno
import re
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import EngineError, PortInUse


@dataclass(frozen=True)
class PortMapping:
    """One published port: ``-p HOST_IP:HOST_PORT:CONTAINER_PORT``."""

    container_port: int
    host_ip: str
    host_port: int


_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}

# An address followed by a port: ``0.0.0.0:5000``, ``[::]:5000``, ``127.0.0.1:5000``.
_ADDRESS_PORT = r"(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]*\]|::|localhost)?:(\d{1,5})"
# The engine's wordings for "that host port is taken", oldest to newest.
_PORT_PATTERNS = [
    re.compile(r"Bind for " + _ADDRESS_PORT + r"(?: failed|:)", re.I),
    re.compile(r"failed to bind host port (?:for )?" + _ADDRESS_PORT, re.I),
    re.compile(r"exposing port (?:TCP|UDP) " + _ADDRESS_PORT, re.I),
    re.compile(r"listen (?:tcp|udp)[46]? " + _ADDRESS_PORT + r": bind", re.I),
]
_CONFLICT_WORDS = (
    "port is already allocated",
    "address already in use",
    "eaddrinuse",
    "only one usage of each socket address",
    "ports are not available",
    "failed to bind host port",
    "bind:",
)


def parse_port_error(message: str) -> int | None:
    """The host port an engine error complains about, if it is a busy-port error.

    Engines word it differently (``Bind for 0.0.0.0:5000 failed: port is already
    allocated``, ``listen tcp4 0.0.0.0:5000: bind: address already in use``,
    ``failed to bind host port 0.0.0.0:5000/tcp``, Docker Desktop's ``Ports are
    not available``); the learner should get one clear message for all of them.

    Args:
        message: The engine's error text.

    Returns:
        The busy host port, or None when the error is about something else
        (a bad host IP, ``cannot assign requested address``, is not a busy port).
    """
    lowered = message.lower()
    if "cannot assign requested address" in lowered:
        return None
    if not any(word in lowered for word in _CONFLICT_WORDS):
        return None
    for pattern in _PORT_PATTERNS:
        match = pattern.search(message)
        if match:
            return int(match.group(1))
    return None


def is_local_engine(base_url: str, docker_host: str = "") -> bool:
    """Whether the engine publishes ports on this machine.

    Args:
        base_url: docker-py's ``APIClient.base_url``.
        docker_host: The ``DOCKER_HOST`` the engine was reached with ("" if none).

    Returns:
        True for a unix socket, a named pipe, or tcp to a loopback address.
    """
    return host_to_contact(base_url, docker_host) in _LOOPBACK_NAMES


def host_to_contact(base_url: str, docker_host: str = "") -> str:
    """The host name to use for ports the engine publishes.

    Args:
        base_url: docker-py's ``APIClient.base_url`` (``http+docker://localhost``
            for a unix socket, ``http://HOST:PORT`` for tcp, ``http+docker://ssh``).
        docker_host: The ``DOCKER_HOST`` string; needed for ssh, whose host
            docker-py hides behind ``http+docker://ssh``.

    Returns:
        ``127.0.0.1`` for a local engine, else the engine's host name.
    """
    if base_url.startswith("http+docker://ssh"):
        host = urlparse(docker_host).hostname if docker_host.startswith("ssh://") else None
        return host or "127.0.0.1"
    if base_url.startswith("http+docker://") or base_url.startswith("npipe:"):
        return "127.0.0.1"
    host = urlparse(base_url).hostname
    if not host or host == "localhost":
        return "127.0.0.1"
    return host


def engine_host(engine: Engine) -> str:
    """:func:`host_to_contact` for a connected engine.

    Args:
        engine: The engine.

    Returns:
        The host name that reaches its published ports.
    """
    return host_to_contact(str(engine.api.base_url), engine.host)


def port_is_free(port: int, host: str = "0.0.0.0") -> bool:
    """Whether a program on this machine could listen on ``port`` right now.

    The bind uses ``SO_REUSEADDR`` like the engine's own proxy does, so a port
    in ``TIME_WAIT`` counts as free, as it does for Docker.

    Args:
        port: The TCP port.
        host: The address to bind (``0.0.0.0`` is what ``-p 5000:5000`` uses).

    Returns:
        False when the bind fails because the port is taken. A bind refused
        for lack of privilege (ports below 1024 without root) counts as free:
        the engine binds as root and can use it.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except PermissionError:
            return True
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def _published_ports(engine: Engine) -> set[int]:
    with engine_errors(engine.host):
        rows = engine.api.containers(filters={"status": "running"})
    return {int(p["PublicPort"]) for r in rows for p in r.get("Ports") or [] if p.get("PublicPort")}


def _port_is_busy(engine: Engine, port: int) -> bool:
    # A running container publishes it, or (local engines only) a program listens on it.
    if port in _published_ports(engine):
        return True
    return is_local_engine(str(engine.api.base_url), engine.host) and not port_is_free(port)


def to_publish(engine: Engine, container_port: int, host_port: int | None, check: bool) -> str:
    """The ``HostPort`` to ask the engine for (docker-py's port binding value).

    Args:
        engine: The engine.
        container_port: The port inside the container.
        host_port: The host port asked for; None: the container port when it is
            free on a local engine, else "" so that the engine picks a free one.
        check: Look for a busy ``host_port`` first.

    Returns:
        The port as a string, "" for "engine, choose".

    Raises:
        PortInUse: ``check`` is set and ``host_port`` is busy.
    """
    if host_port is None:
        local = is_local_engine(str(engine.api.base_url), engine.host)
        return str(container_port) if local and not _port_is_busy(engine, container_port) else ""
    if check and _port_is_busy(engine, host_port):
        raise PortInUse(host_port)
    return str(host_port)


def free_port(preferred: int, engine: Engine | None = None) -> int:
    """``preferred`` if nothing uses it, else a free port the system picks.

    Args:
        preferred: The port a learner expects (``5000`` for Flask).
        engine: When given, ports its running containers publish count as taken.

    Returns:
        A port that a bind on ``0.0.0.0`` accepted a moment ago.
    """
    taken = _published_ports(engine) if engine is not None else set()
    if preferred not in taken and port_is_free(preferred):
        return preferred
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("0.0.0.0", 0))
            port = int(sock.getsockname()[1])
        if port not in taken:
            return port
    raise EngineError("No free port could be found on this machine.", "Close some programs.")


def get_text(url: str, *, wait: float = 10.0, headers: dict[str, str] | None = None) -> str:
    """GET ``url`` and return the body, retrying while nothing answers yet.

    A freshly started app needs a moment before it listens; connection
    refused, reset or an empty reply are retried until ``wait`` runs out.

    Args:
        url: The address to fetch.
        wait: Seconds to keep trying.
        headers: Extra request headers.

    Returns:
        The response body as text (whatever the HTTP status).

    Raises:
        EngineError: nothing answered within ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    last: Exception | None = None
    with requests.Session() as session:
        session.trust_env = False  # a learner's HTTP proxy cannot reach published ports
        while True:
            try:
                with contextlib.closing(session.get(url, headers=headers, timeout=3)) as resp:
                    return resp.text
            except requests.RequestException as exc:
                last = exc
            if time.monotonic() >= deadline:
                break
            time.sleep(0.2)
    raise EngineError(
        f"Nothing answered at {url} within {wait:.0f} seconds ({type(last).__name__}).",
        "Check that the app in the container started (see its logs) and listens on "
        "0.0.0.0, not 127.0.0.1 inside the container.",
    )


def mappings_from_inspect(published: dict[str, Any]) -> tuple[PortMapping, ...]:
    """Mappings from ``NetworkSettings.Ports`` of ``docker inspect``."""
    return _unique(
        (int(key.split("/")[0]), b.get("HostIp", ""), int(b["HostPort"]))
        for key, binds in published.items()
        for b in binds or []
        if b.get("HostPort")
    )


def mappings_from_summary(rows: list[dict[str, Any]]) -> tuple[PortMapping, ...]:
    """Mappings from the ``Ports`` list of ``docker ps``."""
    return _unique(
        (int(p["PrivatePort"]), p.get("IP", ""), int(p["PublicPort"]))
        for p in rows
        if p.get("PublicPort")
    )


def _unique(rows: Iterable[tuple[int, str, int]]) -> tuple[PortMapping, ...]:
    # The engine lists 0.0.0.0 and :: for one -p; the learner asked for one port.
    seen: dict[tuple[int, int], PortMapping] = {}
    for cport, ip, hport in sorted(rows, key=lambda r: (r[0], ":" in r[1])):
        seen.setdefault((cport, hport), PortMapping(cport, ip, hport))
    return tuple(seen.values())


def page_url(engine: Engine, mapping: PortMapping, path: str = "/") -> str:
    """The URL at which this machine reaches a published port.

    Args:
        engine: The engine that published it (its host is where the port lives).
        mapping: The published port.
        path: The URL path.

    Returns:
        ``http://HOST:PORT/path``; HOST is the address the port was bound to
        when the engine is local and it was bound to one address only.
    """
    host = engine_host(engine)
    if host == "127.0.0.1" and mapping.host_ip not in ("", "0.0.0.0", "::"):
        host = mapping.host_ip
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{mapping.host_port}{path}"
