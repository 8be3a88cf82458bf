"""One line of the doctor's report, shared by ``tutor/doctor.py`` (is everything there?)
and ``tutor/doctor_engine.py`` (what this kind of engine changes), so neither imports
the other's module for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report.

    Attributes:
        check: What was checked ("engine", "base image"...).
        ok: Whether it is fine.
        detail: What was found.
        hint: What to do when it is not fine.
        required: Whether the course cannot work without it.
    """

    check: str
    ok: bool
    detail: str
    hint: str = ""
    required: bool = True

    def as_json(self) -> dict[str, object]:
        """The finding as a JSON object (keys documented in the README)."""
        return {
            "check": self.check,
            "ok": self.ok,
            "detail": self.detail,
            "hint": self.hint,
            "required": self.required,
        }
