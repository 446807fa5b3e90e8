"""`core.bulk.fewer_collections`: bulk work runs with rarer garbage collections, then as before."""

import gc
import threading

import pytest

from alveole.core.bulk import BATCH_GC_THRESHOLD, fewer_collections


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_the_youngest_generation_waits_longer_inside_and_as_before_after(thresholds):
    gc.set_threshold(700, 10, 10)
    with fewer_collections():
        assert gc.get_threshold() == (BATCH_GC_THRESHOLD, 10, 10)
        with fewer_collections():  # nested: still raised, then back to the outer's
            assert gc.get_threshold() == (BATCH_GC_THRESHOLD, 10, 10)
        assert gc.get_threshold() == (BATCH_GC_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_batches_of_two_threads_put_the_thresholds_back(thresholds):
    """The first ends before the second: the thresholds come back when the last ends."""
    gc.set_threshold(700, 10, 10)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[tuple[int, ...]] = []

    def first() -> None:
        with fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with fewer_collections():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.get_threshold())  # the first has ended: still raised

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [(BATCH_GC_THRESHOLD, 10, 10)]
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_set_by_the_process_is_kept(thresholds):
    gc.set_threshold(BATCH_GC_THRESHOLD * 2, 5, 5)
    with fewer_collections():
        assert gc.get_threshold() == (BATCH_GC_THRESHOLD * 2, 5, 5)
    assert gc.get_threshold() == (BATCH_GC_THRESHOLD * 2, 5, 5)


def test_automatic_collection_turned_off_stays_off(thresholds):
    gc.set_threshold(0, 10, 10)
    with fewer_collections():
        assert gc.get_threshold() == (0, 10, 10)
    assert gc.get_threshold() == (0, 10, 10)


def test_the_thresholds_come_back_when_the_batch_fails(thresholds):
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a refused batch")
    assert gc.get_threshold() == (700, 10, 10)


def test_automatic_collections_still_run_inside_only_less_often(thresholds):
    """Counted by the collector's own callback, while objects that it tracks are made."""
    gc.set_threshold(700, 10, 10)
    collections: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    kept: list[list[int]] = []
    gc.callbacks.append(count)
    try:
        gc.collect()
        collections.clear()
        with fewer_collections():
            kept.extend([i] for i in range(BATCH_GC_THRESHOLD // 2))
            assert collections == []  # 25 000 new objects: the default would collect ~35 times
            kept.extend([i] for i in range(BATCH_GC_THRESHOLD))
            assert collections  # past 50 000: collected, as the memory claim needs
    finally:
        gc.callbacks.remove(count)
