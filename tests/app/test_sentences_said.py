"""What a check found and what an action did reach the learner in their language.

A check's detail and an action's summary are Sentences (English strings that
keep their catalog key): the step panel says them in the learner's language,
and again in the other one when the learner presses ``l``. Before, a pt-BR
learner read "Ainda não: The image app does not exist yet."
"""

from __future__ import annotations

from tests.app.widget_harness import WidgetHarness
from tutor.engine.errors import PortInUse
from tutor.sentence import Sentence, said
from tutor.widgets.engine_banner import error_words
from tutor.widgets.step_panel import StepPanel, StepState, StepView

VIEW = StepView(number=2, total=3, title="Build", body="", command="docker build .", can_run=True)


async def test_the_step_panel_says_a_checks_detail_and_an_actions_lines_in_the_language() -> None:
    harness = WidgetHarness(lambda: StepPanel("pt-BR", id="step"), footer=False)
    async with harness.run_test(size=(110, 24)) as pilot:
        panel = harness.query_one(StepPanel)
        panel.show(VIEW)
        panel.show_output(
            ["Step 1/1 : FROM busybox", Sentence("action.built", tag="app", count=1, cached=0)]
        )
        panel.set_state(StepState.NOT_YET, Sentence("check.image.missing", image="app"))
        await pilot.pause()
        text = harness.screen_text()
        assert "Ainda não: A imagem app ainda não existe." in text
        assert "Build de app feito: 1 passo, 0 do cache." in text
        assert "Step 1/1 : FROM busybox" in text  # Docker's own line, as Docker wrote it

        panel.set_language("en")
        await pilot.pause()
        text = harness.screen_text()
        assert "Not yet: The image app does not exist yet." in text
        assert "Built app: 1 step, 0 from the cache." in text


def test_a_sentence_is_english_until_said_in_another_language() -> None:
    found = Sentence("check.registry.reused", count=1, tag="v2")
    assert found == "Only 1 layer of v2 was already in the registry."
    assert said(found, "pt-BR") == "Só 1 layer de v2 já estava no registry."
    assert said(Sentence("check.registry.reused", count=3, tag="v2"), "pt-BR").startswith(
        "Só 3 layers de v2 já estavam"
    )
    assert said("Docker's own words", "pt-BR") == "Docker's own words"


def test_a_sentence_inside_a_sentence_is_said_in_the_same_language() -> None:
    wrong = Sentence(
        "check.both",
        first=Sentence("check.cache.came", image="app", count=2, numbers="3, 4"),
        second=Sentence("check.cache.ran", image="app", count=1, numbers="5"),
    )
    assert "steps 3, 4 came from the cache" in wrong and "step 5 ran again" in wrong
    assert said(wrong, "pt-BR") == (
        "No último build de app, os passos 3, 4 vieram do cache. "
        "No último build de app, o passo 5 rodou de novo."
    )


def test_an_engine_error_in_the_tutors_words_is_said_in_the_language() -> None:
    busy = PortInUse(5050)
    assert busy.message == "Port 5050 on this machine is already in use."
    assert error_words(busy, "pt-BR") == (
        "A porta 5050 desta máquina já está em uso.",
        "Pare o que estiver escutando na porta 5050, ou escolha outra porta.",
    )
