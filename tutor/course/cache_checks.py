"""The ``build_cached`` check: which steps of the last build came from the build cache.

The build must have been made from this lesson's files: an image the tutor
built in another lesson (its lesson label says which) does not count, and
the build must have started after the last change to the lesson's files (the
newest modification time in the lesson's workspace folder), since the check
asks what that change did to the cache. Then, per Dockerfile step:

1. Built in the tutor: the journal holds the build's own report (``Using
   cache`` or not, step by step); it is used when its image is the image the
   tag names now and the build started after the last change. Where it
   does not say what the change did (a step a build cut short had already
   made, a metadata step another learner's build made miss on a shared
   engine), :func:`tutor.course.cache_steps.reconcile` corrects it.
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

from tutor.course.cache_steps import created_at, history_flags, reconcile
from tutor.course.context import Args, CheckResult, Context, Decider
from tutor.course.image_checks import inspect_image
from tutor.course.journal import reference_key
from tutor.course.model import Step
from tutor.engine.labels import LESSON_LABEL, is_ours
from tutor.sentence import Sentence


def _build_cached(ctx: Context, step: Step, args: Args) -> CheckResult:
    image = str(args["image"])
    want_cached, want_built = list(args.get("cached") or ()), list(args.get("built") or ())
    info = inspect_image(ctx, image)
    if info is None:
        return CheckResult(False, Sentence("check.image.missing", image=image))
    labels = info.labels
    built_in = labels.get(LESSON_LABEL)
    if built_in and built_in != ctx.lesson.id and is_ours(labels, ctx.namespace):
        return CheckResult(
            False, Sentence("check.cache.other_lesson", image=image, lesson=built_in)
        )
    since = ctx.workspace.last_change(ctx.lesson) or 0.0
    if want_built and created_at(info.created) < since:
        return CheckResult(False, Sentence("check.cache.stale", image=image))
    flags = _journal_flags(ctx, image, info.id, since)
    if flags is None:
        flags = history_flags(ctx, step, image, info.id, since)
    else:
        flags = reconcile(ctx, step, image, info.id, since, flags, want_built, want_cached)
    came = [str(n) for n in want_built if flags.get(n) is not False]
    ran = [str(n) for n in want_cached if flags.get(n) is not True]
    wrong = [
        Sentence(key, image=image, count=len(numbers), numbers=", ".join(numbers))
        for key, numbers in (("check.cache.came", came), ("check.cache.ran", ran))
        if numbers
    ]
    if len(wrong) == 2:
        wrong = [Sentence("check.both", first=wrong[0], second=wrong[1])]
    return CheckResult.of(not wrong, wrong[0] if wrong else "")


def _journal_flags(ctx: Context, image: str, image_id: str, since: float) -> dict[int, bool] | None:
    record = ctx.journal.builds.get(reference_key(image))
    if record is None or record.image_id != image_id or record.started < since:
        return None
    return {int(s["number"]): bool(s["cached"]) for s in record.steps}


__all__ = ["DECIDERS", "created_at"]

DECIDERS: dict[str, Decider] = {"build_cached": _build_cached}
