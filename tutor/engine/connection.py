"""Finding the learner's Docker engine and saying clearly why when we cannot.

The tutor works with whatever engine the Docker CLI would use: ``DOCKER_HOST``
(unix socket, ``tcp://``, ``ssh://``) or the current CLI context. The API
version is always negotiated, never pinned: a pinned 1.44 fails on Engine
20.10 and a pinned 1.41 fails on Engine 29.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from tutor.engine.docker_errors import loaded
from tutor.engine.errors import (
    DENIED,
    DENIED_HINT,
    UNREACHABLE,
    UNREACHABLE_HINT,
    BadDockerHost,
    EngineError,
    EnginePermissionDenied,
    EngineRejected,
    EngineUnreachable,
)
from tutor.engine.socket_api import SocketClient, local_socket
from tutor.sentence import Sentence

if TYPE_CHECKING:  # docker-py is imported by connect(), when it is the client used
    import docker

#: Seconds to wait for the first answer; a learner should not stare at nothing.
CONNECT_TIMEOUT = 10
#: Seconds for ordinary calls once connected (builds and pushes stream longer).
CALL_TIMEOUT = 120


@dataclass(frozen=True)
class EngineFacts:
    """What the tutor needs to know about the engine to explain what it shows.

    Attributes:
        server_version: The engine's version, e.g. ``20.10.24``.
        api_version: The negotiated API version, e.g. ``1.41``.
        os_type: ``linux`` or ``windows``.
        storage_driver: ``overlay2``, ``overlayfs``, ``vfs``...
        containerd_store: True when images live in containerd's store; then
            image ids are manifest digests and most history rows are
            ``<missing>``, which the lessons must explain differently.
        host: The address we talk to (for messages and ``doctor``).
    """

    server_version: str
    api_version: str
    os_type: str
    storage_driver: str
    containerd_store: bool
    host: str


class Engine:
    """A connection to one Docker engine, plus the facts we read from it once.

    Args:
        client: A connected docker-py client.
        host: The address it talks to, for messages.
    """

    def __init__(self, client: docker.DockerClient, host: str) -> None:
        self.client = client
        self.host = host
        self._facts: EngineFacts | None = None

    @property
    def api(self) -> docker.APIClient:
        """The low-level client (streaming builds and pushes need it)."""
        return self.client.api

    def ping(self) -> None:
        """Check that the engine still answers.

        Raises:
            EngineUnreachable: it does not.
        """
        with engine_errors(self.host):
            self.client.ping()

    def facts(self) -> EngineFacts:
        """Read (once) and return the engine's version, driver and image store."""
        if self._facts is None:
            with engine_errors(self.host):
                info: dict[str, Any] = self.client.info()
                # /info names the version too; /version asks containerd (slow) and
                # docker-py already called it once to negotiate the API version.
                version: dict[str, Any] = {} if info.get("ServerVersion") else self.client.version()
            self._facts = facts_from(info, version, self.api.api_version, self.host)
        return self._facts

    def close(self) -> None:
        """Close the HTTP connections (safe to call twice)."""
        with contextlib.suppress(Exception):
            self.client.close()


def facts_from(
    info: dict[str, Any], version: dict[str, Any], api_version: str, host: str
) -> EngineFacts:
    """Turn ``docker info`` / ``docker version`` answers into :class:`EngineFacts`.

    Fields are read defensively: they come and go between Engine versions.
    """
    driver = str(info.get("Driver") or "unknown")
    status = info.get("DriverStatus") or []
    driver_type = ""
    for row in status:
        if isinstance(row, (list, tuple)) and len(row) == 2 and row[0] == "driver-type":
            driver_type = str(row[1])
    containerd = "containerd.snapshotter" in driver_type or driver in {"overlayfs", "stargz"}
    return EngineFacts(
        server_version=str(version.get("Version") or info.get("ServerVersion") or "?"),
        api_version=str(api_version),
        os_type=str(info.get("OSType") or version.get("Os") or "linux"),
        storage_driver=driver,
        containerd_store=containerd,
        host=host,
    )


def describe_host(env: dict[str, str] | None = None) -> str:
    """The address the tutor will talk to, as a learner would recognise it."""
    source: Mapping[str, str] = os.environ if env is None else env
    return source.get("DOCKER_HOST") or "the default Docker socket (or CLI context)"


def connect(
    env: dict[str, str] | None = None, timeout: int = CONNECT_TIMEOUT, *, lean: bool = False
) -> Engine:
    """Connect to the engine the Docker CLI would use, and check that it answers.

    Args:
        env: Environment to read ``DOCKER_HOST`` and friends from (default:
            the process environment).
        timeout: Seconds to wait for the engine's first answer.
        lean: Talk to a local socket with the standard library
            (:mod:`tutor.engine.socket_api`), for a short read-only command;
            docker-py for any other engine address.

    Returns:
        A connected :class:`Engine`.

    Raises:
        BadDockerHost: ``DOCKER_HOST`` cannot be understood.
        EnginePermissionDenied: the socket refuses this user.
        EngineUnreachable: nothing answers there.
    """
    env = dict(os.environ if env is None else env)
    host = describe_host(env)
    if lean and (path := local_socket(env)) is not None:
        return _connect_socket(path, host, timeout)
    import docker
    import docker.errors

    try:
        # version=None lets docker-py negotiate with the server.
        client = docker.from_env(environment=env, timeout=timeout)
    except docker.errors.DockerException as exc:
        raise classify(exc, host) from exc
    except (ValueError, TypeError) as exc:
        raise BadDockerHost(
            Sentence("engine.bad_host", host=env.get("DOCKER_HOST", "")),
            Sentence("engine.bad_host.hint"),
        ) from exc
    # No ping: negotiating the API version (version=None above) was an answer
    # from the engine already, and a failed one is classified above.
    engine = Engine(client, host)
    client.api.timeout = CALL_TIMEOUT
    return engine


def _connect_socket(path: str, host: str, timeout: int) -> Engine:
    """An :class:`Engine` on :class:`SocketClient`; its API version negotiated at once.

    The negotiation (``GET /_ping``, see ``SocketAPI.api_version``) is the
    engine's first answer: a socket that refuses or is absent fails here.
    """
    client = SocketClient(path, timeout)
    try:
        client.api.api_version  # noqa: B018 - asked for its answer from the engine
    except OSError as exc:
        raise classify(exc, host) from exc
    client.api.timeout = CALL_TIMEOUT
    # It answers every call docker-py's client has (its own, or docker-py's behind).
    return Engine(cast("docker.DockerClient", client), host)


@contextlib.contextmanager
def engine_errors(host: str) -> Iterator[None]:
    """Turn connection-level failures inside the block into typed errors.

    Errors about one object (404 not found, 409 conflict) pass through: the
    caller knows what it asked for and says it better.
    """
    try:
        yield
    except Exception as exc:
        if _is_a(exc, ("docker.errors", "APIError")):
            raise
        if isinstance(exc, OSError) or _is_a(
            exc,
            ("docker.errors", "DockerException"),
            ("requests.exceptions", "RequestException"),
            ("urllib3.exceptions", "HTTPError"),  # a read cut mid-stream can surface raw
        ):
            raise classify(exc, host) from exc
        raise


def _is_a(exc: BaseException, *kinds: tuple[str, str]) -> bool:
    """Whether ``exc`` is one of these (module, class); a module not imported raised none.

    docker-py is not imported when the command line talks to the local socket
    itself (:mod:`tutor.engine.socket_api`); naming its classes here would
    import it.
    """
    return any(
        (cls := loaded(module, name)) is not None and isinstance(exc, cls) for module, name in kinds
    )


@contextlib.contextmanager
def engine_refusals() -> Iterator[None]:
    """A refusal from the engine inside the block becomes :class:`EngineRejected`.

    For code outside the engine layer, which must not know docker-py's
    exceptions: the course's checks and actions run inside it, so a refusal
    that an engine function let through still reaches them as the tutor's
    own error, with the engine's words. Connection failures are left alone
    (:func:`engine_errors` types those).
    """
    try:
        yield
    except Exception as exc:
        if _is_a(exc, ("docker.errors", "APIError")):
            raise EngineRejected(str(getattr(exc, "explanation", "") or exc)) from exc
        raise


def classify(exc: BaseException, host: str) -> EngineError:
    """Map a low-level failure to the typed error whose hint helps the learner."""
    text = f"{exc!r} {exc}"
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 10:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    for item in chain:
        if isinstance(item, PermissionError) or getattr(item, "errno", None) == errno.EACCES:
            return permission_denied(host)
    if "Permission denied" in text or "PermissionError" in text:
        return permission_denied(host)
    if "Invalid bind address" in text or "Invalid port" in text or "URLSchemeUnknown" in text:
        return BadDockerHost(
            Sentence("engine.bad_address", host=host, why=str(exc)),
            Sentence("engine.bad_address.hint"),
        )
    return EngineUnreachable(UNREACHABLE.format(host=host), UNREACHABLE_HINT, host)


def permission_denied(host: str) -> EnginePermissionDenied:
    """The error for a socket this user may not open."""
    return EnginePermissionDenied(DENIED.format(host=host), DENIED_HINT, host)
