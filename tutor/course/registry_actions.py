"""Actions of the push lesson: a registry, a push, removing an image, a pull.

The tutor's registry is a container on the learner's engine (unless the
``registry`` parameter names the class's own); once it runs, ``{registry}``
is its address for the rest of the session. The tutor pulls only from that
registry and removes only images it built for this learner.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from tutor.course.context import ActionDone, ActionEvent, ActionFailed, ActionOutput, Args, Context
from tutor.course.journal import PushRecord
from tutor.course.params import split_tag
from tutor.engine import images, registry
from tutor.engine.errors import PullFailed
from tutor.engine.push import push
from tutor.engine.push_stream import PushDone, PushError, PushProgress
from tutor.sentence import Sentence


def start_registry(
    ctx: Context, args: Args, cancel: threading.Event | None
) -> Iterator[ActionEvent]:
    """Start the learner's registry, or use the one the ``registry`` parameter names.

    Afterwards ``ctx.params["registry"]`` holds its address, so ``{registry}``
    and ``{repository}`` name it in every later step.

    Args:
        ctx: Who and where; its ``registry`` parameter is set here.
        args: None are used.
        cancel: Not used.

    Yields:
        The registry's address, then ActionDone.
    """
    if ctx.params.get("registry"):
        yield ActionDone(Sentence("action.registry.using", address=ctx.params["registry"]))
        return
    image = str(ctx.params.get("registry_image") or "registry:2")
    started = registry.start_registry(ctx.engine, namespace=ctx.namespace, image=image)
    ctx.params["registry"] = started.address
    listens = Sentence("action.registry.listens", name=started.container, address=started.address)
    yield ActionOutput(listens)
    yield ActionDone(Sentence("action.registry.ready", address=started.address))


def push_image(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Tag ``image`` as repository:tag and push it, remembering how many layers travelled.

    The engine forgets which layers a push sent; the ``push_reused`` check
    reads the journal's record of it.

    Args:
        ctx: Who and where.
        args: ``image``, ``repository`` and optionally ``tag``.
        cancel: Set it to stop the push promptly.

    Yields:
        The engine's push events, then ActionDone or ActionFailed.
    """
    repository, tag = str(args["repository"]), str(args.get("tag") or "latest")
    final: dict[str, str] = {}
    for event in push(ctx.engine, str(args["image"]), repository, tag, cancel=cancel):
        yield event
        if isinstance(event, PushProgress):
            final[event.layer] = event.status
        elif isinstance(event, PushError):
            yield ActionFailed(event.message, Sentence("action.push.registry"))
            return
        elif isinstance(event, PushDone):
            counts = {s: sum(1 for v in final.values() if v == s) for s in ("pushed", "exists")}
            mounted = sum(1 for v in final.values() if v == "mounted")
            ctx.journal.record_push(
                repository,
                PushRecord(
                    event.reference,
                    event.digest,
                    counts["pushed"],
                    counts["exists"],
                    mounted,
                    time.time(),
                ),
            )
            yield ActionOutput(f"{tag}: digest: {event.digest}")
            there = counts["exists"] + mounted
            yield ActionDone(
                Sentence(
                    "action.pushed", reference=event.reference, count=counts["pushed"], there=there
                )
            )
            return
    yield ActionFailed(Sentence("action.push.stopped"), Sentence("action.push.again"))


def remove_image(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Remove one image reference the tutor made for this learner (``docker image rm``).

    Args:
        ctx: Who and where.
        args: ``image``.
        cancel: Not used.

    Yields:
        What the engine untagged and deleted, then ActionDone.

    Raises:
        NotOurs: the image was not built or tagged by the tutor for this learner.
    """
    image = str(args["image"])
    for key, value in images.remove_ours(ctx.engine, image, ctx.namespace):
        yield ActionOutput(f"{key}: {value}")
    yield ActionDone(Sentence("action.removed", image=image))


def pull(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Pull a reference back from the learner's registry (and from nowhere else).

    Args:
        ctx: Who and where.
        args: ``reference``, ``{registry}/name:tag``.
        cancel: Not used.

    Yields:
        The pull's progress lines, then ActionDone or ActionFailed.
    """
    reference, address = str(args["reference"]), str(ctx.params.get("registry") or "")
    if not address or not reference.startswith(address + "/"):
        yield ActionFailed(
            Sentence("action.pull.elsewhere", reference=reference),
            Sentence("action.pull.registry_first"),
        )
        return
    repository, tag = split_tag(reference)
    tag = tag or "latest"
    try:
        for line in images.pull_lines(ctx.engine, repository, tag):
            yield ActionOutput(line)
    except PullFailed as exc:
        yield ActionFailed(exc.message, Sentence("action.pull.pushed"))
        return
    yield ActionDone(Sentence("action.pulled", reference=f"{repository}:{tag}"))
