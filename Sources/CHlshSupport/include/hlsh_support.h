// Process-level helpers that Swift cannot express safely: a SIGINT handler that only sets a flag.
#ifndef HLSH_SUPPORT_H
#define HLSH_SUPPORT_H

/// Installs a SIGINT handler (without SA_RESTART, so blocking reads return EINTR) that only
/// records the interrupt. Returns 0 on success, -1 with errno set otherwise.
int hlsh_install_sigint_handler(void);
/// Restores the default SIGINT disposition.
int hlsh_restore_sigint_handler(void);
/// How many SIGINTs arrived since the last call; resets the count to zero.
int hlsh_take_interrupts(void);
/// Whether a SIGINT arrived and has not been taken yet (does not reset).
int hlsh_interrupt_pending(void);
/// Records an interrupt as though SIGINT arrived (for tests and for cancellation from Swift).
void hlsh_raise_interrupt_flag(void);

#endif
