"""Micro-benchmark of the PyAtomicRef C API read paths, by threads.

Each thread runs a tight C loop (_testcapi.atomicref_bench) of reads of
one shared reference, all threads at once, for a fixed time, in
interleaved runs with a control row (benchlib.py); the figures are
medians of the valid runs, with ratios to the mutex baseline measured in
the same run:

  control   PyAtomicRefField_Get + Py_DECREF, each thread on a reference
            and a value of its own (nothing shared)
  newref    Py_NewRef(field) + Py_DECREF on a plain field: no atomicity
  mutex     PyMutex_Lock + Py_NewRef(field) + PyMutex_Unlock + Py_DECREF
  get       PyAtomicRef_Get + Py_DECREF (strong read, object API)
  field     PyAtomicRefField_Get + Py_DECREF (strong read, embedded field)
  borrowed  BeginRead + PyUnstable_AtomicRefField_GetBorrowed + EndRead
            (one read per section)

Usage: ./python Tools/atomics/bench_capi.py [--seconds S] [--runs R]
           [--threads 1,2] [--write-results]

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
from benchlib import Group, describe_commit, describe_machine, write_results

KINDS = ["mutex", "newref", "get", "field", "borrowed"]


def run(spec, nthreads, seconds):
    """Reads per second over all threads.  spec is (kind, ref), or (kind,
    value_factory) with ref None for a reference per thread.  Every thread
    reads from the moment the main thread says go until it says stop."""
    kind, ref, value_factory = spec
    counts = [0] * nthreads

    def worker(i):
        r = ref if ref is not None else AtomicRef(value_factory())
        counts[i] = _testcapi.atomicref_bench(kind, r)

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
    return sum(counts) / (end - start)


class Obj:
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.2,
                        help="length of one timed run")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--write-results", action="store_true",
                        help="write the tables into Tools/atomics/RESULTS.md")
    args = parser.parse_args()
    nthreads = [int(x) for x in args.threads.split(",")]

    print(f"# {describe_machine()}")
    print(f"# commit {describe_commit()}; {args.seconds:g} s per run, "
          f"{args.runs} interleaved runs")
    for key, label, value in [("mortal", "mortal value (a fresh object)",
                               Obj),
                              ("none", "immortal value (None)",
                               lambda: None)]:
        ref = AtomicRef(value())
        g = Group(f"C API reads, {label}",
                  ("field", None, value),
                  [(kind, (kind, ref, None)) for kind in KINDS],
                  nthreads, args.runs, args.seconds, run=run).measure()
        lines = g.report()
        print("\n" + "\n".join(lines), flush=True)
        if args.write_results:
            write_results(f"bench_capi {key}", lines)
    if args.write_results:
        print("\nresults written to Tools/atomics/RESULTS.md")


if __name__ == "__main__":
    main()
