"""What the tutor does when the learner asks it to perform a step: one function per kind.

Every kind of ``tutor.course.vocabulary.ACTIONS`` is implemented here on the
engine modules, and nothing else: a lesson can only name these kinds, none of
which runs a program on the learner's machine (``exec`` runs inside one of the
learner's own containers). Engine events (build steps, push progress) pass
through as they come; the rest is :class:`ActionOutput` lines shaped like the
docker command's own output. Every action ends with :class:`ActionDone` or
:class:`ActionFailed`; :func:`perform` never raises.
"""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors

from tutor.course.journal import BuildRecord, Journal, PushRecord, reference_key
from tutor.course.model import Action, Lesson, Value
from tutor.course.params import ParamError, fill_value, split_tag
from tutor.course.workspace import Workspace, WorkspaceError, safe_relative
from tutor.engine import cleanup, containers, registry
from tutor.engine.build import BuildDone, BuildError, BuildEvent, StepFinished, build
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.diff import diff
from tutor.engine.errors import EngineError, NotOurs, PortInUse
from tutor.engine.labels import is_ours, labels_for
from tutor.engine.ports import free_port
from tutor.engine.push import PushDone, PushError, PushEvent, PushProgress, push


@dataclass(frozen=True)
class ActionOutput:
    """A line of output, as the docker command would print it."""

    text: str


@dataclass(frozen=True)
class ActionDone:
    """The action succeeded; ``summary`` says what it did in one line."""

    summary: str


@dataclass(frozen=True)
class ActionFailed:
    """The action failed: what happened and what the learner can do about it."""

    message: str
    hint: str = ""


ActionEvent = BuildEvent | PushEvent | ActionOutput | ActionDone | ActionFailed


@dataclass
class Context:
    """What an action (or a check) works on: one learner, one lesson.

    Attributes:
        engine: The learner's engine.
        lesson: The lesson the step belongs to.
        params: The session's parameters; ``start_registry`` and ``clean``
            change ``registry`` in place.
        workspace: The learner's files.
        namespace: The learner's namespace (labels, names).
        journal: The runner's record.
    """

    engine: Engine
    lesson: Lesson
    params: dict[str, Value]
    workspace: Workspace
    namespace: str
    journal: Journal

    @property
    def folder(self) -> Path:
        """The lesson's workspace folder."""
        return self.workspace.folder(self.lesson.id)


Args = Mapping[str, Any]
Performer = Callable[[Context, Args, "threading.Event | None"], Iterator[ActionEvent]]


def perform(
    ctx: Context, action: Action, cancel: threading.Event | None = None
) -> Iterator[ActionEvent]:
    """Do one action for the learner, reporting as it goes.

    Args:
        ctx: Who and where.
        action: The step's action; its ``{param}``s are filled here.
        cancel: Set it to stop a build or a push promptly.

    Yields:
        Engine events and action events; the last is ActionDone or ActionFailed.
    """
    performer = PERFORMERS.get(action.kind)
    if performer is None:
        yield ActionFailed(f"The tutor cannot do {action.kind!r}.", "Do this step yourself.")
        return
    try:
        args = {k: fill_value(v, ctx.params) for k, v in action.args.items()}
        yield from performer(ctx, args, cancel)
    except EngineError as exc:
        yield ActionFailed(exc.message, exc.hint)
    except docker.errors.APIError as exc:
        yield ActionFailed(f"The engine refused: {exc.explanation or exc}", "")
    except (ParamError, WorkspaceError) as exc:
        yield ActionFailed(str(exc), "The lesson itself is wrong here; tell your teacher.")
    except OSError as exc:
        yield ActionFailed(f"Could not use the lesson's files: {exc}", "Check the folder.")
    except Exception as exc:  # a bug must not take the app down with it
        yield ActionFailed(f"The tutor failed: {type(exc).__name__}: {exc}", "Please report it.")


def _write_files(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    report = ctx.workspace.prepare(ctx.lesson, ctx.params)
    for name in report.written + report.unchanged + report.kept:
        yield ActionOutput(f"{ctx.folder / name}")
    for name in report.conflicts:
        yield ActionOutput(f"{ctx.folder / name}: kept your edited copy")
    yield ActionDone(f"The lesson's files are in {ctx.folder}.")


def _edit(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    name, find, replace = str(args["file"]), str(args["find"]), str(args["replace"])
    text = ctx.workspace.read(ctx.lesson.id, name)
    if find not in text:
        yield ActionFailed(f"{name} does not contain {find!r}.", "Was it changed already?")
        return
    ctx.workspace.write(ctx.lesson.id, name, text.replace(find, replace, 1))
    if "\n" in find.strip():
        yield ActionDone(f"Changed {find.strip().count(chr(10)) + 1} lines of {name}.")
    else:
        yield ActionDone(f"Changed {name}: {find.strip()!r} is now {replace.strip()!r}.")


def _move_line(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    name, line, before = str(args["file"]), str(args["line"]).strip(), str(args["before"]).strip()
    rows = ctx.workspace.read(ctx.lesson.id, name).splitlines(keepends=True)
    stripped = [row.strip() for row in rows]
    missing = [want for want in (line, before) if want not in stripped]
    if missing:
        yield ActionFailed(f"{name} has no line {missing[0]!r}.", "Was it changed already?")
        return
    moved = rows.pop(stripped.index(line))
    moved = moved if moved.endswith("\n") else moved + "\n"
    rows.insert([row.strip() for row in rows].index(before), moved)
    ctx.workspace.write(ctx.lesson.id, name, "".join(rows))
    yield ActionDone(f"Moved {line!r} above {before!r} in {name}.")


def _build(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    tag = str(args["tag"])
    context = str(args.get("context") or ".")
    folder = ctx.folder if context in (".", "./") else ctx.folder / safe_relative(context)
    dockerfile = str(args.get("dockerfile") or "Dockerfile")
    started = time.time()
    steps: list[dict[str, Any]] = []
    labels = labels_for(ctx.namespace, ctx.lesson.id)
    for event in build(
        ctx.engine, folder, tag, dockerfile=dockerfile, labels=labels, cancel=cancel
    ):
        yield event
        if isinstance(event, StepFinished):
            steps.append(
                {"number": event.number, "instruction": event.instruction, "cached": event.cached}
            )
        elif isinstance(event, BuildError):
            yield ActionFailed(event.message, "Fix the Dockerfile or the app, then build again.")
            return
        elif isinstance(event, BuildDone):
            record = BuildRecord(event.image_id, ctx.lesson.id, started, time.time(), steps)
            ctx.journal.record_build(reference_key(tag), record)
            cached = sum(1 for s in steps if s["cached"])
            yield ActionDone(f"Built {tag}: {len(steps)} steps, {cached} from the cache.")
            return
    yield ActionFailed("The build was stopped before it finished.", "Build again when ready.")


def _run(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    image, name, count = str(args["image"]), str(args["name"]), int(args.get("count") or 1)
    port = None if args.get("port") is None else int(args["port"])
    inside = args.get("container_port")
    inside = port if inside is None else int(inside)
    names = [name] if count == 1 else [f"{name}-{i}" for i in range(1, count + 1)]
    for i, each in enumerate(names):
        wanted = port if i == 0 else None  # NAME-2... take any free port
        try:
            info = _start(ctx, image, each, None if inside is None else {inside: wanted})
        except PortInUse as exc:
            if inside is None or wanted is None:
                raise
            other = free_port(exc.port, ctx.engine)
            yield ActionOutput(f"Port {exc.port} is busy; publishing on port {other} instead.")
            info = _start(ctx, image, each, {inside: other})
        yield ActionOutput(info.id)
        for mapping in info.ports:
            yield ActionOutput(f"{each}: port {mapping.host_port} -> {mapping.container_port}")
    yield ActionDone(f"Started {', '.join(names)} from {image}.")


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


def _fetch(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    name, path = str(args["container"]), str(args.get("path") or "/")
    info = containers.container_info(ctx.engine, name)
    inside = info.ports[0].container_port if info and info.ports else 5000
    page = containers.fetch_page(ctx.engine, name, container_port=inside, path=path)
    for line in page.splitlines():
        yield ActionOutput(line)
    yield ActionDone(f"Fetched {path} from {name}.")


def _logs(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    for line in containers.logs(ctx.engine, str(args["container"])).splitlines():
        yield ActionOutput(line)
    yield ActionDone(f"The output of {args['container']}.")


def _lines(rows: list[str], summary: str) -> Iterator[ActionEvent]:
    yield from (ActionOutput(row) for row in rows)
    yield ActionDone(summary)


def _exec(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    name = str(args["container"])
    info = containers.container_info(ctx.engine, name)
    if info is not None and not is_ours(info.labels, ctx.namespace):
        raise NotOurs(
            f"The container {name!r} is not one the tutor started for you.",
            "Run the command yourself if you mean it.",
        )
    result = containers.exec_in(ctx.engine, name, shlex.split(str(args["command"])))
    yield from (ActionOutput(line) for line in result.output.splitlines())
    if result.exit_code != 0:
        yield ActionFailed(f"The command exited with code {result.exit_code}.", "See its output.")
        return
    yield ActionDone(f"Ran {args['command']!r} inside {name}.")


def _diff(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    found = diff(ctx.engine, str(args["container"]), cancel=cancel)
    for change in found.changes:
        source = f"    (from: {change.source_instruction})" if change.source_instruction else ""
        yield ActionOutput(f"{change.kind.value} {change.path}{source}")
    yield ActionDone(f"{len(found.changes)} paths differ from the image.")


def _start_registry(
    ctx: Context, args: Args, cancel: threading.Event | None
) -> Iterator[ActionEvent]:
    if ctx.params.get("registry"):
        yield ActionDone(f"Using the registry at {ctx.params['registry']}.")
        return
    image = str(ctx.params.get("registry_image") or "registry:2")
    started = registry.start_registry(ctx.engine, namespace=ctx.namespace, image=image)
    ctx.params["registry"] = started.address
    yield ActionOutput(f"{started.container} listens at {started.address}")
    yield ActionDone(f"Your registry is ready at {started.address}.")


def _push(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    repository, tag = str(args["repository"]), str(args.get("tag") or "latest")
    final: dict[str, str] = {}
    for event in push(ctx.engine, str(args["image"]), repository, tag, cancel=cancel):
        yield event
        if isinstance(event, PushProgress):
            final[event.layer] = event.status
        elif isinstance(event, PushError):
            yield ActionFailed(event.message, "Is the registry running? (the step before)")
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
            yield ActionDone(
                f"Pushed {event.reference}: {counts['pushed']} layers sent, "
                f"{counts['exists'] + mounted} already there."
            )
            return
    yield ActionFailed("The push was stopped before it finished.", "Push again when ready.")


def _remove_image(
    ctx: Context, args: Args, cancel: threading.Event | None
) -> Iterator[ActionEvent]:
    image = str(args["image"])
    with engine_errors(ctx.engine.host):
        labels = (ctx.engine.api.inspect_image(image).get("Config") or {}).get("Labels")
        if not is_ours(labels, ctx.namespace):
            raise NotOurs(
                f"The image {image!r} was not made by the tutor for you.",
                f"Remove it yourself if you mean it: docker image rm {image}",
            )
        answer = ctx.engine.api.remove_image(image) or []
    for row in answer:
        for key, value in row.items():
            yield ActionOutput(f"{key}: {value}")
    yield ActionDone(f"Removed {image}.")


def _pull(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    reference, address = str(args["reference"]), str(ctx.params.get("registry") or "")
    if not address or not reference.startswith(address + "/"):
        yield ActionFailed(
            f"The tutor only pulls from your registry, not {reference!r}.",
            "Start the registry first (an earlier step).",
        )
        return
    repository, tag = split_tag(reference)
    tag = tag or "latest"
    with engine_errors(ctx.engine.host):
        for event in ctx.engine.api.pull(repository, tag=tag, stream=True, decode=True):
            if event.get("error"):
                yield ActionFailed(str(event["error"]), "Was it pushed? (an earlier step)")
                return
            if event.get("status") and not event.get("progressDetail"):
                prefix = f"{event['id']}: " if event.get("id") else ""
                yield ActionOutput(prefix + str(event["status"]))
    yield ActionDone(f"Pulled {repository}:{tag}.")


def _stop(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    containers.stop(ctx.engine, str(args["container"]), namespace=ctx.namespace)
    yield ActionOutput(str(args["container"]))
    yield ActionDone(f"Stopped {args['container']}.")


def _clean(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    report = cleanup.clean(ctx.engine, ctx.namespace)
    for kind, names in (
        ("container", report.containers),
        ("image", report.images),
        ("network", report.networks),
        ("volume", report.volumes),
    ):
        yield from (ActionOutput(f"removed {kind} {name}") for name in names)
    yield from (ActionOutput(f"kept {why}") for why in report.kept)
    if registry.registry_container_name(ctx.namespace) in report.containers:
        ctx.params["registry"] = ""  # the tutor's registry is gone with everything else
    yield ActionDone(f"Removed {report.total} objects the tutor made for you.")


PERFORMERS: dict[str, Performer] = {
    "write_files": _write_files,
    "edit": _edit,
    "move_line": _move_line,
    "build": _build,
    "run": _run,
    "fetch": _fetch,
    "logs": _logs,
    "list_images": lambda ctx, a, c: _lines(image_table(ctx.engine), "The images on your engine."),
    "list_containers": lambda ctx, a, c: _lines(container_table(ctx.engine), "Running containers."),
    "history": lambda ctx, a, c: _lines(
        history_table(ctx.engine, str(a["image"])), "One row a step."
    ),
    "exec": _exec,
    "diff": _diff,
    "start_registry": _start_registry,
    "push": _push,
    "remove_image": _remove_image,
    "pull": _pull,
    "stop": _stop,
    "clean": _clean,
}


# Tables shaped like the docker command's, so the learner recognises them later.


def image_table(engine: Engine) -> list[str]:
    """``docker image ls``: one row per tag, newest first."""
    with engine_errors(engine.host):
        rows = sorted(engine.api.images(), key=lambda r: -int(r.get("Created") or 0))
    table = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    for row in rows:
        for ref in row.get("RepoTags") or ["<none>:<none>"]:
            repository, tag = split_tag(ref)
            table.append(
                [
                    repository,
                    tag,
                    _short(row["Id"]),
                    _ago(row.get("Created")),
                    human_size(row.get("Size")),
                ]
            )
    return _aligned(table)


def container_table(engine: Engine) -> list[str]:
    """``docker ps``: the running containers with their published ports."""
    with engine_errors(engine.host):
        rows = engine.api.containers()
    table = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
    for row in rows:
        ports = ", ".join(
            f"{p.get('IP', '')}:{p['PublicPort']}->{p['PrivatePort']}/{p.get('Type', 'tcp')}"
            if p.get("PublicPort")
            else f"{p['PrivatePort']}/{p.get('Type', 'tcp')}"
            for p in row.get("Ports") or []
        )
        command = f'"{_cut(str(row.get("Command") or ""), 20)}"'
        names = ",".join(n.lstrip("/") for n in row.get("Names") or [])
        table.append(
            [
                row["Id"][:12],
                str(row.get("Image")),
                command,
                _ago(row.get("Created")),
                str(row.get("Status")),
                ports,
                names,
            ]
        )
    return _aligned(table)


def history_table(engine: Engine, image: str) -> list[str]:
    """``docker image history``: newest step first, ``<missing>`` where no image backs a row."""
    with engine_errors(engine.host):
        try:
            rows = engine.api.history(image) or []
        except docker.errors.ImageNotFound as exc:
            raise EngineError(f"There is no image {image!r} yet.", "Build it first.") from exc
    table = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
    for row in rows:
        rid = str(row.get("Id") or "<missing>")
        table.append(
            [
                rid if rid == "<missing>" else _short(rid),
                _ago(row.get("Created")),
                _cut(str(row.get("CreatedBy") or ""), 45),
                human_size(row.get("Size")),
                str(row.get("Comment") or ""),
            ]
        )
    return _aligned(table)


def human_size(size: Any) -> str:
    """Bytes the way docker prints them: decimal units, three significant digits."""
    value = float(size or 0)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.3g}{unit}"
        value /= 1000
    return f"{value:.3g}TB"  # pragma: no cover - the loop always returns


#: (below this many seconds, count in units of, unit) for "N units ago".
_AGES = (
    (120, 1, "second"),
    (7200, 60, "minute"),
    (172800, 3600, "hour"),
    (1209600, 86400, "day"),
    (5e7, 604800, "week"),
    (float("inf"), 31536000, "year"),
)


def _ago(created: Any) -> str:
    seconds = max(0.0, time.time() - float(created or 0))
    if seconds < 1:
        return "Less than a second ago"
    _limit, size, unit = next(row for row in _AGES if seconds < row[0])
    return f"{int(seconds // size)} {unit}s ago"


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _aligned(table: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
