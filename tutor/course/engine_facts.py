"""Parameters the tutor fills from the learner's own engine, for text that must match it.

Some things a lesson points at differ between engines: the base image's
history shows many ``<missing>`` rows when it was pulled from a registry, and
none when it was made on this machine (the stand-in that ``prepare
--build-local`` imports is one row, with its own ID). A lesson that said
"many rows show ``<missing>``" would then describe a screen the learner does
not have, so the course names these facts as parameters and the tutor fills
them from the engine, like ``{learner}``: never a teacher's value.

* ``{base_missing_rows}``: how many rows of ``docker image history
  {base_image}`` show ``<missing>``;
* ``{base_history_rows}``: how many rows it has.

Until the base image is on the engine they keep the course's value (``?``).
"""

from __future__ import annotations

from collections.abc import Mapping

from tutor.course.model import Value
from tutor.engine import inventory
from tutor.engine.connection import Engine
from tutor.engine.errors import ImageNotFound

BASE_MISSING_ROWS = "base_missing_rows"
BASE_HISTORY_ROWS = "base_history_rows"
#: The parameter that names the image whose history the facts are read from.
BASE_IMAGE = "base_image"


def engine_facts(engine: Engine, params: Mapping[str, Value]) -> dict[str, Value]:
    """The engine-read parameters the course defines, for the values in ``params``.

    Args:
        engine: The learner's engine.
        params: The session's parameters (``base_image`` among them).

    Returns:
        Parameter -> value for each fact the course names and the engine can
        tell now; empty when the course names none or the base is not here yet.

    Raises:
        EngineError: the engine cannot be asked.
    """
    wanted = {BASE_MISSING_ROWS, BASE_HISTORY_ROWS} & set(params)
    base = params.get(BASE_IMAGE)
    if not wanted or not isinstance(base, str) or not base:
        return {}
    try:
        rows = inventory.image_history(engine, base)
    except ImageNotFound:
        return {}
    facts: dict[str, Value] = {
        BASE_MISSING_ROWS: sum(1 for row in rows if row.id == "<missing>"),
        BASE_HISTORY_ROWS: len(rows),
    }
    return {name: value for name, value in facts.items() if name in wanted}
