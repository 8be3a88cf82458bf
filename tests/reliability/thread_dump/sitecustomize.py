"""Put on ``PYTHONPATH`` by the terminal harness (``tests/reliability/tty.py``) only.

SIGUSR1 makes the tutor write every thread's stack to ``LT_THREAD_DUMP``, and
SIGUSR2 the stack of every asyncio task of its event loop (where a handler
that awaits is waiting), so a test that finds the tutor stuck can say where
it is stuck instead of only what the screen showed. The tutor itself is
started as a learner starts it, ``python -m tutor``.
"""

import asyncio
import faulthandler
import os
import signal

_DUMP = os.environ.get("LT_THREAD_DUMP")


def _awaiting(coro: object) -> list[str]:
    """The chain of awaits a suspended coroutine is in, outermost first."""
    where = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            where.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return where


def _textual_state() -> list[str]:
    """What decides whether Textual draws: the notices, the toasts in each screen, the
    screen's pending updates and timer (a screen that stops drawing says why here)."""
    import sys
    import threading
    import time

    try:
        from textual.app import App
        from textual.widgets._toast import Toast
    except ImportError:
        return []
    # The app is frozen out of the collector's lists (gc.freeze); the main thread's
    # stack holds it (``run_tutor``'s ``app``).
    frame = sys._current_frames().get(threading.main_thread().ident or 0)
    apps: list[App[object]] = []
    while frame is not None:
        apps += [v for v in frame.f_locals.values() if isinstance(v, App) and v not in apps]
        frame = frame.f_back
    lines = []
    for app in apps:
        lines.append(f"app {app!r}: batch {app._batch_count}, now {time.time():.1f}")
        for n in app._notifications:
            lines.append(
                f"  notice {n.message[:30]!r} raised {n.raised_at:.1f} "
                f"timeout {n.timeout} left {n.time_left:.1f}"
            )
        for screen in app.screen_stack:
            timer = screen._update_timer
            lines.append(
                f"  screen {screen!r}: current {screen.is_current}, "
                f"dirty {len(screen._dirty_widgets)}, layout {screen._layout_required}, "
                f"repaint {screen._repaint_required}, "
                f"timer active {timer._active.is_set()}, callbacks {len(screen._callbacks)}"
            )
            flow = getattr(screen, "flow", None)
            if flow is not None:
                lines.append(
                    f"    steps: at {flow.index}, running {flow.running}, prepared "
                    f"{flow.prepared}, ran {sorted(flow.ran)}, passed {sorted(flow.passed)}"
                )
            for toast in screen.query(Toast):
                n = toast._notification
                lines.append(
                    f"    toast {n.message[:30]!r} left {n.time_left:.1f} "
                    f"mounted {toast.is_mounted} timers {len(toast._timers)}"
                )
        for worker in app.workers:
            lines.append(f"  worker {worker.name} of {worker.node!r}: {worker.state.name}")
    return lines


def _dump_tasks(_signum: int, _frame: object) -> None:
    """Runs in the main thread, where the event loop runs (a signal wakes its select).

    A widget's message pump idle on its queue is left out; what is left is
    a handler awaiting something.
    """
    loop = asyncio._get_running_loop()
    with open(_DUMP or os.devnull, "a", encoding="utf-8") as out:
        if loop is None:
            out.write("\n(no event loop runs)\n")
            return
        try:
            out.write("\n".join(_textual_state()) + "\n")
        except Exception as exc:  # a look for a test report, never a reason to fail it
            out.write(f"(textual state not read: {exc!r})\n")
        tasks = asyncio.all_tasks(loop)
        out.write(f"\n{len(tasks)} asyncio tasks; those not idle on their queue:\n")
        for task in tasks:
            where = _awaiting(task.get_coro())
            if any(w.endswith(" in _get_message") for w in where):
                continue
            out.write(f"{task.get_name()}\n" + "\n".join(where) + "\n")


if _DUMP:
    faulthandler.register(signal.SIGUSR1, file=open(_DUMP, "a"), all_threads=True)  # noqa: SIM115
    signal.signal(signal.SIGUSR2, _dump_tasks)


def _trace(line: str) -> None:
    import threading
    import time

    with open(_DUMP or os.devnull, "a", encoding="utf-8") as out:
        out.write(f"trace {time.time():.2f} [{threading.current_thread().name}] {line}\n")


def _traced_runs() -> None:
    """Note each step run's begin and end, and each ActionFinished posted, as they come:
    a lesson that thinks a step runs while no thread does says how it got there."""
    import importlib.abc
    import importlib.machinery
    import sys

    def patch_flow(module: object) -> None:
        flow = module.StepFlow  # type: ignore[attr-defined]
        begin, ended, passed = flow.begin_run, flow.run_ended, flow.pass_step

        def begin_run(self: object) -> None:
            _trace(f"begin_run at {self.index}")  # type: ignore[attr-defined]
            begin(self)

        def run_ended(self: object, step_id: str, ok: bool) -> bool:
            concerns = ended(self, step_id, ok)
            _trace(f"run_ended {step_id} ok={ok} concerns={concerns}")
            return concerns

        def pass_step(self: object, step: object) -> bool:
            _trace(f"pass_step {step.id} running={self.running}")  # type: ignore[attr-defined]
            return passed(self, step)

        flow.begin_run, flow.run_ended, flow.pass_step = begin_run, run_ended, pass_step

    def patch_messages(module: object) -> None:
        from textual.message_pump import MessagePump

        post = MessagePump.post_message
        finished = module.ActionFinished  # type: ignore[attr-defined]

        def post_message(self: MessagePump, message: object) -> bool:
            sent = post(self, message)  # type: ignore[arg-type]
            if isinstance(message, finished):
                _trace(f"post ActionFinished {message.step_id} to {self!r}: {sent}")
            return sent

        MessagePump.post_message = post_message  # type: ignore[method-assign]

    patches = {"tutor.course.step_flow": patch_flow, "tutor.messages": patch_messages}

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
            if name not in patches:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return None
            loader = spec.loader
            run = loader.exec_module

            def exec_module(module: object) -> None:
                run(module)  # type: ignore[arg-type]
                patches[name](module)

            loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, Finder())


if _DUMP:
    _traced_runs()
