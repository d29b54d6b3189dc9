/* atomics.AtomicCounter: a counter for many concurrent writers.

   A striped counter (Java's LongAdder): one int64 cell per stripe, two
   cache lines apart; each thread adds to the stripe it was assigned on first
   use, so threads do not contend on one cache line.  The counter's value
   is the sum of the stripes and of a 128-bit "spill" that holds the
   initial value and every addition that would overflow a stripe, under a
   mutex.  So the value never overflows, and whether an addition fails
   does not depend on the thread that makes it: only a delta outside the
   int64 range is refused.

   sum() and reset() read the spill under its mutex only once it was ever
   used (has_spill); additions take it only when their stripe would
   overflow.  reset() exchanges every stripe with zero and takes the
   spill; if the result cannot be allocated, it adds what it took back to
   the spill, so a failed reset() loses nothing. */

#include "module.h"

// A stripe takes two cache lines: processors that prefetch the adjacent
// line would otherwise move two neighbouring stripes together.
#define STRIPE_SIZE (2 * ATOMICS_CACHE_LINE)

typedef struct {
    int64_t value;
    char pad[STRIPE_SIZE - sizeof(int64_t)];
} counter_stripe;

// A signed 128-bit integer, portable (two's complement over two words).
typedef struct {
    uint64_t lo;
    int64_t hi;
} int128;

static inline void
int128_add64(int128 *a, int64_t v)
{
    uint64_t lo = a->lo + (uint64_t)v;
    a->hi += (v < 0 ? -1 : 0) + (lo < a->lo);
    a->lo = lo;
}

static inline void
int128_add(int128 *a, int128 b)
{
    uint64_t lo = a->lo + b.lo;
    a->hi += b.hi + (lo < a->lo);
    a->lo = lo;
}

static PyObject *
int128_to_pylong(int128 v)
{
    if ((v.hi == 0 && v.lo <= (uint64_t)INT64_MAX)
        || (v.hi == -1 && v.lo > (uint64_t)INT64_MAX))
    {
        return PyLong_FromLongLong((long long)v.lo);
    }
    unsigned char buf[16];
    for (int i = 0; i < 8; i++) {
        buf[i] = (unsigned char)(v.lo >> (8 * i));
        buf[8 + i] = (unsigned char)((uint64_t)v.hi >> (8 * i));
    }
    return PyLong_FromNativeBytes(buf, sizeof(buf),
                                  Py_ASNATIVEBYTES_LITTLE_ENDIAN);
}

// Shared by a counter and its handles; lives in the first line of the
// stripes' allocation.
typedef struct {
    PyMutex mutex;              // guards spill
    uint8_t has_spill;          // spill was ever written (atomic)
    int128 spill;
} counter_spill;

typedef struct {
    atomics_object base;
    Py_ssize_t nstripes;        // a power of two
    counter_stripe *stripes;    // cache-line aligned
    counter_spill *spill;       // just before stripes
    void *stripes_mem;          // what PyMem_Malloc returned (NULL: handle)
} atomiccounterobject;

#define atomiccounterobject_CAST(op) ((atomiccounterobject *)(op))

/*[clinic input]
module _atomics
class _atomics.AtomicCounter "atomiccounterobject *" "clinic_state()->atomiccounter_type"
[clinic start generated code]*/
/*[clinic end generated code: output=da39a3ee5e6b4b0d input=4f92974700be5679]*/

#include "clinic/atomiccounter.c.h"

static void
spill_add(counter_spill *sp, int128 v)
{
    PyMutex_Lock(&sp->mutex);
    int128_add(&sp->spill, v);
    _Py_atomic_store_uint8(&sp->has_spill, 1);
    PyMutex_Unlock(&sp->mutex);
}

// Add the spill to *total; with take, also set the spill to zero.
static void
spill_read(counter_spill *sp, int128 *total, int take)
{
    if (!_Py_atomic_load_uint8(&sp->has_spill)) {
        return;
    }
    PyMutex_Lock(&sp->mutex);
    int128_add(total, sp->spill);
    if (take) {
        sp->spill = (int128){0, 0};
    }
    PyMutex_Unlock(&sp->mutex);
}

// Each thread gets a stripe number on first use: consecutive numbers, so
// that up to nstripes threads never share a stripe.
static uint32_t next_stripe_number;
static _Py_thread_local uint32_t my_stripe_number;  // 0: unassigned

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
    if (value != NULL && atomics_as_int64(value, &v) < 0) {
        return NULL;
    }
    if (stripes < 0 || stripes > ATOMICS_COUNTER_MAX_STRIPES) {
        PyErr_Format(PyExc_ValueError,
                     "stripes must be between 0 and %d",
                     ATOMICS_COUNTER_MAX_STRIPES);
        return NULL;
    }
    Py_ssize_t n = 1;
    if (stripes == 0) {
        n = atomics_find_state(type)->default_stripes;
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
    // One line for the spill, then the stripes, all cache-line aligned.
    size_t size = ((size_t)(n + 1) * sizeof(counter_stripe)
                   + STRIPE_SIZE);
    self->stripes_mem = PyMem_Calloc(1, size);
    if (self->stripes_mem == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    uintptr_t p = (uintptr_t)self->stripes_mem;
    p = (p + STRIPE_SIZE - 1) & ~(uintptr_t)(STRIPE_SIZE - 1);
    self->spill = (counter_spill *)p;
    self->stripes = (counter_stripe *)p + 1;
    self->nstripes = n;
    if (v != 0) {
        // Not in a stripe: that would make overflow depend on the thread.
        int128_add64(&self->spill->spill, v);
        self->spill->has_spill = 1;
    }
    return (PyObject *)self;
}

static PyObject *
counter_add(atomiccounterobject *self, int64_t delta)
{
    int64_t *cell = &my_stripe(self)->value;
    // As in AtomicInt: read with an atomic add of zero, which takes the
    // cache line exclusive for the compare-and-swap that follows.
    int64_t old = _Py_atomic_add_int64(cell, 0), new;
    for (;;) {
        if (atomics_add_overflows(old, delta, &new)) {
            // The stripe is full: the spill takes it.
            int128 d = {0, 0};
            int128_add64(&d, delta);
            spill_add(self->spill, d);
            break;
        }
        if (_Py_atomic_compare_exchange_int64(cell, &old, new)) {
            break;
        }
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
    if (atomics_as_int64(delta, &d) < 0) {
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
    int128 total = {0, 0};
    for (Py_ssize_t i = 0; i < self->nstripes; i++) {
        int128_add64(&total, _Py_atomic_load_int64(&self->stripes[i].value));
    }
    spill_read(self->spill, &total, 0);
    return int128_to_pylong(total);
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
    int128 total = {0, 0};
    for (Py_ssize_t i = 0; i < self->nstripes; i++) {
        int128_add64(&total,
                     _Py_atomic_exchange_int64(&self->stripes[i].value, 0));
    }
    spill_read(self->spill, &total, 1);
    PyObject *res = int128_to_pylong(total);
    if (res == NULL) {
        // Put it all back: a failed reset() leaves every count in.
        spill_add(self->spill, total);
    }
    return res;
}

static void
atomiccounter_init_handle(PyObject *h, PyObject *owner)
{
    atomiccounterobject_CAST(h)->nstripes =
        atomiccounterobject_CAST(owner)->nstripes;
    atomiccounterobject_CAST(h)->stripes =
        atomiccounterobject_CAST(owner)->stripes;
    atomiccounterobject_CAST(h)->spill =
        atomiccounterobject_CAST(owner)->spill;
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
    return atomics_new_handle((PyObject *)self, atomiccounter_init_handle);
}

/*[clinic input]
_atomics.AtomicCounter.__sizeof__

Return the size in memory, in bytes, stripes included.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicCounter___sizeof___impl(atomiccounterobject *self)
/*[clinic end generated code: output=779750c511f74165 input=813f3f2c13d7f896]*/
{
    size_t size = (size_t)Py_TYPE(self)->tp_basicsize;
    if (self->stripes_mem != NULL) {            // not a handle
        size += ((size_t)(self->nstripes + 1) * sizeof(counter_stripe)
                 + STRIPE_SIZE);
    }
    return PyLong_FromSize_t(size);
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

static void
atomiccounter_release(PyObject *op)
{
    PyMem_Free(atomiccounterobject_CAST(op)->stripes_mem);
}

static void
atomiccounter_dealloc(PyObject *op)
{
    atomics_object_dealloc(op, atomiccounter_dealloc, atomiccounter_release);
}

static PyMethodDef atomiccounter_methods[] = {
    _ATOMICS_ATOMICCOUNTER_ADD_METHODDEF
    _ATOMICS_ATOMICCOUNTER_INCREMENT_METHODDEF
    _ATOMICS_ATOMICCOUNTER_DECREMENT_METHODDEF
    _ATOMICS_ATOMICCOUNTER_SUM_METHODDEF
    _ATOMICS_ATOMICCOUNTER_RESET_METHODDEF
    _ATOMICS_ATOMICCOUNTER_HANDLE_METHODDEF
    _ATOMICS_ATOMICCOUNTER___SIZEOF___METHODDEF
    ATOMICS_REDUCE_METHODDEF
    {NULL, NULL}
};

static PyMemberDef atomiccounter_members[] = {
    ATOMICS_WEAKLIST_MEMBER,
    {"stripes", Py_T_PYSSIZET,
     offsetof(atomiccounterobject, nstripes), Py_READONLY,
     PyDoc_STR("The number of stripes.")},
    {NULL},
};

static PyType_Slot atomiccounter_slots[] = {
    {Py_tp_new, atomiccounter_new},
    {Py_tp_doc, (void *)atomiccounter_new__doc__},
    {Py_tp_repr, atomiccounter_repr},
    {Py_tp_traverse, atomics_object_traverse},
    {Py_tp_dealloc, atomiccounter_dealloc},
    {Py_tp_methods, atomiccounter_methods},
    {Py_tp_members, atomiccounter_members},
    {Py_nb_int, atomiccounter_int},
    {Py_nb_inplace_add, atomiccounter_iadd},
    {0, NULL},
};

PyType_Spec atomics_counter_spec = {
    .name = "atomics.AtomicCounter",
    .basicsize = sizeof(atomiccounterobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE),
    .slots = atomiccounter_slots,
};

