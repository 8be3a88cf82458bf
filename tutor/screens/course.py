"""The course screen: every lesson with the learner's progress, broken ones with their problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tutor.course.model import LessonEntry
from tutor.i18n import say
from tutor.messages import OpenLesson, SaveProgress
from tutor.screens.backdrop import DialogScreen
from tutor.screens.keys import TranslatedKeys
from tutor.widgets.engine_banner import EngineBanner
from tutor.widgets.images_banner import ImagesBanner
from tutor.widgets.key_footer import KeyFooter
from tutor.widgets.title_header import TitleHeader

if TYPE_CHECKING:
    from tutor.screens.session import TutorSession


#: A mark per lesson status, so the status reads without colour.
STATUS_MARK = {"done": "✔", "in progress": "◐", "not started": "·", "broken": "✖"}


class CourseScreen(TranslatedKeys[None]):
    """Lists the lessons; opens one, resumes where the learner left off, resets progress."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_lesson", "Open", priority=True),
        Binding("c", "resume", "Resume"),
        Binding("x", "reset_lesson", "Reset lesson"),
        Binding("X", "reset_all", "Reset all", show=False),
    ]

    @property
    def tutor(self) -> TutorSession:
        """The app, typed."""
        return cast("TutorSession", self.app)

    def compose(self) -> ComposeResult:
        yield TitleHeader()
        yield EngineBanner(self.tutor.language, id="banner")
        yield ImagesBanner(self.tutor.language, id="images-banner")
        yield Static(id="course-summary", markup=False)
        yield DataTable(id="lessons", cursor_type="row", zebra_stripes=False)
        yield Static(id="lesson-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        banner = self.query_one(EngineBanner)
        # The course screen lives as long as the app, so watching the app keeps nothing alive.
        self.watch(self.app, "engine_error", banner.show_error)
        self.watch(self.app, "connecting", banner.show_connecting)
        self.watch(self.app, "missing_images", self.query_one(ImagesBanner).show_missing)
        # Not at once: the banners are made in the language, the table is filled on resume.
        self.watch(self.app, "language", self._language_changed, init=False)

    def on_screen_resume(self) -> None:
        self.refresh_lessons()

    def _language_changed(self, language: str) -> None:
        self.query_one(EngineBanner).set_language(language)
        self.query_one(ImagesBanner).set_language(language)
        self.refresh_lessons()

    def refresh_lessons(self) -> None:
        """Fill the table again from the course and the progress (keeps the cursor)."""
        app, lang = self.tutor, self.tutor.language
        self.title = app.course.title.get(lang) or next(iter(app.course.title.values()), "")
        self.sub_title = app.namespace
        table = self.query_one("#lessons", DataTable)
        row = table.cursor_row if table.row_count else self._resume_row()
        table.clear(columns=True)
        rows = [
            (str(n), self._title(entry), self._status(entry))
            for n, entry in enumerate(app.course.entries, 1)
        ]
        headers = ("#", say(lang, "col.lesson"), say(lang, "col.status"))
        # Widths from the content, given outright: a table refilled while the
        # engine connects could otherwise keep the headers' widths and cut titles.
        for index, (key, header) in enumerate(zip(("n", "title", "status"), headers, strict=True)):
            width = max([cell_len(header), *(cell_len(row[index]) for row in rows)])
            table.add_column(header, key=key, width=width)
        for entry, cells in zip(app.course.entries, rows, strict=True):
            table.add_row(*(Text(cell) for cell in cells), key=entry.id)
        done = sum(1 for e in app.course.entries if self._status_key(e) == "done")
        self.query_one("#course-summary", Static).update(
            say(
                lang,
                "course.summary",
                done=done,
                total=len(app.course.entries),
                name=say(lang, "language"),
            )
        )
        table.move_cursor(row=max(0, min(row, table.row_count - 1)))
        self._show_detail()

    def _title(self, entry: LessonEntry) -> str:
        lang = self.tutor.language
        return str(entry.title.get(lang) or next(iter(entry.title.values()), entry.id))

    def _status_key(self, entry: LessonEntry) -> str:
        if entry.lesson is None:
            return "broken"
        return self.tutor.progress.status(entry.id).value

    def _status(self, entry: LessonEntry, *, mark: bool = True) -> str:
        key = self._status_key(entry)
        words = say(self.tutor.language, f"status.{key}")
        return f"{STATUS_MARK[key]} {words}" if mark else words

    def _resume_row(self) -> int:
        target = self.tutor.resume_target()
        ids = [e.id for e in self.tutor.course.entries]
        return ids.index(target[0]) if target and target[0] in ids else 0

    def _highlighted(self) -> LessonEntry | None:
        table = self.query_one("#lessons", DataTable)
        entries = self.tutor.course.entries
        return entries[table.cursor_row] if 0 <= table.cursor_row < len(entries) else None

    @on(DataTable.RowHighlighted, "#lessons")
    def _show_detail(self) -> None:
        lang, entry = self.tutor.language, self._highlighted()
        lines: list[str] = []
        if entry is not None and entry.lesson is None:
            root = self.tutor.course.root
            lines = [
                say(lang, "course.problems"),
                *(f"  {p.shown_from(root)}" for p in entry.problems),
            ]
        elif entry is not None and entry.lesson is not None:
            status = self._status(entry, mark=False)
            lines = [say(lang, "course.steps", count=len(entry.lesson.steps), status=status)]
        target = self.tutor.resume_target()
        course = self.tutor.course
        if target and (lesson := course.lesson(target[0])) is not None:
            lines.append(say(lang, "course.resume", title=lesson.title_in(lang)))
        else:
            lines.append(say(lang, "course.start"))
        self.query_one("#lesson-detail", Static).update("\n".join(lines))

    @on(DataTable.RowSelected, "#lessons")
    def action_open_lesson(self) -> None:
        """Open the highlighted lesson (at the step where the learner left it)."""
        entry = self._highlighted()
        if entry is None:
            return
        if entry.lesson is None:
            lang = self.tutor.language
            text = say(
                lang, "course.cannot_open", title=self._title(entry), count=len(entry.problems)
            )
            self.notify(text, severity="warning", markup=False)
            return
        self.post_message(OpenLesson(entry.id))

    def action_resume(self) -> None:
        """Continue where the learner left off: that lesson, that step."""
        target = self.tutor.resume_target()
        if target is not None:
            self.post_message(OpenLesson(*target))

    def action_reset_lesson(self) -> None:
        """Ask, then forget the highlighted lesson's steps and answers."""
        entry = self._highlighted()
        if entry is None:
            return
        question = say(self.tutor.language, "confirm.reset_lesson", title=self._title(entry))
        self._confirm(question, lambda: self.tutor.progress.reset_lesson(entry.id))

    def action_reset_all(self) -> None:
        """Ask, then forget all progress in this course (the language stays)."""
        question = say(self.tutor.language, "confirm.reset_all")
        self._confirm(question, self.tutor.progress.reset_all)

    def _confirm(self, question: str, reset: Callable[[], None]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                reset()
                self.post_message(SaveProgress())
                self.notify(say(self.tutor.language, "reset.done"), markup=False)
                self.refresh_lessons()

        self.app.push_screen(ConfirmScreen(question, self.tutor.language), answered)


class ConfirmScreen(DialogScreen[bool], TranslatedKeys[bool]):
    """A yes/no question before something that cannot be undone.

    Args:
        question: What will happen.
        language: The learner's language.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, language: str = "en") -> None:
        super().__init__()
        self.question = question
        self.language = language

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(self.question, id="confirm-question", markup=False)
            yield Static(
                f"{say(self.language, 'confirm.yes')}    {say(self.language, 'confirm.no')}",
                id="confirm-keys",
                markup=False,
            )
        yield KeyFooter()

    def action_answer(self, yes: bool) -> None:
        """Close with the learner's answer."""
        self.dismiss(yes)
