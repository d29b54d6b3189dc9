"""Benchmark of the atomics module against baselines, 1 and 2 threads.

Every workload runs the same Python loop in each thread, all threads at
once for a fixed time, and reports the operations per second of all
threads together, the best of several runs interleaved across the rows of
a group, and the ratio to the baseline of its group measured in the same
run:

  counter   a shared counter +1, bound method hoisted out of the loop
            baseline: ``with lock: box.n += 1`` (threading.Lock)
  read      a shared reference read, non-immortal value, bound method
            hoisted; baseline: ``with lock: box.v``
  natural   a shared reference read written as ``ref.get()`` in the loop,
            immortal value (None); baseline: ``with lock: box.v``;
            "+handle" rows use a per-thread handle
  dict      stock builtins for reference: ``d.get(k)`` on one shared dict
            of 1024 int keys

Peers (cereggii, ft_utils) are measured too when importable (put them on
PYTHONPATH); they are never required.

Usage: ./python Tools/atomics/bench_atomics.py [--seconds S] [--runs R]
           [--threads 1,2] [--plot FILE.svg]

This is a benchmark program, not a test: it asserts nothing.
"""

import argparse
import sys
import threading
import time

import atomics

try:
    import cereggii
except ImportError:
    cereggii = None
try:
    from ft_utils import concurrency as ft
    from ft_utils.local import LocalWrapper
except ImportError:
    ft = None


class Box:
    pass


CHUNK = 1000     # operations between two looks at the stop flag


def measure(make_loop, nthreads, seconds):
    """One run (ops/s): every thread runs its loop in chunks of CHUNK
    operations from the moment the main thread releases the barrier until
    it raises the stop flag, so the threads overlap for the whole measured
    span."""
    thread_fn = make_loop()
    barrier = threading.Barrier(nthreads + 1)
    stop = [False]
    counts = [0] * nthreads

    def worker(i):
        loop = thread_fn()          # per-thread setup, not timed
        done = 0
        barrier.wait()
        while not stop[0]:
            loop(CHUNK)
            done += CHUNK
        counts[i] = done

    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(nthreads)]
    for t in threads:
        t.start()
    try:
        barrier.wait()
        start = time.perf_counter()
        time.sleep(seconds)
    finally:
        stop[0] = True
    end = time.perf_counter()
    for t in threads:
        t.join()
    return sum(counts) / (end - start)


# --- counter workloads ----------------------------------------------------

def counter_lock():
    lock, box = threading.Lock(), Box()
    box.n = 0

    def per_thread():
        def loop(n):
            for _ in range(n):
                with lock:
                    box.n += 1
        return loop
    return per_thread


def counter_hoisted(make, method, *args):
    def factory():
        obj = make()

        def per_thread():
            inc = getattr(obj, method)
            if args:
                arg, = args

                def loop(n):
                    for _ in range(n):
                        inc(arg)
            else:
                def loop(n):
                    for _ in range(n):
                        inc()
            return loop
        return per_thread
    return factory


# --- read workloads -------------------------------------------------------

def read_lock(value_factory):
    def factory():
        lock, box = threading.Lock(), Box()
        box.v = value_factory()

        def per_thread():
            def loop(n):
                for _ in range(n):
                    with lock:
                        box.v
            return loop
        return per_thread
    return factory


def read_hoisted(make, value_factory, method="get"):
    def factory():
        ref = make(value_factory())

        def per_thread():
            get = getattr(ref, method)

            def loop(n):
                for _ in range(n):
                    get()
            return loop
        return per_thread
    return factory


def read_natural(make, value_factory, handle=None):
    def factory():
        shared = make(value_factory())

        def per_thread():
            ref = handle(shared) if handle else shared

            def loop(n):
                for _ in range(n):
                    ref.get()
            return loop
        return per_thread
    return factory


def dict_get():
    d = {i: i for i in range(1024)}

    def per_thread():
        def loop(n):
            get = d.get
            for i in range(n):
                get(i & 1023)
        return loop
    return per_thread


def workloads():
    mortal = Box
    groups = {
        "counter": [
            ("Lock-protected int (baseline)", counter_lock),
            ("atomics.AtomicInt.increment",
             counter_hoisted(atomics.AtomicInt, "increment")),
            ("atomics.AtomicInt.add_and_get(1) (returns value)",
             counter_hoisted(atomics.AtomicInt, "add_and_get", 1)),
            ("atomics.AtomicCounter.increment",
             counter_hoisted(atomics.AtomicCounter, "increment")),
        ],
        "read": [
            ("Lock-protected attribute (baseline)", read_lock(mortal)),
            ("atomics.AtomicRef.get", read_hoisted(atomics.AtomicRef, mortal)),
        ],
        "natural": [
            ("Lock-protected attribute (baseline)", read_lock(lambda: None)),
            ("atomics.AtomicRef: ref.get()",
             read_natural(atomics.AtomicRef, lambda: None)),
            ("atomics.AtomicRef: ref.get() +handle",
             read_natural(atomics.AtomicRef, lambda: None,
                          handle=lambda r: r.handle())),
        ],
        "dict": [
            ("builtin dict d.get(k) (stock)", dict_get),
        ],
    }
    if cereggii is not None:
        groups["counter"].append(
            ("cereggii.AtomicInt64.increment_and_get",
             counter_hoisted(cereggii.AtomicInt64, "increment_and_get")))
        groups["read"].append(
            ("cereggii.AtomicRef.get", read_hoisted(cereggii.AtomicRef, mortal)))
        groups["natural"].append(
            ("cereggii.AtomicRef: ref.get()",
             read_natural(cereggii.AtomicRef, lambda: None)))
        groups["natural"].append(
            ("cereggii.AtomicRef: ref.get() +handle",
             read_natural(cereggii.AtomicRef, lambda: None,
                          handle=lambda r: r.get_handle())))
    if ft is not None:
        groups["counter"].append(
            ("ft_utils.AtomicInt64.incr",
             counter_hoisted(ft.AtomicInt64, "incr")))
        groups["read"].append(
            ("ft_utils.AtomicReference.get",
             read_hoisted(ft.AtomicReference, mortal)))
        groups["natural"].append(
            ("ft_utils.AtomicReference: ref.get()",
             read_natural(ft.AtomicReference, lambda: None)))
        groups["natural"].append(
            ("ft_utils.AtomicReference: ref.get() +LocalWrapper",
             read_natural(ft.AtomicReference, lambda: None,
                          handle=LocalWrapper)))
    return groups


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.2,
                        help="length of one timed run")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--only", help="comma-separated groups to run")
    parser.add_argument("--plot", help="write an SVG bar chart of the ratios")
    args = parser.parse_args()
    nthreads = [int(x) for x in args.threads.split(",")]

    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    peers = [name for name, mod in (("cereggii", cereggii), ("ft_utils", ft))
             if mod is not None]
    print(f"# Python {sys.version.split()[0]}, "
          f"{'GIL' if gil else 'free-threaded'}; {args.seconds:g} s per run, "
          f"best of {args.runs} interleaved runs; "
          f"peers: {', '.join(peers) or 'none'}")
    table = {}
    groups = workloads()
    only = set(args.only.split(",")) if args.only else None
    for group, rows in groups.items():
        if only and group not in only:
            continue
        print(f"\n## {group}: ops/s of all threads together (ratio to the "
              f"first row at the same thread count)")
        print(f"{'workload':<50}" + "".join(
            f"{str(t) + ' thr':>10}{'ratio':>8}" for t in nthreads)
            + (f"{'scaling':>9}" if len(nthreads) > 1 else ""))
        # Interleave the runs (run r of every row before run r+1 of any)
        # so that drift in machine speed hits all rows alike; keep the
        # best run of each, as timeit does.
        best = {}
        for _ in range(args.runs):
            for name, factory in rows:
                for t in nthreads:
                    r = measure(factory, t, args.seconds)
                    best[name, t] = max(best.get((name, t), 0.0), r)
        base = {t: best[rows[0][0], t] for t in nthreads}
        for name, _ in rows:
            rates = {t: best[name, t] for t in nthreads}
            table[group, name] = {t: (rates[t], rates[t] / base[t])
                                  for t in nthreads}
            line = f"{name:<50}" + "".join(
                f"{rates[t] / 1e6:>9.2f}M{rates[t] / base[t]:>7.2f}x"
                for t in nthreads)
            if len(nthreads) > 1:
                line += f"{rates[nthreads[-1]] / rates[nthreads[0]]:>8.2f}x"
            print(line, flush=True)
    if args.plot:
        write_svg(args.plot, table, nthreads)
        print(f"\nplot written to {args.plot}")


def write_svg(path, table, nthreads):
    """A dependency-free horizontal bar chart of ops/s per workload."""
    rows = list(table.items())
    bar_h, gap, left, width = 12, 8, 380, 420
    height = 40 + len(rows) * (len(nthreads) * bar_h + gap)
    peak = max(r for _, v in rows for r, _ in v.values()) or 1
    colors = ["#4878d0", "#ee854a", "#6acc64", "#d65f5f"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}"'
           f' height="{height}" font-family="sans-serif" font-size="11">',
           '<text x="10" y="20" font-size="13">ops/s of all threads together'
           ' (bars: ' + ", ".join(f"{t} thr" for t in nthreads) + ')</text>']
    y = 35
    for (group, name), v in rows:
        out.append(f'<text x="10" y="{y + bar_h}">{group}: {name}</text>')
        for i, t in enumerate(nthreads):
            rate, ratio = v[t]
            w = max(1, int(width * rate / peak))
            out.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar_h - 2}"'
                       f' fill="{colors[i % len(colors)]}"/>')
            out.append(f'<text x="{left + w + 4}" y="{y + bar_h - 3}">'
                       f'{rate / 1e6:.1f}M ({ratio:.2f}x)</text>')
            y += bar_h
        y += gap
    out.append('</svg>')
    with open(path, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
