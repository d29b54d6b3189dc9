import copy
import gc
import pickle
import sys
import unittest
import weakref
from test import support
from test.support import threading_helper

from atomics import AtomicRef
from test.support.atomics_helper import (ITERATIONS, NTHREADS,
    cleared_atomicref, run_concurrently)


class Obj:
    pass


class AtomicRefTests(unittest.TestCase):

    def test_default(self):
        self.assertIsNone(AtomicRef().get())
        self.assertIsNone(AtomicRef(None).get())
        self.assertIsNone(AtomicRef(value=None).get())

    def test_get_set(self):
        o = Obj()
        ref = AtomicRef(o)
        self.assertIs(ref.get(), o)
        p = Obj()
        self.assertIsNone(ref.set(p))
        self.assertIs(ref.get(), p)

    def test_set_releases_old_value(self):
        o = Obj()
        wo = weakref.ref(o)
        ref = AtomicRef(o)
        del o
        ref.set(1)
        self.assertIsNone(wo())

    def test_exchange(self):
        a, b = Obj(), Obj()
        ref = AtomicRef(a)
        self.assertIs(ref.exchange(b), a)
        self.assertIs(ref.get(), b)

    def test_compare_and_set(self):
        a, b = Obj(), Obj()
        ref = AtomicRef(a)
        self.assertIs(ref.compare_and_set(b, a), False)
        self.assertIs(ref.get(), a)
        self.assertIs(ref.compare_and_set(a, b), True)
        self.assertIs(ref.get(), b)

    def test_compare_exchange(self):
        a, b, c = Obj(), Obj(), Obj()
        ref = AtomicRef(a)
        self.assertIs(ref.compare_exchange(a, b), a)    # swapped
        self.assertIs(ref.compare_exchange(a, c), b)    # failed: saw b
        self.assertIs(ref.get(), b)

    def test_identity_not_equality(self):
        x = [1, 2]
        y = [1, 2]
        ref = AtomicRef(x)
        self.assertFalse(ref.compare_and_set(y, None))
        self.assertIs(ref.compare_exchange(y, None), x)
        self.assertIs(ref.get(), x)
        big = 10**20
        ref = AtomicRef(big)
        self.assertFalse(ref.compare_and_set(int(str(big)), 0))
        self.assertTrue(ref.compare_and_set(big, 0))

    def test_functional_updates(self):
        ref = AtomicRef(10)
        self.assertEqual(ref.get_and_update(lambda v: v + 1), 10)
        self.assertEqual(ref.update_and_get(lambda v: v * 2), 22)
        self.assertEqual(ref.get_and_accumulate(3, lambda v, x: v - x), 22)
        self.assertEqual(ref.accumulate_and_get(5, lambda v, x: v + x), 24)
        self.assertEqual(ref.get(), 24)

    def test_functional_update_error(self):
        ref = AtomicRef(1)

        def fail(v):
            raise ZeroDivisionError
        self.assertRaises(ZeroDivisionError, ref.get_and_update, fail)
        self.assertRaises(ZeroDivisionError, ref.update_and_get, fail)
        self.assertRaises(TypeError, ref.update_and_get, None)
        self.assertRaises(TypeError, ref.accumulate_and_get, 1, lambda v: v)
        self.assertEqual(ref.get(), 1)

    def test_functional_update_retries(self):
        # A concurrent change (here: from inside func) makes the update
        # retry with the new value, calling func again.
        ref = AtomicRef(0)
        calls = []

        def func(v):
            calls.append(v)
            if len(calls) == 1:
                ref.set(100)
            return v + 1
        self.assertEqual(ref.update_and_get(func), 101)
        self.assertEqual(calls, [0, 100])

    def test_argument_errors(self):
        ref = AtomicRef()
        self.assertRaises(TypeError, ref.get, 1)
        self.assertRaises(TypeError, ref.set)
        self.assertRaises(TypeError, ref.set, 1, 2)
        self.assertRaises(TypeError, ref.exchange)
        self.assertRaises(TypeError, ref.compare_and_set, 1)
        self.assertRaises(TypeError, ref.compare_exchange, 1, 2, 3)
        self.assertRaises(TypeError, AtomicRef, 1, 2)
        self.assertRaises(TypeError, AtomicRef, x=1)

    def test_repr(self):
        self.assertEqual(repr(AtomicRef([1, 'a'])), "atomics.AtomicRef([1, 'a'])")
        ref = AtomicRef()
        ref.set(ref)
        self.assertEqual(repr(ref), 'atomics.AtomicRef(atomics.AtomicRef(...))')
        ref.set(None)

    def test_generic_alias(self):
        alias = AtomicRef[int]
        self.assertIs(alias.__origin__, AtomicRef)
        self.assertEqual(alias.__args__, (int,))

    def test_weakref(self):
        ref = AtomicRef(1)
        w = weakref.ref(ref)
        self.assertIs(w(), ref)
        del ref
        self.assertIsNone(w())

    def test_gc_cycle(self):
        ref = AtomicRef()
        o = Obj()
        o.ref = ref
        ref.set(o)
        wo = weakref.ref(o)
        wr = weakref.ref(ref)
        del ref, o
        gc.collect()
        self.assertIsNone(wo())
        self.assertIsNone(wr())

    def test_cleared_by_gc(self):
        # Finalizers and weak reference callbacks of a cycle can reach an
        # AtomicRef the garbage collector already cleared: every method
        # fails cleanly and leaves it empty; set() fills it again.
        ref = cleared_atomicref(AtomicRef)
        self.assertEqual(repr(ref), 'atomics.AtomicRef(<empty>)')
        v = Obj()
        for call in (ref.get, lambda: ref.exchange(v),
                     lambda: ref.compare_and_set(v, v),
                     lambda: ref.compare_exchange(v, v),
                     lambda: ref.get_and_update(lambda x: x),
                     lambda: ref.update_and_get(lambda x: x),
                     lambda: ref.get_and_accumulate(1, lambda x, y: x),
                     lambda: ref.accumulate_and_get(1, lambda x, y: x),
                     lambda: ref.handle().get()):
            with self.subTest(call=call):
                self.assertRaises(ValueError, call)
        self.assertRaises(ValueError, ref.get)
        ref.set(v)
        self.assertIs(ref.get(), v)
        self.assertIs(ref.handle().exchange(1), v)

    def test_cleared_during_update(self):
        # The function of an update may see the reference emptied.
        ref = cleared_atomicref(AtomicRef)
        ref.set(1)
        calls = []

        def func(x):
            calls.append(x)
            ref.__init__(2) if len(calls) == 1 else None
            return x + 10
        self.assertEqual(ref.update_and_get(func), 12)
        self.assertEqual(calls, [1, 2])

    def test_deep_chain_dealloc(self):
        # Freeing a chain of references each holding the next recurses no
        # deeper than freeing a list of lists does (the trashcan).
        # The shorter chain of the sanitizer and debug builds, where each
        # level costs far more, still overflows the C stack without it.
        slow = (support.check_sanitizer(address=True, thread=True)
                or support.Py_DEBUG)
        depth = 200_000 if slow else 1_000_000
        ref = None
        for _ in range(depth):
            ref = AtomicRef(ref)
        del ref
        ref = None
        for _ in range(depth):
            ref = AtomicRef(ref).handle()
        del ref

    def test_subclass(self):
        class MyRef(AtomicRef):
            def __init__(self, value=None, label=''):
                super().__init__(value)
                self.label = label
        r = MyRef(5, label='x')
        self.assertEqual(r.get(), 5)
        self.assertEqual(r.label, 'x')
        self.assertTrue(r.compare_and_set(5, 6))
        self.assertEqual(repr(r).split('(')[0], 'MyRef')
        self.assertIsInstance(r.handle(), MyRef)

    def test_no_pickle_or_copy(self):
        ref = AtomicRef(1)
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=proto):
                self.assertRaises(TypeError, pickle.dumps, ref, proto)
        self.assertRaises(TypeError, copy.copy, ref)
        self.assertRaises(TypeError, copy.deepcopy, ref)

    def test_not_hashable_by_value(self):
        # Identity-based equality and hash, like object.
        a, b = AtomicRef(1), AtomicRef(1)
        self.assertNotEqual(a, b)
        self.assertEqual(len({a, b}), 2)

    def test_handle(self):
        ref = AtomicRef(1)
        h = ref.handle()
        self.assertIs(type(h), AtomicRef)
        self.assertIsNot(h, ref)
        h.set(2)
        self.assertEqual(ref.get(), 2)
        ref.set(3)
        self.assertEqual(h.get(), 3)
        self.assertEqual(h.handle().exchange(4), 3)
        self.assertEqual(ref.get(), 4)
        # A handle keeps the shared reference alive.
        w = weakref.ref(ref)
        del ref
        gc.collect()
        self.assertIsNotNone(w())
        self.assertEqual(h.get(), 4)
        del h
        gc.collect()
        self.assertIsNone(w())


@threading_helper.requires_working_threading()
class AtomicRefConcurrencyTests(unittest.TestCase):

    def test_cas_loop_loses_no_update(self):
        ref = AtomicRef(0)

        def worker():
            get, cas = ref.get, ref.compare_and_set
            for _ in range(ITERATIONS):
                while True:
                    v = get()
                    if cas(v, v + 1):
                        break
        run_concurrently([worker] * NTHREADS)
        self.assertEqual(ref.get(), NTHREADS * ITERATIONS)

    def test_update_and_get_loses_no_update(self):
        ref = AtomicRef(0)

        def worker():
            h = ref.handle()
            for _ in range(ITERATIONS):
                h.update_and_get(lambda v: v + 1)
        run_concurrently([worker] * NTHREADS)
        self.assertEqual(ref.get(), NTHREADS * ITERATIONS)

    def test_exchange_conserves_values(self):
        ref = AtomicRef(-1)
        taken = [[] for _ in range(NTHREADS)]

        def worker(i):
            def run():
                out = taken[i]
                for j in range(ITERATIONS):
                    out.append(ref.exchange((i, j)))
            return run
        run_concurrently([worker(i) for i in range(NTHREADS)])
        seen = [v for out in taken for v in out] + [ref.get()]
        expected = [-1] + [(i, j) for i in range(NTHREADS)
                           for j in range(ITERATIONS)]
        self.assertCountEqual(seen, expected)

    def test_readers_see_only_written_values(self):
        ref = AtomicRef((0, 0))
        done = []

        def writer(i):
            def run():
                for j in range(ITERATIONS):
                    ref.set((i, j))
                done.append(i)
            return run

        def reader():
            while len(done) < 2:
                v = ref.get()
                self.assertIs(type(v), tuple)
                self.assertEqual(len(v), 2)
        run_concurrently([writer(1), writer(2), reader, reader])


if __name__ == '__main__':
    unittest.main()
