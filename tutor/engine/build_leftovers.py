"""What a stopped build leaves on the engine, and removing exactly that.

A classic build that fails, is cancelled or loses its client leaves two kinds
of unlabelled objects: the container of the step that was running (the engine
removes it itself with ``forcerm``, but not always at once) and the images of
the steps that did finish. Those step images have no tag and none of the
tutor's labels (the labels are the build's very last step), and the engine
keeps them as cache, so a build started again after a fix does not redo them.
Labels cannot find them at clean-up time; the tutor's own record of the ids
its builds printed can, and :func:`forget_intermediates` removes each one
only while nothing else needs it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import docker.errors

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.labels import TOOL_LABEL, is_ours

#: How long to wait for the engine to let go of a container it is removing itself.
_REMOVE_WAIT = 10.0


def remove_leftovers(engine: Engine, containers: Sequence[tuple[str, str | None]]) -> list[str]:
    """Remove intermediate containers of a stopped build that still exist.

    Only the containers the build announced (``Running in ID``) are touched,
    and only while their image is the step image they were started from:
    build containers carry no labels, so this is how we know they are ours.

    Args:
        engine: The engine.
        containers: ``(container id, image it was started from)`` pairs.

    Returns:
        The ids that were removed here (the engine usually removes them itself).
    """
    removed: list[str] = []
    for container_id, image in containers:
        deadline = time.monotonic() + _REMOVE_WAIT
        while time.monotonic() < deadline:
            try:
                with engine_errors(engine.host):
                    info = engine.api.inspect_container(container_id)
                    started_from = str(info.get("Image", "")).removeprefix("sha256:")
                    if image and not started_from.startswith(image):
                        break
                    engine.api.remove_container(container_id, force=True)
                removed.append(container_id)
                break
            except docker.errors.NotFound:
                break
            except docker.errors.APIError as exc:
                if exc.status_code != 409:  # 409: the engine is removing it right now
                    raise
                time.sleep(0.2)
    return removed


def forget_intermediates(
    engine: Engine, image_ids: Iterable[str], *, namespace: str | None = None
) -> list[str]:
    """Remove step images that the tutor's own builds left behind, once nothing needs them.

    The ids must come from the tutor's record of its builds
    (``BuildError.intermediates``, or the ``image_id`` of every
    ``StepFinished`` that missed the cache): that record is what makes these
    unlabelled images the tutor's. Even so, an image goes only while it
    still exists, has no tag and no registry digest, no image is built on it,
    no container (in any state) was made from it, and it carries no other
    learner's tutor labels. Exactly that image is removed: its parents are
    never pruned along with it (they may be another build's cache), unless
    they are on the list too (children go first). The engine refuses on its
    own when a child or a container appears meanwhile; such an image stays.

    Args:
        engine: The engine.
        image_ids: Recorded ids, short (as the build printed them) or full.
        namespace: The learner's namespace; images with another learner's
            labels are kept (None: any tutor label is fine).

    Returns:
        The full ids of the images removed (ids already gone are not listed).

    Raises:
        EngineError: the engine went away.
    """
    removed: list[str] = []
    with engine_errors(engine.host):
        wanted = {info["Id"]: info for info in _inspect_all(engine, image_ids)}
        while wanted:
            parents = {row.get("ParentId") for row in engine.api.images(all=True)}
            used = {row.get("ImageID") for row in engine.api.containers(all=True)}
            gone_now: list[str] = []
            newest_first = sorted(wanted.values(), key=lambda i: i.get("Created", ""), reverse=True)
            for info in newest_first:
                image_id = info["Id"]
                if not _forgettable(info, parents, used, namespace):
                    continue
                try:
                    engine.api.remove_image(image_id, noprune=True)
                    removed.append(image_id)
                except docker.errors.APIError:
                    pass  # gone already, or a child or container appeared just now
                gone_now.append(image_id)
            if not gone_now:
                break
            for image_id in gone_now:
                del wanted[image_id]
    return removed


def still_present(engine: Engine, image_ids: Iterable[str]) -> list[str]:
    """The recorded ids that still name an image, so a record can drop the rest.

    Args:
        engine: The engine.
        image_ids: Recorded ids, short or full.

    Returns:
        Those of ``image_ids`` (as given) that the engine still has.

    Raises:
        EngineError: the engine went away.
    """
    with engine_errors(engine.host):
        return [i for i in dict.fromkeys(str(i) for i in image_ids if i) if _exists(engine, i)]


def _exists(engine: Engine, image_id: str) -> bool:
    try:
        engine.api.inspect_image(image_id)
    except docker.errors.NotFound:
        return False
    return True


def _inspect_all(engine: Engine, image_ids: Iterable[str]) -> list[dict[str, Any]]:
    found = []
    for image_id in dict.fromkeys(str(i) for i in image_ids if i):
        try:
            found.append(engine.api.inspect_image(image_id))
        except docker.errors.APIError:
            continue  # gone already (or an ambiguous prefix: then it is not ours to guess)
    return found


def _forgettable(
    info: dict[str, Any], parents: set[Any], used: set[Any], namespace: str | None
) -> bool:
    labels = (info.get("Config") or {}).get("Labels") or {}
    someone_elses = TOOL_LABEL in labels and not is_ours(labels, namespace)
    tags = [t for t in info.get("RepoTags") or [] if t != "<none>:<none>"]
    digests = [d for d in info.get("RepoDigests") or [] if not d.startswith("<none>")]
    return not (tags or digests or someone_elses or info["Id"] in parents or info["Id"] in used)
