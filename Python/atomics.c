/* Runtime support for the atomics module that is not about references.

   _PyAtomic_Synchronize() waits for a QSBR grace period, as RCU's
   synchronize_rcu() does: it advances the shared write sequence and polls
   until every attached thread has reported a quiescent state at or after
   it.  Threads report one at every bytecode boundary (CHECK_EVAL_BREAKER)
   and when they detach; detached threads count as quiescent.  A stop-the-
   world pause would give the same guarantee, but it takes a per-
   interpreter mutex that fork() and interpreter finalization can leave
   locked in 3.13 (gh-137433), and it stops every thread, where this only
   waits for them.

   The waiting thread reports its own quiescent state first (its caller
   holds no QSBR-protected pointer), then detaches between polls: a thread
   that asks for a stop-the-world pause meanwhile must not wait for us
   while we wait for it. */

#include "Python.h"
#include "pycore_atomics.h"
#ifdef Py_GIL_DISABLED
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
