/* atomics.AtomicBool: a boolean flag that threads update atomically.

   The value is one byte updated with the atomic operations of
   Include/cpython/pyatomic.h; every operation is sequentially
   consistent. */

#include "module.h"

#define VALUE_PADDING ATOMICS_CACHE_LINE    // see atomicint.c

typedef struct {
    atomics_object base;
    uint8_t *cell;          // &value, or the owner's cell for a handle
    char _pad[VALUE_PADDING];
    uint8_t value;
} atomicboolobject;

#define atomicboolobject_CAST(op) ((atomicboolobject *)(op))

/*[clinic input]
module _atomics
class _atomics.AtomicBool "atomicboolobject *" "clinic_state()->atomicbool_type"
[clinic start generated code]*/
/*[clinic end generated code: output=da39a3ee5e6b4b0d input=48d28c091a8b360d]*/

#include "clinic/atomicbool.c.h"

static int
as_bool(PyObject *obj, uint8_t *out)
{
    int r = PyObject_IsTrue(obj);
    if (r < 0) {
        return -1;
    }
    *out = (uint8_t)r;
    return 0;
}

static PyObject *
atomicbool_new(PyTypeObject *type, PyObject *Py_UNUSED(args),
               PyObject *Py_UNUSED(kwargs))
{
    atomicboolobject *self = (atomicboolobject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->cell = &self->value;
    return (PyObject *)self;
}

/*[clinic input]
_atomics.AtomicBool.__init__ as atomicbool_init

    value: object = False

A boolean flag that threads update atomically.

value is converted with truth testing, like bool(value).
[clinic start generated code]*/

static int
atomicbool_init_impl(atomicboolobject *self, PyObject *value)
/*[clinic end generated code: output=267f5aeef8d18a1d input=3ec5cdfffeebde61]*/
{
    uint8_t v;
    if (as_bool(value, &v) < 0) {
        return -1;
    }
    _Py_atomic_store_uint8(self->cell, v);
    return 0;
}

/*[clinic input]
_atomics.AtomicBool.get

Return the current value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_get_impl(atomicboolobject *self)
/*[clinic end generated code: output=54132c207c0c57c9 input=3b69196e4816bf8f]*/
{
    return PyBool_FromLong(_Py_atomic_load_uint8(self->cell));
}

/*[clinic input]
_atomics.AtomicBool.set

    value: object
    /

Set the value (converted with truth testing).
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_set(atomicboolobject *self, PyObject *value)
/*[clinic end generated code: output=04efa1243bead341 input=1421607a20c986c3]*/
{
    uint8_t v;
    if (as_bool(value, &v) < 0) {
        return NULL;
    }
    _Py_atomic_store_uint8(self->cell, v);
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.AtomicBool.exchange

    value: object
    /

Set the value and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_exchange(atomicboolobject *self, PyObject *value)
/*[clinic end generated code: output=bd9c26aac6556a1e input=c04b48bfe0898c79]*/
{
    uint8_t v;
    if (as_bool(value, &v) < 0) {
        return NULL;
    }
    return PyBool_FromLong(_Py_atomic_exchange_uint8(self->cell, v));
}

/*[clinic input]
_atomics.AtomicBool.compare_and_set

    expected: object
    desired: object
    /

Set the value to desired if it is expected; return True if it did.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_compare_and_set_impl(atomicboolobject *self,
                                         PyObject *expected,
                                         PyObject *desired)
/*[clinic end generated code: output=4bf160d8941deb82 input=be229a8202a42078]*/
{
    uint8_t e, d;
    if (as_bool(expected, &e) < 0 || as_bool(desired, &d) < 0) {
        return NULL;
    }
    int r = _Py_atomic_compare_exchange_uint8(self->cell, &e, d);
    return PyBool_FromLong(r);
}

/*[clinic input]
_atomics.AtomicBool.compare_exchange

    expected: object
    desired: object
    /

Set the value to desired if it is expected; return the value seen.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_compare_exchange_impl(atomicboolobject *self,
                                          PyObject *expected,
                                          PyObject *desired)
/*[clinic end generated code: output=d1e28952f009c730 input=5a035b119e1d5e47]*/
{
    uint8_t e, d;
    if (as_bool(expected, &e) < 0 || as_bool(desired, &d) < 0) {
        return NULL;
    }
    (void)_Py_atomic_compare_exchange_uint8(self->cell, &e, d);
    return PyBool_FromLong(e);
}

/*[clinic input]
_atomics.AtomicBool.test_and_set

Set the value to True and return the previous value.

Exactly one of several threads racing to set a False flag gets False.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_test_and_set_impl(atomicboolobject *self)
/*[clinic end generated code: output=2d9853f5c6ce2c99 input=4bd77b0810281838]*/
{
    return PyBool_FromLong(_Py_atomic_exchange_uint8(self->cell, 1));
}

/*[clinic input]
_atomics.AtomicBool.clear

Set the value to False.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_clear_impl(atomicboolobject *self)
/*[clinic end generated code: output=edd87bd56bbde405 input=f24749caf5a4a8b2]*/
{
    _Py_atomic_store_uint8(self->cell, 0);
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.AtomicBool.toggle

Invert the value and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_toggle_impl(atomicboolobject *self)
/*[clinic end generated code: output=6bf23a5ea51df19c input=4febdabc68a67dc4]*/
{
    uint8_t old = _Py_atomic_load_uint8(self->cell);
    while (!_Py_atomic_compare_exchange_uint8(self->cell, &old, !old)) {
    }
    return PyBool_FromLong(old);
}

static void
atomicbool_init_handle(PyObject *h, PyObject *owner)
{
    atomicboolobject_CAST(h)->cell = atomicboolobject_CAST(owner)->cell;
}

/*[clinic input]
_atomics.AtomicBool.handle

Return a handle to this AtomicBool for the calling thread.

The handle is a new AtomicBool that shares this one's value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_handle_impl(atomicboolobject *self)
/*[clinic end generated code: output=f461da0937dd4d4b input=df55a51e98aae2bd]*/
{
    return atomics_new_handle((PyObject *)self, atomicbool_init_handle);
}

static PyObject *
atomicbool_repr(PyObject *op)
{
    return PyUnicode_FromFormat(
        "%s(%s)", Py_TYPE(op)->tp_name,
        _Py_atomic_load_uint8(atomicboolobject_CAST(op)->cell)
            ? "True" : "False");
}

static int
atomicbool_bool(PyObject *op)
{
    return _Py_atomic_load_uint8(atomicboolobject_CAST(op)->cell);
}

static void
atomicbool_dealloc(PyObject *op)
{
    atomics_object_dealloc(op, atomicbool_dealloc, NULL);
}

static PyMethodDef atomicbool_methods[] = {
    _ATOMICS_ATOMICBOOL_GET_METHODDEF
    _ATOMICS_ATOMICBOOL_SET_METHODDEF
    _ATOMICS_ATOMICBOOL_EXCHANGE_METHODDEF
    _ATOMICS_ATOMICBOOL_COMPARE_AND_SET_METHODDEF
    _ATOMICS_ATOMICBOOL_COMPARE_EXCHANGE_METHODDEF
    _ATOMICS_ATOMICBOOL_TEST_AND_SET_METHODDEF
    _ATOMICS_ATOMICBOOL_CLEAR_METHODDEF
    _ATOMICS_ATOMICBOOL_TOGGLE_METHODDEF
    _ATOMICS_ATOMICBOOL_HANDLE_METHODDEF
    ATOMICS_REDUCE_METHODDEF
    {NULL, NULL}
};

static PyMemberDef atomicbool_members[] = {
    ATOMICS_WEAKLIST_MEMBER,
    {NULL},
};

static PyType_Slot atomicbool_slots[] = {
    {Py_tp_new, atomicbool_new},
    {Py_tp_init, atomicbool_init},
    {Py_tp_doc, (void *)atomicbool_init__doc__},
    {Py_tp_repr, atomicbool_repr},
    {Py_tp_traverse, atomics_object_traverse},
    {Py_tp_dealloc, atomicbool_dealloc},
    {Py_tp_methods, atomicbool_methods},
    {Py_tp_members, atomicbool_members},
    {Py_nb_bool, atomicbool_bool},
    {0, NULL},
};

PyType_Spec atomics_bool_spec = {
    .name = "atomics.AtomicBool",
    .basicsize = sizeof(atomicboolobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE),
    .slots = atomicbool_slots,
};

