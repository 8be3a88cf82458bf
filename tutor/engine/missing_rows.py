"""Why ``docker image history`` says ``<missing>``: pure rules, unit-tested.

The engine fills row ids by walking ``Parent`` links down from the image;
the walk stops at the oldest row that names a local image (the *anchor*),
and every older row is ``<missing>`` for the reason that the anchor has no
parent here: it was pulled, loaded, built by BuildKit, kept by the
containerd store, or its parent was removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from tutor.engine.history_rows import BUILDKIT_MARK

MISSING_PARENT_REMOVED = "the image made by this step was removed from this engine"
MISSING_PULLED = (
    "part of {name}, which was pulled from a registry: a pull brings the layers and "
    "their history, not an image for each step"
)
MISSING_BUILDKIT = (
    "part of {name}, built with BuildKit, which records each step in the history "
    "but keeps only the finished image"
)
MISSING_CONTAINERD = "the containerd image store keeps no separate image for each step of {name}"
MISSING_ELSEWHERE = (
    "part of {name}, which came to this engine finished (docker load, or built on "
    "another machine): there is no image for each of its steps here"
)
#: The anchor's name when it is the image asked about itself.
THIS_IMAGE = "this image"
#: The anchor's name when it is an untagged image below the one asked about.
ITS_BASE_IMAGE = "its base image"


class MissingCause(Enum):
    """Why rows are ``<missing>``; each value is the English sentence (``{name}``: the anchor).

    The engine layer speaks English only (reports and the journal keep these
    sentences); the panels say the cause in the learner's language from the
    member and the name, never by reading the sentence back.
    """

    PARENT_REMOVED = MISSING_PARENT_REMOVED
    PULLED = MISSING_PULLED
    BUILDKIT = MISSING_BUILDKIT
    CONTAINERD = MISSING_CONTAINERD
    ELSEWHERE = MISSING_ELSEWHERE


@dataclass(frozen=True)
class MissingReason:
    """Why one history row is ``<missing>``, as data.

    Attributes:
        cause: Which of the reasons it is.
        name: The image the chain of ids stops at (a tag, :data:`THIS_IMAGE`
            or :data:`ITS_BASE_IMAGE`); unused by ``PARENT_REMOVED``.
    """

    cause: MissingCause
    name: str

    @property
    def text(self) -> str:
        """The reason as one English sentence (reports, the journal, the tests)."""
        return self.cause.value.format(name=self.name)


@dataclass(frozen=True)
class Anchor:
    """The oldest row that names a local image: where the image chain stops.

    Attributes:
        name: How to call that image (a tag, or ``this image``).
        parent_id: Its ``Parent`` (``""`` when it has none).
        parent_exists: Whether that parent is still on the engine.
        pulled: It came from a registry (it has ``RepoDigests``).
        buildkit: BuildKit built it (its history carries ``# buildkit``).
    """

    name: str
    parent_id: str
    parent_exists: bool
    pulled: bool
    buildkit: bool


def missing_reason(created_by: str, anchor: Anchor, containerd_store: bool) -> str:
    """Why a history row says ``<missing>``, as one English sentence (see :func:`why_missing`)."""
    return why_missing(created_by, anchor, containerd_store).text


def why_missing(created_by: str, anchor: Anchor, containerd_store: bool) -> MissingReason:
    """Why a history row says ``<missing>`` instead of an image id.

    The engine fills row ids by walking ``Parent`` links down from the image;
    the walk stops at ``anchor``, so every older row is missing for the
    reason that ``anchor`` has no parent here.

    Args:
        created_by: The missing row's ``CreatedBy``.
        anchor: Facts about the image where the walk stopped.
        containerd_store: The engine keeps images in containerd's store.

    Returns:
        The cause and the anchor's name, for the learner's language.
    """
    if anchor.parent_id and not anchor.parent_exists:
        cause = MissingCause.PARENT_REMOVED
    elif anchor.pulled:
        cause = MissingCause.PULLED
    elif anchor.buildkit or created_by.rstrip().endswith(BUILDKIT_MARK):
        cause = MissingCause.BUILDKIT
    elif containerd_store:
        cause = MissingCause.CONTAINERD
    else:
        cause = MissingCause.ELSEWHERE
    return MissingReason(cause, anchor.name)
