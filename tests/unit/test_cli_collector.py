"""The short engine commands, and the app until its first frame, run with the garbage
collector off; each leaves it on."""

from __future__ import annotations

import argparse
import gc

import pytest

from tutor import cli


@pytest.mark.parametrize("command", ["layers", "diff", "shared"])
def test_a_one_shot_command_runs_without_the_collector(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def handler(args: argparse.Namespace) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(cli, f"_{command}", handler)
    argv = {"layers": ["layers", "img"], "diff": ["diff", "c"], "shared": ["shared", "a", "b"]}
    assert gc.isenabled()
    assert cli.main(argv[command]) == 0
    assert seen == [False]
    assert gc.isenabled()  # on again for whoever called main in-process


def test_the_collector_comes_back_after_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_diff", handler)
    assert cli.main(["diff", "c"]) == 130
    assert gc.isenabled()


def test_the_app_starts_without_the_collector_and_it_is_on_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Off while the tutor imports and draws its first frame (the app turns it on
    after that frame); on again however the app ends, for an in-process caller."""
    import tutor.launch

    seen: list[bool] = []

    def run_tutor(**options: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(tutor.launch, "run_tutor", run_tutor)
    assert cli.main([]) == 0
    assert seen == [False]
    assert gc.isenabled()

    def interrupted(**options: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(tutor.launch, "run_tutor", interrupted)
    assert cli.main([]) == 130
    assert gc.isenabled()
