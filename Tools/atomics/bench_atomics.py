"""Benchmark of the atomics module against baselines and peers, by threads.

Every workload runs the same Python loop in each thread, all threads at
once for a fixed time (benchlib.py), in interleaved runs with a control
row; the figures are medians of the valid runs, with ratios to the
group's baseline measured in the same run.

  counter   a shared counter +1, bound method hoisted out of the loop;
            baseline: ``with lock: box.n += 1`` (threading.Lock)
  read      a shared reference read, mortal value, bound method hoisted
            (``g = ref.get`` then ``g()``); baseline: ``with lock: box.v``;
            "+handle" rows hoist the method of a per-thread handle
  natural   the same read written ``ref.get()`` in the loop, mortal value;
            "+handle" rows use a per-thread handle (cereggii: get_handle(),
            ft_utils: LocalWrapper)
  none      as natural, immortal value (None)
  dict-*    AtomicDict against builtin dict and the peers (see below)
  queue-*   atomics.Queue against the queue module, deque and the peers
            (bench_queue.py)

Each round also runs a shared-line probe (benchlib.py): every thread
increments one shared AtomicInt, so the increments keep moving one cache
line between the cores.  Its scaling says what that cost in the round: on
this project's 2-vCPU machine it swings within minutes, and the rows that
write shared lines swing with it, while the control stays near 2x.

Peers (cereggii, ft_utils) are measured too when importable (put them on
PYTHONPATH); they are never required.

Usage: ./python Tools/atomics/bench_atomics.py [--seconds S] [--runs R]
           [--threads 1,2] [--only GROUP,...] [--write-results]
           [--results F.md] [--commit REV] [--plot F.svg] [--json F]
       ./python Tools/atomics/bench_atomics.py --plot-results F.svg
           [--results F.md]
           (plot the bench_atomics tables of RESULTS.md or F.md, measured
           alone)

This is a benchmark program, not a test: it asserts nothing.
"""

import argparse
import re
import sys
import threading

import atomics
from benchlib import (RESULTS, Group, describe_commit, describe_machine,
                      measure, write_results)

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


def mortal():
    return Box()


def immortal():
    return None


# --- loops: factory() -> per_thread() -> loop(n) ---------------------------

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


def hoisted(make, method, *args, private=False, handle=None):
    """obj.method hoisted out of the loop; one shared obj (make()), or one
    per thread with private=True (the control); through handle(obj) if
    given."""
    def factory():
        shared = None if private else make()

        def per_thread():
            obj = make() if private else shared
            if handle is not None:
                obj = handle(obj)
            call = getattr(obj, method)
            if args:
                arg, = args

                def loop(n):
                    for _ in range(n):
                        call(arg)
            else:
                def loop(n):
                    for _ in range(n):
                        call()
            return loop
        return per_thread
    return factory


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


def natural(make, handle=None, private=False):
    """ref.get() written in the loop; through handle(ref) if given."""
    def factory():
        shared = None if private else make()

        def per_thread():
            ref = make() if private else shared
            if handle is not None:
                ref = handle(ref)

            def loop(n):
                for _ in range(n):
                    ref.get()
            return loop
        return per_thread
    return factory


# The increments keep moving the AtomicInt's line between the cores.
PROBE = ("all threads increment one AtomicInt",
         hoisted(atomics.AtomicInt, "increment"))


# --- the groups --------------------------------------------------------------

def ref_groups():
    A = atomics.AtomicRef
    groups = {}
    groups["counter"] = (
        "counter: a shared counter +1, bound method hoisted",
        hoisted(atomics.AtomicInt, "increment", private=True),
        [("Lock-protected int (baseline)", counter_lock),
         ("atomics.AtomicInt.increment",
          hoisted(atomics.AtomicInt, "increment")),
         ("atomics.AtomicInt.add_and_get(1) (returns the value)",
          hoisted(atomics.AtomicInt, "add_and_get", 1)),
         ("atomics.AtomicCounter.increment",
          hoisted(atomics.AtomicCounter, "increment"))]
        + ([("cereggii.AtomicInt64.increment_and_get",
             hoisted(cereggii.AtomicInt64, "increment_and_get"))]
           if cereggii else [])
        + ([("ft_utils.AtomicInt64.incr", hoisted(ft.AtomicInt64, "incr"))]
           if ft else []))
    groups["read"] = (
        "read: one shared reference, mortal value, `g = ref.get; g()`",
        hoisted(lambda: A(mortal()), "get", private=True),
        [("Lock-protected attribute (baseline)", read_lock(mortal)),
         ("atomics.AtomicRef.get", hoisted(lambda: A(mortal()), "get")),
         ("atomics.AtomicRef.get +handle",
          hoisted(lambda: A(mortal()), "get", handle=lambda r: r.handle()))]
        + ([("cereggii.AtomicRef.get",
             hoisted(lambda: cereggii.AtomicRef(mortal()), "get")),
            ("cereggii.AtomicRef.get +handle",
             hoisted(lambda: cereggii.AtomicRef(mortal()), "get",
                     handle=lambda r: r.get_handle()))]
           if cereggii else [])
        + ([("ft_utils.AtomicReference.get",
             hoisted(lambda: ft.AtomicReference(mortal()), "get")),
            ("ft_utils.AtomicReference.get +LocalWrapper",
             hoisted(lambda: ft.AtomicReference(mortal()), "get",
                     handle=LocalWrapper))]
           if ft else []))
    for key, label, value in (("natural", "mortal value", mortal),
                              ("none", "immortal value (None)", immortal)):
        def make(cls, value=value):
            return lambda: cls(value())
        rows = [("Lock-protected attribute (baseline)", read_lock(value)),
                ("atomics.AtomicRef: ref.get()", natural(make(A))),
                ("atomics.AtomicRef: ref.get() +handle",
                 natural(make(A), handle=lambda r: r.handle()))]
        if cereggii:
            C = cereggii.AtomicRef
            rows += [("cereggii.AtomicRef: ref.get()", natural(make(C))),
                     ("cereggii.AtomicRef: ref.get() +handle",
                      natural(make(C), handle=lambda r: r.get_handle()))]
        if ft:
            F = ft.AtomicReference
            rows += [("ft_utils.AtomicReference: ref.get()",
                      natural(make(F))),
                     ("ft_utils.AtomicReference: ref.get() +LocalWrapper",
                      natural(make(F), handle=LocalWrapper))]
        groups[key] = (f"{key}: `ref.get()` in the loop, {label}",
                       natural(make(A), private=True), rows)
    return groups


def all_groups():
    """{key: (title, control, rows, run)}: run is benchlib.measure unless
    the group measures otherwise (the queue handoffs)."""
    groups = {key: (*g, measure) for key, g in ref_groups().items()}
    try:
        import bench_dict           # AtomicDict workloads, when present
    except ImportError:
        pass
    else:
        groups.update((key, (*g, measure))
                      for key, g in bench_dict.groups(cereggii, ft).items())
    try:
        import bench_queue          # Queue workloads, when present
    except ImportError:
        pass
    else:
        groups.update((key, (*g, bench_queue.run))
                      for key, g in bench_queue.groups(cereggii, ft).items())
    return groups


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.2,
                        help="length of one timed run")
    parser.add_argument("--runs", type=int, default=7,
                        help="interleaved runs of each row")
    parser.add_argument("--threads", default="1,2",
                        help="comma-separated thread counts")
    parser.add_argument("--only", help="comma-separated groups to run")
    parser.add_argument("--write-results", action="store_true",
                        help="write the tables into the results file")
    parser.add_argument("--results", metavar="MD", default=RESULTS,
                        help="the results file that --write-results and "
                        "--plot-results use (default: Tools/atomics/"
                        "RESULTS.md)")
    parser.add_argument("--commit", metavar="REV",
                        help="the commit measured, for a copy of the tree "
                        "that has no git history (default: git's HEAD)")
    parser.add_argument("--plot", help="write an SVG plot of ops/s by threads")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the medians as JSON (for "
                        "bench_paired.py)")
    parser.add_argument("--plot-results", metavar="SVG",
                        help="only plot the bench_atomics tables of "
                        "RESULTS.md (groups may come from different runs)")
    args = parser.parse_args()
    nthreads = [int(x) for x in args.threads.split(",")]
    if args.plot_results:
        write_svg(args.plot_results, results_panels(args.results))
        print(f"plot of {args.results} written to {args.plot_results}")
        return

    peers = [name for name, mod in (("cereggii", cereggii), ("ft_utils", ft))
             if mod is not None]
    print(f"# {describe_machine()}")
    commit = args.commit or describe_commit()
    print(f"# commit {commit}; {args.seconds:g} s per run, "
          f"{args.runs} interleaved runs; peers: {', '.join(peers) or 'none'}")
    groups = all_groups()
    only = set(args.only.split(",")) if args.only else None
    done = []
    for key, (title, control, rows, run) in groups.items():
        if only and key not in only:
            continue
        g = Group(title, control, rows, nthreads, args.runs,
                  args.seconds, run=run, probe=PROBE).measure()
        lines = g.report()
        print("\n" + "\n".join(lines), flush=True)
        done.append((key, g, lines))
    if args.write_results:
        for key, g, lines in done:
            # A run over other thread counts than 1,2 has sections of its
            # own (dict-read@1-2-4-8-16), beside the 1,2 tables.
            if nthreads != [1, 2]:
                key += "@" + "-".join(map(str, nthreads))
            write_results(f"bench_atomics {key}", lines, args.results,
                          commit=commit)
        print(f"\nresults written to {args.results}")
    if args.json:
        import json
        with open(args.json, "w") as f:
            json.dump({key: {"void": g.void, "valid": sum(g.valid),
                             "rows": {name: {str(t): g.median(name, t)
                                             for t in nthreads}
                                      for name, _ in g.rows}}
                       for key, g, _ in done}, f, indent=1)
    if args.plot:
        write_svg(args.plot, [
            (key, g.void, [(name, {t: g.median(name, t) for t in nthreads})
                           for name, _ in g.rows])
            for key, g, _ in done])
        print(f"plot written to {args.plot}")


def results_panels(path=RESULTS):
    """The bench_atomics sections of the results file, as write_svg()
    panels: the medians of each table, and whether the group is VOID."""
    with open(path) as f:
        text = f.read()
    panels = []
    for m in re.finditer(r"<!-- bench_atomics (\S+): start -->(.*?)"
                         r"<!-- bench_atomics \1: end -->", text, re.S):
        key, body = m.groups()
        nthreads, rows = [], []
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] == "workload":
                nthreads = [int(c.split()[0]) for c in cells[1:]
                            if c.endswith(" thr")]
            elif nthreads and len(cells) > len(nthreads) \
                    and cells[1].endswith(")"):
                rows.append((cells[0], {
                    t: float(c.split("M")[0]) * 1e6
                    for t, c in zip(nthreads, cells[1:])}))
        panels.append((key, "**VOID**" in body, rows))
    return panels


def write_svg(path, panels):
    """A dependency-free line plot of ops/s against threads, one panel per
    group (key, void, rows), one line per row: (name, {threads: median})."""
    panel_w, panel_h, margin = 420, 260, 50
    colors = ["#999999", "#4878d0", "#ee854a", "#6acc64", "#d65f5f",
              "#956cb4", "#8c613c", "#dc7ec0", "#797979", "#d5bb67"]
    cols = 2
    nrows = (len(panels) + cols - 1) // cols
    width = cols * (panel_w + 2 * margin)
    height = nrows * (panel_h + 2 * margin + 140)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="sans-serif" font-size="10">']
    for i, (key, void, rows) in enumerate(panels):
        nthreads = sorted({t for _, by in rows for t in by})
        x0 = (i % cols) * (panel_w + 2 * margin) + margin
        y0 = (i // cols) * (panel_h + 2 * margin + 140) + margin
        peak = max((v for _, by in rows for v in by.values() if v == v),
                   default=1)
        peak = peak if peak > 0 else 1
        out.append(f'<text x="{x0}" y="{y0 - 15}" font-size="12">{key}'
                   f'{" (VOID)" if void else ""}: Mops/s by threads</text>')
        out.append(f'<rect x="{x0}" y="{y0}" width="{panel_w}" '
                   f'height="{panel_h}" fill="none" stroke="#ccc"/>')
        tmax = max(nthreads)
        for t in nthreads:
            x = x0 + panel_w * t / tmax
            out.append(f'<text x="{x - 3}" y="{y0 + panel_h + 12}">{t}</text>')
        out.append(f'<text x="{x0 - 45}" y="{y0 + 10}">{peak / 1e6:.0f}M</text>')
        for j, (name, by) in enumerate(rows):
            pts = []
            for t in nthreads:
                v = by.get(t, 0)
                v = v if v == v else 0
                pts.append((x0 + panel_w * t / tmax,
                            y0 + panel_h - panel_h * v / peak))
            c = colors[j % len(colors)]
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" '
                       'points="%s"/>' % (c, " ".join(f"{x:.1f},{y:.1f}"
                                                       for x, y in pts)))
            ly = y0 + panel_h + 26 + 12 * j
            out.append(f'<rect x="{x0}" y="{ly - 8}" width="10" height="3" '
                       f'fill="{c}"/><text x="{x0 + 14}" y="{ly}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
