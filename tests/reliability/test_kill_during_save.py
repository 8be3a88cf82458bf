"""A tutor killed while it saves loses nothing it had saved before.

A child process saves the progress file and the journal in a tight loop and
says, after each save returns, how far it got. The test SIGKILLs it at many
moments (some land in the middle of a write or a rename), then reads both
files back: each must load without a problem and hold every step the child
had acknowledged. No engine is needed; the files are the whole story.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tutor.course.journal import Journal
from tutor.progress_store import ProgressStore

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from pathlib import Path
from tutor.course.journal import Journal
from tutor.progress_store import ProgressStore

store = ProgressStore("course", "ana", root=Path(sys.argv[1]))
progress = store.load().progress
journal = Journal.load(store.path.with_name("journal.json"))
ids = [f"s{n}" for n in range(1, 100_001)]
# Go on from the last step both files hold (a kill may land between the two saves).
start = min(len(progress.of("lesson").steps_done), len(journal.answers))
for n in range(start + 1, 100_001):
    progress.mark_step_done("lesson", f"s{n}", ids)
    store.save(progress)
    journal.record_answer("lesson", f"s{n}", n % 3)
    print(n, flush=True)
"""


def run_and_kill(root: Path, after: float) -> int:
    """Run the saver, SIGKILL it ``after`` s into its saves; the last step it acknowledged."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert child.stdout is not None
    first = child.stdout.readline()  # saving has begun
    assert first.strip().isdigit(), first
    time.sleep(after)
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()
    child.wait(10)
    acknowledged = [int(line) for line in [first, *rest.splitlines()] if line.strip().isdigit()]
    return max(acknowledged)


def test_sigkill_at_random_moments_of_saving_loses_no_saved_step(tmp_path: Path) -> None:
    chance = random.Random(20261128)
    store = ProgressStore("course", "ana", root=tmp_path)
    for _trial in range(25):
        last = run_and_kill(tmp_path, chance.uniform(0.0, 0.05))
        loaded = store.load()
        assert loaded.problem is None, loaded.problem
        done = loaded.progress.of("lesson").steps_done
        # Every acknowledged save is there; at most the one in flight is extra.
        assert done[:last] == [f"s{n}" for n in range(1, last + 1)]
        assert len(done) in (last, last + 1)
        journal = Journal.load(store.path.with_name("journal.json"))
        assert journal.notes == []
        assert all(journal.answer("lesson", f"s{n}") == n % 3 for n in range(1, last + 1))
    # A killed write leaves at most its temporary file, never a damaged progress file.
    assert not list(tmp_path.rglob("*.corrupt-*"))
