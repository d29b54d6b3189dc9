"""Queue workloads for bench_atomics.py (which runs them: --only
queue-pair,queue-handoff,queue-handoff-fresh,queue-bounded,queue-batch,
queue-roundtrip), and a memory table when run alone.

  queue-pair     each thread ``q.put(x); q.get()`` on one shared queue;
                 figures are put/get pairs per second
  queue-handoff  at 1 thread, the same loop; at 2 threads and more, half
                 the threads put and half take with a blocking get():
                 items handed over per second (with --threads 1,2,4,...,
                 1 to N producers and as many consumers)
  queue-handoff-fresh
                 the handoff with a new int object per item, as code
                 that hands over work it made does: the consumer's
                 release of an object another thread made goes through
                 the interpreter's biased reference counting (queued to
                 its owner, merged there), whatever the queue
  queue-bounded  the same with maxsize=1024, and task_done() after each
                 get(): the queue.Queue API that needs a bound
  queue-batch    the same handoff in batches of 64: put_many(), get_many()
                 against 64 put() and 64 get(); items per second
  queue-roundtrip
                 requests and answers through two queues: half the
                 threads put a request and wait for its answer, half take
                 a request and put its answer, as a pool of workers with
                 a queue for results does, one item at a time; round
                 trips per second (1 thread: the four calls in turn)

Rows: queue.SimpleQueue (the baseline where it applies), queue.Queue,
collections.deque (append and popleft; a consumer that finds it empty
retries at once, as nothing can wake it), atomics.Queue (plain and
through a per-thread handle()), and when importable ft_utils'
ConcurrentQueue and ConcurrentDeque.  The control runs ``put(x); get()``
on an atomics.Queue of its own in each thread.

Usage: ./python Tools/atomics/bench_queue.py [--write-results]
       (the memory table: bytes per queued item, and RSS over fill/drain
       cycles)
"""

import collections
import gc
import queue
import sys
import threading
import time

import atomics
from benchlib import measure

BATCH = 64
BOUND = 1024
FRESH = 1 << 40             # FRESH + i is a new int object, never cached


# --- one loop per thread: put; get -----------------------------------------

def pair(make, put="put", get="get", handle=None, private=False):
    """q.put(x); q.get() in each thread, on one shared queue (make())."""
    def factory():
        shared = None if private else make()

        def per_thread():
            q = make() if private else shared
            if handle is not None:
                q = handle(q)
            p, g = getattr(q, put), getattr(q, get)

            def loop(n):
                for _ in range(n):
                    p(1)
                    g()
            return loop
        return per_thread
    return factory


# --- producers and consumers ------------------------------------------------

class Handoff:
    """A producer/consumer workload: make() builds the shared queue;
    producer(q) and consumer(q) return loop(n) functions that put and take
    n items; feed(q) lets a blocked consumer go on (it puts one item) and
    drain(q) a blocked producer, neither blocking for long (to let blocked
    threads finish at the end of a run).  At 1 thread, the loop that
    single(q) returns if given, else the thread alternates: n puts then n
    gets, in batches of at most BATCH."""

    def __init__(self, make, producer, consumer, feed, drain, handle=None,
                 single=None):
        self.make = make
        self.producer = producer
        self.consumer = consumer
        self.feed = feed
        self.drain = drain
        self.handle = handle
        self.single = single


def run(factory, nthreads, seconds):
    """benchlib.measure() for ordinary rows; for a Handoff, items taken
    per second with nthreads // 2 producers and as many consumers (one
    thread: both in turn)."""
    if not isinstance(factory, Handoff):
        return measure(factory, nthreads, seconds)
    h = factory
    q = h.make()
    if nthreads == 1:
        def both():
            qq = h.handle(q) if h.handle else q
            if h.single is not None:
                return h.single(qq)
            put, take = h.producer(qq), h.consumer(qq)

            def loop(n):
                while n > 0:
                    k = min(n, BATCH)
                    put(k)
                    take(k)
                    n -= k
            return loop
        return measure(lambda: both, 1, seconds, chunk=BATCH)
    npairs = nthreads // 2
    barrier = threading.Barrier(2 * npairs + 1)
    stop = [False]
    taken = [0] * npairs

    def producer():
        loop = h.producer(h.handle(q) if h.handle else q)
        barrier.wait()
        while not stop[0]:
            loop(BATCH)

    def consumer(i):
        loop = h.consumer(h.handle(q) if h.handle else q)
        barrier.wait()
        while not stop[0]:
            loop(BATCH)
            taken[i] += BATCH

    threads = ([threading.Thread(target=producer) for _ in range(npairs)]
               + [threading.Thread(target=consumer, args=(i,))
                  for i in range(npairs)])
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    done = sum(taken)
    end = time.perf_counter()
    stop[0] = True
    # Threads blocked in the middle of a batch need items (consumers) or
    # places (producers of a bounded queue) to finish it.
    while any(t.is_alive() for t in threads):
        if any(t.is_alive() for t in threads[npairs:]):
            h.feed(q)
        if any(t.is_alive() for t in threads[:npairs]):
            h.drain(q)
    for t in threads:
        t.join()
    return done / (end - start)


def put_loop(p, fresh):
    """loop(n): n calls of p(item), item the immortal 1 or, with fresh, a
    new int object (FRESH + i)."""
    if fresh:
        def loop(n):
            for i in range(n):
                p(FRESH + i)
    else:
        def loop(n):
            for _ in range(n):
                p(1)
    return loop


def blocking(make, put="put", get="get", task_done=False, handle=None,
             put_timeout=True, fresh=False):
    """put_timeout: put() takes a timeout (bounded queues); ft_utils'
    push() of an unbounded queue never waits and takes none.  fresh: see
    put_loop()."""
    def producer(q):
        return put_loop(getattr(q, put), fresh)

    def consumer(q):
        g = getattr(q, get)
        if task_done:
            d = q.task_done

            def loop(n):
                for _ in range(n):
                    g()
                    d()
        else:
            def loop(n):
                for _ in range(n):
                    g()
        return loop

    def feed(q):
        try:
            if put_timeout:
                getattr(q, put)(1, timeout=0.001)
            else:
                getattr(q, put)(1)
        except queue.Full:
            pass

    def drain(q):
        try:
            getattr(q, get)(timeout=0.001)
        except queue.Empty:
            pass
    return Handoff(make, producer, consumer, feed, drain, handle)


def polling_deque(fresh=False):
    def producer(d):
        return put_loop(d.append, fresh)

    def consumer(d):
        p = d.popleft

        def loop(n):
            while n:
                try:
                    p()
                    n -= 1
                except IndexError:
                    pass
        return loop
    def drain(d):
        try:
            d.popleft()
        except IndexError:
            pass
    return Handoff(collections.deque, producer, consumer,
                   lambda d: d.append(1), drain)


def batches(make, handle=None):
    items = [1] * BATCH

    def producer(q):
        pm = q.put_many

        def loop(n):
            for _ in range(n // BATCH):
                pm(items)
        return loop

    def consumer(q):
        gm = q.get_many

        def loop(n):
            while n > 0:
                n -= len(gm(n))
        return loop
    def drain(q):
        try:
            q.get_many(BATCH, timeout=0.001)
        except queue.Empty:
            pass
    return Handoff(make, producer, consumer, lambda q: q.put(1), drain,
                   handle)


# --- requests and answers -----------------------------------------------------

def roundtrip(make, handle=None, polling=False):
    """Requests on one queue, answers on a second: a client (producer)
    puts a request and waits for its answer, a server (consumer) takes a
    request and puts its answer.  Each item waits in an empty queue for
    the get() that the put() wakes.  polling: deques, whose get retries
    at once."""
    def calls(q):
        if not polling:
            return q.put, q.get
        pop = q.popleft

        def get():
            while True:
                try:
                    return pop()
                except IndexError:
                    pass
        return q.append, get

    def client(qs):
        (put, _), (_, get) = calls(qs[0]), calls(qs[1])

        def loop(n):
            for _ in range(n):
                put(1)
                get()
        return loop

    def server(qs):
        (_, get), (put, _) = calls(qs[0]), calls(qs[1])

        def loop(n):
            for _ in range(n):
                put(get())
        return loop

    def single(qs):
        (put, get), (put2, get2) = calls(qs[0]), calls(qs[1])

        def loop(n):
            for _ in range(n):
                put(1)
                put2(get())
                get2()
        return loop
    return Handoff(lambda: (make(), make()), client, server,
                   lambda qs: calls(qs[0])[0](1),
                   lambda qs: calls(qs[1])[0](1),
                   handle and (lambda qs: (handle(qs[0]), handle(qs[1]))),
                   single)


# --- the groups --------------------------------------------------------------

def ft_rows(ft, kind):
    """ft_utils' queues, when importable and with the methods assumed."""
    rows = []
    if ft is None:
        return rows
    CQ = getattr(ft, "ConcurrentQueue", None)
    CD = getattr(ft, "ConcurrentDeque", None)
    if CQ is not None and hasattr(CQ(), "push") and hasattr(CQ(), "pop"):
        if kind == "pair":
            rows.append(("ft_utils.ConcurrentQueue push/pop",
                         pair(CQ, "push", "pop")))
        elif kind in ("handoff", "handoff-fresh"):
            rows.append(("ft_utils.ConcurrentQueue push/pop",
                         blocking(CQ, "push", "pop", put_timeout=False,
                                  fresh=kind == "handoff-fresh")))
    if CD is not None and kind == "pair":
        rows.append(("ft_utils.ConcurrentDeque append/popleft",
                     pair(CD, "append", "popleft")))
    return rows


def groups(cereggii=None, ft=None):
    if not hasattr(atomics, "Queue"):
        return {}               # an older build (bench_paired.py)
    Q = atomics.Queue
    handle = lambda q: q.handle()
    control = pair(Q, private=True)
    out = {}
    out["queue-pair"] = (
        "queue-pair: each thread `q.put(x); q.get()` on one shared queue "
        "(pairs/s)", control,
        [("queue.SimpleQueue (baseline)", pair(queue.SimpleQueue)),
         ("queue.Queue", pair(queue.Queue)),
         ("collections.deque append/popleft",
          pair(collections.deque, "append", "popleft")),
         ("atomics.Queue", pair(Q)),
         ("atomics.Queue +handle", pair(Q, handle=handle))]
        + ft_rows(ft, "pair"))
    out["queue-handoff"] = (
        "queue-handoff: half the threads put, half take with a blocking "
        "get() (1 thread: both in turn; items/s)", control,
        [("queue.SimpleQueue (baseline)", blocking(queue.SimpleQueue)),
         ("queue.Queue", blocking(queue.Queue)),
         ("collections.deque append/popleft (polling)", polling_deque()),
         ("atomics.Queue", blocking(Q)),
         ("atomics.Queue +handle", blocking(Q, handle=handle))]
        + ft_rows(ft, "handoff"))
    out["queue-handoff-fresh"] = (
        "queue-handoff-fresh: the handoff with a new int object per item "
        "(items/s)", control,
        [("queue.SimpleQueue (baseline)",
          blocking(queue.SimpleQueue, fresh=True)),
         ("queue.Queue", blocking(queue.Queue, fresh=True)),
         ("collections.deque append/popleft (polling)",
          polling_deque(fresh=True)),
         ("atomics.Queue", blocking(Q, fresh=True)),
         ("atomics.Queue +handle", blocking(Q, handle=handle, fresh=True))]
        + ft_rows(ft, "handoff-fresh"))
    out["queue-bounded"] = (
        f"queue-bounded: the handoff with maxsize={BOUND} and task_done() "
        f"after each get() (items/s)", control,
        [("queue.Queue (baseline)",
          blocking(lambda: queue.Queue(BOUND), task_done=True)),
         ("atomics.Queue",
          blocking(lambda: Q(BOUND), task_done=True)),
         ("atomics.Queue +handle",
          blocking(lambda: Q(BOUND), task_done=True, handle=handle))])
    out["queue-batch"] = (
        f"queue-batch: the handoff in batches of {BATCH}, "
        f"put_many()/get_many() (items/s)", control,
        [("atomics.Queue put/get (baseline)", blocking(Q)),
         ("atomics.Queue put_many/get_many", batches(Q)),
         ("atomics.Queue put_many/get_many +handle",
          batches(Q, handle=handle))])
    out["queue-roundtrip"] = (
        "queue-roundtrip: half the threads put a request and wait for its "
        "answer on a second queue, half answer (1 thread: the four calls "
        "in turn; round trips/s)", control,
        [("queue.SimpleQueue (baseline)", roundtrip(queue.SimpleQueue)),
         ("queue.Queue", roundtrip(queue.Queue)),
         ("collections.deque append/popleft (polling)",
          roundtrip(collections.deque, polling=True)),
         ("atomics.Queue", roundtrip(Q)),
         ("atomics.Queue +handle", roundtrip(Q, handle=handle))])
    return out


# --- memory ------------------------------------------------------------------

def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory_table():
    """(queue.SimpleQueue is left out: its __sizeof__ does not count its
    buffer.)"""
    n = 1_000_000
    lines = ["| queue | bytes per queued item (sys.getsizeof; beyond the "
             "items) |",
             "|---|---|"]
    for name, make in (("atomics.Queue", atomics.Queue),
                       ("collections.deque", collections.deque)):
        q = make()
        put = q.append if name == "collections.deque" else q.put
        empty = sys.getsizeof(q)
        for _ in range(n):
            put(None)
        lines.append(f"| {name} | {(sys.getsizeof(q) - empty) / n:.2f} |")
    # The same cycles through a deque, for what the allocator keeps.
    lines.append("")
    lines.append("RSS (MiB) after N fill/drain cycles of 1M items:")
    lines.append("")
    points = (1, 10, 50, 100, 200, 300)
    lines.append("| queue | " + " | ".join(map(str, points)) + " |")
    lines.append("|---|" + "---|" * len(points))
    for name in ("atomics.Queue", "collections.deque"):
        gc.collect()
        rss = []
        if name == "atomics.Queue":
            q = atomics.Queue()
            for cycle in range(1, points[-1] + 1):
                q.put_many([None] * n)
                while not q.empty():
                    q.get_many(n)
                if cycle in points:
                    rss.append(rss_kib())
        else:
            q = collections.deque()
            for cycle in range(1, points[-1] + 1):
                q.extend([None] * n)
                while q:
                    q.popleft()
                if cycle in points:
                    rss.append(rss_kib())
        lines.append(f"| {name} | "
                     + " | ".join(f"{k / 1024:.0f}" for k in rss) + " |")
        del q
    return lines


def main():
    from benchlib import write_results
    lines = ["### memory: bytes per queued item, and RSS over fill/drain "
             "cycles", ""] + memory_table()
    print("\n".join(lines))
    if "--write-results" in sys.argv:
        write_results("bench_queue memory", lines)


if __name__ == "__main__":
    main()
