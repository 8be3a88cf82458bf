"""What the tutor's actions and checks share: where they work, and what they answer.

An *action* does a step for the learner (``tutor.course.actions``) and reports
as it goes with the events below; a *check* decides that a step is done
(``tutor.course.checks``) and answers with a :class:`CheckResult`. Both work on
one :class:`Context`: one learner, one lesson, one engine. Keeping these small
types in a module of their own lets every action module and every check
module use them without importing each other.

What a check or an action says to the learner (a result's detail, a
summary, a failure and its hint, a line of its own in the output) is a
:class:`tutor.i18n.Sentence`: English as a string, said again in the
learner's language by the screen. Docker's own output lines are plain strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.course.journal import Journal
from tutor.course.model import Lesson, Step, Value
from tutor.course.workspace import Workspace
from tutor.engine.build_events import BuildEvent
from tutor.engine.connection import Engine
from tutor.engine.push_stream import PushEvent
from tutor.sentence import Sentence

#: An action's or a check's arguments, ``{param}``s already filled in.
Args = Mapping[str, Any]


@dataclass(frozen=True)
class ActionOutput:
    """A line of output, as the docker command would print it."""

    text: str


@dataclass(frozen=True)
class ActionDone:
    """The action succeeded; ``summary`` says what it did in one line."""

    summary: str


@dataclass(frozen=True)
class ActionFailed:
    """The action failed: what happened and what the learner can do about it."""

    message: str
    hint: str = ""


ActionEvent = BuildEvent | PushEvent | ActionOutput | ActionDone | ActionFailed


@dataclass(frozen=True)
class CheckResult:
    """Whether the step is done and, when not, what is still missing.

    Attributes:
        passed: The step is done.
        detail: What the learner still has to do, or what was found.
    """

    passed: bool
    detail: str

    @classmethod
    def of(cls, passed: bool, missing: str, found: str = "") -> CheckResult:
        """A result whose detail depends on the outcome.

        Args:
            passed: Whether the step is done.
            missing: What to tell the learner when it is not.
            found: What to tell them when it is (default: "Done.").

        Returns:
            The result, with the matching detail.
        """
        return cls(passed, (found or Sentence("check.done")) if passed else missing)


@dataclass
class Context:
    """What an action (or a check) works on: one learner, one lesson.

    Attributes:
        engine: The learner's engine.
        lesson: The lesson the step belongs to.
        params: The session's parameters; ``start_registry`` and ``clean``
            change ``registry`` in place.
        workspace: The learner's files.
        namespace: The learner's namespace (labels, names).
        journal: The runner's record.
    """

    engine: Engine
    lesson: Lesson
    params: dict[str, Value]
    workspace: Workspace
    namespace: str
    journal: Journal

    @property
    def folder(self) -> Path:
        """The lesson's workspace folder."""
        return self.workspace.folder(self.lesson.id)


#: A check: decides from the engine (and the journal) whether ``step`` is done.
Decider = Callable[[Context, Step, Args], CheckResult]
