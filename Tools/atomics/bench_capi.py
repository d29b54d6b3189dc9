"""Micro-benchmark of the PyAtomicRef C API read paths, 1 and 2 threads.

Each thread runs a tight C loop (_testcapi.atomicref_bench) of reads of
one shared reference, all threads at once, for a fixed time; the table
gives the reads per second of all threads together (best of several
interleaved runs) and ratios against the baselines measured in the same
run:

  newref    Py_NewRef(field) + Py_DECREF on a plain field: no atomicity
  mutex     PyMutex_Lock + Py_NewRef(field) + PyMutex_Unlock + Py_DECREF
  get       PyAtomicRef_Get + Py_DECREF (strong read, object API)
  field     PyAtomicRefField_Get + Py_DECREF (strong read, embedded field)
  borrowed  BeginRead + PyUnstable_AtomicRefField_GetBorrowed + EndRead

The "fair" column is, for the run shown, the slowest thread's reads over
the fastest thread's: 1.00 when the threads got equal turns, near 0 when
one thread kept the value's cache line (or the lock) to itself.

Usage: ./python Tools/atomics/bench_capi.py [--seconds S] [--runs R] [--threads 1,2]
           [--plot FILE.svg]

This is a benchmark program, not a test: it asserts nothing.
"""

import argparse
import sys
import threading
import time

try:
    import _testcapi
except ImportError:
    sys.exit("needs _testcapi (a build with test modules)")
from atomics import AtomicRef

KINDS = ["newref", "mutex", "get", "field", "borrowed"]


def run(kind, ref, nthreads, seconds):
    """Reads per second over all threads, and the slowest thread's count
    over the fastest one's (1.0 when all threads got equal turns).  Every
    thread reads from the
    moment the main thread says go until it says stop, so the threads
    overlap for the whole measured span."""
    counts = [0] * nthreads

    def worker(i):
        counts[i] = _testcapi.atomicref_bench(kind, ref)

    control = _testcapi.atomicref_bench_control
    control("reset")
    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(nthreads)]
    for t in threads:
        t.start()
    while control("arrived") < nthreads:
        time.sleep(0.001)
    start = time.perf_counter()
    control("go")
    time.sleep(seconds)
    control("stop")
    end = time.perf_counter()
    for t in threads:
        t.join()
    return sum(counts) / (end - start), min(counts) / max(counts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.2,
                        help="length of one timed run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--plot", help="write an SVG bar chart of the rates")
    args = parser.parse_args()
    table = {}
    nthreads = [int(x) for x in args.threads.split(",")]

    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(f"# {sys.version.split()[0]} {'GIL' if gil else 'free-threaded'}, "
          f"{args.seconds:g} s per run, best of {args.runs} interleaved runs")
    for label, value in [("mortal value (object())", object()),
                         ("immortal value (None)", None)]:
        ref = AtomicRef(value)
        # Interleaved runs, best of each (as timeit): drift in machine
        # speed hits all kinds alike.
        rates = {}
        fair = {}
        for _ in range(args.runs):
            for t in nthreads:
                for kind in KINDS:
                    r, f = run(kind, ref, t, args.seconds)
                    if r > rates.get((kind, t), 0.0):
                        rates[kind, t] = r
                        fair[kind, t] = f
        print(f"\n## {label}: reads/s of all threads together")
        head = f"{'kind':<10}" + "".join(f"{str(t) + ' thr':>14}" for t in nthreads)
        if len(nthreads) > 1:
            head += f"{'scaling':>10}"
        head += "".join(f"{'/newref@' + str(t):>12}{'/mutex@' + str(t):>11}"
                        for t in nthreads)
        if nthreads[-1] > 1:
            head += f"{'fair@' + str(nthreads[-1]):>9}"
        print(head)
        for kind in KINDS:
            table[label, kind] = {
                t: (rates[kind, t], rates[kind, t] / rates["mutex", t])
                for t in nthreads}
            row = f"{kind:<10}" + "".join(
                f"{rates[kind, t] / 1e6:>12.1f}M " for t in nthreads)
            if len(nthreads) > 1:
                row += f"{rates[kind, nthreads[-1]] / rates[kind, nthreads[0]]:>9.2f}x"
            row += "".join(
                f"{rates[kind, t] / rates['newref', t]:>11.2f}x"
                f"{rates[kind, t] / rates['mutex', t]:>10.2f}x"
                for t in nthreads)
            if nthreads[-1] > 1:
                row += f"{fair[kind, nthreads[-1]]:>9.2f}"
            print(row)
    if args.plot:
        from bench_atomics import write_svg   # same directory
        write_svg(args.plot, table, nthreads)
        print(f"\nplot written to {args.plot} (ratios to the mutex)")


if __name__ == "__main__":
    main()
