"""Read the next batch while the current one is being scored (I/O overlapped with compute).

DuckDB and scikit-learn's tree code release the GIL, so fetching batch k+1 on a background thread
while batch k is predicted uses the second core. At most ``depth`` batches wait in memory, so memory
stays bounded. The iterable must not share a connection with the consumer (use
``Warehouse.sibling()``).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


@contextlib.contextmanager
def prefetched(items: Iterable[T], depth: int = 1) -> Iterator[Iterator[T]]:
    """Context manager yielding an iterator over ``items`` produced one step ahead on a thread.

    Errors in the producer are re-raised in the consumer; leaving the block early stops the
    producer and waits for it, so nothing touches the source after the block.
    """
    slots: queue.Queue = queue.Queue(maxsize=depth)
    closed = threading.Event()

    def put(item) -> bool:
        while not closed.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer
            put(_Failure(error))
            return
        put(_DONE)

    def consume() -> Iterator[T]:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item

    thread = threading.Thread(target=produce, name="scorehouse-prefetch", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        closed.set()
        thread.join()
