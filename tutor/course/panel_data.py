"""What the lesson screen's panels show, read from the engine in a worker.

The panels follow the lesson: the image the stack and the history draw is
the latest one the lesson has named up to the current step, the diff is of
the latest container it named, and two images a step compares are drawn side
by side. Nothing here imports Textual; the screen calls :func:`gather_panels`
from a thread worker and hands the result to the widgets.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from tutor.course.listing import ImageLine, image_lines
from tutor.course.model import Lesson, Value
from tutor.course.vocabulary import fill_known
from tutor.engine import containers
from tutor.engine.container_info import ContainerInfo
from tutor.engine.diff import ContainerDiff, diff
from tutor.engine.errors import ContainerNotFound, EngineRefused, ImageNotFound, NotOurs
from tutor.engine.labels import is_ours
from tutor.engine.layer_tar import IndexCancelled
from tutor.engine.layers import LayerStack, layers
from tutor.engine.sharing import Sharing, shared
from tutor.sentence import Sentence

if TYPE_CHECKING:
    from tutor.course.runner import LessonRunner


@dataclass(frozen=True)
class PanelTargets:
    """Which engine objects the panels show at the current step.

    Attributes:
        images: Images named so far, the latest last (the stack shows the
            latest one that exists).
        sharing: Images a step of the lesson compares (drawn side by side).
        container: The latest container named so far (its diff is shown).
        dockerfile: The Dockerfile the latest build step uses.
    """

    images: tuple[str, ...] = ()
    sharing: tuple[str, ...] = ()
    container: str | None = None
    dockerfile: str | None = None


def targets_for(lesson: Lesson, index: int, params: Mapping[str, Value]) -> PanelTargets:
    """The panel targets for the step at ``index`` (past the end: the whole lesson).

    Args:
        lesson: The lesson.
        index: The current step's position.
        params: The session's parameters, to fill in ``{image}`` and friends.

    Returns:
        The targets.
    """
    images: list[str] = []
    container: str | None = None
    dockerfile: str | None = None
    for step in lesson.steps[: index + 1]:
        sources = [step.check.args, *([step.action.args] if step.action else [])]
        for args in sources:
            for key in ("image", "tag"):
                if isinstance(args.get(key), str):
                    images.append(fill_known(str(args[key]), params))
            for key in ("container", "name"):
                if isinstance(args.get(key), str) and not args.get("count"):
                    container = fill_known(str(args[key]), params)
        if step.action is not None and step.action.kind == "build":
            dockerfile = str(step.action.args.get("dockerfile") or "Dockerfile")
    sharing: tuple[str, ...] = ()
    for step in lesson.steps:
        wanted = step.check.args.get("images")
        if step.check.kind == "images_share" and isinstance(wanted, (list, tuple)):
            sharing = tuple(fill_known(str(image), params) for image in wanted)
    latest_first = list(dict.fromkeys(reversed(images)))
    return PanelTargets(tuple(reversed(latest_first)), sharing, container, dockerfile)


@dataclass(frozen=True)
class PanelValues:
    """What the engine said for each panel (None: not read, or nothing to show).

    Attributes:
        files: The lesson's files as the learner has them: name -> text.
        containers: The learner's containers.
        stack: The layer stack of the latest image the lesson named that exists.
        sharing: Two or more images a step compares.
        diff: The changes of the latest container the lesson named.
    """

    files: Mapping[str, str] | None = None
    containers: tuple[ContainerInfo, ...] | None = None
    stack: LayerStack | None = None
    sharing: Sharing | None = None
    diff: ContainerDiff | None = None

    def merged(self, newer: PanelValues) -> PanelValues:
        """These values with every one ``newer`` has put in their place."""
        changes = {f.name: getattr(newer, f.name) for f in fields(newer)}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def gather_panels(
    runner: LessonRunner, lesson: Lesson, targets: PanelTargets, cancel: threading.Event
) -> tuple[PanelValues, dict[str, str]]:
    """Read from the engine everything the panels show.

    Args:
        runner: The learner's runner (engine, namespace, workspace).
        lesson: The lesson shown.
        targets: What to read (see :func:`targets_for`).
        cancel: Set it to stop reading a big image's layers for the diff.

    Returns:
        The values, and per panel why it shows nothing.

    Raises:
        EngineError: the engine went away (the app shows the banner).
    """
    engine = runner.engine
    problems: dict[str, str] = {}
    files = workspace_files(runner, lesson)
    ours = tuple(containers.ours(engine, runner.namespace, sizes=True))
    sharing = stack = found_diff = None
    if len(targets.sharing) >= 2:
        try:
            sharing = shared(engine, targets.sharing)
        except ImageNotFound as exc:
            problems["sharing"] = exc.message
    for image in reversed(targets.images):
        try:
            stack = layers(engine, image)
            break
        except ImageNotFound as exc:
            problems.setdefault("layers", exc.message)
    if targets.container:
        try:
            found_diff = diff(engine, targets.container, cancel=cancel)
        except (ContainerNotFound, EngineRefused, IndexCancelled) as exc:
            problems["diff"] = str(exc)  # the next poll asks again
    return PanelValues(files, ours, stack, sharing, found_diff), problems


def read_images(
    runner: LessonRunner, lesson: Lesson, targets: PanelTargets, cancel: threading.Event
) -> tuple[ImageLine, ...]:
    """The Images panel's rows: ``docker image ls``, the lesson's own images marked.

    Raises:
        EngineError: the engine went away.
    """
    return image_lines(runner.engine, targets.images)


def workspace_files(runner: LessonRunner, lesson: Lesson) -> dict[str, str]:
    """The lesson's files as the learner has them now (missing ones left out)."""
    files: dict[str, str] = {}
    for item in lesson.files:
        path = runner.workspace.path(lesson.id, item.name)
        try:
            files[item.name] = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return files


def original_files(lesson: Lesson, params: Mapping[str, Value]) -> dict[str, str]:
    """The lesson's own files, parameters filled in (shown while there is no engine)."""
    files: dict[str, str] = {}
    for item in lesson.files:
        try:
            text = item.source.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        files[item.name] = fill_known(text, params)
    return files


def ask_container(
    runner: LessonRunner, kind: str, name: str, command: str = "", token: str = ""
) -> tuple[str, int]:
    """Answer a panel's request about one container: its page, its logs, stop it, or run
    a command in it (only in the learner's own containers).

    Args:
        runner: The learner's runner.
        kind: ``page``, ``logs``, ``stop`` or ``exec``.
        name: The container's name or id.
        command: The shell command for ``exec``.
        token: For ``exec``: the command carries it, so that
            :func:`~tutor.engine.containers.stop_command` can stop it.

    Returns:
        The text to show and, for ``exec``, the command's exit code.

    Raises:
        EngineError: the engine refused or went away; ``NotOurs`` for a
            command in a container the tutor did not start.
    """
    engine = runner.engine
    if kind == "page":
        info = containers.container_info(engine, name)
        port = info.ports[0].container_port if info and info.ports else 5000
        return containers.fetch_page(engine, name, container_port=port), 0
    if kind == "logs":
        return containers.logs(engine, name), 0
    if kind == "stop":
        containers.stop(engine, name, namespace=runner.namespace)
        return f"{name} stopped.", 0
    info = containers.container_info(engine, name)
    if info is None or not is_ours(info.labels, runner.namespace):
        raise NotOurs(
            Sentence("panel.exec_not_ours", name=name),
            Sentence("panel.exec_not_ours.hint"),
        )
    result = containers.exec_in(engine, name, ["sh", "-c", command], token=token)
    return result.output, result.exit_code
