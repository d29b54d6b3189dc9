import collections
import collections.abc
import contextlib
import copy
import gc
import pickle
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import weakref
from test import support
from test.support import import_helper, script_helper, threading_helper

from atomics import AtomicDict, NOT_FOUND
from test.support.atomics_helper import (FORK_CHILDREN, ITERATIONS, NTHREADS,
    another_thread_running, retention_bound, count_alive, settle,
    call_with_failing_allocations, run_concurrently)


class Key:
    """A key with a chosen hash and equality by a label, whose __eq__ may
    be replaced to misbehave."""

    def __init__(self, label, hash_=None):
        self.label = label
        self.hash = hash(label) if hash_ is None else hash_

    def __hash__(self):
        return self.hash

    def __eq__(self, other):
        return isinstance(other, Key) and self.label == other.label

    def __repr__(self):
        return f"Key({self.label!r})"


class Obj:
    pass


class PickledSub(AtomicDict):
    pass


class SlottedSub(AtomicDict):
    __slots__ = ('slot', '__dict__')


class StatefulSub(AtomicDict):
    def __getstate__(self):
        return {'state': 'from __getstate__'}


def tracked(refs):
    """A new Obj, with a weak reference to it appended to refs."""
    v = Obj()
    refs.append(weakref.ref(v))
    return v


def replace_values_of_waiting_threads(d, make_value, nthreads=1, n=100):
    """Each of nthreads new threads stores make_value() under n keys of d
    (thread j: the keys j*n to j*n+n-1) and waits; the calling thread
    replaces them all with None, taking the threads in turn, then lets
    them run some Python code and exit.  Returns the threads, not
    joined."""
    stored = threading.Barrier(nthreads + 1)
    replaced = threading.Event()

    def owner(j):
        for i in range(n):
            d[j * n + i] = make_value()
        stored.wait()
        replaced.wait()
        x = 0
        for i in range(1000):
            x += i

    threads = [threading.Thread(target=owner, args=(j,))
               for j in range(nthreads)]
    for t in threads:
        t.start()
    stored.wait()
    for i in range(n):
        for j in range(nthreads):
            d[j * n + i] = None
    replaced.set()
    return threads


class MappingTests(unittest.TestCase):
    """The mapping interface, with dict's behaviour (after test_dict)."""

    def test_constructor(self):
        self.assertEqual(dict(AtomicDict()), {})
        self.assertEqual(dict(AtomicDict({1: 2, 3: 4})), {1: 2, 3: 4})
        self.assertEqual(dict(AtomicDict([(1, 2), (3, 4)])), {1: 2, 3: 4})
        self.assertEqual(dict(AtomicDict(a=1, b=2)), {'a': 1, 'b': 2})
        self.assertEqual(dict(AtomicDict({'a': 0}, a=1)), {'a': 1})
        self.assertEqual(dict(AtomicDict(AtomicDict(x=1))), {'x': 1})
        self.assertEqual(dict(AtomicDict(collections.UserDict(y=2))),
                         {'y': 2})
        self.assertRaises(TypeError, AtomicDict, 1)
        self.assertRaises(TypeError, AtomicDict, [1])
        self.assertRaises(ValueError, AtomicDict, [(1, 2, 3)])
        self.assertRaises(TypeError, AtomicDict, {}, {})

    def test_getitem_setitem_delitem(self):
        d = AtomicDict()
        d['a'] = 1
        d[2] = 'two'
        self.assertEqual(d['a'], 1)
        self.assertEqual(d[2], 'two')
        self.assertEqual(len(d), 2)
        d['a'] = 3
        self.assertEqual(d['a'], 3)
        self.assertEqual(len(d), 2)
        del d['a']
        self.assertNotIn('a', d)
        self.assertEqual(len(d), 1)
        with self.assertRaises(KeyError) as cm:
            d['a']
        self.assertEqual(cm.exception.args, ('a',))
        with self.assertRaises(KeyError):
            del d['a']
        with self.assertRaises(KeyError) as cm:
            d[(1, 2)]
        self.assertEqual(cm.exception.args, ((1, 2),))
        self.assertRaises(TypeError, d.__getitem__, [])
        self.assertRaises(TypeError, d.__setitem__, [], 1)
        self.assertRaises(TypeError, d.__delitem__, {})

    def test_equal_keys_of_other_types(self):
        d = AtomicDict()
        d[1] = 'int'
        self.assertEqual(d[1.0], 'int')
        self.assertEqual(d[True], 'int')
        d[1.0] = 'float'
        self.assertEqual(len(d), 1)
        self.assertEqual(d[1], 'float')
        big = 2**100
        d[big] = 'big'
        self.assertEqual(d[int(str(big))], 'big')
        s = 'a string that is not interned ' * 3
        d[s] = 'str'
        self.assertEqual(d[''.join(list(s))], 'str')

    def test_get_contains_len(self):
        d = AtomicDict({1: 2})
        self.assertEqual(d.get(1), 2)
        self.assertIsNone(d.get(3))
        self.assertEqual(d.get(3, 4), 4)
        self.assertIn(1, d)
        self.assertNotIn(2, d)
        self.assertRaises(TypeError, d.get)
        self.assertRaises(TypeError, d.get, [])
        self.assertRaises(TypeError, d.__contains__, [])
        self.assertEqual(len(d), 1)
        self.assertTrue(d)
        self.assertFalse(AtomicDict())

    def test_views(self):
        d = AtomicDict({1: 'a', 2: 'b', 3: 'c'})
        k, v, i = d.keys(), d.values(), d.items()
        self.assertEqual(sorted(k), [1, 2, 3])
        self.assertEqual(sorted(v), ['a', 'b', 'c'])
        self.assertEqual(sorted(i), [(1, 'a'), (2, 'b'), (3, 'c')])
        self.assertEqual((len(k), len(v), len(i)), (3, 3, 3))
        self.assertIn(2, k)
        self.assertIn('b', v)
        self.assertIn((2, 'b'), i)
        self.assertNotIn((2, 'a'), i)
        self.assertNotIn(2, i)
        d[4] = 'd'                      # views are live
        self.assertEqual(len(k), 4)
        self.assertEqual(k & {1, 9}, {1})
        self.assertEqual(k | {9}, {1, 2, 3, 4, 9})
        self.assertEqual(k - {1}, {2, 3, 4})
        self.assertEqual(k ^ {1, 9}, {2, 3, 4, 9})
        self.assertEqual(i & {(1, 'a')}, {(1, 'a')})
        self.assertTrue(k.isdisjoint({7, 8}))
        self.assertFalse(k.isdisjoint({1}))
        self.assertEqual(k, {1, 2, 3, 4})
        import_helper.import_fresh_module('atomics')    # see below
        self.assertIsInstance(k, collections.abc.KeysView)
        self.assertIsInstance(v, collections.abc.ValuesView)
        self.assertIsInstance(i, collections.abc.ItemsView)
        self.assertEqual(repr(AtomicDict({1: 2}).keys()),
                         'atomics.AtomicDict_keys([1])')
        self.assertRaises(TypeError, hash, k)
        self.assertRaises(TypeError, type(k))

    def test_iteration(self):
        d = AtomicDict.fromkeys(range(100), 0)
        self.assertEqual(sorted(d), list(range(100)))
        it = iter(d)
        self.assertEqual(it.__length_hint__(), 100)
        self.assertIs(iter(it), it)
        self.assertEqual(sorted(dict(d.items())), list(range(100)))

    def test_pop_popitem_setdefault(self):
        d = AtomicDict({1: 2, 3: 4})
        self.assertEqual(d.pop(1), 2)
        self.assertEqual(d.pop(1, 'x'), 'x')
        self.assertRaises(KeyError, d.pop, 1)
        self.assertEqual(d.popitem(), (3, 4))
        self.assertRaises(KeyError, d.popitem)
        self.assertEqual(d.setdefault('a', 5), 5)
        self.assertEqual(d.setdefault('a', 6), 5)
        self.assertIsNone(d.setdefault('b'))
        self.assertEqual(dict(d), {'a': 5, 'b': None})

    def test_update_clear_copy(self):
        d = AtomicDict()
        d.update({1: 2})
        d.update([(3, 4)], five=5)
        d.update(AtomicDict(six=6))
        d.update()
        self.assertEqual(dict(d), {1: 2, 3: 4, 'five': 5, 'six': 6})
        self.assertRaises(TypeError, d.update, 1)
        self.assertRaises(ValueError, d.update, ['ab', 'cde'])
        c = d.copy()
        self.assertIs(type(c), AtomicDict)
        self.assertEqual(c, d)
        self.assertIsNot(c, d)
        c[1] = 0
        self.assertEqual(d[1], 2)
        d.clear()
        self.assertEqual(len(d), 0)
        self.assertEqual(dict(d), {})
        d[1] = 1
        self.assertEqual(dict(d), {1: 1})

    def test_or(self):
        a = AtomicDict({1: 1, 2: 2})
        self.assertEqual(a | {2: 'b', 3: 3}, {1: 1, 2: 'b', 3: 3})
        self.assertIs(type(a | {}), AtomicDict)
        self.assertEqual({2: 'b', 4: 4} | a, {1: 1, 2: 2, 4: 4})
        self.assertIs(type({} | a), AtomicDict)
        b = a
        a |= {5: 5}
        self.assertIs(a, b)
        self.assertEqual(a[5], 5)
        a |= [(6, 6)]
        self.assertEqual(a[6], 6)
        with self.assertRaises(TypeError):
            a | [(7, 7)]
        with self.assertRaises(TypeError):
            a | 1

    def test_equality(self):
        self.assertEqual(AtomicDict({1: 2}), {1: 2})
        self.assertEqual({1: 2}, AtomicDict({1: 2}))
        self.assertEqual(AtomicDict({1: 2}), AtomicDict({1: 2}))
        self.assertEqual(AtomicDict(a=1), collections.UserDict(a=1))
        self.assertNotEqual(AtomicDict({1: 2}), {1: 3})
        self.assertNotEqual(AtomicDict({1: 2}), {1: 2, 3: 4})
        self.assertNotEqual(AtomicDict({1: 2}), [(1, 2)])
        self.assertRaises(TypeError, lambda: AtomicDict() < AtomicDict())

        class BadCmp:
            def __eq__(self, other):
                raise RuntimeError

        with self.assertRaises(RuntimeError):
            AtomicDict({1: BadCmp()}) == {1: 2}

    def test_repr(self):
        self.assertEqual(repr(AtomicDict()), 'atomics.AtomicDict({})')
        self.assertEqual(repr(AtomicDict({1: 'a'})),
                         "atomics.AtomicDict({1: 'a'})")
        d = AtomicDict()
        d[1] = d
        self.assertEqual(repr(d), 'atomics.AtomicDict({1: atomics.AtomicDict({...})})')

    def test_fromkeys(self):
        self.assertEqual(AtomicDict.fromkeys('ab'), {'a': None, 'b': None})
        self.assertEqual(AtomicDict.fromkeys('ab', 0), {'a': 0, 'b': 0})

        class Sub(AtomicDict):
            pass
        self.assertIs(type(Sub.fromkeys('a')), Sub)

    def test_pickle_and_copy(self):
        d = AtomicDict({1: [2], 'x': 'y'})
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            e = pickle.loads(pickle.dumps(d, proto))
            self.assertIs(type(e), AtomicDict)
            self.assertEqual(e, d)
        c = copy.copy(d)
        self.assertEqual(c, d)
        self.assertIs(c[1], d[1])
        dc = copy.deepcopy(d)
        self.assertEqual(dc, d)
        self.assertIsNot(dc[1], d[1])
        self.assertIs(pickle.loads(pickle.dumps(NOT_FOUND)), NOT_FOUND)

    def test_abc_and_generic(self):
        # A fresh import registers again: regrtest -R undoes the
        # registrations made after its snapshot of the ABC registries.
        import_helper.import_fresh_module('atomics')
        d = AtomicDict()
        self.assertIsInstance(d, collections.abc.MutableMapping)
        self.assertEqual(AtomicDict[str, int].__origin__, AtomicDict)
        self.assertRaises(TypeError, hash, d)

    def test_growing_and_shrinking(self):
        d = AtomicDict()
        small = sys.getsizeof(d)
        for i in range(10_000):
            d[i] = i
        self.assertEqual(len(d), 10_000)
        self.assertEqual(sum(d.values()), sum(range(10_000)))
        self.assertGreater(sys.getsizeof(d), small + 10_000 * 24)
        for i in range(10_000):
            del d[i]
        self.assertEqual(len(d), 0)
        self.assertLess(sys.getsizeof(d), small + 1000)

    def test_deleted_entries_do_not_pile_up(self):
        d = AtomicDict()
        for i in range(20_000):
            d[i] = i
            del d[i]
        self.assertLess(sys.getsizeof(d), sys.getsizeof(AtomicDict()) + 2000)

    def test_sizeof_per_entry(self):
        # No more than 2x the memory of a dict per entry.
        for n in (1024, 100_000):
            keys = range(n)
            a = AtomicDict.fromkeys(keys)
            b = dict.fromkeys(keys)
            self.assertLessEqual(sys.getsizeof(a), 2 * sys.getsizeof(b))

    def test_subclass(self):
        class Missing(AtomicDict):
            def __missing__(self, key):
                return key * 2
        d = Missing(a=1)
        self.assertEqual(d['a'], 1)
        self.assertEqual(d[5], 10)
        self.assertNotIn(5, d)

        class WithInit(AtomicDict):
            def __init__(self, n):
                super().__init__((i, i) for i in range(n))
        self.assertEqual(len(WithInit(3)), 3)

    def test_weakref_and_gc(self):
        d = AtomicDict()
        w = weakref.ref(d)
        d['self'] = d
        del d
        gc.collect()
        self.assertIsNone(w())

    def test_cycle_through_a_retired_table(self):
        # clear() and resizes retire the old table, released after a grace
        # period or at a later write; until then it still owns its keys
        # and values, and the collector must see them.
        for grow in (False, True):
            with self.subTest(grow=grow):
                d = AtomicDict()
                value = Obj()
                w, wv = weakref.ref(d), weakref.ref(value)
                d['self'] = d
                d['value'] = value
                if grow:
                    d.update((i, i) for i in range(100))
                else:
                    d.clear()
                del d, value
                gc.collect()
                self.assertIsNone(w())
                self.assertIsNone(wv())

    def test_deep_nesting_dealloc(self):
        d = None
        for _ in range(200_000):
            d = AtomicDict(x=d)
        del d

    def test_handle(self):
        d = AtomicDict(a=1)
        h = d.handle()
        self.assertIs(type(h), AtomicDict)
        h['b'] = 2
        self.assertEqual(d['b'], 2)
        del d['a']
        self.assertNotIn('a', h)
        self.assertEqual(len(h), 1)
        self.assertIs(h.handle().handle().keys().__class__,
                      type(AtomicDict().keys()))
        w = weakref.ref(d)
        del d
        gc.collect()
        self.assertIsNotNone(w())       # the handle keeps it alive
        self.assertEqual(dict(h), {'b': 2})
        hsize = sys.getsizeof(h)
        self.assertLess(hsize, sys.getsizeof(w()))


class DictBehaviourTests(unittest.TestCase):
    """Where dict defines a behaviour, AtomicDict has it: found by a
    hostile review, each compared with dict's."""

    def test_view_set_operations_take_any_iterable(self):
        # Either operand may be the view; the other any iterable, a view
        # of another AtomicDict or the same view included.
        data, other = {'a': 1, 'b': 2}, {'b': 2, 'c': 3}
        a, b = AtomicDict(data), AtomicDict(other)
        for op in ('&', '|', '-', '^'):
            for view in ('keys', 'items'):
                ours, theirs = getattr(a, view)(), getattr(data, view)()
                for operand in (getattr(b, view)(), getattr(other, view)(),
                                list(getattr(other, view)()),
                                set(getattr(other, view)()),
                                frozenset(getattr(other, view)()), ()):
                    with self.subTest(op=op, view=view, operand=operand):
                        for left, right in ((ours, operand),
                                            (operand, ours)):
                            expected = eval(
                                f'x {op} y',
                                {'x': theirs if left is ours else left,
                                 'y': theirs if right is ours else right})
                            got = eval(f'x {op} y', {'x': left, 'y': right})
                            self.assertEqual(got, expected)
                self.assertEqual(eval(f'x {op} x', {'x': ours}),
                                 eval(f'x {op} x', {'x': theirs}))
        self.assertEqual(a.keys() & iter('az'), {'a'})
        with self.assertRaises(TypeError):
            a.keys() & 1
        with self.assertRaises(TypeError):
            1 | a.items()

    def test_numbers_that_share_a_hash(self):
        # A one-digit int key whose value is its hash is found without a
        # comparison: keys of the same hash that are not such ints (-1 and
        # -2, 5 and 2**61 + 4, True and 1, 1.0, an int subclass) are still
        # compared, through writes, deletions and resizes, as dict does.
        class Int(int):
            def __eq__(self, other):
                return False
            __hash__ = int.__hash__

        big = 2**61 + 4                 # hash(big) == 5
        seven = Int(7)                  # equal to nothing, itself included
        keys = [-1, -2, 5, big, 1, True, 1.0, 2**30, 2**30 - 1,
                -(2**30) + 1, seven, 7, 2**61 - 1 + 2**30 - 1]

        def contents(m):
            return sorted(map(repr, m.items()))

        self.assertEqual(hash(-1), hash(-2))
        self.assertEqual(hash(big), hash(5))
        self.assertEqual(hash(keys[-1]), hash(2**30 - 1))
        d, a = {}, AtomicDict()
        for step, key in enumerate(keys * 3):
            with self.subTest(step=step, key=key):
                d[key] = a[key] = step
                self.assertEqual(contents(a), contents(d))
                for probe in keys + [-3, 6, big + 1, Int(5), 5.0, False]:
                    self.assertEqual(a.get(probe, 'no'), d.get(probe, 'no'))
                    self.assertEqual(probe in a, probe in d)
        for key in (5, -2, seven):
            del d[key]
            del a[key]
        for n in range(1000):           # resizes
            d[n + 10] = a[n + 10] = n
        for n in range(1000):
            del d[n + 10]
            del a[n + 10]
        self.assertEqual(contents(a), contents(d))
        for probe in keys + [-3, 6, Int(5), 5.0]:
            self.assertEqual(a.get(probe, 'no'), d.get(probe, 'no'))
        self.assertEqual(a.setdefault(5, 'x'), d.setdefault(5, 'x'))
        self.assertEqual(a.pop(big), d.pop(big))
        self.assertEqual(a.get(5), d.get(5))
        self.assertNotIn(big, a)

    def test_view_comparisons(self):
        # By lengths and membership: items with unhashable values too.
        a = AtomicDict({1: [2], 3: [4]})
        d = {1: [2], 3: [4]}
        self.assertEqual(a.items(), a.items())
        self.assertEqual(a.items(), d.items())
        self.assertEqual(d.items(), a.items())
        self.assertNotEqual(a.items(), AtomicDict({1: [2]}).items())
        self.assertLess(AtomicDict({1: [2]}).items(), a.items())
        self.assertLessEqual(a.items(), d.items())
        self.assertGreater(a.keys(), {1})
        self.assertGreaterEqual(a.keys(), {1, 3})
        self.assertFalse(a.keys() < {1, 3})
        self.assertEqual(a.keys(), frozenset({1, 3}))
        self.assertNotEqual(a.keys(), [1, 3])      # a list is not a set
        self.assertFalse(a.keys() == [1, 3])

    def test_view_repr_of_itself(self):
        for cls in (dict, AtomicDict):
            with self.subTest(cls=cls):
                d = cls()
                d['v'] = d.values()
                d['i'] = d.items()
                self.assertIn('...', repr(d.values()))
                self.assertIn('...', repr(d))

    def test_equality_never_calls_missing(self):
        # A key that the other mapping lacks makes them unequal; it is not
        # looked up through __missing__ (which would answer or insert).
        other = collections.defaultdict(int, b=0)
        self.assertNotEqual(AtomicDict(a=0), other)
        self.assertEqual(dict(other), {'b': 0})
        self.assertNotEqual(AtomicDict(a=0), collections.Counter(b=0))
        self.assertNotEqual(collections.Counter(b=0), AtomicDict(a=0))

        class Missing(AtomicDict):
            def __missing__(self, key):
                return 0
        self.assertNotEqual(AtomicDict(a=0), Missing(b=0))
        self.assertNotEqual(Missing(b=0), AtomicDict(a=0))

        class Answers(collections.UserDict):
            def __missing__(self, key):
                return 0
        self.assertNotEqual(AtomicDict(a=0), Answers(b=0))
        self.assertEqual(AtomicDict(a=0), Answers(a=0))

    def test_missing_is_looked_up_on_the_type(self):
        class Sub(AtomicDict):
            pass
        d = Sub()
        d.__missing__ = lambda key: 42
        with self.assertRaises(KeyError):
            d['x']

    def test_reduce_count_of_mappings(self):
        import types
        counts = {'a': 2, 'b': 3}
        for m in (counts, collections.Counter(counts),
                  collections.UserDict(counts),
                  types.MappingProxyType(counts), AtomicDict(counts)):
            with self.subTest(m=type(m)):
                d = AtomicDict(a=1)
                d.reduce_count(m)
                self.assertEqual(dict(d), {'a': 3, 'b': 3})

    def test_not_found_is_never_a_value(self):
        d = AtomicDict(k=1)
        h = d.handle()
        for store in (lambda: d.__setitem__('x', NOT_FOUND),
                      lambda: h.__setitem__('x', NOT_FOUND),
                      lambda: d.setdefault('x', NOT_FOUND),
                      lambda: d.setdefault('k', NOT_FOUND),
                      lambda: d.update(x=NOT_FOUND),
                      lambda: d.update([('x', NOT_FOUND)]),
                      lambda: d.update({'x': NOT_FOUND}),
                      lambda: AtomicDict(x=NOT_FOUND),
                      lambda: AtomicDict.fromkeys('x', NOT_FOUND)):
            with self.assertRaises(ValueError):
                store()
        self.assertEqual(dict(d), {'k': 1})
        # An exchange with "no value" removes the key.
        self.assertEqual(d.get_and_set('k', NOT_FOUND), 1)
        self.assertNotIn('k', d)
        self.assertIs(d.get_and_set('k', NOT_FOUND), NOT_FOUND)
        self.assertTrue(d.compare_and_set('k', NOT_FOUND, 2))
        # So does a reduction to NOT_FOUND.
        d.reduce([('k', 1), ('new', NOT_FOUND)], lambda k, x, y: NOT_FOUND)
        self.assertEqual(dict(d), {})

    def test_values_and_items_do_not_hash_again(self):
        hashes = []

        class K:
            def __init__(self, h):
                self.h = h

            def __hash__(self):
                hashes.append(self)
                return self.h
        k = K(1)
        d = AtomicDict({k: 'v', 'x': 1})
        del hashes[:]
        k.h = 2                         # a hash that changed: still found
        self.assertEqual(sorted(map(repr, d.values())), ["'v'", '1'])
        self.assertEqual(len(list(d.items())), 2)
        self.assertEqual(hashes, [])

    def test_popitem_empties_in_any_order(self):
        n = 5000
        d = AtomicDict.fromkeys(range(n), 0)
        popped = set()
        for i in range(n // 2):
            k, v = d.popitem()
            popped.add(k)
            d[n + i] = 1                # keys come in meanwhile
        while d:
            popped.add(d.popitem()[0])
        self.assertEqual(popped, set(range(n + n // 2)))
        self.assertRaises(KeyError, d.popitem)
        d['a'] = 1
        self.assertEqual(d.popitem(), ('a', 1))

    def test_popitem_allocation_failure(self):
        import_helper.import_module('_testcapi')
        # The pair is either returned or still in the dict, never lost.
        for start in range(4):
            d = AtomicDict(k='v')
            got = None

            def pop():
                nonlocal got
                got = d.popitem()       # a store that allocates nothing
            exc = call_with_failing_allocations(pop, start)
            self.assertIsInstance(exc, (MemoryError, type(None)))
            if got is None:
                self.assertIsInstance(exc, MemoryError)
                self.assertEqual(dict(d), {'k': 'v'})
            else:
                self.assertEqual(got, ('k', 'v'))
                self.assertEqual(len(d), 0)

    def test_pickle_and_copy_of_itself_and_subclasses(self):
        a = AtomicDict()
        a['self'] = a
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            b = pickle.loads(pickle.dumps(a, proto))
            self.assertIs(b['self'], b)
        c = copy.deepcopy(a)
        self.assertIs(c['self'], c)

        s = PickledSub(x=[1])
        s.tag = 'T'
        for how in (copy.copy, copy.deepcopy,
                    lambda o: pickle.loads(pickle.dumps(o))):
            t = how(s)
            self.assertIs(type(t), PickledSub)
            self.assertEqual(t.tag, 'T')
            self.assertEqual(t, {'x': [1]})
        self.assertIs(copy.copy(s)['x'], s['x'])
        self.assertIsNot(copy.deepcopy(s)['x'], s['x'])
        self.assertIs(type(s.copy()), AtomicDict)      # as dict.copy()

        # Slots and a subclass's own __getstate__, as for a dict subclass
        # (both were once dropped).
        s = SlottedSub(x=1)
        s.slot = 'S'
        s.attr = 'A'
        f = StatefulSub(y=2)
        f.attr = 'dropped by its __getstate__'
        for how in (copy.copy, copy.deepcopy,
                    lambda o: pickle.loads(pickle.dumps(o))):
            t = how(s)
            self.assertIs(type(t), SlottedSub)
            self.assertEqual((t.slot, t.attr, dict(t)), ('S', 'A', {'x': 1}))
            t = how(f)
            self.assertIs(type(t), StatefulSub)
            self.assertEqual(t.state, 'from __getstate__')
            self.assertFalse(hasattr(t, 'attr'))
            self.assertEqual(dict(t), {'y': 2})

    def test_clear_releases_at_once(self):
        # With no other thread running, clear() releases the old keys and
        # values, and a resize the keys deleted before it.
        d = AtomicDict()
        refs = []
        d[tracked(refs)] = tracked(refs)
        d['v'] = tracked(refs)
        d.clear()
        self.assertEqual([r() for r in refs], [None] * 3)
        refs = []
        d[tracked(refs)] = 1
        del d[next(iter(d))]
        d.update((i, i) for i in range(100))        # grows
        self.assertIsNone(refs[0]())


class AtomicOperationTests(unittest.TestCase):

    def test_not_found(self):
        self.assertEqual(repr(NOT_FOUND), 'atomics.NOT_FOUND')
        self.assertRaises(TypeError, type(NOT_FOUND))
        self.assertIs(copy.copy(NOT_FOUND), NOT_FOUND)

    def test_compare_and_set(self):
        a, b = Obj(), Obj()
        d = AtomicDict()
        self.assertTrue(d.compare_and_set('k', NOT_FOUND, NOT_FOUND))
        self.assertTrue(d.compare_and_set('k', NOT_FOUND, a))
        self.assertIs(d['k'], a)
        self.assertFalse(d.compare_and_set('k', NOT_FOUND, b))
        self.assertFalse(d.compare_and_set('k', NOT_FOUND, NOT_FOUND))
        self.assertFalse(d.compare_and_set('k', b, b))
        self.assertTrue(d.compare_and_set('k', a, b))
        self.assertIs(d['k'], b)
        self.assertFalse(d.compare_and_set('k', a, NOT_FOUND))
        self.assertTrue(d.compare_and_set('k', b, NOT_FOUND))
        self.assertNotIn('k', d)
        self.assertFalse(d.compare_and_set('k', b, a))
        # identity, not equality
        x, y = [1], [1]
        d['l'] = x
        self.assertFalse(d.compare_and_set('l', y, 0))
        self.assertTrue(d.compare_and_set('l', x, 0))

    def test_get_and_set(self):
        d = AtomicDict()
        self.assertIs(d.get_and_set('k', 1), NOT_FOUND)
        self.assertEqual(d.get_and_set('k', 2), 1)
        self.assertEqual(d['k'], 2)

    def test_pop_expected(self):
        a = Obj()
        d = AtomicDict(k=a)
        self.assertEqual(d.pop('k', 'no', expected=Obj()), 'no')
        self.assertRaises(KeyError, d.pop, 'k', expected=Obj())
        self.assertIs(d.pop('k', expected=a), a)
        self.assertNotIn('k', d)

    def test_functional_updates(self):
        d = AtomicDict()
        inc = lambda v: 1 if v is NOT_FOUND else v + 1
        self.assertEqual(d.update_and_get('n', inc), 1)
        self.assertEqual(d.update_and_get('n', inc), 2)
        self.assertEqual(d.get_and_update('n', inc), 2)
        self.assertEqual(d['n'], 3)
        self.assertEqual(d.get_and_update('n', lambda v: NOT_FOUND), 3)
        self.assertNotIn('n', d)
        self.assertIs(d.get_and_update('n', lambda v: NOT_FOUND), NOT_FOUND)
        self.assertIs(d.update_and_get('n', lambda v: NOT_FOUND), NOT_FOUND)
        with self.assertRaises(ZeroDivisionError):
            d.update_and_get('n', lambda v: 1 / 0)
        self.assertNotIn('n', d)

    def test_update_function_runs_again_after_a_change(self):
        d = AtomicDict(n=0)
        calls = []

        def func(v):
            calls.append(v)
            if len(calls) == 1:
                d['n'] = 10             # a concurrent change
            return v + 1
        self.assertEqual(d.update_and_get('n', func), 11)
        self.assertEqual(calls, [0, 10])

    def test_reduce(self):
        d = AtomicDict(a=1)
        d.reduce([('a', 2), ('b', 3), ('a', 4)], lambda k, x, y: x + y)
        self.assertEqual(dict(d), {'a': 7, 'b': 3})
        d.reduce_sum([('b', 1), ('c', 1.5)])
        self.assertEqual(dict(d), {'a': 7, 'b': 4, 'c': 1.5})
        d.reduce_count('abba')
        self.assertEqual(dict(d), {'a': 9, 'b': 6, 'c': 1.5})
        d.reduce_count({'c': 1, 'z': 2})
        self.assertEqual(dict(d), {'a': 9, 'b': 6, 'c': 2.5, 'z': 2})
        self.assertRaises(TypeError, d.reduce_sum, [1])
        self.assertRaises(ValueError, d.reduce_sum, [(1, 2, 3)])
        self.assertRaises(TypeError, d.reduce_count, [[]])
        self.assertRaises(TypeError, d.reduce_sum, [('a', 'x')])
        self.assertEqual(d['a'], 9)

    def test_reduce_count_sequences(self):
        # Lists and tuples are counted by index, str and int items without
        # the generic comparison: the same counts as Counter's.
        class Words(list):
            def __iter__(self):
                return iter(['x'])
        items = ['a', 1, 'a', 2**70, 1, True, 1.0, 'b', Key('k'), 'a',
                 Key('k'), 2**70, -1, -1, 'é', 'é' * 2, 'éé']
        for seq in (items, tuple(items), items[::-1], [], (),
                    ['s%d' % (i % 7) for i in range(1000)]):
            with self.subTest(seq=seq[:3]):
                d = AtomicDict()
                d.reduce_count(seq)
                self.assertEqual(dict(d), dict(collections.Counter(seq)))
        d = AtomicDict()
        d.reduce_count(Words('abc'))
        self.assertEqual(dict(d), {'x': 1})
        self.assertRaises(TypeError, d.reduce_count, ['a', []])
        self.assertEqual(dict(d), {'x': 1})

    def test_reduce_count_list_mutated_while_counted(self):
        # A __hash__ that changes the list being counted: the items are
        # those a list iterator would give, as for Counter.
        for grow in (True, False):
            def make():
                seq = ['a', None, Key('k'), 'b', 'c']

                def hook(self):
                    if grow:
                        seq.append('z')
                    elif len(seq) > 3:
                        seq.pop()
                    return self.hash
                seq[1] = type('Hooked', (Key,), {'__hash__': hook})('k')
                return seq
            with self.subTest(grow=grow):
                d = AtomicDict()
                d.reduce_count(make())
                expected = collections.Counter(make())
                self.assertEqual(sorted(d.values()),
                                 sorted(expected.values()))
                self.assertEqual(len(d), len(expected))


class HostileKeyTests(unittest.TestCase):
    """__hash__ and __eq__ that raise, recurse, or mutate the dict."""

    def test_hash_raises(self):
        class BadHash:
            def __hash__(self):
                raise ZeroDivisionError
        d = AtomicDict(a=1)
        for call in (lambda: d[BadHash()], lambda: d.get(BadHash()),
                     lambda: d.__setitem__(BadHash(), 1),
                     lambda: d.pop(BadHash()), lambda: BadHash() in d,
                     lambda: d.setdefault(BadHash()),
                     lambda: d.compare_and_set(BadHash(), 1, 2)):
            with self.subTest(call=call):
                self.assertRaises(ZeroDivisionError, call)
        self.assertEqual(dict(d), {'a': 1})

    def test_eq_raises(self):
        k = Key('x', hash_=7)
        d = AtomicDict({k: 1})

        class Bad(Key):
            __hash__ = Key.__hash__

            def __eq__(self, other):
                raise ZeroDivisionError
        for call in (lambda: d[Bad('y', 7)], lambda: d.__setitem__(Bad('y', 7), 2),
                     lambda: Bad('y', 7) in d, lambda: d.pop(Bad('y', 7))):
            with self.subTest(call=call):
                self.assertRaises(ZeroDivisionError, call)
        self.assertEqual(dict(d), {k: 1})

    def test_eq_recurses(self):
        class Rec(Key):
            __hash__ = Key.__hash__

            def __eq__(self, other):
                return self == other
        d = AtomicDict({Key('x', 7): 1})
        self.assertRaises(RecursionError, d.__getitem__, Rec('y', 7))

    def test_eq_mutates_the_dict(self):
        d = AtomicDict()
        stored = Key('a', hash_=3)
        d[stored] = 'stored'

        class Clearing(Key):
            __hash__ = Key.__hash__

            def __eq__(self, other):
                d.clear()
                return True
        # The comparison saw the dict change: the lookup starts over and
        # finds nothing.
        self.assertRaises(KeyError, d.__getitem__, Clearing('b', 3))
        self.assertEqual(len(d), 0)

        d[stored] = 'stored'

        class Growing(Key):
            __hash__ = Key.__hash__

            def __eq__(self, other):
                for i in range(100):
                    d[i] = i            # resizes
                return False
        g = Growing('c', 3)
        d[g] = 'c'
        self.assertEqual(len(d), 102)
        self.assertEqual(sorted(k.label for k in d if isinstance(k, Key)),
                         ['a', 'c'])
        self.assertEqual(d[g], 'c')             # by identity
        self.assertEqual(d[stored], 'stored')

    def test_eq_mutates_forever(self):
        d = AtomicDict()
        d[Key('a', 3)] = 1

        class Forever(Key):
            __hash__ = Key.__hash__

            def __eq__(self, other):
                d.clear()
                d[Key('a', 3)] = 1
                return False
        # A lookup that keeps seeing the table replaced finishes on a
        # snapshot of the key's entries (it once raised RuntimeError).
        with self.assertRaises(KeyError):
            d[Forever('z', 3)]
        self.assertEqual(len(d), 1)

    def test_one_hash_value(self):
        # Every key collides: no crash, and the same cost class as dict.
        keys = [Key(i, hash_=42) for i in range(300)]
        d = AtomicDict()
        for i, k in enumerate(keys):
            d[k] = i
        self.assertEqual(len(d), 300)
        self.assertEqual([d[k] for k in keys], list(range(300)))
        for k in keys[::2]:
            del d[k]
        self.assertEqual(sorted(d.values()), list(range(1, 300, 2)))

    def test_unhashable(self):
        d = AtomicDict()
        for k in ([], {}, set(), AtomicDict()):
            with self.subTest(key=k):
                self.assertRaises(TypeError, d.__setitem__, k, 1)
                self.assertRaises(TypeError, d.get, k)

    def test_value_del_writes_the_same_dict(self):
        d = AtomicDict()

        class Writer:
            def __init__(self, n):
                self.n = n

            def __del__(self):
                d[('deleted', self.n)] = self.n
                d.pop('other', None)

        for i in range(50):
            d['k'] = Writer(i)
            d['other'] = i
        del d['k']
        self.assertEqual(d[('deleted', 49)], 49)
        self.assertEqual(len(d), 50)

    def test_allocation_failures(self):
        # An insert that needs a larger table that cannot be allocated
        # fails with MemoryError, the dict unchanged and usable.
        import_helper.import_module('_testcapi')
        d = AtomicDict()
        n = 0
        while sys.getsizeof(d) == sys.getsizeof(AtomicDict()):
            d[n] = n
            n += 1
        d = AtomicDict.fromkeys(range(n - 1), 0)
        before = dict(d)
        for start in range(4):
            exc = call_with_failing_allocations(
                lambda: d.__setitem__('new', 1), start)
            if exc is None:
                del d['new']
            else:
                self.assertIsInstance(exc, MemoryError)
                self.assertEqual(dict(d), before)
        d['new'] = 1
        self.assertEqual(len(d), n)
        for call in (d.copy, lambda: list(d), lambda: repr(d),
                     lambda: d.reduce_count('ab'), d.clear):
            exc = call_with_failing_allocations(call)
            self.assertIsInstance(exc, (MemoryError, type(None)))
        d.clear()
        d['x'] = 1
        self.assertEqual(dict(d), {'x': 1})


@threading_helper.requires_working_threading()
class StressTests(unittest.TestCase):
    """Real threads, exact invariants."""

    def test_disjoint_inserts(self):
        d = AtomicDict()
        n = ITERATIONS // 2

        def insert(base):
            def run():
                h = d.handle()
                for i in range(n):
                    h[base + i] = i
            return run
        run_concurrently([insert(t * n) for t in range(NTHREADS)])
        self.assertEqual(len(d), NTHREADS * n)
        self.assertEqual(sorted(d), list(range(NTHREADS * n)))
        self.assertEqual(sum(d.values()), NTHREADS * sum(range(n)))

    def test_values_replaced_while_collecting(self):
        # Threads replace each other's values while another thread keeps
        # collecting: every value is released, once.
        d = AtomicDict.fromkeys(range(64))
        n = ITERATIONS // 4
        refs = []
        finished = []
        stop = threading.Event()

        def writer():
            h = d.handle()
            mine = []
            for i in range(n):
                h[i % 64] = tracked(mine)
            refs.extend(mine)
            finished.append(None)
            if len(finished) == NTHREADS - 1:
                stop.set()

        def collector():
            while not stop.wait(0.0005):
                gc.collect()

        run_concurrently([writer] * (NTHREADS - 1) + [collector])
        self.assertEqual(len(refs), (NTHREADS - 1) * n)
        for k in range(64):
            d[k] = None
        gc.collect()
        self.assertEqual([r for r in refs if r() is not None], [])
        self.assertEqual(dict(d), dict.fromkeys(range(64)))

    def test_cas_increments(self):
        d = AtomicDict()
        keys = ['a', 'b', 3, 4.5]

        def work():
            for i in range(ITERATIONS // 4):
                k = keys[i % len(keys)]
                while True:
                    v = d.get(k, NOT_FOUND)
                    if d.compare_and_set(k, v, 1 if v is NOT_FOUND else v + 1):
                        break
        run_concurrently([work] * NTHREADS)
        self.assertEqual(sum(d.values()), NTHREADS * (ITERATIONS // 4))

    def test_update_and_get_increments(self):
        d = AtomicDict()

        def work():
            for i in range(ITERATIONS // 4):
                d.update_and_get(i % 7,
                                 lambda v: 1 if v is NOT_FOUND else v + 1)
        run_concurrently([work] * NTHREADS)
        self.assertEqual(sum(d.values()), NTHREADS * (ITERATIONS // 4))

    def test_reduce_count_of_a_list_other_threads_change(self):
        # The list is counted under its lock, or item by item as a list
        # iterator would: every count is that of an item the list held.
        d = AtomicDict()
        words = ['a', 'b'] * 50
        done = threading.Event()

        def change():
            while not done.is_set():
                words.append('c')
                words.pop()
                words[0:2] = ['a', 'b']

        def count():
            try:
                for _ in range(ITERATIONS // 100):
                    d.reduce_count(words)
            finally:
                done.set()
        run_concurrently([count] * (NTHREADS - 1) + [change])
        self.assertLessEqual(set(d), {'a', 'b', 'c'})
        self.assertEqual(d['a'], d['b'])

    def test_values_replaced_by_other_threads(self):
        # Each thread stores objects it made; the others replace, pop and
        # swap them out.  Every value ends up released exactly once: each
        # one left in the dict has the dict's reference, the list's and
        # the loop variable's; the others are gone.
        d = AtomicDict()
        refs = []
        n = ITERATIONS // 8

        def work():
            h = d.handle()
            mine = []
            for i in range(n):
                v = tracked(mine)
                k = i % 16
                if i % 4 == 0:
                    h.get_and_set(k, v)
                elif i % 4 == 1:
                    h.pop(k, None)
                    h[k] = v
                elif i % 4 == 2:
                    h.setdefault(k, v)
                else:
                    h.compare_and_set(k, h.get(k, NOT_FOUND), v)
            refs.extend(mine)
        run_concurrently([work] * NTHREADS)
        values = list(d.values())
        self.assertEqual(len(values), 16)
        live = [r() for r in refs if r() is not None]
        self.assertEqual(sorted(map(id, live)), sorted(map(id, values)))
        del live
        for v in values:
            self.assertEqual(sys.getrefcount(v) - 1, 3)
        del d                   # (clear() would release them later)
        self.assertEqual(sum(r() is not None for r in refs), 16)
        del values, v
        self.assertEqual(sum(r() is not None for r in refs), 0)

    def test_values_other_threads_made_are_released_at_once(self):
        # d[k] = v releases the value it replaced at once, whichever thread
        # made it: here threads that are alive and blocked, then one that
        # has exited.
        d = AtomicDict()
        refs = []

        def made():
            return tracked(refs)

        threads = replace_values_of_waiting_threads(d, made, nthreads=3)
        self.assertEqual(len(refs), 300)
        self.assertEqual([r for r in refs if r() is not None], [])
        for t in threads:
            t.join()

        def store():
            for i in range(100):
                d[i] = made()

        refs.clear()
        t = threading.Thread(target=store)      # exits before we replace
        t.start()
        t.join()
        for i in range(100):
            d[i] = i
        self.assertEqual([r for r in refs if r() is not None], [])
        self.assertEqual(dict(d), {i: i if i < 100 else None
                                   for i in range(300)})

    def test_finalizers_run_in_the_replacing_thread(self):
        # The finalizer of a replaced value runs in the thread that replaced
        # it, at once, and may write to the same dict.
        d = AtomicDict.fromkeys(range(100))
        ran = []

        class Fin:
            def __del__(self):
                ran.append(threading.get_ident())
                d['fin'] = object()

        t, = replace_values_of_waiting_threads(d, Fin)
        self.assertEqual(ran, [threading.get_ident()] * 100)
        t.join()
        self.assertIn('fin', d)
        self.assertEqual(len(d), 101)

    def test_no_finalizer_runs_in_a_thread_that_has_exited(self):
        # Waves of threads that replace each other's values and exit: every
        # finalizer runs in a thread that threading knows, so none makes a
        # _DummyThread (which could outlive the run).
        d = AtomicDict.fromkeys(range(3))
        seen = []

        class Fin:
            def __del__(self):
                seen.append(type(threading.current_thread()))

        def wave_member(j):
            for i in range(20):
                d[(i + j) % 3] = Fin()

        for _ in range(300):
            threads = [threading.Thread(target=wave_member, args=(j,))
                       for j in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        d.clear()
        dummies = [t for t in threading.enumerate()
                   if isinstance(t, threading._DummyThread)]
        self.assertEqual(dummies, [])
        self.assertNotIn(threading._DummyThread, set(seen))
        self.assertEqual(len(seen), 300 * 3 * 20)

    def test_reduce_count(self):
        d = AtomicDict()
        words = [f"w{i % 37}" for i in range(ITERATIONS // 4)]

        def work():
            for i in range(0, len(words), 100):
                d.reduce_count(words[i:i + 100])
        run_concurrently([work] * NTHREADS)
        expected = collections.Counter(words)
        self.assertEqual(dict(d), {k: NTHREADS * c for k, c in expected.items()})

    def test_readers_during_resizes(self):
        # A key present throughout is never missed, while other threads
        # grow, shrink and clear... everything but it.
        d = AtomicDict()
        d['stay'] = 'here'
        done = threading.Event()
        misses = []

        def reader():
            h = d.handle()
            n = 0
            while not done.is_set() or n < 1000:
                n += 1
                if h.get('stay') != 'here':
                    misses.append(n)

        def writer(base):
            def run():
                try:
                    for r in range(20):
                        for i in range(300):
                            d[base + i] = i
                        for i in range(300):
                            del d[base + i]
                finally:
                    done.set()
            return run
        run_concurrently([reader, reader, writer(0), writer(10_000)])
        self.assertEqual(misses, [])
        self.assertEqual(dict(d), {'stay': 'here'})

    def test_deleters_and_inserters(self):
        # No duplicate keys; len matches iteration at rest.
        d = AtomicDict()
        keys = [Key(i, hash_=i % 5) for i in range(40)]

        def inserter():
            for r in range(ITERATIONS // 200):
                for k in keys:
                    d[Key(k.label, k.hash)] = r

        def deleter():
            for r in range(ITERATIONS // 200):
                for k in keys:
                    d.pop(k, None)
        run_concurrently([inserter, inserter, deleter, deleter])
        ks = list(d)
        self.assertEqual(len(ks), len(d))
        self.assertEqual(len(set(k.label for k in ks)), len(ks))
        for k in keys:
            d[k] = 0
        self.assertEqual(len(d), len(keys))
        self.assertEqual(len(list(d.items())), len(keys))

    def test_iteration_is_weakly_consistent(self):
        d = AtomicDict((i, i) for i in range(0, 2000, 2))
        done = threading.Event()

        def churn():
            try:
                for r in range(20):
                    for i in range(1, 2000, 2):
                        d[i] = i
                    for i in range(1, 2000, 2):
                        del d[i]
            finally:
                done.set()

        def iterate():
            while not done.is_set():
                seen = [k for k in d if k % 2 == 0]
                # every key present throughout, exactly once
                self.assertEqual(seen and sorted(seen), list(range(0, 2000, 2)))
                for k, v in d.items():
                    self.assertEqual(k, v)
        run_concurrently([churn, iterate])

    def test_merging_an_atomicdict_another_thread_changes(self):
        # Building from, updating with and | of an AtomicDict that another
        # thread changes: a snapshot of its items, never a KeyError for a
        # key deleted meanwhile.
        src = AtomicDict((i, i) for i in range(200))
        done = threading.Event()

        def churn():
            try:
                for r in range(ITERATIONS // 100):
                    for i in range(100, 200):
                        del src[i]
                    for i in range(100, 200):
                        src[i] = i
            finally:
                done.set()

        def merge():
            while not done.is_set():
                for made in (AtomicDict(src), AtomicDict() | src,
                             {} | src):
                    for i in range(100):     # present throughout
                        self.assertEqual(made[i], i)
                d = AtomicDict()
                d.update(src)
                d |= src
                self.assertTrue(all(d[k] == k for k in d))
        run_concurrently([churn, merge])

    def test_clear_releases_while_another_thread_runs(self):
        # The old table of a clear() waits until no thread can be reading
        # it: then the next writes release it, not the next resize.
        d = AtomicDict()
        refs = []
        d['v'] = tracked(refs)
        with another_thread_running():
            d.clear()
            for i in range(1_000_000):
                d['x'] = i              # no resize
                if refs[0]() is None:
                    break
        self.assertIsNone(refs[0]())
        self.assertEqual(len(d), 1)

    def test_cleared_tables_bounded_while_another_thread_runs(self):
        # Each clear() retires a table with its values.  While another
        # thread keeps running Python code, what is not yet due when a
        # write reclaims stays; the next reclamation still comes within a
        # bounded number of writes, so cleared tables do not pile up
        # (they once waited for a collection, which untracked values
        # never start).
        d = AtomicDict()
        refs = []
        with another_thread_running(), retention_bound():
            for _ in range(300):
                for i in range(10):
                    d[i] = tracked(refs)
                d.clear()
            settle(lambda: d.__setitem__(0, None),
                   until=lambda: count_alive(refs) <= 100)
            self.assertLessEqual(count_alive(refs), 100)
        self.assertEqual(dict(d), {0: None})

    def test_clear_released_by_collection(self):
        # With no write after it, the old table of a clear() (and the
        # values it holds) waits for the next garbage collection at most,
        # even while another thread keeps running.
        d = AtomicDict()
        refs = []
        d['v'] = tracked(refs)
        with another_thread_running():
            d.clear()
            gc.collect()
            self.assertIsNone(refs[0]())
        self.assertEqual(len(d), 0)

    def test_setdefault_has_one_winner(self):
        d = AtomicDict()
        results = []

        def work():
            mine = Obj()
            results.append(d.setdefault('k', mine))
        run_concurrently([work] * NTHREADS)
        self.assertEqual(len({id(r) for r in results}), 1)
        self.assertIs(results[0], d['k'])

    def test_clear_while_writing(self):
        d = AtomicDict()
        done = threading.Event()

        def writer():
            try:
                for i in range(ITERATIONS):
                    d[i % 100] = i
            finally:
                done.set()

        def clearer():
            while not done.is_set():
                d.clear()
        run_concurrently([writer, clearer])
        self.assertLessEqual(len(d), 100)
        self.assertEqual(len(list(d)), len(d))


@threading_helper.requires_working_threading()
class ResizeTests(unittest.TestCase):
    """Resizes that other threads' ordinary writes cause, a fork or an exit
    meets: no error, no hang."""

    def check_present_key_found_while_table_rehashes(self, key, twin):
        # key and twin are equal, not identical, and slow to compare; another
        # thread inserts and deletes other keys, so that the table is
        # replaced during most comparisons.  Lookups and stores of the
        # present key never fail (they once raised RuntimeError after 16
        # comparisons in a row had seen the table replaced).
        d = AtomicDict({key: 0})
        stop = threading.Event()

        def churn():
            while not stop.is_set():
                for i in range(64):
                    d[i] = i
                for i in range(64):
                    del d[i]
        t = threading.Thread(target=churn)
        t.start()
        try:
            deadline = time.monotonic() + 1.0
            n = 0
            while time.monotonic() < deadline:
                self.assertEqual(d[twin], n)
                n += 1
                d[twin] = n
        finally:
            stop.set()
            t.join()
        self.assertEqual(d[key], n)
        self.assertIs(next(k for k in d if not isinstance(k, int)), key)

    def test_slow_tuple_keys_while_table_rehashes(self):
        self.check_present_key_found_while_table_rehashes(
            tuple(range(20_000)), tuple(range(20_000)))

    def test_slow_frozenset_keys_while_table_rehashes(self):
        self.check_present_key_found_while_table_rehashes(
            frozenset(range(5_000)), frozenset(range(5_000)))

    @support.requires_fork()
    def test_fork_while_threads_resize(self):
        # A fork child resizes the map that the parent's threads kept
        # clearing and growing.  The child once blocked for ever on a
        # resize mutex that the fork's pause had stopped a waiter holding.
        code = FORK_CHILDREN + textwrap.dedent('''
            import threading, warnings
            from atomics import AtomicDict
            warnings.simplefilter("ignore", DeprecationWarning)
            d = AtomicDict()
            stop = False

            def clearer():
                while not stop:
                    d.clear()

            def grower(base):
                while not stop:
                    for i in range(200):
                        d[base + i] = i
            threads = [threading.Thread(target=clearer),
                       threading.Thread(target=clearer),
                       threading.Thread(target=grower, args=(0,)),
                       threading.Thread(target=grower, args=(1000,))]
            for t in threads:
                t.start()

            def child():
                d.clear()
                for i in range(1000):
                    d[i] = i
                return 0 if len(d) == 1000 else 3
            hung = fork_children(30, child)
            stop = True
            for t in threads:
                t.join()
            print("hung", hung)
        ''')
        rc, out, err = script_helper.assert_python_ok('-c', code)
        self.assertEqual(out.strip(), b'hung 0')

    def test_exit_while_daemon_threads_resize(self):
        # Daemon threads clear a module-level map while the interpreter
        # exits, and a finalizer clears it during module teardown.  Exit
        # once hung in resize() on a mutex a stopped daemon thread held.
        code = textwrap.dedent('''
            import threading, time
            from atomics import AtomicDict
            d = AtomicDict()

            def clearer():
                while True:
                    d.clear()
                    for i in range(20):
                        d[i] = i

            class ClearsOnExit:
                def __del__(self):
                    d.clear()
                    d[0] = 0
            for _ in range(4):
                threading.Thread(target=clearer, daemon=True).start()
            keep = ClearsOnExit()
            time.sleep(0.02)
        ''')
        for _ in range(10):
            proc = subprocess.run([sys.executable, '-c', code],
                                  capture_output=True,
                                  timeout=support.SHORT_TIMEOUT)
            self.assertEqual(proc.returncode, 0, proc.stderr)


if __name__ == '__main__':
    unittest.main()
