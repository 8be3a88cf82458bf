"""The runner's small per-learner record of what happened in the tutor.

The engine knows which images exist, but not everything a lesson asks about:
it does not remember which steps of a build came from the cache, how many
layers a push sent, or what the learner predicted. The runner writes those
facts here as they happen, and the checks read them back.

The journal is one JSON file, written atomically (a temporary file in the same
folder, then ``os.replace``) next to the learner's progress file. Format
(``format`` is bumped on incompatible changes)::

    {
      "format": 1,
      "builds": {                      # the last build of each tag
        "python-hello-world:latest": {
          "image_id": "sha256:...",
          "lesson": "first-build",
          "started": 1764300000.5,     # epoch seconds
          "finished": 1764300004.1,
          "steps": [{"number": 1, "instruction": "FROM python:3.8-alpine",
                     "cached": true}, ...]
        }
      },
      "images_seen": {"python-hello-world:latest": ["sha256:...", ...]},
      "pushes": {                      # the last push to each repository
        "localhost:5000/python-hello-world": {
          "reference": "localhost:5000/python-hello-world:latest",
          "digest": "sha256:...", "pushed": 3, "existing": 2, "mounted": 0,
          "finished": 1764300100.0
        }
      },
      "answers": {"first-build/predict-cache": 1},   # "<lesson>/<step>": choice
      "params": {"image": "python-hello-world"},     # names chosen earlier
      "step_images": ["3f2a9c1b7e44", ...]           # step images the builds made
    }

``step_images`` holds the short id of every step image a build in the tutor
made (a step that missed the cache), written as each step finishes. Those
images carry no labels (the labels are a build's last step), so after a build
that failed or was stopped this list is the only thing that says they are the
learner's; the clean-up hands it to ``cleanup.forget_intermediates``. An older
journal without the key reads as an empty list.

The records themselves, and the atomic write, are in ``tutor.course.records``.
A journal that cannot be read is moved aside to ``<name>.corrupt-<time>`` and a
fresh one starts: the learner loses notes, never the session.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.course.records import BuildRecord, PushRecord, reference_key
from tutor.sentence import Sentence
from tutor.user_files import Damage, read_text, set_aside, write_atomic

__all__ = ["FORMAT", "BuildRecord", "Journal", "PushRecord", "reference_key"]

FORMAT = 1


@dataclass
class Journal:
    """The record itself; :meth:`load` and :meth:`save` keep it on disk.

    Attributes:
        path: Where it is saved (``None``: kept in memory only).
        builds: Last build per tag.
        images_seen: Image ids seen per tag, oldest first.
        pushes: Last push per repository.
        answers: The learner's prediction per ``lesson/step``.
        params: Names chosen in earlier sessions, so they stay stable.
        step_images: Short ids of the step images the tutor's builds made.
        notes: What happened while loading (e.g. a corrupt file moved aside).
        damage: Why the file on disk could not be used, and where it was kept.
    """

    path: Path | None = None
    builds: dict[str, BuildRecord] = field(default_factory=dict)
    images_seen: dict[str, list[str]] = field(default_factory=dict)
    pushes: dict[str, PushRecord] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    step_images: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    damage: Damage | None = None
    # Checks run in one worker thread while an action records in another.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Journal:
        """Read the journal at ``path``; a missing file gives an empty journal.

        Whatever is in its place (bytes that are not UTF-8, JSON of another
        shape, a folder, a symlink loop...) gives an empty journal too: the
        file is set aside as ``<name>.corrupt-<time>`` (see
        :mod:`tutor.user_files`) and :attr:`damage` says why, so the app can
        tell the learner in their language. Never raises.

        Args:
            path: The journal file (need not exist yet).

        Returns:
            The journal, empty when the file was missing or damaged.
        """
        journal = cls(path=path)
        read = read_text(path)
        if read.missing:
            return journal
        reason, detail = read.reason, read.detail
        if read.text is not None:
            try:
                journal._fill(json.loads(read.text))
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
                reason, detail = "wrong-content", str(exc)[:200]
            else:
                return journal
        fresh = cls(path=path)
        fresh.damage = set_aside(path, reason or "wrong-content", detail)
        kept = fresh.damage.backup
        where = f"; it was kept as {kept.name}" if kept else ""
        fresh.notes.append(f"The journal {path} was damaged ({reason}: {detail}){where}.")
        return fresh

    def _fill(self, data: Any) -> None:
        """Take the records from the parsed JSON, refusing any value of the wrong type.

        A field of the wrong type would otherwise surface later, in a check, as
        a traceback far from its cause.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a journal of this format")
        builds = _table(data, "builds", dict)
        self.builds = {k: _record(BuildRecord, v, _BUILD_TYPES) for k, v in builds.items()}
        self.images_seen = {k: _strings(v) for k, v in _table(data, "images_seen", list).items()}
        pushes = _table(data, "pushes", dict)
        self.pushes = {k: _record(PushRecord, v, _PUSH_TYPES) for k, v in pushes.items()}
        self.answers = dict(_table(data, "answers", int))
        if any(isinstance(v, bool) for v in self.answers.values()):
            raise TypeError("answers must be whole numbers")
        params = _table(data, "params", (str, int))
        self.params = dict(params)
        self.step_images = _strings(data.get("step_images", []))

    def to_json(self) -> dict[str, Any]:
        """The journal as the JSON document described in the module docstring."""
        return {
            "format": FORMAT,
            "builds": {k: vars(v) for k, v in self.builds.items()},
            "images_seen": self.images_seen,
            "pushes": {k: vars(v) for k, v in self.pushes.items()},
            "answers": self.answers,
            "params": self.params,
            "step_images": self.step_images,
        }

    def save(self) -> bool:
        """Write the journal atomically; a journal without a path is not written.

        Returns:
            False when the file could not be written; the journal then lives on
            in memory and a note says why (a full disk must not end a lesson).
        """
        if self.path is None:
            return True
        try:
            with self._lock:
                text = json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"
                write_atomic(self.path, text)
        except OSError as exc:
            self.notes.append(Sentence("journal.not_saved", path=self.path, why=str(exc)))
            return False
        return True

    def record_build(self, tag: str, record: BuildRecord) -> None:
        """Remember the last build of ``tag`` and the image it made, then save."""
        with self._lock:
            self.builds[tag] = record
            self.saw_image(tag, record.image_id, save=False)
        self.save()

    def saw_image(self, tag: str, image_id: str, *, save: bool = True) -> None:
        """Remember that ``tag`` pointed at ``image_id`` (to tell rebuilds apart)."""
        with self._lock:
            seen = self.images_seen.setdefault(tag, [])
            if image_id and (not seen or seen[-1] != image_id):
                seen.append(image_id)
                del seen[:-20]  # the last few are all a lesson ever compares
        if save:
            self.save()

    def record_step_images(self, image_ids: Iterable[str]) -> None:
        """Remember step images a build made, at once, so a crash cannot lose them."""
        with self._lock:
            known = set(self.step_images)
            fresh = [i for i in dict.fromkeys(image_ids) if i and i not in known]
            if not fresh:
                return
            self.step_images.extend(fresh)
        self.save()

    def forget_step_images(self, image_ids: Iterable[str]) -> None:
        """Drop ids the clean-up has dealt with (removed, or gone already)."""
        gone = set(image_ids)
        with self._lock:
            self.step_images = [i for i in self.step_images if i not in gone]
        self.save()

    def record_push(self, repository: str, record: PushRecord) -> None:
        """Remember the last push to ``repository``, then save."""
        with self._lock:
            self.pushes[repository] = record
        self.save()

    def record_answer(self, lesson: str, step: str, choice: int) -> None:
        """Remember the learner's prediction for a step, then save."""
        with self._lock:
            self.answers[f"{lesson}/{step}"] = choice
        self.save()

    def answer(self, lesson: str, step: str) -> int | None:
        """The learner's prediction for a step, or None when not answered yet."""
        return self.answers.get(f"{lesson}/{step}")


_NUMBER = (int, float)
_BUILD_TYPES: dict[str, Any] = {
    "image_id": str,
    "lesson": str,
    "started": _NUMBER,
    "finished": _NUMBER,
    "steps": list,
}
_PUSH_TYPES: dict[str, Any] = {
    "reference": str,
    "digest": str,
    "pushed": int,
    "existing": int,
    "mounted": int,
    "finished": _NUMBER,
}


def _table(data: dict[str, Any], key: str, kind: Any) -> dict[str, Any]:
    """``data[key]``: an object whose values are all of ``kind`` (missing: empty)."""
    table = data.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, kind) for v in table.values()):
        raise TypeError(f"{key} is not an object of the expected values")
    return table


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return list(value)


def _record(kind: Any, value: dict[str, Any], types: dict[str, Any]) -> Any:
    """A record made from ``value``, whose fields must all be known and of their type."""
    for name, wanted in types.items():
        if name in value and (not isinstance(value[name], wanted) or isinstance(value[name], bool)):
            raise TypeError(f"{name} has the wrong type")
    if kind is BuildRecord and not all(_build_step(s) for s in value.get("steps", [])):
        raise TypeError("build steps must be {number, instruction, cached} objects")
    return kind(**value)  # unknown or missing fields: TypeError


def _build_step(step: Any) -> bool:
    """A build step as the cache checks read it: a whole number and a true/false."""
    return (
        isinstance(step, dict)
        and isinstance(step.get("number"), int)
        and not isinstance(step.get("number"), bool)
        and isinstance(step.get("cached"), bool)
        and isinstance(step.get("instruction", ""), str)
    )
