"""Checks on the learner's containers: running, serving, logging, changing files.

Containers are found by name, whoever started them, so that a container the
learner runs in another terminal passes as well as one the tutor started. The
last check of the course, ``nothing_left``, looks the other way: by the
learner's labels, it finds anything the tutor made that is still there.
"""

from __future__ import annotations

import time

from tutor.course.context import Args, CheckResult, Context, Decider
from tutor.course.image_checks import another_learners, inspect_image
from tutor.course.model import Step
from tutor.engine import containers, inventory
from tutor.engine.diff import plain_changes
from tutor.engine.errors import ContainerNotFound
from tutor.engine.labels import label_filters
from tutor.engine.printed import short_id
from tutor.engine.profile import exec_reaches_container
from tutor.sentence import Sentence

#: Seconds a logs check waits for its text in a running container's output.
LOG_WAIT = 2.0


def _container_running(ctx: Context, step: Step, args: Args) -> CheckResult:
    name = str(args["name"])
    info = containers.container_info(ctx.engine, name)
    if info is None:
        return CheckResult(False, Sentence("check.container.missing", name=name))
    if another_learners(info.labels, ctx.namespace):
        return CheckResult(False, Sentence("check.container.others", name=name))
    stopped = Sentence("check.container.stopped", name=name, status=info.status)
    return CheckResult.of(info.status == "running", stopped)


def _page_contains(ctx: Context, step: Step, args: Args) -> CheckResult:
    name, text, path = str(args["container"]), str(args["text"]), str(args.get("path") or "/")
    info = containers.container_info(ctx.engine, name)
    if info is None or info.status != "running" or not info.ports:
        return CheckResult(False, Sentence("check.container.no_port", name=name))
    page = containers.fetch_page(
        ctx.engine, name, container_port=info.ports[0].container_port, path=path, wait=3
    )
    lacks = Sentence("check.page.lacks", path=path, name=name, text=text)
    return CheckResult.of(text in page, lacks)


def _logs_contain(ctx: Context, step: Step, args: Args) -> CheckResult:
    """The container printed ``text``; a running one is given :data:`LOG_WAIT` to.

    A web server writes its access line just after the response it logs: the
    visit step's check, right after its fetch, could read the output before
    that line was in it (seen with two learners at once on a busy machine).
    """
    name, text = str(args["container"]), str(args["text"])
    info = containers.container_info(ctx.engine, name)
    if info is None:
        return CheckResult(False, Sentence("check.container.missing", name=name))
    deadline = time.monotonic() + (LOG_WAIT if info.status == "running" else 0.0)
    while not (found := text in containers.logs(ctx.engine, name, tail=2000)):
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    return CheckResult.of(found, Sentence("check.logs.lacks", name=name, text=text))


def _containers_from_image(ctx: Context, step: Step, args: Args) -> CheckResult:
    image, count = str(args["image"]), int(args["count"])
    info = inspect_image(ctx, image)
    if info is None:
        return CheckResult(False, Sentence("check.image.missing", image=image))
    rows = inventory.list_containers(ctx.engine, status="running")
    running = sum(1 for row in rows if row.image_id == info.id)
    few = Sentence("check.containers.running", count=running, wanted=count, image=image)
    return CheckResult.of(running >= count, few)


def _diff_has(ctx: Context, step: Step, args: Args) -> CheckResult:
    name, path = str(args["container"]), str(args["path"])
    change = str(args["change"])
    try:
        entries = plain_changes(ctx.engine, name)
    except ContainerNotFound:
        return CheckResult(False, Sentence("check.container.missing", name=name))
    found = {e.path: e.kind.value for e in entries}
    if found.get(path) != change and exec_reaches_container(ctx.engine, name) is False:
        # Waiting for a change that this engine can never show is worse than saying why.
        note = Sentence("engine.exec_outside")
        blind = Sentence("check.diff.blind", name=name, change=change, path=path, note=note)
        return CheckResult(False, blind)
    lacks = Sentence("check.diff.lacks", name=name, change=change, path=path)
    return CheckResult.of(found.get(path) == change, lacks)


def _nothing_left(ctx: Context, step: Step, args: Args) -> CheckResult:
    labels = label_filters(ctx.namespace)
    engine = ctx.engine
    held = inventory.list_containers(engine, include_stopped=True, labels=labels)
    left = [(r.names or ("?",))[0] for r in held]
    left += [(r.tags or (short_id(r.id),))[0] for r in inventory.list_images(engine, labels=labels)]
    left += inventory.network_names(engine, labels)
    left += inventory.volume_names(engine, labels)
    more = " ..." if len(left) > 4 else ""
    names = ", ".join(left[:4]) + more
    return CheckResult.of(not left, Sentence("check.left", names=names))


DECIDERS: dict[str, Decider] = {
    "container_running": _container_running,
    "page_contains": _page_contains,
    "logs_contain": _logs_contain,
    "containers_from_image": _containers_from_image,
    "diff_has": _diff_has,
    "nothing_left": _nothing_left,
}
