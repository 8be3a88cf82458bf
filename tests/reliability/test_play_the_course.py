"""The whole course played as a learner plays it: the tutor in a real terminal, key by key.

Issue 12's end-to-end test. The tutor (``python -m tutor``, started in a
folder outside the checkout) runs in a tmux pane, once at 80x24 and once at
160x48. Each play does all ten lessons with ``t``, answering every prediction
in its modal and closing every "what happened" card, and switches language
with ``l`` after each lesson: the 80x24 play starts in pt-BR, the 160x48 one in
English, so every lesson is played at both sizes and in both languages (each
size and language together covers five lessons; the engine's work, not the
screens, is what a third and fourth play would cost). It reads the screen at
every one of those moments:

* no notice is drawn over a modal (a notice's title is "✔ <step title>");
* no raw Markdown marker shows (backticks, ``**``, ``*word*``);
* a step's command is on the screen whole, its last word included;
* after a step whose action names a panel, that panel is the one shown;
* the copy-on-write lesson shows provenance (the layer a copied-up file came from);
* every panel's number key shows it, and ``l`` switches the language on every panel.

Set ``LT_PLAY_SCREENS`` to a folder to keep every screen read (for a look by eye).

A key whose effect the player waits for is pressed once: the player waits for
the text it takes away (a question, a card, the lesson's end) rather than for
any change of the screen, which a spinner or a notice also makes. The one
escape that puts a question off to see the panel behind it is never pressed
twice for a step: a second one, sent while the first was still on its way,
landed on the lesson and left it (three runs in six, before this rule).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.reliability.kill_setup import Learner
from tests.reliability.tty import Tutor
from tutor import settings
from tutor.course.filling import fill
from tutor.course.journal import Journal
from tutor.course.model import Lesson, Step, Value
from tutor.course.params import resolve
from tutor.engine.connection import Engine
from tutor.i18n import say
from tutor.screens.lesson import OCCASIONAL_PANES, WIDE
from tutor.screens.panel_deck import PANE_FOR_ACTION
from tutor.screens.panels import PANELS

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
#: Markdown that should have been rendered: a backtick, bold, or emphasis around a word.
RAW_MARKDOWN = re.compile(r"`|\*\*\S|(?<![\w*])\*[A-Za-zÀ-ú][^*\n]*\*(?![\w*])")


class Player:
    """One learner at the keyboard of the tutor in tmux; every screen it reads is checked."""

    def __init__(self, learner: Learner, language: str, size: tuple[int, int], engine: Engine):
        self.learner, self.language, self.size = learner, language, size
        self.wide = size[0] >= WIDE[0] and size[1] >= WIDE[1]  # panels side by side
        self.store = learner.store()
        self.engine = engine
        self.read = 0
        self.keep = (
            Path(os.environ["LT_PLAY_SCREENS"]) if os.environ.get("LT_PLAY_SCREENS") else None
        )
        outside = learner.folder / "elsewhere"  # not the checkout: the tutor as installed
        outside.mkdir()
        args = [a if a != "en" else language for a in learner.args]  # --lang <language>
        env = {**learner.env, settings.FILE_VARIABLE: str(learner.folder / "s.toml")}
        self.tutor = Tutor(args, env, size=size, cwd=outside)
        self.problems: list[str] = []
        self.values: Mapping[str, Value] | None = None  # the course's parameters, once read

    def press(self, key: str, before: str, gone: str | None = None) -> None:
        """Press ``key`` and wait for its effect, so the next look does not see a screen
        drawn before the key was handled (and press it again).

        With ``gone``, waits (up to 8 s) until that text has left the screen: a dialog's
        question, say, which a spinner's redraw alone does not take away. Without it, waits
        (up to 3 s) for any change from ``before``.
        """
        self.tutor.keys(key)
        if gone is not None:
            deadline = time.monotonic() + 8
            while gone in self.tutor.screen() and time.monotonic() < deadline:
                time.sleep(0.05)
            return
        deadline = time.monotonic() + 3
        while self.tutor.screen() == before and time.monotonic() < deadline:
            time.sleep(0.05)

    def say(self, key: str, **values: object) -> str:
        return say(self.language, key, **values)

    def screen(self, moment: str) -> str:
        """The screen now, with the checks every screen must pass."""
        screen = self.tutor.screen()
        self.read += 1
        if self.keep is not None:
            self.keep.mkdir(parents=True, exist_ok=True)
            name = f"{self.language}-{self.size[0]}x{self.size[1]}-{self.read:04d}.txt"
            (self.keep / name).write_text(f"{moment}\n{screen}", encoding="utf-8")
        for line in screen.splitlines():
            if RAW_MARKDOWN.search(line):
                self.problems.append(f"{moment}: raw Markdown in {line.strip()!r}")
        return screen

    def done(self, lesson: Lesson, step: Step) -> bool:
        loaded = self.store.load()
        return loaded.problem is None and loaded.progress.is_step_done(lesson.id, step.id)

    def modal(self, lesson: Lesson, screen: str, moment: str) -> None:
        """A modal is up: no notice of a step of this lesson may be drawn over its box."""
        inside = "\n".join(modal_box(screen))
        for step in lesson.steps:
            title = step.words(self.language).title
            if f"✔ {title}"[:20] in inside:
                self.problems.append(f"{moment}: the notice “✔ {title}” over the modal")

    def reach(self, lesson: Lesson, step: Step) -> str:
        """Answer modals and move on until ``step`` shows and waits; its screen.

        Returns early (with the screen) if the step is already done.
        """
        number = self.say("step.of", number=lesson.steps.index(step) + 1, total=len(lesson.steps))
        busy = (self.say("step.checking"), self.say("step.running"))
        asking, happened = self.say("predict.intro"), self.say("outcome.title")
        complete = self.say("lesson.complete").split("!")[0]
        deadline = time.monotonic() + 120
        while True:
            moment = f"{lesson.id}/{step.id}"
            screen = self.screen(moment)
            if asking in screen and step.prediction is not None:
                self.modal(lesson, screen, f"{moment} prediction")
                self.press(str(step.prediction.answer + 1), screen, gone=asking)
            elif happened in screen:
                self.modal(lesson, screen, f"{moment} outcome")
                self.press("Enter", screen, gone=happened)
            elif self.done(lesson, step):
                return screen
            elif complete in screen:  # an earlier lesson's end: on to the next
                self.press("n", screen, gone=complete)
            elif self.here(lesson, step) and self.say("step.predict_first") in screen:
                self.press("p", screen)  # the question put off earlier
            elif (
                self.here(lesson, step) and number in screen and not any(b in screen for b in busy)
            ):
                return screen
            if time.monotonic() > deadline or not self.tutor.alive():
                raise AssertionError(f"{moment} never showed:\n{screen}{self.stacks()}")
            time.sleep(0.15)

    def here(self, lesson: Lesson, step: Step) -> bool:
        """Whether the tutor is at ``step``, by its progress file (the screen's title can be
        under a notice)."""
        loaded = self.store.load()
        return (loaded.progress.lesson, loaded.progress.step) == (lesson.id, step.id)

    def command_lost(self, step: Step, screen: str) -> list[str]:
        """The words of the step's command not on ``screen`` (wrapped lines allowed)."""
        # The names the tutor chose at its start (a free port, say) are in its journal
        # (the runner writes them there); a resolve here could choose others, as another
        # learner's image may have taken a default name since.
        if self.values is None:
            journal = Journal.load(self.store.path.with_name("journal.json"))
            learner = self.learner
            resolved = resolve(self.engine, learner.course, namespace=learner.namespace,
                               overrides=learner.overrides, remembered=journal.params)  # fmt: skip
            self.values = {**resolved.values, **journal.params}
        values = self.values
        # A long word may wrap at a hyphen or a slash: read the box's rows run together too.
        rows = [line.strip(" │▌▎█") for line in screen.splitlines()]
        together = "".join(rows)

        def shown(word: str) -> bool:
            return word in screen or word in together

        lost: list[str] = []
        for template in step.command.split():
            if shown(fill(template, values)):
                continue
            # A name the tutor chose after this look at its journal (another learner's image
            # took the default meanwhile): the word's own letters must show, at least.
            literal = [part for part in re.split(r"\{[^}]*\}", template) if len(part) > 1]
            if "{" not in template or not literal or not all(shown(p) for p in literal):
                lost.append(fill(template, values))
        return lost

    def play_step(self, lesson: Lesson, step: Step) -> None:
        screen = self.reach(lesson, step)
        if self.done(lesson, step):
            return
        if step.command:
            # Read as a learner reads it: a notice (up to 20 s) may lie over its end for a
            # while; the command must show whole once it has gone.
            deadline = time.monotonic() + 25
            while (lost := self.command_lost(step, screen)) and time.monotonic() < deadline:
                if self.done(lesson, step):
                    break
                time.sleep(0.3)
                screen = self.screen(f"{lesson.id}/{step.id} reading")
            if lost and not self.done(lesson, step):
                self.problems.append(f"{lesson.id}/{step.id}: command cut, {lost} not shown")
        if step.action is not None:
            self.tutor.keys("t")
        deadline, again = time.monotonic() + 300, time.monotonic() + 10
        while not self.done(lesson, step):
            screen = self.screen(f"{lesson.id}/{step.id} running")
            if self.say("predict.intro") in screen and step.prediction is not None:
                self.modal(lesson, screen, f"{lesson.id}/{step.id} prediction")
                self.press(str(step.prediction.answer + 1), screen, gone=self.say("predict.intro"))
                if step.action is not None:
                    again = time.monotonic() + 1  # press t once the modal has gone
            elif self.say("step.predict_first") in screen:
                self.press("p", screen)  # the question put off earlier, asked now
            elif time.monotonic() > again and step.action is not None:
                # A t that came while the lesson was still settling can go unheard; a
                # second one during the run only says it is running.
                if self.say("step.running") not in screen:
                    self.tutor.keys("t")
                again = time.monotonic() + 10
            if time.monotonic() > deadline or not self.tutor.alive():
                raise AssertionError(
                    f"{lesson.id}/{step.id} never passed:\n{screen}{self.stacks()}"
                )
            time.sleep(0.15)
        if step.action is not None and (pane := PANE_FOR_ACTION.get(step.action.kind)):
            self.shows_panel(lesson, step, pane)

    def shows_panel(self, lesson: Lesson, step: Step, pane: str) -> None:
        """The panel the step's action belongs to is the one brought forward."""
        # Up to 20 s: a notice (8 s) may cover the chosen tab's label at 80 columns.
        deadline, put_off = time.monotonic() + 20, False
        while True:
            screen = self.screen(f"{lesson.id}/{step.id} done")
            if self.say("outcome.title") in screen:
                self.modal(lesson, screen, f"{lesson.id}/{step.id} outcome")
                self.press("Enter", screen, gone=self.say("outcome.title"))
            elif self.say("predict.intro") in screen and not put_off:
                # The next step asks at once; put it off (escape) to see the panel behind.
                # Once only: a second escape, should the first be slow to show, would
                # land on the lesson and leave it.
                self.modal(lesson, screen, f"{lesson.id}/{step.id} next prediction")
                self.press("Escape", screen, gone=self.say("predict.intro"))
                put_off = True
            elif self.shown(screen, self.language, pane):
                return
            elif time.monotonic() > deadline:
                shown = active_tab(screen)
                moment = f"{lesson.id}/{step.id}: panel {shown!r}, not {pane!r}"
                self.problems.append(f"{moment}\n{screen}{self.stacks()}")
                return
            time.sleep(0.2)

    def at_the_end(self, lesson: Lesson) -> str:
        """Close the last step's "what happened" card, if it comes, and wait for the
        lesson's end; its screen."""
        done = self.say("lesson.complete").split("!")[0]
        screen = self._until(lambda s: done in s or self.say("outcome.title") in s,
                             f"{lesson.id}: complete")  # fmt: skip
        if self.say("outcome.title") in screen:
            self.modal(lesson, screen, f"{lesson.id} last outcome")
            self.press("Enter", screen, gone=self.say("outcome.title"))
            screen = self._until(lambda s: done in s, f"{lesson.id}: complete")
        return screen

    def switch_language(self, lesson: Lesson) -> None:
        """At the end of ``lesson``, press ``l``: the next lesson is played in the other
        language."""
        other = "en" if self.language == "pt-BR" else "pt-BR"
        screen = self.at_the_end(lesson)
        self.press("l", screen)
        self.language = other
        self._until(lambda s: self.say("lesson.complete").split("!")[0] in s,
                    f"{lesson.id}: l at the end")  # fmt: skip

    def shown(self, screen: str, language: str, pane: str) -> bool:
        """Whether ``pane`` is on the screen, its name in ``language``: the chosen tab when
        narrow, a titled box when wide."""
        name = say(language, f"panel.{pane}")
        if self.wide:
            return f"─ {name} ─" in screen
        tab = active_tab(screen)
        # A notice can cover the end of the tab bar, and of the chosen tab's label with it.
        return tab == name or (tab is not None and len(tab) >= 4 and name.startswith(tab))

    def every_panel(self, lesson: Lesson) -> None:
        """Each panel's number key shows it, and ``l`` switches the language on it."""
        other = "en" if self.language == "pt-BR" else "pt-BR"
        self.at_the_end(lesson)
        for number, panel in enumerate(PANELS, start=1):
            if self.wide and (panel.name == "lesson" or panel.name in OCCASIONAL_PANES):
                continue  # when wide: the text is the left column; Push, Images go unused
            for key, language in ((str(number), self.language), ("l", other),
                                  ("l", self.language)):  # fmt: skip
                before = self.tutor.screen()
                self.press(key, before)
                self._until(lambda s, p=panel.name, lang=language: self.shown(s, lang, p),
                            f"{lesson.id}: {key} on {panel.name} ({language})")  # fmt: skip

    def provenance(self, lesson: Lesson) -> None:
        """The Diff panel shows where a copied-up file came from: "from layer 2: RUN ..."."""
        number = next(i for i, panel in enumerate(PANELS, start=1) if panel.name == "diff")
        self.press(str(number), self.tutor.screen())
        for language in (self.language, "en" if self.language == "pt-BR" else "pt-BR"):
            said = say(language, "diff.from.layer", index=999, instruction="RUN")
            named = re.compile(re.escape(said.split("999")[0]) + r"\d+: RUN pip")
            self._until(lambda s, n=named: n.search(s) is not None,
                        f"{lesson.id}: provenance in the Diff panel ({language})")  # fmt: skip
            self.press("l", self.tutor.screen())  # and again in the other language

    def _until(self, shown: object, moment: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(moment)
            if shown(screen):  # type: ignore[operator]
                return screen
            if time.monotonic() > deadline:
                self.problems.append(f"{moment}: never showed")
                return screen
            time.sleep(0.1)

    def stacks(self) -> str:
        """Where the tutor's threads are, for a failure's message (a run that hangs)."""
        stacks = self.tutor.stacks()
        return f"\nThe tutor's threads:\n{stacks}" if stacks else ""

    def close(self) -> None:
        self.tutor.close()


def modal_box(screen: str) -> list[str]:
    """The rows of the dialog's box as drawn (its ``█▀`` top to its ``▄█`` bottom, between
    its side borders); what a notice must not cover. Empty when no box shows."""
    lines = screen.splitlines()
    top = next((i for i, line in enumerate(lines) if "█▀" in line), None)
    if top is None:
        return []
    bottom = next((i for i in range(top, len(lines)) if "▄█" in lines[i]), len(lines) - 1)
    left, right = lines[top].index("█▀"), lines[top].rindex("█")
    return [line[left : right + 1] for line in lines[top : bottom + 1]]


def active_tab(screen: str) -> str | None:
    """The name of the tab drawn as chosen, from the tab bar's underline.

    Textual draws the underline as ``━`` and ends the inactive stretches with
    half bars: the chosen tab's stretch runs from just after a ``╸`` to just
    before the next ``╺``. The label above that stretch is the tab's name. A
    notice may cover the bar's right end; what is left of it is read.
    """
    lines = screen.splitlines()
    for above, line in itertools.pairwise(lines):
        bar = re.match(r"[━╸╺]*", line)
        drawn = bar.group(0) if bar else ""
        if len(drawn) < 10 or not {"╸", "╺"} & set(drawn):
            continue
        start = drawn.find("╸") + 1  # 0 when the chosen tab starts the bar
        end = drawn.find("╺", start)
        label = above[start : end if end >= 0 else len(drawn)].strip()
        return label or None
    return None


@pytest.fixture(params=["80x24-pt-BR", "160x48-en"])
def player(request: pytest.FixtureRequest, learner: Learner, engine: Engine) -> Iterator[Player]:
    size, language = request.param.split("-", 1)
    store = learner.store()
    progress = store.fresh()
    progress.language = language
    store.save(progress)
    played = Player(learner, language, SIZES[size], engine)
    yield played
    played.close()


@pytest.mark.slow
def test_a_learner_plays_every_lesson_in_a_real_terminal(player: Player) -> None:
    course = player.learner.course
    player.tutor.wait_for(
        player.say("course.resume", title=course.lessons[0].title_in(player.language)), timeout=60
    )
    player.tutor.keys("c")
    for lesson in course.lessons:
        for step in lesson.steps:
            player.play_step(lesson, step)
        if lesson.id == "copy-on-write":
            player.every_panel(lesson)
            player.provenance(lesson)
        if lesson is not course.lessons[-1]:
            player.switch_language(lesson)  # the next lesson in the other language
    assert all(player.done(lesson, step) for lesson in course.lessons for step in lesson.steps)
    assert player.read > 100  # the screens were read, and checked, all the way
    assert player.problems == [], "\n".join(player.problems)
