"""The one factory that builds the tutor app, for ``python -m tutor`` and the tests alike.

Everything the app depends on is chosen here and handed in: how to reach the
engine, the course, where progress and the learner's files live, the
learner's namespace and the course parameters. Tests pass their own (a real
engine on a test host, a connector that raises ``EngineUnreachable``, a
temporary progress folder); the command line passes what the learner typed.

Nothing here imports docker-py or the lesson runner at start: the app calls
the connector and the runner factory in a thread worker once its first frame
is drawn, and that is where they are imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tutor import settings
from tutor.app import TutorApp
from tutor.course.course_cache import load_course_cached
from tutor.course.filling import merge
from tutor.course.journal import Journal
from tutor.course.model import Course, Value
from tutor.course.root import default_course_root
from tutor.course.workspace import default_root as default_workspace_root
from tutor.engine.labels import default_namespace, sanitize_namespace
from tutor.i18n import use_course_catalogs
from tutor.progress_store import ProgressStore
from tutor.sentence import Sentence

if TYPE_CHECKING:
    from tutor.course.runner import LessonRunner
    from tutor.engine.connection import Engine


def connect() -> Engine:
    """The engine the Docker CLI would use (docker-py is imported here, when first asked).

    Raises:
        EngineError: no engine answers there, or it refuses us.
    """
    from tutor.engine.connection import connect as connect_engine

    return connect_engine()


def make_app(
    *,
    connect_engine: Callable[[], Engine] = connect,
    course: Course | None = None,
    course_root: Path | None = None,
    store: ProgressStore | None = None,
    progress_root: Path | None = None,
    namespace: str | None = None,
    params: Mapping[str, object] | None = None,
    workspace_root: Path | None = None,
    language: str | None = None,
    keep_containers: bool = False,
    notes: Sequence[str] = (),
) -> TutorApp:
    """Build the tutor app from its parts.

    Args:
        connect_engine: Returns a connected engine or raises an ``EngineError``
            (default: the engine the Docker CLI would use).
        course: An already loaded course (default: load ``course_root``).
        course_root: The course folder (default: the built-in course).
        store: The progress store (default: one under ``progress_root``).
        progress_root: Folder for progress files (default: the user data dir).
        namespace: The learner's namespace (default: from the environment or
            the OS user name).
        params: Course parameters to override, e.g. ``base_image``; strings
            are converted to the type of the course's default.
        workspace_root: Folder for the learner's lesson files.
        language: Language to open in (default: the saved one, else the course's).
        keep_containers: Leave the containers started in this session on quit.
        notes: Warnings to show once the app starts (a damaged settings file).

    Returns:
        The app, not yet running.

    Raises:
        ValueError: an override names no course parameter or has the wrong type.
    """
    ns = sanitize_namespace(namespace) if namespace else default_namespace()
    if course is None:
        from tutor.course.loader import load_course

        course = load_course(course_root or default_course_root())
    use_course_catalogs(course.root)  # a course may bring a language of its own
    store = store if store is not None else ProgressStore(course.id, ns, root=progress_root)
    journal = Journal.load(store.path.with_name("journal.json"))
    overrides = dict(params or {})
    effective = merge_params(course.params, overrides)
    workspace = workspace_root if workspace_root is not None else default_workspace_root(ns)

    def make_runner(engine: Engine) -> tuple[LessonRunner, tuple[str, ...]]:
        # Called in the app's connect worker, off the event loop: the runner reaches docker-py.
        from tutor.course.params import resolve
        from tutor.course.runner import LessonRunner

        resolved = resolve(
            engine, course, namespace=ns, overrides=overrides, remembered=journal.params
        )
        runner = LessonRunner(
            engine,
            course,
            params=resolved.values,
            workspace=workspace,
            namespace=ns,
            journal=journal,
        )
        return runner, resolved.notes

    return TutorApp(
        course=course,
        store=store,
        connect_engine=connect_engine,
        make_runner=make_runner,
        namespace=ns,
        params=effective,
        journal=journal,
        language=language,
        keep_containers=keep_containers,
        notes=notes,
        use_params=overrides.update,
        workspace_root=workspace,
    )


def merge_params(
    defaults: Mapping[str, Value], overrides: Mapping[str, object]
) -> dict[str, Value]:
    """The course's parameters with the learner's or a test's overrides applied.

    Args:
        defaults: The course's parameters and their default values.
        overrides: Values to use instead; strings are read as the default's type.

    Returns:
        The parameters in effect (before the engine is asked which names are free).

    Raises:
        ValueError: an unknown parameter, or a value that is not of its type.
    """
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        known = ", ".join(sorted(defaults)) or "none"
        raise ValueError(f"The course has no parameter {unknown[0]!r} (it has: {known}).")
    return merge(defaults, overrides)


def run_tutor(
    *,
    course_root: Path | None = None,
    language: str | None = None,
    namespace: str | None = None,
    workspace: Path | None = None,
    params: Mapping[str, str] | None = None,
    keep_containers: bool = False,
) -> int:
    """Run the tutor in this terminal until the learner quits.

    Args:
        course_root: The course folder (default: the built-in course).
        language: Language to open in.
        namespace: The learner's namespace.
        workspace: Folder for the learner's lesson files.
        params: Course parameter overrides from ``--param NAME=VALUE``.
        keep_containers: Leave the containers started in this session on quit.

    Returns:
        The process exit status.
    """
    # Read from its files only when they changed since the last start (the first frame waits).
    course = load_course_cached(course_root or default_course_root())
    if language is not None and language not in course.languages:
        known = ", ".join(course.languages)
        print(f"error: the course has no language {language!r} (it has: {known})", file=sys.stderr)
        return 2
    # The settings file and LAYERS_TUTOR_<NAME> variables under --param (tutor.settings).
    layered = settings.layer(course.params, params or {})
    notes: list[str] = []
    if layered.settings.problem:
        kept = layered.settings.set_aside
        notes.append(
            Sentence(
                "settings.damaged",
                path=layered.settings.path,
                problem=layered.settings.problem,
                kept=Sentence("settings.kept", backup=kept) if kept else "",
            )
        )
    try:
        app = make_app(
            course=course,
            language=language,
            namespace=namespace,
            workspace_root=workspace,
            params=layered.overrides,
            keep_containers=keep_containers,
            notes=notes,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def leave() -> None:
        # Whatever ended the session (q, SIGTERM, a hang-up, a crash), the
        # containers it started go, unless the learner asked to keep them.
        if not app.keep_containers and app.existing_containers is not None:
            from tutor.session_end import remove_started_containers

            remove_started_containers(connect, app.namespace, app.existing_containers)

    app.handles_signals = True
    app.before_hard_exit = leave
    try:
        app.run()
    finally:
        leave()
    return app.return_code or 0
