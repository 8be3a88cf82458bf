"""No test removes every learner's objects: other tests use the same engine at the same time.

Tests are isolated by namespace, so they run side by side on one engine (and
the long reliability runs overlap with whatever else runs there). A test that
calls ``clean(engine, None)`` or ``tutor clean --all`` for real removes the
containers and images of every other test running then: the hundred-kill run
once found its learner's ``-cow`` container gone mid-lesson this way. Such a
test asks with ``dry_run=True`` instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _everyones_clean_up(call: ast.Call) -> bool:
    """``clean(engine, None)`` (or ``namespace=None``) without ``dry_run=True``."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if name != "clean":
        return False
    keywords = {k.arg: k.value for k in call.keywords}
    if not (len(call.args) > 1 and _is_none(call.args[1])) and not (
        "namespace" in keywords and _is_none(keywords["namespace"])
    ):
        return False
    dry = keywords.get("dry_run")
    return not (isinstance(dry, ast.Constant) and dry.value is True)


def _clean_all_command(node: ast.List | ast.Tuple) -> bool:
    words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
    return {"clean", "--all"} <= words


def offenders(source: str) -> list[int]:
    """Lines of ``source`` that clean up every learner's objects for real."""
    found = []
    for node in ast.walk(ast.parse(source)):
        call = isinstance(node, ast.Call) and _everyones_clean_up(node)
        command = isinstance(node, ast.List | ast.Tuple) and _clean_all_command(node)
        if call or command:
            found.append(getattr(node, "lineno", 0))
    return found


def test_the_rule_sees_what_it_forbids() -> None:
    assert offenders("clean(engine, None)\n") == [1]
    assert offenders("x = 1\ncleanup.clean(engine, namespace=None)\n") == [2]
    assert offenders("run([sys.executable, '-m', 'tutor', 'clean', '--all'])\n") == [1]
    assert offenders("clean(engine, None, dry_run=True)\nclean(engine, namespace)\n") == []


def test_no_test_cleans_up_every_learners_objects() -> None:
    here = Path(__file__).resolve()
    found = {
        f"{path.relative_to(TESTS)}:{line}"
        for path in TESTS.rglob("*.py")
        if path != here
        for line in offenders(path.read_text(encoding="utf-8"))
    }
    assert found == set()
