/* Atomic object references (PyAtomicRefField and atomics.AtomicRef)

   A PyAtomicRefField holds a strong reference that threads read and
   replace concurrently.  On the free-threaded build no operation takes a
   lock:

   - Get loads the pointer and tries to increment the reference count of
     the object it points to, then checks that the field still points to
     it (as _Py_XGetRef() does, with backoff under contention).  If the
     object was replaced and freed in between, its memory still belongs
     to the object heap (mimalloc pages are returned to the OS only after
     a QSBR grace period), so the try-incref reads a reference count
     field that is zero, merged, or belongs to a new object of the same
     size class; the re-check then fails and the reference is dropped.
     This is the scheme of list_get_item_ref() and of the dict lookup in
     Objects/dictobject.c.
   - Every value a writer publishes is first marked maybe-weakref
     (_PyObject_SetMaybeWeakref), so that readers on other threads can
     always take a shared reference to it: without the flag an object
     owned by another thread with a zero shared count cannot be
     try-incref'd and a reader would spin.
   - Set and Exchange swap the pointer with one atomic exchange;
     CompareExchange is one pointer compare-and-swap.  The writer owns the
     field's reference to the old value after the swap.

   Borrowed reads (PyUnstable_AtomicRefField_GetBorrowed) take no
   reference at all.  The first borrowed read of a field sets a flag in
   the field (low bit of _retired).  Writers check it after their swap: if
   set, the field's reference to the replaced value is not released at
   once but pushed on the field's retired list with a QSBR goal, and a
   later write (or Clear) releases it once every thread has passed a
   quiescent state.  A borrowed reader cannot pass a quiescent state inside
   its read section (it runs no Python code and stays attached), so a
   value it loaded stays alive until the section ends.  The flag store
   and the writers' flag load are both sequentially consistent with the
   value exchange, Dekker style: either a writer sees the flag, or the
   reader's value load comes after the writer's swap and never sees the
   old value.

   On the default build the GIL serializes everything; the operations are
   plain loads and stores, and a borrowed read section is simply a region
   that keeps the GIL. */

#include "Python.h"
#include "pycore_atomics.h"       // _PyAtomic_QuiesceOtherThreads()
#include "pycore_object.h"        // _PyObject_SetMaybeWeakref()
#include "pycore_pystate.h"       // _PyEval_StopTheWorld()
#ifdef Py_GIL_DISABLED
#  include "pycore_qsbr.h"        // _Py_qsbr_deferred_advance()
#  include "pycore_tstate.h"      // _PyThreadStateImpl
#endif

/*[clinic input]
class AtomicRef "PyAtomicRefObject *" "&PyAtomicRef_Type"
[clinic start generated code]*/
/*[clinic end generated code: output=da39a3ee5e6b4b0d input=4a9ea346082950fb]*/

typedef struct {
    PyObject_HEAD
    PyAtomicRefField *ref;   // &field, or the field of owner for a handle
    PyObject *owner;         // NULL, or the AtomicRef this is a handle of
    PyObject *weakreflist;
    PyAtomicRefField field;
} PyAtomicRefObject;

#define _PyAtomicRef_CAST(op) ((PyAtomicRefObject *)(op))

#include "clinic/atomicrefobject.c.h"


/* --- Debug checks of read sections -------------------------------------- */

#ifdef Py_DEBUG
static _Py_thread_local int read_depth;
#ifdef Py_GIL_DISABLED
static _Py_thread_local uint64_t read_seq;
#endif

static inline void
check_not_in_read_section(const char *func)
{
    if (read_depth > 0) {
        Py_FatalError("an atomic reference was written inside a "
                      "PyUnstable_AtomicRef_BeginRead() section");
    }
    (void)func;
}
#else
#  define check_not_in_read_section(func) ((void)0)
#endif

#undef PyUnstable_AtomicRef_BeginRead
#undef PyUnstable_AtomicRef_EndRead

void
PyUnstable_AtomicRef_BeginRead(void)
{
#ifdef Py_DEBUG
    PyThreadState *tstate = _PyThreadState_GET();
    if (tstate == NULL) {
        Py_FatalError("PyUnstable_AtomicRef_BeginRead() called without "
                      "an attached thread state");
    }
    if (read_depth++ == 0) {
#ifdef Py_GIL_DISABLED
        // Remember the sequence this thread last observed, then advance
        // the shared write sequence: any quiescent state (or detach and
        // re-attach) inside the section then moves the thread's sequence
        // past read_seq, which EndRead detects.
        struct _qsbr_thread_state *qsbr = ((_PyThreadStateImpl *)tstate)->qsbr;
        read_seq = _Py_atomic_load_uint64(&qsbr->seq);
        (void)_Py_qsbr_advance(qsbr->shared);
#endif
    }
#endif
}

void
PyUnstable_AtomicRef_EndRead(void)
{
#ifdef Py_DEBUG
    if (read_depth <= 0) {
        Py_FatalError("PyUnstable_AtomicRef_EndRead() without "
                      "PyUnstable_AtomicRef_BeginRead()");
    }
    PyThreadState *tstate = _PyThreadState_GET();
    if (tstate == NULL) {
        Py_FatalError("the thread state was detached inside an atomic "
                      "reference read section");
    }
    if (--read_depth == 0) {
#ifdef Py_GIL_DISABLED
        uint64_t seq = _Py_atomic_load_uint64(
            &((_PyThreadStateImpl *)tstate)->qsbr->seq);
        if (seq != read_seq) {
            Py_FatalError("the thread passed a quiescent state (ran Python "
                          "code or detached) inside an atomic reference "
                          "read section: borrowed values may be dangling");
        }
#endif
    }
#endif
}


/* --- Retired values (free-threaded build) ------------------------------- */

#define BORROWED_READERS ((uintptr_t)1)

#ifdef Py_GIL_DISABLED
typedef struct retired_value {
    struct retired_value *next;
    PyObject *value;
    uint64_t goal;
} retired_value;

#define RETIRED_LIST(word) ((retired_value *)((word) & ~BORROWED_READERS))

// Push the chain first..last on the field's retired list.
static void
push_retired(PyAtomicRefField *field, retired_value *first,
             retired_value *last)
{
    uintptr_t old = _Py_atomic_load_uintptr(&field->_retired);
    for (;;) {
        last->next = RETIRED_LIST(old);
        uintptr_t new = (uintptr_t)first | (old & BORROWED_READERS);
        if (_Py_atomic_compare_exchange_uintptr(&field->_retired, &old, new)) {
            return;
        }
    }
}

// Detach the whole retired list (only push and take-all: no ABA).
static retired_value *
take_retired(PyAtomicRefField *field)
{
    uintptr_t old = _Py_atomic_load_uintptr(&field->_retired);
    while (RETIRED_LIST(old) != NULL) {
        if (_Py_atomic_compare_exchange_uintptr(&field->_retired, &old,
                                                old & BORROWED_READERS)) {
            return RETIRED_LIST(old);
        }
    }
    return NULL;
}

// Release retired values whose grace period is over; keep the others.
static void
reclaim_retired(PyAtomicRefField *field)
{
    uintptr_t word = _Py_atomic_load_uintptr_relaxed(&field->_retired);
    if (RETIRED_LIST(word) == NULL) {
        return;
    }
    _PyThreadStateImpl *tstate = (_PyThreadStateImpl *)_PyThreadState_GET();
    retired_value *node = take_retired(field);
    retired_value *keep = NULL, *keep_last = NULL, *done = NULL;
    while (node != NULL) {
        retired_value *next = node->next;
        if (_Py_qsbr_poll(tstate->qsbr, node->goal)) {
            node->next = done;
            done = node;
        }
        else {
            if (keep_last == NULL) {
                keep_last = node;
            }
            node->next = keep;
            keep = node;
        }
        node = next;
    }
    if (keep != NULL) {
        push_retired(field, keep, keep_last);
    }
    // Release last: a finalizer may write to this very field.
    while (done != NULL) {
        retired_value *next = done->next;
        Py_DECREF(done->value);
        PyMem_Free(done);
        done = next;
    }
}

// The field's reference to value is no longer reachable through the
// field; release it once no borrowed reader can still use it.
static void
retire(PyAtomicRefField *field, PyObject *value)
{
    if (value == NULL || _Py_IsImmortal(value)) {
        return;
    }
    retired_value *node = PyMem_Malloc(sizeof(retired_value));
    if (node == NULL) {
        // Out of memory: wait for a full grace period instead.  Stopping
        // the world waits until every other thread is at a safe point,
        // which a thread inside a read section is not.
        _PyAtomic_QuiesceOtherThreads();
        Py_DECREF(value);
        return;
    }
    _PyThreadStateImpl *tstate = (_PyThreadStateImpl *)_PyThreadState_GET();
    node->value = value;
    // The goal is taken after the value was unlinked (by our caller).
    node->goal = _Py_qsbr_deferred_advance(tstate->qsbr);
    push_retired(field, node, node);
}

static inline int
has_borrowed_readers(PyAtomicRefField *field)
{
    // Sequentially consistent, after the swap: see the comment at the top.
    return (_Py_atomic_load_uintptr(&field->_retired) & BORROWED_READERS) != 0;
}
#endif  /* Py_GIL_DISABLED */

// Give up the field's reference to a value just replaced.
static inline void
release_replaced(PyAtomicRefField *field, PyObject *old)
{
#ifdef Py_GIL_DISABLED
    if (has_borrowed_readers(field)) {
        retire(field, old);
        reclaim_retired(field);
        return;
    }
#endif
    Py_XDECREF(old);
}

// Take a reference to a value about to be stored in a field.
static inline PyObject *
publish(PyObject *value)
{
    if (value == NULL) {
        return NULL;
    }
#ifdef Py_GIL_DISABLED
    _PyObject_SetMaybeWeakref(value);
#endif
    return Py_NewRef(value);
}


void
_PyAtomic_QuiesceOtherThreads(void)
{
    PyInterpreterState *interp = _PyInterpreterState_GET();
    _PyEval_StopTheWorld(interp);
    _PyEval_StartTheWorld(interp);
}


/* --- Embeddable form ----------------------------------------------------- */

void
PyAtomicRefField_Init(PyAtomicRefField *field, PyObject *value)
{
    field->_retired = 0;
    // Not yet visible to other threads, but readers of the object that
    // later becomes visible may try-incref the value.
    field->_value = publish(value);
}

#ifdef Py_GIL_DISABLED
#if defined(__x86_64__) || defined(__i386__) \
    || defined(_M_X64) || defined(_M_IX86)
#  if defined(_MSC_VER)
#    include <intrin.h>
#    define cpu_relax() _mm_pause()
#  else
#    define cpu_relax() __builtin_ia32_pause()
#  endif
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#  define cpu_relax() __asm__ __volatile__("yield")
#else
#  define cpu_relax() ((void)0)
#endif

// Backoff after a lost compare-and-swap on the value's shared reference
// count, in pause instructions: it starts at BACKOFF_MIN and doubles up to
// BACKOFF_MAX on every further loss.
#define BACKOFF_MIN 64
#define BACKOFF_MAX 1024

/* Strong reads: like _Py_XGetRef(), with contention management for
   readers that hammer one shared value.  Without it, two threads that
   increment the same reference count steal its cache line from each other
   on every increment and both crawl.  A thread that loses the
   compare-and-swap pauses instead, long enough for the winner to do a run
   of reads with the line to itself, and then retries with the count it saw
   when it lost, without reloading it: the retry takes the line back at once
   and, when the count is back to what it saw (the winner's increment and
   decrement cancel out), succeeds.  The threads so take turns in runs, and
   each run is at full speed.  In bench_capi.py the sum over 2 threads is
   close to the 1-thread rate; with a backoff of at most 64 pauses that
   reloaded the count it was about 0.3x, and an unlocked Py_NewRef falls to
   0.2x-0.46x. */

// Everything but the first attempt: contention, a dying value, or a value
// replaced under us.  Called with value NULL to start over, or with the
// value whose first compare-and-swap lost and the count it saw then.
static Py_NO_INLINE PyObject *
get_strong_slow(PyObject **src, PyObject *value, Py_ssize_t shared)
{
    unsigned int delay = BACKOFF_MIN;
    if (value != NULL) {
        goto lost;
    }
    for (;;) {
        value = _Py_atomic_load_ptr(src);
        if (value == NULL) {
            return NULL;
        }
        if (_Py_TryIncrefFast(value)) {
            return value;
        }
        shared = _Py_atomic_load_ssize_relaxed(&value->ob_ref_shared);
        delay = BACKOFF_MIN;
        for (;;) {
            // Zero and not maybe-weakref, or merged: the object may be
            // dying; let the slot tell (see _Py_TryIncRefShared()).
            if (shared == 0 || shared == _Py_REF_MERGED) {
                goto retry;
            }
            if (_Py_atomic_compare_exchange_ssize(
                    &value->ob_ref_shared, &shared,
                    shared + (1 << _Py_REF_SHARED_SHIFT))) {
                break;
            }
        lost:
            // Lost: shared now holds the count we saw.
            for (unsigned int i = 0; i < delay; i++) {
                cpu_relax();
            }
            if (delay < BACKOFF_MAX) {
                delay <<= 1;
            }
        }
#ifdef Py_REF_DEBUG
        _Py_IncRefTotal(_PyThreadState_GET());
#endif
        if (value == _Py_atomic_load_ptr(src)) {
            return value;
        }
        Py_DECREF(value);
    retry:
        ;
    }
}

// The value was replaced after we took a reference to it: drop it and
// start over.
static Py_NO_INLINE PyObject *
get_strong_replaced(PyObject **src, PyObject *value)
{
    Py_DECREF(value);
    return get_strong_slow(src, NULL, 0);
}

// The first attempt, inlined; the rest is out of line, so that the common
// path needs no stack frame.
static inline PyObject *
get_strong(PyObject **src)
{
    PyObject *value = _Py_atomic_load_ptr(src);
    if (value == NULL) {
        return NULL;
    }
    if (_Py_TryIncrefFast(value)) {
        return value;
    }
    Py_ssize_t shared = _Py_atomic_load_ssize_relaxed(&value->ob_ref_shared);
    if (shared == 0 || shared == _Py_REF_MERGED) {
        return get_strong_slow(src, NULL, 0);
    }
    if (!_Py_atomic_compare_exchange_ssize(
            &value->ob_ref_shared, &shared,
            shared + (1 << _Py_REF_SHARED_SHIFT))) {
        return get_strong_slow(src, value, shared);
    }
#ifdef Py_REF_DEBUG
    _Py_IncRefTotal(_PyThreadState_GET());
#endif
    if (value != _Py_atomic_load_ptr(src)) {
        return get_strong_replaced(src, value);
    }
    return value;
}
#endif

PyObject *
PyAtomicRefField_Get(PyAtomicRefField *field)
{
#ifdef Py_GIL_DISABLED
    return get_strong(&field->_value);
#else
    return Py_XNewRef(field->_value);
#endif
}

PyObject *
PyUnstable_AtomicRefField_GetBorrowed(PyAtomicRefField *field)
{
#ifdef Py_DEBUG
    if (read_depth <= 0) {
        Py_FatalError("PyUnstable_AtomicRefField_GetBorrowed() called "
                      "outside a PyUnstable_AtomicRef_BeginRead() section");
    }
#endif
#ifdef Py_GIL_DISABLED
    // Announce the borrowed reader before loading the value (both
    // sequentially consistent).  The flag is sticky, so after the first
    // read this is a plain load of a cache line nobody writes.
    if ((_Py_atomic_load_uintptr(&field->_retired) & BORROWED_READERS) == 0) {
        _Py_atomic_or_uintptr(&field->_retired, BORROWED_READERS);
    }
    return _Py_atomic_load_ptr(&field->_value);
#else
    return field->_value;
#endif
}

PyObject *
PyAtomicRefField_Exchange(PyAtomicRefField *field, PyObject *value)
{
    check_not_in_read_section("Exchange");
    value = publish(value);
#ifdef Py_GIL_DISABLED
    PyObject *old = _Py_atomic_exchange_ptr(&field->_value, value);
    if (has_borrowed_readers(field)) {
        // The caller may drop the result at once: it gets its own
        // reference, and the field's one waits for the grace period.
        Py_XINCREF(old);
        retire(field, old);
        reclaim_retired(field);
    }
    return old;
#else
    PyObject *old = field->_value;
    field->_value = value;
    return old;
#endif
}

void
PyAtomicRefField_Set(PyAtomicRefField *field, PyObject *value)
{
    check_not_in_read_section("Set");
    value = publish(value);
#ifdef Py_GIL_DISABLED
    PyObject *old = _Py_atomic_exchange_ptr(&field->_value, value);
#else
    PyObject *old = field->_value;
    field->_value = value;      // store before the decref: it may run code
#endif
    release_replaced(field, old);
}

int
PyAtomicRefField_CompareExchange(PyAtomicRefField *field, PyObject *expected,
                                 PyObject *desired, PyObject **actual)
{
    check_not_in_read_section("CompareExchange");
#ifdef Py_GIL_DISABLED
    desired = publish(desired);
    for (;;) {
        PyObject *seen = expected;
        if (_Py_atomic_compare_exchange_ptr(&field->_value, &seen, desired)) {
            // The field's reference to expected is ours now.
            if (actual != NULL) {
                *actual = Py_XNewRef(expected);
            }
            release_replaced(field, expected);
            return 1;
        }
        if (actual == NULL) {
            Py_XDECREF(desired);      // never published
            return 0;
        }
        // `seen` may already be replaced and freed: take a reference to
        // what the field holds now.  The failure takes effect at that read,
        // unless the field went back to `expected`, when we try again.
        PyObject *current = get_strong(&field->_value);
        if (current != expected) {
            Py_XDECREF(desired);
            *actual = current;
            return 0;
        }
        Py_XDECREF(current);
    }
#else
    PyObject *current = field->_value;
    if (current != expected) {
        if (actual != NULL) {
            *actual = Py_XNewRef(current);
        }
        return 0;
    }
    field->_value = Py_XNewRef(desired);
    if (actual != NULL) {
        *actual = current;     // the field's reference passes to the caller
    }
    else {
        Py_XDECREF(current);
    }
    return 1;
#endif
}

void
PyAtomicRefField_Clear(PyAtomicRefField *field)
{
#ifdef Py_GIL_DISABLED
    retired_value *node = take_retired(field);
    while (node != NULL) {
        retired_value *next = node->next;
        Py_DECREF(node->value);
        PyMem_Free(node);
        node = next;
    }
    PyObject *old = _Py_atomic_exchange_ptr(&field->_value, NULL);
#else
    PyObject *old = field->_value;
    field->_value = NULL;
#endif
    Py_XDECREF(old);
}

int
PyAtomicRefField_Traverse(PyAtomicRefField *field, visitproc visit, void *arg)
{
#ifdef Py_GIL_DISABLED
    // The garbage collector stops the world: nothing changes under us.
    retired_value *node = RETIRED_LIST(
        _Py_atomic_load_uintptr_relaxed(&field->_retired));
    for (; node != NULL; node = node->next) {
        Py_VISIT(node->value);
    }
    Py_VISIT(_Py_atomic_load_ptr_relaxed(&field->_value));
#else
    Py_VISIT(field->_value);
#endif
    return 0;
}


/* --- The object type ----------------------------------------------------- */

static int
check_ref(PyObject *ref)
{
    if (ref == NULL || !PyAtomicRef_Check(ref)) {
        PyErr_BadInternalCall();
        return -1;
    }
    return 0;
}

static PyObject *
atomicref_alloc(PyTypeObject *type, PyObject *value)
{
    PyAtomicRefObject *self = (PyAtomicRefObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    PyAtomicRefField_Init(&self->field, value);
    self->ref = &self->field;
    return (PyObject *)self;
}

PyObject *
PyAtomicRef_New(PyObject *value)
{
    if (value == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    return atomicref_alloc(&PyAtomicRef_Type, value);
}

PyObject *
PyAtomicRef_Get(PyObject *ref)
{
    if (check_ref(ref) < 0) {
        return NULL;
    }
    return PyAtomicRefField_Get(_PyAtomicRef_CAST(ref)->ref);
}

int
PyAtomicRef_Set(PyObject *ref, PyObject *value)
{
    if (check_ref(ref) < 0) {
        return -1;
    }
    if (value == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    PyAtomicRefField_Set(_PyAtomicRef_CAST(ref)->ref, value);
    return 0;
}

PyObject *
PyAtomicRef_Exchange(PyObject *ref, PyObject *value)
{
    if (check_ref(ref) < 0) {
        return NULL;
    }
    if (value == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    return PyAtomicRefField_Exchange(_PyAtomicRef_CAST(ref)->ref, value);
}

int
PyAtomicRef_CompareExchange(PyObject *ref, PyObject *expected,
                            PyObject *desired, PyObject **actual)
{
    if (actual != NULL) {
        *actual = NULL;
    }
    if (check_ref(ref) < 0) {
        return -1;
    }
    if (expected == NULL || desired == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    return PyAtomicRefField_CompareExchange(_PyAtomicRef_CAST(ref)->ref,
                                            expected, desired, actual);
}

PyAtomicRefField *
PyAtomicRef_GetField(PyObject *ref)
{
    return _PyAtomicRef_CAST(ref)->ref;
}


static PyObject *
atomicref_new(PyTypeObject *type, PyObject *Py_UNUSED(args),
              PyObject *Py_UNUSED(kwargs))
{
    // The value is set by __init__, so that subclasses may define an
    // __init__ with other arguments (like list).
    return atomicref_alloc(type, Py_None);
}

/*[clinic input]
AtomicRef.__init__ as atomicref_init

    value: object = None

Create an atomic reference holding value.
[clinic start generated code]*/

static int
atomicref_init_impl(PyAtomicRefObject *self, PyObject *value)
/*[clinic end generated code: output=e1443acc97bd21d7 input=23f9489d90557eca]*/
{
    PyAtomicRefField_Set(self->ref, value);
    return 0;
}

/*[clinic input]
AtomicRef.get

Return the current value.
[clinic start generated code]*/

static PyObject *
AtomicRef_get_impl(PyAtomicRefObject *self)
/*[clinic end generated code: output=996f5cda846a8f44 input=ff8d910af9c3f69c]*/
{
    // Not a handle: read the embedded field directly, so that the load of
    // the value does not wait for the load of self->ref.
    if (self->owner == NULL) {
        return PyAtomicRefField_Get(&self->field);
    }
    return PyAtomicRefField_Get(self->ref);
}

/*[clinic input]
AtomicRef.set

    value: object
    /

Replace the current value with value.
[clinic start generated code]*/

static PyObject *
AtomicRef_set(PyAtomicRefObject *self, PyObject *value)
/*[clinic end generated code: output=cb61845767e60698 input=b396dd14ab6f6cda]*/
{
    PyAtomicRefField_Set(self->ref, value);
    Py_RETURN_NONE;
}

/*[clinic input]
AtomicRef.exchange

    value: object
    /

Replace the current value with value and return the previous value.
[clinic start generated code]*/

static PyObject *
AtomicRef_exchange(PyAtomicRefObject *self, PyObject *value)
/*[clinic end generated code: output=68a73c7711f54bdd input=4d01e1f2325fa750]*/
{
    return PyAtomicRefField_Exchange(self->ref, value);
}

/*[clinic input]
AtomicRef.compare_and_set

    expected: object
    desired: object
    /

Set the value to desired if it is expected.

The comparison is by identity ("is"), not equality.  Return True if
the value was replaced, False otherwise.
[clinic start generated code]*/

static PyObject *
AtomicRef_compare_and_set_impl(PyAtomicRefObject *self, PyObject *expected,
                               PyObject *desired)
/*[clinic end generated code: output=d5749473938edbe0 input=c2dac55aad855eba]*/
{
    int r = PyAtomicRefField_CompareExchange(self->ref, expected,
                                             desired, NULL);
    return PyBool_FromLong(r);
}

/*[clinic input]
AtomicRef.compare_exchange

    expected: object
    desired: object
    /

Set the value to desired if it is expected; return the value seen.

The comparison is by identity ("is").  The result is expected itself
if the value was replaced, otherwise the value that made the
comparison fail, read atomically with it.
[clinic start generated code]*/

static PyObject *
AtomicRef_compare_exchange_impl(PyAtomicRefObject *self, PyObject *expected,
                                PyObject *desired)
/*[clinic end generated code: output=cfd1398b72d34358 input=8befe85692919eb6]*/
{
    PyObject *actual;
    (void)PyAtomicRefField_CompareExchange(self->ref, expected, desired,
                                           &actual);
    return actual;
}

// Compare-and-swap loop for the functional updates.  func is called with
// the current value (and x); it may be called several times when other
// threads change the value meanwhile.
static PyObject *
atomicref_update(PyAtomicRefObject *self, PyObject *func, PyObject *x,
                 int return_new)
{
    PyObject *current = PyAtomicRefField_Get(self->ref);
    for (;;) {
        PyObject *args[2] = {current, x};
        PyObject *new = PyObject_Vectorcall(func, args, x ? 2 : 1, NULL);
        if (new == NULL) {
            Py_DECREF(current);
            return NULL;
        }
        PyObject *seen;
        if (PyAtomicRefField_CompareExchange(self->ref, current, new,
                                             &seen)) {
            Py_DECREF(seen);
            if (return_new) {
                Py_DECREF(current);
                return new;
            }
            Py_DECREF(new);
            return current;
        }
        Py_DECREF(new);
        Py_SETREF(current, seen);
    }
}

/*[clinic input]
AtomicRef.get_and_update

    func: object
    /

Replace the value v with func(v) atomically; return the old value.

func may be called more than once if other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
AtomicRef_get_and_update(PyAtomicRefObject *self, PyObject *func)
/*[clinic end generated code: output=66e183e8b132fd9f input=4f2e288d3158f417]*/
{
    return atomicref_update(self, func, NULL, 0);
}

/*[clinic input]
AtomicRef.update_and_get

    func: object
    /

Replace the value v with func(v) atomically; return the new value.

func may be called more than once if other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
AtomicRef_update_and_get(PyAtomicRefObject *self, PyObject *func)
/*[clinic end generated code: output=6a14813faceecab7 input=e009ea03cb7dedd3]*/
{
    return atomicref_update(self, func, NULL, 1);
}

/*[clinic input]
AtomicRef.get_and_accumulate

    x: object
    func: object
    /

Replace the value v with func(v, x) atomically; return the old value.

func may be called more than once if other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
AtomicRef_get_and_accumulate_impl(PyAtomicRefObject *self, PyObject *x,
                                  PyObject *func)
/*[clinic end generated code: output=aada15d7d4bc49b0 input=e36dc127f0e30cc6]*/
{
    return atomicref_update(self, func, x, 0);
}

/*[clinic input]
AtomicRef.accumulate_and_get

    x: object
    func: object
    /

Replace the value v with func(v, x) atomically; return the new value.

func may be called more than once if other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
AtomicRef_accumulate_and_get_impl(PyAtomicRefObject *self, PyObject *x,
                                  PyObject *func)
/*[clinic end generated code: output=6a83064f5d6c72d3 input=b12bc64dcf336af5]*/
{
    return atomicref_update(self, func, x, 1);
}

/*[clinic input]
AtomicRef.handle

Return a handle to this atomic reference for the calling thread.

The handle is a new AtomicRef object that shares this one's value: every
operation on it acts on this reference.  It is meant to be created and
used by one thread: on the free-threaded build, using a shared object
from several threads contends on that object's reference count, using
per-thread handles does not.
[clinic start generated code]*/

static PyObject *
AtomicRef_handle_impl(PyAtomicRefObject *self)
/*[clinic end generated code: output=78002550c327fd87 input=6663a41eb5d94918]*/
{
    PyObject *root = self->owner != NULL ? self->owner : (PyObject *)self;
    PyTypeObject *type = Py_TYPE(root);
    PyAtomicRefObject *h = (PyAtomicRefObject *)type->tp_alloc(type, 0);
    if (h == NULL) {
        return NULL;
    }
    PyAtomicRefField_Init(&h->field, NULL);
    h->owner = Py_NewRef(root);
    h->ref = _PyAtomicRef_CAST(root)->ref;
    return (PyObject *)h;
}

/*[clinic input]
AtomicRef.__reduce__

Refuse pickling and copying.
[clinic start generated code]*/

static PyObject *
AtomicRef___reduce___impl(PyAtomicRefObject *self)
/*[clinic end generated code: output=47a3fc4bae37ed06 input=d27202c4552e0bb4]*/
{
    PyErr_Format(PyExc_TypeError,
                 "cannot pickle or copy '%.100s' object: an atomic "
                 "reference is shared state; pickle or copy its get() "
                 "value and make a new one",
                 Py_TYPE(self)->tp_name);
    return NULL;
}

static PyObject *
atomicref_repr(PyObject *op)
{
    PyAtomicRefObject *self = _PyAtomicRef_CAST(op);
    PyObject *value = PyAtomicRefField_Get(self->ref);
    int r = Py_ReprEnter(op);
    if (r != 0) {
        Py_XDECREF(value);
        return r > 0 ? PyUnicode_FromFormat("%s(...)", Py_TYPE(op)->tp_name)
                     : NULL;
    }
    PyObject *res = PyUnicode_FromFormat("%s(%R)", Py_TYPE(op)->tp_name,
                                         value ? value : Py_None);
    Py_ReprLeave(op);
    Py_XDECREF(value);
    return res;
}

static int
atomicref_traverse(PyObject *op, visitproc visit, void *arg)
{
    PyAtomicRefObject *self = _PyAtomicRef_CAST(op);
    Py_VISIT(self->owner);
    return PyAtomicRefField_Traverse(&self->field, visit, arg);
}

static int
atomicref_clear(PyObject *op)
{
    PyAtomicRefObject *self = _PyAtomicRef_CAST(op);
    // A handle keeps its owner until it dies: its ref points into it.
    PyAtomicRefField_Clear(&self->field);
    return 0;
}

static void
atomicref_dealloc(PyObject *op)
{
    PyAtomicRefObject *self = _PyAtomicRef_CAST(op);
    PyObject_GC_UnTrack(op);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    PyAtomicRefField_Clear(&self->field);
    Py_XDECREF(self->owner);
    Py_TYPE(op)->tp_free(op);
}

static PyMethodDef atomicref_methods[] = {
    ATOMICREF_GET_METHODDEF
    ATOMICREF_SET_METHODDEF
    ATOMICREF_EXCHANGE_METHODDEF
    ATOMICREF_COMPARE_AND_SET_METHODDEF
    ATOMICREF_COMPARE_EXCHANGE_METHODDEF
    ATOMICREF_GET_AND_UPDATE_METHODDEF
    ATOMICREF_UPDATE_AND_GET_METHODDEF
    ATOMICREF_GET_AND_ACCUMULATE_METHODDEF
    ATOMICREF_ACCUMULATE_AND_GET_METHODDEF
    ATOMICREF_HANDLE_METHODDEF
    ATOMICREF___REDUCE___METHODDEF
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS,
     PyDoc_STR("See PEP 585")},
    {NULL, NULL}
};

PyTypeObject PyAtomicRef_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "atomics.AtomicRef",
    .tp_basicsize = sizeof(PyAtomicRefObject),
    .tp_dealloc = atomicref_dealloc,
    .tp_repr = atomicref_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .tp_doc = atomicref_init__doc__,
    .tp_traverse = atomicref_traverse,
    .tp_clear = atomicref_clear,
    .tp_weaklistoffset = offsetof(PyAtomicRefObject, weakreflist),
    .tp_methods = atomicref_methods,
    .tp_init = atomicref_init,
    .tp_new = atomicref_new,
    .tp_free = PyObject_GC_Del,
};
