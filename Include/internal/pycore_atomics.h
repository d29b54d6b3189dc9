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
   readers take a strong reference with _PyAtomic_LoadStrong().  This is
   the read protocol of Objects/atomicrefobject.c (whose top comment
   argues it), for other lock-free structures of the fork (AtomicDict's
   value slots); PyAtomicRefField adds borrowed reads on top. */

// Return a new reference to the value of *slot, or NULL if it is NULL.
// On the free-threaded build: load the pointer, try to increment the
// value's reference count (failing if the count says the object is
// dying), then check that the slot still holds it; start over if not.
// This is upstream's _Py_XGetRef() (Include/internal/pycore_object.h;
// the try-increment is _Py_TryIncrefCompare() and _Py_TryIncRefShared()),
// the one place that knows the layout of the reference count fields.
// Checked against 3.13.5 and 3.14.0.
static inline PyObject *
_PyAtomic_LoadStrong(PyObject **slot)
{
#ifdef Py_GIL_DISABLED
    return _Py_XGetRef(slot);
#else
    return Py_XNewRef(*slot);
#endif
}

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

#ifdef __cplusplus
}
#endif
#endif   // !Py_INTERNAL_ATOMICS_H
