"""Setting a line of text without laying the whole screen out when its height holds.

Textual's ``Static.update`` asks for a layout of the screen at every new
text, in case the text takes more or fewer rows: at 160x48 a layout of the
lesson screen takes 17-24 ms, and a step's output, its status line, the
images panel's title, the build's status or the diff's summary change many
times a minute while the engine works (310 step-output texts, 86 titles and
13 build statuses in one ``benchmarks/ui_bench.py`` session at 160x48, each
a layout). Most new texts take the rows the old one took: a
line of output replaces another in the last six. :func:`set_text` draws
those again in place, and asks for the layout only when the height differs,
measured as Textual measures it for the layout (``get_content_height`` at
the widget's content width).
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static

__all__ = ["set_text"]


def set_text(part: Static, content: VisualType) -> None:
    """Show ``content`` in ``part``; lay the screen out only if its height changes.

    A part not laid out yet (no width), or whose width follows its text, is
    updated as Textual would: with a layout, by ``Static.update`` itself, so
    that a part whose own ``update`` comes here (``title_header.TitleLine``)
    is not sent back.
    """
    width, rule = part.content_size.width, part.styles.width
    if not (part.is_mounted and width) or (rule is not None and rule.is_auto):
        Static.update(part, content)
        return
    size = part.size
    rows = part.get_content_height(size, size, width)
    part.update(content, layout=False)  # clears its measures: the next is the new text's
    if part.get_content_height(size, size, width) != rows:
        part.refresh(layout=True)
