/*[clinic input]
preserve
[clinic start generated code]*/

#if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)
#  include "pycore_gc.h"          // PyGC_Head
#  include "pycore_runtime.h"     // _Py_ID()
#endif
#include "pycore_modsupport.h"    // _PyArg_CheckPositional()

PyDoc_STRVAR(_atomics_AtomicDict_get__doc__,
"get($self, key, default=None, /)\n"
"--\n"
"\n"
"Return the value of key, or default if it has none.");

#define _ATOMICS_ATOMICDICT_GET_METHODDEF    \
    {"get", _PyCFunction_CAST(_atomics_AtomicDict_get), METH_FASTCALL, _atomics_AtomicDict_get__doc__},

static PyObject *
_atomics_AtomicDict_get_impl(atomicdictobject *self, PyObject *key,
                             PyObject *default_value);

static PyObject *
_atomics_AtomicDict_get(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *key;
    PyObject *default_value = Py_None;

    if (!_PyArg_CheckPositional("get", nargs, 1, 2)) {
        goto exit;
    }
    key = args[0];
    if (nargs < 2) {
        goto skip_optional;
    }
    default_value = args[1];
skip_optional:
    return_value = _atomics_AtomicDict_get_impl(self, key, default_value);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_setdefault__doc__,
"setdefault($self, key, default=None, /)\n"
"--\n"
"\n"
"Return the value of key; if it has none, set it to default first.\n"
"\n"
"Atomic: of several threads calling setdefault() for a missing key,\n"
"exactly one sets it, and all get the same value.");

#define _ATOMICS_ATOMICDICT_SETDEFAULT_METHODDEF    \
    {"setdefault", _PyCFunction_CAST(_atomics_AtomicDict_setdefault), METH_FASTCALL, _atomics_AtomicDict_setdefault__doc__},

static PyObject *
_atomics_AtomicDict_setdefault_impl(atomicdictobject *self, PyObject *key,
                                    PyObject *default_value);

static PyObject *
_atomics_AtomicDict_setdefault(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *key;
    PyObject *default_value = Py_None;

    if (!_PyArg_CheckPositional("setdefault", nargs, 1, 2)) {
        goto exit;
    }
    key = args[0];
    if (nargs < 2) {
        goto skip_optional;
    }
    default_value = args[1];
skip_optional:
    return_value = _atomics_AtomicDict_setdefault_impl(self, key, default_value);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_pop__doc__,
"pop($self, key, default=<unrepresentable>, /, *,\n"
"    expected=<unrepresentable>)\n"
"--\n"
"\n"
"Remove key and return its value; default if it has none.\n"
"\n"
"With expected, remove key only if its value is expected (compared by\n"
"identity, as in compare_and_set()); otherwise return default.  Without\n"
"default, KeyError is raised instead of returning it.");

#define _ATOMICS_ATOMICDICT_POP_METHODDEF    \
    {"pop", _PyCFunction_CAST(_atomics_AtomicDict_pop), METH_FASTCALL|METH_KEYWORDS, _atomics_AtomicDict_pop__doc__},

static PyObject *
_atomics_AtomicDict_pop_impl(atomicdictobject *self, PyObject *key,
                             PyObject *default_value, PyObject *expected);

static PyObject *
_atomics_AtomicDict_pop(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 1
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(expected), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"", "", "expected", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "pop",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[3];
    Py_ssize_t noptargs = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0) - 1;
    PyObject *key;
    PyObject *default_value = NULL;
    PyObject *expected = NULL;

    args = _PyArg_UnpackKeywords(args, nargs, NULL, kwnames, &_parser, 1, 2, 0, argsbuf);
    if (!args) {
        goto exit;
    }
    key = args[0];
    if (nargs < 2) {
        goto skip_optional_posonly;
    }
    noptargs--;
    default_value = args[1];
skip_optional_posonly:
    if (!noptargs) {
        goto skip_optional_kwonly;
    }
    expected = args[2];
skip_optional_kwonly:
    return_value = _atomics_AtomicDict_pop_impl(self, key, default_value, expected);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_popitem__doc__,
"popitem($self, /)\n"
"--\n"
"\n"
"Remove some (key, value) pair and return it.\n"
"\n"
"Raise KeyError if the dict is empty.  Which pair is unspecified.");

#define _ATOMICS_ATOMICDICT_POPITEM_METHODDEF    \
    {"popitem", (PyCFunction)_atomics_AtomicDict_popitem, METH_NOARGS, _atomics_AtomicDict_popitem__doc__},

static PyObject *
_atomics_AtomicDict_popitem_impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict_popitem(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict_popitem_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict_compare_and_set__doc__,
"compare_and_set($self, key, expected, desired, /)\n"
"--\n"
"\n"
"Set key\'s value to desired if it is expected; return True if so.\n"
"\n"
"The comparison is by identity (\"is\"), as for AtomicRef.  NOT_FOUND as\n"
"expected means \"key has no value\" (insert if absent); as desired,\n"
"\"remove key\" (delete if unchanged).");

#define _ATOMICS_ATOMICDICT_COMPARE_AND_SET_METHODDEF    \
    {"compare_and_set", _PyCFunction_CAST(_atomics_AtomicDict_compare_and_set), METH_FASTCALL, _atomics_AtomicDict_compare_and_set__doc__},

static PyObject *
_atomics_AtomicDict_compare_and_set_impl(atomicdictobject *self,
                                         PyObject *key, PyObject *expected,
                                         PyObject *desired);

static PyObject *
_atomics_AtomicDict_compare_and_set(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *key;
    PyObject *expected;
    PyObject *desired;

    if (!_PyArg_CheckPositional("compare_and_set", nargs, 3, 3)) {
        goto exit;
    }
    key = args[0];
    expected = args[1];
    desired = args[2];
    return_value = _atomics_AtomicDict_compare_and_set_impl(self, key, expected, desired);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_get_and_set__doc__,
"get_and_set($self, key, value, /)\n"
"--\n"
"\n"
"Set the value of key; return the previous one (NOT_FOUND if none).\n"
"\n"
"value NOT_FOUND removes key.");

#define _ATOMICS_ATOMICDICT_GET_AND_SET_METHODDEF    \
    {"get_and_set", _PyCFunction_CAST(_atomics_AtomicDict_get_and_set), METH_FASTCALL, _atomics_AtomicDict_get_and_set__doc__},

static PyObject *
_atomics_AtomicDict_get_and_set_impl(atomicdictobject *self, PyObject *key,
                                     PyObject *value);

static PyObject *
_atomics_AtomicDict_get_and_set(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *key;
    PyObject *value;

    if (!_PyArg_CheckPositional("get_and_set", nargs, 2, 2)) {
        goto exit;
    }
    key = args[0];
    value = args[1];
    return_value = _atomics_AtomicDict_get_and_set_impl(self, key, value);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_update_and_get__doc__,
"update_and_get($self, key, func, /)\n"
"--\n"
"\n"
"Set the value v of key to func(v) atomically; return the new value.\n"
"\n"
"func gets NOT_FOUND if key has no value, and may return NOT_FOUND to\n"
"remove it.  It may be called more than once if other threads change\n"
"the key concurrently; it should be free of side effects.");

#define _ATOMICS_ATOMICDICT_UPDATE_AND_GET_METHODDEF    \
    {"update_and_get", _PyCFunction_CAST(_atomics_AtomicDict_update_and_get), METH_FASTCALL, _atomics_AtomicDict_update_and_get__doc__},

static PyObject *
_atomics_AtomicDict_update_and_get_impl(atomicdictobject *self,
                                        PyObject *key, PyObject *func);

static PyObject *
_atomics_AtomicDict_update_and_get(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *key;
    PyObject *func;

    if (!_PyArg_CheckPositional("update_and_get", nargs, 2, 2)) {
        goto exit;
    }
    key = args[0];
    func = args[1];
    return_value = _atomics_AtomicDict_update_and_get_impl(self, key, func);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_get_and_update__doc__,
"get_and_update($self, key, func, /)\n"
"--\n"
"\n"
"Set the value v of key to func(v) atomically; return the old value.\n"
"\n"
"As update_and_get(), but return the value before the update.");

#define _ATOMICS_ATOMICDICT_GET_AND_UPDATE_METHODDEF    \
    {"get_and_update", _PyCFunction_CAST(_atomics_AtomicDict_get_and_update), METH_FASTCALL, _atomics_AtomicDict_get_and_update__doc__},

static PyObject *
_atomics_AtomicDict_get_and_update_impl(atomicdictobject *self,
                                        PyObject *key, PyObject *func);

static PyObject *
_atomics_AtomicDict_get_and_update(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *key;
    PyObject *func;

    if (!_PyArg_CheckPositional("get_and_update", nargs, 2, 2)) {
        goto exit;
    }
    key = args[0];
    func = args[1];
    return_value = _atomics_AtomicDict_get_and_update_impl(self, key, func);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_reduce__doc__,
"reduce($self, iterable, fn, /)\n"
"--\n"
"\n"
"Fold (key, value) pairs into the dict with fn(key, current, value).\n"
"\n"
"The pairs are first aggregated locally with fn, then each key is\n"
"updated once, atomically: a key with no value gets the aggregate,\n"
"else fn(key, current, aggregate).  fn must be associative, free of\n"
"side effects, and may be called more than once.");

#define _ATOMICS_ATOMICDICT_REDUCE_METHODDEF    \
    {"reduce", _PyCFunction_CAST(_atomics_AtomicDict_reduce), METH_FASTCALL, _atomics_AtomicDict_reduce__doc__},

static PyObject *
_atomics_AtomicDict_reduce_impl(atomicdictobject *self, PyObject *iterable,
                                PyObject *fn);

static PyObject *
_atomics_AtomicDict_reduce(atomicdictobject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *iterable;
    PyObject *fn;

    if (!_PyArg_CheckPositional("reduce", nargs, 2, 2)) {
        goto exit;
    }
    iterable = args[0];
    fn = args[1];
    return_value = _atomics_AtomicDict_reduce_impl(self, iterable, fn);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict_reduce_sum__doc__,
"reduce_sum($self, iterable, /)\n"
"--\n"
"\n"
"Add (key, number) pairs into the dict: d[key] += number, atomically.\n"
"\n"
"Keys with no value start from the first number.  The pairs are summed\n"
"locally first, so each key is updated once per call.");

#define _ATOMICS_ATOMICDICT_REDUCE_SUM_METHODDEF    \
    {"reduce_sum", (PyCFunction)_atomics_AtomicDict_reduce_sum, METH_O, _atomics_AtomicDict_reduce_sum__doc__},

PyDoc_STRVAR(_atomics_AtomicDict_reduce_count__doc__,
"reduce_count($self, iterable, /)\n"
"--\n"
"\n"
"Count keys into the dict: d[key] += 1 for each key, atomically.\n"
"\n"
"iterable gives keys, or is a mapping of keys to counts.  Keys are\n"
"counted locally first, so each key is updated once per call.");

#define _ATOMICS_ATOMICDICT_REDUCE_COUNT_METHODDEF    \
    {"reduce_count", (PyCFunction)_atomics_AtomicDict_reduce_count, METH_O, _atomics_AtomicDict_reduce_count__doc__},

PyDoc_STRVAR(_atomics_AtomicDict_keys__doc__,
"keys($self, /)\n"
"--\n"
"\n"
"Return a view of the keys.");

#define _ATOMICS_ATOMICDICT_KEYS_METHODDEF    \
    {"keys", (PyCFunction)_atomics_AtomicDict_keys, METH_NOARGS, _atomics_AtomicDict_keys__doc__},

static PyObject *
_atomics_AtomicDict_keys_impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict_keys(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict_keys_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict_values__doc__,
"values($self, /)\n"
"--\n"
"\n"
"Return a view of the values.");

#define _ATOMICS_ATOMICDICT_VALUES_METHODDEF    \
    {"values", (PyCFunction)_atomics_AtomicDict_values, METH_NOARGS, _atomics_AtomicDict_values__doc__},

static PyObject *
_atomics_AtomicDict_values_impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict_values(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict_values_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict_items__doc__,
"items($self, /)\n"
"--\n"
"\n"
"Return a view of the (key, value) pairs.");

#define _ATOMICS_ATOMICDICT_ITEMS_METHODDEF    \
    {"items", (PyCFunction)_atomics_AtomicDict_items, METH_NOARGS, _atomics_AtomicDict_items__doc__},

static PyObject *
_atomics_AtomicDict_items_impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict_items(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict_items_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict_clear__doc__,
"clear($self, /)\n"
"--\n"
"\n"
"Remove every key, atomically.");

#define _ATOMICS_ATOMICDICT_CLEAR_METHODDEF    \
    {"clear", (PyCFunction)_atomics_AtomicDict_clear, METH_NOARGS, _atomics_AtomicDict_clear__doc__},

static PyObject *
_atomics_AtomicDict_clear_impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict_clear(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict_clear_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict_copy__doc__,
"copy($self, /)\n"
"--\n"
"\n"
"Return a new AtomicDict with a snapshot of the items.");

#define _ATOMICS_ATOMICDICT_COPY_METHODDEF    \
    {"copy", (PyCFunction)_atomics_AtomicDict_copy, METH_NOARGS, _atomics_AtomicDict_copy__doc__},

static PyObject *
_atomics_AtomicDict_copy_impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict_copy(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict_copy_impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict___reduce____doc__,
"__reduce__($self, /)\n"
"--\n"
"\n"
"Pickle a snapshot of the items.");

#define _ATOMICS_ATOMICDICT___REDUCE___METHODDEF    \
    {"__reduce__", (PyCFunction)_atomics_AtomicDict___reduce__, METH_NOARGS, _atomics_AtomicDict___reduce____doc__},

static PyObject *
_atomics_AtomicDict___reduce___impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict___reduce__(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict___reduce___impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict_fromkeys__doc__,
"fromkeys($type, iterable, value=None, /)\n"
"--\n"
"\n"
"Return a new AtomicDict with keys from iterable, each set to value.");

#define _ATOMICS_ATOMICDICT_FROMKEYS_METHODDEF    \
    {"fromkeys", _PyCFunction_CAST(_atomics_AtomicDict_fromkeys), METH_FASTCALL|METH_CLASS, _atomics_AtomicDict_fromkeys__doc__},

static PyObject *
_atomics_AtomicDict_fromkeys_impl(PyTypeObject *type, PyObject *iterable,
                                  PyObject *value);

static PyObject *
_atomics_AtomicDict_fromkeys(PyTypeObject *type, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *return_value = NULL;
    PyObject *iterable;
    PyObject *value = Py_None;

    if (!_PyArg_CheckPositional("fromkeys", nargs, 1, 2)) {
        goto exit;
    }
    iterable = args[0];
    if (nargs < 2) {
        goto skip_optional;
    }
    value = args[1];
skip_optional:
    return_value = _atomics_AtomicDict_fromkeys_impl(type, iterable, value);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_AtomicDict___sizeof____doc__,
"__sizeof__($self, /)\n"
"--\n"
"\n"
"Return the size in memory, in bytes, table included.");

#define _ATOMICS_ATOMICDICT___SIZEOF___METHODDEF    \
    {"__sizeof__", (PyCFunction)_atomics_AtomicDict___sizeof__, METH_NOARGS, _atomics_AtomicDict___sizeof____doc__},

static PyObject *
_atomics_AtomicDict___sizeof___impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict___sizeof__(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict___sizeof___impl(self);
}

PyDoc_STRVAR(_atomics_AtomicDict_handle__doc__,
"handle($self, /)\n"
"--\n"
"\n"
"Return a handle to this AtomicDict for the calling thread.\n"
"\n"
"The handle is a new AtomicDict that shares this one\'s items: every\n"
"operation on it acts on this dict.  Made and used by one thread, it\n"
"avoids the contention of threads on the shared object\'s reference\n"
"count on the free-threaded build.");

#define _ATOMICS_ATOMICDICT_HANDLE_METHODDEF    \
    {"handle", (PyCFunction)_atomics_AtomicDict_handle, METH_NOARGS, _atomics_AtomicDict_handle__doc__},

static PyObject *
_atomics_AtomicDict_handle_impl(atomicdictobject *self);

static PyObject *
_atomics_AtomicDict_handle(atomicdictobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_AtomicDict_handle_impl(self);
}
/*[clinic end generated code: output=6d21b76aa38f5e1d input=a9049054013a1b77]*/
