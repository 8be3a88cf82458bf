"""Host ports: which are free, which the engine refused, and which to publish.

Before publishing ``-p HOST:CONTAINER`` the tutor looks for a busy host port
itself, and when the engine refuses one anyway :func:`parse_port_error` reads
the engine's many wordings: either way the learner gets one clear
:class:`~tutor.engine.errors.PortInUse`. Where a published port lives and how
to reach it is :mod:`tutor.engine.published`.
"""

from __future__ import annotations

import errno
import re
import socket

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import EngineError, PortInUse
from tutor.engine.published import (
    is_local_engine,
)
from tutor.sentence import Sentence

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
    raise EngineError(Sentence("engine.no_free_port"), Sentence("engine.no_free_port.hint"))
