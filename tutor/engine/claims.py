"""Claiming a course name or port on a shared engine before anything is made with it.

Two learners who open the tutor at the same moment on one engine both see
``python-hello-world`` and port 5001 free, and without a claim both would take
them: the second build would move the first learner's tag, the second ``run``
would find the port taken. Looking first and creating later cannot be made
safe; the engine has to decide, once, who was first.

A named volume does that. Creating a volume whose name exists already does not
fail: the engine hands back the existing volume, labels and all, and it does
so under a lock on that name. So each learner creates
``layers-tutor.claim.<kind>.<name>`` with their own labels and reads the
owner off the answer: whoever's labels come back holds the name. A claim is an
empty volume (no image, no disk to speak of), it carries the tutor's labels
like everything the tutor makes, and the learner's clean-up removes it, which
frees the name for others.
"""

from __future__ import annotations

import re

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.labels import is_ours, labels_for

#: Volume names the engine accepts: ``[a-zA-Z0-9][a-zA-Z0-9_.-]*``.
_NOT_IN_VOLUME_NAME = re.compile(r"[^a-zA-Z0-9_.-]")

#: The label that says what a claim volume claims (``image:python-hello-world``).
CLAIM_LABEL = "org.layers-tutor.claim"


def claim_volume_name(kind: str, name: str) -> str:
    """The volume that stands for ``name`` of ``kind`` (``image``, ``container``, ``port``).

    Characters a volume name cannot hold (``/`` and ``:`` of an image
    reference) become ``_``.
    """
    return f"layers-tutor.claim.{kind}.{_NOT_IN_VOLUME_NAME.sub('_', name)}"


def claim(engine: Engine, kind: str, name: str, namespace: str) -> bool:
    """Claim ``name`` for the learner; True when it is theirs (now or already).

    Args:
        engine: The engine the learners share.
        kind: ``image``, ``container`` or ``port``.
        name: The image or container name, or the port number as text.
        namespace: The learner's namespace.

    Returns:
        True when the learner holds the claim; False when another learner
        does, or when a volume of that name exists that the tutor did not make.

    Raises:
        EngineError: the engine cannot be asked.
    """
    labels = {**labels_for(namespace), CLAIM_LABEL: f"{kind}:{name}"}
    with engine_errors(engine.host):
        answer = engine.api.create_volume(claim_volume_name(kind, name), labels=labels)
    held = answer.get("Labels") or {}
    return is_ours(held, namespace)
