import os

from test import support


# Unlike test_free_threading, these tests run on both builds: the atomics
# module has the same semantics with and without the GIL.

def load_tests(*args):
    return support.load_package_tests(os.path.dirname(__file__), *args)
