#include "hlsh_lazy_load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int hlsh_lazy_open(hlsh_lazy_library *library) {
    library->handle = dlopen(library->soname, RTLD_NOW | RTLD_LOCAL | library->flags);
    if (library->handle) return 1;
    if (library->package) {
        const char *why = dlerror();
        fprintf(stderr, "hlsh: cannot load %s (%s); install the %s package (apt-get install %s)\n", library->soname,
                why ? why : "not found", library->package, library->package);
    }
    return 0;
}

int hlsh_lazy_symbol(hlsh_lazy_library *library, const char *name, void **slot) {
    *slot = dlsym(library->handle, name);
    if (*slot) return 1;
    if (library->package) {
        fprintf(stderr, "hlsh: %s has no function %s; install a newer %s package\n", library->soname, name,
                library->package);
    }
    return 0;
}

int hlsh_lazy_load(hlsh_lazy_library *library, void (*load)(void)) {
    pthread_once(&library->once, load);
    return library->loaded;
}

void hlsh_lazy_unavailable(const hlsh_lazy_library *library, const char *function) {
    fprintf(stderr, "hlsh: %s called, but %s could not be loaded\n", function, library->soname);
    abort();
}
