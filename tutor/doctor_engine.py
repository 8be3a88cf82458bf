"""What ``doctor`` says about the kind of engine: remote, Podman, containerd store.

Kept apart from ``tutor/doctor.py`` (which checks that things are there) because
these findings explain differences rather than faults: each one reads the
:class:`~tutor.engine.profile.EngineProfile`, the single place where what
differs per engine is written down.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.doctor_finding import Finding
from tutor.engine.profile import EngineProfile

#: The built-in course's lessons, in order (``examine`` passes the course's own).
LESSONS = (
    "the-app",
    "build",
    "run",
    "history",
    "cache",
    "sharing",
    "copy-on-write",
    "push",
    "base-image",
    "clean-up",
)


def engine_findings(found: EngineProfile, lessons: Sequence[str] = LESSONS) -> list[Finding]:
    """The findings that explain what this kind of engine changes for the learner.

    Args:
        found: The engine's profile.
        lessons: The course's lesson ids, in order.

    Returns:
        Zero or more findings, none of them required.
    """
    findings = []
    if found.remote:
        findings.append(remote_finding(found))
    if found.podman:
        findings.append(podman_finding(found, lessons))
    return findings


def remote_finding(found: EngineProfile) -> Finding:
    """What an engine on another machine changes: build contexts travel, ports open there."""
    host = found.port_host
    return Finding(
        "remote engine",
        True,
        f"the engine runs on {host}, not on this machine: `docker build` sends your "
        "lesson folder to it over the network as the build context (the tutor does the "
        f"same), and the ports your containers publish open on {host}, so the app's page "
        f"is at http://{host}:PORT. The lessons' registry runs there too: the engine pushes "
        f"to its own 127.0.0.1:PORT and the tutor reads it at {host}:PORT.",
        required=False,
    )


def podman_finding(found: EngineProfile, lessons: Sequence[str] = LESSONS) -> Finding:
    """Which lessons work on Podman's Docker-compatible API, and why the others do not."""
    limits = {k: v for k, v in found.lesson_limits().items() if k in lessons}
    works = [lesson for lesson in lessons if lesson not in limits]
    why = "; ".join(f"{lesson}: {reason}" for lesson, reason in limits.items())
    return Finding(
        "podman",
        False,
        f"{found.name} answers through its Docker-compatible API (API "
        f"{found.api_version}). These lessons work as on Docker: {', '.join(works)}. "
        f"These cannot: {why}.",
        "Use Docker Engine (or Docker Desktop) for the lessons Podman cannot do.",
        required=False,
    )
