"""``image_exists`` with ``dockerfile``: a hand-built image counts only when it is the lesson's.

The image's name only says where to look, and an image the learner built in
a terminal carries no tutor label; so without more, any image given the
course's name (built from something unrelated) would pass lesson 2's build
step, and the panels would show it as the learner's. Where a step names the
Dockerfile that makes the image, an image without this learner's tutor
labels counts only when its history is that Dockerfile's, the learner's own
workspace copy: the ``FROM`` image's rows, then one row per instruction (see
:mod:`tutor.engine.history_match`). Otherwise the check says where it differs.
"""

from __future__ import annotations

from tutor.course import image_checks
from tutor.course.context import Args, CheckResult, Context, Decider
from tutor.course.model import Step
from tutor.engine import inventory
from tutor.engine.dockerfile_steps import read_steps
from tutor.engine.errors import ImageNotFound
from tutor.engine.history_match import Row, base_of, first_mismatch
from tutor.engine.labels import is_ours
from tutor.sentence import Sentence


def _image_exists(ctx: Context, step: Step, args: Args) -> CheckResult:
    """The plain ``image_exists``, then, with ``dockerfile``, the history of a hand-built image."""
    result = image_checks.DECIDERS["image_exists"](ctx, step, args)
    dockerfile = str(args.get("dockerfile") or "")
    if not result.passed or not dockerfile:
        return result
    image = str(args["image"])
    info = image_checks.inspect_image(ctx, image)
    if info is None or is_ours(dict(info.labels or {}), ctx.namespace):
        return result  # the tutor built it from this workspace
    why = not_built_from(ctx, image, info.id, dockerfile)
    return CheckResult(False, why) if why else result


def not_built_from(ctx: Context, image: str, image_id: str, dockerfile: str) -> str:
    """Why the image's history is not the workspace Dockerfile's ("" when it is).

    Args:
        ctx: Who and where (the Dockerfile is read from the lesson's folder).
        image: The image's name, for the message.
        image_id: The image to read the history of.
        dockerfile: The Dockerfile's name in the lesson's folder.

    Returns:
        The reason, in the catalogs' words (``check.image.*``), or "".
    """
    steps = read_steps(ctx.folder / dockerfile)
    base = base_of(steps)
    rows = [Row(r.created_by, r.comment) for r in inventory.image_history(ctx.engine, image_id)]
    try:
        base_rows = [
            Row(r.created_by, r.comment) for r in inventory.image_history(ctx.engine, base)
        ]
    except ImageNotFound:
        base_rows = None
    found = first_mismatch(steps, rows, base_rows)
    if found is None:
        return ""
    # A Sentence: English here, said again in the learner's language on screen.
    words = {"image": image, "dockerfile": dockerfile, "base": base}
    if found.base:
        return Sentence("check.image.other_base", **words)
    if found.number is None:
        return Sentence("check.image.more_steps", found=found.found, **words)
    if not found.found:
        return Sentence("check.image.fewer_steps", number=found.number,
                   expected=found.expected, **words)  # fmt: skip
    return Sentence("check.image.other_step", number=found.number, expected=found.expected,
               found=found.found, **words)  # fmt: skip


DECIDERS: dict[str, Decider] = {"image_exists": _image_exists}
