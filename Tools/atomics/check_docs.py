"""Run what the documentation pages show.

Run with the fork's interpreter, from the repository root:

    ./python Tools/atomics/check_docs.py

1. Every ``>>>`` example of Doc/library/atomics.rst runs and prints what
   the page shows (doctest, one namespace, in document order), and every
   ``.. testcode::`` block runs and prints its ``.. testoutput::`` block.
2. The C example of Doc/c-api/atomicref.rst (the literal block after the
   ``_atomicref-example`` label) compiles against the fork's headers as a
   third-party extension module would (public API, no Py_BUILD_CORE),
   with a module definition appended; the module is imported, and four
   threads increment one counter: no increment may be lost.

Exit status 0 if all checks pass; every problem is printed.
"""

import doctest
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY_DOC = os.path.join(ROOT, "Doc", "library", "atomics.rst")
C_DOC = os.path.join(ROOT, "Doc", "c-api", "atomicref.rst")


def check_doctests(problems):
    with open(PY_DOC) as f:
        text = f.read()
    globs = {}
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, globs, "atomics.rst", PY_DOC, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = []
    runner.run(test, out=out.append)
    if runner.failures:
        problems.append("%s: %d of %d examples failed:\n%s"
                        % (PY_DOC, runner.failures, runner.tries, "".join(out)))
    n = runner.tries
    # testcode / testoutput pairs
    blocks = re.findall(
        r"^\.\. testcode::\n\n((?:(?:   .*)?\n)+)\n*\.\. testoutput::\n\n"
        r"((?:(?:   .*)?\n)+)", text, re.M)
    for code, expected in blocks:
        code, expected = textwrap.dedent(code), textwrap.dedent(expected)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                           text=True, timeout=300)
        n += 1
        if r.returncode != 0 or r.stdout.strip() != expected.strip():
            problems.append(f"{PY_DOC}: a testcode block printed "
                            f"{r.stdout!r} (expected {expected!r}):\n"
                            f"{r.stderr}")
    return n


MODULE_TAIL = r"""

/* Appended by Tools/atomics/check_docs.py: a module holding the type. */
static int
example_exec(PyObject *module)
{
    PyObject *type = PyType_FromModuleAndSpec(module, &Counter_spec, NULL);
    if (type == NULL) {
        return -1;
    }
    int r = PyModule_AddObjectRef(module, "Counter", type);
    Py_DECREF(type);
    return r;
}

static PyModuleDef_Slot example_slots[] = {
    {Py_mod_exec, example_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef example_def = {
    PyModuleDef_HEAD_INIT, "example", NULL, 0, NULL, example_slots,
};

PyMODINIT_FUNC
PyInit_example(void)
{
    return PyModuleDef_Init(&example_def);
}
"""

RUN_EXAMPLE = r"""
import sys, threading
sys.path.insert(0, sys.argv[1])
import example
c = example.Counter()
assert c.get() == 0 and c.increment() == 1
def work():
    for _ in range(20000):
        c.increment()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert c.get() == 1 + 4 * 20000, c.get()
print("ok")
"""


def check_c_example(problems):
    with open(C_DOC) as f:
        text = f.read()
    m = re.search(r"^\.\. _atomicref-example:\n(?:.*\n)*?.*::\n\n"
                  r"((?:(?:   .*)?\n)+)", text, re.M)
    if m is None:
        problems.append(f"{C_DOC}: no C example after _atomicref-example")
        return 0
    source = "#include <Python.h>\n\n" + textwrap.dedent(m.group(1)) + MODULE_TAIL
    cc = sysconfig.get_config_var("CC") or "cc"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    # The fork's headers: the in-tree build, as an extension author's
    # "pip install" against an installed interpreter would use them.
    includes = [sysconfig.get_path("include"),
                os.path.dirname(sysconfig.get_config_h_filename())]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "example.c")
        with open(src, "w") as f:
            f.write(source)
        out = os.path.join(tmp, "example" + suffix)
        cmd = (cc.split() + ["-shared", "-fPIC", "-O1", "-Wall", "-Werror",
                             "-Wno-unused-parameter", src, "-o", out]
               + [f"-I{d}" for d in includes])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"{C_DOC}: the C example does not compile:\n"
                            f"{' '.join(cmd)}\n{r.stderr}")
            return 1
        r = subprocess.run([sys.executable, "-c", RUN_EXAMPLE, tmp],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0 or r.stdout.strip() != "ok":
            problems.append(f"{C_DOC}: the C example failed when run:\n"
                            f"{r.stdout}{r.stderr}")
    return 1


def main():
    problems = []
    n = check_doctests(problems)
    n_c = check_c_example(problems)
    for p in problems:
        print(p)
    print(f"{PY_DOC}: {n} examples; {C_DOC}: {n_c} C example compiled "
          f"and run; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
