"""Checks on the learner's images: they exist, they are gone, they share layers.

Layers are compared by their content IDs (``RootFS.Layers``, the *diff IDs*),
the way the engine itself decides that two images share a layer: the same ID
at the same place in two stacks is one layer stored once. The image's name
only says where to look; a learner who builds in a terminal passes the same
checks as one the tutor built for.
"""

from __future__ import annotations

from collections.abc import Mapping

from tutor.course.context import Args, CheckResult, Context, Decider
from tutor.course.model import Step
from tutor.engine import inventory
from tutor.engine.inventory import ImageFacts
from tutor.engine.labels import is_ours
from tutor.sentence import Sentence


def inspect_image(ctx: Context, image: str) -> ImageFacts | None:
    """The engine's description of ``image``, or None when there is no such image.

    Args:
        ctx: Who and where.
        image: An image reference or ID.

    Returns:
        The image's facts, or None.

    Raises:
        EngineError: the engine cannot be asked.
    """
    return inventory.inspect_image(ctx.engine, image)


def another_learners(labels: Mapping[str, str] | None, namespace: str) -> bool:
    """Whether the tutor made this object for another learner on a shared engine.

    Such an object never passes this learner's step. An object without the
    tutor's labels does: that is the learner's own, made in a terminal.
    """
    return is_ours(dict(labels or {})) and not is_ours(dict(labels or {}), namespace)


def _image_exists(ctx: Context, step: Step, args: Args) -> CheckResult:
    """The image exists (not another learner's), with at least ``layers`` filesystem layers."""
    image, fewest = str(args["image"]), int(args.get("layers") or 0)
    info = inspect_image(ctx, image)
    if info is None:
        return CheckResult(False, Sentence("check.image.missing", image=image))
    if another_learners(info.labels, ctx.namespace):
        return CheckResult(False, Sentence("check.image.others", image=image))
    count = len(info.layers)
    few = Sentence("check.image.layers", image=image, count=count, fewest=fewest)
    return CheckResult.of(count >= fewest, few)


def _image_absent(ctx: Context, step: Step, args: Args) -> CheckResult:
    """No image answers to the reference (after ``docker image rm``)."""
    image = str(args["image"])
    there = Sentence("check.image.there", image=image)
    return CheckResult.of(inspect_image(ctx, image) is None, there)


def _images_share(ctx: Context, step: Step, args: Args) -> CheckResult:
    """The images share at least ``min_layers`` layers, counted above ``base``'s when given."""
    names = [str(i) for i in args["images"]]
    fewest, base = int(args.get("min_layers") or 0), args.get("base")
    stacks = []
    for name in [*names, *([str(base)] if base else [])]:
        info = inspect_image(ctx, name)
        if info is None:
            return CheckResult(False, Sentence("check.image.missing", image=name))
        stacks.append(list(info.layers))
    common = _common_prefix(stacks[: len(names)])
    above = common - (len(stacks[-1]) if base else 0)
    key = "check.image.share_above" if base else "check.image.share"
    images, last = ", ".join(names[:-1]), names[-1]
    shared = Sentence(key, images=images, last=last, count=max(above, 0), base=base or "")
    return CheckResult.of(above >= fewest, shared)


def _common_prefix(stacks: list[list[str]]) -> int:
    count = 0
    for layers in zip(*stacks, strict=False):
        if len(set(layers)) != 1:
            break
        count += 1
    return count


def _image_from(ctx: Context, step: Step, args: Args) -> CheckResult:
    """``base``'s layers are the first layers of ``image`` (it was built ``FROM`` it)."""
    image, base = str(args["image"]), str(args["base"])
    mine, theirs = inspect_image(ctx, image), inspect_image(ctx, base)
    if mine is None or theirs is None:
        absent = base if theirs is None else image
        return CheckResult(False, Sentence("check.image.absent", image=absent))
    ours, below = list(mine.layers), list(theirs.layers)
    not_on = Sentence("check.image.not_from", image=image, base=base)
    return CheckResult.of(ours[: len(below)] == below, not_on)


DECIDERS: dict[str, Decider] = {
    "image_exists": _image_exists,
    "image_absent": _image_absent,
    "images_share": _images_share,
    "image_from": _image_from,
}
