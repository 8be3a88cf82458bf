"""The lesson's files, syntax-highlighted, with each Dockerfile line tied to its build step.

Moving the line cursor over a Dockerfile instruction says which step (and so
which layer) it made; :meth:`FilesView.highlight_step` lights the lines of a
step the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static, Tab, Tabs

from tutor.engine.dockerfile_steps import BuildStep, DockerfileError, parse_steps
from tutor.i18n import say
from tutor.sentence import said
from tutor.widgets.code_view import CodeView, highlighted_lines, is_dockerfile
from tutor.widgets.mounting import being_removed
from tutor.widgets.tab_underline import underline_chosen_tab


class FilesView(Vertical):
    """Tabs of the lesson's files above the selected file."""

    DEFAULT_CSS = """
    FilesView { height: 1fr; }
    FilesView > #where { background: $panel; padding: 0 1; height: 1; }
    FilesView > #where.-error { background: $error 30%; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "file(-1)", "Previous file", show=True),
        Binding("right_square_bracket", "file(1)", "Next file", show=True),
    ]

    class DockerfileLineSelected(Message):
        """The line cursor is on a Dockerfile instruction: the step (and layer) it makes."""

        def __init__(self, step_number: int, line: int) -> None:
            self.step_number = step_number
            """The build step, numbered as ``Step N/M`` numbers it."""
            self.line = line
            """The 1-based line the cursor is on."""
            super().__init__()

    def __init__(
        self,
        files: Mapping[str, str] | None = None,
        *,
        dockerfile: str | None = None,
        language: str = "en",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language
        """The lesson language of the line under the code (a parse error stays as written)."""
        self._files: dict[str, str] = dict(files or {})
        self._dockerfile = dockerfile
        self._steps: tuple[BuildStep, ...] = ()
        self._error: DockerfileError | None = None
        self._cursors: dict[str, int] = {}
        self._shown: str | None = None
        self._generation = 0
        self._lit_step: BuildStep | None = None
        """The step :meth:`highlight_step` named last, while its words are shown."""

    def compose(self) -> ComposeResult:
        """The file tabs, the code, and a line saying where the cursor is."""
        tabs = Tabs()
        tabs.can_focus = False  # [ and ] switch files: one focus stop for the whole view
        yield tabs
        yield CodeView(id="code")
        yield Static("", id="where", markup=False)

    def on_mount(self) -> None:
        """Show the files given to the constructor."""
        if not being_removed(self):
            self.show_files(self._files, dockerfile=self._dockerfile)

    @property
    def code(self) -> CodeView:
        """The view of the file shown."""
        return self.query_one(CodeView)

    @property
    def shown(self) -> str | None:
        """The name of the file shown."""
        return self._shown

    @property
    def dockerfile(self) -> str | None:
        """The name of the Dockerfile whose lines are tied to steps."""
        return self._dockerfile

    def show_files(self, files: Mapping[str, str], *, dockerfile: str | None = None) -> None:
        """Show a lesson's files (name -> text), the Dockerfile first.

        Args:
            files: File names (relative to the lesson folder) and their text.
            dockerfile: Which file the build uses; by default the first that looks like one.
        """
        self._dockerfile = dockerfile or next((n for n in files if is_dockerfile(n)), None)
        first = self._dockerfile if self._dockerfile in files else None
        self._files = {**({first: files[first]} if first else {}), **files}
        self._cursors.clear()
        self._shown = None
        self._parse()
        self._generation += 1
        self.call_later(self._sync_tabs, self._generation)
        first = next(iter(self._files), None)
        if first is None:
            self._shown = None
            self.code.load([], ())
            self._say(say(self.language, "files.none"))
        else:
            self.show_file(first)

    def update_file(self, name: str, text: str) -> None:
        """Take the new text of one file (e.g. after the learner edited it).

        Args:
            name: The file's name as given to :meth:`show_files`.
            text: Its new text.
        """
        self._files[name] = text
        if name == self._dockerfile:
            self._parse()
        if name == self._shown:
            self.show_file(name)

    def show_file(self, name: str) -> None:
        """Switch to one of the files.

        Args:
            name: The file's name as given to :meth:`show_files`.
        """
        if name not in self._files:
            raise KeyError(name)
        if self._shown is not None:
            self._cursors[self._shown] = self.code.cursor
        self._shown = name
        steps = self._steps if name == self._dockerfile else ()
        self.code.load(
            highlighted_lines(name, self._files[name]), steps, self._cursors.get(name, 1)
        )
        is_docker = name == self._dockerfile
        self.code.error_line = self._error.line if is_docker and self._error else None
        tab_id = self._tab_id(list(self._files).index(name))
        tabs = self.query_one(Tabs)
        if tabs.active != tab_id and tabs.query(f"#tabs-list > #{tab_id}"):
            tabs.active = tab_id
        self._say_where()

    def highlight_step(self, step_number: int | None) -> None:
        """Light the Dockerfile lines of a build step (None: light nothing).

        Args:
            step_number: The step as ``Step N/M`` numbers it, e.g. the step of a
                layer the learner selected.
        """
        step = next((s for s in self._steps if s.number == step_number), None)
        if step is None:
            self.code.light(frozenset())
            return
        if self._dockerfile is not None and self._shown != self._dockerfile:
            self.show_file(self._dockerfile)
        self.code.light(frozenset(range(step.start_line, step.end_line + 1)))
        self._say_step(step)

    def set_language(self, language: str) -> None:
        """Say the line under the code in ``language``."""
        self.language = language
        if not self.is_mounted:
            return
        if self._lit_step is not None:
            self._say_step(self._lit_step)
        elif self._shown is None:
            self._say(say(language, "files.none"))
        else:
            self._say_where()

    def _say_step(self, step: BuildStep) -> None:
        lines = _lines(step, self.language)
        self._say(
            say(
                self.language,
                "files.step",
                number=step.number,
                lines=lines,
                instruction=step.instruction,
            )
        )
        self._lit_step = step

    def action_file(self, direction: int) -> None:
        """Show the previous (-1) or next (1) file."""
        names = list(self._files)
        if names and self._shown is not None:
            self.show_file(names[(names.index(self._shown) + direction) % len(names)])

    def _tab_id(self, position: int) -> str:
        # Fresh ids per set of files: old tabs may still be on their way out.
        return f"file-{self._generation}-{position}"

    async def _sync_tabs(self, generation: int) -> None:
        """Replace the tabs with one per file (the Dockerfile's first, so it starts active)."""
        if generation != self._generation or not self._here():
            return
        tabs = self.query_one(Tabs)
        try:
            await tabs.clear()
            names = list(self._files)
            for position, file_name in enumerate(names):
                if generation != self._generation or not self._here():
                    return  # newer files arrived, or the lesson closed, while we waited
                await tabs.add_tab(Tab(file_name, id=self._tab_id(position)))
            if generation == self._generation and self._here() and self._shown in names:
                tabs.active = self._tab_id(names.index(self._shown))
            underline_chosen_tab(tabs)  # Textual measured the new tabs before their layout
        except (NoMatches, ValueError):
            # Tabs being removed with a closing lesson screen are no longer found;
            # a panel still in use would not lose them, so anything else is a bug.
            if self._here():
                raise

    def _here(self) -> bool:
        """Still on a screen that is not closing (the learner may have left the lesson)."""
        if being_removed(self):
            return False
        screen = self.screen
        return not screen._closing and screen in self.app.screen_stack

    @on(Tabs.TabActivated)
    def _tab_chosen(self, event: Tabs.TabActivated) -> None:
        event.stop()
        prefix = f"file-{self._generation}-"
        if event.tab.id is None or not event.tab.id.startswith(prefix):
            return
        names = list(self._files)
        position = int(event.tab.id.removeprefix(prefix))
        if position < len(names) and names[position] != self._shown:
            self.show_file(names[position])

    @on(CodeView.CursorMoved)
    def _line_chosen(self, event: CodeView.CursorMoved) -> None:
        event.stop()
        self._say_where()
        step = self.code.step_of_line.get(event.line)
        if step is not None:
            self.post_message(self.DockerfileLineSelected(step.number, event.line))

    def _parse(self) -> None:
        self._steps, self._error = (), None
        if self._dockerfile is None or self._dockerfile not in self._files:
            return
        try:
            self._steps = parse_steps(self._files[self._dockerfile])
        except DockerfileError as exc:
            self._error = exc

    def _say_where(self) -> None:
        """Say the file and line under the cursor, and the step that line makes.

        A Dockerfile that cannot be parsed shows the parser's own message,
        in English in every language, as the build's error would say it.
        """
        if self._shown is None:
            return
        if self._shown == self._dockerfile and self._error is not None:
            self._say(said(self._error.message, self.language), error=True)
            return
        step = self.code.step_of_line.get(self.code.cursor)
        lang, file, line = self.language, self._shown, self.code.cursor
        if step is None:
            self._say(say(lang, "files.where", file=file, line=line))
            return
        where = say(
            lang,
            "files.where_step",
            file=file,
            line=line,
            number=step.number,
            total=len(self._steps),
            instruction=step.instruction,
        )
        self._say(where)

    def _say(self, text: str, *, error: bool = False) -> None:
        self._lit_step = None
        where = self.query_one("#where", Static)
        where.update(text)
        where.set_class(error, "-error")


def _lines(step: BuildStep, language: str) -> str:
    if step.start_line == step.end_line:
        return say(language, "files.line", line=step.start_line)
    return say(language, "files.lines", first=step.start_line, last=step.end_line)
