"""Actions on the learner's containers: run, visit, read the output, exec, diff, stop.

Every container the tutor starts carries the learner's labels, and the tutor
runs commands in (``exec``) or stops only containers with those labels: a
lesson can never reach a container of someone else, nor a program on the
learner's machine.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Iterator

from tutor.course.context import ActionDone, ActionEvent, ActionFailed, ActionOutput, Args, Context
from tutor.course.vocabulary import placeholders
from tutor.engine import containers
from tutor.engine.diff import diff
from tutor.engine.errors import NotOurs, PortInUse
from tutor.engine.labels import is_ours
from tutor.engine.ports import free_port
from tutor.sentence import Sentence


def run_names(name: str, count: int) -> list[str]:
    """The containers a ``run`` of ``count`` named ``name`` starts: NAME, or NAME-1..."""
    return [name] if count == 1 else [f"{name}-{i}" for i in range(1, count + 1)]


def run(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Start ``count`` detached containers of ``image``; a busy host port is swapped for a free one.

    Args:
        ctx: Who and where.
        args: ``image``, ``name``, and optionally ``port``, ``container_port``, ``count``.
        cancel: Not used: starting a container is quick.

    Yields:
        Each container's ID and ports, then ActionDone.
    """
    image, name, count = str(args["image"]), str(args["name"]), int(args.get("count") or 1)
    port = None if args.get("port") is None else int(args["port"])
    inside = args.get("container_port")
    inside = port if inside is None else int(inside)
    names = run_names(name, count)
    for i, each in enumerate(names):
        wanted = port if i == 0 else None  # NAME-2... take any free port
        try:
            info = _start(ctx, image, each, None if inside is None else {inside: wanted})
        except PortInUse as exc:
            if inside is None or wanted is None:
                raise
            other = free_port(exc.port, ctx.engine)
            yield ActionOutput(Sentence("action.port_busy", port=exc.port, other=other))
            info = _start(ctx, image, each, {inside: other})
            _remember_port(ctx, exc.port, other)
        yield ActionOutput(info.id)
        for mapping in info.ports:
            yield ActionOutput(f"{each}: port {mapping.host_port} -> {mapping.container_port}")
    started = ", ".join(names)
    yield ActionDone(Sentence("action.started", count=len(names), names=started, image=image))


def _remember_port(ctx: Context, busy: int, other: int) -> None:
    """Later steps fetch the page on ``{port}``: make it the port now in use.

    The parameter to change is the one the lesson's ``run`` steps publish
    (``port = "{port}"``), read off the lesson rather than guessed by value.
    """
    for step in ctx.lesson.steps:
        if step.action is None or step.action.kind != "run":
            continue
        for key in placeholders(str(step.action.args.get("port", ""))):
            if ctx.params.get(key) == busy:
                ctx.params[key] = other
                ctx.journal.params[key] = other
    ctx.journal.save()


def _start(
    ctx: Context, image: str, name: str, ports: dict[int, int | None] | None
) -> containers.ContainerInfo:
    return containers.run(
        ctx.engine,
        image,
        name=name,
        namespace=ctx.namespace,
        lesson=ctx.lesson.id,
        ports=ports,
        replace=True,
    )


def fetch(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Request a page from a running container's published port, like a browser would.

    Args:
        ctx: Who and where.
        args: ``container``, and optionally ``path``.
        cancel: Not used.

    Yields:
        The page's lines, then ActionDone.
    """
    name, path = str(args["container"]), str(args.get("path") or "/")
    info = containers.container_info(ctx.engine, name)
    inside = info.ports[0].container_port if info and info.ports else 5000
    page = containers.fetch_page(ctx.engine, name, container_port=inside, path=path)
    for line in page.splitlines():
        yield ActionOutput(line)
    yield ActionDone(Sentence("action.fetched", path=path, name=name))


def logs(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Show a container's output (``docker logs``).

    Args:
        ctx: Who and where.
        args: ``container``.
        cancel: Not used.

    Yields:
        The output's lines, then ActionDone.
    """
    for line in containers.logs(ctx.engine, str(args["container"])).splitlines():
        yield ActionOutput(line)
    yield ActionDone(Sentence("action.logs", name=args["container"]))


def exec_inside(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Run a command inside one of the learner's own containers, never on their machine.

    Args:
        ctx: Who and where.
        args: ``container`` and ``command`` (split like a shell would).
        cancel: Not used.

    Yields:
        The command's output, then ActionDone, or ActionFailed when it exits non-zero.

    Raises:
        NotOurs: the container was not started by the tutor for this learner.
    """
    name = str(args["container"])
    info = containers.container_info(ctx.engine, name)
    if info is not None and not is_ours(info.labels, ctx.namespace):
        raise NotOurs(
            Sentence("action.not_ours", name=name),
            Sentence("action.not_ours.hint"),
        )
    result = containers.exec_in(ctx.engine, name, shlex.split(str(args["command"])))
    yield from (ActionOutput(line) for line in result.output.splitlines())
    if result.exit_code != 0:
        exited = Sentence("action.exit_code", code=result.exit_code)
        yield ActionFailed(exited, Sentence("action.see_output"))
        return
    yield ActionDone(Sentence("action.ran", command=args["command"], name=name))


def show_diff(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """``docker diff``, with the image layer each changed file came from.

    Args:
        ctx: Who and where.
        args: ``container``.
        cancel: Stops the reading of the image's layers.

    Yields:
        One ``A``/``C``/``D`` line per path, then ActionDone.
    """
    found = diff(ctx.engine, str(args["container"]), cancel=cancel)
    for change in found.changes:
        if change.source_layer is None or not change.source_instruction:
            yield ActionOutput(f"{change.kind.value} {change.path}")
            continue
        yield ActionOutput(
            Sentence("action.diff_line", kind=change.kind.value, path=change.path,
                     index=change.source_layer, instruction=change.source_instruction)
        )  # fmt: skip
    if found.exec_outside:
        yield ActionOutput(Sentence("engine.exec_outside"))
    yield ActionDone(Sentence("action.differ", count=len(found.changes)))


def stop(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Stop one of the learner's containers.

    Args:
        ctx: Who and where.
        args: ``container``.
        cancel: Not used.

    Yields:
        The container's name, then ActionDone.

    Raises:
        NotOurs: the container is not the learner's.
    """
    containers.stop(ctx.engine, str(args["container"]), namespace=ctx.namespace)
    yield ActionOutput(str(args["container"]))
    yield ActionDone(Sentence("action.stopped", name=args["container"]))
