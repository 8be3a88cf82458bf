"""Pushing an image to a registry, layer by layer, as events the lesson can show.

The tutor only pushes images it built, and never moves a tag that names
someone else's image. The engine's answer is a stream of JSON events that
:mod:`tutor.engine.push_stream` turns into :data:`PushEvent` values; this
module starts the push, feeds that parser and stops promptly on ``cancel``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import docker.auth
import docker.errors
import urllib3.exceptions
from docker.types import CancellableStream

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import EngineUnreachable, ImageNotFound, NameTaken, NotOurs, PushFailed
from tutor.engine.events import close_when_set
from tutor.engine.labels import is_ours
from tutor.engine.profile import profile
from tutor.engine.push_stream import PushDone, PushError, PushEvent, parse_push_stream
from tutor.sentence import Sentence


def push(
    engine: Engine,
    image: str,
    repository: str,
    tag: str = "latest",
    *,
    cancel: threading.Event | None = None,
) -> Iterator[PushEvent]:
    """Tag one of our images as ``repository:tag`` and push it, as events.

    Args:
        engine: The engine (it does the pushing).
        image: Name or id of an image the tutor built.
        repository: ``REGISTRY/NAME``, e.g. ``127.0.0.1:5000/hello``.
        tag: The tag to push.
        cancel: Set it to stop: reading stops and the connection is closed,
            which makes the engine abandon the push.

    Yields:
        :class:`PushProgress` per layer step, then :class:`PushDone` or
        :class:`PushError`.

    Raises:
        EngineUnreachable: the engine went away (or its connection went silent
            for the client's timeout) before the push ended.
        ImageNotFound: no such image.
        NotOurs: the image was not made by the tutor (tagging would change it).
        NameTaken: ``repository:tag`` names an image that is not ours.
        PushFailed: the engine refused to start the push.
    """
    reference = f"{repository}:{tag}"
    attrs = _inspect_image(engine, image)
    if not is_ours((attrs.get("Config") or {}).get("Labels")):
        raise NotOurs(
            Sentence("engine.push.not_ours", image=image), Sentence("engine.push.yourself")
        )
    current = _inspect_image(engine, reference, missing_ok=True)
    theirs = current and not is_ours((current.get("Config") or {}).get("Labels"))
    if current and current["Id"] != attrs["Id"] and theirs:
        raise NameTaken(
            Sentence("engine.push.name_taken", reference=reference),
            Sentence("engine.push.other_tag"),
        )
    # Under the containerd store push events name compressed blobs: no diff-id to tie them to.
    blobs = profile(engine).push_ids_are_blob_digests
    diff_ids = [] if blobs else list((attrs.get("RootFS") or {}).get("Layers") or [])
    with engine_errors(engine.host):
        try:
            engine.api.tag(attrs["Id"], repository, tag)
            stream = _open_stream(engine.api, repository, tag)
        except docker.errors.APIError as exc:
            why = exc.explanation or exc
            raise PushFailed(Sentence("engine.push.refused", why=why)) from exc
    finished = False
    try:
        with close_when_set(cancel, lambda: _close_quietly(stream)), engine_errors(engine.host):
            for event in parse_push_stream(stream, reference=reference, diff_ids=diff_ids):
                if cancel is not None and cancel.is_set():
                    return
                finished = finished or isinstance(event, (PushDone, PushError))
                yield event
    except (urllib3.exceptions.HTTPError, EngineUnreachable, docker.errors.StreamParseError):
        pass  # the connection broke or went silent (urllib3's errors reach us raw from
        # docker-py's stream reader): whether the engine still answers decides below
    finally:
        _close_quietly(stream)
    if not finished and not (cancel is not None and cancel.is_set()):
        engine.ping()  # EngineUnreachable when the engine went away mid-push
        yield PushError("The push stopped without a result from the engine.")


def _open_stream(api: Any, repository: str, tag: str) -> CancellableStream:
    # APIClient.push() keeps its HTTP response to itself, but cancelling must
    # close that response (a push can wait on the registry for a long time);
    # so this makes the same request push() makes and keeps the response.
    registry, _name = docker.auth.resolve_repository_name(repository)
    headers = {}
    auth_header = docker.auth.get_config_header(api, registry)
    if auth_header:
        headers["X-Registry-Auth"] = auth_header
    url = api._url("/images/{0}/push", repository)
    response = api._post_json(url, None, headers=headers, stream=True, params={"tag": tag})
    api._raise_for_status(response)
    return CancellableStream(api._stream_helper(response, decode=True), response)


def _close_quietly(stream: CancellableStream) -> None:
    try:
        stream.close()
    except Exception:  # ssh transports cannot be shut down early; drop the response
        with contextlib.suppress(Exception):
            stream._response.close()


def _inspect_image(engine: Engine, image: str, *, missing_ok: bool = False) -> Any:
    with engine_errors(engine.host):
        try:
            return engine.api.inspect_image(image)
        except docker.errors.ImageNotFound as exc:
            if missing_ok:
                return None
            raise ImageNotFound(
                Sentence("engine.no_image", image=image), Sentence("engine.build_first")
            ) from exc
