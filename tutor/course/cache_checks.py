"""The ``build_cached`` check: which steps of the last build came from the build cache.

The build must have been made from this lesson's files: an image the tutor
built in another lesson (its lesson label says which) does not count, and
the build must have started after the last change to the lesson's files (the
newest modification time in the lesson's workspace folder), since the check
asks what that change did to the cache. Then, per Dockerfile step:

1. Built in the tutor: the journal holds the build's own report (``Using
   cache`` or not, step by step); it is used when its image is the image the
   tag names now and the build started after the last change.
2. Built anywhere else: the image history decides. A cached step reuses the
   layer (and step image) an earlier build made, so its ``Created`` time is
   older than the change; a step that ran was made after it. Steps after the
   last ``FROM`` are matched with the newest history rows (the rows of the
   tutor's own ``LABEL`` are skipped); a row's time is read precisely from
   its step image when there is one, else from the history's whole seconds
   (then a row from the same second as the change counts as built). ``FROM``
   always counts as cached: it builds nothing.

The engine's clock is compared with this machine's file times, which is exact
for a local engine and assumes the clocks agree for a remote one.
"""

from __future__ import annotations

import re
from datetime import datetime

from tutor.course.context import Args, CheckResult, Context, Decider
from tutor.course.image_checks import inspect_image
from tutor.course.journal import reference_key
from tutor.course.model import Step
from tutor.course.params import fill_value
from tutor.engine import inventory
from tutor.engine.dockerfile_steps import read_steps
from tutor.engine.inventory import HistoryRow
from tutor.engine.labels import LESSON_LABEL, TOOL_LABEL, is_ours


def _build_cached(ctx: Context, step: Step, args: Args) -> CheckResult:
    image = str(args["image"])
    want_cached, want_built = list(args.get("cached") or ()), list(args.get("built") or ())
    info = inspect_image(ctx, image)
    if info is None:
        return CheckResult(False, f"The image {image} does not exist yet.")
    labels = info.labels
    built_in = labels.get(LESSON_LABEL)
    if built_in and built_in != ctx.lesson.id and is_ours(labels, ctx.namespace):
        return CheckResult(
            False,
            f"{image} was built in the lesson {built_in!r}: build it from this lesson's folder.",
        )
    since = ctx.workspace.last_change(ctx.lesson) or 0.0
    if want_built and created_at(info.created) < since:
        return CheckResult(False, f"{image} was built before your last change: build it again.")
    flags = _journal_flags(ctx, image, info.id, since)
    if flags is None:
        flags = _history_flags(ctx, step, image, info.id, since)
    wrong = [f"step {n} came from the cache" for n in want_built if flags.get(n) is not False]
    wrong += [f"step {n} ran again" for n in want_cached if flags.get(n) is not True]
    return CheckResult.of(not wrong, f"In the last build of {image}, {' and '.join(wrong)}.")


def _journal_flags(ctx: Context, image: str, image_id: str, since: float) -> dict[int, bool] | None:
    record = ctx.journal.builds.get(reference_key(image))
    if record is None or record.image_id != image_id or record.started < since:
        return None
    return {int(s["number"]): bool(s["cached"]) for s in record.steps}


def _history_flags(
    ctx: Context, step: Step, image: str, image_id: str, since: float
) -> dict[int, bool]:
    steps = read_steps(ctx.folder / _dockerfile_of(ctx, step, image))
    last_from = max(s.number for s in steps if s.keyword == "FROM")
    own = [s for s in steps if s.number > last_from]
    rows = inventory.image_history(ctx.engine, image_id)
    while rows and f"LABEL {TOOL_LABEL.rsplit('.', 1)[0]}." in rows[0].created_by:
        rows = rows[1:]  # the tutor's labels, added as steps of their own
    flags = {s.number: True for s in steps if s.number <= last_from}
    for item, row in zip(own, reversed(rows[: len(own)]), strict=False):
        flags[item.number] = _row_time(ctx, row) < since
    return flags


def _row_time(ctx: Context, row: HistoryRow) -> float:
    """When a history row was made, leaning towards "after" when only seconds are known."""
    if row.id != "<missing>":
        facts = inventory.inspect_image(ctx.engine, row.id)
        if facts is not None:
            return created_at(facts.created)
    return float(row.created) + 1.0


def _dockerfile_of(ctx: Context, step: Step, image: str) -> str:
    """The Dockerfile the lesson builds ``image`` from (context/dockerfile of its build)."""
    builds = [s.action for s in ctx.lesson.steps if s.action and s.action.kind == "build"]
    if step.action is not None and step.action.kind == "build":
        builds.insert(0, step.action)
    for action in builds:
        if fill_value(action.args.get("tag"), ctx.params) == image:
            context = str(action.args.get("context") or ".")
            name = str(action.args.get("dockerfile") or "Dockerfile")
            return name if context in (".", "./") else f"{context.rstrip('/')}/{name}"
    return "Dockerfile"


def created_at(text: str) -> float:
    """Epoch seconds of an engine timestamp (``2026-11-28T04:38:07.41775541Z``).

    The engine gives nanoseconds; Python reads at most microseconds, so the
    fraction is cut to six digits before parsing.

    Args:
        text: The engine's ``Created`` value.

    Returns:
        Epoch seconds, or 0.0 when ``text`` is not a timestamp.
    """
    match = _STAMP.match(text.strip())
    if match is None:
        return 0.0
    whole, fraction, zone = match.groups()
    fraction = ((fraction or "") + "000000")[:6]
    zone = "+00:00" if zone in (None, "Z") else zone
    return datetime.fromisoformat(f"{whole}.{fraction}{zone}").timestamp()


_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")

DECIDERS: dict[str, Decider] = {"build_cached": _build_cached}
