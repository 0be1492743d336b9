// Names the calling thread — Swift's Glibc module does not declare pthread_setname_np (it needs
// _GNU_SOURCE).
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "hlsh_support.h"

void hlsh_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = '\0';
    pthread_setname_np(pthread_self(), truncated);
}
