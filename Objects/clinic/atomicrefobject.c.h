/*[clinic input]
preserve
[clinic start generated code]*/

#if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)
#  include "pycore_gc.h"          // PyGC_Head
#  include "pycore_runtime.h"     // _Py_ID()
#endif
#include "pycore_modsupport.h"    // _PyArg_UnpackKeywords()

PyDoc_STRVAR(atomicref_init__doc__,
"AtomicRef(value=None)\n"
"--\n"
"\n"
"Create an atomic reference holding value.");

static int
atomicref_init_impl(PyAtomicRefObject *self, PyObject *value);

static int
atomicref_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
    int return_value = -1;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 1
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(value), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"value", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "AtomicRef",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[1];
    PyObject * const *fastargs;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    Py_ssize_t noptargs = nargs + (kwargs ? PyDict_GET_SIZE(kwargs) : 0) - 0;
    PyObject *value = Py_None;

    fastargs = _PyArg_UnpackKeywords(_PyTuple_CAST(args)->ob_item, nargs, kwargs, NULL, &_parser, 0, 1, 0, argsbuf);
    if (!fastargs) {
        goto exit;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    value = fastargs[0];
skip_optional_pos:
    return_value = atomicref_init_impl((PyAtomicRefObject *)self, value);

exit:
    return return_value;
}

PyDoc_STRVAR(AtomicRef_get__doc__,
"get($self, /)\n"
"--\n"
"\n"
"Return the current value.");

#define ATOMICREF_GET_METHODDEF    \
    {"get", (PyCFunction)AtomicRef_get, METH_NOARGS, AtomicRef_get__doc__},

static PyObject *
AtomicRef_get_impl(PyAtomicRefObject *self);

static PyObject *
AtomicRef_get(PyAtomicRefObject *self, PyObject *Py_UNUSED(ignored))
{
    return AtomicRef_get_impl(self);
}

PyDoc_STRVAR(AtomicRef_set__doc__,
"set($self, value, /)\n"
"--\n"
"\n"
"Replace the current value with value.");

#define ATOMICREF_SET_METHODDEF    \
    {"set", (PyCFunction)AtomicRef_set, METH_O, AtomicRef_set__doc__},

PyDoc_STRVAR(AtomicRef_exchange__doc__,
"exchange($self, value, /)\n"
"--\n"
"\n"
"Replace the current value with value and return the previous value.");

#define ATOMICREF_EXCHANGE_METHODDEF    \
    {"exchange", (PyCFunction)AtomicRef_exchange, METH_O, AtomicRef_exchange__doc__},

PyDoc_STRVAR(AtomicRef_compare_and_set__doc__,
"compare_and_set($self, expected, desired, /)\n"
"--\n"
"\n"
"Set the value to desired if it is expected.\n"
"\n"
"The comparison is by identity (\"is\"), not equality.  Return True if\n"
"the value was replaced, False otherwise.");

#define ATOMICREF_COMPARE_AND_SET_METHODDEF    \
    {"compare_and_set", _PyCFunction_CAST(AtomicRef_compare_and_set), METH_FASTCALL, AtomicRef_compare_and_set__doc__},

static PyObject *
AtomicRef_compare_and_set_impl(PyAtomicRefObject *self, PyObject *expected,
                               PyObject *desired);

static PyObject *
AtomicRef_compare_and_set(PyAtomicRefObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *expected;
    PyObject *desired;

    if (!_PyArg_CheckPositional("compare_and_set", nargs, 2, 2)) {
        goto exit;
    }
    expected = args[0];
    desired = args[1];
    return_value = AtomicRef_compare_and_set_impl(self, expected, desired);

exit:
    return return_value;
}

PyDoc_STRVAR(AtomicRef_compare_exchange__doc__,
"compare_exchange($self, expected, desired, /)\n"
"--\n"
"\n"
"Set the value to desired if it is expected; return the value seen.\n"
"\n"
"The comparison is by identity (\"is\").  The result is expected itself\n"
"if the value was replaced, otherwise the value that made the\n"
"comparison fail, read atomically with it.");

#define ATOMICREF_COMPARE_EXCHANGE_METHODDEF    \
    {"compare_exchange", _PyCFunction_CAST(AtomicRef_compare_exchange), METH_FASTCALL, AtomicRef_compare_exchange__doc__},

static PyObject *
AtomicRef_compare_exchange_impl(PyAtomicRefObject *self, PyObject *expected,
                                PyObject *desired);

static PyObject *
AtomicRef_compare_exchange(PyAtomicRefObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *expected;
    PyObject *desired;

    if (!_PyArg_CheckPositional("compare_exchange", nargs, 2, 2)) {
        goto exit;
    }
    expected = args[0];
    desired = args[1];
    return_value = AtomicRef_compare_exchange_impl(self, expected, desired);

exit:
    return return_value;
}

PyDoc_STRVAR(AtomicRef_get_and_update__doc__,
"get_and_update($self, func, /)\n"
"--\n"
"\n"
"Replace the value v with func(v) atomically; return the old value.\n"
"\n"
"func may be called more than once if other threads change the value\n"
"concurrently; it should be free of side effects.");

#define ATOMICREF_GET_AND_UPDATE_METHODDEF    \
    {"get_and_update", (PyCFunction)AtomicRef_get_and_update, METH_O, AtomicRef_get_and_update__doc__},

PyDoc_STRVAR(AtomicRef_update_and_get__doc__,
"update_and_get($self, func, /)\n"
"--\n"
"\n"
"Replace the value v with func(v) atomically; return the new value.\n"
"\n"
"func may be called more than once if other threads change the value\n"
"concurrently; it should be free of side effects.");

#define ATOMICREF_UPDATE_AND_GET_METHODDEF    \
    {"update_and_get", (PyCFunction)AtomicRef_update_and_get, METH_O, AtomicRef_update_and_get__doc__},

PyDoc_STRVAR(AtomicRef_get_and_accumulate__doc__,
"get_and_accumulate($self, x, func, /)\n"
"--\n"
"\n"
"Replace the value v with func(v, x); return the old value.\n"
"\n"
"func may be called more than once if other threads change the value\n"
"concurrently; it should be free of side effects.");

#define ATOMICREF_GET_AND_ACCUMULATE_METHODDEF    \
    {"get_and_accumulate", _PyCFunction_CAST(AtomicRef_get_and_accumulate), METH_FASTCALL, AtomicRef_get_and_accumulate__doc__},

static PyObject *
AtomicRef_get_and_accumulate_impl(PyAtomicRefObject *self, PyObject *x,
                                  PyObject *func);

static PyObject *
AtomicRef_get_and_accumulate(PyAtomicRefObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *x;
    PyObject *func;

    if (!_PyArg_CheckPositional("get_and_accumulate", nargs, 2, 2)) {
        goto exit;
    }
    x = args[0];
    func = args[1];
    return_value = AtomicRef_get_and_accumulate_impl(self, x, func);

exit:
    return return_value;
}

PyDoc_STRVAR(AtomicRef_accumulate_and_get__doc__,
"accumulate_and_get($self, x, func, /)\n"
"--\n"
"\n"
"Replace the value v with func(v, x); return the new value.\n"
"\n"
"func may be called more than once if other threads change the value\n"
"concurrently; it should be free of side effects.");

#define ATOMICREF_ACCUMULATE_AND_GET_METHODDEF    \
    {"accumulate_and_get", _PyCFunction_CAST(AtomicRef_accumulate_and_get), METH_FASTCALL, AtomicRef_accumulate_and_get__doc__},

static PyObject *
AtomicRef_accumulate_and_get_impl(PyAtomicRefObject *self, PyObject *x,
                                  PyObject *func);

static PyObject *
AtomicRef_accumulate_and_get(PyAtomicRefObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *x;
    PyObject *func;

    if (!_PyArg_CheckPositional("accumulate_and_get", nargs, 2, 2)) {
        goto exit;
    }
    x = args[0];
    func = args[1];
    return_value = AtomicRef_accumulate_and_get_impl(self, x, func);

exit:
    return return_value;
}

PyDoc_STRVAR(AtomicRef_handle__doc__,
"handle($self, /)\n"
"--\n"
"\n"
"Return a handle to this atomic reference for the calling thread.\n"
"\n"
"The handle is a new AtomicRef object that shares this one\'s value: every\n"
"operation on it acts on this reference.  It is meant to be created and\n"
"used by one thread: on the free-threaded build, using a shared object\n"
"from several threads contends on that object\'s reference count, using\n"
"per-thread handles does not.");

#define ATOMICREF_HANDLE_METHODDEF    \
    {"handle", (PyCFunction)AtomicRef_handle, METH_NOARGS, AtomicRef_handle__doc__},

static PyObject *
AtomicRef_handle_impl(PyAtomicRefObject *self);

static PyObject *
AtomicRef_handle(PyAtomicRefObject *self, PyObject *Py_UNUSED(ignored))
{
    return AtomicRef_handle_impl(self);
}

PyDoc_STRVAR(AtomicRef___reduce____doc__,
"__reduce__($self, /)\n"
"--\n"
"\n"
"Refuse pickling and copying.");

#define ATOMICREF___REDUCE___METHODDEF    \
    {"__reduce__", (PyCFunction)AtomicRef___reduce__, METH_NOARGS, AtomicRef___reduce____doc__},

static PyObject *
AtomicRef___reduce___impl(PyAtomicRefObject *self);

static PyObject *
AtomicRef___reduce__(PyAtomicRefObject *self, PyObject *Py_UNUSED(ignored))
{
    return AtomicRef___reduce___impl(self);
}
/*[clinic end generated code: output=3a1e0e5d6c63a458 input=a9049054013a1b77]*/
