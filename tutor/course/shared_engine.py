"""Room for one learner on an engine others use: names and ports of their own.

In a classroom, several learners (or a teacher's own work) may share one
Docker engine. The course's names (``python-hello-world``) and ports (5001)
are then possibly taken by someone else. The tutor never touches another
user's object: it gives the learner ``<name>-<namespace>`` instead, and a
free port in place of a busy one. ``tutor.course.params.resolve`` asks here
once per session and tells the learner about each change.

Looking is not enough when two learners start at the same moment: both would
see the name free. So a course name or port is only the learner's once they
hold its claim (``tutor.engine.claims``), which the engine gives to one of
them only; the other gets a name or port of their own. A ``<name>-<namespace>``
name needs no claim: nobody else has that namespace.
"""

from __future__ import annotations

from tutor.engine import inventory
from tutor.engine.claims import claim
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineError, EngineRejected
from tutor.engine.labels import is_ours
from tutor.engine.ports import free_port
from tutor.sentence import Sentence

#: Ports tried before giving up. A classroom of twenty starting at once, all from
#: the course's port, needs twenty tries for the last one; a port is never handed
#: out unclaimed, so the bound is far above any class.
_PORT_TRIES = 500
#: The highest TCP port; the search starts again from the course's port after it.
_LAST_PORT = 65535


def namespaced(name: str, namespace: str) -> str:
    """``name`` made the learner's own: ``<repository>-<namespace>[:tag]``.

    A registry prefix (``localhost:5000/``) and a tag stay where they are:
    ``localhost:5000/app:v2`` -> ``localhost:5000/app-ana:v2``.

    Args:
        name: An image or container name.
        namespace: The learner's namespace.

    Returns:
        The learner's version of the name.
    """
    repository, tag = split_tag(name)
    return f"{repository}-{namespace}" + (f":{tag}" if tag else "")


def split_tag(reference: str) -> tuple[str, str]:
    """``repository``, ``tag`` of an image reference (``tag`` is "" when absent).

    The colon of a registry port (``localhost:5000/app``) is not a tag.

    Args:
        reference: ``[registry/]name[:tag]``.

    Returns:
        The repository part and the tag.
    """
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        return reference[:colon], reference[colon + 1 :]
    return reference, ""


def name_for(engine: Engine, kind: str, name: str, namespace: str) -> str:
    """``name`` when nobody else uses it on the engine, else a name of the learner's own.

    Args:
        engine: The learner's engine.
        kind: ``image`` or ``container``.
        name: The course's name.
        namespace: The learner's namespace.

    Returns:
        ``name``, or ``<name>-<namespace>`` (with a number after it when that
        is taken too).

    Raises:
        EngineError: the engine cannot be asked.
    """
    if not _taken_by_others(engine, kind, name, namespace) and claim(engine, kind, name, namespace):
        return name
    mine = namespaced(name, namespace)
    for extra in range(2, 10):  # that one is taken too: a number after it
        if not _taken_by_others(engine, kind, mine, namespace):
            break
        mine = namespaced(name, f"{namespace}-{extra}")
    return mine


def port_for(engine: Engine, port: int, namespace: str) -> int:
    """``port`` when it is free (or already the learner's), else a free one near it.

    A port one of the learner's own containers publishes is theirs already
    (the app from the last session still runs), so it is kept. Any other port
    is the learner's only once they hold its claim.

    Args:
        engine: The learner's engine.
        port: The course's host port.
        namespace: The learner's namespace.

    Returns:
        The host port the learner will use.

    Raises:
        EngineError: the engine cannot be asked, or no port could be claimed.
    """
    rows = inventory.list_containers(engine, status="running")
    own = {
        p.public_port
        for row in rows
        if is_ours(row.labels, namespace)
        for p in row.ports
        if p.public_port
    }
    if port in own:
        return port
    candidate = free_port(port, engine)
    for _ in range(_PORT_TRIES):  # each one another learner claimed first: try the next
        if claim(engine, "port", str(candidate), namespace):
            return candidate
        candidate = free_port(candidate + 1 if candidate < _LAST_PORT else port, engine)
    raise EngineError(Sentence("engine.no_free_port"), Sentence("engine.no_free_port.hint"))


def _taken_by_others(engine: Engine, kind: str, name: str, namespace: str) -> bool:
    if kind == "image":
        repository, _tag = split_tag(name)
        try:
            images = inventory.list_images(engine, repository=repository)
        except EngineRejected:
            return False
        return any(not is_ours(row.labels, namespace) for row in images)
    rows = inventory.list_containers(engine, include_stopped=True, name=name)
    return any(name in row.names and not is_ours(row.labels, namespace) for row in rows)
