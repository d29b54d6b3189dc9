import pickle
import sys
import unittest
from test.support import import_helper, threading_helper

from atomics import AtomicCounter
from test.support.atomics_helper import (ITERATIONS, NTHREADS,
    call_with_failing_allocations, run_concurrently)


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

    def test_sizeof_counts_the_stripes(self):
        one = sys.getsizeof(AtomicCounter(stripes=1))
        many = AtomicCounter(stripes=64)
        self.assertGreaterEqual(sys.getsizeof(many) - one, 63 * 64)
        self.assertLess(sys.getsizeof(many.handle()), one)   # shares them

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

    def test_never_overflows(self):
        # The value is unbounded: a stripe that would overflow spills.
        c = AtomicCounter(2**63 - 1, stripes=1)
        c.increment()
        self.assertEqual(c.sum(), 2**63)
        for _ in range(4):
            c.add(2**63 - 1)
        self.assertEqual(c.sum(), 2**63 + 4 * (2**63 - 1))
        c.add(-2**63)
        self.assertEqual(int(c), 4 * (2**63 - 1))
        self.assertEqual(c.reset(), 4 * (2**63 - 1))
        self.assertEqual(c.sum(), 0)
        c = AtomicCounter(-2**63)
        for _ in range(3):
            c.add(-2**63)
        self.assertEqual(c.sum(), -4 * 2**63)
        self.assertEqual(c.handle().sum(), -4 * 2**63)

    def test_initial_value_in_no_stripe(self):
        # Whether an addition fails must not depend on the calling thread
        # (the initial value used to sit in the first thread's stripe).
        for stripes in (1, 2, 4):
            c = AtomicCounter(2**63 - 1, stripes=stripes)
            c.add(2**63 - 1)

            def other():
                c.add(2**63 - 1)
            run_concurrently([other, other])
            self.assertEqual(c.sum(), 4 * (2**63 - 1))

    def test_reset_out_of_memory_keeps_counts(self):
        import_helper.import_module('_testcapi')
        for stripes in (1, 4):
            c = AtomicCounter(stripes=stripes)
            for _ in range(4):
                c.add(10**12)
            c.add(2**63 - 1)        # partly in the spill
            total = c.sum()
            exc = call_with_failing_allocations(c.reset)
            self.assertIsInstance(exc, MemoryError)
            self.assertEqual(c.sum(), total)
            self.assertEqual(c.reset(), total)
            self.assertEqual(c.sum(), 0)

    def test_sum_beyond_int64(self):
        # Each stripe is an int64, but the sum is exact beyond that range.
        c = AtomicCounter(stripes=2)
        c.add(2**63 - 1)

        def other():
            c.add(2**63 - 1)
        run_concurrently([other])
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
