"""A build's steps read against the learner's last change, not only the engine's ``Using cache``.

The ``build_cached`` check asks what the learner's last change did to the
build cache. A build in the tutor reports step by step whether the engine
took the step from the cache, and that is what the check reads first. In two
cases, though, the engine's report is not what the change did, and a check
that held it against the learner would refuse a step done right:

* **A step the change made, taken "from the cache".** A build cut short (the
  tutor killed, the build stopped) leaves the step images it already made for
  this very change, and after a kill the engine even finishes the build its
  client left. Doing the step again then finds them all in the cache, and a
  step that wants them built could never pass. A step image made after the
  last change was made because of it: the step counts as built, as it already
  does for a build made outside the tutor (decided from the image history).
* **A step that makes no layer, rebuilt right after a step from the cache.**
  For a cached step the classic builder takes the *newest* image with the
  same parent and instruction. On an engine a classroom shares, that can be
  another learner's, committed a moment ago by a build that has not yet
  committed its next step (or was cut before it); the next step then misses
  the cache although nothing the learner did touched it. A ``CMD``, ``ENV``
  or other metadata step (no layer, nothing to pay) rebuilt right after a
  cached step, with the very instruction an earlier image of the same tag
  had, counts as from the cache. Steps that make a layer (``RUN``, ``COPY``,
  ``ADD``) are never excused: their cost is what the lessons teach.

Both are proved against a real engine in ``tests/reliability/test_cut_build_resume.py``
and ``tests/reliability/test_shared_cache.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from tutor.course.context import Context
from tutor.course.journal import reference_key
from tutor.course.model import Step
from tutor.course.params import fill_value
from tutor.engine import inventory
from tutor.engine.dockerfile_steps import read_steps
from tutor.engine.errors import EngineError
from tutor.engine.inventory import HistoryRow
from tutor.engine.labels import TOOL_LABEL

#: Instructions that add a layer; every other one only changes the image's settings.
LAYER_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})


def step_rows(
    ctx: Context, step: Step, image: str, image_id: str
) -> tuple[dict[int, bool], dict[int, tuple[str, HistoryRow]]]:
    """The image history row of each Dockerfile step after the last ``FROM``.

    Steps are matched with the newest history rows (the rows of the tutor's
    own ``LABEL`` steps are skipped).

    Args:
        ctx: Who and where.
        step: The step being checked (its build action names the Dockerfile).
        image: The image reference the check is about.
        image_id: Its id now.

    Returns:
        The steps up to the last ``FROM`` (always "cached": they build
        nothing), and ``number -> (keyword, row)`` for the steps after it.
    """
    steps = read_steps(ctx.folder / _dockerfile_of(ctx, step, image))
    last_from = max(s.number for s in steps if s.keyword == "FROM")
    own = [s for s in steps if s.number > last_from]
    rows = inventory.image_history(ctx.engine, image_id)
    while rows and f"LABEL {TOOL_LABEL.rsplit('.', 1)[0]}." in rows[0].created_by:
        rows = rows[1:]  # the tutor's labels, added as steps of their own
    before = {s.number: True for s in steps if s.number <= last_from}
    matched = zip(own, reversed(rows[: len(own)]), strict=False)
    return before, {item.number: (item.keyword, row) for item, row in matched}


def history_flags(
    ctx: Context, step: Step, image: str, image_id: str, since: float
) -> dict[int, bool]:
    """Per step, whether it came from the cache, read from the image history alone.

    A cached step reuses the step image an earlier build made, so it is older
    than the last change (``since``); a step that ran was made after it.
    """
    flags, rows = step_rows(ctx, step, image, image_id)
    for number, (_, row) in rows.items():
        flags[number] = row_time(ctx, row) < since
    return flags


def reconcile(
    ctx: Context,
    step: Step,
    image: str,
    image_id: str,
    since: float,
    reported: dict[int, bool],
    want_built: Iterable[int],
    want_cached: Iterable[int],
) -> dict[int, bool]:
    """The build's own report, corrected where it does not say what the change did.

    Only steps the check wants otherwise are looked at again (see the module
    docstring for the two cases), so the history is read only then.

    Args:
        ctx: Who and where.
        step: The step being checked.
        image: The image reference the check is about.
        image_id: Its id now (the build's image).
        since: When the lesson's files last changed (epoch seconds).
        reported: ``number -> cached`` from the build's report.
        want_built: Steps the check wants rebuilt.
        want_cached: Steps the check wants from the cache.

    Returns:
        ``number -> cached``, as the check should judge it.
    """
    doubtful_built = [n for n in want_built if reported.get(n) is True]
    doubtful_cached = [n for n in want_cached if reported.get(n) is False]
    if not doubtful_built and not doubtful_cached:
        return reported
    flags = dict(reported)
    try:
        _, rows = step_rows(ctx, step, image, image_id)
    except EngineError:
        return reported
    for number in doubtful_built:
        if number in rows and row_time(ctx, rows[number][1]) >= since:
            flags[number] = False  # made after the change, by a build cut short
    earlier: set[str] | None = None
    for number in sorted(doubtful_cached):
        keyword, row = rows.get(number, ("", None))
        if row is None or keyword in LAYER_KEYWORDS or flags.get(number - 1) is not True:
            continue
        if earlier is None:
            earlier = _earlier_instructions(ctx, image, image_id)
        if row.created_by.strip() in earlier:
            flags[number] = True  # the engine took another build's image for the step before
    return flags


def _earlier_instructions(ctx: Context, image: str, image_id: str) -> set[str]:
    """The history commands of the images the tag named before this one."""
    found: set[str] = set()
    for seen in ctx.journal.images_seen.get(reference_key(image), []):
        if seen == image_id:
            continue
        try:
            found |= {row.created_by.strip() for row in inventory.image_history(ctx.engine, seen)}
        except EngineError:
            continue  # removed since: it tells nothing
    return found


def row_time(ctx: Context, row: HistoryRow) -> float:
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
