"""Published ports: what one is, where it lives, and how this machine reaches it.

A published port lives on the engine's machine, not necessarily on ours: for a
local engine (unix socket, ``tcp://127.0.0.1``) that is this machine, for
``tcp://HOST`` or ``ssh://USER@HOST`` it is HOST. Everything that opens a
socket or an HTTP connection to a published port goes to the address
:func:`host_to_contact` names.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from tutor.engine.connection import Engine
from tutor.engine.errors import EngineError
from tutor.sentence import Sentence


@dataclass(frozen=True)
class PortMapping:
    """One published port: ``-p HOST_IP:HOST_PORT:CONTAINER_PORT``."""

    container_port: int
    host_ip: str
    host_port: int


_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


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
    import requests  # here: ``tutor layers`` reaches this module, not this function

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
        Sentence("engine.no_answer", url=url, seconds=f"{wait:.0f}", why=type(last).__name__),
        Sentence("engine.no_answer.hint"),
    )
