"""The labels that mark what the tutor made, so that clean-up removes exactly that.

Every container, image, network and volume the tutor creates carries
``TOOL_LABEL`` plus the learner's namespace and the lesson that made it.
Anything without ``TOOL_LABEL == TOOL_NAME`` is never changed by the tutor,
even when its name is exactly a course name such as ``python-hello-world``.
"""

from __future__ import annotations

import getpass
import os
import re

TOOL_NAME = "layers-tutor"
TOOL_LABEL = "org.layers-tutor.tool"
NAMESPACE_LABEL = "org.layers-tutor.namespace"
LESSON_LABEL = "org.layers-tutor.lesson"

_NAMESPACE_OK = re.compile(r"[^a-z0-9]+")


def default_namespace() -> str:
    """The learner's namespace: ``LAYERS_TUTOR_NAMESPACE``, else the OS user name.

    Returns:
        A lowercase name safe to use inside image and container names.
    """
    raw = os.environ.get("LAYERS_TUTOR_NAMESPACE") or _os_user()
    return sanitize_namespace(raw)


def sanitize_namespace(raw: str) -> str:
    """Fold any string into ``[a-z0-9-]``, the part of a name Docker always accepts.

    Args:
        raw: A user name or a teacher's choice.

    Returns:
        The folded name, ``learner`` if nothing usable is left.
    """
    folded = _NAMESPACE_OK.sub("-", raw.lower()).strip("-")
    return folded[:40] or "learner"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers, odd CI runners)
        return "learner"


def labels_for(namespace: str, lesson: str = "") -> dict[str, str]:
    """The labels to put on anything the tutor creates.

    Args:
        namespace: The learner's namespace.
        lesson: The id of the lesson that creates it ("" when none).

    Returns:
        A fresh label mapping.
    """
    labels = {TOOL_LABEL: TOOL_NAME, NAMESPACE_LABEL: namespace}
    if lesson:
        labels[LESSON_LABEL] = lesson
    return labels


def is_ours(labels: dict[str, str] | None, namespace: str | None = None) -> bool:
    """Whether an object with these labels was made by the tutor (for this namespace).

    Args:
        labels: The object's labels (``None`` when it has none).
        namespace: Only count objects of this namespace; ``None`` for any.

    Returns:
        True when the tutor made it.
    """
    if not labels or labels.get(TOOL_LABEL) != TOOL_NAME:
        return False
    return namespace is None or labels.get(NAMESPACE_LABEL) == namespace


def is_tutor_labels(instruction: str) -> bool:
    """Whether a build step or history row is the ``LABEL`` step the tutor's builds add.

    The engine appends the build's labels as one last ``LABEL`` instruction;
    the learner never wrote it, so the panels say what it is.

    Args:
        instruction: ``LABEL key=value ...`` as the build or the history shows it.

    Returns:
        True when it sets nothing but the tutor's labels.
    """
    words = instruction.split()
    if len(words) < 2 or words[0].upper() != "LABEL":
        return False
    keys = [w.split("=", 1)[0].strip("\"'") for w in words[1:]]
    return all(key.startswith("org.layers-tutor.") for key in keys)


def label_filters(namespace: str | None = None) -> list[str]:
    """Engine-side label filters that select only the tutor's objects."""
    filters = [f"{TOOL_LABEL}={TOOL_NAME}"]
    if namespace is not None:
        filters.append(f"{NAMESPACE_LABEL}={namespace}")
    return filters
