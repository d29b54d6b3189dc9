import copy
import pickle
import unittest
import weakref
from test.support import threading_helper

from atomics import AtomicBool, AtomicCounter
from .util import ITERATIONS, NTHREADS, run_concurrently


class AtomicBoolTests(unittest.TestCase):

    def test_construct(self):
        self.assertIs(AtomicBool().get(), False)
        self.assertIs(AtomicBool(True).get(), True)
        self.assertIs(AtomicBool([1]).get(), True)
        self.assertIs(AtomicBool(value=0).get(), False)
        self.assertRaises(TypeError, AtomicBool, 1, 2)

    def test_truth_errors(self):
        class Bad:
            def __bool__(self):
                raise ZeroDivisionError
        f = AtomicBool(True)
        self.assertRaises(ZeroDivisionError, AtomicBool, Bad())
        self.assertRaises(ZeroDivisionError, f.set, Bad())
        self.assertRaises(ZeroDivisionError, f.exchange, Bad())
        self.assertRaises(ZeroDivisionError, f.compare_and_set, Bad(), 1)
        self.assertIs(f.get(), True)

    def test_operations(self):
        f = AtomicBool()
        self.assertIsNone(f.set(1))
        self.assertIs(f.get(), True)
        self.assertIs(f.exchange(False), True)
        self.assertIs(f.compare_and_set(True, True), False)
        self.assertIs(f.compare_and_set(False, True), True)
        self.assertIs(f.compare_exchange(False, False), True)
        self.assertIs(f.compare_exchange(True, False), True)
        self.assertIs(f.get(), False)
        self.assertIs(f.test_and_set(), False)
        self.assertIs(f.test_and_set(), True)
        self.assertIsNone(f.clear())
        self.assertIs(f.get(), False)
        self.assertIs(f.toggle(), False)
        self.assertIs(f.toggle(), True)
        self.assertIs(f.get(), False)

    def test_protocols(self):
        self.assertTrue(AtomicBool(True))
        self.assertFalse(AtomicBool())
        self.assertEqual(repr(AtomicBool(True)), 'atomics.AtomicBool(True)')
        f = AtomicBool()
        self.assertRaises(TypeError, pickle.dumps, f)
        self.assertRaises(TypeError, copy.copy, f)
        self.assertIs(weakref.ref(f)(), f)
        h = f.handle()
        h.set(True)
        self.assertIs(f.get(), True)

    @threading_helper.requires_working_threading()
    def test_test_and_set_has_one_winner(self):
        for _ in range(20):
            f = AtomicBool()
            winners = []

            def body():
                if not f.test_and_set():
                    winners.append(1)
            run_concurrently([body] * NTHREADS)
            self.assertEqual(len(winners), 1)

    @threading_helper.requires_working_threading()
    def test_toggle_count(self):
        f = AtomicBool()

        def body():
            for _ in range(ITERATIONS):
                f.toggle()
        run_concurrently([body] * NTHREADS)   # an even number of toggles
        self.assertIs(f.get(), False)


class AtomicCounterTests(unittest.TestCase):

    def test_construct(self):
        self.assertEqual(AtomicCounter().sum(), 0)
        self.assertEqual(AtomicCounter(5).sum(), 5)
        self.assertEqual(AtomicCounter(stripes=3).stripes, 4)
        self.assertEqual(AtomicCounter(stripes=1).stripes, 1)
        self.assertGreaterEqual(AtomicCounter().stripes, 1)
        self.assertRaises(ValueError, AtomicCounter, stripes=-1)
        self.assertRaises(ValueError, AtomicCounter, stripes=10**6)
        self.assertRaises(TypeError, AtomicCounter, 1, 2)
        self.assertRaises(TypeError, AtomicCounter, 1.5)
        self.assertRaises(OverflowError, AtomicCounter, 2**63)

    def test_operations(self):
        c = AtomicCounter()
        self.assertIsNone(c.increment())
        self.assertIsNone(c.add(10))
        self.assertIsNone(c.decrement())
        self.assertEqual(c.sum(), 10)
        self.assertEqual(int(c), 10)
        c += 5
        self.assertEqual(c.sum(), 15)
        self.assertEqual(repr(c), 'atomics.AtomicCounter(15)')
        self.assertEqual(c.reset(), 15)
        self.assertEqual(c.sum(), 0)
        self.assertRaises(TypeError, c.add, 1.5)
        self.assertRaises(OverflowError, c.add, 2**63)
        self.assertRaises(TypeError, pickle.dumps, c)

    def test_handle(self):
        c = AtomicCounter(stripes=4)
        h = c.handle()
        self.assertIs(type(h), AtomicCounter)
        h.add(5)
        c.increment()
        self.assertEqual(c.sum(), 6)
        self.assertEqual(h.sum(), 6)
        self.assertEqual(h.stripes, 4)
        del c
        self.assertEqual(h.handle().reset(), 6)

    def test_overflow(self):
        c = AtomicCounter(2**63 - 1, stripes=1)
        self.assertRaises(OverflowError, c.increment)
        self.assertEqual(c.sum(), 2**63 - 1)

    def test_sum_beyond_int64(self):
        # Each stripe is an int64, but the sum is exact beyond that range.
        c = AtomicCounter(stripes=2)
        c.add(2**63 - 1)

        def other():
            c.add(2**63 - 1)
        try:
            run_concurrently([other])
        except OverflowError:
            # the other thread was given the same stripe: refused, unchanged
            self.assertEqual(c.sum(), 2**63 - 1)
        else:
            self.assertEqual(c.sum(), 2 * (2**63 - 1))
            self.assertEqual(int(c), 2 * (2**63 - 1))

    @threading_helper.requires_working_threading()
    def test_no_lost_update(self):
        c = AtomicCounter()

        def body():
            inc = c.increment
            for _ in range(ITERATIONS):
                inc()
            h = c.handle()
            for _ in range(ITERATIONS // 2):
                h.decrement()
        run_concurrently([body] * NTHREADS)
        self.assertEqual(c.sum(), NTHREADS * (ITERATIONS - ITERATIONS // 2))

    @threading_helper.requires_working_threading()
    def test_reset_under_contention(self):
        # Additions racing with reset() are counted exactly once.
        c = AtomicCounter()
        taken = []
        done = []

        def adder():
            for _ in range(ITERATIONS):
                c.increment()
            done.append(1)

        def resetter():
            while len(done) < 2:
                taken.append(c.reset())
        run_concurrently([adder, adder, resetter])
        self.assertEqual(sum(taken) + c.sum(), 2 * ITERATIONS)


if __name__ == '__main__':
    unittest.main()
