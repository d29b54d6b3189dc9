// Tests of the PyAtomicRef C API (Include/cpython/atomicref.h).
//
// This file is built without Py_BUILD_CORE: it uses only the public API,
// as a third-party extension would.

#include "parts.h"
#include "util.h"


/* --- PyAtomicRef_* (the object type) ------------------------------------ */

static PyObject *
atomicref_new(PyObject *Py_UNUSED(module), PyObject *value)
{
    NULLABLE(value);
    return PyAtomicRef_New(value);
}

static PyObject *
atomicref_check(PyObject *Py_UNUSED(module), PyObject *obj)
{
    NULLABLE(obj);
    return Py_BuildValue("ii", PyAtomicRef_Check(obj),
                         PyAtomicRef_CheckExact(obj));
}

static PyObject *
atomicref_get(PyObject *Py_UNUSED(module), PyObject *ref)
{
    NULLABLE(ref);
    return PyAtomicRef_Get(ref);
}

static PyObject *
atomicref_set(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *ref, *value;
    if (!PyArg_ParseTuple(args, "OO", &ref, &value)) {
        return NULL;
    }
    NULLABLE(ref);
    NULLABLE(value);
    RETURN_INT(PyAtomicRef_Set(ref, value));
}

static PyObject *
atomicref_exchange(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *ref, *value;
    if (!PyArg_ParseTuple(args, "OO", &ref, &value)) {
        return NULL;
    }
    NULLABLE(ref);
    NULLABLE(value);
    return PyAtomicRef_Exchange(ref, value);
}

// compare_exchange(ref, expected, desired, want_actual) -> (result, actual)
static PyObject *
atomicref_compare_exchange(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *ref, *expected, *desired;
    int want_actual;
    if (!PyArg_ParseTuple(args, "OOOp", &ref, &expected, &desired,
                          &want_actual)) {
        return NULL;
    }
    NULLABLE(ref);
    NULLABLE(expected);
    NULLABLE(desired);
    PyObject *actual = UNINITIALIZED_PTR;
    int r = PyAtomicRef_CompareExchange(ref, expected, desired,
                                        want_actual ? &actual : NULL);
    if (r < 0) {
        assert(PyErr_Occurred());
        assert(!want_actual || actual == NULL);
        return NULL;
    }
    if (!want_actual) {
        return Py_BuildValue("iO", r, Py_None);
    }
    assert(actual != UNINITIALIZED_PTR && actual != NULL);
    PyObject *res = Py_BuildValue("iO", r, actual);
    Py_DECREF(actual);
    return res;
}


/* --- PyAtomicRefField (embedded in a heap type) ------------------------- */

// A minimal extension object with an embedded atomic reference, written as
// a third-party extension would write it.
typedef struct {
    PyObject_HEAD
    PyAtomicRefField field;
} HolderObject;

static PyObject *
holder_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *value = NULL;
    if (!PyArg_ParseTuple(args, "|O", &value)) {
        return NULL;
    }
    HolderObject *self = (HolderObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    PyAtomicRefField_Init(&self->field, value);
    return (PyObject *)self;
}

static int
holder_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    return PyAtomicRefField_Traverse(&((HolderObject *)op)->field,
                                     visit, arg);
}

static int
holder_clear(PyObject *op)
{
    PyAtomicRefField_Clear(&((HolderObject *)op)->field);
    return 0;
}

static void
holder_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    (void)holder_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyType_Slot holder_slots[] = {
    {Py_tp_new, holder_new},
    {Py_tp_traverse, holder_traverse},
    {Py_tp_clear, holder_clear},
    {Py_tp_dealloc, holder_dealloc},
    {0, NULL},
};

static PyType_Spec holder_spec = {
    .name = "_testcapi.AtomicRefFieldHolder",
    .basicsize = sizeof(HolderObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = holder_slots,
};

static PyObject *holder_type;   // set once at module init

static PyAtomicRefField *
get_field(PyObject *obj)
{
    if (PyAtomicRef_Check(obj)) {
        return PyAtomicRef_GetField(obj);
    }
    if (!PyObject_TypeCheck(obj, (PyTypeObject *)holder_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "expected an AtomicRef or AtomicRefFieldHolder");
        return NULL;
    }
    return &((HolderObject *)obj)->field;
}

static PyObject *
field_get(PyObject *Py_UNUSED(module), PyObject *obj)
{
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyObject *res = PyAtomicRefField_Get(field);
    assert(!PyErr_Occurred());
    return res != NULL ? res : Py_NewRef(PyExc_LookupError);  // "empty"
}

static PyObject *
field_set(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj, *value;
    if (!PyArg_ParseTuple(args, "OO", &obj, &value)) {
        return NULL;
    }
    NULLABLE(value);
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyAtomicRefField_Set(field, value);
    Py_RETURN_NONE;
}

static PyObject *
field_exchange(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj, *value;
    if (!PyArg_ParseTuple(args, "OO", &obj, &value)) {
        return NULL;
    }
    NULLABLE(value);
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyObject *old = PyAtomicRefField_Exchange(field, value);
    return old != NULL ? old : Py_NewRef(PyExc_LookupError);
}

static PyObject *
field_compare_exchange(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj, *expected, *desired;
    if (!PyArg_ParseTuple(args, "OOO", &obj, &expected, &desired)) {
        return NULL;
    }
    NULLABLE(expected);
    NULLABLE(desired);
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyObject *actual = UNINITIALIZED_PTR;
    int r = PyAtomicRefField_CompareExchange(field, expected, desired,
                                             &actual);
    assert(r == 0 || r == 1);
    assert(actual != UNINITIALIZED_PTR);
    assert(!PyErr_Occurred());
    if (actual == NULL) {
        actual = Py_NewRef(PyExc_LookupError);
    }
    PyObject *res = Py_BuildValue("iO", r, actual);
    Py_DECREF(actual);
    return res;
}

static PyObject *
field_clear(PyObject *Py_UNUSED(module), PyObject *obj)
{
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyAtomicRefField_Clear(field);
    Py_RETURN_NONE;
}

// Set the field to each item of a list in turn, in one C call (the
// writer passes no quiescent state of its own in between).
static PyObject *
field_set_each(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj, *list;
    if (!PyArg_ParseTuple(args, "OO!", &obj, &PyList_Type, &list)) {
        return NULL;
    }
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        PyAtomicRefField_Set(field, PyList_GET_ITEM(list, i));
    }
    Py_RETURN_NONE;
}

// Read the field n times with borrowed reads, in one read section; return
// the last value seen.
static PyObject *
field_get_borrowed(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t n = 1;
    if (!PyArg_ParseTuple(args, "O|n", &obj, &n)) {
        return NULL;
    }
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyObject *v = NULL;
    PyUnstable_AtomicRef_BeginRead();
    for (Py_ssize_t i = 0; i < n; i++) {
        v = PyUnstable_AtomicRefField_GetBorrowed(field);
    }
    v = Py_XNewRef(v);        // keep it beyond the section
    PyUnstable_AtomicRef_EndRead();
    return v != NULL ? v : Py_NewRef(PyExc_LookupError);
}

// Misuse, for the debug-build fatal error tests.
static PyObject *
misuse_borrowed_outside_section(PyObject *Py_UNUSED(module), PyObject *obj)
{
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    return Py_XNewRef(PyUnstable_AtomicRefField_GetBorrowed(field));
}

static PyObject *
misuse_write_inside_section(PyObject *Py_UNUSED(module), PyObject *obj)
{
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyUnstable_AtomicRef_BeginRead();
    PyAtomicRefField_Set(field, Py_None);
    PyUnstable_AtomicRef_EndRead();
    Py_RETURN_NONE;
}

static PyObject *
misuse_python_inside_section(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj, *func;
    if (!PyArg_ParseTuple(args, "OO", &obj, &func)) {
        return NULL;
    }
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    PyUnstable_AtomicRef_BeginRead();
    (void)PyUnstable_AtomicRefField_GetBorrowed(field);
    // Detaching the thread state is a quiescent state.
    Py_BEGIN_ALLOW_THREADS
    Py_END_ALLOW_THREADS
    PyObject *res = PyObject_CallNoArgs(func);
    PyUnstable_AtomicRef_EndRead();
    return res;
}


/* --- Stress helpers (called from several threads at once) -------------- */

// n times: read the int value v and compare-exchange it for v + 1 (a
// freshly allocated int) until that succeeds.  Returns the number of
// failed compare-exchanges.  Checks that the value read never decreases.
static PyObject *
stress_cas_increment(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "On", &obj, &n)) {
        return NULL;
    }
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    Py_ssize_t failures = 0;
    long long last = -1;
    PyObject *current = PyAtomicRefField_Get(field);
    for (Py_ssize_t i = 0; i < n; i++) {
        for (;;) {
            if (current == NULL || !PyLong_CheckExact(current)) {
                Py_XDECREF(current);
                PyErr_SetString(PyExc_AssertionError,
                                "read a value no writer stored");
                return NULL;
            }
            long long v = PyLong_AsLongLong(current);
            if (v < last) {
                Py_DECREF(current);
                PyErr_Format(PyExc_AssertionError,
                             "value went backwards: %lld after %lld", v, last);
                return NULL;
            }
            last = v;
            PyObject *next = PyLong_FromLongLong(v + 1);
            if (next == NULL) {
                Py_DECREF(current);
                return NULL;
            }
            PyObject *seen;
            int r = PyAtomicRefField_CompareExchange(field, current, next,
                                                     &seen);
            Py_DECREF(next);
            Py_DECREF(current);
            current = seen;
            if (r) {
                break;
            }
            failures++;
        }
    }
    Py_XDECREF(current);
    return PyLong_FromSsize_t(failures);
}

// n times: exchange in a fresh int id (first, first + 1, ...) and add up
// the ids of the values taken out.  Returns that sum.  Every id stored is
// taken out exactly once or is still in the field at the end.
static PyObject *
stress_exchange(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    long long first;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OLn", &obj, &first, &n)) {
        return NULL;
    }
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    long long sum = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyLong_FromLongLong(first + i);
        if (value == NULL) {
            return NULL;
        }
        PyObject *old = PyAtomicRefField_Exchange(field, value);
        Py_DECREF(value);
        if (old == NULL || !PyLong_CheckExact(old)) {
            Py_XDECREF(old);
            PyErr_SetString(PyExc_AssertionError,
                            "exchange returned a value no writer stored");
            return NULL;
        }
        sum += PyLong_AsLongLong(old);
        Py_DECREF(old);
    }
    return PyLong_FromLongLong(sum);
}

// n times: Set a fresh int (the values are thrown away as they are
// replaced).
static PyObject *
stress_set(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "On", &obj, &n)) {
        return NULL;
    }
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyLong_FromSsize_t(1000000 + i);
        if (value == NULL) {
            return NULL;
        }
        PyAtomicRefField_Set(field, value);
        Py_DECREF(value);
    }
    Py_RETURN_NONE;
}

// n reads (strong, or borrowed, each in its own read section); unless
// floor is -1, every value must be an int no smaller than floor.  Returns
// the number of reads.
static PyObject *
stress_read(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t n, floor;
    int borrowed;
    if (!PyArg_ParseTuple(args, "Onnp", &obj, &n, &floor, &borrowed)) {
        return NULL;
    }
    PyAtomicRefField *field = get_field(obj);
    if (field == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v;
        long long x;
        if (borrowed) {
            PyUnstable_AtomicRef_BeginRead();
            v = PyUnstable_AtomicRefField_GetBorrowed(field);
            int ok = v != NULL && PyLong_CheckExact(v);
            x = ok ? PyLong_AsLongLong(v) : -1;
            PyUnstable_AtomicRef_EndRead();
            v = NULL;
        }
        else {
            v = PyAtomicRefField_Get(field);
            x = (v != NULL && PyLong_CheckExact(v))
                ? PyLong_AsLongLong(v) : -1;
            Py_XDECREF(v);
        }
        if (floor != -1 && x < floor) {
            PyErr_Format(PyExc_AssertionError,
                         "read a value no writer stored (%lld)", x);
            return NULL;
        }
    }
    return PyLong_FromSsize_t(n);
}


/* --- Micro-benchmarks (Tools/atomics/bench_capi.py) --------------------- */

// The benchmark runs for a fixed time, not a fixed count, so that all
// threads read at once for the whole measured span: the main thread waits
// until every worker has arrived, sets bench_go, sleeps, and sets
// bench_stop.  Each worker returns the number of reads it did.
static PyMutex bench_mutex;
static int bench_arrived;
static int bench_go;
static int bench_stop;

// bench_control(cmd) with cmd "reset", "go" or "stop"; or "arrived",
// which returns the number of workers waiting for "go".
static PyObject *
bench_control(PyObject *Py_UNUSED(module), PyObject *arg)
{
    const char *cmd = PyUnicode_AsUTF8(arg);
    if (cmd == NULL) {
        return NULL;
    }
    if (strcmp(cmd, "reset") == 0) {
        _Py_atomic_store_int(&bench_stop, 0);
        _Py_atomic_store_int(&bench_go, 0);
        _Py_atomic_store_int(&bench_arrived, 0);
    }
    else if (strcmp(cmd, "go") == 0) {
        _Py_atomic_store_int(&bench_go, 1);
    }
    else if (strcmp(cmd, "stop") == 0) {
        _Py_atomic_store_int(&bench_stop, 1);
    }
    else if (strcmp(cmd, "arrived") == 0) {
        return PyLong_FromLong(_Py_atomic_load_int(&bench_arrived));
    }
    else {
        PyErr_Format(PyExc_ValueError, "unknown command %s", cmd);
        return NULL;
    }
    Py_RETURN_NONE;
}

// Run the loop body until bench_stop is set (checked every 64 reads), or
// for at most 60 seconds if nobody sets it.
#define BENCH_LOOP(BODY)                                                   \
    do {                                                                   \
        for (;;) {                                                         \
            for (int j = 0; j < 64; j++) {                                 \
                BODY                                                       \
            }                                                              \
            count += 64;                                                   \
            if (_Py_atomic_load_int_relaxed(&bench_stop)) {                \
                break;                                                     \
            }                                                              \
            if ((count & 0xFFFFF) == 0) {                                  \
                PyTime_t now;                                              \
                (void)PyTime_PerfCounterRaw(&now);                         \
                if (now - start > (PyTime_t)60 * 1000 * 1000 * 1000) {     \
                    break;                                                 \
                }                                                          \
            }                                                              \
        }                                                                  \
    } while (0)

// bench(kind, ref) -> number of reads of the value of ref done between
// bench_control("go") and bench_control("stop").
//   "newref":   Py_NewRef(plain field) + Py_DECREF (no atomicity at all)
//   "mutex":    PyMutex_Lock + Py_NewRef(plain field) + unlock + Py_DECREF
//   "get":      PyAtomicRef_Get + Py_DECREF
//   "field":    PyAtomicRefField_Get + Py_DECREF
//   "borrowed": BeginRead + GetBorrowed + EndRead
// The plain field holds the same value as ref (kept alive by ref).  It is
// read from memory on every iteration, as a field of a shared object is
// (a relaxed load, which compiles to a plain load): otherwise the compiler
// hoists the read and, for an immortal value, the whole loop body.
static PyObject *
bench(PyObject *Py_UNUSED(module), PyObject *args)
{
    const char *kind;
    PyObject *ref;
    if (!PyArg_ParseTuple(args, "sO!", &kind, &PyAtomicRef_Type, &ref)) {
        return NULL;
    }
    static const char *const kinds[] = {
        "newref", "mutex", "get", "field", "borrowed", NULL};
    int k = 0;
    while (kinds[k] != NULL && strcmp(kind, kinds[k]) != 0) {
        k++;
    }
    if (kinds[k] == NULL) {
        PyErr_Format(PyExc_ValueError, "unknown benchmark %s", kind);
        return NULL;
    }
    PyAtomicRefField *field = PyAtomicRef_GetField(ref);
    PyObject *value = PyAtomicRefField_Get(field);
    PyObject *plain_field = value;
    uintptr_t acc = 0;
    long long count = 0;
    PyTime_t start;

    // Wait for the start with the thread state detached, so that the
    // main thread may stop the world meanwhile.
    Py_BEGIN_ALLOW_THREADS
    _Py_atomic_add_int(&bench_arrived, 1);
    while (!_Py_atomic_load_int(&bench_go)) {
        ;
    }
    Py_END_ALLOW_THREADS
    (void)PyTime_PerfCounterRaw(&start);

    switch (k) {
    case 0:
        BENCH_LOOP(
            PyObject *v = Py_NewRef(
                _Py_atomic_load_ptr_relaxed(&plain_field));
            acc += (uintptr_t)v;
            Py_DECREF(v);
        );
        break;
    case 1:
        BENCH_LOOP(
            PyMutex_Lock(&bench_mutex);
            PyObject *v = Py_NewRef(
                _Py_atomic_load_ptr_relaxed(&plain_field));
            PyMutex_Unlock(&bench_mutex);
            acc += (uintptr_t)v;
            Py_DECREF(v);
        );
        break;
    case 2:
        BENCH_LOOP(
            PyObject *v = PyAtomicRef_Get(ref);
            acc += (uintptr_t)v;
            Py_DECREF(v);
        );
        break;
    case 3:
        BENCH_LOOP(
            PyObject *v = PyAtomicRefField_Get(field);
            acc += (uintptr_t)v;
            Py_DECREF(v);
        );
        break;
    case 4:
        BENCH_LOOP(
            PyUnstable_AtomicRef_BeginRead();
            acc += (uintptr_t)PyUnstable_AtomicRefField_GetBorrowed(field);
            PyUnstable_AtomicRef_EndRead();
        );
        break;
    }
    Py_DECREF(value);
    if (acc == 1) {    // keep the loops from being optimized away
        Py_RETURN_NONE;
    }
    return PyLong_FromLongLong(count);
}

#undef BENCH_LOOP


static PyMethodDef test_methods[] = {
    {"atomicref_new", atomicref_new, METH_O},
    {"atomicref_check", atomicref_check, METH_O},
    {"atomicref_get", atomicref_get, METH_O},
    {"atomicref_set", atomicref_set, METH_VARARGS},
    {"atomicref_exchange", atomicref_exchange, METH_VARARGS},
    {"atomicref_compare_exchange", atomicref_compare_exchange, METH_VARARGS},
    {"atomicref_field_get", field_get, METH_O},
    {"atomicref_field_set", field_set, METH_VARARGS},
    {"atomicref_field_exchange", field_exchange, METH_VARARGS},
    {"atomicref_field_compare_exchange", field_compare_exchange, METH_VARARGS},
    {"atomicref_field_clear", field_clear, METH_O},
    {"atomicref_field_get_borrowed", field_get_borrowed, METH_VARARGS},
    {"atomicref_field_set_each", field_set_each, METH_VARARGS},
    {"atomicref_misuse_borrowed_outside_section",
     misuse_borrowed_outside_section, METH_O},
    {"atomicref_misuse_write_inside_section",
     misuse_write_inside_section, METH_O},
    {"atomicref_misuse_python_inside_section",
     misuse_python_inside_section, METH_VARARGS},
    {"atomicref_stress_cas_increment", stress_cas_increment, METH_VARARGS},
    {"atomicref_stress_exchange", stress_exchange, METH_VARARGS},
    {"atomicref_stress_set", stress_set, METH_VARARGS},
    {"atomicref_stress_read", stress_read, METH_VARARGS},
    {"atomicref_bench", bench, METH_VARARGS},
    {"atomicref_bench_control", bench_control, METH_O},
    {NULL},
};

int
_PyTestCapi_Init_AtomicRef(PyObject *m)
{
    if (PyModule_AddFunctions(m, test_methods) < 0) {
        return -1;
    }
    if (holder_type == NULL) {
        holder_type = PyType_FromSpec(&holder_spec);
        if (holder_type == NULL) {
            return -1;
        }
    }
    return PyModule_AddObjectRef(m, "AtomicRefFieldHolder", holder_type);
}
