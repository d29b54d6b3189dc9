/* Declarations shared by the parts of the _atomics module.

   module.c       module state, exec, the helpers declared here
   atomicint.c    AtomicInt
   atomicbool.c   AtomicBool
   atomiccounter.c AtomicCounter
   atomicdict.c   AtomicDict, its views and iterator, NOT_FOUND

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
    PyTypeObject *atomicdict_keys_type;
    PyTypeObject *atomicdict_values_type;
    PyTypeObject *atomicdict_items_type;
    PyTypeObject *atomicdict_iter_type;
    PyTypeObject *not_found_type;
    PyObject *not_found;            // atomics.NOT_FOUND
    PyObject *mapping_abc;          // collections.abc.Mapping
    Py_ssize_t default_stripes;     // AtomicCounter(): one per CPU, a power of 2
} atomics_state;

extern PyModuleDef _PyAtomics_Module;

static inline atomics_state *
_PyAtomics_GetState(PyObject *module)
{
    void *state = PyModule_GetState(module);
    assert(state != NULL);
    return (atomics_state *)state;
}

static inline atomics_state *
_PyAtomics_FindState(PyTypeObject *tp)
{
    PyObject *mod = PyType_GetModuleByDef(tp, &_PyAtomics_Module);
    assert(mod != NULL);
    return _PyAtomics_GetState(mod);
}

// Argument Clinic's class declarations use clinic_state() to name a type.
#define clinic_state() (_PyAtomics_FindState(type))

extern PyType_Spec _PyAtomics_AtomicIntSpec;
extern PyType_Spec _PyAtomics_AtomicBoolSpec;
extern PyType_Spec _PyAtomics_AtomicCounterSpec;
extern PyType_Spec _PyAtomics_AtomicDictSpec;
extern PyType_Spec _PyAtomics_AtomicDictKeysSpec;
extern PyType_Spec _PyAtomics_AtomicDictValuesSpec;
extern PyType_Spec _PyAtomics_AtomicDictItemsSpec;
extern PyType_Spec _PyAtomics_AtomicDictIterSpec;
extern PyType_Spec _PyAtomics_NotFoundSpec;

#define _PyAtomics_COUNTER_MAX_STRIPES 256


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

#define _PyAtomics_CAST(op) ((atomics_object *)(op))

// The __weaklistoffset__ member every type lists first.
#define ATOMICS_WEAKLIST_MEMBER                                             \
    {"__weaklistoffset__", Py_T_PYSSIZET,                                   \
     offsetof(atomics_object, weakreflist), Py_READONLY}

// Method table entries (with their trailing comma, as Argument Clinic's
// are): __reduce__, refusing pickling and copying.
#define ATOMICS_REDUCE_METHODDEF                                            \
    {"__reduce__", _PyAtomics_RefuseReduce, METH_NOARGS,                    \
     PyDoc_STR("Refuse pickling and copying: the object is shared state.")},

// __class_getitem__, for annotations such as AtomicRef[int].
#define ATOMICS_CLASS_GETITEM_METHODDEF                                     \
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS,             \
     PyDoc_STR("See PEP 585")},

// tp_traverse of every type: its type and its owner.
extern int _PyAtomics_Traverse(PyObject *op, visitproc visit, void *arg);

// The body of every tp_dealloc: untrack, clear weak references, call
// release(op) if not NULL (to free what the type itself owns), drop the
// owner and the type; through the trashcan mechanism, as self_dealloc.
extern void _PyAtomics_Dealloc(PyObject *op, destructor self_dealloc,
                               void (*release)(PyObject *));

// Return a new handle of self: an object of the type of self's owner (or
// of self) whose owner is that object; init(handle, owner) copies the
// pointers into the owner's storage.
extern PyObject *_PyAtomics_NewHandle(PyObject *self,
                                      void (*init)(PyObject *, PyObject *));

extern PyObject *_PyAtomics_RefuseReduce(PyObject *self, PyObject *unused);


/* --- 64-bit integers ----------------------------------------------------- */

// Convert an object with __index__ to int64_t; OverflowError if it does
// not fit.  Returns 0, or -1 with an exception set.
extern int _PyAtomics_AsInt64(PyObject *obj, int64_t *out);

// Set OverflowError for a result that would leave the int64 range and
// return NULL.
extern PyObject *_PyAtomics_OverflowError(void);

static inline int
_PyAtomics_AddOverflows(int64_t a, int64_t b, int64_t *res)
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
