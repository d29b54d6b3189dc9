import gc
import subprocess
import sys
import textwrap
import unittest
from test import support
from test.support import import_helper, script_helper, threading_helper
from test.support.atomics_helper import FORK_CHILDREN

import atomics


class ModuleTests(unittest.TestCase):

    def test_all(self):
        self.assertEqual(sorted(atomics.__all__),
                         ['AtomicBool', 'AtomicCounter', 'AtomicDict',
                          'AtomicInt', 'AtomicRef', 'NOT_FOUND', 'Queue'])
        self.assertEqual(repr(atomics.NOT_FOUND), 'atomics.NOT_FOUND')
        for name in set(atomics.__all__) - {'NOT_FOUND'}:
            cls = getattr(atomics, name)
            self.assertEqual(cls.__module__, 'atomics')
            self.assertEqual(cls.__name__, name)
            self.assertTrue(cls.__doc__)

    def test_stdlib_module_name(self):
        self.assertIn('atomics', sys.stdlib_module_names)
        self.assertIn('_atomics', sys.stdlib_module_names)

    def test_default_stripes_whatever_cpu_count_gives(self):
        # Computed once at import from os.cpu_count(): a count it does not
        # give as an int leaves 4 stripes, one too large gives the most.
        script = textwrap.dedent("""
            import os
            for count, stripes in ((None, 4), (3.0, 4), (-7, 4), (3, 4),
                                   (5, 8), (10**30, 256), (2**40, 256)):
                os.cpu_count = lambda: count
                import _atomics
                got = _atomics.AtomicCounter().stripes
                assert got == stripes, (count, got)
                del sys.modules['_atomics']
        """)
        script_helper.assert_python_ok('-c', 'import sys\n' + script)

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

    def test_subinterpreter_collections(self):
        # Each interpreter's collector releases what its own structures
        # retired (resized tables, values replaced under contended reads);
        # structures that die, and the interpreter's end, leave nothing
        # behind for the main interpreter's collector.
        interpreters = import_helper.import_module(
            'test.support.interpreters')
        interp = interpreters.create()
        try:
            interp.exec(textwrap.dedent('''
                import atomics, gc, threading
                d = atomics.AtomicDict()
                r = atomics.AtomicRef(0)
                def work(i):
                    for n in range(2000):
                        d[(i, n)] = n
                        r.set(object())
                        r.get()
                        if n % 500 == 0:
                            gc.collect()
                ts = [threading.Thread(target=work, args=(i,))
                      for i in range(2)]
                for t in ts: t.start()
                for t in ts: t.join()
                assert len(d) == 4000, len(d)
                gc.collect()
                d.clear()
                gc.collect()
                kept = atomics.AtomicRef(object())   # alive at the end
            '''))
        finally:
            interp.close()
        gc.collect()

    def test_types_are_distinct_per_interpreter(self):
        # heap types live in module state: a reimported _atomics has its own
        mod = import_helper.import_fresh_module('_atomics')
        self.assertIsNot(mod.AtomicInt, atomics.AtomicInt)
        self.assertIs(mod.AtomicRef, atomics.AtomicRef)   # builtin type
        self.assertEqual(mod.AtomicInt(3).get(), 3)



# Threads that keep storing int64 extremes into AtomicInt objects (old and
# new), update a shared one, and run garbage collections (which stop the
# world) until told to stop.
BUSY_THREADS = textwrap.dedent('''
    import gc, sys, threading
    from atomics import AtomicInt, AtomicCounter
    shared = AtomicInt(1)
    stop = False

    def busy():
        n = 0
        while not stop:
            AtomicInt(2**63 - 1)
            x = AtomicInt(1)
            x.increment()
            x.set(-2**63)
            shared.increment()
            AtomicCounter(2**63 - 1).add(1)
            n += 1
            if n % 16 == 0:
                gc.collect()
                sys.setprofile(None)

    def start(n, daemon):
        threads = [threading.Thread(target=busy, daemon=daemon)
                   for _ in range(n)]
        for t in threads:
            t.start()
        return threads
''')


@threading_helper.requires_working_threading()
class StopTheWorldHangTests(unittest.TestCase):
    # Defect: AtomicInt stopped the world to close its fast adds, and
    # 3.13's stop-the-world could leave a per-interpreter mutex locked in
    # a fork child or at exit (gh-137433, fixed by patch 0006); AtomicInt
    # no longer stops the world at all.

    @support.requires_fork()
    def test_fork_while_threads_operate(self):
        code = BUSY_THREADS + FORK_CHILDREN + textwrap.dedent('''
            import warnings
            warnings.simplefilter("ignore", DeprecationWarning)
            threads = start(4, False)
            def child():
                gc.collect()
                x = AtomicInt(3)
                x.set(2**63 - 1)
                return 0 if x.get() == 2**63 - 1 else 3
            hung = fork_children(10, child)
            stop = True
            for t in threads:
                t.join()
            print("hung", hung)
        ''')
        rc, out, err = script_helper.assert_python_ok('-c', code)
        self.assertEqual(out.strip(), b'hung 0')

    def test_exit_with_daemon_threads_operating(self):
        code = BUSY_THREADS + textwrap.dedent('''
            import time
            start(4, True)
            time.sleep(0.05)
        ''')
        for _ in range(5):
            proc = subprocess.run([sys.executable, '-c', code],
                                  capture_output=True,
                                  timeout=support.SHORT_TIMEOUT)
            self.assertEqual(proc.returncode, 0, proc.stderr)


if __name__ == '__main__':
    unittest.main()
