"""How `newsetl` meets SIGTERM and a clean-up that hangs: each case in a fresh interpreter,
since a signal handler and the last-resort timer act on the whole process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest


def _python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_sigterm_outside_a_flow_is_a_keyboard_interrupt() -> None:
    done = _python(
        """
        import os, signal, time
        from newsetl import cli
        signal.signal(signal.SIGTERM, cli._interrupt)
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
        """
    )
    assert done.stdout.strip() == "KeyboardInterrupt", done.stderr


def test_prefects_second_delivery_raises_nothing_into_its_clean_up() -> None:
    """Prefect raises TerminationSignal, then sends SIGTERM again to the handler it replaced:
    the clean-up must run to its end, and what reaches the command is Prefect's exception."""
    done = _python(
        """
        import os, signal, time
        from prefect.utilities.engine import capture_sigterm
        from newsetl import cli
        signal.signal(signal.SIGTERM, cli._interrupt)
        try:
            with capture_sigterm():
                try:
                    os.kill(os.getpid(), signal.SIGTERM)
                    time.sleep(10)
                finally:
                    time.sleep(0.2)  # a clean-up's work, where the second delivery lands
                    print("clean-up finished")
        except cli._interrupts() as exc:
            print(type(exc).__name__, type(exc.__context__).__name__)
        """
    )
    assert done.stdout.split("\n")[:2] == ["clean-up finished", "TerminationSignal NoneType"], (
        done.stdout + done.stderr
    )


@pytest.mark.parametrize("how", ["signal", "ctrl-c"])
def test_a_hung_clean_up_ends_within_the_grace(how: str) -> None:
    """Whatever hangs after an interrupt, the process ends STOP_GRACE later, saying so."""
    trigger = (
        "os.kill(os.getpid(), signal.SIGTERM)"
        if how == "signal"
        else "cli._end_after_grace()  # what main's handler of Ctrl-C does"
    )
    started = time.monotonic()
    done = _python(
        f"""
        import os, signal, threading, time
        from newsetl import cli
        cli.STOP_GRACE = 1.0
        signal.signal(signal.SIGTERM, cli._interrupt)
        try:
            {trigger}
            time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        threading.Event().wait(50)  # the hang: no signal, no timeout wakes it
        print("not reached")
        """
    )
    assert done.returncode == 130, done.stderr
    assert "not reached" not in done.stdout
    assert "still stopping 1 s after the interrupt" in done.stderr
    assert "threading.py" in done.stderr  # where the hung thread stood
    assert time.monotonic() - started < 40
