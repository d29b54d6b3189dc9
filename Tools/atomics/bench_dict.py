"""AtomicDict workloads for bench_atomics.py (which runs them: --only
dict-read,dict-read-none,dict-write,dict-write-none,dict-hot,dict-hot-none,
wordcount), and a memory table when run alone.

  dict-read   ``m[k]`` over 1024 int keys of one shared map, each thread
              in an order of its own
  dict-read-none  the same reads of a map whose values are all None:
              immortal, so a read writes no reference count at all, and
              what is left is the map's own read path (in dict-read, 767
              of the 1024 values are mortal ints that both threads read,
              and each read increments and decrements the value's count)
  dict-write  ``m[k] = k`` over the same 1024 existing keys
  dict-write-none  ``m[k] = None``: the same without the values'
              reference counts (each write above increments its own key
              object's count and decrements the one it replaces, often the
              other thread's)
  dict-hot    ``m[(i + off) & 1023] = i & 255``: the way ordinary code
              writes a shared map, each thread off by one from the last
              (neighbouring keys at the same time), a fresh int key object
              per write for keys above 256, immortal small int values
  dict-hot-none  the same with ``None`` values
  wordcount   counting a per-thread stream of words (256 distinct) into
              one shared map

Rows: builtin dict (plain, and through ft_utils' LocalWrapper, which
removes the contention on the shared dict object's reference count),
AtomicDict (plain, and through a per-thread handle()), and when
importable cereggii's AtomicDict (plain, and through get_handle()) and
ft_utils' ConcurrentDict (plain, and through LocalWrapper).  Word counts:
dict + threading.Lock, a dict of AtomicInt counters, AtomicDict's
reduce_count() per chunk of 1000 words, cereggii's reduce_count().
The control runs the same loop on a dict of its own in each thread.

Usage: ./python Tools/atomics/bench_dict.py [--write-results]
       (the memory table: sys.getsizeof per entry against dict)
"""

import itertools
import random
import sys
import threading

import atomics

NKEYS = 1024
NWORDS = 256
CHUNK = 1000
NSTREAM = 1 << 16


# The loops index with a mask made by the thread itself, never with a
# literal: on 3.13's free-threaded build the constants of an imported
# module's code are ordinary objects owned by the importing thread, so
# every thread's LOAD_CONST of `1023` in a shared code object increments
# and decrements one shared reference count.  That alone kept the controls
# of these groups (each thread on a dict of its own) at 0.8-1.7x on 2
# threads, where the same loop compiled in __main__ (whose constants are
# immortal) scales 2.0x.
def thread_mask(n):
    """n - 1 as an int object of the calling thread's own."""
    return int(str(n - 1))


def thread_keys():
    """The 1024 keys in an order of the calling thread's own, as int
    objects it made: threads do not read the same key at the same time,
    and share no key object's reference count."""
    keys = [int(str(i)) for i in range(NKEYS)]
    random.Random(threading.get_ident()).shuffle(keys)
    return keys


def keyed_loops(make_loop, value=lambda i: i):
    """A factory of one shared map of the 1024 int keys, each with value(key)
    (or one map per thread with private=True, the control), wrapped per
    thread if wrap is given; make_loop(m, keys) returns the thread's
    loop."""
    def contents():
        return {i: value(i) for i in range(NKEYS)}

    def group(make_map, wrap=None, private=False):
        def factory():
            shared = None if private else make_map(contents())

            def per_thread():
                m = make_map(contents()) if private else shared
                if wrap is not None:
                    m = wrap(m)
                return make_loop(m, thread_keys())
            return per_thread
        return factory
    return group


def read_loop(m, keys):
    """Read loop: m[k] over the 1024 int keys of the map."""
    mask = thread_mask(NKEYS)

    def loop(n):
        for i in range(n):
            m[keys[i & mask]]
    return loop


keyed = keyed_loops(read_loop)
keyed_none = keyed_loops(read_loop, value=lambda i: None)


@keyed_loops
def keyed_write(m, keys):
    """Write loop: m[k] = k over the same existing keys (the value is the
    thread's own key object: no allocation in the loop)."""
    mask = thread_mask(NKEYS)

    def loop(n):
        for i in range(n):
            k = keys[i & mask]
            m[k] = k
    return loop


@keyed_loops
def keyed_write_none(m, keys):
    """Write loop: m[k] = None, an immortal value: a write changes no
    reference count but the map's own."""
    mask = thread_mask(NKEYS)

    def loop(n):
        for i in range(n):
            m[keys[i & mask]] = None
    return loop


def hot_loops(none):
    """A factory of the dict-hot loops (None values with none): thread j
    of a round starts at key j, so that the threads write neighbouring
    keys at the same time."""
    def group(make_map, wrap=None, private=False):
        def factory():
            def contents():
                return {i: 0 for i in range(NKEYS)}
            shared = None if private else make_map(contents())
            offsets = itertools.count()

            def per_thread():
                m = make_map(contents()) if private else shared
                if wrap is not None:
                    m = wrap(m)
                off = next(offsets)
                mask = thread_mask(NKEYS)
                small = thread_mask(256)
                if none:
                    def loop(n):
                        for i in range(n):
                            m[(i + off) & mask] = None
                else:
                    def loop(n):
                        for i in range(n):
                            m[(i + off) & mask] = i & small
                return loop
            return per_thread
        return factory
    return group


def word_stream(seed, n=NSTREAM):
    """A thread's stream of words: str objects it made itself, as words
    split from its own text would be."""
    rng = random.Random(seed)
    return [f"word{rng.randrange(NWORDS)}" for _ in range(n)]


def count_lock():
    def factory():
        d, lock = {}, threading.Lock()

        def per_thread():
            words = word_stream(threading.get_ident())
            mask = thread_mask(NSTREAM)

            def loop(n):
                for i in range(n):
                    w = words[i & mask]
                    with lock:
                        d[w] = d.get(w, 0) + 1
            return loop
        return per_thread
    return factory


def count_atomicint():
    def factory():
        d = {f"word{i}": atomics.AtomicInt() for i in range(NWORDS)}

        def per_thread():
            words = word_stream(threading.get_ident())
            mask = thread_mask(NSTREAM)

            def loop(n):
                for i in range(n):
                    d[words[i & mask]].increment()
            return loop
        return per_thread
    return factory


def count_reduce(make_map, handle=None, private=False):
    """reduce_count() of chunks of CHUNK words."""
    def factory():
        shared = None if private else make_map()

        def per_thread():
            m = make_map() if private else shared
            if handle is not None:
                m = handle(m)
            words = word_stream(threading.get_ident())
            chunks = [words[i:i + CHUNK] for i in range(0, len(words), CHUNK)]
            reduce_count = m.reduce_count
            state = [0]

            def loop(n):
                # n words, in whole chunks (the harness asks for 1000).
                for _ in range(max(1, n // CHUNK)):
                    reduce_count(chunks[state[0] % len(chunks)])
                    state[0] += 1
            return loop
        return per_thread
    return factory


def groups(cereggii=None, ft=None):
    A = atomics.AtomicDict
    handle = lambda m: m.handle()
    try:
        from ft_utils.local import LocalWrapper
    except ImportError:
        LocalWrapper = None
    out = {}
    for key, loop, what in (("dict-read", keyed, "reads `m[k]`"),
                            ("dict-read-none", keyed_none,
                             "reads `m[k]` of None values (immortal: no "
                             "read writes a reference count)"),
                            ("dict-write", keyed_write,
                             "writes `m[k] = k` (existing keys; the value "
                             "is the writing thread's key object)"),
                            ("dict-write-none", keyed_write_none,
                             "writes `m[k] = None` (existing keys; an "
                             "immortal value, whose count no write "
                             "touches)"),
                            ("dict-hot", hot_loops(False),
                             "writes `m[(i + off) & 1023] = i & 255` "
                             "(neighbouring keys across threads, fresh "
                             "key objects, immortal values)"),
                            ("dict-hot-none", hot_loops(True),
                             "writes `m[(i + off) & 1023] = None` "
                             "(neighbouring keys across threads, fresh "
                             "key objects)")):
        rows = [("builtin dict (baseline)", loop(dict))]
        if LocalWrapper:
            rows.append(("builtin dict +LocalWrapper",
                         loop(dict, wrap=LocalWrapper)))
        rows += [("atomics.AtomicDict", loop(A)),
                 ("atomics.AtomicDict +handle", loop(A, wrap=handle))]
        if cereggii:
            C = cereggii.AtomicDict
            rows += [("cereggii.AtomicDict", loop(C)),
                     ("cereggii.AtomicDict +get_handle",
                      loop(C, wrap=lambda m: m.get_handle()))]
        if ft:
            F = lambda d: ft.ConcurrentDict(dictionary=d) \
                if _concurrentdict_takes_dict(ft) else _fill(ft.ConcurrentDict(), d)
            rows += [("ft_utils.ConcurrentDict", loop(F))]
            if LocalWrapper:
                rows.append(("ft_utils.ConcurrentDict +LocalWrapper",
                             loop(F, wrap=LocalWrapper)))
        out[key] = (f"{key}: {what}, {NKEYS} int keys, one shared map",
                    loop(dict, private=True), rows)
    rows = [("dict + threading.Lock (baseline)", count_lock()),
            ("dict of atomics.AtomicInt", count_atomicint()),
            ("atomics.AtomicDict.reduce_count", count_reduce(A)),
            ("atomics.AtomicDict.reduce_count +handle",
             count_reduce(A, handle=handle))]
    if cereggii:
        C = cereggii.AtomicDict
        rows += [("cereggii.AtomicDict.reduce_count", count_reduce(C)),
                 ("cereggii.AtomicDict.reduce_count +get_handle",
                  count_reduce(C, handle=lambda m: m.get_handle()))]
    out["wordcount"] = (
        f"wordcount: words/s, {NWORDS} distinct words, per-thread streams, "
        f"one shared map (reduce_count per chunk of {CHUNK})",
        count_reduce(A, private=True), rows)
    return out


def _fill(m, d):
    for k, v in d.items():
        m[k] = v
    return m


def _concurrentdict_takes_dict(ft):
    try:
        ft.ConcurrentDict(dictionary={})
        return True
    except TypeError:
        return False


def memory_table():
    lines = ["| entries | dict bytes/entry | AtomicDict bytes/entry | ratio |",
             "|---|---|---|---|"]
    for n in (1024, 1_000_000):
        keys = range(n)
        d = dict.fromkeys(keys)
        a = atomics.AtomicDict.fromkeys(keys)
        bd, ba = sys.getsizeof(d) / n, sys.getsizeof(a) / n
        lines.append(f"| {n} | {bd:.1f} | {ba:.1f} | {ba / bd:.2f}x |")
    return lines


def main():
    from benchlib import write_results
    lines = ["### memory: sys.getsizeof per entry (table included), "
             "int keys, None values", ""] + memory_table()
    print("\n".join(lines))
    if "--write-results" in sys.argv:
        write_results("bench_dict memory", lines)


if __name__ == "__main__":
    main()
