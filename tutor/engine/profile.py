"""What differs from one engine to another, in one place.

The course runs on the engines learners really have: Docker with the classic
image store (Debian's 20.10), Docker with the containerd image store (Docker
Desktop, fresh Engine installs), an engine on another machine
(``DOCKER_HOST=tcp://…`` or ``ssh://…``) and Podman's Docker-compatible API.
Code that must behave differently asks the :class:`EngineProfile`, never the
version string: each difference is one named property here, with why.

One thing cannot be read from ``docker info``: whether ``docker exec`` runs in
the container's own filesystem. Where the runtime cannot ``pivot_root`` (a
dockerd started in a plain ``chroot`` with ``DOCKER_RAMDISK=true``), an exec'd
command runs in the *machine's* root instead, so ``docker diff`` never lists
what it wrote. :func:`exec_reaches_container` finds out, once per engine.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from tutor.engine import docker_errors
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import EngineError
from tutor.engine.published import engine_host

DOCKER = "Docker"
PODMAN = "Podman"

#: Lessons that cannot work on Podman's Docker-compatible API, and why (measured
#: with Debian bookworm's podman 4.3.1; the README's engine table says the same).
PODMAN_LIMITS = {
    "history": (
        "Podman's history differs from Docker's: a RUN row is <missing> although it was "
        "built here, and comments read 'FROM <parent>'"
    ),
    "cache": (
        "Podman's builder (Buildah) prints its steps as 'STEP 1/4:', not Docker's "
        "'Step 1/4 :', so the tutor cannot tell which steps came from the cache"
    ),
    "push": (
        "Podman names loaded images localhost/NAME, and its compat API does not answer "
        "the registry check the push lesson starts with"
    ),
}


@dataclass(frozen=True)
class EngineProfile:
    """Everything the tutor does differently per engine.

    Attributes:
        product: :data:`DOCKER` or :data:`PODMAN`.
        version: The engine's own version (Podman's, for Podman).
        api_version: The negotiated API version.
        containerd_store: Images live in containerd's image store.
        remote: The engine runs on another machine: published ports live
            there, and builds send their context over the wire.
        port_host: The host name at which this machine reaches published ports.
        address: ``DOCKER_HOST`` as the learner set it (or the default socket).
    """

    product: str
    version: str
    api_version: str
    containerd_store: bool
    remote: bool
    port_host: str
    address: str

    @property
    def podman(self) -> bool:
        """Podman's Docker-compatible API, not Docker."""
        return self.product == PODMAN

    @property
    def name(self) -> str:
        """How the learner would name it: ``Docker 26.1.5``, ``Podman 4.3.1``."""
        return f"{self.product} {self.version}"

    @property
    def image_ids_are_manifest_digests(self) -> bool:
        """An image id is its manifest's digest (containerd store), not its config's."""
        return self.containerd_store

    @property
    def history_size_is_disk_usage(self) -> bool:
        """``docker image history`` sizes are the snapshot's disk usage, not its bytes.

        The containerd store measures a layer by the blocks its snapshot takes, so
        a ``WORKDIR`` that adds one empty folder shows 4 KB or 8 KB, not 0 B.
        """
        return self.containerd_store

    @property
    def push_ids_are_blob_digests(self) -> bool:
        """Push progress names compressed blobs, not the image's diff-ids."""
        return self.containerd_store

    @property
    def push_reports_progress(self) -> bool:
        """A push reports bytes as each layer travels (``Pushing`` with current/total).

        Docker 26 with the containerd store reports each blob when it is in the
        registry, and ``Pushing`` only now and then (measured with 26.1.5: none
        in one run, two in another), so there is no dependable progress to draw.
        """
        return not self.containerd_store

    @property
    def repo_digests_mean_pulled(self) -> bool:
        """An image with ``RepoDigests`` came from a registry.

        The containerd store gives every tagged image a repo digest (its
        manifest's), built or loaded here too, so there it says nothing.
        """
        return not self.containerd_store

    @property
    def step_images_kept(self) -> bool:
        """A classic build leaves an image per step, so history rows have ids."""
        return not self.containerd_store and not self.podman

    @property
    def loaded_names_get_localhost(self) -> bool:
        """``docker load`` of ``NAME:TAG`` makes ``localhost/NAME:TAG`` (Podman)."""
        return self.podman

    @property
    def can_ask_registry_about_images(self) -> bool:
        """``GET /distribution/NAME/json`` answers (Podman's compat API lacks it)."""
        return not self.podman

    def lesson_limits(self) -> dict[str, str]:
        """Lesson id -> why it cannot work on this engine; empty when all can."""
        return dict(PODMAN_LIMITS) if self.podman else {}


#: Said wherever a diff is shown from an engine whose ``docker exec`` misses the container.
EXEC_OUTSIDE = (
    "Note: this engine runs `docker exec` outside the container's filesystem (its runtime "
    "cannot pivot_root, e.g. a dockerd started in a chroot with DOCKER_RAMDISK=true), so "
    "what an exec'd command writes is not in the container's read-write layer and docker "
    "diff cannot list it. Changes made by the container's own process are listed."
)

_PROFILES: weakref.WeakKeyDictionary[Engine, EngineProfile] = weakref.WeakKeyDictionary()
_EXEC_REACHES: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def product_of(version: dict[str, Any]) -> tuple[str, str]:
    """Which engine answered ``GET /version``, and its own version.

    Podman's compat API answers like Docker (``Version`` is Podman's), but
    lists itself as the ``Podman Engine`` component.

    Args:
        version: The ``/version`` answer.

    Returns:
        (:data:`DOCKER` or :data:`PODMAN`, version).
    """
    for component in version.get("Components") or []:
        if isinstance(component, dict) and "podman" in str(component.get("Name", "")).lower():
            return PODMAN, str(component.get("Version") or version.get("Version") or "?")
    return DOCKER, str(version.get("Version") or "?")


def profile(engine: Engine) -> EngineProfile:
    """The engine's profile, read once per connection.

    Args:
        engine: A connected engine.

    Returns:
        Its :class:`EngineProfile`.

    Raises:
        EngineUnreachable: the engine went away.
    """
    found = _PROFILES.get(engine)
    if found is not None:
        return found
    facts = engine.facts()
    with engine_errors(engine.host):
        version: dict[str, Any] = engine.client.version()
    product, own_version = product_of(version)
    port_host = engine_host(engine)
    found = EngineProfile(
        product=product,
        version=own_version,
        api_version=facts.api_version,
        containerd_store=facts.containerd_store,
        remote=port_host not in ("127.0.0.1", "::1", "localhost"),
        port_host=port_host,
        address=facts.host,
    )
    with _LOCK:
        _PROFILES[engine] = found
    return found


def exec_reaches_container(engine: Engine, container: str) -> bool | None:
    """Whether ``docker exec`` runs in the container's filesystem on this engine.

    Asked of a running container once per engine and remembered: the exec
    reads ``/etc/hostname``, which the engine writes into every container with
    the container's host name. An exec that lands in the machine's root reads
    the machine's name instead. The probe writes nothing.

    Args:
        engine: The engine.
        container: A running container (name or id) with ``cat`` in it.

    Returns:
        True or False; None when it cannot be told (the container is not
        running, or has no ``cat``), and then nothing is remembered.
    """
    known = _EXEC_REACHES.get(engine)
    if known is not None:
        return known
    try:
        with engine_errors(engine.host):
            info = engine.api.inspect_container(container)
            if not (info.get("State") or {}).get("Running"):
                return None
            expected = str((info.get("Config") or {}).get("Hostname") or "")
            run = engine.api.exec_create(info["Id"], ["cat", "/etc/hostname"], workdir="/")
            output = engine.api.exec_start(run["Id"])
            exit_code = engine.api.exec_inspect(run["Id"]).get("ExitCode")
    except (docker_errors.APIError, EngineError):
        return None
    if exit_code != 0 or not expected:
        return None
    seen = output.decode(errors="replace").strip() if isinstance(output, bytes) else ""
    answer = seen == expected
    with _LOCK:
        _EXEC_REACHES[engine] = answer
    return answer


def exec_probe_answer(engine: Engine) -> bool | None:
    """What :func:`exec_reaches_container` found on this engine so far (None: not probed)."""
    return _EXEC_REACHES.get(engine)


def note_exec_probe(engine: Engine, reaches: bool) -> None:
    """Take an earlier run's probe answer as this connection's (see ``tutor.engine.exec_memo``)."""
    with _LOCK:
        _EXEC_REACHES[engine] = reaches


def exec_known_outside(engine: Engine) -> bool:
    """Whether this engine was found running ``docker exec`` outside containers."""
    return _EXEC_REACHES.get(engine) is False
