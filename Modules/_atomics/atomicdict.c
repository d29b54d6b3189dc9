/* atomics.AtomicDict: a concurrent hash map.

   Layout.  A table is an array of entries {hash, key, value, flags}, a
   power of two long, searched by linear probing from home(hash) (a run of
   4 entries picked by a Fibonacci hash of the Python hash, so that
   structured hashes do not cluster, and the entry in the run by its low
   bits, so that neighbouring ints have neighbouring entries).  The dict
   points to its current table; the table is replaced as a whole when it
   fills up, empties out, or is cleared.

   An entry's hash and key are written once: a writer claims a free entry
   by a compare-and-swap of its hash from EMPTY_HASH (-1, never a Python
   hash) to the key's hash, then publishes the key (release store).  The
   entry keeps that key for the life of the table: deleting a key sets its
   value to NULL and leaves a tombstone that the same key reuses when it
   comes back.  Values are read and written with the read protocol of
   Objects/atomicrefobject.c (pycore_atomics.h): writers publish a new
   value with _PyAtomic_PublishShared() and swap it in with a
   compare-and-swap; readers take a strong reference with a try-incref and
   re-check of the entry.  A replaced value is released once it is out of
   the entry (path 1 of Python/atomics.c): a reader that loaded it either
   fails its try-incref or its re-check.  An entry's reference is counted
   in the value's shared count, as another thread's would be, because
   threads replace each other's values: released by a thread that does
   not own the value, a reference its owner took would have the value
   queued to the owner to merge its counts, after which every reference
   the owner takes to it is an atomic operation.

   Lookups take no lock and write nothing but the reference count of the
   value they return: they load the table pointer, probe, and compare keys.
   Two ints of one digit whose values are their hashes are equal when their
   hashes are: an entry says whether its key is such an int (KEY_IS_HASH),
   and a lookup of one does not compare it with another (a call fewer, and
   a load of the key's line, which other threads may be writing: in {i: i}
   the key is the value whose count every reader writes).  Keys are never
   released while a reader may hold the table: a table, and every key it
   holds, is released only after a QSBR grace period (_PyAtomic_Retire()).
   So a reader may compare the bytes of a str or int key without taking a
   reference, and may Py_INCREF any key it finds before calling its
   __eq__.  After any call that may run Python code (which may pass a
   quiescent state, resize the table, free it) the reader trusts nothing
   it loaded before: if the dict's table is not the same table (pointer
   and version) it starts over, remembering the result of that comparison
   by the key object's identity (compare_memo), so that other threads'
   writes cost a slow-comparing key one restart, not an error.  A lookup
   whose comparisons saw the table replaced MAX_RESTARTS times (an __eq__
   that mutates the dict, say) finishes on a snapshot of the entries of
   its hash (lookup_slowly()).

   Writers of different keys share no lock and no cache line but the
   table's counters of claimed and live entries (written only when a key
   is inserted or deleted).  Writers serialise only on resizing, under the
   dict's resize lock, which is never held by a stopped thread (see
   resize_lock()):

   - The resizer allocates the new table first (a MemoryError leaves the
     dict as it was), then freezes the old one entry by entry: it claims
     each free entry as DEAD_KEY, and swaps each value v for FREEZE(v) (a
     tag in the low bit) with a compare-and-swap.  A writer's own
     compare-and-swap on a frozen entry fails; it then waits for the
     resize lock and starts over on the new table.  So no write is lost: every
     write lands in the old table before its entry was frozen (and is
     copied), or in the new one.
   - It copies every key that has a value into the new table (no
     comparisons: the keys are distinct), publishes the new table with a
     release store and retires the old one.  The new table holds its own
     references to the keys; the values move to it.
   - Readers never wait.  A frozen value is still the key's value while
     the old table is the dict's table: a reader takes a reference to it
     and checks that the table is still current, else starts over.  A
     DEAD_KEY entry was free when the table froze: it ends a probe.
   - Growing doubles the table when more than 2/3 of its entries are
     claimed (live or tombstones); the new size is the smallest power of
     two holding twice the live entries, so a table full of tombstones is
     rehashed at its size or smaller, and deleting below 1/8 of the size
     shrinks it.  Writers insert until the resizer freezes their entry,
     so the live entries are counted as they are copied: the resizer
     first allocates room for every entry of the old table, and moves to
     a smaller table at the end when the count allows (if that fails, it
     keeps the larger).  clear() is a resize to an empty table whose old
     values are released with the old table.

   Iteration takes a snapshot of the keys (one pass over the current
   table, taking references), then looks each key up as it yields its
   value: it never raises for concurrent changes, yields every key present
   for the whole iteration exactly once, and skips keys deleted since the
   snapshot when it yields values or items.

   On the default build the GIL makes every C-level step atomic; the same
   code runs, and retired tables are released at once. */

#include "module.h"
#include "pycore_critical_section.h"   // Py_BEGIN_CRITICAL_SECTION_SEQUENCE_FAST()
#include "pycore_import.h"             // _PyImport_GetModuleAttrString()
#include "pycore_object.h"             // _PyObject_LookupSpecial()



/* --- Tables -------------------------------------------------------------- */

#define EMPTY_HASH ((Py_hash_t)-1)
#define DEAD_HASH ((Py_hash_t)0)
static const char dead_key_marker = 0;
#define DEAD_KEY ((PyObject *)&dead_key_marker)

#define FROZEN_BIT ((uintptr_t)1)
#define IS_FROZEN(v) (((uintptr_t)(v) & FROZEN_BIT) != 0)
#define FREEZE(v) ((PyObject *)((uintptr_t)(v) | FROZEN_BIT))
#define THAW(v) ((PyObject *)((uintptr_t)(v) & ~FROZEN_BIT))

#define MIN_SIZE 8
#define RESTART 2               // a result besides -1, 0 and 1
#define SLOW_PATH 3             // another: a lookup takes lookup_slowly()
// Restarts of a lookup's probe before it takes its slow path.
#define MAX_RESTARTS 16

typedef struct {
    Py_hash_t hash;             // EMPTY_HASH: free
    PyObject *key;              // NULL: being claimed; DEAD_KEY: frozen free
    PyObject *value;            // NULL: no value; FREEZE()d: table frozen
    uintptr_t flags;            // KEY_IS_HASH, or 0
} adict_entry;

// A bit of an entry's flags, set when its key is claimed (before the key
// is published) and never changed while the table lives: the key is an
// exact int whose value is its hash (every int of one digit but -1).  A
// key looked up that is such an int too, with the same hash, equals it:
// no call, and no load of the table's key, whose line other threads may
// be writing (in {i: i}, every reader of a value writes the count of the
// key).
#define KEY_IS_HASH ((uintptr_t)1)

static inline uintptr_t
key_flags(PyObject *key, Py_hash_t hash)
{
    if (PyLong_CheckExact(key) && _PyLong_IsCompact((PyLongObject *)key)
        && _PyLong_CompactValue((PyLongObject *)key) == hash) {
        return KEY_IS_HASH;
    }
    return 0;
}

// Whether key (with flags key_flags(key, hash)) equals the key of entry e,
// which has hash too, without comparing them.
static inline int
same_int_key(uintptr_t flags, adict_entry *e)
{
    return (flags & _Py_atomic_load_uintptr_relaxed(&e->flags)) != 0;
}

// A counter on a cache line of its own (with, for the count of live
// entries, where popitem() starts looking: a hint on a line that a pop
// writes anyway).
typedef struct {
    Py_ssize_t n;
    Py_ssize_t pop_from;
    char _pad[ATOMICS_CACHE_LINE - 2 * sizeof(Py_ssize_t)];
} padded_count;

typedef struct {
    Py_ssize_t size;            // a power of two
    int shift;                  // 64 - log2(size)
    uint8_t drop_values;        // releasing the table releases its values
    uint64_t version;           // unique: tells tables at one address apart
    char _pad[ATOMICS_CACHE_LINE - 3 * sizeof(Py_ssize_t)];
    padded_count used;          // claimed entries
    padded_count live;          // entries with a value
    adict_entry entries[1];
} adict_table;

typedef struct {
    adict_table *table;
    uint8_t resizing;           // the resize lock: see resize()
    uint32_t merges;            // reduce_count() calls (count_keys())
    _PyAtomic_RetireList retired;
} adict_core;

typedef struct {
    atomics_object base;
    adict_core *core;           // &own, or the owner's for a handle
    adict_core own;
} atomicdictobject;

#define atomicdictobject_CAST(op) ((atomicdictobject *)(op))

static uint64_t next_table_version;

// 2**64 divided by the golden ratio: Fibonacci hashing, and steps that
// spread over a table.
#define GOLDEN64 UINT64_C(0x9E3779B97F4A7C15)

// Hashes that differ only in their low 2 bits have their homes in one run
// of 4 neighbouring entries (128 bytes: two cache lines, or three where
// the allocator did not align the table to a line).  Longer runs gain
// nothing more for keys written in order, and make linear probing's
// clusters longer (a lookup of a missing key walks further).
#define RUN_BITS 2
#define RUN_MASK (((uint64_t)1 << RUN_BITS) - 1)
static_assert(MIN_SIZE >= (1 << RUN_BITS), "a table holds a whole run");

/* The entry where the search for hash starts: its low RUN_BITS bits pick
   the entry within a run, a Fibonacci hash of the other bits picks the
   run.  Neighbouring ints (the keys of a map filled from a range, and the
   keys that threads walking such a range write at about the same time)
   thus sit in neighbouring entries, and a thread that goes through them
   in order goes through memory in order: it moves a cache line that
   another thread wrote once for two keys.  Spreading the runs keeps the
   reason for Fibonacci hashing: hashes that share their low bits
   (multiples of a power of two) or that form a long sequence do not pile
   up into one cluster that linear probing would have to walk. */
static inline size_t
home(adict_table *t, Py_hash_t hash)
{
    uint64_t h = (uint64_t)hash;
    uint64_t run = (((h >> RUN_BITS) * GOLDEN64) >> t->shift) & ~RUN_MASK;
    return (size_t)(run | (h & RUN_MASK));
}

static inline adict_table *
current_table(adict_core *d)
{
    return (adict_table *)_Py_atomic_load_ptr_acquire(&d->table);
}

static size_t
table_bytes(Py_ssize_t size)
{
    return offsetof(adict_table, entries) + (size_t)size * sizeof(adict_entry);
}

// A new empty table, or NULL (out of memory) with no exception set: a
// resizer calls it under the resize lock, where nothing may allocate an
// object (an exception, say).
static adict_table *
table_new(Py_ssize_t size)
{
    if ((size_t)size > (PY_SSIZE_T_MAX - sizeof(adict_table))
                       / sizeof(adict_entry)) {
        return NULL;
    }
    adict_table *t = PyMem_Malloc(table_bytes(size));
    if (t == NULL) {
        return NULL;
    }
    memset(t, 0, offsetof(adict_table, entries));
    t->size = size;
    int log2 = 0;
    while (((Py_ssize_t)1 << log2) < size) {
        log2++;
    }
    t->shift = 64 - log2;
    t->version = _Py_atomic_add_uint64(&next_table_version, 1);
    for (Py_ssize_t i = 0; i < size; i++) {
        t->entries[i].hash = EMPTY_HASH;
        t->entries[i].key = NULL;
        t->entries[i].value = NULL;
        t->entries[i].flags = 0;
    }
    return t;
}

// Release a table nobody can read any more (and, with drop_values, its
// values): after a grace period, or at dealloc.
static void
table_release(void *arg)
{
    adict_table *t = arg;
    for (Py_ssize_t i = 0; i < t->size; i++) {
        adict_entry *e = &t->entries[i];
        if (e->key != NULL && e->key != DEAD_KEY) {
            Py_DECREF(e->key);
        }
        if (t->drop_values) {
            _PyAtomic_ReleaseShared(THAW(e->value));
        }
    }
    PyMem_Free(t);
}

// The entry's reference to v (counted in its shared count: see
// _PyAtomic_PublishShared()) as an ordinary one, for a caller.
static inline PyObject *
entry_ref_to_caller(PyObject *v)
{
    Py_XINCREF(v);
    _PyAtomic_ReleaseShared(v);
    return v;
}

// Visit what a table owns: its keys, and its values unless they passed to
// the next table (drop_values not set) or may still be replaced (the
// current table's values are visited by atomicdict_traverse()).
static int
table_traverse(void *arg, visitproc visit, void *visit_arg)
{
    adict_table *t = arg;
    for (Py_ssize_t i = 0; i < t->size; i++) {
        adict_entry *e = &t->entries[i];
        if (e->key != NULL && e->key != DEAD_KEY) {
            int r = visit(e->key, visit_arg);
            if (r) {
                return r;
            }
        }
        if (t->drop_values && THAW(e->value) != NULL) {
            int r = visit(THAW(e->value), visit_arg);
            if (r) {
                return r;
            }
        }
    }
    return 0;
}

static inline Py_ssize_t
table_live(adict_table *t)
{
    Py_ssize_t n = _Py_atomic_load_ssize_relaxed(&t->live.n);
    return n < 0 ? 0 : n;
}

// Give the other threads the processor while one finishes a step of a
// few instructions (publishing the key it claimed).
static void
wait_briefly(int spins)
{
    if (spins >= 64) {
        _PyAtomic_Pause(spins - 64);
    }
}

/* The resize lock.  A thread holds it only while it runs resize()'s
   critical part, which neither runs Python code, nor allocates an object,
   nor detaches its thread state; threads wait for it attached (polling,
   yielding the processor, then sleeping).  So a thread that holds it is
   always attached and running, and a stop-the-world pause (fork(), the
   interpreter's finalization, a garbage collection) waits for it to let
   go before it stops: no fork child and no finalizer ever finds the lock
   held by a thread that was stopped or is gone.  (A PyMutex parks a
   waiter detached and can hand it the lock while it is still detached;
   a pause then stops it holding the lock, which a fork child inherited
   locked, and a daemon thread kept locked at exit.) */
static void
resize_lock(adict_core *d)
{
    for (int round = 0;; round++) {
        uint8_t unlocked = 0;
        if (_Py_atomic_load_uint8_relaxed(&d->resizing) == 0
            && _Py_atomic_compare_exchange_uint8(&d->resizing, &unlocked, 1))
        {
            return;
        }
        _PyAtomic_Pause(round);
    }
}

static void
resize_unlock(adict_core *d)
{
    _Py_atomic_store_uint8(&d->resizing, 0);
}

// Wait for the resize under way to finish.
static void
wait_for_resize(adict_core *d)
{
    for (int round = 0; _Py_atomic_load_uint8(&d->resizing); round++) {
        _PyAtomic_Pause(round);
    }
}

// Put (hash, key, value) into a table no other thread sees yet, which has
// room for it; the table takes the references.
static void
insert_fresh(adict_table *t, Py_hash_t hash, PyObject *key, PyObject *value,
             uintptr_t flags)
{
    size_t mask = (size_t)t->size - 1;
    size_t i = home(t, hash);
    while (t->entries[i].hash != EMPTY_HASH) {
        i = (i + 1) & mask;
    }
    t->entries[i].hash = hash;
    t->entries[i].key = key;
    t->entries[i].value = value;
    t->entries[i].flags = flags;
}

static Py_ssize_t
size_for(Py_ssize_t live)
{
    Py_ssize_t size = MIN_SIZE;
    while (size < 2 * live && size < PY_SSIZE_T_MAX / 4) {
        size <<= 1;
    }
    return size;
}

/* Replace table t (if it is still the dict's) by a table sized for its live
   entries, or by an empty one (clear).  Returns 0, or -1 with MemoryError
   set, the dict unchanged.  See the top comment. */
static int
resize(adict_core *d, adict_table *t, int clear)
{
    resize_lock(d);
    adict_table *cur = current_table(d);
    if (cur != t && !clear) {
        resize_unlock(d);       // done by someone else
        return 0;
    }
    t = cur;
    // The live entries counted now may be more by the time each entry is
    // frozen (writers go on meanwhile): allocate room for every entry of
    // t, and move to a smaller table at the end if the count allows.
    adict_table *nt = table_new(clear ? MIN_SIZE : size_for(t->size));
    if (nt == NULL) {
        resize_unlock(d);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t copied = 0;
    for (Py_ssize_t i = 0; i < t->size; i++) {
        adict_entry *e = &t->entries[i];
        Py_hash_t h = _Py_atomic_load_ssize_relaxed(&e->hash);
        if (h == EMPTY_HASH) {
            if (_Py_atomic_compare_exchange_ssize(&e->hash, &h, DEAD_HASH)) {
                _Py_atomic_store_ptr_release(&e->key, DEAD_KEY);
                _Py_atomic_store_ptr(&e->value, FREEZE(NULL));
                continue;
            }
            // Claimed meanwhile: h is its hash now.
        }
        PyObject *k;
        for (int spins = 0;
             (k = _Py_atomic_load_ptr_acquire(&e->key)) == NULL; spins++) {
            wait_briefly(spins);
        }
        assert(k != DEAD_KEY);
        PyObject *v = _Py_atomic_load_ptr(&e->value);
        while (!_Py_atomic_compare_exchange_ptr(&e->value, &v, FREEZE(v))) {
        }
        assert(!IS_FROZEN(v));
        if (v != NULL && !clear) {
            insert_fresh(nt, h, Py_NewRef(k), v,        // the value moves
                         _Py_atomic_load_uintptr_relaxed(&e->flags));
            copied++;
        }
    }
    if (size_for(copied) < nt->size) {
        adict_table *small = table_new(size_for(copied));
        if (small != NULL) {    // else keep the large one
            for (Py_ssize_t i = 0; i < nt->size; i++) {
                adict_entry *e = &nt->entries[i];
                if (e->hash != EMPTY_HASH) {
                    insert_fresh(small, e->hash, e->key, e->value,
                                 e->flags);
                }
            }
            PyMem_Free(nt);
            nt = small;
        }
    }
    nt->used.n = copied;
    nt->live.n = copied;
    t->drop_values = (uint8_t)clear;
    _Py_atomic_store_ptr_release(&d->table, nt);
    resize_unlock(d);
    _PyAtomic_Retire(&d->retired, t, table_release);
    // The old table holds every key (and, after clear(), every value):
    // release it now if no other thread can be reading it, else the
    // writes that follow do (find_entry()).
    _PyAtomic_RetireFlush(&d->retired);
    return 0;
}

/* What a probe learnt from the key comparisons that ran Python code,
   across its restarts: for each key object of the table it compared (a
   strong reference), whether it equals the key looked up.  A comparison
   during which other threads resized the table sends the probe back to
   the start; the keys it compared are then recognised by identity and not
   compared again (a resize moves the same key objects to the new table).
   So ordinary writes of other threads, however frequent, cost a lookup of
   a slow-comparing key at most one restart per key, never an error; only
   new keys of the same hash, inserted during every comparison, can keep
   a probe going, as they can keep a dict lookup going. */
#define MEMO_SIZE 8

typedef struct {
    PyObject *keys[MEMO_SIZE];
    uint8_t equal[MEMO_SIZE];
    int n;                      // entries used
    int next;                   // the one to replace when all are used
    int restarts;               // comparisons that saw the table replaced
} compare_memo;

static inline void
memo_init(compare_memo *m)
{
    m->n = 0;
    m->next = 0;
    m->restarts = 0;
}

// Release the memo's keys: the caller holds nothing a release may free.
static inline void
memo_clear(compare_memo *m)
{
    for (int i = 0; i < m->n; i++) {
        Py_DECREF(m->keys[i]);
    }
    m->n = 0;
}

// 1 or 0 if k was compared, else -1.
static int
memo_find(compare_memo *m, PyObject *k)
{
    for (int i = 0; i < m->n; i++) {
        if (m->keys[i] == k) {
            return m->equal[i];
        }
    }
    return -1;
}

// Remember the comparison of k (a reference passes to the memo).
static void
memo_add(compare_memo *m, PyObject *k, int equal)
{
    int i;
    if (m->n < MEMO_SIZE) {
        i = m->n++;
    }
    else {
        // All used: replace the oldest (taken in turn).
        i = m->next;
        m->next = (i + 1) % MEMO_SIZE;
        Py_DECREF(m->keys[i]);
    }
    m->keys[i] = k;
    m->equal[i] = (uint8_t)equal;
}

// A key comparison, for a key k of table t that is not the key looked up
// but has its hash: 1 equal, 0 not, -1 error, RESTART if t stopped being
// the dict's table meanwhile (the result is then in memo).
static int
compare_key(adict_core *d, adict_table *t, PyObject *k, PyObject *key,
            compare_memo *memo)
{
    PyTypeObject *tp = Py_TYPE(key);
    if (Py_TYPE(k) == tp && (tp == &PyUnicode_Type || tp == &PyLong_Type
                             || tp == &PyBytes_Type || tp == &PyFloat_Type)) {
        // No Python code, no allocation, no failure: the key stays alive
        // for as long as we hold the table.
        return tp == &PyUnicode_Type ? _PyUnicode_Equal(k, key)
                                     : PyObject_RichCompareBool(k, key, Py_EQ);
    }
    int known = memo_find(memo, k);
    if (known >= 0) {
        return known;
    }
    uint64_t version = t->version;
    Py_INCREF(k);
    int cmp = PyObject_RichCompareBool(k, key, Py_EQ);
    if (cmp < 0) {
        Py_DECREF(k);
        return -1;
    }
    adict_table *now = current_table(d);
    if (now != t || now->version != version) {
        memo_add(memo, k, cmp);
        memo->restarts++;
        return RESTART;
    }
    Py_DECREF(k);
    return cmp;
}

// Take a reference to the value of entry e of table t: 1 (*pvalue set), 0
// (no value), RESTART (t is no longer the dict's table).
static int
read_value(adict_core *d, adict_table *t, adict_entry *e, PyObject **pvalue)
{
    for (;;) {
        PyObject *v = _Py_atomic_load_ptr(&e->value);
        if (v == NULL) {
            return 0;
        }
        if (!IS_FROZEN(v)) {
            if (_PyAtomic_TryIncrefCompare(&e->value, v)) {
                *pvalue = v;
                return 1;
            }
            continue;           // replaced meanwhile
        }
        v = THAW(v);
        if (v == NULL) {
            return 0;
        }
        // v stays the value until the next table is published.
        if (_PyAtomic_TryIncref(v)) {
            if (current_table(d) == t) {
                *pvalue = v;
                return 1;
            }
            Py_DECREF(v);
        }
        if (current_table(d) != t) {
            return RESTART;
        }
    }
}

typedef struct {
    adict_table *table;
    adict_entry *entry;
} adict_slot;

static inline int
too_full(adict_table *t)
{
    return 3 * _Py_atomic_load_ssize_relaxed(&t->used.n) >= 2 * t->size;
}


enum {
    PROBE_LOOKUP,   // find key; skip an entry whose key is being published
    PROBE_FIND,     // find key, waiting for keys being published
    PROBE_CLAIM,    // find key, or claim a free entry for it
};

/* The probe loop of every operation on one key: find the entry of key in
   the dict's table (see the top comment).  A lookup takes effect before
   an insertion whose key is not published yet, and ends at an entry that
   was free when its table froze; a writer waits for both to settle, and
   with PROBE_CLAIM claims a free entry if the key has none (resizing
   first when the table is full).  Returns 1 (*s set), 0 (no entry), -1
   with an exception set; a lookup whose comparisons keep seeing the table
   replaced returns SLOW_PATH (a writer restarts for as long as that
   lasts, as a dict does). */
static inline int
probe(adict_core *d, PyObject *key, Py_hash_t hash, int mode,
      compare_memo *memo, adict_slot *s)
{
    uintptr_t flags = key_flags(key, hash);
  restart:;
    adict_table *t = current_table(d);
    if (mode == PROBE_CLAIM && too_full(t)) {
        if (resize(d, t, 0) < 0) {
            return -1;
        }
        t = current_table(d);
    }
    size_t mask = (size_t)t->size - 1;
    size_t i = home(t, hash);
    if (mode != PROBE_LOOKUP) {
        // A writer will most likely write the value of its home entry.
        atomics_prefetch_write(&t->entries[i]);
    }
    for (Py_ssize_t n = 0; n < t->size; n++, i = (i + 1) & mask) {
        adict_entry *e = &t->entries[i];
        Py_hash_t h = _Py_atomic_load_ssize_relaxed(&e->hash);
        if (h == EMPTY_HASH) {
            if (mode != PROBE_CLAIM) {
                return 0;
            }
            if (_Py_atomic_compare_exchange_ssize(&e->hash, &h, hash)) {
                // The flags before the key: a thread that finds the key
                // finds them (release and acquire of the key).
                _Py_atomic_store_uintptr_relaxed(&e->flags, flags);
                _Py_atomic_store_ptr_release(&e->key, Py_NewRef(key));
                _Py_atomic_add_ssize(&t->used.n, 1);
                s->table = t;
                s->entry = e;
                return 1;
            }
            // Claimed by another thread meanwhile: h is its hash now.
        }
        if (h != hash) {
            continue;
        }
        PyObject *k = _Py_atomic_load_ptr_acquire(&e->key);
        if (k == NULL) {
            if (mode == PROBE_LOOKUP) {
                continue;           // being inserted: not there yet
            }
            for (int spins = 0;
                 (k = _Py_atomic_load_ptr_acquire(&e->key)) == NULL;
                 spins++) {
                wait_briefly(spins);    // a thread is publishing its key
            }
        }
        if (k == DEAD_KEY) {
            if (mode == PROBE_LOOKUP) {
                return 0;               // was free when the table froze
            }
            wait_for_resize(d);
            goto restart;
        }
        if (k != key && !same_int_key(flags, e)) {
            int eq = compare_key(d, t, k, key, memo);
            if (eq == RESTART) {
                if (mode == PROBE_LOOKUP && memo->restarts > MAX_RESTARTS) {
                    return SLOW_PATH;
                }
                goto restart;
            }
            if (eq < 0) {
                return -1;
            }
            if (eq == 0) {
                continue;
            }
        }
        s->table = t;
        s->entry = e;
        return 1;
    }
    if (mode != PROBE_CLAIM) {
        return 0;
    }
    // No free entry: frozen (wait for the resize) or full (resize).
    if (resize(d, t, 0) < 0) {
        return -1;
    }
    goto restart;
}

/* The slow path of a lookup whose key comparisons saw the table replaced
   MAX_RESTARTS times (an __eq__ that writes to the dict, say): take the
   entries of key's hash, with references to their keys and values, in
   one pass over the dict's table that runs no Python code, then compare.
   The result is the dict's state at the time of that pass, which lies
   within the lookup.  Returns as adict_lookup(). */
static int
lookup_slowly(adict_core *d, PyObject *key, Py_hash_t hash,
              PyObject **pvalue)
{
    PyObject **items = NULL;        // key, value, key, value...
    Py_ssize_t n = 0, cap = 0;
    int found = 0;
  restart:
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_DECREF(items[j]);
    }
    n = 0;
    adict_table *t = current_table(d);
    size_t mask = (size_t)t->size - 1;
    size_t i = home(t, hash);
    for (Py_ssize_t m = 0; m < t->size; m++, i = (i + 1) & mask) {
        adict_entry *e = &t->entries[i];
        Py_hash_t h = _Py_atomic_load_ssize_relaxed(&e->hash);
        if (h == EMPTY_HASH) {
            break;
        }
        PyObject *k = _Py_atomic_load_ptr_acquire(&e->key);
        if (k == DEAD_KEY) {
            break;
        }
        if (h != hash || k == NULL) {
            continue;
        }
        PyObject *v;
        int r = read_value(d, t, e, &v);
        if (r == RESTART) {
            goto restart;
        }
        if (r == 0) {
            continue;
        }
        if (n + 2 > cap) {
            PyObject **bigger = PyMem_Realloc(
                items, (cap ? 2 * cap : 16) * sizeof(*items));
            if (bigger == NULL) {
                Py_DECREF(v);
                PyErr_NoMemory();
                found = -1;
                break;
            }
            items = bigger;
            cap = cap ? 2 * cap : 16;
        }
        items[n++] = Py_NewRef(k);
        items[n++] = v;
    }
    for (Py_ssize_t j = 0; j < n && found == 0; j += 2) {
        found = items[j] == key ? 1
                : PyObject_RichCompareBool(items[j], key, Py_EQ);
        if (found > 0) {
            *pvalue = Py_NewRef(items[j + 1]);
        }
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_DECREF(items[j]);
    }
    PyMem_Free(items);
    return found;
}

/* Look key up.  Returns 1 and a new reference to its value in *pvalue, 0
   if it has none, -1 with an exception set. */
static int
adict_lookup(adict_core *d, PyObject *key, Py_hash_t hash, PyObject **pvalue)
{
    compare_memo memo;
    memo_init(&memo);
    adict_slot s;
    int r;
    do {
        r = probe(d, key, hash, PROBE_LOOKUP, &memo, &s);
        if (r == 1) {
            r = read_value(d, s.table, s.entry, pvalue);
        }
    } while (r == RESTART);
    memo_clear(&memo);
    if (r == SLOW_PATH) {
        r = lookup_slowly(d, key, hash, pvalue);
    }
    return r;
}

/* Find the entry of key in the dict's table; with claim, claim a free one
   if it has none.  Returns 1 (*s set), 0 (no entry, without claim), -1
   with an exception set. */
static int
find_entry(adict_core *d, PyObject *key, Py_hash_t hash, int claim,
           adict_slot *s)
{
    // Every write counts towards releasing the retired tables, while there
    // are any (so that a table, its keys and a cleared table's values do
    // not wait for the next resize).  This runs before we hold anything
    // of a table: releasing may run finalizers.
    if (_Py_atomic_load_ssize_relaxed(&d->retired.pending) > 0) {
        _PyAtomic_RetireTick(&d->retired);
    }
    compare_memo memo;
    memo_init(&memo);
    s->table = NULL;            // (set on success; for the compiler)
    s->entry = NULL;
    int r = probe(d, key, hash, claim ? PROBE_CLAIM : PROBE_FIND, &memo, s);
    memo_clear(&memo);
    return r;
}

/* Compare-and-swap on the value of an entry: expected and desired may be
   NULL (no value); desired is a new reference that passes to the entry on
   success.  Returns 1 (swapped), 0 (the entry holds another value; with
   pseen, *pseen gets a new reference to it, or NULL), RESTART (the table
   froze: the caller starts over).  On success the replaced value's
   reference is released. */
static int
entry_cas(adict_core *d, adict_slot *s, PyObject *expected,
          PyObject *desired, PyObject **pseen)
{
    adict_entry *e = s->entry;
    PyObject *v = expected;
    if (_Py_atomic_compare_exchange_ptr(&e->value, &v, desired)) {
        if (expected == NULL && desired != NULL) {
            _Py_atomic_add_ssize(&s->table->live.n, 1);
        }
        else if (expected != NULL && desired == NULL) {
            _Py_atomic_add_ssize(&s->table->live.n, -1);
        }
        _PyAtomic_ReleaseShared(expected);  // the entry's reference
        return 1;
    }
    if (IS_FROZEN(v)) {
        wait_for_resize(d);
        return RESTART;
    }
    if (pseen != NULL) {
        int r = read_value(d, s->table, e, pseen);
        if (r == RESTART) {
            return RESTART;
        }
        if (r == 0) {
            *pseen = NULL;
        }
    }
    return 0;
}

// After a call that may have run Python code: is the slot still valid?
static inline int
slot_valid(adict_core *d, adict_slot *s, uint64_t version)
{
    adict_table *now = current_table(d);
    return now == s->table && now->version == version;
}

/* The update loop of every read-modify-write of one key: decide(ctx, cur,
   &new) gets the current value (a borrowed reference, NULL if none) and
   returns 0 with new set (a new reference, or NULL for no value), 1 to
   leave the value as it is, or -1 with an exception set.  decide may run
   Python code and be called several times.  On success, with pold and
   pnew, they get new references to the value replaced and the value
   stored (or NULL).  Returns 0, or -1 with an exception set. */
typedef int (*adict_decider)(void *ctx, PyObject *cur, PyObject **pnew);

static int
adict_update(adict_core *d, PyObject *key, Py_hash_t hash,
             adict_decider decide, void *ctx, PyObject **pold,
             PyObject **pnew)
{
    for (;;) {
        adict_slot s;
        PyObject *cur = NULL;
        int r = find_entry(d, key, hash, 0, &s);
        if (r < 0) {
            return -1;
        }
        uint64_t version = 0;
        if (r > 0) {
            version = s.table->version;
            if (read_value(d, s.table, s.entry, &cur) == RESTART) {
                continue;
            }
        }
        PyObject *new = NULL;
        int rc = decide(ctx, cur, &new);
        if (rc < 0) {
            Py_XDECREF(cur);
            return -1;
        }
        if (rc > 0 || (cur == NULL && new == NULL)) {     // no change
            Py_XDECREF(new);
            if (pnew != NULL) {
                *pnew = Py_XNewRef(cur);
            }
            if (pold != NULL) {
                *pold = cur;
            }
            else {
                Py_XDECREF(cur);
            }
            return 0;
        }
        // decide() may have run Python code: find the entry again if the
        // key had no value, else check that the table is still the same.
        if (cur == NULL) {
            if (find_entry(d, key, hash, 1, &s) < 0) {
                Py_XDECREF(new);
                return -1;
            }
        }
        else if (!slot_valid(d, &s, version)) {
            Py_DECREF(cur);
            Py_XDECREF(new);
            continue;
        }
        // The entry's reference to cur is released by entry_cas() on
        // success; ours (from read_value) is what *pold gets.
        r = entry_cas(d, &s, cur, _PyAtomic_PublishShared(new), NULL);
        if (r == 1) {
            if (pold != NULL) {
                *pold = cur;
            }
            else {
                Py_XDECREF(cur);
            }
            if (pnew != NULL) {
                *pnew = new;
            }
            else {
                Py_XDECREF(new);
            }
            return 0;
        }
        Py_XDECREF(cur);
        Py_XDECREF(new);        // what decide() returned
        _PyAtomic_ReleaseShared(new);   // what _PyAtomic_PublishShared() took
    }
}

/* Set the value of key (value borrowed).  With pold, *pold gets a new
   reference to the value replaced (NULL if none); without, it is released.
   Returns 0, or -1. */
static int
adict_exchange(adict_core *d, PyObject *key, Py_hash_t hash,
               PyObject *value, PyObject **pold)
{
    PyObject *pv = _PyAtomic_PublishShared(value);
    for (;;) {
        adict_slot s;
        if (find_entry(d, key, hash, 1, &s) < 0) {
            _PyAtomic_ReleaseShared(pv);
            return -1;
        }
        adict_entry *e = s.entry;
        PyObject *old = _Py_atomic_load_ptr(&e->value);
        while (!IS_FROZEN(old)) {
            if (_Py_atomic_compare_exchange_ptr(&e->value, &old, pv)) {
                if (old == NULL) {
                    _Py_atomic_add_ssize(&s.table->live.n, 1);
                }
                if (pold != NULL) {
                    *pold = entry_ref_to_caller(old);
                }
                else {
                    _PyAtomic_ReleaseShared(old);
                }
                return 0;
            }
        }
        wait_for_resize(d);
    }
}

static inline int
adict_setitem(adict_core *d, PyObject *key, Py_hash_t hash, PyObject *value)
{
    return adict_exchange(d, key, hash, value, NULL);
}

// A table mostly empty after deletions shrinks (best effort: a table
// that cannot be allocated leaves the dict as it is).
static void
maybe_shrink(adict_core *d, adict_table *t)
{
    if (t->size > MIN_SIZE && 8 * table_live(t) < t->size) {
        if (resize(d, t, 0) < 0) {
            PyErr_Clear();
        }
    }
}

/* Remove the value of key; with expected not NULL, only if it is expected.
   Returns 1 (removed; *pold gets the value, if pold), 0 (no value, or
   another value), -1 with an exception set. */
static int
adict_delitem(adict_core *d, PyObject *key, Py_hash_t hash,
              PyObject *expected, PyObject **pold)
{
    for (;;) {
        adict_slot s;
        int r = find_entry(d, key, hash, 0, &s);
        if (r <= 0) {
            return r;
        }
        adict_entry *e = s.entry;
        PyObject *old = _Py_atomic_load_ptr(&e->value);
        while (!IS_FROZEN(old)) {
            if (old == NULL || (expected != NULL && old != expected)) {
                return 0;
            }
            if (_Py_atomic_compare_exchange_ptr(&e->value, &old, NULL)) {
                _Py_atomic_add_ssize(&s.table->live.n, -1);
                maybe_shrink(d, s.table);   // before any code may run
                if (pold != NULL) {
                    *pold = entry_ref_to_caller(old);
                }
                else {
                    _PyAtomic_ReleaseShared(old);
                }
                return 1;
            }
        }
        wait_for_resize(d);
    }
}

/* A snapshot of the keys that have a value (and, with pvalues, of their
   values; with phashes, of their hashes): arrays of new references (and of
   hashes), in one pass over the dict's table that runs no Python code.
   Returns the count (the arrays are to be freed with snapshot_free(), and
   PyMem_Free() for the hashes), or -1 with MemoryError set. */
static Py_ssize_t
snapshot_hashed(adict_core *d, PyObject ***pkeys, PyObject ***pvalues,
                Py_hash_t **phashes)
{
    for (;;) {
        Py_ssize_t cap = current_table(d)->size;
        PyObject **keys = PyMem_New(PyObject *, cap);
        PyObject **values = pvalues ? PyMem_New(PyObject *, cap) : NULL;
        Py_hash_t *hashes = phashes ? PyMem_New(Py_hash_t, cap) : NULL;
        if (keys == NULL || (pvalues != NULL && values == NULL)
            || (phashes != NULL && hashes == NULL)) {
            PyMem_Free(keys);
            PyMem_Free(values);
            PyMem_Free(hashes);
            PyErr_NoMemory();
            return -1;
        }
        adict_table *t = current_table(d);
        Py_ssize_t n = 0;
        int restart = t->size > cap;
        for (Py_ssize_t i = 0; i < t->size && !restart; i++) {
            adict_entry *e = &t->entries[i];
            PyObject *k = _Py_atomic_load_ptr_acquire(&e->key);
            if (k == NULL || k == DEAD_KEY) {
                continue;
            }
            if (values == NULL) {
                if (THAW(_Py_atomic_load_ptr(&e->value)) == NULL) {
                    continue;
                }
            }
            else {
                int r = read_value(d, t, e, &values[n]);
                if (r == RESTART) {
                    restart = 1;
                    break;
                }
                if (r == 0) {
                    continue;
                }
            }
            if (hashes != NULL) {
                // Written before the key was published (acquire above).
                hashes[n] = _Py_atomic_load_ssize_relaxed(&e->hash);
            }
            keys[n++] = Py_NewRef(k);
        }
        if (!restart) {
            *pkeys = keys;
            if (pvalues != NULL) {
                *pvalues = values;
            }
            if (phashes != NULL) {
                *phashes = hashes;
            }
            return n;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_DECREF(keys[i]);
            if (values != NULL) {
                Py_DECREF(values[i]);
            }
        }
        PyMem_Free(keys);
        PyMem_Free(values);
        PyMem_Free(hashes);
    }
}

static Py_ssize_t
snapshot(adict_core *d, PyObject ***pkeys, PyObject ***pvalues)
{
    return snapshot_hashed(d, pkeys, pvalues, NULL);
}

static void
snapshot_free(PyObject **keys, PyObject **values, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_DECREF(keys[i]);
        if (values != NULL) {
            Py_DECREF(values[i]);
        }
    }
    PyMem_Free(keys);
    PyMem_Free(values);
}


/* --- The object ---------------------------------------------------------- */

/*[clinic input]
module _atomics
class _atomics.AtomicDict "atomicdictobject *" "clinic_state()->atomicdict_type"
[clinic start generated code]*/
/*[clinic end generated code: output=da39a3ee5e6b4b0d input=ec2777ca4b8f546c]*/

#include "clinic/atomicdict.c.h"

static inline atomics_state *
dict_state(PyObject *self)
{
    return atomics_find_state(Py_TYPE(self));
}

static inline adict_core *
core_of(PyObject *self)
{
    return atomicdictobject_CAST(self)->core;
}

static int
core_init(adict_core *d)
{
    d->table = table_new(MIN_SIZE);
    if (d->table == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static PyObject *
atomicdict_new(PyTypeObject *type, PyObject *Py_UNUSED(args),
               PyObject *Py_UNUSED(kwargs))
{
    atomicdictobject *self = (atomicdictobject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->core = &self->own;
    if (core_init(&self->own) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

// The value to store for a key: NOT_FOUND (no value) becomes NULL.
static inline PyObject *
unsentinel(atomics_state *st, PyObject *v)
{
    return v == st->not_found ? NULL : v;
}

static inline PyObject *
sentinel(atomics_state *st, PyObject *v)
{
    return v != NULL ? v : Py_NewRef(st->not_found);
}

// NOT_FOUND stands for "no value": it is never stored.  -1 with ValueError
// for it, else 0.
static int
check_value(atomics_state *st, PyObject *value)
{
    if (value == st->not_found) {
        PyErr_SetString(PyExc_ValueError,
                        "NOT_FOUND is not a value: it means that a key "
                        "has none");
        return -1;
    }
    return 0;
}

// store(target, key, value) for each item of a snapshot of src (an
// AtomicDict or handle), until one fails: 0, or -1 with an exception set.
// The items of a merge, a copy or a conversion to dict: a key that another
// thread deletes meanwhile is no KeyError.
static int
merge_snapshot(PyObject *target, PyObject *src,
               int (*store)(PyObject *, PyObject *, PyObject *))
{
    PyObject **keys, **values;
    Py_ssize_t n = snapshot(core_of(src), &keys, &values);
    if (n < 0) {
        return -1;
    }
    int r = 0;
    for (Py_ssize_t i = 0; r == 0 && i < n; i++) {
        r = store(target, keys[i], values[i]);
    }
    snapshot_free(keys, values, n);
    return r;
}

static int
set_item(PyObject *self, PyObject *key, PyObject *value)
{
    if (check_value(dict_state(self), value) < 0) {
        return -1;
    }
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return -1;
    }
    return adict_setitem(core_of(self), key, hash, value);
}

static int
merge_from_pairs(PyObject *self, PyObject *iterable)
{
    PyObject *it = PyObject_GetIter(iterable);
    if (it == NULL) {
        return -1;
    }
    PyObject *item;
    Py_ssize_t i = 0;
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *fast = PySequence_Fast(item, "");
        if (fast == NULL) {
            if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Format(PyExc_TypeError,
                             "cannot convert AtomicDict update sequence "
                             "element #%zd to a sequence", i);
            }
            Py_DECREF(item);
            Py_DECREF(it);
            return -1;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
        if (n != 2) {
            PyErr_Format(PyExc_ValueError,
                         "AtomicDict update sequence element #%zd "
                         "has length %zd; 2 is required", i, n);
            Py_DECREF(fast);
            Py_DECREF(item);
            Py_DECREF(it);
            return -1;
        }
        PyObject *k = Py_NewRef(PySequence_Fast_GET_ITEM(fast, 0));
        PyObject *v = Py_NewRef(PySequence_Fast_GET_ITEM(fast, 1));
        Py_DECREF(fast);
        Py_DECREF(item);
        int r = set_item(self, k, v);
        Py_DECREF(k);
        Py_DECREF(v);
        if (r < 0) {
            Py_DECREF(it);
            return -1;
        }
        i++;
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *atomicdict_iter(PyObject *self);

// dict.update()'s rule: a mapping (an object with keys()) gives its keys
// and their values, anything else is an iterable of pairs.  An AtomicDict
// whose iteration is its own gives a snapshot of its items (as a dict
// does), so that a key another thread deletes meanwhile is no KeyError.
static int
merge(PyObject *self, PyObject *other)
{
    if (PyObject_TypeCheck(other, dict_state(self)->atomicdict_type)
        && Py_TYPE(other)->tp_iter == atomicdict_iter) {
        return merge_snapshot(self, other, set_item);
    }
    if (PyDict_CheckExact(other)) {
        // Iterate over a copy: storing may run code that changes other.
        PyObject *items = PyDict_Items(other);
        if (items == NULL) {
            return -1;
        }
        int r = merge_from_pairs(self, items);
        Py_DECREF(items);
        return r;
    }
    PyObject *keys_method;
    if (PyObject_GetOptionalAttr(other, &_Py_ID(keys), &keys_method) < 0) {
        return -1;
    }
    if (keys_method == NULL) {
        return merge_from_pairs(self, other);
    }
    PyObject *keys = PyObject_CallNoArgs(keys_method);
    Py_DECREF(keys_method);
    if (keys == NULL) {
        return -1;
    }
    PyObject *it = PyObject_GetIter(keys);
    Py_DECREF(keys);
    if (it == NULL) {
        return -1;
    }
    PyObject *key;
    while ((key = PyIter_Next(it)) != NULL) {
        PyObject *value = PyObject_GetItem(other, key);
        int r = value == NULL ? -1 : set_item(self, key, value);
        Py_XDECREF(value);
        Py_DECREF(key);
        if (r < 0) {
            Py_DECREF(it);
            return -1;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static int
update_common(PyObject *self, PyObject *args, PyObject *kwds,
              const char *name)
{
    PyObject *arg = NULL;
    if (!PyArg_UnpackTuple(args, name, 0, 1, &arg)) {
        return -1;
    }
    if (arg != NULL && merge(self, arg) < 0) {
        return -1;
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        return merge(self, kwds);
    }
    return 0;
}

static int
atomicdict_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    return update_common(self, args, kwds, "AtomicDict");
}

PyDoc_STRVAR(atomicdict_update__doc__,
"update($self, other=(), /, **kwargs)\n"
"--\n"
"\n"
"Set keys from a mapping or an iterable of pairs, then from kwargs.\n"
"\n"
"Each key is set atomically; the update as a whole is not.");

static PyObject *
atomicdict_update(PyObject *self, PyObject *args, PyObject *kwds)
{
    if (update_common(self, args, kwds, "update") < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static Py_ssize_t
atomicdict_length(PyObject *self)
{
    return table_live(current_table(core_of(self)));
}

// KeyError(key), with a tuple key kept whole, as dict raises it.
static void
set_key_error(PyObject *key)
{
    PyObject *exc = PyObject_CallOneArg(PyExc_KeyError, key);
    if (exc != NULL) {
        PyErr_SetObject(PyExc_KeyError, exc);
        Py_DECREF(exc);
    }
}

static PyObject *
atomicdict_subscript(PyObject *self, PyObject *key)
{
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return NULL;
    }
    PyObject *value;
    int r = adict_lookup(core_of(self), key, hash, &value);
    if (r > 0) {
        return value;
    }
    if (r < 0) {
        return NULL;
    }
    if (Py_TYPE(self) != dict_state(self)->atomicdict_type) {
        // A subclass may define __missing__, as for dict: looked up on
        // the type (a special method), not on the instance.
        PyObject *missing = _PyObject_LookupSpecial(self,
                                                    &_Py_ID(__missing__));
        if (missing == NULL && PyErr_Occurred()) {
            return NULL;
        }
        if (missing != NULL) {
            PyObject *res = PyObject_CallOneArg(missing, key);
            Py_DECREF(missing);
            return res;
        }
    }
    set_key_error(key);
    return NULL;
}

static int
atomicdict_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return -1;
    }
    if (value != NULL) {
        if (check_value(dict_state(self), value) < 0) {
            return -1;
        }
        return adict_setitem(core_of(self), key, hash, value);
    }
    int r = adict_delitem(core_of(self), key, hash, NULL, NULL);
    if (r == 0) {
        set_key_error(key);
        return -1;
    }
    return r < 0 ? -1 : 0;
}

static int
atomicdict_contains(PyObject *self, PyObject *key)
{
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return -1;
    }
    PyObject *value;
    int r = adict_lookup(core_of(self), key, hash, &value);
    if (r > 0) {
        Py_DECREF(value);
    }
    return r;
}

/*[clinic input]
_atomics.AtomicDict.get

    key: object
    default: object = None
    /

Return the value of key, or default if it has none.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_get_impl(atomicdictobject *self, PyObject *key,
                             PyObject *default_value)
/*[clinic end generated code: output=ef8fe1b3190a0bf8 input=c2e2180472694f2e]*/
{
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return NULL;
    }
    PyObject *value;
    int r = adict_lookup(self->core, key, hash, &value);
    if (r < 0) {
        return NULL;
    }
    return r > 0 ? value : Py_NewRef(default_value);
}

/*[clinic input]
_atomics.AtomicDict.setdefault

    key: object
    default: object = None
    /

Return the value of key; if it has none, set it to default first.

Atomic: of several threads calling setdefault() for a missing key,
exactly one sets it, and all get the same value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_setdefault_impl(atomicdictobject *self, PyObject *key,
                                    PyObject *default_value)
/*[clinic end generated code: output=2704dd233115dc8e input=8fa67f2319145fa7]*/
{
    if (check_value(dict_state((PyObject *)self), default_value) < 0) {
        return NULL;
    }
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return NULL;
    }
    adict_core *d = self->core;
    for (;;) {
        adict_slot s;
        if (find_entry(d, key, hash, 1, &s) < 0) {
            return NULL;
        }
        PyObject *value;
        int r = read_value(d, s.table, s.entry, &value);
        if (r == 1) {
            return value;
        }
        if (r == RESTART) {
            continue;
        }
        PyObject *res = Py_NewRef(default_value);
        r = entry_cas(d, &s, NULL, _PyAtomic_PublishShared(default_value),
                      NULL);
        if (r == 1) {
            return res;
        }
        Py_DECREF(res);
        _PyAtomic_ReleaseShared(default_value);     // not published
    }
}

/*[clinic input]
_atomics.AtomicDict.pop

    key: object
    default: object = NULL
    /
    *
    expected: object = NULL

Remove key and return its value; default if it has none.

With expected, remove key only if its value is expected (compared by
identity, as in compare_and_set()); otherwise return default.  Without
default, KeyError is raised instead of returning it.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_pop_impl(atomicdictobject *self, PyObject *key,
                             PyObject *default_value, PyObject *expected)
/*[clinic end generated code: output=895a2dcd209a67ae input=a545d87c71556a7f]*/
{
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return NULL;
    }
    PyObject *old;
    int r = adict_delitem(self->core, key, hash, expected, &old);
    if (r < 0) {
        return NULL;
    }
    if (r > 0) {
        return old;
    }
    if (default_value != NULL) {
        return Py_NewRef(default_value);
    }
    set_key_error(key);
    return NULL;
}

/*[clinic input]
_atomics.AtomicDict.popitem

Remove some (key, value) pair and return it.

Raise KeyError if the dict is empty.  Which pair is unspecified.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_popitem_impl(atomicdictobject *self)
/*[clinic end generated code: output=3b6d602dffc2825d input=05506a4fc29e1ec1]*/
{
    adict_core *d = self->core;
    // The result first: once an entry is emptied, nothing may fail.
    PyObject *res = PyTuple_New(2);
    if (res == NULL) {
        return NULL;
    }
  restart:;
    adict_table *t = current_table(d);
    // Down from a place the golden ratio of the table past the previous
    // pop's entry, round the table.  Not from the same place each time:
    // a dict being emptied would cost every pop a look at every entry
    // emptied before, and a table emptied from one end keeps the keys of
    // the other, whose homes crowd the same few entries of the smaller
    // table it shrinks to.  Spread over the table, the pops leave the
    // remaining keys spread, and each looks at about size / live entries.
    size_t mask = (size_t)t->size - 1;
    size_t from = (size_t)_Py_atomic_load_ssize_relaxed(&t->live.pop_from);
    for (size_t n = 0; n <= mask; n++) {
        size_t i = (from - n) & mask;
        adict_entry *e = &t->entries[i];
        PyObject *k = _Py_atomic_load_ptr_acquire(&e->key);
        if (k == NULL || k == DEAD_KEY) {
            continue;
        }
        PyObject *v = _Py_atomic_load_ptr(&e->value);
        while (v != NULL && !IS_FROZEN(v)) {
            if (_Py_atomic_compare_exchange_ptr(&e->value, &v, NULL)) {
                _Py_atomic_add_ssize(&t->live.n, -1);
                size_t step = (size_t)(GOLDEN64 >> t->shift) | 1;
                Py_ssize_t next = (Py_ssize_t)((i + step) & mask);
                _Py_atomic_store_ssize_relaxed(&t->live.pop_from, next);
                // Our reference to the key (alive with the table) before
                // anything may run code and free the table.
                PyTuple_SET_ITEM(res, 0, Py_NewRef(k));
                PyTuple_SET_ITEM(res, 1, Py_NewRef(v));
                _PyAtomic_ReleaseShared(v);
                maybe_shrink(d, t);
                return res;
            }
        }
        if (v != NULL) {
            wait_for_resize(d);
            goto restart;
        }
    }
    Py_DECREF(res);
    PyErr_SetString(PyExc_KeyError, "popitem(): AtomicDict is empty");
    return NULL;
}

/*[clinic input]
_atomics.AtomicDict.compare_and_set

    key: object
    expected: object
    desired: object
    /

Set key's value to desired if it is expected; return True if so.

The comparison is by identity ("is"), as for AtomicRef.  NOT_FOUND as
expected means "key has no value" (insert if absent); as desired,
"remove key" (delete if unchanged).
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_compare_and_set_impl(atomicdictobject *self,
                                         PyObject *key, PyObject *expected,
                                         PyObject *desired)
/*[clinic end generated code: output=7f3082ecc67e66a6 input=fd8622825322282c]*/
{
    atomics_state *st = dict_state((PyObject *)self);
    expected = unsentinel(st, expected);
    desired = unsentinel(st, desired);
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return NULL;
    }
    adict_core *d = self->core;
    if (desired == NULL) {
        if (expected == NULL) {         // "is it absent?"
            int r = atomicdict_contains((PyObject *)self, key);
            return r < 0 ? NULL : PyBool_FromLong(!r);
        }
        int r = adict_delitem(d, key, hash, expected, NULL);
        return r < 0 ? NULL : PyBool_FromLong(r);
    }
    for (;;) {
        adict_slot s;
        int r = find_entry(d, key, hash, expected == NULL, &s);
        if (r < 0) {
            return NULL;
        }
        if (r == 0) {
            Py_RETURN_FALSE;            // no entry, so not expected
        }
        PyObject *pv = _PyAtomic_PublishShared(desired);
        // On success, entry_cas() releases the entry's reference to
        // expected (the caller's keeps it alive meanwhile).
        r = entry_cas(d, &s, expected, pv, NULL);
        if (r == 1) {
            Py_RETURN_TRUE;
        }
        _PyAtomic_ReleaseShared(pv);
        if (r == 0) {
            Py_RETURN_FALSE;
        }
    }
}

/*[clinic input]
_atomics.AtomicDict.get_and_set

    key: object
    value: object
    /

Set the value of key; return the previous one (NOT_FOUND if none).

value NOT_FOUND removes key.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_get_and_set_impl(atomicdictobject *self, PyObject *key,
                                     PyObject *value)
/*[clinic end generated code: output=6e593a7303d369aa input=890e6992e8ebaad1]*/
{
    atomics_state *st = dict_state((PyObject *)self);
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return NULL;
    }
    adict_core *d = self->core;
    if (value == st->not_found) {
        // An exchange with "no value": remove key.
        PyObject *old;
        int r = adict_delitem(d, key, hash, NULL, &old);
        if (r < 0) {
            return NULL;
        }
        return r > 0 ? old : Py_NewRef(st->not_found);
    }
    PyObject *old;
    if (adict_exchange(d, key, hash, value, &old) < 0) {
        return NULL;
    }
    return sentinel(st, old);
}

typedef struct {
    PyObject *func;
    PyObject *not_found;
} call_ctx;

// decide() of update_and_get(): func(current or NOT_FOUND).
static int
decide_call(void *arg, PyObject *cur, PyObject **pnew)
{
    call_ctx *ctx = arg;
    PyObject *res = PyObject_CallOneArg(ctx->func,
                                        cur ? cur : ctx->not_found);
    if (res == NULL) {
        return -1;
    }
    if (res == ctx->not_found) {
        Py_DECREF(res);
        res = NULL;
    }
    *pnew = res;
    return 0;
}

static PyObject *
functional(atomicdictobject *self, PyObject *key, PyObject *func,
           int return_new)
{
    atomics_state *st = dict_state((PyObject *)self);
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return NULL;
    }
    call_ctx ctx = {func, st->not_found};
    PyObject *old, *new;
    if (adict_update(self->core, key, hash, decide_call, &ctx,
                     &old, &new) < 0) {
        return NULL;
    }
    if (return_new) {
        Py_XDECREF(old);
        return sentinel(st, new);
    }
    Py_XDECREF(new);
    return sentinel(st, old);
}

/*[clinic input]
_atomics.AtomicDict.update_and_get

    key: object
    func: object
    /

Set the value v of key to func(v) atomically; return the new value.

func gets NOT_FOUND if key has no value, and may return NOT_FOUND to
remove it.  It may be called more than once if other threads change
the key concurrently; it should be free of side effects.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_update_and_get_impl(atomicdictobject *self,
                                        PyObject *key, PyObject *func)
/*[clinic end generated code: output=f06d49ac25717887 input=a81cf5240dddbaca]*/
{
    return functional(self, key, func, 1);
}

/*[clinic input]
_atomics.AtomicDict.get_and_update

    key: object
    func: object
    /

Set the value v of key to func(v) atomically; return the old value.

As update_and_get(), but return the value before the update.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_get_and_update_impl(atomicdictobject *self,
                                        PyObject *key, PyObject *func)
/*[clinic end generated code: output=8b225d8e91bf5036 input=448e6568f8051902]*/
{
    return functional(self, key, func, 0);
}


/* --- Aggregation --------------------------------------------------------- */

// Combine the shared value of a key with the value aggregated by this
// call: absent -> the aggregate, else fn(key, current, aggregate) (or
// current + aggregate without fn).
typedef struct {
    PyObject *fn;               // NULL: +
    PyObject *key;
    PyObject *agg;
    PyObject *not_found;        // a result of NOT_FOUND removes the key
} combine_ctx;

static int
decide_combine(void *arg, PyObject *cur, PyObject **pnew)
{
    combine_ctx *ctx = arg;
    if (cur == NULL) {
        *pnew = Py_NewRef(ctx->agg);
    }
    else if (ctx->fn == NULL) {
        *pnew = PyNumber_Add(cur, ctx->agg);
    }
    else {
        PyObject *args[3] = {ctx->key, cur, ctx->agg};
        *pnew = PyObject_Vectorcall(ctx->fn, args, 3, NULL);
    }
    if (*pnew == NULL) {
        return -1;
    }
    if (*pnew == ctx->not_found) {
        Py_SETREF(*pnew, NULL);
    }
    return 0;
}

// Apply every (key, aggregate) pair of a local dict to the shared table.
static int
apply_aggregates(atomicdictobject *self, PyObject *local, PyObject *fn)
{
    PyObject *not_found = dict_state((PyObject *)self)->not_found;
    PyObject *items = PyDict_Items(local);
    if (items == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *pair = PyList_GET_ITEM(items, i);
        combine_ctx ctx = {fn, PyTuple_GET_ITEM(pair, 0),
                           PyTuple_GET_ITEM(pair, 1), not_found};
        Py_hash_t hash = PyObject_Hash(ctx.key);
        if (hash == -1
            || adict_update(self->core, ctx.key, hash, decide_combine, &ctx,
                            NULL, NULL) < 0)
        {
            Py_DECREF(items);
            return -1;
        }
    }
    Py_DECREF(items);
    return 0;
}

// Aggregate (key, value) pairs into a local dict with fn (NULL: +).
static int
aggregate_pairs(PyObject *local, PyObject *iterable, PyObject *fn)
{
    PyObject *it = PyObject_GetIter(iterable);
    if (it == NULL) {
        return -1;
    }
    PyObject *item;
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *key, *value;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyObject *fast = PySequence_Tuple(item);
            Py_SETREF(item, fast);
            if (item == NULL || PyTuple_GET_SIZE(item) != 2) {
                if (item != NULL) {
                    PyErr_SetString(PyExc_ValueError,
                                    "reduce() needs (key, value) pairs");
                }
                Py_XDECREF(item);
                Py_DECREF(it);
                return -1;
            }
        }
        key = PyTuple_GET_ITEM(item, 0);
        value = PyTuple_GET_ITEM(item, 1);
        PyObject *acc;
        int r = PyDict_GetItemRef(local, key, &acc);
        if (r > 0) {
            PyObject *res;
            if (fn == NULL) {
                res = PyNumber_Add(acc, value);
            }
            else {
                PyObject *args[3] = {key, acc, value};
                res = PyObject_Vectorcall(fn, args, 3, NULL);
            }
            Py_DECREF(acc);
            r = res == NULL ? -1 : PyDict_SetItem(local, key, res);
            Py_XDECREF(res);
        }
        else if (r == 0) {
            r = PyDict_SetItem(local, key, value);
        }
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(it);
            return -1;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

/*[clinic input]
_atomics.AtomicDict.reduce

    iterable: object
    fn: object
    /

Fold (key, value) pairs into the dict with fn(key, current, value).

The pairs are first aggregated locally with fn, then each key is
updated once, atomically: a key with no value gets the aggregate,
else fn(key, current, aggregate).  fn must be associative, free of
side effects, and may be called more than once.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_reduce_impl(atomicdictobject *self, PyObject *iterable,
                                PyObject *fn)
/*[clinic end generated code: output=9ffaa7fb213b3125 input=60aa30ad888fa351]*/
{
    PyObject *local = PyDict_New();
    if (local == NULL) {
        return NULL;
    }
    int r = aggregate_pairs(local, iterable, fn);
    if (r == 0) {
        r = apply_aggregates(self, local, fn);
    }
    Py_DECREF(local);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/*[clinic input]
_atomics.AtomicDict.reduce_sum

    iterable: object
    /

Add (key, number) pairs into the dict: d[key] += number, atomically.

Keys with no value start from the first number.  The pairs are summed
locally first, so each key is updated once per call.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_reduce_sum(atomicdictobject *self, PyObject *iterable)
/*[clinic end generated code: output=f8a5896f3241fc32 input=a21a5f7df1929ada]*/
{
    PyObject *local = PyDict_New();
    if (local == NULL) {
        return NULL;
    }
    int r = aggregate_pairs(local, iterable, NULL);
    if (r == 0) {
        r = apply_aggregates(self, local, NULL);
    }
    Py_DECREF(local);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

// Counting keys locally, for reduce_count(): a private open-addressing
// table of (key, hash, count), so that counting a key is a probe and an
// increment of a C integer (a dict would take its lock and make an int per
// count).  Keys compare as dict keys do (identity first, then __eq__).
typedef struct {
    PyObject *key;              // NULL: free
    Py_hash_t hash;
    Py_ssize_t count;
} key_count;

typedef struct {
    key_count *slots;
    Py_ssize_t size;            // a power of two
    Py_ssize_t used;
    Py_ssize_t first_size;      // the size to allocate first (0: 64)
} count_table;

static void
count_table_free(count_table *ct)
{
    for (Py_ssize_t i = 0; i < ct->size; i++) {
        Py_XDECREF(ct->slots[i].key);
    }
    PyMem_Free(ct->slots);
}

static int
count_table_grow(count_table *ct)
{
    Py_ssize_t size = ct->size ? 2 * ct->size
                      : ct->first_size ? ct->first_size : 64;
    key_count *slots = PyMem_Calloc(size, sizeof(key_count));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < ct->size; i++) {
        key_count *old = &ct->slots[i];
        if (old->key != NULL) {
            size_t j = (size_t)old->hash & (size_t)(size - 1);
            while (slots[j].key != NULL) {
                j = (j + 1) & (size_t)(size - 1);
            }
            slots[j] = *old;
        }
    }
    PyMem_Free(ct->slots);
    ct->slots = slots;
    ct->size = size;
    return 0;
}

// Is key an exact str or int?  Hashing and comparing two such keys runs
// no Python code and cannot fail.
static inline int
is_plain_key(PyObject *key)
{
    return PyUnicode_CheckExact(key) || PyLong_CheckExact(key);
}

// Equality of two plain keys.
static inline int
plain_keys_equal(PyObject *a, PyObject *b)
{
    if (Py_TYPE(a) != Py_TYPE(b)) {
        return 0;
    }
    if (PyUnicode_CheckExact(a)) {
        return _PyUnicode_Equal(a, b);
    }
    return PyObject_RichCompareBool(a, b, Py_EQ);
}

// Count key once (a borrowed reference; the table takes its own).  With
// plain set, key and every key of the table are plain keys (is_plain_key)
// and no Python code runs.
static int
count_one(count_table *ct, PyObject *key, int plain)
{
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) {
        return -1;
    }
    if (2 * (ct->used + 1) > ct->size && count_table_grow(ct) < 0) {
        return -1;
    }
    size_t mask = (size_t)ct->size - 1;
    for (size_t j = (size_t)hash & mask;; j = (j + 1) & mask) {
        key_count *slot = &ct->slots[j];
        if (slot->key == NULL) {
            slot->key = Py_NewRef(key);
            slot->hash = hash;
            slot->count = 1;
            ct->used++;
            return 0;
        }
        if (slot->key == key) {
            slot->count++;
            return 0;
        }
        if (slot->hash != hash) {
            continue;
        }
        int eq;
        if (plain) {
            eq = plain_keys_equal(slot->key, key);
        }
        else {
            // __eq__ may run code, but nothing else sees this table; keep
            // the key alive across the call.
            PyObject *k = Py_NewRef(slot->key);
            eq = PyObject_RichCompareBool(k, key, Py_EQ);
            Py_DECREF(k);
            if (eq < 0) {
                return -1;
            }
        }
        if (eq) {
            slot->count++;
            return 0;
        }
    }
}

// Count the plain keys at the start of an exact list or tuple, without
// an iterator and with the list locked (no Python code runs meanwhile).
// Returns the index of the first item left to count (the first that is
// not a plain key, or the length), or -1 with an exception set.
static Py_ssize_t
count_plain_prefix(count_table *ct, PyObject *seq)
{
    Py_ssize_t i = 0;
    int err = 0;
    Py_BEGIN_CRITICAL_SECTION_SEQUENCE_FAST(seq);
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (; i < n && is_plain_key(items[i]); i++) {
        if (count_one(ct, items[i], 1) < 0) {
            err = 1;
            break;
        }
    }
    Py_END_CRITICAL_SECTION_SEQUENCE_FAST();
    return err ? -1 : i;
}

// Count the keys of iterable locally, then add each key's count to the
// shared table with one atomic update.
static int
count_keys(atomicdictobject *self, PyObject *iterable)
{
    count_table ct = {NULL, 0, 0, 0};
    if (PyList_CheckExact(iterable) || PyTuple_CheckExact(iterable)) {
        // Room for up to 256 distinct keys at once, rather than growing
        // from 64 slots at every call.
        Py_ssize_t n = Py_MIN(PySequence_Fast_GET_SIZE(iterable), 256);
        ct.first_size = 64;
        while (ct.first_size < 2 * n) {
            ct.first_size *= 2;
        }
        // Words are mostly str: count those without the iterator protocol
        // and the generic comparison; the rest as a list iterator would
        // give them, by index.
        int is_tuple = PyTuple_CheckExact(iterable);
        for (Py_ssize_t i = count_plain_prefix(&ct, iterable);
             i >= 0 && i < (is_tuple ? PyTuple_GET_SIZE(iterable)
                                     : PyList_GET_SIZE(iterable)); i++)
        {
            PyObject *key = is_tuple
                ? Py_NewRef(PyTuple_GET_ITEM(iterable, i))
                : PyList_GetItemRef(iterable, i);
            if (key == NULL) {
                if (PyErr_ExceptionMatches(PyExc_IndexError)) {
                    PyErr_Clear();      // the list shrank meanwhile
                }
                break;
            }
            int r = count_one(&ct, key, 0);
            Py_DECREF(key);
            if (r < 0) {
                break;
            }
        }
    }
    else {
        PyObject *it = PyObject_GetIter(iterable);
        if (it == NULL) {
            return -1;
        }
        PyObject *key;
        while ((key = PyIter_Next(it)) != NULL) {
            int r = count_one(&ct, key, 0);
            Py_DECREF(key);
            if (r < 0) {
                break;
            }
        }
        Py_DECREF(it);
    }
    int res = PyErr_Occurred() ? -1 : 0;
    // Threads counting the same words update the same keys in the same
    // order (that of their local tables, alike for alike keys): each call
    // starts at a place of its own, the golden ratio of the table further
    // than the previous call's, so that calls at the same time are spread
    // over the table rather than waiting for each other's cache lines.
    uint32_t ticket = _Py_atomic_add_uint32(&self->core->merges, 1);
    size_t start = (size_t)(((uint64_t)(ticket * UINT32_C(0x9E3779B9))
                             * (uint64_t)ct.size) >> 32);
    for (Py_ssize_t n = 0; res == 0 && n < ct.size; n++) {
        key_count *slot = &ct.slots[(start + (size_t)n)
                                    & (size_t)(ct.size - 1)];
        if (slot->key == NULL) {
            continue;
        }
        combine_ctx ctx = {NULL, slot->key, PyLong_FromSsize_t(slot->count),
                           NULL};
        if (ctx.agg == NULL
            || adict_update(self->core, slot->key, slot->hash,
                            decide_combine, &ctx, NULL, NULL) < 0)
        {
            res = -1;
        }
        Py_XDECREF(ctx.agg);
    }
    count_table_free(&ct);
    return res;
}

static int is_mapping(atomics_state *st, PyObject *obj);

/*[clinic input]
_atomics.AtomicDict.reduce_count

    iterable: object
    /

Count keys into the dict: d[key] += 1 for each key, atomically.

iterable gives keys, or is a mapping of keys to counts.  Keys are
counted locally first, so each key is updated once per call.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_reduce_count(atomicdictobject *self, PyObject *iterable)
/*[clinic end generated code: output=ea8ee95ccb3168b3 input=3ffae32fe38f1f31]*/
{
    atomics_state *st = dict_state((PyObject *)self);
    // (A list or tuple of words is the common case: no isinstance() check
    // against Mapping for it.)
    int r = PyList_CheckExact(iterable) || PyTuple_CheckExact(iterable)
            ? 0 : is_mapping(st, iterable);
    if (r > 0) {
        // Counts: a dict of them, from a snapshot if an AtomicDict's.
        PyObject *local = PyDict_New();
        if (local == NULL) {
            return NULL;
        }
        if (PyObject_TypeCheck(iterable, st->atomicdict_type)) {
            r = merge_snapshot(local, iterable, PyDict_SetItem);
        }
        else {
            r = PyDict_Merge(local, iterable, 1);
        }
        if (r == 0) {
            r = apply_aggregates(self, local, NULL);
        }
        Py_DECREF(local);
    }
    else if (r == 0) {
        r = count_keys(self, iterable);
    }
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}


/* --- Iteration and views ------------------------------------------------- */

enum { ITER_KEYS, ITER_VALUES, ITER_ITEMS };

typedef struct {
    PyObject_HEAD
    PyObject *dict;             // the AtomicDict (or handle) iterated
    PyObject **keys;            // snapshot: new references
    Py_hash_t *hashes;          // their hashes (values and items only)
    Py_ssize_t n, i;
    int kind;
} adict_iterobject;

typedef struct {
    PyObject_HEAD
    PyObject *dict;
    int kind;
} adict_viewobject;

static PyObject *
new_iterator(PyObject *dict, int kind)
{
    atomics_state *st = dict_state(dict);
    PyObject **keys;
    Py_hash_t *hashes = NULL;
    // The hashes of the keys, for values and items: no key is hashed
    // again (dict does not either: a key whose hash changed is still
    // found, and no __hash__ runs).
    Py_ssize_t n = snapshot_hashed(core_of(dict), &keys, NULL,
                                   kind == ITER_KEYS ? NULL : &hashes);
    if (n < 0) {
        return NULL;
    }
    adict_iterobject *it = PyObject_GC_New(adict_iterobject,
                                           st->atomicdict_iter_type);
    if (it == NULL) {
        snapshot_free(keys, NULL, n);
        PyMem_Free(hashes);
        return NULL;
    }
    it->dict = Py_NewRef(dict);
    it->keys = keys;
    it->hashes = hashes;
    it->n = n;
    it->i = 0;
    it->kind = kind;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *
adict_iter_next(PyObject *op)
{
    adict_iterobject *it = (adict_iterobject *)op;
    // The iterator is not meant to be shared between threads, but must
    // not crash if it is: claim each index with an atomic add.
    for (;;) {
        Py_ssize_t i = _Py_atomic_add_ssize(&it->i, 1);
        if (i >= it->n) {
            _Py_atomic_store_ssize(&it->i, it->n);
            return NULL;
        }
        PyObject *key = it->keys[i];
        if (it->kind == ITER_KEYS) {
            return Py_NewRef(key);
        }
        PyObject *value;
        int r = adict_lookup(core_of(it->dict), key, it->hashes[i], &value);
        if (r < 0) {
            return NULL;
        }
        if (r == 0) {
            continue;           // deleted since the snapshot
        }
        if (it->kind == ITER_VALUES) {
            return value;
        }
        PyObject *res = PyTuple_Pack(2, key, value);
        Py_DECREF(value);
        return res;
    }
}

static PyObject *
adict_iter_length_hint(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    adict_iterobject *it = (adict_iterobject *)op;
    Py_ssize_t left = it->n - _Py_atomic_load_ssize(&it->i);
    return PyLong_FromSsize_t(left > 0 ? left : 0);
}

static int
adict_iter_traverse(PyObject *op, visitproc visit, void *arg)
{
    adict_iterobject *it = (adict_iterobject *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(it->dict);
    for (Py_ssize_t i = 0; i < it->n; i++) {
        Py_VISIT(it->keys[i]);
    }
    return 0;
}

static void
adict_iter_dealloc(PyObject *op)
{
    adict_iterobject *it = (adict_iterobject *)op;
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    snapshot_free(it->keys, NULL, it->n);
    PyMem_Free(it->hashes);
    Py_XDECREF(it->dict);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyMethodDef adict_iter_methods[] = {
    {"__length_hint__", adict_iter_length_hint, METH_NOARGS,
     PyDoc_STR("Private method returning an estimate of len(list(it)).")},
    {NULL, NULL}
};

static PyType_Slot adict_iter_slots[] = {
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, adict_iter_next},
    {Py_tp_traverse, adict_iter_traverse},
    {Py_tp_dealloc, adict_iter_dealloc},
    {Py_tp_methods, adict_iter_methods},
    {0, NULL},
};

PyType_Spec atomics_dictiter_spec = {
    .name = "atomics.AtomicDict_iterator",
    .basicsize = sizeof(adict_iterobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE
              | Py_TPFLAGS_DISALLOW_INSTANTIATION),
    .slots = adict_iter_slots,
};

static PyObject *
new_view(PyObject *dict, int kind)
{
    atomics_state *st = dict_state(dict);
    PyTypeObject *tp = kind == ITER_KEYS ? st->atomicdict_keys_type
                       : kind == ITER_VALUES ? st->atomicdict_values_type
                       : st->atomicdict_items_type;
    adict_viewobject *v = PyObject_GC_New(adict_viewobject, tp);
    if (v == NULL) {
        return NULL;
    }
    v->dict = Py_NewRef(dict);
    v->kind = kind;
    PyObject_GC_Track(v);
    return (PyObject *)v;
}

#define VIEW(op) ((adict_viewobject *)(op))

static Py_ssize_t
view_len(PyObject *op)
{
    return atomicdict_length(VIEW(op)->dict);
}

static PyObject *
view_iter(PyObject *op)
{
    return new_iterator(VIEW(op)->dict, VIEW(op)->kind);
}

static int
view_contains(PyObject *op, PyObject *x)
{
    PyObject *dict = VIEW(op)->dict;
    switch (VIEW(op)->kind) {
    case ITER_KEYS:
        return atomicdict_contains(dict, x);
    case ITER_ITEMS: {
        if (!PyTuple_Check(x) || PyTuple_GET_SIZE(x) != 2) {
            return 0;
        }
        PyObject *key = PyTuple_GET_ITEM(x, 0);
        Py_hash_t hash = PyObject_Hash(key);
        if (hash == -1) {
            return -1;
        }
        PyObject *value;
        int r = adict_lookup(core_of(dict), key, hash, &value);
        if (r <= 0) {
            return r;
        }
        r = PyObject_RichCompareBool(value, PyTuple_GET_ITEM(x, 1), Py_EQ);
        Py_DECREF(value);
        return r;
    }
    default: {
        PyObject *it = view_iter(op), *v;
        if (it == NULL) {
            return -1;
        }
        int r = 0;
        while (r == 0 && (v = PyIter_Next(it)) != NULL) {
            r = PyObject_RichCompareBool(v, x, Py_EQ);
            Py_DECREF(v);
        }
        Py_DECREF(it);
        return r != 0 ? r : (PyErr_Occurred() ? -1 : 0);
    }
    }
}

static PyObject *
view_repr(PyObject *op)
{
    // As dict's views: a view that contains itself (through its dict's
    // values, say) is written "...".
    int r = Py_ReprEnter(op);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromString("...") : NULL;
    }
    PyObject *res = NULL, *list = PySequence_List(op);
    if (list != NULL) {
        res = PyUnicode_FromFormat("%s(%R)", Py_TYPE(op)->tp_name, list);
        Py_DECREF(list);
    }
    Py_ReprLeave(op);
    return res;
}

// Set operations of keys and items views, as on dict views: a new set of
// the elements of a (either operand may be the view, the other any
// iterable), updated in place with b by set's method of that name.  The
// method takes any iterable, so the view's reflected operation is never
// asked for again: no recursion.
static PyObject *
view_setop(PyObject *a, PyObject *b, const char *update)
{
    PyObject *set = PySet_New(a);
    if (set == NULL) {
        return NULL;
    }
    PyObject *r = NULL, *method = PyObject_GetAttrString(set, update);
    if (method != NULL) {
        r = PyObject_CallOneArg(method, b);
        Py_DECREF(method);
    }
    if (r == NULL) {
        Py_DECREF(set);
        return NULL;
    }
    Py_DECREF(r);
    return set;
}

static PyObject *
view_and(PyObject *a, PyObject *b)
{
    return view_setop(a, b, "intersection_update");
}

static PyObject *
view_or(PyObject *a, PyObject *b)
{
    return view_setop(a, b, "update");
}

static PyObject *
view_sub(PyObject *a, PyObject *b)
{
    return view_setop(a, b, "difference_update");
}

static PyObject *
view_xor(PyObject *a, PyObject *b)
{
    return view_setop(a, b, "symmetric_difference_update");
}

static PyObject *
view_isdisjoint(PyObject *op, PyObject *other)
{
    PyObject *it = PyObject_GetIter(other), *x;
    if (it == NULL) {
        return NULL;
    }
    while ((x = PyIter_Next(it)) != NULL) {
        int r = view_contains(op, x);
        Py_DECREF(x);
        if (r != 0) {
            Py_DECREF(it);
            return r < 0 ? NULL : Py_NewRef(Py_False);
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? NULL : Py_NewRef(Py_True);
}

// 1 if every element of a is in b, 0 if not, -1 on error.
static int
all_contained_in(PyObject *a, PyObject *b)
{
    PyObject *it = PyObject_GetIter(a), *x;
    if (it == NULL) {
        return -1;
    }
    int r = 1;
    while (r > 0 && (x = PyIter_Next(it)) != NULL) {
        r = PySequence_Contains(b, x);
        Py_DECREF(x);
    }
    Py_DECREF(it);
    return r > 0 && PyErr_Occurred() ? -1 : r;
}

static PyObject *
view_richcompare(PyObject *a, PyObject *b, int op)
{
    // As dict's keys and items views: with a set or a set-like view (ours
    // or dict's), by lengths and membership, so that items with unhashable
    // values compare too.
    atomics_state *st = dict_state(VIEW(a)->dict);
    if (!PyAnySet_Check(b) && !PyDictKeys_Check(b) && !PyDictItems_Check(b)
        && !Py_IS_TYPE(b, st->atomicdict_keys_type)
        && !Py_IS_TYPE(b, st->atomicdict_items_type)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    Py_ssize_t na = PyObject_Size(a), nb = PyObject_Size(b);
    if (na < 0 || nb < 0) {
        return NULL;
    }
    int r = 0;
    switch (op) {
    case Py_EQ:
    case Py_NE:
        r = na == nb ? all_contained_in(a, b) : 0;
        if (op == Py_NE && r >= 0) {
            r = !r;
        }
        break;
    case Py_LT:
        r = na < nb ? all_contained_in(a, b) : 0;
        break;
    case Py_LE:
        r = na <= nb ? all_contained_in(a, b) : 0;
        break;
    case Py_GT:
        r = na > nb ? all_contained_in(b, a) : 0;
        break;
    case Py_GE:
        r = na >= nb ? all_contained_in(b, a) : 0;
        break;
    }
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static int
view_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(VIEW(op)->dict);
    return 0;
}

static void
view_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    Py_XDECREF(VIEW(op)->dict);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyMethodDef setview_methods[] = {
    {"isdisjoint", view_isdisjoint, METH_O,
     PyDoc_STR("Return True if the view and the given iterable have a "
               "null intersection.")},
    {NULL, NULL}
};

#define VIEW_SLOTS                                                          \
    {Py_tp_iter, view_iter},                                                \
    {Py_tp_repr, view_repr},                                                \
    {Py_tp_traverse, view_traverse},                                        \
    {Py_tp_dealloc, view_dealloc},                                          \
    {Py_sq_length, view_len},                                               \
    {Py_sq_contains, view_contains}

static PyType_Slot keys_slots[] = {
    VIEW_SLOTS,
    {Py_tp_richcompare, view_richcompare},
    {Py_tp_methods, setview_methods},
    {Py_nb_and, view_and},
    {Py_nb_or, view_or},
    {Py_nb_subtract, view_sub},
    {Py_nb_xor, view_xor},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {0, NULL},
};

static PyType_Slot items_slots[] = {
    VIEW_SLOTS,
    {Py_tp_richcompare, view_richcompare},
    {Py_tp_methods, setview_methods},
    {Py_nb_and, view_and},
    {Py_nb_or, view_or},
    {Py_nb_subtract, view_sub},
    {Py_nb_xor, view_xor},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {0, NULL},
};

static PyType_Slot values_slots[] = {
    VIEW_SLOTS,
    {0, NULL},
};

#define VIEW_FLAGS (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC                 \
                    | Py_TPFLAGS_IMMUTABLETYPE                              \
                    | Py_TPFLAGS_DISALLOW_INSTANTIATION)

PyType_Spec atomics_dictkeys_spec = {
    .name = "atomics.AtomicDict_keys",
    .basicsize = sizeof(adict_viewobject),
    .flags = VIEW_FLAGS,
    .slots = keys_slots,
};

PyType_Spec atomics_dictvalues_spec = {
    .name = "atomics.AtomicDict_values",
    .basicsize = sizeof(adict_viewobject),
    .flags = VIEW_FLAGS,
    .slots = values_slots,
};

PyType_Spec atomics_dictitems_spec = {
    .name = "atomics.AtomicDict_items",
    .basicsize = sizeof(adict_viewobject),
    .flags = VIEW_FLAGS,
    .slots = items_slots,
};

static PyObject *
atomicdict_iter(PyObject *self)
{
    return new_iterator(self, ITER_KEYS);
}

/*[clinic input]
_atomics.AtomicDict.keys

Return a view of the keys.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_keys_impl(atomicdictobject *self)
/*[clinic end generated code: output=ee9b180c9cd70e1e input=b865d975ad4adcfa]*/
{
    return new_view((PyObject *)self, ITER_KEYS);
}

/*[clinic input]
_atomics.AtomicDict.values

Return a view of the values.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_values_impl(atomicdictobject *self)
/*[clinic end generated code: output=b8c6a3e3f4a69963 input=b6e9c308dc59afa8]*/
{
    return new_view((PyObject *)self, ITER_VALUES);
}

/*[clinic input]
_atomics.AtomicDict.items

Return a view of the (key, value) pairs.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_items_impl(atomicdictobject *self)
/*[clinic end generated code: output=8d3c037c823710f8 input=aff516ba6d262c98]*/
{
    return new_view((PyObject *)self, ITER_ITEMS);
}


/* --- Whole-dict operations ----------------------------------------------- */

/*[clinic input]
_atomics.AtomicDict.clear

Remove every key, atomically.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_clear_impl(atomicdictobject *self)
/*[clinic end generated code: output=52682302c7af0635 input=20c531cbfdce5996]*/
{
    if (resize(self->core, current_table(self->core), 1) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

// A new AtomicDict holding a snapshot of self.
static PyObject *
copy_of(PyObject *self)
{
    atomics_state *st = dict_state(self);
    PyObject *new = atomicdict_new(st->atomicdict_type, NULL, NULL);
    if (new != NULL && merge_snapshot(new, self, set_item) < 0) {
        Py_CLEAR(new);
    }
    return new;
}

/*[clinic input]
_atomics.AtomicDict.copy

Return a new AtomicDict with a snapshot of the items.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_copy_impl(atomicdictobject *self)
/*[clinic end generated code: output=425287ee07c8be53 input=ee7b82348aa436b2]*/
{
    return copy_of((PyObject *)self);
}

// A dict holding a snapshot of self.
static PyObject *
as_dict(PyObject *self)
{
    PyObject *d = PyDict_New();
    if (d != NULL && merge_snapshot(d, self, PyDict_SetItem) < 0) {
        Py_CLEAR(d);
    }
    return d;
}

// An iterator of (key, value) pairs: a snapshot of self.
static PyObject *
items_snapshot_iter(PyObject *self)
{
    PyObject **keys, **values;
    Py_ssize_t n = snapshot(core_of(self), &keys, &values);
    if (n < 0) {
        return NULL;
    }
    PyObject *list = PyList_New(n);
    for (Py_ssize_t i = 0; list != NULL && i < n; i++) {
        PyObject *pair = PyTuple_Pack(2, keys[i], values[i]);
        if (pair == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, pair);
    }
    snapshot_free(keys, values, n);
    if (list == NULL) {
        return NULL;
    }
    PyObject *it = PyObject_GetIter(list);
    Py_DECREF(list);
    return it;
}

/*[clinic input]
_atomics.AtomicDict.__reduce__

Pickle a snapshot of the items.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict___reduce___impl(atomicdictobject *self)
/*[clinic end generated code: output=88a5fb09126bee1c input=a7bcf6e980a250bc]*/
{
    // As object.__reduce_ex__() reduces a dict subclass: the object is
    // made by copyreg.__newobj__(type) (no __init__), gets the state that
    // its __getstate__() returns (object.__getstate__(): the instance
    // dict and the slots of a subclass, None for AtomicDict itself; or a
    // subclass's own), then the items, one by one (so that an AtomicDict
    // that contains itself pickles, and copy.copy() and copy.deepcopy()
    // keep the subclass and its attributes).
    PyObject *newobj = _PyImport_GetModuleAttrString("copyreg",
                                                      "__newobj__");
    if (newobj == NULL) {
        return NULL;
    }
    PyObject *state = PyObject_CallMethodNoArgs((PyObject *)self,
                                                &_Py_ID(__getstate__));
    if (state == NULL) {
        Py_DECREF(newobj);
        return NULL;
    }
    PyObject *items = items_snapshot_iter((PyObject *)self);
    if (items == NULL) {
        Py_DECREF(newobj);
        Py_DECREF(state);
        return NULL;
    }
    return Py_BuildValue("N(O)NON", newobj, Py_TYPE(self), state, Py_None,
                         items);
}

/*[clinic input]
@classmethod
_atomics.AtomicDict.fromkeys

    iterable: object
    value: object = None
    /

Return a new AtomicDict with keys from iterable, each set to value.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_fromkeys_impl(PyTypeObject *type, PyObject *iterable,
                                  PyObject *value)
/*[clinic end generated code: output=81e412a57dda4346 input=675b3f72b2129922]*/
{
    PyObject *new = PyObject_CallNoArgs((PyObject *)type);
    if (new == NULL) {
        return NULL;
    }
    PyObject *it = PyObject_GetIter(iterable), *key;
    if (it == NULL) {
        Py_DECREF(new);
        return NULL;
    }
    while ((key = PyIter_Next(it)) != NULL) {
        int r = PyObject_SetItem(new, key, value);
        Py_DECREF(key);
        if (r < 0) {
            Py_DECREF(it);
            Py_DECREF(new);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(new);
        return NULL;
    }
    return new;
}

/*[clinic input]
_atomics.AtomicDict.__sizeof__

Return the size in memory, in bytes, table included.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict___sizeof___impl(atomicdictobject *self)
/*[clinic end generated code: output=fef0ebfe63220da8 input=8cb33ba01109457d]*/
{
    size_t size = (size_t)Py_TYPE(self)->tp_basicsize;
    if (self->base.owner == NULL) {
        size += table_bytes(current_table(self->core)->size);
    }
    return PyLong_FromSize_t(size);
}

static void
atomicdict_init_handle(PyObject *h, PyObject *owner)
{
    atomicdictobject_CAST(h)->core = atomicdictobject_CAST(owner)->core;
}

/*[clinic input]
_atomics.AtomicDict.handle

Return a handle to this AtomicDict for the calling thread.

The handle is a new AtomicDict that shares this one's items: every
operation on it acts on this dict.  Made and used by one thread, it
avoids the contention of threads on the shared object's reference
count on the free-threaded build.
[clinic start generated code]*/

static PyObject *
_atomics_AtomicDict_handle_impl(atomicdictobject *self)
/*[clinic end generated code: output=558a04c93ff2811e input=436facb3fd2a0148]*/
{
    return atomics_new_handle((PyObject *)self, atomicdict_init_handle);
}

static PyObject *
atomicdict_repr(PyObject *self)
{
    int r = Py_ReprEnter(self);
    if (r != 0) {
        return r > 0 ? PyUnicode_FromFormat("%s({...})",
                                            Py_TYPE(self)->tp_name)
                     : NULL;
    }
    PyObject *d = as_dict(self);
    PyObject *res = NULL;
    if (d != NULL) {
        res = PyUnicode_FromFormat("%s(%R)", Py_TYPE(self)->tp_name, d);
        Py_DECREF(d);
    }
    Py_ReprLeave(self);
    return res;
}

static int
is_mapping(atomics_state *st, PyObject *obj)
{
    if (PyDict_Check(obj) || PyObject_TypeCheck(obj, st->atomicdict_type)) {
        return 1;
    }
    return PyObject_IsInstance(obj, st->mapping_abc);
}

// other[key] for a comparison: 1 (*pvalue set), 0 (no such key), -1.  A
// key that other lacks is never given to __missing__ (of a defaultdict or
// a Counter, say, which would answer, or insert it), as dict's == does.
static int
lookup_in_mapping(atomics_state *st, PyObject *other, PyObject *key,
                  PyObject **pvalue)
{
    if (PyDict_Check(other)) {
        return PyDict_GetItemRef(other, key, pvalue);
    }
    if (PyObject_TypeCheck(other, st->atomicdict_type)) {
        Py_hash_t hash = PyObject_Hash(key);
        if (hash == -1) {
            return -1;
        }
        return adict_lookup(core_of(other), key, hash, pvalue);
    }
    int r = PySequence_Contains(other, key);
    if (r <= 0) {
        *pvalue = NULL;
        return r;
    }
    return PyMapping_GetOptionalItem(other, key, pvalue);
}

static PyObject *
atomicdict_richcompare(PyObject *self, PyObject *other, int op)
{
    atomics_state *st = dict_state(self);
    if (op != Py_EQ && op != Py_NE) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    int r = is_mapping(st, other);
    if (r < 0) {
        return NULL;
    }
    if (!r) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject **keys, **values;
    Py_ssize_t n = snapshot(core_of(self), &keys, &values);
    if (n < 0) {
        return NULL;
    }
    Py_ssize_t other_len = PyObject_Length(other);
    int equal = other_len == n;
    if (other_len < 0) {
        equal = -1;
    }
    for (Py_ssize_t i = 0; equal > 0 && i < n; i++) {
        PyObject *ov;
        int found = lookup_in_mapping(st, other, keys[i], &ov);
        if (found <= 0) {
            equal = found;
            break;
        }
        equal = PyObject_RichCompareBool(values[i], ov, Py_EQ);
        Py_DECREF(ov);
    }
    snapshot_free(keys, values, n);
    if (equal < 0) {
        return NULL;
    }
    return PyBool_FromLong(op == Py_EQ ? equal : !equal);
}

// The module state through whichever operand is an AtomicDict.
static atomics_state *
operand_state(PyObject *a, PyObject *b, PyObject **pself)
{
    PyObject *mod = PyType_GetModuleByDef(Py_TYPE(a), &atomics_module);
    if (mod != NULL) {
        atomics_state *st = atomics_get_state(mod);
        if (PyObject_TypeCheck(a, st->atomicdict_type)) {
            *pself = a;
            return st;
        }
    }
    PyErr_Clear();
    *pself = b;
    return dict_state(b);
}

static PyObject *
atomicdict_or(PyObject *a, PyObject *b)
{
    // a | b: a new AtomicDict with a's items updated with b's.
    PyObject *self;
    atomics_state *st = operand_state(a, b, &self);
    int r = is_mapping(st, self == a ? b : a);
    if (r < 0) {
        return NULL;
    }
    if (!r) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *res = atomicdict_new(st->atomicdict_type, NULL, NULL);
    if (res != NULL && (merge(res, a) < 0 || merge(res, b) < 0)) {
        Py_CLEAR(res);
    }
    return res;
}

static PyObject *
atomicdict_ior(PyObject *self, PyObject *other)
{
    if (merge(self, other) < 0) {
        return NULL;
    }
    return Py_NewRef(self);
}

static int
atomicdict_traverse(PyObject *op, visitproc visit, void *arg)
{
    atomicdictobject *self = atomicdictobject_CAST(op);
    if (self->base.owner == NULL) {
        // The garbage collector stops the world: nothing changes under us.
        adict_table *t = current_table(self->core);
        for (Py_ssize_t i = 0; i < t->size; i++) {
            PyObject *k = t->entries[i].key;
            if (k != NULL && k != DEAD_KEY) {
                Py_VISIT(k);
            }
            Py_VISIT(THAW(t->entries[i].value));
        }
        // Retired tables own references too: a cycle may pass through
        // one until it is released (clear() retires the whole table).
        int r = _PyAtomic_RetireTraverse(&self->core->retired, visit, arg,
                                         table_traverse);
        if (r) {
            return r;
        }
    }
    return atomics_object_traverse(op, visit, arg);
}

static int
atomicdict_clear(PyObject *op)
{
    atomicdictobject *self = atomicdictobject_CAST(op);
    if (self->base.owner == NULL) {
        if (resize(self->core, current_table(self->core), 1) < 0) {
            PyErr_Clear();      // out of memory: the cycle stays
        }
        // Release the old table now: it may hold the cycle being broken.
        // The dict is garbage, so no thread is inside one of its methods
        // (a caller holds a reference, as does every handle).
        _PyAtomic_RetireClear(&self->core->retired);
    }
    return 0;
}

static void
atomicdict_release(PyObject *op)
{
    atomicdictobject *self = atomicdictobject_CAST(op);
    if (self->base.owner == NULL && self->own.table != NULL) {
        self->own.table->drop_values = 1;
        table_release(self->own.table);
        self->own.table = NULL;
        _PyAtomic_RetireClear(&self->own.retired);
    }
}

static void
atomicdict_dealloc(PyObject *op)
{
    atomics_object_dealloc(op, atomicdict_dealloc, atomicdict_release);
}

static PyMethodDef atomicdict_methods[] = {
    _ATOMICS_ATOMICDICT_GET_METHODDEF
    _ATOMICS_ATOMICDICT_SETDEFAULT_METHODDEF
    _ATOMICS_ATOMICDICT_POP_METHODDEF
    _ATOMICS_ATOMICDICT_POPITEM_METHODDEF
    _ATOMICS_ATOMICDICT_KEYS_METHODDEF
    _ATOMICS_ATOMICDICT_VALUES_METHODDEF
    _ATOMICS_ATOMICDICT_ITEMS_METHODDEF
    {"update", _PyCFunction_CAST(atomicdict_update),
     METH_VARARGS | METH_KEYWORDS, atomicdict_update__doc__},
    _ATOMICS_ATOMICDICT_CLEAR_METHODDEF
    _ATOMICS_ATOMICDICT_COPY_METHODDEF
    _ATOMICS_ATOMICDICT_FROMKEYS_METHODDEF
    _ATOMICS_ATOMICDICT_COMPARE_AND_SET_METHODDEF
    _ATOMICS_ATOMICDICT_GET_AND_SET_METHODDEF
    _ATOMICS_ATOMICDICT_UPDATE_AND_GET_METHODDEF
    _ATOMICS_ATOMICDICT_GET_AND_UPDATE_METHODDEF
    _ATOMICS_ATOMICDICT_REDUCE_METHODDEF
    _ATOMICS_ATOMICDICT_REDUCE_SUM_METHODDEF
    _ATOMICS_ATOMICDICT_REDUCE_COUNT_METHODDEF
    _ATOMICS_ATOMICDICT_HANDLE_METHODDEF
    _ATOMICS_ATOMICDICT___SIZEOF___METHODDEF
    _ATOMICS_ATOMICDICT___REDUCE___METHODDEF
    ATOMICS_CLASS_GETITEM_METHODDEF
    {NULL, NULL}
};

static PyMemberDef atomicdict_members[] = {
    ATOMICS_WEAKLIST_MEMBER,
    {NULL},
};

PyDoc_STRVAR(atomicdict_doc,
"AtomicDict(other=(), /, **kwargs)\n"
"--\n"
"\n"
"A mapping that threads read and update concurrently.\n"
"\n"
"Lookups take no lock; updates of different keys do not wait for each\n"
"other.  Every single-key operation is atomic; iteration is weakly\n"
"consistent.  Built like dict: from a mapping or an iterable of pairs,\n"
"then keyword arguments.");

static PyType_Slot atomicdict_slots[] = {
    {Py_tp_new, atomicdict_new},
    {Py_tp_init, atomicdict_init},
    {Py_tp_doc, (void *)atomicdict_doc},
    {Py_tp_repr, atomicdict_repr},
    {Py_tp_richcompare, atomicdict_richcompare},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, atomicdict_iter},
    {Py_tp_traverse, atomicdict_traverse},
    {Py_tp_clear, atomicdict_clear},
    {Py_tp_dealloc, atomicdict_dealloc},
    {Py_tp_methods, atomicdict_methods},
    {Py_tp_members, atomicdict_members},
    {Py_mp_length, atomicdict_length},
    {Py_mp_subscript, atomicdict_subscript},
    {Py_mp_ass_subscript, atomicdict_ass_subscript},
    {Py_sq_contains, atomicdict_contains},
    {Py_nb_or, atomicdict_or},
    {Py_nb_inplace_or, atomicdict_ior},
    {0, NULL},
};

PyType_Spec atomics_dict_spec = {
    .name = "atomics.AtomicDict",
    .basicsize = sizeof(atomicdictobject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
              | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_MAPPING),
    .slots = atomicdict_slots,
};


/* --- NOT_FOUND ----------------------------------------------------------- */

static PyObject *
not_found_repr(PyObject *Py_UNUSED(op))
{
    return PyUnicode_FromString("atomics.NOT_FOUND");
}

static PyObject *
not_found_reduce(PyObject *Py_UNUSED(op), PyObject *Py_UNUSED(ignored))
{
    return PyUnicode_FromString("NOT_FOUND");
}

// GC-tracked, for its reference to its type: the module state holds the
// instance, the type holds the module.
static int
not_found_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    return 0;
}

static void
not_found_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyMethodDef not_found_methods[] = {
    {"__reduce__", not_found_reduce, METH_NOARGS, NULL},
    {NULL, NULL}
};

static PyType_Slot not_found_slots[] = {
    {Py_tp_repr, not_found_repr},
    {Py_tp_dealloc, not_found_dealloc},
    {Py_tp_traverse, not_found_traverse},
    {Py_tp_methods, not_found_methods},
    {Py_tp_doc, (void *)PyDoc_STR(
        "The type of atomics.NOT_FOUND, which stands for \"no value\" in "
        "the atomic operations of AtomicDict.")},
    {0, NULL},
};

PyType_Spec atomics_notfound_spec = {
    .name = "atomics.NotFoundType",
    .basicsize = sizeof(PyObject),
    .flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE
              | Py_TPFLAGS_DISALLOW_INSTANTIATION | Py_TPFLAGS_HAVE_GC),
    .slots = not_found_slots,
};
