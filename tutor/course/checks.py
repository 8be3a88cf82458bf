"""Deciding that a step is done, from the engine's state, whoever did the step.

Every kind of ``tutor.course.vocabulary.CHECKS`` is implemented here. A check
looks at the engine (images, containers, the registry), at the lesson's
workspace files, and, only where the engine cannot tell, at the runner's
journal. So a step the learner does in another terminal passes as well as one
the tutor performed. A check never raises: an engine error (including
``EngineUnreachable``, for which the app shows its banner) is a failed check
whose detail is the error's message.

Which build steps came from the cache (``build_cached``)
--------------------------------------------------------
The build must have started after the last change to the lesson's files (the
newest modification time in the lesson's workspace folder), since the check
asks what that change did to the cache. Then, per Dockerfile step:

1. Built in the tutor: the journal holds the build's own report (``Using
   cache`` or not, step by step); it is used when its image is the image the
   tag names now and the build started after the last change.
2. Built anywhere else: the image history decides. A cached step reuses the
   layer (and step image) an earlier build made, so its ``Created`` time is
   older than the change; a step that ran was made after it. Steps after the
   last ``FROM`` are matched with the newest history rows (the rows of the
   tutor's own ``LABEL`` are skipped); a row's time is read precisely from
   its step image when there is one, else from the history's whole seconds
   (then a row from the same second as the change counts as built). ``FROM``
   always counts as cached: it builds nothing.

The engine's clock is compared with this machine's file times, which is exact
for a local engine and assumes the clocks agree for a remote one.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import docker.errors

from tutor.course.actions import Context
from tutor.course.journal import reference_key
from tutor.course.model import Step
from tutor.course.params import ParamError, fill_value
from tutor.engine import containers, registry
from tutor.engine.connection import engine_errors
from tutor.engine.dockerfile_steps import read_steps
from tutor.engine.errors import EngineError
from tutor.engine.labels import TOOL_LABEL, is_ours, label_filters


@dataclass(frozen=True)
class CheckResult:
    """Whether the step is done and, when not, what is still missing.

    Attributes:
        passed: The step is done.
        detail: What the learner still has to do, or what was found.
    """

    passed: bool
    detail: str


Args = Mapping[str, Any]


def decide(ctx: Context, step: Step) -> CheckResult:
    """Run the step's check.

    Args:
        ctx: Who and where.
        step: The step; its check's ``{param}``s are filled here.

    Returns:
        The result; engine errors come back as a failed result, never raised.
    """
    decider = DECIDERS.get(step.check.kind)
    if decider is None:
        return CheckResult(False, f"The tutor does not know the check {step.check.kind!r}.")
    try:
        args = {k: fill_value(v, ctx.params) for k, v in step.check.args.items()}
        return decider(ctx, step, args)
    except EngineError as exc:
        return CheckResult(False, exc.message)
    except docker.errors.APIError as exc:
        return CheckResult(False, f"The engine said: {exc.explanation or exc}")
    except (ParamError, OSError, ValueError) as exc:
        return CheckResult(False, str(exc))
    except Exception as exc:  # a bug must not take the app down with it
        return CheckResult(False, f"The tutor failed to check: {type(exc).__name__}: {exc}")


def _ok(passed: bool, missing: str, found: str = "Done.") -> CheckResult:
    return CheckResult(passed, found if passed else missing)


def _inspect_image(ctx: Context, image: str) -> dict[str, Any] | None:
    with engine_errors(ctx.engine.host):
        try:
            info: dict[str, Any] = ctx.engine.api.inspect_image(image)
            return info
        except docker.errors.ImageNotFound:
            return None


def _layers(info: Mapping[str, Any]) -> list[str]:
    return [str(d) for d in (info.get("RootFS") or {}).get("Layers") or []]


def _files_written(ctx: Context, step: Step, args: Args) -> CheckResult:
    missing = [n for n in args["files"] if not ctx.workspace.path(ctx.lesson.id, n).is_file()]
    return _ok(not missing, f"{', '.join(missing)} not in {ctx.folder} yet.")


def _file_contains(ctx: Context, step: Step, args: Args) -> CheckResult:
    name, text = str(args["file"]), str(args["text"])
    try:
        found = text in ctx.workspace.read(ctx.lesson.id, name)
    except FileNotFoundError:
        return CheckResult(False, f"{name} is not in {ctx.folder} yet.")
    return _ok(found, f"{name} does not contain {text.strip()!r} yet.")


def _image_exists(ctx: Context, step: Step, args: Args) -> CheckResult:
    image, fewest = str(args["image"]), int(args.get("layers") or 0)
    info = _inspect_image(ctx, image)
    if info is None:
        return CheckResult(False, f"The image {image} does not exist yet.")
    count = len(_layers(info))
    return _ok(count >= fewest, f"{image} has {count} layers, not yet {fewest}.")


def _image_absent(ctx: Context, step: Step, args: Args) -> CheckResult:
    image = str(args["image"])
    return _ok(_inspect_image(ctx, image) is None, f"The image {image} is still there.")


def _container_running(ctx: Context, step: Step, args: Args) -> CheckResult:
    name = str(args["name"])
    info = containers.container_info(ctx.engine, name)
    if info is None:
        return CheckResult(False, f"There is no container {name} yet.")
    return _ok(info.status == "running", f"The container {name} is {info.status}, not running.")


def _page_contains(ctx: Context, step: Step, args: Args) -> CheckResult:
    name, text, path = str(args["container"]), str(args["text"]), str(args.get("path") or "/")
    info = containers.container_info(ctx.engine, name)
    if info is None or info.status != "running" or not info.ports:
        return CheckResult(False, f"The container {name} is not running with a published port.")
    page = containers.fetch_page(
        ctx.engine, name, container_port=info.ports[0].container_port, path=path, wait=3
    )
    return _ok(text in page, f"The page {path} of {name} does not say {text!r} yet.")


def _logs_contain(ctx: Context, step: Step, args: Args) -> CheckResult:
    name, text = str(args["container"]), str(args["text"])
    if containers.container_info(ctx.engine, name) is None:
        return CheckResult(False, f"There is no container {name} yet.")
    found = text in containers.logs(ctx.engine, name, tail=2000)
    return _ok(found, f"The output of {name} does not show {text!r} yet.")


def _containers_from_image(ctx: Context, step: Step, args: Args) -> CheckResult:
    image, count = str(args["image"]), int(args["count"])
    info = _inspect_image(ctx, image)
    if info is None:
        return CheckResult(False, f"The image {image} does not exist yet.")
    with engine_errors(ctx.engine.host):
        rows = ctx.engine.api.containers(filters={"status": "running"})
    running = sum(1 for row in rows if row.get("ImageID") == info["Id"])
    return _ok(running >= count, f"{running} of {count} containers from {image} are running.")


def _images_share(ctx: Context, step: Step, args: Args) -> CheckResult:
    names = [str(i) for i in args["images"]]
    fewest, base = int(args.get("min_layers") or 0), args.get("base")
    stacks = []
    for name in [*names, *([str(base)] if base else [])]:
        info = _inspect_image(ctx, name)
        if info is None:
            return CheckResult(False, f"The image {name} does not exist yet.")
        stacks.append(_layers(info))
    common = _common_prefix(stacks[: len(names)])
    above = common - (len(stacks[-1]) if base else 0)
    where = f" above {base}" if base else ""
    return _ok(above >= fewest, f"{' and '.join(names)} share {max(above, 0)} layers{where}.")


def _common_prefix(stacks: list[list[str]]) -> int:
    count = 0
    for layers in zip(*stacks, strict=False):
        if len(set(layers)) != 1:
            break
        count += 1
    return count


def _image_from(ctx: Context, step: Step, args: Args) -> CheckResult:
    image, base = str(args["image"]), str(args["base"])
    mine, theirs = _inspect_image(ctx, image), _inspect_image(ctx, base)
    if mine is None or theirs is None:
        return CheckResult(False, f"The image {base if theirs is None else image} does not exist.")
    ours, below = _layers(mine), _layers(theirs)
    return _ok(ours[: len(below)] == below, f"{image} is not built on {base} yet.")


def _diff_has(ctx: Context, step: Step, args: Args) -> CheckResult:
    name, path = str(args["container"]), str(args["path"])
    change = str(args["change"])
    with engine_errors(ctx.engine.host):
        try:
            entries = ctx.engine.api.diff(name) or []
        except docker.errors.NotFound:
            return CheckResult(False, f"There is no container {name} yet.")
    found = {str(e["Path"]): "CAD"[int(e["Kind"])] for e in entries}
    return _ok(found.get(path) == change, f"docker diff {name} does not show {change} {path} yet.")


def find_registry(ctx: Context) -> str:
    """The address of the learner's registry: the parameter, else one that runs.

    The tutor's own registry container comes first; else a running container
    of ``{registry_image}`` that publishes the registry port (the learner ran
    ``docker run -p 127.0.0.1:5000:5000 registry:2`` in a terminal) and is not
    another learner's.

    Returns:
        ``HOST:PORT``, or "" when no registry runs.
    """
    if ctx.params.get("registry"):
        return str(ctx.params["registry"])
    own = containers.container_info(ctx.engine, registry.registry_container_name(ctx.namespace))
    if own is not None and is_ours(own.labels, ctx.namespace) and own.status == "running":
        port = own.host_port(registry.REGISTRY_PORT)
        if port:
            return f"127.0.0.1:{port}"
    image = str(ctx.params.get("registry_image") or "")
    rows: list[dict[str, Any]] = []
    with engine_errors(ctx.engine.host), contextlib.suppress(docker.errors.APIError):
        # (newer engines refuse an ancestor filter naming an absent image)
        rows = ctx.engine.api.containers(filters={"status": "running", "ancestor": image})
    for row in rows if image else []:
        labels = row.get("Labels") or {}
        if is_ours(labels) and not is_ours(labels, ctx.namespace):
            continue  # another learner's registry
        for p in row.get("Ports") or []:
            if p.get("PrivatePort") == registry.REGISTRY_PORT and p.get("PublicPort"):
                return f"127.0.0.1:{p['PublicPort']}"
    return ""


def _registry_ready(ctx: Context, step: Step, args: Args) -> CheckResult:
    address = find_registry(ctx)
    if not address:
        return CheckResult(False, "No registry runs for you yet.")
    registry.registry_tags(address, "layers-tutor-probe")  # RegistryError when it is silent
    return CheckResult(True, f"The registry at {address} answers.")


def _split_repository(repository: str) -> tuple[str, str]:
    host, _, name = repository.partition("/")
    return host, name


def _registry_has(ctx: Context, step: Step, args: Args) -> CheckResult:
    repository, tag = str(args["repository"]), str(args.get("tag") or "latest")
    tags = registry.registry_tags(*_split_repository(repository))
    return _ok(tag in tags, f"The registry does not hold {repository}:{tag} yet.")


def _push_reused(ctx: Context, step: Step, args: Args) -> CheckResult:
    repository, tag = str(args["repository"]), str(args.get("tag") or "latest")
    fewest = int(args.get("min_existing") or 1)
    address, name = _split_repository(repository)
    tags = registry.registry_tags(address, name)
    if tag not in tags:
        return CheckResult(False, f"The registry does not hold {repository}:{tag} yet.")
    record = ctx.journal.pushes.get(repository)
    if record is not None and record.reference == f"{repository}:{tag}":
        reused = record.existing + record.mounted
    else:  # pushed outside the tutor: count its layers that other tags already hold
        mine = set(registry.registry_manifest_layers(address, name, tag))
        others: set[str] = set()
        for other in (t for t in tags if t != tag):
            others |= set(registry.registry_manifest_layers(address, name, other))
        reused = len(mine & others)
    return _ok(reused >= fewest, f"Only {reused} layers of {tag} were already in the registry.")


def _answered(ctx: Context, step: Step, args: Args) -> CheckResult:
    answer = ctx.journal.answer(ctx.lesson.id, step.id)
    return _ok(answer is not None, "Answer the question first.", "Answered.")


def _nothing_left(ctx: Context, step: Step, args: Args) -> CheckResult:
    filters = {"label": label_filters(ctx.namespace)}
    api = ctx.engine.api
    with engine_errors(ctx.engine.host):
        left = [
            (r.get("Names") or ["?"])[0].lstrip("/")
            for r in api.containers(all=True, filters=filters)
        ]
        left += [(r.get("RepoTags") or [r["Id"][7:19]])[0] for r in api.images(filters=filters)]
        left += [n["Name"] for n in api.networks(filters=filters)]
        left += [v["Name"] for v in api.volumes(filters=filters).get("Volumes") or []]
    return _ok(not left, f"Still there: {', '.join(left[:4])}{' ...' if len(left) > 4 else ''}.")


def _build_cached(ctx: Context, step: Step, args: Args) -> CheckResult:
    image = str(args["image"])
    want_cached, want_built = list(args.get("cached") or ()), list(args.get("built") or ())
    info = _inspect_image(ctx, image)
    if info is None:
        return CheckResult(False, f"The image {image} does not exist yet.")
    since = ctx.workspace.last_change(ctx.lesson) or 0.0
    if want_built and created_at(str(info.get("Created") or "")) < since:
        return CheckResult(False, f"{image} was built before your last change: build it again.")
    flags = _journal_flags(ctx, image, str(info["Id"]), since)
    if flags is None:
        flags = _history_flags(ctx, step, image, str(info["Id"]), since)
    wrong = [f"step {n} came from the cache" for n in want_built if flags.get(n) is not False]
    wrong += [f"step {n} ran again" for n in want_cached if flags.get(n) is not True]
    return _ok(not wrong, f"In the last build of {image}, {' and '.join(wrong)}.")


def _journal_flags(ctx: Context, image: str, image_id: str, since: float) -> dict[int, bool] | None:
    record = ctx.journal.builds.get(reference_key(image))
    if record is None or record.image_id != image_id or record.started < since:
        return None
    return {int(s["number"]): bool(s["cached"]) for s in record.steps}


def _history_flags(
    ctx: Context, step: Step, image: str, image_id: str, since: float
) -> dict[int, bool]:
    steps = read_steps(ctx.folder / _dockerfile_of(ctx, step, image))
    last_from = max(s.number for s in steps if s.keyword == "FROM")
    own = [s for s in steps if s.number > last_from]
    with engine_errors(ctx.engine.host):
        rows = ctx.engine.api.history(image_id) or []
        while rows and f"LABEL {TOOL_LABEL.rsplit('.', 1)[0]}." in str(rows[0].get("CreatedBy")):
            rows = rows[1:]  # the tutor's labels, added as steps of their own
        flags = {s.number: True for s in steps if s.number <= last_from}
        for item, row in zip(own, reversed(rows[: len(own)]), strict=False):
            flags[item.number] = _row_time(ctx, row) < since
    return flags


def _row_time(ctx: Context, row: Mapping[str, Any]) -> float:
    """When a history row was made, leaning towards "after" when only seconds are known."""
    rid = str(row.get("Id") or "<missing>")
    if rid != "<missing>":
        try:
            return created_at(str(ctx.engine.api.inspect_image(rid).get("Created") or ""))
        except docker.errors.ImageNotFound:
            pass
    return float(row.get("Created") or 0) + 1.0


def _dockerfile_of(ctx: Context, step: Step, image: str) -> str:
    """The Dockerfile the lesson builds ``image`` from (context/dockerfile of its build)."""
    builds = [s.action for s in ctx.lesson.steps if s.action and s.action.kind == "build"]
    if step.action is not None and step.action.kind == "build":
        builds.insert(0, step.action)
    for action in builds:
        if fill_value(action.args.get("tag"), ctx.params) == image:
            context = str(action.args.get("context") or ".")
            name = str(action.args.get("dockerfile") or "Dockerfile")
            return name if context in (".", "./") else f"{context.rstrip('/')}/{name}"
    return "Dockerfile"


def created_at(text: str) -> float:
    """Epoch seconds of an engine timestamp (``2026-11-28T04:38:07.41775541Z``).

    The engine gives nanoseconds; Python reads at most microseconds, so the
    fraction is cut to six digits before parsing.
    """
    match = _STAMP.match(text.strip())
    if match is None:
        return 0.0
    whole, fraction, zone = match.groups()
    fraction = ((fraction or "") + "000000")[:6]
    zone = "+00:00" if zone in (None, "Z") else zone
    return datetime.fromisoformat(f"{whole}.{fraction}{zone}").timestamp()


_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


Decider = Callable[[Context, Step, Args], CheckResult]

DECIDERS: dict[str, Decider] = {
    "files_written": _files_written,
    "file_contains": _file_contains,
    "image_exists": _image_exists,
    "image_absent": _image_absent,
    "build_cached": _build_cached,
    "container_running": _container_running,
    "page_contains": _page_contains,
    "logs_contain": _logs_contain,
    "containers_from_image": _containers_from_image,
    "images_share": _images_share,
    "image_from": _image_from,
    "diff_has": _diff_has,
    "registry_ready": _registry_ready,
    "registry_has": _registry_has,
    "push_reused": _push_reused,
    "answered": _answered,
    "nothing_left": _nothing_left,
}
