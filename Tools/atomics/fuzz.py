"""Seeded random-operation fuzzer of the atomics module and the PyAtomicRef
C API, with several threads and hostile arguments.

Each round runs in a child process: THREADS threads (4 by default) share
a set of objects made from the round's seed and call random operations on
them, with random arguments drawn partly from a set of hostile objects
(raising __index__/__bool__/__eq__, huge and negative ints, floats, None,
int subclasses, re-entrant callables...).  An operation may raise one of
the exceptions documented for bad input; anything else, a crash, a hang
or a broken invariant is a finding.  Invariants are checked as the round
goes (every value read is one a writer stored; a failed operation on a
thread's private object leaves it unchanged) and at its end (no lost
update: the counts that the threads kept add up to the objects' values).

Every thread records its last operations in a shared memory-mapped file,
so that they survive a crash of the child.  On a finding the supervisor
prints the seed, what happened, the child's last output and the replay
log (the last operations of every thread, in global order), and exits
with status 1.  For a hang it also prints every thread's Python stack
(faulthandler, in the child's output) and C stack (gdb, where it is
installed).  Re-run one round with --seed S --rounds 1.

Usage: ./python Tools/atomics/fuzz.py [--seconds 60] [--seed S]
           [--threads 4] [--round-seconds 2] [--rounds N]

This is a testing tool: it exits 0 when it found nothing.
"""

import argparse
import gc
import mmap
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import weakref

SLOT = 160                  # bytes per recorded operation
KEEP = 24                   # operations kept per thread
EXIT_FINDING = 3            # the child's status for a broken invariant
HANG_SECONDS = 60           # a round still running this long after its
                            # time is a hang
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1

# Exceptions that bad input may raise.
ALLOWED = (TypeError, ValueError, OverflowError, AttributeError,
           IndexError, ZeroDivisionError, RecursionError)


class Finding(Exception):
    """A broken invariant."""


class Boom(Exception):
    """Raised by the hostile objects."""


# --- hostile arguments -----------------------------------------------------

class BadIndex:
    def __index__(self):
        raise Boom("__index__")


class HugeIndex:
    def __index__(self):
        return 2**100


class BadBool:
    def __bool__(self):
        raise Boom("__bool__")


class BadEq:
    def __eq__(self, other):
        raise Boom("__eq__")

    def __hash__(self):
        return 7


class BadHash:
    def __hash__(self):
        raise Boom("__hash__")


class IntSub(int):
    pass


class CollidingKey:
    """Keys whose hashes collide, compared in Python."""
    def __init__(self, n):
        self.n = n

    def __hash__(self):
        return 12345

    def __eq__(self, other):
        return isinstance(other, CollidingKey) and other.n == self.n

    def __repr__(self):
        return f"CollidingKey({self.n})"


class Recursive:
    """Calls itself through __index__ until the recursion limit."""
    def __index__(self):
        return self.__index__()


def hostile_values():
    return [None, 0, 1, -1, INT64_MAX, INT64_MIN, INT64_MAX + 1,
            INT64_MIN - 1, 2**62, -2**62, 2**31, 2**100, -2**100, 1.5,
            float('nan'), "7", b"7", True, False, IntSub(5), BadIndex(),
            HugeIndex(), BadBool(), BadEq(), BadHash(), Recursive(),
            [], (), object()]


# --- the replay log --------------------------------------------------------

class Log:
    """Each thread's last KEEP operations in a memory-mapped file."""

    def __init__(self, path, nthreads):
        self.size = nthreads * KEEP * SLOT
        with open(path, 'wb') as f:
            f.truncate(self.size)
        self.file = open(path, 'r+b')
        self.map = mmap.mmap(self.file.fileno(), self.size)
        from atomics import AtomicInt
        self.seq = AtomicInt(0)
        self.count = [0] * nthreads

    def record(self, tid, text):
        seq = self.seq.add_and_get(1)
        n = self.count[tid]
        self.count[tid] = n + 1
        line = f"{seq:09d} t{tid} {text}".encode('utf-8', 'replace')
        offset = (tid * KEEP + n % KEEP) * SLOT
        self.map[offset:offset + SLOT] = line[:SLOT].ljust(SLOT, b'\0')

    @staticmethod
    def read(path):
        with open(path, 'rb') as f:
            data = f.read()
        lines = []
        for i in range(0, len(data), SLOT):
            rec = data[i:i + SLOT].rstrip(b'\0')
            if rec:
                lines.append(rec.decode('utf-8', 'replace'))
        return sorted(lines)


# --- one round (child process) ---------------------------------------------

def short(x):
    r = repr(x) if not isinstance(x, int) or abs(x) < 10**30 else '<big int>'
    return r if len(r) < 40 else r[:37] + '...'


class Round:
    def __init__(self, seed, nthreads, seconds, log):
        import atomics
        import queue
        self.atomics = atomics
        self.queue_mod = queue
        self.seed = seed
        self.nthreads = nthreads
        self.seconds = seconds
        self.log = log
        try:
            import _testcapi
        except ImportError:
            _testcapi = None
        self.capi = _testcapi
        rng = random.Random(seed)
        A = atomics
        # Shared objects.  "counted" ones take only additions whose
        # totals the threads keep; the others take anything.
        self.counted_int = A.AtomicInt(rng.randrange(-1000, 1000))
        self.counted_int_start = self.counted_int.get()
        self.counter = A.AtomicCounter(rng.randrange(-10, 10),
                                       stripes=rng.choice([0, 1, 2, 8]))
        self.counter_start = self.counter.sum()
        self.cas_int = A.AtomicInt(0)
        self.cas_ref = A.AtomicRef(0)
        self.edge_int = A.AtomicInt(rng.choice([0, INT64_MAX, INT64_MIN,
                                                2**62, -2**62]))
        self.flag = A.AtomicBool(False)
        self.tokens = [object() for _ in range(8)]
        self.token_ref = A.AtomicRef(self.tokens[0])
        self.any_ref = A.AtomicRef(None)
        self.stored = set()        # ids of what any_ref may hold
        self.published = [None]    # keeps them alive
        self.published_lock = threading.Lock()

        class SubInt(A.AtomicInt):
            def get(self):
                return super().get()

        class SubRef(A.AtomicRef):
            def __init__(self, v=None, extra=None):
                super().__init__(v)
        self.SubInt, self.SubRef = SubInt, SubRef
        self.holder = (_testcapi.AtomicRefFieldHolder(0)
                       if _testcapi is not None else None)

        # AtomicDict: a map any operation may touch, with a key that
        # stays throughout; a map of counters only incremented.
        # A slow-comparing key stays too: its lookups and stores through
        # an equal, not identical, object must never fail while other
        # threads resize the map.
        self.slow_key = tuple(range(rng.choice([200, 2000, 20000])))
        self.adict = A.AtomicDict({'stay': 'here', self.slow_key: 'slow'})
        self.dict_keys = ([1, 2, 3, 'a', 'b', 2**70, 1.5]
                          + [CollidingKey(i) for i in range(6)])
        self.counted_dict = A.AtomicDict()
        self.scratch_dict = A.AtomicDict()
        self.dict_incs = [0] * nthreads
        # Queues: each thread puts (tid, n) with n counting up, and keeps
        # what it takes; at the end nothing is lost or duplicated and each
        # taker saw each putter's items in order.
        self.queues = [A.Queue(), A.Queue(rng.choice([1, 2, 16, 1100]))]
        self.queue_next = [0] * nthreads
        self.queue_put = [set() for _ in range(nthreads)]
        self.queue_maybe = [[] for _ in range(nthreads)]  # failed batches
        self.queue_taken = [[] for _ in range(nthreads)]
        self.queue_done = [0] * nthreads
        # Per-thread tallies for the end-of-round check.
        self.int_net = [0] * nthreads
        self.counter_net = [0] * nthreads
        self.counter_taken = [0] * nthreads
        self.cas_wins = [0] * nthreads
        self.held = [[] for _ in range(nthreads)]   # tokens taken out
        self.held[0] = list(self.tokens[1:])
        self.errors = []
        self.stop = False
        self.fork_lock = threading.Lock()

    # -- the operations: each takes (tid, rng) --

    def op_counted_int(self, tid, rng):
        h = self.counted_int if rng.random() < .5 else self.counted_int.handle()
        d = rng.choice([1, -1, 7, -7, 2**20, -2**20])
        kind = rng.randrange(6)
        self.log.record(tid, f"counted_int op{kind} {d}")
        if kind == 0:
            h.increment(); d = 1
        elif kind == 1:
            h.decrement(); d = -1
        elif kind == 2:
            h.add_and_get(d)
        elif kind == 3:
            h.get_and_add(d)
        elif kind == 4:
            h += d
        else:
            h.update_and_get(lambda v: v + d)
        self.int_net[tid] += d

    def op_counter(self, tid, rng):
        c = self.counter if rng.random() < .5 else self.counter.handle()
        kind = rng.randrange(6)
        d = rng.choice([1, -1, INT64_MAX, INT64_MIN, 12345])
        self.log.record(tid, f"counter op{kind} {d}")
        if kind == 0:
            c.increment(); self.counter_net[tid] += 1
        elif kind == 1:
            c.decrement(); self.counter_net[tid] -= 1
        elif kind == 2:
            c.add(d); self.counter_net[tid] += d
        elif kind == 3:
            c += d; self.counter_net[tid] += d
        elif kind == 4:
            self.counter_taken[tid] += c.reset()
        else:
            s = c.sum()
            if type(s) is not int:
                raise Finding(f"AtomicCounter.sum() returned {s!r}")

    def op_cas(self, tid, rng):
        if rng.random() < .5:
            h = self.cas_int if rng.random() < .5 else self.cas_int.handle()
            self.log.record(tid, "cas_int increment by compare_and_set")
            while True:
                v = h.get()
                if h.compare_and_set(v, v + 1):
                    break
        else:
            r = self.cas_ref if rng.random() < .5 else self.cas_ref.handle()
            self.log.record(tid, "cas_ref increment by compare_exchange")
            v = r.get()
            while True:
                seen = r.compare_exchange(v, v + 1)
                if seen is v:
                    break
                v = seen
        self.cas_wins[tid] += 1

    def op_tokens(self, tid, rng):
        # Exchange conserves tokens: each is held by exactly one place.
        mine = self.held[tid]
        if mine and rng.random() < .6:
            t = mine.pop()
            self.log.record(tid, "token exchange")
            mine.append(self.token_ref.exchange(t))
        elif mine:
            t = mine[-1]
            cur = self.token_ref.get()
            self.log.record(tid, "token compare_and_set")
            if self.token_ref.compare_and_set(cur, t):
                mine.pop()
                mine.append(cur)

    def op_any_ref(self, tid, rng):
        r = self.any_ref if rng.random() < .7 else self.any_ref.handle()
        kind = rng.randrange(5)
        self.log.record(tid, f"any_ref op{kind}")
        if kind < 2:
            v = rng.choice(hostile_values())
            with self.published_lock:
                self.published.append(v)
                self.stored.add(id(v))
            if kind == 0:
                r.set(v)
            else:
                self.check_stored(r.exchange(v))
        else:
            v = r.get()
            self.check_stored(v)
            if kind == 3:
                r.compare_and_set(v, v)
            elif kind == 4:
                r.update_and_get(lambda x: x)

    def check_stored(self, v):
        if id(v) not in self.stored and v is not None:
            raise Finding(f"AtomicRef returned {v!r}, which no thread stored")

    def op_edge_int(self, tid, rng):
        e = self.edge_int if rng.random() < .5 else self.edge_int.handle()
        v = rng.choice(hostile_values())
        name = rng.choice(['set', 'exchange', 'add_and_get', 'get_and_add',
                           'get_and_or', 'get_and_and', 'get_and_xor',
                           'get_and_max', 'get_and_min', 'compare_and_set',
                           'compare_exchange', 'iadd', 'isub', 'init',
                           'accumulate_and_get'])
        self.log.record(tid, f"edge_int {name} {short(v)}")
        try:
            if name == 'iadd':
                e += v
            elif name == 'isub':
                e -= v
            elif name == 'init':
                e.__init__(v)
            elif name in ('compare_and_set', 'compare_exchange'):
                getattr(e, name)(e.get(), v)
            elif name == 'accumulate_and_get':
                e.accumulate_and_get(v, lambda a, b: b)
            else:
                getattr(e, name)(v)
        except (Boom, *ALLOWED):
            pass
        x = e.get()
        if type(x) is not int or not INT64_MIN <= x <= INT64_MAX:
            raise Finding(f"AtomicInt holds {x!r}")

    def op_private(self, tid, rng):
        # A failed operation leaves the (unshared) object unchanged.
        A = self.atomics
        kind = rng.randrange(4)
        v = rng.choice(hostile_values())
        self.log.record(tid, f"private op{kind} {short(v)}")
        if kind == 0:
            o = rng.choice([A.AtomicInt, self.SubInt])(
                rng.choice([0, INT64_MAX, INT64_MIN, 5]))
            before = o.get()
            for name in ('set', 'exchange', 'add_and_get', 'get_and_max',
                         'compare_and_set'):
                try:
                    if name == 'compare_and_set':
                        o.compare_and_set(before, v)
                    else:
                        getattr(o, name)(v)
                except (Boom, *ALLOWED):
                    if o.get() != before:
                        raise Finding(f"AtomicInt.{name}({short(v)}) failed "
                                      f"but changed {before} to {o.get()}")
                before = o.get()
        elif kind == 1:
            o = A.AtomicBool(rng.random() < .5)
            before = o.get()
            try:
                o.set(v)
            except (Boom, *ALLOWED):
                if o.get() != before:
                    raise Finding("AtomicBool.set failed but changed it")
        elif kind == 2:
            o = A.AtomicCounter(rng.choice([0, INT64_MAX]), stripes=2)
            before = o.sum()
            try:
                o.add(v)
            except (Boom, *ALLOWED):
                if o.sum() != before:
                    raise Finding("AtomicCounter.add failed but changed it")
        else:
            o = rng.choice([A.AtomicRef, self.SubRef])(1)
            for call in (lambda: o.get_and_update(lambda x: 1 / 0),
                         lambda: o.accumulate_and_get(v, lambda x, y: x + y)):
                o.set(1)
                try:
                    call()
                except (Boom, *ALLOWED):
                    x = o.get()
                    if type(x) is not int or x != 1:
                        raise Finding(f"AtomicRef changed to {x!r} by a "
                                      f"failed update")

    def op_flag(self, tid, rng):
        h = self.flag if rng.random() < .5 else self.flag.handle()
        name = rng.choice(['test_and_set', 'clear', 'toggle', 'get', 'set'])
        self.log.record(tid, f"flag {name}")
        r = h.set(rng.random() < .5) if name == 'set' else getattr(h, name)()
        if r is not None and type(r) is not bool:
            raise Finding(f"AtomicBool.{name} returned {r!r}")

    def op_gc(self, tid, rng):
        # Cycles through atomics with finalizers that touch them, weak
        # references, deep chains, collections.
        A = self.atomics
        kind = rng.randrange(4)
        self.log.record(tid, f"gc op{kind}")
        if kind == 0:
            class Fin:
                def __del__(self):
                    try:
                        self.r.get()
                    except ValueError:
                        pass
                    self.r.set(self)      # resurrect into the cleared ref
            f = Fin()
            f.r = A.AtomicRef(f)
            f.h = f.r.handle()
            f.i = A.AtomicInt(3).handle()
        elif kind == 1:
            r = None
            for _ in range(rng.randrange(1, 3000)):
                r = A.AtomicRef(r)
            del r
        elif kind == 2:
            x = A.AtomicInt(1)
            w = weakref.ref(x)
            h = x.handle()
            del x
            if w() is None:
                raise Finding("a handle did not keep its owner alive")
            h.increment()
        else:
            gc.collect()

    def op_capi(self, tid, rng):
        capi = self.capi
        if capi is None:
            return
        kind = rng.randrange(6)
        v = rng.choice(hostile_values())
        self.log.record(tid, f"capi op{kind} {short(v)}")
        ref = self.any_ref
        # The _testcapi wrappers pass None as NULL, which the C API
        # refuses with SystemError (a documented error return).
        if kind == 0:
            with self.published_lock:
                self.published.append(v)
                self.stored.add(id(v))
            try:
                capi.atomicref_set(ref, v)
            except SystemError:
                if v is not None:
                    raise
        elif kind == 1:
            self.check_stored(capi.atomicref_get(ref))
        elif kind == 2:
            cur = capi.atomicref_get(ref)
            try:
                capi.atomicref_compare_exchange(ref, cur, cur,
                                                rng.random() < .5)
            except SystemError:
                if cur is not None:
                    raise
        elif kind == 3:
            # The holder takes only non-negative ints: readers check it.
            capi.atomicref_stress_read(self.holder, rng.randrange(1, 200), 0,
                                       rng.random() < .5)
        elif kind == 4:
            base = rng.randrange(1, 1 << 30)
            capi.atomicref_field_set_each(
                self.holder, [base + i for i in range(rng.randrange(1, 50))])
        else:
            capi.atomicref_field_get_borrowed(self.holder, rng.randrange(1, 50))

    def op_dict(self, tid, rng):
        A = self.atomics
        d = self.adict if rng.random() < .7 else self.adict.handle()
        k = rng.choice(self.dict_keys)
        v = rng.choice(hostile_values())
        name = rng.choice(['get', 'set', 'del', 'pop', 'setdefault', 'cas',
                           'get_and_set', 'update', 'iter', 'items', 'len',
                           'copy', 'popitem', 'clear', 'contains', 'hostile',
                           'reduce', 'slow', 'fork'])
        self.log.record(tid, f"dict {name} {short(k)} {short(v)}")
        if d.get('stay') != 'here':
            raise Finding("AtomicDict lost a key present throughout")
        if name == 'get':
            d.get(k)
        elif name == 'set':
            d[k] = v
        elif name == 'del':
            try:
                del d[k]
            except KeyError:
                pass
        elif name == 'pop':
            d.pop(k, None, expected=v) if rng.random() < .5 else d.pop(k, 0)
        elif name == 'setdefault':
            d.setdefault(k, v)
        elif name == 'cas':
            cur = d.get(k, A.NOT_FOUND)
            d.compare_and_set(k, cur, rng.choice([v, A.NOT_FOUND]))
        elif name == 'get_and_set':
            d.get_and_set(k, v)
        elif name == 'update':
            d.update_and_get(k, lambda x: v if x is A.NOT_FOUND
                             else A.NOT_FOUND)
        elif name in ('iter', 'items'):
            seen = list(d) if name == 'iter' else [k for k, _ in d.items()]
            if len(seen) != len(set(map(id, seen))):
                raise Finding(f"AtomicDict iteration repeated a key: {seen}")
            if 'stay' not in seen:
                raise Finding("AtomicDict iteration missed a key present "
                              "throughout")
        elif name == 'len':
            if len(d) < 1:
                raise Finding(f"AtomicDict len {len(d)} with a key in it")
        elif name == 'copy':
            c = d.copy()
            if c.get('stay') != 'here':
                raise Finding("AtomicDict.copy() lost a key")
        elif name == 'popitem':
            # On a map of its own: the shared one keeps 'stay' throughout.
            s = self.scratch_dict
            s[k] = v
            try:
                s.popitem()
            except KeyError:
                pass
        elif name == 'clear':
            s = self.scratch_dict
            s.update((x, x) for x in range(rng.randrange(50)))
            if rng.random() < .3:
                s.clear()
        elif name == 'contains':
            k in d
        elif name == 'slow':
            twin = tuple(list(self.slow_key))     # equal, not identical
            if d[twin] != 'slow':
                raise Finding("AtomicDict lost a slow-comparing key")
            d[twin] = 'slow'
        elif name == 'fork':
            self.fork_and_resize(rng)
        elif name == 'hostile':
            for bad in (BadHash(), BadEq(), [], Recursive()):
                try:
                    d[bad] = 1
                except (Boom, *ALLOWED):
                    pass
        else:
            d.reduce_sum([(k, 1), (k, 2)]) if isinstance(d.get(k), int) \
                else d.reduce([(k, v)], lambda key, a, b: b)

    def fork_and_resize(self, rng):
        """Fork while the other threads write (and resize) the maps: the
        child resizes both maps and exits; a child that does not exit
        within 10 seconds (a resize lock inherited held) is a finding.

        One thread forks at a time, and the warning fork() gives in a
        process with threads is filtered out once, in child(): threads
        that race on the warnings module's lock can leave it held by a
        thread that a fork child does not have (an interpreter defect,
        not the maps': the child then hangs in the warnings module)."""
        if not hasattr(os, 'fork') or rng.random() < .9:
            return
        with self.fork_lock:
            pid = os.fork()
        if pid == 0:
            code = 0
            try:
                self.scratch_dict.clear()
                self.scratch_dict.update((x, x) for x in range(100))
                self.adict.update((x, x) for x in range(100, 200))
            except BaseException:
                code = 5
            os._exit(code)
        deadline = time.monotonic() + 10
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                if os.waitstatus_to_exitcode(status) != 0:
                    raise Finding(f"fork child failed: status {status}")
                return
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise Finding("fork child hung resizing an AtomicDict")
            time.sleep(0.002)

    def exit_while_resizing(self):
        """Leave daemon threads resizing the scratch map, and an object
        whose finalizer resizes it at teardown, as the process exits: an
        exit that hangs is a finding (the supervisor's timeout).

        CPython 3.13's free-threaded build can itself hang at exit with
        daemon threads, without this module: a PyMutex handed to a waiter
        that is parked detached stays locked if the waiter is never let
        back in (finalization hangs daemon threads).  Its C stacks show a
        daemon thread in _PyMutex_LockTimed() under tstate_wait_attach()
        or PyThread_hang_thread(), and the main thread in _Py_Finalize()
        waiting for the same mutex (the type lock, for one)."""
        d = self.scratch_dict

        def clearer():
            while True:
                d.clear()
                d.update((x, x) for x in range(20))
        for _ in range(2):
            threading.Thread(target=clearer, daemon=True).start()

        class ClearsAtExit:
            def __del__(self):
                d.clear()
                d[0] = 0
        global _clears_at_exit
        _clears_at_exit = ClearsAtExit()
        time.sleep(0.01)

    def op_dict_counts(self, tid, rng):
        d = self.counted_dict if rng.random() < .5 \
            else self.counted_dict.handle()
        kind = rng.randrange(3)
        self.log.record(tid, f"counted_dict op{kind}")
        if kind == 0:
            d.update_and_get(rng.randrange(8),
                             lambda x: 1 if x is self.atomics.NOT_FOUND
                             else x + 1)
            self.dict_incs[tid] += 1
        elif kind == 1:
            words = [rng.randrange(8) for _ in range(rng.randrange(1, 50))]
            d.reduce_count(words)
            self.dict_incs[tid] += len(words)
        else:
            k = rng.randrange(8)
            while True:
                cur = d.get(k, self.atomics.NOT_FOUND)
                new = 1 if cur is self.atomics.NOT_FOUND else cur + 1
                if d.compare_and_set(k, cur, new):
                    break
            self.dict_incs[tid] += 1

    def op_queue(self, tid, rng):
        i = rng.randrange(2)
        q = self.queues[i]
        if rng.random() < .3:
            q = q.handle()
        kind = rng.randrange(8)
        self.log.record(tid, f"queue{i} op{kind}")
        taken = self.queue_taken[tid]
        if kind <= 2:
            n = rng.choice([1, 1, 5, 70])
            items = [(i, tid, self.queue_next[tid] + j) for j in range(n)]
            self.queue_next[tid] += n
            put = self.queue_put[tid]
            try:
                if kind == 0:
                    for item in items:
                        q.put(item, timeout=rng.choice([0, 0.001]))
                        put.add(item)
                elif kind == 1:
                    for item in items:
                        q.put_nowait(item)
                        put.add(item)
                else:
                    # a prefix of the batch is put if it raises
                    q.put_many(iter(items), timeout=0.001)
                    put.update(items)
            except self.queue_mod.Full:
                if kind == 2:
                    self.queue_maybe[tid].append(items)
        elif kind <= 5:
            try:
                if kind == 3:
                    got = [q.get(timeout=rng.choice([0, 0.001]))]
                elif kind == 4:
                    got = [q.get_nowait()]
                else:
                    got = q.get_many(rng.choice([1, 3, 100]), timeout=0.001)
            except self.queue_mod.Empty:
                got = []
            taken.extend(got)
            for _ in got:
                if rng.random() < .5:
                    q.task_done()
                    self.queue_done[tid] += 1
        elif kind == 6:
            # hostile arguments: each raises before it touches the queue
            arg = rng.choice([-1, -0.5, 'x', BadIndex(), float('nan'),
                              2**100, 1e300])
            call = rng.choice([lambda: q.put(object(), True, arg),
                               lambda: q.get(True, arg),
                               lambda: q.get_many(arg)])
            try:
                call()
            except (self.queue_mod.Empty, self.queue_mod.Full):
                raise Finding(f"queue: {arg!r} was taken as a timeout")
        else:
            n = q.qsize()
            if q.maxsize and not 0 <= n <= q.maxsize:
                raise Finding(f"queue: qsize() {n} of maxsize {q.maxsize}")
            q.empty(), q.full()

    OPS = ['op_counted_int', 'op_counter', 'op_cas', 'op_tokens',
           'op_any_ref', 'op_edge_int', 'op_private', 'op_flag', 'op_gc',
           'op_capi', 'op_dict', 'op_dict_counts', 'op_queue']
    WEIGHTS = [10, 10, 6, 6, 8, 8, 6, 4, 1, 6, 12, 6, 10]

    def worker(self, tid, barrier):
        rng = random.Random(self.seed * 1000 + tid)
        ops = [getattr(self, name) for name in self.OPS]
        barrier.wait()
        deadline = time.monotonic() + self.seconds
        n = 0
        try:
            while time.monotonic() < deadline and not self.stop:
                for _ in range(32):
                    op = rng.choices(ops, self.WEIGHTS)[0]
                    try:
                        op(tid, rng)
                    except (Boom, *ALLOWED) as exc:
                        if op.__name__ in ('op_counted_int', 'op_counter',
                                           'op_cas', 'op_tokens',
                                           'op_dict_counts'):
                            raise Finding(f"{op.__name__} raised {exc!r}")
                    n += 1
        except BaseException as exc:
            self.stop = True
            self.log.record(tid, f"FAILED: {exc!r}")
            self.errors.append((tid, exc, traceback.format_exc()))

    def run(self):
        barrier = threading.Barrier(self.nthreads)
        threads = [threading.Thread(target=self.worker, args=(i, barrier))
                   for i in range(self.nthreads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.errors:
            tid, exc, tb = self.errors[0]
            print(f"thread {tid}: {tb}", file=sys.stderr)
            raise Finding(repr(exc))
        self.check_end()

    def check_end(self):
        want = self.counted_int_start + sum(self.int_net)
        if self.counted_int.get() != want:
            raise Finding(f"AtomicInt lost updates: {self.counted_int.get()}"
                          f" != {want}")
        total = self.counter.sum() + sum(self.counter_taken)
        want = self.counter_start + sum(self.counter_net)
        if total != want:
            raise Finding(f"AtomicCounter: sum + resets = {total} != {want}")
        wins = sum(self.cas_wins)
        got = self.cas_int.get() + self.cas_ref.get()
        if got != wins:
            raise Finding(f"compare-and-set increments: {got} != {wins}")
        total = sum(self.counted_dict.values())
        if total != sum(self.dict_incs):
            raise Finding(f"AtomicDict lost increments: {total} != "
                          f"{sum(self.dict_incs)}")
        self.check_queues()
        held = [t for mine in self.held for t in mine]
        held.append(self.token_ref.get())
        if sorted(map(id, held)) != sorted(map(id, self.tokens)):
            raise Finding("AtomicRef.exchange lost or duplicated a token")

    def check_queues(self):
        taken = self.queue_taken + [[], []]
        done = sum(self.queue_done)
        for i, q in enumerate(self.queues):
            while True:
                try:
                    taken[-1 - i].append(q.get_nowait())
                except self.queue_mod.Empty:
                    break
            if q.qsize() != 0 or not q.empty():
                raise Finding(f"queue: {q.qsize()} items after draining")
        everything = [item for mine in taken for item in mine]
        got = set(everything)
        put = set().union(*self.queue_put)
        if len(got) != len(everything) or not put <= got:
            raise Finding(f"queue: {len(everything)} items taken "
                          f"({len(got)} different), {len(put)} put")
        rest = got - put
        for batch in (b for mine in self.queue_maybe for b in mine):
            k = sum(item in got for item in batch)
            if not set(batch[:k]) <= got:
                raise Finding("queue: a failed put_many() put more than "
                              "a prefix")
            rest -= set(batch[:k])
        if rest:
            raise Finding(f"queue: {len(rest)} items taken never put")
        for mine in taken:
            last = {}
            for i, t, n in mine:
                if n < last.get((i, t), -1):
                    raise Finding(f"queue: thread {t}'s items out of order")
                last[i, t] = n
        # Every item not yet done is done now: join() must return.
        for _ in range(len(everything) - done):
            # the two queues' counts are separate: done by whichever
            # still has unfinished tasks
            for q in self.queues:
                try:
                    q.task_done()
                    break
                except ValueError:
                    pass
            else:
                raise Finding("queue: fewer unfinished tasks than taken")
        for q in self.queues:
            self.assert_raises_value_error(q.task_done)
            q.join()

    @staticmethod
    def assert_raises_value_error(f):
        try:
            f()
        except ValueError:
            return
        raise Finding("queue: task_done() accepted more than were put")


def child(args):
    log = Log(args.log, args.threads)
    import faulthandler
    import warnings
    faulthandler.enable()
    # A round that hangs prints every thread's stack before the
    # supervisor kills it.
    faulthandler.dump_traceback_later(args.round_seconds + HANG_SECONDS - 10)
    # Before any thread starts (see fork_and_resize()).
    warnings.filterwarnings('ignore', category=DeprecationWarning)
    try:
        r = Round(args.seed, args.threads, args.round_seconds, log)
        r.run()
        r.exit_while_resizing()
    except Finding as exc:
        print(f"FINDING: {exc}", file=sys.stderr)
        sys.exit(EXIT_FINDING)


# --- supervisor ------------------------------------------------------------

def native_stacks(pid):
    """The C stacks of every thread of process pid, as lines, from gdb.

    A hang during the interpreter's finalization shows no Python frame
    (the other threads' states are gone by then): only the C stacks say
    which thread holds what the others wait for."""
    gdb = shutil.which('gdb')
    if gdb is None:
        return ["(gdb not found: no C stacks)"]
    try:
        res = subprocess.run([gdb, '-p', str(pid), '-batch', '-nx',
                              '-ex', 'thread apply all bt 40'],
                             capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return ["(gdb did not finish within 60 s)"]
    lines = [line for line in (res.stdout + res.stderr).splitlines()
             if line.startswith(('Thread ', '#'))]
    return lines or ["(gdb printed no stack: "
                     + (res.stderr.strip().splitlines() or ['?'])[-1] + ")"]


def supervise(args):
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    end = time.monotonic() + args.seconds
    rounds = 0
    fd, log_path = tempfile.mkstemp(prefix='atomics-fuzz-')
    os.close(fd)
    try:
        while (rounds < args.rounds if args.rounds
               else time.monotonic() < end or rounds == 0):
            s = seed + rounds
            cmd = [sys.executable, __file__, '--child', '--seed', str(s),
                   '--threads', str(args.threads),
                   '--round-seconds', str(args.round_seconds),
                   '--log', log_path]
            timeout = args.round_seconds + HANG_SECONDS
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            c_stacks = None
            try:
                out, _ = proc.communicate(timeout=timeout)
                what = None
                if proc.returncode == EXIT_FINDING:
                    what = "broken invariant"
                elif proc.returncode < 0:
                    what = f"crash ({signal.Signals(-proc.returncode).name})"
                elif proc.returncode != 0:
                    what = f"exit status {proc.returncode}"
            except subprocess.TimeoutExpired:
                what = f"hang (no exit after {timeout} s)"
                c_stacks = native_stacks(proc.pid)
                proc.kill()
                out, _ = proc.communicate()
            except BaseException:       # Ctrl-C: leave no child behind
                proc.kill()
                proc.wait()
                raise
            rounds += 1
            if what is not None:
                print(f"fuzz: FINDING in round {rounds}, seed {s}: {what}")
                print("fuzz: last output of the round:")
                # A hang's output is the Python stacks of every thread.
                keep = 150 if c_stacks is not None else 30
                for line in out.splitlines()[-keep:]:
                    print("    " + line)
                if c_stacks is not None:
                    print("fuzz: C stacks of the hung child:")
                    for line in c_stacks:
                        print("    " + line)
                print("fuzz: replay log (last operations of each thread):")
                for line in Log.read(log_path)[-3 * KEEP:]:
                    print("    " + line)
                print(f"fuzz: re-run with: {sys.executable} {__file__} "
                      f"--seed {s} --rounds 1 --threads {args.threads} "
                      f"--round-seconds {args.round_seconds}")
                return 1
        print(f"fuzz: {rounds} rounds of {args.round_seconds} s with "
              f"{args.threads} threads, seeds {seed}..{seed + rounds - 1}: "
              f"nothing found")
        return 0
    finally:
        os.unlink(log_path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seconds', type=float, default=60)
    p.add_argument('--seed', type=int)
    p.add_argument('--threads', type=int, default=4)
    p.add_argument('--round-seconds', type=float, default=2)
    p.add_argument('--rounds', type=int, default=0)
    p.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--log', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
    else:
        sys.exit(supervise(args))


if __name__ == '__main__':
    main()
