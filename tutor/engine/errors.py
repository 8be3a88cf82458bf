"""Typed errors for everything that can go wrong between the tutor and the engine.

Every error carries a ``hint``: one sentence that tells the learner what to do.
The UI shows ``str(error)`` and the hint; it never shows a traceback.
"""

from __future__ import annotations

from tutor.sentence import Sentence

#: What the two connection errors say (``{host}``: the engine's address). The
#: banner says them in the learner's language from the error's type and host.
UNREACHABLE = "No Docker engine answers at {host}."
UNREACHABLE_HINT = (
    "Start Docker (Docker Desktop, or `sudo systemctl start docker`), "
    "then try again. Check DOCKER_HOST if you use a remote engine."
)
DENIED = "You are not allowed to use the Docker engine at {host}."
DENIED_HINT = (
    "Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in "
    "again) or ask your teacher for access."
)


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
    """No engine answers at the address we were given (daemon down, or gone away).

    Args:
        message: What happened.
        hint: What to do.
        host: The address; set when the message is :data:`UNREACHABLE` and
            the hint :data:`UNREACHABLE_HINT`, so they can be said in another language.
    """

    def __init__(self, message: str, hint: str = "", host: str = "") -> None:
        super().__init__(message, hint)
        self.host = host


class EnginePermissionDenied(EngineError):
    """The socket exists but this user may not use it (not in the docker group).

    Args:
        message: What happened.
        hint: What to do.
        host: The address; set when the words are :data:`DENIED` and :data:`DENIED_HINT`.
    """

    def __init__(self, message: str, hint: str = "", host: str = "") -> None:
        super().__init__(message, hint)
        self.host = host


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
            message or Sentence("engine.port_in_use", port=port),
            hint or Sentence("engine.port_in_use.hint", port=port),
        )
        self.port = port


class NameTaken(EngineError):
    """A container or image name we need belongs to something that is not ours."""


class BuildFailed(EngineError):
    """A build could not start (bad Dockerfile, missing context)."""


class PushFailed(EngineError):
    """A push could not start or the registry refused it."""


class EngineRejected(EngineError):
    """The engine answered the request with a refusal of its own (an API error).

    The tutor's checks and actions show the engine's words as they are,
    inside a sentence of their own, so ``explanation`` keeps them apart.

    Args:
        explanation: What the engine said, e.g. ``No such image: app:v1``.
    """

    def __init__(self, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation


class PullFailed(EngineError):
    """A pull started, but the registry or the engine stopped it with an error."""


class NotOurs(EngineError):
    """We were asked to change something that the tutor did not create."""
