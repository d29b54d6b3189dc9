import copy
import pickle
import unittest
import weakref
from test.support import threading_helper

from atomics import AtomicBool
from test.support.atomics_helper import ITERATIONS, NTHREADS, run_concurrently


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


if __name__ == '__main__':
    unittest.main()
