"""What a tutor session leaves behind when it ends: nothing it started, unless asked.

Quitting with ``q`` removes the containers the learner started during the
session while the app still shows what it does. A session can also end
without the app's say: ``kill`` sends SIGTERM, a dropped SSH session sends
SIGHUP. The app exits on both, and :func:`tutor.launch.run_tutor` then calls
:func:`remove_started_containers` from plain Python, after the terminal is
gone, so the clean-up never depends on a screen that may no longer exist.
Containers that were already there when the session began (kept from an
earlier one with ``--keep-containers``) stay.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection

from tutor.engine import containers
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineError


def started_containers(
    engine: Engine, namespace: str, existing: Collection[str]
) -> list[containers.ContainerInfo]:
    """The learner's containers that were not there when the session began.

    Args:
        engine: The engine.
        namespace: The learner's namespace.
        existing: Ids of the learner's containers at the start of the session.

    Returns:
        Those containers, as the engine reports them now.

    Raises:
        EngineError: the engine cannot be asked.
    """
    return [c for c in containers.ours(engine, namespace) if c.id not in existing]


def remove_started_containers(
    connect: Callable[[], Engine], namespace: str, existing: Collection[str]
) -> list[str]:
    """Remove the containers started in the session; quiet when the engine is away.

    Args:
        connect: Opens a connection (the app's own one is closed by now).
        namespace: The learner's namespace.
        existing: Ids of the learner's containers at the start of the session.

    Returns:
        The names of the containers removed (empty when the engine could not
        be reached: ``python -m tutor clean`` removes them later).
    """
    removed: list[str] = []
    with contextlib.suppress(EngineError):
        engine = connect()
        try:
            for info in started_containers(engine, namespace, existing):
                with contextlib.suppress(EngineError):
                    containers.remove(engine, info.id, namespace=namespace)
                    removed.append(info.name)
        finally:
            engine.close()
    return removed
