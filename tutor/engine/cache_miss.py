"""Why the classic builder rebuilt a step instead of taking it from the cache.

The classic builder reuses a step when some local image has the step's
parent as its parent and the same instruction (``CreatedBy``, in which a
``COPY``/``ADD`` names the hash of the files it copies, and a ``RUN`` lists
the build arguments in force). So the first rebuilt step of a stage can be
explained by comparing it with what the image the tag named before the
build did on the same parent; every later step of the stage is rebuilt
because its parent is new.

When that image cannot answer (a new tag, or a parent it does not contain:
lesson 5's last build, whose cached steps come from an older build, or
lesson 9's base, the first image with its tutor labels on that layer), the
engine's own cache can: :func:`miss_reason_from_cache` compares the step
with the instructions of the step images already built on the same parent,
which are exactly what the builder looked for a match in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from tutor.engine.history_rows import split_build_args, without_content

EARLIER_STEP_REBUILT = "an earlier step was rebuilt, so every later step is rebuilt too"
INSTRUCTION_CHANGED = "the instruction changed"
FILE_CHANGED = "a file copied by COPY/ADD changed"
BUILD_ARG_CHANGED = "a build argument (ARG) has a new value"
BASE_CHANGED = "the base image (FROM) is not the one the last build used"
NEW_AFTER_PARENT = "no earlier build ran this instruction right after the step before it"


class PreviousStep(NamedTuple):
    """One history row of the image the tag named before the build.

    Attributes:
        image_id: The row's image id (``sha256:...``), ``None`` for ``<missing>``.
        created_by: The row's ``CreatedBy``.
    """

    image_id: str | None
    created_by: str


def miss_reason(
    *,
    keyword: str,
    earlier_rebuilt: bool,
    final_stage: bool,
    parent_id: str | None,
    parent_is_base: bool,
    created_by: str | None,
    previous: Sequence[PreviousStep],
) -> str | None:
    """Explain one cache miss, or return ``None`` when the reason cannot be known.

    Args:
        keyword: The step's instruction keyword (``RUN``, ``COPY``...).
        earlier_rebuilt: A step before it in the same stage was rebuilt.
        final_stage: The step is in the stage that makes the tagged image
            (only that stage can be compared with the tag's previous image).
        parent_id: The image the step was built on (short or full id).
        parent_is_base: That parent is the stage's ``FROM`` image.
        created_by: The new step image's ``CreatedBy``, when known.
        previous: History of the tag's previous image, oldest first.

    Returns:
        One of the module's reason sentences, or ``None``.
    """
    if earlier_rebuilt:
        return EARLIER_STEP_REBUILT
    if not final_stage or not previous or not parent_id:
        return None
    place = _row_of(previous, parent_id)
    if place is None:
        return BASE_CHANGED if parent_is_base else None
    if place + 1 >= len(previous):
        return INSTRUCTION_CHANGED  # the last build stopped here: this step is new
    before = previous[place + 1]
    if before.image_id is None or created_by is None:
        return None
    if created_by.strip() == before.created_by.strip():
        return None  # same instruction on the same parent: the cache entry was removed
    if keyword in {"COPY", "ADD"} and without_content(created_by) == without_content(
        before.created_by
    ):
        return FILE_CHANGED
    new_args, new_command = split_build_args(created_by)
    old_args, old_command = split_build_args(before.created_by)
    if new_command.strip() == old_command.strip() and new_args != old_args:
        return BUILD_ARG_CHANGED
    return INSTRUCTION_CHANGED


def miss_reason_from_cache(
    *, keyword: str, created_by: str | None, cached: Sequence[str]
) -> str | None:
    """Explain a first miss from the step images already built on the same parent.

    Args:
        keyword: The step's instruction keyword (``RUN``, ``COPY``...).
        created_by: The new step image's ``CreatedBy``.
        cached: The ``CreatedBy`` of every other image whose parent is the
            step's parent (the builder's cache entries for that point).

    Returns:
        One of the module's reason sentences, or ``None`` when the step's own
        instruction is among them (the builder then matched on something the
        history does not show).
    """
    if created_by is None:
        return None
    mine = created_by.strip()
    if any(other.strip() == mine for other in cached):
        return None
    if keyword in {"COPY", "ADD"} and any(
        without_content(other) == without_content(created_by) for other in cached
    ):
        return FILE_CHANGED
    new_args, new_command = split_build_args(created_by)
    for other in cached:
        old_args, old_command = split_build_args(other)
        if old_command.strip() == new_command.strip() and old_args != new_args:
            return BUILD_ARG_CHANGED
    return NEW_AFTER_PARENT


def _row_of(previous: Sequence[PreviousStep], image_id: str) -> int | None:
    short = image_id.removeprefix("sha256:")
    for index in range(len(previous) - 1, -1, -1):
        full = previous[index].image_id
        if full and full.removeprefix("sha256:").startswith(short):
            return index
    return None
