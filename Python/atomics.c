/* Releasing what the writers of lock-free structures replace.

   This file holds everything the fork's lock-free structures (atomic
   reference fields, Objects/atomicrefobject.c; the _atomics module,
   Modules/_atomics/) share with the core about releasing a reference or
   a block of memory that other threads may still be reading, under
   Include/internal/pycore_atomics.h.  A writer that replaces something
   releases it by exactly one of these paths:

   1. At once (Py_DECREF, or _PyAtomic_ReleaseShared() for a reference
      counted in the shared count).  Taken when every reader of the slot
      takes its reference with a try-incref and re-checks the slot
      (_PyAtomic_TryIncrefCompare(): upstream's _Py_TryIncrefCompare()):
      a reader that loaded the old value either fails the try-incref (the
      count says the object is dying) or the re-check.  The object's
      memory may be reused meanwhile, but it stays object memory for a
      QSBR grace period (mimalloc's object pages), so the try-incref only
      ever touches a reference count field.  Atomic reference fields in
      their first mode, AtomicDict's values.

   2. Retired (_PyAtomic_Retire()): when a reader may use what it loaded
      without a reference (a borrowed read; a strong read that loads
      first and increments after; a table whose keys a reader compares).
      The pointer goes on the structure's retire list with a QSBR goal,
      and is released once every thread has passed a quiescent state
      after the retirement, by whichever comes first:

      a. a later write to the same structure.  Writes count on the list
         (_PyAtomic_RetireTick(), or a retirement itself).  A reclamation
         scans the threads' QSBR states once and releases every node
         whose goal they all passed; the nodes it keeps (retired too
         recently) are `kept`.  The next reclamation comes after
         max(kept, RECLAIM_MIN) more writes, so a reclamation visits at
         most twice as many nodes as there were writes since the last
         one (O(1) amortized per write), and a list never holds more
         than 2 * kept + RECLAIM_MIN nodes: what was retired within a
         grace period, whatever the number of writes.  A structure with
         few writes (a table after a resize) asks for a reclamation at
         once with _PyAtomic_RetireFlush().
      b. the next garbage collection: with the world stopped, after the
         collector's own QSBR advance, every other thread is detached, so
         everything retired before is due (_PyAtomic_TakeRetired(); the
         lists that hold something are linked on the interpreter for it).
         So the last few values of a structure nobody writes any more do
         not wait for a write that never comes.
      c. _PyAtomic_RetireClear(), when the structure itself goes.

      A reader cannot pass a quiescent state between its load and its
      increment, nor inside a read section (it runs no Python code and
      stays attached), so what it loaded stays alive until it is done.
      The writer that reclaims holds no borrowed pointer (writing inside
      a read section is forbidden), so it reports its own quiescent state
      first.  Releases run after the list's try-lock is let go, and after
      the world is restarted for the collector: a release may run any
      code, a finalizer that writes to the same structure included.

   3. Out of memory for a retire node: the writer waits for a grace period
      (_PyAtomic_Synchronize()) and releases at once.

   Every release runs in the thread that did the write, the collection or
   the clear, as a Py_DECREF of a plain field would.  On the default build
   the GIL serializes every access, and every path is path 1.

   _PyAtomic_Synchronize() waits for a QSBR grace period, as RCU's
   synchronize_rcu() does: it advances the shared write sequence and polls
   until every attached thread has reported a quiescent state at or after
   it.  Threads report one at every bytecode boundary (CHECK_EVAL_BREAKER)
   and when they detach; detached threads count as quiescent.  A stop-the-
   world pause would give the same guarantee, but it stops every thread,
   where this only waits for them.  The waiting thread reports its own
   quiescent state first (its caller holds no QSBR-protected pointer),
   then detaches between polls: a thread that asks for a stop-the-world
   pause meanwhile must not wait for us while we wait for it. */

#include "Python.h"
#include "pycore_atomics.h"
#ifdef Py_GIL_DISABLED
#  include "pycore_lock.h"        // PyMutex_LockFlags()
#  include "pycore_pystate.h"     // _PyThreadState_GET()
#  include "pycore_qsbr.h"        // _Py_qsbr_advance()
#  include "pycore_tstate.h"      // _PyThreadStateImpl
#endif

#ifdef MS_WINDOWS
#  ifndef WIN32_LEAN_AND_MEAN
#    define WIN32_LEAN_AND_MEAN
#  endif
#  include <windows.h>            // SwitchToThread(), Sleep()
#else
#  include <sched.h>              // sched_yield()
#  include <time.h>               // nanosleep()
#endif


/* --- Waiting ------------------------------------------------------------- */

void
_PyAtomic_Pause(int round)
{
#ifdef MS_WINDOWS
    if (round < 100) {
        SwitchToThread();
    }
    else {
        Sleep(1);
    }
#else
    if (round < 100) {
        sched_yield();
    }
    else {
        struct timespec ts = {0, 50 * 1000};
        nanosleep(&ts, NULL);
    }
#endif
}

void
_PyAtomic_Synchronize(void)
{
#ifdef Py_GIL_DISABLED
    _PyThreadStateImpl *tstate = (_PyThreadStateImpl *)_PyThreadState_GET();
    assert(tstate != NULL);
    // Sequentially consistent: ordered after the caller's stores.
    uint64_t goal = _Py_qsbr_advance(tstate->qsbr->shared);
    _Py_qsbr_quiescent_state(tstate->qsbr);
    // tstate->qsbr is re-read after each attach: the array of QSBR states
    // may have grown (and moved) while we were detached.
    for (int round = 0; !_Py_qsbr_poll(tstate->qsbr, goal); round++) {
        Py_BEGIN_ALLOW_THREADS
        _PyAtomic_Pause(round);
        Py_END_ALLOW_THREADS
    }
#endif
}


/* --- Path 1: references taken and released at once ---------------------- */

int
_PyAtomic_TryIncrefCompare(PyObject **slot, PyObject *value)
{
#ifdef Py_GIL_DISABLED
    return _Py_TryIncrefCompare(slot, value);
#else
    (void)slot;
    Py_INCREF(value);
    return 1;
#endif
}

int
_PyAtomic_TryIncref(PyObject *op)
{
#ifdef Py_GIL_DISABLED
    return _Py_TryIncref(op);
#else
    Py_INCREF(op);
    return 1;
#endif
}


PyObject *
_PyAtomic_PublishShared(PyObject *value)
{
#ifdef Py_GIL_DISABLED
    if (value == NULL || _Py_IsImmortal(value)) {
        return value;
    }
#  ifdef Py_REF_DEBUG
    _Py_IncRefTotal(_PyThreadState_GET());
#  endif
    // One atomic operation: the count, and the mark of _PyAtomic_Publish()
    // (_PyObject_SetMaybeWeakref()) if the count has no flag yet.
    Py_ssize_t shared = _Py_atomic_load_ssize_relaxed(&value->ob_ref_shared);
    Py_ssize_t desired;
    do {
        desired = shared + (1 << _Py_REF_SHARED_SHIFT);
        if ((shared & _Py_REF_SHARED_FLAG_MASK) == 0) {
            desired |= _Py_REF_MAYBE_WEAKREF;
        }
    } while (!_Py_atomic_compare_exchange_ssize(&value->ob_ref_shared,
                                                &shared, desired));
    return value;
#else
    return Py_XNewRef(value);
#endif
}

void
_PyAtomic_ReleaseShared(PyObject *value)
{
#ifdef Py_GIL_DISABLED
    if (value == NULL || _Py_IsImmortal(value)) {
        return;
    }
#  ifdef Py_REF_DEBUG
    _Py_DecRefTotal(_PyThreadState_GET());
#  endif
    _Py_DecRefShared(value);
#else
    Py_XDECREF(value);
#endif
}


/* --- Path 2: retire lists ------------------------------------------------ */

#ifdef Py_GIL_DISABLED
struct _PyAtomic_retired {
    struct _PyAtomic_retired *next;
    void *ptr;
    void (*release)(void *);    // NULL: ptr is an object to Py_DECREF
    uint64_t goal;              // QSBR goal after which it may be released
};

// The fewest writes between two reclamations of a list.
#define RECLAIM_MIN 16

static void
release_node(_PyAtomic_retired *node)
{
    if (node->release == NULL) {
        Py_DECREF((PyObject *)node->ptr);
    }
    else {
        node->release(node->ptr);
    }
    PyMem_Free(node);
}

static void
push_retired(_PyAtomic_RetireList *list, _PyAtomic_retired *first,
             _PyAtomic_retired *last)
{
    _PyAtomic_retired *head = _Py_atomic_load_ptr(&list->head);
    do {
        last->next = head;
    } while (!_Py_atomic_compare_exchange_ptr(&list->head, &head, first));
}

// Take the nodes of list whose goal every thread has passed onto *due
// and put the others back; return how many were taken.  The caller holds
// the list's try-lock (reclaiming) or has stopped the world, and no
// borrowed value: this reports a quiescent state of the calling thread.
static Py_ssize_t
take_due(_PyAtomic_RetireList *list, struct _qsbr_thread_state *qsbr,
         _PyAtomic_retired **due)
{
    _PyAtomic_retired *node = _Py_atomic_exchange_ptr(&list->head, NULL);
    if (node == NULL) {
        return 0;
    }
    // One scan of the threads (in _Py_qsbr_poll) for the newest goal sets
    // the shared read sequence; each node is then a comparison.
    uint64_t newest = node->goal;
    for (_PyAtomic_retired *n = node->next; n != NULL; n = n->next) {
        if (QSBR_LT(newest, n->goal)) {
            newest = n->goal;
        }
    }
    // Goals are only the next value (_Py_qsbr_shared_next()): make sure the
    // write sequence has reached the newest before waiting for it.
    if (QSBR_LT(_Py_qsbr_shared_current(qsbr->shared), newest)) {
        (void)_Py_qsbr_advance(qsbr->shared);
    }
    // A writer holds no borrowed value (see the top comment): report the
    // quiescent state of this thread, after the advance.
    _Py_qsbr_quiescent_state(qsbr);
    (void)_Py_qsbr_poll(qsbr, newest);
    _PyAtomic_retired *keep = NULL, *keep_last = NULL;
    Py_ssize_t taken = 0;
    while (node != NULL) {
        _PyAtomic_retired *next = node->next;
        if (_Py_qbsr_goal_reached(qsbr, node->goal)) {
            node->next = *due;
            *due = node;
            taken++;
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
        push_retired(list, keep, keep_last);
    }
    _Py_atomic_add_ssize(&list->pending, -taken);
    return taken;
}

static void
release_chain(_PyAtomic_retired *node)
{
    while (node != NULL) {
        _PyAtomic_retired *next = node->next;
        release_node(node);
        node = next;
    }
}

static struct _qsbr_thread_state *
current_qsbr(void)
{
    return ((_PyThreadStateImpl *)_PyThreadState_GET())->qsbr;
}

// Release what is due.
static void
reclaim(_PyAtomic_RetireList *list)
{
    if (_Py_atomic_exchange_uint8(&list->reclaiming, 1)) {
        return;                 // another thread is at it
    }
    _Py_atomic_store_ssize_relaxed(&list->writes, 0);
    _PyAtomic_retired *done = NULL;
    (void)take_due(list, current_qsbr(), &done);
    // What is left was retired within the grace period that the scan saw
    // begin: the next reclamation waits for as many writes, so that each
    // node kept is visited O(1) times per write.
    _Py_atomic_store_ssize_relaxed(
        &list->kept, _Py_atomic_load_ssize_relaxed(&list->pending));
    _Py_atomic_store_uint8(&list->reclaiming, 0);
    // Release last: a finalizer may write to this very structure.
    release_chain(done);
}

/* The collector's list of the retire lists that hold something
   (PyInterpreterState.atomics_retired).

   A retirement links its list if it is not linked yet; a collection, with
   the world stopped, takes what is due from the lists of its interpreter
   and unlinks those it empties; _PyAtomic_RetireClear() unlinks a list
   before its memory goes.  The links and the registered flags change only
   under the mutex or with the world stopped.  The collector walks them
   without the mutex: a thread holding it never detaches before it lets
   go (the critical sections only link or unlink), and threads wait for
   it with _Py_LOCK_DONT_DETACH, so that no waiter is detached when it is
   handed the mutex, and so that a retirement is never a quiescent state
   of its thread (callers may hold borrowed pointers across it).  The
   collector may then see a list that is being retired into but not
   linked yet (its thread waits for the mutex): that list waits for its
   writes or for the next collection. */

// Caller holds the mutex or has stopped the world.
static void
unlink_list(_PyAtomic_RetireList *list)
{
    if (list->reg_prev != NULL) {
        list->reg_prev->reg_next = list->reg_next;
    }
    else {
        list->interp->atomics_retired.head = list->reg_next;
    }
    if (list->reg_next != NULL) {
        list->reg_next->reg_prev = list->reg_prev;
    }
    list->reg_prev = list->reg_next = NULL;
    _Py_atomic_store_uint8_relaxed(&list->registered, 0);
}

static void
register_list(_PyAtomic_RetireList *list)
{
    PyInterpreterState *interp = _PyInterpreterState_GET();
    PyMutex_LockFlags(&interp->atomics_retired.mutex, _Py_LOCK_DONT_DETACH);
    if (!list->registered) {
        list->interp = interp;
        list->reg_prev = NULL;
        list->reg_next = interp->atomics_retired.head;
        if (list->reg_next != NULL) {
            list->reg_next->reg_prev = list;
        }
        interp->atomics_retired.head = list;
        _Py_atomic_store_uint8_relaxed(&list->registered, 1);
    }
    PyMutex_Unlock(&interp->atomics_retired.mutex);
}

static void
unregister_list(_PyAtomic_RetireList *list)
{
    if (!_Py_atomic_load_uint8_relaxed(&list->registered)) {
        return;
    }
    // The structure is not used any more, so no thread links it now.
    PyMutex *mutex = &list->interp->atomics_retired.mutex;
    PyMutex_LockFlags(mutex, _Py_LOCK_DONT_DETACH);
    if (list->registered) {
        unlink_list(list);
    }
    PyMutex_Unlock(mutex);
}
#endif  /* Py_GIL_DISABLED */

void
_PyAtomic_RetireTick(_PyAtomic_RetireList *list)
{
#ifdef Py_GIL_DISABLED
    Py_ssize_t writes = _Py_atomic_add_ssize(&list->writes, 1) + 1;
    Py_ssize_t kept = _Py_atomic_load_ssize_relaxed(&list->kept);
    if (writes >= Py_MAX(kept, RECLAIM_MIN)
        && _Py_atomic_load_ssize_relaxed(&list->pending) > 0)
    {
        reclaim(list);
    }
#endif
}

void
_PyAtomic_RetireFlush(_PyAtomic_RetireList *list)
{
#ifdef Py_GIL_DISABLED
    if (_Py_atomic_load_ssize_relaxed(&list->pending) > 0) {
        reclaim(list);
    }
#endif
}

void
_PyAtomic_Retire(_PyAtomic_RetireList *list, void *ptr,
                 void (*release)(void *))
{
#ifdef Py_GIL_DISABLED
    _PyAtomic_retired *node = PyMem_Malloc(sizeof(_PyAtomic_retired));
    if (node == NULL) {
        // Out of memory: wait for a grace period instead.
        _PyAtomic_Synchronize();
    }
    else {
        _PyThreadStateImpl *tstate =
            (_PyThreadStateImpl *)_PyThreadState_GET();
        node->ptr = ptr;
        node->release = release;
        // After the store that unlinked ptr (sequentially consistent).
        // The next goal, without advancing the shared write sequence (a
        // cache line every thread reads): the reclaiming thread advances
        // it when it needs to (take_due()).
        node->goal = _Py_qsbr_shared_next(tstate->qsbr->shared);
        push_retired(list, node, node);
        _Py_atomic_add_ssize(&list->pending, 1);
        if (!_Py_atomic_load_uint8_relaxed(&list->registered)) {
            register_list(list);
        }
        _PyAtomic_RetireTick(list);
        return;
    }
#endif
    if (release == NULL) {
        Py_DECREF((PyObject *)ptr);
    }
    else {
        release(ptr);
    }
}

void
_PyAtomic_RetireClear(_PyAtomic_RetireList *list)
{
#ifdef Py_GIL_DISABLED
    unregister_list(list);
    _PyAtomic_retired *node = _Py_atomic_exchange_ptr(&list->head, NULL);
    _Py_atomic_store_ssize_relaxed(&list->pending, 0);
    release_chain(node);
#endif
}

_PyAtomic_retired *
_PyAtomic_TakeRetired(PyInterpreterState *interp)
{
    _PyAtomic_retired *due = NULL;
#ifdef Py_GIL_DISABLED
    // The world is stopped (see the collector's list above): no thread is
    // inside a critical section of the mutex, nor inside take_due() (a
    // reclaiming thread reaches no safe point before it resets its
    // try-lock; a list whose try-lock is held here is skipped), nor
    // between a push and its count.
    struct _qsbr_thread_state *qsbr = current_qsbr();
    _PyAtomic_RetireList *next;
    for (_PyAtomic_RetireList *list = interp->atomics_retired.head;
         list != NULL; list = next)
    {
        next = list->reg_next;
        if (_Py_atomic_load_uint8_relaxed(&list->reclaiming)) {
            continue;
        }
        (void)take_due(list, qsbr, &due);
        // As a reclamation would.
        _Py_atomic_store_ssize_relaxed(
            &list->kept, _Py_atomic_load_ssize_relaxed(&list->pending));
        if (_Py_atomic_load_ptr_relaxed(&list->head) == NULL) {
            unlink_list(list);
        }
    }
#endif
    return due;
}

void
_PyAtomic_ReleaseRetired(_PyAtomic_retired *due)
{
#ifdef Py_GIL_DISABLED
    release_chain(due);
#else
    assert(due == NULL);
#endif
}

int
_PyAtomic_RetireTraverse(_PyAtomic_RetireList *list, visitproc visit,
                         void *arg,
                         int (*traverse)(void *, visitproc, void *))
{
#ifdef Py_GIL_DISABLED
    // The garbage collector stops the world: nothing changes under us.
    for (_PyAtomic_retired *node = list->head; node != NULL;
         node = node->next)
    {
        if (node->release == NULL) {
            Py_VISIT((PyObject *)node->ptr);
        }
        else if (traverse != NULL) {
            int r = traverse(node->ptr, visit, arg);
            if (r) {
                return r;
            }
        }
    }
#endif
    return 0;
}
