/*[clinic input]
preserve
[clinic start generated code]*/

#if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)
#  include "pycore_gc.h"          // PyGC_Head
#  include "pycore_runtime.h"     // _Py_ID()
#endif
#include "pycore_modsupport.h"    // _PyArg_UnpackKeywords()

PyDoc_STRVAR(atomicbool_init__doc__,
"AtomicBool(value=False)\n"
"--\n"
"\n"
"A boolean flag that threads update atomically.\n"
"\n"
"value is converted with truth testing, like bool(value).");

static int
atomicbool_init_impl(atomicboolobject *self, PyObject *value);

static int
atomicbool_init(PyObject *self, PyObject *args, PyObject *kwargs)
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
        .fname = "AtomicBool",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[1];
    PyObject * const *fastargs;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    Py_ssize_t noptargs = nargs + (kwargs ? PyDict_GET_SIZE(kwargs) : 0) - 0;
    PyObject *value = Py_False;

    fastargs = _PyArg_UnpackKeywords(_PyTuple_CAST(args)->ob_item, nargs, kwargs, NULL, &_parser, 0, 1, 0, argsbuf);
    if (!fastargs) {
        goto exit;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    value = fastargs[0];
skip_optional_pos:
    return_value = atomicbool_init_impl((atomicboolobject *)self, value);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicBool_get__doc__,
"get($self, /)\n"
"--\n"
"\n"
"Return the current value.");

#define _ATOMICS_ATOMICBOOL_GET_METHODDEF    \
    {"get", (PyCFunction)_atomics_AtomicBool_get, METH_NOARGS, _atomics_AtomicBool_get__doc__},

static PyObject *
_atomics_AtomicBool_get_impl(atomicboolobject *self);

static PyObject *
_atomics_AtomicBool_get(atomicboolobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicBool_get_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicBool_set__doc__,
"set($self, value, /)\n"
"--\n"
"\n"
"Set the value (converted with truth testing).");

#define _ATOMICS_ATOMICBOOL_SET_METHODDEF    \
    {"set", (PyCFunction)_atomics_AtomicBool_set, METH_O, _atomics_AtomicBool_set__doc__},

PyDoc_STRVAR(_atomics_AtomicBool_exchange__doc__,
"exchange($self, value, /)\n"
"--\n"
"\n"
"Set the value and return the previous value.");

#define _ATOMICS_ATOMICBOOL_EXCHANGE_METHODDEF    \
    {"exchange", (PyCFunction)_atomics_AtomicBool_exchange, METH_O, _atomics_AtomicBool_exchange__doc__},

PyDoc_STRVAR(_atomics_AtomicBool_compare_and_set__doc__,
"compare_and_set($self, expected, desired, /)\n"
"--\n"
"\n"
"Set the value to desired if it is expected; return True if it did.");

#define _ATOMICS_ATOMICBOOL_COMPARE_AND_SET_METHODDEF    \
    {"compare_and_set", _PyCFunction_CAST(_atomics_AtomicBool_compare_and_set), METH_FASTCALL, _atomics_AtomicBool_compare_and_set__doc__},

static PyObject *
_atomics_AtomicBool_compare_and_set_impl(atomicboolobject *self,
                                         PyObject *expected,
                                         PyObject *desired);

static PyObject *
_atomics_AtomicBool_compare_and_set(atomicboolobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *expected;
    PyObject *desired;

    if (!_PyArg_CheckPositional("compare_and_set", nargs, 2, 2)) {
        goto exit;
    }
    expected = args[0];
    desired = args[1];
    return_value = _atomics_AtomicBool_compare_and_set_impl(self, expected, desired);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicBool_compare_exchange__doc__,
"compare_exchange($self, expected, desired, /)\n"
"--\n"
"\n"
"Set the value to desired if it is expected; return the value seen.");

#define _ATOMICS_ATOMICBOOL_COMPARE_EXCHANGE_METHODDEF    \
    {"compare_exchange", _PyCFunction_CAST(_atomics_AtomicBool_compare_exchange), METH_FASTCALL, _atomics_AtomicBool_compare_exchange__doc__},

static PyObject *
_atomics_AtomicBool_compare_exchange_impl(atomicboolobject *self,
                                          PyObject *expected,
                                          PyObject *desired);

static PyObject *
_atomics_AtomicBool_compare_exchange(atomicboolobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *expected;
    PyObject *desired;

    if (!_PyArg_CheckPositional("compare_exchange", nargs, 2, 2)) {
        goto exit;
    }
    expected = args[0];
    desired = args[1];
    return_value = _atomics_AtomicBool_compare_exchange_impl(self, expected, desired);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicBool_test_and_set__doc__,
"test_and_set($self, /)\n"
"--\n"
"\n"
"Set the value to True and return the previous value.\n"
"\n"
"Exactly one of several threads racing to set a False flag gets False.");

#define _ATOMICS_ATOMICBOOL_TEST_AND_SET_METHODDEF    \
    {"test_and_set", (PyCFunction)_atomics_AtomicBool_test_and_set, METH_NOARGS, _atomics_AtomicBool_test_and_set__doc__},

static PyObject *
_atomics_AtomicBool_test_and_set_impl(atomicboolobject *self);

static PyObject *
_atomics_AtomicBool_test_and_set(atomicboolobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicBool_test_and_set_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicBool_clear__doc__,
"clear($self, /)\n"
"--\n"
"\n"
"Set the value to False.");

#define _ATOMICS_ATOMICBOOL_CLEAR_METHODDEF    \
    {"clear", (PyCFunction)_atomics_AtomicBool_clear, METH_NOARGS, _atomics_AtomicBool_clear__doc__},

static PyObject *
_atomics_AtomicBool_clear_impl(atomicboolobject *self);

static PyObject *
_atomics_AtomicBool_clear(atomicboolobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicBool_clear_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicBool_toggle__doc__,
"toggle($self, /)\n"
"--\n"
"\n"
"Invert the value and return the previous value.");

#define _ATOMICS_ATOMICBOOL_TOGGLE_METHODDEF    \
    {"toggle", (PyCFunction)_atomics_AtomicBool_toggle, METH_NOARGS, _atomics_AtomicBool_toggle__doc__},

static PyObject *
_atomics_AtomicBool_toggle_impl(atomicboolobject *self);

static PyObject *
_atomics_AtomicBool_toggle(atomicboolobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicBool_toggle_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicBool_handle__doc__,
"handle($self, /)\n"
"--\n"
"\n"
"Return a handle to this AtomicBool for the calling thread.\n"
"\n"
"The handle is a new AtomicBool that shares this one\'s value.");

#define _ATOMICS_ATOMICBOOL_HANDLE_METHODDEF    \
    {"handle", (PyCFunction)_atomics_AtomicBool_handle, METH_NOARGS, _atomics_AtomicBool_handle__doc__},

static PyObject *
_atomics_AtomicBool_handle_impl(atomicboolobject *self);

static PyObject *
_atomics_AtomicBool_handle(atomicboolobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicBool_handle_impl(self);
}
/*[clinic end generated code: output=51a915e8fbb82305 input=a9049054013a1b77]*/
