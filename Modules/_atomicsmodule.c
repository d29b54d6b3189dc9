/* _atomics: C implementation of the atomics module (stub) */
#include "Python.h"

static int
atomics_exec(PyObject *module)
{
    return PyModule_AddType(module, &PyAtomicRef_Type);
}

static PyModuleDef_Slot atomics_slots[] = {
    {Py_mod_exec, atomics_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static struct PyModuleDef atomicsmodule = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_atomics",
    .m_slots = atomics_slots,
};

PyMODINIT_FUNC
PyInit__atomics(void)
{
    return PyModuleDef_Init(&atomicsmodule);
}
