/*[clinic input]
preserve
[clinic start generated code]*/

#if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)
#  include "pycore_gc.h"          // PyGC_Head
#  include "pycore_runtime.h"     // _Py_ID()
#endif
#include "pycore_abstract.h"      // _PyNumber_Index()
#include "pycore_modsupport.h"    // _PyArg_UnpackKeywords()

PyDoc_STRVAR(atomicqueue_new__doc__,
"Queue(maxsize=0)\n"
"--\n"
"\n"
"A FIFO queue for many producers and consumers: queue.Queue\'s API.\n"
"\n"
"If maxsize is greater than zero, put() blocks while the queue holds\n"
"maxsize items; otherwise the queue is unbounded.  On the free-threaded\n"
"build put() and get() take no lock unless they have to wait.");

static PyObject *
atomicqueue_new_impl(PyTypeObject *type, Py_ssize_t maxsize);

static PyObject *
atomicqueue_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 1
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(maxsize), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"maxsize", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "Queue",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[1];
    PyObject * const *fastargs;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    Py_ssize_t noptargs = nargs + (kwargs ? PyDict_GET_SIZE(kwargs) : 0) - 0;
    Py_ssize_t maxsize = 0;

    fastargs = _PyArg_UnpackKeywords(_PyTuple_CAST(args)->ob_item, nargs, kwargs, NULL, &_parser, 0, 1, 0, argsbuf);
    if (!fastargs) {
        goto exit;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    {
        Py_ssize_t ival = -1;
        PyObject *iobj = _PyNumber_Index(fastargs[0]);
        if (iobj != NULL) {
            ival = PyLong_AsSsize_t(iobj);
            Py_DECREF(iobj);
        }
        if (ival == -1 && PyErr_Occurred()) {
            goto exit;
        }
        maxsize = ival;
    }
skip_optional_pos:
    return_value = atomicqueue_new_impl(type, maxsize);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_Queue_put__doc__,
"put($self, /, item, block=True, timeout=None)\n"
"--\n"
"\n"
"Put item into the queue.\n"
"\n"
"If block is true and timeout is None, wait as long as it takes for a\n"
"free place; with a non-negative timeout, wait at most that many seconds\n"
"and raise queue.Full if there is still none.  If block is false, put\n"
"the item only if a place is free at once, else raise queue.Full\n"
"(timeout is ignored).  Raises queue.ShutDown after shutdown().");

#define _ATOMICS_QUEUE_PUT_METHODDEF    \
    {"put", _PyCFunction_CAST(_atomics_Queue_put), METH_FASTCALL|METH_KEYWORDS, _atomics_Queue_put__doc__},

static PyObject *
_atomics_Queue_put_impl(atomicqueueobject *self, PyObject *item, int block,
                        PyObject *timeout);

static PyObject *
_atomics_Queue_put(atomicqueueobject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 3
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(item), &_Py_ID(block), &_Py_ID(timeout), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"item", "block", "timeout", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "put",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[3];
    Py_ssize_t noptargs = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0) - 1;
    PyObject *item;
    int block = 1;
    PyObject *timeout = Py_None;

    args = _PyArg_UnpackKeywords(args, nargs, NULL, kwnames, &_parser, 1, 3, 0, argsbuf);
    if (!args) {
        goto exit;
    }
    item = args[0];
    if (!noptargs) {
        goto skip_optional_pos;
    }
    if (args[1]) {
        block = PyObject_IsTrue(args[1]);
        if (block < 0) {
            goto exit;
        }
        if (!--noptargs) {
            goto skip_optional_pos;
        }
    }
    timeout = args[2];
skip_optional_pos:
    return_value = _atomics_Queue_put_impl(self, item, block, timeout);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_Queue_put_nowait__doc__,
"put_nowait($self, item, /)\n"
"--\n"
"\n"
"Put item into the queue only if a place is free; put(item, False).");

#define _ATOMICS_QUEUE_PUT_NOWAIT_METHODDEF    \
    {"put_nowait", (PyCFunction)_atomics_Queue_put_nowait, METH_O, _atomics_Queue_put_nowait__doc__},

PyDoc_STRVAR(_atomics_Queue_get__doc__,
"get($self, /, block=True, timeout=None)\n"
"--\n"
"\n"
"Remove and return the first item of the queue.\n"
"\n"
"If block is true and timeout is None, wait as long as it takes for an\n"
"item; with a non-negative timeout, wait at most that many seconds and\n"
"raise queue.Empty if there is still none.  If block is false, return\n"
"an item only if one is there at once, else raise queue.Empty (timeout\n"
"is ignored).  After shutdown(), raises queue.ShutDown once the queue is\n"
"empty.");

#define _ATOMICS_QUEUE_GET_METHODDEF    \
    {"get", _PyCFunction_CAST(_atomics_Queue_get), METH_FASTCALL|METH_KEYWORDS, _atomics_Queue_get__doc__},

static PyObject *
_atomics_Queue_get_impl(atomicqueueobject *self, int block,
                        PyObject *timeout);

static PyObject *
_atomics_Queue_get(atomicqueueobject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 2
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(block), &_Py_ID(timeout), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"block", "timeout", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "get",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[2];
    Py_ssize_t noptargs = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0) - 0;
    int block = 1;
    PyObject *timeout = Py_None;

    args = _PyArg_UnpackKeywords(args, nargs, NULL, kwnames, &_parser, 0, 2, 0, argsbuf);
    if (!args) {
        goto exit;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    if (args[0]) {
        block = PyObject_IsTrue(args[0]);
        if (block < 0) {
            goto exit;
        }
        if (!--noptargs) {
            goto skip_optional_pos;
        }
    }
    timeout = args[1];
skip_optional_pos:
    return_value = _atomics_Queue_get_impl(self, block, timeout);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_Queue_get_nowait__doc__,
"get_nowait($self, /)\n"
"--\n"
"\n"
"Remove and return the first item only if there is one; get(False).");

#define _ATOMICS_QUEUE_GET_NOWAIT_METHODDEF    \
    {"get_nowait", (PyCFunction)_atomics_Queue_get_nowait, METH_NOARGS, _atomics_Queue_get_nowait__doc__},

static PyObject *
_atomics_Queue_get_nowait_impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue_get_nowait(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue_get_nowait_impl(self);
}

PyDoc_STRVAR(_atomics_Queue_put_many__doc__,
"put_many($self, /, items, block=True, timeout=None)\n"
"--\n"
"\n"
"Put every item of the iterable items into the queue, in order.\n"
"\n"
"Each item is put as put(item, block, timeout) would, with one deadline\n"
"for them all.  Not atomic as a whole: other threads\' items may come\n"
"between these.  If it raises, the items before the one that failed are\n"
"in the queue and the rest are not.");

#define _ATOMICS_QUEUE_PUT_MANY_METHODDEF    \
    {"put_many", _PyCFunction_CAST(_atomics_Queue_put_many), METH_FASTCALL|METH_KEYWORDS, _atomics_Queue_put_many__doc__},

static PyObject *
_atomics_Queue_put_many_impl(atomicqueueobject *self, PyObject *items,
                             int block, PyObject *timeout);

static PyObject *
_atomics_Queue_put_many(atomicqueueobject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 3
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(items), &_Py_ID(block), &_Py_ID(timeout), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"items", "block", "timeout", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "put_many",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[3];
    Py_ssize_t noptargs = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0) - 1;
    PyObject *items;
    int block = 1;
    PyObject *timeout = Py_None;

    args = _PyArg_UnpackKeywords(args, nargs, NULL, kwnames, &_parser, 1, 3, 0, argsbuf);
    if (!args) {
        goto exit;
    }
    items = args[0];
    if (!noptargs) {
        goto skip_optional_pos;
    }
    if (args[1]) {
        block = PyObject_IsTrue(args[1]);
        if (block < 0) {
            goto exit;
        }
        if (!--noptargs) {
            goto skip_optional_pos;
        }
    }
    timeout = args[2];
skip_optional_pos:
    return_value = _atomics_Queue_put_many_impl(self, items, block, timeout);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_Queue_get_many__doc__,
"get_many($self, /, n, block=True, timeout=None)\n"
"--\n"
"\n"
"Remove and return a list of the first items of the queue, at most n.\n"
"\n"
"Waits for the first item as get(block, timeout) does, then takes the\n"
"items that are there, up to n, without waiting: the list has at least\n"
"one item.  n must be positive.");

#define _ATOMICS_QUEUE_GET_MANY_METHODDEF    \
    {"get_many", _PyCFunction_CAST(_atomics_Queue_get_many), METH_FASTCALL|METH_KEYWORDS, _atomics_Queue_get_many__doc__},

static PyObject *
_atomics_Queue_get_many_impl(atomicqueueobject *self, Py_ssize_t n,
                             int block, PyObject *timeout);

static PyObject *
_atomics_Queue_get_many(atomicqueueobject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 3
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { _Py_LATIN1_CHR('n'), &_Py_ID(block), &_Py_ID(timeout), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"n", "block", "timeout", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "get_many",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[3];
    Py_ssize_t noptargs = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0) - 1;
    Py_ssize_t n;
    int block = 1;
    PyObject *timeout = Py_None;

    args = _PyArg_UnpackKeywords(args, nargs, NULL, kwnames, &_parser, 1, 3, 0, argsbuf);
    if (!args) {
        goto exit;
    }
    {
        Py_ssize_t ival = -1;
        PyObject *iobj = _PyNumber_Index(args[0]);
        if (iobj != NULL) {
            ival = PyLong_AsSsize_t(iobj);
            Py_DECREF(iobj);
        }
        if (ival == -1 && PyErr_Occurred()) {
            goto exit;
        }
        n = ival;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    if (args[1]) {
        block = PyObject_IsTrue(args[1]);
        if (block < 0) {
            goto exit;
        }
        if (!--noptargs) {
            goto skip_optional_pos;
        }
    }
    timeout = args[2];
skip_optional_pos:
    return_value = _atomics_Queue_get_many_impl(self, n, block, timeout);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_Queue_qsize__doc__,
"qsize($self, /)\n"
"--\n"
"\n"
"Return the number of items in the queue.\n"
"\n"
"While other threads put and get, a snapshot that may already be stale.\n"
"For a bounded queue, it counts the places taken by put() calls that\n"
"have not returned yet too.");

#define _ATOMICS_QUEUE_QSIZE_METHODDEF    \
    {"qsize", (PyCFunction)_atomics_Queue_qsize, METH_NOARGS, _atomics_Queue_qsize__doc__},

static PyObject *
_atomics_Queue_qsize_impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue_qsize(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue_qsize_impl(self);
}

PyDoc_STRVAR(_atomics_Queue_empty__doc__,
"empty($self, /)\n"
"--\n"
"\n"
"Return True if a get() would find no item now, False otherwise.");

#define _ATOMICS_QUEUE_EMPTY_METHODDEF    \
    {"empty", (PyCFunction)_atomics_Queue_empty, METH_NOARGS, _atomics_Queue_empty__doc__},

static PyObject *
_atomics_Queue_empty_impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue_empty(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue_empty_impl(self);
}

PyDoc_STRVAR(_atomics_Queue_full__doc__,
"full($self, /)\n"
"--\n"
"\n"
"Return True if the queue is bounded and holds maxsize items now.");

#define _ATOMICS_QUEUE_FULL_METHODDEF    \
    {"full", (PyCFunction)_atomics_Queue_full, METH_NOARGS, _atomics_Queue_full__doc__},

static PyObject *
_atomics_Queue_full_impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue_full(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue_full_impl(self);
}

PyDoc_STRVAR(_atomics_Queue_task_done__doc__,
"task_done($self, /)\n"
"--\n"
"\n"
"Indicate that a formerly enqueued task is complete.\n"
"\n"
"Each get() used to fetch a task is to be followed by one task_done();\n"
"when every item put has its task_done(), join() returns.  Raises\n"
"ValueError if called more times than there were items put.");

#define _ATOMICS_QUEUE_TASK_DONE_METHODDEF    \
    {"task_done", (PyCFunction)_atomics_Queue_task_done, METH_NOARGS, _atomics_Queue_task_done__doc__},

static PyObject *
_atomics_Queue_task_done_impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue_task_done(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue_task_done_impl(self);
}

PyDoc_STRVAR(_atomics_Queue_join__doc__,
"join($self, /)\n"
"--\n"
"\n"
"Block until every item put has had its task_done().");

#define _ATOMICS_QUEUE_JOIN_METHODDEF    \
    {"join", (PyCFunction)_atomics_Queue_join, METH_NOARGS, _atomics_Queue_join__doc__},

static PyObject *
_atomics_Queue_join_impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue_join(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue_join_impl(self);
}

PyDoc_STRVAR(_atomics_Queue_shutdown__doc__,
"shutdown($self, /, immediate=False)\n"
"--\n"
"\n"
"Shut the queue down: put() raises queue.ShutDown from now on.\n"
"\n"
"Blocked put() calls wake and raise queue.ShutDown; get() raises it\n"
"once the queue is empty.  With immediate true, the queue is emptied\n"
"first (each item removed counts as a task done) and get() raises at\n"
"once.");

#define _ATOMICS_QUEUE_SHUTDOWN_METHODDEF    \
    {"shutdown", _PyCFunction_CAST(_atomics_Queue_shutdown), METH_FASTCALL|METH_KEYWORDS, _atomics_Queue_shutdown__doc__},

static PyObject *
_atomics_Queue_shutdown_impl(atomicqueueobject *self, int immediate);

static PyObject *
_atomics_Queue_shutdown(atomicqueueobject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *return_value = NULL;
    #if defined(Py_BUILD_CORE) && !defined(Py_BUILD_CORE_MODULE)

    #define NUM_KEYWORDS 1
    static struct {
        PyGC_Head _this_is_not_used;
        PyObject_VAR_HEAD
        PyObject *ob_item[NUM_KEYWORDS];
    } _kwtuple = {
        .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, NUM_KEYWORDS)
        .ob_item = { &_Py_ID(immediate), },
    };
    #undef NUM_KEYWORDS
    #define KWTUPLE (&_kwtuple.ob_base.ob_base)

    #else  // !Py_BUILD_CORE
    #  define KWTUPLE NULL
    #endif  // !Py_BUILD_CORE

    static const char * const _keywords[] = {"immediate", NULL};
    static _PyArg_Parser _parser = {
        .keywords = _keywords,
        .fname = "shutdown",
        .kwtuple = KWTUPLE,
    };
    #undef KWTUPLE
    PyObject *argsbuf[1];
    Py_ssize_t noptargs = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0) - 0;
    int immediate = 0;

    args = _PyArg_UnpackKeywords(args, nargs, NULL, kwnames, &_parser, 0, 1, 0, argsbuf);
    if (!args) {
        goto exit;
    }
    if (!noptargs) {
        goto skip_optional_pos;
    }
    immediate = PyObject_IsTrue(args[0]);
    if (immediate < 0) {
        goto exit;
    }
skip_optional_pos:
    return_value = _atomics_Queue_shutdown_impl(self, immediate);

exit:
    return return_value;
}

PyDoc_STRVAR(_atomics_Queue_handle__doc__,
"handle($self, /)\n"
"--\n"
"\n"
"Return a handle to this queue for the calling thread.\n"
"\n"
"The handle is a new Queue that shares this one\'s items and counts.");

#define _ATOMICS_QUEUE_HANDLE_METHODDEF    \
    {"handle", (PyCFunction)_atomics_Queue_handle, METH_NOARGS, _atomics_Queue_handle__doc__},

static PyObject *
_atomics_Queue_handle_impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue_handle(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue_handle_impl(self);
}

PyDoc_STRVAR(_atomics_Queue___sizeof____doc__,
"__sizeof__($self, /)\n"
"--\n"
"\n"
"Return the size in memory, in bytes, segments included.");

#define _ATOMICS_QUEUE___SIZEOF___METHODDEF    \
    {"__sizeof__", (PyCFunction)_atomics_Queue___sizeof__, METH_NOARGS, _atomics_Queue___sizeof____doc__},

static PyObject *
_atomics_Queue___sizeof___impl(atomicqueueobject *self);

static PyObject *
_atomics_Queue___sizeof__(atomicqueueobject *self, PyObject *Py_UNUSED(ignored))
{
    return _atomics_Queue___sizeof___impl(self);
}
/*[clinic end generated code: output=1600e542110ccfd1 input=a9049054013a1b77]*/
