"""The collector kept off the long-lived heap: the transforms' tables and the imported modules.

Python's cyclic garbage collector traverses every tracked object in the generation it collects,
and a full collection traverses them all. A run holds two heaps of long-lived objects that never
become garbage: the transforms' tables (the gazetteer alone is about a million objects) and the
modules the flow imports (Prefect, pydantic, the client). Measured on the 10k benchmark folder,
the collections triggered while the tables were built took 3 of the warm-up's 7.7 s of CPU, and
the flow process's eleven full collections 1.8 s of its 11.8 s. Both places therefore build
with the collector paused and then `gc.freeze` what they built, as Python's documentation
advises before forking: later collections skip it, and forked workers leave its pages shared.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle() -> None:
    """Collect what is garbage now, then move every surviving object out of the collector's
    reach (`gc.freeze`): call it once the long-lived objects are built, before the work loop."""
    gc.collect()
    gc.freeze()


@contextmanager
def paused() -> Iterator[None]:
    """Build long-lived objects without collections, then `settle` them; the collector's
    previous state (on or off) is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        settle()
        if was_enabled:
            gc.enable()
