"""A private image registry for the push lessons, and questions to ask it.

The registry runs as one of the learner's labelled containers. The engine
pushes to it at ``127.0.0.1:PORT``, its own loopback: the engine trusts
registries on 127.0.0.0/8 without TLS, so ``docker push 127.0.0.1:PORT/NAME``
works with no set-up. On a local engine it is published on ``127.0.0.1`` only,
and nobody else on the network can reach it. A remote engine's loopback is out
of this machine's reach, so there it is published on the engine host's
addresses and the tutor reads it at ``ENGINE_HOST:PORT``
(:func:`reachable_address`), while pushes still name ``127.0.0.1:PORT``.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

import docker.errors
import requests

from tutor.engine import images
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.container_info import ContainerInfo, container_info, logs
from tutor.engine.containers import run
from tutor.engine.errors import EngineError, ImageNotFound, PortInUse
from tutor.engine.labels import is_ours
from tutor.engine.published import engine_host, get_text, is_local_engine
from tutor.sentence import Sentence

REGISTRY_PORT = 5000  # the port inside the registry image
#: The host port a learner's registry prefers: not 5000, which AirPlay holds on macOS.
PREFERRED_HOST_PORT = 5050
#: Runs of the registry on "any port" before a busy port is the learner's to hear of.
_ANY_PORT_TRIES = 3
_MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)


class RegistryError(EngineError):
    """The local registry did not answer, or answered something we cannot read."""


@dataclass(frozen=True)
class Registry:
    """A running local registry.

    Attributes:
        address: ``127.0.0.1:PORT``, as the engine pushes to it.
        container: The name of its container.
    """

    address: str
    container: str

    def repository(self, name: str) -> str:
        """The full repository name to tag and push, e.g. ``127.0.0.1:5000/hello``."""
        return f"{self.address}/{name}"


def registry_container_name(namespace: str) -> str:
    """The container name of a learner's registry."""
    return f"layers-tutor-registry-{namespace}"


def start_registry(
    engine: Engine, *, namespace: str, image: str = "registry:2", port: int | None = None
) -> Registry:
    """Start (or reuse) the learner's registry and wait until it answers.

    Args:
        engine: The engine.
        namespace: The learner's namespace; one registry per namespace.
        image: The registry image; pulled once if it is absent.
        port: The host port; None prefers :data:`PREFERRED_HOST_PORT` (5050, as the
            push lesson's hand-started registry) and takes any free one otherwise.

    Returns:
        The registry, ready for pushes.

    Raises:
        ImageNotFound: the image is absent and cannot be pulled (the hint says
            which image to provide).
        NameTaken: a container that is not ours has the registry's name.
        RegistryError: it started but never answered.
    """
    name = registry_container_name(namespace)
    found = container_info(engine, name)
    if found is not None and is_ours(found.labels, namespace) and found.status != "running":
        # Stopped (a reboot): start it again, so that what was pushed is still there.
        with engine_errors(engine.host), contextlib.suppress(docker.errors.APIError):
            engine.api.start(found.id)
        found = container_info(engine, name)
    if found is not None and is_ours(found.labels, namespace) and found.status == "running":
        current = found.host_port(REGISTRY_PORT)
        if current is not None and port in (None, current):
            registry = Registry(f"127.0.0.1:{current}", name)
            _wait_until_ready(engine, registry)
            return registry
    _ensure_image(engine, image)
    try:
        info = _run_registry(engine, image, name, namespace, port or PREFERRED_HOST_PORT)
    except PortInUse:
        if port is not None:
            raise
        info = _run_on_any_port(engine, image, name, namespace)  # 5050 taken
    host_port = info.host_port(REGISTRY_PORT)
    if host_port is None:
        raise RegistryError(
            Sentence("engine.registry.no_port", name=name), Sentence("engine.registry.no_port.hint")
        )
    registry = Registry(f"127.0.0.1:{host_port}", name)
    _wait_until_ready(engine, registry)
    return registry


def _run_on_any_port(engine: Engine, image: str, name: str, namespace: str) -> ContainerInfo:
    """Run the registry on the container's own port when free, else one the engine picks.

    "Free" is looked at, then taken: in a classroom, learners whose 5050 was
    taken all see 5000 free at once and all but one lose it. A loser tries
    again, and by then 5000 looks busy, so the engine picks the port.
    """
    for _ in range(_ANY_PORT_TRIES - 1):
        with contextlib.suppress(PortInUse):
            return _run_registry(engine, image, name, namespace, None)
    return _run_registry(engine, image, name, namespace, None)


def _run_registry(
    engine: Engine, image: str, name: str, namespace: str, port: int | None
) -> ContainerInfo:
    ports: dict[int, int | None] = {REGISTRY_PORT: port}
    local = is_local_engine(str(engine.api.base_url), engine.host)
    return run(
        engine,
        image,
        name=name,
        namespace=namespace,
        lesson="registry",
        ports=ports,
        host_ip="127.0.0.1" if local else "",  # "": every address, so that we can read it
        replace=True,
    )


def reachable_address(engine: Engine, address: str) -> str:
    """Where this machine reaches a registry the engine pushes to at ``address``.

    The same ``HOST:PORT`` for a local engine, or for a registry elsewhere; a
    remote engine's ``127.0.0.1:PORT`` (or ``localhost:PORT``) is its own
    loopback, reached from here at the engine's host.

    Args:
        engine: The engine that pushes.
        address: ``HOST:PORT`` as the engine pushes to it.

    Returns:
        ``HOST:PORT`` to read it from this machine.
    """
    host, _, port = address.rpartition(":")
    if host not in ("127.0.0.1", "localhost") or is_local_engine(
        str(engine.api.base_url), engine.host
    ):
        return address
    contact = engine_host(engine)
    return f"[{contact}]:{port}" if ":" in contact else f"{contact}:{port}"


def _ensure_image(engine: Engine, image: str) -> None:
    """The registry image is here, or pulled now (the same calls as ``prepare``)."""
    if images.present(engine, image):
        return
    try:
        images.pull(engine, image)
    except ImageNotFound as exc:
        raise ImageNotFound(
            Sentence("engine.registry.image_missing", image=image, why=exc.message),
            Sentence("engine.registry.image_missing.hint", image=image),
        ) from exc


def _wait_until_ready(engine: Engine, registry: Registry, wait: float = 20.0) -> None:
    port = registry.address.rsplit(":", 1)[1]
    if is_local_engine(str(engine.api.base_url), engine.host):
        try:
            get_text(f"http://{engine_host(engine)}:{port}/v2/", wait=wait)
            return
        except EngineError as exc:
            raise RegistryError(
                Sentence(
                    "engine.registry.silent", name=registry.container, address=registry.address
                ),
                Sentence("engine.log_ends", tail=logs(engine, registry.container, tail=5).strip()),
            ) from exc
    # A remote engine's 127.0.0.1 is out of our reach: trust the registry's own log.
    deadline = time.monotonic() + wait
    while "listening on" not in logs(engine, registry.container, tail=50):
        if time.monotonic() > deadline:
            raise RegistryError(Sentence("engine.registry.not_started", name=registry.container))
        time.sleep(0.2)


def registry_tags(address: str, repository: str) -> list[str]:
    """The tags a registry holds for a repository (``GET /v2/<repo>/tags/list``).

    Args:
        address: ``HOST:PORT`` of the registry, as seen from this machine.
        repository: The repository inside the registry, e.g. ``hello``.

    Returns:
        The sorted tags; empty when the registry has never seen the repository.

    Raises:
        RegistryError: the registry did not answer.
    """
    body = _get_json(f"http://{address}/v2/{repository}/tags/list")
    return sorted(body.get("tags") or []) if body else []


def registry_manifest_layers(address: str, repository: str, tag: str) -> list[str]:
    """The layer blob digests of a pushed image, oldest first.

    These are digests of the compressed layers, not the diff-ids of ``docker
    inspect``; count and order match the image's filesystem layers.

    Args:
        address: ``HOST:PORT`` of the registry, as seen from this machine.
        repository: The repository inside the registry.
        tag: The tag (or a ``sha256:`` digest).

    Returns:
        The layer digests; empty when the registry has no such tag.

    Raises:
        RegistryError: the registry did not answer.
    """
    manifest = _get_json(f"http://{address}/v2/{repository}/manifests/{tag}", manifest=True)
    if manifest and "manifests" in manifest:  # a multi-platform index: take one platform
        entries = manifest["manifests"]
        chosen = next(
            (m for m in entries if (m.get("platform") or {}).get("architecture") == "amd64"),
            entries[0] if entries else None,
        )
        if chosen is None:
            return []
        manifest = _get_json(
            f"http://{address}/v2/{repository}/manifests/{chosen['digest']}", manifest=True
        )
    return [str(layer["digest"]) for layer in (manifest or {}).get("layers") or []]


def _get_json(url: str, *, manifest: bool = False) -> dict[str, Any] | None:
    headers = {"Accept": ", ".join(_MANIFEST_TYPES)} if manifest else {}
    with requests.Session() as session:
        session.trust_env = False
        try:
            with contextlib.closing(session.get(url, headers=headers, timeout=10)) as resp:
                if resp.status_code == 404:
                    return None
                resp.raise_for_status()
                body: dict[str, Any] = resp.json()
                return body
        except (requests.RequestException, ValueError) as exc:
            raise RegistryError(Sentence("engine.registry.no_answer", url=url, why=exc)) from exc
