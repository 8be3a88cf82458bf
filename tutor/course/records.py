"""What the journal keeps: the builds and pushes the engine cannot tell about later.

A :class:`BuildRecord` says what one build in the tutor did step by step (the
engine forgets which steps came from the cache); a :class:`PushRecord` says
how many layers one push sent and how many the registry already had. Builds
are remembered per tag under :func:`reference_key`. The journal reaches the
disk through :func:`tutor.user_files.write_atomic`, like every file the tutor
writes for the learner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BuildRecord:
    """What one build in the tutor did, step by step.

    Attributes:
        image_id: The image the build produced.
        lesson: The lesson that ran it.
        started: When it started (epoch seconds).
        finished: When it finished (epoch seconds).
        steps: ``{"number", "instruction", "cached"}`` per Dockerfile step.
    """

    image_id: str
    lesson: str = ""
    started: float = 0.0
    finished: float = 0.0
    steps: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PushRecord:
    """What one push sent to a registry.

    Attributes:
        reference: ``repository:tag`` as pushed.
        digest: The manifest digest the registry answered.
        pushed: Layers uploaded.
        existing: Layers the registry already had.
        mounted: Layers mounted from another repository of that registry.
        finished: When it finished (epoch seconds).
    """

    reference: str
    digest: str = ""
    pushed: int = 0
    existing: int = 0
    mounted: int = 0
    finished: float = 0.0


def reference_key(reference: str) -> str:
    """``reference`` with its tag spelled out (``app`` -> ``app:latest``), the journal's key."""
    slash, colon = reference.rfind("/"), reference.rfind(":")
    return reference if colon > slash else f"{reference}:latest"
