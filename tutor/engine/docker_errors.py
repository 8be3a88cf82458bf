"""docker-py's exception classes, imported the first time one is asked for.

``import docker.errors`` imports all of docker-py (requests, urllib3...),
about 130 ms, which the command line's ``layers`` and ``diff`` need not pay
when they talk to the local socket (:mod:`tutor.engine.socket_api`). Code
on their path writes ``except docker_errors.NotFound:``: Python evaluates
an ``except`` clause only when an exception reaches it, so docker-py is
imported on an error path at most, and the classes are docker-py's own.
"""

from __future__ import annotations

import sys
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("_"):  # the import system asks for __path__ and such
        raise AttributeError(name)
    import docker.errors

    return getattr(docker.errors, name)


def loaded(module: str, name: str) -> type[BaseException] | None:
    """An exception class of a library already imported, else None (nothing raised it)."""
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None
