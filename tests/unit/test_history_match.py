"""An image's history against the Dockerfile it should come from (issue 12, finding 20)."""

from __future__ import annotations

from tutor.engine.dockerfile_steps import parse_steps
from tutor.engine.history_match import Mismatch, Row, base_of, first_mismatch, same_instruction

DOCKERFILE = """FROM python:3.8-alpine
RUN pip install flask
CMD ["python","app.py"]
COPY app.py /app.py
"""
BASE = [Row('/bin/sh -c #(nop)  CMD ["python3"]'), Row("/bin/sh -c #(nop) ADD file:ab in / ")]
CLASSIC = [
    Row("/bin/sh -c #(nop) COPY file:" + "c" * 64 + " in /app.py "),
    Row('/bin/sh -c #(nop)  CMD ["python" "app.py"]'),
    Row("/bin/sh -c pip install flask"),
]
BUILDKIT = [
    Row("COPY app.py /app.py # buildkit", "buildkit.dockerfile.v0"),
    Row('CMD ["python" "app.py"]', "buildkit.dockerfile.v0"),
    Row("RUN /bin/sh -c pip install flask # buildkit", "buildkit.dockerfile.v0"),
]
STEPS = parse_steps(DOCKERFILE)


def test_the_dockerfiles_own_history_matches_from_either_builder() -> None:
    assert first_mismatch(STEPS, CLASSIC + BASE, BASE) is None
    assert first_mismatch(STEPS, BUILDKIT + BASE, BASE) is None
    assert base_of(STEPS) == "python:3.8-alpine"
    assert base_of(parse_steps("FROM --platform=linux/amd64 a AS b\nFROM c:1 AS d\n")) == "c:1"


def test_an_unrelated_image_is_told_apart_with_the_first_difference() -> None:
    other = [Row("/bin/sh -c echo other > /x")]
    assert first_mismatch(STEPS, other + BASE, BASE) == Mismatch(
        number=2, expected="RUN pip install flask", found="RUN echo other > /x"
    )
    assert first_mismatch(STEPS, BASE, BASE) == Mismatch(
        number=2, expected="RUN pip install flask", found=""
    )
    extra = [Row("/bin/sh -c #(nop)  EXPOSE 5000")]
    assert first_mismatch(STEPS, extra + CLASSIC + BASE, BASE) == Mismatch(found="EXPOSE 5000")
    assert first_mismatch(STEPS, CLASSIC + BASE[1:], BASE) == Mismatch(base=True)
    assert first_mismatch(STEPS, CLASSIC + BASE, None) == Mismatch(base=True)
    moved = [CLASSIC[1], CLASSIC[2], CLASSIC[0]]
    assert first_mismatch(STEPS, moved + BASE, BASE) == Mismatch(
        number=2, expected="RUN pip install flask", found="COPY file:cccccccccccc in /app.py"
    )


def test_instructions_compare_by_what_they_do() -> None:
    assert same_instruction('CMD ["python","app.py"]', 'CMD ["python" "app.py"]')
    assert not same_instruction('CMD ["python","app.py"]', 'CMD ["python" "other.py"]')
    assert same_instruction("COPY app.py /app.py", "COPY file:cccccccccccc in /app.py")
    assert not same_instruction("COPY app.py /app.py", "COPY file:cccccccccccc in /b.py")
    assert not same_instruction("RUN pip install flask", "")
