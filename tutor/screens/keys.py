"""The footer and the help screen in the learner's language.

Textual fixes a key's description once per class (``BINDINGS``). The tutor
keeps those in English, as the code's own names, and translates them where
they are shown: :class:`TranslatedKeys` gives a screen's footer the words of
the current lesson language, and the help screen asks :func:`key_words` for
each row. A description without a translation stays as it is.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from textual.binding import ActiveBinding
from textual.screen import Screen

#: English key description -> its words per language (English needs none).
KEY_WORDS: dict[str, dict[str, str]] = {
    "pt-BR": {
        "Quit": "Sair",
        "Help": "Ajuda",
        "Language": "Idioma",
        "Retry": "Reconectar",
        "Prepare images": "Preparar imagens",
        "Open": "Abrir",
        "Resume": "Continuar",
        "Reset lesson": "Zerar lição",
        "Reset all": "Zerar tudo",
        "Yes": "Sim",
        "No": "Não",
        "Close help": "Fechar ajuda",
        "Run for me": "Executar",
        "Hint": "Dica",
        "Check": "Verificar",
        "Back": "Voltar",
        "Panels": "Painéis",
        "Next lesson": "Próxima lição",
        "Predict": "Prever",
        "Copy command": "Copiar comando",
        "Choose an answer": "Escolher resposta",
        "Go on": "Continuar",
        "Decide later": "Decidir depois",
        "Follow output": "Seguir saída",
        "Next path": "Próximo caminho",
        "Previous path": "Caminho anterior",
        "First path": "Primeiro caminho",
        "Last path": "Último caminho",
        "Next ▲ new": "Próximo ▲ novo",
        "Page down": "Página abaixo",
        "Page up": "Página acima",
        "Line down": "Linha abaixo",
        "Line up": "Linha acima",
        "First line": "Primeira linha",
        "Last line": "Última linha",
        "Logs": "Logs",
        "Open page": "Abrir página",
        "Stop": "Parar",
        "Previous file": "Arquivo anterior",
        "Next file": "Próximo arquivo",
        "Show layer": "Ver layer",
        "Older layer": "Layer mais antiga",
        "Newer layer": "Layer mais nova",
        "Newest layer": "Layer do topo",
        "Base layer": "Layer da base",
        # Section titles of the help screen.
        "Lesson": "Lição",
        "Course": "Curso",
        "Prediction": "Previsão",
        "Everywhere": "Em toda parte",
        "Files panel": "Painel Arquivos",
        "Layers panel": "Painel Camadas",
        "Build panel": "Painel Build",
        "Containers panel": "Painel Containers",
        "Diff panel": "Painel Diff",
        "History panel": "Painel Histórico",
        "Push panel": "Painel Push",
    },
}


def key_words(language: str, description: str) -> str:
    """``description`` (a key's English words) in ``language``, or as it is."""
    return KEY_WORDS.get(language, {}).get(description, description)


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
        if language not in KEY_WORDS:
            return shown
        return {
            key: active._replace(
                binding=dataclasses.replace(
                    active.binding, description=key_words(language, active.binding.description)
                )
            )
            for key, active in shown.items()
        }
