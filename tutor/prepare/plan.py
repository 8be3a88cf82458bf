"""Making each image the course needs present: already here, pulled, loaded, or made here.

The order is the one a teacher would follow by hand: use what the engine
has; pull what a registry gives; and only where neither works, make a
stand-in from this machine's own packages (``--build-local``), which then
becomes the course's parameter in the settings file so every later start
builds FROM it. What happened to each image is reported with how long it
took, and nothing here raises for an image that cannot be had: the report
says why and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tutor.engine.connection import Engine
from tutor.engine.errors import EngineError
from tutor.engine.images import OnTransfer, present, pull, pullable
from tutor.prepare import stand_ins
from tutor.prepare.needs import NeededImage
from tutor.sentence import Sentence

#: What happened to an image (``Outcome.state``).
PRESENT, PULLED, MADE, MISSING = "present", "pulled", "made", "missing"

#: Which stand-in takes the place of an image in each role.
STAND_INS = {"base": stand_ins.PYTHON_STAND_IN, "registry": stand_ins.REGISTRY_STAND_IN}


@dataclass(frozen=True)
class Outcome:
    """What ``prepare`` did for one image.

    Attributes:
        needed: The image the course needs.
        state: :data:`PRESENT`, :data:`PULLED`, :data:`MADE` or :data:`MISSING`.
        image: The image the course will use (a stand-in's name when one was made).
        detail: Why it is missing, or what was done.
        hint: What to do when it is missing.
        seconds: How long it took.
    """

    needed: NeededImage
    state: str
    image: str
    detail: str = ""
    hint: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    """Everything ``prepare`` did, for the command line and the app.

    Attributes:
        outcomes: One per needed image, in course order.
        settings: Parameters to write into the settings file (stand-ins made).
        loaded: Images loaded from an archive.
        seconds: The whole run.
    """

    outcomes: list[Outcome] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    loaded: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ready(self) -> bool:
        """Whether every image the course needs is now there."""
        return all(o.state != MISSING for o in self.outcomes)

    @property
    def missing(self) -> list[Outcome]:
        """The images still missing."""
        return [o for o in self.outcomes if o.state == MISSING]


Say = Callable[[str], None]


def readiness(engine: Engine, needed: Sequence[NeededImage]) -> list[Outcome]:
    """Which needed images are missing and cannot be pulled, asking without pulling.

    The app asks this once connected, to offer ``prepare`` before a lesson's
    build fails on a missing base image.

    Returns:
        An outcome per image that is neither present nor pullable.
    """
    missing = []
    for item in needed:
        if present(engine, item.image):
            continue
        ok, why = pullable(engine, item.image)
        if not ok:
            missing.append(
                Outcome(item, MISSING, item.image, Sentence("prepare.not_pullable", why=why))
            )
    return missing


def prepare(
    engine: Engine,
    needed: Sequence[NeededImage],
    *,
    build_local: bool = False,
    say: Say = lambda _: None,
    on_transfer: OnTransfer | None = None,
) -> Report:
    """Make every needed image present, or say why one cannot be.

    Args:
        engine: The engine.
        needed: What the course needs (``tutor.prepare.needs.images_needed``).
        build_local: Make stand-ins for what can be neither found nor pulled.
        say: Told each stage in a few words.
        on_transfer: Told the bytes of each pull as they move.

    Returns:
        The report; ``report.settings`` holds the parameters the caller
        should save (``tutor.settings.update``).
    """
    report = Report()
    started = time.monotonic()
    for item in needed:
        began = time.monotonic()
        outcome = _one(engine, item, build_local, say, on_transfer)
        report.outcomes.append(_timed(outcome, time.monotonic() - began))
        if outcome.state == MADE or (outcome.image != item.image and outcome.state == PRESENT):
            report.settings[item.param] = outcome.image
    report.seconds = time.monotonic() - started
    return report


def _timed(outcome: Outcome, seconds: float) -> Outcome:
    return Outcome(
        outcome.needed, outcome.state, outcome.image, outcome.detail, outcome.hint, seconds
    )


def _one(
    engine: Engine,
    item: NeededImage,
    build_local: bool,
    say: Say,
    on_transfer: OnTransfer | None,
) -> Outcome:
    if present(engine, item.image):
        return Outcome(item, PRESENT, item.image, "already on the engine")
    ok, why = pullable(engine, item.image)
    if ok:
        say(f"pulling {item.image}")
        try:
            pull(engine, item.image, on_transfer)
            return Outcome(item, PULLED, item.image, "pulled from its registry")
        except EngineError as exc:
            why = str(exc)
    stand_in = STAND_INS.get(item.role)
    if not build_local or stand_in is None or not item.param:
        hint = (
            Sentence("prepare.build_local")
            if stand_in and item.param
            else Sentence("prepare.load", image=item.image)
        )
        absent = Sentence("prepare.absent", why=why)
        return Outcome(item, MISSING, item.image, absent, hint)
    make = stand_ins.ensure_python_base if item.role == "base" else stand_ins.ensure_registry
    try:
        made = make(engine, stand_in, None, say)
    except (RuntimeError, OSError, EngineError) as exc:
        return Outcome(
            item, MISSING, item.image, Sentence("prepare.no_stand_in", why=_reason(exc)),
            Sentence("prepare.load_archive"),
        )  # fmt: skip
    state = MADE if made else PRESENT
    detail = f"stand-in {stand_in} {'made here' if made else 'already here'}"
    return Outcome(item, state, stand_in, detail)


def _reason(exc: BaseException) -> str:
    stderr = getattr(exc, "stderr", None)
    if isinstance(stderr, bytes) and stderr.strip():
        return stderr.decode(errors="replace").strip().splitlines()[-1]
    return str(exc)
