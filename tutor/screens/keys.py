"""The footer and the help screen in the learner's language.

Textual fixes a key's description once per class (``BINDINGS``). The tutor
keeps those in English, as the code's own names, and translates them where
they are shown, from the catalogs' ``key:`` entries (``tutor/locale``):
:class:`TranslatedKeys` gives a screen's footer the words of the current
lesson language, and the help screen asks :func:`key_words` for
each row. A description without a translation stays as it is.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from textual.binding import ActiveBinding
from textual.screen import Screen

from tutor.i18n import say


def key_words(language: str, description: str) -> str:
    """``description`` (a key's English words) in ``language``, or as it is.

    The catalogs hold them as ``key:<English words>`` (``key:Quit``).
    """
    said = say(language, f"key:{description}")
    return description if said == f"key:{description}" else said


ResultT = TypeVar("ResultT")


class TranslatedKeys(Screen[ResultT]):
    """A screen whose footer speaks the app's ``language`` (see the module docstring).

    The app calls ``refresh_bindings()`` when the language changes, and the
    footer asks for :attr:`active_bindings` again.
    """

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        language = str(getattr(self.app, "language", "en"))
        shown = super().active_bindings
        return {
            key: active._replace(
                binding=dataclasses.replace(
                    active.binding, description=key_words(language, active.binding.description)
                )
            )
            for key, active in shown.items()
        }
