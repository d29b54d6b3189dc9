/*[clinic input]
preserve
[clinic start generated code]*/

#if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)
#  include "pycore_gc.h"          // PyGC_Head
#  include "pycore_runtime.h"     // _Py_ID()
#endif
#include "pycore_modsupport.h"    // _PyArg_UnpackKeywords()

PyDoc_STRVAR(atomicint_init__doc__,
"AtomicInt(value=0)\n"
"--\n"
"\n"
"A 64-bit signed integer that threads update atomically.");

static int
atomicint_init_impl(atomicintobject *self, PyObject *value);

static int
atomicint_init(PyObject *self, PyObject *args, PyObject *kwargs)
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
        .fname = "AtomicInt",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[1];
    PyObject * const *fastargs;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    Py_ssize_t noptargs = nargs + (kwargs ? PyDict_GET_SIZE(kwargs) : 0) - 0;
    PyObject *value = NULL;

    fastargs = _PyArg_UnpackKeywords(_PyTuple_CAST(args)->ob_item, nargs, kwargs, NULL, &_parser, 0, 1, 0, argsbuf);
    if (!fastargs) {
        goto exit;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    value = fastargs[0];
skip_optional_pos:
    return_value = atomicint_init_impl((atomicintobject *)self, value);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicInt_get__doc__,
"get($self, /)\n"
"--\n"
"\n"
"Return the current value.");

#define _ATOMICS_ATOMICINT_GET_METHODDEF    \
    {"get", (PyCFunction)_atomics_AtomicInt_get, METH_NOARGS, _atomics_AtomicInt_get__doc__},

static PyObject *
_atomics_AtomicInt_get_impl(atomicintobject *self);

static PyObject *
_atomics_AtomicInt_get(atomicintobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicInt_get_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicInt_set__doc__,
"set($self, value, /)\n"
"--\n"
"\n"
"Set the value.");

#define _ATOMICS_ATOMICINT_SET_METHODDEF    \
    {"set", (PyCFunction)_atomics_AtomicInt_set, METH_O, _atomics_AtomicInt_set__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_exchange__doc__,
"exchange($self, value, /)\n"
"--\n"
"\n"
"Set the value and return the previous value.");

#define _ATOMICS_ATOMICINT_EXCHANGE_METHODDEF    \
    {"exchange", (PyCFunction)_atomics_AtomicInt_exchange, METH_O, _atomics_AtomicInt_exchange__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_compare_and_set__doc__,
"compare_and_set($self, expected, desired, /)\n"
"--\n"
"\n"
"Set the value to desired if it equals expected; return True if so.");

#define _ATOMICS_ATOMICINT_COMPARE_AND_SET_METHODDEF    \
    {"compare_and_set", _PyCFunction_CAST(_atomics_AtomicInt_compare_and_set), METH_FASTCALL, _atomics_AtomicInt_compare_and_set__doc__},

static PyObject *
_atomics_AtomicInt_compare_and_set_impl(atomicintobject *self,
                                        PyObject *expected,
                                        PyObject *desired);

static PyObject *
_atomics_AtomicInt_compare_and_set(atomicintobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *expected;
    PyObject *desired;

    if (!_PyArg_CheckPositional("compare_and_set", nargs, 2, 2)) {
        goto exit;
    }
    expected = args[0];
    desired = args[1];
    return_value = _atomics_AtomicInt_compare_and_set_impl(self, expected, desired);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicInt_compare_exchange__doc__,
"compare_exchange($self, expected, desired, /)\n"
"--\n"
"\n"
"Set it to desired if it equals expected; return the value seen.\n"
"\n"
"The result equals expected if the value was replaced.");

#define _ATOMICS_ATOMICINT_COMPARE_EXCHANGE_METHODDEF    \
    {"compare_exchange", _PyCFunction_CAST(_atomics_AtomicInt_compare_exchange), METH_FASTCALL, _atomics_AtomicInt_compare_exchange__doc__},

static PyObject *
_atomics_AtomicInt_compare_exchange_impl(atomicintobject *self,
                                         PyObject *expected,
                                         PyObject *desired);

static PyObject *
_atomics_AtomicInt_compare_exchange(atomicintobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *expected;
    PyObject *desired;

    if (!_PyArg_CheckPositional("compare_exchange", nargs, 2, 2)) {
        goto exit;
    }
    expected = args[0];
    desired = args[1];
    return_value = _atomics_AtomicInt_compare_exchange_impl(self, expected, desired);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicInt_increment__doc__,
"increment($self, /)\n"
"--\n"
"\n"
"Add 1.\n"
"\n"
"Like AtomicCounter.increment(), this returns None; use add_and_get(1)\n"
"or get_and_add(1) for the value.");

#define _ATOMICS_ATOMICINT_INCREMENT_METHODDEF    \
    {"increment", (PyCFunction)_atomics_AtomicInt_increment, METH_NOARGS, _atomics_AtomicInt_increment__doc__},

static PyObject *
_atomics_AtomicInt_increment_impl(atomicintobject *self);

static PyObject *
_atomics_AtomicInt_increment(atomicintobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicInt_increment_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicInt_decrement__doc__,
"decrement($self, /)\n"
"--\n"
"\n"
"Subtract 1.\n"
"\n"
"Returns None; use add_and_get(-1) or get_and_add(-1) for the value.");

#define _ATOMICS_ATOMICINT_DECREMENT_METHODDEF    \
    {"decrement", (PyCFunction)_atomics_AtomicInt_decrement, METH_NOARGS, _atomics_AtomicInt_decrement__doc__},

static PyObject *
_atomics_AtomicInt_decrement_impl(atomicintobject *self);

static PyObject *
_atomics_AtomicInt_decrement(atomicintobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicInt_decrement_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicInt_add_and_get__doc__,
"add_and_get($self, delta, /)\n"
"--\n"
"\n"
"Add delta and return the new value.");

#define _ATOMICS_ATOMICINT_ADD_AND_GET_METHODDEF    \
    {"add_and_get", (PyCFunction)_atomics_AtomicInt_add_and_get, METH_O, _atomics_AtomicInt_add_and_get__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_add__doc__,
"get_and_add($self, delta, /)\n"
"--\n"
"\n"
"Add delta and return the previous value.");

#define _ATOMICS_ATOMICINT_GET_AND_ADD_METHODDEF    \
    {"get_and_add", (PyCFunction)_atomics_AtomicInt_get_and_add, METH_O, _atomics_AtomicInt_get_and_add__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_or__doc__,
"get_and_or($self, mask, /)\n"
"--\n"
"\n"
"Set the value to value | mask and return the previous value.");

#define _ATOMICS_ATOMICINT_GET_AND_OR_METHODDEF    \
    {"get_and_or", (PyCFunction)_atomics_AtomicInt_get_and_or, METH_O, _atomics_AtomicInt_get_and_or__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_and__doc__,
"get_and_and($self, mask, /)\n"
"--\n"
"\n"
"Set the value to value & mask and return the previous value.");

#define _ATOMICS_ATOMICINT_GET_AND_AND_METHODDEF    \
    {"get_and_and", (PyCFunction)_atomics_AtomicInt_get_and_and, METH_O, _atomics_AtomicInt_get_and_and__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_xor__doc__,
"get_and_xor($self, mask, /)\n"
"--\n"
"\n"
"Set the value to value ^ mask and return the previous value.");

#define _ATOMICS_ATOMICINT_GET_AND_XOR_METHODDEF    \
    {"get_and_xor", (PyCFunction)_atomics_AtomicInt_get_and_xor, METH_O, _atomics_AtomicInt_get_and_xor__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_max__doc__,
"get_and_max($self, other, /)\n"
"--\n"
"\n"
"Set the value to max(value, other) and return the previous value.");

#define _ATOMICS_ATOMICINT_GET_AND_MAX_METHODDEF    \
    {"get_and_max", (PyCFunction)_atomics_AtomicInt_get_and_max, METH_O, _atomics_AtomicInt_get_and_max__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_min__doc__,
"get_and_min($self, other, /)\n"
"--\n"
"\n"
"Set the value to min(value, other) and return the previous value.");

#define _ATOMICS_ATOMICINT_GET_AND_MIN_METHODDEF    \
    {"get_and_min", (PyCFunction)_atomics_AtomicInt_get_and_min, METH_O, _atomics_AtomicInt_get_and_min__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_update__doc__,
"get_and_update($self, func, /)\n"
"--\n"
"\n"
"Set the value v to func(v) atomically; return the previous value.\n"
"\n"
"func may be called more than once when other threads change the value\n"
"concurrently; it should be free of side effects.");

#define _ATOMICS_ATOMICINT_GET_AND_UPDATE_METHODDEF    \
    {"get_and_update", (PyCFunction)_atomics_AtomicInt_get_and_update, METH_O, _atomics_AtomicInt_get_and_update__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_update_and_get__doc__,
"update_and_get($self, func, /)\n"
"--\n"
"\n"
"Set the value v to func(v) atomically; return the new value.\n"
"\n"
"func may be called more than once when other threads change the value\n"
"concurrently; it should be free of side effects.");

#define _ATOMICS_ATOMICINT_UPDATE_AND_GET_METHODDEF    \
    {"update_and_get", (PyCFunction)_atomics_AtomicInt_update_and_get, METH_O, _atomics_AtomicInt_update_and_get__doc__},

PyDoc_STRVAR(_atomics_AtomicInt_get_and_accumulate__doc__,
"get_and_accumulate($self, x, func, /)\n"
"--\n"
"\n"
"Set the value v to func(v, x) atomically; return the previous value.\n"
"\n"
"func may be called more than once when other threads change the value\n"
"concurrently; it should be free of side effects.");

#define _ATOMICS_ATOMICINT_GET_AND_ACCUMULATE_METHODDEF    \
    {"get_and_accumulate", _PyCFunction_CAST(_atomics_AtomicInt_get_and_accumulate), METH_FASTCALL, _atomics_AtomicInt_get_and_accumulate__doc__},

static PyObject *
_atomics_AtomicInt_get_and_accumulate_impl(atomicintobject *self,
                                           PyObject *x, PyObject *func);

static PyObject *
_atomics_AtomicInt_get_and_accumulate(atomicintobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *x;
    PyObject *func;

    if (!_PyArg_CheckPositional("get_and_accumulate", nargs, 2, 2)) {
        goto exit;
    }
    x = args[0];
    func = args[1];
    return_value = _atomics_AtomicInt_get_and_accumulate_impl(self, x, func);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicInt_accumulate_and_get__doc__,
"accumulate_and_get($self, x, func, /)\n"
"--\n"
"\n"
"Set the value v to func(v, x) atomically; return the new value.\n"
"\n"
"func may be called more than once when other threads change the value\n"
"concurrently; it should be free of side effects.");

#define _ATOMICS_ATOMICINT_ACCUMULATE_AND_GET_METHODDEF    \
    {"accumulate_and_get", _PyCFunction_CAST(_atomics_AtomicInt_accumulate_and_get), METH_FASTCALL, _atomics_AtomicInt_accumulate_and_get__doc__},

static PyObject *
_atomics_AtomicInt_accumulate_and_get_impl(atomicintobject *self,
                                           PyObject *x, PyObject *func);

static PyObject *
_atomics_AtomicInt_accumulate_and_get(atomicintobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *x;
    PyObject *func;

    if (!_PyArg_CheckPositional("accumulate_and_get", nargs, 2, 2)) {
        goto exit;
    }
    x = args[0];
    func = args[1];
    return_value = _atomics_AtomicInt_accumulate_and_get_impl(self, x, func);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicInt_handle__doc__,
"handle($self, /)\n"
"--\n"
"\n"
"Return a handle to this AtomicInt for the calling thread.\n"
"\n"
"The handle is a new AtomicInt that shares this one\'s value.  Use one\n"
"handle per thread to avoid contention on the shared object\'s reference\n"
"count on the free-threaded build.");

#define _ATOMICS_ATOMICINT_HANDLE_METHODDEF    \
    {"handle", (PyCFunction)_atomics_AtomicInt_handle, METH_NOARGS, _atomics_AtomicInt_handle__doc__},

static PyObject *
_atomics_AtomicInt_handle_impl(atomicintobject *self);

static PyObject *
_atomics_AtomicInt_handle(atomicintobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicInt_handle_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicInt___format____doc__,
"__format__($self, format_spec, /)\n"
"--\n"
"\n"
"Format the value as the int it is.");

#define _ATOMICS_ATOMICINT___FORMAT___METHODDEF    \
    {"__format__", (PyCFunction)_atomics_AtomicInt___format__, METH_O, _atomics_AtomicInt___format____doc__},

static PyObject *
_atomics_AtomicInt___format___impl(atomicintobject *self,
                                   PyObject *format_spec);

static PyObject *
_atomics_AtomicInt___format__(atomicintobject *self, PyObject *arg)
{
    PyObject *return_value = NULL;
    PyObject *format_spec;

    if (!PyUnicode_Check(arg)) {
        _PyArg_BadArgument("__format__", "argument", "str", arg);
        goto exit;
    }
    format_spec = arg;
    return_value = _atomics_AtomicInt___format___impl(self, format_spec);

exit:
    return return_value;
}
/*[clinic end generated code: output=891509058bce4a8e input=a9049054013a1b77]*/
