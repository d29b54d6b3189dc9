"""Every type attacked as a hostile user would: re-run __init__ from
several threads, operands of foreign types, __index__/__bool__/__eq__ that
raise, recurse or change the object, finalizers that write the object, and
a failure of every allocation in turn."""

import gc
import threading
import unittest
import weakref
from test.support import import_helper, threading_helper
from test.support.atomics_helper import (call_with_failing_allocations,
                                         run_concurrently)

from atomics import (AtomicBool, AtomicCounter, AtomicDict, AtomicInt,
                     AtomicRef, NOT_FOUND)


class Boom(Exception):
    pass


class Raising:
    def __index__(self):
        raise Boom

    def __bool__(self):
        raise Boom

    def __eq__(self, other):
        raise Boom

    def __hash__(self):
        return 1


class Recursing:
    def __index__(self):
        return self.__index__()

    def __bool__(self):
        return bool(self)


class InitTests(unittest.TestCase):

    @threading_helper.requires_working_threading()
    def test_init_rerun_from_threads(self):
        # Each object ends with one of the values some thread stored.
        for cls, values in ((AtomicInt, [1, -1, 2**63 - 1, -2**63]),
                            (AtomicBool, [True, False]),
                            (AtomicRef, [None, 'a', 1]),
                            (AtomicDict, [{1: 1}, {2: 2}])):
            with self.subTest(cls=cls):
                obj = cls()

                def work(v):
                    return lambda: [obj.__init__(v) for _ in range(200)]
                run_concurrently([work(v) for v in values])
                if cls is AtomicDict:
                    self.assertLessEqual(set(obj), {1, 2})
                else:
                    self.assertIn(obj.get(), values)

    def test_init_errors_leave_the_object(self):
        n = AtomicInt(5)
        self.assertRaises(Boom, n.__init__, Raising())
        self.assertRaises(RecursionError, n.__init__, Recursing())
        self.assertEqual(n.get(), 5)
        b = AtomicBool(True)
        self.assertRaises(Boom, b.__init__, Raising())
        self.assertIs(b.get(), True)
        d = AtomicDict(a=1)
        self.assertRaises(TypeError, d.__init__, 5)
        # The first pair is stored, the second key's __eq__ raises: an
        # update is atomic per key, not as a whole.
        self.assertRaises(Boom, d.__init__, [(Raising(), 1), (Raising(), 2)])
        self.assertEqual(d['a'], 1)
        self.assertEqual(len(d), 2)


class OperatorTests(unittest.TestCase):

    def test_foreign_operands(self):
        n, c, d = AtomicInt(3), AtomicCounter(3), AtomicDict(a=1)
        for bad in (1.5, 'x', [], None, 2**64):
            with self.subTest(bad=bad):
                for op in (lambda: n + bad, lambda: bad + n, lambda: n - bad,
                           lambda: bad | d):
                    self.assertRaises(TypeError, op)
                with self.assertRaises((TypeError, OverflowError)):
                    n += bad
                with self.assertRaises((TypeError, OverflowError)):
                    c += bad
        self.assertEqual((n.get(), c.sum(), dict(d)), (3, 3, {'a': 1}))
        with self.assertRaises(TypeError):
            d |= 5
        self.assertIs(type(n), AtomicInt)
        # AtomicInt has __index__, so a sequence repeats by it, as by int.
        self.assertEqual((n * 'x', [0] * n), ('xxx', [0, 0, 0]))

    def test_index_that_changes_the_object(self):
        n = AtomicInt(0)

        class Sneaky:
            def __index__(self):
                n.set(100)
                return 7
        n.set(Sneaky())
        self.assertEqual(n.get(), 7)
        self.assertEqual(n.add_and_get(Sneaky()), 107)
        self.assertEqual(n.compare_exchange(Sneaky(), 0), 100)

    def test_functions_that_change_the_object(self):
        r = AtomicRef(0)
        calls = []

        def f(v):
            calls.append(v)
            if len(calls) < 3:
                r.set(v + 10)
            return v + 1
        self.assertEqual(r.update_and_get(f), 21)
        self.assertEqual(calls, [0, 10, 20])


class FinalizerTests(unittest.TestCase):

    def test_del_writes_the_same_atomicref(self):
        ref = AtomicRef()
        finalized = []

        class Writer:
            def __init__(self, n):
                self.n = n

            def __del__(self):
                finalized.append(self.n)
                ref.set(('written by', self.n))
                ref.compare_and_set(ref.get(), ('again', self.n))
        for i in range(20):
            ref.set(Writer(i))
        # Each finalizer ran inside the set() that dropped its object and
        # replaced what that set() had just stored, dropping the next
        # Writer in turn: every one is finalized, none twice, no crash.
        self.assertEqual(sorted(finalized), list(range(20)))
        self.assertEqual(ref.get(), ('again', 19))
        ref.set(None)
        self.assertIsNone(ref.get())

    def test_cleared_dict_is_empty_and_usable(self):
        keep = []

        class Finalized:
            def __del__(self):
                keep.append(self.d)

        def make_cycle():
            f = Finalized()
            f.d = AtomicDict(me=f, x=1)
            f.d['d'] = f.d
        make_cycle()
        gc.collect()
        self.assertEqual(len(keep), 1)
        d = keep.pop()
        # Cleared or not (resurrected before the clear), it works.
        d['new'] = 1
        self.assertEqual(d['new'], 1)
        d.clear()
        self.assertEqual(len(d), 0)


class AllocationFailureTests(unittest.TestCase):
    """Fail each allocation of a call in turn: the call raises MemoryError
    or succeeds, and the object stays usable (and unchanged, for
    operations that fail before they store)."""

    def setUp(self):
        import_helper.import_module('_testcapi')

    def sweep(self, make, call, check, unchanged=True):
        for start in range(12):
            obj = make()
            before = check(obj)
            exc = call_with_failing_allocations(lambda: call(obj), start,
                                                start + 1)
            if exc is not None:
                self.assertIsInstance(exc, MemoryError)
                if unchanged:
                    self.assertEqual(check(obj), before)
            check(obj)                  # usable

    def test_atomicref(self):
        self.sweep(lambda: AtomicRef([1]), lambda r: r.set([2]),
                   lambda r: r.get())
        self.sweep(lambda: AtomicRef(1), lambda r: r.handle().get(),
                   lambda r: r.get())
        self.sweep(lambda: AtomicRef(1), lambda r: r.update_and_get(str),
                   lambda r: r.get())

    def test_atomicint(self):
        self.sweep(lambda: AtomicInt(2**40), lambda n: n.set(2**41),
                   lambda n: n.get())
        self.sweep(lambda: AtomicInt(2**62), lambda n: n.increment(),
                   lambda n: n.get())
        # A read-modify-write whose result cannot be allocated has taken
        # effect (documented); the object stays usable.
        self.sweep(lambda: AtomicInt(2**40), lambda n: n.add_and_get(1),
                   lambda n: n.get(), unchanged=False)

    def test_atomiccounter(self):
        def make():
            c = AtomicCounter(2**63 - 1, stripes=2)
            c.add(2**62)
            return c
        self.sweep(make, lambda c: c.reset(), lambda c: c.sum())
        self.sweep(make, lambda c: c.sum(), lambda c: c.sum())
        self.sweep(make, lambda c: c.add(2**63 - 1), lambda c: c.sum(),
                   unchanged=False)

    def test_atomicdict(self):
        make = lambda: AtomicDict.fromkeys(range(10), 0)
        snapshot = lambda d: dict(d)
        for call in (lambda d: d.update({i: 1 for i in range(100)}),
                     lambda d: d.copy(), lambda d: list(d.items()),
                     lambda d: d.reduce_count([1, 2, 2]),
                     lambda d: d.setdefault('x', 1), lambda d: d.clear(),
                     lambda d: d.pop(3), lambda d: repr(d),
                     lambda d: d.compare_and_set(5, 0, NOT_FOUND)):
            with self.subTest(call=call):
                self.sweep(make, call, snapshot, unchanged=False)

    def test_handles(self):
        for cls in (AtomicInt, AtomicBool, AtomicCounter, AtomicDict):
            with self.subTest(cls=cls):
                self.sweep(cls, lambda o: o.handle(), lambda o: repr(o))


if __name__ == '__main__':
    unittest.main()
