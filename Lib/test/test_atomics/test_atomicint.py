import copy
import decimal
import fractions
import gc
import operator
import pickle
import unittest
import weakref
from test.support import threading_helper

from atomics import AtomicInt
from test.support.atomics_helper import ITERATIONS, NTHREADS, run_concurrently

MAX = 2**63 - 1
MIN = -2**63


class Index:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


class AtomicIntTests(unittest.TestCase):

    def test_construct(self):
        self.assertEqual(AtomicInt().get(), 0)
        self.assertEqual(AtomicInt(5).get(), 5)
        self.assertEqual(AtomicInt(value=-5).get(), -5)
        self.assertEqual(AtomicInt(MAX).get(), MAX)
        self.assertEqual(AtomicInt(MIN).get(), MIN)
        self.assertEqual(AtomicInt(True).get(), 1)
        self.assertEqual(AtomicInt(Index(7)).get(), 7)

    def test_construct_errors(self):
        self.assertRaises(OverflowError, AtomicInt, MAX + 1)
        self.assertRaises(OverflowError, AtomicInt, MIN - 1)
        for bad in (1.0, '1', None, [], 1j):
            with self.subTest(bad=bad):
                self.assertRaises(TypeError, AtomicInt, bad)
        self.assertRaises(TypeError, AtomicInt, 1, 2)

    def test_set_exchange(self):
        a = AtomicInt(1)
        self.assertIsNone(a.set(2))
        self.assertEqual(a.get(), 2)
        self.assertEqual(a.exchange(3), 2)
        self.assertEqual(a.get(), 3)
        for method in (a.set, a.exchange):
            self.assertRaises(OverflowError, method, MAX + 1)
            self.assertRaises(TypeError, method, 1.5)
        self.assertEqual(a.get(), 3)

    def test_compare_and_set(self):
        a = AtomicInt(1)
        self.assertIs(a.compare_and_set(2, 3), False)
        self.assertEqual(a.get(), 1)
        self.assertIs(a.compare_and_set(1, 3), True)
        self.assertEqual(a.get(), 3)
        # by value, not identity
        self.assertIs(a.compare_and_set(int('3'), 10**10), True)
        self.assertRaises(OverflowError, a.compare_and_set, MAX + 1, 0)
        self.assertRaises(TypeError, a.compare_and_set, 1, 'x')

    def test_compare_exchange(self):
        a = AtomicInt(1)
        self.assertEqual(a.compare_exchange(1, 2), 1)
        self.assertEqual(a.compare_exchange(1, 3), 2)
        self.assertEqual(a.get(), 2)

    def test_add(self):
        a = AtomicInt(10)
        self.assertIsNone(a.increment())
        self.assertEqual(a.get(), 11)
        self.assertIsNone(a.decrement())
        self.assertEqual(a.get(), 10)
        self.assertEqual(a.add_and_get(5), 15)
        self.assertEqual(a.get_and_add(-20), 15)
        self.assertEqual(a.get(), -5)
        self.assertEqual(a.get_and_add(Index(5)), -5)
        self.assertEqual(a.get(), 0)

    def test_overflow_leaves_value_unchanged(self):
        a = AtomicInt(MAX)
        self.assertRaises(OverflowError, a.increment)
        self.assertRaises(OverflowError, a.add_and_get, 1)
        self.assertRaises(OverflowError, a.get_and_add, MAX)
        self.assertRaises(OverflowError, a.update_and_get, lambda v: v + 1)
        self.assertEqual(a.get(), MAX)
        b = AtomicInt(MIN)
        self.assertRaises(OverflowError, b.decrement)
        self.assertRaises(OverflowError, b.get_and_add, -1)
        self.assertRaises(OverflowError, b.add_and_get, MIN)
        self.assertEqual(b.get(), MIN)
        # the argument itself out of range
        c = AtomicInt(0)
        self.assertRaises(OverflowError, c.add_and_get, 2**64)
        self.assertRaises(OverflowError, c.get_and_or, 2**63)
        self.assertEqual(c.get(), 0)

    def test_adds_across_the_fast_band(self):
        # Small additions within (-2**62, 2**62) are single atomic adds;
        # leaving that band switches the object to checked additions for
        # good.  The arithmetic and the overflow checks are the same.
        band = 2**62
        for start, delta in [(band - 2, 1), (-band + 2, -1)]:
            with self.subTest(start=start, delta=delta):
                a = AtomicInt(start)
                for _ in range(4):
                    a.add_and_get(delta)
                self.assertEqual(a.get(), start + 4 * delta)
                limit = MAX if delta > 0 else MIN
                a.add_and_get(limit - a.get())
                self.assertEqual(a.get(), limit)
                self.assertRaises(OverflowError, a.add_and_get, delta)
                self.assertRaises(OverflowError, a.get_and_add, delta)
                self.assertEqual(a.get(), limit)
                a.set(0)
                a.add_and_get(delta)
                self.assertEqual(a.get(), delta)

    def test_large_deltas(self):
        a = AtomicInt(0)
        self.assertEqual(a.add_and_get(2**40), 2**40)
        self.assertEqual(a.get_and_add(-2**41), 2**40)
        self.assertEqual(a.get(), -2**40)
        a += 2**31
        a -= 2**31
        a += 2**31 + 1
        self.assertEqual(a.get(), -2**40 + 2**31 + 1)
        a.set(MAX - 2**40)
        self.assertRaises(OverflowError, a.add_and_get, 2**40 + 1)
        self.assertEqual(a.get(), MAX - 2**40)

    def test_every_store_near_the_limit_is_checked(self):
        # Each way of storing a value outside the fast band, then an add
        # that would overflow: OverflowError, value unchanged.
        stores = [
            lambda a: a.set(MAX),
            lambda a: a.exchange(MAX),
            lambda a: a.compare_and_set(0, MAX),
            lambda a: a.compare_exchange(0, MAX),
            lambda a: a.update_and_get(lambda v: MAX),
            lambda a: a.get_and_update(lambda v: MAX),
            lambda a: a.get_and_or(MAX),
            lambda a: a.get_and_xor(MAX),
            lambda a: a.get_and_max(MAX),
            lambda a: a.__init__(MAX),
        ]
        for store in stores:
            a = AtomicInt(0)
            h = a.handle()
            store(a)
            self.assertEqual(a.get(), MAX)
            self.assertRaises(OverflowError, a.increment)
            self.assertRaises(OverflowError, h.increment)
            with self.assertRaises(OverflowError):
                h += 1
            self.assertEqual(a.get(), MAX)

    def test_bitwise(self):
        a = AtomicInt(0b1100)
        self.assertEqual(a.get_and_or(0b0011), 0b1100)
        self.assertEqual(a.get(), 0b1111)
        self.assertEqual(a.get_and_and(0b0110), 0b1111)
        self.assertEqual(a.get(), 0b0110)
        self.assertEqual(a.get_and_xor(0b0101), 0b0110)
        self.assertEqual(a.get(), 0b0011)
        a.set(-1)
        self.assertEqual(a.get_and_and(MAX), -1)
        self.assertEqual(a.get(), MAX)

    def test_min_max(self):
        a = AtomicInt(5)
        self.assertEqual(a.get_and_max(3), 5)
        self.assertEqual(a.get(), 5)
        self.assertEqual(a.get_and_max(8), 5)
        self.assertEqual(a.get(), 8)
        self.assertEqual(a.get_and_min(10), 8)
        self.assertEqual(a.get_and_min(MIN), 8)
        self.assertEqual(a.get(), MIN)

    def test_functional(self):
        a = AtomicInt(3)
        self.assertEqual(a.get_and_update(lambda v: v * 2), 3)
        self.assertEqual(a.update_and_get(lambda v: v + 1), 7)
        self.assertEqual(a.get_and_accumulate(3, operator.mul), 7)
        self.assertEqual(a.accumulate_and_get(1, operator.sub), 20)

    def test_functional_returns_the_stored_int(self):
        # func may return any object with __index__; the result is the
        # int stored, not what func returned.
        a = AtomicInt(0)
        r = a.update_and_get(lambda v: True)
        self.assertIs(type(r), int)
        self.assertEqual(r, 1)
        r = a.accumulate_and_get(Index(5), lambda v, x: Index(v + x.v))
        self.assertIs(type(r), int)
        self.assertEqual(r, 6)
        self.assertEqual(a.get_and_update(lambda v: False), 6)
        self.assertEqual(a.get(), 0)

    def test_functional_errors(self):
        a = AtomicInt(3)
        self.assertRaises(TypeError, a.update_and_get, lambda v: 'x')
        self.assertRaises(TypeError, a.update_and_get, lambda v: 1.5)
        self.assertRaises(OverflowError, a.update_and_get, lambda v: 2**70)
        self.assertRaises(ZeroDivisionError, a.get_and_update, lambda v: 1 / 0)
        self.assertRaises(TypeError, a.get_and_update, 5)
        self.assertEqual(a.get(), 3)

    def test_functional_retries(self):
        a = AtomicInt(0)
        calls = []

        def func(v):
            calls.append(v)
            if len(calls) == 1:
                a.set(100)
            return v + 1
        self.assertEqual(a.update_and_get(func), 101)
        self.assertEqual(calls, [0, 100])

    def test_number_protocol(self):
        a = AtomicInt(5)
        self.assertEqual(int(a), 5)
        self.assertEqual(operator.index(a), 5)
        self.assertEqual([0, 1, 2, 3, 4, 5, 6][a], 5)
        self.assertTrue(a)
        self.assertFalse(AtomicInt(0))
        self.assertRaises(TypeError, operator.add, a, 1)

    def test_inplace(self):
        a = AtomicInt(5)
        b = a
        a += 3
        self.assertIs(a, b)
        self.assertEqual(a.get(), 8)
        a -= 10
        self.assertEqual(a.get(), -2)
        a.set(0b1010)
        a |= 0b0101
        self.assertEqual(a.get(), 0b1111)
        a &= 0b0110
        self.assertEqual(a.get(), 0b0110)
        a ^= 0b0011
        self.assertEqual(a.get(), 0b0101)
        c = AtomicInt(MAX)
        with self.assertRaises(OverflowError):
            c += 1
        self.assertEqual(c.get(), MAX)
        d = AtomicInt(0)
        with self.assertRaises(OverflowError):
            d -= MIN
        self.assertEqual(d.get(), 0)
        with self.assertRaises(TypeError):
            d += 1.5

    def test_compare_by_value(self):
        a = AtomicInt(5)
        self.assertEqual(a, 5)
        self.assertEqual(a, AtomicInt(5))
        self.assertNotEqual(a, 6)
        self.assertLess(a, 6)
        self.assertGreaterEqual(a, AtomicInt(5))
        self.assertNotEqual(a, '5')
        self.assertRaises(TypeError, operator.lt, a, '5')
        # As the int it holds, with anything an int compares with.
        self.assertEqual(a, 5.0)
        self.assertEqual(5.0, a)
        self.assertNotEqual(a, 5.5)
        self.assertLess(a, 5.5)
        self.assertGreater(a, fractions.Fraction(9, 2))
        self.assertEqual(a, decimal.Decimal(5))

    def test_format(self):
        a = AtomicInt(255)
        self.assertEqual(f"{a:d}", '255')
        self.assertEqual(f"{a:#x}", '0xff')
        self.assertEqual(f"{a:>6,}", '   255')
        self.assertEqual(format(a), '255')
        self.assertRaises(ValueError, format, a, 's')
        self.assertRaises(TypeError, a.__format__, 1)

    def test_unhashable(self):
        self.assertRaises(TypeError, hash, AtomicInt(1))

    def test_repr(self):
        self.assertEqual(repr(AtomicInt(-3)), 'atomics.AtomicInt(-3)')

    def test_no_pickle_or_copy(self):
        a = AtomicInt(1)
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            self.assertRaises(TypeError, pickle.dumps, a, proto)
        self.assertRaises(TypeError, copy.copy, a)
        self.assertRaises(TypeError, copy.deepcopy, a)

    def test_weakref_and_subclass(self):
        class Counter(AtomicInt):
            def __init__(self, value=0, name=''):
                super().__init__(value)
                self.name = name
        c = Counter(4, name='c')
        self.assertEqual(c.add_and_get(1), 5)
        self.assertEqual(c.name, 'c')
        w = weakref.ref(c)
        del c
        self.assertIsNone(w())

    def test_handle(self):
        a = AtomicInt(1)
        h = a.handle()
        self.assertIs(type(h), AtomicInt)
        h.increment()
        self.assertEqual(a.get(), 2)
        a.add_and_get(10)
        self.assertEqual(h.get(), 12)
        h2 = h.handle()
        h2 += 1
        self.assertEqual(a.get(), 13)
        w = weakref.ref(a)
        del a
        gc.collect()
        self.assertIsNotNone(w())
        del h, h2
        gc.collect()
        self.assertIsNone(w())


@threading_helper.requires_working_threading()
class AtomicIntConcurrencyTests(unittest.TestCase):

    def check_increments(self, worker_body):
        a = AtomicInt(0)
        run_concurrently([lambda: worker_body(a)] * NTHREADS)
        self.assertEqual(a.get(), NTHREADS * ITERATIONS)

    def test_increment(self):
        def body(a):
            inc = a.increment
            for _ in range(ITERATIONS):
                inc()
        self.check_increments(body)

    def test_handle_increment(self):
        def body(a):
            h = a.handle()
            for _ in range(ITERATIONS):
                h.increment()
        self.check_increments(body)

    def test_inplace_add(self):
        def body(a):
            for _ in range(ITERATIONS):
                a += 1
        self.check_increments(body)

    def test_cas_loop(self):
        def body(a):
            for _ in range(ITERATIONS):
                v = a.get()
                while not a.compare_and_set(v, v + 1):
                    v = a.get()
        self.check_increments(body)

    def test_compare_exchange_loop(self):
        def body(a):
            v = a.get()
            for _ in range(ITERATIONS):
                while True:
                    seen = a.compare_exchange(v, v + 1)
                    if seen == v:
                        v += 1
                        break
                    v = seen
        self.check_increments(body)

    def test_update_and_get(self):
        def body(a):
            for _ in range(ITERATIONS):
                a.update_and_get(lambda v: v + 1)
        self.check_increments(body)

    def test_mixed_add_sub(self):
        a = AtomicInt(0)

        def adder():
            for _ in range(ITERATIONS):
                a.get_and_add(3)

        def subber():
            for _ in range(ITERATIONS):
                a.add_and_get(-1)
        run_concurrently([adder, adder, subber, subber])
        self.assertEqual(a.get(), 2 * ITERATIONS * 3 - 2 * ITERATIONS)

    def test_overflow_under_contention(self):
        # Threads race to add up to the limit: exactly as many additions
        # succeed as fit, and the value never wraps.
        limit = NTHREADS * ITERATIONS // 2
        a = AtomicInt(MAX - limit)
        ok = []

        def body():
            n = 0
            for _ in range(ITERATIONS):
                try:
                    a.increment()
                    n += 1
                except OverflowError:
                    pass
            ok.append(n)
        run_concurrently([body] * NTHREADS)
        self.assertEqual(a.get(), MAX)
        self.assertEqual(sum(ok), limit)

    def test_set_near_the_limit_while_adding(self):
        # Threads add 1 while another thread stores a value close to the
        # limit: no addition wraps, and the ones after the store are
        # exactly the ones that fit.
        limit = 100
        a = AtomicInt(0)
        olds = [[] for _ in range(NTHREADS)]

        def adder(i):
            def run():
                # Until the value is full: that is after the store.
                add = a.get_and_add
                seen = olds[i]
                while True:
                    try:
                        seen.append(add(1))
                    except OverflowError:
                        break
            return run

        def setter():
            while a.get() < ITERATIONS:
                pass
            a.set(MAX - limit)
        run_concurrently([adder(i) for i in range(NTHREADS)] + [setter])
        self.assertEqual(a.get(), MAX)
        every = [v for seen in olds for v in seen]
        self.assertTrue(all(v >= 0 for v in every))
        after = sorted(v for v in every if v >= MAX - limit)
        self.assertEqual(after, list(range(MAX - limit, MAX)))

    def test_bitwise_or_sets_every_bit(self):
        a = AtomicInt(0)

        def body(i):
            def run():
                for bit in range(i, 60, NTHREADS):
                    a.get_and_or(1 << bit)
            return run
        run_concurrently([body(i) for i in range(NTHREADS)])
        self.assertEqual(a.get(), (1 << 60) - 1)

    def test_max_is_max(self):
        a = AtomicInt(MIN)

        def body(i):
            def run():
                for j in range(ITERATIONS):
                    a.get_and_max(j * NTHREADS + i)
            return run
        run_concurrently([body(i) for i in range(NTHREADS)])
        self.assertEqual(a.get(), (ITERATIONS - 1) * NTHREADS + NTHREADS - 1)


if __name__ == '__main__':
    unittest.main()
