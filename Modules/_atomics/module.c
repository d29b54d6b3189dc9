/* _atomics: the C implementation of the atomics module.

   AtomicInt and AtomicBool are cells of one 64-bit (or 8-bit) integer
   updated with the atomic operations of Include/cpython/pyatomic.h; every
   operation is sequentially consistent.  AtomicCounter is a striped
   counter (Java's LongAdder).  AtomicRef is PyAtomicRef_Type from
   Objects/atomicrefobject.c.  Each type has a file of its own; this one
   holds the module (state, exec, slots) and the helpers every type shares
   (see module.h).

   On the free-threaded build, a Python thread that uses an object loaded
   from a shared place increments that object's shared reference count,
   so threads using one shared atomic contend on its reference count even
   when the atomic operation itself is cheap.  handle() returns a new
   object of the same type that shares the value (it points at the
   owner's storage and keeps the owner alive); created by the thread that
   uses it, its reference count is thread-local.

   What this module uses beyond the public C API: the atomic operations
   on plain integers (the underscore-prefixed functions of
   Include/cpython/pyatomic.h); _PyAtomic_Synchronize() from
   Include/internal/pycore_atomics.h, which waits for every other thread to
   pass a quiescent state (AtomicInt, see "Fast adds" in atomicint.c); and
   the private _PyArg_* helpers that Argument Clinic's parsers call, hence
   Py_BUILD_CORE_MODULE (module.h). */

#include "module.h"


/* --- Helpers shared by the types ----------------------------------------- */

int
atomics_as_int64(PyObject *obj, int64_t *out)
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

PyObject *
atomics_overflow_error(void)
{
    PyErr_SetString(PyExc_OverflowError,
                    "result out of range of a 64-bit signed integer; "
                    "the value was left unchanged");
    return NULL;
}

PyObject *
atomics_refuse_reduce(PyObject *self, PyObject *Py_UNUSED(unused))
{
    PyErr_Format(PyExc_TypeError,
                 "cannot pickle or copy '%.100s' object: it is shared "
                 "state; pickle or copy its value and make a new one",
                 Py_TYPE(self)->tp_name);
    return NULL;
}

int
atomics_object_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(ATOMICS_CAST(op)->owner);
    return 0;
}

void
atomics_object_dealloc(PyObject *op, destructor self_dealloc,
                   void (*release)(PyObject *))
{
    atomics_object *self = ATOMICS_CAST(op);
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    Py_TRASHCAN_BEGIN(op, self_dealloc)
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    if (release != NULL) {
        release(op);
    }
    Py_CLEAR(self->owner);
    tp->tp_free(op);
    Py_DECREF(tp);
    Py_TRASHCAN_END
}

PyObject *
atomics_new_handle(PyObject *self, void (*init)(PyObject *, PyObject *))
{
    PyObject *owner = ATOMICS_CAST(self)->owner;
    PyObject *root = owner != NULL ? owner : self;
    PyTypeObject *type = Py_TYPE(root);
    PyObject *h = type->tp_alloc(type, 0);
    if (h == NULL) {
        return NULL;
    }
    ATOMICS_CAST(h)->owner = Py_NewRef(root);
    init(h, root);
    return h;
}


/* --- Module -------------------------------------------------------------- */

// The default number of AtomicCounter stripes: enough for every CPU, a
// power of two, at most max.  A count that os.cpu_count() does not give as
// an int (None, or whatever a replacement of it returns) leaves 4; one too
// large for a Py_ssize_t, max.
static int
default_stripes(Py_ssize_t max, Py_ssize_t *out)
{
    Py_ssize_t want = 4;
    PyObject *os = PyImport_ImportModule("os");
    if (os == NULL) {
        return -1;
    }
    PyObject *n = PyObject_CallMethod(os, "cpu_count", NULL);
    Py_DECREF(os);
    if (n == NULL) {
        return -1;
    }
    if (PyLong_Check(n)) {
        int overflow;
        Py_ssize_t cpus = PyLong_AsLongAndOverflow(n, &overflow);
        if (overflow > 0) {
            want = max;
        }
        else if (cpus > 0) {
            want = cpus;
        }
    }
    Py_DECREF(n);
    Py_ssize_t s = 1;
    while (s < want && s < max) {
        s <<= 1;
    }
    *out = s;
    return 0;
}

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#include <cpuid.h>                // __get_cpuid()

int atomics_have_prefetchw;

// PREFETCHW is bit 8 of ECX in CPUID leaf 0x80000001 (AMD's 3DNowPrefetch,
// Intel's PRFCHW).
static void
detect_prefetchw(void)
{
    unsigned int a, b, c, d;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 8))) {
        _Py_atomic_store_int_relaxed(&atomics_have_prefetchw, 1);
    }
}
#else
static void
detect_prefetchw(void)
{
}
#endif

static int
atomics_exec(PyObject *module)
{
    atomics_state *st = atomics_get_state(module);
    detect_prefetchw();
#define ADD_TYPE(member, spec)                                              \
    do {                                                                    \
        st->member = (PyTypeObject *)PyType_FromModuleAndSpec(              \
            module, &spec, NULL);                                           \
        if (st->member == NULL || PyModule_AddType(module, st->member) < 0) {\
            return -1;                                                      \
        }                                                                   \
    } while (0)
    ADD_TYPE(atomicint_type, atomics_int_spec);
    ADD_TYPE(atomicbool_type, atomics_bool_spec);
    ADD_TYPE(atomiccounter_type, atomics_counter_spec);
    ADD_TYPE(atomicdict_type, atomics_dict_spec);
    ADD_TYPE(atomicqueue_type, atomics_queue_spec);
#undef ADD_TYPE
#define NEW_TYPE(member, spec)                                              \
    do {                                                                    \
        st->member = (PyTypeObject *)PyType_FromModuleAndSpec(              \
            module, &spec, NULL);                                           \
        if (st->member == NULL) {                                           \
            return -1;                                                      \
        }                                                                   \
    } while (0)
    NEW_TYPE(atomicdict_keys_type, atomics_dictkeys_spec);
    NEW_TYPE(atomicdict_values_type, atomics_dictvalues_spec);
    NEW_TYPE(atomicdict_items_type, atomics_dictitems_spec);
    NEW_TYPE(atomicdict_iter_type, atomics_dictiter_spec);
    NEW_TYPE(not_found_type, atomics_notfound_spec);
#undef NEW_TYPE
    st->not_found = PyType_GenericAlloc(st->not_found_type, 0);
    if (st->not_found == NULL
        || PyModule_AddObjectRef(module, "NOT_FOUND", st->not_found) < 0) {
        return -1;
    }
    PyObject *abc = PyImport_ImportModule("_collections_abc");
    if (abc == NULL) {
        return -1;
    }
    st->mapping_abc = PyObject_GetAttrString(abc, "Mapping");
    Py_DECREF(abc);
    if (st->mapping_abc == NULL) {
        return -1;
    }
    if (PyModule_AddType(module, &PyAtomicRef_Type) < 0) {
        return -1;
    }
    if (default_stripes(ATOMICS_COUNTER_MAX_STRIPES,
                        &st->default_stripes) < 0) {
        return -1;
    }
    return 0;
}

static int
atomics_traverse(PyObject *module, visitproc visit, void *arg)
{
    atomics_state *st = atomics_get_state(module);
    Py_VISIT(st->atomicint_type);
    Py_VISIT(st->atomicbool_type);
    Py_VISIT(st->atomiccounter_type);
    Py_VISIT(st->atomicdict_type);
    Py_VISIT(st->atomicqueue_type);
    Py_VISIT(st->atomicdict_keys_type);
    Py_VISIT(st->atomicdict_values_type);
    Py_VISIT(st->atomicdict_items_type);
    Py_VISIT(st->atomicdict_iter_type);
    Py_VISIT(st->not_found_type);
    Py_VISIT(st->not_found);
    Py_VISIT(st->mapping_abc);
    return 0;
}

static int
atomics_clear(PyObject *module)
{
    atomics_state *st = atomics_get_state(module);
    Py_CLEAR(st->atomicint_type);
    Py_CLEAR(st->atomicbool_type);
    Py_CLEAR(st->atomiccounter_type);
    Py_CLEAR(st->atomicdict_type);
    Py_CLEAR(st->atomicqueue_type);
    Py_CLEAR(st->atomicdict_keys_type);
    Py_CLEAR(st->atomicdict_values_type);
    Py_CLEAR(st->atomicdict_items_type);
    Py_CLEAR(st->atomicdict_iter_type);
    Py_CLEAR(st->not_found_type);
    Py_CLEAR(st->not_found);
    Py_CLEAR(st->mapping_abc);
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

PyModuleDef atomics_module = {
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
    return PyModuleDef_Init(&atomics_module);
}
