/* atomics.AtomicInt: a 64-bit signed integer that threads update
   atomically.

   The value is one int64_t updated with the atomic operations of
   Include/cpython/pyatomic.h; every operation is sequentially consistent.
   Arithmetic that would leave the int64 range fails with OverflowError
   before anything is stored: small additions far from the limits are
   single atomic adds (see "Fast adds"), other updates that can overflow
   are compare-and-swap loops. */

#include "module.h"

// The value is kept a cache line away from the object header and the cell
// pointer: threads that update the value would otherwise also steal the
// line holding the pointer every thread reads first (and the reference
// count that loading the object from a shared place writes).
#define VALUE_PADDING ATOMICS_CACHE_LINE

typedef struct {
    atomics_object base;
    int64_t *cell;          // &value, or the owner's cell for a handle
    int *adds;              // &adds_state, or the owner's (see "Fast adds")
    int adds_state;
    char _pad[VALUE_PADDING];
    int64_t value;
    char _pad_after[VALUE_PADDING - sizeof(int64_t)];   // from what follows
} atomicintobject;

#define atomicintobject_CAST(op) ((atomicintobject *)(op))

/*[clinic input]
module _atomics
class _atomics.AtomicInt "atomicintobject *" "clinic_state()->atomicint_type"
[clinic start generated code]*/
/*[clinic end generated code: output=da39a3ee5e6b4b0d input=2f60e3ad9406db5d]*/

#include "clinic/atomicint.c.h"

static inline int64_t
int_load(atomicintobject *self)
{
    return _Py_atomic_load_int64(self->cell);
}

/* Fast adds.  An addition that cannot overflow needs no compare-and-swap
   loop: one atomic add (x86's "lock xadd") does it, and when threads
   contend it takes the value's cache line once instead of up to twice.
   Whether it cannot overflow must be known before adding, without reading
   the value (a read would cost the transfer we want to save).  So each
   object has a state, *adds:

   - ADDS_FRESH: no fast add has ever started on the object.  A new object
     is fresh until its first __init__ or its first addition; a fresh
     object leaves the state by a compare-and-swap, to ADDS_FAST if its
     value lies in the safe band (-2**62, 2**62), to ADDS_CLOSED before a
     value outside the band is stored.  Neither needs to wait for anyone.
   - ADDS_FAST: every value stored other than by a fast add lies in the
     safe band.  A fast add adds at most FAST_ADD_MAX in magnitude; a
     thread whose fast add ends outside the band moves the state to
     ADDS_CLOSING, and a thread makes at most one fast add after another's
     has left the band (its own add then leaves it too, and the
     compare-and-swap on the state that follows makes it see the new
     state).  The value therefore stays within 2**62 + (number of
     threads) * 2**31 of zero: far from the int64 limits.
   - To store a value outside the band into an object that may have fast
     adds in flight, a thread closes fast adds for good
     (close_fast_adds()): it moves the state to ADDS_CLOSING, then waits
     until every other thread has passed a quiescent state
     (_PyAtomic_Synchronize()).  A thread passes none between its load of
     the state and its atomic add (both are inside one C call), so once
     every thread has passed one, no fast add that saw ADDS_FAST is still
     in flight, and every later load of the state sees ADDS_CLOSING (the
     quiescent state is ordered after the store through the QSBR
     sequence).  The state is then ADDS_CLOSED.  From then on every
     addition is a compare-and-swap loop with an exact overflow check.

   Closing costs one grace period (the time it takes every thread running
   Python code to reach its next bytecode boundary) once in the life of an
   object, and only if a value of magnitude 2**62 or more is stored after
   fast adds were possible.  Nobody stops the world and no lock is held
   while waiting: the waiting thread detaches between polls.  The state is
   read with a relaxed load of a cache line that only changes when
   closing: each thread keeps its own copy. */

#define ADDS_FAST    0
#define ADDS_CLOSING 1
#define ADDS_CLOSED  2
#define ADDS_FRESH   3

#define SAFE_BAND    ((int64_t)1 << 62)
#define FAST_ADD_MAX ((int64_t)1 << 31)

static inline int
in_safe_band(int64_t v)
{
    return -SAFE_BAND < v && v < SAFE_BAND;
}

static void
close_fast_adds(atomicintobject *self)
{
    int state = _Py_atomic_load_int(self->adds);
    while (state == ADDS_FRESH) {
        if (_Py_atomic_compare_exchange_int(self->adds, &state, ADDS_CLOSED)) {
            return;
        }
    }
    if (state == ADDS_CLOSED) {
        return;
    }
    _Py_atomic_store_int(self->adds, ADDS_CLOSING);
    _PyAtomic_Synchronize();
    _Py_atomic_store_int(self->adds, ADDS_CLOSED);
}

// A fresh object whose value lies in the safe band may take fast adds.
static void
open_fast_adds(atomicintobject *self)
{
    int state = ADDS_FRESH;
    if (_Py_atomic_load_int_relaxed(self->adds) == ADDS_FRESH
        && in_safe_band(_Py_atomic_load_int64(self->cell)))
    {
        // Fails if a store outside the band closed it meanwhile.
        (void)_Py_atomic_compare_exchange_int(self->adds, &state, ADDS_FAST);
    }
}

// Every store of a value, other than by a fast add, goes through here.
static inline void
before_store(atomicintobject *self, int64_t value)
{
    if (!in_safe_band(value)) {
        close_fast_adds(self);
    }
}

// Compare-and-swap loop for operations that compute the new value from the
// old one and may fail (overflow).  op returns 0 and sets *new, or -1
// with an exception set.
typedef int (*int_updater)(int64_t old, int64_t arg, int64_t *new);

static int
int_update(atomicintobject *self, int_updater op, int64_t arg,
           int64_t *old_out, int64_t *new_out)
{
    // Sequentially consistent even when op fails (OverflowError).
    // An atomic add of zero rather than a load: it takes the cache line
    // exclusive for the compare-and-swap that follows.
    int64_t old = _Py_atomic_add_int64(self->cell, 0);
    int64_t new;
    for (;;) {
        if (op(old, arg, &new) < 0) {
            return -1;
        }
        if (!in_safe_band(new)
            && _Py_atomic_load_int(self->adds) != ADDS_CLOSED)
        {
            close_fast_adds(self);
            old = _Py_atomic_load_int64(self->cell);
            continue;
        }
        if (_Py_atomic_compare_exchange_int64(self->cell, &old, new)) {
            break;
        }
    }
    if (old_out) {
        *old_out = old;
    }
    if (new_out) {
        *new_out = new;
    }
    return 0;
}

static int
upd_add(int64_t old, int64_t arg, int64_t *new)
{
    if (atomics_add_overflows(old, arg, new)) {
        atomics_overflow_error();
        return -1;
    }
    return 0;
}

static int
upd_or(int64_t old, int64_t arg, int64_t *new)
{
    *new = old | arg;
    return 0;
}

static int
upd_and(int64_t old, int64_t arg, int64_t *new)
{
    *new = old & arg;
    return 0;
}

static int
upd_xor(int64_t old, int64_t arg, int64_t *new)
{
    *new = old ^ arg;
    return 0;
}

static int
upd_max(int64_t old, int64_t arg, int64_t *new)
{
    *new = old > arg ? old : arg;
    return 0;
}

static int
upd_min(int64_t old, int64_t arg, int64_t *new)
{
    *new = old < arg ? old : arg;
    return 0;
}

static PyObject *
int_op(atomicintobject *self, int_updater op, PyObject *arg, int return_new)
{
    int64_t x, old, new;
    if (atomics_as_int64(arg, &x) < 0) {
        return NULL;
    }
    if (int_update(self, op, x, &old, &new) < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(return_new ? new : old);
}

// Add delta: a fast add when it may be one, else a compare-and-swap loop.
// Returns 0 and the old value, or -1 with OverflowError set (value
// unchanged).
static inline int
fast_add(int64_t *cell, int *adds, int64_t delta, int64_t *old_out)
{
    if (-FAST_ADD_MAX <= delta && delta <= FAST_ADD_MAX
        && _Py_atomic_load_int_relaxed(adds) == ADDS_FAST)
    {
        int64_t old = _Py_atomic_add_int64(cell, delta);
        if (!in_safe_band(old + delta)) {
            int expected = ADDS_FAST;
            (void)_Py_atomic_compare_exchange_int(adds, &expected,
                                                  ADDS_CLOSING);
        }
        *old_out = old;
        return 1;
    }
    return 0;
}

static inline int
int_add_delta(atomicintobject *self, int64_t delta, int64_t *old_out)
{
    // Not a handle: use the object's own fields by address, so that the
    // atomic operations do not wait for the loads of self->cell and
    // self->adds.
    if (self->base.owner == NULL) {
        if (fast_add(&self->value, &self->adds_state, delta, old_out)) {
            return 0;
        }
    }
    else if (fast_add(self->cell, self->adds, delta, old_out)) {
        return 0;
    }
    if (int_update(self, upd_add, delta, old_out, NULL) < 0) {
        return -1;
    }
    open_fast_adds(self);
    return 0;
}

// add_and_get() and get_and_add().
static PyObject *
int_add(atomicintobject *self, PyObject *delta, int return_new)
{
    int64_t x, old;
    if (atomics_as_int64(delta, &x) < 0
        || int_add_delta(self, x, &old) < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(return_new ? old + x : old);
}

static PyObject *
atomicint_new(PyTypeObject *type, PyObject *Py_UNUSED(args),
              PyObject *Py_UNUSED(kwargs))
{
    // The value is set by __init__, so that subclasses may define an
    // __init__ with other arguments.
    atomicintobject *self = (atomicintobject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->cell = &self->value;
    self->adds = &self->adds_state;
    self->adds_state = ADDS_FRESH;
    return (PyObject *)self;
}

/*[clinic input]
_atomics.AtomicInt.__init__ as atomicint_init

    value: object(c_default="NULL") = 0

A 64-bit signed integer that threads update atomically.
[clinic start generated code]*/

static int
atomicint_init_impl(atomicintobject *self, PyObject *value)
/*[clinic end generated code: output=3bb4ed327eb180bf input=3aac3a9a389abebd]*/
{
    int64_t v = 0;
    if (value != NULL && atomics_as_int64(value, &v) < 0) {
        return -1;
    }
    before_store(self, v);
    _Py_atomic_store_int64(self->cell, v);
    open_fast_adds(self);
    return 0;
}

/*[clinic input]
_atomics.AtomicInt.get

Return the current value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_impl(atomicintobject *self)
/*[clinic end generated code: output=bbe091be2c7ecb4f input=8cd14a15c0c89646]*/
{
    return PyLong_FromLongLong(int_load(self));
}

/*[clinic input]
_atomics.AtomicInt.set

    value: object
    /

Set the value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_set(atomicintobject *self, PyObject *value)
/*[clinic end generated code: output=4f036401ad2a68e2 input=c467c7b4e888fc5d]*/
{
    int64_t v;
    if (atomics_as_int64(value, &v) < 0) {
        return NULL;
    }
    before_store(self, v);
    _Py_atomic_store_int64(self->cell, v);
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.AtomicInt.exchange

    value: object
    /

Set the value and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_exchange(atomicintobject *self, PyObject *value)
/*[clinic end generated code: output=6e4e621614fb729d input=f2ce9c400dc3b1c8]*/
{
    int64_t v;
    if (atomics_as_int64(value, &v) < 0) {
        return NULL;
    }
    before_store(self, v);
    return PyLong_FromLongLong(_Py_atomic_exchange_int64(self->cell, v));
}

/*[clinic input]
_atomics.AtomicInt.compare_and_set

    expected: object
    desired: object
    /

Set the value to desired if it equals expected; return True if so.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_compare_and_set_impl(atomicintobject *self,
                                        PyObject *expected,
                                        PyObject *desired)
/*[clinic end generated code: output=e83e3cd7f2e69952 input=9c37033fba4dfcfe]*/
{
    int64_t e, d;
    if (atomics_as_int64(expected, &e) < 0
        || atomics_as_int64(desired, &d) < 0) {
        return NULL;
    }
    before_store(self, d);
    int r = _Py_atomic_compare_exchange_int64(self->cell, &e, d);
    return PyBool_FromLong(r);
}

/*[clinic input]
_atomics.AtomicInt.compare_exchange

    expected: object
    desired: object
    /

Set it to desired if it equals expected; return the value seen.

The result equals expected if the value was replaced.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_compare_exchange_impl(atomicintobject *self,
                                         PyObject *expected,
                                         PyObject *desired)
/*[clinic end generated code: output=efa6275a85a7cbc5 input=98172d5b31067b2a]*/
{
    int64_t e, d;
    if (atomics_as_int64(expected, &e) < 0
        || atomics_as_int64(desired, &d) < 0) {
        return NULL;
    }
    before_store(self, d);
    (void)_Py_atomic_compare_exchange_int64(self->cell, &e, d);
    return PyLong_FromLongLong(e);
}

/*[clinic input]
_atomics.AtomicInt.increment

Add 1.

Like AtomicCounter.increment(), this returns None; use add_and_get(1)
or get_and_add(1) for the value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_increment_impl(atomicintobject *self)
/*[clinic end generated code: output=3cafc10023da365e input=b77662763f29b514]*/
{
    int64_t old;
    if (int_add_delta(self, 1, &old) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.AtomicInt.decrement

Subtract 1.

Returns None; use add_and_get(-1) or get_and_add(-1) for the value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_decrement_impl(atomicintobject *self)
/*[clinic end generated code: output=753581d198ea2384 input=f7b413127535da2c]*/
{
    int64_t old;
    if (int_add_delta(self, -1, &old) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.AtomicInt.add_and_get

    delta: object
    /

Add delta and return the new value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_add_and_get(atomicintobject *self, PyObject *delta)
/*[clinic end generated code: output=6425c0d59de5e5bf input=48bfe1bb237ac984]*/
{
    return int_add(self, delta, 1);
}

/*[clinic input]
_atomics.AtomicInt.get_and_add

    delta: object
    /

Add delta and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_add(atomicintobject *self, PyObject *delta)
/*[clinic end generated code: output=8b28aca2499c78e9 input=1192319922d17266]*/
{
    return int_add(self, delta, 0);
}

/*[clinic input]
_atomics.AtomicInt.get_and_or

    mask: object
    /

Set the value to value | mask and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_or(atomicintobject *self, PyObject *mask)
/*[clinic end generated code: output=45a72b5cc1d7296c input=65814114816857c6]*/
{
    return int_op(self, upd_or, mask, 0);
}

/*[clinic input]
_atomics.AtomicInt.get_and_and

    mask: object
    /

Set the value to value & mask and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_and(atomicintobject *self, PyObject *mask)
/*[clinic end generated code: output=ab3bdb76cbdfd25a input=1d273ce013520c3f]*/
{
    return int_op(self, upd_and, mask, 0);
}

/*[clinic input]
_atomics.AtomicInt.get_and_xor

    mask: object
    /

Set the value to value ^ mask and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_xor(atomicintobject *self, PyObject *mask)
/*[clinic end generated code: output=b8916764a1ee4cbd input=7b283c9f2d6a8cb4]*/
{
    return int_op(self, upd_xor, mask, 0);
}

/*[clinic input]
_atomics.AtomicInt.get_and_max

    other: object
    /

Set the value to max(value, other) and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_max(atomicintobject *self, PyObject *other)
/*[clinic end generated code: output=fe05c18a3accab51 input=cd6a2ec091acc6a4]*/
{
    return int_op(self, upd_max, other, 0);
}

/*[clinic input]
_atomics.AtomicInt.get_and_min

    other: object
    /

Set the value to min(value, other) and return the previous value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_min(atomicintobject *self, PyObject *other)
/*[clinic end generated code: output=d4b1b55ece2d366b input=62c230616e9c1fb6]*/
{
    return int_op(self, upd_min, other, 0);
}

// Functional update: func(old[, x]) computes the new value; retried while
// other threads change the value.
static PyObject *
int_functional(atomicintobject *self, PyObject *func, PyObject *x,
               int return_new)
{
    int64_t old = int_load(self);
    for (;;) {
        PyObject *cur = PyLong_FromLongLong(old);
        if (cur == NULL) {
            return NULL;
        }
        PyObject *args[2] = {cur, x};
        PyObject *res = PyObject_Vectorcall(func, args, x ? 2 : 1, NULL);
        Py_DECREF(cur);
        if (res == NULL) {
            return NULL;
        }
        int64_t new;
        int r = atomics_as_int64(res, &new);
        Py_DECREF(res);
        if (r < 0) {
            return NULL;
        }
        before_store(self, new);
        if (_Py_atomic_compare_exchange_int64(self->cell, &old, new)) {
            // The stored int, not what func returned (which may be any
            // object with __index__).
            return PyLong_FromLongLong(return_new ? new : old);
        }
    }
}

/*[clinic input]
_atomics.AtomicInt.get_and_update

    func: object
    /

Set the value v to func(v) atomically; return the previous value.

func may be called more than once when other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_update(atomicintobject *self, PyObject *func)
/*[clinic end generated code: output=839a5259e10945f9 input=b3a2643c092afc43]*/
{
    return int_functional(self, func, NULL, 0);
}

/*[clinic input]
_atomics.AtomicInt.update_and_get

    func: object
    /

Set the value v to func(v) atomically; return the new value.

func may be called more than once when other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_update_and_get(atomicintobject *self, PyObject *func)
/*[clinic end generated code: output=4e0682aedf32bad4 input=a66c8228a9c973c1]*/
{
    return int_functional(self, func, NULL, 1);
}

/*[clinic input]
_atomics.AtomicInt.get_and_accumulate

    x: object
    func: object
    /

Set the value v to func(v, x) atomically; return the previous value.

func may be called more than once when other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_get_and_accumulate_impl(atomicintobject *self,
                                           PyObject *x, PyObject *func)
/*[clinic end generated code: output=604054d9dad99083 input=479845838fc0f6ce]*/
{
    return int_functional(self, func, x, 0);
}

/*[clinic input]
_atomics.AtomicInt.accumulate_and_get

    x: object
    func: object
    /

Set the value v to func(v, x) atomically; return the new value.

func may be called more than once when other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_accumulate_and_get_impl(atomicintobject *self,
                                           PyObject *x, PyObject *func)
/*[clinic end generated code: output=dd9b38bf626b21cf input=a9d1b0971c35d534]*/
{
    return int_functional(self, func, x, 1);
}

static void
atomicint_init_handle(PyObject *h, PyObject *owner)
{
    atomicintobject_CAST(h)->cell = atomicintobject_CAST(owner)->cell;
    atomicintobject_CAST(h)->adds = atomicintobject_CAST(owner)->adds;
}

/*[clinic input]
_atomics.AtomicInt.handle

Return a handle to this AtomicInt for the calling thread.

The handle is a new AtomicInt that shares this one's value.  Use one
handle per thread to avoid contention on the shared object's reference
count on the free-threaded build.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_handle_impl(atomicintobject *self)
/*[clinic end generated code: output=ad0a2a99940888d6 input=75c801baf2e0eb1c]*/
{
    return atomics_new_handle((PyObject *)self, atomicint_init_handle);
}

static PyObject *
atomicint_repr(PyObject *op)
{
    return PyUnicode_FromFormat("%s(%lld)", Py_TYPE(op)->tp_name,
                                (long long)int_load(atomicintobject_CAST(op)));
}

static PyObject *
atomicint_int(PyObject *op)
{
    return PyLong_FromLongLong(int_load(atomicintobject_CAST(op)));
}

static int
atomicint_bool(PyObject *op)
{
    return int_load(atomicintobject_CAST(op)) != 0;
}

static PyObject *
atomicint_richcompare(PyObject *self, PyObject *other, int op)
{
    atomics_state *st = atomics_find_state(Py_TYPE(self));
    PyObject *a = atomicint_int(self);
    if (a == NULL) {
        return NULL;
    }
    // As the int it holds, with anything an int compares with (5 == 5.0,
    // 5 < Fraction(11, 2)); another AtomicInt by its value.
    PyObject *b = PyObject_TypeCheck(other, st->atomicint_type)
                  ? atomicint_int(other) : Py_NewRef(other);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    PyObject *res = PyObject_RichCompare(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return res;
}

// In-place operators act atomically on the value and return self, so that
// "x += 1" on an AtomicInt is one atomic update.
static PyObject *
inplace(PyObject *self, PyObject *other, int_updater op)
{
    if (!PyLong_Check(other)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    int64_t x;
    if (atomics_as_int64(other, &x) < 0) {
        return NULL;
    }
    if (int_update(atomicintobject_CAST(self), op, x, NULL, NULL) < 0) {
        return NULL;
    }
    return Py_NewRef(self);
}

static int
upd_sub(int64_t old, int64_t arg, int64_t *new)
{
    if (arg == INT64_MIN) {
        if (old >= 0) {
            atomics_overflow_error();
            return -1;
        }
        *new = old - arg;
        return 0;
    }
    return upd_add(old, -arg, new);
}

static PyObject *
atomicint_iadd(PyObject *self, PyObject *other)
{
    if (!PyLong_Check(other)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    int64_t x, old;
    if (atomics_as_int64(other, &x) < 0
        || int_add_delta(atomicintobject_CAST(self), x, &old) < 0)
    {
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *
atomicint_isub(PyObject *self, PyObject *other)
{
    return inplace(self, other, upd_sub);
}

static PyObject *
atomicint_ior(PyObject *self, PyObject *other)
{
    return inplace(self, other, upd_or);
}

static PyObject *
atomicint_iand(PyObject *self, PyObject *other)
{
    return inplace(self, other, upd_and);
}

static PyObject *
atomicint_ixor(PyObject *self, PyObject *other)
{
    return inplace(self, other, upd_xor);
}

/*[clinic input]
_atomics.AtomicInt.__format__

    format_spec: unicode
    /

Format the value as the int it is.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt___format___impl(atomicintobject *self,
                                   PyObject *format_spec)
/*[clinic end generated code: output=869f9a64e17f8bf0 input=3609038389acce43]*/
{
    PyObject *value = atomicint_int((PyObject *)self);
    if (value == NULL) {
        return NULL;
    }
    PyObject *res = PyObject_Format(value, format_spec);
    Py_DECREF(value);
    return res;
}

static void
atomicint_dealloc(PyObject *op)
{
    atomics_object_dealloc(op, atomicint_dealloc, NULL);
}

static PyMethodDef atomicint_methods[] = {
    _ATOMICS_ATOMICINT_GET_METHODDEF
    _ATOMICS_ATOMICINT_SET_METHODDEF
    _ATOMICS_ATOMICINT_EXCHANGE_METHODDEF
    _ATOMICS_ATOMICINT_COMPARE_AND_SET_METHODDEF
    _ATOMICS_ATOMICINT_COMPARE_EXCHANGE_METHODDEF
    _ATOMICS_ATOMICINT_INCREMENT_METHODDEF
    _ATOMICS_ATOMICINT_DECREMENT_METHODDEF
    _ATOMICS_ATOMICINT_ADD_AND_GET_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_ADD_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_OR_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_AND_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_XOR_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_MAX_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_MIN_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_UPDATE_METHODDEF
    _ATOMICS_ATOMICINT_UPDATE_AND_GET_METHODDEF
    _ATOMICS_ATOMICINT_GET_AND_ACCUMULATE_METHODDEF
    _ATOMICS_ATOMICINT_ACCUMULATE_AND_GET_METHODDEF
    _ATOMICS_ATOMICINT_HANDLE_METHODDEF
    _ATOMICS_ATOMICINT___FORMAT___METHODDEF
    ATOMICS_REDUCE_METHODDEF
    ATOMICS_CLASS_GETITEM_METHODDEF
    {NULL, NULL}
};

static PyMemberDef atomicint_members[] = {
    ATOMICS_WEAKLIST_MEMBER,
    {NULL},
};

static PyType_Slot atomicint_slots[] = {
    {Py_tp_new, atomicint_new},
    {Py_tp_init, atomicint_init},
    {Py_tp_doc, (void *)atomicint_init__doc__},
    {Py_tp_repr, atomicint_repr},
    {Py_tp_richcompare, atomicint_richcompare},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_traverse, atomics_object_traverse},
    {Py_tp_dealloc, atomicint_dealloc},
    {Py_tp_methods, atomicint_methods},
    {Py_tp_members, atomicint_members},
    {Py_nb_int, atomicint_int},
    {Py_nb_index, atomicint_int},
    {Py_nb_bool, atomicint_bool},
    {Py_nb_inplace_add, atomicint_iadd},
    {Py_nb_inplace_subtract, atomicint_isub},
    {Py_nb_inplace_or, atomicint_ior},
    {Py_nb_inplace_and, atomicint_iand},
    {Py_nb_inplace_xor, atomicint_ixor},
    {0, NULL},
};

PyType_Spec atomics_int_spec = {
    .name = "atomics.AtomicInt",
    .basicsize = sizeof(atomicintobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE),
    .slots = atomicint_slots,
};

