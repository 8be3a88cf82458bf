"""The learner's containers: run them labelled, look inside, and change only ours.

:func:`stop`, :func:`remove` and :func:`exec_in` refuse a container without the
tutor's labels even when its name is exactly a course name such as
``python-hello-world``: then it belongs to the learner, not to the tutor.
Looking without changing (state, logs, the page an app serves) is
:mod:`tutor.engine.container_info`; those names are importable from here too.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import Any

import docker.errors

from tutor.engine import ports as hostports
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.container_info import (
    ContainerInfo,
    container_info,
    fetch_page,
    info_from_inspect,
    inspect_container,
    logs,
    ours,
)
from tutor.engine.errors import EngineError, ImageNotFound, NameTaken, NotOurs, PortInUse
from tutor.engine.labels import is_ours, labels_for
from tutor.engine.ports import free_port
from tutor.engine.published import PortMapping
from tutor.sentence import Sentence

__all__ = [
    "ContainerInfo",
    "ExecResult",
    "PortMapping",
    "container_info",
    "exec_in",
    "fetch_page",
    "free_port",
    "logs",
    "new_run_token",
    "ours",
    "remove",
    "run",
    "stop",
    "stop_command",
]

#: The environment variable that marks a command the tutor runs in a container, so
#: that it (and every process it starts, which inherits it) can be found to stop it.
RUN_TOKEN_ENV = "LAYERS_TUTOR_RUN"

#: Signals each process of the container whose environment holds the token ($1)
#: with signal $2, oldest first (a shell whose command dies first wakes up and runs
#: its next command before its own signal comes), and prints its pid; again until a pass
#: finds none (at most ten). An exec'd process can only be signalled from inside
#: the container (the engine's API has no kill for an exec, and the host may be
#: remote); a pid file would have shown up in the very diff the learner is reading.
_STOP_MARKED = r"""
n=0
while [ "$n" -lt 10 ]; do
  n=$((n + 1)); found=
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    [ "$p" = "$$" ] && continue
    if tr '\0' '\n' 2>/dev/null < "$d/environ" | grep -qxF "$1"; then
      found="$found $p"
    fi
  done
  [ -z "$found" ] && break
  for p in $(echo $found | tr ' ' '\n' | sort -n); do
    kill -"$2" "$p" 2>/dev/null && echo "$p"
  done
  sleep 0.1
done
"""


@dataclass(frozen=True)
class ExecResult:
    """The exit code and the combined stdout/stderr of a command run in a container."""

    exit_code: int
    output: str


def run(
    engine: Engine,
    image: str,
    *,
    name: str,
    namespace: str,
    lesson: str = "",
    ports: dict[int, int | None] | None = None,
    command: list[str] | None = None,
    host_ip: str = "",
    replace: bool = False,
    check_ports: bool = True,
) -> ContainerInfo:
    """Start a labelled container in the background, like ``docker run -d``.

    Args:
        engine: The engine.
        image: A local image (the tutor never pulls here).
        name: The container name; namespace and lesson go in its labels.
        ports: Container port -> host port, published on every interface as
            ``-p 5000:5000`` does (only on ``host_ip`` when given). None lets
            the tutor choose: the container port itself when free, else any.
        command: Replaces the image's CMD.
        replace: Remove our own container of the same name first.
        check_ports: Look for a busy host port before asking the engine, whose
            own refusal becomes :class:`PortInUse` too.

    Returns:
        The running container.

    Raises:
        NameTaken: the name is used by a container that is not ours (or by
            ours while ``replace`` is False).
        PortInUse, ImageNotFound, EngineError: the engine refused.
    """
    _make_room(engine, name, namespace, replace)
    bindings = {
        f"{cport}/tcp": {
            "HostIp": host_ip,
            "HostPort": hostports.to_publish(engine, cport, hport, check_ports),
        }
        for cport, hport in (ports or {}).items()
    }
    labels = labels_for(namespace, lesson)
    with engine_errors(engine.host):
        try:
            container = engine.client.containers.create(
                image, command, name=name, detach=True, ports=bindings, labels=labels
            )
        except docker.errors.ImageNotFound as exc:
            raise ImageNotFound(
                Sentence("engine.no_image", image=image), Sentence("engine.build_first")
            ) from exc
        except docker.errors.APIError as exc:
            if exc.status_code == 409:
                raise NameTaken(
                    Sentence("engine.name_taken_now", name=name), Sentence("engine.try_again")
                ) from exc
            raise EngineError(Sentence("engine.create_refused", why=_why(exc))) from exc
        try:
            container.start()
        except docker.errors.APIError as exc:
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True, v=True)
            port = hostports.parse_port_error(_why(exc))
            if port is not None:
                raise PortInUse(port) from exc
            raise EngineError(Sentence("engine.start_refused", why=_why(exc))) from exc
        container.reload()
    return info_from_inspect(container.attrs)


def _make_room(engine: Engine, name: str, namespace: str, replace: bool) -> None:
    attrs = inspect_container(engine, name, missing_ok=True)
    if attrs is None or attrs.get("Name") != f"/{name}":
        return  # free (or only an id prefix matched)
    labels = attrs.get("Config", {}).get("Labels")
    if not is_ours(labels, namespace):
        key = "engine.name_held.learner" if is_ours(labels) else "engine.name_held.stranger"
        raise NameTaken(Sentence(key, name=name), Sentence("engine.name_held.hint", name=name))
    if not replace:
        raise NameTaken(
            Sentence("engine.name_yours", name=name),
            Sentence("engine.name_yours.hint"),
        )
    remove(engine, attrs["Id"], namespace=namespace)


def new_run_token() -> str:
    """A fresh token for :func:`exec_in`, to stop that command with :func:`stop_command`."""
    return secrets.token_hex(8)


def exec_in(
    engine: Engine,
    container: str,
    command: str | list[str],
    *,
    require_ours: bool = True,
    token: str = "",
) -> ExecResult:
    """Run a command inside a running container (never on this machine).

    Args:
        engine: The engine.
        container: Name or id.
        command: An argument list, or a string run by ``sh -c`` inside the container.
        require_ours: Refuse containers the tutor did not make (read-only
            checks of the learner's own containers may pass False).
        token: From :func:`new_run_token`: the command (and what it starts)
            carries it, so that :func:`stop_command` can stop it while it runs.

    Returns:
        The exit code and the output.

    Raises:
        ContainerNotFound, NotOurs, EngineError (the container is not running).
    """
    attrs = inspect_container(engine, container)
    if require_ours:
        _require_ours(attrs, None)
    argv = ["sh", "-c", command] if isinstance(command, str) else list(command)
    with engine_errors(engine.host):
        try:
            environment = {RUN_TOKEN_ENV: token} if token else None
            exec_id = engine.api.exec_create(
                attrs["Id"], argv, stdout=True, stderr=True, environment=environment
            )["Id"]
            raw = engine.api.exec_start(exec_id)
            code = engine.api.exec_inspect(exec_id).get("ExitCode")
        except docker.errors.APIError as exc:
            raise EngineError(
                Sentence("engine.exec_refused", container=container, why=_why(exc))
            ) from exc
    return ExecResult(-1 if code is None else int(code), raw.decode("utf-8", "replace"))


def stop_command(engine: Engine, container: str, token: str, *, signal: str = "TERM") -> int:
    """Stop a command :func:`exec_in` runs with ``token``, and what it started.

    The container keeps running; the command ends as if killed in a terminal
    (its exit status, 143 after TERM, is what :func:`exec_in` then returns).

    Args:
        engine: The engine.
        container: Name or id (ours only).
        token: The token the command was run with.
        signal: The signal's name: ``TERM``, or ``KILL`` for a command that ignores it.

    Returns:
        How many processes were signalled (0: the command had already ended).

    Raises:
        ContainerNotFound, NotOurs, EngineError (the container is not running).
    """
    if not token or not signal.isalnum():
        raise ValueError("stop_command needs a run token and a signal name")
    script = ["sh", "-c", _STOP_MARKED, "sh", f"{RUN_TOKEN_ENV}={token}", signal]
    result = exec_in(engine, container, script)
    return len({word for word in result.output.split() if word.isdigit()})


def stop(engine: Engine, container: str, *, namespace: str | None = None, timeout: int = 5) -> None:
    """Stop one of our containers (``docker stop``), SIGKILL after ``timeout`` seconds.

    Raises:
        ContainerNotFound: no such container.
        NotOurs: it lacks our labels (of ``namespace`` when given); it keeps running.
    """
    attrs = inspect_container(engine, container)
    _require_ours(attrs, namespace)
    with engine_errors(engine.host), contextlib.suppress(docker.errors.NotFound):
        engine.api.stop(attrs["Id"], timeout=timeout)


def remove(engine: Engine, container: str, *, namespace: str | None = None) -> None:
    """Remove one of our containers, running or not, with its anonymous volumes.

    Raises:
        ContainerNotFound: no such container.
        NotOurs: it lacks our labels (of ``namespace`` when given); it is left alone.
    """
    attrs = inspect_container(engine, container)
    _require_ours(attrs, namespace)
    with engine_errors(engine.host), contextlib.suppress(docker.errors.NotFound):
        try:
            engine.api.remove_container(attrs["Id"], force=True, v=True)
        except docker.errors.APIError as exc:
            if "already in progress" not in _why(exc):
                raise EngineError(
                    Sentence("engine.remove_refused", container=container, why=_why(exc))
                ) from exc


def _require_ours(attrs: dict[str, Any], namespace: str | None) -> None:
    if not is_ours(attrs.get("Config", {}).get("Labels"), namespace):
        name = str(attrs.get("Name", "")).lstrip("/")
        raise NotOurs(
            Sentence("engine.container_not_ours", name=name),
            Sentence("engine.container_not_ours.hint"),
        )


def _why(exc: docker.errors.APIError) -> str:
    return str(exc.explanation or exc)
