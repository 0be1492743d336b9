// Loading a C library with dlopen on its first use instead of at every start (docs/adr/0016).
// Each library's module (CCurl, CSSH2, CLibEdit, CCurlTLS) defines the library's functions that
// hlsh calls as stubs with the same names; a stub loads the library once, through this file, and
// calls the real function. No Swift module imports this one (scripts/test checks).
#ifndef HLSH_LAZY_LOAD_H
#define HLSH_LAZY_LOAD_H

#include <pthread.h>

/// A shared library opened on first use. Define one per library with HLSH_LAZY_LIBRARY and load
/// it with hlsh_lazy_load; after that `loaded` says whether every function was found.
typedef struct hlsh_lazy_library {
    /// The file dlopen opens (its SONAME), e.g. "libcurl.so.4".
    const char *soname;
    /// The Debian/Ubuntu package that installs it, for the error message; NULL: load quietly
    /// (the caller reports a missing library in its own way).
    const char *package;
    /// Extra dlopen flags, e.g. RTLD_NOLOAD to use only a copy that is already loaded.
    int flags;
    pthread_once_t once;
    void *handle;
    int loaded;
} hlsh_lazy_library;

#define HLSH_LAZY_LIBRARY(soname, package, flags) { (soname), (package), (flags), PTHREAD_ONCE_INIT, 0, 0 }

/// Marks a stub: defined in hlsh but never exported from it, so that even a binary linked with
/// --export-dynamic cannot make the real library's calls to its own functions land in the stubs.
#define HLSH_LAZY_STUB __attribute__((visibility("hidden")))

/// A table member for the library function `name`, typed from the library's own declaration.
#define HLSH_LAZY_SLOT(name) __typeof__(name) *name;
/// HLSH_LAZY_SLOT for a list entry (return type, name, parameters, arguments).
#define HLSH_LAZY_FUNCTION_SLOT(type, name, parameters, arguments) HLSH_LAZY_SLOT(name)
/// In the load routine: stores `name`'s address in `lazy_functions.name`, or returns (not loaded).
#define HLSH_LAZY_RESOLVE(name)                                                                                        \
    if (!hlsh_lazy_symbol(&lazy_library, #name, (void **)&lazy_functions.name)) return;
/// HLSH_LAZY_RESOLVE for a list entry.
#define HLSH_LAZY_RESOLVE_FUNCTION(type, name, parameters, arguments) HLSH_LAZY_RESOLVE(name)
/// A stub that loads the library and returns what the real `name` returns.
#define HLSH_LAZY_FORWARD_VALUE(type, name, parameters, arguments)                                                     \
    HLSH_LAZY_STUB type name parameters { return lazy_api(#name)->name arguments; }
/// A stub that loads the library and calls the real `name`, which returns nothing.
#define HLSH_LAZY_FORWARD_VOID(type, name, parameters, arguments)                                                      \
    HLSH_LAZY_STUB type name parameters { lazy_api(#name)->name arguments; }
/// An empty function list.
#define HLSH_LAZY_NONE(X)

/// Defines, in the one file that wraps a library, everything but its hand-written stubs:
/// - `lazy_functions`, the table of real functions: one slot per name in the lists `own`
///   (X(name): the file writes these stubs itself), `values` and `voids` (X(return type, name,
///   parameters, arguments): functions that return a value, and that return nothing);
/// - `lazy_library` (see HLSH_LAZY_LIBRARY) and its once routine, which opens it and fills the
///   table; `lazy_loaded()`, which loads it on the first call and says whether that worked;
/// - `lazy_api(function)`, the table for a call to `function`, which ends hlsh when the library
///   could not be loaded (see hlsh_lazy_unavailable);
/// - a forwarding stub for every function in `values` and `voids`.
#define HLSH_LAZY_DEFINE(soname, package, flags, own, values, voids)                                                   \
    static struct lazy_functions {                                                                                     \
        own(HLSH_LAZY_SLOT) values(HLSH_LAZY_FUNCTION_SLOT) voids(HLSH_LAZY_FUNCTION_SLOT)                             \
    } lazy_functions;                                                                                                  \
    static hlsh_lazy_library lazy_library = HLSH_LAZY_LIBRARY(soname, package, flags);                                 \
    static void lazy_load_library(void) {                                                                              \
        if (!hlsh_lazy_open(&lazy_library)) return;                                                                    \
        own(HLSH_LAZY_RESOLVE) values(HLSH_LAZY_RESOLVE_FUNCTION) voids(HLSH_LAZY_RESOLVE_FUNCTION)                    \
        lazy_library.loaded = 1;                                                                                       \
    }                                                                                                                  \
    static int lazy_loaded(void) { return hlsh_lazy_load(&lazy_library, lazy_load_library); }                          \
    static const struct lazy_functions *lazy_api(const char *function) {                                               \
        if (!lazy_loaded()) hlsh_lazy_unavailable(&lazy_library, function);                                            \
        return &lazy_functions;                                                                                        \
    }                                                                                                                  \
    values(HLSH_LAZY_FORWARD_VALUE) voids(HLSH_LAZY_FORWARD_VOID)

/// Opens `library` (RTLD_NOW | RTLD_LOCAL | its flags). Returns 0 and says on stderr which
/// library is missing and which package installs it when that fails. Call only from the
/// library's pthread_once routine.
int hlsh_lazy_open(hlsh_lazy_library *library);

/// Stores the address of `name` in the opened `library` into `*slot` (a function pointer cast
/// to `void **`). Returns 0, and reports it like hlsh_lazy_open, when the library lacks it (a
/// version too old for hlsh).
int hlsh_lazy_symbol(hlsh_lazy_library *library, const char *name, void **slot);

/// Runs `load` once for `library` (thread-safe) and says whether the library is usable.
int hlsh_lazy_load(hlsh_lazy_library *library, void (*load)(void));

/// Ends the process for a call to `function` of a library that could not be loaded: only the
/// library's entry points (its init functions) return an error in that case, so reaching any
/// other function means a caller ignored that error.
_Noreturn void hlsh_lazy_unavailable(const hlsh_lazy_library *library, const char *function);

#endif
