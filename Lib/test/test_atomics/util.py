"""Helpers shared by the atomics tests."""

import threading

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
