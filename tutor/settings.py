"""Course parameters that persist on this machine: a settings file and environment variables.

A lab without internet prepares its images once (``python -m tutor
prepare``) and the course must then build ``FROM`` the stand-in on every
start, not only when ``--param`` is typed. So parameters come in layers, each
one winning over the one before:

1. the course's defaults (``course.toml``);
2. the settings file, ``settings.toml`` in the user's config folder
   (``~/.config/layers-tutor`` on Linux; ``LAYERS_TUTOR_SETTINGS`` names
   another file), which ``prepare`` writes;
3. an environment variable per parameter, ``LAYERS_TUTOR_<NAME>``
   (``LAYERS_TUTOR_BASE_IMAGE``), for a lab image or a teacher's script;
4. ``--param NAME=VALUE`` on the command line.

``doctor`` says which layer each value came from. The file is TOML::

    # written by `python -m tutor prepare`; edit freely
    [params]
    base_image = "layers-tutor/python:local"

A damaged settings file never stops the tutor: it is set aside as
``settings.toml.corrupt-<time>``, the problem is reported, and the course's
defaults are used.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from platformdirs import user_config_dir

from tutor import user_files
from tutor.course.model import Value
from tutor.sentence import Sentence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

FILE_NAME = "settings.toml"
#: Environment variable naming another settings file (tests, lab images).
FILE_VARIABLE = "LAYERS_TUTOR_SETTINGS"
#: ``LAYERS_TUTOR_<NAME>`` sets parameter ``name``.
VARIABLE_PREFIX = "LAYERS_TUTOR_"
#: A settings file is a few lines; anything much larger is not one.
MAX_BYTES = 1 << 20
HEADER = (
    "# layers-tutor settings: course parameters for this machine.\n"
    "# Written by `python -m tutor prepare`; edit freely. --param wins over these,\n"
    "# and so does LAYERS_TUTOR_<NAME> in the environment.\n"
)

#: Where a value came from, as ``doctor`` names it.
COURSE, SETTINGS, ENVIRONMENT, COMMAND_LINE = "course", "settings file", "environment", "--param"


def default_path(env: Mapping[str, str] | None = None) -> Path:
    """The settings file of this user on this platform (or ``LAYERS_TUTOR_SETTINGS``)."""
    env = os.environ if env is None else env
    named = env.get(FILE_VARIABLE)
    if named:
        return Path(named).expanduser()
    return Path(user_config_dir("layers-tutor", appauthor=False)) / FILE_NAME


@dataclass(frozen=True)
class Settings:
    """The settings file as read.

    Attributes:
        path: Where it is (or would be).
        params: Parameter name -> value, as written (strings, numbers, booleans).
        problem: Why the file could not be used ("" when it was fine or absent);
            the damaged file has then been set aside as ``set_aside``.
        set_aside: Where a damaged file was moved, or None.
    """

    path: Path
    params: Mapping[str, str | int | bool] = field(default_factory=dict)
    problem: str = ""
    set_aside: Path | None = None


def load(path: Path | None = None) -> Settings:
    """Read the settings file; a missing one is empty, a damaged one is set aside.

    Args:
        path: The file (default: :func:`default_path`).

    Returns:
        The settings; never raises for what is in the file.
    """
    path = path if path is not None else default_path()
    # tutor.user_files never blocks on a pipe in the file's place and never raises.
    read = user_files.read_text(path, limit=MAX_BYTES)
    if read.missing:
        return Settings(path)
    problem = ""
    params: dict[str, str | int | bool] = {}
    if read.text is None:
        if read.reason == "too-large":
            problem = Sentence("settings.too_large", size=MAX_BYTES // 1024)
        elif read.reason == "not-text":
            problem = Sentence("settings.not_text")
        else:
            problem = Sentence("settings.unreadable", reason=read.reason, detail=read.detail)
    else:
        try:
            data = tomllib.loads(read.text)
            table = data.get("params", {})
            if not isinstance(table, dict):
                raise ValueError("[params] is not a table")
            for name, value in table.items():
                if not isinstance(value, (str, int, bool)):
                    raise ValueError(f"params.{name} is not a string, a number or true/false")
                params[name] = value
        except (tomllib.TOMLDecodeError, ValueError) as exc:
            problem = Sentence("settings.invalid", why=str(exc))
        except RecursionError:  # "a = [[[[..." nested deeper than the parser goes
            problem = Sentence("settings.too_deep")
    if not problem:
        return Settings(path, params)
    return Settings(path, problem=problem, set_aside=_set_aside(path, read.reason, problem))


def _set_aside(path: Path, reason: str | None, problem: str) -> Path | None:
    return user_files.set_aside(path, reason or "wrong-content", problem).backup


def save(params: Mapping[str, str | int | bool], path: Path | None = None) -> Path:
    """Write ``params`` as the settings file (atomically: the old file or the new one).

    Returns:
        The file written.

    Raises:
        OSError: the folder cannot be written (a full disk, no permission).
    """
    path = path if path is not None else default_path()
    body = tomli_w.dumps({"params": dict(sorted(params.items()))})
    user_files.write_atomic(path, HEADER + "\n" + body)
    return path


def update(changes: Mapping[str, str | int | bool], path: Path | None = None) -> Path:
    """Set some parameters in the settings file, keeping the others it holds."""
    current = load(path)
    return save({**current.params, **changes}, current.path)


def variable(name: str) -> str:
    """The environment variable that sets parameter ``name``."""
    return VARIABLE_PREFIX + name.upper()


@dataclass(frozen=True)
class Layered:
    """The overrides in effect on top of the course's defaults, and where each came from.

    Attributes:
        overrides: Parameter -> value (strings from the environment and the
            command line, as typed; the course's types are applied later).
        sources: Parameter -> :data:`SETTINGS`, :data:`ENVIRONMENT` or
            :data:`COMMAND_LINE` (a parameter not listed is the course's default).
        settings: The settings file as read (its problem, if any, to report).
    """

    overrides: Mapping[str, object]
    sources: Mapping[str, str]
    settings: Settings


def layer(
    course_params: Mapping[str, object],
    command_line: Mapping[str, object],
    *,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
) -> Layered:
    """Stack the settings file, the environment and ``--param`` over the course's defaults.

    A setting or a variable for a parameter this course does not have is
    ignored (the file serves every course on the machine); ``--param`` is
    passed on as it is, so an unknown name there is still reported.

    Args:
        course_params: The course's parameters (only their names matter).
        command_line: ``--param`` values.
        settings: The settings file (default: read it from :func:`default_path`).
        env: The environment (default: ``os.environ``).

    Returns:
        The overrides and their sources.
    """
    settings = settings if settings is not None else load()
    env = os.environ if env is None else env
    overrides: dict[str, object] = {}
    sources: dict[str, str] = {}
    for name in course_params:
        if name in settings.params:
            overrides[name], sources[name] = settings.params[name], SETTINGS
        if variable(name) in env:
            overrides[name], sources[name] = env[variable(name)], ENVIRONMENT
    for name, value in command_line.items():
        overrides[name], sources[name] = value, COMMAND_LINE
    return Layered(overrides, sources, settings)


def source_of(name: str, layered: Layered) -> str:
    """Where parameter ``name`` came from, in words for ``doctor``."""
    source = layered.sources.get(name, COURSE)
    if source == SETTINGS:
        return f"{SETTINGS} {layered.settings.path}"
    if source == ENVIRONMENT:
        return f"{ENVIRONMENT} {variable(name)}"
    return source


def effective(
    course_params: Mapping[str, Value], command_line: Mapping[str, object]
) -> tuple[Layered, dict[str, Value]]:
    """The layered overrides and the values in effect (course defaults filled in).

    Returns:
        ``(layered, values)``; ``values`` holds every course parameter, with
        the overrides read as the type of the course's default.

    Raises:
        ValueError: an override of the wrong type, or ``--param`` naming no
            parameter of the course.
    """
    from tutor.course.filling import merge

    layered = layer(course_params, command_line)
    unknown = sorted(set(command_line) - set(course_params))
    if unknown:
        known = ", ".join(sorted(course_params)) or "none"
        raise ValueError(f"The course has no parameter {unknown[0]!r} (it has: {known}).")
    return layered, merge(course_params, layered.overrides)
