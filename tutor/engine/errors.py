"""Typed errors for everything that can go wrong between the tutor and the engine.

Every error carries a ``hint``: one sentence that tells the learner what to do.
The UI shows ``str(error)`` and the hint; it never shows a traceback.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine layer raises on purpose.

    Args:
        message: What happened, in the learner's words.
        hint: What the learner can do about it.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class EngineUnreachable(EngineError):
    """No engine answers at the address we were given (daemon down, or gone away)."""


class EnginePermissionDenied(EngineError):
    """The socket exists but this user may not use it (not in the docker group)."""


class BadDockerHost(EngineError):
    """``DOCKER_HOST`` (or the CLI context) names an address we cannot even parse."""


class ImageNotFound(EngineError):
    """The image named is not on this engine."""


class EngineRefused(EngineError):
    """The engine answered, but could not do it just now (say, a daemon shutting
    down); asking again later usually works, so the UI retries instead of failing."""


class ContainerNotFound(EngineError):
    """The container named is not on this engine (removed, or never made)."""


class PortInUse(EngineError):
    """A host port we were asked to publish is already taken.

    Attributes:
        port: The host port that is busy.
    """

    def __init__(self, port: int, message: str = "", hint: str = "") -> None:
        super().__init__(
            message or f"Port {port} on this machine is already in use.",
            hint or f"Stop whatever listens on port {port}, or choose another port.",
        )
        self.port = port


class NameTaken(EngineError):
    """A container or image name we need belongs to something that is not ours."""


class BuildFailed(EngineError):
    """A build could not start (bad Dockerfile, missing context)."""


class PushFailed(EngineError):
    """A push could not start or the registry refused it."""


class NotOurs(EngineError):
    """We were asked to change something that the tutor did not create."""
