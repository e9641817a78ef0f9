"""The collector is paused while long-lived objects are built and left as it was after."""

from __future__ import annotations

import gc

import pytest

from newsetl import heap


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_restores_the_collector_and_freezes_what_was_built(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        frozen = gc.get_freeze_count()
        with heap.paused():
            assert not gc.isenabled()
            built = [[i] for i in range(1000)]  # tracked containers
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() >= frozen + len(built)
    finally:
        gc.unfreeze()
        gc.enable()


def test_paused_restores_the_collector_when_the_build_fails() -> None:
    gc.enable()
    with pytest.raises(ValueError), heap.paused():
        raise ValueError("build failed")
    assert gc.isenabled()
    gc.unfreeze()
