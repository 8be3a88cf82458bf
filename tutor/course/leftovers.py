"""Forgetting the step images the learner's builds left behind.

A build that fails or is stopped leaves step images with no tag and no labels
(the tutor's labels are the build's very last step), so a label-based clean-up
cannot see them. The build action writes their ids into the journal as each
step finishes; :func:`forget_step_images` hands that record to
:func:`tutor.engine.cleanup.forget_intermediates` and keeps in the journal
only the ids the engine still holds (say, because another image was built on
top of one), so a later clean-up can try again.
"""

from __future__ import annotations

from tutor.course.journal import Journal
from tutor.engine.build_leftovers import forget_intermediates, still_present
from tutor.engine.connection import Engine


def forget_step_images(engine: Engine, journal: Journal, namespace: str | None) -> list[str]:
    """Remove the recorded step images nothing needs any more.

    Args:
        engine: The engine.
        journal: The learner's journal, with its ``step_images``.
        namespace: The learner's namespace (None: any learner's, for ``clean --all``).

    Returns:
        The full ids of the images removed.

    Raises:
        EngineError: the engine went away (the record is then left as it was).
    """
    recorded = list(journal.step_images)
    if not recorded:
        return []
    removed = forget_intermediates(engine, recorded, namespace=namespace)
    remaining = set(still_present(engine, recorded))
    journal.forget_step_images(i for i in recorded if i not in remaining)
    return removed
