"""The one-ahead batch reader used by scoring."""

from __future__ import annotations

import threading

import pytest

from scorehouse.jobs.runtime.prefetch import prefetched


def test_yields_everything_in_order_from_another_thread():
    threads = []

    def source():
        for i in range(5):
            threads.append(threading.current_thread().name)
            yield i

    with prefetched(source()) as items:
        assert list(items) == [0, 1, 2, 3, 4]
    assert set(threads) == {"scorehouse-prefetch"}


def test_producer_errors_reach_the_consumer():
    def source():
        yield 1
        raise ValueError("bad batch")

    with prefetched(source()) as items, pytest.raises(ValueError, match="bad batch"):
        list(items)


def test_leaving_early_stops_the_producer():
    produced = []

    def source():
        for i in range(1000):
            produced.append(i)
            yield i

    with pytest.raises(RuntimeError):
        with prefetched(source()) as items:
            for item in items:
                if item == 2:
                    raise RuntimeError("consumer failed")
    assert len(produced) <= 5  # bounded read-ahead, then stopped
