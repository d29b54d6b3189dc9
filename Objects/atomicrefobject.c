/* Atomic object references (PyAtomicRefField and atomics.AtomicRef)

   A PyAtomicRefField holds a strong reference that threads read and
   replace concurrently.  On the free-threaded build no operation takes a
   lock:

   - Get loads the pointer and tries to increment the reference count of
     the object it points to, then checks that the field still points to
     it (as upstream's _Py_XGetRef() does).  If the object was replaced
     and freed in between, its memory still belongs to the object heap
     (mimalloc pages are returned to the OS only after a QSBR grace
     period), so the try-incref reads a reference count field that is
     zero, merged, or belongs to a new object of the same size class; the
     re-check then fails and the reference is dropped.  This is the scheme
     of list_get_item_ref() and of the dict lookup in Objects/dictobject.c.
     Its compare-and-swap can lose to another thread changing the count;
     the first time that happens in a field, the field switches to
     deferred release (below) for good, and Get becomes a load and a
     plain increment (Py_NewRef()), which never fails: under contention
     that takes the count's cache line once per read instead of up to
     three times.  (A backoff after a lost compare-and-swap, tried
     before, made tight C loops faster and Python loops slower.)
   - Every value a writer publishes is first marked maybe-weakref
     (_PyAtomic_Publish()), so that readers on other threads can always
     take a shared reference to it: without the flag an object owned by
     another thread with a zero shared count cannot be try-incref'd and a
     reader would spin.
   - Set and Exchange swap the pointer with one atomic exchange;
     CompareExchange is one pointer compare-and-swap.  The writer owns the
     field's reference to the old value after the swap.

   Deferred release.  Borrowed reads (PyUnstable_AtomicRefField_GetBorrowed)
   take no reference at all, and strong reads of a contended field take
   one only after loading the pointer.  The first such read of a field
   sets a flag in the field (DEFERRED_RELEASE, the low bit of _retired).
   Writers check it after their swap: if set, the field's reference to the
   replaced value is not released at once but retired: pushed on the
   field's retired list with a QSBR goal, and released once every thread
   has passed a quiescent state.  A reader cannot pass a quiescent state
   inside its read section or between its load and its increment (it runs
   no Python code and stays attached), so a value it loaded stays alive
   until then.  The flag store and the writers' flag load are both
   sequentially consistent with the value exchange, Dekker style: either
   a writer sees the flag, or the reader's value load comes after the
   writer's swap and never sees the old value.

   How a retired value is released, and when (a later write to the field,
   the next garbage collection, or PyAtomicRefField_Clear), is the
   subject of Python/atomics.c, which holds the retire lists the fork's
   structures share.  The end of an outermost read section is a quiescent
   state of the reader (it holds no borrowed value from then on), so a
   reader that does many short sections in a C loop, never running Python
   code, does not hold reclamation up.

   On the default build the GIL serializes everything; the operations are
   plain loads and stores, and a borrowed read section is simply a region
   that keeps the GIL. */

#include "Python.h"
#include "pycore_atomics.h"       // _PyAtomic_Publish()
#include "pycore_pystate.h"       // _PyThreadState_GET()
#ifdef Py_GIL_DISABLED
#  include "pycore_qsbr.h"        // _Py_qsbr_advance()
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


/* --- Read sections ------------------------------------------------------- */

// Nesting depth of the calling thread's read sections.
static _Py_thread_local int read_depth;
#if defined(Py_DEBUG) && defined(Py_GIL_DISABLED)
// The QSBR sequence of the thread when its outermost section began.
static _Py_thread_local uint64_t read_seq;
#endif

#ifdef Py_DEBUG
static inline void
check_not_in_read_section(void)
{
    if (read_depth > 0) {
        Py_FatalError("an atomic reference was written inside a "
                      "PyUnstable_AtomicRef_BeginRead() section");
    }
}
#else
#  define check_not_in_read_section() ((void)0)
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
#  ifdef Py_GIL_DISABLED
    if (read_depth == 0) {
        // Remember the sequence this thread last observed, then advance
        // the shared write sequence: any quiescent state (or detach and
        // re-attach) inside the section then moves the thread's sequence
        // past read_seq, which EndRead detects.
        struct _qsbr_thread_state *qsbr = ((_PyThreadStateImpl *)tstate)->qsbr;
        read_seq = _Py_atomic_load_uint64(&qsbr->seq);
        (void)_Py_qsbr_advance(qsbr->shared);
    }
#  endif
#endif
    read_depth++;
}

void
PyUnstable_AtomicRef_EndRead(void)
{
#ifdef Py_DEBUG
    if (read_depth <= 0) {
        Py_FatalError("PyUnstable_AtomicRef_EndRead() without "
                      "PyUnstable_AtomicRef_BeginRead()");
    }
    if (_PyThreadState_GET() == NULL) {
        Py_FatalError("the thread state was detached inside an atomic "
                      "reference read section");
    }
#endif
    if (read_depth <= 0) {
        // A release build ignores an EndRead without a BeginRead, rather
        // than let it end the next section early (a depth of -1 would
        // report a quiescent state at the inner end of a nested pair).
        return;
    }
    if (--read_depth > 0) {
        return;
    }
#ifdef Py_GIL_DISABLED
    struct _qsbr_thread_state *qsbr =
        ((_PyThreadStateImpl *)_PyThreadState_GET())->qsbr;
#  ifdef Py_DEBUG
    if (_Py_atomic_load_uint64(&qsbr->seq) != read_seq) {
        Py_FatalError("the thread passed a quiescent state (ran Python "
                      "code or detached) inside an atomic reference "
                      "read section: borrowed values may be dangling");
    }
#  endif
    // The thread holds no borrowed value any more: a quiescent state.
    _Py_qsbr_quiescent_state(qsbr);
#endif
}


/* --- Retired values of a field (free-threaded build) --------------------- */

// Set in a field's _retired word by its first borrowed reader or its first
// contended strong reader: writers must retire the values they replace.
#define DEFERRED_RELEASE ((uintptr_t)1)

#ifdef Py_GIL_DISABLED
#define RETIRE_LIST(word) \
    ((_PyAtomic_RetireList *)((word) & ~DEFERRED_RELEASE))

// The retire list of a field whose word is `word`, allocated if need be;
// NULL if out of memory.
static _PyAtomic_RetireList *
get_retire_list(PyAtomicRefField *field, uintptr_t word)
{
    _PyAtomic_RetireList *list = RETIRE_LIST(word);
    if (list != NULL) {
        return list;
    }
    list = PyMem_Calloc(1, sizeof(_PyAtomic_RetireList));
    if (list == NULL) {
        return NULL;
    }
    // Only the flag can be set now; another writer may win the race.
    if (!_Py_atomic_compare_exchange_uintptr(
            &field->_retired, &word, (uintptr_t)list | DEFERRED_RELEASE)) {
        PyMem_Free(list);
        list = RETIRE_LIST(word);
        assert(list != NULL);
    }
    return list;
}

// A write replaced `old` (to which the field's reference passes to us) in
// a field whose word was `word`, with the borrowed-readers flag set.
static Py_NO_INLINE void
retire(PyAtomicRefField *field, uintptr_t word, PyObject *old)
{
    _PyAtomic_RetireList *list = get_retire_list(field, word);
    if (list == NULL) {
        // Out of memory: wait for a grace period instead.
        _PyAtomic_Synchronize();
        Py_XDECREF(old);
    }
    else if (old != NULL && !_Py_IsImmortal(old)) {
        _PyAtomic_Retire(list, old, NULL);
    }
    else {
        // Writes of immortal values count too.
        _PyAtomic_RetireTick(list);
    }
}

// Release every retired value of a field nobody else uses any more.
static void
clear_retired(PyAtomicRefField *field)
{
    uintptr_t word = _Py_atomic_exchange_uintptr(&field->_retired, 0);
    _PyAtomic_RetireList *list = RETIRE_LIST(word);
    if (list != NULL) {
        _PyAtomic_RetireClear(list);
        PyMem_Free(list);
    }
}
#endif  /* Py_GIL_DISABLED */

// Give up the field's reference to a value just replaced.
static inline void
release_replaced(PyAtomicRefField *field, PyObject *old)
{
#ifdef Py_GIL_DISABLED
    // Sequentially consistent, after the swap: see the comment at the top.
    uintptr_t word = _Py_atomic_load_uintptr(&field->_retired);
    if (word & DEFERRED_RELEASE) {
        retire(field, word, old);
        return;
    }
#endif
    Py_XDECREF(old);
}


/* --- Strong reads (free-threaded build) ---------------------------------- */

#ifdef Py_GIL_DISABLED
/* One attempt to increment the shared reference count of op, as upstream's
   _Py_TryIncRefShared() (Include/internal/pycore_object.h; the same in
   3.13.5 and 3.14.0) does in a loop.  With _PyAtomic_PublishShared() of
   Python/atomics.c, the only code outside that header that knows the
   layout of ob_ref_shared.  Returns 1 if it
   incremented the count; 0 if the count says op may be dying (zero
   without the maybe-weakref flag, or merged); -1 if another thread changed
   the count between the load and the compare-and-swap (contention). */
static inline int
try_incref_shared(PyObject *op)
{
    Py_ssize_t shared = _Py_atomic_load_ssize_relaxed(&op->ob_ref_shared);
    if (shared == 0 || shared == _Py_REF_MERGED) {
        return 0;
    }
    if (!_Py_atomic_compare_exchange_ssize(
            &op->ob_ref_shared, &shared,
            shared + (1 << _Py_REF_SHARED_SHIFT))) {
        return -1;
    }
#ifdef Py_REF_DEBUG
    _Py_IncRefTotal(_PyThreadState_GET());
#endif
    return 1;
}

/* The strong read (see "Get" in the top comment).  A field starts with
   the compare-and-swap protocol, which lets writers release a replaced
   value at once.  The first time a reader loses the compare-and-swap on
   a value's count to another thread, it sets DEFERRED_RELEASE in the
   field, for good: from then on readers take their reference with a plain
   increment (Py_NewRef(), an atomic add that never fails: what an
   unlocked read of a plain field costs) and writers retire replaced
   values (as for borrowed readers), so that no value is released while a
   reader is between its load and its increment (no quiescent state can
   come in between).  Contended fields so read as fast as Py_NewRef() of
   the same value allows; uncontended ones keep the immediate release. */
static inline PyObject *
get_strong(PyAtomicRefField *field)
{
    for (;;) {
        // Both sequentially consistent, flag first: as for borrowed reads.
        uintptr_t word = _Py_atomic_load_uintptr(&field->_retired);
        PyObject *value = _Py_atomic_load_ptr(&field->_value);
        if (word & DEFERRED_RELEASE) {
            return Py_XNewRef(value);
        }
        if (value == NULL) {
            return NULL;
        }
        int r = _Py_TryIncrefFast(value) ? 1 : try_incref_shared(value);
        if (r > 0) {
            if (value == _Py_atomic_load_ptr(&field->_value)) {
                return value;
            }
            Py_DECREF(value);       // replaced meanwhile: start over
        }
        else if (r < 0) {
            _Py_atomic_or_uintptr(&field->_retired, DEFERRED_RELEASE);
        }
    }
}
#endif


/* --- Embeddable form ----------------------------------------------------- */

void
PyAtomicRefField_Init(PyAtomicRefField *field, PyObject *value)
{
    field->_retired = 0;
    // Not yet visible to other threads, but readers of the object that
    // later becomes visible may try-incref the value.
    field->_value = _PyAtomic_Publish(value);
}

PyObject *
PyAtomicRefField_Get(PyAtomicRefField *field)
{
#ifdef Py_GIL_DISABLED
    return get_strong(field);
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
    if ((_Py_atomic_load_uintptr(&field->_retired) & DEFERRED_RELEASE) == 0) {
        _Py_atomic_or_uintptr(&field->_retired, DEFERRED_RELEASE);
    }
    return _Py_atomic_load_ptr(&field->_value);
#else
    return field->_value;
#endif
}

PyObject *
PyAtomicRefField_Exchange(PyAtomicRefField *field, PyObject *value)
{
    check_not_in_read_section();
    value = _PyAtomic_Publish(value);
#ifdef Py_GIL_DISABLED
    PyObject *old = _Py_atomic_exchange_ptr(&field->_value, value);
    uintptr_t word = _Py_atomic_load_uintptr(&field->_retired);
    if (word & DEFERRED_RELEASE) {
        // The caller may drop the result at once: it gets its own
        // reference, and the field's one waits for the grace period.
        retire(field, word, Py_XNewRef(old));
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
    check_not_in_read_section();
    value = _PyAtomic_Publish(value);
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
    check_not_in_read_section();
#ifdef Py_GIL_DISABLED
    desired = _PyAtomic_Publish(desired);
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
        PyObject *current = get_strong(field);
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
    check_not_in_read_section();
#ifdef Py_GIL_DISABLED
    clear_retired(field);
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
    _PyAtomic_RetireList *list = RETIRE_LIST(
        _Py_atomic_load_uintptr_relaxed(&field->_retired));
    if (list != NULL) {
        int r = _PyAtomic_RetireTraverse(list, visit, arg, NULL);
        if (r != 0) {
            return r;
        }
    }
    // The garbage collector stops the world: nothing changes under us.
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

// An atomic reference is empty only after tp_clear (see atomicref_clear):
// code that a garbage collection runs (finalizers, weak reference
// callbacks) can still reach it.
static PyObject *
err_empty(PyObject *ref)
{
    PyErr_Format(PyExc_ValueError,
                 "%.100s is empty: it was cleared by the garbage collector",
                 Py_TYPE(ref)->tp_name);
    return NULL;
}

static PyObject *
get_value(PyAtomicRefObject *self, PyAtomicRefField *field)
{
    PyObject *value = PyAtomicRefField_Get(field);
    if (value == NULL) {
        return err_empty((PyObject *)self);
    }
    return value;
}

// Exchange that leaves an empty reference empty (and fails): a compare-
// and-swap loop over the current value.
static PyObject *
exchange_value(PyAtomicRefObject *self, PyObject *value)
{
    PyObject *current = get_value(self, self->ref);
    while (current != NULL) {
        PyObject *seen;
        if (PyAtomicRefField_CompareExchange(self->ref, current, value,
                                             &seen)) {
            Py_DECREF(seen);        // current, whose reference we keep
            return current;
        }
        Py_SETREF(current, seen);
        if (current == NULL) {
            return err_empty((PyObject *)self);
        }
    }
    return NULL;
}

// Compare-exchange with non-NULL expected and desired: 1 if swapped, 0 if
// not, -1 (ValueError) if empty.  *actual as for the field.
static int
compare_exchange_value(PyAtomicRefObject *self, PyObject *expected,
                       PyObject *desired, PyObject **actual)
{
    PyObject *seen;
    int r = PyAtomicRefField_CompareExchange(self->ref, expected, desired,
                                             &seen);
    if (seen == NULL) {
        err_empty((PyObject *)self);
        return -1;
    }
    if (actual != NULL) {
        *actual = seen;
    }
    else {
        Py_DECREF(seen);
    }
    return r;
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
    PyAtomicRefObject *self = _PyAtomicRef_CAST(ref);
    return get_value(self, self->ref);
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
    return exchange_value(_PyAtomicRef_CAST(ref), value);
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
    return compare_exchange_value(_PyAtomicRef_CAST(ref), expected,
                                  desired, actual);
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
        return get_value(self, &self->field);
    }
    return get_value(self, self->ref);
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
    return exchange_value(self, value);
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
    int r = compare_exchange_value(self, expected, desired, NULL);
    return r < 0 ? NULL : PyBool_FromLong(r);
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
    if (compare_exchange_value(self, expected, desired, &actual) < 0) {
        return NULL;
    }
    return actual;
}

// Compare-and-swap loop for the functional updates.  func is called with
// the current value (and x); it may be called several times when other
// threads change the value meanwhile.
static PyObject *
atomicref_update(PyAtomicRefObject *self, PyObject *func, PyObject *x,
                 int return_new)
{
    PyObject *current = get_value(self, self->ref);
    while (current != NULL) {
        PyObject *args[2] = {current, x};
        PyObject *new = PyObject_Vectorcall(func, args, x ? 2 : 1, NULL);
        if (new == NULL) {
            Py_DECREF(current);
            return NULL;
        }
        PyObject *seen;
        int r = compare_exchange_value(self, current, new, &seen);
        if (r > 0) {
            Py_DECREF(seen);
            if (return_new) {
                Py_DECREF(current);
                return new;
            }
            Py_DECREF(new);
            return current;
        }
        Py_DECREF(new);
        Py_DECREF(current);
        if (r < 0) {
            return NULL;
        }
        current = seen;
    }
    return NULL;
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

Replace the value v with func(v, x); return the old value.

func may be called more than once if other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
AtomicRef_get_and_accumulate_impl(PyAtomicRefObject *self, PyObject *x,
                                  PyObject *func)
/*[clinic end generated code: output=aada15d7d4bc49b0 input=3bf38653b5a738be]*/
{
    return atomicref_update(self, func, x, 0);
}

/*[clinic input]
AtomicRef.accumulate_and_get

    x: object
    func: object
    /

Replace the value v with func(v, x); return the new value.

func may be called more than once if other threads change the value
concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
AtomicRef_accumulate_and_get_impl(PyAtomicRefObject *self, PyObject *x,
                                  PyObject *func)
/*[clinic end generated code: output=6a83064f5d6c72d3 input=f9cf0b107e969b14]*/
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
    PyObject *res = value != NULL
        ? PyUnicode_FromFormat("%s(%R)", Py_TYPE(op)->tp_name, value)
        : PyUnicode_FromFormat("%s(<empty>)", Py_TYPE(op)->tp_name);
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
    // A chain of references (each holding the next) is freed without
    // recursing once per link.
    Py_TRASHCAN_BEGIN(op, atomicref_dealloc)
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    PyAtomicRefField_Clear(&self->field);
    Py_XDECREF(self->owner);
    Py_TYPE(op)->tp_free(op);
    Py_TRASHCAN_END
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
