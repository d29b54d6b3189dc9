/* atomics.Queue: a multi-producer, multi-consumer FIFO queue with the API
   of queue.Queue, whose put() and get() take no lock.

   The algorithm
   -------------
   A linked list of segments, each an array of SEG_SLOTS item slots with
   two counters: enqidx, the next slot a producer claims, and deqidx, the
   next slot a consumer claims; both only grow, by fetch-and-add.  This is
   the FAAArrayQueue of Correia and Ramalhete (from the family of LCRQ by
   Morrison and Afek), with QSBR in place of hazard pointers:

     put:  t = tail; i = FAA(t->enqidx, 1)
           i < SEG_SLOTS:  CAS(t->slots[i], NULL, item); done if it
                           succeeds, else the slot was burnt: start again
           otherwise:      the segment is full: link a new segment holding
                           item in its slot 0 after t (CAS on t->next) and
                           swing tail to it; or help swing tail to t->next
     get:  h = head
           if h->deqidx >= h->enqidx and h->next is NULL: empty
           i = FAA(h->deqidx, 1)
           i < SEG_SLOTS:  item = XCHG(h->slots[i], TAKEN); an item is
                           ours; NULL means the producer that owns ticket i
                           has not stored yet: the slot is burnt (its CAS
                           fails and it takes a new ticket), start again;
                           before the XCHG the consumer loads the slot up
                           to SLOT_WAIT times, so that a producer between
                           its FAA and its CAS seldom loses its slot
           otherwise:      swing tail past h if it is there, swing head to
                           h->next (empty if there is none), and retire h

   Every slot is claimed by at most one producer ticket and one consumer
   ticket, so an item is handed over exactly once: the queue's reference
   passes from the producer to the consumer, with no reference count
   operation and no allocation per item.  Tickets are handed out in order
   and consumers take slots in ticket order, so the queue is FIFO: an item
   whose put() returned before another put() began is taken first.
   Linearization points: put() at its successful CAS on a slot (or on
   t->next); get() at its successful XCHG, or, when it reports empty, at
   its load of h->enqidx (deqidx >= enqidx: every ticket handed out has a
   consumer) together with h->next being NULL.  A put() that took a ticket
   but has not stored is not yet linearized, so a get() that burns its slot
   and then finds the queue empty is correct.

   Orderings: every access to a counter, slot or link is a sequentially
   consistent atomic, but for three hints, which are relaxed: enq_seen
   and gets_seen, old values of enqidx and gets (both only grow, so an
   old value can only say "no ticket left" or "full" too early, and then
   the thread loads the counter itself: see segment_empty() and
   reserve()), and a consumer's loads of its slot before the XCHG that
   takes it (they only decide when to exchange).  The CAS that stores an
   item releases the item's contents to the consumer whose XCHG acquires
   it; the CAS that links a segment publishes its initialized slots and
   counters.  The waiting protocol below needs store-load order (a waiter
   announces itself, then looks at the queue; a producer stores, then
   looks for waiters), which only sequential consistency gives.

   Reclamation: a segment is unlinked only from head, once every one of
   its slots has a consumer ticket, by the consumer whose CAS on head
   succeeds; tail is first swung past it, so that no shared pointer leads
   to it any more.  It is then retired (_PyAtomic_Retire()): freed once
   every thread has passed a quiescent state, so a thread that loaded head
   or tail before the unlink can still read it.  No function here holds a
   segment pointer across a point where its thread may detach (parking,
   Py_DECREF, calls into Python).  A retired segment holds no item of
   the queue's: each of its slots was taken or burnt, in the same C call
   as its ticket (a slot taken by get_many() without a write still points
   at the item it handed over, which nothing reads).

   Batches: put_many() takes a run of tickets with one fetch-and-add and
   stores its items in them in order; if a consumer burnt one of those
   slots, it marks the rest TAKEN itself (a consumer treats that as a
   burnt slot) and puts the remaining items under new tickets, so that no
   item of the batch overtakes an earlier one.  get_many() claims a run of
   tickets with one compare-and-swap of deqidx, and only tickets that
   producers already hold (below enqidx), so that it seldom burns a slot;
   it takes an item already stored with a load (the ticket is its alone,
   and the producer is done with the slot), and only an empty slot with
   get()'s XCHG.  Each item of a batch is linearized on its own, as above
   (an item taken by a load at that load).

   Counts: done counts the tasks done; a bounded queue also counts the
   places taken in puts and the items taken in gets.  Each is written by
   one side only and sits on that side's cache line, so that handing
   items over does not also move a count's line between producer and
   consumer.  A bounded queue's put() takes its place before its ticket,
   by a CAS on puts that keeps puts - gets at most maxsize; get() adds to
   gets after its XCHG.  The producer compares with gets_seen, a value of
   gets it saw earlier, and loads gets only when that says full: gets
   only grows, so an old value can only say full too early.  A put() that
   cannot store (no memory) gives its place back.

   An unbounded queue counts nothing per item but its tickets (a count of
   its own would be one more atomic operation per put()).  Its items put
   are the tickets handed out, less wasted: the tickets whose producer
   stored nothing (a consumer burnt the slot, or put_many() marked it
   TAKEN).  Tickets at or past SEG_SLOTS are not counted (the tail's base
   plus its enqidx, capped), so a put() that cannot store (it fails only
   while linking a segment) needs no correction.  items_put() loads
   wasted first: a producer adds to it only after it took the ticket, so
   every ticket counted in wasted is counted among the tickets loaded
   after, and the result is never below the items put before the call
   began (a ticket counts before its item is stored).  tail may still
   point at the segment before the last: a producer links a segment with
   its item in slot 0 before it swings tail, so items_put() counts from
   tail->next when there is one.  Only that slot can be filled before the
   swing (other producers take tickets through tail), and later segments
   are linked only after it.  Unbounded queues do not count gets either;
   their qsize() is the difference of the tickets of tail and head.

   The unfinished tasks are the items put less done: an item counts as
   put before it can be taken, so join() never sees zero while an item
   is in flight, and task_done() counts only while done is below the
   items put (for a bounded queue, usually known from done < gets, on
   its own side's line).

   Waiting
   -------
   A thread that must wait (get() on an empty queue, put() on a full one,
   join() with unfinished tasks) first retries, with growing pauses, for
   about as long as parking costs (see wait_for()), then parks on an
   event counter (get_seq, put_seq, join_seq) with the parking lot: it
   adds itself to the matching waiter count, loads the counter, looks at
   the queue again, and parks only if the counter still holds the value
   it loaded (the parking lot compares under its bucket lock).  A
   thread that makes the condition true (a put() for getters, a get() of a
   bounded queue for putters, the last task_done() for joiners) stores
   first, then loads the waiter count, and only if it is not zero bumps the
   counter and unparks: one waiter for an item or a place, every joiner.
   Either the waiter sees the store or the waker sees the waiter (both
   sides are sequentially consistent), and a waiter that parks after the
   bump finds the counter changed: no lost wakeup, and no system call on
   the fast path.  A waiter that wakes and finds nothing (another thread
   was faster) waits again.  shutdown() sets is_shutdown, then bumps every
   counter and unparks every waiter; waiters check it before parking.

   After fork() the child's waiter counts may count threads that do not
   exist there (the parking lot forgets them): wakers then unpark nobody,
   which costs a bucket lock and is otherwise harmless. */

#include "module.h"
#include "pycore_parking_lot.h"   // _PyParkingLot_Park()
#include "pycore_time.h"          // _PyDeadline_Init()

// Slots per segment: a segment costs 8 bytes per slot plus a few cache
// lines, and one allocation per SEG_SLOTS items.
#define SEG_SLOTS 1024

// How long a waiter retries before it parks, in nanoseconds, with
// 2**SPIN_PAUSE_LOG pauses at most between retries (see wait_for()).
#define SPIN_NS 10000
#define SPIN_PAUSE_LOG 4

// A producer that found a bounded queue full waits for this share of its
// places, or this many, whichever is fewer, with 2**ROOM_PAUSE_LOG pauses
// at most between ROOM_TRIES looks (see spin_for_room()).
#define ROOM_SHARE 4
#define ROOM_BATCH 64
#define ROOM_PAUSE_LOG 6
#define ROOM_TRIES 16

// Loads of an empty slot before a consumer burns it.
#define SLOT_WAIT 256

// What a consumer leaves in a slot it claimed (taken or burnt).
static char taken_marker;
#define TAKEN ((PyObject *)&taken_marker)

typedef struct segment {
    Py_ssize_t deqidx;                  // consumers' tickets
    Py_ssize_t enq_seen;                // enqidx, as a consumer last saw it
    char pad0[ATOMICS_CACHE_LINE - 2 * sizeof(Py_ssize_t)];
    Py_ssize_t enqidx;                  // producers' tickets
    char pad1[ATOMICS_CACHE_LINE - sizeof(Py_ssize_t)];
    struct segment *next;
    int64_t base;                       // queue-wide number of slots[0]
    PyObject *slots[SEG_SLOTS];
} segment;

// Shared by a queue and its handles.  Fields that different threads write
// sit on different cache lines: consumers write the first, producers the
// third.
typedef struct {
    segment *head;
    Py_ssize_t gets;                    // items taken (bounded only)
    Py_ssize_t done;                    // task_done() calls counted
    char pad0[ATOMICS_CACHE_LINE - sizeof(segment *)
              - 2 * sizeof(Py_ssize_t)];
    segment *tail;
    char pad1[ATOMICS_CACHE_LINE - sizeof(segment *)];
    Py_ssize_t puts;                    // places taken (bounded only)
    Py_ssize_t gets_seen;               // gets, as a producer last saw it
    Py_ssize_t wasted;                  // tickets that stored no item
    char pad2[ATOMICS_CACHE_LINE - 3 * sizeof(Py_ssize_t)];
    // Written only by waiters and wakers.
    Py_ssize_t get_waiters, put_waiters, join_waiters;
    uint32_t get_seq, put_seq, join_seq;
    uint8_t is_shutdown;
    char pad3[ATOMICS_CACHE_LINE];
    Py_ssize_t maxsize;                 // 0: unbounded
    _PyAtomic_RetireList retired;       // unlinked segments
} queue_core;

typedef struct {
    atomics_object base;
    queue_core *core;                   // the owner's, for a handle
} atomicqueueobject;

#define atomicqueueobject_CAST(op) ((atomicqueueobject *)(op))

/*[clinic input]
module _atomics
class _atomics.Queue "atomicqueueobject *" "clinic_state()->atomicqueue_type"
[clinic start generated code]*/
/*[clinic end generated code: output=da39a3ee5e6b4b0d input=ba432ab88d0107f0]*/

#include "clinic/atomicqueue.c.h"


/* --- Segments ------------------------------------------------------------ */

static segment *
segment_new(int64_t base, PyObject *first)
{
    segment *s = PyMem_Calloc(1, sizeof(segment));
    if (s == NULL) {
        return NULL;
    }
    s->base = base;
    if (first != NULL) {
        s->slots[0] = first;
        s->enqidx = 1;
    }
    return s;
}

static void
segment_free(void *s)
{
    PyMem_Free(s);
}

static inline segment *
load_seg(segment **p)
{
    return (segment *)_Py_atomic_load_ptr(p);
}

static inline int
cas_seg(segment **p, segment *expected, segment *value)
{
    return _Py_atomic_compare_exchange_ptr(p, &expected, value);
}

// Hand item (a reference the queue now owns) to the queue.  Returns 0, or
// -1 with MemoryError set (the caller keeps its reference).
static int
enqueue(queue_core *q, PyObject *item)
{
    for (;;) {
        segment *t = load_seg(&q->tail);
        Py_ssize_t i = _Py_atomic_add_ssize(&t->enqidx, 1);
        if (i < SEG_SLOTS) {
            PyObject *expected = NULL;
            if (_Py_atomic_compare_exchange_ptr(&t->slots[i], &expected,
                                                item)) {
                return 0;
            }
            _Py_atomic_add_ssize(&q->wasted, 1);
            continue;           // burnt by a consumer
        }
        if (t != load_seg(&q->tail)) {
            continue;
        }
        segment *next = load_seg(&t->next);
        if (next != NULL) {
            cas_seg(&q->tail, t, next);
            continue;
        }
        segment *s = segment_new(t->base + SEG_SLOTS, item);
        if (s == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        if (cas_seg(&t->next, NULL, s)) {
            cas_seg(&q->tail, t, s);
            return 0;
        }
        segment_free(s);        // never published
    }
}

// 1 if every ticket that producers took in h has a consumer and h is the
// last segment.  A consumer compares deqidx with enq_seen, a value of
// enqidx it saw earlier, before it loads enqidx (a line the producers
// write): enqidx only grows, so deqidx < enq_seen says a ticket is left,
// as a fresh load would.
static inline int
segment_empty(segment *h)
{
    Py_ssize_t d = _Py_atomic_load_ssize(&h->deqidx);
    if (d < _Py_atomic_load_ssize_relaxed(&h->enq_seen)) {
        return 0;
    }
    Py_ssize_t e = _Py_atomic_load_ssize(&h->enqidx);
    _Py_atomic_store_ssize_relaxed(&h->enq_seen, e);
    return d >= e && load_seg(&h->next) == NULL;
}

// Take the item of a slot whose consumer ticket is ours: a reference the
// caller owns, or NULL if the slot is burnt (by us, or by its producer).
static inline PyObject *
take_slot(PyObject **slot)
{
    // Its producer took the ticket just before: give it a moment to store
    // rather than burn the slot.  A load would do to take an item that is
    // there (no other consumer holds the ticket); with it, a consumer that
    // had caught up with its producer seemed to fall into lockstep with
    // it (one line transfer per item) more often, so the exchange stays
    // until a clearer measurement says otherwise.
    for (int n = 0; n < SLOT_WAIT
            && _Py_atomic_load_ptr_relaxed(slot) == NULL; n++) {
    }
    PyObject *item = _Py_atomic_exchange_ptr(slot, TAKEN);
    return item == TAKEN ? NULL : item;
}

// Take the first item: a reference the caller owns, or NULL if the queue
// is empty.  Never fails.
static PyObject *
dequeue(queue_core *q)
{
    for (;;) {
        segment *h = load_seg(&q->head);
        if (segment_empty(h)) {
            return NULL;
        }
        Py_ssize_t i = _Py_atomic_add_ssize(&h->deqidx, 1);
        if (i < SEG_SLOTS) {
            PyObject *item = take_slot(&h->slots[i]);
            if (item != NULL) {
                return item;
            }
            continue;           // burnt: its producer takes a new ticket
        }
        segment *next = load_seg(&h->next);
        if (next == NULL) {
            return NULL;
        }
        cas_seg(&q->tail, h, next);
        if (cas_seg(&q->head, h, next)) {
            _PyAtomic_Retire(&q->retired, h, segment_free);
        }
    }
}

// Store items[0..n) (references the queue now owns) in order, in a run
// of slots of the tail segment taken by one fetch-and-add.  Returns how
// many it stored from items[0]: fewer than n if the segment ran out of
// slots or a consumer burnt one (0 if it burnt the first).
static Py_ssize_t
enqueue_run(queue_core *q, PyObject *const *items, Py_ssize_t n)
{
    segment *t = load_seg(&q->tail);
    Py_ssize_t i = _Py_atomic_add_ssize(&t->enqidx, n);
    Py_ssize_t m = Py_MIN(n, SEG_SLOTS - i);
    Py_ssize_t k = 0;
    while (k < m) {
        PyObject *expected = NULL;
        if (!_Py_atomic_compare_exchange_ptr(&t->slots[i + k], &expected,
                                             items[k])) {
            break;
        }
        k++;
    }
    // The slots after a burnt one stay empty: the items meant for them
    // must not overtake items[k], which goes on to a later ticket.  Their
    // consumers find TAKEN, as in a slot they burnt themselves.
    for (Py_ssize_t j = k + 1; j < m; j++) {
        _Py_atomic_exchange_ptr(&t->slots[i + j], TAKEN);
    }
    if (k < m) {
        _Py_atomic_add_ssize(&q->wasted, m - k);
    }
    return k;
}

// Store items[0..n) (references the queue now owns) in order.  Returns n,
// or fewer with MemoryError set (the caller keeps the rest).
static Py_ssize_t
enqueue_many(queue_core *q, PyObject *const *items, Py_ssize_t n)
{
    Py_ssize_t done = 0;
    while (done < n) {
        Py_ssize_t k = enqueue_run(q, items + done,
                                   Py_MIN(n - done, SEG_SLOTS));
        if (k == 0) {
            // The tail segment is full (enqueue() links the next one), or
            // the first slot was burnt.
            if (enqueue(q, items[done]) < 0) {
                return done;
            }
            k = 1;
        }
        done += k;
    }
    return n;
}

// take_slot() for a ticket that its producer took before ours (a batch
// claims only those): a producer usually stored long ago, and then the
// item is ours without a write.  No thread writes the slot any more (its
// producer is done with it, no other consumer holds the ticket), and
// nothing reads a slot below deqidx, so the item may stay in it.
static inline PyObject *
take_stored_slot(PyObject **slot)
{
    PyObject *item = _Py_atomic_load_ptr(slot);
    if (item == NULL) {
        return take_slot(slot);
    }
    return item == TAKEN ? NULL : item;
}

// Take up to n items, in order, from a run of slots of the head segment
// claimed by one compare-and-swap of deqidx, into out[] (references the
// caller owns).  Claims only tickets that producers already hold.
// Returns how many it took: 0 if the head segment had no such ticket
// left or every slot it claimed was burnt (the queue may still hold
// items: dequeue() retries and moves on to the next segment).
static Py_ssize_t
dequeue_run(queue_core *q, PyObject **out, Py_ssize_t n)
{
    segment *h = load_seg(&q->head);
    Py_ssize_t d = _Py_atomic_load_ssize(&h->deqidx);
    Py_ssize_t m;
    do {
        Py_ssize_t e = Py_MIN(_Py_atomic_load_ssize(&h->enqidx), SEG_SLOTS);
        m = Py_MIN(n, e - d);
        if (m <= 0) {
            return 0;
        }
    } while (!_Py_atomic_compare_exchange_ssize(&h->deqidx, &d, d + m));
    Py_ssize_t k = 0;
    for (Py_ssize_t j = 0; j < m; j++) {
        PyObject *item = take_stored_slot(&h->slots[d + j]);
        if (item != NULL) {
            out[k++] = item;
        }
    }
    return k;
}

// 1 if a get() would find an item now (or an item is being stored).
static inline int
queue_nonempty(queue_core *q)
{
    return !segment_empty(load_seg(&q->head));
}

// The items put, never fewer than were put before the call (see
// "Counts" above): the places taken in a bounded queue, the tickets less
// the wasted ones in an unbounded queue.
static Py_ssize_t
items_put(queue_core *q)
{
    if (q->maxsize > 0) {
        return _Py_atomic_load_ssize(&q->puts);
    }
    Py_ssize_t w = _Py_atomic_load_ssize(&q->wasted);
    segment *t = load_seg(&q->tail);
    segment *next = load_seg(&t->next);
    if (next != NULL) {
        t = next;
    }
    Py_ssize_t e = Py_MIN(_Py_atomic_load_ssize(&t->enqidx), SEG_SLOTS);
    return (Py_ssize_t)(t->base + e) - w;
}

static Py_ssize_t
queue_qsize(queue_core *q)
{
    if (q->maxsize > 0) {
        // gets first: it never overtakes puts.
        Py_ssize_t g = _Py_atomic_load_ssize(&q->gets);
        Py_ssize_t n = _Py_atomic_load_ssize(&q->puts) - g;
        return n < 0 ? 0 : Py_MIN(n, q->maxsize);
    }
    // head first: tail never falls behind it (get() swings tail on).
    segment *h = load_seg(&q->head);
    segment *t = load_seg(&q->tail);
    Py_ssize_t d = _Py_atomic_load_ssize(&h->deqidx);
    Py_ssize_t e = _Py_atomic_load_ssize(&t->enqidx);
    int64_t n = ((t->base + Py_MIN(e, SEG_SLOTS))
                 - (h->base + Py_MIN(d, SEG_SLOTS)));
    return n < 0 ? 0 : (Py_ssize_t)n;
}


/* --- Waiting ------------------------------------------------------------- */

static void
unpark_nothing(void *arg, void *park_arg, int has_more_waiters)
{
}

// Wake the waiters on seq if there are any (see "Waiting" above): one
// for one item or place, every one for more (a waiter that finds nothing
// left waits again).
static inline void
wake(uint32_t *seq, Py_ssize_t *waiters, Py_ssize_t n)
{
    if (_Py_atomic_load_ssize(waiters) != 0) {
        _Py_atomic_add_uint32(seq, 1);
        if (n == 1) {
            _PyParkingLot_Unpark(seq, unpark_nothing, NULL);
        }
        else {
            _PyParkingLot_UnparkAll(seq);
        }
    }
}

static void
wake_all(uint32_t *seq)
{
    _Py_atomic_add_uint32(seq, 1);
    _PyParkingLot_UnparkAll(seq);
}

typedef int (*ready_fn)(queue_core *q);

static int
ready_get(queue_core *q)
{
    return queue_nonempty(q) || _Py_atomic_load_uint8(&q->is_shutdown);
}

static int
ready_put(queue_core *q)
{
    Py_ssize_t g = _Py_atomic_load_ssize(&q->gets);
    return (_Py_atomic_load_ssize(&q->puts) - g < q->maxsize
            || _Py_atomic_load_uint8(&q->is_shutdown));
}

// done first: if the items put, counted after it, are no more, the two
// were equal when done was loaded (done never overtakes them), so every
// task was done at that moment.
static int
ready_join(queue_core *q)
{
    Py_ssize_t d = _Py_atomic_load_ssize(&q->done);
    return items_put(q) <= d;
}

// A thread's wait: the calls of wait_for() it made while spinning, and
// when its spinning ends.
typedef struct {
    int round;
    PyTime_t spin_end;
} waiting;

#ifdef Py_GIL_DISABLED
// Pause before a waiter looks again, if it is still to spin: 1, or 0 once
// SPIN_NS have passed since its first call.  Each pause is twice the one
// before, up to a cap, so that early looks come quickly and later ones
// do not keep taking the line that the thread it waits for writes.
static int
spin(waiting *w)
{
    PyTime_t now;
    if (PyTime_MonotonicRaw(&now) < 0) {
        return 0;
    }
    if (w->round == 0) {
        w->spin_end = now + SPIN_NS;
    }
    else if (now >= w->spin_end) {
        return 0;
    }
    w->round++;
    for (int i = 1 << Py_MIN(w->round, SPIN_PAUSE_LOG); i > 0; i--) {
        atomics_cpu_relax();
    }
    return 1;
}
#endif

// Wait until ready(q) may have become true or the deadline (if not -1)
// passes.  A waiter first spins for about as long as parking and being
// woken take, measured in time rather than in pauses (a pause lasts from
// one cycle to over a hundred, by processor).  It then pays at most about
// twice what the better of spinning and parking would have cost
// (competitive spinning), and two threads that answer each other through
// queues do not fall into parking on every item, as they do when each
// spins for less time than the other takes to answer.  On the default
// build no other thread runs while this one holds the GIL, so it parks
// at once.  Returns 1 to look again, 0 if the deadline passed, -1 with an
// exception set (a signal handler raised).
static int
wait_for(queue_core *q, uint32_t *seq, Py_ssize_t *waiters, ready_fn ready,
         PyTime_t deadline, waiting *w)
{
#ifdef Py_GIL_DISABLED
    if (spin(w)) {
        return 1;
    }
#else
    (void)w;
#endif
    PyTime_t timeout = -1;
    if (deadline != -1) {
        timeout = _PyDeadline_Get(deadline);
        if (timeout <= 0) {
            return 0;
        }
    }
    _Py_atomic_add_ssize(waiters, 1);
    uint32_t expected = _Py_atomic_load_uint32(seq);
    int st = Py_PARK_AGAIN;
    if (!ready(q)) {
        st = _PyParkingLot_Park(seq, &expected, sizeof(expected), timeout,
                                NULL, 1);
    }
    _Py_atomic_add_ssize(waiters, -1);
    if (st == Py_PARK_INTR && Py_MakePendingCalls() < 0) {
        return -1;
    }
    return 1;
}

// The deadline of a blocking call's timeout argument: -1 for none.
static int
get_deadline(PyObject *timeout, int block, PyTime_t *deadline)
{
    *deadline = -1;
    if (!block || timeout == Py_None) {
        return 0;
    }
    PyTime_t t;
    if (_PyTime_FromSecondsObject(&t, timeout, _PyTime_ROUND_TIMEOUT) < 0) {
        return -1;
    }
    if (t < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "'timeout' must be a non-negative number");
        return -1;
    }
    *deadline = _PyDeadline_Init(t);
    return 0;
}

// Raise queue.<name> (Empty, Full or ShutDown); return NULL.
static PyObject *
raise_queue_error(PyObject *self, const char *name)
{
    PyObject *mod = PyImport_ImportModule("queue");
    if (mod == NULL) {
        return NULL;
    }
    PyObject *exc = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    if (exc != NULL) {
        PyErr_SetNone(exc);
        Py_DECREF(exc);
    }
    return NULL;
}


/* --- put and get --------------------------------------------------------- */

// maxsize - (p - g), where p may be older than g (then a CAS on p fails).
static inline Py_ssize_t
places_left(queue_core *q, Py_ssize_t p, Py_ssize_t g)
{
    return p < g ? q->maxsize : q->maxsize - (p - g);
}

// Take up to want places in a bounded queue.  Returns how many, 0 if it
// is full.  The free places are at least maxsize - (puts - gets_seen),
// as gets only grows: only when that says full does a producer load gets
// (a line the consumers write) and keep what it saw in gets_seen (a
// racing producer may store an older value, which is still safe).
static Py_ssize_t
reserve(queue_core *q, Py_ssize_t want)
{
    Py_ssize_t p = _Py_atomic_load_ssize(&q->puts);
    for (;;) {
        Py_ssize_t room = places_left(
            q, p, _Py_atomic_load_ssize_relaxed(&q->gets_seen));
        if (room <= 0) {
            Py_ssize_t g = _Py_atomic_load_ssize(&q->gets);
            _Py_atomic_store_ssize_relaxed(&q->gets_seen, g);
            room = places_left(q, p, g);
            if (room <= 0) {
                return 0;
            }
        }
        Py_ssize_t k = Py_MIN(want, room);
        if (_Py_atomic_compare_exchange_ssize(&q->puts, &p, p + k)) {
            return k;
        }
    }
}

// Items taken from a bounded queue give their places back.
static void
give_back_places(queue_core *q, Py_ssize_t n)
{
    _Py_atomic_add_ssize(&q->gets, n);
    wake(&q->put_seq, &q->put_waiters, n);
}

// n places taken in a bounded queue were not filled after all.
static void
give_back_unused(queue_core *q, Py_ssize_t n)
{
    _Py_atomic_add_ssize(&q->puts, -n);
    wake(&q->put_seq, &q->put_waiters, n);
    if (_Py_atomic_load_ssize(&q->join_waiters) != 0 && ready_join(q)) {
        wake_all(&q->join_seq);
    }
}

// A producer that finds the queue full spins until a share of its places
// is free (ROOM_SHARE of them, at most ROOM_BATCH), not until the first
// one is: each look at gets takes the consumers' line from them, and a
// producer that takes each place as soon as it is free looks once per
// item while the queue stays full.  The pause between looks doubles.  It
// gives up after ROOM_TRIES looks, and then waits for a single place as
// wait_for() does: a consumer that stops with fewer places free does not
// hold it up.  On the default build no consumer runs while this thread
// holds the GIL, so it does not spin.
static void
spin_for_room(queue_core *q)
{
#ifdef Py_GIL_DISABLED
    Py_ssize_t room = Py_MIN(q->maxsize / ROOM_SHARE + 1, ROOM_BATCH);
    for (int round = 0; round < ROOM_TRIES; round++) {
        for (int i = 1 << Py_MIN(round, ROOM_PAUSE_LOG); i > 0; i--) {
            atomics_cpu_relax();
        }
        Py_ssize_t g = _Py_atomic_load_ssize(&q->gets);
        if (places_left(q, _Py_atomic_load_ssize(&q->puts), g) >= room
                || _Py_atomic_load_uint8(&q->is_shutdown)) {
            _Py_atomic_store_ssize_relaxed(&q->gets_seen, g);
            return;
        }
    }
#else
    (void)q;
#endif
}

// Take up to want places in a bounded queue, waiting as put() does.
// Returns how many (at least 1), or -1 with an exception set.
static Py_ssize_t
take_places(PyObject *self, queue_core *q, Py_ssize_t want, int block,
            PyTime_t deadline)
{
    waiting w = {0};
    for (;;) {
        Py_ssize_t k = reserve(q, want);
        if (k > 0) {
            return k;
        }
        if (!block) {
            break;
        }
        if (w.round == 0) {
            spin_for_room(q);
        }
        int r = wait_for(q, &q->put_seq, &q->put_waiters, ready_put,
                         deadline, &w);
        if (r < 0) {
            return -1;
        }
        if (_Py_atomic_load_uint8(&q->is_shutdown)) {
            raise_queue_error(self, "ShutDown");
            return -1;
        }
        if (r == 0) {
            k = reserve(q, want);
            if (k > 0) {
                return k;
            }
            break;
        }
    }
    raise_queue_error(self, "Full");
    return -1;
}

// put() of items[0..n) in order, each as put() of it would, with one
// deadline.  Returns 0, or -1 with an exception set (the items before
// the one that failed are in the queue).
static int
put_items(PyObject *self, queue_core *q, PyObject *const *items,
          Py_ssize_t n, int block, PyTime_t deadline)
{
    while (n > 0) {
        if (_Py_atomic_load_uint8(&q->is_shutdown)) {
            raise_queue_error(self, "ShutDown");
            return -1;
        }
        // At most a segment at a time, so that a consumer parked on an
        // empty queue wakes before a long batch has been stored.
        Py_ssize_t k = Py_MIN(n, SEG_SLOTS);
        if (q->maxsize > 0) {
            k = take_places(self, q, k, block, deadline);
            if (k < 0) {
                return -1;
            }
        }
        for (Py_ssize_t j = 0; j < k; j++) {
            Py_INCREF(items[j]);
        }
        // One item (put()): enqueue() has no run of tickets to cut.
        Py_ssize_t stored;
        if (k == 1) {
            stored = enqueue(q, items[0]) < 0 ? 0 : 1;
        }
        else {
            stored = enqueue_many(q, items, k);
        }
        if (stored > 0) {
            wake(&q->get_seq, &q->get_waiters, stored);
        }
        if (stored < k) {
            for (Py_ssize_t j = stored; j < k; j++) {
                Py_DECREF(items[j]);
            }
            if (q->maxsize > 0) {
                give_back_unused(q, k - stored);
            }
            return -1;
        }
        items += k;
        n -= k;
    }
    return 0;
}

static PyObject *
took(queue_core *q, PyObject *item)
{
    if (q->maxsize > 0) {
        give_back_places(q, 1);
    }
    return item;
}

// get() of one item: a new reference, or NULL with an exception set.
static PyObject *
queue_get(PyObject *self, queue_core *q, int block, PyTime_t deadline)
{
    waiting w = {0};
    for (;;) {
        PyObject *item = dequeue(q);
        if (item != NULL) {
            return took(q, item);
        }
        if (_Py_atomic_load_uint8(&q->is_shutdown)) {
            return raise_queue_error(self, "ShutDown");
        }
        if (!block) {
            return raise_queue_error(self, "Empty");
        }
        int r = wait_for(q, &q->get_seq, &q->get_waiters, ready_get,
                         deadline, &w);
        if (r < 0) {
            return NULL;
        }
        if (r == 0) {
            item = dequeue(q);
            if (item != NULL) {
                return took(q, item);
            }
            return raise_queue_error(self, "Empty");
        }
    }
}


/*[clinic input]
@classmethod
_atomics.Queue.__new__ as atomicqueue_new

    maxsize: Py_ssize_t = 0

A FIFO queue for many producers and consumers: queue.Queue's API.

If maxsize is greater than zero, put() blocks while the queue holds
maxsize items; otherwise the queue is unbounded.  On the free-threaded
build put() and get() take no lock unless they have to wait.
[clinic start generated code]*/

static PyObject *
atomicqueue_new_impl(PyTypeObject *type, Py_ssize_t maxsize)
/*[clinic end generated code: output=c357fa8ebce7d1b9 input=075e2b7335a55b21]*/
{
    atomicqueueobject *self = (atomicqueueobject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    queue_core *q = PyMem_Calloc(1, sizeof(queue_core));
    segment *s = segment_new(0, NULL);
    if (q == NULL || s == NULL) {
        PyMem_Free(q);
        PyMem_Free(s);
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    q->head = q->tail = s;
    q->maxsize = maxsize < 0 ? 0 : maxsize;
    self->core = q;
    return (PyObject *)self;
}

/*[clinic input]
_atomics.Queue.put

    item: object
    block: bool = True
    timeout: object = None

Put item into the queue.

If block is true and timeout is None, wait as long as it takes for a
free place; with a non-negative timeout, wait at most that many seconds
and raise queue.Full if there is still none.  If block is false, put
the item only if a place is free at once, else raise queue.Full
(timeout is ignored).  Raises queue.ShutDown after shutdown().
[clinic start generated code]*/

static PyObject *
_atomics_Queue_put_impl(atomicqueueobject *self, PyObject *item, int block,
                        PyObject *timeout)
/*[clinic end generated code: output=f195999899e5e3d5 input=d39f0ed015498a13]*/
{
    PyTime_t deadline;
    if (get_deadline(timeout, block, &deadline) < 0) {
        return NULL;
    }
    if (put_items((PyObject *)self, self->core, &item, 1, block,
                  deadline) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.Queue.put_nowait

    item: object
    /

Put item into the queue only if a place is free; put(item, False).
[clinic start generated code]*/

static PyObject *
_atomics_Queue_put_nowait(atomicqueueobject *self, PyObject *item)
/*[clinic end generated code: output=460228cac325cf74 input=94e9dc2db38d1a57]*/
{
    if (put_items((PyObject *)self, self->core, &item, 1, 0, -1) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.Queue.get

    block: bool = True
    timeout: object = None

Remove and return the first item of the queue.

If block is true and timeout is None, wait as long as it takes for an
item; with a non-negative timeout, wait at most that many seconds and
raise queue.Empty if there is still none.  If block is false, return
an item only if one is there at once, else raise queue.Empty (timeout
is ignored).  After shutdown(), raises queue.ShutDown once the queue is
empty.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_get_impl(atomicqueueobject *self, int block,
                        PyObject *timeout)
/*[clinic end generated code: output=43ab3143c5009886 input=27efd79c4b4a2931]*/
{
    PyTime_t deadline;
    if (get_deadline(timeout, block, &deadline) < 0) {
        return NULL;
    }
    return queue_get((PyObject *)self, self->core, block, deadline);
}

/*[clinic input]
_atomics.Queue.get_nowait

Remove and return the first item only if there is one; get(False).
[clinic start generated code]*/

static PyObject *
_atomics_Queue_get_nowait_impl(atomicqueueobject *self)
/*[clinic end generated code: output=b0f29129b40dcb5f input=7634a859842cc4eb]*/
{
    return queue_get((PyObject *)self, self->core, 0, -1);
}

/*[clinic input]
_atomics.Queue.put_many

    items: object
    block: bool = True
    timeout: object = None

Put every item of the iterable items into the queue, in order.

Each item is put as put(item, block, timeout) would, with one deadline
for them all.  Not atomic as a whole: other threads' items may come
between these.  If it raises, the items before the one that failed are
in the queue and the rest are not.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_put_many_impl(atomicqueueobject *self, PyObject *items,
                             int block, PyObject *timeout)
/*[clinic end generated code: output=ad5c56e38ebd8c38 input=3a7d8ffe445f6c57]*/
{
    PyTime_t deadline;
    if (get_deadline(timeout, block, &deadline) < 0) {
        return NULL;
    }
    // A tuple: a snapshot that no other thread changes while we put it.
    PyObject *seq = PySequence_Tuple(items);
    if (seq == NULL) {
        return NULL;
    }
    int r = put_items((PyObject *)self, self->core,
                      &PyTuple_GET_ITEM(seq, 0), PyTuple_GET_SIZE(seq),
                      block, deadline);
    Py_DECREF(seq);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.Queue.get_many

    n: Py_ssize_t
    block: bool = True
    timeout: object = None

Remove and return a list of the first items of the queue, at most n.

Waits for the first item as get(block, timeout) does, then takes the
items that are there, up to n, without waiting: the list has at least
one item.  n must be positive.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_get_many_impl(atomicqueueobject *self, Py_ssize_t n,
                             int block, PyObject *timeout)
/*[clinic end generated code: output=c79db471f31071a8 input=6e68b3715bbc0516]*/
{
    if (n <= 0) {
        PyErr_SetString(PyExc_ValueError, "n must be positive");
        return NULL;
    }
    PyTime_t deadline;
    if (get_deadline(timeout, block, &deadline) < 0) {
        return NULL;
    }
    queue_core *q = self->core;
    // The first item's place in a list exists before it is taken, so that
    // nothing can fail once it is.  The list is not tracked by the
    // collector while it holds a NULL item: get() may run a signal
    // handler, that is, any Python code.
    PyObject *list = PyList_New(1);
    if (list == NULL) {
        return NULL;
    }
    PyObject_GC_UnTrack(list);
    PyObject *first = queue_get((PyObject *)self, q, block, deadline);
    PyObject_GC_Track(list);
    if (first == NULL) {
        Py_DECREF(list);
        return NULL;
    }
    PyList_SET_ITEM(list, 0, first);
    // The items there now, up to n: enough places for them, or just the
    // first item if there is no memory for more.
    Py_ssize_t cap = Py_MIN(n, 1 + queue_qsize(q));
    if (cap == 1) {
        return list;
    }
    PyObject *more = PyList_New(cap);
    if (more == NULL) {
        PyErr_Clear();
        return list;
    }
    PyList_SET_ITEM(more, 0, first);
    PyList_SET_ITEM(list, 0, NULL);
    Py_DECREF(list);
    // No Python code runs from here on: more's empty places are never
    // seen before they are cut off.
    PyObject **items = ((PyListObject *)more)->ob_item;
    Py_ssize_t len = 1;
    while (len < cap) {
        Py_ssize_t k = dequeue_run(q, items + len, cap - len);
        if (k == 0) {
            PyObject *item = dequeue(q);
            if (item == NULL) {
                break;
            }
            items[len] = item;
            k = 1;
        }
        if (q->maxsize > 0) {
            give_back_places(q, k);
        }
        len += k;
    }
    Py_SET_SIZE(more, len);
    return more;
}

/*[clinic input]
_atomics.Queue.qsize

Return the number of items in the queue.

While other threads put and get, a snapshot that may already be stale.
For a bounded queue, it counts the places taken by put() calls that
have not returned yet too.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_qsize_impl(atomicqueueobject *self)
/*[clinic end generated code: output=73e895730f0edc6d input=1465b54a3f6c181a]*/
{
    return PyLong_FromSsize_t(queue_qsize(self->core));
}

/*[clinic input]
_atomics.Queue.empty

Return True if a get() would find no item now, False otherwise.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_empty_impl(atomicqueueobject *self)
/*[clinic end generated code: output=77fed42a70ed4af1 input=9a0aaeb2991712dd]*/
{
    return PyBool_FromLong(!queue_nonempty(self->core));
}

/*[clinic input]
_atomics.Queue.full

Return True if the queue is bounded and holds maxsize items now.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_full_impl(atomicqueueobject *self)
/*[clinic end generated code: output=350020b1e0e3015e input=e921bda03be8ffac]*/
{
    queue_core *q = self->core;
    return PyBool_FromLong(q->maxsize > 0 && queue_qsize(q) >= q->maxsize);
}

// Count one task done if one is unfinished (done below the items put);
// returns 1 if it did, 0 if none was.  A bounded queue's consumer seldom
// needs to load puts, a line the producers write: done < gets <= puts
// (an item is counted in puts before it can be taken).
static int
count_task_done(queue_core *q)
{
    Py_ssize_t d = _Py_atomic_load_ssize(&q->done);
    do {
        if (!(q->maxsize > 0 && d < _Py_atomic_load_ssize(&q->gets))
                && d >= items_put(q)) {
            return 0;
        }
    } while (!_Py_atomic_compare_exchange_ssize(&q->done, &d, d + 1));
    if (_Py_atomic_load_ssize(&q->join_waiters) != 0 && ready_join(q)) {
        wake_all(&q->join_seq);
    }
    return 1;
}

// Count one task done; 0, or -1 with ValueError if none is unfinished.
static int
task_done(queue_core *q)
{
    if (!count_task_done(q)) {
        PyErr_SetString(PyExc_ValueError,
                        "task_done() called too many times");
        return -1;
    }
    return 0;
}

/*[clinic input]
_atomics.Queue.task_done

Indicate that a formerly enqueued task is complete.

Each get() used to fetch a task is to be followed by one task_done();
when every item put has its task_done(), join() returns.  Raises
ValueError if called more times than there were items put.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_task_done_impl(atomicqueueobject *self)
/*[clinic end generated code: output=2a9f5f57d5ce811f input=b6ef09152ea3905d]*/
{
    if (task_done(self->core) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.Queue.join

Block until every item put has had its task_done().
[clinic start generated code]*/

static PyObject *
_atomics_Queue_join_impl(atomicqueueobject *self)
/*[clinic end generated code: output=f88df8922931e8fb input=07de9e2c06ed4fd8]*/
{
    queue_core *q = self->core;
    waiting w = {0};
    while (!ready_join(q)) {
        if (wait_for(q, &q->join_seq, &q->join_waiters, ready_join, -1,
                     &w) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.Queue.shutdown

    immediate: bool = False

Shut the queue down: put() raises queue.ShutDown from now on.

Blocked put() calls wake and raise queue.ShutDown; get() raises it
once the queue is empty.  With immediate true, the queue is emptied
first (each item removed counts as a task done) and get() raises at
once.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_shutdown_impl(atomicqueueobject *self, int immediate)
/*[clinic end generated code: output=5c2633a2971d08ed input=b0c4bd9aaec71b5c]*/
{
    queue_core *q = self->core;
    _Py_atomic_store_uint8(&q->is_shutdown, 1);
    if (immediate) {
        PyObject *item;
        while ((item = dequeue(q)) != NULL) {
            took(q, item);
            Py_DECREF(item);
            count_task_done(q);
        }
        wake_all(&q->join_seq);
    }
    wake_all(&q->get_seq);
    wake_all(&q->put_seq);
    Py_RETURN_NONE;
}

static void
atomicqueue_init_handle(PyObject *h, PyObject *owner)
{
    atomicqueueobject_CAST(h)->core = atomicqueueobject_CAST(owner)->core;
}

/*[clinic input]
_atomics.Queue.handle

Return a handle to this queue for the calling thread.

The handle is a new Queue that shares this one's items and counts.
[clinic start generated code]*/

static PyObject *
_atomics_Queue_handle_impl(atomicqueueobject *self)
/*[clinic end generated code: output=7d52a20007f871d1 input=698c8124084f5199]*/
{
    return atomics_new_handle((PyObject *)self, atomicqueue_init_handle);
}

/*[clinic input]
_atomics.Queue.__sizeof__

Return the size in memory, in bytes, segments included.
[clinic start generated code]*/

static PyObject *
_atomics_Queue___sizeof___impl(atomicqueueobject *self)
/*[clinic end generated code: output=84b29c8d354134b7 input=f86abd338f0e062c]*/
{
    size_t size = (size_t)Py_TYPE(self)->tp_basicsize;
    if (self->base.owner == NULL) {
        queue_core *q = self->core;
        size += sizeof(queue_core);
        // Segments are retired, not freed, while this walks them.
        for (segment *s = load_seg(&q->head); s != NULL;
             s = load_seg(&s->next)) {
            size += sizeof(segment);
        }
    }
    return PyLong_FromSize_t(size);
}

static PyObject *
atomicqueue_get_maxsize(PyObject *op, void *closure)
{
    return PyLong_FromSsize_t(atomicqueueobject_CAST(op)->core->maxsize);
}

static PyObject *
atomicqueue_get_is_shutdown(PyObject *op, void *closure)
{
    queue_core *q = atomicqueueobject_CAST(op)->core;
    return PyBool_FromLong(_Py_atomic_load_uint8(&q->is_shutdown));
}

static int
atomicqueue_traverse(PyObject *op, visitproc visit, void *arg)
{
    atomicqueueobject *self = atomicqueueobject_CAST(op);
    if (self->base.owner == NULL && self->core != NULL) {
        // The garbage collector stops the world (or holds the GIL): no
        // put() or get() is between its ticket and its slot.
        for (segment *s = self->core->head; s != NULL; s = s->next) {
            for (Py_ssize_t i = Py_MIN(s->deqidx, SEG_SLOTS);
                 i < Py_MIN(s->enqidx, SEG_SLOTS); i++) {
                PyObject *item = s->slots[i];
                if (item != NULL && item != TAKEN) {
                    Py_VISIT(item);
                }
            }
        }
    }
    return atomics_object_traverse(op, visit, arg);
}

// Remove and release every item (at most as many as the queue held when
// it began: an item's finalizer may put more).
static void
drop_items(queue_core *q)
{
    Py_ssize_t n = queue_qsize(q);
    PyObject *item;
    while (n-- > 0 && (item = dequeue(q)) != NULL) {
        took(q, item);
        Py_DECREF(item);
    }
}

static int
atomicqueue_clear(PyObject *op)
{
    atomicqueueobject *self = atomicqueueobject_CAST(op);
    if (self->base.owner == NULL && self->core != NULL) {
        drop_items(self->core);
    }
    return 0;
}

static void
atomicqueue_release(PyObject *op)
{
    atomicqueueobject *self = atomicqueueobject_CAST(op);
    queue_core *q = self->core;
    if (self->base.owner != NULL || q == NULL) {
        return;
    }
    // Nothing else refers to the queue: no thread is inside a method.
    PyObject *item;
    while ((item = dequeue(q)) != NULL) {
        Py_DECREF(item);
    }
    _PyAtomic_RetireClear(&q->retired);
    segment *s = q->head;
    while (s != NULL) {
        segment *next = s->next;
        segment_free(s);
        s = next;
    }
    PyMem_Free(q);
    self->core = NULL;
}

static void
atomicqueue_dealloc(PyObject *op)
{
    atomics_object_dealloc(op, atomicqueue_dealloc, atomicqueue_release);
}

static PyMethodDef atomicqueue_methods[] = {
    _ATOMICS_QUEUE_PUT_METHODDEF
    _ATOMICS_QUEUE_PUT_NOWAIT_METHODDEF
    _ATOMICS_QUEUE_GET_METHODDEF
    _ATOMICS_QUEUE_GET_NOWAIT_METHODDEF
    _ATOMICS_QUEUE_PUT_MANY_METHODDEF
    _ATOMICS_QUEUE_GET_MANY_METHODDEF
    _ATOMICS_QUEUE_QSIZE_METHODDEF
    _ATOMICS_QUEUE_EMPTY_METHODDEF
    _ATOMICS_QUEUE_FULL_METHODDEF
    _ATOMICS_QUEUE_TASK_DONE_METHODDEF
    _ATOMICS_QUEUE_JOIN_METHODDEF
    _ATOMICS_QUEUE_SHUTDOWN_METHODDEF
    _ATOMICS_QUEUE_HANDLE_METHODDEF
    _ATOMICS_QUEUE___SIZEOF___METHODDEF
    ATOMICS_REDUCE_METHODDEF
    ATOMICS_CLASS_GETITEM_METHODDEF
    {NULL, NULL}
};

static PyMemberDef atomicqueue_members[] = {
    ATOMICS_WEAKLIST_MEMBER,
    {NULL},
};

static PyGetSetDef atomicqueue_getset[] = {
    {"maxsize", atomicqueue_get_maxsize, NULL,
     PyDoc_STR("The bound given to the constructor (0: unbounded).")},
    {"is_shutdown", atomicqueue_get_is_shutdown, NULL,
     PyDoc_STR("True once shutdown() was called.")},
    {NULL},
};

static PyType_Slot atomicqueue_slots[] = {
    {Py_tp_new, atomicqueue_new},
    {Py_tp_doc, (void *)atomicqueue_new__doc__},
    {Py_tp_traverse, atomicqueue_traverse},
    {Py_tp_clear, atomicqueue_clear},
    {Py_tp_dealloc, atomicqueue_dealloc},
    {Py_tp_methods, atomicqueue_methods},
    {Py_tp_members, atomicqueue_members},
    {Py_tp_getset, atomicqueue_getset},
    {0, NULL},
};

PyType_Spec atomics_queue_spec = {
    .name = "atomics.Queue",
    .basicsize = sizeof(atomicqueueobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE),
    .slots = atomicqueue_slots,
};
