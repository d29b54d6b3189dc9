/*[clinic input]
preserve
[clinic start generated code]*/

#if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)
#  include "pycore_gc.h"          // PyGC_Head
#  include "pycore_runtime.h"     // _Py_ID()
#endif
#include "pycore_abstract.h"      // _PyNumber_Index()
#include "pycore_modsupport.h"    // _PyArg_UnpackKeywords()

PyDoc_STRVAR(atomiccounter_new__doc__,
"AtomicCounter(value=0, *, stripes=0)\n"
"--\n"
"\n"
"A counter for many concurrent writers, summed on demand.\n"
"\n"
"Adding is cheap and scales with threads because each thread adds to\n"
"its own stripe; sum() adds the stripes up.  stripes is the number of\n"
"stripes (rounded up to a power of two, at most 256); 0 picks one per\n"
"CPU.");

static PyObject *
atomiccounter_new_impl(PyTypeObject *type, PyObject *value,
                       Py_ssize_t stripes);

static PyObject *
atomiccounter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 2
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(value), &_Py_ID(stripes), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"value", "stripes", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "AtomicCounter",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[2];
    PyObject * const *fastargs;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    Py_ssize_t noptargs = nargs + (kwargs ? PyDict_GET_SIZE(kwargs) : 0) - 0;
    PyObject *value = NULL;
    Py_ssize_t stripes = 0;

    fastargs = _PyArg_UnpackKeywords(_PyTuple_CAST(args)->ob_item, nargs, kwargs, NULL, &_parser, 0, 1, 0, argsbuf);
    if (!fastargs) {
        goto exit;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    if (fastargs[0]) {
        value = fastargs[0];
        if (!--noptargs) {
            goto skip_optional_pos;
        }
    }
skip_optional_pos:
    if (!noptargs) {
        goto skip_optional_kwonly;
    }
    {
        Py_ssize_t ival = -1;
        PyObject *iobj = _PyNumber_Index(fastargs[1]);
        if (iobj != NULL) {
            ival = PyLong_AsSsize_t(iobj);
            Py_DECREF(iobj);
        }
        if (ival == -1 && PyErr_Occurred()) {
            goto exit;
        }
        stripes = ival;
    }
skip_optional_kwonly:
    return_value = atomiccounter_new_impl(type, value, stripes);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicCounter_add__doc__,
"add($self, delta, /)\n"
"--\n"
"\n"
"Add delta to the counter.");

#define _ATOMICS_ATOMICCOUNTER_ADD_METHODDEF    \
    {"add", (PyCFunction)_atomics_AtomicCounter_add, METH_O, _atomics_AtomicCounter_add__doc__},

PyDoc_STRVAR(_atomics_AtomicCounter_increment__doc__,
"increment($self, /)\n"
"--\n"
"\n"
"Add 1 to the counter.");

#define _ATOMICS_ATOMICCOUNTER_INCREMENT_METHODDEF    \
    {"increment", (PyCFunction)_atomics_AtomicCounter_increment, METH_NOARGS, _atomics_AtomicCounter_increment__doc__},

static PyObject *
_atomics_AtomicCounter_increment_impl(atomiccounterobject *self);

static PyObject *
_atomics_AtomicCounter_increment(atomiccounterobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicCounter_increment_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicCounter_decrement__doc__,
"decrement($self, /)\n"
"--\n"
"\n"
"Subtract 1 from the counter.");

#define _ATOMICS_ATOMICCOUNTER_DECREMENT_METHODDEF    \
    {"decrement", (PyCFunction)_atomics_AtomicCounter_decrement, METH_NOARGS, _atomics_AtomicCounter_decrement__doc__},

static PyObject *
_atomics_AtomicCounter_decrement_impl(atomiccounterobject *self);

static PyObject *
_atomics_AtomicCounter_decrement(atomiccounterobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicCounter_decrement_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicCounter_sum__doc__,
"sum($self, /)\n"
"--\n"
"\n"
"Return the sum of all additions.\n"
"\n"
"Exact when no thread adds concurrently; otherwise each stripe is read\n"
"atomically, and the result counts every addition that finished before\n"
"sum() was called and none that started after it returned.");

#define _ATOMICS_ATOMICCOUNTER_SUM_METHODDEF    \
    {"sum", (PyCFunction)_atomics_AtomicCounter_sum, METH_NOARGS, _atomics_AtomicCounter_sum__doc__},

static PyObject *
_atomics_AtomicCounter_sum_impl(atomiccounterobject *self);

static PyObject *
_atomics_AtomicCounter_sum(atomiccounterobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicCounter_sum_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicCounter_reset__doc__,
"reset($self, /)\n"
"--\n"
"\n"
"Set the counter to zero and return the sum it had.\n"
"\n"
"Not atomic as a whole when threads add concurrently: an addition that\n"
"races with reset() is either in the result or stays in the counter,\n"
"never lost and never counted twice.");

#define _ATOMICS_ATOMICCOUNTER_RESET_METHODDEF    \
    {"reset", (PyCFunction)_atomics_AtomicCounter_reset, METH_NOARGS, _atomics_AtomicCounter_reset__doc__},

static PyObject *
_atomics_AtomicCounter_reset_impl(atomiccounterobject *self);

static PyObject *
_atomics_AtomicCounter_reset(atomiccounterobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicCounter_reset_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicCounter_handle__doc__,
"handle($self, /)\n"
"--\n"
"\n"
"Return a handle to this counter for the calling thread.\n"
"\n"
"The handle is a new AtomicCounter that shares this one\'s stripes.");

#define _ATOMICS_ATOMICCOUNTER_HANDLE_METHODDEF    \
    {"handle", (PyCFunction)_atomics_AtomicCounter_handle, METH_NOARGS, _atomics_AtomicCounter_handle__doc__},

static PyObject *
_atomics_AtomicCounter_handle_impl(atomiccounterobject *self);

static PyObject *
_atomics_AtomicCounter_handle(atomiccounterobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicCounter_handle_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicCounter___sizeof____doc__,
"__sizeof__($self, /)\n"
"--\n"
"\n"
"Return the size in memory, in bytes, stripes included.");

#define _ATOMICS_ATOMICCOUNTER___SIZEOF___METHODDEF    \
    {"__sizeof__", (PyCFunction)_atomics_AtomicCounter___sizeof__, METH_NOARGS, _atomics_AtomicCounter___sizeof____doc__},

static PyObject *
_atomics_AtomicCounter___sizeof___impl(atomiccounterobject *self);

static PyObject *
_atomics_AtomicCounter___sizeof__(atomiccounterobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicCounter___sizeof___impl(self);
}
/*[clinic end generated code: output=afddd041c9b93c84 input=a9049054013a1b77]*/
