/* Declarations shared by the parts of the _atomics module.

   module.c       module state, exec, the helpers declared here
   atomicint.c    AtomicInt
   atomicbool.c   AtomicBool
   atomiccounter.c AtomicCounter
   atomicdict.c   AtomicDict, its views and iterator, NOT_FOUND
   atomicqueue.c  Queue

   AtomicRef is PyAtomicRef_Type from Objects/atomicrefobject.c. */

#ifndef ATOMICS_MODULE_H
#define ATOMICS_MODULE_H

#ifndef Py_BUILD_CORE_BUILTIN
#  define Py_BUILD_CORE_MODULE 1
#endif

#include "Python.h"
#include "pycore_atomics.h"       // _PyAtomic_Synchronize(), _PyAtomic_Pause()

#include <stddef.h>               // offsetof()


/* --- Module state -------------------------------------------------------- */

typedef struct {
    PyTypeObject *atomicint_type;
    PyTypeObject *atomicbool_type;
    PyTypeObject *atomiccounter_type;
    PyTypeObject *atomicdict_type;
    PyTypeObject *atomicqueue_type;
    PyTypeObject *atomicdict_keys_type;
    PyTypeObject *atomicdict_values_type;
    PyTypeObject *atomicdict_items_type;
    PyTypeObject *atomicdict_iter_type;
    PyTypeObject *not_found_type;
    PyObject *not_found;            // atomics.NOT_FOUND
    PyObject *mapping_abc;          // collections.abc.Mapping
    Py_ssize_t default_stripes;     // AtomicCounter(): CPUs, to a power of 2
} atomics_state;

extern PyModuleDef atomics_module;

static inline atomics_state *
atomics_get_state(PyObject *module)
{
    void *state = PyModule_GetState(module);
    assert(state != NULL);
    return (atomics_state *)state;
}

static inline atomics_state *
atomics_find_state(PyTypeObject *tp)
{
    PyObject *mod = PyType_GetModuleByDef(tp, &atomics_module);
    assert(mod != NULL);
    return atomics_get_state(mod);
}

// Argument Clinic's class declarations use clinic_state() to name a type.
#define clinic_state() (atomics_find_state(type))

extern PyType_Spec atomics_int_spec;
extern PyType_Spec atomics_bool_spec;
extern PyType_Spec atomics_counter_spec;
extern PyType_Spec atomics_dict_spec;
extern PyType_Spec atomics_queue_spec;
extern PyType_Spec atomics_dictkeys_spec;
extern PyType_Spec atomics_dictvalues_spec;
extern PyType_Spec atomics_dictitems_spec;
extern PyType_Spec atomics_dictiter_spec;
extern PyType_Spec atomics_notfound_spec;

#define ATOMICS_COUNTER_MAX_STRIPES 256

// The size of a cache line, for the padding that keeps a value that
// threads write off the lines that they only read (64 bytes on the
// processors CPython supports that have free-threading; larger lines
// only make the padding less effective, never incorrect).
#define ATOMICS_CACHE_LINE 64

// Ask for the cache line at p in a state that lets this thread write it
// (a hint: no effect on what the program does).  A thread about to load a
// line and then compare-and-swap a word of it, where another thread wrote
// the line last, otherwise fetches it twice: shared for the load, then
// exclusive for the compare-and-swap, a second round trip to the other
// core.  x86 has the instruction (PREFETCHW) only where CPUID says so
// (atomics_exec() asks once); elsewhere it is the compiler's prefetch
// for writing, or nothing.
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
extern int atomics_have_prefetchw;

static inline void
atomics_prefetch_write(const void *p)
{
    if (_Py_atomic_load_int_relaxed(&atomics_have_prefetchw)) {
        __asm__ volatile ("prefetchw %0" : : "m" (*(const char *)p));
    }
}
#elif defined(__GNUC__) || defined(__clang__)
#  define atomics_prefetch_write(p) __builtin_prefetch((p), 1, 3)
#else
#  define atomics_prefetch_write(p) ((void)(p))
#endif

// Tell the processor this thread is spinning on a location another thread
// will change (a hint: no effect on what the program does).  On x86 PAUSE
// holds the thread's loads back for a while instead of issuing them as
// fast as the loop runs, and each load of a line that the other thread is
// writing takes the line away from it; on ARM, YIELD gives the core to
// another hardware thread.
#if (defined(__GNUC__) || defined(__clang__)) \
    && (defined(__x86_64__) || defined(__i386__))
#  define atomics_cpu_relax() __builtin_ia32_pause()
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
#  define atomics_cpu_relax() __asm__ volatile ("yield" ::: "memory")
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#  include <intrin.h>
#  define atomics_cpu_relax() _mm_pause()
#else
#  define atomics_cpu_relax() ((void)0)
#endif


/* --- The common object header --------------------------------------------

   Every type of this module starts with this header.  handle() returns a
   new object of the same type that points at the storage of the object it
   was made from (its owner) and keeps the owner alive until it dies: a
   handle never drops its owner early, not even in tp_clear, because its
   pointers lead into the owner.  An owner is never itself a handle. */

typedef struct {
    PyObject_HEAD
    PyObject *owner;            // NULL, or the object this is a handle of
    PyObject *weakreflist;
} atomics_object;

#define ATOMICS_CAST(op) ((atomics_object *)(op))

// The __weaklistoffset__ member every type lists first.
#define ATOMICS_WEAKLIST_MEMBER                                             \
    {"__weaklistoffset__", Py_T_PYSSIZET,                                   \
     offsetof(atomics_object, weakreflist), Py_READONLY}

// Method table entries (with their trailing comma, as Argument Clinic's
// are): __reduce__, refusing pickling and copying.
#define ATOMICS_REDUCE_METHODDEF                                            \
    {"__reduce__", atomics_refuse_reduce, METH_NOARGS,                    \
     PyDoc_STR("Refuse pickling and copying: the object is shared state.")},

// __class_getitem__, for annotations such as AtomicRef[int].
#define ATOMICS_CLASS_GETITEM_METHODDEF                                     \
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS,             \
     PyDoc_STR("See PEP 585")},

// tp_traverse of every type: its type and its owner.
extern int atomics_object_traverse(PyObject *op, visitproc visit, void *arg);

// The body of every tp_dealloc: untrack, clear weak references, call
// release(op) if not NULL (to free what the type itself owns), drop the
// owner and the type; through the trashcan mechanism, as self_dealloc.
extern void atomics_object_dealloc(PyObject *op, destructor self_dealloc,
                               void (*release)(PyObject *));

// Return a new handle of self: an object of the type of self's owner (or
// of self) whose owner is that object; init(handle, owner) copies the
// pointers into the owner's storage.
extern PyObject *atomics_new_handle(PyObject *self,
                                      void (*init)(PyObject *, PyObject *));

extern PyObject *atomics_refuse_reduce(PyObject *self, PyObject *unused);


/* --- 64-bit integers ----------------------------------------------------- */

// Convert an object with __index__ to int64_t; OverflowError if it does
// not fit.  Returns 0, or -1 with an exception set.
extern int atomics_as_int64(PyObject *obj, int64_t *out);

// Set OverflowError for a result that would leave the int64 range and
// return NULL.
extern PyObject *atomics_overflow_error(void);

static inline int
atomics_add_overflows(int64_t a, int64_t b, int64_t *res)
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

#endif  // ATOMICS_MODULE_H
