"""The run's progress display: Prefect's log lines above the bar, what it waits for shown."""

from __future__ import annotations

import io
import logging

from prefect.logging.handlers import PrefectConsoleHandler
from rich.console import Console

from newsetl.progress import current, display, progress_bar


def test_log_lines_go_above_the_bar_and_handlers_are_restored() -> None:
    logger = logging.getLogger("prefect.newsetl-progress-test")
    handler = PrefectConsoleHandler(stream=io.StringIO())
    logger.addHandler(handler)
    before = handler.console
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    try:
        with display(True, console=console) as shown:
            assert handler.console is console  # printed by the Live display, above its line
            shown.status("starting the Prefect flow")
            late = PrefectConsoleHandler(stream=io.StringIO())  # a flow run's own set-up
            logger.addHandler(late)
            assert current(True) is shown and late.console is console
            with progress_bar(True, total=4) as bar:
                assert bar is shown  # the flow reuses the CLI's display
                bar.status("waiting for transforms")
                logger.warning("quarantined broken.html: empty file")
                bar.advance(2, 123.0)
        logger.removeHandler(late)
        assert late.console is not console
    finally:
        logger.removeHandler(handler)
    assert handler.console is before
    out = screen.getvalue()
    assert "quarantined broken.html: empty file" in out
    assert "waiting for transforms" in out and "2/4" in out and "123 documents/s" in out
    assert current(True).__class__.__name__ == "Display"  # closed: silent again


def test_silent_when_not_a_terminal() -> None:
    with display(False) as shown:
        shown.status("anything")
        shown.advance(1, 1.0)
    with progress_bar(False, total=3) as bar:
        bar.advance(3, 10.0)
