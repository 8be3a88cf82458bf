"""Labels: namespaces folded into names Docker accepts; the tutor's LABEL step told apart."""

from __future__ import annotations

import pytest

from tutor.engine.labels import is_ours, is_tutor_labels, labels_for, sanitize_namespace


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("LABEL org.layers-tutor.lesson=build org.layers-tutor.tool=layers-tutor", True),
        ('LABEL "org.layers-tutor.tool"="layers-tutor"', True),
        ("label org.layers-tutor.namespace=ana", True),
        ("LABEL maintainer=ana org.layers-tutor.tool=layers-tutor", False),  # the learner's too
        ("LABEL maintainer=ana", False),
        ("LABEL", False),
        ("RUN echo org.layers-tutor.tool=x", False),
        ("", False),
    ],
)
def test_the_tutors_label_step_is_told_apart(instruction: str, expected: bool) -> None:
    assert is_tutor_labels(instruction) is expected


def test_namespaces_fold_into_what_docker_names_accept() -> None:
    assert sanitize_namespace("Ana Maria.Souza") == "ana-maria-souza"
    assert sanitize_namespace("___") == "learner"
    assert len(sanitize_namespace("x" * 100)) == 40


def test_labels_say_whose_an_object_is() -> None:
    mine = labels_for("ana", "build")
    assert is_ours(mine) and is_ours(mine, "ana") and not is_ours(mine, "bia")
    assert not is_ours({"org.layers-tutor.tool": "other-tool"})
    assert not is_ours(None)
