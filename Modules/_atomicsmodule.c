/* _atomics: the C implementation of the atomics module.

   AtomicInt and AtomicBool are cells of one 64-bit (or 8-bit) integer
   updated with the atomic operations of Include/cpython/pyatomic.h; every
   operation is sequentially consistent.  Arithmetic that would leave the
   int64 range fails with OverflowError before anything is stored: small
   additions far from the limits are single atomic adds (see "Fast adds"),
   other updates that can overflow are compare-and-swap loops.

   AtomicCounter is a striped counter (Java's LongAdder): one cell per
   stripe, 128 bytes apart; each thread adds to the stripe it was assigned
   on first use, so threads do not contend on one cache line.  sum() adds
   the stripes up.

   On the free-threaded build, a Python thread that uses an object loaded
   from a shared place increments that object's shared reference count,
   so threads using one shared atomic contend on its reference count even
   when the atomic operation itself is cheap.  handle() returns a new
   object of the same type that shares the value (it points at the
   owner's storage and keeps the owner alive); created by the thread that
   uses it, its reference count is thread-local.

   AtomicRef is PyAtomicRef_Type from Objects/atomicrefobject.c.

   This module's own code uses the public C API (heap types, module state,
   multi-phase init), with three exceptions: the atomic operations on
   plain integers are the underscore-prefixed functions of
   Include/cpython/pyatomic.h; AtomicInt's fast additions (see "Fast adds")
   need, once in an object's life, to wait until no other thread is inside
   one, which _PyAtomic_QuiesceOtherThreads() does with a stop-the-world
   pause; and the argument parsers that Argument Clinic generates call
   private _PyArg_* helpers, hence Py_BUILD_CORE_MODULE below. */

#ifndef Py_BUILD_CORE_BUILTIN
#  define Py_BUILD_CORE_MODULE 1
#endif

#include "Python.h"
#include <stdbool.h>
#include <stddef.h>               // offsetof()

#if defined(_MSC_VER)
#  define ATOMICS_THREAD_LOCAL __declspec(thread)
#else
#  define ATOMICS_THREAD_LOCAL _Thread_local
#endif

typedef struct {
    PyTypeObject *atomicint_type;
    PyTypeObject *atomicbool_type;
    PyTypeObject *atomiccounter_type;
} atomics_state;

static inline atomics_state *
get_atomics_state(PyObject *module)
{
    void *state = PyModule_GetState(module);
    assert(state != NULL);
    return (atomics_state *)state;
}

static struct PyModuleDef atomicsmodule;

static inline atomics_state *
find_state_by_type(PyTypeObject *tp)
{
    PyObject *mod = PyType_GetModuleByDef(tp, &atomicsmodule);
    assert(mod != NULL);
    return get_atomics_state(mod);
}

/*[clinic input]
module _atomics
class _atomics.AtomicInt "atomicintobject *" "clinic_state()->atomicint_type"
class _atomics.AtomicBool "atomicboolobject *" "clinic_state()->atomicbool_type"
class _atomics.AtomicCounter "atomiccounterobject *" "clinic_state()->atomiccounter_type"
[clinic start generated code]*/
/*[clinic end generated code: output=da39a3ee5e6b4b0d input=261d77cdffc14356]*/


/* --- Object layouts ----------------------------------------------------- */

// The value is kept a cache line away from the object header and the cell
// pointer: threads that update the value would otherwise also steal the
// line holding the pointer every thread reads first (and the reference
// count that loading the object from a shared place writes).
#define VALUE_PADDING 64

typedef struct {
    PyObject_HEAD
    int64_t *cell;          // &value, or the owner's cell for a handle
    int *adds;              // &adds_state, or the owner's (see "Fast adds")
    PyObject *owner;        // NULL, or the AtomicInt this is a handle of
    PyObject *weakreflist;
    int adds_state;
    char _pad[VALUE_PADDING];
    int64_t value;
    char _pad_after[VALUE_PADDING - sizeof(int64_t)];   // from what follows
} atomicintobject;

#define atomicintobject_CAST(op) ((atomicintobject *)(op))

typedef struct {
    PyObject_HEAD
    uint8_t *cell;          // &value, or the owner's cell for a handle
    PyObject *owner;
    PyObject *weakreflist;
    char _pad[VALUE_PADDING];
    uint8_t value;
} atomicboolobject;

#define atomicboolobject_CAST(op) ((atomicboolobject *)(op))

#define COUNTER_CACHE_LINE 128   // two lines: adjacent-line prefetch
#define COUNTER_MAX_STRIPES 256

typedef struct {
    int64_t value;
    char pad[COUNTER_CACHE_LINE - sizeof(int64_t)];
} counter_stripe;

typedef struct {
    PyObject_HEAD
    PyObject *weakreflist;
    Py_ssize_t nstripes;        // a power of two
    counter_stripe *stripes;    // cache-line aligned
    void *stripes_mem;          // what PyMem_Malloc returned (NULL: handle)
    PyObject *owner;            // NULL, or the counter this is a handle of
} atomiccounterobject;

#define atomiccounterobject_CAST(op) ((atomiccounterobject *)(op))

#define clinic_state() (find_state_by_type(type))
#include "clinic/_atomicsmodule.c.h"
#undef clinic_state


/* --- Shared helpers ------------------------------------------------------ */

// Convert an int-like object (anything with __index__) to int64_t.
// OverflowError if it does not fit.
static int
as_int64(PyObject *obj, int64_t *out)
{
    long long v = PyLong_AsLongLong(obj);
    if (v == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_SetString(PyExc_OverflowError,
                            "value out of range of a 64-bit signed integer");
        }
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

static PyObject *
refuse_reduce(PyObject *self, const char *getter)
{
    PyErr_Format(PyExc_TypeError,
                 "cannot pickle or copy '%.100s' object: it is shared "
                 "state; pickle or copy its %s value and make a new one",
                 Py_TYPE(self)->tp_name, getter);
    return NULL;
}

static inline int
add_overflows(int64_t a, int64_t b, int64_t *res)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_add_overflow(a, b, res);
#else
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
        return 1;
    }
    *res = a + b;
    return 0;
#endif
}

static PyObject *
overflow_error(void)
{
    PyErr_SetString(PyExc_OverflowError,
                    "result out of range of a 64-bit signed integer; "
                    "the value was left unchanged");
    return NULL;
}

// Add delta to *cell with a compare-and-swap loop; never wraps.  Returns
// 0 and the old value, or -1 with OverflowError set (value unchanged).
static inline int
cell_add(int64_t *cell, int64_t delta, int64_t *old_out)
{
    // Read with an atomic add of zero rather than a load: it takes the
    // cache line exclusive, so the compare-and-swap that follows usually
    // succeeds without a second transfer of the line when threads contend.
    // Sequentially consistent even when the update fails.
    int64_t old = _Py_atomic_add_int64(cell, 0), new;
    for (;;) {
        if (add_overflows(old, delta, &new)) {
            overflow_error();
            return -1;
        }
        if (_Py_atomic_compare_exchange_int64(cell, &old, new)) {
            *old_out = old;
            return 0;
        }
    }
}


/* --- AtomicInt ----------------------------------------------------------- */

static inline int64_t
int_load(atomicintobject *self)
{
    return _Py_atomic_load_int64(self->cell);
}

/* Fast adds.  An addition that cannot overflow needs no compare-and-swap
   loop: one atomic add (x86's "lock xadd") does it, and when threads
   contend it takes the value's cache line once instead of up to twice.
   Whether it cannot overflow must be known before adding, without reading
   the value (a read would cost the transfer we want to save).  So:

   - While the object is in state ADDS_FAST, every value stored other than
     by a fast add lies in the safe band (-2**62, 2**62).  A fast add adds
     at most FAST_ADD_MAX in magnitude; a thread whose fast add ends
     outside the band moves the state to ADDS_CLOSING, and a thread makes
     at most one fast add after another's has left the band (its own add
     then leaves it too, and the compare-and-swap on the state that
     follows makes it see the new state).  The value therefore stays
     within 2**62 + (number of threads) * 2**31 of zero: far from the
     int64 limits.
   - To store a value outside the band, a thread first closes fast adds
     for good (close_fast_adds()): it moves the state to ADDS_CLOSING,
     then stops and restarts the world, which waits until every other
     thread of the interpreter is between two bytecodes and so not inside
     a fast add; only then is the state ADDS_CLOSED.  From then on every
     addition is a compare-and-swap loop with an exact overflow check.

   Closing costs one stop-the-world pause (as short as a garbage
   collection's) once in the life of an object, and only if it ever holds
   a value of magnitude 2**62 or more.  The state is read with a relaxed
   load of a cache line that only changes when closing: each thread keeps
   its own copy. */

#define ADDS_FAST    0
#define ADDS_CLOSING 1
#define ADDS_CLOSED  2

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
    if (_Py_atomic_load_int(self->adds) == ADDS_CLOSED) {
        return;
    }
    _Py_atomic_store_int(self->adds, ADDS_CLOSING);
    // Without the GIL, another thread may be between its load of the
    // state and its atomic add; once the world has stopped, none is.
    _PyAtomic_QuiesceOtherThreads();
    _Py_atomic_store_int(self->adds, ADDS_CLOSED);
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
    int64_t old = _Py_atomic_add_int64(self->cell, 0);   // see cell_add()
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
    if (add_overflows(old, arg, new)) {
        overflow_error();
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
    if (as_int64(arg, &x) < 0) {
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
    if (self->owner == NULL) {
        if (fast_add(&self->value, &self->adds_state, delta, old_out)) {
            return 0;
        }
    }
    else if (fast_add(self->cell, self->adds, delta, old_out)) {
        return 0;
    }
    return int_update(self, upd_add, delta, old_out, NULL);
}

// add_and_get() and get_and_add().
static PyObject *
int_add(atomicintobject *self, PyObject *delta, int return_new)
{
    int64_t x, old;
    if (as_int64(delta, &x) < 0 || int_add_delta(self, x, &old) < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(return_new ? old + x : old);
}

static PyObject *
atomicint_alloc(PyTypeObject *type, int64_t value)
{
    atomicintobject *self = (atomicintobject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->value = value;
    self->cell = &self->value;
    self->adds = &self->adds_state;
    self->adds_state = in_safe_band(value) ? ADDS_FAST : ADDS_CLOSED;
    return (PyObject *)self;
}


static PyObject *
atomicint_new(PyTypeObject *type, PyObject *Py_UNUSED(args),
              PyObject *Py_UNUSED(kwargs))
{
    // The value is set by __init__, so that subclasses may define an
    // __init__ with other arguments.
    return atomicint_alloc(type, 0);
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
    if (value != NULL && as_int64(value, &v) < 0) {
        return -1;
    }
    before_store(self, v);
    _Py_atomic_store_int64(self->cell, v);
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
    if (as_int64(value, &v) < 0) {
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
    if (as_int64(value, &v) < 0) {
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

Set the value to desired if it equals expected; return True if it did.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_compare_and_set_impl(atomicintobject *self,
                                        PyObject *expected,
                                        PyObject *desired)
/*[clinic end generated code: output=e83e3cd7f2e69952 input=62da589c76d23938]*/
{
    int64_t e, d;
    if (as_int64(expected, &e) < 0 || as_int64(desired, &d) < 0) {
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

Set the value to desired if it equals expected; return the value seen.

The result equals expected if the value was replaced.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt_compare_exchange_impl(atomicintobject *self,
                                         PyObject *expected,
                                         PyObject *desired)
/*[clinic end generated code: output=efa6275a85a7cbc5 input=949d313a555a8464]*/
{
    int64_t e, d;
    if (as_int64(expected, &e) < 0 || as_int64(desired, &d) < 0) {
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
        int r = as_int64(res, &new);
        if (r < 0) {
            Py_DECREF(res);
            return NULL;
        }
        before_store(self, new);
        if (_Py_atomic_compare_exchange_int64(self->cell, &old, new)) {
            if (return_new) {
                return res;
            }
            Py_DECREF(res);
            return PyLong_FromLongLong(old);
        }
        Py_DECREF(res);
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
    PyObject *root = self->owner ? self->owner : (PyObject *)self;
    PyTypeObject *type = Py_TYPE(root);
    atomicintobject *h = (atomicintobject *)type->tp_alloc(type, 0);
    if (h == NULL) {
        return NULL;
    }
    h->owner = Py_NewRef(root);
    h->cell = atomicintobject_CAST(root)->cell;
    h->adds = atomicintobject_CAST(root)->adds;
    return (PyObject *)h;
}

/*[clinic input]
_atomics.AtomicInt.__reduce__

Refuse pickling and copying.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicInt___reduce___impl(atomicintobject *self)
/*[clinic end generated code: output=417c8f35cab824bc input=9cf8a1c451bb5358]*/
{
    return refuse_reduce((PyObject *)self, "get()");
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
    atomics_state *st = find_state_by_type(Py_TYPE(self));
    PyObject *a = atomicint_int(self);
    if (a == NULL) {
        return NULL;
    }
    PyObject *b;
    if (PyObject_TypeCheck(other, st->atomicint_type)) {
        b = atomicint_int(other);
    }
    else if (PyLong_Check(other)) {
        b = Py_NewRef(other);
    }
    else {
        Py_DECREF(a);
        Py_RETURN_NOTIMPLEMENTED;
    }
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
    if (as_int64(other, &x) < 0) {
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
            overflow_error();
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
    if (as_int64(other, &x) < 0
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

static int
atomicint_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(atomicintobject_CAST(op)->owner);
    return 0;
}

static int
atomicint_clear(PyObject *op)
{
    // A handle keeps its owner alive until it dies (cell points into it).
    return 0;
}

static void
atomicint_dealloc(PyObject *op)
{
    atomicintobject *self = atomicintobject_CAST(op);
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    Py_CLEAR(self->owner);
    tp->tp_free(op);
    Py_DECREF(tp);
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
    _ATOMICS_ATOMICINT___REDUCE___METHODDEF
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS,
     PyDoc_STR("See PEP 585")},
    {NULL, NULL}
};

static PyMemberDef atomicint_members[] = {
    {"__weaklistoffset__", Py_T_PYSSIZET,
     offsetof(atomicintobject, weakreflist), Py_READONLY},
    {NULL},
};

static PyType_Slot atomicint_slots[] = {
    {Py_tp_new, atomicint_new},
    {Py_tp_init, atomicint_init},
    {Py_tp_doc, (void *)atomicint_init__doc__},
    {Py_tp_repr, atomicint_repr},
    {Py_tp_richcompare, atomicint_richcompare},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_traverse, atomicint_traverse},
    {Py_tp_clear, atomicint_clear},
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

static PyType_Spec atomicint_spec = {
    .name = "atomics.AtomicInt",
    .basicsize = sizeof(atomicintobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE),
    .slots = atomicint_slots,
};


/* --- AtomicBool ---------------------------------------------------------- */


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

/*[clinic input]
_atomics.AtomicBool.handle

Return a handle to this AtomicBool for the calling thread.

The handle is a new AtomicBool that shares this one's value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool_handle_impl(atomicboolobject *self)
/*[clinic end generated code: output=f461da0937dd4d4b input=df55a51e98aae2bd]*/
{
    PyObject *root = self->owner ? self->owner : (PyObject *)self;
    PyTypeObject *type = Py_TYPE(root);
    atomicboolobject *h = (atomicboolobject *)type->tp_alloc(type, 0);
    if (h == NULL) {
        return NULL;
    }
    h->owner = Py_NewRef(root);
    h->cell = atomicboolobject_CAST(root)->cell;
    return (PyObject *)h;
}

/*[clinic input]
_atomics.AtomicBool.__reduce__

Refuse pickling and copying.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicBool___reduce___impl(atomicboolobject *self)
/*[clinic end generated code: output=abf1e569a8e9f344 input=b1c63373edb6e517]*/
{
    return refuse_reduce((PyObject *)self, "get()");
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

static int
atomicbool_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(atomicboolobject_CAST(op)->owner);
    return 0;
}

static void
atomicbool_dealloc(PyObject *op)
{
    atomicboolobject *self = atomicboolobject_CAST(op);
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    Py_CLEAR(self->owner);
    tp->tp_free(op);
    Py_DECREF(tp);
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
    _ATOMICS_ATOMICBOOL___REDUCE___METHODDEF
    {NULL, NULL}
};

static PyMemberDef atomicbool_members[] = {
    {"__weaklistoffset__", Py_T_PYSSIZET,
     offsetof(atomicboolobject, weakreflist), Py_READONLY},
    {NULL},
};

static PyType_Slot atomicbool_slots[] = {
    {Py_tp_new, atomicbool_new},
    {Py_tp_init, atomicbool_init},
    {Py_tp_doc, (void *)atomicbool_init__doc__},
    {Py_tp_repr, atomicbool_repr},
    {Py_tp_traverse, atomicbool_traverse},
    {Py_tp_dealloc, atomicbool_dealloc},
    {Py_tp_methods, atomicbool_methods},
    {Py_tp_members, atomicbool_members},
    {Py_nb_bool, atomicbool_bool},
    {0, NULL},
};

static PyType_Spec atomicbool_spec = {
    .name = "atomics.AtomicBool",
    .basicsize = sizeof(atomicboolobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE),
    .slots = atomicbool_slots,
};


/* --- AtomicCounter ------------------------------------------------------- */


// Each thread gets a stripe number on first use: consecutive numbers, so
// that up to nstripes threads never share a stripe.
static uint32_t next_stripe_number;
static ATOMICS_THREAD_LOCAL uint32_t my_stripe_number;  // 0: unassigned

static inline counter_stripe *
my_stripe(atomiccounterobject *self)
{
    uint32_t n = my_stripe_number;
    if (n == 0) {
        n = _Py_atomic_add_uint32(&next_stripe_number, 1) + 1;
        if (n == 0) {
            n = _Py_atomic_add_uint32(&next_stripe_number, 1) + 1;
        }
        my_stripe_number = n;
    }
    return &self->stripes[(n - 1) & (self->nstripes - 1)];
}

static Py_ssize_t
default_stripes(void)
{
    // Enough for every CPU, a power of two.
    Py_ssize_t want = 4;
    PyObject *os = PyImport_ImportModule("os");
    if (os != NULL) {
        PyObject *n = PyObject_CallMethod(os, "cpu_count", NULL);
        Py_DECREF(os);
        if (n != NULL && PyLong_Check(n)) {
            Py_ssize_t cpus = PyLong_AsSsize_t(n);
            if (cpus > 0) {
                want = cpus;
            }
        }
        Py_XDECREF(n);
    }
    PyErr_Clear();
    Py_ssize_t s = 1;
    while (s < want && s < COUNTER_MAX_STRIPES) {
        s <<= 1;
    }
    return s;
}

/*[clinic input]
@classmethod
_atomics.AtomicCounter.__new__ as atomiccounter_new

    value: object(c_default="NULL") = 0
    *
    stripes: Py_ssize_t = 0

A counter for many concurrent writers, summed on demand.

Adding is cheap and scales with threads because each thread adds to
its own stripe; sum() adds the stripes up.  stripes is the number of
stripes (rounded up to a power of two, at most 256); 0 picks one per
CPU.
[clinic start generated code]*/

static PyObject *
atomiccounter_new_impl(PyTypeObject *type, PyObject *value,
                       Py_ssize_t stripes)
/*[clinic end generated code: output=0bdfdcf7e63fe121 input=6d39dbdf1bc57ba9]*/
{
    int64_t v = 0;
    if (value != NULL && as_int64(value, &v) < 0) {
        return NULL;
    }
    if (stripes < 0 || stripes > COUNTER_MAX_STRIPES) {
        PyErr_Format(PyExc_ValueError,
                     "stripes must be between 0 and %d", COUNTER_MAX_STRIPES);
        return NULL;
    }
    Py_ssize_t n = 1;
    if (stripes == 0) {
        n = default_stripes();
    }
    else {
        while (n < stripes) {
            n <<= 1;
        }
    }
    atomiccounterobject *self = (atomiccounterobject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    size_t size = (size_t)n * sizeof(counter_stripe) + COUNTER_CACHE_LINE;
    self->stripes_mem = PyMem_Calloc(1, size);
    if (self->stripes_mem == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    uintptr_t p = (uintptr_t)self->stripes_mem;
    p = (p + COUNTER_CACHE_LINE - 1) & ~(uintptr_t)(COUNTER_CACHE_LINE - 1);
    self->stripes = (counter_stripe *)p;
    self->nstripes = n;
    self->stripes[0].value = v;
    return (PyObject *)self;
}

static PyObject *
counter_add(atomiccounterobject *self, int64_t delta)
{
    int64_t old;
    if (cell_add(&my_stripe(self)->value, delta, &old) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.AtomicCounter.add

    delta: object
    /

Add delta to the counter.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter_add(atomiccounterobject *self, PyObject *delta)
/*[clinic end generated code: output=3ea707894a2962c5 input=a2d948d8187b2be4]*/
{
    int64_t d;
    if (as_int64(delta, &d) < 0) {
        return NULL;
    }
    return counter_add(self, d);
}

/*[clinic input]
_atomics.AtomicCounter.increment

Add 1 to the counter.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter_increment_impl(atomiccounterobject *self)
/*[clinic end generated code: output=a836ebcba3db413f input=d7d87b6bdd017bce]*/
{
    return counter_add(self, 1);
}

/*[clinic input]
_atomics.AtomicCounter.decrement

Subtract 1 from the counter.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter_decrement_impl(atomiccounterobject *self)
/*[clinic end generated code: output=5a69e7b3f973fef1 input=793811b6c8c07b0f]*/
{
    return counter_add(self, -1);
}

/*[clinic input]
_atomics.AtomicCounter.sum

Return the sum of all additions.

Exact when no thread adds concurrently; otherwise each stripe is read
atomically, and the result counts every addition that finished before
sum() was called and none that started after it returned.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter_sum_impl(atomiccounterobject *self)
/*[clinic end generated code: output=5663a6b8ea0e3c90 input=648724b8032854ed]*/
{
    // Stripes may individually be near the int64 limits; add them up in
    // Python int arithmetic only if the fast path could overflow.
    int64_t total = 0;
    for (Py_ssize_t i = 0; i < self->nstripes; i++) {
        int64_t v = _Py_atomic_load_int64(&self->stripes[i].value);
        if (add_overflows(total, v, &total)) {
            goto slow;
        }
    }
    return PyLong_FromLongLong(total);

slow:;
    PyObject *sum = PyLong_FromLong(0);
    for (Py_ssize_t i = 0; sum != NULL && i < self->nstripes; i++) {
        PyObject *v = PyLong_FromLongLong(
            _Py_atomic_load_int64(&self->stripes[i].value));
        if (v == NULL) {
            Py_CLEAR(sum);
            break;
        }
        Py_SETREF(sum, PyNumber_Add(sum, v));
        Py_DECREF(v);
    }
    return sum;
}

/*[clinic input]
_atomics.AtomicCounter.reset

Set the counter to zero and return the sum it had.

Not atomic as a whole when threads add concurrently: an addition that
races with reset() is either in the result or stays in the counter,
never lost and never counted twice.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter_reset_impl(atomiccounterobject *self)
/*[clinic end generated code: output=5a61150af75a7042 input=61e74be17c111de8]*/
{
    PyObject *sum = PyLong_FromLong(0);
    for (Py_ssize_t i = 0; sum != NULL && i < self->nstripes; i++) {
        PyObject *v = PyLong_FromLongLong(
            _Py_atomic_exchange_int64(&self->stripes[i].value, 0));
        if (v == NULL) {
            Py_CLEAR(sum);
            break;
        }
        Py_SETREF(sum, PyNumber_Add(sum, v));
        Py_DECREF(v);
    }
    return sum;
}

/*[clinic input]
_atomics.AtomicCounter.handle

Return a handle to this counter for the calling thread.

The handle is a new AtomicCounter that shares this one's stripes.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter_handle_impl(atomiccounterobject *self)
/*[clinic end generated code: output=1e9557c2cb598265 input=f4eae905b5774988]*/
{
    PyObject *root = self->owner ? self->owner : (PyObject *)self;
    PyTypeObject *type = Py_TYPE(root);
    atomiccounterobject *h = (atomiccounterobject *)type->tp_alloc(type, 0);
    if (h == NULL) {
        return NULL;
    }
    h->owner = Py_NewRef(root);
    h->nstripes = atomiccounterobject_CAST(root)->nstripes;
    h->stripes = atomiccounterobject_CAST(root)->stripes;
    return (PyObject *)h;
}

/*[clinic input]
_atomics.AtomicCounter.__reduce__

Refuse pickling and copying.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter___reduce___impl(atomiccounterobject *self)
/*[clinic end generated code: output=48e3527171923633 input=e22bfff80bb26d34]*/
{
    return refuse_reduce((PyObject *)self, "sum()");
}

static PyObject *
atomiccounter_repr(PyObject *op)
{
    atomiccounterobject *self = atomiccounterobject_CAST(op);
    PyObject *sum = _atomics_AtomicCounter_sum_impl(self);
    if (sum == NULL) {
        return NULL;
    }
    PyObject *res = PyUnicode_FromFormat("%s(%S)", Py_TYPE(op)->tp_name, sum);
    Py_DECREF(sum);
    return res;
}

static PyObject *
atomiccounter_int(PyObject *op)
{
    return _atomics_AtomicCounter_sum_impl(atomiccounterobject_CAST(op));
}

static PyObject *
atomiccounter_iadd(PyObject *self, PyObject *other)
{
    if (!PyLong_Check(other)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    atomiccounterobject *counter = atomiccounterobject_CAST(self);
    PyObject *r = _atomics_AtomicCounter_add(counter, other);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    return Py_NewRef(self);
}

static int
atomiccounter_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(atomiccounterobject_CAST(op)->owner);
    return 0;
}

static void
atomiccounter_dealloc(PyObject *op)
{
    atomiccounterobject *self = atomiccounterobject_CAST(op);
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    PyMem_Free(self->stripes_mem);
    Py_CLEAR(self->owner);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyMethodDef atomiccounter_methods[] = {
    _ATOMICS_ATOMICCOUNTER_ADD_METHODDEF
    _ATOMICS_ATOMICCOUNTER_INCREMENT_METHODDEF
    _ATOMICS_ATOMICCOUNTER_DECREMENT_METHODDEF
    _ATOMICS_ATOMICCOUNTER_SUM_METHODDEF
    _ATOMICS_ATOMICCOUNTER_RESET_METHODDEF
    _ATOMICS_ATOMICCOUNTER_HANDLE_METHODDEF
    _ATOMICS_ATOMICCOUNTER___REDUCE___METHODDEF
    {NULL, NULL}
};

static PyMemberDef atomiccounter_members[] = {
    {"__weaklistoffset__", Py_T_PYSSIZET,
     offsetof(atomiccounterobject, weakreflist), Py_READONLY},
    {"stripes", Py_T_PYSSIZET,
     offsetof(atomiccounterobject, nstripes), Py_READONLY,
     PyDoc_STR("The number of stripes.")},
    {NULL},
};

static PyType_Slot atomiccounter_slots[] = {
    {Py_tp_new, atomiccounter_new},
    {Py_tp_doc, (void *)atomiccounter_new__doc__},
    {Py_tp_repr, atomiccounter_repr},
    {Py_tp_traverse, atomiccounter_traverse},
    {Py_tp_dealloc, atomiccounter_dealloc},
    {Py_tp_methods, atomiccounter_methods},
    {Py_tp_members, atomiccounter_members},
    {Py_nb_int, atomiccounter_int},
    {Py_nb_inplace_add, atomiccounter_iadd},
    {0, NULL},
};

static PyType_Spec atomiccounter_spec = {
    .name = "atomics.AtomicCounter",
    .basicsize = sizeof(atomiccounterobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE),
    .slots = atomiccounter_slots,
};


/* --- Module -------------------------------------------------------------- */

static int
atomics_exec(PyObject *module)
{
    atomics_state *st = get_atomics_state(module);
#define ADD_TYPE(member, spec)                                              \
    do {                                                                    \
        st->member = (PyTypeObject *)PyType_FromModuleAndSpec(              \
            module, &spec, NULL);                                           \
        if (st->member == NULL || PyModule_AddType(module, st->member) < 0) {\
            return -1;                                                      \
        }                                                                   \
    } while (0)
    ADD_TYPE(atomicint_type, atomicint_spec);
    ADD_TYPE(atomicbool_type, atomicbool_spec);
    ADD_TYPE(atomiccounter_type, atomiccounter_spec);
#undef ADD_TYPE
    if (PyModule_AddType(module, &PyAtomicRef_Type) < 0) {
        return -1;
    }
    return 0;
}

static int
atomics_traverse(PyObject *module, visitproc visit, void *arg)
{
    atomics_state *st = get_atomics_state(module);
    Py_VISIT(st->atomicint_type);
    Py_VISIT(st->atomicbool_type);
    Py_VISIT(st->atomiccounter_type);
    return 0;
}

static int
atomics_clear(PyObject *module)
{
    atomics_state *st = get_atomics_state(module);
    Py_CLEAR(st->atomicint_type);
    Py_CLEAR(st->atomicbool_type);
    Py_CLEAR(st->atomiccounter_type);
    return 0;
}

static void
atomics_free(void *module)
{
    (void)atomics_clear((PyObject *)module);
}

static PyModuleDef_Slot atomics_slots[] = {
    {Py_mod_exec, atomics_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

PyDoc_STRVAR(atomics_doc,
"C implementation of the atomics module.");

static struct PyModuleDef atomicsmodule = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_atomics",
    .m_doc = atomics_doc,
    .m_size = sizeof(atomics_state),
    .m_slots = atomics_slots,
    .m_traverse = atomics_traverse,
    .m_clear = atomics_clear,
    .m_free = atomics_free,
};

PyMODINIT_FUNC
PyInit__atomics(void)
{
    return PyModuleDef_Init(&atomicsmodule);
}
