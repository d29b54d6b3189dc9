import copy
import gc
import operator
import pickle
import queue
import signal
import sys
import textwrap
import threading
import time
import unittest
import weakref
from test import support
from test.support import threading_helper
from test.support.script_helper import assert_python_ok

from atomics import AtomicInt, Queue
from test.support.atomics_helper import (FORK_CHILDREN, ITERATIONS,
    NTHREADS, call_with_failing_allocations, run_concurrently)

# More than one segment of the queue (1024 slots).
MANY = 3000


class QueueAPITests(unittest.TestCase):
    """What queue.Queue does, Queue does (run against both)."""

    def test_fifo(self):
        q = Queue()
        for i in range(MANY):
            q.put(i)
        self.assertEqual(q.qsize(), MANY)
        self.assertEqual([q.get() for _ in range(MANY)], list(range(MANY)))
        self.assertTrue(q.empty())
        self.assertEqual(q.qsize(), 0)

    def test_constructor(self):
        self.assertEqual(Queue().maxsize, 0)
        self.assertEqual(Queue(5).maxsize, 5)
        self.assertEqual(Queue(maxsize=3).maxsize, 3)
        self.assertEqual(Queue(-1).maxsize, 0)    # as unbounded
        self.assertRaises(TypeError, Queue, 1.5)
        self.assertRaises(TypeError, Queue, 1, 2)
        self.assertRaises(OverflowError, Queue, 2**100)

    def test_bounded(self):
        q = Queue(2)
        self.assertFalse(q.full())
        q.put(1)
        q.put_nowait(2)
        self.assertTrue(q.full())
        self.assertRaises(queue.Full, q.put_nowait, 3)
        self.assertRaises(queue.Full, q.put, 3, False)
        self.assertRaises(queue.Full, q.put, 3, block=False)
        self.assertEqual(q.get(), 1)
        q.put(3)
        self.assertEqual([q.get(), q.get()], [2, 3])
        self.assertRaises(queue.Empty, q.get_nowait)
        self.assertRaises(queue.Empty, q.get, False)
        self.assertEqual(q.qsize(), 0)

    @threading_helper.requires_working_threading()
    def test_full_queue_takes_a_single_free_place(self):
        # A producer blocked on a full queue goes on as soon as one place
        # is free, even where it first waits for more to be freed.
        for maxsize in (1, 100, 5000):
            with self.subTest(maxsize=maxsize):
                q = Queue(maxsize)
                q.put_many(range(maxsize))
                t = threading.Thread(target=q.put, args=("last",))
                t.start()
                time.sleep(0.05)
                self.assertTrue(t.is_alive())
                self.assertEqual(q.get(), 0)
                t.join(support.SHORT_TIMEOUT)
                self.assertFalse(t.is_alive())
                self.assertEqual(q.qsize(), maxsize)
                self.assertEqual(q.get_many(maxsize)[-1], "last")

    def test_timeouts(self):
        q = Queue(1)
        q.put(1)
        for call in (lambda: q.put(2, timeout=0.05),
                     lambda: q.put(2, True, 0.05)):
            t0 = time.monotonic()
            self.assertRaises(queue.Full, call)
            self.assertGreaterEqual(time.monotonic() - t0, 0.04)
        q.get()
        t0 = time.monotonic()
        self.assertRaises(queue.Empty, q.get, timeout=0.05)
        self.assertGreaterEqual(time.monotonic() - t0, 0.04)
        self.assertRaises(queue.Empty, q.get, timeout=0)
        self.assertRaises(ValueError, q.get, timeout=-1)
        self.assertRaises(ValueError, q.put, 1, timeout=-1)
        self.assertRaises(TypeError, q.get, timeout='1')
        # Non-blocking calls ignore timeout, as queue.Queue's do.
        self.assertRaises(queue.Empty, q.get, False, -1)

    def test_timeout_then_item(self):
        q = Queue()
        threading.Timer(0.05, q.put, ('x',)).start()
        self.assertEqual(q.get(timeout=support.SHORT_TIMEOUT), 'x')

    def test_task_done_and_join(self):
        q = Queue()
        q.join()
        self.assertRaises(ValueError, q.task_done)
        for i in range(3):
            q.put(i)
        for i in range(3):
            q.get()
            q.task_done()
        q.join()
        self.assertRaises(ValueError, q.task_done)

    def test_join_waits_for_every_task(self):
        q = Queue()
        done = []
        n = 1000

        def worker():
            while True:
                item = q.get()
                if item is None:
                    q.task_done()
                    return
                done.append(item)
                q.task_done()
        threads = [threading.Thread(target=worker) for _ in range(NTHREADS)]
        with threading_helper.start_threads(threads):
            for i in range(n):
                q.put(i)
            q.join()
            # join() returned: every task_done() had been called.
            self.assertEqual(sorted(done), list(range(n)))
            for _ in threads:
                q.put(None)

    def test_shutdown(self):
        q = Queue()
        self.assertFalse(q.is_shutdown)
        q.put(1)
        q.shutdown()
        self.assertTrue(q.is_shutdown)
        self.assertRaises(queue.ShutDown, q.put, 2)
        self.assertRaises(queue.ShutDown, q.put_nowait, 2)
        self.assertEqual(q.get(), 1)
        self.assertRaises(queue.ShutDown, q.get)
        self.assertRaises(queue.ShutDown, q.get_nowait)
        q.task_done()
        q.join()

    def test_shutdown_immediate(self):
        q = Queue()
        for i in range(MANY):
            q.put(i)
        q.shutdown(immediate=True)
        self.assertEqual(q.qsize(), 0)
        self.assertRaises(queue.ShutDown, q.get)
        q.join()            # the removed items count as done

    def test_shutdown_wakes_every_waiter(self):
        for immediate in (False, True):
            empty, full = Queue(), Queue(1)
            full.put(0)
            joined = Queue()
            joined.put(0)
            errors = []
            started = threading.Barrier(3 * NTHREADS + 1)

            def get():
                started.wait()
                try:
                    empty.get()
                except queue.ShutDown:
                    errors.append('get')

            def put():
                started.wait()
                try:
                    full.put(1)
                except queue.ShutDown:
                    errors.append('put')

            def join():
                started.wait()
                joined.join()
                errors.append('join')
            threads = [threading.Thread(target=f)
                       for f in [get, put, join] * NTHREADS]
            with threading_helper.start_threads(threads):
                started.wait()
                time.sleep(0.05)
                empty.shutdown(immediate)
                full.shutdown(immediate)
                joined.shutdown(True)
            self.assertEqual(sorted(errors),
                             sorted(['get', 'put', 'join'] * NTHREADS))

    def test_put_many_get_many(self):
        q = Queue()
        self.assertIsNone(q.put_many(range(MANY)))
        self.assertIsNone(q.put_many(iter(['a', 'b'])))
        got = q.get_many(10)
        self.assertEqual(got, list(range(10)))
        got = q.get_many(MANY)
        self.assertEqual(got, list(range(10, MANY)) + ['a', 'b'])
        self.assertRaises(queue.Empty, q.get_many, 5, False)
        self.assertRaises(queue.Empty, q.get_many, 5, timeout=0.01)
        self.assertRaises(ValueError, q.get_many, 0)
        self.assertRaises(TypeError, q.put_many, 5)
        b = Queue(3)
        self.assertRaises(queue.Full, b.put_many, range(5), False)
        self.assertEqual(b.get_many(10), [0, 1, 2])    # the prefix stays

    def test_put_many_from_failing_iterator(self):
        def gen():
            yield 1
            raise ZeroDivisionError
        q = Queue()
        self.assertRaises(ZeroDivisionError, q.put_many, gen())
        self.assertEqual(q.qsize(), 0)

    def test_pickle_and_copy_refused(self):
        q = Queue()
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            self.assertRaises(TypeError, pickle.dumps, q, proto)
        self.assertRaises(TypeError, copy.copy, q)
        self.assertRaises(TypeError, copy.deepcopy, q)

    def test_subclass(self):
        class Jobs(Queue):
            def __init__(self, maxsize=0):
                self.name = 'jobs'
        q = Jobs(4)
        self.assertEqual(q.maxsize, 4)
        self.assertEqual(q.name, 'jobs')
        q.put(1)
        self.assertEqual(q.get(), 1)
        self.assertEqual(Queue[int].__origin__, Queue)

    def test_weakref_and_handle(self):
        q = Queue(2)
        self.assertIs(weakref.ref(q)(), q)
        h = q.handle()
        self.assertIs(type(h), Queue)
        self.assertEqual(h.maxsize, 2)
        h.put(1)
        self.assertEqual(q.get(), 1)
        del q
        h.put(2)
        self.assertEqual(h.handle().get(), 2)

    def test_sizeof(self):
        q = Queue()
        empty = sys.getsizeof(q)
        for i in range(MANY):
            q.put(i)
        # Three segments of 1024 slots: at most 16 bytes per item more.
        grown = sys.getsizeof(q) - empty
        self.assertGreaterEqual(grown, 2 * 1024 * 8)
        self.assertLessEqual(grown, 16 * MANY)
        self.assertLess(sys.getsizeof(q.handle()), empty)

    def test_items_are_not_compared_or_hashed(self):
        class Hostile:
            def __eq__(self, other):
                raise AssertionError
            __hash__ = None
        q = Queue()
        h = Hostile()
        q.put(h)
        self.assertIs(q.get(), h)

    def test_references(self):
        class Obj:
            pass
        q = Queue()
        refs = []
        for _ in range(MANY):
            o = Obj()
            refs.append(weakref.ref(o))
            q.put(o)
            del o
        for _ in range(MANY // 2):
            q.get()
        support.gc_collect()
        self.assertEqual(sum(r() is not None for r in refs), MANY - MANY // 2)
        del q
        support.gc_collect()
        self.assertEqual(sum(r() is not None for r in refs), 0)

    def test_cycle_collected(self):
        q = Queue()
        q.put(q)
        q.put([q])
        r = weakref.ref(q)
        del q
        support.gc_collect()
        self.assertIsNone(r())

    def test_finalizer_puts_into_the_queue(self):
        q = Queue()

        class PutsBack:
            def __del__(self):
                try:
                    q.put('from __del__')
                except queue.ShutDown:
                    pass
        for _ in range(10):
            q.put(PutsBack())
        q.shutdown(immediate=True)
        self.assertRaises(queue.ShutDown, q.get)
        r = Queue()
        r.put(PutsBack())
        q = r
        q.get()             # the finalizer puts its string into q
        self.assertEqual(q.get_nowait(), 'from __del__')

    def test_out_of_memory(self):
        q = Queue()
        for i in range(1024):
            q.put(i)
        # The next put needs a new segment.
        exc = call_with_failing_allocations(lambda: q.put('x'))
        self.assertIsInstance(exc, MemoryError)
        self.assertEqual(q.qsize(), 1024)
        q.put('y')
        self.assertEqual(q.get_many(2000)[-1], 'y')
        for i in range(1025):
            q.task_done()
        self.assertRaises(ValueError, q.task_done)  # 'x' was not counted

    def test_out_of_memory_in_batches(self):
        # Whichever allocation fails, get_many() loses no item and keeps
        # the order (it may return fewer), and put_many() puts a prefix of
        # its items, each counted for task_done().
        for start in range(8):
            with self.subTest(start=start):
                q = Queue()
                q.put_many(tuple(range(1000)))
                batch = tuple(range(1000, 1100))   # crosses a segment
                exc = call_with_failing_allocations(
                    lambda: q.put_many(batch), start)
                n = q.qsize()
                self.assertEqual(n == 1100, exc is None)
                if exc is not None:
                    self.assertIsInstance(exc, MemoryError)
                got = [[]]       # stored into without an allocation
                exc = call_with_failing_allocations(
                    lambda: operator.setitem(got, 0, q.get_many(500)), start)
                if exc is not None:
                    self.assertIsInstance(exc, MemoryError)
                got = got[0]
                self.assertGreaterEqual(len(got), 1 if exc is None else 0)
                self.assertLessEqual(len(got), 500)
                rest = q.get_many(2000)
                self.assertEqual(got + rest, list(range(n)))
                for _ in range(n):
                    q.task_done()
                self.assertRaises(ValueError, q.task_done)


class QueueThreadTests(unittest.TestCase):

    def check_producers_consumers(self, maxsize, producers, consumers, n):
        q = Queue(maxsize)
        out = [[] for _ in range(consumers)]
        over = []
        # Puts that returned, and gets that began: put_done - get_begun,
        # put_done counted first, is never more than the queue held at
        # that moment, so never more than maxsize.
        put_done = AtomicInt()
        get_begun = AtomicInt()

        def produce(p):
            for i in range(n):
                q.put((p, i))
                if maxsize:
                    held = put_done.add_and_get(1) - get_begun.get()
                    if held > maxsize:
                        over.append(held)

        def consume(c):
            got = out[c]
            while True:
                get_begun.increment()
                item = q.get()
                if item is None:
                    return
                got.append(item)
                q.task_done()
        threads = [threading.Thread(target=produce, args=(p,))
                   for p in range(producers)]
        threads += [threading.Thread(target=consume, args=(c,))
                    for c in range(consumers)]
        with threading_helper.start_threads(threads):
            for t in threads[:producers]:
                t.join()
            q.join()
            for _ in range(consumers):
                q.put(None)
        items = [x for got in out for x in got]
        # Nothing lost, nothing duplicated, each producer's order kept.
        self.assertEqual(len(items), producers * n)
        self.assertEqual(set(items),
                         {(p, i) for p in range(producers) for i in range(n)})
        for got in out:
            last = {}
            for p, i in got:
                self.assertGreater(i, last.get(p, -1))
                last[p] = i
        self.assertEqual(over, [])
        self.assertTrue(q.empty())

    @threading_helper.requires_working_threading()
    def test_unbounded(self):
        self.check_producers_consumers(0, NTHREADS, NTHREADS, ITERATIONS)

    @threading_helper.requires_working_threading()
    def test_bounded(self):
        for maxsize in (1, 16):
            with self.subTest(maxsize=maxsize):
                self.check_producers_consumers(maxsize, NTHREADS, NTHREADS,
                                               ITERATIONS // 4)

    @threading_helper.requires_working_threading()
    def test_put_get_same_thread(self):
        # Each thread puts and gets on one queue: the queue stays nearly
        # empty, where a consumer may meet a slot whose producer has not
        # stored yet.
        q = Queue()
        counts = []

        def work(k):
            s = 0
            for i in range(ITERATIONS):
                q.put(k * ITERATIONS + i)
                s += q.get()
            counts.append(s)
        run_concurrently([lambda k=k: work(k) for k in range(NTHREADS)])
        total = NTHREADS * ITERATIONS
        self.assertEqual(sum(counts), total * (total - 1) // 2)
        self.assertTrue(q.empty())

    @threading_helper.requires_working_threading()
    def test_requests_and_answers(self):
        # Clients put a request and wait for its answer on a queue of
        # their own; servers take requests from one shared queue.  Every
        # get() waits on an empty queue for the put() that wakes it.
        requests = Queue()
        answers = [Queue() for _ in range(NTHREADS)]
        got = [[] for _ in range(NTHREADS)]

        def client(c):
            for i in range(ITERATIONS):
                requests.put((c, i))
                got[c].append(answers[c].get())

        def serve():
            while (request := requests.get()) is not None:
                c, i = request
                answers[c].put(-i)
        servers = [threading.Thread(target=serve) for _ in range(NTHREADS)]
        with threading_helper.start_threads(servers):
            run_concurrently([lambda c=c: client(c)
                              for c in range(NTHREADS)])
            for _ in servers:
                requests.put(None)
        self.assertEqual(got, [[-i for i in range(ITERATIONS)]] * NTHREADS)
        self.assertTrue(requests.empty())
        self.assertTrue(all(a.empty() for a in answers))

    @threading_helper.requires_working_threading()
    def test_join_and_task_done_count_every_item(self):
        # Consumers waiting on a nearly empty queue may burn slots whose
        # producers have not stored yet (the producer then stores under a
        # new ticket), and the queue links new segments: join() still
        # waits for every item put before it began, and task_done()
        # counts exactly the items put.
        q = Queue()
        total = NTHREADS * ITERATIONS
        put_done = AtomicInt()          # puts that returned
        taken = AtomicInt()             # counted before task_done()
        errors = []

        def produce():
            for i in range(ITERATIONS):
                q.put(i)
                put_done.increment()

        def consume():
            while taken.get() < total:
                try:
                    q.get(timeout=0.01)
                except queue.Empty:
                    continue
                taken.increment()
                try:
                    q.task_done()
                except ValueError as exc:
                    if not errors:
                        errors.append(exc)

        def join():
            while put_done.get() < total:
                before = put_done.get()
                q.join()
                after = taken.get()
                if after < before:
                    errors.append(f"join() returned with {after} items "
                                  f"taken of {before} put")
        run_concurrently([produce] * NTHREADS + [consume] * NTHREADS
                         + [join])
        self.assertEqual(errors, [])
        q.join()
        self.assertRaises(ValueError, q.task_done)
        self.assertTrue(q.empty())

    @threading_helper.requires_working_threading()
    def test_batches(self):
        q = Queue(256)
        got = []

        def produce(p):
            for i in range(0, ITERATIONS, 64):
                q.put_many([(p, j) for j in range(i, i + 64)])

        def consume():
            while len(got) < NTHREADS * ITERATIONS // 64 * 64:
                try:
                    got.extend(q.get_many(64, timeout=0.1))
                except queue.Empty:
                    pass
        run_concurrently([lambda p=p: produce(p) for p in range(NTHREADS)]
                         + [consume])
        self.assertEqual(len(set(got)), len(got))

    @support.requires_fork()
    @threading_helper.requires_working_threading()
    def test_fork_while_threads_are_blocked(self):
        # Threads blocked in get(), put() and join() when the process
        # forks: the child's queue works (the waiters it counts do not
        # exist there).
        code = FORK_CHILDREN + textwrap.dedent('''
            import threading, time
            from atomics import Queue
            empty, full, busy = Queue(), Queue(1), Queue()
            full.put(0)
            busy.put(0)
            threads = [threading.Thread(target=f, daemon=True)
                       for f in (empty.get, lambda: full.put(1), busy.join)
                       for _ in range(2)]
            for t in threads:
                t.start()
            time.sleep(0.1)

            def child():
                empty.put(1)
                assert empty.get(timeout=5) == 1
                assert full.get() == 0
                full.put(2)
                assert full.get(timeout=5) == 2
                busy.get()
                busy.task_done()
                busy.join()
                return 0
            assert fork_children(5, child) == 0
            empty.shutdown(); full.shutdown(immediate=True)
            busy.get(); busy.task_done()
        ''')
        assert_python_ok('-c', code)

    @threading_helper.requires_working_threading()
    def test_exit_with_blocked_daemon_threads(self):
        code = textwrap.dedent('''
            import threading, time
            from atomics import Queue
            q, full = Queue(), Queue(1)
            full.put(0)
            for f in (q.get, lambda: full.put(1), full.join):
                for _ in range(3):
                    threading.Thread(target=f, daemon=True).start()
            time.sleep(0.05)
        ''')
        for _ in range(3):
            assert_python_ok('-c', code)

    @unittest.skipUnless(hasattr(signal, 'pthread_kill'), 'needs pthread_kill')
    @threading_helper.requires_working_threading()
    def test_interrupted_wait(self):
        # Ctrl-C (a real SIGINT: _thread.interrupt_main() wakes no one)
        # in a blocked get(), put() or join() raises KeyboardInterrupt
        # there.  The timeouts only keep a failure from hanging the test.
        code = textwrap.dedent('''
            import queue, signal, threading
            from atomics import Queue
            full, busy = Queue(1), Queue()
            full.put(0)
            busy.put(0)
            main = threading.main_thread().ident
            for name, call in [('get', lambda: Queue().get(timeout=60)),
                               ('put', lambda: full.put(1, timeout=60)),
                               ('join', busy.join)]:
                timer = threading.Timer(
                    0.2, signal.pthread_kill, (main, signal.SIGINT))
                timer.start()
                try:
                    call()
                except KeyboardInterrupt:
                    print(name, 'interrupted')
                timer.join()
            busy.get(); busy.task_done()
        ''')
        rc, out, err = assert_python_ok('-c', code)
        self.assertEqual(out.split(b'\n')[:3],
                         [b'get interrupted', b'put interrupted',
                          b'join interrupted'])

if __name__ == "__main__":
    unittest.main()
