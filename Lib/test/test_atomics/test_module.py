import sys
import textwrap
import unittest
from test import support
from test.support import import_helper, script_helper

import atomics


class ModuleTests(unittest.TestCase):

    def test_all(self):
        self.assertEqual(sorted(atomics.__all__),
                         ['AtomicBool', 'AtomicCounter', 'AtomicInt',
                          'AtomicRef'])
        for name in atomics.__all__:
            cls = getattr(atomics, name)
            self.assertEqual(cls.__module__, 'atomics')
            self.assertEqual(cls.__name__, name)
            self.assertTrue(cls.__doc__)

    def test_stdlib_module_name(self):
        self.assertIn('atomics', sys.stdlib_module_names)
        self.assertIn('_atomics', sys.stdlib_module_names)

    @unittest.skipUnless(support.Py_GIL_DISABLED, 'free-threaded build only')
    def test_import_keeps_gil_disabled(self):
        # Py_mod_gil = Py_MOD_GIL_NOT_USED: importing does not re-enable it.
        script_helper.assert_python_ok(
            '-c', 'import sys, atomics; assert not sys._is_gil_enabled()',
            PYTHON_GIL='0')

    def test_subinterpreter_own_gil(self):
        interpreters = import_helper.import_module(
            'test.support.interpreters')   # skips without _interpreters
        interp = interpreters.create()   # isolated, with its own GIL
        try:
            interp.exec(textwrap.dedent('''
                import atomics, threading
                c = atomics.AtomicInt(0)
                def work():
                    for _ in range(1000):
                        c.increment()
                ts = [threading.Thread(target=work) for _ in range(2)]
                for t in ts: t.start()
                for t in ts: t.join()
                assert c.get() == 2000, c
                r = atomics.AtomicRef([1])
                assert r.compare_and_set(r.get(), None)
            '''))
        finally:
            interp.close()

    def test_types_are_distinct_per_interpreter(self):
        # heap types live in module state: a reimported _atomics has its own
        mod = import_helper.import_fresh_module('_atomics')
        self.assertIsNot(mod.AtomicInt, atomics.AtomicInt)
        self.assertIs(mod.AtomicRef, atomics.AtomicRef)   # builtin type
        self.assertEqual(mod.AtomicInt(3).get(), 3)


if __name__ == '__main__':
    unittest.main()
