"""Atomic shared state for threads.

This module provides objects that several threads can read and update
without a lock, with the same semantics on the default build and on the
free-threaded build (where they take no lock at all):

- AtomicRef: a reference to any object, compared by identity.
- AtomicInt: a 64-bit signed integer.
- AtomicBool: a boolean flag.
- AtomicCounter: a striped counter for many concurrent writers.

Every operation is atomic and sequentially consistent: all threads see
all operations in one total order, and an update happens-before every
operation that observes its result.  See the documentation of the
atomics module for the details.
"""

from _atomics import AtomicBool, AtomicCounter, AtomicInt, AtomicRef

__all__ = ["AtomicBool", "AtomicCounter", "AtomicInt", "AtomicRef"]
