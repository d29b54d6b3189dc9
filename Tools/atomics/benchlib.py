"""The harness shared by the benchmark programs of Tools/atomics.

Rules it enforces (see README.md, "Benchmarks"):

- Every run is fixed-time: all threads start together and run until the
  main thread stops them, so they overlap for the whole measured span.
- Rows of a group are measured in interleaved rounds (round r of every
  row before round r+1 of any), so that drift in machine speed hits all
  rows alike; a row's figure is the median over the valid rounds, with
  the best beside it.
- Every round also measures a control: the same kind of loop in each
  thread on objects of its own, nothing shared.  On a machine whose cores
  are shared with other work the control often scales far below the
  thread count; a round whose control scales below 0.9x the thread count
  (1.8x at 2 threads) is void and left out of the medians, and a group
  with fewer than half of its rounds valid is marked VOID: none of its
  scaling figures means anything.  A control whose median scaling is
  above 1.1x the thread count (single-thread runs slowed, as on a
  virtual machine whose host parks an idle vCPU) gets a caution line:
  the group's scaling ratios then overstate, and only rows at the same
  thread count compare.
- A group may also measure a probe each round: a loop whose operations
  keep moving one cache line between the cores (all threads update one
  shared object).  How well it scales shows what moving a line costs
  in that round, which the control, sharing nothing, cannot show; rows
  whose threads write shared lines rise and fall with it.  It is printed
  beside the control's figures and voids nothing.
- Beside each row's scaling ratio, the time one operation of one thread
  gains between the fewest and the most threads (+ns/op): a row that
  gets faster on one thread lowers its ratio even when what its threads
  share costs no more, and this figure tells the two apart.
- Results can be written into one markdown file (RESULTS.md beside this
  file) with the command, the commit and the machine, each program (and
  each --section) replacing only its own section.
"""

import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "RESULTS.md")
CONTROL = "control (same loop, nothing shared)"
VALID_SCALING = 0.9       # of the thread count: 1.8x at 2 threads


def measure(make_loop, nthreads, seconds, chunk=1000):
    """One fixed-time run of a Python-level loop; returns ops/s of all
    threads together.  make_loop() is called once (shared setup) and
    returns per_thread(); each thread calls per_thread() (its own setup,
    not timed) and gets loop(n), which it runs in chunks of `chunk`
    operations from the moment the main thread releases the barrier
    until it raises the stop flag."""
    per_thread_factory = make_loop()
    barrier = threading.Barrier(nthreads + 1)
    stop = [False]
    counts = [0] * nthreads

    def worker(i):
        loop = per_thread_factory()
        done = 0
        barrier.wait()
        while not stop[0]:
            loop(chunk)
            done += chunk
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


class Group:
    """Interleaved rounds of the rows of one group, with a control."""

    def __init__(self, title, control, rows, nthreads, runs, seconds,
                 run=measure, probe=None):
        self.title = title
        self.rows = [(CONTROL, control)] + list(rows)
        self.nthreads = nthreads
        self.runs = runs
        self.seconds = seconds
        self.run = run
        self.probe = probe        # (description, factory) or None
        self.rates = {}           # (name, t) -> [rate per round]
        self.valid = []           # per round
        self.probe_scaling = []   # per round

    def measure(self):
        lo, hi = self.nthreads[0], self.nthreads[-1]
        for _ in range(self.runs):
            for name, factory in self.rows:
                for t in self.nthreads:
                    r = self.run(factory, t, self.seconds)
                    self.rates.setdefault((name, t), []).append(r)
            c = self.rates[CONTROL, hi][-1] / self.rates[CONTROL, lo][-1]
            self.valid.append(hi == lo or c >= VALID_SCALING * hi / lo)
            if self.probe is not None and hi != lo:
                p_lo = self.run(self.probe[1], lo, self.seconds)
                p_hi = self.run(self.probe[1], hi, self.seconds)
                self.probe_scaling.append(p_hi / p_lo)
        return self

    def median(self, name, t):
        """Median over the valid rounds (over all rounds if none is valid:
        the group is VOID then)."""
        vals = [r for r, ok in zip(self.rates[name, t], self.valid) if ok]
        return statistics.median(vals or self.rates[name, t])

    def added_ns(self, name):
        """How much longer one operation of one thread takes, in ns, at
        the most threads than at the fewest (from the medians).  Unlike
        the scaling ratio, it does not fall when a row gets faster on one
        thread: it is the cost of what the threads share."""
        lo, hi = self.nthreads[0], self.nthreads[-1]
        return (hi / self.median(name, hi) - lo / self.median(name, lo)) * 1e9

    def best(self, name, t):
        return max(self.rates[name, t])

    @property
    def void(self):
        return sum(self.valid) * 2 < len(self.valid) or not any(self.valid)

    def table(self, baseline=None):
        """The group as markdown table lines.  Ratios are to the row named
        baseline (default: the first row after the control)."""
        base = baseline or self.rows[1][0]
        nt = self.nthreads
        lo, hi = nt[0], nt[-1]
        head = "| workload | " + " | ".join(
            f"{t} thr" for t in nt) + " | " + " | ".join(
            f"/base@{t}" for t in nt)
        if hi != lo:
            head += f" | {hi}t/{lo}t | +ns/op@{hi}t"
        head += " |"
        lines = [head, "|" + "---|" * (head.count("|") - 1)]
        for name, _ in self.rows:
            cells = [f"{self.median(name, t) / 1e6:.2f}M "
                     f"({self.best(name, t) / 1e6:.2f}M)" for t in nt]
            cells += [f"{self.median(name, t) / self.median(base, t):.2f}x"
                      for t in nt]
            if hi != lo:
                cells.append(f"{self.median(name, hi) / self.median(name, lo):.2f}x")
                cells.append(f"{self.added_ns(name):+.1f}")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        return lines

    def report(self, baseline=None):
        nvalid = sum(self.valid)
        lines = [f"### {self.title}", ""]
        lines.append(
            f"Ops/s of all threads together: median of {nvalid} valid of "
            f"{len(self.valid)} interleaved runs (best of all runs in "
            f"parentheses); ratios of medians to "
            f"\"{baseline or self.rows[1][0]}\"."
            + (f"  +ns/op@{self.nthreads[-1]}t: how much longer one "
               f"operation of one thread takes at {self.nthreads[-1]} "
               f"threads than at {self.nthreads[0]} (the control's shows "
               f"the machine's own share)." if len(self.nthreads) > 1
               else ""))
        if len(self.nthreads) > 1:
            sc = [self.rates[CONTROL, self.nthreads[-1]][i]
                  / self.rates[CONTROL, self.nthreads[0]][i]
                  for i in range(len(self.valid))]
            lines.append(
                f"Control scaling per run: "
                + ", ".join(f"{s:.2f}x" for s in sc) + ".")
            if self.probe_scaling:
                valid = [p for p, ok in zip(self.probe_scaling, self.valid)
                         if ok] or self.probe_scaling
                lines.append(
                    f"Shared-line probe ({self.probe[0]}; "
                    f"{self.nthreads[-1]}t/{self.nthreads[0]}t per run, "
                    f"informative only): "
                    + ", ".join(f"{p:.2f}x" for p in self.probe_scaling)
                    + f"; median of the valid runs "
                    f"{statistics.median(valid):.2f}x.")
            ratio = self.nthreads[-1] / self.nthreads[0]
            sc_valid = [s for s, ok in zip(sc, self.valid) if ok]
            if sc_valid and statistics.median(sc_valid) > 1.1 * ratio:
                lines.append(
                    f"**Caution**: the control's median scaling over the "
                    f"valid runs, {statistics.median(sc_valid):.2f}x, is "
                    f"above the thread ratio ({ratio:g}x): its "
                    f"{self.nthreads[0]}-thread runs went slower than a "
                    f"core, so every {self.nthreads[-1]}t/"
                    f"{self.nthreads[0]}t figure of this group overstates "
                    f"scaling.  Compare rows at the same thread count.")
            if self.void:
                lines.append(
                    f"**VOID**: the control scaled below "
                    f"{VALID_SCALING * self.nthreads[-1] / self.nthreads[0]:.1f}x "
                    f"in most runs; no scaling figure of this group means "
                    f"anything.")
        lines.append("")
        lines += self.table(baseline)
        return lines


def describe_machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            if m:
                cpu = m.group(1)
    except OSError:
        pass
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} "
            f"CPUs ({cpu}); Python {sys.version.split()[0]} "
            f"{'with the GIL' if gil else 'free-threaded'}")


def describe_commit():
    try:
        rev = subprocess.run(["git", "-C", HERE, "rev-parse", "--short=10",
                              "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
        # Changes to the results themselves (another program's section,
        # written earlier) do not change what was measured.
        dirty = subprocess.run(["git", "-C", HERE, "status", "--porcelain",
                                "--untracked-files=no", "--", ":(top)",
                                ":(top,exclude)Tools/atomics/RESULTS.md",
                                ":(top,exclude)Tools/atomics/RESULTS.svg"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


INTRO = """# Benchmark results

Written by the benchmark programs of this directory (`--write-results`);
do not edit by hand.  How to read them: README.md, "Benchmarks".  The plot
of ops/s by threads, [{svg}]({svg}), is drawn from the tables
below by `bench_atomics.py --plot-results Tools/atomics/{svg}{opt}`.
"""


def intro(path):
    """The head of a new results file at path; its plot is the .svg of the
    same name."""
    name = os.path.basename(path)
    opt = ("" if os.path.abspath(path) == RESULTS
           else f" --results Tools/atomics/{name}")
    return INTRO.format(svg=os.path.splitext(name)[0] + ".svg", opt=opt)


def write_results(section, lines, path=RESULTS, commit=None):
    """Replace section `section` of the results file with lines (a header
    giving the command, the commit (git's HEAD unless given), the machine
    and the date first)."""
    root = os.path.dirname(os.path.dirname(HERE))
    cmd = "./python " + " ".join(
        [os.path.relpath(os.path.abspath(sys.argv[0]), root)] + sys.argv[1:])
    body = [f"<!-- {section}: start -->",
            f"## {section}", "",
            f"Command: `{cmd}`  ",
            f"Commit: {commit or describe_commit()}  ",
            f"Machine: {describe_machine()}  ",
            f"Date: {datetime.date.today().isoformat()}", ""]
    body += lines
    body.append(f"<!-- {section}: end -->")
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = intro(path)
    pat = re.compile(rf"<!-- {re.escape(section)}: start -->.*?"
                     rf"<!-- {re.escape(section)}: end -->", re.S)
    new = "\n".join(body)
    if pat.search(text):
        text = pat.sub(lambda m: new, text)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    with open(path, "w") as f:
        f.write(text)
