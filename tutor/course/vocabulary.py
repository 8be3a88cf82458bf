"""The fixed words a lesson may use: action kinds, check kinds and their arguments.

A lesson never names a host command. It names an *action* the tutor knows how
to perform and a *check* that decides, from the engine's state (plus the small
journal the runner keeps), that a step is done. This table is the one place
both are defined: the loader and ``validate`` check lessons against it, the
runner implements every kind in it, and ``lessons/README.md`` documents it for
teachers (a unit test keeps the README in step with this table).

Argument types, as written in ``lesson.toml``:

* ``text``: a string; ``{param}`` placeholders are filled in.
* ``int``: a whole number, or a string that is exactly one ``{param}`` naming
  a whole-number parameter (``port = "{port}"``).
* ``texts`` / ``ints``: lists of the above.
* ``file`` / ``files``: path(s) of the lesson's own files (``[lesson] files``),
  relative to the lesson's workspace folder.
* ``choice``: one of a fixed set of strings.

No argument may be called ``kind``: that key names the kind itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from tutor.course.model import Value

ArgType = Literal["text", "int", "texts", "ints", "file", "files", "choice"]

#: ``{name}`` placeholders; ``{{...}}`` (Go templates in ``docker --format``) is left alone.
#: The same pattern as ``tutor.course.filling``, so validation and filling agree.
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


@dataclass(frozen=True)
class Arg:
    """One argument of an action or check kind.

    Attributes:
        name: The key in the lesson file.
        type: How its value is checked (see the module docstring).
        doc: One line for the teachers' guide.
        required: Whether a lesson must give it.
        default: The value used when an optional argument is left out.
        choices: The allowed values of a ``choice`` argument.
        minimum: The smallest allowed number (for ``int`` and ``ints``).
        min_items: The fewest items a list may hold.
    """

    name: str
    type: ArgType
    doc: str
    required: bool = True
    default: Value | tuple[Value, ...] | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    min_items: int = 0


@dataclass(frozen=True)
class Kind:
    """An action kind or a check kind.

    Attributes:
        name: What lessons write in ``kind = "..."``.
        doc: What it does (action) or when it passes (check).
        args: Its arguments, in the order the guide lists them.
    """

    name: str
    doc: str
    args: tuple[Arg, ...] = ()

    def arg(self, name: str) -> Arg | None:
        """The argument called ``name``, or None when the kind has none by that name."""
        return next((a for a in self.args if a.name == name), None)


def _opt(name: str, type_: ArgType, doc: str, default: Value | tuple[Value, ...] | None) -> Arg:
    return Arg(name, type_, doc, required=False, default=default)


_IMAGE = Arg("image", "text", "an image reference, e.g. {image}")
_CONTAINER = Arg("container", "text", "a container name, e.g. {container}")
_FILE = Arg("file", "file", "one of the lesson's files")
_REPOSITORY = Arg("repository", "text", "registry/name, e.g. {repository}")
_TAG = _opt("tag", "text", "the tag in the registry", "latest")


def _table(*kinds: Kind) -> Mapping[str, Kind]:
    return MappingProxyType({k.name: k for k in kinds})


#: What the tutor can do for the learner.
ACTIONS: Mapping[str, Kind] = _table(
    Kind("write_files", "copy the lesson's files into the lesson's workspace folder"),
    Kind("edit", "replace the first occurrence of `find` in a file by `replace`",
         (_FILE, Arg("find", "text", "the text to look for (may span lines)"),
          Arg("replace", "text", "what to put in its place"))),
    Kind("move_line", "move the line `line` of a file so that it comes just before `before`",
         (_FILE, Arg("line", "text", "the text of the line to move (surrounding spaces ignored)"),
          Arg("before", "text", "the text of the line to put it before"))),
    Kind("build", "build an image from the workspace, showing each step and whether it was cached",
         (Arg("tag", "text", "the image name to give the result"),
          _opt("dockerfile", "text", "the Dockerfile's path inside the context", "Dockerfile"),
          _opt("context", "text", "the build context, a folder of the workspace", "."))),
    Kind("run", "start detached container(s); with count N > 1 they are named NAME-1 ... NAME-N",
         (_IMAGE, Arg("name", "text", "the container's name"),
          _opt("port", "int", "host port to publish", None),
          _opt("container_port", "int", "the port the app listens on inside", None),
          Arg("count", "int", "how many containers to start", False, 1, minimum=1))),
    Kind("fetch", "request a page from a running container's published port",
         (_CONTAINER, _opt("path", "text", "the URL path", "/"))),
    Kind("logs", "show a container's output", (_CONTAINER,)),
    Kind("list_images", "list the images (the tutor's and the ones they are built on)"),
    Kind("list_containers", "list the running containers with their ports"),
    Kind("history", "show an image's history, one row per Dockerfile step", (_IMAGE,)),
    Kind("exec", "run a command INSIDE a running container (never on the host)",
         (_CONTAINER, Arg("command", "text", "the command, split like a shell would"))),
    Kind("diff", "show what a container changed (A, C, D) and which layer each file came from",
         (_CONTAINER,)),
    Kind("start_registry", "start a local registry from {registry_image} when the `registry` "
         "parameter is empty; afterwards {registry} is its address"),
    Kind("push", "tag `image` as repository:tag and push it, showing pushed and existing layers",
         (_IMAGE, _REPOSITORY, _TAG)),
    Kind("remove_image", "remove one image reference (a tag)", (_IMAGE,)),
    Kind("pull", "pull an image reference from its registry",
         (Arg("reference", "text", "repository:tag to pull"),)),
    Kind("stop", "stop a container", (_CONTAINER,)),
    Kind("clean", "remove every container, image and registry the tutor made for this learner"),
)  # fmt: skip

#: How the tutor decides that a step is done.
CHECKS: Mapping[str, Kind] = _table(
    Kind("files_written", "every listed file is in the lesson's workspace folder",
         (Arg("files", "files", "the files", min_items=1),)),
    Kind("file_contains", "the workspace file contains `text` (which may span lines)",
         (_FILE, Arg("text", "text", "the text to find"))),
    Kind("image_exists", "the image exists (with at least `layers` filesystem layers); with "
         "`dockerfile`, an image built outside the tutor counts only when its history is "
         "that Dockerfile's",
         (_IMAGE, Arg("layers", "int", "fewest layers", False, 0, minimum=0),
          _opt("dockerfile", "file", "the lesson's Dockerfile that makes the image", ""))),
    Kind("image_absent", "no image answers to this reference", (_IMAGE,)),
    Kind("build_cached", "the image was built from this lesson's files after their last "
         "change; the `cached` steps came from the build cache and the `built` steps ran",
         (_IMAGE, Arg("cached", "ints", "Dockerfile step numbers (1 = FROM)", False, (), minimum=1),
          Arg("built", "ints", "Dockerfile step numbers that ran", False, (), minimum=1))),
    Kind("container_running", "a container with this name is running",
         (Arg("name", "text", "the container's name"),)),
    Kind("page_contains", "the container's page contains `text`",
         (_CONTAINER, Arg("text", "text", "the text to find"),
          _opt("path", "text", "the URL path", "/"))),
    Kind("logs_contain", "the container's output contains `text`",
         (_CONTAINER, Arg("text", "text", "the text to find"))),
    Kind("containers_from_image", "at least `count` running containers use the image",
         (_IMAGE, Arg("count", "int", "fewest containers", minimum=1))),
    Kind("images_share", "the images share at least `min_layers` layers (counted above `base`'s "
         "layers when `base` is given)",
         (Arg("images", "texts", "two or more images", min_items=2),
          Arg("min_layers", "int", "fewest shared layers", False, 1, minimum=0),
          _opt("base", "text", "an image whose layers are not counted", None))),
    Kind("image_from", "`base`'s layers are the first layers of `image`",
         (_IMAGE, Arg("base", "text", "the image it should be built on"))),
    Kind("diff_has", "`docker diff` of the container lists `path` with this change",
         (_CONTAINER, Arg("path", "text", "absolute path inside the container"),
          Arg("change", "choice", "A (added), C (changed) or D (deleted)",
              choices=("A", "C", "D")))),
    Kind("registry_ready", "the course's registry answers ({registry}, or the one the tutor "
         "started)"),
    Kind("registry_has", "the registry holds repository:tag", (_REPOSITORY, _TAG)),
    Kind("push_reused", "the registry holds repository:tag and at least `min_existing` of its "
         "layers were already there for another tag (so the push did not send them)",
         (_REPOSITORY, _TAG,
          Arg("min_existing", "int", "fewest reused layers", False, 1, minimum=1))),
    Kind("answered", "the learner answered the step's prediction question"),
    Kind("nothing_left", "no container, image or registry of the learner's namespace remains"),
)  # fmt: skip


def placeholders(text: str) -> list[str]:
    """The parameter names ``text`` uses, in order of appearance, so that each can be checked.

    Args:
        text: Any text with ``{param}``s.

    Returns:
        The names, repeated as often as they appear.
    """
    return PLACEHOLDER.findall(text)


def fill_known(text: str, params: Mapping[str, Value]) -> str:
    """Replace the placeholders that name a parameter; leave any other braces alone.

    Lesson files (a Dockerfile's ``FROM {base_image}``) go through this: they
    may hold code whose braces are not placeholders. Parameters that refer to
    other parameters (``repository = "{registry}/python-hello-world"``) are
    filled in too, a few levels deep.

    Args:
        text: A lesson file's text, or any template.
        params: Parameter values.

    Returns:
        The filled text.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(params[name]) if name in params else match.group(0)

    for _ in range(8):  # a reference chain longer than this is a cycle the loader reports
        filled = PLACEHOLDER.sub(replace, text)
        if filled == text:
            break
        text = filled
    return text
