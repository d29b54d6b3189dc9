"""Paired rounds of bench_atomics.py under two builds: which is faster.

Each round runs bench_atomics.py (this directory's copy, so that both
builds run the same workloads) once under the old interpreter and once
under the new one, in turn (the order alternates between rounds), and
takes the ratio new/old of every row's median at every thread count.  The
ratios of a round compare two runs made minutes apart at most on the same
machine; the table gives the median ratio over the rounds whose groups
were valid in both runs (their controls scaled), and the ratios of every
round, so that a drift of the machine shows as a spread, not as a change.

Usage: ./python Tools/atomics/bench_paired.py OLD_PYTHON NEW_PYTHON
           [--rounds 5] [--only GROUP,...] [--runs 3] [--seconds 0.2]
           [--threads 1,2] [--rows SUBSTRING,...]

This is a benchmark program, not a test: it asserts nothing.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def one_run(python, args, out):
    cmd = [python, os.path.join(HERE, "bench_atomics.py"),
           "--runs", str(args.runs), "--seconds", str(args.seconds),
           "--threads", args.threads, "--json", out]
    if args.only:
        cmd += ["--only", args.only]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   cwd=HERE)
    with open(out) as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--only")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=float, default=0.2)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rows", help="only rows whose name contains one of "
                   "these comma-separated substrings")
    args = p.parse_args()
    ratios = {}                 # (group, row, t) -> [new/old per round]
    # The same, each build's row divided by its own run's baseline (the
    # first row after the control: code that neither build changes when
    # it is a builtin type), which cancels a drift of the machine between
    # the two runs of a round.
    rel = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.json")
        for r in range(args.rounds):
            order = [("old", args.old), ("new", args.new)]
            if r % 2:
                order.reverse()
            res = {which: one_run(python, args, out)
                   for which, python in order}
            for group, g in res["new"].items():
                o = res["old"].get(group)
                if o is None or g["void"] or o["void"]:
                    print(f"round {r + 1}: {group} void, left out",
                          file=sys.stderr)
                    continue
                base = list(g["rows"])[1]
                for row, by_t in g["rows"].items():
                    if row not in o["rows"]:
                        continue
                    for t, rate in by_t.items():
                        ratios.setdefault((group, row, t), []).append(
                            rate / o["rows"][row][t])
                        rel.setdefault((group, row, t), []).append(
                            (rate / g["rows"][base][t])
                            / (o["rows"][row][t] / o["rows"][base][t]))
            print(f"round {r + 1} of {args.rounds} done", file=sys.stderr)
    wanted = args.rows.split(",") if args.rows else None
    print(f"# new/old per row: {args.new} against {args.old}; "
          f"{args.rounds} paired rounds of {args.runs} interleaved runs of "
          f"{args.seconds:g} s")
    print("| group | row | threads | median new/old | per round "
          "| median new/old, each to its baseline |")
    print("|---|---|---|---|---|---|")
    for (group, row, t), rs in ratios.items():
        if wanted and not any(w in row for w in wanted + ["control"]):
            continue
        print(f"| {group} | {row} | {t} | {statistics.median(rs):.3f} | "
              + ", ".join(f"{x:.2f}" for x in rs)
              + f" | {statistics.median(rel[group, row, t]):.3f} |")


if __name__ == "__main__":
    main()
