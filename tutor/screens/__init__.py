"""The tutor's screens, and the words their chrome uses in each lesson language.

The lessons bring their own words in every language; the screens around them
(titles, statuses, the engine banner) and the lesson's panels take theirs
from :data:`WORDS`, so switching the language changes the whole page. The
panels' words live in ``tutor.screens.panel_words`` and are merged in here.
The keys' words in the footer and the help screen are translated by
``tutor.screens.keys``.
"""

from __future__ import annotations

from tutor.screens.panel_words import PANEL_WORDS

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "language": "English",
        "lessons": "Lessons",
        "col.lesson": "Lesson",
        "col.status": "Status",
        "status.done": "done",
        "status.in progress": "in progress",
        "status.not started": "not started",
        "status.broken": "broken",
        "course.summary": "{done} of {total} lessons done · language: {name} (l switches)",
        "course.resume": "Press c to continue with “{title}”.",
        "course.start": "Press enter to open the highlighted lesson.",
        "course.steps": "{count} steps · {status}",
        "course.problems": "This lesson cannot open. Problems found:",
        "course.cannot_open": "“{title}” cannot open: it has {count} problem(s).",
        "confirm.reset_lesson": "Start “{title}” again? Its steps and answers are forgotten.",
        "confirm.reset_all": "Forget all your progress in this course?",
        "confirm.yes": "y  yes",
        "confirm.no": "n  no",
        "reset.done": "Progress reset.",
        "banner.title": "No Docker engine",
        "banner.retry": "r: retry · the lessons stay readable meanwhile",
        "banner.back": "Docker is back.",
        "images.missing": "Not on this engine, and no registry gives it: {images}. "
        "Press P to prepare the course's images here (a stand-in is made from this "
        "machine's packages, about a minute).",
        "prepare.title": "Preparing the course's images",
        "prepare.wait": "Working… (this can take a minute or two)",
        "prepare.ready": "Ready: the lessons now build FROM these images. Enter: go on.",
        "prepare.not_ready": "An image is still missing (see above). Enter: go on.",
        "prepare.busy": "Still preparing; it cannot be stopped half-way.",
        "step.of": "Step {number} of {total}",
        "step.how.both": "Type it in a terminal (y copies it), or press t: the tutor runs it.",
        "step.how.type": "Type it in a terminal (y copies it); only you can do this step.",
        "step.how.tutor": "Press t and the tutor does it for you.",
        "step.hint": "Hint {number} of {total}: {text}",
        "step.no_hints": "No hints for this step.",
        "step.copied": "Copied",
        "step.waiting": "Waiting for you to do it…",
        "step.run_or_check": "Press t, or type it yourself and then press c.",
        "quit.cleaning": "Removing the {count} container(s) started in this session… (q: quit now)",
        "step.checking": "Checking…",
        "step.running": "The tutor is running it…",
        "step.preparing": "Copying the lesson's files first; the step starts right after.",
        "step.passed": "Done!",
        "step.not_yet": "Not yet: {detail}",
        "step.failed": "It did not work: {detail}",
        "step.offline": "Waiting for the Docker engine.",
        "step.predict_first": "Make your prediction first: press p.",
        "step.saved": "Progress could not be saved: {error}",
        "lesson.complete": "Lesson complete! Press n for the next lesson, escape for the list.",
        "lesson.last": "You finished the last lesson. Well done!",
        "predict.title": "Predict",
        "predict.intro": "Before this step runs: what do you expect?",
        "predict.keys": "Press a number, or move and press enter. Escape: decide later.",
        "outcome.title": "What happened",
        "outcome.yours": "You predicted: {choice}",
        "outcome.right": "What happens: {choice}",
        "outcome.match": "✔ You predicted it.",
        "outcome.miss": "✖ Not what you expected. Here is why:",
        "outcome.keys": "Press enter to go on.",
        "help.title": "Keys",
        "help.keys": "Press escape to close.",
        "panel.lesson": "Lesson",
        "panel.files": "Files",
        "panel.layers": "Layers",
        "panel.build": "Build",
        "panel.containers": "Containers",
        "panel.diff": "Diff",
        "panel.history": "History",
        "panel.push": "Push",
    },
    "pt-BR": {
        "language": "Português (Brasil)",
        "lessons": "Lições",
        "col.lesson": "Lição",
        "col.status": "Situação",
        "status.done": "concluída",
        "status.in progress": "em andamento",
        "status.not started": "não iniciada",
        "status.broken": "com defeito",
        "course.summary": "{done} de {total} lições concluídas · idioma: {name} (l troca)",
        "course.resume": "Tecle c para continuar em “{title}”.",
        "course.start": "Tecle enter para abrir a lição destacada.",
        "course.steps": "{count} passos · {status}",
        "course.problems": "Esta lição não abre. Problemas encontrados:",
        "course.cannot_open": "“{title}” não abre: tem {count} problema(s).",
        "confirm.reset_lesson": "Recomeçar “{title}”? Os passos e respostas dela serão esquecidos.",
        "confirm.reset_all": "Esquecer todo o seu progresso neste curso?",
        "confirm.yes": "y  sim",
        "confirm.no": "n  não",
        "reset.done": "Progresso apagado.",
        "banner.title": "Nenhum Docker Engine",
        "banner.retry": "r: tentar de novo · as lições continuam legíveis",
        "banner.back": "O Docker voltou.",
        "images.missing": "Não está neste engine, e nenhum registry a fornece: {images}. "
        "Tecle P para preparar aqui as imagens do curso (uma substituta é feita com os "
        "pacotes desta máquina, cerca de um minuto).",
        "prepare.title": "Preparando as imagens do curso",
        "prepare.wait": "Trabalhando… (pode levar um ou dois minutos)",
        "prepare.ready": "Pronto: as lições agora fazem build FROM estas imagens. Enter: seguir.",
        "prepare.not_ready": "Ainda falta uma imagem (veja acima). Enter: seguir.",
        "prepare.busy": "Ainda preparando; não dá para parar no meio.",
        "step.of": "Passo {number} de {total}",
        "step.how.both": "Digite em um terminal (y copia), ou tecle t: o tutor executa.",
        "step.how.type": "Digite em um terminal (y copia); só você pode fazer este passo.",
        "step.how.tutor": "Tecle t e o tutor faz por você.",
        "step.hint": "Dica {number} de {total}: {text}",
        "step.no_hints": "Não há dicas para este passo.",
        "step.copied": "Copiado",
        "step.waiting": "Esperando você fazer…",
        "step.run_or_check": "Tecle t, ou digite você mesmo e depois tecle c.",
        "quit.cleaning": "Removendo {count} container(s) desta sessão… (q: sair já)",
        "step.checking": "Verificando…",
        "step.running": "O tutor está executando…",
        "step.preparing": "Copiando primeiro os arquivos da lição; o passo começa logo depois.",
        "step.passed": "Feito!",
        "step.not_yet": "Ainda não: {detail}",
        "step.failed": "Não funcionou: {detail}",
        "step.offline": "Esperando o Docker Engine.",
        "step.predict_first": "Faça sua previsão primeiro: tecle p.",
        "step.saved": "Não foi possível salvar o progresso: {error}",
        "lesson.complete": "Lição concluída! Tecle n para a próxima, escape para a lista.",
        "lesson.last": "Você terminou a última lição. Parabéns!",
        "predict.title": "Previsão",
        "predict.intro": "Antes deste passo: o que você espera?",
        "predict.keys": "Tecle um número, ou mova e tecle enter. Escape: decidir depois.",
        "outcome.title": "O que aconteceu",
        "outcome.yours": "Sua previsão: {choice}",
        "outcome.right": "O que acontece: {choice}",
        "outcome.match": "✔ Você acertou.",
        "outcome.miss": "✖ Não era o que você esperava. Veja por quê:",
        "outcome.keys": "Tecle enter para continuar.",
        "help.title": "Teclas",
        "help.keys": "Tecle escape para fechar.",
        "panel.lesson": "Lição",
        "panel.files": "Arquivos",
        "panel.layers": "Camadas",
        "panel.build": "Build",
        "panel.containers": "Containers",
        "panel.diff": "Diff",
        "panel.history": "Histórico",
        "panel.push": "Push",
    },
}
for _language, _words in PANEL_WORDS.items():
    WORDS[_language].update(_words)


#: A mark per lesson status, so the status reads without colour.
STATUS_MARK = {"done": "✔", "in progress": "◐", "not started": "·", "broken": "✖"}


def say(language: str, key: str, **values: object) -> str:
    """The screen text ``key`` in ``language`` (English when missing), filled in.

    Args:
        language: A lesson language (``pt-BR``, ``en``).
        key: The entry of :data:`WORDS`.
        **values: Values for the ``{name}`` fields of the text.

    Returns:
        The text, ready to show.
    """
    text = WORDS.get(language, {}).get(key) or WORDS["en"].get(key, key)
    return text.format(**values) if values else text
