// Internal support for the atomics module (Modules/_atomics) that is not
// part of the atomic reference API of Include/cpython/atomicref.h.
#ifndef Py_INTERNAL_ATOMICS_H
#define Py_INTERNAL_ATOMICS_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef Py_BUILD_CORE
#  error "this header requires Py_BUILD_CORE define"
#endif

// Return once no other thread of the current interpreter is running
// Python code or C code called from it (a stop-the-world pause on the
// free-threaded build; nothing to wait for on the default build, where the
// caller holds the GIL).  Must be called with an attached thread state;
// like a garbage collection, it may be called with critical sections held.
// Export for '_atomics' shared extension.
PyAPI_FUNC(void) _PyAtomic_QuiesceOtherThreads(void);

#ifdef __cplusplus
}
#endif
#endif   // !Py_INTERNAL_ATOMICS_H
