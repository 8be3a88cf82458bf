"""Getting images onto the engine: pull, save to a file, load from a file, import, build.

``python -m tutor prepare`` uses these to make every image the course needs
present before class: pulled where a registry answers, carried in an archive
to a lab without internet, or made here (``tutor.prepare.stand_ins``). Each
call says what went wrong as an :class:`EngineError` with a hint, never with
a docker-py exception, so the command line and the app can show it as it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import docker.errors

from tutor.engine.connection import Engine, engine_errors, engine_refusals
from tutor.engine.errors import BuildFailed, EngineError, ImageNotFound, NotOurs, PullFailed
from tutor.engine.labels import is_ours
from tutor.sentence import Sentence

#: Bytes per chunk when an archive streams to or from the engine.
CHUNK = 1 << 20


@dataclass(frozen=True)
class Transfer:
    """How far a pull (or a load) has come, for a progress bar.

    Attributes:
        image: The image being moved.
        done: Bytes moved so far (all layers).
        total: Bytes to move, as far as the engine has said (0: not known yet).
        status: The engine's last words, e.g. ``Downloading`` or ``Pull complete``.
    """

    image: str
    done: int
    total: int
    status: str


OnTransfer = Callable[[Transfer], None]

#: The engine's words for a layer that needs no more bytes.
_LAYER_DONE = ("Pull complete", "Already exists")
#: What to check when an archive will not load.
_NOT_AN_ARCHIVE = Sentence("engine.not_an_archive")


def present(engine: Engine, image: str) -> bool:
    """Whether ``image`` (a name or an id) is on the engine now."""
    with engine_errors(engine.host):
        try:
            engine.client.images.get(image)
            return True
        except docker.errors.ImageNotFound:
            return False


def pullable(engine: Engine, image: str) -> tuple[bool, str]:
    """Whether a registry would give us ``image``, asked without pulling it.

    Returns:
        ``(True, "")``, or ``(False, why)`` in the registry's or engine's words.
    """
    with engine_errors(engine.host):
        try:
            engine.api.inspect_distribution(image)
            return True, ""
        except docker.errors.APIError as exc:
            return False, str(exc.explanation or exc)


def pull(engine: Engine, image: str, on_progress: OnTransfer | None = None) -> None:
    """Pull ``image``, reporting the bytes moved as the engine streams them.

    Args:
        engine: The engine.
        image: ``name[:tag]``; ``latest`` when no tag is given.
        on_progress: Called with each :class:`Transfer` (from the calling thread).

    Raises:
        ImageNotFound: no registry gave the image (the engine's reason is kept).
    """
    name, tag = split_reference(image)
    layers: dict[str, tuple[int, int]] = {}
    with engine_errors(engine.host):
        try:
            for event in engine.api.pull(name, tag=tag, stream=True, decode=True):
                if "error" in event or "errorDetail" in event:
                    detail = event.get("errorDetail") or {}
                    raise _not_pulled(image, str(detail.get("message") or event.get("error")))
                progress = event.get("progressDetail") or {}
                layer = str(event.get("id") or "")
                if layer and progress.get("total"):
                    layers[layer] = (int(progress.get("current") or 0), int(progress["total"]))
                elif layer and str(event.get("status", "")).startswith(
                    ("Pull complete", "Already")
                ):
                    size = layers.get(layer, (0, 0))[1]
                    layers[layer] = (size, size)
                if on_progress is not None:
                    done = sum(min(c, t) for c, t in layers.values())
                    total = sum(t for _, t in layers.values())
                    on_progress(Transfer(image, done, total, str(event.get("status", ""))))
        except docker.errors.APIError as exc:
            raise _not_pulled(image, str(exc.explanation or exc)) from exc
    if not present(engine, image):
        raise _not_pulled(image, "the engine finished the pull without the image")


def pull_lines(engine: Engine, repository: str, tag: str) -> Iterator[str]:
    """Pull ``repository:tag``, giving the engine's status lines as ``docker pull`` prints them.

    Progress bars are left out (the lines with a byte count); each line is
    ``LAYER: STATUS`` or, for the pull as a whole, ``STATUS``.

    Args:
        engine: The engine.
        repository: ``[registry/]name``.
        tag: The tag to pull.

    Yields:
        One line per status the engine reports.

    Raises:
        PullFailed: the registry or the engine stopped the pull (their words).
        EngineRejected: the engine refused to start it.
        EngineError: the engine cannot be asked.
    """
    with engine_errors(engine.host), engine_refusals():
        for event in engine.api.pull(repository, tag=tag, stream=True, decode=True):
            if event.get("error"):
                raise PullFailed(str(event["error"]))
            if event.get("status") and not event.get("progressDetail"):
                prefix = f"{event['id']}: " if event.get("id") else ""
                yield prefix + str(event["status"])


def remove_ours(engine: Engine, image: str, namespace: str) -> list[tuple[str, str]]:
    """Remove one image reference the tutor made for ``namespace`` (``docker image rm``).

    Args:
        engine: The engine.
        image: The reference (or id) to remove.
        namespace: The learner whose image it must be.

    Returns:
        What the engine did, as ``(Untagged|Deleted, what)`` pairs in its order.

    Raises:
        NotOurs: the image was not built or tagged by the tutor for this learner.
        EngineRejected: the engine refused (no such image, a container uses it...).
        EngineError: the engine cannot be asked.
    """
    with engine_errors(engine.host), engine_refusals():
        labels = (engine.api.inspect_image(image).get("Config") or {}).get("Labels")
        if not is_ours(labels, namespace):
            raise NotOurs(
                Sentence("engine.image_not_ours", image=image),
                Sentence("engine.image_not_ours.hint", image=image),
            )
        answer = engine.api.remove_image(image) or []
    return [(str(key), str(value)) for row in answer for key, value in row.items()]


def _not_pulled(image: str, why: str) -> ImageNotFound:
    return ImageNotFound(
        Sentence("engine.not_pulled", image=image, why=why),
        Sentence("engine.not_pulled.hint"),
    )


def split_reference(image: str) -> tuple[str, str]:
    """``name[:tag]`` into name and tag (a registry's ``host:port/`` is not a tag)."""
    slash = image.rfind("/")
    colon = image.rfind(":")
    if "@" in image:
        name, _, digest = image.partition("@")
        return name, digest
    if colon > slash:
        return image[:colon], image[colon + 1 :]
    return image, "latest"


def save(engine: Engine, images: Sequence[str], target: Path) -> int:
    """Write ``images`` into one archive (``docker save`` format, with ``manifest.json``).

    The archive is written beside ``target`` and renamed into place, so an
    interrupted save never leaves a half archive under the name asked for.

    Returns:
        The archive's size in bytes.

    Raises:
        ImageNotFound: one of the images is not on the engine.
    """
    for image in images:
        if not present(engine, image):
            raise ImageNotFound(
                Sentence("engine.save_missing", image=image),
                Sentence("engine.save_missing.hint"),
            )
    partial = target.with_name(target.name + ".partial")
    with engine_errors(engine.host):
        response = engine.api._get(
            engine.api._url("/images/get"), params={"names": list(images)}, stream=True
        )
        engine.api._raise_for_status(response)
        try:
            with partial.open("wb") as out:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            response.close()
    partial.replace(target)
    return target.stat().st_size


def load(engine: Engine, source: Path) -> list[str]:
    """Load every image in an archive made by :func:`save` (or ``docker save``).

    Returns:
        The names (or ids) the engine says it loaded.

    Raises:
        EngineError: the file cannot be read, or the engine refused it.
    """
    try:
        handle = source.open("rb")
    except OSError as exc:
        raise EngineError(
            Sentence("engine.read_failed", source=source, why=exc.strerror or exc),
            Sentence("engine.check_path"),
        ) from exc
    loaded: list[str] = []
    with handle, engine_errors(engine.host):
        try:
            answer = engine.api.load_image(_chunks(handle))
        except docker.errors.APIError as exc:
            raise EngineError(
                Sentence("engine.load_failed", source=source, why=exc.explanation or exc),
                _NOT_AN_ARCHIVE,
            ) from exc
        for event in _events(answer):
            if event.get("errorDetail") or event.get("error"):
                detail = event.get("errorDetail") or {}
                raise EngineError(
                    Sentence(
                        "engine.load_failed",
                        source=source,
                        why=detail.get("message") or event.get("error"),
                    ),
                    _NOT_AN_ARCHIVE,
                )
            stream = str(event.get("stream", ""))
            for prefix in ("Loaded image: ", "Loaded image ID: "):
                if stream.startswith(prefix):
                    loaded.append(stream[len(prefix) :].strip())
    return loaded


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _events(answer: Any) -> Iterable[Mapping[str, Any]]:
    # docker-py 7 returns a generator of decoded events; older answers are one dict.
    if isinstance(answer, Mapping):
        return [answer]
    return answer or []


def import_rootfs(engine: Engine, tar: IO[bytes], image: str, changes: Sequence[str] = ()) -> str:
    """Make a one-layer image from a root filesystem tar stream (``docker import``).

    Args:
        engine: The engine.
        tar: The tar stream (read to its end).
        image: ``name:tag`` to give the image.
        changes: Dockerfile lines applied to its config (``CMD``, ``ENV``, ``LABEL``).

    Returns:
        The new image's id.
    """
    name, tag = split_reference(image)
    with engine_errors(engine.host):
        try:
            engine.api.import_image(
                src=_chunks(tar), repository=name, tag=tag, changes=list(changes), stream_src=True
            )
        except docker.errors.APIError as exc:
            why = exc.explanation or exc
            raise EngineError(Sentence("engine.import_failed", image=image, why=why)) from exc
        return str(engine.client.images.get(image).id)


def build_context(
    engine: Engine, context: Path, image: str, labels: Mapping[str, str] | None = None
) -> str:
    """Build ``context/Dockerfile`` as ``image`` (no cache tricks, nothing left behind).

    Returns:
        The new image's id.

    Raises:
        BuildFailed: a step failed; the engine's message is kept.
    """
    with engine_errors(engine.host):
        try:
            for event in engine.api.build(
                path=str(context),
                tag=image,
                labels=dict(labels or {}),
                rm=True,
                forcerm=True,
                decode=True,
            ):
                if "errorDetail" in event or "error" in event:
                    detail = event.get("errorDetail") or {}
                    raise BuildFailed(
                        Sentence(
                            "engine.build_failed",
                            image=image,
                            why=detail.get("message") or event.get("error"),
                        )
                    )
        except docker.errors.APIError as exc:
            why = exc.explanation or exc
            raise BuildFailed(Sentence("engine.build_failed", image=image, why=why)) from exc
        return str(engine.client.images.get(image).id)


def tag(engine: Engine, image: str, name: str) -> None:
    """Give ``image`` (a name or an id) the extra name ``name``."""
    repository, version = split_reference(name)
    with engine_errors(engine.host):
        engine.api.tag(image, repository, version)


def label_of(engine: Engine, image: str, label: str) -> str | None:
    """One label of an image on the engine, or None (also when the image is not there)."""
    with engine_errors(engine.host), contextlib.suppress(docker.errors.ImageNotFound):
        config = engine.client.images.get(image).attrs.get("Config") or {}
        return (config.get("Labels") or {}).get(label)
    return None
