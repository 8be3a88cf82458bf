"""Put on ``PYTHONPATH`` by the terminal harness (``tests/reliability/tty.py``) only.

SIGUSR1 makes the tutor write every thread's stack to ``LT_THREAD_DUMP``, so a
test that finds the tutor stuck can say where it is stuck (a thread waiting on
the engine, a lock) instead of only what the screen showed. The tutor itself
is started as a learner starts it, ``python -m tutor``.
"""

import faulthandler
import os
import signal

_DUMP = os.environ.get("LT_THREAD_DUMP")
if _DUMP:
    faulthandler.register(signal.SIGUSR1, file=open(_DUMP, "a"), all_threads=True)  # noqa: SIM115
