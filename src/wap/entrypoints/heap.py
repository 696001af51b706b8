"""The garbage collector of a serving process.

Everything a process builds before it serves (modules, the app and its routes, the container's
singletons, the pools) lives as long as the process, about a million objects. CPython's
collector walks all of them at every full collection, and under load one came every few
hundred requests: 90 ms with the event loop stopped, each time, which was a third of a
saturated server's CPU and the whole tail of its latency (docs/performance.md, *Fourth pass*).
``gc.freeze()`` moves what exists at that moment out of the collector's sight (reference
counting still frees it), so a full collection walks only what the requests made since.
"""

from __future__ import annotations

import gc

# CPython's default is 700 allocations between young collections. A request allocates
# hundreds of tracked objects, nearly all freed by reference counting when it ends; with 64
# requests in flight a small threshold runs a collection every few requests and promotes the
# in-flight requests' objects to the older generations, which only a full collection frees.
YOUNG_THRESHOLD = 7_000


def settle_heap() -> None:
    """Call once the process has started and before it serves: collect what start-up left
    over, freeze the rest, and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
