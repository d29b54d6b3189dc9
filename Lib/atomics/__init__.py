"""Atomic shared state for threads.

This module provides objects that several threads can read and update
without a lock, with the same semantics on the default build and on the
free-threaded build (where they take no lock at all):

- AtomicRef: a reference to any object, compared by identity.
- AtomicInt: a 64-bit signed integer.
- AtomicBool: a boolean flag.
- AtomicCounter: a striped counter for many concurrent writers.
- AtomicDict: a mapping whose lookups take no lock and whose updates of
  different keys do not wait for each other.
- Queue: a FIFO queue with the API of queue.Queue whose put() and get()
  take no lock unless they have to wait.

Every operation on one object (one key, for AtomicDict) is atomic and
sequentially consistent: all threads see all such operations in one total
order, and an update happens-before every operation that observes its
result.  See the documentation of the atomics module for the details.
"""

from collections.abc import ItemsView, KeysView, MutableMapping, ValuesView

from _atomics import (AtomicBool, AtomicCounter, AtomicDict, AtomicInt,
                      AtomicRef, NOT_FOUND, Queue)

__all__ = ["AtomicBool", "AtomicCounter", "AtomicDict", "AtomicInt",
           "AtomicRef", "NOT_FOUND", "Queue"]

MutableMapping.register(AtomicDict)
KeysView.register(type(AtomicDict().keys()))
ValuesView.register(type(AtomicDict().values()))
ItemsView.register(type(AtomicDict().items()))
