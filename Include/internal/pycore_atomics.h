// Internal support for the atomics module (Modules/_atomics) that is not
// part of the atomic reference API of Include/cpython/atomicref.h.
#ifndef Py_INTERNAL_ATOMICS_H
#define Py_INTERNAL_ATOMICS_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef Py_BUILD_CORE
#  error "this header requires Py_BUILD_CORE define"
#endif

#include "pycore_object.h"        // _Py_XGetRef(), _PyObject_SetMaybeWeakref()


/* Lock-free slots of object pointers.

   A slot (a PyObject * that threads replace concurrently) holds a strong
   reference.  Writers store values taken with _PyAtomic_Publish() and
   release the reference to the value they replaced as usual (Py_DECREF);
   readers load the pointer and take a strong reference with
   _PyAtomic_TryIncrefCompare(), starting over if it fails.  This is the
   read protocol of Objects/atomicrefobject.c (whose top comment argues
   it), for the other lock-free structures of the fork (AtomicDict's value
   slots).  The functions are out of line, so that a shared extension
   built with Py_REF_DEBUG can call them. */

// Try to take a strong reference to value, just loaded from *slot: fails
// (returns 0) if the value's count says it may be dying or if *slot no
// longer holds it.  Upstream's _Py_TryIncrefCompare().
// Export for '_atomics' shared extension.
PyAPI_FUNC(int) _PyAtomic_TryIncrefCompare(PyObject **slot, PyObject *value);

// Try to take a strong reference to an object that may be dying (its
// memory is still that of an object, as QSBR guarantees); the caller then
// checks that what it loaded it from still holds it.  Upstream's
// _Py_TryIncref().
PyAPI_FUNC(int) _PyAtomic_TryIncref(PyObject *op);

// Return a new reference to value (which may be NULL) to be stored into a
// slot.  On the free-threaded build the value is first marked so that
// readers on other threads can always take a shared reference to it
// (_PyObject_SetMaybeWeakref(): without it, an object owned by another
// thread with a zero shared count cannot be try-incremented).
static inline PyObject *
_PyAtomic_Publish(PyObject *value)
{
    if (value == NULL) {
        return NULL;
    }
#ifdef Py_GIL_DISABLED
    _PyObject_SetMaybeWeakref(value);
#endif
    return Py_NewRef(value);
}

// The same, for a slot that threads overwrite each other's values in:
// return value (which may be NULL) with the slot's reference counted in
// its shared reference count, as another thread's would be; the slot
// releases it with _PyAtomic_ReleaseShared().  On the free-threaded
// build, a reference that its owner takes counts in the owner's local
// count; when another thread releases it from a shared count of zero,
// the object is queued to its owner to merge its counts (biased
// reference counting), and from then on every reference the owner takes
// is an atomic operation.  A value written by one thread and replaced by
// another (AtomicDict's values) avoids that.  Any reference may still be
// released with Py_DECREF() (it is correct, only slower), and one taken
// otherwise with _PyAtomic_ReleaseShared().  Plain Py_NewRef() and
// Py_DECREF() on the default build.  With try_incref_shared() of
// Objects/atomicrefobject.c, these are the fork's only code outside
// pycore_object.h that knows the layout of ob_ref_shared.
// Export for '_atomics' shared extension.
PyAPI_FUNC(PyObject *) _PyAtomic_PublishShared(PyObject *value);
PyAPI_FUNC(void) _PyAtomic_ReleaseShared(PyObject *value);

/* Deferred release (QSBR).

   A lock-free structure that unlinks something readers may still be using
   (a replaced value that borrowed readers may hold, a resized table)
   retires it into a _PyAtomic_RetireList: it is released once every
   thread has passed a quiescent state after the retirement.  Writes to the
   structure count (_PyAtomic_RetireTick(), or a retirement itself) and
   release what is due at an O(1) amortized cost per write, and every
   garbage collection releases what is due in every list of its
   interpreter; the structure's tp_clear/dealloc calls
   _PyAtomic_RetireClear().  On the default build everything is released
   at once.  Python/atomics.c's top comment argues when each path of
   release is taken and why it is safe. */

typedef struct _PyAtomic_retired _PyAtomic_retired;

typedef struct _PyAtomic_RetireList {
    _PyAtomic_retired *head;    // a stack: push one, take all (no ABA)
    Py_ssize_t pending;         // nodes on the stack
    Py_ssize_t writes;          // writes since the last reclamation
    Py_ssize_t kept;            // nodes the last reclamation left, not due
    uint8_t reclaiming;         // try-lock of the reclaiming thread
    // On the collector's list of lists that hold something: linked at
    // a retirement, unlinked by a collection that empties the list and
    // by _PyAtomic_RetireClear().
    uint8_t registered;
    PyInterpreterState *interp;     // whose collector looks at it
    struct _PyAtomic_RetireList *reg_prev, *reg_next;
} _PyAtomic_RetireList;

// Hand ptr to the list: release(ptr) is called (Py_DECREF(ptr) if release
// is NULL) once every thread has passed a quiescent state after this call,
// from a later write to the list's structure, from the next garbage
// collection or from _PyAtomic_RetireClear.  Counts as a write.  Never
// fails: out of memory, it waits for a grace period
// (_PyAtomic_Synchronize()) and releases at once.  release may run
// arbitrary code (it runs after every lock of the list is released).
// Export for '_atomics' shared extension.
PyAPI_FUNC(void) _PyAtomic_Retire(_PyAtomic_RetireList *list, void *ptr,
                                  void (*release)(void *));

// Count a write to the list's structure; release what is due.
PyAPI_FUNC(void) _PyAtomic_RetireTick(_PyAtomic_RetireList *list);

// Release what is due now, whatever the count of writes: what was retired
// before every other thread last passed a quiescent state (everything, when
// no other thread is running Python code).  For a structure that retires
// rarely, and whose retired pointers own much (a table, say).
// Export for '_atomics' shared extension.
PyAPI_FUNC(void) _PyAtomic_RetireFlush(_PyAtomic_RetireList *list);

// Release everything at once; no other thread may use the structure.
// Also takes the list off the collector's list: call it before the
// list's memory is freed (a zeroed list needs nothing else).
PyAPI_FUNC(void) _PyAtomic_RetireClear(_PyAtomic_RetireList *list);

// For the free-threaded garbage collector (Python/gc_free_threading.c):
// with the world stopped, after its QSBR advance, take from every retire
// list of interp what is due (everything retired before the world
// stopped), and return it as a chain for _PyAtomic_ReleaseRetired(),
// which the collector calls once the world runs again (a release may run
// any code).  So nothing retired waits for longer than the next
// collection.  NULL, and nothing to release, on the default build.
extern _PyAtomic_retired *_PyAtomic_TakeRetired(PyInterpreterState *interp);
extern void _PyAtomic_ReleaseRetired(_PyAtomic_retired *due);

// Visit what the retired pointers own, for the garbage collector: an
// object retired with release NULL is visited, any other pointer is given
// to traverse (if not NULL), which visits the objects it owns.  A cycle
// through a retired structure is then found and broken by the owner's
// tp_clear (which calls _PyAtomic_RetireClear()).
PyAPI_FUNC(int) _PyAtomic_RetireTraverse(
    _PyAtomic_RetireList *list, visitproc visit, void *arg,
    int (*traverse)(void *ptr, visitproc visit, void *arg));

// Wait until every other thread of the interpreter has passed a quiescent
// state (QSBR): run Python code up to a bytecode boundary, detached its
// thread state, or ended an atomic-reference read section.  Whatever a
// thread was doing inside one C call when _PyAtomic_Synchronize() was
// called, it has finished by the time it returns.  The calling thread
// must hold an attached thread state and no borrowed pointer protected by
// QSBR; it detaches between polls (so it may let a stop-the-world or a
// garbage collection run, and critical sections it holds are suspended,
// as by a blocking lock).  Nothing to wait for on the default build, where
// the caller holds the GIL.
// Export for '_atomics' shared extension.
PyAPI_FUNC(void) _PyAtomic_Synchronize(void);

// Give the other threads the processor while waiting for one of them:
// round is how many times the caller has waited so far.  Yields the
// processor for the first 100 rounds, then sleeps 50 microseconds (1 ms
// on Windows) a round.  Call it detached, or for a wait that another
// thread ends within a few instructions.
// Export for '_atomics' shared extension.
PyAPI_FUNC(void) _PyAtomic_Pause(int round);

#ifdef __cplusplus
}
#endif
#endif   // !Py_INTERNAL_ATOMICS_H
