"""Helpers shared by the tests of the atomics module and of the PyAtomicRef
C API (test_atomics, test_capi.test_atomicref)."""

import contextlib
import gc
import textwrap
import threading
import unittest
import weakref

from test import support
from test.support import threading_helper

NTHREADS = 4

# Shrink the stress loops under sanitizers and on debug builds.
if support.check_sanitizer(thread=True, address=True, memory=True):
    ITERATIONS = 1_000
elif support.Py_DEBUG:
    ITERATIONS = 3_000
else:
    ITERATIONS = 20_000


@contextlib.contextmanager
def another_thread_running():
    """Run a thread that spins in Python code for the duration of the
    block (so that it keeps passing quiescent states, each a little after
    the writes of the block)."""
    stop = []

    def spin():
        n = 0
        while not stop:
            n += 1
    t = threading.Thread(target=spin)
    t.start()
    try:
        yield
    finally:
        stop.append(True)
        t.join()


@contextlib.contextmanager
def retention_bound():
    """No automatic garbage collection for the duration of the block: a
    test of what writes release alone (a collection releases everything
    that is due)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def count_alive(refs):
    """How many of the weak references refs still have their object."""
    return sum(r() is not None for r in refs)


def settle(write, until=None, rounds=50, writes=20, seconds=10):
    """Let the other threads run (each round sleeps a millisecond) and
    call write() a few times a round, for rounds rounds, then on while
    until() (if given) is false, for seconds at most: on a busy machine a
    thread that was preempted while running Python code holds every
    grace period up until it runs again, which is QSBR, not retention.
    A test asserts until() after it: what writes never release still
    fails it."""
    import time
    deadline = time.monotonic() + seconds
    n = 0
    while n < rounds or (until is not None and not until()
                         and time.monotonic() < deadline):
        time.sleep(0.001)
        for _ in range(writes):
            write()
        n += 1


def run_concurrently(funcs):
    """Start one thread per function behind a barrier, join them all and
    re-raise the first exception any of them raised."""
    barrier = threading.Barrier(len(funcs))
    errors = []

    def wrap(func):
        def run():
            barrier.wait()
            try:
                func()
            except BaseException as exc:
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(f)) for f in funcs]
    with threading_helper.start_threads(threads):
        pass
    if errors:
        raise errors[0]


def call_with_failing_allocations(func, start=0, stop=0):
    """Call func() with memory allocations number start to stop (all from
    start if stop is 0) failing, through _testcapi.set_nomemory().  Return
    the exception func raised (None if none), without its traceback.
    Nothing but func runs while allocations fail.

    When even the MemoryError cannot be allocated, the interpreter raises
    its one static last-resort instance; each raise prepends to that
    instance's traceback, which would keep every frame (and what the
    frames hold) alive for good: the traceback is dropped here."""
    from test.support import import_helper
    _testcapi = import_helper.import_module('_testcapi')
    exc = None
    _testcapi.set_nomemory(start, stop)
    try:
        func()
    except BaseException as e:
        exc = e
    finally:
        _testcapi.remove_mem_hooks()
    if exc is not None:
        exc.__traceback__ = None
    return exc


def cleared_atomicref(ref_type):
    """Return an atomic reference of ref_type that the garbage collector
    cleared (tp_clear) in a reference cycle, still reachable: a finalizer
    of the cycle made weak references whose callback, run in the clear
    phase, keeps it."""
    keep, got = [], []

    def callback(_):
        got.append(keep[0]())

    class Finalized:
        def __del__(self):
            keep.append(weakref.ref(self.ref))
            keep.append(weakref.ref(self.ref.get(), callback))

    class Value:
        pass

    def make_cycle():
        fin, value = Finalized(), Value()
        ref = ref_type(value)
        fin.ref = ref
        value.fin = fin
        value.ref = ref
    make_cycle()
    gc.collect()
    if not got or got[0] is None or '<empty>' not in repr(got[0]):
        # This collector frees the reference, or clears the weak
        # references to it, before such a callback can reach it (the
        # default build; the free-threaded one since 3.13.15): empty one
        # the way tp_clear does, through the C API.
        try:
            import _testcapi
        except ImportError:
            raise unittest.SkipTest("this garbage collector does not let "
                                    "a cleared reference be reached")
        ref = ref_type(Value())
        _testcapi.atomicref_field_clear(ref)
        return ref
    return got[0]


# Source of a function for scripts that tests run in a new interpreter:
# fork_children(n, child) forks n times (while the script's own threads
# run); each child calls child() and exits with what it returns (0 for
# success, 4 if it raised).  A child that has not exited after 20 seconds
# is killed and counted; the count is returned.
FORK_CHILDREN = textwrap.dedent('''
    def fork_children(n, child):
        import os, time
        hung = 0
        for _ in range(n):
            pid = os.fork()
            if pid == 0:
                try:
                    code = child()
                except BaseException:
                    code = 4
                os._exit(code)
            deadline = time.monotonic() + 20
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    assert os.waitstatus_to_exitcode(status) == 0, status
                    break
                if time.monotonic() > deadline:
                    hung += 1
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.005)
        return hung
''')
