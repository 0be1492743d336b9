#define _GNU_SOURCE
#include "hlsh_support.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

int hlsh_read_char_interruptible(int fd, wchar_t *wc) {
    mbstate_t state;
    memset(&state, 0, sizeof state);
    size_t count = 0;
    unsigned char first = 0;
    for (;;) {
        sigset_t sigint, old;
        sigemptyset(&sigint);
        sigaddset(&sigint, SIGINT);
        pthread_sigmask(SIG_BLOCK, &sigint, &old);
        // SIGINT is blocked from here until ppoll waits: one that arrived while libedit was busy
        // is seen below, and one that comes now interrupts the wait. Either way no Ctrl-C is lost.
        if (hlsh_interrupt_pending() || hlsh_termination_signal() != 0) {
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            errno = EINTR;
            return -1;
        }
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        sigset_t waiting = old;
        sigdelset(&waiting, SIGINT);
        int polled = ppoll(&ready, 1, NULL, &waiting);
        int saved = errno;
        // A SIGINT that came while this thread blocked it went to the process: another thread
        // may have run its handler already (the flag), or will soon (it is still pending for
        // the process, as sigpending shows here). Either way the key typed after the Ctrl-C is
        // left for the next line.
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        int interrupted = hlsh_interrupt_pending() || sigismember(&pending, SIGINT);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (polled < 0) {
            errno = saved;
            return -1;  // EINTR: SIGINT, SIGTERM or SIGHUP; their flags say which
        }
        if (interrupted) {
            // Unblocked, a SIGINT still pending runs its handler here; one another thread took
            // runs there: give it a moment so the caller finds the flag set.
            for (int i = 0; i < 500 && !hlsh_interrupt_pending(); i++) usleep(100);
            errno = EINTR;
            return -1;
        }
        unsigned char byte;
        ssize_t got = read(fd, &byte, 1);
        if (got == 0) return 0;
        if (got < 0) {
            // A non-blocking terminal whose input a Ctrl-C flushed after ppoll saw it: wait again
            // (a blocking read would sleep through the Ctrl-C and take the next line's first key).
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            return -1;
        }
        if (count++ == 0) first = byte;
        size_t decoded = mbrtowc(wc, (const char *)&byte, 1, &state);
        if (decoded == (size_t)-2 && count < MB_LEN_MAX) continue;  // more bytes of this character
        if (decoded == (size_t)-1 || decoded == (size_t)-2) *wc = (wchar_t)first;  // not the locale's: as a byte
        return 1;
    }
}
