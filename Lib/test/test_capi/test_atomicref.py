"""Tests of the PyAtomicRef C API (Include/cpython/atomicref.h)."""

import gc
import sys
import textwrap
import threading
import time
import unittest
import weakref
from test import support
from test.support import import_helper, threading_helper
from test.support.script_helper import (assert_python_failure,
                                        assert_python_ok)
from test.support.atomics_helper import (FORK_CHILDREN, ITERATIONS,
    NTHREADS, another_thread_running, cleared_atomicref, count_alive,
    retention_bound, run_concurrently, settle)

_testcapi = import_helper.import_module('_testcapi')

NULL = None      # the _testcapi wrappers map None to a C NULL
EMPTY = LookupError   # what the field wrappers return for an empty field

Holder = _testcapi.AtomicRefFieldHolder
AtomicRef = type(_testcapi.atomicref_new(0))


class Obj:
    """A fresh, mortal, weak-referenceable object."""


def retire_new_value(h):
    """Store a new Obj in holder h, then replace it with None; return a
    weak reference to it.  With borrowed readers of h, on the
    free-threaded build, the Obj is retired rather than released."""
    o = Obj()
    wo = weakref.ref(o)
    _testcapi.atomicref_field_set(h, o)
    del o
    _testcapi.atomicref_field_set(h, None)
    return wo


class AtomicRefObjectTests(unittest.TestCase):

    def test_new(self):
        o = Obj()
        ref = _testcapi.atomicref_new(o)
        self.assertIs(type(ref), AtomicRef)
        self.assertIs(ref.get(), o)
        self.assertRaises(SystemError, _testcapi.atomicref_new, NULL)

    def test_check(self):
        ref = _testcapi.atomicref_new(1)
        self.assertEqual(_testcapi.atomicref_check(ref), (1, 1))

        class Sub(AtomicRef):
            pass
        self.assertEqual(_testcapi.atomicref_check(Sub()), (1, 0))
        self.assertEqual(_testcapi.atomicref_check(object()), (0, 0))
        self.assertEqual(_testcapi.atomicref_check([]), (0, 0))

    def test_get(self):
        o = Obj()
        ref = _testcapi.atomicref_new(o)
        before = sys.getrefcount(o)
        got = _testcapi.atomicref_get(ref)
        self.assertIs(got, o)
        self.assertEqual(sys.getrefcount(o), before + 1)   # a new reference
        del got
        self.assertRaises(SystemError, _testcapi.atomicref_get, [])
        # CRASHES atomicref_get(NULL)

    def test_set(self):
        a, b = Obj(), Obj()
        ref = _testcapi.atomicref_new(a)
        wa = weakref.ref(a)
        del a
        self.assertEqual(_testcapi.atomicref_set(ref, b), 0)
        self.assertIs(ref.get(), b)
        self.assertIsNone(wa())          # the old value was released
        self.assertRaises(SystemError, _testcapi.atomicref_set, ref, NULL)
        self.assertIs(ref.get(), b)      # unchanged after the error
        self.assertRaises(SystemError, _testcapi.atomicref_set, [], b)

    def test_exchange(self):
        a, b = Obj(), Obj()
        ref = _testcapi.atomicref_new(a)
        self.assertIs(_testcapi.atomicref_exchange(ref, b), a)
        self.assertIs(ref.get(), b)
        self.assertRaises(SystemError, _testcapi.atomicref_exchange, ref, NULL)
        self.assertRaises(SystemError, _testcapi.atomicref_exchange, (), b)
        self.assertIs(ref.get(), b)

    def test_compare_exchange(self):
        a, b, c = Obj(), Obj(), Obj()
        ref = _testcapi.atomicref_new(a)
        cx = _testcapi.atomicref_compare_exchange
        self.assertEqual(cx(ref, a, b, True), (1, a))
        self.assertIs(ref.get(), b)
        self.assertEqual(cx(ref, a, c, True), (0, b))
        self.assertIs(ref.get(), b)
        self.assertEqual(cx(ref, b, c, False), (1, None))
        self.assertEqual(cx(ref, b, a, False), (0, None))
        self.assertIs(ref.get(), c)

    def test_compare_exchange_identity(self):
        # Equal but distinct objects do not match.
        x = 1000 * 1000
        y = int(str(x))
        self.assertEqual(x, y)
        self.assertIsNot(x, y)
        ref = _testcapi.atomicref_new(x)
        self.assertEqual(_testcapi.atomicref_compare_exchange(ref, y, 0, True),
                         (0, x))
        self.assertIs(ref.get(), x)

    def test_compare_exchange_errors(self):
        ref = _testcapi.atomicref_new(1)
        cx = _testcapi.atomicref_compare_exchange
        for args in [(ref, NULL, 2), (ref, 1, NULL), ([], 1, 2), (NULL, 1, 2)]:
            with self.subTest(args=args):
                # The wrapper asserts that *actual is NULL on error.
                self.assertRaises(SystemError, cx, *args, True)
                self.assertRaises(SystemError, cx, *args, False)
        self.assertEqual(ref.get(), 1)

    def test_refcounts(self):
        a, b = Obj(), Obj()
        ra, rb = sys.getrefcount(a), sys.getrefcount(b)
        ref = _testcapi.atomicref_new(a)
        self.assertEqual(sys.getrefcount(a), ra + 1)
        for _ in range(100):
            _testcapi.atomicref_set(ref, b)
            _testcapi.atomicref_set(ref, a)
            _testcapi.atomicref_exchange(ref, b)
            _testcapi.atomicref_compare_exchange(ref, b, a, True)
            _testcapi.atomicref_compare_exchange(ref, b, a, True)   # fails
            _testcapi.atomicref_get(ref)
        self.assertEqual(sys.getrefcount(a), ra + 1)
        self.assertEqual(sys.getrefcount(b), rb)
        del ref
        self.assertEqual(sys.getrefcount(a), ra)


    def test_cleared_by_gc(self):
        # The functions that read a reference the garbage collector emptied
        # fail with ValueError and leave it empty; Set fills it again.
        ref = cleared_atomicref(AtomicRef)
        v = Obj()
        self.assertRaises(ValueError, _testcapi.atomicref_get, ref)
        self.assertRaises(ValueError, _testcapi.atomicref_exchange, ref, v)
        for want_actual in (False, True):
            self.assertRaises(ValueError, _testcapi.atomicref_compare_exchange,
                              ref, v, v, want_actual)
        self.assertRaises(ValueError, _testcapi.atomicref_get, ref)
        self.assertEqual(_testcapi.atomicref_set(ref, v), 0)
        self.assertIs(_testcapi.atomicref_get(ref), v)


class AtomicRefFieldTests(unittest.TestCase):
    """The embeddable form, through an extension type that embeds it."""

    def test_empty(self):
        h = Holder()
        self.assertIs(_testcapi.atomicref_field_get(h), EMPTY)
        self.assertIs(_testcapi.atomicref_field_exchange(h, 1), EMPTY)
        self.assertEqual(_testcapi.atomicref_field_get(h), 1)
        _testcapi.atomicref_field_set(h, NULL)
        self.assertIs(_testcapi.atomicref_field_get(h), EMPTY)
        self.assertIs(_testcapi.atomicref_field_get_borrowed(h), EMPTY)

    def test_init_get_set(self):
        o = Obj()
        h = Holder(o)
        self.assertIs(_testcapi.atomicref_field_get(h), o)
        p = Obj()
        _testcapi.atomicref_field_set(h, p)
        self.assertIs(_testcapi.atomicref_field_get(h), p)

    def test_compare_exchange_null(self):
        o = Obj()
        h = Holder()
        cx = _testcapi.atomicref_field_compare_exchange
        self.assertEqual(cx(h, o, 1), (0, EMPTY))
        self.assertEqual(cx(h, NULL, o), (1, EMPTY))
        self.assertEqual(cx(h, NULL, 1), (0, o))
        self.assertEqual(cx(h, o, NULL), (1, o))
        self.assertIs(_testcapi.atomicref_field_get(h), EMPTY)

    def test_clear(self):
        o = Obj()
        wo = weakref.ref(o)
        h = Holder(o)
        del o
        _testcapi.atomicref_field_clear(h)
        self.assertIsNone(wo())
        self.assertIs(_testcapi.atomicref_field_get(h), EMPTY)

    def test_gc_cycle(self):
        # A value referring back to its holder: a cycle the GC must find
        # through PyAtomicRefField_Traverse and break with _Clear.
        for borrowed in (False, True):
            with self.subTest(borrowed=borrowed):
                h = Holder()
                o = Obj()
                o.holder = h
                _testcapi.atomicref_field_set(h, o)
                if borrowed:
                    _testcapi.atomicref_field_get_borrowed(h)
                    # a replaced value is retired, not released at once
                    _testcapi.atomicref_field_set(h, Obj())
                    _testcapi.atomicref_field_set(h, o)
                wo = weakref.ref(o)
                del h, o
                gc.collect()
                self.assertIsNone(wo())

    def test_borrowed(self):
        o = Obj()
        h = Holder(o)
        self.assertIs(_testcapi.atomicref_field_get_borrowed(h, 10), o)
        ref = AtomicRef(o)
        self.assertIs(_testcapi.atomicref_field_get_borrowed(ref, 10), o)

    def test_borrowed_readers_delay_release(self):
        # Once a field has borrowed readers, a replaced value is retired and
        # released at a later write or at Clear, never lost or leaked.
        h = Holder(Obj())
        _testcapi.atomicref_field_get_borrowed(h)
        refs = []
        for _ in range(50):
            o = Obj()
            refs.append(weakref.ref(o))
            _testcapi.atomicref_field_set(h, o)
            del o
        old = _testcapi.atomicref_field_exchange(h, 1)
        self.assertIs(old, refs[-1]())
        del old
        _testcapi.atomicref_field_clear(h)
        self.assertEqual([r for r in refs if r() is not None], [])

    def test_retired_values_bounded_in_one_c_call(self):
        # A writer that replaces values in one C call passes no quiescent
        # state of its own; retirement still releases what is due as it
        # goes (it once kept all of them and scanned them all at every
        # write: quadratic time, unbounded memory).
        h = Holder(None)
        _testcapi.atomicref_field_get_borrowed(h)
        objs = [Obj() for _ in range(10_000)]
        refs = [weakref.ref(o) for o in objs]
        _testcapi.atomicref_field_set_each(h, objs)
        del objs
        alive = sum(r() is not None for r in refs)
        self.assertLess(alive, 100)
        self.assertIs(refs[-1](), _testcapi.atomicref_field_get(h))
        _testcapi.atomicref_field_clear(h)
        self.assertEqual(sum(r() is not None for r in refs), 0)

    def check_retention_bounded(self, target, make_deferred, write):
        # 3000 writes of fresh values to a field with deferred release,
        # from Python code, with no automatic collection, while another
        # thread keeps running Python code (so that a value retired a
        # moment ago is never due when a write reclaims): most of the
        # replaced values are released by the writes alone, and a few
        # writes of None after a pause release nearly all the rest.
        # They once piled up (every one of them, until a collection): a
        # reclamation reset the count of writes, and every write added to
        # the count it had to reach.  Counted by weak reference: the
        # allocated blocks move with the other thread and, in a debug
        # build, with the refleak runs.
        make_deferred(target)
        write(target, None)
        refs = []
        with another_thread_running(), retention_bound():
            for i in range(3000):
                o = Obj()
                refs.append(weakref.ref(o))
                write(target, o)
                del o
                if i % 100 == 0:
                    # Let the other thread run (a preempted thread holds
                    # every grace period up: QSBR, not retention).
                    time.sleep(0.001)
            # Not every one of them (they once all stayed); the bound
            # leaves room for the other thread being preempted on a busy
            # machine, which holds grace periods up.
            self.assertLess(count_alive(refs), 2500)
            settle(lambda: write(target, None),
                   until=lambda: count_alive(refs) < 100)
            self.assertLess(count_alive(refs), 100)
        _testcapi.atomicref_field_clear(target)
        self.assertEqual(count_alive(refs), 0)

    def test_retention_bounded_after_borrowed_read(self):
        self.check_retention_bounded(
            Holder(None), _testcapi.atomicref_field_get_borrowed,
            _testcapi.atomicref_field_set)

    def test_retention_bounded_after_contended_reads(self):
        # Strong reads from several threads at once: the first one that
        # loses its compare-and-swap on the count defers release.  (Where
        # no read loses one, values are released at once: bounded too.)
        def contend(ref):
            value = Obj()
            ref.set(value)
            deadline = time.monotonic() + 0.5

            def read():
                while time.monotonic() < deadline:
                    for _ in range(1000):
                        ref.get()
            run_concurrently([read] * NTHREADS)
        self.check_retention_bounded(AtomicRef(None), contend,
                                     AtomicRef.set)

    def test_retired_value_released_by_immortal_writes(self):
        # Writes of immortal values (None) release what is due too.
        class Big:
            data = bytes(1_000_000)
        h = Holder(None)
        _testcapi.atomicref_field_get_borrowed(h)
        big = Big()
        wbig = weakref.ref(big)
        _testcapi.atomicref_field_set(h, big)
        del big
        _testcapi.atomicref_field_set(h, None)
        for _ in range(100):
            _testcapi.atomicref_field_set(h, None)
        self.assertIsNone(wbig())

    @unittest.skipUnless(support.Py_GIL_DISABLED,
                         "with the GIL a replaced value is released at once")
    def test_collection_releases_retired_values(self):
        # A field written rarely: what it retired waits for no later write
        # (it once waited for about 16), only for the next collection.
        h = Holder(None)
        _testcapi.atomicref_field_get_borrowed(h)
        wo = retire_new_value(h)
        self.assertIsNotNone(wo())      # retired; no write has reclaimed
        gc.collect()
        self.assertIsNone(wo())
        # The field is off the collector's list (it holds nothing) and
        # goes back on it with its next retirement.
        wo = retire_new_value(h)
        gc.collect()
        self.assertIsNone(wo())
        _testcapi.atomicref_field_clear(h)

    def test_collection_after_fields_died(self):
        # Fields that retired values and died (while on the collector's
        # list) are taken off it first: AddressSanitizer and the debug
        # build catch a dangling one.
        refs = []
        for i in range(200):
            h = Holder(None)
            _testcapi.atomicref_field_get_borrowed(h)
            refs.append(retire_new_value(h))
            if i % 2:
                _testcapi.atomicref_field_clear(h)
            del h
            if i % 50 == 0:
                gc.collect()
        gc.collect()
        self.assertEqual([r for r in refs if r() is not None], [])

    @support.requires_fork()
    @threading_helper.requires_working_threading()
    def test_fork_while_threads_retire(self):
        # Threads link and unlink retire lists on the interpreter's list
        # (under its mutex) while the main thread forks: the child finds
        # the mutex free (fork stops the world, and no thread stops inside
        # the mutex), retires, collects and exits.
        code = FORK_CHILDREN + textwrap.dedent('''
            import gc, threading, warnings, _testcapi
            warnings.simplefilter("ignore", DeprecationWarning)
            Holder = _testcapi.AtomicRefFieldHolder
            class Obj:
                pass
            stop = False
            def churn():
                while not stop:
                    h = Holder(None)
                    _testcapi.atomicref_field_get_borrowed(h)
                    _testcapi.atomicref_field_set(h, Obj())
                    _testcapi.atomicref_field_set(h, None)
                    del h
            threads = [threading.Thread(target=churn) for _ in range(3)]
            for t in threads:
                t.start()
            def child():
                h = Holder(None)
                _testcapi.atomicref_field_get_borrowed(h)
                _testcapi.atomicref_field_set(h, Obj())
                _testcapi.atomicref_field_set(h, None)
                gc.collect()
                return 0
            hung = fork_children(10, child)
            stop = True
            for t in threads:
                t.join()
            print("hung", hung)
        ''')
        rc, out, err = assert_python_ok('-c', code)
        self.assertEqual(out.strip(), b'hung 0')

    @threading_helper.requires_working_threading()
    def test_collections_while_threads_retire(self):
        # Collections in one thread while others replace values in
        # fields with borrowed readers, create fields and let them die:
        # every value is released exactly once (a value released twice
        # fails the debug build's count checks), none is lost.
        done = threading.Event()
        refs = [[] for _ in range(NTHREADS)]
        shared = Holder(None)
        _testcapi.atomicref_field_get_borrowed(shared)

        def writer(i):
            for n in range(ITERATIONS // 10):
                h = Holder(None)
                _testcapi.atomicref_field_get_borrowed(h)
                for _ in range(3):
                    o = Obj()
                    refs[i].append(weakref.ref(o))
                    _testcapi.atomicref_field_set(h, o)
                    _testcapi.atomicref_field_set(shared, o)
                    del o
                _testcapi.atomicref_field_get_borrowed(shared)
                del h

        def collector():
            while not done.is_set():
                gc.collect()
                time.sleep(0.001)

        c = threading.Thread(target=collector)
        c.start()
        try:
            with threading_helper.start_threads(
                    threading.Thread(target=writer, args=(i,))
                    for i in range(NTHREADS)):
                pass
        finally:
            done.set()
            c.join()
        _testcapi.atomicref_field_set(shared, None)
        gc.collect()
        alive = [r for rs in refs for r in rs if r() is not None]
        self.assertEqual(alive, [])
        _testcapi.atomicref_field_clear(shared)

    @threading_helper.requires_working_threading()
    def test_retired_values_released_next_to_busy_reader(self):
        # A reader doing short read sections in a C loop passes a
        # quiescent state at the end of each: it does not hold the
        # release of retired values up.
        h = Holder(0)
        done = threading.Event()

        def reader():
            while not done.is_set():
                # floor -1: any value, not only ints
                _testcapi.atomicref_stress_read(h, 10_000, -1, True)
        t = threading.Thread(target=reader)
        t.start()
        try:
            objs = [Obj() for _ in range(1000)]
            refs = [weakref.ref(o) for o in objs]
            _testcapi.atomicref_field_set_each(h, objs)
            del objs
            _testcapi.atomicref_field_set(h, 0)
            deadline = time.monotonic() + support.SHORT_TIMEOUT
            while (any(r() is not None for r in refs)
                   and time.monotonic() < deadline):
                _testcapi.atomicref_field_set_each(h, [0] * 100)
            self.assertEqual(sum(r() is not None for r in refs), 0)
        finally:
            done.set()
            t.join()

    def test_refcounts(self):
        a = Obj()
        ra = sys.getrefcount(a)
        h = Holder(a)
        _testcapi.atomicref_field_get_borrowed(h)
        for _ in range(100):
            _testcapi.atomicref_field_set(h, 1)
            _testcapi.atomicref_field_set(h, a)
            _testcapi.atomicref_field_compare_exchange(h, a, 2)
            _testcapi.atomicref_field_compare_exchange(h, 2, a)
        _testcapi.atomicref_field_clear(h)
        self.assertEqual(sys.getrefcount(a), ra)


@support.cpython_only
@unittest.skipUnless(support.Py_DEBUG, 'needs a debug build')
class ReadSectionMisuseTests(unittest.TestCase):
    """A debug build catches misuse of borrowed read sections."""

    def check_fatal(self, code, message):
        _, out, err = assert_python_failure('-c', code)
        self.assertIn(message, err.decode())

    def test_borrowed_outside_section(self):
        self.check_fatal(
            'import _testcapi as t\n'
            't.atomicref_misuse_borrowed_outside_section(t.AtomicRefFieldHolder(1))',
            'outside a PyUnstable_AtomicRef_BeginRead() section')

    def test_write_inside_section(self):
        self.check_fatal(
            'import _testcapi as t\n'
            't.atomicref_misuse_write_inside_section(t.AtomicRefFieldHolder(1))',
            'written inside a PyUnstable_AtomicRef_BeginRead() section')

    @unittest.skipUnless(support.Py_GIL_DISABLED, 'QSBR is free-threaded only')
    def test_quiescent_state_inside_section(self):
        self.check_fatal(
            'import _testcapi as t, threading\n'
            'h = t.AtomicRefFieldHolder(1)\n'
            'def f():\n'
            '    threading.Thread(target=lambda: None).start()\n'
            't.atomicref_misuse_python_inside_section(h, f)',
            'passed a quiescent state')


@threading_helper.requires_working_threading()
class AtomicRefStressTests(unittest.TestCase):
    """Many threads on one reference whose values die as they are replaced."""

    def check_cas_increment(self, target):
        failures = []

        def worker():
            failures.append(
                _testcapi.atomicref_stress_cas_increment(target, ITERATIONS))
        run_concurrently([worker] * NTHREADS)
        # no update lost: exactly N * M successful increments
        self.assertEqual(_testcapi.atomicref_field_get(target),
                         10**6 + NTHREADS * ITERATIONS)

    def test_cas_increment(self):
        self.check_cas_increment(AtomicRef(10**6))
        self.check_cas_increment(Holder(10**6))

    def run_writers_with_readers(self, target, write, borrowed):
        """Two threads call write(target) while two others read target
        (values must be ints >= 10**6) until both writers are done."""
        writers_left = [2]
        lock = threading.Lock()

        def reader():
            while writers_left[0]:
                _testcapi.atomicref_stress_read(target, 200, 10**6, borrowed)

        def writer():
            try:
                write(target)
            finally:
                with lock:
                    writers_left[0] -= 1
        run_concurrently([writer, writer, reader, reader])

    def test_cas_increment_with_readers(self):
        for borrowed in (False, True):
            with self.subTest(borrowed=borrowed):
                target = Holder(10**6)
                self.run_writers_with_readers(
                    target,
                    lambda t: _testcapi.atomicref_stress_cas_increment(
                        t, ITERATIONS),
                    borrowed)
                self.assertEqual(_testcapi.atomicref_field_get(target),
                                 10**6 + 2 * ITERATIONS)

    def test_exchange_conserves_values(self):
        # Every id stored is taken out by exactly one exchange, or is the
        # final value.
        initial = 10**9
        target = Holder(initial)
        sums = []

        def writer(first):
            return lambda: sums.append(
                _testcapi.atomicref_stress_exchange(target, first, ITERATIONS))
        firsts = [10**6 * (i + 1) for i in range(NTHREADS)]
        run_concurrently([writer(f) for f in firsts])
        stored = sum(f + i for f in firsts for i in range(ITERATIONS))
        final = _testcapi.atomicref_field_get(target)
        self.assertEqual(sum(sums) + final, stored + initial)

    def test_set_and_read(self):
        for borrowed in (False, True):
            with self.subTest(borrowed=borrowed):
                self.run_writers_with_readers(
                    Holder(10**6),
                    lambda t: _testcapi.atomicref_stress_set(t, ITERATIONS),
                    borrowed)

    def test_strong_reads_with_deferred_release(self):
        # A field whose writers defer releases (as after a borrowed read,
        # or contended strong reads): strong readers take their reference
        # with a plain increment after the load.
        for target in (Holder(10**6), AtomicRef(10**6)):
            _testcapi.atomicref_field_get_borrowed(target)
            self.run_writers_with_readers(
                target,
                lambda t: _testcapi.atomicref_stress_set(t, ITERATIONS),
                False)
            self.run_writers_with_readers(
                target,
                lambda t: _testcapi.atomicref_stress_cas_increment(
                    t, ITERATIONS),
                False)


if __name__ == "__main__":
    unittest.main()
