"""A banner that says which images the course needs are missing, and offers to prepare them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widgets import Static

from tutor.i18n import say

if TYPE_CHECKING:  # its module reaches docker-py; the course screen is drawn before that
    from tutor.prepare.plan import Outcome


class ImagesBanner(Static):
    """Shown while an image the course builds FROM (or starts) is neither here nor pullable.

    Without it, the first a learner on an offline lab machine would hear of
    it is lesson 2's build failing with a DNS error. The warning colour marks
    the left edge only, so the words stay readable on 16-colour terminals.
    """

    DEFAULT_CSS = """
    ImagesBanner {
        display: none;
        height: auto;
        border-left: thick $warning;
        padding: 0 1;
        &.-shown { display: block; }
    }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.language = language
        self.missing: tuple[Outcome, ...] = ()

    def show_missing(self, missing: Sequence[Outcome]) -> None:
        """Show the missing images (hide the banner when there are none)."""
        self.missing = tuple(missing)
        self.set_class(bool(self.missing), "-shown")
        self._redraw()

    def set_language(self, language: str) -> None:
        """Say the banner's words in ``language``."""
        self.language = language
        self._redraw()

    def _redraw(self) -> None:
        if not self.missing:
            self.update("")
            return
        names = ", ".join(o.needed.image for o in self.missing)
        self.update(say(self.language, "images.missing", count=len(self.missing), images=names))
