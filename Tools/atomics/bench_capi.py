"""Micro-benchmark of the PyAtomicRef C API read paths, 1 and 2 threads.

Each thread runs a tight C loop (_testcapi.atomicref_bench) of N reads of
one shared reference; the table gives the reads per second of all threads
together (all reads over the span from the first start to the last end,
best of several interleaved runs) and ratios against the baselines measured in the
same run:

  newref    Py_NewRef(field) + Py_DECREF on a plain field: no atomicity
  mutex     PyMutex_Lock + Py_NewRef(field) + PyMutex_Unlock + Py_DECREF
  get       PyAtomicRef_Get + Py_DECREF (strong read, object API)
  field     PyAtomicRefField_Get + Py_DECREF (strong read, embedded field)
  borrowed  BeginRead + PyUnstable_AtomicRefField_GetBorrowed + EndRead

Usage: ./python Tools/atomics/bench_capi.py [--n N] [--runs R] [--threads 1,2]
           [--plot FILE.svg]

This is a benchmark program, not a test: it asserts nothing.
"""

import argparse
import sys
import threading

try:
    import _testcapi
except ImportError:
    sys.exit("needs _testcapi (a build with test modules)")
from atomics import AtomicRef

KINDS = ["newref", "mutex", "get", "field", "borrowed"]


def run(kind, ref, nthreads, n):
    """Reads per second over all threads: total reads divided by the span
    from the first thread's start to the last thread's end."""
    barrier = threading.Barrier(nthreads)
    spans = [None] * nthreads

    def worker(i):
        barrier.wait()
        spans[i] = _testcapi.atomicref_bench(kind, ref, n)

    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    return nthreads * n / ((end - start) / 1e9)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000_000,
                        help="reads per thread per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--plot", help="write an SVG bar chart of the rates")
    args = parser.parse_args()
    table = {}
    nthreads = [int(x) for x in args.threads.split(",")]

    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(f"# {sys.version.split()[0]} {'GIL' if gil else 'free-threaded'}, "
          f"{args.n:,} reads/thread, best of {args.runs} interleaved runs")
    for label, value in [("mortal value (object())", object()),
                         ("immortal value (None)", None)]:
        ref = AtomicRef(value)
        # Interleaved runs, best of each (as timeit): drift in machine
        # speed hits all kinds alike.
        rates = {}
        for _ in range(args.runs):
            for t in nthreads:
                for kind in KINDS:
                    r = run(kind, ref, t, args.n)
                    rates[kind, t] = max(rates.get((kind, t), 0.0), r)
        print(f"\n## {label}: reads/s of all threads together")
        head = f"{'kind':<10}" + "".join(f"{str(t) + ' thr':>14}" for t in nthreads)
        if len(nthreads) > 1:
            head += f"{'scaling':>10}"
        head += "".join(f"{'/newref@' + str(t):>12}{'/mutex@' + str(t):>11}"
                        for t in nthreads)
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
            print(row)
    if args.plot:
        from bench_atomics import write_svg   # same directory
        write_svg(args.plot, table, nthreads)
        print(f"\nplot written to {args.plot} (ratios to the mutex)")


if __name__ == "__main__":
    main()
