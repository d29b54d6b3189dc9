/* Atomic object references: PyAtomicRef and PyAtomicRefField */

#ifndef Py_LIMITED_API
#ifndef Py_ATOMICREF_H
#define Py_ATOMICREF_H
#ifdef __cplusplus
extern "C" {
#endif

/* An atomic reference is a slot holding a strong reference to a Python
   object that any number of threads may read and replace concurrently.

   The API is the same on the default (GIL) build and on the free-threaded
   build.  On the free-threaded build, reads (Get), Exchange and
   CompareExchange take no lock.

   Memory ordering: every operation is sequentially consistent.  All
   operations on all atomic references form a single total order that
   agrees with the program order of each thread.  A Set, Exchange or
   successful CompareExchange that stores a value happens-before any
   operation that reads that value, so whatever the writing thread did
   before storing (for example, initializing the object) is visible to the
   reading thread.

   Two forms exist:

   - PyAtomicRefField is embeddable: a field inside an extension's own
     object or C structure.  Its functions never fail and never set an
     exception.  A field may be empty (NULL).
   - PyAtomicRef_Type ("atomics.AtomicRef") is a Python object built on a
     PyAtomicRefField.  It is never empty.  Its functions check their
     arguments and report errors the usual way (NULL or -1 with an
     exception set).

   No function steals a reference; values passed in are borrowed and the
   atomic reference takes its own.  Functions that return an object return
   a new (strong) reference. */


/* --- Embeddable form ----------------------------------------------------- */

typedef struct {
    /* Private: use only through the functions below. */
    PyObject *_value;
    uintptr_t _retired;
} PyAtomicRefField;

/* Static initializer of an empty field. */
#define PyAtomicRefField_INIT {NULL, 0}

/* Initialize a field that no other thread can see yet, storing a new
   reference to value (which may be NULL: empty). */
PyAPI_FUNC(void) PyAtomicRefField_Init(PyAtomicRefField *field,
                                       PyObject *value);

/* Return a new reference to the current value, or NULL if the field is
   empty.  Never sets an exception.  On the free-threaded build, once
   strong readers of a field contend on the reference count of its value,
   the field's writers release the values they replace only after every
   thread has passed a quiescent state, as for borrowed readers (see
   below); an uncontended field's writers release them at once. */
PyAPI_FUNC(PyObject *) PyAtomicRefField_Get(PyAtomicRefField *field);

/* Store a new reference to value (NULL empties the field) and release the
   reference to the previous value (at once, or deferred, see
   PyAtomicRefField_Get).  Releasing references may run arbitrary code (a
   finalizer) before the function returns. */
PyAPI_FUNC(void) PyAtomicRefField_Set(PyAtomicRefField *field,
                                      PyObject *value);

/* Store a new reference to value and return the previous value (a new
   reference, or NULL if the field was empty). */
PyAPI_FUNC(PyObject *) PyAtomicRefField_Exchange(PyAtomicRefField *field,
                                                 PyObject *value);

/* If the field holds expected (identity comparison; NULL means empty),
   replace it with desired (NULL empties the field) and return 1;
   otherwise leave the field unchanged and return 0.  If actual is not
   NULL, *actual receives a new reference to the value the field held when
   the operation took effect (expected on success, the value that made it
   fail otherwise; NULL if the field was empty), read atomically with the
   comparison, so a retry loop needs no second read. */
PyAPI_FUNC(int) PyAtomicRefField_CompareExchange(PyAtomicRefField *field,
                                                 PyObject *expected,
                                                 PyObject *desired,
                                                 PyObject **actual);

/* Empty the field and release every reference it holds, for tp_clear and
   tp_dealloc.  No other thread may use the field concurrently. */
PyAPI_FUNC(void) PyAtomicRefField_Clear(PyAtomicRefField *field);

/* Visit every reference the field holds, for tp_traverse.  Returns the
   first non-zero result of visit, else 0. */
PyAPI_FUNC(int) PyAtomicRefField_Traverse(PyAtomicRefField *field,
                                          visitproc visit, void *arg);


/* --- Borrowed reads (unstable API) --------------------------------------- */

/* A strong read (PyAtomicRefField_Get) increments the value's reference
   count, so threads reading one shared value contend on that count.
   A borrowed read touches no shared cache line.  It is valid only inside a
   read section:

       PyUnstable_AtomicRef_BeginRead();
       PyObject *v = PyUnstable_AtomicRefField_GetBorrowed(&self->field);
       ... use v: the pointer stays valid until EndRead ...
       PyUnstable_AtomicRef_EndRead();

   Inside a read section the calling thread must hold an attached thread
   state and must not: run Python code or call anything that may (including
   Py_DECREF of an object that may die, PyObject_* protocols on arbitrary
   objects, and allocating an object that the garbage collector tracks,
   which may start a collection); release the GIL or detach its thread state
   (Py_BEGIN_ALLOW_THREADS, blocking locks); write any atomic reference.
   Read-only C access to the borrowed objects (type checks, reading
   immutable data such as an int's value or a str's characters, pointer
   comparisons) is allowed, and so is taking a strong reference with
   Py_NewRef() to keep a value beyond the section.  Sections may nest.
   The object holding the field must be kept alive by the caller.

   The end of an outermost section is a quiescent state of the thread:
   it tells writers that the thread holds no borrowed value any more.

   On the free-threaded build, once a field has been read this way (or
   by contended strong reads),
   writers hand the values they replace to a delayed release that happens
   only after every thread has passed a quiescent state (QSBR): ended its
   read section, run Python code or detached its thread state.  Writes to
   the field release what is due at an amortized constant cost per write
   (after max(16, n) writes, n being what the last release left waiting:
   what waits is bounded by what was replaced within about one grace
   period, not by the number of writes), every garbage collection releases
   what is due in every field, and PyAtomicRefField_Clear releases
   everything.  A thread that stays attached without passing a quiescent
   state (a long C computation) delays the release.  On the GIL build the
   section is the GIL itself.
   A debug build (Py_DEBUG) aborts with a fatal error on a borrowed read
   outside a section, on a write (Clear included) inside one, on an
   EndRead without a BeginRead, and at EndRead if the thread passed a
   quiescent state inside the section; a release build ignores an EndRead
   without a BeginRead. */
PyAPI_FUNC(void) PyUnstable_AtomicRef_BeginRead(void);
PyAPI_FUNC(void) PyUnstable_AtomicRef_EndRead(void);
#if !defined(Py_DEBUG) && !defined(Py_GIL_DISABLED)
   /* With the GIL and outside debug builds a read section has no run-time
      cost.  The functions exist for the ABI (and for other languages). */
#  define PyUnstable_AtomicRef_BeginRead() ((void)0)
#  define PyUnstable_AtomicRef_EndRead() ((void)0)
#endif
PyAPI_FUNC(PyObject *) PyUnstable_AtomicRefField_GetBorrowed(
    PyAtomicRefField *field);


/* --- The object type ----------------------------------------------------- */

PyAPI_DATA(PyTypeObject) PyAtomicRef_Type;

#define PyAtomicRef_CheckExact(op) Py_IS_TYPE((op), &PyAtomicRef_Type)
#define PyAtomicRef_Check(op) PyObject_TypeCheck((op), &PyAtomicRef_Type)

/* Return a new atomic reference holding value.  value must not be NULL
   (pass Py_None for "nothing"). */
PyAPI_FUNC(PyObject *) PyAtomicRef_New(PyObject *value);

/* The functions below fail with SystemError if ref is not an atomic
   reference.  An atomic reference is empty only after the garbage
   collector cleared it (tp_clear) in a reference cycle, which finalizers
   and weak reference callbacks of the cycle can still see; then the
   functions that read it fail with ValueError and leave it unchanged,
   and PyAtomicRef_Set fills it again. */

/* Return a new reference to the current value, or NULL with an exception
   set. */
PyAPI_FUNC(PyObject *) PyAtomicRef_Get(PyObject *ref);

/* Replace the value; return 0, or -1 with an exception set. */
PyAPI_FUNC(int) PyAtomicRef_Set(PyObject *ref, PyObject *value);

/* Replace the value and return the previous one (a new reference), or
   NULL with an exception set. */
PyAPI_FUNC(PyObject *) PyAtomicRef_Exchange(PyObject *ref, PyObject *value);

/* Like PyAtomicRefField_CompareExchange; returns 1 if swapped, 0 if not,
   -1 with an exception set on error (then *actual is set to NULL). */
PyAPI_FUNC(int) PyAtomicRef_CompareExchange(PyObject *ref,
                                            PyObject *expected,
                                            PyObject *desired,
                                            PyObject **actual);

/* The field inside an atomic reference object (for C code that wants the
   borrowed read on an AtomicRef).  No type check. */
PyAPI_FUNC(PyAtomicRefField *) PyAtomicRef_GetField(PyObject *ref);


#ifdef __cplusplus
}
#endif
#endif /* !Py_ATOMICREF_H */
#endif /* !Py_LIMITED_API */
