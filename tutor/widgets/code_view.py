"""One file drawn line by line: line numbers, build-step numbers, a line cursor, lit lines.

Colours come from pygments through Rich's Syntax (its ANSI theme reads on
16-colour terminals); the line API draws only the lines on screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tutor.engine.dockerfile_steps import BuildStep
from tutor.widgets.scrolling import SteadyScrollbars

GUTTER = 11  # "  12▶s3 │ ": number, cursor/lit mark, step, rule


def is_dockerfile(name: str) -> bool:
    """Whether a lesson file is a Dockerfile, so its lines get step numbers.

    Args:
        name: The file's name, possibly with folders.

    Returns:
        True for Dockerfile, Dockerfile.dev, app.dockerfile...
    """
    base = name.rsplit("/", 1)[-1].lower()
    return base.startswith("dockerfile") or base.endswith(".dockerfile")


def highlighted_lines(name: str, text: str) -> list[Text]:
    """Colour a file once with pygments, so drawing a line is only a lookup.

    Args:
        name: The file's name; it picks the lexer (Dockerfile, Python...).
        text: The file's text.

    Returns:
        One Rich Text per line (the newline ending the file makes no line).
    """
    lexer = "docker" if is_dockerfile(name) else Syntax.guess_lexer(name, text)
    syntax = Syntax(text, lexer, theme="ansi_dark", tab_size=4)
    lines = list(syntax.highlight(text).split("\n", allow_blank=True))
    if len(lines) > 1 and not lines[-1].plain:
        lines.pop()  # the newline that ends the file is not a line of its own
    return lines


class CodeView(SteadyScrollbars, ScrollView, can_focus=True):
    """One file, drawn line by line with line numbers, step numbers and a line cursor."""

    DEFAULT_CSS = """
    CodeView { height: 1fr; background: $surface; }
    CodeView > .code-view--gutter { text-style: dim; }
    CodeView > .code-view--step { color: $accent; text-style: bold; }
    CodeView > .code-view--cursor { background: $primary-muted; }
    CodeView:focus > .code-view--cursor { background: $primary-muted; text-style: bold; }
    CodeView > .code-view--lit { background: $accent-muted; }
    CodeView > .code-view--error { background: $error-muted; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "code-view--gutter",
        "code-view--step",
        "code-view--cursor",
        "code-view--lit",
        "code-view--error",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "line(-1)", "Line up", show=False),
        Binding("down,j", "line(1)", "Line down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "goto(1)", "First line", show=False),
        Binding("end", "goto(-1)", "Last line", show=False),
    ]

    class CursorMoved(Message):
        """The line cursor moved (by key or click) to ``line`` (1-based)."""

        def __init__(self, line: int) -> None:
            self.line = line
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Text] = []
        self.steps: tuple[BuildStep, ...] = ()
        self.step_of_line: dict[int, BuildStep] = {}
        self.cursor = 1
        """1-based line under the cursor."""
        self.lit: frozenset[int] = frozenset()
        self.error_line: int | None = None

    def load(self, lines: list[Text], steps: tuple[BuildStep, ...], cursor: int = 1) -> None:
        """Show a file's highlighted lines, with its build steps if it is a Dockerfile."""
        self.lines, self.steps = lines, steps
        self.step_of_line = {
            line: step for step in steps for line in range(step.start_line, step.end_line + 1)
        }
        self.cursor = max(1, min(cursor, len(lines)))
        self.lit = frozenset()
        width = max((line.cell_len for line in lines), default=0) + GUTTER
        self.virtual_size = Size(width, len(lines))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._keep_visible(self.cursor)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Line number, step number (Dockerfiles), then the coloured code."""
        scroll_x, scroll_y = self.scroll_offset
        number = scroll_y + y + 1
        width = self.size.width
        base = self.rich_style
        if number > len(self.lines):
            return Strip.blank(width, base)
        row = base
        if number == self.error_line:
            row += self.get_component_rich_style("code-view--error", partial=True)
        elif number in self.lit:
            row += self.get_component_rich_style("code-view--lit", partial=True)
        if number == self.cursor:
            row += self.get_component_rich_style("code-view--cursor", partial=True)
        step = self.step_of_line.get(number)
        tag = f"s{step.number}" if step is not None and step.start_line == number else ""
        # The marks say in shapes what the colours say: ▶ cursor, ● lit step line.
        mark = "▶" if number == self.cursor else "●" if number in self.lit else " "
        gutter = self.get_component_rich_style("code-view--gutter", partial=True)
        step_style = self.get_component_rich_style("code-view--step", partial=True)
        segments = [
            Segment(f"{number:>4}", row + gutter),
            Segment(mark, row),
            Segment(f"{tag:<4}", row + step_style),
            Segment("│ ", row + gutter),
        ]
        code = self.lines[number - 1]
        segments += [
            Segment(seg.text, row + seg.style if seg.style else row)
            for seg in code.render(self.app.console, end="")
        ]
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, row)
        return strip

    def move_to(self, number: int) -> None:
        """Put the cursor on a line (1-based) and say so if it moved."""
        if not self.lines:
            return
        old, self.cursor = self.cursor, max(1, min(number, len(self.lines)))
        self._keep_visible(self.cursor)
        self.refresh()
        if old != self.cursor:
            self.post_message(self.CursorMoved(self.cursor))

    def light(self, lines: frozenset[int]) -> None:
        """Light these lines (a step's lines) and scroll them into view."""
        self.lit = lines
        if lines:
            self._keep_visible(max(lines))
            self._keep_visible(min(lines))
        self.refresh()

    def _keep_visible(self, number: int) -> None:
        top, height = int(self.scroll_offset.y), self.scrollable_content_region.height
        if number - 1 < top:
            self.scroll_to(y=number - 1, animate=False, immediate=True)
        elif height and number > top + height:
            self.scroll_to(y=number - height, animate=False, immediate=True)

    def action_line(self, step: int) -> None:
        """Move the cursor one line."""
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        """Move the cursor a screenful."""
        self.move_to(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_goto(self, number: int) -> None:
        """Go to the first (1) or last (-1) line."""
        self.move_to(number if number > 0 else len(self.lines))

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on the clicked line."""
        self.focus()
        self.move_to(int(self.scroll_offset.y) + event.y + 1)
