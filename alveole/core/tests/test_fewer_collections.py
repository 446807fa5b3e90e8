"""`core.bulk.fewer_collections`: a batch runs with rarer garbage collections, then as before."""

import gc

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


def test_a_higher_threshold_set_by_the_process_is_kept(thresholds):
    gc.set_threshold(BATCH_GC_THRESHOLD * 2, 5, 5)
    with fewer_collections():
        assert gc.get_threshold() == (BATCH_GC_THRESHOLD * 2, 5, 5)
    assert gc.get_threshold() == (BATCH_GC_THRESHOLD * 2, 5, 5)


def test_the_thresholds_come_back_when_the_batch_fails(thresholds):
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a refused batch")
    assert gc.get_threshold() == (700, 10, 10)


def test_garbage_collection_still_runs_inside():
    class Node:
        pass

    with fewer_collections():
        node = Node()
        node.itself = node  # a cycle: only the collector frees it
        del node
        assert gc.collect() >= 1
