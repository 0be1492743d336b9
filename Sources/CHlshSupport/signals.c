#include "hlsh_support.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupts = 0;

static void on_sigint(int signo) {
    (void)signo;
    if (interrupts < 1000) interrupts++;
}

int hlsh_install_sigint_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns EINTR so the caller sees Ctrl-C
    return sigaction(SIGINT, &sa, NULL);
}

int hlsh_restore_sigint_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGINT, &sa, NULL);
}

int hlsh_take_interrupts(void) {
    int n = interrupts;
    interrupts = 0;
    return n;
}

int hlsh_interrupt_pending(void) { return interrupts > 0; }

void hlsh_raise_interrupt_flag(void) { interrupts++; }

static volatile sig_atomic_t termination = 0;

static void on_termination(int signo) {
    if (termination == 0) termination = signo;
}

int hlsh_install_termination_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_termination;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART, as for SIGINT
    if (sigaction(SIGTERM, &sa, NULL) != 0) return -1;
    return sigaction(SIGHUP, &sa, NULL);
}

int hlsh_termination_signal(void) { return termination; }
